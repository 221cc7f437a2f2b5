//! The tests of `ohjaus-einvoice`, as one test binary: what the documents say (snapshots,
//! escaping, CSV) and that every kind of document passes the official EN 16931 and Peppol BIS
//! Billing 3.0 rules.

#![allow(clippy::unwrap_used)]

mod common;
mod render;
mod validate;
