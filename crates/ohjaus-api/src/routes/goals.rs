//! Goals (created and listed under their series), their revisions and their reviews at the
//! three phases. Confidential between the supervisor and the participants, except what is
//! shared with the organization.

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, NotFound, Unauthorized};
use crate::extract::{Body, Id, Ids};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use ohjaus_store::write::goals::{Goal, GoalPatch, NewReview, Review};
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(get_goal, update_goal)).routes(routes!(add_review)).routes(routes!(get_review))
}

/// One goal with its earlier versions and the reviews the caller may see.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The goal")),
    responses((status = 200, description = "The goal", body = Goal), Unauthorized, NotFound))]
async fn get_goal(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Goal>, Problem> {
    Ok(Json(state.store.get_goal(&caller, id).await?))
}

/// Revises a goal (the series' supervisor): a change of text, focus or status raises the
/// version, and the earlier version stays listed with the goal.
#[utoipa::path(patch, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The goal")),
    request_body = GoalPatch,
    responses((status = 200, description = "The revised goal", body = Goal), Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn update_goal(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(patch): Body<GoalPatch>,
) -> Result<Json<Goal>, Problem> {
    Ok(Json(state.store.update_goal(&caller, id, &patch, state.clock.now()).await?))
}

/// Reviews a goal at a phase (the series' supervisor or a participant, as the author): one
/// review per author, goal and phase (a second is 409).
#[utoipa::path(post, path = "/api/v1/goals/{id}/reviews", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The goal")),
    request_body = NewReview,
    responses(
        (status = 201, description = "The review", body = Review,
            headers(("Location" = String, description = "Where the review is"))),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors,
    ))]
async fn add_review(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(new): Body<NewReview>,
) -> Result<Response, Problem> {
    let review = state.store.add_review(&caller, id, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/goals/{id}/reviews/{}", review.id), review))
}

/// One review, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/goals/{id}/reviews/{review_id}", tag = "goals", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The goal"), ("review_id" = Uuid, Path, description = "The review")),
    responses((status = 200, description = "The review", body = Review), Unauthorized, NotFound))]
async fn get_review(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Ids(id, review_id): Ids,
) -> Result<Json<Review>, Problem> {
    let goal = state.store.get_goal(&caller, id).await?;
    goal.reviews.into_iter().find(|r| r.id == review_id).map(Json).ok_or_else(|| Problem::not_found("review"))
}
