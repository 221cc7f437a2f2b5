//! Slot search: every start it returns plans (through the rrule path) into a series without a
//! single conflict, and it returns exactly the earliest such starts — compared with planning and
//! checking every candidate in turn, on small inputs, under skip, shift and keep. The supervisor
//! and the participants have external calendars' blocks besides their sessions.

use super::conflicts::{windows, working_hours};
use super::{config, date_in, dst_zone};
use crate::conflicts::{Booking, BookingIndex, Busy, Occurrence, ParticipantAgenda, SupervisorAgenda, find_conflicts};
use crate::days_off::{Closure, DaysOff};
use crate::duration::SessionDuration;
use crate::kind::HolidayPolicy;
use crate::plan::Schedule;
use crate::recurrence::{End, Recurrence};
use crate::slots::{Slot, SlotQuery, candidates, find_slots};
use crate::working_hours::WorkingHours;
use chrono::{NaiveDate, NaiveTime, TimeDelta, Weekday};
use proptest::collection::vec;
use proptest::prelude::*;
use uuid::Uuid;

/// Days covered by a query's candidates and their sessions (at most 2 weeks + 4 × 3 weeks).
const SPAN_DAYS: i64 = 14 + 4 * 3 * 7;

/// Bookings on working days' office hours (07:00–18:00 starts, up to four hours), as
/// (day, start quarter hour, length in quarter hours), plus now and then a long one.
/// Most fall in the first two weeks, where the candidates are, so that many candidates are
/// taken before free ones are found.
fn busy(max: usize) -> impl Strategy<Value = Vec<(i64, u32, u32)>> {
    let long = (0i64..SPAN_DAYS, 0u32..96, 96u32..=480);
    let early = (0i64..14, 28u32..72, 1u32..=16);
    let later = (0i64..SPAN_DAYS, 28u32..72, 1u32..=16);
    vec(prop_oneof![8 => early, 4 => later, 1 => long], 0..=max)
}

fn bookings(zone: crate::zone::TimeZone, from: NaiveDate, busy: &[(i64, u32, u32)], first_id: u128) -> Vec<Booking> {
    (first_id..)
        .zip(busy)
        .map(|(id, (day, quarter, length))| {
            let wall =
                (from + TimeDelta::days(*day)).and_time(NaiveTime::MIN) + TimeDelta::minutes(15 * i64::from(*quarter));
            let starts_at = zone.resolve_utc(wall);
            Booking {
                starts_at,
                ends_at: starts_at + TimeDelta::minutes(15 * i64::from(*length)),
                session_id: Some(Uuid::from_u128(id)),
            }
        })
        .collect()
}

/// External calendar blocks at the same kind of times as `bookings`.
fn external(zone: crate::zone::TimeZone, from: NaiveDate, busy: &[(i64, u32, u32)], calendar: u128) -> Vec<Busy> {
    bookings(zone, from, busy, 0)
        .iter()
        .map(|b| Busy::external(b.starts_at, b.ends_at, Uuid::from_u128(calendar)))
        .collect()
}

/// Busy times as (day, start quarter hour, length in quarter hours).
type Spans = Vec<(i64, u32, u32)>;

#[derive(Debug, Clone)]
struct Case {
    query: SlotQuery,
    windows: Vec<(u8, u32, u32)>,
    buffer_minutes: i64,
    supervisor_busy: Spans,
    supervisor_external: Spans,
    absences: Spans,
    /// Each participant's sessions and their calendars' blocks.
    participants_busy: Vec<(Spans, Spans)>,
    closures: Vec<(i64, i64)>,
}

fn case() -> impl Strategy<Value = Case> {
    let query = (
        date_in(1990, 2150),
        1u32..=2,
        1u8..=3,
        1u16..=4,
        (2i64..=8).prop_map(|q| SessionDuration::from_minutes("d", 15 * q).unwrap()),
        dst_zone(),
        proptest::sample::select(vec![HolidayPolicy::Skip, HolidayPolicy::Shift, HolidayPolicy::Keep]),
        proptest::sample::select(vec![30u16, 45, 60]),
        1usize..=8,
        proptest::option::of(0i64..7 * 96),
    )
        .prop_map(
            |(from, weeks, interval_weeks, count, duration, timezone, holiday_policy, step_minutes, limit, now)| {
                SlotQuery {
                    from,
                    weeks,
                    interval_weeks,
                    count,
                    duration,
                    timezone,
                    holiday_policy,
                    step_minutes,
                    limit,
                    not_before: now
                        .map(|q| timezone.resolve_utc(from.and_time(NaiveTime::MIN) + TimeDelta::minutes(15 * q))),
                }
            },
        );
    (
        query,
        prop_oneof![2 => Just(Vec::new()), 1 => windows()],
        prop_oneof![Just(0i64), 0i64..=30],
        (busy(30), busy(15)),
        busy(2),
        vec((busy(15), busy(8)), 0..=2),
        vec((0i64..SPAN_DAYS, 0i64..=10), 0..=2),
    )
        .prop_map(
            |(
                query,
                windows,
                buffer_minutes,
                (supervisor_busy, supervisor_external),
                absences,
                participants_busy,
                closures,
            )| {
                Case {
                    query,
                    windows,
                    buffer_minutes,
                    supervisor_busy,
                    supervisor_external,
                    absences,
                    participants_busy,
                    closures,
                }
            },
        )
}

/// Plans a series from `first` (through `Schedule::plan`, the rrule path) and says whether it
/// plans and has no conflict at all.
fn plans_free(
    query: &SlotQuery,
    first: chrono::NaiveDateTime,
    supervisor: &SupervisorAgenda,
    participants: &[ParticipantAgenda],
    days_off: &DaysOff,
) -> bool {
    let schedule = Schedule {
        first_start: first,
        timezone: query.timezone,
        duration: query.duration,
        recurrence: Recurrence::weekly(query.interval_weeks, End::Count(query.count), first).unwrap(),
        holiday_policy: query.holiday_policy,
    };
    let Ok(plan) = schedule.plan(days_off) else { return false };
    let occurrences: Vec<Occurrence> = plan
        .sessions
        .iter()
        .map(|s| Occurrence { index: s.index, starts_at: s.starts_at, ends_at: s.ends_at })
        .collect();
    plan.sessions.len() == usize::from(query.count) && find_conflicts(&occurrences, supervisor, participants).is_empty()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn slots_are_free_and_the_earliest(case in case()) {
        let query = &case.query;
        let zone = query.timezone;
        let supervisor = SupervisorAgenda {
            bookings: BookingIndex::new(bookings(zone, query.from, &case.supervisor_busy, 1_000))
                .with(external(zone, query.from, &case.supervisor_external, 1)),
            buffer: TimeDelta::minutes(case.buffer_minutes),
            working_hours: working_hours(&case.windows),
            timezone: zone,
            absences: BookingIndex::new(bookings(zone, query.from, &case.absences, 2_000)),
        };
        let participants: Vec<ParticipantAgenda> = (1u128..)
            .zip(&case.participants_busy)
            .map(|(person, (busy, blocks))| ParticipantAgenda {
                person_id: Uuid::from_u128(person),
                bookings: BookingIndex::new(bookings(zone, query.from, busy, 10_000 * (person + 1)))
                    .with(external(zone, query.from, blocks, 10 + person)),
            })
            .collect();
        let days_off = DaysOff::new(
            case.closures
                .iter()
                .map(|(day, length)| {
                    let start = query.from + TimeDelta::days(*day);
                    Closure::new("", start, start + TimeDelta::days(*length), None).unwrap()
                })
                .collect(),
        );

        // The candidates: in order, on working days of the window, inside the hours.
        let all = candidates(query, &supervisor, &days_off);
        let hours = if case.windows.is_empty() { office_hours() } else { supervisor.working_hours.clone() };
        prop_assert!(all.windows(2).all(|w| w[0] < w[1]));
        for first in &all {
            prop_assert!(!days_off.is_off(first.date()));
            prop_assert!(query.from <= first.date() && first.date() < query.from + TimeDelta::weeks(i64::from(query.weeks)));
            prop_assert!(hours.contains(*first, *first + query.duration.delta()), "{first} outside the hours");
        }

        let found = find_slots(query, &supervisor, None, &participants, &days_off);
        for slot in &found {
            prop_assert!(plans_free(query, slot.first_start, &supervisor, &participants, &days_off), "{:?}", slot);
            prop_assert_eq!(slot.starts_at, zone.resolve_utc(slot.first_start));
        }
        let mut expected = Vec::new();
        for first in all {
            if expected.len() >= query.limit {
                break;
            }
            let starts_at = zone.resolve_utc(first);
            if query.not_before.is_some_and(|now| starts_at <= now) {
                continue;
            }
            if plans_free(query, first, &supervisor, &participants, &days_off) {
                expected.push(Slot { first_start: first, starts_at });
            }
        }
        prop_assert_eq!(found, expected);
    }
}

/// Monday–Friday 08:00–16:00, the hours the search places candidates in when none are set.
fn office_hours() -> WorkingHours {
    let windows: Vec<(u8, u32, u32)> = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .iter()
        .map(|d| (d.num_days_from_monday() as u8, 32, 64))
        .collect();
    working_hours(&windows)
}
