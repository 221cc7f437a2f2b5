//! The supervisor's pages: the sessions ahead grouped by week (and the last two weeks', to
//! record attendance), a session with its participants, attendance and notes, and a series
//! with its goals and reviews.

use super::sign_in::calendar_section;
use super::{field_errors, k_of_n, phase_badge, place, problems, supervisor_names};
use crate::ctx::{AsSupervisor, Ctx};
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use maud::{Markup, html};
use ohjaus_core::FieldError;
use ohjaus_store::read::series_labels::SeriesLabel;
use ohjaus_store::read::supervisor_agenda::SupervisorSession;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::goals::Goal;
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Days ahead the supervisor's page shows.
const DAYS_AHEAD: i64 = 120;
/// Days back it shows (attendance is recorded after a session).
const DAYS_BACK: i64 = 14;

fn session_item(ctx: &Ctx, session: &SupervisorSession, label: Option<&SeriesLabel>) -> Markup {
    let l = ctx.locale;
    let s = &session.session;
    let starts = s.starts_at.with_timezone(&Utc);
    let ends = s.ends_at.with_timezone(&Utc);
    html! {
        li.session {
            p.when { (i18n::span(l, ctx.zone, starts, ends)) }
            h3 { a href={ "/supervisor/sessions/" (s.id) } { (session.series_title) } }
            p.meta {
                (session.organization_name)
                @if let Some(team) = label.and_then(|x| x.team_name.as_deref()) { " · " (team) }
            }
            p.meta {
                (k_of_n(l, s.index, label.map_or(0, |x| x.contracted_sessions)))
                " " (phase_badge(l, s.phase.as_deref()))
            }
            p.meta { (place(l, s.location.as_deref(), s.video_url.as_deref())) }
        }
    }
}

/// `GET /supervisor`.
pub async fn home(State(state): State<WebState>, who: AsSupervisor) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let now = state.clock.now();
    let store = &state.store;
    let recent =
        store.upcoming_for_supervisor(&who.caller, who.supervisor_id, now - TimeDelta::days(DAYS_BACK), now).await?;
    let ahead =
        store.upcoming_for_supervisor(&who.caller, who.supervisor_id, now, now + TimeDelta::days(DAYS_AHEAD)).await?;
    let ids: Vec<Uuid> = recent.iter().chain(&ahead).map(|s| s.session.series_id).collect();
    let labels = store.series_labels(&who.caller, &ids).await?;
    let connected = super::calendars::own(store, &who.caller, now).await?;
    let mut weeks: BTreeMap<NaiveDate, Vec<&SupervisorSession>> = BTreeMap::new();
    for session in &ahead {
        let day = session.session.starts_at.with_timezone(&ctx.zone).date_naive();
        let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
        weeks.entry(monday).or_default().push(session);
    }
    let title = tr!(l, "Tulevat tapaamiset", "Kommande träffar", "Upcoming sessions");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if weeks.is_empty() {
                p { (tr!(l, "Ei tapaamisia seuraavan neljän kuukauden aikana.", "Inga träffar de kommande fyra månaderna.", "No sessions in the next four months.")) }
            }
            @for (monday, sessions) in &weeks {
                section.week aria-labelledby={ "week-" (monday) } {
                    h2 #{ "week-" (monday) } { (i18n::week_heading(l, *monday)) }
                    ul.sessions {
                        @for session in sessions { (session_item(ctx, session, labels.get(&session.session.series_id))) }
                    }
                }
            }
            @if !recent.is_empty() {
                section.week aria-labelledby="recent" {
                    h2 #recent { (tr!(l, "Kahden viime viikon tapaamiset", "Träffar de senaste två veckorna", "Sessions of the last two weeks")) }
                    p.help { (tr!(l, "Merkitse läsnäolot tapaamisen sivulla.", "Anteckna närvaron på träffens sida.", "Record attendance on the session's page.")) }
                    ul.sessions {
                        @for session in recent.iter().rev() { (session_item(ctx, session, labels.get(&session.session.series_id))) }
                    }
                }
            }
            (calendar_section(ctx))
            (super::calendars::section(ctx, &connected))
        },
    ))
}

async fn session_page(
    state: &WebState,
    who: &AsSupervisor,
    id: Uuid,
    errors: Option<Vec<FieldError>>,
) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let store = &state.store;
    let session = store.get_session(&who.caller, id).await?;
    let labels = store.series_labels(&who.caller, &[session.series_id]).await?;
    let label = labels.get(&session.series_id);
    let attendance = store.get_attendance(&who.caller, id).await?;
    let notes = store.list_notes(&who.caller, id, state.clock.now()).await?;
    let names = store.person_names(&who.caller, &session.participant_ids).await?;
    let recorded: HashMap<Uuid, &str> = attendance.entries.iter().map(|e| (e.person_id, e.status.as_str())).collect();
    let starts = session.starts_at.with_timezone(&Utc);
    let ends = session.ends_at.with_timezone(&Utc);
    let started = starts <= state.clock.now();
    let title = label.map_or_else(String::new, |x| x.title.clone());
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = page(
        ctx,
        &title,
        html! {
            p.crumbs { a href="/supervisor" { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) } }
            h1 { (title) " – " (k_of_n(l, session.index, label.map_or(0, |x| x.contracted_sessions))) }
            @if let Some(errors) = &errors { (problems(l, errors)) }
            dl.facts {
                dt { (tr!(l, "Aika", "Tid", "When")) } dd { (i18n::span(l, ctx.zone, starts, ends)) }
                @if let Some(label) = label {
                    dt { (tr!(l, "Organisaatio", "Organisation", "Organization")) }
                    dd { (label.organization_name) @if let Some(team) = &label.team_name { " · " (team) } }
                    @if label.co_supervisor_name.is_some() {
                        dt { (tr!(l, "Ohjaajat", "Handledare", "Supervisors")) } dd { (supervisor_names(l, label)) }
                    }
                }
                dt { (tr!(l, "Paikka", "Plats", "Place")) } dd { (place(l, session.location.as_deref(), session.video_url.as_deref())) }
                dt { (tr!(l, "Tila", "Status", "Status")) } dd { (i18n::session_status(l, &session.status, session.late_cancellation)) }
                @if let Some(phase) = &session.phase { dt { (tr!(l, "Vaihe", "Fas", "Phase")) } dd { (i18n::phase(l, phase)) } }
            }
            p { a href={ "/supervisor/series/" (session.series_id) } { (tr!(l, "Sarjan tavoitteet ja arvioinnit", "Seriens mål och utvärderingar", "The series' goals and reviews")) } }

            section.card aria-labelledby="attendance-heading" {
                h2 #attendance-heading { (tr!(l, "Osallistujat ja läsnäolo", "Deltagare och närvaro", "Participants and attendance")) }
                @if !started {
                    p.help { (tr!(l,
                        "Ennen tapaamista voit merkitä vain ilmoitetut poissaolot; läsnäolot merkitään, kun tapaaminen on alkanut.",
                        "Före träffen kan du bara anteckna anmäld frånvaro; närvaro antecknas när träffen har börjat.",
                        "Before the session you can only mark people excused; attendance is recorded once it has started.")) }
                }
                form.stack method="post" action={ "/supervisor/sessions/" (id) "/attendance" } {
                    (csrf_field(ctx))
                    @for person_id in &session.participant_ids {
                        @let current = recorded.get(person_id).copied();
                        @let name = names.get(person_id).cloned().unwrap_or_default();
                        fieldset.choice {
                            legend { (name) }
                            @for status in AttendanceStatus::ALL.iter().map(|s| s.as_str()) {
                                @let field_id = format!("att-{person_id}-{status}");
                                span.option {
                                    input type="radio" id=(field_id) name={ "status-" (person_id) } value=(status)
                                        checked[current == Some(status)];
                                    label for=(field_id) { (i18n::attendance(l, status)) }
                                }
                            }
                        }
                    }
                    button.primary type="submit" { (tr!(l, "Tallenna läsnäolot", "Spara närvaron", "Save attendance")) }
                }
            }

            section.card aria-labelledby="notes-heading" {
                h2 #notes-heading { (tr!(l, "Muistiinpanot", "Anteckningar", "Notes")) }
                @if notes.is_empty() { p { (tr!(l, "Ei muistiinpanoja.", "Inga anteckningar.", "No notes.")) } }
                ul.notes {
                    @for note in &notes {
                        li.note {
                            p.meta {
                                (i18n::instant(l, ctx.zone, note.created_at)) " · "
                                @if note.visibility == NoteVisibility::Supervisor {
                                    span.badge.private { (tr!(l, "Vain minulle", "Endast för mig", "Only me")) }
                                } @else {
                                    span.badge { (tr!(l, "Osallistujille", "För deltagarna", "Shared with participants")) }
                                }
                            }
                            p.text { (note.text) }
                        }
                    }
                }
                form.stack method="post" action={ "/supervisor/sessions/" (id) "/notes" } {
                    (csrf_field(ctx))
                    div.field {
                        label for="note-text" { (tr!(l, "Uusi muistiinpano", "Ny anteckning", "New note")) }
                        textarea #note-text name="text" rows="4" required {}
                    }
                    fieldset.choice {
                        legend { (tr!(l, "Kuka näkee", "Vem ser", "Who can read it")) }
                        span.option {
                            input #vis-supervisor type="radio" name="visibility" value="supervisor" checked;
                            label for="vis-supervisor" { (tr!(l, "Vain minä (yksityinen)", "Endast jag (privat)", "Only me (private)")) }
                        }
                        span.option {
                            input #vis-participants type="radio" name="visibility" value="participants";
                            label for="vis-participants" { (tr!(l, "Minä ja osallistujat", "Jag och deltagarna", "Me and the participants")) }
                        }
                    }
                    button.primary type="submit" { (tr!(l, "Tallenna muistiinpano", "Spara anteckningen", "Save note")) }
                }
            }
        },
    );
    Ok((status, body).into_response())
}

/// `GET /supervisor/sessions/{id}`.
pub async fn session(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    session_page(&state, &who, id, None).await
}

/// `POST /supervisor/sessions/{id}/attendance`.
pub async fn record_attendance(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let session = state.store.get_session(&who.caller, id).await?;
    let entries: Vec<AttendanceEntry> = session
        .participant_ids
        .iter()
        .filter_map(|person_id| {
            let status = AttendanceStatus::parse(form.get(&format!("status-{person_id}"))?)?;
            Some(AttendanceEntry { person_id: *person_id, status })
        })
        .collect();
    if entries.is_empty() {
        return Ok(see_other(&format!("/supervisor/sessions/{id}")));
    }
    match state.store.record_attendance(&who.caller, id, &AttendanceUpdate { entries }, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("/supervisor/sessions/{id}?notice=attendance"))),
        Err(error) => match field_errors(&error) {
            Some(errors) => session_page(&state, &who, id, Some(errors)).await,
            None => Err(error.into()),
        },
    }
}

/// `POST /supervisor/sessions/{id}/notes`.
pub async fn add_note(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let visibility = match form.get("visibility") {
        Some("participants") => NoteVisibility::Participants,
        _ => NoteVisibility::Supervisor,
    };
    let note = NewNote { text: form.get("text").unwrap_or_default().to_owned(), visibility };
    match state.store.create_note(&who.caller, id, &note, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("/supervisor/sessions/{id}?notice=note"))),
        Err(error) => match field_errors(&error) {
            Some(errors) => session_page(&state, &who, id, Some(errors)).await,
            None => Err(error.into()),
        },
    }
}

/// Goals with their versions and the reviews the caller may see.
pub fn goals_section(ctx: &Ctx, goals: &[Goal], review_form: Option<&dyn Fn(&Goal) -> Markup>) -> Markup {
    let l = ctx.locale;
    html! {
        section aria-labelledby="goals-heading" {
            h2 #goals-heading { (tr!(l, "Tavoitteet", "Mål", "Goals")) }
            @if goals.is_empty() { p { (tr!(l, "Ei tavoitteita.", "Inga mål.", "No goals.")) } }
            @for goal in goals {
                article.card.goal {
                    h3 { (goal.text) }
                    p.meta {
                        span.badge { (i18n::goal_status(l, goal.status.as_str())) }
                        @if goal.version > 1 { " · " (tr!(l, "versio", "version", "version")) " " (goal.version) }
                    }
                    @if !goal.earlier_versions.is_empty() {
                        details {
                            summary { (tr!(l, "Aiemmat versiot", "Tidigare versioner", "Earlier versions")) }
                            ul { @for v in &goal.earlier_versions { li { (v.version) ": " (v.text) } } }
                        }
                    }
                    @if goal.reviews.is_empty() {
                        p.help { (tr!(l, "Ei arvioita vielä.", "Inga bedömningar ännu.", "No reviews yet.")) }
                    } @else {
                        table {
                            caption.visually-hidden { (tr!(l, "Arviot", "Bedömningar", "Reviews")) }
                            thead { tr {
                                th scope="col" { (tr!(l, "Vaihe", "Fas", "Phase")) }
                                th scope="col" { (tr!(l, "Kuka", "Vem", "Who")) }
                                th scope="col" { (tr!(l, "Arvio (1–5)", "Bedömning (1–5)", "Rating (1–5)")) }
                                th scope="col" { (tr!(l, "Kommentti", "Kommentar", "Comment")) }
                            } }
                            tbody {
                                @for review in &goal.reviews {
                                    tr {
                                        td { (i18n::review_phase(l, review.phase.as_str())) }
                                        td { @if review.author_kind.as_str() == "supervisor" { (tr!(l, "Ohjaaja", "Handledare", "Supervisor")) } @else { (tr!(l, "Osallistuja", "Deltagare", "Participant")) } }
                                        td { (review.rating) }
                                        td { (review.comment.as_deref().unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(form) = review_form { (form(goal)) }
                }
            }
        }
    }
}

/// `GET /supervisor/series/{id}`.
pub async fn series(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let detail = state.store.get_series(&who.caller, id).await?;
    let goals = state.store.list_goals(&who.caller, id).await?;
    let labels = state.store.series_labels(&who.caller, &[id]).await?;
    let label = labels.get(&id);
    let s = &detail.series;
    Ok(page(
        ctx,
        &s.title,
        html! {
            p.crumbs { a href="/supervisor" { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) } }
            h1 { (s.title) }
            p.meta {
                (i18n::kind(l, &s.kind))
                @if let Some(label) = label {
                    " · " (label.organization_name) @if let Some(team) = &label.team_name { " · " (team) }
                    @if label.co_supervisor_name.is_some() { " · " (supervisor_names(l, label)) }
                }
                " · " (i18n::series_status(l, &s.status))
            }
            (goals_section(ctx, &goals, None))
            section aria-labelledby="sessions-heading" {
                h2 #sessions-heading { (tr!(l, "Tapaamiset", "Träffar", "Sessions")) }
                ol.plain {
                    @for session in &detail.sessions {
                        li {
                            a href={ "/supervisor/sessions/" (session.id) } {
                                (session.index) ". " (i18n::span(l, ctx.zone, session.starts_at.with_timezone(&Utc), session.ends_at.with_timezone(&Utc)))
                            }
                            " · " (i18n::session_status(l, &session.status, session.late_cancellation))
                            " " (phase_badge(l, session.phase.as_deref()))
                        }
                    }
                }
            }
        },
    ))
}
