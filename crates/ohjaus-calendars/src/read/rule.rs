//! Recurrence rules (RRULE, RFC 5545 §3.3.10) expanded with the `rrule` crate, in wall time.
//!
//! A rule is expanded in the wall time of its event's zone — handed to `rrule` as if it were
//! UTC, a zone without daylight saving — and each wall time is turned into an instant by the
//! event's zone afterwards. That is RFC 5545's semantics (13:00 stays 13:00 across a DST
//! change; a time in a gap moves forward), works for zones chrono-tz does not know (a feed's
//! own VTIMEZONE), and keeps `rrule` clear of its DST corner cases. UNTIL is applied by the
//! caller, which knows the event's zone.
//!
//! What real feeds write is cleaned before `rrule` reads it: a trailing comma in a list, a
//! negative COUNT (read as no COUNT, as the Python reference does), `X-` parts. An unknown
//! part (`UNTL=…`) makes the rule unreadable: read without it, a rule meant to end would
//! repeat for ever. Expansion is
//! bounded: a rule stops after a number of generated occurrences, so a `FREQ=SECONDLY` rule
//! from 1970 costs a bounded time, and the event says it was cut short.

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use rrule::{RRule, Unvalidated};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// UNTIL as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// A DATE.
    Date(NaiveDate),
    /// A DATE-TIME without `Z`.
    Floating(NaiveDateTime),
    /// A DATE-TIME in UTC.
    Utc(NaiveDateTime),
}

/// A readable rule: the `rrule` rule without its UNTIL, and the UNTIL.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    rule: RRule<Unvalidated>,
    /// UNTIL, applied by the caller.
    pub until: Option<Until>,
}

/// Why a rule could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreadable;

/// Reads an RRULE value.
pub(crate) fn parse(value: &str) -> Result<Rule, Unreadable> {
    // A recurrence rule is ASCII (RFC 5545 §3.3.10). `rrule` 0.14 slices a BYDAY item by bytes
    // and panics on a character of several bytes (`BYDAY=Ωmega`), so such a rule is unreadable
    // before it gets there.
    if !value.is_ascii() {
        return Err(Unreadable);
    }
    let mut parts = Vec::new();
    let mut until = None;
    for part in value.trim().trim_start_matches("RRULE:").split(';') {
        let Some((key, value)) = part.split_once('=') else { continue };
        let key = key.trim().to_ascii_uppercase();
        let value = value.trim();
        match key.as_str() {
            "UNTIL" => until = Some(parse_until(value).ok_or(Unreadable)?),
            "COUNT" if value.starts_with('-') => {}
            "FREQ" | "COUNT" | "INTERVAL" | "BYSECOND" | "BYMINUTE" | "BYHOUR" | "BYDAY" | "BYMONTHDAY"
            | "BYYEARDAY" | "BYWEEKNO" | "BYMONTH" | "BYSETPOS" | "WKST" => {
                let items: Vec<String> =
                    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_ascii_uppercase).collect();
                if items.is_empty() {
                    continue;
                }
                parts.push(format!("{key}={}", items.join(",")));
            }
            // An extension (`X-…`) does not change when the event happens here.
            key if key.starts_with("X-") => {}
            // Anything else (a misspelled UNTIL, say) makes the rule mean something we cannot
            // know: it is unreadable rather than endless.
            _ => return Err(Unreadable),
        }
    }
    let rule: RRule<Unvalidated> = parts.join(";").parse().map_err(|_| Unreadable)?;
    Ok(Rule { rule, until })
}

fn parse_until(value: &str) -> Option<Until> {
    let (text, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(text) => (text, true),
        None => (value, false),
    };
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    match text.split_once(['T', 't']) {
        None => date(text).map(Until::Date),
        Some((day, time)) => {
            let time = chrono::NaiveTime::parse_from_str(time, "%H%M%S").ok()?;
            let at = date(day)?.and_time(time);
            Some(if utc { Until::Utc(at) } else { Until::Floating(at) })
        }
    }
}

/// Wall times a rule generated.
#[derive(Debug, Default)]
pub(crate) struct Expansion {
    /// Occurrences' wall times in `[from, to]`, in order.
    pub walls: Vec<NaiveDateTime>,
    /// Whether the expansion stopped at its budget before reaching `to` (or the rule's end).
    pub cut_short: bool,
    /// Occurrences generated (inside the range or not), against the budget.
    pub generated: usize,
}

impl Rule {
    /// The rule's occurrences from `start` (its DTSTART's wall time) that fall in `[from, to]`,
    /// generating at most `budget` occurrences in all and keeping at most `keep`. `Err` when
    /// `rrule` refuses the rule for this start.
    pub fn expand(
        &self,
        start: NaiveDateTime,
        (from, to): (NaiveDateTime, NaiveDateTime),
        budget: usize,
        keep: usize,
    ) -> Result<Expansion, Unreadable> {
        let dtstart = rrule::Tz::UTC.from_utc_datetime(&start);
        let rule = self.rule.clone().validate(dtstart).map_err(|_| Unreadable)?;
        let set = rrule::RRuleSet::new(dtstart).rrule(rule).limit();
        // `rrule` has panicked on crafted rules before; a feed is untrusted input, and one bad
        // event must not take a worker's sync down with it.
        catch_unwind(AssertUnwindSafe(|| {
            let mut expansion = Expansion::default();
            for at in &set {
                let wall = at.naive_utc();
                if wall > to {
                    return expansion;
                }
                expansion.generated += 1;
                if wall >= from {
                    if expansion.walls.len() >= keep {
                        expansion.cut_short = true;
                        return expansion;
                    }
                    expansion.walls.push(wall);
                }
                if expansion.generated >= budget {
                    expansion.cut_short = true;
                    return expansion;
                }
            }
            expansion
        }))
        .map_err(|_| Unreadable)
    }
}

/// The onsets of a VTIMEZONE observance's yearly rule from `start`, up to `last_year`.
pub(crate) fn observance_onsets(value: &str, start: NaiveDateTime, last_year: i32, max: usize) -> Vec<NaiveDateTime> {
    let Ok(rule) = parse(value) else { return Vec::new() };
    let Some(to) = NaiveDate::from_ymd_opt(last_year, 12, 31).map(|d| d.and_time(chrono::NaiveTime::MIN)) else {
        return Vec::new();
    };
    let until = match rule.until {
        Some(Until::Date(day)) => Some(day.and_time(chrono::NaiveTime::MIN)),
        Some(Until::Floating(at) | Until::Utc(at)) => Some(at),
        None => None,
    };
    rule.expand(start, (start, to), max, max)
        .map(|e| e.walls.into_iter().skip(1).filter(|w| until.is_none_or(|u| *w <= u)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn cleans_what_feeds_write() {
        let rule = parse("FREQ=MONTHLY;COUNT=9;INTERVAL=1;BYDAY=+3WE;BYMONTH=1,2,3,4,5,9,10,11,;X-NAME=1").unwrap();
        let walls =
            rule.expand(at("2023-09-20T12:00"), (at("2023-01-01T00:00"), at("2030-01-01T00:00")), 100, 100).unwrap();
        assert_eq!(walls.walls.len(), 9);
        assert_eq!(walls.walls[3], at("2024-01-17T12:00"));
        let rule = parse("FREQ=WEEKLY;UNTIL=20191023;BYDAY=TH;WKST=SU").unwrap();
        assert_eq!(rule.until, Some(Until::Date(NaiveDate::from_ymd_opt(2019, 10, 23).unwrap())));
        assert!(parse("FREQ=SOMETIMES").is_err());
        assert!(parse("BYDAY=MO").is_err());
        assert!(parse("FREQ=WEEKLY;UNTL=20191023;BYDAY=TH").is_err());
        // Found by the mangled-bytes property test: rrule 0.14 panicked on it.
        assert!(parse("FREQ=WEEKLY;BYDAY=Ωmega").is_err());
        assert!(parse("FREQ=WEEKLY;BYDAY=1Ω").is_err());
        let negative = parse("FREQ=DAILY;COUNT=-1").unwrap();
        let walls = negative
            .expand(at("2027-01-01T10:00"), (at("2027-01-01T00:00"), at("2027-01-10T00:00")), 100, 100)
            .unwrap();
        assert_eq!(walls.walls.len(), 9, "a negative COUNT is no COUNT");
    }

    #[test]
    fn a_bomb_is_cut_short() {
        let rule = parse("FREQ=SECONDLY").unwrap();
        let expansion =
            rule.expand(at("1970-01-01T00:00"), (at("2027-01-01T00:00"), at("2028-01-01T00:00")), 10_000, 100).unwrap();
        assert!(expansion.cut_short);
        assert!(expansion.walls.is_empty());
        assert_eq!(expansion.generated, 10_000);
        let rule = parse("FREQ=MINUTELY").unwrap();
        let expansion =
            rule.expand(at("2027-01-01T00:00"), (at("2027-01-01T00:00"), at("2028-01-01T00:00")), 10_000, 100).unwrap();
        assert!(expansion.cut_short);
        assert_eq!(expansion.walls.len(), 100);
    }
}
