//! The harness of the end-to-end tests: the `ohjaus` program as a real process, the API
//! server in process on a real port with a clock the test moves, a real SMTP server
//! (aiosmtpd), and the independent Python readers of emails and iCalendar objects in
//! `tests/interop/`.
//!
//! Each test's database (a SQLite file, or a fresh PostgreSQL database, left empty: the
//! program migrates it) comes from `ohjaus_store::testing`. PostgreSQL runs when
//! `OHJAUS_TEST_POSTGRES_URL` is set (CI sets it and `OHJAUS_POSTGRES_REQUIRED=1`, which
//! turns a missing URL into a failure); the Python readers
//! run when `OHJAUS_INTEROP_PYTHON` names an interpreter with `tests/interop/requirements.txt`
//! (CI sets `OHJAUS_INTEROP_REQUIRED=1` likewise).

#![allow(dead_code)] // each story uses a part of the harness

pub mod api;
pub mod mail;
pub mod process;
pub mod python;

pub use api::{Api, InProcess, MovedClock};
pub use process::Program;

use chrono::{DateTime, Utc};

/// The moment the tests live at unless a test chooses another: Monday 4 January 2027, 08:00
/// in Helsinki. Never the wall clock: a story must see the same weekdays and holidays on any
/// day it runs.
pub fn test_now() -> DateTime<Utc> {
    "2027-01-04T06:00:00Z".parse().expect("a fixed instant")
}
