//! Holiday policies: under `skip` and `shift` no session lands on a holiday or a closure;
//! `skip` keeps the count by appending; `shift` moves to the next free working day.

use super::{EndSpec, closures, config, date_in, end_spec, far, make_closures, pattern, quarter_hour};
use crate::days_off::DaysOff;
use crate::duration::SessionDuration;
use crate::kind::HolidayPolicy;
use crate::plan::Schedule;
use crate::recurrence::{End, Recurrence};
use crate::zone::TimeZone;
use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use std::collections::HashSet;

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn skip_and_shift_never_land_on_a_day_off(
        first_date in date_in(1990, 2150),
        time in quarter_hour(),
        pattern in pattern(),
        end in end_spec(),
        spans in closures(),
        shift in any::<bool>(),
    ) {
        let first = first_date.and_time(time);
        let recurrence = Recurrence::new(pattern, end.end(first_date), first).unwrap();
        let days_off = DaysOff::new(make_closures(first_date, &spans));
        let policy = if shift { HolidayPolicy::Shift } else { HolidayPolicy::Skip };
        let schedule = Schedule {
            first_start: first,
            timezone: TimeZone::HELSINKI,
            duration: SessionDuration::from_minutes("d", 60).unwrap(),
            recurrence: recurrence.clone(),
            holiday_policy: policy,
        };
        // The rule's own dates, from an independent (far) bound, cut at the until date.
        let until = match recurrence.end() {
            End::Until(until) => Some(until),
            End::Count(_) => None,
        };
        let raw: Vec<NaiveDateTime> = recurrence
            .wall_times(first, far(first))
            .take_while(|t| until.is_none_or(|u| t.date() <= u))
            .take(2000)
            .collect();

        let plan = match schedule.plan(&days_off) {
            Ok(plan) => plan,
            Err(error) => {
                // Only an until-bounded series may come out empty, and only when none of its
                // dates is free.
                prop_assert!(until.is_some(), "a counted series must plan: {error}");
                let nothing_free = match policy {
                    HolidayPolicy::Shift => raw.is_empty(),
                    _ => raw.iter().all(|t| days_off.is_off(t.date())),
                };
                prop_assert!(nothing_free, "{error}");
                return Ok(());
            }
        };
        let sessions = &plan.sessions;
        for session in sessions {
            prop_assert!(days_off.off(session.local_start.date()).is_none(), "{} is a day off", session.local_start);
            prop_assert_eq!(session.local_start.time(), time);
        }
        let days: Vec<NaiveDate> = sessions.iter().map(|s| s.local_start.date()).collect();
        prop_assert!(days.windows(2).all(|w| w[0] < w[1]), "sessions in date order, one a day: {days:?}");
        prop_assert!(sessions.iter().zip(1..).all(|(s, i)| s.index == i));

        match (policy, end) {
            (HolidayPolicy::Skip, _) => {
                // Exactly the rule's dates that are not off, in order; a count is kept.
                let free: Vec<NaiveDateTime> = raw.iter().copied().filter(|t| !days_off.is_off(t.date())).collect();
                let expected = match end {
                    EndSpec::Count(count) => &free[..usize::from(count)],
                    EndSpec::UntilAfter(_) => &free[..],
                };
                let starts: Vec<NaiveDateTime> = sessions.iter().map(|s| s.local_start).collect();
                prop_assert_eq!(&starts[..], expected);
                prop_assert!(sessions.iter().all(|s| s.rule_start == s.local_start));
                // What was skipped: the rule's days off (before the last session, when counted).
                let last = starts.last().copied().unwrap();
                let counted = matches!(end, EndSpec::Count(_));
                let skipped: Vec<NaiveDate> = raw
                    .iter()
                    .filter(|t| (!counted || **t < last) && days_off.is_off(t.date()))
                    .map(NaiveDateTime::date)
                    .collect();
                let reported: Vec<NaiveDate> = plan.skipped.iter().map(|s| s.date).collect();
                prop_assert_eq!(reported, skipped);
            }
            (HolidayPolicy::Shift, _) => {
                // Every one of the rule's dates (the first `count`) is kept, moved if off.
                let wanted = match end {
                    EndSpec::Count(count) => usize::from(count),
                    EndSpec::UntilAfter(_) => raw.len(),
                };
                prop_assert_eq!(sessions.len(), wanted);
                let mut rule_starts: Vec<NaiveDateTime> = sessions.iter().map(|s| s.rule_start).collect();
                rule_starts.sort();
                prop_assert_eq!(&rule_starts[..], &raw[..wanted]);
                let rule_days: HashSet<NaiveDate> = raw[..wanted].iter().map(NaiveDateTime::date).collect();
                let session_days: HashSet<NaiveDate> = days.iter().copied().collect();
                for session in sessions {
                    let from = session.rule_start.date();
                    let to = session.local_start.date();
                    if !days_off.is_off(from) {
                        prop_assert_eq!(session.local_start, session.rule_start);
                        continue;
                    }
                    prop_assert!(to > from && days_off.is_working_day(to), "{from} moved to {to}");
                    // The next working day not taken by the series: every day in between is
                    // a weekend, off, or another session's.
                    for day in from.iter_days().skip(1).take_while(|d| *d < to) {
                        prop_assert!(
                            !days_off.is_working_day(day) || rule_days.contains(&day) || session_days.contains(&day),
                            "{from} moved to {to}, past the free {day}"
                        );
                    }
                    let reported = plan.skipped.iter().find(|s| s.date == from).and_then(|s| s.shifted_to);
                    prop_assert_eq!(reported, Some(to));
                }
            }
            (HolidayPolicy::Keep, _) => unreachable!(),
        }
    }
}
