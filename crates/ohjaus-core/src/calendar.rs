//! The calendar view of a series: what invitations describe.
//!
//! A series appears in calendars as one or more *events*, each with its own UID: the booked
//! rule, a new event when the series is re-planned from session k (as calendar clients do for
//! "this and following"), and a single event per make-up session. An event's *instances* are
//! the sessions it carries; each rule instance keeps the rule occurrence it stands for
//! (`recurrence_id`), so a moved or cancelled session is an override of that occurrence, and a
//! skipped holiday is an occurrence with no instance (an EXDATE).
//!
//! These types are plain data with serde, so the store can snapshot them into the outbox in
//! the same transaction as a change, and the worker can render them later exactly as they
//! were.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The end of every UID Ohjaus issues (`<uuid>@ohjaus`): what marks an event in someone's own
/// calendar as one of ours (an invitation they kept, or our feed they subscribed to), so that
/// reading their calendar never makes a session conflict with itself.
pub const UID_SUFFIX: &str = "@ohjaus";

/// Whether `uid` is one Ohjaus issued (see [`UID_SUFFIX`]; compared without regard to case,
/// as some calendar servers change the case of what they store).
pub fn is_ohjaus_uid(uid: &str) -> bool {
    let uid = uid.trim();
    uid.len() >= UID_SUFFIX.len()
        && uid.is_char_boundary(uid.len() - UID_SUFFIX.len())
        && uid[uid.len() - UID_SUFFIX.len()..].eq_ignore_ascii_case(UID_SUFFIX)
}

/// Status of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Planned and still to happen (or past, not yet marked held).
    Scheduled,
    /// Cancelled (late or in time).
    Cancelled,
    /// Took place (attendance recorded).
    Held,
}

impl SessionStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
            Self::Held => "held",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Scheduled, Self::Cancelled, Self::Held].into_iter().find(|s| s.as_str() == value)
    }
}

/// A status equals its wire name (`status == "held"`).
impl PartialEq<&str> for SessionStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One calendar event of a series (one UID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEvent {
    /// The stable UID, e.g. `0190…@ohjaus`.
    pub uid: String,
    /// DTSTART of the event: the local wall time of the rule's first occurrence (or of the
    /// single session).
    pub first_start: NaiveDateTime,
    /// IANA zone of `first_start` and of the rule.
    pub timezone: String,
    /// Minutes per session.
    pub duration_minutes: u16,
    /// The rule's pattern as an RRULE value, or `None` for a single event. Its COUNT/UNTIL
    /// is not authoritative: the instances bound the rule.
    pub rrule: Option<String>,
    /// The sessions this event carries for the recipient, in order.
    pub instances: Vec<EventInstance>,
}

/// A session as an instance of a calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInstance {
    /// The session.
    pub session_id: Uuid,
    /// Its index in the series (1-based).
    pub index: u32,
    /// The rule occurrence this session stands for (its original start); `None` in a single
    /// event.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// Current start.
    pub starts_at: DateTime<Utc>,
    /// Current end.
    pub ends_at: DateTime<Utc>,
    /// Status.
    pub status: SessionStatus,
    /// Where, when it differs from nothing.
    pub location: Option<String>,
    /// Video link.
    pub video_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_uids_are_recognized() {
        assert!(is_ohjaus_uid("0190a1b2-0000-7000-8000-00000000000a@ohjaus"));
        assert!(is_ohjaus_uid(" 0190a1b2@OHJAUS\t"));
        assert!(!is_ohjaus_uid("0190a1b2@ohjaus.example"));
        assert!(!is_ohjaus_uid("ohjaus"));
        assert!(!is_ohjaus_uid("ääkkönen@ohjau"));
    }
}
