//! The notification crate's tests, in one binary: composition and snapshots, transports, the
//! worker against a real SMTP server, and the schedules.

mod compose;
mod fixtures;
mod mime;
mod schedule;
mod sink;
mod store;
mod transport;
mod worker;
