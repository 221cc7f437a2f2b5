//! The reminders of rhythm polls (issue 11): a day before a poll's deadline, one reminder with
//! a fresh personal link to each person asked who has not answered.
//!
//! Checked on every schedule check rather than on a cron tick: a deadline can fall at any
//! minute, and the question is one indexed query. Once per poll however many workers ask at
//! once: the store marks the poll reminded by a conditional update in the transaction that
//! queues its reminders (`Store::queue_poll_reminders`).

use crate::worker::Worker;
use ohjaus_store::StoreError;
use tracing::info;

/// Queues the poll reminders due at the worker's now; answers how many were queued.
pub async fn remind_voters(worker: &Worker) -> Result<u32, StoreError> {
    let queued = worker.store().queue_poll_reminders(worker.now()).await?;
    if queued > 0 {
        info!(queued, "poll reminders queued");
    }
    Ok(queued)
}
