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
use crate::plan::apply_policy;
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

/// The earliest `query.limit` first starts whose every occurrence is free.
pub fn find_slots(
    query: &SlotQuery,
    supervisor: &SupervisorAgenda,
    participants: &[ParticipantAgenda],
    days_off: &DaysOff,
) -> Vec<Slot> {
    let mut checked: HashMap<NaiveDateTime, bool> = HashMap::new();
    let mut free = |local: NaiveDateTime| -> bool {
        *checked.entry(local).or_insert_with(|| {
            let starts_at = query.timezone.resolve_utc(local);
            is_free(starts_at, starts_at + query.duration.delta(), supervisor, participants)
        })
    };
    let step = TimeDelta::weeks(i64::from(query.interval_weeks.max(1)));
    let horizon_days = 5 * 366;
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
        // The weekly rule's wall times, computed directly: this is the hot loop, and for a
        // single-weekday weekly rule it equals the rrule expansion (property-tested).
        let raw = (0..).map(|i| first + step * i).take_while(|t| (t.date() - first.date()).num_days() <= horizon_days);
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
