//! The calendar sync: people's connected calendars refreshed on a schedule
//! (`calendars.sync_minutes`, every 15 minutes by default). Each pass claims the connections
//! that are due — each exactly once per interval across any number of workers, by the store's
//! conditional update — and syncs them a few at a time: a changed calendar replaces its busy
//! blocks, a 304 leaves them, a failure keeps them and records the error. Nothing is fetched
//! during a request but the first, validating fetch of a new connection and "refresh now".

use crate::worker::Worker;
use ohjaus_store::write::calendar_connections::SyncOutcome;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{error, info};

/// Connections claimed per pass.
const BATCH: u64 = 50;

/// Connections fetched at the same time.
const CONCURRENCY: usize = 8;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Connections claimed.
    pub claimed: usize,
    /// Read anew.
    pub read: usize,
    /// Unchanged (304).
    pub not_modified: usize,
    /// Failed (the error recorded, the old blocks kept).
    pub failed: usize,
}

impl Worker {
    /// One pass: claims the due connections (at most [`BATCH`]) and syncs them,
    /// [`CONCURRENCY`] at a time.
    pub async fn sync_calendars(&self) -> Result<SyncReport, ohjaus_store::StoreError> {
        let now = self.now();
        let claimed = self.store().claim_due_calendars(now, BATCH).await?;
        let mut report = SyncReport { claimed: claimed.len(), ..SyncReport::default() };
        let mut tasks = JoinSet::new();
        let mut pending = claimed.into_iter();
        loop {
            while tasks.len() < CONCURRENCY {
                let Some(id) = pending.next() else { break };
                let store = self.store().clone();
                tasks.spawn(async move { store.sync_calendar(id, now).await });
            }
            let Some(done) = tasks.join_next().await else { break };
            match done {
                Ok(Ok(SyncOutcome::Read { .. })) => report.read += 1,
                Ok(Ok(SyncOutcome::NotModified)) => report.not_modified += 1,
                Ok(Ok(SyncOutcome::Failed { .. })) => report.failed += 1,
                Ok(Ok(SyncOutcome::Gone)) => {}
                Ok(Err(e)) => error!(error = %e, "a calendar sync could not be written"),
                Err(e) => error!(error = %e, "a calendar sync ended abnormally"),
            }
        }
        Ok(report)
    }

    /// Syncs due calendars until `stop` turns true, looking every `poll_interval_ms`.
    pub async fn run_calendar_sync(&self, mut stop: watch::Receiver<bool>) {
        let pause = Duration::from_millis(self.config().poll_interval_ms.max(1));
        while !*stop.borrow() {
            match self.sync_calendars().await {
                Ok(report) if report.claimed > 0 => info!(
                    claimed = report.claimed,
                    read = report.read,
                    not_modified = report.not_modified,
                    failed = report.failed,
                    "calendar sync pass"
                ),
                Ok(_) => {}
                Err(e) if e.is_unavailable() => self.database_failed(&e),
                Err(e) => error!(error = %e, "calendar sync pass failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
