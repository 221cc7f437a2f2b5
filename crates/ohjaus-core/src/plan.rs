//! Planning a series: the recurrence expanded in local wall time, the holiday policy applied,
//! sessions numbered and given their evaluation phase.

use crate::days_off::{DayOff, DaysOff};
use crate::duration::SessionDuration;
use crate::error::FieldError;
use crate::evaluation::{Phase, phase_of};
use crate::kind::HolidayPolicy;
use crate::recurrence::{End, Pattern, Recurrence};
use crate::zone::TimeZone;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use std::collections::HashSet;

/// How far past the first start planning looks at least before it gives up finding sessions
/// that are not on a day off: the longest `until` plus two years of appended sessions.
const HORIZON_YEARS: i64 = 5;

/// Days past the first start that expanding a rule ending in `end` may need, and at least
/// [`HORIZON_YEARS`]: four times the span its counted dates cover, plus two years, because
/// `skip` appends a date for each one off, and some rules meet holidays often (the fourth
/// Friday of June is Midsummer Eve in four years of seven). A count may ask for more than five
/// years (200 sessions every four weeks take fifteen), so a fixed horizon would cut such a
/// series short. The horizon only bounds a search that finds too few dates; planning stops as
/// soon as it has the count.
pub(crate) fn horizon_days(pattern: &Pattern, end: End) -> i64 {
    let span = match (end, pattern) {
        (End::Until(_), _) => 0,
        (End::Count(count), Pattern::Weekly { interval, weekdays }) => {
            let per_week = i64::try_from(weekdays.len()).unwrap_or(1).max(1);
            (i64::from(count) + per_week - 1) / per_week * i64::from(*interval) * 7
        }
        (End::Count(count), Pattern::Monthly { interval, nth, .. }) => {
            // A fifth weekday is in roughly one month of three; a month always has the others.
            let scarcity = if nth.abs() == 5 { 4 } else { 1 };
            i64::from(count) * i64::from(*interval) * 31 * scarcity
        }
    };
    (4 * span + 2 * 366).max(HORIZON_YEARS * 366)
}

/// The time side of a series: where it starts, how it recurs, how long a session is, and what
/// holidays do to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The first session's local wall time (the first occurrence of the rule at or after it).
    pub first_start: NaiveDateTime,
    /// The zone the wall times are in.
    pub timezone: TimeZone,
    /// Length of every session.
    pub duration: SessionDuration,
    /// The cadence and end.
    pub recurrence: Recurrence,
    /// What a holiday or closure does to an occurrence.
    pub holiday_policy: HolidayPolicy,
}

/// One planned session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSession {
    /// 1-based position in the series.
    pub index: u32,
    /// Local wall time as planned (before any gap adjustment).
    pub local_start: NaiveDateTime,
    /// The rule occurrence this session stands for: equal to `local_start`, except under the
    /// `shift` policy where it is the occurrence on the day off (the RECURRENCE-ID of a
    /// calendar override).
    pub rule_start: NaiveDateTime,
    /// Start instant.
    pub starts_at: DateTime<Utc>,
    /// End instant (start plus the duration, in real time).
    pub ends_at: DateTime<Utc>,
    /// Its role in the evaluation plan.
    pub phase: Option<Phase>,
}

/// An occurrence of the rule that fell on a day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDate {
    /// The date of the occurrence.
    pub date: NaiveDate,
    /// Why it is off.
    pub day_off: DayOff,
    /// Under `shift`, the working day it moved to.
    pub shifted_to: Option<NaiveDate>,
}

/// The outcome of planning.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Sessions in time order, numbered from 1.
    pub sessions: Vec<PlannedSession>,
    /// Occurrences dropped (skip) or moved (shift) because of days off, in date order.
    pub skipped: Vec<SkippedDate>,
}

impl Plan {
    /// Renumbers the sessions to start at `first_index` in a series of `total` sessions, and
    /// sets their phases accordingly (used when a series is re-planned from session k).
    pub fn renumber(&mut self, first_index: u32, total: u32) {
        for (offset, session) in (0u32..).zip(self.sessions.iter_mut()) {
            session.index = first_index + offset;
            session.phase = phase_of(session.index, total);
        }
    }
}

impl Schedule {
    /// The local instant at which planning stops looking.
    fn horizon(&self) -> NaiveDateTime {
        let days = horizon_days(self.recurrence.pattern(), self.recurrence.end());
        self.first_start.checked_add_signed(TimeDelta::days(days)).unwrap_or(NaiveDateTime::MAX)
    }

    /// Plans the series against the days off.
    pub fn plan(&self, days_off: &DaysOff) -> Result<Plan, FieldError> {
        let horizon = self.horizon();
        let raw = self.recurrence.wall_times(self.first_start, horizon);
        let wanted = match self.recurrence.end() {
            End::Count(count) => Some(usize::from(count)),
            End::Until(_) => None,
        };
        let (wall_times, skipped) = apply_policy(raw, wanted, self.holiday_policy, days_off);
        if let Some(wanted) = wanted
            && wall_times.len() < wanted
        {
            return Err(FieldError::new(
                "recurrence",
                format!(
                    "only {} of {wanted} sessions fit before {}: too many fall on holidays or closures, or the rule has too few dates",
                    wall_times.len(),
                    horizon.date()
                ),
            ));
        }
        if wall_times.is_empty() {
            return Err(FieldError::new("recurrence", "no session falls between first_start and until"));
        }
        let total = u32::try_from(wall_times.len()).unwrap_or(u32::MAX);
        let sessions = (1u32..)
            .zip(wall_times)
            .map(|(index, (rule, local))| PlannedSession { rule_start: rule, ..self.session(index, total, local) })
            .collect();
        Ok(Plan { sessions, skipped })
    }

    /// A session of this schedule starting at the local wall time `local`.
    pub fn session(&self, index: u32, total: u32, local: NaiveDateTime) -> PlannedSession {
        let starts_at = self.timezone.resolve_utc(local);
        PlannedSession {
            index,
            local_start: local,
            rule_start: local,
            starts_at,
            ends_at: starts_at + self.duration.delta(),
            phase: phase_of(index, total),
        }
    }

    /// Wall times where a make-up session could go: the rule's occurrences after `after`
    /// (the current last session), skipping days off unless the policy is `keep`. The caller
    /// takes the first one free of conflicts.
    pub fn makeup_candidates<'a>(
        &self,
        after: NaiveDateTime,
        days_off: &'a DaysOff,
    ) -> impl Iterator<Item = NaiveDateTime> + 'a {
        let keep = self.holiday_policy == HolidayPolicy::Keep;
        // The contract's sessions must still happen, so an `until` does not stop a make-up.
        let open = self.recurrence.with_end(End::Count(1));
        open.wall_times(self.first_start, self.horizon())
            .skip_while(move |t| *t <= after)
            .filter(move |t| keep || !days_off.is_off(t.date()))
    }
}

/// Applies a holiday policy to the raw occurrences of a rule. With `wanted`, stops once that
/// many are kept (so `skip` appends); without, takes every raw occurrence. Gives each kept
/// session as (rule occurrence, actual wall time), in time order.
///
/// Shared by planning and slot search so that both follow one rule.
pub(crate) fn apply_policy(
    raw: impl Iterator<Item = NaiveDateTime>,
    wanted: Option<usize>,
    policy: HolidayPolicy,
    days_off: &DaysOff,
) -> (Vec<(NaiveDateTime, NaiveDateTime)>, Vec<SkippedDate>) {
    let mut kept = Vec::with_capacity(wanted.unwrap_or(16));
    let mut skipped = Vec::new();
    match policy {
        HolidayPolicy::Keep => kept.extend(raw.take(wanted.unwrap_or(usize::MAX)).map(|t| (t, t))),
        HolidayPolicy::Skip => {
            for time in raw {
                if wanted.is_some_and(|w| kept.len() >= w) {
                    break;
                }
                match days_off.off(time.date()) {
                    Some(day_off) => skipped.push(SkippedDate { date: time.date(), day_off, shifted_to: None }),
                    None => kept.push((time, time)),
                }
            }
        }
        HolidayPolicy::Shift => {
            // Shift keeps the count, so exactly `wanted` raw occurrences are needed. A moved
            // session must not land on a day that already has one of the series' occurrences.
            let raw: Vec<NaiveDateTime> = raw.take(wanted.unwrap_or(usize::MAX)).collect();
            let mut taken: HashSet<NaiveDate> = raw.iter().map(NaiveDateTime::date).collect();
            for time in raw {
                let Some(day_off) = days_off.off(time.date()) else {
                    kept.push((time, time));
                    continue;
                };
                let mut day = time.date();
                loop {
                    day = day.succ_opt().unwrap_or(NaiveDate::MAX);
                    if day == NaiveDate::MAX || (days_off.is_working_day(day) && !taken.contains(&day)) {
                        break;
                    }
                }
                taken.insert(day);
                skipped.push(SkippedDate { date: time.date(), day_off, shifted_to: Some(day) });
                kept.push((time, day.and_time(time.time())));
            }
            kept.sort_by_key(|(_, actual)| *actual);
        }
    }
    (kept, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days_off::Closure;
    use crate::recurrence::Recurrence;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn schedule(first: &str, interval: u8, count: u16, policy: HolidayPolicy) -> Schedule {
        let first_start = at(first);
        Schedule {
            first_start,
            timezone: TimeZone::HELSINKI,
            duration: SessionDuration::from_minutes("d", 90).unwrap(),
            recurrence: Recurrence::weekly(interval, End::Count(count), first_start).unwrap(),
            holiday_policy: policy,
        }
    }

    #[test]
    fn ten_sessions_every_three_weeks_keep_local_time() {
        let plan = schedule("2027-01-12T13:00", 3, 10, HolidayPolicy::Skip).plan(&DaysOff::holidays_only()).unwrap();
        assert_eq!(plan.sessions.len(), 10);
        for session in &plan.sessions {
            assert_eq!(TimeZone::HELSINKI.local(session.starts_at).format("%H:%M").to_string(), "13:00");
        }
        assert_eq!(plan.sessions[0].phase, Some(Phase::GoalSetting));
        assert_eq!(plan.sessions[4].phase, Some(Phase::MidpointReview));
        assert_eq!(plan.sessions[9].phase, Some(Phase::FinalReview));
    }

    #[test]
    fn skip_appends_and_shift_moves() {
        // Thursdays from 2027-04-29: 2027-05-06 is Ascension Day.
        let skip = schedule("2027-04-29T10:00", 1, 3, HolidayPolicy::Skip).plan(&DaysOff::holidays_only()).unwrap();
        let days: Vec<String> = skip.sessions.iter().map(|s| s.local_start.date().to_string()).collect();
        assert_eq!(days, ["2027-04-29", "2027-05-13", "2027-05-20"]);
        assert_eq!(skip.skipped[0].day_off.name(), Some("Helatorstai"));

        let shift = schedule("2027-04-29T10:00", 1, 3, HolidayPolicy::Shift).plan(&DaysOff::holidays_only()).unwrap();
        let days: Vec<String> = shift.sessions.iter().map(|s| s.local_start.date().to_string()).collect();
        assert_eq!(days, ["2027-04-29", "2027-05-07", "2027-05-13"]);
        assert_eq!(shift.skipped[0].shifted_to.map(|d| d.to_string()).as_deref(), Some("2027-05-07"));

        let keep = schedule("2027-04-29T10:00", 1, 3, HolidayPolicy::Keep).plan(&DaysOff::holidays_only()).unwrap();
        assert_eq!(keep.sessions[1].local_start.date().to_string(), "2027-05-06");
        assert!(keep.skipped.is_empty());
    }

    #[test]
    fn closures_skip_summer() {
        let summer = Closure::new("", at("2027-06-28T00:00").date(), at("2027-08-08T00:00").date(), None).unwrap();
        let plan = schedule("2027-06-07T09:00", 1, 6, HolidayPolicy::Skip).plan(&DaysOff::new(vec![summer])).unwrap();
        let days: Vec<String> = plan.sessions.iter().map(|s| s.local_start.date().to_string()).collect();
        assert_eq!(days, ["2027-06-07", "2027-06-14", "2027-06-21", "2027-08-09", "2027-08-16", "2027-08-23"]);
        assert_eq!(plan.skipped.len(), 6);
    }

    #[test]
    fn a_year_closed_is_an_error() {
        let closures = (0..6)
            .map(|y| {
                let start = NaiveDate::from_ymd_opt(2027 + y, 1, 1).unwrap();
                Closure::new("", start, start + chrono::TimeDelta::days(364), None).unwrap()
            })
            .collect();
        let error = schedule("2027-01-12T13:00", 1, 10, HolidayPolicy::Skip).plan(&DaysOff::new(closures)).unwrap_err();
        assert_eq!(error.field, "recurrence");
    }

    #[test]
    fn a_long_counted_series_plans_in_full() {
        // 200 sessions every four weeks take fifteen years; planning used to stop after five
        // and report that the rest fell on holidays.
        let plan = schedule("2027-01-12T13:00", 4, 200, HolidayPolicy::Skip).plan(&DaysOff::holidays_only()).unwrap();
        assert_eq!(plan.sessions.len(), 200);
        let tuesdays = (0..).map(|i| at("2027-01-12T13:00") + TimeDelta::weeks(4 * i));
        let free: Vec<NaiveDateTime> =
            tuesdays.filter(|t| !DaysOff::holidays_only().is_off(t.date())).take(200).collect();
        assert_eq!(plan.sessions.iter().map(|s| s.local_start).collect::<Vec<_>>(), free);
        assert_eq!(plan.sessions[199].local_start.date().to_string(), "2042-09-30");
        // A make-up after the last session is still found.
        let long = schedule("2027-01-12T13:00", 4, 200, HolidayPolicy::Skip);
        let days_off = DaysOff::holidays_only();
        let last = plan.sessions[199].local_start;
        assert!(long.makeup_candidates(last, &days_off).next().is_some_and(|t| t > last));
    }

    #[test]
    fn a_monthly_rule_often_on_a_holiday_still_plans() {
        // The fourth Friday of June is Midsummer Eve in most years, and the fourth Friday of
        // December Christmas Eve or Day in some: skip appends many.
        let first_start = at("2027-06-01T10:00");
        let recurrence = Recurrence::new(
            crate::recurrence::Pattern::Monthly { interval: 6, nth: 4, weekday: chrono::Weekday::Fri },
            End::Count(20),
            first_start,
        )
        .unwrap();
        let schedule = Schedule { recurrence, ..schedule("2027-06-01T10:00", 1, 1, HolidayPolicy::Skip) };
        let plan = schedule.plan(&DaysOff::holidays_only()).unwrap();
        assert_eq!(plan.sessions.len(), 20);
        assert!(plan.skipped.len() >= 5, "{:?}", plan.skipped);
    }

    #[test]
    fn until_before_the_rule_meets_is_an_error() {
        // First start on Monday, Fridays only, until that Monday: nothing to plan.
        let first_start = at("2027-01-11T10:00");
        let recurrence = Recurrence::new(
            crate::recurrence::Pattern::Weekly { interval: 1, weekdays: vec![chrono::Weekday::Fri] },
            End::Until(first_start.date()),
            first_start,
        )
        .unwrap();
        let schedule = Schedule { recurrence, ..schedule("2027-01-11T10:00", 1, 1, HolidayPolicy::Skip) };
        let error = schedule.plan(&DaysOff::holidays_only()).unwrap_err();
        assert_eq!(error.field, "recurrence");
        assert!(error.message.contains("no session"), "{}", error.message);
    }

    #[test]
    fn shift_crosses_the_year_end() {
        // Friday 2027-12-24 is Christmas Eve; the office is closed 27–31 December; 1 January
        // 2028 is a Saturday. The session moves to Monday 3 January, after the next one (31
        // December, closed, also moved: to Tuesday 4 January).
        let closure = Closure::new("", at("2027-12-27T00:00").date(), at("2027-12-31T00:00").date(), None).unwrap();
        let plan = schedule("2027-12-17T10:00", 1, 4, HolidayPolicy::Shift).plan(&DaysOff::new(vec![closure])).unwrap();
        let days: Vec<String> = plan.sessions.iter().map(|s| s.local_start.date().to_string()).collect();
        assert_eq!(days, ["2027-12-17", "2028-01-03", "2028-01-04", "2028-01-07"]);
        let rules: Vec<String> = plan.sessions.iter().map(|s| s.rule_start.date().to_string()).collect();
        assert_eq!(rules, ["2027-12-17", "2027-12-24", "2027-12-31", "2028-01-07"]);
        assert_eq!(plan.sessions[1].local_start.time(), at("2027-12-17T10:00").time());
    }

    #[test]
    fn a_first_start_in_a_gap_or_the_overlap() {
        // 03:30 on 2027-03-28 does not exist in Helsinki: the first session is at 04:30 (+03),
        // the next ones at 03:30 (+03) as planned.
        let plan = schedule("2027-03-28T03:30", 1, 2, HolidayPolicy::Keep).plan(&DaysOff::holidays_only()).unwrap();
        let shown: Vec<String> = plan.sessions.iter().map(|s| TimeZone::HELSINKI.rfc3339(s.starts_at)).collect();
        assert_eq!(shown, ["2027-03-28T04:30:00+03:00", "2027-04-04T03:30:00+03:00"]);
        assert_eq!(plan.sessions[0].local_start, at("2027-03-28T03:30"));
        // 03:30 on 2027-10-31 happens twice: the first, summer time.
        let plan = schedule("2027-10-31T03:30", 1, 2, HolidayPolicy::Keep).plan(&DaysOff::holidays_only()).unwrap();
        let shown: Vec<String> = plan.sessions.iter().map(|s| TimeZone::HELSINKI.rfc3339(s.starts_at)).collect();
        assert_eq!(shown, ["2027-10-31T03:30:00+03:00", "2027-11-07T03:30:00+02:00"]);
    }

    #[test]
    fn makeup_goes_to_next_free_occurrence() {
        let schedule = schedule("2027-04-22T10:00", 1, 2, HolidayPolicy::Skip);
        let days_off = DaysOff::holidays_only();
        let next: Vec<_> = schedule.makeup_candidates(at("2027-04-29T10:00"), &days_off).take(2).collect();
        assert_eq!(next, vec![at("2027-05-13T10:00"), at("2027-05-20T10:00")]);
    }
}
