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
//! - [`m20270410_000001_webhooks`] — webhook endpoints, events and deliveries, and the API's
//!   idempotency keys.

pub use sea_orm_migration::MigratorTrait;
use sea_orm_migration::prelude::*;

pub mod m20270101_000001_schema;
pub mod m20270201_000001_web;
pub mod m20270301_000001_sign_in_limits;
pub mod m20270302_000001_session_starts;
pub mod m20270410_000001_webhooks;

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
            Box::new(m20270410_000001_webhooks::Migration),
        ]
    }
}
