//! `ohjaus worker`: the notification worker alone (outbox, reminders, digests). Any number
//! of them can run against one PostgreSQL database.

use super::Failure;
use crate::config::Config;
use crate::runtime::{open_store, shutdown_signal, stopped};
use anyhow::Context as _;

/// Runs until SIGTERM or Ctrl-C; the message in hand is finished first.
pub async fn run(config: Config) -> Result<(), Failure> {
    let store = open_store(&config).await?;
    let mailer = ohjaus_notify::Mailer::from_config(&config.mail).context("setting up mail")?;
    tracing::info!(transport = ?config.mail.transport, "worker started");
    let worker = ohjaus_notify::Worker::new(store, config.worker_config(), mailer).with_clock(config.clock());
    ohjaus_notify::run(worker, stopped(shutdown_signal())).await.context("the worker stopped")?;
    Ok(())
}
