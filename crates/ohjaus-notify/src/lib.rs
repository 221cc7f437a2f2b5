//! The notification side of Ohjaus: everything that leaves the system as email.
//!
//! A tour:
//!
//! - [`compose`] — a core `Notice` (the outbox payload) becomes an email: a [`letter::Letter`]
//!   in the recipient's language ([`texts`]) and time zone ([`when`]), rendered as text/plain
//!   and text/html, plus for invites the iCalendar object inline and attached.
//! - [`transport`] — where it goes: SMTP (pooled), a folder of `.eml` files, or the log.
//! - [`config`] — [`MailConfig`] and [`WorkerConfig`], filled by the binary.
//!
//! Nothing here decides *what* to send: the store writes notices into the outbox in the same
//! transaction as the change they report.

pub mod compose;
pub mod config;
pub mod letter;
pub mod texts;
pub mod transport;
pub mod when;

pub use compose::{CalendarPart, ComposeError, Envelope, compose, letter};
pub use config::{MailConfig, ScheduleConfig, TransportKind, WorkerConfig};
pub use transport::{Delivery, SendError, Transport, TransportError};
