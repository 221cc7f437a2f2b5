//! A participant's pages: their sessions (with "I can't attend"), a session with the notes
//! the supervisor shared with them, their series' goals with their own reviews, and the
//! calendar-feed link.

use super::sign_in::calendar_section;
use super::supervisor::goals_section;
use super::{field_errors, k_of_n, phase_badge, place, problems, supervisor_names};
use crate::ctx::AsParticipant;
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};
use ohjaus_core::{FieldError, ReviewPhase};
use ohjaus_store::page::Page;
use ohjaus_store::write::attendance::AttendanceStatus;
use ohjaus_store::write::goals::{Goal, NewReview};
use ohjaus_store::write::series::SeriesFilter;
use uuid::Uuid;

/// Days ahead a participant's page shows.
const DAYS_AHEAD: u32 = 180;

/// `GET /me`.
pub async fn home(State(state): State<WebState>, who: AsParticipant) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let now = state.clock.now();
    let store = &state.store;
    let sessions = store.person_upcoming(&who.caller, DAYS_AHEAD, now).await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.session.series_id).collect();
    let labels = store.series_labels(&who.caller, &ids).await?;
    let session_ids: Vec<Uuid> = sessions.iter().map(|s| s.session.id).collect();
    let own = store.own_attendance(&who.caller, &session_ids).await?;
    let excused: Vec<Uuid> =
        session_ids.into_iter().filter(|id| own.get(id) == Some(&AttendanceStatus::Excused)).collect();
    let series = store.list_series(&who.caller, &SeriesFilter::default(), &Page::first(100)).await?.items;
    let connected = super::calendars::own(store, &who.caller, now).await?;
    let title = tr!(l, "Omat tapaamiset", "Mina träffar", "My sessions");
    Ok(page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if sessions.is_empty() { p { (tr!(l, "Ei tulevia tapaamisia.", "Inga kommande träffar.", "No upcoming sessions.")) } }
            ul.sessions {
                @for s in &sessions {
                    @let session = &s.session;
                    @let label = labels.get(&session.series_id);
                    li.session {
                        p.when { (i18n::span(l, ctx.zone, session.starts_at.with_timezone(&Utc), session.ends_at.with_timezone(&Utc))) }
                        h2.h3 { a href={ "/me/sessions/" (session.id) } { (s.series_title) } }
                        p.meta { (s.organization_name) @if let Some(team) = label.and_then(|x| x.team_name.as_deref()) { " · " (team) } " · " (s.supervisor_name) }
                        p.meta { (k_of_n(l, session.index, label.map_or(0, |x| x.contracted_sessions))) " " (phase_badge(l, session.phase.as_deref())) }
                        p.meta { (place(l, session.location.as_deref(), session.video_url.as_deref())) }
                        @if excused.contains(&session.id) {
                            p.badge.private { (tr!(l, "Olet ilmoittanut, ettet pääse", "Du har anmält att du inte kan komma", "You said you cannot attend")) }
                        } @else {
                            form method="post" action={ "/me/sessions/" (session.id) "/absence" } {
                                (csrf_field(ctx))
                                button type="submit" aria-describedby={ "absence-help-" (session.id) } { (tr!(l, "En pääse", "Jag kan inte komma", "I can't attend")) }
                                span.help id={ "absence-help-" (session.id) } { " " (tr!(l, "Ohjaaja saa tiedon.", "Handledaren får veta.", "Your supervisor is told.")) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="series-heading" {
                h2 #series-heading { (tr!(l, "Omat sarjat", "Mina serier", "My series")) }
                ul.plain {
                    @for s in &series {
                        li { a href={ "/me/series/" (s.id) } { (s.title) } " · " (i18n::series_status(l, &s.status)) }
                    }
                }
            }
            (calendar_section(ctx))
            (own_data_section(l))
            (super::calendars::section(ctx, &connected))
        },
    ))
}

/// "My data": the button that downloads everything the service keeps about the participant.
fn own_data_section(l: ohjaus_core::Locale) -> Markup {
    html! {
        section.card aria-labelledby="own-data-heading" {
            h2 #own-data-heading { (tr!(l, "Omat tietoni", "Mina uppgifter", "My data")) }
            p { (tr!(l,
                "Lataa kaikki tiedot, joita palvelu sinusta säilyttää, JSON-tiedostona.",
                "Ladda ner alla uppgifter som tjänsten har om dig som en JSON-fil.",
                "Download everything the service keeps about you as a JSON file.")) }
            form method="get" action="/me/export.json" {
                button type="submit" { (tr!(l, "Lataa omat tietoni", "Ladda ner mina uppgifter", "Download my data")) }
            }
        }
    }
}

/// `GET /me/export.json`: everything the service keeps about the participant, as a download
/// (the same document as the API's `GET /api/v1/me/export`; audited).
pub async fn export(State(state): State<WebState>, who: AsParticipant) -> Result<Response, PageError> {
    let export = state.store.export_me(&who.caller, state.clock.now()).await?;
    let disposition = format!("attachment; filename=\"ohjaus-{}.json\"", export.person.id);
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(export)).into_response())
}

/// `GET /me/sessions/{id}`: the session and the notes shared with participants.
pub async fn session(
    State(state): State<WebState>,
    who: AsParticipant,
    Path(id): Path<Uuid>,
) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let session = state.store.get_session(&who.caller, id).await?;
    let labels = state.store.series_labels(&who.caller, &[session.series_id]).await?;
    let label = labels.get(&session.series_id);
    let notes = state.store.list_notes(&who.caller, id, state.clock.now()).await.unwrap_or_default();
    let title = label.map_or_else(String::new, |x| x.title.clone());
    Ok(page(
        ctx,
        &title,
        html! {
            p.crumbs { a href="/me" { (tr!(l, "Omat tapaamiset", "Mina träffar", "My sessions")) } }
            h1 { (title) " – " (k_of_n(l, session.index, label.map_or(0, |x| x.contracted_sessions))) }
            dl.facts {
                dt { (tr!(l, "Aika", "Tid", "When")) } dd { (i18n::span(l, ctx.zone, session.starts_at.with_timezone(&Utc), session.ends_at.with_timezone(&Utc))) }
                dt { (tr!(l, "Paikka", "Plats", "Place")) } dd { (place(l, session.location.as_deref(), session.video_url.as_deref())) }
                dt { (tr!(l, "Tila", "Status", "Status")) } dd { (i18n::session_status(l, &session.status, session.late_cancellation)) " " (phase_badge(l, session.phase.as_deref())) }
                @if let Some(label) = label { dt { (tr!(l, "Ohjaaja", "Handledare", "Supervisor")) } dd { (supervisor_names(l, label)) } }
            }
            p { a href={ "/me/series/" (session.series_id) } { (tr!(l, "Sarjan tavoitteet", "Seriens mål", "The series' goals")) } }
            section aria-labelledby="notes-heading" {
                h2 #notes-heading { (tr!(l, "Ohjaajan jakamat muistiinpanot", "Anteckningar som handledaren delat", "Notes your supervisor shared")) }
                @if notes.is_empty() { p { (tr!(l, "Ei jaettuja muistiinpanoja.", "Inga delade anteckningar.", "No shared notes.")) } }
                ul.notes { @for note in &notes { li.note { p.meta { (i18n::instant(l, ctx.zone, note.created_at)) } p.text { (note.text) } } } }
            }
        },
    ))
}

/// `POST /me/sessions/{id}/absence`: "I can't attend" — excused, and the supervisor is told.
pub async fn report_absence(
    State(state): State<WebState>,
    who: AsParticipant,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    match state.store.report_absence(&who.caller, id, state.clock.now()).await {
        Ok(_) => Ok(see_other("/me?notice=excused")),
        Err(error) => match field_errors(&error) {
            Some(errors) => {
                let ctx = &who.ctx;
                let title = tr!(
                    ctx.locale,
                    "Poissaoloa ei voitu ilmoittaa",
                    "Frånvaron kunde inte anmälas",
                    "Could not report the absence"
                );
                let body = page(
                    ctx,
                    title,
                    html! { h1 { (title) } (problems(ctx.locale, &errors)) p { a href="/me" { (tr!(ctx.locale, "Takaisin", "Tillbaka", "Back")) } } },
                );
                Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
            }
            None => Err(error.into()),
        },
    }
}

async fn series_page(
    state: &WebState,
    who: &AsParticipant,
    id: Uuid,
    errors: Option<Vec<FieldError>>,
) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let detail = state.store.get_series(&who.caller, id).await?;
    let goals = state.store.list_goals(&who.caller, id).await?;
    let own_sessions: Vec<_> = detail.sessions.iter().filter(|s| s.participant_ids.contains(&who.person_id)).collect();
    let review_form = |goal: &Goal| -> Markup {
        html! {
            details {
                summary { (tr!(l, "Arvioi tavoite", "Bedöm målet", "Review this goal")) }
                form.stack method="post" action={ "/me/goals/" (goal.id) "/reviews" } {
                    (csrf_field(ctx))
                    div.field {
                        label for={ "phase-" (goal.id) } { (tr!(l, "Vaihe", "Fas", "Phase")) }
                        select id={ "phase-" (goal.id) } name="phase" {
                            @for phase in ["start", "midpoint", "final"] { option value=(phase) { (i18n::review_phase(l, phase)) } }
                        }
                    }
                    fieldset.choice {
                        legend { (tr!(l, "Arvio: 1 = kaukana, 5 = saavutettu", "Bedömning: 1 = långt ifrån, 5 = uppnått", "Rating: 1 = far from it, 5 = reached")) }
                        @for rating in 1..=5 {
                            @let field_id = format!("rating-{}-{rating}", goal.id);
                            span.option { input type="radio" id=(field_id) name="rating" value=(rating) required; label for=(field_id) { (rating) } }
                        }
                    }
                    div.field {
                        label for={ "comment-" (goal.id) } { (tr!(l, "Kommentti (näkyy vain sinulle ja ohjaajalle)", "Kommentar (syns bara för dig och handledaren)", "Comment (only you and your supervisor see it)")) }
                        textarea id={ "comment-" (goal.id) } name="comment" rows="3" {}
                    }
                    button type="submit" { (tr!(l, "Tallenna arvio", "Spara bedömningen", "Save review")) }
                }
            }
        }
    };
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = page(
        ctx,
        &detail.series.title,
        html! {
            p.crumbs { a href="/me" { (tr!(l, "Omat tapaamiset", "Mina träffar", "My sessions")) } }
            h1 { (detail.series.title) }
            p.meta { (i18n::kind(l, &detail.series.kind)) " · " (i18n::series_status(l, &detail.series.status)) }
            @if let Some(errors) = &errors { (problems(l, errors)) }
            (goals_section(ctx, &goals, Some(&review_form)))
            section aria-labelledby="sessions-heading" {
                h2 #sessions-heading { (tr!(l, "Tapaamiseni", "Mina träffar", "My sessions in it")) }
                ol.plain {
                    @for s in &own_sessions {
                        li {
                            a href={ "/me/sessions/" (s.id) } { (s.index) ". " (i18n::span(l, ctx.zone, s.starts_at.with_timezone(&Utc), s.ends_at.with_timezone(&Utc))) }
                            " · " (i18n::session_status(l, &s.status, s.late_cancellation))
                        }
                    }
                }
            }
        },
    );
    Ok((status, body).into_response())
}

/// `GET /me/series/{id}`.
pub async fn series(
    State(state): State<WebState>,
    who: AsParticipant,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    series_page(&state, &who, id, None).await
}

/// `POST /me/goals/{id}/reviews`.
pub async fn add_review(
    State(state): State<WebState>,
    who: AsParticipant,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Result<Response, PageError> {
    let goal = state.store.get_goal(&who.caller, id).await?;
    let review = NewReview {
        phase: ReviewPhase::parse(form.get("phase").unwrap_or_default()).unwrap_or(ReviewPhase::Start),
        rating: form.get("rating").and_then(|r| r.parse().ok()).unwrap_or(0),
        comment: form.get("comment").map(str::to_owned),
    };
    match state.store.add_review(&who.caller, id, &review, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("/me/series/{}?notice=review", goal.series_id))),
        Err(error) => match field_errors(&error) {
            Some(errors) => series_page(&state, &who, goal.series_id, Some(errors)).await,
            None => Err(error.into()),
        },
    }
}
