//! The coordinator's pages: the organization's series with their progress, its teams and
//! people, booking a series with a live preview (days off skipped, conflicts per occurrence)
//! and slot suggestions, moving and cancelling sessions, and the report with a CSV download.
//! Every rule — planning, conflicts, cancellation terms, report figures — is the store's and
//! the core's; these pages gather the form and show the answer.

use super::{ConflictLine, conflict_list, field_errors, k_of_n, phase_badge, place, problems, supervisor_names};
use crate::ctx::{AsCoordinator, Ctx};
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use maud::{Markup, html};
use ohjaus_core::recurrence::ByWeekday;
use ohjaus_core::{FieldError, HolidayPolicy, Participants, Preview, RecurrenceBody, SeriesBody, SessionStatus};
use ohjaus_store::StoreError;
use ohjaus_store::page::Page;
use ohjaus_store::read::export;
use ohjaus_store::read::organization_report::Figures;
use ohjaus_store::read::slot_suggestions::SlotRequest;
use ohjaus_store::write::people::Person;
use ohjaus_store::write::series::SeriesFilter;
use ohjaus_store::write::sessions::{CancelSession, SessionChanges};
use ohjaus_store::write::supervisors::Supervisor;
use ohjaus_store::write::teams::Team;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

fn progress_line(l: ohjaus_core::Locale, figures: &Figures, contracted: i32) -> Markup {
    let contracted = u32::try_from(contracted).unwrap_or_default();
    html! {
        p.progress {
            (tr!(l, "Käytetty", "Använt", "Used")) " " strong { (figures.used) "/" (contracted) }
            " · " (tr!(l, "pidetty", "hållna", "held")) " " (figures.held)
            " · " (tr!(l, "peruttu", "avbokade", "cancelled")) " " (figures.cancelled)
            " · " (tr!(l, "myöhään peruttu", "sent avbokade", "cancelled late")) " " (figures.late_cancellations)
        }
        progress max=(contracted.max(1)) value=(figures.used.min(contracted)) aria-label=(tr!(l, "Käytetyt tapaamiset", "Använda träffar", "Sessions used")) {}
    }
}

/// `GET /coordinator`: the organization's series with their progress.
pub async fn home(State(state): State<WebState>, who: AsCoordinator) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let filter = SeriesFilter { organization_id: Some(who.organization_id), ..SeriesFilter::default() };
    let series = state.store.list_series(&who.caller, &filter, &Page::first(500)).await?.items;
    let figures = state.store.series_progress(&who.caller, who.organization_id).await?;
    let ids: Vec<Uuid> = series.iter().map(|s| s.id).collect();
    let labels = state.store.series_labels(&who.caller, &ids).await?;
    let title = tr!(l, "Sarjat", "Serier", "Series");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (who.organization_name) }
            div.actions {
                a.button.primary href="/coordinator/book" { (tr!(l, "Varaa uusi sarja", "Boka en ny serie", "Book a new series")) }
                a.button href="/coordinator/polls/new" { (tr!(l, "Kysy ryhmältä sopiva rytmi", "Fråga gruppen om en rytm", "Ask the group for a rhythm")) }
            }
            h2 { (title) }
            @if series.is_empty() { p { (tr!(l, "Ei vielä sarjoja.", "Inga serier ännu.", "No series yet.")) } }
            ul.cards {
                @for s in &series {
                    @let label = labels.get(&s.id);
                    li.card {
                        h3 { a href={ "/coordinator/series/" (s.id) } { (s.title) } }
                        p.meta {
                            (i18n::kind(l, &s.kind))
                            @if let Some(team) = label.and_then(|x| x.team_name.as_deref()) { " · " (team) }
                            @if let Some(label) = label { " · " (supervisor_names(l, label)) }
                            " · " span.badge { (i18n::series_status(l, &s.status)) }
                        }
                        (progress_line(l, figures.get(&s.id).unwrap_or(&Figures::default()), s.contracted_sessions))
                    }
                }
            }
        },
    ))
}

/// `GET /coordinator/people`: teams and people.
pub async fn people(State(state): State<WebState>, who: AsCoordinator) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let teams = state.store.list_teams(&who.caller, who.organization_id).await?;
    let people = state.store.list_people(&who.caller, who.organization_id).await?;
    let coordinators = state.store.list_coordinators(&who.caller, who.organization_id).await?;
    let names: HashMap<Uuid, &str> = people.iter().map(|p| (p.id, p.name.as_str())).collect();
    let title = tr!(l, "Ihmiset ja ryhmät", "Personer och grupper", "People and teams");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            section aria-labelledby="teams-heading" {
                h2 #teams-heading { (tr!(l, "Ryhmät", "Grupper", "Teams")) }
                @if teams.is_empty() { p { (tr!(l, "Ei ryhmiä.", "Inga grupper.", "No teams.")) } }
                ul.cards {
                    @for team in &teams {
                        li.card {
                            h3 { (team.name) }
                            p.meta { (team.member_ids.len()) " " (tr!(l, "jäsentä", "medlemmar", "members")) }
                            p { @for (i, id) in team.member_ids.iter().enumerate() { @if i > 0 { ", " } (names.get(id).copied().unwrap_or("")) } }
                        }
                    }
                }
            }
            section aria-labelledby="people-heading" {
                h2 #people-heading { (tr!(l, "Ihmiset", "Personer", "People")) }
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { (tr!(l, "Nimi", "Namn", "Name")) }
                            th scope="col" { (tr!(l, "Sähköposti", "E-post", "Email")) }
                            th scope="col" { (tr!(l, "Rooli", "Roll", "Role")) }
                        } }
                        tbody {
                            @for person in &people {
                                tr {
                                    th scope="row" { (person.name) }
                                    td { (person.email) }
                                    td { @if coordinators.contains(&person.id) { (tr!(l, "Koordinaattori", "Koordinator", "Coordinator")) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The booking form as filled in.
#[derive(Debug, Clone)]
struct BookForm {
    title: String,
    kind: String,
    supervisor_id: String,
    co_supervisor_id: String,
    team_id: String,
    people: Vec<String>,
    date: String,
    time: String,
    duration: String,
    frequency: String,
    interval: String,
    count: String,
    holiday_policy: String,
    location: String,
    video_url: String,
    notice_hours: String,
    goals: String,
}

impl BookForm {
    fn blank() -> Self {
        Self {
            title: String::new(),
            kind: "group_supervision".into(),
            supervisor_id: String::new(),
            co_supervisor_id: String::new(),
            team_id: String::new(),
            people: Vec::new(),
            date: String::new(),
            time: "13:00".into(),
            duration: "90".into(),
            frequency: "weekly".into(),
            interval: "3".into(),
            count: "10".into(),
            holiday_policy: "skip".into(),
            location: String::new(),
            video_url: String::new(),
            notice_hours: "168".into(),
            goals: String::new(),
        }
    }

    fn from(form: &FormData) -> Self {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        let mut filled = Self {
            title: get("title"),
            kind: get("kind"),
            supervisor_id: get("supervisor_id"),
            co_supervisor_id: get("co_supervisor_id"),
            team_id: get("team_id"),
            people: form.all("person").into_iter().map(str::to_owned).collect(),
            date: get("date"),
            time: get("time"),
            duration: get("duration"),
            frequency: get("frequency"),
            interval: get("interval"),
            count: get("count"),
            holiday_policy: get("holiday_policy"),
            location: get("location"),
            video_url: get("video_url"),
            notice_hours: get("notice_hours"),
            goals: get("goals"),
        };
        // A suggested time chosen from the list replaces the date and time.
        if let Some((date, time)) = form.get("suggest").and_then(|s| s.split_once('T')) {
            filled.date = date.to_owned();
            filled.time = time.to_owned();
        }
        filled
    }

    fn first_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").ok()
    }

    fn participants(&self) -> Option<Participants> {
        if let Ok(team) = self.team_id.parse::<Uuid>() {
            return Some(Participants::Team(team));
        }
        let ids: Vec<Uuid> = self.people.iter().filter_map(|p| p.parse().ok()).collect();
        (!ids.is_empty()).then_some(Participants::People(ids))
    }

    /// The series body the store books; what is malformed is left for the core to name.
    fn body(&self, organization_id: Uuid) -> SeriesBody {
        let number = |text: &str| text.trim().parse::<i64>().ok();
        let by_weekday = (self.frequency == "monthly").then(|| self.first_date()).flatten().map(monthly_weekday);
        let (team_id, participant_ids) = match self.participants() {
            Some(Participants::Team(team)) => (Some(team), None),
            Some(Participants::People(ids)) => (None, Some(ids)),
            None => (None, Some(Vec::new())),
        };
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let goals: Vec<String> =
            self.goals.lines().map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned).collect();
        SeriesBody {
            organization_id: Some(organization_id),
            kind: self.kind.clone(),
            title: self.title.clone(),
            supervisor_id: self.supervisor_id.parse().ok(),
            co_supervisor_id: self.co_supervisor_id.parse().ok(),
            team_id,
            participant_ids,
            first_start: format!("{}T{}", self.date, self.time),
            timezone: None,
            duration_minutes: number(&self.duration).unwrap_or(0),
            recurrence: RecurrenceBody {
                frequency: self.frequency.clone(),
                interval: if self.frequency == "monthly" { None } else { number(&self.interval) },
                count: number(&self.count),
                until: None,
                by_weekday,
            },
            holiday_policy: optional(&self.holiday_policy),
            location: optional(&self.location),
            video_url: optional(&self.video_url),
            cancellation_notice_hours: number(&self.notice_hours),
            goals: (!goals.is_empty()).then_some(goals),
            contract: None,
        }
    }
}

/// A monthly rhythm's weekday as the first date has it: `2TU` for the second Tuesday.
pub(super) fn monthly_weekday(date: NaiveDate) -> ByWeekday {
    let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][date.weekday().num_days_from_monday() as usize];
    let nth = (date.day() - 1) / 7 + 1;
    // The fifth weekday is not in every month: the last one is.
    ByWeekday::One(if nth >= 5 { format!("-1{code}") } else { format!("{nth}{code}") })
}

/// What the booking form offers to choose from.
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

/// A preview and the suggested first starts.
struct Outcome {
    preview: Option<Preview>,
    errors: Vec<FieldError>,
    suggestions: Vec<DateTime<Utc>>,
    /// Conflicts that refused a booking.
    refused: Vec<ConflictLine>,
}

async fn outcome(state: &WebState, who: &AsCoordinator, form: &BookForm) -> Result<Outcome, PageError> {
    let now = state.clock.now();
    let body = form.body(who.organization_id);
    let (preview, errors) = match state.store.preview_series(&who.caller, &body, now).await {
        Ok(preview) => (Some(preview), Vec::new()),
        Err(error) => match field_errors(&error) {
            Some(errors) => (None, errors),
            None => return Err(error.into()),
        },
    };
    let mut suggestions = Vec::new();
    let interval = form.interval.trim().parse::<u8>().ok();
    let count = form.count.trim().parse::<u16>().ok();
    let duration = form.duration.trim().parse::<i64>().ok();
    if let (true, Ok(supervisor_id), Some(participants), Some(interval), Some(count), Some(duration)) =
        (form.frequency == "weekly", form.supervisor_id.parse::<Uuid>(), form.participants(), interval, count, duration)
    {
        let today = now.with_timezone(&who.ctx.zone).date_naive();
        let (team_id, participant_ids) = match participants {
            Participants::Team(team_id) => (Some(team_id), None),
            Participants::People(ids) => (None, Some(ids)),
        };
        let request = SlotRequest {
            supervisor_id,
            co_supervisor_id: form.co_supervisor_id.parse().ok(),
            organization_id: Some(who.organization_id),
            team_id,
            participant_ids,
            duration_minutes: duration,
            count,
            interval_weeks: Some(interval),
            from: Some(form.first_date().filter(|d| *d > today).unwrap_or(today)),
            timezone: None,
            holiday_policy: HolidayPolicy::parse(&form.holiday_policy).map(|p| p.as_str().to_owned()),
            limit: None,
        };
        // The preview above names what is wrong with the form; suggestions are only left out.
        match state.store.suggest_slots(&who.caller, &request, now).await {
            Ok(found) => suggestions = found.slots.into_iter().map(|s| s.starts_at).collect(),
            Err(StoreError::Invalid(_) | StoreError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(Outcome { preview, errors, suggestions, refused: Vec::new() })
}

fn preview_region(ctx: &Ctx, outcome: Option<&Outcome>, names: &HashMap<Uuid, String>) -> Markup {
    let l = ctx.locale;
    let Some(outcome) = outcome else {
        return html! {
            p.help { (tr!(l,
                "Täytä tiedot: esikatselu näyttää jokaisen tapaamisen, ohitetut pyhät ja sulut sekä päällekkäisyydet.",
                "Fyll i uppgifterna: förhandsvisningen visar varje träff, överhoppade helgdagar och stängningar samt krockar.",
                "Fill in the details: the preview shows every session, skipped holidays and closures, and conflicts.")) }
        };
    };
    html! {
        @if !outcome.refused.is_empty() {
            (conflict_list(ctx, &outcome.refused, names))
        }
        @if !outcome.errors.is_empty() { (problems(l, &outcome.errors)) }
        @if let Some(preview) = &outcome.preview {
            @let conflicts: Vec<ConflictLine> = preview.conflicts.iter().filter_map(ConflictLine::from_view).collect();
            @if conflicts.is_empty() {
                p.ok role="status" { (tr!(l, "Kaikki tapaamiset sopivat – ei päällekkäisyyksiä.", "Alla träffar passar – inga krockar.", "Every session fits – no conflicts.")) }
            } @else if outcome.refused.is_empty() {
                (conflict_list(ctx, &conflicts, names))
            }
            h3 { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) " (" (preview.sessions.len()) ")" }
            ol.plain.preview-sessions {
                @for session in &preview.sessions {
                    @let starts = DateTime::parse_from_rfc3339(&session.starts_at).map(|t| t.with_timezone(&Utc));
                    @let ends = DateTime::parse_from_rfc3339(&session.ends_at).map(|t| t.with_timezone(&Utc));
                    @let busy = conflicts.iter().any(|c| c.index == session.index);
                    li class=@if busy { "busy" } {
                        (session.index) ". "
                        @if let (Ok(starts), Ok(ends)) = (starts, ends) { (i18n::span(l, ctx.zone, starts, ends)) }
                        " " (phase_badge(l, session.phase.map(|p| p.as_str())))
                        @if busy { " " span.badge.warn { (tr!(l, "päällekkäin", "krock", "conflict")) } }
                    }
                }
            }
            @if !preview.skipped.is_empty() {
                h3 { (tr!(l, "Ohitetut päivät", "Överhoppade dagar", "Skipped days")) }
                ul.plain {
                    @for skipped in &preview.skipped {
                        li {
                            (i18n::day(l, skipped.date)) ": " (i18n::day_off(l, &skipped.reason))
                            @if let Some(name) = &skipped.name { " (" (name) ")" }
                            @if let Some(to) = skipped.shifted_to { " → " (i18n::day(l, to)) }
                        }
                    }
                }
            }
        }
        @if !outcome.suggestions.is_empty() {
            h3 #suggestions { (tr!(l, "Ehdotetut ajat", "Föreslagna tider", "Suggested times")) }
            p.help { (tr!(l,
                "Näistä alkaen jokainen tapaaminen sopii ohjaajalle ja osallistujille.",
                "Från dessa tider passar varje träff handledaren och deltagarna.",
                "From these, every session suits the supervisor and the participants.")) }
            ul.suggestions {
                @for start in &outcome.suggestions {
                    @let local = start.with_timezone(&ctx.zone);
                    li {
                        button type="submit" name="suggest" value=(local.format("%Y-%m-%dT%H:%M")) formaction="/coordinator/book/preview" {
                            (i18n::instant(l, ctx.zone, *start))
                        }
                    }
                }
            }
        }
    }
}

fn book_page(ctx: &Ctx, choices: &Choices, form: &BookForm, outcome: Option<&Outcome>) -> Markup {
    let l = ctx.locale;
    let names: HashMap<Uuid, String> = choices
        .people
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .chain(choices.supervisors.iter().map(|s| (s.id, s.name.clone())))
        .collect();
    let title = tr!(l, "Varaa sarja", "Boka serie", "Book a series");
    let select = |value: &str, current: &str| value == current;
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            form #book-form .stack method="post" action="/coordinator/book" {
                (csrf_field(ctx))
                div.grid {
                    div.field {
                        label for="title" { (tr!(l, "Sarjan nimi", "Seriens namn", "Title")) }
                        input #title name="title" type="text" required value=(form.title);
                    }
                    div.field {
                        label for="kind" { (tr!(l, "Laji", "Typ", "Kind")) }
                        select #kind name="kind" {
                            @for kind in i18n::KINDS { option value=(kind) selected[select(kind, &form.kind)] { (i18n::kind(l, kind)) } }
                        }
                    }
                    div.field {
                        label for="supervisor_id" { (tr!(l, "Ohjaaja", "Handledare", "Supervisor")) }
                        select #supervisor_id name="supervisor_id" required {
                            option value="" { (tr!(l, "Valitse ohjaaja", "Välj handledare", "Choose a supervisor")) }
                            @for s in &choices.supervisors { option value=(s.id) selected[select(&s.id.to_string(), &form.supervisor_id)] { (s.name) } }
                        }
                    }
                    div.field {
                        label for="co_supervisor_id" { (tr!(l, "Pariohjaaja (valinnainen)", "Medhandledare (valfritt)", "Co-supervisor (optional)")) }
                        select #co_supervisor_id name="co_supervisor_id" aria-describedby="co-supervisor-help" {
                            option value="" { (tr!(l, "Ei pariohjaajaa", "Ingen medhandledare", "No co-supervisor")) }
                            @for s in &choices.supervisors { option value=(s.id) selected[select(&s.id.to_string(), &form.co_supervisor_id)] { (s.name) } }
                        }
                        p #co-supervisor-help .help { (tr!(l,
                            "Pariohjauksessa jokaisen tapaamisen on sovittava kummallekin ohjaajalle, ja molemmat saavat kutsut.",
                            "Vid parhandledning måste varje träff passa båda handledarna, och båda får inbjudningarna.",
                            "In co-supervision every session must suit both supervisors, and both get the invitations.")) }
                    }
                    div.field {
                        label for="team_id" { (tr!(l, "Ryhmä", "Grupp", "Team")) }
                        select #team_id name="team_id" aria-describedby="team-help" {
                            option value="" { (tr!(l, "Ei ryhmää – valitse henkilöt alta", "Ingen grupp – välj personer nedan", "No team – choose people below")) }
                            @for t in &choices.teams { option value=(t.id) selected[select(&t.id.to_string(), &form.team_id)] { (t.name) } }
                        }
                        p #team-help .help { (tr!(l, "Ryhmän sarja seuraa ryhmän jäsenmuutoksia.", "En grupps serie följer gruppens medlemmar.", "A team's series follows the team's members.")) }
                    }
                }
                details open[form.team_id.is_empty() && !form.people.is_empty()] {
                    summary { (tr!(l, "Henkilöt (jos ei ryhmää)", "Personer (om ingen grupp)", "People (when no team)")) }
                    fieldset.people {
                        legend.visually-hidden { (tr!(l, "Osallistujat", "Deltagare", "Participants")) }
                        @for p in &choices.people {
                            @let id = format!("person-{}", p.id);
                            span.option {
                                input type="checkbox" id=(id) name="person" value=(p.id) checked[form.people.contains(&p.id.to_string())];
                                label for=(id) { (p.name) }
                            }
                        }
                    }
                }
                div.grid {
                    div.field {
                        label for="date" { (tr!(l, "Ensimmäinen päivä", "Första dagen", "First date")) }
                        input #date name="date" type="date" required value=(form.date);
                    }
                    div.field {
                        label for="time" { (tr!(l, "Kellonaika", "Klockslag", "Time")) }
                        input #time name="time" type="time" required value=(form.time);
                    }
                    div.field {
                        label for="duration" { (tr!(l, "Kesto (min)", "Längd (min)", "Length (min)")) }
                        input #duration name="duration" type="number" min="15" max="480" step="15" required value=(form.duration);
                    }
                    div.field {
                        label for="frequency" { (tr!(l, "Toistuvuus", "Upprepning", "Repeats")) }
                        select #frequency name="frequency" {
                            option value="weekly" selected[form.frequency == "weekly"] { (tr!(l, "Viikoittain", "Veckovis", "Weekly")) }
                            option value="monthly" selected[form.frequency == "monthly"] { (tr!(l, "Kuukausittain (sama viikonpäivä)", "Månadsvis (samma veckodag)", "Monthly (same weekday)")) }
                        }
                    }
                    div.field {
                        label for="interval" { (tr!(l, "Viikkoja välissä", "Veckor emellan", "Weeks between")) }
                        input #interval name="interval" type="number" min="1" max="52" value=(form.interval);
                    }
                    div.field {
                        label for="count" { (tr!(l, "Tapaamisia", "Träffar", "Sessions")) }
                        input #count name="count" type="number" min="1" max="200" required value=(form.count);
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
                        label for="location" { (tr!(l, "Paikka", "Plats", "Place")) }
                        input #location name="location" type="text" value=(form.location);
                    }
                    div.field {
                        label for="video_url" { (tr!(l, "Videolinkki", "Videolänk", "Video link")) }
                        input #video_url name="video_url" type="url" value=(form.video_url);
                    }
                }
                div.field {
                    label for="goals" { (tr!(l, "Tavoitteet (yksi riville)", "Mål (ett per rad)", "Goals (one per line)")) }
                    textarea #goals name="goals" rows="3" { (form.goals) }
                }
                div.actions {
                    button type="submit" formaction="/coordinator/book/preview" { (tr!(l, "Esikatsele", "Förhandsgranska", "Preview")) }
                    button.primary type="submit" { (tr!(l, "Varaa sarja", "Boka serien", "Book the series")) }
                }
                section #preview aria-live="polite" aria-labelledby="preview-heading" {
                    h2 #preview-heading { (tr!(l, "Esikatselu", "Förhandsvisning", "Preview")) }
                    div #preview-body { (preview_region(ctx, outcome, &names)) }
                }
            }
        },
    )
}

/// `GET /coordinator/book`.
pub async fn book_form(State(state): State<WebState>, who: AsCoordinator) -> Result<Markup, PageError> {
    let choices = choices(&state, &who).await?;
    Ok(book_page(&who.ctx, &choices, &BookForm::blank(), None))
}

/// `?fragment=1`: only the preview region (the page's script asks for it as the form
/// changes).
#[derive(Debug, Deserialize)]
pub struct Fragment {
    fragment: Option<String>,
}

/// `POST /coordinator/book/preview`: the form again with the preview and suggestions.
pub async fn book_preview(
    State(state): State<WebState>,
    who: AsCoordinator,
    Query(query): Query<Fragment>,
    form: FormData,
) -> Result<Markup, PageError> {
    let filled = BookForm::from(&form);
    let choices = choices(&state, &who).await?;
    let outcome = outcome(&state, &who, &filled).await?;
    if query.fragment.is_some() {
        let names: HashMap<Uuid, String> = choices
            .people
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .chain(choices.supervisors.iter().map(|s| (s.id, s.name.clone())))
            .collect();
        return Ok(preview_region(&who.ctx, Some(&outcome), &names));
    }
    Ok(book_page(&who.ctx, &choices, &filled, Some(&outcome)))
}

/// `POST /coordinator/book`: books all or nothing; a refusal shows every conflict.
pub async fn book(State(state): State<WebState>, who: AsCoordinator, form: FormData) -> Result<Response, PageError> {
    let filled = BookForm::from(&form);
    let body = filled.body(who.organization_id);
    match state.store.book_series(&who.caller, &body, state.clock.now()).await {
        Ok(detail) => Ok(see_other(&format!("/coordinator/series/{}?notice=booked", detail.series.id))),
        Err(StoreError::Conflict(conflicts)) => {
            let choices = choices(&state, &who).await?;
            let mut outcome = outcome(&state, &who, &filled).await?;
            outcome.refused = conflicts.iter().map(ConflictLine::from_conflict).collect();
            Ok((StatusCode::CONFLICT, book_page(&who.ctx, &choices, &filled, Some(&outcome))).into_response())
        }
        Err(error) => match field_errors(&error) {
            Some(errors) => {
                let choices = choices(&state, &who).await?;
                let outcome = Outcome { preview: None, errors, suggestions: Vec::new(), refused: Vec::new() };
                Ok((StatusCode::UNPROCESSABLE_ENTITY, book_page(&who.ctx, &choices, &filled, Some(&outcome)))
                    .into_response())
            }
            None => Err(error.into()),
        },
    }
}

/// What went wrong with one session's change, shown at that session.
struct SessionTrouble {
    session_id: Uuid,
    errors: Vec<FieldError>,
    conflicts: Vec<ConflictLine>,
}

async fn series_page(
    state: &WebState,
    who: &AsCoordinator,
    id: Uuid,
    trouble: Option<SessionTrouble>,
) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let now = state.clock.now();
    let detail = state.store.get_series(&who.caller, id).await?;
    let labels = state.store.series_labels(&who.caller, &[id]).await?;
    let label = labels.get(&id);
    let figures = state.store.series_progress(&who.caller, who.organization_id).await?;
    let people = state.store.list_people(&who.caller, who.organization_id).await?;
    let contract = state.store.contract_figures(&who.caller, id).await?;
    let names: HashMap<Uuid, String> = people.into_iter().map(|p| (p.id, p.name)).collect();
    let s = &detail.series;
    let status = match &trouble {
        Some(t) if !t.conflicts.is_empty() => StatusCode::CONFLICT,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let body = page(
        ctx,
        &s.title,
        html! {
            p.crumbs { a href="/coordinator" { (tr!(l, "Sarjat", "Serier", "Series")) } }
            h1 { (s.title) }
            p.meta {
                (i18n::kind(l, &s.kind))
                @if let Some(label) = label {
                    @if let Some(team) = &label.team_name { " · " (team) }
                    " · " (supervisor_names(l, label))
                }
                " · " span.badge { (i18n::series_status(l, &s.status)) }
            }
            (progress_line(l, figures.get(&id).unwrap_or(&Figures::default()), s.contracted_sessions))
            (super::invoicing::contract_figures(l, contract.as_ref()))
            p.meta {
                (tr!(l, "Osallistujat", "Deltagare", "Participants")) ": "
                @for (i, person) in s.participant_ids.iter().enumerate() { @if i > 0 { ", " } (names.get(person).map_or("", String::as_str)) }
            }
            h2 { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) }
            ol.plain.sessions-table {
                @for session in &detail.sessions {
                    @let starts = session.starts_at.with_timezone(&Utc);
                    @let ends = session.ends_at.with_timezone(&Utc);
                    @let local = session.starts_at.with_timezone(&ctx.zone);
                    @let changeable = session.status == SessionStatus::Scheduled && starts > now;
                    @let here = trouble.as_ref().filter(|t| t.session_id == session.id);
                    li.session id={ "session-" (session.index) } {
                        p.when { (k_of_n(l, session.index, u32::try_from(s.contracted_sessions).unwrap_or_default())) ": " (i18n::span(l, ctx.zone, starts, ends)) }
                        p.meta {
                            span.badge { (i18n::session_status(l, &session.status, session.late_cancellation)) }
                            " " (phase_badge(l, session.phase.as_deref()))
                            " " (place(l, session.location.as_deref(), session.video_url.as_deref()))
                        }
                        @if let Some(here) = here {
                            @if !here.conflicts.is_empty() { (conflict_list(ctx, &here.conflicts, &names)) }
                            @if !here.errors.is_empty() { (problems(l, &here.errors)) }
                        }
                        @if changeable {
                            details open[here.is_some()] {
                                summary { (tr!(l, "Siirrä tai peru", "Flytta eller avboka", "Move or cancel")) }
                                form.inline method="post" action={ "/coordinator/sessions/" (session.id) "/move" } {
                                    (csrf_field(ctx))
                                    div.field {
                                        label for={ "move-date-" (session.index) } { (tr!(l, "Uusi päivä", "Ny dag", "New date")) }
                                        input id={ "move-date-" (session.index) } name="date" type="date" required value=(local.format("%Y-%m-%d"));
                                    }
                                    div.field {
                                        label for={ "move-time-" (session.index) } { (tr!(l, "Uusi aika", "Ny tid", "New time")) }
                                        input id={ "move-time-" (session.index) } name="time" type="time" required value=(local.format("%H:%M"));
                                    }
                                    button type="submit" { (tr!(l, "Siirrä", "Flytta", "Move")) }
                                }
                                form.inline method="post" action={ "/coordinator/sessions/" (session.id) "/cancel" } {
                                    (csrf_field(ctx))
                                    div.field {
                                        label for={ "cancel-reason-" (session.index) } { (tr!(l, "Perumisen syy", "Orsak till avbokning", "Reason for cancelling")) }
                                        input id={ "cancel-reason-" (session.index) } name="reason" type="text";
                                    }
                                    span.option {
                                        input id={ "cancel-replace-" (session.index) } name="replace" type="checkbox" value="1";
                                        label for={ "cancel-replace-" (session.index) } { (tr!(l, "Lisää korvaava tapaaminen loppuun (jos peruutus on ajoissa)", "Lägg till en ersättande träff i slutet (om avbokningen sker i tid)", "Add a make-up session at the end (if cancelled in time)")) }
                                    }
                                    button.danger type="submit" { (tr!(l, "Peru tapaaminen", "Avboka träffen", "Cancel the session")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    Ok((status, body).into_response())
}

/// `GET /coordinator/series/{id}`.
pub async fn series(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    series_page(&state, &who, id, None).await
}

/// `POST /coordinator/sessions/{id}/move`.
pub async fn move_session(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let session = state.store.get_session(&who.caller, id).await?;
    let changes = SessionChanges {
        starts_at_local: Some(format!(
            "{}T{}",
            form.get("date").unwrap_or_default(),
            form.get("time").unwrap_or_default()
        )),
        ..SessionChanges::default()
    };
    let trouble = |errors, conflicts| Some(SessionTrouble { session_id: id, errors, conflicts });
    match state.store.move_session(&who.caller, id, &changes, state.clock.now()).await {
        Ok(_) => {
            Ok(see_other(&format!("/coordinator/series/{}?notice=moved#session-{}", session.series_id, session.index)))
        }
        Err(StoreError::Conflict(conflicts)) => {
            let lines = conflicts.iter().map(ConflictLine::from_conflict).collect();
            series_page(&state, &who, session.series_id, trouble(Vec::new(), lines)).await
        }
        Err(error) => match field_errors(&error) {
            Some(errors) => series_page(&state, &who, session.series_id, trouble(errors, Vec::new())).await,
            None => Err(error.into()),
        },
    }
}

/// `POST /coordinator/sessions/{id}/cancel`.
pub async fn cancel_session(
    State(state): State<WebState>,
    who: AsCoordinator,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let session = state.store.get_session(&who.caller, id).await?;
    let cancel =
        CancelSession { reason: form.get("reason").map(str::to_owned), replace: Some(form.checked("replace")) };
    match state.store.cancel_session(&who.caller, id, &cancel, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!(
            "/coordinator/series/{}?notice=cancelled#session-{}",
            session.series_id, session.index
        ))),
        Err(StoreError::Conflict(conflicts)) => {
            let lines = conflicts.iter().map(ConflictLine::from_conflict).collect();
            let trouble = SessionTrouble { session_id: id, errors: Vec::new(), conflicts: lines };
            series_page(&state, &who, session.series_id, Some(trouble)).await
        }
        Err(error) => match field_errors(&error) {
            Some(errors) => {
                let trouble = SessionTrouble { session_id: id, errors, conflicts: Vec::new() };
                series_page(&state, &who, session.series_id, Some(trouble)).await
            }
            None => Err(error.into()),
        },
    }
}

/// `?from=&to=` of the report.
#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

fn period(state: &WebState, ctx: &Ctx, query: &Period) -> (NaiveDate, NaiveDate) {
    let today = state.clock.now().with_timezone(&ctx.zone).date_naive();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let year_end = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today);
    let parse = |text: Option<&String>| text.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
    (parse(query.from.as_ref()).unwrap_or(year_start), parse(query.to.as_ref()).unwrap_or(year_end))
}

fn rate(figures: &Figures) -> String {
    figures.attendance_rate.map_or_else(|| "–".to_owned(), |r| format!("{:.0} %", r * 100.0))
}

fn figure_cells(figures: &Figures) -> Markup {
    html! {
        td { (figures.contracted) } td { (figures.held) } td { (figures.cancelled) } td { (figures.late_cancellations) }
        td { (figures.used) } td { (figures.remaining) } td { (rate(figures)) } td { (format!("{:.1}", figures.hours)) }
    }
}

/// `GET /coordinator/report?from=&to=`.
pub async fn report(
    State(state): State<WebState>,
    who: AsCoordinator,
    Query(query): Query<Period>,
) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let (from, to) = period(&state, ctx, &query);
    let report = match state.store.organization_report(&who.caller, who.organization_id, from, to).await {
        Ok(report) => Ok(report),
        Err(error) => match field_errors(&error) {
            Some(errors) => Err(errors),
            None => return Err(error.into()),
        },
    };
    let title = tr!(l, "Raportti", "Rapport", "Report");
    let csv_query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &from.to_string())
        .append_pair("to", &to.to_string())
        .finish();
    let body = page(
        ctx,
        title,
        html! {
            h1 { (title) ": " (who.organization_name) }
            form.inline method="get" action="/coordinator/report" {
                div.field { label for="from" { (tr!(l, "Alkaen", "Från", "From")) } input #from name="from" type="date" value=(from); }
                div.field { label for="to" { (tr!(l, "Päättyen", "Till", "To")) } input #to name="to" type="date" value=(to); }
                button type="submit" { (tr!(l, "Näytä", "Visa", "Show")) }
            }
            @match &report {
                Err(errors) => { (problems(l, errors)) }
                Ok(report) => {
                    p { a.button href={ "/coordinator/report.csv?" (csv_query) } download { (tr!(l, "Lataa CSV", "Ladda ner CSV", "Download CSV")) } }
                    div.table-wrap {
                        table.report {
                            caption { (i18n::date(l, report.from)) " – " (i18n::date(l, report.to)) }
                            thead { tr {
                                th scope="col" { (tr!(l, "Sarja", "Serie", "Series")) }
                                th scope="col" { (tr!(l, "Sovittu", "Avtalat", "Contracted")) }
                                th scope="col" { (tr!(l, "Pidetty", "Hållna", "Held")) }
                                th scope="col" { (tr!(l, "Peruttu", "Avbokade", "Cancelled")) }
                                th scope="col" { (tr!(l, "Myöhään peruttu", "Sent avbokade", "Late")) }
                                th scope="col" { (tr!(l, "Käytetty", "Använda", "Used")) }
                                th scope="col" { (tr!(l, "Jäljellä", "Kvar", "Remaining")) }
                                th scope="col" { (tr!(l, "Läsnäolo", "Närvaro", "Attendance")) }
                                th scope="col" { (tr!(l, "Tunnit", "Timmar", "Hours")) }
                            } }
                            @for team in &report.teams {
                                tbody {
                                    tr.group { th colspan="9" scope="colgroup" { (team.team_name.as_deref().unwrap_or(tr!(l, "Nimetyt osallistujat", "Namngivna deltagare", "Named participants"))) } }
                                    @for series in &team.series {
                                        tr { th scope="row" { (series.title) } (figure_cells(&series.figures)) }
                                    }
                                    tr.total { th scope="row" { (tr!(l, "Yhteensä", "Totalt", "Total")) } (figure_cells(&team.totals)) }
                                }
                            }
                            tfoot { tr.total { th scope="row" { (tr!(l, "Organisaatio yhteensä", "Organisationen totalt", "Organization total")) } (figure_cells(&report.totals)) } }
                        }
                    }
                }
            }
        },
    );
    let status = if report.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, body).into_response())
}

/// `GET /coordinator/report.csv?from=&to=`.
pub async fn report_download(
    State(state): State<WebState>,
    who: AsCoordinator,
    Query(query): Query<Period>,
) -> Result<Response, PageError> {
    let (from, to) = period(&state, &who.ctx, &query);
    let report = state.store.organization_report(&who.caller, who.organization_id, from, to).await?;
    let name = format!("attachment; filename=\"{}\"", export::report_file_name(from, to));
    Ok((
        [(header::CONTENT_TYPE, export::CSV_MEDIA_TYPE.to_owned()), (header::CONTENT_DISPOSITION, name)],
        export::report_csv(&report),
    )
        .into_response())
}
