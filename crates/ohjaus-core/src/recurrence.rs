//! Recurrence of a series — weekly every k weeks (optionally on given weekdays) or monthly on
//! the nth weekday — and its expansion in local wall time with the `rrule` crate.
//!
//! Expansion runs on the *wall clock*: the rule is expanded as if the zone were UTC, so 13:00
//! stays 13:00 whatever the daylight-saving offset, and each wall time is then turned into an
//! instant by [`TimeZone::resolve`](crate::TimeZone::resolve) (the RFC 5545 gap and overlap
//! rules). This also avoids the `rrule` crate's refusal of a DTSTART inside a gap.

use crate::error::{Collector, FieldError};
use crate::zone::TimeZone;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// How often a series recurs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// Every `interval` weeks, on `weekdays` (empty: the weekday of the first start).
    Weekly {
        /// Weeks between occurrences, 1–52.
        interval: u8,
        /// The weekdays, sorted from Monday, without repeats.
        weekdays: Vec<Weekday>,
    },
    /// Every `interval` months on the `nth` `weekday` (`-1` is the last).
    Monthly {
        /// Months between occurrences, 1–12.
        interval: u8,
        /// 1–5, or -1 to -5 counting from the end of the month.
        nth: i8,
        /// The weekday.
        weekday: Weekday,
    },
}

/// Where a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum End {
    /// After this many sessions (1–200).
    Count(u16),
    /// On this local date at the latest (inclusive), at most three years after the first start.
    Until(NaiveDate),
}

/// A validated recurrence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recurrence {
    pattern: Pattern,
    end: End,
}

/// Most sessions one series may have.
pub const MAX_COUNT: u16 = 200;
/// How far after the first start an `until` date may lie.
pub const MAX_UNTIL_YEARS: u32 = 3;

impl Recurrence {
    /// A recurrence from checked parts; `first_start` bounds an `until` date.
    pub fn new(pattern: Pattern, end: End, first_start: NaiveDateTime) -> Result<Self, FieldError> {
        match &pattern {
            Pattern::Weekly { interval, .. } if !(1..=52).contains(interval) => {
                return Err(FieldError::new("interval", "must be between 1 and 52 weeks"));
            }
            Pattern::Monthly { interval, .. } if !(1..=12).contains(interval) => {
                return Err(FieldError::new("interval", "must be between 1 and 12 months"));
            }
            Pattern::Monthly { nth, .. } if *nth == 0 || !(-5..=5).contains(nth) => {
                return Err(FieldError::new("by_weekday", "the week number must be 1 to 5 or -1 to -5"));
            }
            _ => {}
        }
        match end {
            End::Count(count) if !(1..=MAX_COUNT).contains(&count) => {
                return Err(FieldError::new("count", format!("must be between 1 and {MAX_COUNT}")));
            }
            End::Until(until) => {
                let first = first_start.date();
                if until < first {
                    return Err(FieldError::new("until", "must not be before the first start"));
                }
                let latest = first.checked_add_months(Months::new(12 * MAX_UNTIL_YEARS)).unwrap_or(NaiveDate::MAX);
                if until > latest {
                    return Err(FieldError::new(
                        "until",
                        format!(
                            "must be at most {MAX_UNTIL_YEARS} years after the first start ({latest} at the latest)"
                        ),
                    ));
                }
            }
            End::Count(_) => {}
        }
        let pattern = match pattern {
            Pattern::Weekly { interval, mut weekdays } => {
                weekdays.sort_by_key(Weekday::num_days_from_monday);
                weekdays.dedup();
                Pattern::Weekly { interval, weekdays }
            }
            monthly => monthly,
        };
        Ok(Self { pattern, end })
    }

    /// Weekly every `interval` weeks on the weekday of the first start.
    pub fn weekly(interval: u8, end: End, first_start: NaiveDateTime) -> Result<Self, FieldError> {
        Self::new(Pattern::Weekly { interval, weekdays: Vec::new() }, end, first_start)
    }

    /// The pattern.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The end.
    pub fn end(&self) -> End {
        self.end
    }

    /// The same pattern with another end.
    #[must_use]
    pub fn with_end(&self, end: End) -> Self {
        Self { pattern: self.pattern.clone(), end }
    }

    /// The `RRULE` value (without `RRULE:`), for a series whose first start is `first_start` in
    /// `zone`. `UNTIL` is the end of the until date in UTC, as RFC 5545 requires with a TZID.
    pub fn to_rrule(&self, zone: TimeZone) -> String {
        let mut text = String::with_capacity(48);
        match &self.pattern {
            Pattern::Weekly { interval, weekdays } => {
                let _ = write!(text, "FREQ=WEEKLY;INTERVAL={interval}");
                if !weekdays.is_empty() {
                    text.push_str(";BYDAY=");
                    let codes: Vec<&str> = weekdays.iter().map(|d| weekday_code(*d)).collect();
                    text.push_str(&codes.join(","));
                }
            }
            Pattern::Monthly { interval, nth, weekday } => {
                let _ = write!(text, "FREQ=MONTHLY;INTERVAL={interval};BYDAY={nth}{}", weekday_code(*weekday));
            }
        }
        match self.end {
            End::Count(count) => {
                let _ = write!(text, ";COUNT={count}");
            }
            End::Until(until) => {
                let _ = write!(text, ";UNTIL={}", end_of_day_utc(until, zone).format("%Y%m%dT%H%M%SZ"));
            }
        }
        text
    }

    /// Parses an `RRULE` value this module wrote (the stored form of a series).
    pub fn from_rrule(text: &str, zone: TimeZone, first_start: NaiveDateTime) -> Result<Self, FieldError> {
        let invalid = |what: &str| FieldError::new("rrule", format!("{what} in {text:?}"));
        let mut freq = None;
        let mut interval = 1u8;
        let mut byday: Vec<&str> = Vec::new();
        let mut end = None;
        for part in text.trim().trim_start_matches("RRULE:").split(';') {
            let (key, value) = part.split_once('=').ok_or_else(|| invalid("a part without '='"))?;
            match key {
                "FREQ" => freq = Some(value),
                "INTERVAL" => interval = value.parse().map_err(|_| invalid("a bad INTERVAL"))?,
                "BYDAY" => byday = value.split(',').collect(),
                "COUNT" => end = Some(End::Count(value.parse().map_err(|_| invalid("a bad COUNT"))?)),
                "UNTIL" => {
                    let utc = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
                        .map_err(|_| invalid("a bad UTC UNTIL"))?;
                    end = Some(End::Until(zone.local(chrono::Utc.from_utc_datetime(&utc)).date_naive()));
                }
                _ => return Err(invalid("an unsupported part")),
            }
        }
        let end = end.ok_or_else(|| invalid("neither COUNT nor UNTIL"))?;
        let pattern = match freq {
            Some("WEEKLY") => Pattern::Weekly {
                interval,
                weekdays: byday
                    .iter()
                    .map(|code| parse_weekday(code).ok_or_else(|| invalid("a bad BYDAY")))
                    .collect::<Result<_, _>>()?,
            },
            Some("MONTHLY") => {
                let [code] = byday.as_slice() else { return Err(invalid("a monthly rule needs one BYDAY")) };
                let (nth, weekday) = parse_nth_weekday(code).ok_or_else(|| invalid("a bad BYDAY"))?;
                Pattern::Monthly { interval, nth, weekday }
            }
            _ => return Err(invalid("an unsupported FREQ")),
        };
        Self::new(pattern, end, first_start)
    }

    /// The wall times of the rule from `first_start` on, without end: the policies decide how
    /// many are kept. The first is the first occurrence of the rule at or after `first_start`
    /// (equal to it when `first_start` matches the rule). Stops after `horizon`.
    pub fn wall_times(
        &self,
        first_start: NaiveDateTime,
        horizon: NaiveDateTime,
    ) -> impl Iterator<Item = NaiveDateTime> + use<> {
        let mut rule = match &self.pattern {
            Pattern::Weekly { interval, weekdays } => {
                let days = if weekdays.is_empty() { vec![first_start.weekday()] } else { weekdays.clone() };
                rrule::RRule::new(rrule::Frequency::Weekly)
                    .interval(u16::from(*interval))
                    .by_weekday(days.into_iter().map(rrule::NWeekday::Every).collect())
            }
            // The rrule crate refuses `-5` in a monthly BYDAY (it allows -4..=5). The fifth
            // weekday from the end is the fifth-last of that weekday's dates in the month,
            // which BYSETPOS says in a form the crate takes (and months with four have none).
            Pattern::Monthly { interval, nth: -5, weekday } => rrule::RRule::new(rrule::Frequency::Monthly)
                .interval(u16::from(*interval))
                .by_weekday(vec![rrule::NWeekday::Every(*weekday)])
                .by_set_pos(vec![-5]),
            Pattern::Monthly { interval, nth, weekday } => rrule::RRule::new(rrule::Frequency::Monthly)
                .interval(u16::from(*interval))
                .by_weekday(vec![rrule::NWeekday::Nth(i16::from(*nth), *weekday)]),
        };
        // The pattern starts the week on Monday, as Finnish calendars do (matters for
        // multi-weekday rules with an interval).
        rule = rule.week_start(Weekday::Mon);
        let as_wall = |t: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&t);
        let until = match self.end {
            End::Until(until) => until.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
            End::Count(_) => horizon,
        }
        .min(horizon);
        // Building can only fail for rules this module never makes (validated above); an
        // empty expansion is then the safe answer and the caller reports "no sessions".
        let set = rule.until(as_wall(until.max(first_start))).build(as_wall(first_start)).ok();
        // The set's iterator owns what it needs, so it outlives the set it came from.
        set.map(|set| (&set).into_iter()).into_iter().flatten().map(|t| t.naive_utc())
    }
}

/// The last second of the local date `day` in `zone`, in UTC: the instant of the next midnight
/// less one second. (Resolving 23:59:59 instead goes wrong where a clock change skips it:
/// America/Nuuk springs forward at 23:00, so 23:59:59 would move past midnight, to the next
/// day.)
fn end_of_day_utc(day: NaiveDate, zone: TimeZone) -> chrono::DateTime<chrono::Utc> {
    match day.succ_opt() {
        Some(next) => zone.resolve_utc(next.and_time(NaiveTime::MIN)) - chrono::TimeDelta::seconds(1),
        None => zone.resolve_utc(day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))),
    }
}

/// The two-letter iCalendar code of a weekday.
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The three-letter wire name of a weekday (`mon` … `sun`).
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// A weekday from `MO`/`mon`/`Monday` (any case).
pub fn parse_weekday(value: &str) -> Option<Weekday> {
    let lower = value.trim().to_ascii_lowercase();
    match lower.as_str() {
        "mo" | "mon" | "monday" => Some(Weekday::Mon),
        "tu" | "tue" | "tuesday" => Some(Weekday::Tue),
        "we" | "wed" | "wednesday" => Some(Weekday::Wed),
        "th" | "thu" | "thursday" => Some(Weekday::Thu),
        "fr" | "fri" | "friday" => Some(Weekday::Fri),
        "sa" | "sat" | "saturday" => Some(Weekday::Sat),
        "su" | "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

/// `2TU` → (2, Tuesday), `-1FR` → (-1, Friday).
pub fn parse_nth_weekday(value: &str) -> Option<(i8, Weekday)> {
    let value = value.trim();
    if value.len() < 3 || !value.is_ascii() {
        return None;
    }
    let (number, code) = value.split_at(value.len() - 2);
    let nth: i8 = number.trim_start_matches('+').parse().ok()?;
    if nth == 0 || !(-5..=5).contains(&nth) {
        return None;
    }
    Some((nth, parse_weekday(code)?))
}

/// The recurrence as it arrives in a series body:
/// `{"frequency": "weekly", "interval": 3, "count": 10}` or
/// `{"frequency": "monthly", "by_weekday": "2TU", "until": "2027-12-31"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecurrenceBody {
    /// `weekly` or `monthly`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Frequency))]
    pub frequency: String,
    /// Weeks (or months) between occurrences; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 52))]
    pub interval: Option<i64>,
    /// Number of sessions, 1–200 (or `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 200))]
    pub count: Option<i64>,
    /// Last possible date, `YYYY-MM-DD` (or `count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<chrono::NaiveDate>))]
    pub until: Option<String>,
    /// Weekly: a list of weekdays (`["tue", "thu"]`); monthly: one nth weekday (`"2TU"`, `"-1FR"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_weekday: Option<ByWeekday>,
}

/// Weekdays as written in a body: one code or several.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ByWeekday {
    /// `"2TU"` or `"tue"`.
    One(String),
    /// `["tue", "thu"]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::WeekdayCode>))]
    Many(Vec<String>),
}

impl RecurrenceBody {
    /// Validates against the series' first start. Field names are relative (`count`,
    /// `interval`…); callers prefix them with `recurrence.`.
    pub fn validate(&self, first_start: NaiveDateTime) -> Result<Recurrence, Vec<FieldError>> {
        let mut errors = Collector::default();
        let interval = match self.interval {
            None => Some(1),
            Some(k) => errors.take(u8::try_from(k).ok().filter(|k| *k >= 1).ok_or_else(|| {
                let limit = if self.frequency == "monthly" { "1 and 12 months" } else { "1 and 52 weeks" };
                FieldError::new("interval", format!("must be between {limit} (is {k})"))
            })),
        };
        let pattern = match self.frequency.as_str() {
            "weekly" => {
                let codes: Vec<String> = match &self.by_weekday {
                    None => Vec::new(),
                    Some(ByWeekday::One(code)) => vec![code.clone()],
                    Some(ByWeekday::Many(codes)) => codes.clone(),
                };
                let mut weekdays = Vec::new();
                for (i, code) in codes.iter().enumerate() {
                    match parse_weekday(code) {
                        Some(day) => weekdays.push(day),
                        None => errors.push(FieldError::new(
                            format!("by_weekday[{i}]"),
                            format!("unknown weekday {code:?} (use mon, tue, wed, thu, fri, sat or sun)"),
                        )),
                    }
                }
                interval.map(|interval| Pattern::Weekly { interval, weekdays })
            }
            "monthly" => {
                let nth = match &self.by_weekday {
                    Some(ByWeekday::One(code)) => errors.take(parse_nth_weekday(code).ok_or_else(|| {
                        FieldError::new("by_weekday", format!("{code:?} is not an nth weekday such as 2TU or -1FR"))
                    })),
                    _ => {
                        errors.push(FieldError::new(
                            "by_weekday",
                            "a monthly recurrence needs one nth weekday such as \"2TU\" or \"-1FR\"",
                        ));
                        None
                    }
                };
                match (interval, nth) {
                    (Some(interval), Some((nth, weekday))) => Some(Pattern::Monthly { interval, nth, weekday }),
                    _ => None,
                }
            }
            other => {
                errors
                    .push(FieldError::new("frequency", format!("unknown frequency {other:?} (use weekly or monthly)")));
                None
            }
        };
        let end =
            match (self.count, &self.until) {
                (Some(_), Some(_)) => {
                    errors.push(FieldError::new("count", "give either count or until, not both"));
                    None
                }
                (None, None) => {
                    errors.push(FieldError::new("count", "give either count (1–200) or until (a date)"));
                    None
                }
                (Some(count), None) => errors.take(
                    u16::try_from(count).ok().filter(|c| (1..=MAX_COUNT).contains(c)).map(End::Count).ok_or_else(
                        || FieldError::new("count", format!("must be between 1 and {MAX_COUNT} (is {count})")),
                    ),
                ),
                (None, Some(until)) => errors.take(
                    NaiveDate::parse_from_str(until, "%Y-%m-%d")
                        .map(End::Until)
                        .map_err(|_| FieldError::new("until", format!("{until:?} is not a date YYYY-MM-DD"))),
                ),
            };
        let (Some(pattern), Some(end)) = (pattern, end) else {
            return Err(errors.finish().err().map(|e| e.errors().to_vec()).unwrap_or_default());
        };
        if !errors.is_clean() {
            return Err(errors.finish().err().map(|e| e.errors().to_vec()).unwrap_or_default());
        }
        Recurrence::new(pattern, end, first_start).map_err(|e| vec![e])
    }
}

impl From<&Recurrence> for RecurrenceBody {
    fn from(recurrence: &Recurrence) -> Self {
        let (frequency, interval, by_weekday) = match &recurrence.pattern {
            Pattern::Weekly { interval, weekdays } => (
                "weekly",
                *interval,
                (!weekdays.is_empty())
                    .then(|| ByWeekday::Many(weekdays.iter().map(|d| weekday_name(*d).to_owned()).collect())),
            ),
            Pattern::Monthly { interval, nth, weekday } => {
                ("monthly", *interval, Some(ByWeekday::One(format!("{nth}{}", weekday_code(*weekday)))))
            }
        };
        let (count, until) = match recurrence.end {
            End::Count(count) => (Some(i64::from(count)), None),
            End::Until(until) => (None, Some(until.to_string())),
        };
        Self { frequency: frequency.to_owned(), interval: Some(i64::from(interval)), count, until, by_weekday }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn weekly_every_three_weeks() {
        let first = at("2027-01-12T13:00");
        let rule = Recurrence::weekly(3, End::Count(10), first).unwrap();
        let times: Vec<_> = rule.wall_times(first, at("2030-01-01T00:00")).take(3).collect();
        assert_eq!(times, vec![first, at("2027-02-02T13:00"), at("2027-02-23T13:00")]);
        assert_eq!(rule.to_rrule(TimeZone::HELSINKI), "FREQ=WEEKLY;INTERVAL=3;COUNT=10");
    }

    #[test]
    fn monthly_second_tuesday_and_last_friday() {
        let first = at("2027-01-12T09:00");
        let rule =
            Recurrence::new(Pattern::Monthly { interval: 1, nth: 2, weekday: Weekday::Tue }, End::Count(3), first)
                .unwrap();
        let times: Vec<_> = rule.wall_times(first, at("2030-01-01T00:00")).take(3).collect();
        assert_eq!(times, vec![first, at("2027-02-09T09:00"), at("2027-03-09T09:00")]);
        assert_eq!(rule.to_rrule(TimeZone::HELSINKI), "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=3");
        let last =
            Recurrence::new(Pattern::Monthly { interval: 1, nth: -1, weekday: Weekday::Fri }, End::Count(2), first)
                .unwrap();
        let times: Vec<_> = last.wall_times(first, at("2030-01-01T00:00")).take(2).collect();
        assert_eq!(times, vec![at("2027-01-29T09:00"), at("2027-02-26T09:00")]);
    }

    #[test]
    fn rrule_text_round_trips() {
        let first = at("2027-01-12T13:00");
        for rule in [
            Recurrence::weekly(2, End::Until(at("2027-12-31T00:00").date()), first).unwrap(),
            Recurrence::new(
                Pattern::Weekly { interval: 1, weekdays: vec![Weekday::Thu, Weekday::Tue] },
                End::Count(20),
                first,
            )
            .unwrap(),
            Recurrence::new(Pattern::Monthly { interval: 2, nth: -1, weekday: Weekday::Fri }, End::Count(6), first)
                .unwrap(),
        ] {
            let text = rule.to_rrule(TimeZone::HELSINKI);
            assert_eq!(Recurrence::from_rrule(&text, TimeZone::HELSINKI, first).unwrap(), rule, "{text}");
        }
    }

    #[test]
    fn fifth_weekdays_only_in_months_that_have_them() {
        // 2027 has five Tuesdays in March, June, August and November.
        let first = at("2027-01-01T09:00");
        let fifth =
            Recurrence::new(Pattern::Monthly { interval: 1, nth: 5, weekday: Weekday::Tue }, End::Count(4), first)
                .unwrap();
        let times: Vec<_> = fifth.wall_times(first, at("2030-01-01T00:00")).take(4).collect();
        assert_eq!(
            times,
            [at("2027-03-30T09:00"), at("2027-06-29T09:00"), at("2027-08-31T09:00"), at("2027-11-30T09:00")]
        );
        // The fifth from the end is the first of those months. The rrule crate refuses BYDAY=-5TU
        // outright; the expansion used to come out empty, so such a series could not be planned.
        let fifth_last =
            Recurrence::new(Pattern::Monthly { interval: 1, nth: -5, weekday: Weekday::Tue }, End::Count(4), first)
                .unwrap();
        let times: Vec<_> = fifth_last.wall_times(first, at("2030-01-01T00:00")).take(4).collect();
        assert_eq!(
            times,
            [at("2027-03-02T09:00"), at("2027-06-01T09:00"), at("2027-08-03T09:00"), at("2027-11-02T09:00")]
        );
        assert_eq!(fifth_last.to_rrule(TimeZone::HELSINKI), "FREQ=MONTHLY;INTERVAL=1;BYDAY=-5TU;COUNT=4");
    }

    #[test]
    fn until_is_the_end_of_its_local_day_even_next_to_a_gap() {
        let first = at("2025-01-04T10:00");
        let until = at("2025-03-29T00:00").date();
        let rule = Recurrence::weekly(1, End::Until(until), first).unwrap();
        assert_eq!(rule.to_rrule(TimeZone::HELSINKI), "FREQ=WEEKLY;INTERVAL=1;UNTIL=20250329T215959Z");
        // Nuuk springs forward from 23:00 to 00:00 on Saturday 2025-03-29, so 23:59:59 does not
        // exist that day; the day ends at 22:59:59 (-02:00). Moving 23:59:59 forward by the gap
        // gave Sunday 00:59:59, a day too late, and the stored rule came back with another date.
        let nuuk = TimeZone::parse("timezone", "America/Nuuk").unwrap();
        let text = rule.to_rrule(nuuk);
        assert_eq!(text, "FREQ=WEEKLY;INTERVAL=1;UNTIL=20250330T005959Z");
        assert_eq!(Recurrence::from_rrule(&text, nuuk, first).unwrap().end(), End::Until(until));
    }

    #[test]
    fn until_before_the_first_date_of_the_rule_expands_to_nothing() {
        // Monday first start, Fridays only, until that Monday.
        let first = at("2027-01-11T10:00");
        let rule = Recurrence::new(
            Pattern::Weekly { interval: 1, weekdays: vec![Weekday::Fri] },
            End::Until(first.date()),
            first,
        )
        .unwrap();
        assert_eq!(rule.wall_times(first, at("2030-01-01T00:00")).count(), 0);
    }

    #[test]
    fn body_validation_names_fields() {
        let first = at("2027-01-12T13:00");
        let body = RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(0),
            count: Some(1000),
            until: None,
            by_weekday: Some(ByWeekday::Many(vec!["xx".into()])),
        };
        let errors = body.validate(first).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["interval", "by_weekday[0]", "count"]);
        // An interval too large for a byte was called "not a positive whole number".
        let far_apart = RecurrenceBody { interval: Some(300), count: Some(5), by_weekday: None, ..body.clone() };
        assert_eq!(far_apart.validate(first).unwrap_err()[0].message, "must be between 1 and 52 weeks (is 300)");
        let monthly = RecurrenceBody {
            frequency: "monthly".into(),
            by_weekday: Some(ByWeekday::One("2TU".into())),
            interval: Some(13),
            ..far_apart
        };
        assert_eq!(monthly.validate(first).unwrap_err()[0].message, "must be between 1 and 12 months");
        let until_far = RecurrenceBody {
            frequency: "weekly".into(),
            interval: None,
            count: None,
            until: Some("2031-01-01".into()),
            by_weekday: None,
        };
        assert_eq!(until_far.validate(first).unwrap_err()[0].field, "until");
    }
}
