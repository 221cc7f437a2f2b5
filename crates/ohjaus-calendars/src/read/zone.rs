//! Time zones of a feed: what a `TZID` names, and wall time ↔ instant in it.
//!
//! A TZID is resolved in this order (the first that knows it wins):
//!
//! 1. an IANA name (`Europe/Helsinki`; surrounding `/` ignored), from chrono-tz;
//! 2. a Windows name as Outlook and Exchange write it (`FLE Standard Time`), through the CLDR
//!    windowsZones table ([`super::windows_zones`]);
//! 3. the feed's own VTIMEZONE with that TZID: its `X-LIC-LOCATION` when that is an IANA name
//!    (Thunderbird), else its STANDARD/DAYLIGHT observances themselves (RFC 5545 §3.6.5) — what
//!    a custom Outlook zone ("Customized Time Zone") or an old Lotus Notes export needs;
//! 4. a "globally unique" TZID (`/mozilla.org/20050126_1/Europe/Berlin`, RFC 5545 §3.2.19)
//!    read by its trailing IANA name.
//!
//! A TZID none of these knows reads as floating time (the calendar's zone), and is counted.
//! A wall time that does not exist (a spring-forward gap) moves forward by the gap and an
//! ambiguous one takes the earlier instant, as RFC 5545 says and as the core plans sessions.

use super::content::Component;
use super::value::Written;
use super::windows_zones;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use ohjaus_core::TimeZone;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// A zone wall times are read in.
#[derive(Debug, Clone)]
pub(crate) enum Zone {
    /// UTC.
    Utc,
    /// An IANA zone.
    Iana(TimeZone),
    /// A zone defined only by a feed's VTIMEZONE.
    Custom(Arc<CustomZone>),
}

impl Zone {
    /// The instant of wall time `wall` here.
    pub fn instant(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Self::Utc => wall.and_utc(),
            Self::Iana(zone) => zone.resolve_utc(wall),
            Self::Custom(zone) => zone.instant(wall),
        }
    }

    /// The wall time of `at` here.
    pub fn wall(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Self::Utc => at.naive_utc(),
            Self::Iana(zone) => zone.local(at).naive_local(),
            Self::Custom(zone) => zone.wall(at),
        }
    }
}

/// A zone from a VTIMEZONE's observances: its transitions as instants and the offsets after
/// them (seconds east of UTC), computed once for the years a calendar can need.
#[derive(Debug)]
pub(crate) struct CustomZone {
    /// The offset before the first transition.
    initial: i32,
    /// (onset, offset from then on), sorted by onset.
    transitions: Vec<(DateTime<Utc>, i32)>,
}

/// Observance onsets are expanded up to this year; later instants keep the last offset.
const LAST_YEAR: i32 = 2200;
/// At most this many onsets per observance (a yearly rule to 2200 has a few hundred).
const MAX_ONSETS: usize = 2_000;

impl CustomZone {
    /// The zone a VTIMEZONE describes, if it has a readable observance.
    fn from_component(vtimezone: &Component) -> Option<Self> {
        let mut transitions = Vec::new();
        let mut first: Option<(DateTime<Utc>, i32)> = None;
        for observance in vtimezone.components.iter().filter(|c| c.name == "STANDARD" || c.name == "DAYLIGHT") {
            let Some(from) = observance.value("TZOFFSETFROM").and_then(offset) else { continue };
            let Some(to) = observance.value("TZOFFSETTO").and_then(offset) else { continue };
            let Some(start) = observance.property("DTSTART").and_then(super::value::written) else { continue };
            let start = match start {
                Written::Floating(at) | Written::Zoned(at, _) => at,
                Written::Utc(at) => at + TimeDelta::seconds(i64::from(from)),
                Written::Date(day) => day.and_time(chrono::NaiveTime::MIN),
            };
            let mut walls = vec![start];
            if let Some(rule) = observance.value("RRULE") {
                walls.extend(super::rule::observance_onsets(rule, start, LAST_YEAR, MAX_ONSETS));
            }
            for rdate in observance.properties_named("RDATE") {
                for value in super::value::list(rdate).0 {
                    if let super::value::DateOrPeriod::Moment(Written::Floating(at) | Written::Zoned(at, _)) = value {
                        walls.push(at);
                    }
                }
            }
            for wall in walls {
                let onset = (wall - TimeDelta::seconds(i64::from(from))).and_utc();
                if first.is_none_or(|(at, _)| onset < at) {
                    first = Some((onset, from));
                }
                transitions.push((onset, to));
            }
        }
        let (_, initial) = first?;
        transitions.sort_by_key(|(at, _)| *at);
        transitions.dedup_by_key(|(at, _)| *at);
        Some(Self { initial, transitions })
    }

    /// The offset in force at `at`.
    fn offset_at(&self, at: DateTime<Utc>) -> i32 {
        match self.transitions.partition_point(|(onset, _)| *onset <= at) {
            0 => self.initial,
            n => self.transitions[n - 1].1,
        }
    }

    fn wall(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + TimeDelta::seconds(i64::from(self.offset_at(at)))
    }

    fn instant(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        let mut offsets: Vec<i32> = self.transitions.iter().map(|(_, o)| *o).chain([self.initial]).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let at = |offset: i32| (wall - TimeDelta::seconds(i64::from(offset))).and_utc();
        // Every offset that reads `wall` back is a valid reading; the earliest instant wins.
        let valid = offsets.iter().map(|o| at(*o)).filter(|t| self.wall(*t) == wall).min();
        valid.unwrap_or_else(|| {
            // A gap: read the wall time with the offset before it, which lands after the
            // transition, moved forward by the gap.
            offsets
                .iter()
                .map(|o| (*o, at(*o)))
                .find(|(o, t)| self.offset_at(*t) > *o)
                .map_or_else(|| at(self.offset_at(wall.and_utc())), |(_, t)| t)
        })
    }
}

/// `+0200`, `-0500`, `+053000`.
fn offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..4].parse().ok()?;
    let seconds: i32 = if digits.len() == 6 { digits[4..].parse().ok()? } else { 0 };
    (hours < 24 && minutes < 60 && seconds < 60).then_some(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// The zones of one calendar: its VTIMEZONEs, and each TZID resolved once.
pub(crate) struct Zones<'a> {
    vtimezones: HashMap<&'a str, &'a Component>,
    resolved: HashMap<String, Option<Zone>>,
    /// TZIDs nothing knew (read as floating).
    pub unknown: usize,
}

impl<'a> Zones<'a> {
    /// The zones of a calendar with these components (its VTIMEZONEs are used).
    pub fn new(components: &'a [Component]) -> Self {
        let vtimezones =
            components.iter().filter(|c| c.name == "VTIMEZONE").filter_map(|c| Some((c.value("TZID")?, c))).collect();
        Self { vtimezones, resolved: HashMap::new(), unknown: 0 }
    }

    /// The zone `tzid` names, or `None` (counted in `unknown`) when nothing knows it.
    pub fn resolve(&mut self, tzid: &str) -> Option<Zone> {
        if let Some(zone) = self.resolved.get(tzid) {
            return zone.clone();
        }
        let zone = self.lookup(tzid);
        if zone.is_none() {
            self.unknown += 1;
        }
        self.resolved.insert(tzid.to_owned(), zone.clone());
        zone
    }

    fn lookup(&self, tzid: &str) -> Option<Zone> {
        let cleaned = tzid.trim().trim_matches('/');
        if let Some(zone) = iana(cleaned) {
            return Some(zone);
        }
        if let Some(zone) = windows_zones::iana_name(cleaned).and_then(iana) {
            return Some(zone);
        }
        if let Some(vtimezone) = self.vtimezones.get(tzid).or_else(|| self.vtimezones.get(tzid.trim())) {
            if let Some(zone) = vtimezone.value("X-LIC-LOCATION").and_then(iana) {
                return Some(zone);
            }
            if let Some(zone) = CustomZone::from_component(vtimezone) {
                return Some(Zone::Custom(Arc::new(zone)));
            }
        }
        // A globally unique TZID: try its trailing parts, longest first.
        let parts: Vec<&str> = cleaned.split('/').collect();
        (1..parts.len()).find_map(|start| iana(&parts[start..].join("/")))
    }
}

/// An IANA zone by name (`UTC`, `Etc/UTC` and `Z`-like names read as UTC).
fn iana(name: &str) -> Option<Zone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("GMT") || name == "Etc/UTC" {
        return Some(Zone::Utc);
    }
    // Checked with chrono-tz first: a failed TimeZone::parse builds an error message.
    chrono_tz::Tz::from_str(name).ok()?;
    TimeZone::parse("TZID", name).ok().map(Zone::Iana)
}

/// The zone named by an X-WR-TIMEZONE or a caller (IANA or Windows name).
pub(crate) fn named(name: &str) -> Option<Zone> {
    iana(name).or_else(|| windows_zones::iana_name(name.trim()).and_then(iana))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::content::read;
    use chrono::NaiveDate;

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    const CUSTOM: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_custom_zone_agrees_with_helsinki() {
        let document = read(CUSTOM.as_bytes());
        let mut zones = Zones::new(&document.components);
        let Some(Zone::Custom(custom)) = zones.resolve("Customized Time Zone") else { panic!("a custom zone") };
        let custom = Zone::Custom(custom);
        let helsinki = Zone::Iana(TimeZone::HELSINKI);
        // Winter, summer, the spring gap (03:30 does not exist) and the autumn overlap.
        for at in [
            wall(2027, 1, 12, 13, 0),
            wall(2027, 7, 1, 9, 30),
            wall(2027, 3, 28, 3, 30),
            wall(2027, 10, 31, 3, 30),
            wall(2030, 3, 31, 2, 59),
        ] {
            assert_eq!(custom.instant(at), helsinki.instant(at), "{at}");
            assert_eq!(custom.wall(custom.instant(at)), helsinki.wall(helsinki.instant(at)), "{at}");
        }
    }

    #[test]
    fn names_resolve_in_order() {
        let document = read(CUSTOM.as_bytes());
        let mut zones = Zones::new(&document.components);
        assert!(matches!(zones.resolve("Europe/Helsinki"), Some(Zone::Iana(z)) if z.name() == "Europe/Helsinki"));
        assert!(matches!(zones.resolve("/Europe/Helsinki/"), Some(Zone::Iana(_))));
        assert!(matches!(zones.resolve("FLE Standard Time"), Some(Zone::Iana(z)) if z.name() == "Europe/Kiev"));
        assert!(
            matches!(zones.resolve("/mozilla.org/20050126_1/Europe/Berlin"), Some(Zone::Iana(z)) if z.name() == "Europe/Berlin")
        );
        assert!(zones.resolve("Mars/Olympus_Mons").is_none());
        assert!(zones.resolve("Mars/Olympus_Mons").is_none());
        assert_eq!(zones.unknown, 1, "counted once per TZID");
        assert_eq!(offset("+0530"), Some(19_800));
        assert_eq!(offset("0530"), None);
    }
}
