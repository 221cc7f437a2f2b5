//! The worker's settings: plain serde structs with defaults, which the binary fills from its
//! layered configuration (file, environment).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which transport sends email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// An SMTP server (`smtp_url`).
    Smtp,
    /// `.eml` files into `dir`: the embedded default, nothing leaves the machine.
    #[default]
    File,
    /// Only a log line per message.
    Log,
}

/// How email leaves the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `smtp`, `file` or `log`.
    pub transport: TransportKind,
    /// For `smtp`: `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS),
    /// `smtps://host:port` (TLS); credentials as `smtp://user:password@host`.
    pub smtp_url: Option<String>,
    /// SMTP connections kept open and reused.
    pub smtp_pool_size: u32,
    /// Time limit of one SMTP command, in milliseconds.
    pub smtp_timeout_ms: u64,
    /// For `file`: the folder the `.eml` files go to.
    pub dir: PathBuf,
    /// The `From` mailbox, e.g. `Ohjaus <noreply@ohjaus.example>`.
    pub from: String,
    /// The ORGANIZER of every invitation, update and cancellation, e.g.
    /// `Ohjaus <kalenteri@ohjaus.example>`; unset or empty: `from`. Never a supervisor: a
    /// client treats a message naming its recipient as ORGANIZER as its own copy.
    pub organizer: Option<String>,
    /// Who runs the installation, e.g. `Ylläpito <ops@ohjaus.example>`: told by email what no
    /// organization's coordinator can be (a webhook endpoint of every organization disabled).
    /// Unset or empty: nobody is emailed (the log still says it).
    pub operator: Option<String>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: TransportKind::File,
            smtp_url: None,
            smtp_pool_size: 10,
            smtp_timeout_ms: 30_000,
            dir: PathBuf::from("data/mail"),
            from: "Ohjaus <noreply@ohjaus.invalid>".to_owned(),
            organizer: None,
            operator: None,
        }
    }
}

/// The outbox loop and the schedules.
///
/// How many attempts a row gets is the store's: it fixes each row's `max_attempts` when the
/// row is queued (`ohjaus_store::outbox::queue::DEFAULT_MAX_ATTEMPTS`), and decides `dead` when
/// a failure is recorded; so does the backoff between attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Pause between polls when the outbox has nothing due, in milliseconds.
    pub poll_interval_ms: u64,
    /// Rows claimed at once.
    pub batch_size: u32,
    /// Messages of a batch sent at the same time (at most the SMTP pool size is useful).
    pub concurrency: u32,
    /// How long a claim holds a row; a worker that dies lets it go after this.
    pub lease_seconds: u32,
    /// This worker's name in leases; default `hostname-pid-random`. Must differ between workers.
    pub owner: Option<String>,
    /// Reminders, digests and the retention job.
    pub schedule: ScheduleConfig,
    /// Notes are deleted this many months after their series' last session ended (the
    /// retention job, `[privacy] note_retention_months`); 0 keeps them forever.
    pub note_retention_months: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1000,
            batch_size: 50,
            concurrency: 8,
            lease_seconds: 120,
            owner: None,
            schedule: ScheduleConfig::default(),
            note_retention_months: 12,
        }
    }
}

/// When reminders and digests go out. Cron expressions have seconds first and are read in
/// `timezone`; write weekdays by name (`Mon`): in the `cron` crate `1` is Sunday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Whether this worker runs the schedules at all.
    pub enabled: bool,
    /// IANA zone of the cron expressions.
    pub timezone: String,
    /// When reminders are sent (default daily 07:00).
    pub reminders: String,
    /// Sessions starting within this many hours of a reminder tick are reminded of.
    pub reminder_hours: u32,
    /// When supervisors' digests of the week ahead are sent (default Monday 07:00).
    pub digest: String,
    /// When notes past their retention are deleted and messages sent to erased people
    /// scrubbed (default daily 03:30).
    pub retention: String,
    /// How often the schedules are checked, in milliseconds.
    pub check_interval_ms: u64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            timezone: "Europe/Helsinki".to_owned(),
            reminders: "0 0 7 * * *".to_owned(),
            reminder_hours: 48,
            digest: "0 0 7 * * Mon".to_owned(),
            retention: "0 30 3 * * *".to_owned(),
            check_interval_ms: 30_000,
        }
    }
}
