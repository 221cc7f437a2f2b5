//! The letters of rhythm polls (issue 11): the invitation to vote with the reader's personal
//! link, the one reminder a day before the deadline to those who have not answered, and the
//! decision — the rhythm chosen (its calendar invitations follow as messages of their own) or
//! the poll closed without a choice.
//!
//! Every option is written in the reader's language and zone as a person would say it:
//! "Vaihtoehto 2: joka toinen viikko tiistaisin klo 13.00–14.30 (90 min), 6 istuntoa
//! 12.1.2027 alkaen, Neuvotteluhuone 2". The words are side by side per language, as in
//! [`crate::texts`]. The personal link is a secret: it is written into the letter and nowhere
//! else (the worker logs the recipient's domain only).

use crate::letter::{Fact, Item, Letter, Value, one_line};
use crate::texts;
use crate::when;
use chrono::TimeDelta;
use chrono_tz::Tz;
use ohjaus_core::locale::{self, at_time};
use ohjaus_core::notice::{PollInfo, PollOptionInfo, Recipient};
use ohjaus_core::rhythm::rhythm;
use ohjaus_core::{Locale, Notice, TimeZone};

/// The letter of a poll notice; `None` for any other notice.
pub fn letter(notice: &Notice) -> Option<Letter> {
    match notice {
        Notice::PollInvitation { recipient, poll, url } => Some(ask(recipient, poll, url, Ask::Invitation)),
        Notice::PollReminder { recipient, poll, url } => Some(ask(recipient, poll, url, Ask::Reminder)),
        Notice::PollDecided { recipient, poll, chosen, .. } => Some(decided(recipient, poll, chosen.as_ref())),
        _ => None,
    }
}

/// Which of the two letters that ask for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Invitation,
    Reminder,
}

fn frame(recipient: &Recipient, subject: &str, lead: Vec<String>) -> Letter {
    let locale = recipient.locale;
    Letter {
        language: locale.as_str().to_owned(),
        subject: one_line(subject),
        greeting: texts::greeting(locale, &one_line(&recipient.party.name)),
        lead,
        signature: texts::signature(locale).to_owned(),
        ..Letter::default()
    }
}

fn text_fact(label: &str, value: String) -> Fact {
    Fact { label: label.to_owned(), value: Value::Text(value) }
}

/// "Osasto 5:n työnohjaus (ryhmätyönohjaus)".
fn what(locale: Locale, poll: &PollInfo) -> String {
    format!("{} ({})", one_line(&poll.title), texts::kind_name(locale, &poll.kind))
}

/// "Sari Ohjaaja ja Bo Berg".
fn supervisors(locale: Locale, poll: &PollInfo) -> Option<String> {
    let names: Vec<String> = poll.supervisors.iter().map(|s| one_line(&s.name)).collect();
    let and = match locale {
        Locale::Fi => "ja",
        Locale::Sv => "och",
        Locale::En => "and",
    };
    (!names.is_empty()).then(|| names.join(&format!(" {and} ")))
}

/// The zone's name after a time when the reader is not in Finland's zone (as [`when`] does).
fn zone_suffix(zone: Tz) -> String {
    if zone == TimeZone::HELSINKI.tz() { String::new() } else { format!(" ({})", zone.name()) }
}

/// One option without its number, in the reader's zone: "joka toinen viikko tiistaisin klo
/// 13.00–14.30 (90 min), 6 istuntoa 12.1.2027 alkaen, Neuvotteluhuone 2".
pub fn option_text(locale: Locale, zone: Tz, option: &PollOptionInfo) -> String {
    let start = option.first_start.with_timezone(&zone).naive_local();
    let end = (option.first_start + TimeDelta::minutes(i64::from(option.duration_minutes)))
        .with_timezone(&zone)
        .naive_local();
    let times = format!(
        "{}–{}",
        locale::clock(locale, chrono::Timelike::hour(&start), chrono::Timelike::minute(&start)),
        locale::clock(locale, chrono::Timelike::hour(&end), chrono::Timelike::minute(&end)),
    );
    let cadence = rhythm(locale, &option.recurrence, start);
    let count = texts::session_count(locale, usize::try_from(option.sessions).unwrap_or_default());
    let first = when::date(locale, start.date());
    let minutes = option.duration_minutes;
    let suffix = zone_suffix(zone);
    let mut text = match locale {
        Locale::Fi => format!("{cadence}{}{suffix} ({minutes} min), {count} {first} alkaen", at_time(locale, &times)),
        Locale::Sv => format!("{cadence}{}{suffix} ({minutes} min), {count} från {first}", at_time(locale, &times)),
        Locale::En => format!("{cadence}{}{suffix} ({minutes} min), {count} from {first}", at_time(locale, &times)),
    };
    if let Some(place) = &option.location {
        text.push_str(&format!(", {}", one_line(place)));
    }
    text
}

/// "Vaihtoehto 2: …".
fn option_line(locale: Locale, zone: Tz, option: &PollOptionInfo) -> String {
    let label = match locale {
        Locale::Fi => "Vaihtoehto",
        Locale::Sv => "Alternativ",
        Locale::En => "Option",
    };
    format!("{label} {}: {}", option.position, option_text(locale, zone, option))
}

fn ask(recipient: &Recipient, poll: &PollInfo, url: &str, which: Ask) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let deadline = when::instant(locale, zone, poll.deadline);
    let by = when::short_start(locale, zone, poll.deadline);
    let title = one_line(&poll.title);
    let quoted = texts::quoted(locale, &title);
    let organization = one_line(&poll.organization_name);
    let kind = texts::kind_name(locale, &poll.kind);
    let (subject, lead) = match (locale, which) {
        (Locale::Fi, Ask::Invitation) => (
            format!("Kysely: {title} – vastaa viimeistään {by}"),
            vec![
                format!(
                    "{organization} sopii sarjan {quoted} ({kind}) rytmiä. Kerro, mitkä ehdotetuista vaihtoehdoista sopivat sinulle: kyllä, tarvittaessa tai ei."
                ),
                format!("Vastaa viimeistään {deadline}."),
            ],
        ),
        (Locale::Sv, Ask::Invitation) => (
            format!("Förfrågan: {title} – svara senast {by}"),
            vec![
                format!(
                    "{organization} planerar rytmen för serien {quoted} ({kind}). Svara vilka av de föreslagna alternativen som passar dig: ja, vid behov eller nej."
                ),
                format!("Svara senast {deadline}."),
            ],
        ),
        (Locale::En, Ask::Invitation) => (
            format!("Poll: {title} – please answer by {by}"),
            vec![
                format!(
                    "{organization} is settling the rhythm of {quoted} ({kind}). Say which of the proposed options suit you: yes, if need be, or no."
                ),
                format!("Please answer by {deadline}."),
            ],
        ),
        (Locale::Fi, Ask::Reminder) => (
            format!("Muistutus: {title} – kysely sulkeutuu {by}"),
            vec![
                format!("Et ole vielä vastannut kyselyyn sarjan {quoted} rytmistä."),
                format!("Kysely sulkeutuu {deadline}. Vastaaminen vie vain hetken."),
            ],
        ),
        (Locale::Sv, Ask::Reminder) => (
            format!("Påminnelse: {title} – förfrågan stänger {by}"),
            vec![
                format!("Du har ännu inte svarat på förfrågan om rytmen för serien {quoted}."),
                format!("Förfrågan stänger {deadline}. Det tar bara en stund att svara."),
            ],
        ),
        (Locale::En, Ask::Reminder) => (
            format!("Reminder: {title} – the poll closes {by}"),
            vec![
                format!("You have not yet answered the poll on the rhythm of {quoted}."),
                format!("It closes {deadline}. Answering takes only a moment."),
            ],
        ),
    };
    let mut letter = frame(recipient, &subject, lead);
    let labels = texts::labels(locale);
    let (answer_by, your_link, options) = match locale {
        Locale::Fi => ("Vastaa viimeistään", "Vastauslinkkisi", "Vaihtoehdot"),
        Locale::Sv => ("Svara senast", "Din svarslänk", "Alternativ"),
        Locale::En => ("Answer by", "Your link", "Options"),
    };
    letter.facts.push(text_fact(labels.what, what(locale, poll)));
    letter.facts.push(text_fact(labels.organization, organization));
    if let Some(names) = supervisors(locale, poll) {
        letter.facts.push(text_fact(texts::supervisor_label(locale, texts::is_coaching(&poll.kind)), names));
    }
    letter.facts.push(text_fact(answer_by, deadline));
    letter.facts.push(Fact { label: your_link.to_owned(), value: Value::Link(one_line(url)) });
    letter.list_heading = options.to_owned();
    letter.items = poll.options.iter().map(|o| Item { text: option_line(locale, zone, o), struck: false }).collect();
    letter.paragraphs.push(
        match locale {
            Locale::Fi => "Linkki on henkilökohtainen: se vastaa vain sinun puolestasi, eikä sitä pidä välittää eteenpäin. Et tarvitse tunnusta. Voit muuttaa vastaustasi samasta linkistä, kunnes kysely sulkeutuu.",
            Locale::Sv => "Länken är personlig: den svarar bara för dig och ska inte vidarebefordras. Du behöver inget konto. Du kan ändra ditt svar via samma länk tills förfrågan stänger.",
            Locale::En => "The link is personal: it answers only for you, so please do not forward it. You need no account. You can change your answer through the same link until the poll closes.",
        }
        .to_owned(),
    );
    letter
}

fn decided(recipient: &Recipient, poll: &PollInfo, chosen: Option<&PollOptionInfo>) -> Letter {
    let locale = recipient.locale;
    let zone = when::reader_zone(&recipient.timezone);
    let title = one_line(&poll.title);
    let quoted = texts::quoted(locale, &title);
    let (subject, lead) = match (locale, chosen) {
        (Locale::Fi, Some(option)) => (
            format!("Rytmi valittu: {title} – alkaa {}", when::short_start(locale, zone, option.first_start)),
            vec![
                format!("Kyselyn perusteella sarjalle {quoted} valittiin vaihtoehto {}.", option.position),
                "Kalenterikutsut istuntoihin tulevat erillisinä viesteinä.".to_owned(),
            ],
        ),
        (Locale::Sv, Some(option)) => (
            format!("Rytm vald: {title} – börjar {}", when::short_start(locale, zone, option.first_start)),
            vec![
                format!("Utifrån förfrågan valdes alternativ {} för serien {quoted}.", option.position),
                "Kalenderinbjudningarna till träffarna kommer i separata meddelanden.".to_owned(),
            ],
        ),
        (Locale::En, Some(option)) => (
            format!("Rhythm chosen: {title} – starts {}", when::short_start(locale, zone, option.first_start)),
            vec![
                format!("Following the poll, option {} was chosen for {quoted}.", option.position),
                "The calendar invitations to the sessions follow in separate messages.".to_owned(),
            ],
        ),
        (Locale::Fi, None) => (
            format!("Kysely suljettu: {title}"),
            vec![
                format!("Kysely sarjan {quoted} rytmistä on suljettu ilman valintaa."),
                "Sen perusteella ei varattu istuntoja.".to_owned(),
            ],
        ),
        (Locale::Sv, None) => (
            format!("Förfrågan stängd: {title}"),
            vec![
                format!("Förfrågan om rytmen för serien {quoted} har stängts utan att något alternativ valdes."),
                "Inga träffar har bokats utifrån den.".to_owned(),
            ],
        ),
        (Locale::En, None) => (
            format!("Poll closed: {title}"),
            vec![
                format!("The poll on the rhythm of {quoted} was closed without a choice."),
                "No sessions were booked from it.".to_owned(),
            ],
        ),
    };
    let mut letter = frame(recipient, &subject, lead);
    let labels = texts::labels(locale);
    letter.facts.push(text_fact(labels.what, what(locale, poll)));
    letter.facts.push(text_fact(labels.organization, one_line(&poll.organization_name)));
    if let Some(names) = supervisors(locale, poll) {
        letter.facts.push(text_fact(texts::supervisor_label(locale, texts::is_coaching(&poll.kind)), names));
    }
    if let Some(option) = chosen {
        let label = match locale {
            Locale::Fi => "Valittu rytmi",
            Locale::Sv => "Vald rytm",
            Locale::En => "Chosen rhythm",
        };
        letter.facts.push(text_fact(label, option_text(locale, zone, option)));
    }
    letter
}
