//! One module per resource; each gives an [`ApiRouter`] of its handlers, merged here.
//!
//! Handlers are thin: they take the caller ([`Auth`](crate::auth::Auth)), the path ids, the
//! query and the body, call one store operation with `state.clock.now()`, and answer its record
//! as JSON. The store decides scope and rules; a store error becomes a problem
//! ([`crate::error`]). Every handler's `#[utoipa::path]` lists every answer it can give, the
//! errors by the markers of [`crate::docs`].

use crate::ApiRouter;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::OpenApi;

pub mod calendar;
pub mod calendars;
pub mod goals;
pub mod health;
pub mod invoices;
pub mod me;
pub mod notifications;
pub mod organizations;
pub mod people;
pub mod polls;
pub mod privacy;
pub mod series;
pub mod sessions;
pub mod slots;
pub mod supervisors;
pub mod teams;
pub mod webhooks;

/// Every route.
pub fn all() -> ApiRouter {
    ApiRouter::new()
        .merge(health::routes())
        .merge(organizations::routes())
        .merge(supervisors::routes())
        .merge(people::routes())
        .merge(teams::routes())
        .merge(series::routes())
        .merge(sessions::routes())
        .merge(goals::routes())
        .merge(slots::routes())
        .merge(notifications::routes())
        .merge(me::routes())
        .merge(calendar::routes())
        .merge(invoices::routes())
        .merge(privacy::routes())
        .merge(calendars::routes())
        .merge(webhooks::routes())
        .merge(polls::routes())
}

/// Document-wide parts of the OpenAPI document: title, version, the bearer scheme, the error
/// answers, and the routes whose path axum cannot spell (the calendar feed).
pub fn describe(openapi: &mut OpenApi) {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    openapi.info.title = "Ohjaus".to_owned();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi.info.description = Some(
        "Scheduling of work supervision and coaching series: organizations, supervisors, teams, series, \
         sessions, goals, notes, reports, calendar feeds, contracts and invoices (JSON, UBL 2.1 Peppol BIS Billing 3.0, CSV). Errors are application/problem+json (RFC 9457). \
         Lists are paginated: `limit` (1–200, default 50) and `cursor` (the `next_cursor` of the previous page)."
            .to_owned(),
    );
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
    );
    crate::docs::register(openapi);
    calendar::describe(openapi);
    crate::docs::add_common(openapi, &[calendar::FEED_PATH]);
    crate::links::add(openapi);
    crate::idempotency::describe(openapi);
}

/// 201 Created with `Location: {location}` and the record.
pub(crate) fn created<T: Serialize>(location: String, body: T) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}
