//! The answer of a preview — `ohjaus plan` and `POST /api/v1/series/preview` print the same
//! JSON — with times in RFC 3339 at the series' local offset.

use crate::conflicts::{Conflict, ConflictReason};
use crate::evaluation::Phase;
use crate::plan::{Plan, PlannedSession, SkippedDate};
use crate::zone::TimeZone;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A planned session as shown before booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewSession {
    /// 1-based position.
    pub index: u32,
    /// RFC 3339 with the local offset.
    pub starts_at: String,
    /// RFC 3339 with the local offset.
    pub ends_at: String,
    /// Evaluation phase, if any.
    pub phase: Option<Phase>,
}

/// An occurrence that fell on a day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewSkipped {
    /// Its date.
    pub date: NaiveDate,
    /// `holiday` or `closure`.
    pub reason: String,
    /// The holiday's name, or the closure's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Under the `shift` policy, the day the session moved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shifted_to: Option<NaiveDate>,
}

/// What a conflicting occurrence collides with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollidesWith {
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
}

/// One conflict, as the preview and a 409 answer list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictView {
    /// The occurrence's index.
    pub index: u32,
    /// The occurrence's start, RFC 3339 with the local offset.
    pub starts_at: String,
    /// `supervisor_busy`, `supervisor_busy_external`, `participant_busy`,
    /// `participant_busy_external`, `outside_working_hours` or `supervisor_absent`. An external
    /// conflict says only "busy in their own calendar": never which calendar, nor what.
    pub reason: ConflictReason,
    /// The session it collides with, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// The busy participant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    /// Which supervisor, for a supervisor's reason (`supervisor_busy`,
    /// `supervisor_busy_external`, `supervisor_absent`, `outside_working_hours`): the series'
    /// supervisor or its co-supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// The busy time it collides with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with: Option<CollidesWith>,
}

/// The whole preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    /// Sessions in order.
    pub sessions: Vec<PreviewSession>,
    /// Days off met on the way.
    pub skipped: Vec<PreviewSkipped>,
    /// Every conflict of every occurrence.
    pub conflicts: Vec<ConflictView>,
    /// What the check may have missed, booking still allowed: a party's connected calendar
    /// that has not synced for a while (`stale_calendar`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PreviewWarning>,
}

/// Something a preview warns of without refusing the booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewWarning {
    /// `stale_calendar`: a connected calendar of the supervisor or a participant has not
    /// synced successfully for longer than the configured limit, so its busy time may be out
    /// of date. Never names the calendar itself.
    pub reason: String,
    /// The supervisor, when it is theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// The participant, when it is theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    /// The last successful sync (RFC 3339), if there ever was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_synced_at: Option<String>,
    /// For people: "Anna Virtanen's calendar last synced 2 days ago".
    pub message: String,
}

impl PreviewWarning {
    /// A stale calendar of `name`'s, last synced at `last_synced_at` (if ever), seen at `now`.
    pub fn stale_calendar(
        name: &str,
        supervisor_id: Option<Uuid>,
        person_id: Option<Uuid>,
        last_synced_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
        zone: TimeZone,
    ) -> Self {
        let message = match last_synced_at {
            None => format!("{name}'s calendar has not synced yet"),
            Some(at) => {
                let hours = (now - at).num_hours().max(0);
                if hours >= 48 {
                    format!("{name}'s calendar last synced {} days ago", hours / 24)
                } else {
                    format!("{name}'s calendar last synced {hours} hours ago")
                }
            }
        };
        Self {
            reason: "stale_calendar".to_owned(),
            supervisor_id,
            person_id,
            last_synced_at: last_synced_at.map(|at| zone.rfc3339(at)),
            message,
        }
    }
}

impl PreviewSession {
    /// A planned session shown in `zone`.
    pub fn new(session: &PlannedSession, zone: TimeZone) -> Self {
        Self {
            index: session.index,
            starts_at: zone.rfc3339(session.starts_at),
            ends_at: zone.rfc3339(session.ends_at),
            phase: session.phase,
        }
    }
}

impl From<&SkippedDate> for PreviewSkipped {
    fn from(skipped: &SkippedDate) -> Self {
        Self {
            date: skipped.date,
            reason: skipped.day_off.code().to_owned(),
            name: skipped.day_off.name().map(str::to_owned),
            shifted_to: skipped.shifted_to,
        }
    }
}

impl ConflictView {
    /// A conflict shown in `zone`.
    pub fn new(conflict: &Conflict, zone: TimeZone) -> Self {
        Self {
            index: conflict.index,
            starts_at: zone.rfc3339(conflict.starts_at),
            reason: conflict.reason,
            session_id: conflict.with.and_then(|b| b.session_id),
            person_id: conflict.person_id,
            supervisor_id: conflict.supervisor_id,
            with: conflict
                .with
                .map(|b| CollidesWith { starts_at: zone.rfc3339(b.starts_at), ends_at: zone.rfc3339(b.ends_at) }),
        }
    }
}

impl Preview {
    /// A plan and its conflicts shown in `zone`.
    pub fn new(plan: &Plan, conflicts: &[Conflict], zone: TimeZone) -> Self {
        Self {
            sessions: plan.sessions.iter().map(|s| PreviewSession::new(s, zone)).collect(),
            skipped: plan.skipped.iter().map(PreviewSkipped::from).collect(),
            conflicts: conflicts.iter().map(|c| ConflictView::new(c, zone)).collect(),
            warnings: Vec::new(),
        }
    }
}
