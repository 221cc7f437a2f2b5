//! Reading other people's calendars: the busy time in a supervisor's or a participant's own
//! calendar (Outlook, Google, Apple, Nextcloud, …), as intervals the core's conflict check
//! and slot search take into account.
//!
//! A tour:
//!
//! - [`read`] — an iCalendar file into [`BusyBlock`]s in a [`Window`], with a [`ReadReport`]
//!   of what was left out and why. Pure, and tested on a corpus of 80 real calendars against
//!   the Python reference `recurring-ical-events`.

pub mod read;

pub use read::{
    AllDayEvents, BusyBlock, BusyCalendar, ReadOptions, ReadReport, SkipReason, Window, read_busy, uid_hash,
};
