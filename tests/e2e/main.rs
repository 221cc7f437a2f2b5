//! The end-to-end tests: one binary, one module per story.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop there

mod support;

mod backup;
mod calendars;
mod chaos;
mod cli;
mod co_supervision;
mod delivery;
mod first_minutes;
mod invites;
mod invoicing;
mod polls;
mod privacy;
mod story;
