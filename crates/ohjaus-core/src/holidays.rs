//! Finnish public holidays, computed for any year (the tables are checked against the
//! `holidays` package for 2000–2060 and follow its historical rules back to 1900).
//!
//! Written by hand rather than taken from a crate: the Rust holiday crates either lack
//! Finland's Saturday rules (Midsummer, All Saints') and its Eves, or pull in a data
//! download; the rules are short and fully tested against the Python reference.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// One of Finland's public holidays (including Midsummer Eve and Christmas Eve, which are
/// days off in practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    /// Uudenvuodenpäivä, 1 January.
    NewYearsDay,
    /// Loppiainen, 6 January.
    Epiphany,
    /// Pitkäperjantai.
    GoodFriday,
    /// Pääsiäispäivä.
    EasterSunday,
    /// Toinen pääsiäispäivä.
    EasterMonday,
    /// Vappu, 1 May.
    MayDay,
    /// Helatorstai, 39 days after Easter.
    AscensionDay,
    /// Helluntaipäivä, 49 days after Easter.
    Pentecost,
    /// Juhannusaatto, the Friday between 19 and 25 June.
    MidsummerEve,
    /// Juhannuspäivä, the Saturday between 20 and 26 June.
    MidsummerDay,
    /// Pyhäinpäivä, the Saturday between 31 October and 6 November.
    AllSaintsDay,
    /// Itsenäisyyspäivä, 6 December.
    IndependenceDay,
    /// Jouluaatto, 24 December.
    ChristmasEve,
    /// Joulupäivä, 25 December.
    ChristmasDay,
    /// Tapaninpäivä, 26 December.
    SecondDayOfChristmas,
}

impl Holiday {
    /// The Finnish name, as shown to users.
    pub fn name_fi(self) -> &'static str {
        match self {
            Self::NewYearsDay => "Uudenvuodenpäivä",
            Self::Epiphany => "Loppiainen",
            Self::GoodFriday => "Pitkäperjantai",
            Self::EasterSunday => "Pääsiäispäivä",
            Self::EasterMonday => "Toinen pääsiäispäivä",
            Self::MayDay => "Vappu",
            Self::AscensionDay => "Helatorstai",
            Self::Pentecost => "Helluntaipäivä",
            Self::MidsummerEve => "Juhannusaatto",
            Self::MidsummerDay => "Juhannuspäivä",
            Self::AllSaintsDay => "Pyhäinpäivä",
            Self::IndependenceDay => "Itsenäisyyspäivä",
            Self::ChristmasEve => "Jouluaatto",
            Self::ChristmasDay => "Joulupäivä",
            Self::SecondDayOfChristmas => "Tapaninpäivä",
        }
    }

    /// The Swedish name.
    pub fn name_sv(self) -> &'static str {
        match self {
            Self::NewYearsDay => "Nyårsdagen",
            Self::Epiphany => "Trettondedagen",
            Self::GoodFriday => "Långfredagen",
            Self::EasterSunday => "Påskdagen",
            Self::EasterMonday => "Annandag påsk",
            Self::MayDay => "Första maj",
            Self::AscensionDay => "Kristi himmelfärdsdag",
            Self::Pentecost => "Pingst",
            Self::MidsummerEve => "Midsommarafton",
            Self::MidsummerDay => "Midsommardagen",
            Self::AllSaintsDay => "Alla helgons dag",
            Self::IndependenceDay => "Självständighetsdagen",
            Self::ChristmasEve => "Julafton",
            Self::ChristmasDay => "Juldagen",
            Self::SecondDayOfChristmas => "Annandag jul",
        }
    }

    /// The English name (as the `holidays` package spells it).
    pub fn name_en(self) -> &'static str {
        match self {
            Self::NewYearsDay => "New Year's Day",
            Self::Epiphany => "Epiphany",
            Self::GoodFriday => "Good Friday",
            Self::EasterSunday => "Easter Sunday",
            Self::EasterMonday => "Easter Monday",
            Self::MayDay => "May Day",
            Self::AscensionDay => "Ascension Day",
            Self::Pentecost => "Pentecost",
            Self::MidsummerEve => "Midsummer Eve",
            Self::MidsummerDay => "Midsummer Day",
            Self::AllSaintsDay => "All Saints' Day",
            Self::IndependenceDay => "Independence Day",
            Self::ChristmasEve => "Christmas Eve",
            Self::ChristmasDay => "Christmas Day",
            Self::SecondDayOfChristmas => "Second Day of Christmas",
        }
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus of Meeus, Jones and
/// Butcher; exact for every Gregorian year).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the computus.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("the computus yields a March or April date")
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a fixed calendar date exists in every year")
}

/// The first `weekday` on or after `from`.
fn on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + chrono::Days::new(u64::from(ahead))
}

/// Epiphany: 6 January, but in 1973–1990 the Saturday from 6 to 12 January.
fn epiphany(year: i32) -> NaiveDate {
    if saturday_reform(year) { on_or_after(date(year, 1, 6), Weekday::Sat) } else { date(year, 1, 6) }
}

/// In 1973–1990 Epiphany and Ascension Day were moved to Saturdays.
fn saturday_reform(year: i32) -> bool {
    (1973..=1990).contains(&year)
}

/// Days from Easter Sunday to Ascension Day: the Thursday 39 days after, in 1973–1990 the
/// Saturday 34 days after.
fn ascension_after_easter(year: i32) -> i64 {
    if saturday_reform(year) { 34 } else { 39 }
}

/// Midsummer Eve: the Friday from 19 to 25 June since 1955, 23 June before.
fn midsummer_eve(year: i32) -> NaiveDate {
    if year >= 1955 { on_or_after(date(year, 6, 19), Weekday::Fri) } else { date(year, 6, 23) }
}

/// All Saints' Day: the Saturday from 31 October to 6 November since 1955, 1 November before.
fn all_saints(year: i32) -> NaiveDate {
    if year >= 1955 { on_or_after(date(year, 10, 31), Weekday::Sat) } else { date(year, 11, 1) }
}

/// Every public holiday of `year`, in date order.
pub fn finnish_holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let easter = easter_sunday(year);
    let days = |n: i64| easter + chrono::TimeDelta::days(n);
    let midsummer_eve = midsummer_eve(year);
    let mut list = vec![
        (date(year, 1, 1), Holiday::NewYearsDay),
        (epiphany(year), Holiday::Epiphany),
        (days(-2), Holiday::GoodFriday),
        (easter, Holiday::EasterSunday),
        (days(1), Holiday::EasterMonday),
        (days(ascension_after_easter(year)), Holiday::AscensionDay),
        (days(49), Holiday::Pentecost),
        (midsummer_eve, Holiday::MidsummerEve),
        (midsummer_eve + chrono::Days::new(1), Holiday::MidsummerDay),
        (all_saints(year), Holiday::AllSaintsDay),
        (date(year, 12, 24), Holiday::ChristmasEve),
        (date(year, 12, 25), Holiday::ChristmasDay),
        (date(year, 12, 26), Holiday::SecondDayOfChristmas),
    ];
    if year >= 1944 {
        list.push((date(year, 5, 1), Holiday::MayDay));
    }
    if year >= 1919 {
        list.push((date(year, 12, 6), Holiday::IndependenceDay));
    }
    list.sort_by_key(|(day, _)| *day);
    list
}

/// The public holiday on `day`, if any (when two share a date, as Ascension Day and May Day
/// in 2008, one of them). Cheap enough to call for every candidate date: it computes only
/// the rules that can fall in `day`'s month, without allocating.
pub fn finnish_holiday(day: NaiveDate) -> Option<Holiday> {
    let year = day.year();
    let found = match (day.month(), day.day()) {
        (1, 1) => Some(Holiday::NewYearsDay),
        (5, 1) if year >= 1944 => Some(Holiday::MayDay),
        (12, 6) if year >= 1919 => Some(Holiday::IndependenceDay),
        (12, 24) => Some(Holiday::ChristmasEve),
        (12, 25) => Some(Holiday::ChristmasDay),
        (12, 26) => Some(Holiday::SecondDayOfChristmas),
        (1, _) => (day == epiphany(year)).then_some(Holiday::Epiphany),
        (10 | 11, _) => (day == all_saints(year)).then_some(Holiday::AllSaintsDay),
        _ => None,
    };
    if found.is_some() || !matches!(day.month(), 3..=6) {
        return found;
    }
    // Easter falls from 22 March to 25 April, so its feasts from 20 March (Good Friday) to
    // 13 June (Pentecost); Midsummer in June.
    if day.month() == 6 {
        let eve = midsummer_eve(year);
        if day == eve {
            return Some(Holiday::MidsummerEve);
        }
        if day == eve + chrono::Days::new(1) {
            return Some(Holiday::MidsummerDay);
        }
    }
    match (day - easter_sunday(year)).num_days() {
        -2 => Some(Holiday::GoodFriday),
        0 => Some(Holiday::EasterSunday),
        1 => Some(Holiday::EasterMonday),
        49 => Some(Holiday::Pentecost),
        after if after == ascension_after_easter(year) => Some(Holiday::AscensionDay),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        assert_eq!(easter_sunday(1900), date(1900, 4, 15));
        assert_eq!(easter_sunday(2200), date(2200, 4, 6));
    }

    #[test]
    fn year_2027() {
        let days: Vec<String> = finnish_holidays(2027).iter().map(|(d, h)| format!("{d} {}", h.name_en())).collect();
        assert_eq!(days.len(), 15);
        assert!(days.contains(&"2027-06-25 Midsummer Eve".to_owned()));
        assert!(days.contains(&"2027-11-06 All Saints' Day".to_owned()));
        assert_eq!(finnish_holiday(date(2027, 12, 6)), Some(Holiday::IndependenceDay));
        assert_eq!(finnish_holiday(date(2027, 5, 6)), Some(Holiday::AscensionDay));
        assert_eq!(finnish_holiday(date(2027, 5, 7)), None);
    }

    /// Our holidays of `years` as the `holidays` package lists them: one entry per date, the
    /// names of holidays sharing a date sorted and joined with "; " (2008: Ascension on May Day).
    fn as_the_package_lists(years: std::ops::RangeInclusive<i32>) -> std::collections::BTreeMap<String, String> {
        let mut by_date: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
        for year in years {
            for (day, holiday) in finnish_holidays(year) {
                by_date.entry(day.to_string()).or_default().push(holiday.name_en());
            }
        }
        by_date
            .into_iter()
            .map(|(day, mut names)| {
                names.sort_unstable();
                (day, names.join("; "))
            })
            .collect()
    }

    #[test]
    fn equal_to_the_holidays_package_2000_2060() {
        // Made by fixtures/make_holidays_fixture.sh from the Python `holidays` package.
        let fixture: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("../fixtures/holidays_fi_2000_2060.json")).unwrap();
        let ours = as_the_package_lists(2000..=2060);
        let missing: Vec<_> = fixture.iter().filter(|(d, n)| ours.get(*d) != Some(*n)).collect();
        let extra: Vec<_> = ours.iter().filter(|(d, n)| fixture.get(*d) != Some(*n)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "package only: {missing:?}\nours only: {extra:?}");
        assert_eq!(ours.len(), 914);
        assert_eq!(ours["2008-05-01"], "Ascension Day; May Day");
    }

    #[test]
    fn every_day_agrees_with_the_year_list() {
        // `finnish_holiday` takes shortcuts (fixed dates, months without movable feasts); it
        // must still find every holiday of the year list, 1900–2200.
        for year in 1900..=2200 {
            let listed: Vec<NaiveDate> = finnish_holidays(year).into_iter().map(|(d, _)| d).collect();
            let listed_on = |day: NaiveDate| -> Vec<Holiday> {
                finnish_holidays(year).into_iter().filter(|(d, _)| *d == day).map(|(_, h)| h).collect()
            };
            for day in date(year, 1, 1).iter_days().take_while(|d| d.year() == year) {
                match finnish_holiday(day) {
                    Some(holiday) => assert!(listed_on(day).contains(&holiday), "{day} {holiday:?}"),
                    None => assert!(!listed.contains(&day), "{day}"),
                }
            }
        }
    }

    #[test]
    fn historical_rules() {
        // Saturday reform: Epiphany 1980 on Saturday 12 January.
        assert_eq!(finnish_holiday(date(1980, 1, 12)), Some(Holiday::Epiphany));
        assert_eq!(finnish_holiday(date(1980, 1, 6)), None);
        // Before 1955 Midsummer Eve was fixed to 23 June.
        assert_eq!(finnish_holiday(date(1950, 6, 23)), Some(Holiday::MidsummerEve));
    }
}
