//! One module per resource; each gives an [`ApiRouter`] of its handlers, merged here.

use crate::ApiRouter;
use utoipa::openapi::OpenApi;

pub mod health;

/// Every route.
pub fn all() -> ApiRouter {
    ApiRouter::new().merge(health::routes())
}

/// Document-wide parts of the OpenAPI document: title, version, the bearer scheme.
pub fn describe(openapi: &mut OpenApi) {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    openapi.info.title = "Ohjaus".to_owned();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi.info.description = Some(
        "Scheduling of work supervision and coaching series: organizations, supervisors, teams, series, \
         sessions, goals, notes, reports and calendar feeds. Errors are application/problem+json (RFC 9457)."
            .to_owned(),
    );
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
    );
}
