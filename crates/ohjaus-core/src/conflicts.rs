//! Conflict detection: every occurrence of a series checked against the supervisor's bookings
//! (widened by the buffer), absences and working hours, and each participant's bookings.
//!
//! Bookings are held in a [`BookingIndex`]: sorted by start with a running maximum of ends, so
//! one occurrence is checked with a binary search plus a walk over the bookings that can still
//! reach it — O(log M + k) for M bookings and k overlaps, instead of a scan of all M.

use crate::working_hours::WorkingHours;
use crate::zone::TimeZone;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A span of time someone is not free: a booked session or an absence. End exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Booking {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// The session it is, when it is one.
    pub session_id: Option<Uuid>,
}

impl Booking {
    /// A booking without a session id.
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        Self { starts_at, ends_at, session_id: None }
    }
}

/// Bookings indexed for overlap queries.
#[derive(Debug, Clone, Default)]
pub struct BookingIndex {
    bookings: Vec<Booking>,
    /// `max_end[i]` is the latest end among `bookings[..=i]`.
    max_end: Vec<DateTime<Utc>>,
}

impl BookingIndex {
    /// Indexes `bookings` (sorted here; already sorted input, as a store gives it, costs O(M)).
    pub fn new(mut bookings: Vec<Booking>) -> Self {
        bookings.sort_by_key(|b| b.starts_at);
        let mut latest = DateTime::<Utc>::MIN_UTC;
        let max_end = bookings
            .iter()
            .map(|b| {
                latest = latest.max(b.ends_at);
                latest
            })
            .collect();
        Self { bookings, max_end }
    }

    /// Number of bookings.
    pub fn len(&self) -> usize {
        self.bookings.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bookings.is_empty()
    }

    /// Bookings overlapping `[start, end)`, latest start first.
    pub fn overlapping(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = &Booking> {
        let below = self.bookings.partition_point(|b| b.starts_at < end);
        (0..below)
            .rev()
            .take_while(move |&i| self.max_end[i] > start)
            .map(|i| &self.bookings[i])
            .filter(move |b| b.ends_at > start)
    }

    /// Whether anything overlaps `[start, end)`.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.overlapping(start, end).next().is_some()
    }
}

/// What a supervisor's time looks like to the planner.
#[derive(Debug, Clone, Default)]
pub struct SupervisorAgenda {
    /// Existing non-cancelled sessions.
    pub bookings: BookingIndex,
    /// Minutes kept free before and after each session.
    pub buffer: TimeDelta,
    /// When the supervisor works (empty: any time).
    pub working_hours: WorkingHours,
    /// The zone the working hours are in.
    pub timezone: TimeZone,
    /// Absences.
    pub absences: BookingIndex,
}

/// What a participant's time looks like to the planner.
#[derive(Debug, Clone)]
pub struct ParticipantAgenda {
    /// Who.
    pub person_id: Uuid,
    /// Their existing non-cancelled sessions (in any series).
    pub bookings: BookingIndex,
}

/// One occurrence to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Its 1-based index in the series.
    pub index: u32,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// Why an occurrence cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Overlaps another session of the supervisor (with the buffer).
    SupervisorBusy,
    /// Falls in an absence of the supervisor.
    SupervisorAbsent,
    /// Not inside the supervisor's working hours.
    OutsideWorkingHours,
    /// Overlaps another session of a participant.
    ParticipantBusy,
}

impl ConflictReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SupervisorBusy => "supervisor_busy",
            Self::SupervisorAbsent => "supervisor_absent",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::ParticipantBusy => "participant_busy",
        }
    }
}

/// One conflict of one occurrence with one thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The occurrence's index.
    pub index: u32,
    /// The occurrence's start.
    pub starts_at: DateTime<Utc>,
    /// Why.
    pub reason: ConflictReason,
    /// The booking it collides with, for busy and absent conflicts.
    pub with: Option<Booking>,
    /// The participant, for `participant_busy`.
    pub person_id: Option<Uuid>,
}

/// Every conflict of every occurrence, ordered by occurrence, then reason, then what it
/// collides with.
pub fn find_conflicts(
    occurrences: &[Occurrence],
    supervisor: &SupervisorAgenda,
    participants: &[ParticipantAgenda],
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for occurrence in occurrences {
        let Occurrence { index, starts_at, ends_at } = *occurrence;
        let conflict = |reason, with: Option<&Booking>, person_id| Conflict {
            index,
            starts_at,
            reason,
            with: with.copied(),
            person_id,
        };
        let first = conflicts.len();
        let (wide_start, wide_end) = (starts_at - supervisor.buffer, ends_at + supervisor.buffer);
        conflicts.extend(
            supervisor
                .bookings
                .overlapping(wide_start, wide_end)
                .map(|b| conflict(ConflictReason::SupervisorBusy, Some(b), None)),
        );
        conflicts.extend(
            supervisor
                .absences
                .overlapping(starts_at, ends_at)
                .map(|b| conflict(ConflictReason::SupervisorAbsent, Some(b), None)),
        );
        if !within_working_hours(supervisor, starts_at, ends_at) {
            conflicts.push(conflict(ConflictReason::OutsideWorkingHours, None, None));
        }
        for participant in participants {
            conflicts.extend(
                participant
                    .bookings
                    .overlapping(starts_at, ends_at)
                    .map(|b| conflict(ConflictReason::ParticipantBusy, Some(b), Some(participant.person_id))),
            );
        }
        conflicts[first..].sort_by_key(|c| (c.reason, c.person_id, c.with.map(|b| b.starts_at)));
    }
    conflicts
}

/// Whether one occurrence is free of every conflict (stops at the first).
pub fn is_free(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    supervisor: &SupervisorAgenda,
    participants: &[ParticipantAgenda],
) -> bool {
    within_working_hours(supervisor, starts_at, ends_at)
        && !supervisor.bookings.overlaps(starts_at - supervisor.buffer, ends_at + supervisor.buffer)
        && !supervisor.absences.overlaps(starts_at, ends_at)
        && participants.iter().all(|p| !p.bookings.overlaps(starts_at, ends_at))
}

fn within_working_hours(supervisor: &SupervisorAgenda, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> bool {
    let zone = supervisor.timezone;
    supervisor.working_hours.contains(zone.local(starts_at).naive_local(), zone.local(ends_at).naive_local())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn index_finds_long_and_short_overlaps() {
        let index = BookingIndex::new(vec![
            Booking::new(t("2027-01-01T08:00:00Z"), t("2027-01-31T08:00:00Z")),
            Booking::new(t("2027-01-12T10:00:00Z"), t("2027-01-12T11:00:00Z")),
            Booking::new(t("2027-01-12T11:30:00Z"), t("2027-01-12T12:00:00Z")),
        ]);
        let hits: Vec<_> = index.overlapping(t("2027-01-12T11:00:00Z"), t("2027-01-12T11:30:00Z")).collect();
        assert_eq!(hits.len(), 1, "end-exclusive neighbours do not overlap; the long one does");
        assert!(!index.overlaps(t("2027-02-01T00:00:00Z"), t("2027-02-02T00:00:00Z")));
    }

    #[test]
    fn buffer_widens_supervisor_only() {
        let booking = Booking::new(t("2027-01-12T10:00:00Z"), t("2027-01-12T11:00:00Z"));
        let supervisor = SupervisorAgenda {
            bookings: BookingIndex::new(vec![booking]),
            buffer: TimeDelta::minutes(15),
            ..SupervisorAgenda::default()
        };
        let occurrence =
            Occurrence { index: 1, starts_at: t("2027-01-12T11:10:00Z"), ends_at: t("2027-01-12T12:00:00Z") };
        let conflicts = find_conflicts(&[occurrence], &supervisor, &[]);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].reason, ConflictReason::SupervisorBusy);
        let participant = ParticipantAgenda { person_id: Uuid::nil(), bookings: BookingIndex::new(vec![booking]) };
        assert!(find_conflicts(&[occurrence], &SupervisorAgenda::default(), &[participant]).is_empty());
    }
}
