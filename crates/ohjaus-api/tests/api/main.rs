//! The API's acceptance suite, driving the router with `oneshot` at a fixed time. Every test
//! runs on SQLite (a temp file) and, when `OHJAUS_TEST_POSTGRES_URL` is set, on PostgreSQL (a
//! fresh database cloned from a migrated template).

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

mod world;

mod matrix;

mod co_supervision;

mod openapi;

mod bad_input;

mod invoicing;

mod behaviour;

mod outage;

mod limits;
mod privacy;

mod idempotency;
