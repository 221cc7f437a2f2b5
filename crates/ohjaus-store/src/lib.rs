//! Persistence of Ohjaus on SQLite or PostgreSQL (sea-orm 2), chosen by the database URL.
//!
//! The crate is laid out in rooms, each with one kind of code; `docs/architecture.md` draws
//! them and their arrows. Arrows point one way: `read → write → access`, `write → outbox`,
//! and every room uses the infrastructure below.
//!
//! - [`access`] — the one policy of who may read and change what: a caller's capacity in a
//!   series or a session, an organization they manage. Every other room asks it.
//! - [`write`] — the commands, one module per aggregate, each an `impl Store` block: every
//!   change runs the core's checks on fresh data in one transaction and writes its outbox rows
//!   in it. The simple reads of an aggregate (get one, list them) stay beside its writes, with
//!   its record types. Shared plumbing: `write::scheduling` (planning, conflicts, session
//!   rows), [`write::agendas`] (what the conflict check reads, and the locks),
//!   [`write::outbox_writer`] (the notices a change causes).
//! - [`read`] — views that join several aggregates, named by what they contain: agendas,
//!   the sessions coming up (reminders, digests), calendar feeds, the organization report and
//!   its CSV export, series labels, slot suggestions. The agendas load through one loader,
//!   [`read::window`].
//! - [`outbox`] — the worker's protocol: claim due rows under a lease, ack or fail them, the
//!   cron jobs' tick leases, the outbox's figures.
//!
//! Infrastructure: [`Store`] ([`store`]) connects, migrates and begins write transactions
//! (`BEGIN IMMEDIATE` on SQLite, row locks on PostgreSQL); [`Clock`] ([`clock`]) is where
//! "now" comes from; [`Caller`] ([`caller`]) is who asks — every read and write takes one;
//! [`StoreError`] ([`error`]); [`secrets`] seals the passwords and signing secrets the
//! service must read back under the configured key ([`SecretsKey`]); [`entity`] holds one
//! sea-orm entity per table, with typed statuses ([`status`]); [`page`] and [`limits`] are how
//! lists are cut and every limit a request meets; [`values`] small shared values; [`reach`]
//! tells a database outage from other failures (503, not 500) and checks readiness; [`backup`]
//! copies a SQLite database while the service runs; `testing` (feature `testing`) fresh
//! databases, a hand-moved clock and a proxy a test can cut, for tests only.

pub mod access;
pub mod backup;
#[cfg(feature = "bench-data")]
pub mod bench_data;
pub mod calendar_settings;
pub mod caller;
pub mod clock;
pub mod entity;
pub mod error;
pub mod limits;
pub mod outbox;
pub mod page;
pub mod reach;
pub mod read;
pub mod secrets;
pub mod status;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod values;
pub mod write;

pub use calendar_settings::CalendarSettings;
pub use caller::Caller;
pub use clock::Clock;
pub use error::StoreError;
pub use read::coming_sessions::{SupervisorAgendaDigest, UpcomingSession};
pub use secrets::{SecretsError, SecretsKey};
pub use store::{Backend, Store};
