//! Supervisors: created by an admin; their working hours and absences kept by themselves or an
//! admin; their upcoming sessions.

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::{Body, Id, Ids, Query};
use crate::paging::{PageQuery, after_key, by_id, page, time_cursor, time_cursor_of};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::WorkingHoursEntry;
use ohjaus_store::page::{DEFAULT_PAGE, Paged};
use ohjaus_store::read::supervisor_agenda::SupervisorSession;
use ohjaus_store::write::supervisors::{Absence, NewAbsence, NewSupervisor, Supervisor};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_supervisor, list_supervisors))
        .routes(routes!(get_supervisor))
        .routes(routes!(set_working_hours))
        .routes(routes!(add_absence, list_absences))
        .routes(routes!(get_absence))
        .routes(routes!(supervisor_upcoming))
}

/// Creates a supervisor (admin).
#[utoipa::path(post, path = "/api/v1/supervisors", tag = "supervisors", security(("bearer" = [])),
    request_body = NewSupervisor,
    responses(
        (status = 201, description = "The supervisor", body = Supervisor,
            headers(("Location" = String, description = "Where the supervisor is"))),
        Unauthorized, Forbidden, BodyErrors,
    ))]
async fn create_supervisor(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(new): Body<NewSupervisor>,
) -> Result<Response, Problem> {
    let supervisor = state.store.create_supervisor(&caller, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/supervisors/{}", supervisor.id), supervisor))
}

/// The supervisors the caller may see: all (admin, coordinators, who book them), themself (a
/// supervisor).
#[utoipa::path(get, path = "/api/v1/supervisors", tag = "supervisors", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of supervisors", body = Paged<Supervisor>),
        Unauthorized, Forbidden, Invalid))]
async fn list_supervisors(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Supervisor>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_supervisors(&caller).await?;
    Ok(Json(by_id(all, &page, |s| s.id)))
}

/// One supervisor (admin, coordinators, the supervisor themself).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}", tag = "supervisors", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    responses((status = 200, description = "The supervisor", body = Supervisor), Unauthorized, NotFound))]
async fn get_supervisor(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<Supervisor>, Problem> {
    Ok(Json(state.store.get_supervisor(&caller, id).await?))
}

/// Replaces a supervisor's working hours (admin, that supervisor). Bookings made stay; the
/// hours bind new bookings and changes. An empty list means no restriction.
#[utoipa::path(put, path = "/api/v1/supervisors/{id}/working-hours", tag = "supervisors", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    request_body(content = Vec<WorkingHoursEntry>, description = "Weekly windows of local time (at most 28)"),
    responses((status = 200, description = "The supervisor with the new hours", body = Supervisor),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn set_working_hours(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(entries): Body<Vec<WorkingHoursEntry>>,
) -> Result<Json<Supervisor>, Problem> {
    Ok(Json(state.store.set_working_hours(&caller, id, &entries).await?))
}

/// Adds an absence (admin, that supervisor): sessions already booked in it stay; new bookings
/// and changes that fall in it conflict.
#[utoipa::path(post, path = "/api/v1/supervisors/{id}/absences", tag = "supervisors", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    request_body = NewAbsence,
    responses(
        (status = 201, description = "The absence", body = Absence,
            headers(("Location" = String, description = "Where the absence is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn add_absence(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(new): Body<NewAbsence>,
) -> Result<Response, Problem> {
    let absence = state.store.add_absence(&caller, id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/supervisors/{id}/absences/{}", absence.id), absence))
}

/// A supervisor's absences that have not ended (admin, that supervisor).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/absences", tag = "supervisors", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"), PageQuery),
    responses((status = 200, description = "A page of absences", body = Paged<Absence>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_absences(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Absence>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_absences(&caller, id, state.clock.now()).await?;
    Ok(Json(by_id(all, &page, |a| a.id)))
}

/// One absence, past ones included (admin, that supervisor).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/absences/{absence_id}", tag = "supervisors",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"), ("absence_id" = Uuid, Path, description = "The absence")),
    responses((status = 200, description = "The absence", body = Absence), Unauthorized, Forbidden, NotFound))]
async fn get_absence(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, absence_id): Ids,
) -> Result<Json<Absence>, Problem> {
    let all = state.store.list_absences(&caller, id, DateTime::<Utc>::UNIX_EPOCH).await?;
    all.into_iter().find(|a| a.id == absence_id).map(Json).ok_or_else(|| Problem::not_found("absence"))
}

/// How far ahead an upcoming view looks, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct UpcomingQuery {
    /// Days from now, 1–366; default 14.
    #[param(minimum = 1, maximum = 366)]
    pub(crate) days: Option<u32>,
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub(crate) limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^-?[0-9]{1,15}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub(crate) cursor: Option<String>,
}

/// The key of an upcoming session in its list: start and id, the store's order.
pub(crate) fn upcoming_key(session: &ohjaus_store::write::sessions::Session) -> (i64, uuid::Uuid) {
    (session.starts_at.timestamp_millis(), session.id)
}

impl UpcomingQuery {
    /// The key the cursor stands for.
    pub(crate) fn after(&self) -> Result<Option<(i64, uuid::Uuid)>, Problem> {
        time_cursor(self.cursor.as_deref())
    }

    /// The checked number of days.
    pub(crate) fn days(&self) -> Result<u32, Problem> {
        ohjaus_store::limits::upcoming_days(self.days).map_err(|e| Problem::validation(&[e]))
    }
}

/// A supervisor's sessions from now on that are not cancelled, ordered by start, each with its
/// series' title, the organization and who is invited (admin, that supervisor).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/upcoming", tag = "supervisors", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor"), UpcomingQuery),
    responses((status = 200, description = "A page of sessions in time order", body = Paged<SupervisorSession>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn supervisor_upcoming(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<UpcomingQuery>,
) -> Result<Json<Paged<SupervisorSession>>, Problem> {
    let days = query.days()?;
    let after = query.after()?;
    let page = page(query.limit, query.cursor)?;
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    let now = state.clock.now();
    let until = now + TimeDelta::days(i64::from(days));
    // The page is cut in the database: one more session than the page holds tells whether
    // there is a next page. A cursor's millisecond is the session's start to the millisecond.
    let after = after.map(|(millis, id)| {
        let start = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or(if millis < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        });
        (start, id)
    });
    let sessions = state.store.upcoming_page_for_supervisor(&caller, id, now, until, after, limit + 1).await?;
    Ok(Json(after_key(sessions, &page, None, |s| upcoming_key(&s.session), time_cursor_of)))
}
