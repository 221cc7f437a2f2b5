//! Daylight saving: a series keeps its local wall time on both sides of every change; a time
//! in a gap moves forward by the gap, an ambiguous one takes the earlier offset
//! ([`TimeZone::resolve`]). Lord Howe Island joins the zones for its half-hour changes.

use super::{config, date_in, dst_zone, quarter_hour};
use crate::days_off::DaysOff;
use crate::duration::SessionDuration;
use crate::kind::HolidayPolicy;
use crate::plan::Schedule;
use crate::recurrence::{End, Pattern, Recurrence};
use crate::zone::TimeZone;
use chrono::{Datelike, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone as _, Utc};
use proptest::prelude::*;

/// Clocks change on Sunday nights in all the zones tested (01:00–04:00 local), so a Sunday
/// night is chosen most of the time, to cross gaps and overlaps often; any other time checks
/// the plain case. chrono-tz has no daylight saving after 2099, so later years are rarer.
fn first_start() -> impl Strategy<Value = (NaiveDate, NaiveTime)> {
    let night = (4u32..16).prop_map(|q| NaiveTime::from_hms_opt(q / 4, q % 4 * 15, 0).unwrap());
    let day = prop_oneof![4 => date_in(1990, 2099), 1 => date_in(2100, 2150)];
    (day, prop_oneof![1 => quarter_hour(), 3 => night], proptest::bool::weighted(0.8)).prop_map(
        |(day, time, sunday)| {
            let day =
                if sunday { day + TimeDelta::days(i64::from(6 - day.weekday().num_days_from_monday())) } else { day };
            (day, time)
        },
    )
}

/// The offset in force one day before `at`: before any change that `at` is just after (the
/// zones tested change at most twice a year).
fn offset_before(zone: TimeZone, at: chrono::DateTime<Utc>) -> TimeDelta {
    let before = zone.tz().offset_from_utc_datetime(&(at - TimeDelta::days(1)).naive_utc());
    TimeDelta::seconds(i64::from(before.fix().local_minus_utc()))
}

fn offset_at(zone: TimeZone, at: chrono::DateTime<Utc>) -> TimeDelta {
    TimeDelta::seconds(i64::from(zone.local(at).offset().fix().local_minus_utc()))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn local_time_is_kept_across_every_change(
        (day, time) in first_start(),
        zone in prop_oneof![4 => dst_zone(), 1 => Just(super::zone("Australia/Lord_Howe"))],
        interval in 1u8..=2,
        count in 20u16..=60,
        policy in proptest::sample::select(vec![HolidayPolicy::Skip, HolidayPolicy::Shift, HolidayPolicy::Keep]),
    ) {
        let first = day.and_time(time);
        let schedule = Schedule {
            first_start: first,
            timezone: zone,
            duration: SessionDuration::from_minutes("d", 90).unwrap(),
            recurrence: Recurrence::new(Pattern::Weekly { interval, weekdays: vec![] }, End::Count(count), first).unwrap(),
            holiday_policy: policy,
        };
        let plan = schedule.plan(&DaysOff::holidays_only()).unwrap();
        prop_assert_eq!(plan.sessions.len(), usize::from(count));
        for session in &plan.sessions {
            prop_assert_eq!(session.local_start.time(), time, "the plan keeps the wall time");
            prop_assert_eq!(session.ends_at - session.starts_at, TimeDelta::minutes(90));
            let shown = zone.local(session.starts_at).naive_local();
            match zone.tz().from_local_datetime(&session.local_start) {
                LocalResult::Single(_) => prop_assert_eq!(shown, session.local_start),
                LocalResult::Ambiguous(earlier, later) => {
                    prop_assert!(earlier < later);
                    prop_assert_eq!(session.starts_at, earlier.with_timezone(&Utc), "the earlier offset");
                }
                LocalResult::None => {
                    // In a gap: forward by the gap's length (the offset after minus before).
                    let gap = offset_at(zone, session.starts_at) - offset_before(zone, session.starts_at);
                    prop_assert!(gap > TimeDelta::zero());
                    prop_assert_eq!(shown, session.local_start + gap, "{} in a gap of {}", session.local_start, gap);
                }
            }
        }
    }
}

/// Every spring-forward and fall-back of 2027 in the zones tested, at the times that fall in
/// the gap, in the repeated hour, and just around them.
#[test]
fn every_change_of_2027_explicitly() {
    for name in super::DST_ZONES {
        let zone = super::zone(name);
        let mut changes = 0;
        let mut day = NaiveDate::from_ymd_opt(2027, 1, 3).unwrap(); // a Sunday
        while day.year() == 2027 {
            let noon = zone.resolve_utc(day.and_hms_opt(12, 0, 0).unwrap());
            if offset_at(zone, noon) != offset_before(zone, noon) {
                changes += 1;
                for q in 0..20 {
                    let wall = day.and_hms_opt(q / 4, q % 4 * 15, 0).unwrap();
                    let at = zone.resolve_utc(wall);
                    let shown = zone.local(at).naive_local();
                    match zone.tz().from_local_datetime(&wall) {
                        LocalResult::Single(_) => assert_eq!(shown, wall, "{name} {wall}"),
                        LocalResult::Ambiguous(earlier, _) => assert_eq!(at, earlier.with_timezone(&Utc)),
                        LocalResult::None => assert_eq!(shown, wall + TimeDelta::hours(1), "{name} {wall}"),
                    }
                }
            }
            day += TimeDelta::days(7);
        }
        assert_eq!(changes, 2, "{name} changes twice in 2027");
    }
}
