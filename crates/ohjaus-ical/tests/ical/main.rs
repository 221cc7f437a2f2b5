//! The tests of `ohjaus-ical`, as one test binary: rendering (snapshots, round trips through
//! the `icalendar` parser, escaping) and interoperability (independent Python readers).

#![allow(clippy::unwrap_used)]

mod common;
mod interop;
mod render;
