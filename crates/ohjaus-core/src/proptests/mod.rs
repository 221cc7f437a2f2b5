//! Property tests of the core: random series, calendars and agendas, checked against the
//! scheduling rules (docs/architecture.md, "Scheduling") and against brute force; random
//! contracts' invoice sums against a decimal recomputation.
//!
//! Case counts are kept moderate (see [`config`]) so that the crate's whole test run stays well
//! under a minute in a debug build on two cores.

mod conflicts;
mod days_off;
mod dst;
mod invoice;
mod recurrence;
mod slots;

use crate::days_off::Closure;
use crate::recurrence::{End, Pattern};
use crate::zone::TimeZone;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use proptest::collection::vec;
use proptest::prelude::*;

/// A proptest configuration running `cases` cases. Failures are not persisted to files: a
/// failing case is printed, and worth turning into a named unit test.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Zones with daylight saving time on both hemispheres and at different local hours.
const DST_ZONES: [&str; 4] = ["Europe/Helsinki", "America/New_York", "Australia/Sydney", "Europe/London"];

fn zone(name: &str) -> TimeZone {
    TimeZone::parse("timezone", name).unwrap()
}

/// One of [`DST_ZONES`].
fn dst_zone() -> impl Strategy<Value = TimeZone> {
    proptest::sample::select(DST_ZONES.to_vec()).prop_map(zone)
}

/// A date in the given years, uniformly.
fn date_in(first_year: i32, last_year: i32) -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap();
    (0..=(last - first).num_days()).prop_map(move |days| first + TimeDelta::days(days))
}

/// A time of day on the quarter hour.
fn quarter_hour() -> impl Strategy<Value = NaiveTime> {
    (0u32..96).prop_map(|q| NaiveTime::from_hms_opt(q / 4, q % 4 * 15, 0).unwrap())
}

fn weekday() -> impl Strategy<Value = Weekday> {
    (0u8..7).prop_map(|day| Weekday::try_from(day).unwrap())
}

/// Weekly (usually every 1–6 weeks, sometimes up to 52, on 0–3 given weekdays) or monthly on
/// an nth weekday (including the fifth and the fifth from the end, which some months lack).
fn pattern() -> impl Strategy<Value = Pattern> {
    let interval = prop_oneof![4 => 1u8..=6, 1 => 7u8..=52];
    prop_oneof![
        3 => (interval, vec(weekday(), 0..=3)).prop_map(|(interval, weekdays)| Pattern::Weekly { interval, weekdays }),
        2 => (1u8..=4, prop_oneof![1i8..=5, -5i8..=-1], weekday())
            .prop_map(|(interval, nth, weekday)| Pattern::Monthly { interval, nth, weekday }),
    ]
}

/// How a generated series ends, relative to its first date.
#[derive(Debug, Clone, Copy)]
enum EndSpec {
    Count(u16),
    /// Days after the first date (at most three years).
    UntilAfter(i64),
}

impl EndSpec {
    fn end(self, first: NaiveDate) -> End {
        match self {
            Self::Count(count) => End::Count(count),
            Self::UntilAfter(days) => End::Until(first + TimeDelta::days(days)),
        }
    }
}

fn end_spec() -> impl Strategy<Value = EndSpec> {
    prop_oneof![
        4 => (1u16..=40).prop_map(EndSpec::Count),
        1 => (41u16..=200).prop_map(EndSpec::Count),
        2 => (0i64..=1095).prop_map(EndSpec::UntilAfter),
    ]
}

/// Up to five closures, each up to 46 days, starting within four years of `first`; they may
/// overlap one another.
fn closures() -> impl Strategy<Value = Vec<(i64, i64)>> {
    vec((0i64..=1460, 0i64..=45), 0..=5)
}

fn make_closures(first: NaiveDate, spans: &[(i64, i64)]) -> Vec<Closure> {
    spans
        .iter()
        .map(|(offset, length)| {
            let start = first + TimeDelta::days(*offset);
            Closure::new("", start, start + TimeDelta::days(*length), None).unwrap()
        })
        .collect()
}

/// A far bound for expanding rules in the tests (independent of the core's own horizon).
fn far(first: NaiveDateTime) -> NaiveDateTime {
    first + TimeDelta::days(250 * 366)
}
