//! Slot search: the earliest first starts from which every occurrence of a weekly series is
//! free — inside the supervisor's working hours, off holidays and closures, and clear of the
//! supervisor's and the participants' bookings.
//!
//! Candidates are walked in time order on a grid (`step_minutes`) inside the working hours
//! (Monday–Friday 08:00–16:00 when the supervisor has set none). Occurrences of candidates
//! that share a weekday and time overlap heavily, so each wall time is checked once and
//! remembered; a candidate is dropped at its first busy occurrence.

use crate::conflicts::{ParticipantAgenda, SupervisorAgenda, is_free};
use crate::days_off::DaysOff;
use crate::duration::SessionDuration;
use crate::kind::HolidayPolicy;
use crate::plan::{apply_policy, horizon_days};
use crate::recurrence::{End, Pattern};
use crate::working_hours::WorkingHours;
use crate::zone::TimeZone;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use std::collections::HashMap;

/// What to search for.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    /// The first date a series may start on (local).
    pub from: NaiveDate,
    /// How many weeks of first starts to consider.
    pub weeks: u32,
    /// Weeks between sessions.
    pub interval_weeks: u8,
    /// Sessions in the series.
    pub count: u16,
    /// Length of a session.
    pub duration: SessionDuration,
    /// The series' zone.
    pub timezone: TimeZone,
    /// What holidays do to later occurrences.
    pub holiday_policy: HolidayPolicy,
    /// Grid of candidate start times, in minutes.
    pub step_minutes: u16,
    /// How many first starts to return.
    pub limit: usize,
    /// Candidates must start after this instant (the present, given by the caller).
    pub not_before: Option<DateTime<Utc>>,
}

/// A first start from which the whole series fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Local wall time of the first session.
    pub first_start: NaiveDateTime,
    /// Its instant.
    pub starts_at: DateTime<Utc>,
}

/// The working hours used to place candidates when the supervisor has none.
fn default_hours() -> WorkingHours {
    use crate::working_hours::WorkingHoursEntry;
    let entries: Vec<WorkingHoursEntry> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|day| WorkingHoursEntry { weekday: (*day).into(), start: "08:00".into(), end: "16:00".into() })
        .collect();
    WorkingHours::parse("", &entries).unwrap_or_default()
}

/// The candidate first starts of `query`, in time order (the grid the search walks).
pub fn candidates(query: &SlotQuery, supervisor: &SupervisorAgenda, days_off: &DaysOff) -> Vec<NaiveDateTime> {
    let fallback;
    let hours = if supervisor.working_hours.is_restricted() {
        &supervisor.working_hours
    } else {
        fallback = default_hours();
        &fallback
    };
    let step = TimeDelta::minutes(i64::from(query.step_minutes.max(5)));
    let duration = query.duration.delta();
    let mut out = Vec::new();
    for day in query.from.iter_days().take(query.weeks as usize * 7) {
        if days_off.is_off(day) {
            continue;
        }
        let mut times: Vec<NaiveDateTime> = Vec::new();
        for (from, to) in hours.windows(day.weekday()) {
            let mut start = day.and_time(*from);
            let end = to.map_or_else(|| day.and_time(NaiveTime::MIN) + TimeDelta::days(1), |to| day.and_time(to));
            while start + duration <= end {
                times.push(start);
                start += step;
            }
        }
        times.sort();
        times.dedup();
        out.extend(times);
    }
    out
}

/// The wall times of a weekly rule on the weekday of `first`, every `interval_weeks` weeks,
/// computed directly: this is the slot search's hot loop, and for a single-weekday weekly rule
/// it equals the rrule expansion of [`Recurrence::wall_times`](crate::Recurrence::wall_times)
/// (property-tested).
pub(crate) fn weekly_wall_times(first: NaiveDateTime, interval_weeks: u8) -> impl Iterator<Item = NaiveDateTime> {
    let step = TimeDelta::weeks(i64::from(interval_weeks.max(1)));
    (0..).map_while(move |i| first.checked_add_signed(step * i))
}

/// The earliest `query.limit` first starts whose every occurrence is free — for the
/// supervisor, the co-supervisor of a co-supervised series (their bookings, buffer, working
/// hours and absences too; the candidates are placed in the supervisor's hours) and the
/// participants.
pub fn find_slots(
    query: &SlotQuery,
    supervisor: &SupervisorAgenda,
    co_supervisor: Option<&SupervisorAgenda>,
    participants: &[ParticipantAgenda],
    days_off: &DaysOff,
) -> Vec<Slot> {
    let mut checked: HashMap<NaiveDateTime, bool> = HashMap::new();
    let mut free = |local: NaiveDateTime| -> bool {
        *checked.entry(local).or_insert_with(|| {
            let starts_at = query.timezone.resolve_utc(local);
            let ends_at = starts_at + query.duration.delta();
            is_free(starts_at, ends_at, supervisor, participants)
                && co_supervisor.is_none_or(|co| is_free(starts_at, ends_at, co, &[]))
        })
    };
    // The same horizon as planning, so that a start found here plans the same series.
    let horizon = TimeDelta::days(horizon_days(
        &Pattern::Weekly { interval: query.interval_weeks, weekdays: Vec::new() },
        End::Count(query.count),
    ));
    let wanted = usize::from(query.count);
    let mut slots = Vec::new();
    for first in candidates(query, supervisor, days_off) {
        if slots.len() >= query.limit {
            break;
        }
        let starts_at = query.timezone.resolve_utc(first);
        if query.not_before.is_some_and(|now| starts_at <= now) {
            continue;
        }
        let raw = weekly_wall_times(first, query.interval_weeks).take_while(|t| *t - first <= horizon);
        let fits = match query.holiday_policy {
            HolidayPolicy::Keep => raw.take(wanted).all(&mut free),
            HolidayPolicy::Skip => {
                let mut kept = 0;
                let mut ok = true;
                for time in raw {
                    if kept == wanted {
                        break;
                    }
                    if days_off.is_off(time.date()) {
                        continue;
                    }
                    if !free(time) {
                        ok = false;
                        break;
                    }
                    kept += 1;
                }
                ok && kept == wanted
            }
            HolidayPolicy::Shift => {
                let (kept, _) = apply_policy(raw, Some(wanted), HolidayPolicy::Shift, days_off);
                kept.len() == wanted && kept.into_iter().all(|(_, actual)| free(actual))
            }
        };
        if fits {
            slots.push(Slot { first_start: first, starts_at });
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conflicts::{Booking, BookingIndex};
    use crate::working_hours::WorkingHoursEntry;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn query(from: &str, count: u16, interval_weeks: u8) -> SlotQuery {
        SlotQuery {
            from: at(from).date(),
            weeks: 1,
            interval_weeks,
            count,
            duration: SessionDuration::from_minutes("d", 90).unwrap(),
            timezone: TimeZone::HELSINKI,
            holiday_policy: HolidayPolicy::Skip,
            step_minutes: 30,
            limit: 3,
            not_before: None,
        }
    }

    #[test]
    fn the_earliest_free_starts() {
        // Monday 2027-01-11 08:00–12:00 is taken; every later occurrence is free.
        let busy = Booking::new(
            TimeZone::HELSINKI.resolve_utc(at("2027-01-11T08:00")),
            TimeZone::HELSINKI.resolve_utc(at("2027-01-11T12:00")),
        );
        let supervisor = SupervisorAgenda { bookings: BookingIndex::new(vec![busy]), ..SupervisorAgenda::default() };
        let slots = find_slots(&query("2027-01-11T00:00", 10, 2), &supervisor, None, &[], &DaysOff::holidays_only());
        let starts: Vec<NaiveDateTime> = slots.iter().map(|s| s.first_start).collect();
        assert_eq!(starts, [at("2027-01-11T12:00"), at("2027-01-11T12:30"), at("2027-01-11T13:00")]);
    }

    #[test]
    fn a_co_supervisor_busy_or_away_moves_the_slots() {
        // The supervisor is free all Monday; the co-supervisor has a session 08:00–10:00 and
        // works from 09:00 only on Mondays, so nothing starts before 10:00.
        let busy = Booking::new(
            TimeZone::HELSINKI.resolve_utc(at("2027-01-11T08:00")),
            TimeZone::HELSINKI.resolve_utc(at("2027-01-11T10:00")),
        );
        let hours = WorkingHours::parse(
            "working_hours",
            &[WorkingHoursEntry { weekday: "mon".into(), start: "09:00".into(), end: "16:00".into() }],
        )
        .unwrap();
        let co = SupervisorAgenda {
            bookings: BookingIndex::new(vec![busy]),
            working_hours: hours,
            ..SupervisorAgenda::default()
        };
        let alone = find_slots(
            &query("2027-01-11T00:00", 1, 1),
            &SupervisorAgenda::default(),
            None,
            &[],
            &DaysOff::holidays_only(),
        );
        assert_eq!(alone[0].first_start, at("2027-01-11T08:00"));
        let both = find_slots(
            &query("2027-01-11T00:00", 1, 1),
            &SupervisorAgenda::default(),
            Some(&co),
            &[],
            &DaysOff::holidays_only(),
        );
        let starts: Vec<NaiveDateTime> = both.iter().map(|s| s.first_start).collect();
        assert_eq!(starts, [at("2027-01-11T10:00"), at("2027-01-11T10:30"), at("2027-01-11T11:00")]);
    }

    #[test]
    fn a_long_series_finds_slots() {
        // 100 sessions every four weeks take almost eight years; the search used to give up
        // after five and find nothing.
        let slots = find_slots(
            &query("2027-01-11T00:00", 100, 4),
            &SupervisorAgenda::default(),
            None,
            &[],
            &DaysOff::holidays_only(),
        );
        assert_eq!(slots.len(), 3);
    }

    #[test]
    fn candidates_fill_a_window_ending_at_midnight() {
        let hours = WorkingHours::parse(
            "working_hours",
            &[WorkingHoursEntry { weekday: "fri".into(), start: "21:00".into(), end: "24:00".into() }],
        )
        .unwrap();
        let supervisor = SupervisorAgenda { working_hours: hours, ..SupervisorAgenda::default() };
        let all = candidates(&query("2027-01-11T00:00", 1, 1), &supervisor, &DaysOff::holidays_only());
        assert_eq!(
            all,
            [at("2027-01-15T21:00"), at("2027-01-15T21:30"), at("2027-01-15T22:00"), at("2027-01-15T22:30")]
        );
        let slots = find_slots(&query("2027-01-11T00:00", 3, 1), &supervisor, None, &[], &DaysOff::holidays_only());
        assert_eq!(slots.len(), 3, "22:30–24:00 is inside the hours");
    }
}
