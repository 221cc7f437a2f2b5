//! Views that join several aggregates, named by what they contain. They change nothing.
//! Sessions in a window with their series, organization, supervisor and invitees are read
//! by one loader, [`window`], in a constant number of statements; the agendas and the
//! reminders' sessions are shapes of what it loads.

pub mod calendar_feed;
pub mod coming_sessions;
pub mod export;
pub mod organization_report;
pub mod person_agenda;
pub mod person_export;
pub mod series_labels;
pub mod sign_in_counts;
pub mod slot_suggestions;
pub mod supervisor_agenda;
pub mod window;
