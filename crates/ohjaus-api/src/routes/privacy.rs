//! Privacy (GDPR): all data about a person as JSON (admins, and the person themself), the
//! erasure of a person (admins), and the audit log of note reads, exports and erasures
//! (admins). The store decides who may; see `ohjaus_store::write::privacy`.

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::{Id, Query};
use crate::paging::page;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ohjaus_store::page::Paged;
use ohjaus_store::read::person_export::PersonExport;
use ohjaus_store::write::privacy::{AuditEvent, Erasure};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(export_person))
        .routes(routes!(export_me))
        .routes(routes!(erase_person))
        .routes(routes!(list_audit))
}

/// All data about a person: the person, teams, series and sessions, attendance, the reviews
/// they wrote, tokens (labels, never secrets), messages sent to them (kinds and times) and
/// sign-ins. Admins, and the person themself; the export is written to the audit log.
#[utoipa::path(get, path = "/api/v1/people/{id}/export", tag = "privacy", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person")),
    responses((status = 200, description = "Everything about the person", body = PersonExport),
        Unauthorized, Forbidden, NotFound))]
async fn export_person(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<PersonExport>, Problem> {
    Ok(Json(state.store.export_person(&caller, id, state.clock.now()).await?))
}

/// All data about the caller, a participant (as `GET /api/v1/people/{id}/export`); audited.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, description = "Everything about the caller", body = PersonExport),
        Unauthorized, Forbidden))]
async fn export_me(State(state): State<AppState>, Auth(caller): Auth) -> Result<Json<PersonExport>, Problem> {
    Ok(Json(state.store.export_me(&caller, state.clock.now()).await?))
}

/// Erases a person (admins): their future sessions are cancelled (they get the CANCELs at
/// their real address first), then their name and address are replaced; their tokens, feed
/// links, browser sessions and sign-in links end; their reviews are removed; their attendance
/// stays, nameless, so the organization's report stays true. Erasing again answers the first
/// erasure and changes nothing.
#[utoipa::path(post, path = "/api/v1/people/{id}/erase", tag = "privacy", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person")),
    responses((status = 200, description = "What the erasure did", body = Erasure),
        Unauthorized, Forbidden, NotFound))]
async fn erase_person(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Erasure>, Problem> {
    Ok(Json(state.store.erase_person(&caller, id, state.clock.now()).await?))
}

/// Filter and page of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only rows about this person or acted by them.
    person_id: Option<Uuid>,
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// The audit log, oldest first (admins): every read of notes, export and erasure, and the
/// worker's deletions of notes past their retention — who, when, what, about whom; never what
/// a note says.
#[utoipa::path(get, path = "/api/v1/audit", tag = "privacy", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "A page of the audit log", body = Paged<AuditEvent>),
        Unauthorized, Forbidden, Invalid))]
async fn list_audit(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Paged<AuditEvent>>, Problem> {
    let page = page(query.limit, query.cursor)?;
    Ok(Json(state.store.list_audit(&caller, query.person_id, &page).await?))
}
