//! Date, date-time, period and duration values (RFC 5545 §3.3.4–3.3.9) as written, before their
//! zone is known.
//!
//! Written by hand: the `icalendar` crate reads these only into its own builder types and
//! `rrule` only its own content lines; neither reads a PERIOD, a TZID'd value list or the
//! lenient forms real feeds contain (a date-time without seconds, lower-case `z`).

use super::content::Property;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// A DATE or DATE-TIME as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// A DATE: an all-day value.
    Date(NaiveDate),
    /// A DATE-TIME without a zone (floating).
    Floating(NaiveDateTime),
    /// A DATE-TIME in UTC (`Z`).
    Utc(NaiveDateTime),
    /// A DATE-TIME with a `TZID` parameter.
    Zoned(NaiveDateTime, String),
}

/// A value of RDATE: a moment, or a PERIOD with its own end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateOrPeriod {
    /// A date or date-time.
    Moment(Written),
    /// A start and an explicit end.
    Period(Written, Written),
    /// A start and a duration.
    PeriodDuration(Written, Duration),
}

/// An RFC 5545 duration: days are nominal (a day keeps the wall time across a DST change),
/// the rest exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Duration {
    /// Whole days (weeks included), signed.
    pub days: i64,
    /// Seconds besides, signed.
    pub seconds: i64,
}

impl Duration {
    /// As one delta of wall-clock time.
    pub fn delta(self) -> TimeDelta {
        TimeDelta::try_days(self.days).unwrap_or(TimeDelta::MAX)
            + TimeDelta::try_seconds(self.seconds).unwrap_or(TimeDelta::MAX)
    }
}

/// Parses one date or date-time of `property` (its `TZID` and `VALUE` parameters applied).
pub(crate) fn written(property: &Property) -> Option<Written> {
    let tzid = property.param("TZID");
    one(property.value.trim(), property.param("VALUE"), tzid)
}

/// Parses every value of a list property (EXDATE, RDATE), PERIODs included; unreadable
/// values are left out and counted in the second element.
pub(crate) fn list(property: &Property) -> (Vec<DateOrPeriod>, usize) {
    let tzid = property.param("TZID");
    let kind = property.param("VALUE");
    let mut values = Vec::new();
    let mut unreadable = 0;
    for item in property.value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        let parsed = match item.split_once('/') {
            Some((start, end)) => {
                let start = one(start, None, tzid);
                let end_value = one(end, None, tzid);
                match (start, end_value) {
                    (Some(start), Some(end)) => Some(DateOrPeriod::Period(start, end)),
                    (Some(start), None) => duration(end).map(|d| DateOrPeriod::PeriodDuration(start, d)),
                    _ => None,
                }
            }
            None if kind.is_some_and(|k| k.eq_ignore_ascii_case("PERIOD")) => None,
            None => one(item, kind, tzid).map(DateOrPeriod::Moment),
        };
        match parsed {
            Some(value) => values.push(value),
            None => unreadable += 1,
        }
    }
    (values, unreadable)
}

fn one(value: &str, kind: Option<&str>, tzid: Option<&str>) -> Option<Written> {
    let value = value.trim();
    let is_date = kind.is_some_and(|k| k.eq_ignore_ascii_case("DATE")) || (value.len() == 8 && !value.contains('T'));
    if is_date {
        return date(value.get(..8)?).map(Written::Date);
    }
    let (text, utc) = match value.strip_suffix('Z').or_else(|| value.strip_suffix('z')) {
        Some(text) => (text, true),
        None => (value, false),
    };
    let (day, time) = text.split_once(['T', 't'])?;
    let at = date(day)?.and_time(clock(time)?);
    Some(if utc {
        Written::Utc(at)
    } else {
        match tzid.map(str::trim).filter(|t| !t.is_empty()) {
            Some(tzid) => Written::Zoned(at, tzid.to_owned()),
            None => Written::Floating(at),
        }
    })
}

/// `YYYYMMDD` (also `YYYY-MM-DD`, which some exporters write).
fn date(text: &str) -> Option<NaiveDate> {
    let digits: String = text.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
}

/// `HHMMSS` (or `HHMM`, or with colons); a leap second 60 reads as 59.
fn clock(text: &str) -> Option<NaiveTime> {
    let digits: String = text.chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour = digits[..2].parse().ok()?;
    let minute = digits[2..4].parse().ok()?;
    let second: u32 = if digits.len() == 6 { digits[4..].parse().ok()? } else { 0 };
    NaiveTime::from_hms_opt(hour, minute, second.min(59))
}

/// Parses a DURATION value, e.g. `PT1H30M`, `P1D`, `-P2W`, `P1DT12H`.
pub(crate) fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let mut result = Duration::default();
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' => number.push(c),
            'T' if number.is_empty() && !in_time => in_time = true,
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                match (unit, in_time) {
                    ('W', false) => result.days = result.days.checked_add(n.checked_mul(7)?)?,
                    ('D', false) => result.days = result.days.checked_add(n)?,
                    ('H', true) => result.seconds = result.seconds.checked_add(n.checked_mul(3600)?)?,
                    ('M', true) => result.seconds = result.seconds.checked_add(n.checked_mul(60)?)?,
                    ('S', true) => result.seconds = result.seconds.checked_add(n)?,
                    _ => return None,
                }
            }
        }
    }
    // No more than a few centuries: a longer "duration" is a mistake, not a busy time.
    let limit = 100_000;
    if !number.is_empty() || !any || result.days.abs() > limit || result.seconds.abs() > limit * 86_400 {
        return None;
    }
    Some(Duration { days: sign * result.days, seconds: sign * result.seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(name: &str, params: &[(&str, &str)], value: &str) -> Property {
        Property {
            name: name.into(),
            params: params.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
            value: value.into(),
        }
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            written(&property("DTSTART", &[("VALUE", "DATE")], "20270101")),
            Some(Written::Date(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()))
        );
        assert_eq!(
            written(&property("DTSTART", &[], "20270101T100000Z")),
            Some(Written::Utc(at("2027-01-01T10:00:00")))
        );
        assert_eq!(
            written(&property("DTSTART", &[("TZID", "FLE Standard Time")], "20270101T1000")),
            Some(Written::Zoned(at("2027-01-01T10:00:00"), "FLE Standard Time".into()))
        );
        assert_eq!(
            written(&property("DTSTART", &[], "20270101T100000")),
            Some(Written::Floating(at("2027-01-01T10:00:00")))
        );
        assert_eq!(written(&property("DTSTART", &[], "2027013")), None);
        assert_eq!(written(&property("DTSTART", &[], "20271301T100000")), None);
    }

    #[test]
    fn lists_and_periods() {
        let (values, unreadable) = list(&property(
            "RDATE",
            &[("VALUE", "PERIOD"), ("TZID", "Europe/Helsinki")],
            "20271213T120000/20271213T150000,20271214T120000/PT1H,nonsense,",
        ));
        assert_eq!(unreadable, 1);
        assert_eq!(
            values,
            [
                DateOrPeriod::Period(
                    Written::Zoned(at("2027-12-13T12:00:00"), "Europe/Helsinki".into()),
                    Written::Zoned(at("2027-12-13T15:00:00"), "Europe/Helsinki".into())
                ),
                DateOrPeriod::PeriodDuration(
                    Written::Zoned(at("2027-12-14T12:00:00"), "Europe/Helsinki".into()),
                    Duration { days: 0, seconds: 3600 }
                ),
            ]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration("PT1H30M"), Some(Duration { days: 0, seconds: 5400 }));
        assert_eq!(duration("P1DT12H"), Some(Duration { days: 1, seconds: 43_200 }));
        assert_eq!(duration("-P2W"), Some(Duration { days: -14, seconds: 0 }));
        assert_eq!(duration("P"), None);
        assert_eq!(duration("PT"), None);
        assert_eq!(duration("P1H"), None);
        assert_eq!(duration("P99999999999999999999D"), None);
    }
}
