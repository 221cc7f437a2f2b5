//! The letters of rhythm polls (issue 11): the invitation to vote with the reader's personal
//! link, the reminder a day before the deadline, and the decision.
//!
//! Kept apart from `compose` so the poll texts can grow (helper A2 owns their wording) without
//! touching the letters of series; `compose::letter` hands the three poll notices here.

use crate::letter::{Fact, Item, Letter, Value, one_line};
use crate::texts;
use crate::when;
use chrono::TimeDelta;
use chrono_tz::Tz;
use ohjaus_core::notice::{PollInfo, PollOptionInfo, Recipient};
use ohjaus_core::{Locale, Notice};

/// The letter of a poll notice; `None` for any other notice.
pub fn letter(notice: &Notice) -> Option<Letter> {
    match notice {
        Notice::PollInvitation { recipient, poll, url } => Some(ask(recipient, poll, url, false)),
        Notice::PollReminder { recipient, poll, url } => Some(ask(recipient, poll, url, true)),
        Notice::PollDecided { recipient, poll, chosen, .. } => Some(decided(recipient, poll, chosen.as_ref())),
        _ => None,
    }
}

fn frame(recipient: &Recipient, subject: String, lead: String) -> Letter {
    let locale = recipient.locale;
    Letter {
        language: locale.as_str().to_owned(),
        subject: one_line(&subject),
        greeting: texts::greeting(locale, &one_line(&recipient.party.name)),
        lead: vec![lead],
        signature: texts::signature(locale).to_owned(),
        ..Letter::default()
    }
}

fn what(locale: Locale, poll: &PollInfo) -> String {
    format!("{} ({})", one_line(&poll.title), texts::kind_name(locale, &poll.kind))
}

/// "Vaihtoehto 2: ke 13.1.2027 klo 14.00, joka 2. viikko, 6 istuntoa, 90 min, Neuvotteluhuone".
fn option_line(locale: Locale, zone: Tz, option: &PollOptionInfo) -> String {
    let label = match locale {
        Locale::Fi => "Vaihtoehto",
        Locale::Sv => "Alternativ",
        Locale::En => "Option",
    };
    let end = option.first_start + TimeDelta::minutes(i64::from(option.duration_minutes));
    let interval = option.recurrence.interval.unwrap_or(1);
    let monthly = option.recurrence.frequency == "monthly";
    let cadence = match (locale, monthly, interval) {
        (Locale::Fi, false, 1) => "joka viikko".to_owned(),
        (Locale::Fi, false, n) => format!("joka {n}. viikko"),
        (Locale::Fi, true, 1) => "joka kuukausi".to_owned(),
        (Locale::Fi, true, n) => format!("joka {n}. kuukausi"),
        (Locale::Sv, false, 1) => "varje vecka".to_owned(),
        (Locale::Sv, false, n) => format!("var {n}:e vecka"),
        (Locale::Sv, true, 1) => "varje månad".to_owned(),
        (Locale::Sv, true, n) => format!("var {n}:e månad"),
        (Locale::En, false, 1) => "every week".to_owned(),
        (Locale::En, false, n) => format!("every {n} weeks"),
        (Locale::En, true, 1) => "every month".to_owned(),
        (Locale::En, true, n) => format!("every {n} months"),
    };
    let mut line = format!(
        "{label} {}: {}, {cadence}, {}",
        option.position,
        when::span(locale, zone, option.first_start, end),
        texts::session_count(locale, usize::try_from(option.sessions).unwrap_or_default()),
    );
    if let Some(place) = &option.location {
        line.push_str(&format!(", {}", one_line(place)));
    }
    line
}

fn ask(recipient: &Recipient, poll: &PollInfo, url: &str, reminder: bool) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&poll.timezone);
    let deadline = when::instant(locale, zone, poll.deadline);
    let title = one_line(&poll.title);
    let (subject, lead) = match (locale, reminder) {
        (Locale::Fi, false) => (
            format!("Valitse sopiva rytmi: {title}"),
            format!(
                "Sinua pyydetään kertomaan, mitkä ehdotetuista ajoista sopivat sinulle. Vastaa viimeistään {deadline}."
            ),
        ),
        (Locale::Fi, true) => (
            format!("Muistutus: vastaa kyselyyn {title}"),
            format!("Et ole vielä vastannut, mitkä ajat sopivat sinulle. Kysely sulkeutuu {deadline}."),
        ),
        (Locale::Sv, false) => (
            format!("Välj en lämplig rytm: {title}"),
            format!("Du ombeds svara vilka av de föreslagna tiderna som passar dig. Svara senast {deadline}."),
        ),
        (Locale::Sv, true) => (
            format!("Påminnelse: svara på förfrågan {title}"),
            format!("Du har ännu inte svarat vilka tider som passar dig. Förfrågan stänger {deadline}."),
        ),
        (Locale::En, false) => (
            format!("Choose a rhythm: {title}"),
            format!("You are asked which of the proposed times suit you. Please answer by {deadline}."),
        ),
        (Locale::En, true) => (
            format!("Reminder: answer the poll {title}"),
            format!("You have not yet said which times suit you. The poll closes {deadline}."),
        ),
    };
    let mut letter = frame(recipient, subject, lead);
    let labels = texts::labels(locale);
    letter.facts.push(Fact { label: labels.what.to_owned(), value: Value::Text(what(locale, poll)) });
    letter
        .facts
        .push(Fact { label: labels.organization.to_owned(), value: Value::Text(one_line(&poll.organization_name)) });
    letter.facts.push(Fact { label: labels.link.to_owned(), value: Value::Link(one_line(url)) });
    letter.list_heading = match locale {
        Locale::Fi => "Vaihtoehdot",
        Locale::Sv => "Alternativ",
        Locale::En => "Options",
    }
    .to_owned();
    letter.items = poll.options.iter().map(|o| Item { text: option_line(locale, zone, o), struck: false }).collect();
    letter.paragraphs.push(
        match locale {
            Locale::Fi => "Linkki on henkilökohtainen: älä välitä sitä eteenpäin. Voit muuttaa vastaustasi, kunnes kysely sulkeutuu.",
            Locale::Sv => "Länken är personlig: vidarebefordra den inte. Du kan ändra ditt svar tills förfrågan stänger.",
            Locale::En => "The link is personal: please do not forward it. You can change your answer until the poll closes.",
        }
        .to_owned(),
    );
    letter
}

fn decided(recipient: &Recipient, poll: &PollInfo, chosen: Option<&PollOptionInfo>) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&poll.timezone);
    let title = one_line(&poll.title);
    let (subject, lead) = match (locale, chosen.is_some()) {
        (Locale::Fi, true) => (
            format!("Rytmi valittu: {title}"),
            "Kyselyn perusteella valittiin seuraava rytmi. Kalenterikutsut tulevat erikseen.".to_owned(),
        ),
        (Locale::Fi, false) => (format!("Kysely suljettu: {title}"), "Kysely suljettiin ilman valintaa.".to_owned()),
        (Locale::Sv, true) => (
            format!("Rytm vald: {title}"),
            "Utifrån förfrågan valdes följande rytm. Kalenderinbjudningarna kommer separat.".to_owned(),
        ),
        (Locale::Sv, false) => {
            (format!("Förfrågan stängd: {title}"), "Förfrågan stängdes utan att en rytm valdes.".to_owned())
        }
        (Locale::En, true) => (
            format!("Rhythm chosen: {title}"),
            "Following the poll, this rhythm was chosen. The calendar invitations come separately.".to_owned(),
        ),
        (Locale::En, false) => (format!("Poll closed: {title}"), "The poll was closed without a choice.".to_owned()),
    };
    let mut letter = frame(recipient, subject, lead);
    let labels = texts::labels(locale);
    letter.facts.push(Fact { label: labels.what.to_owned(), value: Value::Text(what(locale, poll)) });
    letter
        .facts
        .push(Fact { label: labels.organization.to_owned(), value: Value::Text(one_line(&poll.organization_name)) });
    if let Some(option) = chosen {
        letter
            .facts
            .push(Fact { label: labels.when.to_owned(), value: Value::Text(option_line(locale, zone, option)) });
    }
    letter
}
