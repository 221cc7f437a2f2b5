//! Slot suggestions: the earliest first starts from which every session of a weekly series
//! is free — inside the supervisor's working hours, off holidays and the organization's
//! closures, clear of the supervisor's (and a co-supervisor's: bookings, working hours,
//! absences, external calendars) and the participants' bookings (the core's
//! [`find_slots`] over fresh agendas). One request type, [`SlotRequest`], carries the
//! search's checks and defaults for the API (`GET /slots`) and the booking form alike.

use crate::entity::{organization, person, supervisor, team, team_member};
use crate::limits::{DEFAULT_SLOTS, MAX_SLOTS, SLOT_COUNT, SLOT_INTERVAL_WEEKS, SLOT_SEARCH_WEEKS, SLOT_YEARS};
use crate::write::agendas::{participant_agendas, supervisor_agenda};
use crate::write::closures::days_off;
use crate::write::scheduling::co_supervisor_of;
use crate::{Caller, Store, StoreError, access};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use ohjaus_core::error::Collector;
use ohjaus_core::{FieldError, HolidayPolicy, Participants, SessionDuration, Slot, SlotQuery, TimeZone, find_slots};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Minutes between the candidate first starts of a search.
const STEP_MINUTES: u16 = 30;

/// What to suggest first starts for: a weekly series of `count` sessions. Everything but
/// the supervisor, the participants, the length and the count has a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// A co-supervisor, who must be free too (their bookings, working hours, absences and
    /// external calendars).
    pub co_supervisor_id: Option<Uuid>,
    /// The buying organization (its closures are days off); default the coordinator's own,
    /// else the organization of the team or of the first participant.
    pub organization_id: Option<Uuid>,
    /// A team whose members take part (or `participant_ids`).
    pub team_id: Option<Uuid>,
    /// People who take part (or `team_id`).
    pub participant_ids: Option<Vec<Uuid>>,
    /// Minutes per session.
    pub duration_minutes: i64,
    /// Sessions ([`SLOT_COUNT`]).
    pub count: u16,
    /// Weeks between sessions ([`SLOT_INTERVAL_WEEKS`]); default 1.
    pub interval_weeks: Option<u8>,
    /// The first day a series may start on (years [`SLOT_YEARS`]); default today in the
    /// series' zone.
    pub from: Option<NaiveDate>,
    /// The series' zone (an IANA name); default `Europe/Helsinki`.
    pub timezone: Option<String>,
    /// What holidays do to later sessions; default `skip`.
    pub holiday_policy: Option<String>,
    /// How many first starts (1 to [`MAX_SLOTS`]); default [`DEFAULT_SLOTS`].
    pub limit: Option<usize>,
}

/// The slots found, with the zone they were searched in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestions {
    /// The series' zone: `first_start`s are its wall times.
    pub timezone: TimeZone,
    /// The earliest first starts, in time order.
    pub slots: Vec<Slot>,
}

impl SlotRequest {
    /// Who takes part: a team or people, not both.
    fn participants(&self) -> Result<Participants, StoreError> {
        match (self.team_id, &self.participant_ids) {
            (Some(_), Some(_)) => {
                Err(StoreError::invalid("participant_ids", "give either team_id or participant_ids, not both"))
            }
            (Some(team_id), None) => Ok(Participants::Team(team_id)),
            (None, ids) => Ok(Participants::People(ids.clone().unwrap_or_default())),
        }
    }

    /// The zone, the holiday policy and the limit, checked; every wrong one named.
    fn settings(&self) -> Result<(TimeZone, HolidayPolicy, usize), StoreError> {
        let mut errors = Collector::default();
        let timezone = match self.timezone.as_deref() {
            None => Some(TimeZone::default()),
            Some(name) => errors.take(TimeZone::parse("timezone", name)),
        };
        let holiday_policy = match self.holiday_policy.as_deref() {
            None => Some(HolidayPolicy::default()),
            Some(name) => errors.take(
                HolidayPolicy::parse(name).ok_or_else(|| FieldError::new("holiday_policy", "use skip, shift or keep")),
            ),
        };
        let limit = self.limit.unwrap_or(DEFAULT_SLOTS);
        if !(1..=MAX_SLOTS).contains(&limit) {
            errors.push(FieldError::new("limit", format!("must be between 1 and {MAX_SLOTS}")));
        }
        // A first start must be one a series body takes; the search looks weeks ahead.
        if self.from.is_some_and(|from| !SLOT_YEARS.contains(&from.year())) {
            errors.push(FieldError::new(
                "from",
                format!("must be in the years {}–{}", SLOT_YEARS.start(), SLOT_YEARS.end()),
            ));
        }
        errors.finish()?;
        let (Some(timezone), Some(holiday_policy)) = (timezone, holiday_policy) else {
            unreachable!("every missing part recorded an error");
        };
        Ok((timezone, holiday_policy, limit))
    }

    /// The length, the cadence and the count, checked; every wrong one named.
    fn series_shape(&self) -> Result<(SessionDuration, u8), StoreError> {
        let mut errors = Collector::default();
        let duration = errors.take(SessionDuration::from_minutes("duration_minutes", self.duration_minutes));
        let interval = self.interval_weeks.unwrap_or(1);
        if !SLOT_INTERVAL_WEEKS.contains(&interval) {
            errors.push(FieldError::new(
                "interval_weeks",
                format!("must be between {} and {}", SLOT_INTERVAL_WEEKS.start(), SLOT_INTERVAL_WEEKS.end()),
            ));
        }
        if !SLOT_COUNT.contains(&self.count) {
            errors.push(FieldError::new(
                "count",
                format!("must be between {} and {}", SLOT_COUNT.start(), SLOT_COUNT.end()),
            ));
        }
        errors.finish()?;
        let Some(duration) = duration else { unreachable!("every missing part recorded an error") };
        Ok((duration, interval))
    }
}

impl Store {
    /// The earliest first starts from which every session of the requested series is free
    /// (admin, the organization's coordinator; another organization is `NotFound`):
    /// the core's [`find_slots`] over the supervisor's (and the co-supervisor's) and the
    /// participants' current bookings, the supervisors' working hours and absences, Finnish
    /// holidays and the organization's closures. Candidates start after `now`.
    ///
    /// Checked in this order: the caller's role (`Forbidden`); the zone, the holiday policy,
    /// the limit and the first day (`Invalid`); a team together with people (`Invalid`); the
    /// supervisor (`NotFound`); the organization; each participant in it (`Invalid` on
    /// `participant_ids[i]`); the length, the cadence and the count (`Invalid`); the
    /// co-supervisor (`Invalid`: none such, or the supervisor again).
    pub async fn suggest_slots(
        &self,
        caller: &Caller,
        request: &SlotRequest,
        now: DateTime<Utc>,
    ) -> Result<Suggestions, StoreError> {
        access::manages_some(caller)?;
        let (timezone, holiday_policy, limit) = request.settings()?;
        let participants = request.participants()?;
        let db = self.connection();
        supervisor::Entity::find_by_id(request.supervisor_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("supervisor"))?;
        let organization_id = organization_of(db, caller, request, &participants).await?;
        access::manages(caller, organization_id)?;
        if let Participants::People(ids) = &participants {
            let known: HashSet<Uuid> =
                Self::people_of_organization(db, organization_id, ids).await?.into_iter().collect();
            if let Some(i) = ids.iter().position(|id| !known.contains(id)) {
                return Err(StoreError::invalid(
                    &format!("participant_ids[{i}]"),
                    "no such person in the organization",
                ));
            }
        }
        let (duration, interval_weeks) = request.series_shape()?;
        organization::Entity::find_by_id(organization_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("organization"))?;
        let people = match &participants {
            Participants::Team(team_id) => {
                let found = team::Entity::find_by_id(*team_id).one(db).await?;
                if found.is_none_or(|t| t.organization_id != organization_id) {
                    return Err(StoreError::invalid("team_id", "no such team in the organization"));
                }
                team_member::Entity::find()
                    .select_only()
                    .column(team_member::Column::PersonId)
                    .filter(team_member::Column::TeamId.eq(*team_id))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?
            }
            Participants::People(ids) => ids.clone(),
        };
        let supervisor = supervisor::Entity::find_by_id(request.supervisor_id)
            .one(db)
            .await?
            .ok_or_else(|| StoreError::invalid("supervisor_id", "no such supervisor"))?;
        if request.co_supervisor_id == Some(supervisor.id) {
            return Err(StoreError::invalid("co_supervisor_id", "must differ from supervisor_id"));
        }
        let co_supervisor = co_supervisor_of(db, request.co_supervisor_id).await?;
        let from = request.from.unwrap_or_else(|| timezone.local(now).date_naive());
        let start = timezone.resolve_utc(from.and_time(NaiveTime::MIN)).max(now);
        let weeks = i64::from(SLOT_SEARCH_WEEKS) + i64::from(interval_weeks) * i64::from(request.count) + 4;
        let span = (start, start + TimeDelta::weeks(weeks));
        let agenda = supervisor_agenda(db, &supervisor, span, &HashSet::new()).await?;
        let co_agenda = match &co_supervisor {
            Some(co) => Some(supervisor_agenda(db, co, span, &HashSet::new()).await?),
            None => None,
        };
        let others = participant_agendas(db, &people, span, &HashSet::new()).await?;
        let closed = days_off(db, organization_id).await?;
        let query = SlotQuery {
            from,
            weeks: SLOT_SEARCH_WEEKS,
            interval_weeks,
            count: request.count,
            duration,
            timezone,
            holiday_policy,
            step_minutes: STEP_MINUTES,
            limit,
            not_before: Some(now),
        };
        Ok(Suggestions { timezone, slots: find_slots(&query, &agenda, co_agenda.as_ref(), &others, &closed) })
    }
}

/// The organization a search is for: given, the coordinator's own, or that of the team or of
/// the first participant.
async fn organization_of(
    db: &impl ConnectionTrait,
    caller: &Caller,
    request: &SlotRequest,
    participants: &Participants,
) -> Result<Uuid, StoreError> {
    if let Some(id) = request.organization_id {
        return Ok(id);
    }
    if let Caller::Coordinator { organization_id } = caller {
        return Ok(*organization_id);
    }
    let (what, found) = match participants {
        Participants::Team(team_id) => {
            ("team_id", team::Entity::find_by_id(*team_id).one(db).await?.map(|t| t.organization_id))
        }
        Participants::People(ids) => match ids.first() {
            Some(id) => {
                ("participant_ids[0]", person::Entity::find_by_id(*id).one(db).await?.map(|p| p.organization_id))
            }
            None => {
                return Err(StoreError::invalid("organization_id", "give organization_id, team_id or participant_ids"));
            }
        },
    };
    let message = if what == "team_id" { "no such team" } else { "no such person" };
    found.ok_or_else(|| StoreError::invalid(what, message))
}
