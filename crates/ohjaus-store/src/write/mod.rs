//! The commands: one module per aggregate, each an `impl Store` block with the aggregate's
//! records, its writes (one transaction each, outbox rows included) and its simple reads.
//! Three modules are plumbing the commands share: `scheduling` (plans, conflicts, session
//! rows), [`agendas`] (the bookings a conflict check reads, and the locks that serialize
//! changes of the same people) and [`outbox_writer`] (the notices a change causes).

pub mod agendas;
pub mod attendance;
pub mod billing_profiles;
pub mod calendar_connections;
pub mod closures;
pub mod contracts;
pub mod goals;
pub mod idempotency;
pub mod invoices;
pub mod notes;
pub mod organizations;
pub mod outbox_writer;
pub mod people;
pub mod poll_votes;
pub mod polls;
pub mod privacy;
pub(crate) mod scheduling;
pub mod series;
pub mod sessions;
pub mod sign_in;
pub mod supervisors;
pub mod teams;
pub mod tokens;
pub mod webhooks;
