//! The store's acceptance suite: every test runs on SQLite (a temp file) and, when
//! `OHJAUS_TEST_POSTGRES_URL` is set, on PostgreSQL (a fresh database cloned from a migrated
//! template). Set but unreachable PostgreSQL fails the tests; it never skips them.

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

mod migrations;

mod booking;

mod co_supervision;

// Tokens, goals, notes, attendance, reports, feeds, personal reads.
mod attendance;
mod feed;
mod goals;
mod invoices;
mod me;
mod notes;
mod privacy;
mod reports;
mod scope_matrix;
mod tokens;
mod world;

mod outbox;
mod polls;
mod webhooks;

mod changes;

mod upcoming;

mod layout;
