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
    ohjaus_notify::run_worker(store, config.worker_config(), mailer, stopped(shutdown_signal()))
        .await
        .context("the worker stopped")?;
    Ok(())
}
