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

// Tokens, goals, notes, attendance, reports, feeds, personal reads.
#[path = "store/attendance.rs"]
mod attendance;
#[path = "store/feed.rs"]
mod feed;
#[path = "store/goals.rs"]
mod goals;
#[path = "store/me.rs"]
mod me;
#[path = "store/notes.rs"]
mod notes;
#[path = "store/reports.rs"]
mod reports;
#[path = "store/scope_matrix.rs"]
mod scope_matrix;
#[path = "store/tokens.rs"]
mod tokens;
#[path = "store/world.rs"]
mod world;

#[path = "store/outbox.rs"]
mod outbox;

#[path = "store/changes.rs"]
mod changes;

#[path = "store/upcoming.rs"]
mod upcoming;

#[path = "store/layout.rs"]
mod layout;
