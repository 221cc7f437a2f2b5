//! The languages Ohjaus speaks to people in, and dates and times as a reader of each writes
//! them: "tiistai 12.1.2027 klo 13.00–14.30", "tis 12.1.2027 kl. 13.00", "Tuesday 12 January
//! 2027, 13:00". Pure functions of a [`Locale`] and a local date or time: the caller picks the
//! reader's zone, and each crate picks how long its names are.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's language: Finnish first, then Swedish and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Suomi.
    #[default]
    Fi,
    /// Svenska.
    Sv,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag: `fi`, `sv` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fi => "fi",
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// Parses `fi`, `sv` or `en` (a region such as `sv-FI` is accepted and dropped).
    pub fn parse(value: &str) -> Option<Self> {
        let language = value.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match language.as_str() {
            "fi" => Some(Self::Fi),
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a weekday's or (in English) a month's name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// "tiistai", "tisdag", "Tuesday"; "January".
    Full,
    /// "ti", "tis", "Tue"; "Jan".
    Short,
}

/// The weekday's name, lower case in Finnish and Swedish as those languages write it.
pub fn weekday(locale: Locale, weekday: Weekday, length: Length) -> &'static str {
    let index = weekday.num_days_from_monday() as usize;
    match (locale, length) {
        (Locale::Fi, Length::Full) => {
            ["maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"][index]
        }
        (Locale::Sv, Length::Full) => ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"][index],
        (Locale::En, Length::Full) => {
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][index]
        }
        (Locale::Fi, Length::Short) => ["ma", "ti", "ke", "to", "pe", "la", "su"][index],
        (Locale::Sv, Length::Short) => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"][index],
        (Locale::En, Length::Short) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index],
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

/// A date without weekday: "12.1.2027" in Finnish and Swedish; "12 January 2027" or
/// "12 Jan 2027" in English (`month` says which).
pub fn date(locale: Locale, day: NaiveDate, month: Length) -> String {
    match locale {
        Locale::Fi | Locale::Sv => format!("{}.{}.{}", day.day(), day.month(), day.year()),
        Locale::En => {
            let name = ENGLISH_MONTHS[day.month0() as usize];
            let name = match month {
                Length::Full => name,
                Length::Short => &name[..3],
            };
            format!("{} {name} {}", day.day(), day.year())
        }
    }
}

/// A date after its weekday: "tiistai 12.1.2027", "ti 12.1.2027", "Tue 12 January 2027".
pub fn weekday_date(locale: Locale, day: NaiveDate, weekday_length: Length, month: Length) -> String {
    format!("{} {}", weekday(locale, day.weekday(), weekday_length), date(locale, day, month))
}

/// A clock time: "13.00" in Finnish and Swedish, "13:00" in English.
pub fn clock(locale: Locale, hour: u32, minute: u32) -> String {
    match locale {
        Locale::Fi | Locale::Sv => format!("{hour}.{minute:02}"),
        Locale::En => format!("{hour:02}:{minute:02}"),
    }
}

/// What follows a date to give its time: " klo 13.00", " kl. 13.00", or ", 13:00" with the
/// English comma. `time` is one or two [`clock`] times.
pub fn at_time(locale: Locale, time: &str) -> String {
    match locale {
        Locale::Fi => format!(" klo {time}"),
        Locale::Sv => format!(" kl. {time}"),
        Locale::En => format!(", {time}"),
    }
}

fn clock_of(locale: Locale, at: NaiveDateTime) -> String {
    clock(locale, at.hour(), at.minute())
}

/// A local date and time, the date written by `day`: "tiistai 12.1.2027 klo 13.00".
pub fn date_time(locale: Locale, at: NaiveDateTime, day: impl Fn(NaiveDate) -> String) -> String {
    format!("{}{}", day(at.date()), at_time(locale, &clock_of(locale, at)))
}

/// From a local start to a local end, the dates written by `day`: "tiistai 12.1.2027 klo
/// 13.00–14.30"; one that ends on another day names both days ("… klo 23.30 – keskiviikko
/// 13.1.2027 klo 0.30").
pub fn span(locale: Locale, start: NaiveDateTime, end: NaiveDateTime, day: impl Fn(NaiveDate) -> String) -> String {
    if start.date() == end.date() {
        let times = format!("{}–{}", clock_of(locale, start), clock_of(locale, end));
        format!("{}{}", day(start.date()), at_time(locale, &times))
    } else {
        format!("{} – {}", date_time(locale, start, &day), date_time(locale, end, &day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        text.parse().expect("a local date and time")
    }

    #[test]
    fn dates_and_times_as_each_language_writes_them() {
        let (start, end) = (local("2027-01-12T13:00:00"), local("2027-01-12T14:30:00"));
        let long = |locale| move |day| weekday_date(locale, day, Length::Full, Length::Full);
        let short = |locale| move |day| weekday_date(locale, day, Length::Short, Length::Short);
        assert_eq!(span(Locale::Fi, start, end, long(Locale::Fi)), "tiistai 12.1.2027 klo 13.00–14.30");
        assert_eq!(span(Locale::Sv, start, end, short(Locale::Sv)), "tis 12.1.2027 kl. 13.00–14.30");
        assert_eq!(span(Locale::En, start, end, long(Locale::En)), "Tuesday 12 January 2027, 13:00–14:30");
        assert_eq!(date_time(Locale::En, start, short(Locale::En)), "Tue 12 Jan 2027, 13:00");
        assert_eq!(date(Locale::En, start.date(), Length::Short), "12 Jan 2027");
        assert_eq!(
            weekday_date(Locale::En, local("2027-09-05T08:05:00").date(), Length::Short, Length::Full),
            "Sun 5 September 2027"
        );
        assert_eq!(clock(Locale::En, 8, 5), "08:05");
        assert_eq!(clock(Locale::Fi, 8, 5), "8.05");
    }

    #[test]
    fn past_midnight_names_both_days() {
        let (start, end) = (local("2027-01-12T23:30:00"), local("2027-01-13T00:30:00"));
        let long = |day| weekday_date(Locale::Fi, day, Length::Full, Length::Full);
        assert_eq!(span(Locale::Fi, start, end, long), "tiistai 12.1.2027 klo 23.30 – keskiviikko 13.1.2027 klo 0.30");
    }
}
