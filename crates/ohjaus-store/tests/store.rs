//! The store's acceptance suite: every test runs on SQLite (a temp file) and, when
//! `OHJAUS_TEST_POSTGRES_URL` is set, on PostgreSQL (a fresh database cloned from a migrated
//! template). Set but unreachable PostgreSQL fails the tests; it never skips them.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "store/support.rs"]
mod support;

#[path = "store/fixtures.rs"]
mod fixtures;

#[path = "store/migrations.rs"]
mod migrations;

#[path = "store/booking.rs"]
mod booking;
