//! The notification side of Ohjaus: everything that leaves the system as email.
//!
//! A tour:
//!
//! - [`compose`] — a core `Notice` (the outbox payload) becomes an email: a [`letter::Letter`]
//!   in the recipient's language ([`texts`]) and time zone ([`when`]), rendered as text/plain
//!   and text/html, plus for invites the iCalendar object inline and attached.
//! - [`transport`] — where it goes: SMTP (pooled; [`smtp`] keeps Nagle off), a folder of
//!   `.eml` files, or the log.
//! - [`worker`] — the outbox loop: claim due rows under a lease, render (the calendar object
//!   by `ohjaus-ical`), send, ack or fail; [`run_worker`] runs it with the schedules until a
//!   shutdown future resolves.
//! - `spell` — an outage of the database or of the mail transport, said once when it
//!   begins and once when it ends; the growing pause while the database is away.
//! - [`schedule`] — reminders and weekly digests on cron schedules, each tick run once across
//!   all workers; with them, the rhythm polls' reminders ([`poll_reminders`]) and letters
//!   ([`poll_letters`]).
//! - [`calendar_sync`] — people's connected calendars refreshed on a schedule, each
//!   connection once per interval across workers.
//! - [`config`] — [`MailConfig`] and [`WorkerConfig`], filled by the binary.
//! - [`webhooks`] — webhook delivery (Standard Webhooks): claim due deliveries, sign, POST
//!   through the outgoing client's address policy, record the answer; run beside the outbox.
//!
//! Nothing here decides *what* to send about a change: the store writes notices into the
//! outbox in the same transaction as the change they report. The worker adds only reminders
//! and digests, also through the outbox.

pub mod calendar_sync;
pub mod compose;
pub mod config;
pub mod letter;
pub mod poll_letters;
pub mod poll_reminders;
pub mod schedule;
pub mod smtp;
mod spell;
pub mod texts;
pub mod transport;
pub mod webhooks;
pub mod when;
pub mod worker;

pub use compose::{CalendarPart, ComposeError, Envelope, compose, compose_letter, letter};
pub use config::{MailConfig, ScheduleConfig, TransportKind, WorkerConfig};
pub use schedule::Scheduler;
pub use transport::{Delivery, SendError, Transport, TransportError};
pub use webhooks::{WebhookConfig, WebhookSender};
pub use worker::{Mailer, PassReport, Worker, WorkerError, run, run_worker};
