//! IANA time zones and the one rule for turning a local wall time into an instant.

use crate::error::FieldError;
use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone as _, Utc};
use serde::Serialize;
use std::fmt;

/// A validated IANA time zone, e.g. `Europe/Helsinki`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Finland's zone, the default everywhere in Ohjaus.
    pub const HELSINKI: Self = Self(chrono_tz::Europe::Helsinki);

    /// Parses an IANA name for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        value.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            FieldError::new(field, format!("unknown time zone {value:?} (use an IANA name such as Europe/Helsinki)"))
        })
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The chrono-tz zone.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The instant of a local wall time, by RFC 5545's rule: a time in a gap (spring forward)
    /// moves forward by the length of the gap, an ambiguous time (fall back) takes the earlier
    /// offset.
    pub fn resolve(&self, local: NaiveDateTime) -> DateTime<chrono_tz::Tz> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(at) => at,
            LocalResult::Ambiguous(earlier, _) => earlier,
            LocalResult::None => {
                // Interpret the wall time with the offset in force before the gap: 03:30 in a
                // 03:00→04:00 gap becomes 04:30 of the new offset. Gaps are at most a day long
                // (Samoa 2011), so the offset one to 48 hours before is the one before the gap.
                let before = (1..=48)
                    .find_map(|hours| match self.0.from_local_datetime(&(local - TimeDelta::hours(hours))) {
                        LocalResult::Single(at) | LocalResult::Ambiguous(_, at) => Some(at.offset().fix()),
                        LocalResult::None => None,
                    })
                    .unwrap_or_else(|| Utc.fix());
                let utc = local - TimeDelta::seconds(i64::from(before.local_minus_utc()));
                self.0.from_utc_datetime(&utc)
            }
        }
    }

    /// The instant of a local wall time, in UTC.
    pub fn resolve_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.resolve(local).with_timezone(&Utc)
    }

    /// An instant as local time in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
        at.with_timezone(&self.0)
    }

    /// An instant as RFC 3339 with this zone's offset, e.g. `2027-01-12T13:00:00+02:00`.
    pub fn rfc3339(&self, at: DateTime<Utc>) -> String {
        self.local(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::HELSINKI
    }
}

/// The zone a reader's times are shown in: the IANA zone `name`, or Helsinki when the stored
/// name is not one (a payload written by an older version, say) — a wrong zone label would be
/// worse than the service's default.
pub fn reader_zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(TimeZone::HELSINKI.0)
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl std::str::FromStr for TimeZone {
    type Err = FieldError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse("timezone", value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn gap_moves_forward_by_the_gap() {
        // Helsinki springs forward 2027-03-28 03:00 → 04:00.
        let moved = TimeZone::HELSINKI.resolve(at(2027, 3, 28, 3, 30));
        assert_eq!(moved.to_rfc3339(), "2027-03-28T04:30:00+03:00");
    }

    #[test]
    fn ambiguous_takes_earlier_offset() {
        // Helsinki falls back 2027-10-31 04:00 → 03:00; 03:30 happens twice.
        let first = TimeZone::HELSINKI.resolve(at(2027, 10, 31, 3, 30));
        assert_eq!(first.to_rfc3339(), "2027-10-31T03:30:00+03:00");
    }

    #[test]
    fn unknown_zone_names_the_field() {
        let error = TimeZone::parse("timezone", "Europe/Tampere").unwrap_err();
        assert_eq!(error.field, "timezone");
    }
}
