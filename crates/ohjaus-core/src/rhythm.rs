//! A series' rhythm in words, as a poll shows its options to people who vote on them:
//! "joka toinen viikko tiistaisin", "varannan vecka på tisdagar", "every other week on
//! Tuesdays", "monthly on the last Friday". Pure: the recurrence as proposed (the series API's
//! body) and the first session's local start, whose weekday is the rhythm's when the body
//! names none.

use crate::locale::Locale;
use crate::recurrence::{ByWeekday, RecurrenceBody};
use chrono::{Datelike, NaiveDateTime, Weekday};

/// The rhythm of `recurrence` starting at `first` (local time), in `locale`.
pub fn rhythm(locale: Locale, recurrence: &RecurrenceBody, first: NaiveDateTime) -> String {
    let interval = recurrence.interval.unwrap_or(1).max(1);
    if recurrence.frequency == "monthly" {
        return monthly(locale, interval, recurrence.by_weekday.as_ref(), first);
    }
    let days: Vec<Weekday> = match &recurrence.by_weekday {
        Some(ByWeekday::Many(codes)) => codes.iter().filter_map(|c| weekday_of(c)).collect(),
        Some(ByWeekday::One(code)) => weekday_of(code).into_iter().collect(),
        None => Vec::new(),
    };
    let days = if days.is_empty() { vec![first.weekday()] } else { days };
    let on = joined(locale, days.iter().map(|d| on_weekdays(locale, *d)).collect());
    match locale {
        Locale::Fi => format!("{} {on}", every_nth(locale, interval, "viikko")),
        Locale::Sv => format!("{} på {on}", every_nth(locale, interval, "vecka")),
        Locale::En => format!("{} on {on}", every_nth(locale, interval, "week")),
    }
}

/// "joka viikko", "joka toinen viikko", "joka 5. viikko"; "varje vecka", "varannan vecka",
/// "var 5:e vecka"; "every week", "every other week", "every 5 weeks".
fn every_nth(locale: Locale, n: i64, unit: &str) -> String {
    match (locale, n) {
        (Locale::Fi, 1) => format!("joka {unit}"),
        (Locale::Fi, 2) => format!("joka toinen {unit}"),
        (Locale::Fi, 3) => format!("joka kolmas {unit}"),
        (Locale::Fi, 4) => format!("joka neljäs {unit}"),
        (Locale::Fi, n) => format!("joka {n}. {unit}"),
        (Locale::Sv, 1) => format!("varje {unit}"),
        (Locale::Sv, 2) => format!("varannan {unit}"),
        (Locale::Sv, 3) => format!("var tredje {unit}"),
        (Locale::Sv, 4) => format!("var fjärde {unit}"),
        (Locale::Sv, n) => format!("var {n}:e {unit}"),
        (Locale::En, 1) => format!("every {unit}"),
        (Locale::En, 2) => format!("every other {unit}"),
        (Locale::En, n) => format!("every {n} {unit}s"),
    }
}

fn monthly(locale: Locale, interval: i64, by: Option<&ByWeekday>, first: NaiveDateTime) -> String {
    let every = match locale {
        Locale::Fi => every_nth(locale, interval, "kuukausi"),
        Locale::Sv => every_nth(locale, interval, "månad"),
        Locale::En => every_nth(locale, interval, "month"),
    };
    let (nth, day) = match by {
        Some(ByWeekday::One(code)) => nth_weekday(code).unwrap_or_else(|| position_of(first)),
        _ => position_of(first),
    };
    let name = crate::locale::weekday(locale, day, crate::locale::Length::Full);
    match (locale, nth) {
        (Locale::Fi, -1) => format!("{every}, kuukauden viimeinen {name}"),
        (Locale::Fi, n) => format!("{every}, kuukauden {n}. {name}"),
        (Locale::Sv, -1) => format!("{every}, sista {name}en i månaden"),
        (Locale::Sv, n) => format!("{every}, {} {name}en i månaden", swedish_ordinal(n)),
        (Locale::En, -1) => format!("{every} on the last {name}"),
        (Locale::En, n) => format!("{every} on the {} {name}", english_ordinal(n)),
    }
}

/// The weekday and its place in the month of a date: (2, Tuesday) for the second Tuesday.
fn position_of(first: NaiveDateTime) -> (i64, Weekday) {
    let nth = i64::from((first.day() - 1) / 7 + 1);
    (if nth >= 5 { -1 } else { nth }, first.weekday())
}

/// `"2TU"` → (2, Tuesday); `"-1FR"` → (-1, Friday).
fn nth_weekday(code: &str) -> Option<(i64, Weekday)> {
    let split = code.len().checked_sub(2)?;
    let (number, day) = code.split_at(split);
    Some((number.parse().ok()?, weekday_of(day)?))
}

/// `"tue"`, `"TU"`, `"tuesday"` → Tuesday.
fn weekday_of(code: &str) -> Option<Weekday> {
    let code = code.trim().to_ascii_lowercase();
    Some(match code.get(..2)? {
        "mo" => Weekday::Mon,
        "tu" => Weekday::Tue,
        "we" => Weekday::Wed,
        "th" => Weekday::Thu,
        "fr" => Weekday::Fri,
        "sa" => Weekday::Sat,
        "su" => Weekday::Sun,
        _ => return None,
    })
}

/// "tiistaisin", "tisdagar", "Tuesdays".
fn on_weekdays(locale: Locale, day: Weekday) -> &'static str {
    let index = day.num_days_from_monday() as usize;
    match locale {
        Locale::Fi => [
            "maanantaisin",
            "tiistaisin",
            "keskiviikkoisin",
            "torstaisin",
            "perjantaisin",
            "lauantaisin",
            "sunnuntaisin",
        ][index],
        Locale::Sv => ["måndagar", "tisdagar", "onsdagar", "torsdagar", "fredagar", "lördagar", "söndagar"][index],
        Locale::En => ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"][index],
    }
}

/// "a, b ja c"; "a, b och c"; "a, b and c".
fn joined(locale: Locale, mut words: Vec<&str>) -> String {
    let and = match locale {
        Locale::Fi => "ja",
        Locale::Sv => "och",
        Locale::En => "and",
    };
    match words.pop() {
        None => String::new(),
        Some(last) if words.is_empty() => last.to_owned(),
        Some(last) => format!("{} {and} {last}", words.join(", ")),
    }
}

fn swedish_ordinal(n: i64) -> String {
    match n {
        1 => "första".to_owned(),
        2 => "andra".to_owned(),
        3 => "tredje".to_owned(),
        4 => "fjärde".to_owned(),
        n => format!("{n}:e"),
    }
}

fn english_ordinal(n: i64) -> String {
    match n {
        1 => "first".to_owned(),
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        4 => "fourth".to_owned(),
        n => format!("{n}th"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(frequency: &str, interval: Option<i64>, by: Option<ByWeekday>) -> RecurrenceBody {
        RecurrenceBody { frequency: frequency.into(), interval, count: Some(6), until: None, by_weekday: by }
    }

    fn tuesday() -> NaiveDateTime {
        "2027-01-12T13:00:00".parse().expect("a local time")
    }

    #[test]
    fn weekly_rhythms_read_naturally() {
        let every_other = body("weekly", Some(2), None);
        assert_eq!(rhythm(Locale::Fi, &every_other, tuesday()), "joka toinen viikko tiistaisin");
        assert_eq!(rhythm(Locale::Sv, &every_other, tuesday()), "varannan vecka på tisdagar");
        assert_eq!(rhythm(Locale::En, &every_other, tuesday()), "every other week on Tuesdays");
        let twice = body("weekly", None, Some(ByWeekday::Many(vec!["tue".into(), "thu".into()])));
        assert_eq!(rhythm(Locale::Fi, &twice, tuesday()), "joka viikko tiistaisin ja torstaisin");
        assert_eq!(rhythm(Locale::En, &body("weekly", Some(6), None), tuesday()), "every 6 weeks on Tuesdays");
    }

    #[test]
    fn monthly_rhythms_name_the_weekday_of_the_month() {
        let second = body("monthly", None, Some(ByWeekday::One("2TU".into())));
        assert_eq!(rhythm(Locale::Fi, &second, tuesday()), "joka kuukausi, kuukauden 2. tiistai");
        assert_eq!(rhythm(Locale::Sv, &second, tuesday()), "varje månad, andra tisdagen i månaden");
        assert_eq!(rhythm(Locale::En, &second, tuesday()), "every month on the second Tuesday");
        let last = body("monthly", None, Some(ByWeekday::One("-1FR".into())));
        assert_eq!(rhythm(Locale::En, &last, tuesday()), "every month on the last Friday");
        assert_eq!(rhythm(Locale::Sv, &last, tuesday()), "varje månad, sista fredagen i månaden");
    }
}
