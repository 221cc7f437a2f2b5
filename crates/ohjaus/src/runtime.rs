//! What the long-running commands share: logging, the store, and the shutdown signal.

use crate::config::{Config, LogConfig};
use anyhow::Context as _;
use ohjaus_store::Store;
use std::path::Path;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// Starts logging as `[log]` says; `RUST_LOG` overrides the level.
pub fn init_logging(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    // A second init (tests) keeps the first subscriber.
    let _ = if config.format == "json" { builder.json().try_init() } else { builder.try_init() };
}

/// Connects to the database, creating the folder of a SQLite file when needed, and applies
/// the migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = &config.database.url;
    if let Some(folder) = sqlite_folder(url) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the database folder {}", folder.display()))?;
    }
    let secrets = config.secrets.load()?;
    let store = connect(config)
        .await?
        .with_secrets(secrets)
        .with_calendars(config.calendars.settings()?)
        .with_private_webhook_addresses(config.webhooks.allow_private_addresses)
        .with_operator(ohjaus_notify::operator_of(&config.mail)?);
    store.migrate().await.context("applying the database migrations")?;
    Ok(store)
}

/// Connects to the database without migrating it; a failure names the host (or file) and
/// the cause on one line.
pub async fn connect(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open(&config.database.url, Some(config.database.max_connections), config.database_wait()).await?)
}

/// The file of a `sqlite://path?…` URL, unless it is an in-memory database.
pub fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(Path::new(path))
}

/// The folder of a `sqlite://path?…` file, when it has one.
fn sqlite_folder(url: &str) -> Option<&Path> {
    sqlite_file(url)?.parent().filter(|p| !p.as_os_str().is_empty())
}

/// A shutdown signal: resolves on Ctrl-C or SIGTERM. Clone the receiver for every task.
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down: finishing requests and the message in hand");
        let _ = sender.send(true);
    });
    receiver
}

/// A future that resolves when `signal` turns true.
pub async fn stopped(mut signal: watch::Receiver<bool>) {
    while !*signal.borrow() {
        if signal.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_folders() {
        assert_eq!(sqlite_folder("sqlite://data/ohjaus.db?mode=rwc"), Some(Path::new("data")));
        assert_eq!(sqlite_folder("sqlite://ohjaus.db"), None);
        assert_eq!(sqlite_folder("sqlite::memory:"), None);
        assert_eq!(sqlite_folder("postgres://x/y"), None);
    }
}
