//! Where emails go: an SMTP server, a folder of `.eml` files, or the log.
//!
//! One enum rather than a trait object, like crates.io's `EmailBackend`: the set is closed,
//! the worker matches on it, and each variant's setup errors surface at start-up.
//!
//! What is logged about a message is its kind and the recipient's *domain*; never the full
//! address, never a body (a sign-in message carries a token).

use crate::config::{MailConfig, TransportKind};
use crate::smtp::{PoolError, SmtpPool};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What a transport may know about the message it carries, for file names and logs.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// A stable id of the message (the outbox row), used as the `.eml` file name.
    pub id: &'a str,
    /// The notice kind (`invite`, `reminder`, …).
    pub kind: &'a str,
    /// The recipient's domain.
    pub recipient_domain: &'a str,
}

/// A configured way of sending.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP server (`smtp://`), with a pool of Nagle-free connections.
    Smtp(Arc<SmtpPool>),
    /// An SMTP server over implicit TLS (`smtps://`), through lettre's pooled transport.
    Smtps(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in a folder.
    File(PathBuf),
    /// Nothing is sent; a line is logged.
    Log,
}

/// Why a transport could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The SMTP URL is not usable (the URL itself is not repeated: it may hold a password).
    #[error("the SMTP URL is not usable: {0}")]
    SmtpUrl(String),
    /// `transport = "smtp"` without `smtp_url`.
    #[error("transport \"smtp\" needs smtp_url")]
    MissingSmtpUrl,
    /// The file transport's folder cannot be created or written to.
    #[error("cannot use the mail folder {}: {cause}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why (in the message only, not also as a source, so that it is said once).
        cause: std::io::Error,
    },
}

/// Why one message was not handed over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The SMTP exchange failed.
    #[error("SMTP: {0}")]
    Smtp(#[from] PoolError),
    /// The SMTP exchange over implicit TLS failed.
    #[error("SMTP: {0}")]
    Smtps(#[from] lettre::transport::smtp::Error),
    /// Writing the file into the mail folder failed.
    #[error("cannot write into the mail folder {}: {cause}", dir.display())]
    File {
        /// The folder.
        dir: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

impl SendError {
    /// Whether retrying cannot help: the SMTP server refused the message itself (5xx).
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Smtp(error) => error.is_permanent(),
            Self::Smtps(error) => error.is_permanent(),
            Self::File { .. } => false,
        }
    }
}

impl Transport {
    /// An SMTP transport from a URL, as lettre reads it: `smtp://host:port` (plain),
    /// `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port` (TLS from the start),
    /// `smtp://user:password@host…` for credentials. `pool_size` connections are kept open.
    /// `smtp://` goes through [`SmtpPool`] (Nagle off: see [`crate::smtp`]), `smtps://` through
    /// lettre's transport; call it inside a Tokio runtime (lettre's pool runs a task).
    pub fn smtp(url: &str, pool_size: u32, timeout: Duration) -> Result<Self, TransportError> {
        if let Some(pool) =
            SmtpPool::from_url(url, pool_size, timeout).map_err(|e| TransportError::SmtpUrl(e.to_string()))?
        {
            return Ok(Self::Smtp(Arc::new(pool)));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| TransportError::SmtpUrl(e.to_string()))?
            .pool_config(PoolConfig::new().max_size(pool_size.max(1)))
            .timeout(Some(timeout))
            .build();
        Ok(Self::Smtps(transport))
    }

    /// A file transport into `dir`, created if missing. A file is written and removed there
    /// first, so that a folder that cannot be used stops the program at start-up rather than
    /// failing every message later.
    pub fn file(dir: impl Into<PathBuf>) -> Result<Self, TransportError> {
        let dir = dir.into();
        let folder = |cause| TransportError::Folder { dir: dir.clone(), cause };
        std::fs::create_dir_all(&dir).map_err(folder)?;
        let probe = dir.join(format!(".ohjaus-write-check-{}.tmp", std::process::id()));
        std::fs::write(&probe, b"").map_err(folder)?;
        std::fs::remove_file(&probe).map_err(folder)?;
        Ok(Self::File(dir))
    }

    /// The transport `config` names.
    pub fn from_config(config: &MailConfig) -> Result<Self, TransportError> {
        match config.transport {
            TransportKind::Smtp => {
                let url = config.smtp_url.as_deref().ok_or(TransportError::MissingSmtpUrl)?;
                Self::smtp(url, config.smtp_pool_size, Duration::from_millis(config.smtp_timeout_ms))
            }
            TransportKind::File => Self::file(&config.dir),
            TransportKind::Log => Ok(Self::Log),
        }
    }

    /// A short name for logs: `smtp`, `file` or `log`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Smtp(_) | Self::Smtps(_) => "smtp",
            Self::File(_) => "file",
            Self::Log => "log",
        }
    }

    /// Hands `message` over. Returns once the SMTP server accepted it (250) or the file is in
    /// place under its final name.
    pub async fn send(&self, message: &Message, delivery: Delivery<'_>) -> Result<(), SendError> {
        match self {
            Self::Smtp(pool) => pool.send(message).await?,
            Self::Smtps(smtps) => {
                smtps.send(message.clone()).await?;
            }
            Self::File(dir) => {
                let dir = dir.clone();
                let name = file_name(delivery.id);
                let bytes = message.formatted();
                let folder = dir.clone();
                tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|written| written)
                    .map_err(|cause| SendError::File { dir: folder, cause })?;
            }
            Self::Log => {
                tracing::info!(
                    kind = delivery.kind,
                    recipient_domain = delivery.recipient_domain,
                    "email not sent (log transport)"
                );
            }
        }
        Ok(())
    }
}

/// `{id}.eml`, keeping only characters that are safe in a file name everywhere.
fn file_name(id: &str) -> String {
    let safe: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{safe}.eml")
}

/// Writes `bytes` to `dir/name` so that a reader sees the whole file or none: a hidden temporary
/// file in the same folder (same file system), flushed to disk, then renamed over the name.
/// Sending the same message again replaces the file, so a retry never leaves two copies.
///
/// A folder removed while the program runs (someone clearing old mail) is made again.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, dir.join(name))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
