//! The pages of those who lead rhythm polls: a coordinator creates a poll for a team or named
//! people (2–8 rhythms and a deadline), sees what each option's pre-check met and why, the
//! tally per option with names, and chooses an option — which books the series exactly as the
//! booking page does (a refusal shows every conflict, as there) — or closes the poll without
//! a choice. A supervisor sees and decides the polls they lead, from their own pages.
//!
//! The rules — the pre-check, who may see a poll, the booking — are the store's: another
//! organization's poll, or one a supervisor does not lead, is the site's 404 page.

use super::coordinator::monthly_weekday;
use super::{ConflictLine, conflict_items, conflict_list, field_errors, problems};
use crate::ctx::{AsCoordinator, AsSupervisor, Ctx};
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use maud::{Markup, html};
use ohjaus_core::{FieldError, Locale, RecurrenceBody};
use ohjaus_store::page::Page;
use ohjaus_store::status::PollStatus;
use ohjaus_store::write::people::Person;
use ohjaus_store::write::polls::{Poll, PollBody, PollOption, PollOptionBody, Voter, vote_link_base};
use ohjaus_store::write::supervisors::Supervisor;
use ohjaus_store::write::teams::Team;
use ohjaus_store::{Caller, StoreError};
use std::collections::HashMap;
use uuid::Uuid;

/// Most option rows the form offers (the store's limit).
const MAX_ROWS: usize = 8;
/// Option rows of a fresh form.
const FIRST_ROWS: usize = 3;

/// Who leads the polls a page shows: a coordinator of their organization, or a supervisor of
/// their own polls. `base` is where their pages are (`/coordinator`, `/supervisor`).
struct Lead<'a> {
    ctx: &'a Ctx,
    caller: &'a Caller,
    base: &'static str,
}

impl Lead<'_> {
    fn poll_path(&self, id: Uuid) -> String {
        format!("{}/polls/{id}", self.base)
    }

    fn series_path(&self, id: Uuid) -> String {
        match self.base {
            "/coordinator" => format!("/coordinator/series/{id}"),
            _ => format!("/supervisor/series/{id}"),
        }
    }
}

fn option_heading(locale: Locale, position: i32) -> String {
    format!("{} {position}", tr!(locale, "Vaihtoehto", "Alternativ", "Option"))
}

fn option_text(ctx: &Ctx, option: &PollOption) -> String {
    i18n::poll_option(
        ctx.locale,
        ctx.zone,
        option.first_starts_at.with_timezone(&Utc),
        option.duration_minutes,
        &option.recurrence,
        option.sessions,
    )
}

fn answered(poll: &Poll) -> usize {
    let not_answered = poll.options.first().map_or(poll.voters.len(), |o| o.tally.not_answered.len());
    poll.voters.len() - not_answered.min(poll.voters.len())
}

fn status_badge(l: Locale, poll: &Poll) -> Markup {
    html! { span.badge { (i18n::poll_status(l, poll.status.as_str(), poll.voting)) } }
}

/// The polls as cards.
fn poll_cards(lead: &Lead<'_>, polls: &[Poll]) -> Markup {
    let l = lead.ctx.locale;
    html! {
        @if polls.is_empty() { p { (tr!(l, "Ei kyselyitä.", "Inga förfrågningar.", "No polls.")) } }
        ul.cards {
            @for poll in polls {
                li.card {
                    h3 { a href=(lead.poll_path(poll.id)) { (poll.title) } }
                    p.meta {
                        (status_badge(l, poll)) " · "
                        (tr!(l, "Vastausaika", "Svarstid", "Deadline")) " " (i18n::instant(l, lead.ctx.zone, poll.deadline.with_timezone(&Utc)))
                        " · " (tr!(l, "vastanneet", "svarat", "answered")) " " (answered(poll)) "/" (poll.voters.len())
                        " · " (poll.options.len()) " " (tr!(l, "vaihtoehtoa", "alternativ", "options"))
                    }
                }
            }
        }
    }
}

fn names_list(voters: &[Voter]) -> String {
    voters.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// The tally of one option: each answer with its count and names.
fn tally(l: Locale, option: &PollOption) -> Markup {
    let t = &option.tally;
    let rows = [("yes", &t.yes), ("if_need_be", &t.if_need_be), ("no", &t.no), ("", &t.not_answered)];
    html! {
        table.tally {
            caption.visually-hidden { (tr!(l, "Vastaukset", "Svar", "Answers")) ": " (option_heading(l, option.position)) }
            thead { tr {
                th scope="col" { (tr!(l, "Vastaus", "Svar", "Answer")) }
                th scope="col" { (tr!(l, "Määrä", "Antal", "Count")) }
                th scope="col" { (tr!(l, "Ketkä", "Vilka", "Who")) }
            } }
            tbody {
                @for (answer, voters) in rows {
                    tr class={ "answer-" (if answer.is_empty() { "none" } else { answer }) } {
                        th scope="row" { (i18n::poll_answer(l, answer)) }
                        td.count { (voters.len()) }
                        td { (names_list(voters)) }
                    }
                }
            }
        }
    }
}

/// Why an option could not be chosen, shown at that option.
struct Refusal {
    option_id: Uuid,
    conflicts: Vec<ConflictLine>,
    errors: Vec<FieldError>,
}

async fn names(state: &WebState, caller: &Caller, poll: &Poll) -> Result<HashMap<Uuid, String>, PageError> {
    let mut names: HashMap<Uuid, String> = poll.voters.iter().map(|v| (v.person_id, v.name.clone())).collect();
    match state.store.list_supervisors(caller).await {
        Ok(found) => names.extend(found.into_iter().map(|s| (s.id, s.name))),
        Err(StoreError::Forbidden) => {}
        Err(other) => return Err(other.into()),
    }
    Ok(names)
}

async fn poll_page(
    state: &WebState,
    lead: &Lead<'_>,
    id: Uuid,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = lead.ctx;
    let l = ctx.locale;
    let now = state.clock.now();
    let poll = state.store.get_poll(lead.caller, id, now).await?;
    let names = names(state, lead.caller, &poll).await?;
    let open = poll.status == PollStatus::Open;
    let supervisors: Vec<&str> = [Some(poll.supervisor_id), poll.co_supervisor_id]
        .into_iter()
        .flatten()
        .filter_map(|s| names.get(&s).map(String::as_str))
        .collect();
    let body = html! {
        p.crumbs { a href={ (lead.base) "/polls" } { (tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls")) } }
        h1 { (poll.title) }
        p.meta {
            (i18n::kind(l, &poll.kind))
            @if !supervisors.is_empty() { " · " (supervisors.join(tr!(l, " ja ", " och ", " and "))) }
            " · " (status_badge(l, &poll))
        }
        p {
            strong { (tr!(l, "Vastausaika", "Svarstid", "Deadline")) ": " } (i18n::instant(l, ctx.zone, poll.deadline.with_timezone(&Utc)))
            " · " strong { (tr!(l, "Vastanneet", "Svarat", "Answered")) ": " } (answered(&poll)) "/" (poll.voters.len())
            @if let Some(at) = poll.reminded_at {
                " · " (tr!(l, "Muistutus lähetetty", "Påminnelse skickad", "Reminder sent")) " " (i18n::instant(l, ctx.zone, at.with_timezone(&Utc)))
            }
        }
        @if let Some(series_id) = poll.series_id {
            p.notice role="status" {
                (tr!(l, "Valittu rytmi on varattu sarjaksi.", "Den valda rytmen är bokad som en serie.", "The rhythm chosen is booked as a series."))
                " " a href=(lead.series_path(series_id)) { (tr!(l, "Avaa sarja", "Öppna serien", "Open the series")) }
            }
        }
        @for option in &poll.options {
            @let chosen = poll.chosen_option_id == Some(option.id);
            @let here = refusal.as_ref().filter(|r| r.option_id == option.id);
            section.card.poll-option id={ "option-" (option.position) } aria-labelledby={ "option-" (option.position) "-heading" } {
                h2 id={ "option-" (option.position) "-heading" } {
                    (option_heading(l, option.position))
                    @if chosen { " " span.badge { (tr!(l, "valittu", "vald", "chosen")) } }
                    @if !option.conflicts.is_empty() { " " span.badge.warn { (tr!(l, "päällekkäisyyksiä", "krockar", "conflicts")) } }
                }
                p.rhythm { (option_text(ctx, option)) @if let Some(place) = &option.location { ", " (place) } }
                @let lines: Vec<ConflictLine> = option.conflicts.iter().filter_map(ConflictLine::from_view).collect();
                @if lines.is_empty() {
                    p.ok { (tr!(l, "Esitarkistus: kaikki tapaamiset sopivat", "Förhandskontroll: alla träffar passar", "Pre-check: every session fits"))
                        " (" (i18n::instant(l, ctx.zone, option.checked_at.with_timezone(&Utc))) ")." }
                } @else {
                    div.conflicts.precheck {
                        h3 { (tr!(l, "Esitarkistus", "Förhandskontroll", "Pre-check")) ": " (lines.len()) " " (tr!(l, "päällekkäisyyttä", "krockar", "conflicts")) }
                        p { (tr!(l,
                            "Nämä tapaamiset osuivat jo varattuun aikaan, kun kysely luotiin. Valinta tarkistetaan uudelleen.",
                            "De här träffarna krockade med bokad tid när förfrågan skapades. Valet kontrolleras på nytt.",
                            "These sessions met booked time when the poll was created. Choosing checks again.")) }
                        (conflict_items(ctx, &lines, &names))
                    }
                }
                @if let Some(here) = here {
                    @if !here.conflicts.is_empty() { (conflict_list(ctx, &here.conflicts, &names)) }
                    @if !here.errors.is_empty() { (problems(l, &here.errors)) }
                }
                (tally(l, option))
                @if open {
                    form method="post" action={ (lead.poll_path(poll.id)) "/choose" } {
                        (csrf_field(ctx))
                        input type="hidden" name="option_id" value=(option.id);
                        button.primary type="submit" { (tr!(l, "Valitse ja varaa", "Välj och boka", "Choose and book")) " – " (option_heading(l, option.position)) }
                    }
                }
            }
        }
        section aria-labelledby="comments-heading" {
            h2 #comments-heading { (tr!(l, "Kommentit", "Kommentarer", "Comments")) }
            @if poll.comments.is_empty() { p { (tr!(l, "Ei kommentteja.", "Inga kommentarer.", "No comments.")) } }
            ul.notes {
                @for comment in &poll.comments {
                    li.note { p.meta { (comment.name) } p.text { (comment.comment) } }
                }
            }
        }
        @if open {
            form method="post" action={ (lead.poll_path(poll.id)) "/close" } {
                (csrf_field(ctx))
                button.danger type="submit" { (tr!(l, "Sulje kysely ilman valintaa", "Stäng förfrågan utan val", "Close the poll without a choice")) }
            }
        }
    };
    Ok((status, page(ctx, &poll.title, body)).into_response())
}

async fn choose(state: &WebState, lead: &Lead<'_>, id: Uuid, form: &FormData) -> Result<Response, PageError> {
    let Some(option_id) = form.get("option_id").and_then(|v| v.parse::<Uuid>().ok()) else {
        return Err(PageError::Page(crate::errors::ErrorKind::BadRequest));
    };
    match state.store.choose_poll_option(lead.caller, id, option_id, state.clock.now()).await {
        Ok(poll) => match poll.series_id {
            Some(series_id) => Ok(see_other(&format!("{}?notice=poll_chosen", lead.series_path(series_id)))),
            None => Ok(see_other(&format!("{}?notice=poll_chosen", lead.poll_path(id)))),
        },
        Err(StoreError::Conflict(conflicts)) => {
            let conflicts = conflicts.iter().map(ConflictLine::from_conflict).collect();
            let refusal = Refusal { option_id, conflicts, errors: Vec::new() };
            poll_page(state, lead, id, Some(refusal), StatusCode::CONFLICT).await
        }
        Err(error @ StoreError::State(_)) => {
            let errors = field_errors(&error).unwrap_or_default();
            poll_page(state, lead, id, Some(Refusal { option_id, conflicts: Vec::new(), errors }), StatusCode::CONFLICT)
                .await
        }
        Err(error) => match field_errors(&error) {
            Some(errors) => {
                let refusal = Refusal { option_id, conflicts: Vec::new(), errors };
                poll_page(state, lead, id, Some(refusal), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => Err(error.into()),
        },
    }
}

async fn close(state: &WebState, lead: &Lead<'_>, id: Uuid) -> Result<Response, PageError> {
    match state.store.close_poll(lead.caller, id, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("{}?notice=poll_closed", lead.poll_path(id)))),
        Err(StoreError::State(_)) => poll_page(state, lead, id, None, StatusCode::CONFLICT).await,
        Err(error) => Err(error.into()),
    }
}

/// The poll form as filled in.
#[derive(Debug, Clone, Default)]
struct PollForm {
    title: String,
    kind: String,
    supervisor_id: String,
    co_supervisor_id: String,
    team_id: String,
    people: Vec<String>,
    deadline_date: String,
    deadline_time: String,
    holiday_policy: String,
    notice_hours: String,
    video_url: String,
    rows: Vec<OptionRow>,
}

/// One option row of the form.
#[derive(Debug, Clone, Default)]
struct OptionRow {
    date: String,
    time: String,
    duration: String,
    frequency: String,
    interval: String,
    count: String,
    location: String,
}

impl OptionRow {
    fn blank() -> Self {
        Self {
            time: "13:00".into(),
            duration: "90".into(),
            frequency: "weekly".into(),
            interval: "2".into(),
            count: "6".into(),
            ..Self::default()
        }
    }

    fn is_blank(&self) -> bool {
        self.date.trim().is_empty()
    }

    fn body(&self) -> PollOptionBody {
        let number = |text: &str| text.trim().parse::<i64>().ok();
        let monthly = self.frequency == "monthly";
        let by_weekday = monthly
            .then(|| NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok())
            .flatten()
            .map(monthly_weekday);
        PollOptionBody {
            first_start: format!("{}T{}", self.date.trim(), self.time.trim()),
            duration_minutes: number(&self.duration).unwrap_or(0),
            recurrence: RecurrenceBody {
                frequency: self.frequency.clone(),
                interval: if monthly { None } else { number(&self.interval) },
                count: number(&self.count),
                until: None,
                by_weekday,
            },
            location: Some(self.location.trim().to_owned()).filter(|l| !l.is_empty()),
        }
    }
}

impl PollForm {
    fn blank() -> Self {
        Self {
            kind: "group_supervision".into(),
            deadline_time: "16:00".into(),
            holiday_policy: "skip".into(),
            notice_hours: "168".into(),
            rows: vec![OptionRow::blank(); FIRST_ROWS],
            ..Self::default()
        }
    }

    fn from(form: &FormData) -> Self {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        let rows = (0..MAX_ROWS)
            .map(|i| OptionRow {
                date: get(&format!("date-{i}")),
                time: get(&format!("time-{i}")),
                duration: get(&format!("duration-{i}")),
                frequency: get(&format!("frequency-{i}")),
                interval: get(&format!("interval-{i}")),
                count: get(&format!("count-{i}")),
                location: get(&format!("location-{i}")),
            })
            .filter(|row| !row.is_blank())
            .collect();
        Self {
            title: get("title"),
            kind: get("kind"),
            supervisor_id: get("supervisor_id"),
            co_supervisor_id: get("co_supervisor_id"),
            team_id: get("team_id"),
            people: form.all("person").into_iter().map(str::to_owned).collect(),
            deadline_date: get("deadline_date"),
            deadline_time: get("deadline_time"),
            holiday_policy: get("holiday_policy"),
            notice_hours: get("notice_hours"),
            video_url: get("video_url"),
            rows,
        }
    }

    /// The rows to show: those filled in and `extra` blank ones, at least two, at most eight.
    fn shown_rows(&self, extra: usize) -> Vec<OptionRow> {
        let mut rows = self.rows.clone();
        let wanted = (rows.len() + extra).clamp(2, MAX_ROWS);
        while rows.len() < wanted {
            rows.push(OptionRow::blank());
        }
        rows
    }

    /// The poll body; what is malformed is left for the store to name, except the deadline,
    /// which the page reads in the coordinator's zone.
    fn body(&self, zone: chrono_tz::Tz) -> Result<PollBody, FieldError> {
        let text = format!("{}T{}", self.deadline_date.trim(), self.deadline_time.trim());
        let deadline = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|local| zone.from_local_datetime(&local).earliest())
            .map(|at| at.fixed_offset())
            .ok_or_else(|| FieldError::new("deadline", "give a date and a time"))?;
        let team_id = self.team_id.parse::<Uuid>().ok();
        let people: Vec<Uuid> = self.people.iter().filter_map(|p| p.parse().ok()).collect();
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(PollBody {
            kind: self.kind.clone(),
            title: self.title.clone(),
            supervisor_id: self.supervisor_id.parse().ok(),
            co_supervisor_id: self.co_supervisor_id.parse().ok(),
            team_id,
            participant_ids: team_id.is_none().then_some(people),
            timezone: None,
            holiday_policy: optional(&self.holiday_policy),
            video_url: optional(&self.video_url),
            cancellation_notice_hours: self.notice_hours.trim().parse().ok(),
            deadline,
            options: self.rows.iter().map(OptionRow::body).collect(),
        })
    }
}

/// What the poll form offers to choose from.
struct Choices {
    supervisors: Vec<Supervisor>,
    teams: Vec<Team>,
    people: Vec<Person>,
}

async fn choices(state: &WebState, who: &AsCoordinator) -> Result<Choices, PageError> {
    Ok(Choices {
        supervisors: state.store.list_supervisors(&who.caller).await?,
        teams: state.store.list_teams(&who.caller, who.organization_id).await?,
        people: state.store.list_people(&who.caller, who.organization_id).await?,
    })
}

fn option_row(l: Locale, i: usize, row: &OptionRow) -> Markup {
    let id = |name: &str| format!("{name}-{i}");
    html! {
        fieldset.poll-row {
            legend { (tr!(l, "Vaihtoehto", "Alternativ", "Option")) " " (i + 1) }
            div.grid {
                div.field {
                    label for=(id("date")) { (tr!(l, "Ensimmäinen päivä", "Första dagen", "First date")) }
                    input id=(id("date")) name=(id("date")) type="date" value=(row.date) required[i < 2];
                }
                div.field {
                    label for=(id("time")) { (tr!(l, "Kellonaika", "Klockslag", "Time")) }
                    input id=(id("time")) name=(id("time")) type="time" value=(row.time);
                }
                div.field {
                    label for=(id("duration")) { (tr!(l, "Kesto (min)", "Längd (min)", "Length (min)")) }
                    input id=(id("duration")) name=(id("duration")) type="number" min="15" max="480" step="15" value=(row.duration);
                }
                div.field {
                    label for=(id("frequency")) { (tr!(l, "Toistuvuus", "Upprepning", "Repeats")) }
                    select id=(id("frequency")) name=(id("frequency")) {
                        option value="weekly" selected[row.frequency == "weekly"] { (tr!(l, "Viikoittain", "Veckovis", "Weekly")) }
                        option value="monthly" selected[row.frequency == "monthly"] { (tr!(l, "Kuukausittain (sama viikonpäivä)", "Månadsvis (samma veckodag)", "Monthly (same weekday)")) }
                    }
                }
                div.field {
                    label for=(id("interval")) { (tr!(l, "Viikkoja välissä", "Veckor emellan", "Weeks between")) }
                    input id=(id("interval")) name=(id("interval")) type="number" min="1" max="52" value=(row.interval);
                }
                div.field {
                    label for=(id("count")) { (tr!(l, "Tapaamisia", "Träffar", "Sessions")) }
                    input id=(id("count")) name=(id("count")) type="number" min="1" max="200" value=(row.count);
                }
                div.field {
                    label for=(id("location")) { (tr!(l, "Paikka", "Plats", "Place")) }
                    input id=(id("location")) name=(id("location")) type="text" value=(row.location);
                }
            }
        }
    }
}

fn new_poll_page(ctx: &Ctx, choices: &Choices, form: &PollForm, extra: usize, errors: &[FieldError]) -> Markup {
    let l = ctx.locale;
    let title = tr!(l, "Uusi rytmikysely", "Ny rytmförfrågan", "New rhythm poll");
    let rows = form.shown_rows(extra);
    page(
        ctx,
        title,
        html! {
            p.crumbs { a href="/coordinator/polls" { (tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls")) } }
            h1 { (title) }
            p.help { (tr!(l,
                "Ehdota 2–8 rytmiä. Jokainen vaihtoehto tarkistetaan heti tapaaminen kerrallaan, ja jokainen kysytty saa sähköpostiin henkilökohtaisen vastauslinkin.",
                "Föreslå 2–8 rytmer. Varje alternativ kontrolleras genast träff för träff, och var och en som tillfrågas får en personlig svarslänk per e-post.",
                "Propose 2–8 rhythms. Each option is checked at once, session by session, and everyone asked gets a personal link to answer by email.")) }
            @if !errors.is_empty() { (problems(l, errors)) }
            form #poll-form .stack method="post" action="/coordinator/polls" {
                (csrf_field(ctx))
                div.grid {
                    div.field {
                        label for="title" { (tr!(l, "Sarjan nimi", "Seriens namn", "Title")) }
                        input #title name="title" type="text" required value=(form.title);
                    }
                    div.field {
                        label for="kind" { (tr!(l, "Laji", "Typ", "Kind")) }
                        select #kind name="kind" {
                            @for kind in i18n::KINDS { option value=(kind) selected[kind == form.kind] { (i18n::kind(l, kind)) } }
                        }
                    }
                    div.field {
                        label for="supervisor_id" { (tr!(l, "Ohjaaja", "Handledare", "Supervisor")) }
                        select #supervisor_id name="supervisor_id" required {
                            option value="" { (tr!(l, "Valitse ohjaaja", "Välj handledare", "Choose a supervisor")) }
                            @for s in &choices.supervisors { option value=(s.id) selected[s.id.to_string() == form.supervisor_id] { (s.name) } }
                        }
                    }
                    div.field {
                        label for="co_supervisor_id" { (tr!(l, "Pariohjaaja (valinnainen)", "Medhandledare (valfritt)", "Co-supervisor (optional)")) }
                        select #co_supervisor_id name="co_supervisor_id" {
                            option value="" { (tr!(l, "Ei pariohjaajaa", "Ingen medhandledare", "No co-supervisor")) }
                            @for s in &choices.supervisors { option value=(s.id) selected[s.id.to_string() == form.co_supervisor_id] { (s.name) } }
                        }
                    }
                    div.field {
                        label for="team_id" { (tr!(l, "Ryhmä", "Grupp", "Team")) }
                        select #team_id name="team_id" {
                            option value="" { (tr!(l, "Ei ryhmää – valitse henkilöt alta", "Ingen grupp – välj personer nedan", "No team – choose people below")) }
                            @for t in &choices.teams { option value=(t.id) selected[t.id.to_string() == form.team_id] { (t.name) } }
                        }
                    }
                    div.field {
                        label for="deadline_date" { (tr!(l, "Vastausaika päättyy (päivä)", "Svarstiden går ut (dag)", "Answers close (date)")) }
                        input #deadline_date name="deadline_date" type="date" required value=(form.deadline_date);
                    }
                    div.field {
                        label for="deadline_time" { (tr!(l, "Vastausaika päättyy (klo)", "Svarstiden går ut (klockslag)", "Answers close (time)")) }
                        input #deadline_time name="deadline_time" type="time" required value=(form.deadline_time);
                    }
                    div.field {
                        label for="holiday_policy" { (tr!(l, "Pyhäpäivät ja sulut", "Helgdagar och stängningar", "Holidays and closures")) }
                        select #holiday_policy name="holiday_policy" {
                            @for policy in ["skip", "shift", "keep"] { option value=(policy) selected[form.holiday_policy == policy] { (i18n::holiday_policy(l, policy)) } }
                        }
                    }
                    div.field {
                        label for="notice_hours" { (tr!(l, "Peruutusaika (tuntia)", "Avbokningstid (timmar)", "Cancellation notice (hours)")) }
                        input #notice_hours name="notice_hours" type="number" min="0" max="8760" value=(form.notice_hours);
                    }
                    div.field {
                        label for="video_url" { (tr!(l, "Videolinkki", "Videolänk", "Video link")) }
                        input #video_url name="video_url" type="url" value=(form.video_url);
                    }
                }
                details open[form.team_id.is_empty() && !form.people.is_empty()] {
                    summary { (tr!(l, "Henkilöt (jos ei ryhmää)", "Personer (om ingen grupp)", "People (when no team)")) }
                    fieldset.people {
                        legend.visually-hidden { (tr!(l, "Kysytyt", "Tillfrågade", "People asked")) }
                        @for p in &choices.people {
                            @let id = format!("person-{}", p.id);
                            span.option {
                                input type="checkbox" id=(id) name="person" value=(p.id) checked[form.people.contains(&p.id.to_string())];
                                label for=(id) { (p.name) }
                            }
                        }
                    }
                }
                h2 { (tr!(l, "Vaihtoehdot", "Alternativ", "Options")) }
                p.help { (tr!(l, "Tyhjät rivit jätetään pois.", "Tomma rader lämnas bort.", "Empty rows are left out.")) }
                @for (i, row) in rows.iter().enumerate() { (option_row(l, i, row)) }
                div.actions {
                    @if rows.len() < MAX_ROWS {
                        button type="submit" name="more" value="1" formnovalidate { (tr!(l, "Lisää vaihtoehto", "Lägg till ett alternativ", "Add an option")) }
                    }
                    button.primary type="submit" { (tr!(l, "Luo kysely ja lähetä kutsut", "Skapa förfrågan och skicka inbjudningarna", "Create the poll and send the invitations")) }
                }
            }
        },
    )
}

/// `GET /coordinator/polls`: the organization's polls.
pub async fn coordinator_list(State(state): State<WebState>, who: AsCoordinator) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let polls =
        state.store.list_polls(&who.caller, who.organization_id, &Page::first(200), state.clock.now()).await?.items;
    let lead = Lead { ctx, caller: &who.caller, base: "/coordinator" };
    let title = tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.help { (tr!(l,
                "Kysy ryhmältä, mikä rytmi sopii, ennen kuin varaat sarjan: valittu vaihtoehto varataan sellaisenaan.",
                "Fråga gruppen vilken rytm som passar innan du bokar serien: det valda alternativet bokas som det är.",
                "Ask the group which rhythm suits before booking: the option chosen is booked as it is.")) }
            div.actions { a.button.primary href="/coordinator/polls/new" { (tr!(l, "Uusi kysely", "Ny förfrågan", "New poll")) } }
            (poll_cards(&lead, &polls))
        },
    ))
}

/// `GET /coordinator/polls/new`.
pub async fn new_form(State(state): State<WebState>, who: AsCoordinator) -> Result<Markup, PageError> {
    let choices = choices(&state, &who).await?;
    Ok(new_poll_page(&who.ctx, &choices, &PollForm::blank(), 0, &[]))
}

/// `POST /coordinator/polls`: creates the poll (or, "add an option", shows the form with
/// one more row).
pub async fn create(State(state): State<WebState>, who: AsCoordinator, form: FormData) -> Result<Response, PageError> {
    let filled = PollForm::from(&form);
    if form.checked("more") {
        let choices = choices(&state, &who).await?;
        return Ok(new_poll_page(&who.ctx, &choices, &filled, 1, &[]).into_response());
    }
    let body = match filled.body(who.ctx.zone) {
        Ok(body) => body,
        Err(error) => return refused(&state, &who, &filled, vec![error]).await,
    };
    let link_base = vote_link_base(state.config.public_url.as_str());
    match state.store.create_poll(&who.caller, who.organization_id, &body, &link_base, state.clock.now()).await {
        Ok(poll) => Ok(see_other(&format!("/coordinator/polls/{}?notice=poll_created", poll.id))),
        Err(error) => match field_errors(&error) {
            Some(errors) => refused(&state, &who, &filled, errors).await,
            None => Err(error.into()),
        },
    }
}

/// The form again, with what is wrong with it (422).
async fn refused(
    state: &WebState,
    who: &AsCoordinator,
    filled: &PollForm,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let choices = choices(state, who).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, new_poll_page(&who.ctx, &choices, filled, 0, &errors)).into_response())
}

/// `GET /coordinator/polls/{id}`.
pub async fn coordinator_poll(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/coordinator" };
    poll_page(&state, &lead, id, None, StatusCode::OK).await
}

/// `POST /coordinator/polls/{id}/choose`.
pub async fn coordinator_choose(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/coordinator" };
    choose(&state, &lead, id, &form).await
}

/// `POST /coordinator/polls/{id}/close`.
pub async fn coordinator_close(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/coordinator" };
    close(&state, &lead, id).await
}

/// `GET /supervisor/polls`: the polls the supervisor leads, in every organization they work for.
pub async fn supervisor_list(State(state): State<WebState>, who: AsSupervisor) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let now = state.clock.now();
    let polls = state.store.list_supervisor_polls(&who.caller, &Page::first(200), now).await?.items;
    let lead = Lead { ctx, caller: &who.caller, base: "/supervisor" };
    let title = tr!(l, "Rytmikyselyt", "Rytmförfrågningar", "Rhythm polls");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.help { (tr!(l,
                "Kyselyt, joissa olet ohjaajana: näet vastaukset ja voit valita rytmin.",
                "Förfrågningar där du är handledare: du ser svaren och kan välja rytmen.",
                "Polls you lead: you see the answers and may choose the rhythm.")) }
            (poll_cards(&lead, &polls))
        },
    ))
}

/// `GET /supervisor/polls/{id}`.
pub async fn supervisor_poll(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/supervisor" };
    poll_page(&state, &lead, id, None, StatusCode::OK).await
}

/// `POST /supervisor/polls/{id}/choose`.
pub async fn supervisor_choose(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/supervisor" };
    choose(&state, &lead, id, &form).await
}

/// `POST /supervisor/polls/{id}/close`.
pub async fn supervisor_close(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let lead = Lead { ctx: &who.ctx, caller: &who.caller, base: "/supervisor" };
    close(&state, &lead, id).await
}
