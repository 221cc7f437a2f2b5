//! Organizations and what belongs to them: their people, teams and closure periods, and the
//! organization report.

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::{Body, Id, Ids, Query};
use crate::paging::{PageQuery, by_id};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use ohjaus_core::FieldError;
use ohjaus_store::limits::DEFAULT_REPORT_DAYS;
use ohjaus_store::page::Paged;
use ohjaus_store::read::export;
use ohjaus_store::read::organization_report::OrganizationReport;
use ohjaus_store::write::closures::{Closure, NewClosure};
use ohjaus_store::write::organizations::{NewOrganization, Organization};
use ohjaus_store::write::people::{NewPerson, Person};
use ohjaus_store::write::teams::{NewTeam, Team};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_organization, list_organizations))
        .routes(routes!(get_organization))
        .routes(routes!(create_person, list_people))
        .routes(routes!(create_team, list_teams))
        .routes(routes!(add_closure, list_closures))
        .routes(routes!(get_closure))
        .routes(routes!(organization_report))
}

/// Creates an organization (admin).
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "The organization", body = Organization,
            headers(("Location" = String, description = "Where the organization is"))),
        Unauthorized, Forbidden, BodyErrors,
    ))]
async fn create_organization(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(new): Body<NewOrganization>,
) -> Result<Response, Problem> {
    let organization = state.store.create_organization(&caller, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/organizations/{}", organization.id), organization))
}

/// The organizations the caller may see: all (admin), their own (coordinator, participant),
/// those they serve (supervisor).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of organizations", body = Paged<Organization>), Unauthorized, Invalid))]
async fn list_organizations(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Organization>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_organizations(&caller).await?;
    Ok(Json(by_id(all, &page, |o| o.id)))
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{org}", tag = "organizations", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    responses((status = 200, description = "The organization", body = Organization), Unauthorized, NotFound))]
async fn get_organization(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<Organization>, Problem> {
    Ok(Json(state.store.get_organization(&caller, id).await?))
}

/// Adds a person to an organization (admin, its coordinator).
#[utoipa::path(post, path = "/api/v1/organizations/{org}/people", tag = "people", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    request_body = NewPerson,
    responses(
        (status = 201, description = "The person", body = Person,
            headers(("Location" = String, description = "Where the person is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_person(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Body(new): Body<NewPerson>,
) -> Result<Response, Problem> {
    let person = state.store.create_person(&caller, organization_id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/people/{}", person.id), person))
}

/// An organization's people (admin, its coordinator).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/people", tag = "people", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), PageQuery),
    responses((status = 200, description = "A page of people", body = Paged<Person>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_people(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Person>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_people(&caller, organization_id).await?;
    Ok(Json(by_id(all, &page, |p| p.id)))
}

/// Creates a team of the organization's people (admin, its coordinator).
#[utoipa::path(post, path = "/api/v1/organizations/{org}/teams", tag = "teams", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    request_body = NewTeam,
    responses(
        (status = 201, description = "The team", body = Team,
            headers(("Location" = String, description = "Where the team is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_team(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Body(new): Body<NewTeam>,
) -> Result<Response, Problem> {
    let team = state.store.create_team(&caller, organization_id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/teams/{}", team.id), team))
}

/// An organization's teams (admin, its coordinator).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/teams", tag = "teams", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), PageQuery),
    responses((status = 200, description = "A page of teams", body = Paged<Team>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_teams(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Team>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_teams(&caller, organization_id).await?;
    Ok(Json(by_id(all, &page, |t| t.id)))
}

/// Adds a closure period (admin, the coordinator): new plans skip or shift around it;
/// sessions already booked stay.
#[utoipa::path(post, path = "/api/v1/organizations/{org}/closures", tag = "organizations", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    request_body = NewClosure,
    responses(
        (status = 201, description = "The closure", body = Closure,
            headers(("Location" = String, description = "Where the closure is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn add_closure(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Body(new): Body<NewClosure>,
) -> Result<Response, Problem> {
    let closure = state.store.add_closure(&caller, organization_id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/organizations/{organization_id}/closures/{}", closure.id), closure))
}

/// An organization's closures (admin, its coordinator).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/closures", tag = "organizations", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), PageQuery),
    responses((status = 200, description = "A page of closures", body = Paged<Closure>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_closures(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Closure>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_closures(&caller, organization_id).await?;
    Ok(Json(by_id(all, &page, |c| c.id)))
}

/// One closure (admin, the coordinator).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/closures/{closure_id}", tag = "organizations",
    security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), ("closure_id" = Uuid, Path, description = "The closure")),
    responses((status = 200, description = "The closure", body = Closure), Unauthorized, Forbidden, NotFound))]
async fn get_closure(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(organization_id, closure_id): Ids,
) -> Result<Json<Closure>, Problem> {
    let all = state.store.list_closures(&caller, organization_id).await?;
    all.into_iter().find(|c| c.id == closure_id).map(Json).ok_or_else(|| Problem::not_found("closure"))
}

/// The period of a report, and the format of the answer.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// First day, in the organization's time zone; default: a year before `to`.
    from: Option<NaiveDate>,
    /// Last day (inclusive), not before `from`; at most 3,660 days in all; default: today.
    to: Option<NaiveDate>,
    /// `json` (the default) or `csv`: one row per series, as the coordinator's page downloads
    /// it. `Accept: text/csv` asks for CSV too.
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// Whether the answer is to be CSV: `?format=csv`, or else `Accept` naming `text/csv` before
/// any JSON type.
fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> Result<bool, Problem> {
    match format {
        Some("csv") => return Ok(true),
        Some("json") => return Ok(false),
        Some(_) => return Err(Problem::validation(&[FieldError::new("format", "use json or csv")])),
        None => {}
    }
    let accept = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    let first = accept
        .split(',')
        .map(|range| range.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .find(|media| media == "text/csv" || media == "application/json" || media.ends_with("+json"));
    Ok(first.as_deref() == Some("text/csv"))
}

/// The organization report (admin, the coordinator): per team and series, sessions held,
/// cancelled, late cancellations, attendance rate and hours. Never anything of notes or
/// reviews. As JSON, or as CSV (`?format=csv` or `Accept: text/csv`).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/report", tag = "organizations", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), ReportQuery),
    responses((status = 200, description = "The report",
            content((OrganizationReport = "application/json"), (String = "text/csv"))),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn organization_report(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let csv = wants_csv(query.format.as_deref(), &headers)?;
    // Without a period, the year up to today: what a coordinator asks for most.
    let to = query.to.unwrap_or_else(|| state.clock.now().date_naive());
    let from = query.from.unwrap_or_else(|| to - chrono::TimeDelta::days(DEFAULT_REPORT_DAYS));
    let report = state.store.organization_report(&caller, organization_id, from, to).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let disposition = format!("attachment; filename=\"{}\"", export::report_file_name(from, to));
    Ok((
        [(header::CONTENT_TYPE, export::CSV_MEDIA_TYPE.to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        export::report_csv(&report),
    )
        .into_response())
}
