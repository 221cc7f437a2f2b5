//! The notification crate's tests, in one binary: composition and snapshots, transports, the
//! worker against a real SMTP server, the worker through a database outage and a mail folder
//! that cannot be written, and the schedules.

mod compose;
mod fixtures;
mod mime;
mod outage;
mod polls;
mod schedule;
mod sink;
mod store;
mod transport;
mod webhooks;
mod worker;
