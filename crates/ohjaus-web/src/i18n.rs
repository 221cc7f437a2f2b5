//! The pages' languages (Finnish first, Swedish, English): words, and dates and times as a
//! reader expects them in their own language and time zone ("ti 12.1.2027 klo 13.00–14.30").

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use ohjaus_core::Locale;
use ohjaus_core::locale::{self, Length};
use ohjaus_store::status::{SeriesStatus, SessionStatus};

/// One text in the three languages: `tr!(locale, "suomeksi", "på svenska", "in English")`.
#[macro_export]
macro_rules! tr {
    ($locale:expr, $fi:expr, $sv:expr, $en:expr) => {
        match $locale {
            ohjaus_core::Locale::Fi => $fi,
            ohjaus_core::Locale::Sv => $sv,
            ohjaus_core::Locale::En => $en,
        }
    };
}

/// The languages offered, with their own names.
pub const LANGUAGES: [(Locale, &str); 3] =
    [(Locale::Fi, "Suomeksi"), (Locale::Sv, "På svenska"), (Locale::En, "In English")];

pub use ohjaus_core::zone::reader_zone;

/// "12.1.2027" in Finnish and Swedish, "12 Jan 2027" in English.
pub fn date(locale: Locale, day: NaiveDate) -> String {
    locale::date(locale, day, Length::Short)
}

/// "ti 12.1.2027".
pub fn day(locale: Locale, day: NaiveDate) -> String {
    locale::weekday_date(locale, day, Length::Short, Length::Short)
}

/// When something takes place in the reader's zone: "ti 12.1.2027 klo 13.00–14.30".
pub fn span(locale: Locale, zone: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let (start, end) = (starts_at.with_timezone(&zone).naive_local(), ends_at.with_timezone(&zone).naive_local());
    locale::span(locale, start, end, |d| day(locale, d))
}

/// An instant in the reader's zone: "ti 12.1.2027 klo 13.00".
pub fn instant(locale: Locale, zone: Tz, at: DateTime<Utc>) -> String {
    locale::date_time(locale, at.with_timezone(&zone).naive_local(), |d| day(locale, d))
}

/// The heading of a week: "Viikko 3 · 12.1.–18.1.2027".
pub fn week_heading(locale: Locale, monday: NaiveDate) -> String {
    let sunday = monday + chrono::Days::new(6);
    let word = crate::tr!(locale, "Viikko", "Vecka", "Week");
    format!("{word} {} · {} – {}", monday.iso_week().week(), date(locale, monday), date(locale, sunday))
}

/// A series kind's name.
pub fn kind(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "individual_supervision" => {
            tr!(locale, "Yksilötyönohjaus", "Individuell handledning", "Individual supervision")
        }
        "group_supervision" => tr!(locale, "Ryhmätyönohjaus", "Grupphandledning", "Group supervision"),
        "work_community_supervision" => {
            tr!(locale, "Työyhteisön työnohjaus", "Arbetsgemenskapshandledning", "Work community supervision")
        }
        "individual_coaching" => tr!(locale, "Yksilövalmennus", "Individuell coachning", "Individual coaching"),
        "team_coaching" => tr!(locale, "Tiimivalmennus", "Teamcoachning", "Team coaching"),
        _ => tr!(locale, "Työnohjaus", "Handledning", "Supervision"),
    }
}

/// The wire names of the kinds, in the order a form offers them.
pub const KINDS: [&str; 5] = [
    "group_supervision",
    "work_community_supervision",
    "individual_supervision",
    "team_coaching",
    "individual_coaching",
];

/// An evaluation phase's name.
pub fn phase(locale: Locale, phase: &str) -> &'static str {
    match phase {
        "goal_setting" => tr!(locale, "Tavoitteiden asettaminen", "Målsättning", "Goal setting"),
        "midpoint_review" => tr!(locale, "Väliarviointi", "Mellanutvärdering", "Midpoint review"),
        "final_review" => tr!(locale, "Loppuarviointi", "Slututvärdering", "Final review"),
        _ => "",
    }
}

/// A session's status.
pub fn session_status(locale: Locale, status: &SessionStatus, late: bool) -> &'static str {
    match (status, late) {
        (SessionStatus::Held, _) => tr!(locale, "Pidetty", "Hållen", "Held"),
        (SessionStatus::Cancelled, true) => tr!(locale, "Peruttu myöhään", "Sent avbokad", "Cancelled late"),
        (SessionStatus::Cancelled, false) => tr!(locale, "Peruttu", "Avbokad", "Cancelled"),
        (SessionStatus::Scheduled, _) => tr!(locale, "Tulossa", "Planerad", "Scheduled"),
    }
}

/// A series' status.
pub fn series_status(locale: Locale, status: &SeriesStatus) -> &'static str {
    match status {
        SeriesStatus::Cancelled => tr!(locale, "Peruttu", "Avbokad", "Cancelled"),
        SeriesStatus::Completed => tr!(locale, "Päättynyt", "Avslutad", "Completed"),
        SeriesStatus::Active => tr!(locale, "Käynnissä", "Pågående", "Active"),
    }
}

/// An attendance status.
pub fn attendance(locale: Locale, status: &str) -> &'static str {
    match status {
        "present" => tr!(locale, "Paikalla", "Närvarande", "Present"),
        "absent" => tr!(locale, "Poissa", "Frånvarande", "Absent"),
        "excused" => tr!(locale, "Poissa (ilmoitettu)", "Frånvarande (anmält)", "Excused"),
        _ => tr!(locale, "Ei merkitty", "Ej antecknat", "Not recorded"),
    }
}

/// A review phase.
pub fn review_phase(locale: Locale, phase: &str) -> &'static str {
    match phase {
        "start" => tr!(locale, "Alku", "Början", "Start"),
        "midpoint" => tr!(locale, "Väli", "Mitten", "Midpoint"),
        _ => tr!(locale, "Loppu", "Slut", "Final"),
    }
}

/// A goal's status.
pub fn goal_status(locale: Locale, status: &str) -> &'static str {
    match status {
        "achieved" => tr!(locale, "Saavutettu", "Uppnått", "Achieved"),
        "dropped" => tr!(locale, "Luovuttu", "Slopat", "Dropped"),
        _ => tr!(locale, "Työn alla", "Pågår", "Active"),
    }
}

/// A holiday policy's name.
pub fn holiday_policy(locale: Locale, policy: &str) -> &'static str {
    match policy {
        "shift" => {
            tr!(locale, "Siirrä seuraavaan arkipäivään", "Flytta till nästa vardag", "Move to the next working day")
        }
        "keep" => tr!(locale, "Pidä pyhinäkin", "Behåll även på helgdagar", "Keep on holidays"),
        _ => tr!(
            locale,
            "Jätä väliin ja lisää loppuun",
            "Hoppa över och lägg till i slutet",
            "Skip and add one at the end"
        ),
    }
}

/// Why an occurrence cannot be booked, as a sentence's start.
pub fn conflict_reason(locale: Locale, reason: &str) -> &'static str {
    match reason {
        "supervisor_busy" => tr!(
            locale,
            "Ohjaajalla on jo tapaaminen",
            "Handledaren har redan en träff",
            "The supervisor already has a session"
        ),
        "participant_busy" => tr!(
            locale,
            "Osallistujalla on jo tapaaminen",
            "En deltagare har redan en träff",
            "A participant already has a session"
        ),
        "supervisor_busy_external" => tr!(
            locale,
            "Ohjaajalla on varattu aika omassa kalenterissaan",
            "Handledaren är upptagen i sin egen kalender",
            "The supervisor is busy in their own calendar"
        ),
        "participant_busy_external" => tr!(
            locale,
            "Osallistujalla on varattu aika omassa kalenterissaan",
            "En deltagare är upptagen i sin egen kalender",
            "A participant is busy in their own calendar"
        ),
        "outside_working_hours" => tr!(
            locale,
            "Ohjaajan työajan ulkopuolella",
            "Utanför handledarens arbetstid",
            "Outside the supervisor's working hours"
        ),
        "supervisor_absent" => tr!(locale, "Ohjaaja on poissa", "Handledaren är frånvarande", "The supervisor is away"),
        _ => tr!(locale, "Päällekkäinen varaus", "Överlappande bokning", "Overlapping booking"),
    }
}

/// Why a date was skipped.
pub fn day_off(locale: Locale, reason: &str) -> &'static str {
    match reason {
        "holiday" => tr!(locale, "Pyhäpäivä", "Helgdag", "Public holiday"),
        _ => tr!(locale, "Organisaation sulku", "Organisationens stängning", "Closure"),
    }
}

/// A voter's answer to a poll's option (wire name).
pub fn poll_answer(locale: Locale, answer: &str) -> &'static str {
    match answer {
        "yes" => tr!(locale, "Sopii", "Passar", "Yes"),
        "if_need_be" => tr!(locale, "Tarvittaessa", "Vid behov", "If need be"),
        "no" => tr!(locale, "Ei sovi", "Passar inte", "No"),
        _ => tr!(locale, "Ei vastattu", "Inte svarat", "Not answered"),
    }
}

/// Where a poll stands: open (taking votes or waiting for a choice), decided, closed.
pub fn poll_status(locale: Locale, status: &str, voting: bool) -> &'static str {
    match (status, voting) {
        ("decided", _) => tr!(locale, "Rytmi valittu", "Rytm vald", "Decided"),
        ("closed", _) => tr!(locale, "Suljettu ilman valintaa", "Stängd utan val", "Closed without a choice"),
        (_, true) => tr!(locale, "Vastauksia otetaan", "Tar emot svar", "Taking answers"),
        _ => tr!(locale, "Odottaa valintaa", "Väntar på val", "Waiting for a choice"),
    }
}

/// A poll's option as a sentence, in the reader's zone: "joka toinen viikko tiistaisin klo
/// 13.00–14.30 (90 min), 6 tapaamista 12.1.2027 alkaen".
pub fn poll_option(
    locale: Locale,
    zone: Tz,
    first_starts_at: DateTime<Utc>,
    duration_minutes: i32,
    recurrence: &ohjaus_core::RecurrenceBody,
    sessions: i32,
) -> String {
    use chrono::Timelike as _;
    let start = first_starts_at.with_timezone(&zone).naive_local();
    let end =
        (first_starts_at + chrono::TimeDelta::minutes(i64::from(duration_minutes))).with_timezone(&zone).naive_local();
    let times = format!(
        "{}–{}",
        locale::clock(locale, start.hour(), start.minute()),
        locale::clock(locale, end.hour(), end.minute())
    );
    let cadence = ohjaus_core::rhythm::rhythm(locale, recurrence, start);
    let first = date(locale, start.date());
    let at = locale::at_time(locale, &times);
    match locale {
        Locale::Fi => format!("{cadence}{at} ({duration_minutes} min), {sessions} tapaamista {first} alkaen"),
        Locale::Sv => format!("{cadence}{at} ({duration_minutes} min), {sessions} träffar från {first}"),
        Locale::En => format!("{cadence}{at} ({duration_minutes} min), {sessions} sessions from {first}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_each_language_writes_them() {
        let zone = reader_zone("Europe/Helsinki");
        let start = "2027-01-12T11:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let end = "2027-01-12T12:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(span(Locale::Fi, zone, start, end), "ti 12.1.2027 klo 13.00–14.30");
        assert_eq!(span(Locale::Sv, zone, start, end), "tis 12.1.2027 kl. 13.00–14.30");
        assert_eq!(span(Locale::En, zone, start, end), "Tue 12 Jan 2027, 13:00–14:30");
        let monday = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
        assert_eq!(week_heading(Locale::Fi, monday), "Viikko 2 · 11.1.2027 – 17.1.2027");
    }
}
