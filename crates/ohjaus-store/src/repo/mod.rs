//! The store's operations, one module per aggregate. Each module adds an `impl Store` block
//! and its record types, so modules can be added without touching the others.

pub mod closures;
pub mod common;
pub mod jobs;
pub mod organizations;
pub mod outbox;
pub mod people;
pub mod series;
pub mod sessions;
pub mod stats;
pub mod supervisors;
pub mod teams;
pub mod upcoming_supervisor;

pub(crate) mod agenda;
pub(crate) mod invites;

// store-B: tokens, confidential reads and writes, attendance, reports, feeds.
pub mod attendance;
pub mod feed;
pub mod goals;
pub mod notes;
pub mod person_reads;
pub mod reports;
pub mod tokens;
pub(crate) mod visibility;

// web pages (issue 6): sign-in links, browser sessions, coordinators; slot suggestions.
pub mod sign_in;
pub mod web_reads;
