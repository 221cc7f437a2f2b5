//! Slot search: the earliest first starts from which every session of a weekly series is free
//! — inside the supervisor's working hours, off holidays and the organization's closures, and
//! clear of the supervisor's (and a co-supervisor's) and the participants' bookings (the core's `find_slots` over
//! fresh agendas, through the store's `suggest_slots`, which checks the request and gives its
//! defaults).

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::Query;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use ohjaus_core::{HolidayPolicy, TimeZone};
use ohjaus_store::read::slot_suggestions::SlotRequest;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(find_slots))
}

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SlotQuery {
    /// The supervisor.
    supervisor_id: Uuid,
    /// A co-supervisor of the series, who must be free too.
    co_supervisor_id: Option<Uuid>,
    /// The buying organization (its closures are days off); default: the coordinator's own,
    /// or the organization of the team or of the participants.
    organization_id: Option<Uuid>,
    /// A team whose members take part (or `participant_ids`).
    team_id: Option<Uuid>,
    /// People who take part, comma-separated (or `team_id`).
    #[param(value_type = Option<Vec<Uuid>>, explode = false, style = Form, max_items = 500)]
    #[serde(default, deserialize_with = "comma_separated")]
    participant_ids: Option<Vec<Uuid>>,
    /// Minutes per session.
    #[param(value_type = ohjaus_core::SessionDuration)]
    duration_minutes: i64,
    /// Sessions in the series, 1–100.
    #[param(minimum = 1, maximum = 100)]
    count: u16,
    /// Weeks between sessions, 1–52; default 1.
    #[param(minimum = 1, maximum = 52)]
    interval_weeks: Option<u8>,
    /// The first day a series may start on (until 2194); default today.
    #[param(pattern = r"^(19\d\d|20\d\d|21[0-8]\d|219[0-4])-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
    from: Option<NaiveDate>,
    /// The series' zone; default `Europe/Helsinki`.
    #[param(value_type = Option<TimeZone>)]
    timezone: Option<String>,
    /// What holidays do to later sessions; default `skip`.
    #[param(value_type = Option<HolidayPolicy>)]
    holiday_policy: Option<String>,
    /// How many first starts, 1–20; default 5.
    #[param(minimum = 1, maximum = 20)]
    limit: Option<usize>,
}

/// `a,b,c` as ids.
fn comma_separated<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<Uuid>>, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| Uuid::parse_str(part.trim()).map_err(serde::de::Error::custom))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// First starts found.
#[derive(Debug, Serialize, ToSchema)]
struct SlotList {
    /// The earliest first starts, in time order.
    slots: Vec<SlotView>,
}

/// A first start from which the whole series fits. An API-side type: the core's slot is not
/// serialized, and the answer shows the local wall time beside the instant.
#[derive(Debug, Serialize, ToSchema)]
struct SlotView {
    /// Local wall time of the first session, as a series body's `first_start` takes it.
    #[schema(value_type = ohjaus_core::openapi::LocalDateTime)]
    first_start: String,
    /// Its instant, RFC 3339 with the local offset.
    #[schema(value_type = String, format = DateTime)]
    starts_at: String,
}

/// The earliest first starts from which every occurrence of a weekly series fits (admin, the
/// organization's coordinator).
#[utoipa::path(get, path = "/api/v1/slots", tag = "slots", security(("bearer" = [])),
    params(SlotQuery),
    responses((status = 200, description = "The earliest free first starts", body = SlotList),
        Unauthorized, Forbidden, NotFound, Invalid))]
async fn find_slots(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<SlotQuery>,
) -> Result<Json<SlotList>, Problem> {
    let request = SlotRequest {
        supervisor_id: query.supervisor_id,
        co_supervisor_id: query.co_supervisor_id,
        organization_id: query.organization_id,
        team_id: query.team_id,
        participant_ids: query.participant_ids,
        duration_minutes: query.duration_minutes,
        count: query.count,
        interval_weeks: query.interval_weeks,
        from: query.from,
        timezone: query.timezone,
        holiday_policy: query.holiday_policy,
        limit: query.limit,
    };
    let found = state.store.suggest_slots(&caller, &request, state.clock.now()).await?;
    Ok(Json(SlotList {
        slots: found
            .slots
            .into_iter()
            .map(|slot| SlotView {
                first_start: slot.first_start.format("%Y-%m-%dT%H:%M").to_string(),
                starts_at: found.timezone.rfc3339(slot.starts_at),
            })
            .collect(),
    }))
}
