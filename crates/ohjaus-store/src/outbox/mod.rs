//! The notification outbox: rows written in the transaction of the change that causes them
//! ([`queue`]), claimed by the worker under a lease and acked or failed ([`claim`]), the
//! cron jobs' tick leases ([`jobs`]), and the figures for monitoring ([`stats`]); webhook
//! deliveries are claimed and finished the same way ([`webhook_deliveries`]).

pub mod claim;
pub mod jobs;
pub mod queue;
pub mod stats;
pub mod webhook_deliveries;
