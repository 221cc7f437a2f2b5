//! The API's acceptance suite, driving the router with `oneshot` at a fixed time. Every test
//! runs on SQLite (a temp file) and, when `OHJAUS_TEST_POSTGRES_URL` is set, on PostgreSQL (a
//! fresh database cloned from a migrated template).

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "api/support.rs"]
mod support;

#[path = "api/world.rs"]
mod world;

#[path = "api/matrix.rs"]
mod matrix;

#[path = "api/openapi.rs"]
mod openapi;

#[path = "api/bad_input.rs"]
mod bad_input;

#[path = "api/behaviour.rs"]
mod behaviour;

#[path = "api/outage.rs"]
mod outage;

#[path = "api/limits.rs"]
mod limits;
