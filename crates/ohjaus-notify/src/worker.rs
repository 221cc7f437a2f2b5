//! The outbox loop: claim due rows with a lease, render, send, ack — or record the failure,
//! which the store turns into a retry with backoff or, after the last attempt, `dead`.
//!
//! Crash safety comes from the store: a claimed row is `sending` under a lease that expires,
//! and an expired lease is claimed again, so a worker that dies mid-send loses nothing; at
//! worst a message in flight at the crash is sent twice, which is harmless (an invite carries
//! the same UID and SEQUENCE, and the `.eml` file transport overwrites its file). Acks and
//! failures are fenced by the lease: one refused as stale (the lease expired and another
//! worker has the row) is logged, not fatal. Acks are written in groups of up to
//! [`ACK_GROUP`] (and at the end of each pass): one statement instead of one transaction per
//! message, which is most of the worker's own cost on SQLite. A group's statement runs while
//! the next messages are rendered and sent (one ack statement at a time); a crash between a
//! send and its group's ack resends at most two groups; a database outage between them is
//! waited out for as long as the lease lasts ([`Worker::ack_after_outage`]).
//!
//! Shutdown (like mini-redis): the future given to [`run_worker`] resolves, the loop stops
//! claiming and starting sends, and the messages in hand are finished and acked. Rows claimed
//! but not started go back to the queue when their lease expires.

use crate::compose::{self, CalendarPart, Envelope};
use crate::config::{MailConfig, WorkerConfig};
use crate::letter::Letter;
use crate::spell::{Backoff, Spell};
use crate::transport::{Delivery, Transport, TransportError};
use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::Mailbox;
use ohjaus_core::Notice;
use ohjaus_core::notice::Party;
use ohjaus_store::outbox::claim::{ClaimedNotice, FailOutcome};
use ohjaus_store::{Clock, Store, StoreError};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{Instrument, debug, error, info, info_span, warn};
use uuid::Uuid;

/// A transport and the sender address every message carries.
#[derive(Debug, Clone)]
pub struct Mailer {
    /// Where messages go.
    pub transport: Transport,
    /// The `From` mailbox.
    pub from: Mailbox,
    /// The ORGANIZER of every invitation, update and cancellation (default `from`).
    pub organizer: Mailbox,
}

/// Why the worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// `mail.from` is not a mailbox.
    #[error("mail.from is not a valid mailbox: {0}")]
    From(String),
    /// `mail.organizer` is not a mailbox.
    #[error("mail.organizer is not a valid mailbox: {0}")]
    Organizer(String),
    /// `mail.operator` is not a mailbox.
    #[error("mail.operator is not a valid mailbox: {0}")]
    Operator(String),
    /// The transport could not be set up.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A schedule is not usable.
    #[error("schedule: {0}")]
    Schedule(String),
    /// The store failed in a way the loop cannot ride out.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Mailer {
    /// A mailer sending through `transport` as `from`, which also organizes the invitations.
    pub fn new(transport: Transport, from: Mailbox) -> Self {
        Self { transport, organizer: from.clone(), from }
    }

    /// The same mailer with `organizer` as the invitations' ORGANIZER.
    pub fn organized_by(mut self, organizer: Mailbox) -> Self {
        self.organizer = organizer;
        self
    }

    /// The mailer `config` describes (call inside a Tokio runtime for SMTP).
    pub fn from_config(config: &MailConfig) -> Result<Self, WorkerError> {
        let from = config.from.parse().map_err(|e: lettre::address::AddressError| WorkerError::From(e.to_string()))?;
        let mailer = Self::new(Transport::from_config(config)?, from);
        Ok(mailer.organized_by(organizer_of(config)?))
    }
}

/// The operator `config` names (`mail.operator`), as the store's recipient; `None` when unset.
pub fn operator_of(config: &MailConfig) -> Result<Option<ohjaus_core::notice::Party>, WorkerError> {
    let Some(text) = config.operator.as_deref().map(str::trim).filter(|o| !o.is_empty()) else { return Ok(None) };
    let mailbox: Mailbox =
        text.parse().map_err(|e: lettre::address::AddressError| WorkerError::Operator(e.to_string()))?;
    Ok(Some(ohjaus_core::notice::Party { name: mailbox.name.unwrap_or_default(), email: mailbox.email.to_string() }))
}

/// The service's ORGANIZER of the calendar objects `config` describes: `mail.organizer`, or
/// the sender when it is empty. The invitations and the calendar feeds both name it, so a
/// client holding both sees one organizer.
pub fn organizer_of(config: &MailConfig) -> Result<Mailbox, WorkerError> {
    match config.organizer.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(organizer) => {
            organizer.parse().map_err(|e: lettre::address::AddressError| WorkerError::Organizer(e.to_string()))
        }
        None => config.from.parse().map_err(|e: lettre::address::AddressError| WorkerError::From(e.to_string())),
    }
}

/// A name for this worker's leases: `hostname-pid-random`, unique among workers.
pub fn default_owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows sent and acked.
    pub sent: usize,
    /// Rows that failed and will be retried.
    pub retried: usize,
    /// Rows that failed for the last time.
    pub dead: usize,
    /// Acks or failures refused because the lease had passed (the row is someone else's now).
    pub stale: usize,
    /// Rows claimed but not started because of shutdown (back in the queue when the lease ends).
    pub left: usize,
}

/// Sent messages whose acks are written together.
pub const ACK_GROUP: usize = 32;

/// An ack statement under way: how many rows it names, and its task.
struct Acking {
    ids: Vec<Uuid>,
    task: tokio::task::JoinHandle<Result<Vec<Uuid>, StoreError>>,
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Handed over; to be acked.
    Sent(Uuid),
    Retried,
    Dead,
    Stale,
}

/// The outbox worker: a store, a mailer, settings, an owner name and a clock.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    mailer: Arc<Mailer>,
    config: Arc<WorkerConfig>,
    owner: Arc<str>,
    clock: Clock,
    /// The longest pause between tries while the database cannot be reached.
    outage_backoff_cap: Duration,
    /// The database unreachable: said once when it begins and once when it ends, by the
    /// outbox loop and the schedules alike.
    outage: Arc<Spell>,
    /// Messages that cannot be handed over (the SMTP server down, the mail folder not
    /// writable): said once per spell, not per message.
    delivery_trouble: Arc<Spell>,
    /// Webhook delivery, run beside the outbox when set.
    webhooks: Option<crate::webhooks::WebhookSender>,
}

/// The longest pause between tries while the database cannot be reached, unless
/// [`Worker::with_outage_backoff`] says otherwise: a restored database is noticed within it.
pub const DEFAULT_OUTAGE_BACKOFF_CAP: Duration = Duration::from_secs(30);

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("owner", &self.owner).field("transport", &self.mailer.transport.name()).finish()
    }
}

impl Worker {
    /// A worker named by `config.owner` (or [`default_owner`]) on the system clock.
    pub fn new(store: Store, config: WorkerConfig, mailer: Mailer) -> Self {
        let owner: Arc<str> = config.owner.clone().unwrap_or_else(default_owner).into();
        Self {
            store,
            mailer: Arc::new(mailer),
            config: Arc::new(config),
            owner,
            clock: Clock::system(),
            outage_backoff_cap: DEFAULT_OUTAGE_BACKOFF_CAP,
            outage: Arc::default(),
            delivery_trouble: Arc::default(),
            webhooks: None,
        }
    }

    /// The same worker delivering webhooks too (with its own owner name and clock).
    #[must_use]
    pub fn with_webhooks(mut self, sender: crate::webhooks::WebhookSender) -> Self {
        self.webhooks = Some(sender);
        self
    }

    /// The same worker pausing at most `cap` between tries while the database cannot be
    /// reached (the pause starts at `poll_interval_ms` and doubles).
    #[must_use]
    pub fn with_outage_backoff(mut self, cap: Duration) -> Self {
        self.outage_backoff_cap = cap;
        self
    }

    /// The same worker reading time from `clock` (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The name its leases carry.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The store it works on.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// The clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// One pass: claims up to `batch_size` due rows and delivers them, `concurrency` at a time.
    /// When `stop` turns true, no new send starts; those in hand finish.
    pub async fn pass(&self, stop: &mut watch::Receiver<bool>) -> Result<PassReport, StoreError> {
        if *stop.borrow() {
            // Claiming now would only park rows under a lease nobody works on.
            return Ok(PassReport::default());
        }
        let lease = TimeDelta::seconds(i64::from(self.config.lease_seconds.max(1)));
        let claimed = self.store.claim_due(&self.owner, self.config.batch_size.max(1), lease, self.now()).await?;
        let mut report = PassReport { claimed: claimed.len(), ..PassReport::default() };
        if claimed.is_empty() {
            return Ok(report);
        }
        debug!(owner = %self.owner, claimed = claimed.len(), "claimed outbox rows");
        let concurrency = usize::try_from(self.config.concurrency.max(1)).unwrap_or(1);
        let mut rows = claimed.into_iter();
        let mut in_flight = JoinSet::new();
        let mut unacked = Vec::with_capacity(ACK_GROUP);
        // The ack of the last full group, written while the next messages are sent: one ack
        // statement at a time, none of them holding up the deliveries.
        let mut acking: Option<Acking> = None;
        loop {
            while in_flight.len() < concurrency && !*stop.borrow() {
                let Some(row) = rows.next() else { break };
                let worker = self.clone();
                let span = info_span!("deliver", outbox_id = %row.id, kind = %row.kind, attempt = row.attempts);
                in_flight.spawn(async move { worker.deliver(row).await }.instrument(span));
            }
            let Some(joined) = in_flight.join_next().await else { break };
            match joined {
                Ok(Ok(Outcome::Sent(id))) => {
                    unacked.push(id);
                    if unacked.len() >= ACK_GROUP {
                        if let Some(previous) = acking.take() {
                            self.settle(previous, &mut report).await?;
                        }
                        acking = Some(self.start_ack(std::mem::take(&mut unacked)));
                    }
                }
                Ok(Ok(Outcome::Retried)) => report.retried += 1,
                Ok(Ok(Outcome::Dead)) => report.dead += 1,
                Ok(Ok(Outcome::Stale)) => report.stale += 1,
                Ok(Err(e)) => return Err(e),
                Err(e) => error!(error = %e, "a delivery task failed"),
            }
        }
        if let Some(previous) = acking.take() {
            self.settle(previous, &mut report).await?;
        }
        if !unacked.is_empty() {
            let last = self.start_ack(unacked);
            self.settle(last, &mut report).await?;
        }
        report.left = rows.len();
        if report.left > 0 {
            info!(left = report.left, "shutting down: claimed rows left for their lease to expire");
        }
        Ok(report)
    }

    /// Starts acking the sent rows `ids` in one statement, on its own task.
    fn start_ack(&self, ids: Vec<Uuid>) -> Acking {
        let worker = self.clone();
        let sent = ids.clone();
        let task = tokio::spawn(async move { worker.store.ack_many(&sent, &worker.owner, worker.now()).await });
        Acking { ids, task }
    }

    /// Acks `ids` again while the database cannot be reached, for as long as their lease
    /// lasts: the messages are sent, and acking them when the database is back keeps them from
    /// being sent a second time. Past the lease the rows are someone else's (the ack would be
    /// refused as stale) and are sent again, as after a crash.
    async fn ack_after_outage(&self, ids: &[Uuid], first: StoreError) -> Result<Vec<Uuid>, StoreError> {
        let lease = Duration::from_secs(u64::from(self.config.lease_seconds.max(1)));
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        let mut error = first;
        while error.is_unavailable() && started.elapsed() + pause < lease {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            match self.store.ack_many(ids, &self.owner, self.now()).await {
                Ok(acked) => return Ok(acked),
                Err(next) => error = next,
            }
        }
        Err(error)
    }

    /// Waits for an ack started by [`Worker::start_ack`] and counts what it did.
    async fn settle(&self, acking: Acking, report: &mut PassReport) -> Result<(), StoreError> {
        let acked = match acking.task.await {
            Ok(Ok(acked)) => acked,
            Ok(Err(error)) => self.ack_after_outage(&acking.ids, error).await?,
            // The ack task panicked or was cancelled: its rows stay `sending` and are sent
            // again when their lease expires, as after a crash.
            Err(e) => {
                error!(error = %e, "an ack task failed");
                return Ok(());
            }
        };
        report.sent += acked.len();
        let stale = acking.ids.len() - acked.len();
        if stale > 0 {
            warn!(stale, "sent, but the lease had passed: acks refused (the rows are someone else's now)");
            report.stale += stale;
        }
        Ok(())
    }

    /// Renders, sends and settles one claimed row (a sent one is acked by the caller).
    async fn deliver(&self, row: ClaimedNotice) -> Result<Outcome, StoreError> {
        let domain = ohjaus_store::values::email_domain(&row.notice.recipient().party.email);
        let id = row.id.to_string();
        let result = match self.render(&row, &id) {
            Ok(message) => {
                let delivery = Delivery { id: &id, kind: &row.kind, recipient_domain: &domain };
                self.mailer.transport.send(&message, delivery).await.map_err(|e| (e.to_string(), e.is_permanent()))
            }
            // A notice that cannot be rendered will not render next time either.
            Err(e) => Err((e, true)),
        };
        let now = self.now();
        match result {
            Ok(()) => {
                debug!(recipient_domain = %domain, "sent");
                if let Some(lasted) = self.delivery_trouble.ends() {
                    info!(transport = self.mailer.transport.name(), lasted = ?lasted, "messages are handed over again");
                }
                Ok(Outcome::Sent(row.id))
            }
            Err((reason, permanent)) => {
                // The store has no "give up now": a permanent failure is retried like any
                // other until its last attempt; the log says it will not heal.
                let reason = redact_addresses(&reason);
                // A transport that fails fails every message alike: said once per spell. A
                // message refused for itself is said per message.
                let first_of_spell = !permanent && self.delivery_trouble.begins();
                match self.store.fail(row.id, &self.owner, &reason, now).await {
                    Ok(FailOutcome::Retry { next_attempt_at }) => {
                        if first_of_spell {
                            warn!(
                                transport = self.mailer.transport.name(),
                                error = %reason,
                                "messages cannot be handed over: they stay queued and are retried \
                                 (said once until one goes through)"
                            );
                        } else if permanent {
                            warn!(recipient_domain = %domain, error = %reason, permanent, %next_attempt_at, "not sent; will retry");
                        } else {
                            debug!(recipient_domain = %domain, error = %reason, %next_attempt_at, "not sent; will retry");
                        }
                        Ok(Outcome::Retried)
                    }
                    Ok(FailOutcome::Dead) => {
                        error!(recipient_domain = %domain, error = %reason, "not sent after the last attempt: dead");
                        Ok(Outcome::Dead)
                    }
                    Err(StoreError::StaleLease) => {
                        warn!(recipient_domain = %domain, "not sent, and the lease had passed: the failure was refused");
                        Ok(Outcome::Stale)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The email of a row, its Message-ID derived from the row id.
    fn render(&self, row: &ClaimedNotice, id: &str) -> Result<lettre::Message, String> {
        let envelope =
            Envelope::for_key(self.mailer.from.clone(), id, self.now()).organized_by(self.mailer.organizer.clone());
        render_email(&row.notice, &envelope)
    }

    /// Polls the outbox until `stop` turns true: a pass, then — unless the batch was full,
    /// meaning more may be due — a pause of `poll_interval_ms`. Store errors are logged and
    /// retried after the pause: a database restart must not end the worker.
    pub async fn run_outbox(&self, mut stop: watch::Receiver<bool>) {
        let pause = Duration::from_millis(self.config.poll_interval_ms.max(1));
        let mut backoff = Backoff::new(pause, self.outage_backoff_cap);
        info!(owner = %self.owner, transport = self.mailer.transport.name(), "outbox worker started");
        while !*stop.borrow() {
            let full = match self.pass(&mut stop).await {
                Err(e) if e.is_unavailable() => {
                    self.database_failed(&e);
                    tokio::select! {
                        _ = tokio::time::sleep(backoff.after_failure()) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
                Ok(report) => {
                    self.database_answered();
                    backoff.reset();
                    if report.claimed > 0 {
                        info!(
                            claimed = report.claimed,
                            sent = report.sent,
                            retried = report.retried,
                            dead = report.dead,
                            stale = report.stale,
                            "outbox pass"
                        );
                    }
                    report.claimed >= usize::try_from(self.config.batch_size.max(1)).unwrap_or(usize::MAX)
                }
                Err(e) => {
                    error!(error = %e, "outbox pass failed");
                    false
                }
            };
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        info!(owner = %self.owner, "outbox worker stopped");
    }

    /// Notes that the database could not be reached: a warning when this begins an outage,
    /// nothing more while it lasts.
    pub(crate) fn database_failed(&self, error: &StoreError) {
        if self.outage.begins() {
            warn!(
                owner = %self.owner,
                %error,
                "the database cannot be reached: the worker waits and tries again, longer each time \
                 (said once until it answers)"
            );
        }
    }

    /// Notes that the database answered: ends an outage, said once.
    pub(crate) fn database_answered(&self) {
        if let Some(lasted) = self.outage.ends() {
            info!(owner = %self.owner, lasted = ?lasted, "the database can be reached again: the worker goes on");
        }
    }
}

/// The email of `notice` as the worker sends it: its letter made once, the calendar object of
/// an invite (DTSTAMP the envelope's date, ORGANIZER the envelope's organizer), the MIME
/// message.
pub fn render_email(notice: &Notice, envelope: &Envelope) -> Result<lettre::Message, String> {
    let letter = compose::letter(notice);
    let calendar = render_calendar_with(notice, &letter, &envelope.organizer_party(), envelope.date)?;
    compose::compose_letter(notice, &letter, calendar.as_ref(), envelope).map_err(|e| e.to_string())
}

/// The calendar object of an invite, rendered by `ohjaus-ical` with the message's own words
/// as DESCRIPTION and `organizer` (the service) as ORGANIZER; `None` for other notices.
pub fn render_calendar(
    notice: &Notice,
    organizer: &Party,
    dtstamp: DateTime<Utc>,
) -> Result<Option<CalendarPart>, String> {
    if !matches!(notice, Notice::Invite { .. }) {
        return Ok(None);
    }
    render_calendar_with(notice, &compose::letter(notice), organizer, dtstamp)
}

/// [`render_calendar`] with the notice's letter already made.
pub fn render_calendar_with(
    notice: &Notice,
    letter: &Letter,
    organizer: &Party,
    dtstamp: DateTime<Utc>,
) -> Result<Option<CalendarPart>, String> {
    let Some((mut context, message)) = ohjaus_ical::MessageContext::of_invite(notice, organizer) else {
        return Ok(None);
    };
    let description = letter.lead.join(" ");
    context.description = Some(&description);
    let rendered = ohjaus_ical::render(message, &context, dtstamp).map_err(|e| format!("calendar: {e}"))?;
    Ok(Some(CalendarPart { method: rendered.method.as_str().to_owned(), text: rendered.text }))
}

/// Replaces every email address in `text` by its first letter and domain (`m…@hus.fi`), so an
/// SMTP error quoting the recipient ("550 <maija@hus.fi>: no such user") can be logged and
/// kept in the outbox, which admins read.
pub fn redact_addresses(text: &str) -> String {
    let is_part = |c: char| c.is_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut start = out.len();
            let mut local_len = 0;
            for (byte_index, c) in out.char_indices().rev() {
                if is_part(c) {
                    start = byte_index;
                    local_len += 1;
                } else {
                    break;
                }
            }
            if local_len > 0 {
                let first = out[start..].chars().next().unwrap_or('?');
                out.truncate(start);
                out.push(first);
                out.push('…');
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Runs the worker until `shutdown` resolves: the outbox loop, the calendar sync and, when
/// enabled, the schedules (reminders and digests). Returns once the messages in hand are finished.
pub async fn run_worker(
    store: Store,
    config: WorkerConfig,
    mailer: Mailer,
    shutdown: impl Future<Output = ()>,
) -> Result<(), WorkerError> {
    let worker = Worker::new(store, config, mailer);
    run(worker, shutdown).await
}

/// [`run_worker`] for a worker already built (with its own clock or owner).
pub async fn run(worker: Worker, shutdown: impl Future<Output = ()>) -> Result<(), WorkerError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let schedules = if worker.config().schedule.enabled {
        let scheduler = crate::schedule::Scheduler::new(&worker.config().schedule)?;
        let worker = worker.clone();
        let stop = stop_rx.clone();
        Some(tokio::spawn(async move { scheduler.run(&worker, stop).await }))
    } else {
        None
    };
    let calendars = {
        let worker = worker.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move { worker.run_calendar_sync(stop).await })
    };
    let webhooks = worker.webhooks.clone().map(|sender| {
        let stop = stop_rx.clone();
        tokio::spawn(async move { sender.run(stop).await })
    });
    let outbox = {
        let worker = worker.clone();
        tokio::spawn(async move { worker.run_outbox(stop_rx).await })
    };
    shutdown.await;
    info!(owner = %worker.owner(), "shutdown requested: finishing the messages in hand");
    let _ = stop_tx.send(true);
    if let Err(e) = outbox.await {
        error!(error = %e, "the outbox loop ended abnormally");
    }
    if let Err(e) = calendars.await {
        error!(error = %e, "the calendar sync ended abnormally");
    }
    if let Some(webhooks) = webhooks
        && let Err(e) = webhooks.await
    {
        error!(error = %e, "the webhook delivery ended abnormally");
    }
    if let Some(schedules) = schedules
        && let Err(e) = schedules.await
    {
        error!(error = %e, "the schedules ended abnormally");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_and_the_organizer_are_read_from_the_mail_settings() {
        let mut config = MailConfig::default();
        assert_eq!(operator_of(&config).unwrap(), None);
        config.operator = Some("  ".into());
        assert_eq!(operator_of(&config).unwrap(), None, "empty: nobody");
        config.operator = Some("Ylläpito <ops@ohjaus.example>".into());
        let operator = operator_of(&config).unwrap().unwrap();
        assert_eq!((operator.name.as_str(), operator.email.as_str()), ("Ylläpito", "ops@ohjaus.example"));
        config.operator = Some("not an address".into());
        assert!(matches!(operator_of(&config), Err(WorkerError::Operator(_))));
        assert_eq!(organizer_of(&config).unwrap().email.to_string(), "noreply@ohjaus.invalid", "the sender by default");
        config.organizer = Some("Kalenteri <kalenteri@ohjaus.example>".into());
        assert_eq!(organizer_of(&config).unwrap().email.to_string(), "kalenteri@ohjaus.example");
    }

    #[test]
    fn addresses_are_redacted_to_their_domain() {
        assert_eq!(
            redact_addresses("permanent error (550): 5.1.1 <maija.m@hus.fi>: Recipient address rejected"),
            "permanent error (550): 5.1.1 <m…@hus.fi>: Recipient address rejected"
        );
        assert_eq!(redact_addresses("a@b.fi, c.d@e.fi"), "a…@b.fi, c…@e.fi");
        assert_eq!(redact_addresses("connection refused"), "connection refused");
        assert_eq!(redact_addresses("@ alone"), "@ alone");
    }
}
