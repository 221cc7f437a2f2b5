//! sea-orm entities, one module per table, field for field as the migration creates them.
//!
//! Enumerations are text here, so that an entity is the row as stored and nothing more; the
//! records the store answers carry them typed ([`crate::status`]).

pub mod absence;
pub mod api_token;
pub mod attendance;
pub mod audit_event;
pub mod billing_profile;
pub mod calendar_busy_block;
pub mod calendar_connection;
pub mod calendar_event;
pub mod calendar_token;
pub mod closure;
pub mod contract_terms;
pub mod erasure;
pub mod goal;
pub mod goal_version;
pub mod idempotency_key;
pub mod invoice;
pub mod invoice_line;
pub mod invoice_number_series;
pub mod invoiced_session;
pub mod job_lease;
pub mod login_link;
pub mod note;
pub mod organization;
pub mod outbox;
pub mod person;
pub mod poll;
pub mod poll_answer;
pub mod poll_option;
pub mod poll_voter;
pub mod review;
pub mod series;
pub mod series_participant;
pub mod session;
pub mod session_participant;
pub mod supervisor;
pub mod team;
pub mod team_member;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod webhook_event;
