//! Layered configuration: the compiled-in `config/default.toml` (every key, a working
//! default), then `--config FILE`, then environment variables `OHJAUS_<SECTION>__<KEY>`.
//! Unknown keys are errors, so a typo does not silently fall back to a default.

use anyhow::{Context as _, bail};
use axum::http::HeaderName;
use chrono::{DateTime, Utc};
use figment::Figment;
use figment::providers::{Env, Format as _, Toml};
use ohjaus_api::limits::ApiLimits;
use ohjaus_notify::{MailConfig, ScheduleConfig, TransportKind, WorkerConfig};
use ohjaus_store::{Clock, SecretsKey};
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
    /// `[feeds]`.
    pub feeds: FeedsConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[calendars]`.
    pub calendars: CalendarsConfig,
    /// `[clock]`.
    pub clock: ClockConfig,
    /// `[log]`.
    pub log: LogConfig,
    /// `[privacy]`.
    pub privacy: PrivacyConfig,
    /// `[webhooks]`.
    pub webhooks: WebhooksSection,
}

/// `[privacy]`: how long what is kept about people is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Months after a series' last session ends that its notes are deleted (by the worker's
    /// retention job, `[schedule] retention`); 0 keeps them forever.
    pub note_retention_months: u32,
}

/// `[calendars]`: reading people's own calendars (subscriptions and CalDAV).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarsConfig {
    /// Minutes between two syncs of one connection.
    pub sync_minutes: u32,
    /// Hours without a successful sync after which a connection counts as stale.
    pub stale_after_hours: u32,
    /// The time limit of one fetch, in seconds.
    pub timeout_seconds: u32,
    /// The largest calendar accepted (after decoding), in bytes.
    pub max_bytes: u64,
    /// Redirects followed at most.
    pub max_redirects: u8,
    /// Days before now whose busy blocks are kept.
    pub days_back: u32,
    /// Months after now whose busy blocks are kept.
    pub months_ahead: u32,
    /// Whether loopback, private, link-local and unique-local addresses may be fetched.
    pub allow_private_addresses: bool,
    /// Addresses allowed even though they are not public (an on-premise CalDAV server).
    pub trusted_addresses: Vec<String>,
}

impl CalendarsConfig {
    /// The store's calendar settings: the outgoing client and the schedule.
    pub fn settings(&self) -> anyhow::Result<ohjaus_store::CalendarSettings> {
        let trusted_addresses = self
            .trusted_addresses
            .iter()
            .map(|a| a.parse().map_err(|_| anyhow::anyhow!("calendars.trusted_addresses: {a:?} is not an IP address")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let client = ohjaus_calendars::OutgoingClient::new(ohjaus_calendars::OutgoingConfig {
            policy: ohjaus_calendars::AddressPolicy {
                allow_private_addresses: self.allow_private_addresses,
                trusted_addresses,
            },
            max_redirects: self.max_redirects,
            timeout: Duration::from_secs(u64::from(self.timeout_seconds.max(1))),
            max_body_bytes: self.max_bytes,
            ..ohjaus_calendars::OutgoingConfig::default()
        })
        .map_err(|e| anyhow::anyhow!("the calendars' HTTP client: {e}"))?;
        let mut settings = ohjaus_store::CalendarSettings::new(client);
        settings.sync_interval = chrono::TimeDelta::minutes(i64::from(self.sync_minutes.max(1)));
        settings.stale_after = chrono::TimeDelta::hours(i64::from(self.stale_after_hours.max(1)));
        settings.days_back = self.days_back;
        settings.months_ahead = self.months_ahead;
        Ok(settings)
    }
}

/// `[webhooks]`: delivery of webhook events by the worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksSection {
    /// Whether this process's worker delivers webhooks.
    pub enabled: bool,
    /// Whether endpoints may be on loopback or private addresses (tests, on-premise).
    pub allow_private_addresses: bool,
    /// Deliveries claimed and posted at once.
    pub batch_size: u32,
    /// A 2xx must come within this many seconds.
    pub timeout_seconds: u64,
}

/// `[secrets]`: the key secrets at rest are sealed with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// 32 bytes in base64; empty for the key file.
    pub key: String,
    /// Keys of before a rotation, which still open what they sealed.
    pub previous_keys: Vec<String>,
    /// Where the key is kept (and made) when `key` is empty.
    pub key_file: String,
}

impl SecretsConfig {
    /// The key: `key` when set, else the key file's, made on first use.
    pub fn load(&self) -> anyhow::Result<SecretsKey> {
        let current = if self.key.trim().is_empty() { self.key_from_file()? } else { self.key.clone() };
        SecretsKey::from_base64(&current, &self.previous_keys).map_err(|e| anyhow::anyhow!("secrets.key: {e}"))
    }

    fn key_from_file(&self) -> anyhow::Result<String> {
        let path = Path::new(&self.key_file);
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).with_context(|| format!("creating the folder of {}", path.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                let key = SecretsKey::generate_base64();
                std::io::Write::write_all(&mut file, format!("{key}\n").as_bytes())
                    .with_context(|| format!("writing the secrets key file {}", path.display()))?;
                tracing::info!(path = %path.display(), "made a new secrets key file; keep it with the database's backups");
                Ok(key)
            }
            // Made before (or by another process starting at the same time): read it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
                .map(|k| k.trim().to_owned())
                .with_context(|| format!("reading the secrets key file {}", path.display())),
            Err(e) => Err(e).with_context(|| format!("creating the secrets key file {}", path.display())),
        }
    }
}

/// `[clock]`: where the process's "now" comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockConfig {
    /// Empty for the system clock; an RFC 3339 instant for a clock that starts there.
    pub start: String,
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

/// `[feeds]`: how long a rendered calendar feed is answered from memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedsConfig {
    /// At most this many seconds; 0 renders every request.
    pub cache_seconds: u64,
    /// The memory all kept feeds may take.
    pub cache_megabytes: u64,
}

impl FeedsConfig {
    /// The cache these settings describe.
    pub fn cache(&self) -> ohjaus_api::feed_cache::FeedCache {
        ohjaus_api::feed_cache::FeedCache::new(
            Duration::from_secs(self.cache_seconds),
            self.cache_megabytes.saturating_mul(1 << 20),
        )
    }
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
        self.clock_start()?;
        if !self.secrets.key.trim().is_empty() || !self.secrets.previous_keys.is_empty() {
            // A configured key is checked at once; the key file when the store opens.
            let current = if self.secrets.key.trim().is_empty() {
                SecretsKey::generate_base64()
            } else {
                self.secrets.key.clone()
            };
            SecretsKey::from_base64(&current, &self.secrets.previous_keys)
                .map_err(|e| anyhow::anyhow!("secrets.key or secrets.previous_keys: {e}"))?;
        }
        self.calendars.settings()?;
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
            note_retention_months: self.privacy.note_retention_months,
        }
    }

    /// The worker `config` describes: its settings, `mailer`, `clock`, the cap of its outage
    /// backoff.
    pub fn worker(
        &self,
        store: ohjaus_store::Store,
        mailer: ohjaus_notify::Mailer,
        clock: Clock,
    ) -> ohjaus_notify::Worker {
        let worker = ohjaus_notify::Worker::new(store.clone(), self.worker_config(), mailer)
            .with_clock(clock.clone())
            .with_outage_backoff(Duration::from_millis(self.worker.outage_backoff_max_ms));
        if !self.webhooks.enabled {
            return worker;
        }
        let config = ohjaus_notify::WebhookConfig {
            allow_private_addresses: self.webhooks.allow_private_addresses,
            batch: self.webhooks.batch_size.max(1),
            timeout: Duration::from_secs(self.webhooks.timeout_seconds.max(1)),
            ..ohjaus_notify::WebhookConfig::default()
        };
        match ohjaus_notify::WebhookSender::new(store, config, worker.owner(), clock) {
            Ok(sender) => worker.with_webhooks(sender),
            Err(e) => {
                tracing::error!(error = %e, "webhook delivery cannot start");
                worker
            }
        }
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

    /// The clock every part of the process reads: the system clock, or one started at
    /// `clock.start`.
    pub fn clock(&self) -> Clock {
        match self.clock_start() {
            Ok(Some(start)) => Clock::starting_at(start),
            // `check` refused a bad value when the configuration was loaded.
            Ok(None) | Err(_) => Clock::system(),
        }
    }

    fn clock_start(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let start = self.clock.start.trim();
        if start.is_empty() {
            return Ok(None);
        }
        let at = DateTime::parse_from_rfc3339(start)
            .with_context(|| format!("clock.start {start:?} is not an RFC 3339 instant (e.g. 2027-03-01T08:00:00Z)"))?;
        Ok(Some(at.with_timezone(&Utc)))
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
        assert!(config.clock_start().unwrap().is_none(), "the system clock by default");
    }

    #[test]
    fn a_clock_start_is_an_instant() {
        let mut config: Config = Figment::new().merge(Toml::string(DEFAULTS)).extract().unwrap();
        config.clock.start = "2027-03-01T10:00:00+02:00".into();
        config.check().unwrap();
        let start: DateTime<Utc> = "2027-03-01T08:00:00Z".parse().unwrap();
        assert!(config.clock().now() >= start && config.clock().now() < start + chrono::TimeDelta::minutes(1));
        config.clock.start = "tomorrow".into();
        let refused = config.check().unwrap_err().to_string();
        assert!(refused.contains("clock.start"), "{refused}");
    }

    #[test]
    fn the_secrets_key_comes_from_the_setting_or_a_file_made_once() {
        let mut config: Config = Figment::new().merge(Toml::string(DEFAULTS)).extract().unwrap();
        let folder = tempfile::tempdir().unwrap();
        config.secrets.key_file = folder.path().join("keys/secrets.key").display().to_string();
        let made = config.secrets.load().unwrap();
        let again = config.secrets.load().unwrap();
        assert_eq!(made.id(), again.id(), "the file is made once and read afterwards");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&config.secrets.key_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        config.secrets.key = SecretsKey::generate_base64();
        assert_ne!(config.secrets.load().unwrap().id(), made.id(), "a configured key wins");
        config.secrets.key = "too short".into();
        let refused = config.check().unwrap_err().to_string();
        assert!(refused.contains("secrets.key"), "{refused}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@db/x"), "postgres://u:***@db/x");
    }
}
