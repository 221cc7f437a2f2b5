//! The private calendar feed `GET /calendar/{token}.ics`: a participant's or a supervisor's
//! sessions as `text/calendar` (METHOD:PUBLISH), the same events the invitations carry. The
//! token in the link is the authority; an unknown or revoked one is 404.

use crate::ApiRouter;
use crate::limits::ApiLimits;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ohjaus_ical::FeedEntry;
use utoipa::Path as _;
use utoipa::openapi::OpenApi;

/// The feed's path as the OpenAPI document spells it.
pub const FEED_PATH: &str = "/calendar/{token}.ics";

/// The routes. axum cannot match a parameter followed by a suffix (`{token}.ics`), so the
/// route takes the whole last segment and is documented by hand ([`describe`]).
pub fn routes() -> ApiRouter {
    ApiRouter::new().route("/calendar/{file}", axum::routing::get(calendar_feed))
}

/// Adds the feed's operation to the document under its real path.
pub fn describe(openapi: &mut OpenApi) {
    let methods = __path_calendar_feed::methods();
    openapi.paths.add_path_operation(__path_calendar_feed::path(), methods, __path_calendar_feed::operation());
}

/// A person's or a supervisor's sessions as an iCalendar feed to subscribe to (past, held and
/// cancelled sessions included, so a calendar learns of cancellations).
#[utoipa::path(get, path = "/calendar/{token}.ics", tag = "calendar",
    params(("token" = String, Path, description = "The secret of the link made by `POST /api/v1/me/calendar-token`")),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "text/calendar"),
        crate::docs::NotFound,
    ))]
async fn calendar_feed(
    State(state): State<AppState>,
    limits: Option<Extension<ApiLimits>>,
    Path(file): Path<String>,
) -> Result<Response, Problem> {
    let not_found = || Problem::not_found("calendar");
    let secret = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let owner = state.store.resolve_calendar_token(secret).await?.ok_or_else(not_found)?;
    if let Some(Extension(limits)) = limits {
        limits.check_feed(secret)?;
    }
    let feed = state.store.calendar_feed(owner).await?;
    let descriptions: Vec<String> =
        feed.series.iter().map(|s| format!("{} – {}", s.info.organization_name, s.info.title)).collect();
    let entries: Vec<FeedEntry<'_>> = feed
        .series
        .iter()
        .zip(&descriptions)
        .flat_map(|(series, description)| {
            series.events.iter().map(move |event| FeedEntry {
                event,
                organizer: &series.organizer,
                summary: &series.info.title,
                description: Some(description),
                sequence: series.sequence,
            })
        })
        .collect();
    let text =
        ohjaus_ical::feed(&format!("Ohjaus – {}", feed.owner_name), &entries, state.clock.now()).map_err(|error| {
            tracing::error!(%error, "calendar feed not rendered");
            Problem::internal()
        })?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
        text,
    )
        .into_response())
}
