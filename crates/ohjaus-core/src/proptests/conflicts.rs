//! Conflict detection agrees with a brute-force O(N·M) check: the same (index, reason, with,
//! person, calendar) conflicts, as a multiset, in the documented order — with sessions and
//! external calendars' blocks mixed in one index for the supervisor and each participant.

use super::{config, date_in, dst_zone};
use crate::conflicts::{
    Booking, BookingIndex, Busy, Conflict, ConflictReason, Occurrence, ParticipantAgenda, SupervisorAgenda,
    find_conflicts, is_free,
};
use crate::recurrence::weekday_name;
use crate::working_hours::{WorkingHours, WorkingHoursEntry};
use crate::zone::TimeZone;
use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use proptest::collection::vec;
use proptest::prelude::*;
use uuid::Uuid;

/// Spans as (start, length) in quarter hours from a base instant, over about two weeks:
/// mostly short (a session), some long (an absence or a multi-day booking), some empty.
pub(super) fn spans(max: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    let length = prop_oneof![6 => 1i64..=32, 2 => 33i64..=960, 1 => Just(0i64)];
    vec((-96i64..14 * 96 + 96, length), 0..=max)
}

pub(super) fn bookings(base: DateTime<Utc>, spans: &[(i64, i64)], first_id: u128) -> Vec<Booking> {
    (first_id..)
        .zip(spans)
        .map(|(id, (start, length))| {
            let starts_at = base + TimeDelta::minutes(15 * start);
            Booking {
                starts_at,
                ends_at: starts_at + TimeDelta::minutes(15 * length),
                session_id: Some(Uuid::from_u128(id)),
            }
        })
        .collect()
}

/// Working-hours windows as (weekday, start, end) in quarter hours of the day; end 96 is 24:00.
/// Windows may overlap or touch.
pub(super) fn windows() -> impl Strategy<Value = Vec<(u8, u32, u32)>> {
    vec((0u8..7, 0u32..96).prop_flat_map(|(day, start)| (Just(day), Just(start), start + 1..=96)), 0..=8)
}

fn clock(q: u32) -> String {
    format!("{:02}:{:02}", q / 4, q % 4 * 15)
}

pub(super) fn working_hours(windows: &[(u8, u32, u32)]) -> WorkingHours {
    let entries: Vec<WorkingHoursEntry> = windows
        .iter()
        .map(|(day, start, end)| WorkingHoursEntry {
            weekday: weekday_name(Weekday::try_from(*day).unwrap()).to_owned(),
            start: clock(*start),
            end: clock(*end),
        })
        .collect();
    WorkingHours::parse("working_hours", &entries).unwrap()
}

/// Brute force: whether every wall-clock minute of a session lies in some window of the day it
/// starts on (windows taken as given, unmerged), the session staying on that day (or ending at
/// its midnight). Wall times run backwards in a fall-back hour; the span between the earlier
/// and the later of the two wall times is what must be covered, its start included.
pub(super) fn inside_brute(
    windows: &[(u8, u32, u32)],
    zone: TimeZone,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> bool {
    if windows.is_empty() {
        return true;
    }
    let (local_start, local_end) = (zone.local(start).naive_local(), zone.local(end).naive_local());
    let day = local_start.date();
    let midnight = day.succ_opt().unwrap().and_time(NaiveTime::MIN);
    if !(local_end.date() == day || local_end == midnight) {
        return false;
    }
    let covered = |t: NaiveDateTime| {
        let minute = (t - day.and_time(NaiveTime::MIN)).num_minutes();
        windows.iter().any(|(weekday, from, to)| {
            u32::from(*weekday) == day.weekday().num_days_from_monday()
                && i64::from(*from) * 15 <= minute
                && minute < i64::from(*to) * 15
        })
    };
    let (low, high) = (local_start.min(local_end), local_start.max(local_end));
    covered(low) && {
        let mut t = low;
        let mut all = true;
        while t < high {
            all &= covered(t);
            t += TimeDelta::minutes(1);
        }
        all
    }
}

/// External blocks from `spans`, each from one of two calendar connections.
pub(super) fn external(base: DateTime<Utc>, spans: &[(i64, i64)], first_calendar: u128) -> Vec<Busy> {
    bookings(base, spans, 0)
        .iter()
        .enumerate()
        .map(|(i, b)| Busy::external(b.starts_at, b.ends_at, Uuid::from_u128(first_calendar + i as u128 % 2)))
        .collect()
}

fn overlaps(busy: &Busy, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    busy.starts_at < end && busy.ends_at > start
}

type Key = (u32, ConflictReason, Option<Booking>, Option<Uuid>, Option<Uuid>);

fn key(conflict: &Conflict) -> Key {
    (conflict.index, conflict.reason, conflict.with, conflict.person_id, conflict.calendar_id)
}

fn expected_key(index: u32, reason: ConflictReason, busy: &Busy, person: Option<Uuid>) -> Key {
    (index, reason, Some(busy.booking()), person, busy.calendar_id())
}

fn sorted(mut keys: Vec<Key>) -> Vec<Key> {
    keys.sort_by_key(|(index, reason, with, person, calendar)| {
        (*index, *reason, *person, with.map(|b| (b.starts_at, b.ends_at, b.session_id)), *calendar)
    });
    keys
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn find_conflicts_agrees_with_brute_force(
        base_day in date_in(1990, 2150),
        zone in dst_zone(),
        occurrence_spans in vec((0i64..14 * 96, 1i64..=32), 1..=12),
        supervisor_spans in spans(30),
        supervisor_external in spans(20),
        absence_spans in spans(4),
        participant_spans in vec((spans(12), spans(8)), 0..=3),
        buffer_minutes in prop_oneof![Just(0i64), 0i64..=60],
        windows in prop_oneof![Just(Vec::new()), windows()],
    ) {
        let base = base_day.and_time(NaiveTime::MIN).and_utc();
        let occurrences: Vec<Occurrence> = (1u32..)
            .zip(&occurrence_spans)
            .map(|(index, (start, length))| {
                let starts_at = base + TimeDelta::minutes(15 * start);
                Occurrence { index, starts_at, ends_at: starts_at + TimeDelta::minutes(15 * length) }
            })
            .collect();
        let mut supervisor_busy: Vec<Busy> =
            bookings(base, &supervisor_spans, 1_000).into_iter().map(Busy::from).collect();
        supervisor_busy.extend(external(base, &supervisor_external, 100));
        let absences: Vec<Busy> = bookings(base, &absence_spans, 2_000).into_iter().map(Busy::from).collect();
        let buffer = TimeDelta::minutes(buffer_minutes);
        let supervisor = SupervisorAgenda {
            bookings: BookingIndex::from_busy(supervisor_busy.clone()),
            buffer,
            working_hours: working_hours(&windows),
            timezone: zone,
            absences: BookingIndex::from_busy(absences.clone()),
        };
        let people: Vec<(Uuid, Vec<Busy>)> = (1u128..)
            .zip(&participant_spans)
            .map(|(person, (sessions, blocks))| {
                let mut busy: Vec<Busy> =
                    bookings(base, sessions, 10_000 * (person + 1)).into_iter().map(Busy::from).collect();
                busy.extend(external(base, blocks, 200 + 2 * person));
                (Uuid::from_u128(person), busy)
            })
            .collect();
        // Each participant's index is built in two steps (sessions, then their calendars'
        // blocks), as a store adds the blocks to the sessions it read.
        let participants: Vec<ParticipantAgenda> = people
            .iter()
            .map(|(person_id, list)| {
                let (blocks, sessions): (Vec<Busy>, Vec<Busy>) = list.iter().partition(|b| b.is_external());
                let sessions = sessions.iter().map(Busy::booking).collect();
                ParticipantAgenda { person_id: *person_id, bookings: BookingIndex::new(sessions).with(blocks) }
            })
            .collect();

        let mut expected = Vec::new();
        for o in &occurrences {
            for b in supervisor_busy.iter().filter(|b| overlaps(b, o.starts_at - buffer, o.ends_at + buffer)) {
                let reason =
                    if b.is_external() { ConflictReason::SupervisorBusyExternal } else { ConflictReason::SupervisorBusy };
                expected.push(expected_key(o.index, reason, b, None));
            }
            for b in absences.iter().filter(|b| overlaps(b, o.starts_at, o.ends_at)) {
                expected.push(expected_key(o.index, ConflictReason::SupervisorAbsent, b, None));
            }
            if !inside_brute(&windows, zone, o.starts_at, o.ends_at) {
                expected.push((o.index, ConflictReason::OutsideWorkingHours, None, None, None));
            }
            for (person, list) in &people {
                for b in list.iter().filter(|b| overlaps(b, o.starts_at, o.ends_at)) {
                    let reason = if b.is_external() {
                        ConflictReason::ParticipantBusyExternal
                    } else {
                        ConflictReason::ParticipantBusy
                    };
                    expected.push(expected_key(o.index, reason, b, Some(*person)));
                }
            }
        }

        let found = find_conflicts(&occurrences, &supervisor, &participants);
        let keys: Vec<Key> = found.iter().map(key).collect();
        prop_assert_eq!(sorted(keys.clone()), sorted(expected.clone()));
        // Ordered by occurrence, then reason; each names its occurrence's start.
        prop_assert!(found.windows(2).all(|w| (w[0].index, w[0].reason) <= (w[1].index, w[1].reason)));
        for conflict in &found {
            prop_assert_eq!(conflict.starts_at, occurrences[conflict.index as usize - 1].starts_at);
        }
        // `is_free`, the slot search's early-exit check, says the same per occurrence.
        for o in &occurrences {
            let free = !expected.iter().any(|(index, ..)| *index == o.index);
            prop_assert_eq!(is_free(o.starts_at, o.ends_at, &supervisor, &participants), free);
        }
    }
}
