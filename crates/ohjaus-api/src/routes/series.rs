//! Series: preview and booking (all or nothing), reading and listing in scope, cancelling,
//! re-planning from session k, changing the participants, their sessions and goals.

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::error::problem_in;
use crate::extract::{Body, Id, OptionalBody, Query};
use crate::paging::{PageQuery, after_key, by_id, page};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ohjaus_core::{Preview, SeriesBody, TimeZone};
use ohjaus_store::page::Paged;
use ohjaus_store::write::goals::{Goal, NewGoal};
use ohjaus_store::write::series::{
    CancelSeries, Replan, Series, SeriesChanges, SeriesDetail, SeriesFilter, SetParticipants,
};
use ohjaus_store::write::sessions::Session;
use ohjaus_store::{Caller, StoreError};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(preview_series))
        .routes(routes!(book_series, list_series))
        .routes(routes!(get_series, update_series))
        .routes(routes!(cancel_series))
        .routes(routes!(replan_series))
        .routes(routes!(set_series_participants))
        .routes(routes!(list_series_sessions))
        .routes(routes!(create_goal, list_goals))
}

/// A store error of a change of series `id`, with conflicts shown in the series' zone.
async fn series_problem(state: &AppState, caller: &Caller, id: Uuid, error: StoreError) -> Problem {
    match error {
        StoreError::Conflict(_) => {
            let zone = match state.store.get_series(caller, id).await {
                Ok(detail) => detail.series.timezone.parse::<TimeZone>().unwrap_or_default(),
                Err(_) => TimeZone::default(),
            };
            problem_in(error, zone)
        }
        other => other.into(),
    }
}

/// The zone a series body asks for (the default when it names none or a wrong one).
fn body_zone(body: &SeriesBody) -> TimeZone {
    body.timezone.as_deref().and_then(|name| name.parse::<TimeZone>().ok()).unwrap_or_default()
}

/// Plans a series and lists every conflict on current data; books nothing (admin, the
/// organization's coordinator). Holidays and closures skipped are listed; a first start in a
/// daylight-saving gap moves forward by the gap.
#[utoipa::path(post, path = "/api/v1/series/preview", tag = "series", security(("bearer" = [])),
    request_body = SeriesBody,
    responses((status = 200, description = "The plan: sessions, days skipped and conflicts", body = Preview),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn preview_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(body): Body<SeriesBody>,
) -> Result<Json<Preview>, Problem> {
    Ok(Json(state.store.preview_series(&caller, &body, state.clock.now()).await?))
}

/// Books a series (admin, the organization's coordinator): all or nothing. Every occurrence is
/// checked against the supervisor's (and the co-supervisor's, `co_supervisor_id`) and each
/// participant's bookings, absences and working hours; any conflict refuses the whole series
/// with every conflict listed (409; a supervisor's conflict names them in `supervisor_id`).
/// Invitations are queued with it: the service is their ORGANIZER, both supervisors ATTENDEEs
/// with ROLE=CHAIR.
#[utoipa::path(post, path = "/api/v1/series", tag = "series", security(("bearer" = [])),
    request_body = SeriesBody,
    responses(
        (status = 201, description = "The series with its sessions", body = SeriesDetail,
            headers(("Location" = String, description = "Where the series is"))),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors,
    ))]
async fn book_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(body): Body<SeriesBody>,
) -> Result<Response, Problem> {
    match state.store.book_series(&caller, &body, state.clock.now()).await {
        Ok(detail) => Ok(created(format!("/api/v1/series/{}", detail.series.id), detail)),
        Err(error) => Err(problem_in(error, body_zone(&body))),
    }
}

/// Filters and page of `GET /series`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SeriesQuery {
    /// Of one organization.
    organization_id: Option<Uuid>,
    /// Of one supervisor.
    supervisor_id: Option<Uuid>,
    /// In one status.
    #[param(value_type = Option<ohjaus_store::status::SeriesStatus>)]
    status: Option<String>,
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// The series the caller may see (admin: all; coordinator: the organization's; supervisor:
/// those they supervise or co-supervise; participant: those they take part in), filtered
/// (`supervisor_id`: supervised or co-supervised by them), in creation order.
#[utoipa::path(get, path = "/api/v1/series", tag = "series", security(("bearer" = [])),
    params(SeriesQuery),
    responses((status = 200, description = "A page of series", body = Paged<Series>), Unauthorized, Invalid))]
async fn list_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<SeriesQuery>,
) -> Result<Json<Paged<Series>>, Problem> {
    let page = page(query.limit, query.cursor)?;
    let filter = SeriesFilter {
        organization_id: query.organization_id,
        supervisor_id: query.supervisor_id,
        status: query.status,
    };
    Ok(Json(state.store.list_series(&caller, &filter, &page).await?))
}

/// One series with its sessions (anyone who may see it).
#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    responses((status = 200, description = "The series with its sessions", body = SeriesDetail), Unauthorized, NotFound))]
async fn get_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<SeriesDetail>, Problem> {
    Ok(Json(state.store.get_series(&caller, id).await?))
}

/// Changes a series as a whole (admin, the organization's coordinator): its co-supervisor
/// (co-supervision, *pariohjaus*). A supervisor id adds or replaces the co-supervisor, `null`
/// removes them. A new co-supervisor must fit every future session — their bookings, working
/// hours and absences — or nothing changes (409, each conflict naming them in
/// `supervisor_id`). Future sessions are theirs from then on: they get the invitations of what
/// is ahead (as an ATTENDEE with ROLE=CHAIR), a removed co-supervisor the cancellations.
#[utoipa::path(patch, path = "/api/v1/series/{id}", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body = SeriesChanges,
    responses((status = 200, description = "The series with its sessions", body = SeriesDetail),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn update_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(changes): Body<SeriesChanges>,
) -> Result<Json<SeriesDetail>, Problem> {
    match state.store.update_series(&caller, id, &changes, state.clock.now()).await {
        Ok(detail) => Ok(Json(detail)),
        Err(error) => Err(series_problem(&state, &caller, id, error).await),
    }
}

/// Cancels a series (admin, coordinator, the supervisor): every remaining future session is
/// cancelled (late ones per the terms) and everyone invited gets the cancellation.
#[utoipa::path(post, path = "/api/v1/series/{id}/cancel", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body(content = Option<CancelSeries>, description = "Why; the body may be left out"),
    responses((status = 200, description = "The cancelled series", body = SeriesDetail),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn cancel_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    OptionalBody(cancel): OptionalBody<CancelSeries>,
) -> Result<Json<SeriesDetail>, Problem> {
    Ok(Json(state.store.cancel_series(&caller, id, &cancel, state.clock.now()).await?))
}

/// Re-plans a series from session `from_index` on (admin, coordinator, the supervisor): its
/// scheduled future sessions from that index are replaced by a new plan, every new occurrence
/// checked (409 with every conflict).
#[utoipa::path(post, path = "/api/v1/series/{id}/replan", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body = Replan,
    responses((status = 200, description = "The series with its new sessions", body = SeriesDetail),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn replan_series(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(replan): Body<Replan>,
) -> Result<Json<SeriesDetail>, Problem> {
    match state.store.replan_series(&caller, id, &replan, state.clock.now()).await {
        Ok(detail) => Ok(Json(detail)),
        Err(error) => Err(series_problem(&state, &caller, id, error).await),
    }
}

/// Sets who takes part (admin, coordinator): named people or a team of the organization.
/// Future sessions follow: people added are invited (checked against their bookings, 409),
/// people removed get cancellations.
#[utoipa::path(put, path = "/api/v1/series/{id}/participants", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body = SetParticipants,
    responses((status = 200, description = "The series with its participants", body = SeriesDetail),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn set_series_participants(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(set): Body<SetParticipants>,
) -> Result<Json<SeriesDetail>, Problem> {
    match state.store.set_series_participants(&caller, id, &set, state.clock.now()).await {
        Ok(detail) => Ok(Json(detail)),
        Err(error) => Err(series_problem(&state, &caller, id, error).await),
    }
}

/// The page of a series' sessions.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SessionsQuery {
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page (the index of its last session).
    #[param(pattern = "^[0-9]{1,9}$")]
    cursor: Option<String>,
}

/// A series' sessions in index order (anyone who may see the series).
#[utoipa::path(get, path = "/api/v1/series/{id}/sessions", tag = "series", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series"), SessionsQuery),
    responses((status = 200, description = "A page of sessions in index order", body = Paged<Session>),
        Unauthorized, NotFound, Invalid))]
async fn list_series_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<SessionsQuery>,
) -> Result<Json<Paged<Session>>, Problem> {
    let after = match query.cursor.as_deref() {
        None => None,
        Some(cursor) => Some(cursor.parse::<u32>().map_err(|_| {
            Problem::validation(&[ohjaus_core::FieldError::new("cursor", "is not a cursor of this list")])
        })?),
    };
    let page = page(query.limit, query.cursor)?;
    let sessions = state.store.list_sessions(&caller, id).await?;
    Ok(Json(after_key(sessions, &page, after, |s| s.index, u32::to_string)))
}

/// Adds a goal (the series' supervisor or a participant). Version 1, status `active`; shared
/// with the organization only when asked.
#[utoipa::path(post, path = "/api/v1/series/{id}/goals", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body = NewGoal,
    responses(
        (status = 201, description = "The goal", body = Goal,
            headers(("Location" = String, description = "Where the goal is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_goal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(new): Body<NewGoal>,
) -> Result<Response, Problem> {
    let goal = state.store.create_goal(&caller, id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/goals/{}", goal.id), goal))
}

/// A series' goals as the caller may see them: all, with reviews, for its supervisor and
/// participants (a participant sees their own reviews and the supervisor's); only the goals
/// shared with the organization, without comments or authors, for the coordinator and admins.
#[utoipa::path(get, path = "/api/v1/series/{id}/goals", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series"), PageQuery),
    responses((status = 200, description = "A page of goals", body = Paged<Goal>), Unauthorized, NotFound, Invalid))]
async fn list_goals(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Goal>>, Problem> {
    let page = query.page()?;
    let goals = state.store.list_goals(&caller, id).await?;
    Ok(Json(by_id(goals, &page, |g| g.id)))
}
