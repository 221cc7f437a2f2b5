//! Sessions: read, moved, cancelled (with a make-up when in time); their notes and attendance.
//!
//! Notes are the most confidential thing the service keeps: the series' supervisor reads and
//! writes them; participants invited to the session read those with visibility
//! `participants`; coordinators and admins never read any (403), and to anyone else the
//! session does not exist (404).

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::error::problem_in;
use crate::extract::{Body, Id, Ids, OptionalBody, Query};
use crate::paging::{PageQuery, by_id};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ohjaus_core::TimeZone;
use ohjaus_store::page::Paged;
use ohjaus_store::write::attendance::{Attendance, AttendanceUpdate, SessionAttendance};
use ohjaus_store::write::notes::{NewNote, Note};
use ohjaus_store::write::sessions::{CancelSession, Cancelled, Session, SessionChanges};
use ohjaus_store::{Caller, StoreError};
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(get_session, move_session))
        .routes(routes!(cancel_session))
        .routes(routes!(create_note, list_notes))
        .routes(routes!(get_note))
        .routes(routes!(record_attendance, get_attendance))
        .routes(routes!(report_absence))
}

/// A store error of a change of session `id`, with conflicts shown in the session's zone.
async fn session_problem(state: &AppState, caller: &Caller, id: Uuid, error: StoreError) -> Problem {
    match error {
        StoreError::Conflict(_) => {
            let zone = match state.store.get_session(caller, id).await {
                Ok(session) => session.timezone.parse::<TimeZone>().unwrap_or_default(),
                Err(_) => TimeZone::default(),
            };
            problem_in(error, zone)
        }
        other => other.into(),
    }
}

/// One session (anyone who may see its series).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, description = "The session", body = Session), Unauthorized, NotFound))]
async fn get_session(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Session>, Problem> {
    Ok(Json(state.store.get_session(&caller, id).await?))
}

/// Moves a session or changes its length or place (admin, coordinator, the supervisor),
/// checked against everyone's bookings (409 with the conflicts). Everyone invited gets the new
/// time. Past, held and cancelled sessions do not change (422).
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    request_body = SessionChanges,
    responses((status = 200, description = "The moved session", body = Session),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn move_session(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(changes): Body<SessionChanges>,
) -> Result<Json<Session>, Problem> {
    match state.store.move_session(&caller, id, &changes, state.clock.now()).await {
        Ok(session) => Ok(Json(session)),
        Err(error) => Err(session_problem(&state, &caller, id, error).await),
    }
}

/// Cancels a session (admin, coordinator, the supervisor). Later than the series' notice it is
/// a late cancellation: consumed, and not replaced. In time, `replace` appends a make-up
/// session at the first free slot of the series' rule (409 when none is free).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/cancel", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    request_body(content = Option<CancelSession>, description = "Why, and whether to replace it; may be left out"),
    responses((status = 200, description = "The cancelled session and the make-up, if any", body = Cancelled),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn cancel_session(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    OptionalBody(cancel): OptionalBody<CancelSession>,
) -> Result<Json<Cancelled>, Problem> {
    match state.store.cancel_session(&caller, id, &cancel, state.clock.now()).await {
        Ok(cancelled) => Ok(Json(cancelled)),
        Err(error) => Err(session_problem(&state, &caller, id, error).await),
    }
}

/// Writes a note on a session (the series' supervisor only).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/notes", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    request_body = NewNote,
    responses(
        (status = 201, description = "The note", body = Note,
            headers(("Location" = String, description = "Where the note is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_note(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(new): Body<NewNote>,
) -> Result<Response, Problem> {
    let note = state.store.create_note(&caller, id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/sessions/{id}/notes/{}", note.id), note))
}

/// The notes of a session the caller may read: all for the series' supervisor; those with
/// visibility `participants` for a participant invited to it.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/notes", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session"), PageQuery),
    responses((status = 200, description = "A page of notes, oldest first", body = Paged<Note>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_notes(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Note>>, Problem> {
    let page = query.page()?;
    let notes = state.store.list_notes(&caller, id, state.clock.now()).await?;
    Ok(Json(by_id(notes, &page, |n| n.id)))
}

/// One note, if the caller may read it.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/notes/{note_id}", tag = "notes", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session"), ("note_id" = Uuid, Path, description = "The note")),
    responses((status = 200, description = "The note", body = Note), Unauthorized, Forbidden, NotFound))]
async fn get_note(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, note_id): Ids,
) -> Result<Json<Note>, Problem> {
    Ok(Json(state.store.get_note(&caller, id, note_id, state.clock.now()).await?))
}

/// Records attendance (the series' supervisor, an admin). Entries are merged into what is
/// recorded; `present` and `absent` only once the session has started (they mark it held),
/// `excused` at any time.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/attendance", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    request_body = AttendanceUpdate,
    responses((status = 200, description = "The session's whole attendance", body = SessionAttendance),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn record_attendance(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(update): Body<AttendanceUpdate>,
) -> Result<Json<SessionAttendance>, Problem> {
    Ok(Json(state.store.record_attendance(&caller, id, &update, state.clock.now()).await?))
}

/// A session's attendance: every entry for the supervisor, admins and the coordinator; their
/// own for a participant invited to it.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/attendance", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, description = "The attendance", body = SessionAttendance),
        Unauthorized, Forbidden, NotFound))]
async fn get_attendance(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<SessionAttendance>, Problem> {
    Ok(Json(state.store.get_attendance(&caller, id).await?))
}

/// "I can't attend": the calling participant is excused from a future session they are
/// invited to, and the supervisor is told.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/absence", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses((status = 200, description = "The caller's attendance entry, excused", body = Attendance),
        Unauthorized, Forbidden, NotFound, Conflict))]
async fn report_absence(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<Attendance>, Problem> {
    // Who may not see the session learns nothing of it (404) before any role is refused.
    state.store.get_session(&caller, id).await?;
    Ok(Json(state.store.report_absence(&caller, id, state.clock.now()).await?))
}
