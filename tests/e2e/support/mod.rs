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
