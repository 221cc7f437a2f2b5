//! Dates and times as a reader expects them in their own language and time zone:
//! "tiistai 12.1.2027 klo 13.00–14.30", "tisdag 12.1.2027 kl. 13.00–14.30",
//! "Tuesday 12 January 2027, 13:00–14:30".

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use ohjaus_core::locale::{self, Length};
use ohjaus_core::{Locale, TimeZone};

pub use ohjaus_core::zone::reader_zone;

/// A date without weekday: "12.1.2027" in Finnish and Swedish, "12 January 2027" in English.
pub fn date(locale: Locale, day: NaiveDate) -> String {
    locale::date(locale, day, Length::Full)
}

/// A date with its weekday: "tiistai 12.1.2027".
fn long_date(locale: Locale, day: NaiveDate) -> String {
    locale::weekday_date(locale, day, Length::Full, Length::Full)
}

/// A short date for subjects: "ti 12.1.2027", "Tue 12 January 2027".
fn short_date(locale: Locale, day: NaiveDate) -> String {
    locale::weekday_date(locale, day, Length::Short, Length::Full)
}

/// The zone's name after a time when the reader is not in Finland's zone, so a reader
/// elsewhere never mistakes whose clock is meant.
fn zone_suffix(zone: Tz) -> String {
    if zone == TimeZone::HELSINKI.tz() { String::new() } else { format!(" ({})", zone.name()) }
}

/// When a session takes place, in the reader's zone: "tiistai 12.1.2027 klo 13.00–14.30". A
/// session that ends on another day names both days.
pub fn span(locale: Locale, zone: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let (start, end) = (starts_at.with_timezone(&zone).naive_local(), ends_at.with_timezone(&zone).naive_local());
    locale::span(locale, start, end, |day| long_date(locale, day)) + &zone_suffix(zone)
}

/// A start for a subject line: "ti 12.1.2027 klo 13.00".
pub fn short_start(locale: Locale, zone: Tz, starts_at: DateTime<Utc>) -> String {
    locale::date_time(locale, starts_at.with_timezone(&zone).naive_local(), |day| short_date(locale, day))
}

/// An instant with date and time, for deadlines: "tiistai 12.1.2027 klo 13.00".
pub fn instant(locale: Locale, zone: Tz, at: DateTime<Utc>) -> String {
    locale::date_time(locale, at.with_timezone(&zone).naive_local(), |day| long_date(locale, day)) + &zone_suffix(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a test instant")
    }

    #[test]
    fn a_session_in_each_language() {
        let zone = reader_zone("Europe/Helsinki");
        let (start, end) = (utc("2027-01-12T11:00:00Z"), utc("2027-01-12T12:30:00Z"));
        assert_eq!(span(Locale::Fi, zone, start, end), "tiistai 12.1.2027 klo 13.00–14.30");
        assert_eq!(span(Locale::Sv, zone, start, end), "tisdag 12.1.2027 kl. 13.00–14.30");
        assert_eq!(span(Locale::En, zone, start, end), "Tuesday 12 January 2027, 13:00–14:30");
    }

    #[test]
    fn another_zone_is_named_and_used() {
        let zone = reader_zone("Europe/Stockholm");
        let (start, end) = (utc("2027-07-06T06:00:00Z"), utc("2027-07-06T07:00:00Z"));
        assert_eq!(span(Locale::Sv, zone, start, end), "tisdag 6.7.2027 kl. 8.00–9.00 (Europe/Stockholm)");
    }

    #[test]
    fn past_midnight_names_both_days() {
        let zone = reader_zone("Europe/Helsinki");
        let (start, end) = (utc("2027-01-12T21:30:00Z"), utc("2027-01-12T22:30:00Z"));
        assert_eq!(span(Locale::Fi, zone, start, end), "tiistai 12.1.2027 klo 23.30 – keskiviikko 13.1.2027 klo 0.30");
    }

    #[test]
    fn an_unknown_zone_falls_back_to_helsinki() {
        assert_eq!(reader_zone("Mars/Olympus"), TimeZone::HELSINKI.tz());
    }
}
