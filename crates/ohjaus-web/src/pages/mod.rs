//! The pages, one module per reader: [`sign_in`] (and the front page, language switch and
//! calendar link), [`supervisor`], [`coordinator`] (and its [`webhooks`]), [`participant`],
//! [`invoicing`], the rhythm polls ([`polls`] for those who lead them, [`vote`] for those
//! asked); and the pieces they share.

pub mod calendars;
pub mod coordinator;
pub mod invoicing;
pub mod participant;
pub mod polls;
pub mod sign_in;
pub mod supervisor;
pub mod vote;
pub mod webhooks;

use crate::ctx::Ctx;
use crate::i18n;
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use ohjaus_core::preview::ConflictView;
use ohjaus_core::{Conflict, FieldError, Locale};
use ohjaus_store::StoreError;
use std::collections::HashMap;
use uuid::Uuid;

/// A field's name as a form labels it.
fn field_label(locale: Locale, field: &str) -> String {
    // A poll's option: "Vaihtoehto 2 – Kesto" for `options[1].duration_minutes`.
    if let Some((index, rest)) = field.strip_prefix("options[").and_then(|f| f.split_once(']'))
        && let Ok(index) = index.parse::<usize>()
    {
        let option = format!("{} {}", tr!(locale, "Vaihtoehto", "Alternativ", "Option"), index + 1);
        return match rest.strip_prefix('.') {
            Some(inner) => format!("{option} – {}", field_label(locale, inner)),
            None => option,
        };
    }
    let base = field.split(['.', '[']).next().unwrap_or(field);
    let label = match base {
        "title" => tr!(locale, "Nimi", "Namn", "Title"),
        "kind" => tr!(locale, "Laji", "Typ", "Kind"),
        "first_start" | "starts_at_local" => tr!(locale, "Ensimmäinen tapaaminen", "Första träffen", "First session"),
        "duration_minutes" => tr!(locale, "Kesto", "Längd", "Length"),
        "recurrence" => tr!(locale, "Toistuvuus", "Upprepning", "Recurrence"),
        "participant_ids" | "team_id" => tr!(locale, "Osallistujat", "Deltagare", "Participants"),
        "supervisor_id" => tr!(locale, "Ohjaaja", "Handledare", "Supervisor"),
        "location" => tr!(locale, "Paikka", "Plats", "Place"),
        "video_url" => tr!(locale, "Videolinkki", "Videolänk", "Video link"),
        "cancellation_notice_hours" => tr!(locale, "Peruutusaika", "Avbokningstid", "Cancellation notice"),
        "goals" | "text" => tr!(locale, "Teksti", "Text", "Text"),
        "session" => tr!(locale, "Tapaaminen", "Träff", "Session"),
        "entries" => tr!(locale, "Läsnäolo", "Närvaro", "Attendance"),
        "phase" => tr!(locale, "Vaihe", "Fas", "Phase"),
        "rating" => tr!(locale, "Arvio", "Bedömning", "Rating"),
        "reason" => tr!(locale, "Syy", "Orsak", "Reason"),
        "replace" => tr!(locale, "Korvaava tapaaminen", "Ersättande träff", "Make-up session"),
        "from" | "to" => tr!(locale, "Aikaväli", "Period", "Period"),
        "deadline" => tr!(locale, "Vastausaika", "Svarstid", "Deadline"),
        "options" => tr!(locale, "Vaihtoehdot", "Alternativ", "Options"),
        "option_id" => tr!(locale, "Vaihtoehto", "Alternativ", "Option"),
        "answers" => tr!(locale, "Vastaukset", "Svar", "Answers"),
        "comment" => tr!(locale, "Kommentti", "Kommentar", "Comment"),
        "status" => tr!(locale, "Tila", "Status", "Status"),
        _ => return field.to_owned(),
    };
    label.to_owned()
}

/// The list of what is wrong with a form (the store's messages, under the form's labels).
pub fn problems(locale: Locale, errors: &[FieldError]) -> Markup {
    html! {
        div.problems role="alert" tabindex="-1" {
            h2 { (tr!(locale, "Tarkista nämä kohdat", "Kontrollera följande", "Please check these")) }
            ul {
                @for error in errors {
                    li { strong { (field_label(locale, &error.field)) ": " } (error.message) }
                }
            }
        }
    }
}

/// A conflict as the pages explain it.
#[derive(Debug, Clone)]
pub struct ConflictLine {
    /// The occurrence's number.
    pub index: u32,
    /// When the occurrence would start.
    pub starts_at: DateTime<Utc>,
    /// The reason's wire name.
    pub reason: String,
    /// The busy time it collides with.
    pub with: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The busy participant.
    pub person_id: Option<Uuid>,
    /// Which supervisor, for a supervisor's reason (co-supervision).
    pub supervisor_id: Option<Uuid>,
}

fn utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

impl ConflictLine {
    /// From a preview's conflict.
    pub fn from_view(view: &ConflictView) -> Option<Self> {
        Some(Self {
            index: view.index,
            starts_at: utc(&view.starts_at)?,
            reason: view.reason.as_str().to_owned(),
            with: view.with.as_ref().and_then(|w| Some((utc(&w.starts_at)?, utc(&w.ends_at)?))),
            person_id: view.person_id,
            supervisor_id: view.supervisor_id,
        })
    }

    /// From a refused change's conflict.
    pub fn from_conflict(conflict: &Conflict) -> Self {
        Self {
            index: conflict.index,
            starts_at: conflict.starts_at,
            reason: conflict.reason.as_str().to_owned(),
            with: conflict.with.map(|b| (b.starts_at, b.ends_at)),
            person_id: conflict.person_id,
            supervisor_id: conflict.supervisor_id,
        }
    }
}

/// The supervisors of a series as its pages name them: "Anna" or, co-supervised, "Anna ja Bo".
pub fn supervisor_names(locale: Locale, label: &ohjaus_store::read::series_labels::SeriesLabel) -> String {
    match &label.co_supervisor_name {
        Some(co) => format!("{} {} {co}", label.supervisor_name, crate::tr!(locale, "ja", "och", "and")),
        None => label.supervisor_name.clone(),
    }
}

/// The explained conflicts, one line each: which session, when, and what it collides with.
pub fn conflict_list(ctx: &Ctx, conflicts: &[ConflictLine], names: &HashMap<Uuid, String>) -> Markup {
    let l = ctx.locale;
    html! {
        div.conflicts role="alert" {
            h3 { (tr!(l, "Päällekkäisyydet", "Krockar", "Conflicts")) " (" (conflicts.len()) ")" }
            p { (tr!(l,
                "Näitä tapaamisia ei voi varata tällä ajalla. Valitse toinen aika tai katso ehdotetut ajat.",
                "De här träffarna kan inte bokas vid den här tiden. Välj en annan tid eller se förslagen.",
                "These sessions cannot be booked at this time. Choose another time or see the suggested times.")) }
            (conflict_items(ctx, conflicts, names))
        }
    }
}

/// The lines of [`conflict_list`] alone, for a page that introduces them in its own words.
pub fn conflict_items(ctx: &Ctx, conflicts: &[ConflictLine], names: &HashMap<Uuid, String>) -> Markup {
    let l = ctx.locale;
    html! {
        ul {
            @for c in conflicts {
                li.conflict {
                    strong { (tr!(l, "Tapaaminen", "Träff", "Session")) " " (c.index) }
                    " (" (i18n::instant(l, ctx.zone, c.starts_at)) "): "
                    (i18n::conflict_reason(l, &c.reason))
                    @if let Some(name) = c.person_id.or(c.supervisor_id).and_then(|id| names.get(&id)) { " – " (name) }
                    @if let Some((start, end)) = c.with {
                        @if c.reason == "supervisor_absent" {
                            " (" (i18n::span(l, ctx.zone, start, end)) ")"
                        } @else {
                            " " (tr!(l, "ajalla", "vid", "at")) " " (i18n::span(l, ctx.zone, start, end))
                        }
                    }
                    "."
                }
            }
        }
    }
}

/// The field errors of a store error, or `None` when it is not an input error.
pub fn field_errors(error: &StoreError) -> Option<Vec<FieldError>> {
    match error {
        StoreError::Invalid(errors) | StoreError::State(errors) => Some(errors.errors().to_vec()),
        _ => None,
    }
}

/// "Tapaaminen 3/10".
pub fn k_of_n(locale: Locale, index: u32, total: u32) -> String {
    let word = tr!(locale, "Tapaaminen", "Träff", "Session");
    if total > 0 { format!("{word} {index}/{total}") } else { format!("{word} {index}") }
}

/// A phase badge, if the session has a phase.
pub fn phase_badge(locale: Locale, phase: Option<&str>) -> Markup {
    html! {
        @if let Some(phase) = phase {
            span.badge.phase { (i18n::phase(locale, phase)) }
        }
    }
}

/// Where a session is: the place, and the video link as a link.
pub fn place(locale: Locale, location: Option<&str>, video_url: Option<&str>) -> Markup {
    html! {
        @if let Some(location) = location { span.place { (location) } }
        @if let Some(url) = video_url {
            @if location.is_some() { " · " }
            a.video href=(url) rel="noopener noreferrer" { (tr!(locale, "Videolinkki", "Videolänk", "Video link")) }
        }
    }
}
