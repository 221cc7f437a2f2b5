//! Conflict detection: every occurrence of a series checked against the supervisor's bookings
//! (widened by the buffer), absences and working hours, and each participant's bookings.
//!
//! Busy time from any source is one type, [`Busy`]: a session booked in Ohjaus, an absence, or
//! a block read from the person's own calendar ([`BusySource::External`]). A person's busy
//! times of every source sit in one [`BookingIndex`]; a conflict's reason says which kind it
//! met (`supervisor_busy` or `supervisor_busy_external`, `participant_busy` or
//! `participant_busy_external`). The supervisor's buffer widens every busy time alike: it is
//! the supervisor's time between commitments, wherever the other commitment is kept.
//!
//! The index is sorted by start with a running maximum of ends, so one occurrence is checked
//! with a binary search plus a walk over the busy times that can still reach it —
//! O(log M + k) for M busy times and k overlaps, instead of a scan of all M.

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

/// Where a busy time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BusySource {
    /// Booked in Ohjaus: a session (with its id) or an absence or other booking (`None`).
    Ohjaus {
        /// The session, when it is one.
        session_id: Option<Uuid>,
    },
    /// Read from one of the person's own calendars. Only the interval and the connection it
    /// came from are known: never a title, a place or a description.
    External {
        /// The calendar connection the block was read from.
        calendar_id: Uuid,
    },
}

/// A span of time someone is not free, from any source. End exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Busy {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Where it comes from.
    pub source: BusySource,
}

impl Busy {
    /// A block read from the calendar connection `calendar_id`.
    pub fn external(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, calendar_id: Uuid) -> Self {
        Self { starts_at, ends_at, source: BusySource::External { calendar_id } }
    }

    /// Whether it was read from an external calendar.
    pub fn is_external(&self) -> bool {
        matches!(self.source, BusySource::External { .. })
    }

    /// The interval as a [`Booking`], with the session id when it is a session.
    pub fn booking(&self) -> Booking {
        let session_id = match self.source {
            BusySource::Ohjaus { session_id } => session_id,
            BusySource::External { .. } => None,
        };
        Booking { starts_at: self.starts_at, ends_at: self.ends_at, session_id }
    }

    /// The calendar connection, for an external block.
    pub fn calendar_id(&self) -> Option<Uuid> {
        match self.source {
            BusySource::External { calendar_id } => Some(calendar_id),
            BusySource::Ohjaus { .. } => None,
        }
    }
}

impl From<Booking> for Busy {
    fn from(booking: Booking) -> Self {
        Self {
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
            source: BusySource::Ohjaus { session_id: booking.session_id },
        }
    }
}

/// Busy times of every source, indexed for overlap queries.
#[derive(Debug, Clone, Default)]
pub struct BookingIndex {
    busy: Vec<Busy>,
    /// `max_end[i]` is the latest end among `busy[..=i]`.
    max_end: Vec<DateTime<Utc>>,
}

impl BookingIndex {
    /// Indexes `bookings` made in Ohjaus (sorted here; already sorted input, as a store gives
    /// it, costs O(M)).
    pub fn new(bookings: Vec<Booking>) -> Self {
        Self::from_busy(bookings.into_iter().map(Busy::from).collect())
    }

    /// Indexes busy times of any source: sessions, absences and external calendars' blocks.
    pub fn from_busy(mut busy: Vec<Busy>) -> Self {
        busy.sort_by_key(|b| b.starts_at);
        let mut latest = DateTime::<Utc>::MIN_UTC;
        let max_end = busy
            .iter()
            .map(|b| {
                latest = latest.max(b.ends_at);
                latest
            })
            .collect();
        Self { busy, max_end }
    }

    /// The same index with `more` busy times added (e.g. a person's external calendars'
    /// blocks next to their sessions).
    pub fn with(self, more: impl IntoIterator<Item = Busy>) -> Self {
        let mut busy = self.busy;
        busy.extend(more);
        Self::from_busy(busy)
    }

    /// Number of busy times.
    pub fn len(&self) -> usize {
        self.busy.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.busy.is_empty()
    }

    /// Busy times overlapping `[start, end)`, latest start first.
    pub fn overlapping(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> impl Iterator<Item = &Busy> {
        let below = self.busy.partition_point(|b| b.starts_at < end);
        (0..below)
            .rev()
            .take_while(move |&i| self.max_end[i] > start)
            .map(|i| &self.busy[i])
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
    /// Existing non-cancelled sessions and the blocks of the supervisor's own calendars.
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
    /// Their existing non-cancelled sessions (in any series) and the blocks of their own
    /// calendars.
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
    /// Overlaps a busy block of the supervisor's own calendar (with the buffer).
    SupervisorBusyExternal,
    /// Falls in an absence of the supervisor.
    SupervisorAbsent,
    /// Not inside the supervisor's working hours.
    OutsideWorkingHours,
    /// Overlaps another session of a participant.
    ParticipantBusy,
    /// Overlaps a busy block of a participant's own calendar.
    ParticipantBusyExternal,
}

impl ConflictReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SupervisorBusy => "supervisor_busy",
            Self::SupervisorBusyExternal => "supervisor_busy_external",
            Self::SupervisorAbsent => "supervisor_absent",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::ParticipantBusy => "participant_busy",
            Self::ParticipantBusyExternal => "participant_busy_external",
        }
    }

    /// The reason for meeting `busy` in the supervisor's agenda.
    fn supervisor(busy: &Busy) -> Self {
        if busy.is_external() { Self::SupervisorBusyExternal } else { Self::SupervisorBusy }
    }

    /// The reason for meeting `busy` in a participant's agenda.
    fn participant(busy: &Busy) -> Self {
        if busy.is_external() { Self::ParticipantBusyExternal } else { Self::ParticipantBusy }
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
    /// The busy time it collides with, for busy and absent conflicts (an external block as
    /// an interval without a session).
    pub with: Option<Booking>,
    /// The participant, for `participant_busy` and `participant_busy_external`.
    pub person_id: Option<Uuid>,
    /// The calendar connection of an external block, for the `*_busy_external` reasons.
    pub calendar_id: Option<Uuid>,
    /// The supervisor, for the supervisor's reasons (`supervisor_busy`,
    /// `supervisor_busy_external`, `supervisor_absent`, `outside_working_hours`) when the check
    /// names them ([`find_conflicts_of`]); `None` from [`find_conflicts`].
    pub supervisor_id: Option<Uuid>,
}

impl ConflictReason {
    /// Whether it is about a supervisor's time (their bookings, calendars, absences, hours).
    pub fn is_supervisor(self) -> bool {
        !matches!(self, Self::ParticipantBusy | Self::ParticipantBusyExternal)
    }
}

/// Every conflict of every occurrence with several supervisors (co-supervision: each
/// occurrence must fit every supervisor's bookings, calendars, absences and working hours) and
/// the participants. Each supervisor's conflicts carry their id in `supervisor_id`. Ordered by
/// occurrence, then reason, then supervisor, then what it collides with.
pub fn find_conflicts_of(
    occurrences: &[Occurrence],
    supervisors: &[(Uuid, &SupervisorAgenda)],
    participants: &[ParticipantAgenda],
) -> Vec<Conflict> {
    let name = |id: Uuid, mut list: Vec<Conflict>| {
        for conflict in &mut list {
            if conflict.reason.is_supervisor() {
                conflict.supervisor_id = Some(id);
            }
        }
        list
    };
    let Some(((first_id, first), rest)) = supervisors.split_first() else {
        return find_conflicts(occurrences, &SupervisorAgenda::default(), participants);
    };
    let mut conflicts = name(*first_id, find_conflicts(occurrences, first, participants));
    if rest.is_empty() {
        return conflicts;
    }
    for (id, agenda) in rest {
        conflicts.extend(name(*id, find_conflicts(occurrences, agenda, &[])));
    }
    let position: std::collections::HashMap<(u32, DateTime<Utc>), usize> =
        occurrences.iter().enumerate().map(|(i, o)| ((o.index, o.starts_at), i)).collect();
    conflicts.sort_by_key(|c| {
        (
            position.get(&(c.index, c.starts_at)).copied().unwrap_or(usize::MAX),
            c.reason,
            c.supervisor_id,
            c.person_id,
            c.with.map(|b| b.starts_at),
            c.calendar_id,
        )
    });
    conflicts
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
        let conflict = |reason, with: Option<&Busy>, person_id| Conflict {
            index,
            starts_at,
            reason,
            with: with.map(Busy::booking),
            person_id,
            calendar_id: with.and_then(Busy::calendar_id),
            supervisor_id: None,
        };
        let first = conflicts.len();
        let (wide_start, wide_end) = (starts_at - supervisor.buffer, ends_at + supervisor.buffer);
        conflicts.extend(
            supervisor
                .bookings
                .overlapping(wide_start, wide_end)
                .map(|b| conflict(ConflictReason::supervisor(b), Some(b), None)),
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
                    .map(|b| conflict(ConflictReason::participant(b), Some(b), Some(participant.person_id))),
            );
        }
        conflicts[first..].sort_by_key(|c| (c.reason, c.person_id, c.with.map(|b| b.starts_at), c.calendar_id));
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

    #[test]
    fn each_supervisors_conflicts_name_them() {
        let (first, second) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let busy = Booking::new(t("2027-01-12T10:00:00Z"), t("2027-01-12T11:00:00Z"));
        let free = SupervisorAgenda::default();
        let taken = SupervisorAgenda { bookings: BookingIndex::new(vec![busy]), ..SupervisorAgenda::default() };
        let occurrences = [
            Occurrence { index: 1, starts_at: t("2027-01-12T10:30:00Z"), ends_at: t("2027-01-12T11:30:00Z") },
            Occurrence { index: 2, starts_at: t("2027-01-19T10:30:00Z"), ends_at: t("2027-01-19T11:30:00Z") },
        ];
        let person = ParticipantAgenda { person_id: Uuid::from_u128(9), bookings: BookingIndex::new(vec![busy]) };
        let found = find_conflicts_of(&occurrences, &[(first, &free), (second, &taken)], &[person]);
        let seen: Vec<_> = found.iter().map(|c| (c.index, c.reason, c.supervisor_id, c.person_id)).collect();
        assert_eq!(
            seen,
            [
                (1, ConflictReason::SupervisorBusy, Some(second), None),
                (1, ConflictReason::ParticipantBusy, None, Some(Uuid::from_u128(9))),
            ]
        );
        let alone = find_conflicts_of(&occurrences, &[(second, &taken)], &[]);
        assert_eq!(alone.iter().map(|c| c.supervisor_id).collect::<Vec<_>>(), [Some(second)]);
    }

    #[test]
    fn external_blocks_have_their_own_reasons() {
        let calendar = Uuid::from_u128(7);
        let person = Uuid::from_u128(8);
        let session = Booking {
            starts_at: t("2027-01-12T10:00:00Z"),
            ends_at: t("2027-01-12T11:00:00Z"),
            session_id: Some(Uuid::from_u128(1)),
        };
        let block = Busy::external(t("2027-01-12T10:30:00Z"), t("2027-01-12T12:00:00Z"), calendar);
        let supervisor = SupervisorAgenda {
            bookings: BookingIndex::new(vec![session]).with([block]),
            buffer: TimeDelta::minutes(15),
            ..SupervisorAgenda::default()
        };
        let participant = ParticipantAgenda { person_id: person, bookings: BookingIndex::from_busy(vec![block]) };
        // 12:10 is clear of the block but inside the supervisor's buffer after it.
        let occurrence =
            Occurrence { index: 1, starts_at: t("2027-01-12T12:10:00Z"), ends_at: t("2027-01-12T13:00:00Z") };
        let conflicts = find_conflicts(&[occurrence], &supervisor, std::slice::from_ref(&participant));
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].reason, ConflictReason::SupervisorBusyExternal);
        assert_eq!(conflicts[0].calendar_id, Some(calendar));
        assert_eq!(conflicts[0].with, Some(Booking::new(block.starts_at, block.ends_at)));

        let inside = Occurrence { index: 2, starts_at: t("2027-01-12T10:45:00Z"), ends_at: t("2027-01-12T11:15:00Z") };
        let reasons: Vec<_> = find_conflicts(&[inside], &supervisor, &[participant])
            .iter()
            .map(|c| (c.reason, c.person_id, c.with.and_then(|b| b.session_id)))
            .collect();
        assert_eq!(
            reasons,
            [
                (ConflictReason::SupervisorBusy, None, Some(Uuid::from_u128(1))),
                (ConflictReason::SupervisorBusyExternal, None, None),
                (ConflictReason::ParticipantBusyExternal, Some(person), None),
            ]
        );
        assert_eq!(
            serde_json::to_string(&ConflictReason::ParticipantBusyExternal).unwrap(),
            "\"participant_busy_external\""
        );
        assert_eq!(ConflictReason::SupervisorBusyExternal.as_str(), "supervisor_busy_external");
    }
}
