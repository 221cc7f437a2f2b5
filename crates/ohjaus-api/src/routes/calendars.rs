//! Connected calendars: a supervisor's (`/supervisors/{id}/calendars`) or the caller's own
//! (`/me/calendars`) iCalendar subscriptions and CalDAV calendars, read for busy time that
//! every conflict check sees. Connecting fetches the calendar once, so a refused address, a
//! wrong password or an answer over the size limit is a 422 at once, with nothing stored.
//! No answer and no log line carries a URL's secret part or a password.

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Forbidden, NotFound, Unauthorized};
use crate::extract::{Body, Id, Ids};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ohjaus_store::write::calendar_connections::{CalendarConnection, CalendarOwner, NewCalendarConnection};
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_supervisor_calendars, connect_supervisor_calendar))
        .routes(routes!(get_supervisor_calendar, remove_supervisor_calendar))
        .routes(routes!(refresh_supervisor_calendar))
        .routes(routes!(list_my_calendars, connect_my_calendar))
        .routes(routes!(get_my_calendar, remove_my_calendar))
        .routes(routes!(refresh_my_calendar))
}

/// A supervisor's connected calendars (admin, that supervisor), oldest first.
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/calendars", tag = "calendars", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    responses((status = 200, description = "The connected calendars", body = Vec<CalendarConnection>),
        Unauthorized, Forbidden, NotFound))]
async fn list_supervisor_calendars(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<Vec<CalendarConnection>>, Problem> {
    Ok(Json(state.store.list_calendars(&caller, CalendarOwner::Supervisor(id), state.clock.now()).await?))
}

/// Connects a calendar of a supervisor (admin, that supervisor): it is fetched once before it
/// is kept; a refused address, scheme, password or size is a 422 with nothing stored.
#[utoipa::path(post, path = "/api/v1/supervisors/{id}/calendars", tag = "calendars", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    request_body = NewCalendarConnection,
    responses(
        (status = 201, description = "The connected calendar and its first sync", body = CalendarConnection,
            headers(("Location" = String, description = "Where the calendar is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn connect_supervisor_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(new): Body<NewCalendarConnection>,
) -> Result<Response, Problem> {
    let calendar =
        state.store.connect_calendar(&caller, CalendarOwner::Supervisor(id), &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/supervisors/{id}/calendars/{}", calendar.id), calendar))
}

/// One of a supervisor's connected calendars (admin, that supervisor).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/calendars/{calendar_id}", tag = "calendars",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"),
        ("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 200, description = "The connected calendar", body = CalendarConnection),
        Unauthorized, Forbidden, NotFound))]
async fn get_supervisor_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, calendar_id): Ids,
) -> Result<Json<CalendarConnection>, Problem> {
    let owner = CalendarOwner::Supervisor(id);
    Ok(Json(state.store.get_calendar(&caller, owner, calendar_id, state.clock.now()).await?))
}

/// Removes a supervisor's connected calendar and its busy blocks (admin, that supervisor).
#[utoipa::path(delete, path = "/api/v1/supervisors/{id}/calendars/{calendar_id}", tag = "calendars",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"),
        ("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 204, description = "Removed"), Unauthorized, Forbidden, NotFound))]
async fn remove_supervisor_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, calendar_id): Ids,
) -> Result<StatusCode, Problem> {
    state.store.remove_calendar(&caller, CalendarOwner::Supervisor(id), calendar_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Syncs a supervisor's connected calendar now (admin, that supervisor); a failure is shown in
/// `last_error` and the blocks of the last good sync stay.
#[utoipa::path(post, path = "/api/v1/supervisors/{id}/calendars/{calendar_id}/refresh", tag = "calendars",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"),
        ("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 200, description = "The calendar after the sync", body = CalendarConnection),
        Unauthorized, Forbidden, NotFound))]
async fn refresh_supervisor_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, calendar_id): Ids,
) -> Result<Json<CalendarConnection>, Problem> {
    let owner = CalendarOwner::Supervisor(id);
    Ok(Json(state.store.refresh_calendar(&caller, owner, calendar_id, state.clock.now()).await?))
}

/// The caller's own connected calendars (a supervisor's or a participant's), oldest first.
#[utoipa::path(get, path = "/api/v1/me/calendars", tag = "calendars", security(("bearer" = [])),
    responses((status = 200, description = "The connected calendars", body = Vec<CalendarConnection>),
        Unauthorized, Forbidden))]
async fn list_my_calendars(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<CalendarConnection>>, Problem> {
    let owner = CalendarOwner::of_caller(&caller)?;
    Ok(Json(state.store.list_calendars(&caller, owner, state.clock.now()).await?))
}

/// Connects one of the caller's own calendars (a supervisor's or a participant's); see
/// `POST /api/v1/supervisors/{id}/calendars`.
#[utoipa::path(post, path = "/api/v1/me/calendars", tag = "calendars", security(("bearer" = [])),
    request_body = NewCalendarConnection,
    responses(
        (status = 201, description = "The connected calendar and its first sync", body = CalendarConnection,
            headers(("Location" = String, description = "Where the calendar is"))),
        Unauthorized, Forbidden, BodyErrors,
    ))]
async fn connect_my_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(new): Body<NewCalendarConnection>,
) -> Result<Response, Problem> {
    let owner = CalendarOwner::of_caller(&caller)?;
    let calendar = state.store.connect_calendar(&caller, owner, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/me/calendars/{}", calendar.id), calendar))
}

/// One of the caller's own connected calendars.
#[utoipa::path(get, path = "/api/v1/me/calendars/{calendar_id}", tag = "calendars", security(("bearer" = [])),
    params(("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 200, description = "The connected calendar", body = CalendarConnection),
        Unauthorized, Forbidden, NotFound))]
async fn get_my_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(calendar_id): Id,
) -> Result<Json<CalendarConnection>, Problem> {
    let owner = CalendarOwner::of_caller(&caller)?;
    Ok(Json(state.store.get_calendar(&caller, owner, calendar_id, state.clock.now()).await?))
}

/// Removes one of the caller's own connected calendars and its busy blocks.
#[utoipa::path(delete, path = "/api/v1/me/calendars/{calendar_id}", tag = "calendars", security(("bearer" = [])),
    params(("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 204, description = "Removed"), Unauthorized, Forbidden, NotFound))]
async fn remove_my_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(calendar_id): Id,
) -> Result<StatusCode, Problem> {
    let owner = CalendarOwner::of_caller(&caller)?;
    state.store.remove_calendar(&caller, owner, calendar_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Syncs one of the caller's own connected calendars now.
#[utoipa::path(post, path = "/api/v1/me/calendars/{calendar_id}/refresh", tag = "calendars",
    security(("bearer" = [])),
    params(("calendar_id" = Uuid, Path, description = "The connected calendar")),
    responses((status = 200, description = "The calendar after the sync", body = CalendarConnection),
        Unauthorized, Forbidden, NotFound))]
async fn refresh_my_calendar(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(calendar_id): Id,
) -> Result<Json<CalendarConnection>, Problem> {
    let owner = CalendarOwner::of_caller(&caller)?;
    Ok(Json(state.store.refresh_calendar(&caller, owner, calendar_id, state.clock.now()).await?))
}
