//! Layered configuration: the compiled-in `config/default.toml` (every key, a working
//! default), then `--config FILE`, then environment variables `OHJAUS_<SECTION>__<KEY>`.
//! Unknown keys are errors, so a typo does not silently fall back to a default.

use anyhow::{Context as _, bail};
use axum::http::HeaderName;
use figment::Figment;
use figment::providers::{Env, Format as _, Toml};
use ohjaus_api::limits::ApiLimits;
use ohjaus_notify::{MailConfig, ScheduleConfig, TransportKind, WorkerConfig};
use ohjaus_web::limits::SignInLimits;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The defaults, compiled in so the binary works from any folder.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// Every setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[database]`.
    pub database: DatabaseConfig,
    /// `[http]`.
    pub http: HttpConfig,
    /// `[mail]`: the notify crate's own settings.
    pub mail: MailConfig,
    /// `[worker]`.
    pub worker: WorkerSection,
    /// `[schedule]`: the notify crate's own settings.
    pub schedule: ScheduleConfig,
    /// `[limits]`.
    pub limits: LimitsConfig,
    /// `[log]`.
    pub log: LogConfig,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// How long a request waits for the database before answering 503.
    pub wait_seconds: u64,
}

/// `[http]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// `host:port`.
    pub listen: String,
    /// Base URL in emails and feed links.
    pub public_url: String,
    /// Per-request timeout.
    pub request_timeout_seconds: u64,
    /// Largest body.
    pub body_limit_bytes: usize,
    /// The header a trusted reverse proxy puts the client's address in; empty: the connection's.
    pub client_ip_header: String,
}

/// `[worker]`: the outbox loop (the schedules are `[schedule]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSection {
    /// Pause between polls when nothing is due.
    pub poll_interval_ms: u64,
    /// Rows claimed at once.
    pub batch_size: u32,
    /// Messages of a batch sent at the same time.
    pub concurrency: u32,
    /// How long a claim holds a row.
    pub lease_seconds: u32,
    /// The worker's name in leases; empty for an automatic unique one.
    pub owner: String,
    /// The longest pause between tries while the database cannot be reached.
    pub outage_backoff_max_ms: u64,
}

/// `[limits]`: rate limits against abuse; 0 turns one off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// API requests per minute per token.
    pub api_requests_per_minute: u32,
    /// Requests per minute per calendar-feed link.
    pub feed_requests_per_minute: u32,
    /// Sign-in links per email address per hour, across processes.
    pub sign_in_links_per_address_per_hour: u32,
    /// Sign-in requests per minute per client address.
    pub sign_in_requests_per_client_per_minute: u32,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter.
    pub level: String,
    /// `text` or `json`.
    pub format: String,
}

impl Config {
    /// Loads the layers and checks the values.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::new().merge(Toml::string(DEFAULTS));
        if let Some(file) = file {
            if !file.is_file() {
                bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let config: Self = figment
            // Only OHJAUS_<SECTION>__<KEY>: other OHJAUS_ variables (of tests, say) are not settings.
            .merge(Env::prefixed("OHJAUS_").filter(|key| key.as_str().contains("__")).split("__").lowercase(true))
            .extract()
            .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!("database.url must start with sqlite: or postgres:// (is {:?})", redact_url(url));
        }
        self.listen_addr()?;
        url::Url::parse(&self.http.public_url)
            .with_context(|| format!("http.public_url {:?} is not a URL", self.http.public_url))?;
        if self.mail.transport == TransportKind::Smtp && self.mail.smtp_url.as_deref().is_none_or(str::is_empty) {
            bail!("mail.smtp_url is required with mail.transport = \"smtp\"");
        }
        // The schedules' own parser checks the cron expressions and the zone.
        ohjaus_notify::Scheduler::new(&self.schedule).map_err(|e| anyhow::anyhow!("bad [schedule]: {e}"))?;
        if self.database.wait_seconds == 0 {
            bail!("database.wait_seconds must be at least 1");
        }
        self.client_ip_header()?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            bail!("log.format must be text or json (is {:?})", self.log.format);
        }
        Ok(())
    }

    /// The worker's settings, as the notify crate takes them.
    pub fn worker_config(&self) -> WorkerConfig {
        WorkerConfig {
            poll_interval_ms: self.worker.poll_interval_ms,
            batch_size: self.worker.batch_size,
            concurrency: self.worker.concurrency,
            lease_seconds: self.worker.lease_seconds,
            owner: Some(self.worker.owner.clone()).filter(|o| !o.is_empty()),
            schedule: self.schedule.clone(),
        }
    }

    /// The worker `config` describes: its settings, `mailer`, the cap of its outage backoff.
    pub fn worker(&self, store: ohjaus_store::Store, mailer: ohjaus_notify::Mailer) -> ohjaus_notify::Worker {
        ohjaus_notify::Worker::new(store, self.worker_config(), mailer)
            .with_outage_backoff(Duration::from_millis(self.worker.outage_backoff_max_ms))
    }

    /// How long a request waits for the database.
    pub fn database_wait(&self) -> Duration {
        Duration::from_secs(self.database.wait_seconds)
    }

    /// The header the client's address is read from, if one is set.
    pub fn client_ip_header(&self) -> anyhow::Result<Option<HeaderName>> {
        let name = self.http.client_ip_header.trim();
        if name.is_empty() {
            return Ok(None);
        }
        HeaderName::from_bytes(name.as_bytes())
            .map(Some)
            .with_context(|| format!("http.client_ip_header {name:?} is not a header name"))
    }

    /// The sign-in limits of the pages.
    pub fn sign_in_limits(&self) -> anyhow::Result<SignInLimits> {
        Ok(SignInLimits::new(
            self.limits.sign_in_links_per_address_per_hour,
            self.limits.sign_in_requests_per_client_per_minute,
            self.client_ip_header()?,
        ))
    }

    /// The rate limits of the API and the feeds.
    pub fn api_limits(&self) -> ApiLimits {
        ApiLimits::per_minute(self.limits.api_requests_per_minute, self.limits.feed_requests_per_minute)
    }

    /// The address to listen on.
    pub fn listen_addr(&self) -> anyhow::Result<SocketAddr> {
        self.http.listen.parse().with_context(|| format!("http.listen {:?} is not host:port", self.http.listen))
    }
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_work() {
        let config: Config = Figment::new().merge(Toml::string(DEFAULTS)).extract().unwrap();
        config.check().unwrap();
        assert_eq!(config.http.listen, "127.0.0.1:8080");
        assert_eq!(config.mail.transport, TransportKind::File);
        assert_eq!(config.worker_config().owner, None);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@db/x"), "postgres://u:***@db/x");
    }
}
