//! The private calendar feed `GET /calendar/{token}.ics`: a participant's or a supervisor's
//! sessions as `text/calendar` (METHOD:PUBLISH), the same events the invitations carry. The
//! token in the link is the authority; an unknown or revoked one is 404.

use crate::ApiRouter;
use crate::feed_cache::FeedAnswer;
use crate::limits::ApiLimits;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use headers::{CacheControl, ETag, HeaderMapExt, IfModifiedSince, IfNoneMatch, LastModified};
use ohjaus_ical::FeedEntry;
use ohjaus_store::write::tokens::FeedOwner;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
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
/// cancelled sessions included, so a calendar learns of cancellations). The answer carries an
/// `ETag` and a `Last-Modified`; a client that sends either back (`If-None-Match`,
/// `If-Modified-Since`) gets `304 Not Modified` while nothing has changed.
#[utoipa::path(get, path = "/calendar/{token}.ics", tag = "calendar",
    params(
        ("token" = String, Path, description = "The secret of the link made by `POST /api/v1/me/calendar-token`"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of the copy the client has"),
        ("If-Modified-Since" = Option<String>, Header, description = "The `Last-Modified` of the copy the client has"),
    ),
    responses(
        (status = 200, description = "The feed", body = String, content_type = "text/calendar",
            headers(("ETag" = String, description = "The feed's validator"),
                    ("Last-Modified" = String, description = "When what the feed shows last changed"),
                    ("Cache-Control" = String, description = "`private, max-age=300`"))),
        (status = 304, description = "The client's copy is current"),
        crate::docs::NotFound,
    ))]
async fn calendar_feed(
    State(state): State<AppState>,
    limits: Option<Extension<ApiLimits>>,
    Path(file): Path<String>,
    request: HeaderMap,
) -> Result<Response, Problem> {
    let not_found = || Problem::not_found("calendar");
    let secret = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let check_limit = || match &limits {
        Some(Extension(limits)) => limits.check_feed(secret),
        None => Ok(()),
    };
    let answer = match state.feeds.get(secret) {
        Some(answer) => {
            check_limit()?;
            answer
        }
        None => {
            // Read before the data: a write finishing meanwhile retires this entry.
            let epoch = state.feeds.epoch();
            let owner = state.store.resolve_calendar_token(secret).await?.ok_or_else(not_found)?;
            // Checked once the link is known, so made-up links fill no limiter.
            check_limit()?;
            let answer = Arc::new(render(&state, owner, epoch).await?);
            state.feeds.put(secret, answer.clone());
            answer
        }
    };
    let mut headers = HeaderMap::new();
    headers.typed_insert(CacheControl::new().with_private().with_max_age(Duration::from_secs(300)));
    if let Ok(etag) = answer.etag.parse::<ETag>() {
        headers.typed_insert(etag);
    }
    let last_modified = SystemTime::from(answer.last_modified);
    headers.typed_insert(LastModified::from(last_modified));
    if !modified(&request, &answer.etag, last_modified) {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    Ok((headers, answer.body.clone()).into_response())
}

/// Whether the client's copy is out of date (RFC 9110 §13.1.2 and §13.1.3: `If-None-Match`
/// decides when sent, `If-Modified-Since` only without it).
fn modified(request: &HeaderMap, etag: &str, last_modified: SystemTime) -> bool {
    if let Some(if_none_match) = request.typed_get::<IfNoneMatch>() {
        return etag.parse::<ETag>().map_or(true, |etag| if_none_match.precondition_passes(&etag));
    }
    request.typed_get::<IfModifiedSince>().is_none_or(|since| since.is_modified(last_modified))
}

/// The feed of `owner` rendered from the database.
async fn render(state: &AppState, owner: FeedOwner, epoch: u64) -> Result<FeedAnswer, Problem> {
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
                organizer: &state.config.calendar_organizer,
                summary: &series.info.title,
                description: Some(description),
                sequence: series.sequence,
            })
        })
        .collect();
    // DTSTAMP is when the data last changed, not now: the same data gives the same text, so
    // the validator stays the same across renders and instances.
    let text =
        ohjaus_ical::feed(&format!("Ohjaus – {}", feed.owner_name), &entries, feed.last_modified).map_err(|error| {
            tracing::error!(%error, "calendar feed not rendered");
            Problem::internal()
        })?;
    Ok(FeedAnswer::new(owner, feed.last_modified, Bytes::from(text), epoch))
}
