//! Persistence of Ohjaus on SQLite or PostgreSQL (sea-orm 2), chosen by the database URL.
//!
//! A tour:
//!
//! - [`Store`] ([`store`]) — connect, migrate, ping; write transactions (`BEGIN IMMEDIATE`
//!   on SQLite, row locks on PostgreSQL).
//! - [`backup`] — a consistent copy of a SQLite database while the service runs.
//! - [`limits`] — what the rate limits count in the database (sign-in links per address).
//! - [`reach`] — whether the database can be reached: an outage told from other failures
//!   (503, not 500), a readiness check that reads, opening with a cause a person can act on.
//! - [`Clock`] ([`clock`]) — where "now" comes from for the API, the pages and the worker.
//! - [`Caller`] ([`caller`]) — who asks; every read and write takes one, so the scope cannot
//!   be forgotten. [`StoreError`] ([`error`]) — not found, forbidden, conflict, invalid,
//!   stale lease, database.
//! - [`secrets`] — passwords and signing secrets the service must read back, sealed at rest
//!   under the configured key ([`SecretsKey`]).
//! - [`entity`] — one sea-orm entity per table, as the migrations in `ohjaus-migration` make
//!   them.
//! - `testing` (feature `testing`, for tests only) — a fresh SQLite or PostgreSQL database
//!   per test, and a clock the test moves.
//! - [`repo`] — the operations, one module per aggregate, each an `impl Store` block: every
//!   change that concerns people runs the core's checks on fresh data and writes its outbox
//!   rows in the same transaction.

pub mod backup;
#[cfg(feature = "bench-data")]
pub mod bench_data;
pub mod caller;
pub mod clock;
pub mod entity;
pub mod error;
pub mod limits;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod reach;
pub mod repo;
pub mod secrets;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use caller::Caller;
pub use clock::Clock;
pub use error::StoreError;
pub use secrets::{SecretsError, SecretsKey};
pub use store::{Backend, Store};

// The notification worker's reads for reminders and digests (written by the worker's engineer).
pub mod schedule_reads;
pub use schedule_reads::{SupervisorAgendaDigest, UpcomingSession};
