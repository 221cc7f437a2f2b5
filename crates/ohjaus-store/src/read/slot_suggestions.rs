//! Reads the web pages need beyond the API's resources: slot suggestions for the booking
//! form (the core's slot search over fresh agendas), and the labels a session list shows
//! (team, organization, supervisor, sessions contracted) for series the caller may see.

use crate::entity::{organization, supervisor, team, team_member};
use crate::write::agendas::{participant_agendas, supervisor_agenda};
use crate::write::closures::days_off;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use ohjaus_core::{
    FieldError, HolidayPolicy, Participants, SessionDuration, Slot, SlotQuery, TimeZone, ValidationErrors, find_slots,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Weeks of first starts a suggestion search looks through.
pub const SUGGESTION_WEEKS: u32 = 8;
/// Most suggestions answered.
pub const MAX_SUGGESTIONS: usize = 20;

/// What to suggest first starts for: a weekly series of `count` sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    /// The buying organization (its closures are days off).
    pub organization_id: Uuid,
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// Who takes part.
    pub participants: Participants,
    /// Minutes per session.
    pub duration_minutes: i64,
    /// Weeks between sessions (1–52).
    pub interval_weeks: u8,
    /// Sessions (1–100).
    pub count: u16,
    /// The first day a series may start on.
    pub from: NaiveDate,
    /// The series' zone.
    pub timezone: TimeZone,
    /// What holidays do to occurrences.
    pub holiday_policy: HolidayPolicy,
    /// How many suggestions (1–20).
    pub limit: usize,
}

impl Store {
    /// The earliest first starts from which every session of the requested series is free
    /// (admin, the organization's coordinator; another organization is `NotFound`): the
    /// core's [`find_slots`] over the supervisor's and the participants' current bookings,
    /// the supervisor's working hours and absences, Finnish holidays and the organization's
    /// closures. Candidates start after `now`.
    pub async fn suggest_slots(
        &self,
        caller: &Caller,
        request: &SlotRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, StoreError> {
        match caller {
            Caller::Admin => {}
            Caller::Coordinator { organization_id } if *organization_id == request.organization_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::not_found("organization")),
            _ => return Err(StoreError::Forbidden),
        }
        let mut errors = Vec::new();
        let duration = SessionDuration::from_minutes("duration_minutes", request.duration_minutes)
            .map_err(|e| errors.push(e))
            .ok();
        if !(1..=52).contains(&request.interval_weeks) {
            errors.push(FieldError::new("interval_weeks", "must be between 1 and 52"));
        }
        if !(1..=100).contains(&request.count) {
            errors.push(FieldError::new("count", "must be between 1 and 100"));
        }
        ValidationErrors::check(errors)?;
        let Some(duration) = duration else { return Ok(Vec::new()) };
        let db = self.connection();
        organization::Entity::find_by_id(request.organization_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("organization"))?;
        let supervisor = supervisor::Entity::find_by_id(request.supervisor_id)
            .one(db)
            .await?
            .ok_or_else(|| StoreError::invalid("supervisor_id", "no such supervisor"))?;
        let people = match &request.participants {
            Participants::Team(team_id) => {
                let found = team::Entity::find_by_id(*team_id).one(db).await?;
                if found.is_none_or(|t| t.organization_id != request.organization_id) {
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
            Participants::People(ids) => Self::people_of_organization(db, request.organization_id, ids).await?,
        };
        let start = request.timezone.resolve_utc(request.from.and_time(NaiveTime::MIN)).max(now);
        let weeks = i64::from(SUGGESTION_WEEKS) + i64::from(request.interval_weeks) * i64::from(request.count) + 4;
        let span = (start, start + TimeDelta::weeks(weeks));
        let agenda = supervisor_agenda(db, &supervisor, span, &HashSet::new()).await?;
        let others = participant_agendas(db, &people, span, &HashSet::new()).await?;
        let closed = days_off(db, request.organization_id).await?;
        let query = SlotQuery {
            from: request.from,
            weeks: SUGGESTION_WEEKS,
            interval_weeks: request.interval_weeks,
            count: request.count,
            duration,
            timezone: request.timezone,
            holiday_policy: request.holiday_policy,
            step_minutes: 30,
            limit: request.limit.clamp(1, MAX_SUGGESTIONS),
            not_before: Some(now),
        };
        Ok(find_slots(&query, &agenda, &others, &closed))
    }
}
