//! People, one by one (they are created and listed under their organization).

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{NotFound, Unauthorized};
use crate::extract::Id;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use ohjaus_store::write::people::Person;
use utoipa_axum::routes;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(get_person))
}

/// One person: admins, the organization's coordinator, the person themself, and the
/// supervisors of series they take part in.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The person")),
    responses((status = 200, description = "The person", body = Person), Unauthorized, NotFound))]
async fn get_person(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Json<Person>, Problem> {
    Ok(Json(state.store.get_person(&caller, id).await?))
}
