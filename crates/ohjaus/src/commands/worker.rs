//! `ohjaus worker`: the notification worker alone (outbox, reminders, digests). Any number
//! of them can run against one PostgreSQL database.

use super::Failure;
use crate::config::Config;
use crate::runtime::{open_store, shutdown_signal, stopped};
use anyhow::Context as _;

/// Runs until SIGTERM or Ctrl-C; the message in hand is finished first.
pub async fn run(config: Config) -> Result<(), Failure> {
    // The mail transport first: an unusable mail folder stops start-up with its cause.
    let mailer = ohjaus_notify::Mailer::from_config(&config.mail)?;
    let store = open_store(&config).await?;
    tracing::info!(transport = ?config.mail.transport, "worker started");
    let worker = config.worker(store, mailer, config.clock());
    ohjaus_notify::run(worker, stopped(shutdown_signal())).await.context("the worker stopped")?;
    Ok(())
}
