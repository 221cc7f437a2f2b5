//! Benchmarks of the scheduling core (their goals and medians are in BENCHMARKS.md):
//!
//! - `plan_and_check/20_sessions_vs_10000_bookings`: plan a 20-session series and check every
//!   occurrence against a supervisor's 10,000 bookings (the index is built outside the timed
//!   part, as a store would keep it; `booking_index/build_10000` times building it);
//! - `plan_and_check/20_sessions_vs_10000_bookings_10000_external`: the same against 10,000
//!   sessions plus 10,000 blocks of the supervisor's own calendars in one index (and
//!   `booking_index/build_10000_plus_10000_external`);
//! - `find_slots/52_weeks_10_sessions`: slot search over a year for a 10-session series, with a
//!   supervisor of 2,000 bookings and 8 participants of 500 each (and the same when nothing
//!   is free, `…_none_free`);
//! - `expand/100_series_of_10`: plan 100 series of 10 sessions.
//!
//! The data is made by a fixed pseudo-random generator, so every run measures the same work.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use criterion::{Criterion, criterion_group, criterion_main};
use ohjaus_core::conflicts::{
    Booking, BookingIndex, Busy, Occurrence, ParticipantAgenda, SupervisorAgenda, find_conflicts,
};
use ohjaus_core::recurrence::{End, Pattern, Recurrence};
use ohjaus_core::slots::{SlotQuery, candidates, find_slots};
use ohjaus_core::{
    DaysOff, HolidayPolicy, Schedule, SessionDuration, TimeZone, WorkingHours, WorkingHoursEntry, finnish_holiday,
};
use std::hint::black_box;
use uuid::Uuid;

/// SplitMix64: a small, fixed pseudo-random sequence (no dependency needed for benchmarks).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).expect("small")
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn minutes(n: i64) -> SessionDuration {
    SessionDuration::from_minutes("duration_minutes", n).expect("a valid duration")
}

fn office_hours() -> WorkingHours {
    let entries: Vec<WorkingHoursEntry> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|day| WorkingHoursEntry { weekday: (*day).into(), start: "08:00".into(), end: "16:00".into() })
        .collect();
    WorkingHours::parse("working_hours", &entries).expect("valid hours")
}

/// Someone's existing sessions as they come from other series: `series` series of `per_series`
/// sessions each, every 1–3 weeks, lasting 45–90 minutes, starting in the `weeks` weeks from
/// `from`; occurrences on holidays are left out, as planning leaves them out. Like real
/// calendars they favour mornings and the middle of the week: a weekday Monday–Thursday nine
/// times in ten, a start between 08:00 and 13:30 four times in five (else up to 15:00).
fn existing_series(random: &mut Random, from: NaiveDate, weeks: i64, series: usize, per_series: usize) -> Vec<Booking> {
    let zone = TimeZone::HELSINKI;
    let mut bookings = Vec::with_capacity(series * per_series);
    while bookings.len() < series * per_series {
        let monday = from + TimeDelta::weeks(random.below(weeks as u64));
        let weekday = if random.below(10) < 9 { random.below(4) } else { 4 };
        let day = monday + TimeDelta::days(weekday);
        let half_hours = if random.below(5) < 4 { random.below(12) } else { 12 + random.below(3) };
        let start = day.and_time(NaiveTime::MIN) + TimeDelta::minutes(8 * 60 + 30 * half_hours);
        let length = TimeDelta::minutes(45 + 15 * random.below(4));
        let every = TimeDelta::weeks(1 + random.below(3));
        let mut added = 0;
        let mut at = start;
        while added < per_series && bookings.len() < series * per_series {
            if finnish_holiday(at.date()).is_none() {
                let starts_at = zone.resolve_utc(at);
                bookings.push(Booking {
                    starts_at,
                    ends_at: starts_at + length,
                    session_id: Some(Uuid::from_u64_pair(random.next(), random.next())),
                });
                added += 1;
            }
            at += every;
        }
    }
    bookings
}

/// 10,000 bookings of one supervisor: 1,000 series of 10 over five years, in random order (as
/// a store's query might return them unsorted; the index sorts).
fn ten_thousand(random: &mut Random) -> Vec<Booking> {
    let mut bookings = existing_series(random, date(2025, 1, 6), 5 * 52, 1_000, 10);
    for i in (1..bookings.len()).rev() {
        bookings.swap(i, usize::try_from(random.below(i as u64 + 1)).expect("small"));
    }
    bookings
}

fn weekly(first: NaiveDateTime, interval: u8, count: u16, policy: HolidayPolicy) -> Schedule {
    Schedule {
        first_start: first,
        timezone: TimeZone::HELSINKI,
        duration: minutes(90),
        recurrence: Recurrence::weekly(interval, End::Count(count), first).expect("a valid rule"),
        holiday_policy: policy,
    }
}

fn occurrences(schedule: &Schedule, days_off: &DaysOff) -> Vec<Occurrence> {
    schedule
        .plan(days_off)
        .expect("plans")
        .sessions
        .iter()
        .map(|s| Occurrence { index: s.index, starts_at: s.starts_at, ends_at: s.ends_at })
        .collect()
}

fn plan_and_check(c: &mut Criterion) {
    let mut random = Random(1);
    let bookings = ten_thousand(&mut random);
    c.bench_function("booking_index/build_10000_unsorted", |b| {
        b.iter_batched(|| bookings.clone(), |list| BookingIndex::new(black_box(list)), criterion::BatchSize::SmallInput)
    });
    let mut sorted = bookings.clone();
    sorted.sort_by_key(|b| b.starts_at);
    c.bench_function("booking_index/build_10000_sorted", |b| {
        b.iter_batched(|| sorted.clone(), |list| BookingIndex::new(black_box(list)), criterion::BatchSize::SmallInput)
    });

    // The supervisor's own calendars: another 10,000 blocks of the same shape (their other
    // clients' sessions), from two calendar connections.
    let calendars = [Uuid::from_u128(1), Uuid::from_u128(2)];
    let external: Vec<Busy> = ten_thousand(&mut random)
        .iter()
        .enumerate()
        .map(|(i, b)| Busy::external(b.starts_at, b.ends_at, calendars[i % 2]))
        .collect();
    c.bench_function("booking_index/build_10000_plus_10000_external", |b| {
        b.iter_batched(
            || (bookings.clone(), external.clone()),
            |(list, blocks)| BookingIndex::new(black_box(list)).with(black_box(blocks)),
            criterion::BatchSize::SmallInput,
        )
    });

    let agenda = |bookings: BookingIndex| SupervisorAgenda {
        bookings,
        buffer: TimeDelta::minutes(15),
        working_hours: office_hours(),
        timezone: TimeZone::HELSINKI,
        absences: BookingIndex::default(),
    };
    let days_off = DaysOff::holidays_only();
    let schedule = weekly(date(2027, 1, 12).and_hms_opt(13, 0, 0).expect("a time"), 1, 20, HolidayPolicy::Skip);
    let cases = [
        ("plan_and_check/20_sessions_vs_10000_bookings", agenda(BookingIndex::new(bookings.clone()))),
        (
            "plan_and_check/20_sessions_vs_10000_bookings_10000_external",
            agenda(BookingIndex::new(bookings).with(external)),
        ),
    ];
    for (name, supervisor) in &cases {
        let found = find_conflicts(&occurrences(&schedule, &days_off), supervisor, &[]);
        let external = found.iter().filter(|c| c.calendar_id.is_some()).count();
        println!(
            "{name}: 20 occurrences against {} busy times, {} conflicts ({external} external)",
            supervisor.bookings.len(),
            found.len()
        );
        c.bench_function(name, |b| {
            b.iter(|| {
                let occurrences = occurrences(black_box(&schedule), &days_off);
                find_conflicts(&occurrences, black_box(supervisor), &[])
            })
        });
    }
}

/// A supervisor with 2,000 sessions and 8 participants with 500 each, from `history` over
/// `weeks` weeks; each participant's 500 are `shared` sessions of the team (all eight attend
/// them) and the rest of their own. The supervisor is away for July 2027.
fn agendas(
    random: &mut Random,
    history: NaiveDate,
    weeks: i64,
    shared: usize,
) -> (SupervisorAgenda, Vec<ParticipantAgenda>) {
    let supervisor = SupervisorAgenda {
        bookings: BookingIndex::new(existing_series(random, history, weeks, 200, 10)),
        buffer: TimeDelta::minutes(15),
        working_hours: office_hours(),
        timezone: TimeZone::HELSINKI,
        absences: BookingIndex::new(vec![Booking::new(
            TimeZone::HELSINKI.resolve_utc(date(2027, 7, 5).and_time(NaiveTime::MIN)),
            TimeZone::HELSINKI.resolve_utc(date(2027, 8, 2).and_time(NaiveTime::MIN)),
        )]),
    };
    let team = existing_series(random, history, weeks, shared / 10, 10);
    let participants = (0..8)
        .map(|_| {
            let mut bookings = existing_series(random, history, weeks, (500 - shared) / 10, 10);
            bookings.extend_from_slice(&team);
            ParticipantAgenda {
                person_id: Uuid::from_u64_pair(random.next(), random.next()),
                bookings: BookingIndex::new(bookings),
            }
        })
        .collect();
    (supervisor, participants)
}

fn slot_search(c: &mut Criterion) {
    let query = SlotQuery {
        from: date(2027, 1, 4),
        weeks: 52,
        interval_weeks: 2,
        count: 10,
        duration: minutes(90),
        timezone: TimeZone::HELSINKI,
        holiday_policy: HolidayPolicy::Skip,
        step_minutes: 30,
        limit: 10,
        not_before: None,
    };
    let days_off = DaysOff::holidays_only();
    let mut random = Random(2);
    let cases = [
        // The agendas as a store holds them, past and future: October 2025 to March 2028
        // (130 weeks). The supervisor has about three sessions a working day; each participant
        // 300 of the team's and 200 of their own.
        ("find_slots/52_weeks_10_sessions", agendas(&mut random, date(2025, 10, 6), 130, 300)),
        // Everything packed into the year searched and the 18 weeks after it, nothing shared:
        // no series fits, every candidate is tried (the worst case).
        ("find_slots/52_weeks_10_sessions_none_free", agendas(&mut random, query.from, 52 + 18, 0)),
    ];
    for (name, (supervisor, participants)) in &cases {
        let all = candidates(&query, supervisor, &days_off);
        let slots = find_slots(&query, supervisor, None, participants, &days_off);
        let looked_at =
            slots.last().and_then(|last| all.iter().position(|c| *c == last.first_start)).map_or(all.len(), |i| i + 1);
        println!(
            "{name}: {} slots, looked at {looked_at} of {} candidates (first {:?}, last {:?})",
            slots.len(),
            all.len(),
            slots.first().map(|s| s.first_start),
            slots.last().map(|s| s.first_start),
        );
        c.bench_function(name, |b| b.iter(|| find_slots(black_box(&query), supervisor, None, participants, &days_off)));
    }
}

fn expand(c: &mut Criterion) {
    let mut random = Random(3);
    let policies = [HolidayPolicy::Skip, HolidayPolicy::Shift, HolidayPolicy::Keep];
    let schedules: Vec<Schedule> = (0..100)
        .map(|i| {
            let day = date(2027, 1, 4) + TimeDelta::days(random.below(365));
            let first = day.and_time(NaiveTime::MIN) + TimeDelta::minutes(8 * 60 + 30 * random.below(15));
            let policy = policies[i % 3];
            if i % 5 == 4 {
                // Every fifth monthly, on the weekday and week of its first day.
                let nth = i8::try_from(1 + (day.day() - 1) / 7).expect("small").min(4);
                let pattern = Pattern::Monthly { interval: 1, nth, weekday: day.weekday() };
                Schedule {
                    recurrence: Recurrence::new(pattern, End::Count(10), first).expect("a valid rule"),
                    ..weekly(first, 1, 10, policy)
                }
            } else {
                weekly(first, u8::try_from(1 + random.below(3)).expect("small"), 10, policy)
            }
        })
        .collect();
    let days_off = DaysOff::holidays_only();
    c.bench_function("expand/100_series_of_10", |b| {
        b.iter(|| black_box(&schedules).iter().map(|s| s.plan(&days_off).expect("plans").sessions.len()).sum::<usize>())
    });
}

criterion_group!(benches, plan_and_check, slot_search, expand);
criterion_main!(benches);
