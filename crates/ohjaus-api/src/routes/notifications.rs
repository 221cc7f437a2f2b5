//! The outbox as admins see it: what was queued, sent and given up, with attempts and the last
//! error; never a full address or a payload.

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{Forbidden, Invalid, Unauthorized};
use crate::extract::Query;
use crate::paging::page;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ohjaus_store::outbox::queue::Notification;
use ohjaus_store::page::Paged;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(list_notifications))
}

/// Filter and page of the outbox.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct NotificationQuery {
    /// Only notifications in this status.
    #[param(value_type = Option<ohjaus_store::status::NotificationStatus>)]
    status: Option<String>,
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// The outbox, oldest first (admin).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, description = "A page of notifications", body = Paged<Notification>),
        Unauthorized, Forbidden, Invalid))]
async fn list_notifications(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<NotificationQuery>,
) -> Result<Json<Paged<Notification>>, Problem> {
    let page = page(query.limit, query.cursor)?;
    Ok(Json(state.store.list_notifications(&caller, query.status.as_deref(), &page).await?))
}
