//! Webhooks: endpoints of an organization (admin, its coordinator) or of all organizations
//! (admin), their secrets (shown once, rotated with 24 hours of overlap), a test event, the
//! delivery log and a retry. Deliveries follow Standard Webhooks (see the document's
//! description of the `webhooks` tag).

use super::created;
use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::{Body, Id, Query};
use crate::paging::{PageQuery, by_id};
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ohjaus_store::page::Paged;
use ohjaus_store::write::webhooks::{
    NewWebhookEndpoint, WebhookDelivery, WebhookEndpoint, WebhookEndpointChanges, WebhookEndpointWithSecret,
};
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_organization_webhook, list_organization_webhooks))
        .routes(routes!(create_global_webhook, list_all_webhooks))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(send_test_webhook))
        .routes(routes!(list_webhook_deliveries))
        .routes(routes!(retry_webhook_delivery))
}

/// Registers a webhook endpoint for an organization (admin, its coordinator). The answer
/// carries the signing secret (`whsec_…`), shown this once. Refused (422): an address that
/// is not https/http, one with a user name or password, one on a loopback, private or
/// link-local address (unless the installation allows them).
#[utoipa::path(post, path = "/api/v1/organizations/{org}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization")),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, description = "The endpoint with its secret", body = WebhookEndpointWithSecret,
            headers(("Location" = String, description = "Where the endpoint is"))),
        Unauthorized, Forbidden, NotFound, BodyErrors,
    ))]
async fn create_organization_webhook(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Body(new): Body<NewWebhookEndpoint>,
) -> Result<Response, Problem> {
    let made = state.store.create_webhook_endpoint(&caller, Some(organization_id), &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/webhooks/{}", made.endpoint.id), made))
}

/// An organization's webhook endpoints (admin, its coordinator).
#[utoipa::path(get, path = "/api/v1/organizations/{org}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("org" = Uuid, Path, description = "The organization"), PageQuery),
    responses((status = 200, description = "A page of endpoints", body = Paged<WebhookEndpoint>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_organization_webhooks(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(organization_id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<WebhookEndpoint>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_webhook_endpoints(&caller, Some(organization_id)).await?;
    Ok(Json(by_id(all, &page, |e| e.id)))
}

/// Registers an endpoint that receives every organization's events (admin).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, description = "The endpoint with its secret", body = WebhookEndpointWithSecret,
            headers(("Location" = String, description = "Where the endpoint is"))),
        Unauthorized, Forbidden, BodyErrors,
    ))]
async fn create_global_webhook(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(new): Body<NewWebhookEndpoint>,
) -> Result<Response, Problem> {
    let made = state.store.create_webhook_endpoint(&caller, None, &new, state.clock.now()).await?;
    Ok(created(format!("/api/v1/webhooks/{}", made.endpoint.id), made))
}

/// Every webhook endpoint, of every organization and global (admin).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of endpoints", body = Paged<WebhookEndpoint>),
        Unauthorized, Forbidden, Invalid))]
async fn list_all_webhooks(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<WebhookEndpoint>>, Problem> {
    let page = query.page()?;
    let all = state.store.list_webhook_endpoints(&caller, None).await?;
    Ok(Json(by_id(all, &page, |e| e.id)))
}

/// One endpoint (admin; an organization's coordinator for its own).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint), Unauthorized, Forbidden, NotFound))]
async fn get_webhook(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<WebhookEndpoint>, Problem> {
    Ok(Json(state.store.get_webhook_endpoint(&caller, id).await?))
}

/// Changes an endpoint: address, description, event types, enabled. Enabling a disabled
/// endpoint clears why it was disabled.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint")),
    request_body = WebhookEndpointChanges,
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn update_webhook(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(changes): Body<WebhookEndpointChanges>,
) -> Result<Json<WebhookEndpoint>, Problem> {
    Ok(Json(state.store.update_webhook_endpoint(&caller, id, &changes, state.clock.now()).await?))
}

/// Deletes an endpoint with its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 204, description = "Deleted"), Unauthorized, Forbidden, NotFound))]
async fn delete_webhook(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<StatusCode, Problem> {
    state.store.delete_webhook_endpoint(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives an endpoint a new secret, shown this once; the previous one still signs for 24
/// hours (both signatures are sent meanwhile).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 200, description = "The endpoint with its new secret", body = WebhookEndpointWithSecret),
        Unauthorized, Forbidden, NotFound))]
async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<WebhookEndpointWithSecret>, Problem> {
    Ok(Json(state.store.rotate_webhook_secret(&caller, id, state.clock.now()).await?))
}

/// Sends a `webhook.test` event to this endpoint only (409 when it is disabled).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint")),
    responses((status = 202, description = "The delivery, queued", body = WebhookDelivery),
        Unauthorized, Forbidden, NotFound, Conflict))]
async fn send_test_webhook(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<(StatusCode, Json<WebhookDelivery>), Problem> {
    Ok((StatusCode::ACCEPTED, Json(state.store.send_test_webhook(&caller, id, state.clock.now()).await?)))
}

/// An endpoint's deliveries, newest first: status, attempts, the last answer's status, time
/// and (at most 1 kB of) body, the next attempt.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endpoint"), PageQuery),
    responses((status = 200, description = "A page of deliveries, newest first", body = Paged<WebhookDelivery>),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn list_webhook_deliveries(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<PageQuery>,
) -> Result<Json<Paged<WebhookDelivery>>, Problem> {
    let page = query.page()?;
    Ok(Json(state.store.list_webhook_deliveries(&caller, id, &page).await?))
}

/// Queues a delivery again now, with the same `webhook-id` (409 while it is being sent).
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/retry", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The delivery")),
    responses((status = 202, description = "The delivery, queued", body = WebhookDelivery),
        Unauthorized, Forbidden, NotFound, Conflict))]
async fn retry_webhook_delivery(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<(StatusCode, Json<WebhookDelivery>), Problem> {
    Ok((StatusCode::ACCEPTED, Json(state.store.retry_webhook_delivery(&caller, id, state.clock.now()).await?)))
}
