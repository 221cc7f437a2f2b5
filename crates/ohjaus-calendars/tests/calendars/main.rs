//! The tests of `ohjaus-calendars`, as one test binary: reading calendars (the corpus against
//! the Python reference, hand-made feeds, mangled bytes), the outgoing HTTP client against a
//! real server on loopback, CalDAV against a real Radicale, and masking URLs.

#![allow(clippy::unwrap_used)]

mod caldav;
mod corpus;
mod http;
mod python;
mod reading;
