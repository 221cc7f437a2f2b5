//! Rhythm polls (issue 11): created and listed under their organization, read, decided
//! (`choose` books the option as `POST /series` does) or closed one by one; and the voters'
//! side, `/poll-votes/{token}`, where the personal link's secret is the authority (no bearer
//! token: the people asked have no account).

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::error::problem_in;
use crate::extract::{Body, Id, Query};
use crate::paging::PageQuery;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ohjaus_core::TimeZone;
use ohjaus_store::page::Paged;
use ohjaus_store::write::poll_votes::{Ballot, PollVote};
use ohjaus_store::write::polls::{ChooseOption, Poll, PollBody, vote_link_base};
use ohjaus_store::{Caller, StoreError};
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_poll, list_polls))
        .routes(routes!(get_poll))
        .routes(routes!(choose_poll_option))
        .routes(routes!(close_poll))
        .routes(routes!(get_ballot, vote))
}

/// A store error of a choice of poll `id`, with conflicts shown in the poll's zone.
async fn poll_problem(state: &AppState, caller: &Caller, id: Uuid, error: StoreError) -> Problem {
    match error {
        StoreError::Conflict(_) => {
            let zone = match state.store.get_poll(caller, id, state.clock.now()).await {
                Ok(poll) => poll.timezone.parse::<TimeZone>().unwrap_or_default(),
                Err(_) => TimeZone::default(),
            };
            problem_in(error, zone)
        }
        other => other.into(),
    }
}

/// Creates a rhythm poll (admin, the organization's coordinator, or the supervisor it names
/// for an organization they supervise): 2–8 options for the time of one series, for a team or
/// named people of the organization, and a deadline (in the future, before every option's
/// first session). Each option is planned and checked occurrence by occurrence as
/// `POST /series/preview` does; what it meets is stored with it (`conflicts`) — a conflicting
/// option is allowed. Each person asked gets an email in their language with a personal
/// voting link (`{public_url}/vote/{secret}`; the secret is stored hashed only).
#[utoipa::path(post, path = "/api/v1/organizations/{org}/polls", tag = "polls", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    request_body = PollBody,
    responses(
        (status = 201, description = "The poll with its options, their conflicts and the (empty) tally", body = Poll,
            headers(("Location" = String, description = "Where the poll is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_poll(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(org): Id,
    Body(body): Body<PollBody>,
) -> Result<Response, Problem> {
    let base = vote_link_base(state.config.public_url.as_str());
    let poll = state.store.create_poll(&caller, org, &body, &base, state.clock.now()).await?;
    Ok(created(format!("/api/v1/polls/{}", poll.id), poll))
}

/// The polls of an organization, oldest first (admin, its coordinator: all; a supervisor:
/// their own).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/polls", tag = "polls", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), PageQuery),
    responses((status = 200, description = "A page of polls", body = Paged<Poll>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_polls(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(org): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<Poll>>, Problem> {
    let page = query.page()?;
    Ok(Json(state.store.list_polls(&caller, org, &page, state.clock.now()).await?))
}

/// One poll: its options with what the pre-check met (`conflicts`, why and with whom) and the
/// tally per option (yes, if need be, no, not answered, with names), and the comments (admin,
/// the organization's coordinator, the poll's supervisors).
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The poll")),
    responses((status = 200, description = "The poll", body = Poll), Unauthorized, NotFound))]
async fn get_poll(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Poll>, Problem> {
    Ok(Json(state.store.get_poll(&caller, id, state.clock.now()).await?))
}

/// Chooses an option and books it exactly as `POST /series` does, in the same transaction:
/// re-checked on fresh data (409 with every conflict, nothing changes), invitations,
/// `series.booked`. Then the poll is decided (`series_id`), every voter is told, and
/// `poll.decided` is emitted. A poll decided or closed already: 409 (of concurrent choices,
/// one books).
#[utoipa::path(post, path = "/api/v1/polls/{id}/choose", tag = "polls", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The poll")),
    request_body = ChooseOption,
    responses((status = 200, description = "The poll, decided, with the series it booked", body = Poll),
        Unauthorized, NotFound, Conflict, BodyErrors))]
async fn choose_poll_option(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(body): Body<ChooseOption>,
) -> Result<Json<Poll>, Problem> {
    match state.store.choose_poll_option(&caller, id, body.option_id, state.clock.now()).await {
        Ok(poll) => Ok(Json(poll)),
        Err(error) => Err(poll_problem(&state, &caller, id, error).await),
    }
}

/// Closes a poll without a choice: no more votes; the voters are told. Decided or closed
/// already: 409.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "polls", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The poll")),
    responses((status = 200, description = "The poll, closed", body = Poll), Unauthorized, NotFound, Conflict))]
async fn close_poll(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Poll>, Problem> {
    Ok(Json(state.store.close_poll(&caller, id, state.clock.now()).await?))
}

/// What a personal voting link shows: the poll, its options and the voter's own answers
/// (no token: the link's secret is the authority). Read only once voting has ended; an
/// unknown, tampered or expired link: 404.
#[utoipa::path(get, path = "/api/v1/poll-votes/{token}", tag = "polls",
    params(("token" = String, Path, description = "The secret of the personal link")),
    responses((status = 200, description = "The voter's ballot", body = Ballot), NotFound))]
async fn get_ballot(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<Ballot>, Problem> {
    Ok(Json(state.store.poll_ballot(&token, state.clock.now()).await?))
}

/// Casts or changes the link's voter's vote: an answer (`yes`, `if_need_be`, `no`) to every
/// option, and a comment. Only for its own person and poll (an option of another poll: 422).
/// Decided, closed or past the deadline: 409 and nothing changes; unknown link: 404.
#[utoipa::path(put, path = "/api/v1/poll-votes/{token}", tag = "polls",
    params(("token" = String, Path, description = "The secret of the personal link")),
    request_body = PollVote,
    responses((status = 200, description = "The ballot with the answers as stored", body = Ballot),
        NotFound, Conflict, BodyErrors))]
async fn vote(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Body(body): Body<PollVote>,
) -> Result<Json<Ballot>, Problem> {
    Ok(Json(state.store.vote_in_poll(&token, &body, state.clock.now()).await?))
}
