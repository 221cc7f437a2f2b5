//! Slot search: the earliest first starts from which every session of a weekly series is free
//! — inside the supervisor's working hours, off holidays and the organization's closures, and
//! clear of the supervisor's and the participants' bookings (the core's `find_slots` over
//! fresh agendas, through the store's `suggest_slots`).

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::Query;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use ohjaus_core::{FieldError, HolidayPolicy, Participants, TimeZone};
use ohjaus_store::read::slot_suggestions::SlotRequest;
use ohjaus_store::{Caller, StoreError};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(find_slots))
}

/// Most first starts one search answers.
const MAX_SLOTS: usize = 20;
/// First starts answered without `limit`.
const DEFAULT_SLOTS: usize = 5;

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SlotQuery {
    /// The supervisor.
    supervisor_id: Uuid,
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

fn invalid(field: impl Into<String>, message: &str) -> Problem {
    Problem::validation(&[FieldError::new(field, message)])
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
    if !matches!(caller, Caller::Admin | Caller::Coordinator { .. }) {
        return Err(StoreError::Forbidden.into());
    }
    let mut errors = Vec::new();
    let timezone = match query.timezone.as_deref() {
        None => TimeZone::default(),
        Some(name) => TimeZone::parse("timezone", name).unwrap_or_else(|e| {
            errors.push(e);
            TimeZone::default()
        }),
    };
    let holiday_policy = match query.holiday_policy.as_deref() {
        None => HolidayPolicy::default(),
        Some(name) => HolidayPolicy::parse(name).unwrap_or_else(|| {
            errors.push(FieldError::new("holiday_policy", "use skip, shift or keep"));
            HolidayPolicy::default()
        }),
    };
    let limit = query.limit.unwrap_or(DEFAULT_SLOTS);
    if !(1..=MAX_SLOTS).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be between 1 and {MAX_SLOTS}")));
    }
    // A first start must be one a series body takes (years 1900–2195); the search looks weeks ahead.
    if query.from.is_some_and(|from| !(1900..=2194).contains(&from.year())) {
        errors.push(FieldError::new("from", "must be in the years 1900–2194"));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(&errors));
    }
    let participants = match (query.team_id, query.participant_ids) {
        (Some(_), Some(_)) => {
            return Err(invalid("participant_ids", "give either team_id or participant_ids, not both"));
        }
        (Some(team_id), None) => Participants::Team(team_id),
        (None, ids) => Participants::People(ids.unwrap_or_default()),
    };
    // The supervisor is what the search is about: an unknown one is 404, as in a path.
    state.store.get_supervisor(&caller, query.supervisor_id).await?;
    let organization_id = organization_of(&state, &caller, query.organization_id, &participants).await?;
    if let Participants::People(ids) = &participants {
        for (i, id) in ids.iter().enumerate() {
            let person = state.store.get_person(&caller, *id).await;
            if !person.is_ok_and(|p| p.organization_id == organization_id) {
                return Err(invalid(format!("participant_ids[{i}]"), "no such person in the organization"));
            }
        }
    }
    let now = state.clock.now();
    let request = SlotRequest {
        organization_id,
        supervisor_id: query.supervisor_id,
        participants,
        duration_minutes: query.duration_minutes,
        interval_weeks: query.interval_weeks.unwrap_or(1),
        count: query.count,
        from: query.from.unwrap_or_else(|| timezone.local(now).date_naive()),
        timezone,
        holiday_policy,
        limit,
    };
    let slots = state.store.suggest_slots(&caller, &request, now).await?;
    Ok(Json(SlotList {
        slots: slots
            .into_iter()
            .map(|slot| SlotView {
                first_start: slot.first_start.format("%Y-%m-%dT%H:%M").to_string(),
                starts_at: timezone.rfc3339(slot.starts_at),
            })
            .collect(),
    }))
}

/// The organization a search is for: given, the coordinator's own, or that of the team or of
/// the first participant.
async fn organization_of(
    state: &AppState,
    caller: &Caller,
    given: Option<Uuid>,
    participants: &Participants,
) -> Result<Uuid, Problem> {
    if let Some(id) = given {
        if matches!(caller, Caller::Coordinator { organization_id } if *organization_id != id) {
            return Err(Problem::not_found("organization"));
        }
        return Ok(id);
    }
    if let Caller::Coordinator { organization_id } = caller {
        return Ok(*organization_id);
    }
    match participants {
        Participants::Team(team_id) => match state.store.get_team(caller, *team_id).await {
            Ok(team) => Ok(team.organization_id),
            Err(_) => Err(invalid("team_id", "no such team")),
        },
        Participants::People(ids) => match ids.first() {
            Some(id) => match state.store.get_person(caller, *id).await {
                Ok(person) => Ok(person.organization_id),
                Err(_) => Err(invalid("participant_ids[0]", "no such person")),
            },
            None => Err(invalid("organization_id", "give organization_id, team_id or participant_ids")),
        },
    }
}
