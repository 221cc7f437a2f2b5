//! The Ohjaus schema as sea-orm migrations, one set for SQLite and PostgreSQL.
//!
//! Migrations are append-only: a released migration is never edited; a change of schema is a
//! new module listed last in [`Migrator::migrations`]. The store runs them through
//! `ohjaus_store::Store::migrate`, and `ohjaus migrate` through the store.
//!
//! - [`m20270101_000001_schema`] — every table of the data model, its indexes and, on
//!   PostgreSQL, the exclusion constraint that keeps one supervisor's sessions apart.
//! - [`m20270201_000001_web`] — the web pages' browser sessions (hashed) and the people who
//!   coordinate their organization.
//! - [`m20270301_000001_sign_in_limits`] — an index to count the sign-in links sent to an
//!   address lately (the rate limit), without reading every link ever sent.
//! - [`m20270302_000001_session_starts`] — sessions by start, for the reminders' window.
//! - [`m20270310_000001_calendar_connections`] — people's own calendars and the busy blocks
//!   read from them.
//! - [`m20270320_000001_contracts_invoices`] — contract terms with their history, billing
//!   profiles, invoice number series, invoices and their lines, the sessions invoiced.
//! - [`m20270330_000001_co_supervision`] — a series' second supervisor (and its sessions').
//! - [`m20270331_000001_polls`] — rhythm polls: their options with what the pre-check found,
//!   the people asked (their links hashed) and their answers.
//! - [`m20270410_000001_webhooks`] — webhook endpoints, events and deliveries, and the API's
//!   idempotency keys.
//! - [`m20270420_000001_privacy`] — the audit log (note reads, exports, erasures, notes
//!   deleted after their retention) and the record of erased people.

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

pub mod m20270101_000001_schema;
pub mod m20270201_000001_web;
pub mod m20270301_000001_sign_in_limits;
pub mod m20270302_000001_session_starts;
pub mod m20270310_000001_calendar_connections;
pub mod m20270320_000001_contracts_invoices;
pub mod m20270330_000001_co_supervision;
pub mod m20270331_000001_polls;
pub mod m20270410_000001_webhooks;
pub mod m20270420_000001_privacy;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20270101_000001_schema::Migration),
            Box::new(m20270201_000001_web::Migration),
            Box::new(m20270301_000001_sign_in_limits::Migration),
            Box::new(m20270302_000001_session_starts::Migration),
            Box::new(m20270310_000001_calendar_connections::Migration),
            Box::new(m20270320_000001_contracts_invoices::Migration),
            Box::new(m20270330_000001_co_supervision::Migration),
            Box::new(m20270331_000001_polls::Migration),
            Box::new(m20270410_000001_webhooks::Migration),
            Box::new(m20270420_000001_privacy::Migration),
        ]
    }
}
