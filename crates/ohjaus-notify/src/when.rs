//! Dates and times as a reader expects them in their own language and time zone:
//! "tiistai 12.1.2027 klo 13.00–14.30", "tisdag 12.1.2027 kl. 13.00–14.30",
//! "Tuesday 12 January 2027, 13:00–14:30".

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use ohjaus_core::{Locale, TimeZone};

/// The zone a recipient reads times in: their IANA zone, or Helsinki when the stored name is
/// not one (a payload written by an older version, say) — a wrong zone label would be worse
/// than the service's default, which the text then names.
pub fn reader_zone(name: &str) -> Tz {
    TimeZone::parse("timezone", name).map_or(TimeZone::HELSINKI.tz(), |zone| zone.tz())
}

/// The weekday's full name, lower case in Finnish and Swedish as those languages write it.
pub fn weekday_name(locale: Locale, weekday: Weekday) -> &'static str {
    let index = weekday.num_days_from_monday() as usize;
    match locale {
        Locale::Fi => ["maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"][index],
        Locale::Sv => ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"][index],
        Locale::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][index],
    }
}

/// The weekday's abbreviation, for subjects: "ti", "tis", "Tue".
pub fn weekday_short(locale: Locale, weekday: Weekday) -> &'static str {
    let index = weekday.num_days_from_monday() as usize;
    match locale {
        Locale::Fi => ["ma", "ti", "ke", "to", "pe", "la", "su"][index],
        Locale::Sv => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"][index],
        Locale::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index],
    }
}

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date without weekday: "12.1.2027" in Finnish and Swedish, "12 January 2027" in English.
pub fn date(locale: Locale, day: NaiveDate) -> String {
    match locale {
        Locale::Fi | Locale::Sv => format!("{}.{}.{}", day.day(), day.month(), day.year()),
        Locale::En => format!("{} {} {}", day.day(), ENGLISH_MONTHS[day.month0() as usize], day.year()),
    }
}

/// A date with its weekday: "tiistai 12.1.2027".
pub fn long_date(locale: Locale, day: NaiveDate) -> String {
    format!("{} {}", weekday_name(locale, day.weekday()), date(locale, day))
}

/// A short date for subjects: "ti 12.1.2027", "Tue 12 January 2027".
pub fn short_date(locale: Locale, day: NaiveDate) -> String {
    format!("{} {}", weekday_short(locale, day.weekday()), date(locale, day))
}

/// A clock time: "13.00" in Finnish and Swedish, "13:00" in English.
pub fn clock(locale: Locale, hour: u32, minute: u32) -> String {
    match locale {
        Locale::Fi | Locale::Sv => format!("{hour}.{minute:02}"),
        Locale::En => format!("{hour:02}:{minute:02}"),
    }
}

fn clock_of(locale: Locale, at: &DateTime<Tz>) -> String {
    clock(locale, at.hour(), at.minute())
}

/// "klo 13.00", "kl. 13.00", or "13:00" with the English comma before it.
fn at_clock(locale: Locale, text: &str) -> String {
    match locale {
        Locale::Fi => format!(" klo {text}"),
        Locale::Sv => format!(" kl. {text}"),
        Locale::En => format!(", {text}"),
    }
}

/// The zone's name after a time when the reader is not in Finland's zone, so a reader
/// elsewhere never mistakes whose clock is meant.
fn zone_suffix(zone: Tz) -> String {
    if zone == TimeZone::HELSINKI.tz() { String::new() } else { format!(" ({})", zone.name()) }
}

/// When a session takes place, in the reader's zone: "tiistai 12.1.2027 klo 13.00–14.30". A
/// session that ends on another day names both days.
pub fn span(locale: Locale, zone: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let start = starts_at.with_timezone(&zone);
    let end = ends_at.with_timezone(&zone);
    let mut text = long_date(locale, start.date_naive());
    if start.date_naive() == end.date_naive() {
        text.push_str(&at_clock(locale, &format!("{}–{}", clock_of(locale, &start), clock_of(locale, &end))));
    } else {
        text.push_str(&at_clock(locale, &clock_of(locale, &start)));
        text.push_str(" – ");
        text.push_str(&long_date(locale, end.date_naive()));
        text.push_str(&at_clock(locale, &clock_of(locale, &end)));
    }
    text.push_str(&zone_suffix(zone));
    text
}

/// A start for a subject line: "ti 12.1.2027 klo 13.00".
pub fn short_start(locale: Locale, zone: Tz, starts_at: DateTime<Utc>) -> String {
    let start = starts_at.with_timezone(&zone);
    format!("{}{}", short_date(locale, start.date_naive()), at_clock(locale, &clock_of(locale, &start)))
}

/// An instant with date and time, for deadlines: "tiistai 12.1.2027 klo 13.00".
pub fn instant(locale: Locale, zone: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{}{}{}",
        long_date(locale, local.date_naive()),
        at_clock(locale, &clock_of(locale, &local)),
        zone_suffix(zone)
    )
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
