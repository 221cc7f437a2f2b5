//! The caller's own view: their upcoming sessions and the private link of their calendar
//! feed. For participants and supervisors; admins and coordinators have no calendar (403).

use super::supervisors::{UpcomingQuery, upcoming_key};
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{Forbidden, Invalid, Unauthorized};
use crate::extract::Query;
use crate::paging::{after_key, page, time_cursor_of};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ohjaus_store::page::Paged;
use ohjaus_store::read::person_agenda::{MyUpcoming, PersonUpcomingSession};
use ohjaus_store::read::supervisor_agenda::SupervisorSession;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(my_upcoming)).routes(routes!(create_calendar_link, revoke_calendar_links))
}

/// A page of the caller's upcoming sessions: a participant's (with the series, organization
/// and supervisor) or a supervisor's (with who is invited), told apart by `role`. An API-side
/// type because the store answers the whole window and the API pages it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum MyUpcomingPage {
    /// A participant's sessions.
    Participant(Paged<PersonUpcomingSession>),
    /// A supervisor's sessions.
    Supervisor(Paged<SupervisorSession>),
}

/// The caller's own sessions from now on that are not cancelled, ordered by start: the
/// sessions a participant is invited to, or a supervisor's agenda.
#[utoipa::path(get, path = "/api/v1/me/upcoming", tag = "me", security(("bearer" = [])),
    params(UpcomingQuery),
    responses((status = 200, description = "A page of sessions in time order", body = MyUpcomingPage),
        Unauthorized, Forbidden, Invalid))]
async fn my_upcoming(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<UpcomingQuery>,
) -> Result<Json<MyUpcomingPage>, Problem> {
    let days = query.days()?;
    let after = query.after()?;
    let page = page(query.limit, query.cursor)?;
    Ok(Json(match state.store.my_upcoming(&caller, days, state.clock.now()).await? {
        MyUpcoming::Participant(sessions) => {
            MyUpcomingPage::Participant(after_key(sessions, &page, after, |s| upcoming_key(&s.session), time_cursor_of))
        }
        MyUpcoming::Supervisor(sessions) => {
            MyUpcomingPage::Supervisor(after_key(sessions, &page, after, |s| upcoming_key(&s.session), time_cursor_of))
        }
    }))
}

/// The private link of a calendar feed. An API-side type: the store makes the secret, the API
/// knows its public URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLink {
    /// Subscribe to this URL in a calendar application; anyone holding it sees the feed.
    #[schema(format = "uri")]
    pub url: String,
}

/// Makes a new private link of the caller's calendar feed (a participant's or a supervisor's
/// sessions); earlier links stop working.
#[utoipa::path(post, path = "/api/v1/me/calendar-token", tag = "me", security(("bearer" = [])),
    responses(
        (status = 201, description = "The feed's private link", body = CalendarLink,
            headers(("Location" = String, description = "The feed's URL"))),
        Unauthorized, Forbidden,
    ))]
async fn create_calendar_link(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, Problem> {
    let token = state.store.create_calendar_token(&caller, state.clock.now()).await?;
    let url = token.feed_url(state.config.public_url.as_str());
    Ok((StatusCode::CREATED, [(header::LOCATION, url.clone())], Json(CalendarLink { url })).into_response())
}

/// Revokes the caller's feed links: the feed stops answering them.
#[utoipa::path(delete, path = "/api/v1/me/calendar-token", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "Every link of the caller's feed is revoked"), Unauthorized, Forbidden))]
async fn revoke_calendar_links(State(state): State<AppState>, Auth(caller): Auth) -> Result<StatusCode, Problem> {
    state.store.revoke_calendar_tokens(&caller, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
