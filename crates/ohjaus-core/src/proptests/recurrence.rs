//! Recurrences: the stored RRULE text round-trips; calendar clients expanding it get our
//! dates; the slot search's arithmetic expansion equals the rrule one.

use super::{config, date_in, end_spec, far, pattern, quarter_hour, zone};
use crate::recurrence::{End, Pattern, Recurrence, RecurrenceBody, weekday_code};
use crate::slots::weekly_wall_times;
use crate::zone::TimeZone;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use proptest::prelude::*;

/// Zones with daylight saving at ordinary hours, plus some whose clocks change around
/// midnight (Nuuk springs forward at 23:00 local, Santiago and Havana at midnight).
fn any_zone() -> impl Strategy<Value = TimeZone> {
    proptest::sample::select(vec![
        "Europe/Helsinki",
        "America/New_York",
        "Australia/Sydney",
        "Europe/London",
        "America/Nuuk",
        "America/Santiago",
        "America/Havana",
        "UTC",
    ])
    .prop_map(zone)
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn rrule_text_and_body_round_trip(
        first_date in date_in(1990, 2150),
        time in quarter_hour(),
        pattern in pattern(),
        end in end_spec(),
        zone in any_zone(),
    ) {
        let first = first_date.and_time(time);
        let rule = Recurrence::new(pattern, end.end(first_date), first).unwrap();
        let text = rule.to_rrule(zone);
        prop_assert_eq!(Recurrence::from_rrule(&text, zone, first), Ok(rule.clone()), "{}", text);
        prop_assert_eq!(Recurrence::from_rrule(&format!("RRULE:{text}"), zone, first), Ok(rule.clone()));
        prop_assert_eq!(RecurrenceBody::from(&rule).validate(first), Ok(rule.clone()));
    }

    #[test]
    fn weekly_arithmetic_equals_the_rrule_expansion(
        first_date in date_in(1990, 2150),
        time in quarter_hour(),
        interval in prop_oneof![1u8..=6, 1u8..=52],
        count in 1u16..=200,
        explicit_weekday in any::<bool>(),
    ) {
        let first = first_date.and_time(time);
        let weekdays = if explicit_weekday { vec![first_date.weekday()] } else { vec![] };
        let rule = Recurrence::new(Pattern::Weekly { interval, weekdays }, End::Count(count), first).unwrap();
        let by_rrule: Vec<NaiveDateTime> = rule.wall_times(first, far(first)).take(usize::from(count)).collect();
        let by_arithmetic: Vec<NaiveDateTime> = weekly_wall_times(first, interval).take(usize::from(count)).collect();
        prop_assert_eq!(by_rrule, by_arithmetic);
    }
}

/// The `nth` `weekday` of a month (negative: from the end), if the month has one.
fn nth_weekday(month: NaiveDate, nth: i8, weekday: Weekday) -> Option<NaiveDate> {
    let days: Vec<NaiveDate> =
        month.iter_days().take_while(|d| d.month() == month.month()).filter(|d| d.weekday() == weekday).collect();
    let index =
        if nth > 0 { usize::try_from(nth - 1).ok()? } else { days.len().checked_sub(nth.unsigned_abs().into())? };
    days.get(index).copied()
}

proptest! {
    #![proptest_config(config(300))]

    /// Monthly rules against the calendar itself: every `interval`th month from the first
    /// start's, the nth weekday if the month has one, from the first start on.
    #[test]
    fn monthly_expansion_equals_the_calendar(
        first_date in date_in(1990, 2150),
        time in quarter_hour(),
        interval in 1u8..=12,
        nth in prop_oneof![1i8..=5, -5i8..=-1],
        weekday in super::weekday(),
        count in 1u16..=40,
    ) {
        let first = first_date.and_time(time);
        let rule = Recurrence::new(Pattern::Monthly { interval, nth, weekday }, End::Count(count), first).unwrap();
        let ours: Vec<NaiveDateTime> = rule.wall_times(first, far(first)).take(usize::from(count)).collect();
        let month = first_date.with_day(1).unwrap();
        let expected: Vec<NaiveDateTime> = (0u32..)
            .map(|k| month + Months::new(k * u32::from(interval)))
            .take_while(|m| *m < month + TimeDelta::days(250 * 366))
            .filter_map(|m| nth_weekday(m, nth, weekday))
            .map(|d| d.and_time(time))
            .filter(|t| *t >= first)
            .take(usize::from(count))
            .collect();
        prop_assert_eq!(ours, expected);
    }
}

proptest! {
    #![proptest_config(config(100))]

    /// What a calendar client does with the invitation: DTSTART with a TZID and our RRULE,
    /// expanded by the rrule crate in the zone itself (not on the wall clock, as planning
    /// does). Daytime starts only: the crate refuses a DTSTART in a gap, and clients differ
    /// there anyway.
    #[test]
    fn the_rrule_text_expands_to_the_planned_dates_in_helsinki(
        first_date in date_in(1990, 2090),
        quarter in 32u32..80,
        pattern in pattern(),
        end in end_spec(),
    ) {
        let first = first_date.and_time(NaiveTime::from_hms_opt(quarter / 4, quarter % 4 * 15, 0).unwrap());
        let rule = Recurrence::new(pattern, end.end(first_date), first).unwrap();
        let zone = TimeZone::HELSINKI;
        let text = format!(
            "DTSTART;TZID=Europe/Helsinki:{}\nRRULE:{}",
            first.format("%Y%m%dT%H%M%S"),
            rule.to_rrule(zone)
        );
        // The crate refuses BYDAY=-5TU (valid RFC 5545); it takes the same rule as BYSETPOS.
        let text = match rule.pattern() {
            Pattern::Monthly { nth: -5, weekday, .. } => {
                let code = weekday_code(*weekday);
                text.replace(&format!("BYDAY=-5{code}"), &format!("BYDAY={code};BYSETPOS=-5"))
            }
            _ => text,
        };
        let set: rrule::RRuleSet = text.parse().unwrap();
        let theirs: Vec<NaiveDateTime> = set.all(400).dates.iter().map(|t| t.naive_local()).collect();
        let limit = match rule.end() {
            End::Count(count) => usize::from(count),
            End::Until(_) => usize::MAX,
        };
        let ours: Vec<NaiveDateTime> = rule.wall_times(first, far(first)).take(limit).take(400).collect();
        prop_assert_eq!(theirs, ours, "{}", text);
    }
}
