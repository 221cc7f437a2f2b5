//! A series as it arrives (the "series body" of the API and of `ohjaus plan`) and its
//! validated form.

use crate::cancellation::CancellationTerms;
use crate::duration::SessionDuration;
use crate::error::{Collector, FieldError, ValidationErrors};
use crate::kind::{HolidayPolicy, SeriesKind};
use crate::plan::Schedule;
use crate::recurrence::RecurrenceBody;
use crate::text::{Label, Prose, VideoUrl};
use crate::zone::TimeZone;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The series body of the API (`POST /series`, `/series/preview`), field for field. Unknown
/// fields are refused.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeriesBody {
    /// The buying organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    /// `individual_supervision`, `group_supervision`, `work_community_supervision`,
    /// `individual_coaching` or `team_coaching`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::kind::SeriesKind))]
    pub kind: String,
    /// What the participants see in their calendars.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::text::Label))]
    pub title: String,
    /// The supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// A second supervisor (co-supervision, *pariohjaus*): every session must fit both
    /// supervisors' time, and both receive the invitations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_supervisor_id: Option<Uuid>,
    /// A team whose members take part (or `participant_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
    /// Named participants (or `team_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub participant_ids: Option<Vec<Uuid>>,
    /// Local wall time of the first session, `YYYY-MM-DDTHH:MM`, no offset.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::LocalDateTime))]
    pub first_start: String,
    /// IANA zone; default `Europe/Helsinki`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::zone::TimeZone>))]
    pub timezone: Option<String>,
    /// Minutes per session, 15–480.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::duration::SessionDuration))]
    pub duration_minutes: i64,
    /// The cadence and end.
    pub recurrence: RecurrenceBody,
    /// `skip` (default), `shift` or `keep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::kind::HolidayPolicy>))]
    pub holiday_policy: Option<String>,
    /// Where the sessions are held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::text::Label>))]
    pub location: Option<String>,
    /// A video meeting link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::text::VideoUrl>))]
    pub video_url: Option<String>,
    /// Notice needed for a cancellation to be in time; default 168 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 8760))]
    pub cancellation_notice_hours: Option<i64>,
    /// Goals agreed at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<crate::text::Prose>>, max_items = 20))]
    pub goals: Option<Vec<String>>,
    /// The contract's terms (price, VAT, trial sessions, charged cancellations, the payer's
    /// invoicing details), when the series is invoiced through Ohjaus; changeable later with
    /// `PUT /series/{id}/contract`, which keeps the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<crate::contract::ContractTermsBody>,
}

/// Who takes part in a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participants {
    /// The members of a team (followed when the team changes).
    Team(Uuid),
    /// Named people.
    People(Vec<Uuid>),
}

/// A validated series body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSpec {
    /// The buying organization, when given.
    pub organization_id: Option<Uuid>,
    /// The supervisor, when given.
    pub supervisor_id: Option<Uuid>,
    /// The co-supervisor, when given (never the supervisor).
    pub co_supervisor_id: Option<Uuid>,
    /// The participants, when given.
    pub participants: Option<Participants>,
    /// The kind.
    pub kind: SeriesKind,
    /// The title.
    pub title: Label,
    /// When the sessions are.
    pub schedule: Schedule,
    /// Where.
    pub location: Option<Label>,
    /// The video link.
    pub video_url: Option<VideoUrl>,
    /// Cancellation terms.
    pub terms: CancellationTerms,
    /// Goals agreed at the start.
    pub goals: Vec<Prose>,
    /// The contract's terms, when given.
    pub contract: Option<crate::contract::ContractTerms>,
}

/// Most goals given at booking.
pub const MAX_GOALS: usize = 20;
/// Longest goal text.
pub const MAX_GOAL_CHARS: usize = 1000;
/// Most named participants of one series.
pub const MAX_PARTICIPANTS: usize = 500;

/// Parses a local wall time `YYYY-MM-DDTHH:MM` (seconds `:00` allowed) for `field`.
pub fn parse_local_time(field: &str, value: &str) -> Result<NaiveDateTime, FieldError> {
    let parsed = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            let hint = if value.ends_with('Z') || value.get(16..).is_some_and(|rest| rest.contains(['+', '-'])) {
                " without an offset (the time zone is given separately)"
            } else {
                ""
            };
            FieldError::new(field, format!("{value:?} is not a local time YYYY-MM-DDTHH:MM{hint}"))
        })?;
    if parsed.second() != 0 || parsed.nanosecond() != 0 {
        return Err(FieldError::new(field, "must be a whole minute"));
    }
    if !(1900..=2195).contains(&parsed.year()) {
        return Err(FieldError::new(field, "must be in the years 1900–2195"));
    }
    Ok(parsed)
}

impl SeriesBody {
    /// Validates every field, reporting all that are wrong.
    pub fn validate(&self) -> Result<SeriesSpec, ValidationErrors> {
        let mut errors = Collector::default();
        let kind = errors.take(SeriesKind::parse(&self.kind).ok_or_else(|| {
            let known: Vec<&str> = SeriesKind::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::new("kind", format!("unknown kind {:?} (use one of {})", self.kind, known.join(", ")))
        }));
        let title = errors.take(Label::parse("title", &self.title));
        if self.co_supervisor_id.is_some() && self.co_supervisor_id == self.supervisor_id {
            errors.push(FieldError::new("co_supervisor_id", "must differ from supervisor_id"));
        }
        let participants = match (self.team_id, &self.participant_ids) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new("participant_ids", "give either team_id or participant_ids, not both"));
                None
            }
            (Some(team), None) => Some(Participants::Team(team)),
            (None, Some(ids)) => {
                let mut unique = ids.clone();
                unique.sort();
                unique.dedup();
                if ids.is_empty() {
                    errors.push(FieldError::new("participant_ids", "must name at least one person"));
                } else if ids.len() > MAX_PARTICIPANTS {
                    errors.push(FieldError::new("participant_ids", format!("at most {MAX_PARTICIPANTS} people")));
                } else if unique.len() != ids.len() {
                    errors.push(FieldError::new("participant_ids", "names a person twice"));
                }
                Some(Participants::People(ids.clone()))
            }
            (None, None) => None,
        };
        let first_start = errors.take(parse_local_time("first_start", &self.first_start));
        let timezone = match &self.timezone {
            None => Some(TimeZone::default()),
            Some(name) => errors.take(TimeZone::parse("timezone", name)),
        };
        let duration = errors.take(SessionDuration::from_minutes("duration_minutes", self.duration_minutes));
        let recurrence = first_start.and_then(|first| match self.recurrence.validate(first) {
            Ok(recurrence) => Some(recurrence),
            Err(list) => {
                for error in list {
                    errors.push(error.within("recurrence"));
                }
                None
            }
        });
        let holiday_policy = match &self.holiday_policy {
            None => Some(HolidayPolicy::default()),
            Some(name) => errors.take(HolidayPolicy::parse(name).ok_or_else(|| {
                FieldError::new("holiday_policy", format!("unknown policy {name:?} (use skip, shift or keep)"))
            })),
        };
        let location = self.location.as_deref().and_then(|l| errors.take(Label::parse("location", l)));
        let video_url = self.video_url.as_deref().and_then(|v| errors.take(VideoUrl::parse("video_url", v)));
        let terms = match self.cancellation_notice_hours {
            None => Some(CancellationTerms::default()),
            Some(hours) => errors.take(u32::try_from(hours).ok().and_then(CancellationTerms::new).ok_or_else(|| {
                FieldError::new(
                    "cancellation_notice_hours",
                    format!("must be between 0 and {} hours", CancellationTerms::MAX_NOTICE_HOURS),
                )
            })),
        };
        let goals = self.goals.as_deref().unwrap_or_default();
        if goals.len() > MAX_GOALS {
            errors.push(FieldError::new("goals", format!("at most {MAX_GOALS} goals")));
        }
        let goals: Vec<Prose> = goals
            .iter()
            .enumerate()
            .filter_map(|(i, g)| errors.take(Prose::parse_max(&format!("goals[{i}]"), g, MAX_GOAL_CHARS)))
            .collect();
        let contract = self.contract.as_ref().and_then(|body| match crate::contract::ContractTerms::parse(body) {
            Ok(terms) => Some(terms),
            Err(list) => {
                for error in list.errors().iter().cloned() {
                    errors.push(error.within("contract"));
                }
                None
            }
        });
        let (Some(kind), Some(title), Some(first_start), Some(timezone), Some(duration), Some(recurrence)) =
            (kind, title, first_start, timezone, duration, recurrence)
        else {
            errors.finish()?;
            unreachable!("a missing part always records an error");
        };
        let (Some(holiday_policy), Some(terms)) = (holiday_policy, terms) else {
            errors.finish()?;
            unreachable!("a missing part always records an error");
        };
        errors.finish()?;
        Ok(SeriesSpec {
            organization_id: self.organization_id,
            supervisor_id: self.supervisor_id,
            co_supervisor_id: self.co_supervisor_id,
            participants,
            kind,
            title,
            schedule: Schedule { first_start, timezone, duration, recurrence, holiday_policy },
            location,
            video_url,
            terms,
            goals,
            contract,
        })
    }
}

impl SeriesSpec {
    /// Errors for the parties that booking needs but the body left out (a plan does not
    /// need them).
    pub fn missing_parties(&self) -> Vec<FieldError> {
        let mut missing = Vec::new();
        if self.organization_id.is_none() {
            missing.push(FieldError::new("organization_id", "is required"));
        }
        if self.supervisor_id.is_none() {
            missing.push(FieldError::new("supervisor_id", "is required"));
        }
        if self.participants.is_none() {
            missing.push(FieldError::new("team_id", "give team_id or participant_ids"));
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> SeriesBody {
        serde_json::from_value(serde_json::json!({
            "kind": "group_supervision",
            "title": "Osasto 5 työnohjaus",
            "first_start": "2027-01-12T13:00",
            "duration_minutes": 90,
            "recurrence": {"frequency": "weekly", "interval": 3, "count": 10}
        }))
        .unwrap()
    }

    #[test]
    fn defaults() {
        let spec = body().validate().unwrap();
        assert_eq!(spec.schedule.timezone, TimeZone::HELSINKI);
        assert_eq!(spec.schedule.holiday_policy, HolidayPolicy::Skip);
        assert_eq!(spec.terms.notice_hours(), 168);
        assert!(spec.missing_parties().len() == 3);
    }

    #[test]
    fn every_bad_field_reported() {
        let mut bad = body();
        bad.kind = "therapy".into();
        bad.timezone = Some("Mars/Olympus".into());
        bad.duration_minutes = 5;
        bad.recurrence.count = Some(0);
        bad.first_start = "2027-01-12T13:00+02:00".into();
        let errors = bad.validate().unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "first_start", "timezone", "duration_minutes"]);
        assert!(errors.errors()[1].message.contains("without an offset"));
    }

    #[test]
    fn unknown_fields_refused() {
        let value = serde_json::json!({
            "kind": "group_supervision", "title": "x", "first_start": "2027-01-12T13:00",
            "duration_minutes": 90, "recurrence": {"frequency": "weekly", "count": 1}, "colour": "red"
        });
        assert!(serde_json::from_value::<SeriesBody>(value).is_err());
    }
}
