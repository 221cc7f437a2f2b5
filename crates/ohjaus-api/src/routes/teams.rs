//! Teams, one by one (they are created and listed under their organization), and their
//! members: setting them makes the future sessions of the team's active series follow.

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, NotFound, Unauthorized};
use crate::error::problem_in;
use crate::extract::{Body, Id};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ohjaus_core::TimeZone;
use ohjaus_store::StoreError;
use ohjaus_store::write::teams::{SetMembers, Team};
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(get_team)).routes(routes!(set_team_members))
}

/// One team (admin, the organization's coordinator).
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The team")),
    responses((status = 200, description = "The team", body = Team), Unauthorized, Forbidden, NotFound))]
async fn get_team(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Team>, Problem> {
    Ok(Json(state.store.get_team(&caller, id).await?))
}

/// Replaces a team's members (admin, the coordinator). The future sessions of the team's
/// active series follow in the same change: new members are invited (a conflict of theirs
/// refuses the whole change, 409), removed ones get cancellations.
#[utoipa::path(put, path = "/api/v1/teams/{id}/members", tag = "teams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The team")),
    request_body = SetMembers,
    responses((status = 200, description = "The team with its new members", body = Team),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn set_team_members(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(set): Body<SetMembers>,
) -> Result<Json<Team>, Problem> {
    match state.store.set_team_members(&caller, id, &set, state.clock.now()).await {
        Ok(team) => Ok(Json(team)),
        Err(error @ StoreError::Conflict(_)) => {
            // Conflicts are shown in the organization's zone.
            let zone = match state.store.get_team(&caller, id).await {
                Ok(team) => organization_zone(&state, &caller, team.organization_id).await,
                Err(_) => TimeZone::default(),
            };
            Err(problem_in(error, zone))
        }
        Err(error) => Err(error.into()),
    }
}

/// The zone of an organization the caller manages (the default if it cannot be read).
async fn organization_zone(state: &AppState, caller: &ohjaus_store::Caller, id: uuid::Uuid) -> TimeZone {
    state
        .store
        .get_organization(caller, id)
        .await
        .ok()
        .and_then(|o| o.timezone.parse::<TimeZone>().ok())
        .unwrap_or_default()
}
