//! Rhythm polls (issue 11): a coordinator (an admin, or the supervisor named) proposes 2–8
//! rhythms for a team or named people of an organization; each option is pre-checked at
//! creation occurrence by occurrence with the series preview's machinery, and stored with what
//! it met; every person asked gets a personal voting link by email; the tally is shown to the
//! coordinators, admins and the poll's supervisors; choosing books the option exactly as
//! `POST /series` does, in the same transaction as the poll is marked decided. The voters'
//! side — the ballot, the vote, the reminder — is [`super::poll_votes`].
//!
//! How the other layers call this (API, web pages):
//!
//! - [`Store::create_poll`] with the organization, a [`PollBody`] and the `link_base` every
//!   personal link starts with: [`vote_link_base`] of the service's public URL, so the links
//!   are `{public_url}/vote/{secret}` — the web's voting page. The invitations (one
//!   `Notice::PollInvitation` per voter, in their language, with the link) are queued in the
//!   same transaction; the secrets exist nowhere else (only their SHA-256 is stored).
//! - [`Store::get_poll`] / [`Store::list_polls`] answer [`Poll`]: options, conflicts, tally
//!   with names, comments.
//! - [`Store::choose_poll_option`] books the option (409 with the booking's conflicts, like
//!   `POST /series`), marks the poll decided, queues `Notice::PollDecided` to every voter and
//!   the `poll.decided` webhook event; [`Store::close_poll`] closes it without a choice (and
//!   tells the voters so).
//! - The voting page: [`Store::poll_ballot`] with the raw secret from the URL (404 for an
//!   unknown, tampered or expired link), [`Store::vote_in_poll`] to answer (409 once closed).
//! - The worker: [`Store::queue_poll_reminders`] on every schedule check; it sends the one
//!   reminder of each poll a day before its deadline, to those who have not answered.

use super::series::{Prepared, book_in, prepare};
use super::sign_in::{recipient_of_person, recipient_of_supervisor};
use super::tokens::{Secret, secret_hash};
use crate::access::supervised_by;
use crate::entity::{organization, person, poll, poll_answer, poll_option, poll_voter, series, supervisor};
use crate::outbox::queue::enqueue;
use crate::page::{Page, Paged};
use crate::status::{PollAnswer, PollStatus};
use crate::values::{local, new_id};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use ohjaus_core::notice::{Party, PollInfo, PollOptionInfo};
use ohjaus_core::preview::ConflictView;
use ohjaus_core::{FieldError, Notice, RecurrenceBody, SeriesBody, ValidationErrors};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// What every voting link's secret begins with.
pub const VOTE_PREFIX: &str = "ohjvote_";
/// The path of the web's voting page, before the secret.
pub const VOTE_PATH: &str = "/vote/";
/// Fewest options of a poll.
pub const MIN_OPTIONS: usize = 2;
/// Most options of a poll.
pub const MAX_OPTIONS: usize = 8;
/// How long before the deadline the reminder goes to those who have not answered.
pub const REMINDER_LEAD: TimeDelta = TimeDelta::days(1);
/// How long a voting link still shows the poll (read only) after voting ended — the deadline
/// or the poll's closing, whichever came first; after that it is unknown (404).
pub const LINK_GRACE: TimeDelta = TimeDelta::days(7);

/// The start of every personal voting link of a service reached at `public_url`:
/// `{public_url}/vote/`, the secret follows.
pub fn vote_link_base(public_url: &str) -> String {
    format!("{}{VOTE_PATH}", public_url.trim_end_matches('/'))
}

/// `POST /organizations/{id}/polls` body: the series to be booked, less its time, and 2–8
/// options for its time.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PollBody {
    /// Kind of the series to be booked.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// Its title.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub title: String,
    /// The supervisor (a supervisor creating the poll may leave it out: themselves).
    #[serde(default)]
    pub supervisor_id: Option<Uuid>,
    /// A co-supervisor: every option is checked against both.
    #[serde(default)]
    pub co_supervisor_id: Option<Uuid>,
    /// A team of the organization whose members are asked (or `participant_ids`).
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Named people of the organization (or `team_id`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub participant_ids: Option<Vec<Uuid>>,
    /// IANA zone of the options' times; default `Europe/Helsinki`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::TimeZone>))]
    pub timezone: Option<String>,
    /// `skip` (default), `shift` or `keep`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::HolidayPolicy>))]
    pub holiday_policy: Option<String>,
    /// A video meeting link for the sessions.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::VideoUrl>))]
    pub video_url: Option<String>,
    /// Notice for an in-time cancellation; default 168 hours.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 8760))]
    pub cancellation_notice_hours: Option<i64>,
    /// Votes are taken until then: in the future, before every option's first session.
    pub deadline: DateTime<FixedOffset>,
    /// The proposed rhythms, 2–8.
    #[cfg_attr(feature = "openapi", schema(min_items = 2, max_items = 8))]
    pub options: Vec<PollOptionBody>,
}

/// One proposed rhythm: as a series body gives its time and place.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PollOptionBody {
    /// Local wall time of the first session, `YYYY-MM-DDTHH:MM`.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::openapi::LocalDateTime))]
    pub first_start: String,
    /// Minutes per session, 15–480.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SessionDuration))]
    pub duration_minutes: i64,
    /// The cadence and end.
    pub recurrence: RecurrenceBody,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub location: Option<String>,
}

/// `POST /polls/{id}/choose` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChooseOption {
    /// The option to book.
    pub option_id: Uuid,
}

/// A person in a tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voter {
    /// The person.
    pub person_id: Uuid,
    /// Their name.
    pub name: String,
}

/// The answers to one option, with names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Suits them.
    pub yes: Vec<Voter>,
    /// Possible if it has to be.
    pub if_need_be: Vec<Voter>,
    /// Does not suit them.
    pub no: Vec<Voter>,
    /// Have not answered.
    pub not_answered: Vec<Voter>,
}

/// One option of a poll as answered: what was proposed, what the pre-check found, the tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollOption {
    /// Id.
    pub id: Uuid,
    /// 1-based position.
    pub position: i32,
    /// Local wall time of the first session.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::openapi::LocalDateTime))]
    pub first_start: String,
    /// The first session's start (after days off), at the local offset.
    pub first_starts_at: DateTime<FixedOffset>,
    /// Minutes per session.
    pub duration_minutes: i32,
    /// The cadence as proposed.
    pub recurrence: RecurrenceBody,
    /// The same as an RRULE value.
    pub rrule: String,
    /// Where.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub location: Option<String>,
    /// Sessions it plans.
    pub sessions: i32,
    /// What the pre-check met at `checked_at`, occurrence by occurrence (as the series preview
    /// lists it). A conflicting option can still be chosen if the conflict has gone by then.
    pub conflicts: Vec<ConflictView>,
    /// When it was checked.
    pub checked_at: DateTime<FixedOffset>,
    /// The answers.
    pub tally: Tally,
}

/// A voter's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollComment {
    /// The person.
    pub person_id: Uuid,
    /// Their name.
    pub name: String,
    /// What they wrote.
    pub comment: String,
}

/// A poll as its organizers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Poll {
    /// Id.
    pub id: Uuid,
    /// The organization.
    pub organization_id: Uuid,
    /// The supervisor.
    pub supervisor_id: Uuid,
    /// The co-supervisor, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub co_supervisor_id: Option<Uuid>,
    /// The team asked, if a team was.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team_id: Option<Uuid>,
    /// Kind of the series to be booked (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// Its title.
    pub title: String,
    /// IANA zone.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// `skip`, `shift` or `keep`.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::HolidayPolicy))]
    pub holiday_policy: String,
    /// Video link of the sessions.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub video_url: Option<String>,
    /// Votes are taken until then.
    pub deadline: DateTime<FixedOffset>,
    /// `open`, `decided` or `closed`.
    pub status: PollStatus,
    /// Whether votes are taken now (open and before the deadline).
    pub voting: bool,
    /// The option chosen.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub chosen_option_id: Option<Uuid>,
    /// The series it booked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub series_id: Option<Uuid>,
    /// When the reminder went to those who had not answered.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reminded_at: Option<DateTime<FixedOffset>>,
    /// The people asked.
    pub voters: Vec<Voter>,
    /// The options in order, each with its conflicts and tally.
    pub options: Vec<PollOption>,
    /// The voters' comments.
    pub comments: Vec<PollComment>,
    /// Created.
    pub created_at: DateTime<FixedOffset>,
    /// Decided or closed.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub closed_at: Option<DateTime<FixedOffset>>,
}

/// Whether a poll takes votes at `now`.
pub(crate) fn takes_votes(found: &poll::Model, now: DateTime<Utc>) -> bool {
    found.status == PollStatus::Open.as_str() && now < found.deadline
}

/// When a poll's links stop showing it: [`LINK_GRACE`] after voting ended.
pub(crate) fn links_expire_at(found: &poll::Model) -> DateTime<Utc> {
    found.closed_at.map_or(found.deadline, |closed| closed.min(found.deadline)) + LINK_GRACE
}

/// The caller who books for a poll. Access to the poll was checked already (its
/// organization's coordinator, an admin or its supervisor); the booking itself is the
/// organization's, exactly as its coordinator's `POST /series` would be.
fn booking_caller(found: &poll::Model) -> Caller {
    Caller::Coordinator { organization_id: found.organization_id }
}

/// The poll `id` if the caller may see it — admins, its organization's coordinator, its
/// supervisors; to anyone else it does not exist. `lock`: the row is locked for the rest of
/// the transaction (PostgreSQL `FOR UPDATE`), so concurrent choices queue behind one another.
pub(crate) async fn poll_for<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<poll::Model, StoreError> {
    let mut query = poll::Entity::find_by_id(id);
    if lock {
        query = query.lock_exclusive();
    }
    let found = query.one(db).await?.ok_or(StoreError::not_found("poll"))?;
    let visible = match caller {
        Caller::Admin => true,
        Caller::Coordinator { organization_id } => *organization_id == found.organization_id,
        Caller::Supervisor { supervisor_id } => {
            found.supervisor_id == *supervisor_id || found.co_supervisor_id == Some(*supervisor_id)
        }
        Caller::Participant { .. } => false,
    };
    if visible { Ok(found) } else { Err(StoreError::not_found("poll")) }
}

/// The series body an option of a poll books: the poll's common fields, the option's time and
/// place, the people asked (or the team, followed as a team series follows it).
pub(crate) fn series_body(found: &poll::Model, option: &PollOptionBody, people: &[Uuid]) -> SeriesBody {
    SeriesBody {
        organization_id: Some(found.organization_id),
        kind: found.kind.clone(),
        title: found.title.clone(),
        supervisor_id: Some(found.supervisor_id),
        co_supervisor_id: found.co_supervisor_id,
        team_id: found.team_id,
        participant_ids: found.team_id.is_none().then(|| people.to_vec()),
        first_start: option.first_start.clone(),
        timezone: Some(found.timezone.clone()),
        duration_minutes: option.duration_minutes,
        recurrence: option.recurrence.clone(),
        holiday_policy: Some(found.holiday_policy.clone()),
        location: option.location.clone(),
        video_url: found.video_url.clone(),
        cancellation_notice_hours: found.cancellation_notice_hours.map(i64::from),
        goals: None,
        contract: None,
    }
}

/// The series body of an option of a poll being created, as given (checked by `prepare`).
fn draft_series(organization_id: Uuid, body: &PollBody, option: &PollOptionBody) -> SeriesBody {
    SeriesBody {
        organization_id: Some(organization_id),
        kind: body.kind.clone(),
        title: body.title.clone(),
        supervisor_id: body.supervisor_id,
        co_supervisor_id: body.co_supervisor_id,
        team_id: body.team_id,
        participant_ids: body.participant_ids.clone(),
        first_start: option.first_start.clone(),
        timezone: body.timezone.clone(),
        duration_minutes: option.duration_minutes,
        recurrence: option.recurrence.clone(),
        holiday_policy: body.holiday_policy.clone(),
        location: option.location.clone(),
        video_url: body.video_url.clone(),
        cancellation_notice_hours: body.cancellation_notice_hours,
        goals: None,
        contract: None,
    }
}

/// The body of a stored option.
pub(crate) fn option_body(row: &poll_option::Model) -> Result<PollOptionBody, StoreError> {
    let recurrence: RecurrenceBody = serde_json::from_str(&row.recurrence)
        .map_err(|e| StoreError::Database(sea_orm::DbErr::Json(format!("stored poll option {}: {e}", row.id))))?;
    Ok(PollOptionBody {
        first_start: row.first_start.clone(),
        duration_minutes: i64::from(row.duration_minutes),
        recurrence,
        location: row.location.clone(),
    })
}

/// A field of a series body that an option gives (`first_start`, `recurrence.count`…), so an
/// error in it is the option's: `options[i].first_start`.
fn is_option_field(field: &str) -> bool {
    ["first_start", "duration_minutes", "recurrence", "location"]
        .iter()
        .any(|f| field == *f || field.starts_with(&format!("{f}.")))
}

pub(crate) async fn options_of<C: ConnectionTrait>(
    db: &C,
    poll_id: Uuid,
) -> Result<Vec<poll_option::Model>, StoreError> {
    Ok(poll_option::Entity::find()
        .filter(poll_option::Column::PollId.eq(poll_id))
        .order_by_asc(poll_option::Column::Position)
        .all(db)
        .await?)
}

pub(crate) async fn voters_of<C: ConnectionTrait>(
    db: &C,
    poll_id: Uuid,
) -> Result<Vec<(poll_voter::Model, person::Model)>, StoreError> {
    let voters = poll_voter::Entity::find()
        .filter(poll_voter::Column::PollId.eq(poll_id))
        .order_by_asc(poll_voter::Column::PersonId)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = voters.iter().map(|v| v.person_id).collect();
    let mut people: HashMap<Uuid, person::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in person::Entity::find().filter(person::Column::Id.is_in(chunk.to_vec())).all(db).await? {
            people.insert(row.id, row);
        }
    }
    Ok(voters.into_iter().filter_map(|v| people.remove(&v.person_id).map(|p| (v, p))).collect())
}

/// The poll's options for a message.
pub(crate) fn option_info(row: &poll_option::Model) -> Result<PollOptionInfo, StoreError> {
    let body = option_body(row)?;
    Ok(PollOptionInfo {
        option_id: row.id,
        position: u32::try_from(row.position).unwrap_or_default(),
        first_start: row.first_starts_at,
        duration_minutes: u32::try_from(row.duration_minutes).unwrap_or_default(),
        recurrence: body.recurrence,
        rrule: row.rrule.clone(),
        sessions: u32::try_from(row.sessions).unwrap_or_default(),
        location: row.location.clone(),
    })
}

/// What the poll's messages say about it.
pub(crate) async fn poll_info<C: ConnectionTrait>(
    db: &C,
    found: &poll::Model,
    options: &[poll_option::Model],
) -> Result<PollInfo, StoreError> {
    let organization = organization::Entity::find_by_id(found.organization_id)
        .one(db)
        .await?
        .ok_or(StoreError::not_found("organization"))?;
    let mut supervisors = Vec::new();
    for id in std::iter::once(found.supervisor_id).chain(found.co_supervisor_id) {
        if let Some(row) = supervisor::Entity::find_by_id(id).one(db).await? {
            supervisors.push(Party { name: row.name, email: row.email });
        }
    }
    Ok(PollInfo {
        poll_id: found.id,
        title: found.title.clone(),
        kind: found.kind.clone(),
        organization_name: organization.name,
        supervisors,
        deadline: found.deadline,
        timezone: found.timezone.clone(),
        options: options.iter().map(option_info).collect::<Result<_, _>>()?,
    })
}

/// The poll as answered: options with their conflicts and tallies, voters, comments.
async fn poll_record<C: ConnectionTrait>(db: &C, found: poll::Model, now: DateTime<Utc>) -> Result<Poll, StoreError> {
    let zone = found.timezone.clone();
    let at = |t: DateTime<Utc>| local(&zone, t);
    let options = options_of(db, found.id).await?;
    let voters = voters_of(db, found.id).await?;
    let voter_ids: Vec<Uuid> = voters.iter().map(|(v, _)| v.id).collect();
    let mut answers: HashMap<(Uuid, Uuid), PollAnswer> = HashMap::new();
    for chunk in voter_ids.chunks(500) {
        for row in
            poll_answer::Entity::find().filter(poll_answer::Column::VoterId.is_in(chunk.to_vec())).all(db).await?
        {
            if let Some(answer) = PollAnswer::parse(&row.answer) {
                answers.insert((row.voter_id, row.option_id), answer);
            }
        }
    }
    let mut records = Vec::with_capacity(options.len());
    for row in &options {
        let body = option_body(row)?;
        let conflicts: Vec<ConflictView> = serde_json::from_str(&row.conflicts)
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Json(format!("stored poll option {}: {e}", row.id))))?;
        let mut tally = Tally::default();
        for (voter, person) in &voters {
            let entry = Voter { person_id: person.id, name: person.name.clone() };
            match answers.get(&(voter.id, row.id)) {
                Some(PollAnswer::Yes) => tally.yes.push(entry),
                Some(PollAnswer::IfNeedBe) => tally.if_need_be.push(entry),
                Some(PollAnswer::No) => tally.no.push(entry),
                None => tally.not_answered.push(entry),
            }
        }
        records.push(PollOption {
            id: row.id,
            position: row.position,
            first_start: row.first_start.clone(),
            first_starts_at: at(row.first_starts_at),
            duration_minutes: row.duration_minutes,
            recurrence: body.recurrence,
            rrule: row.rrule.clone(),
            location: row.location.clone(),
            sessions: row.sessions,
            conflicts,
            checked_at: at(row.checked_at),
            tally,
        });
    }
    let comments = voters
        .iter()
        .filter_map(|(v, p)| {
            v.comment.as_ref().map(|c| PollComment { person_id: p.id, name: p.name.clone(), comment: c.clone() })
        })
        .collect();
    Ok(Poll {
        id: found.id,
        organization_id: found.organization_id,
        supervisor_id: found.supervisor_id,
        co_supervisor_id: found.co_supervisor_id,
        team_id: found.team_id,
        kind: found.kind.clone(),
        title: found.title.clone(),
        holiday_policy: found.holiday_policy.clone(),
        video_url: found.video_url.clone(),
        deadline: at(found.deadline),
        status: PollStatus::stored(&found.status),
        voting: takes_votes(&found, now),
        chosen_option_id: found.chosen_option_id,
        series_id: found.series_id,
        reminded_at: found.reminded_at.map(at),
        voters: voters.iter().map(|(_, p)| Voter { person_id: p.id, name: p.name.clone() }).collect(),
        options: records,
        comments,
        created_at: at(found.created_at),
        closed_at: found.closed_at.map(at),
        timezone: found.timezone,
    })
}

/// Queues `Notice::PollDecided` to every voter of `found` (the option chosen, or none).
async fn queue_decision<C: ConnectionTrait>(
    db: &C,
    found: &poll::Model,
    chosen: Option<&poll_option::Model>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let options = options_of(db, found.id).await?;
    let info = poll_info(db, found, &options).await?;
    let chosen = chosen.map(option_info).transpose()?;
    let organization = organization::Entity::find_by_id(found.organization_id)
        .one(db)
        .await?
        .ok_or(StoreError::not_found("organization"))?;
    for (voter, person) in voters_of(db, found.id).await? {
        let notice = Notice::PollDecided {
            recipient: recipient_of_person(&person, &organization),
            poll: info.clone(),
            chosen: chosen.clone(),
            series_id: found.series_id,
        };
        enqueue(db, &notice, &format!("poll-decision:{}", voter.id), now).await?;
    }
    // The supervisors hear of the choice through the series' invitations; of a poll closed
    // without one, from this.
    if chosen.is_none() {
        for id in std::iter::once(found.supervisor_id).chain(found.co_supervisor_id) {
            if let Some(row) = supervisor::Entity::find_by_id(id).one(db).await? {
                let notice = Notice::PollDecided {
                    recipient: recipient_of_supervisor(&row),
                    poll: info.clone(),
                    chosen: None,
                    series_id: None,
                };
                enqueue(db, &notice, &format!("poll-decision:{}:{}", found.id, row.id), now).await?;
            }
        }
    }
    Ok(())
}

/// May the caller create a poll of `organization_id` with supervisor `supervisor_id`? Admins
/// and its coordinator may; a supervisor only as the poll's supervisor or co-supervisor and
/// only for an organization they already supervise a series of; participants never.
async fn may_create<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    organization_id: Uuid,
    body: &PollBody,
) -> Result<(), StoreError> {
    match caller {
        Caller::Admin => Ok(()),
        Caller::Coordinator { organization_id: own } if *own == organization_id => Ok(()),
        Caller::Coordinator { .. } => Err(StoreError::not_found("organization")),
        Caller::Participant { .. } => Err(StoreError::Forbidden),
        Caller::Supervisor { supervisor_id } => {
            if body.supervisor_id != Some(*supervisor_id) && body.co_supervisor_id != Some(*supervisor_id) {
                return Err(StoreError::Forbidden);
            }
            let known = series::Entity::find()
                .filter(series::Column::OrganizationId.eq(organization_id))
                .filter(supervised_by(*supervisor_id))
                .count(db)
                .await?;
            if known == 0 { Err(StoreError::not_found("organization")) } else { Ok(()) }
        }
    }
}

/// Each option planned and pre-checked: the option, its body and what `prepare` found.
struct Checked {
    body: PollOptionBody,
    prepared: Prepared,
}

/// One page of the polls `query` selects (ordered by id), each with its options and tally.
async fn page_of_polls(
    db: &sea_orm::DatabaseConnection,
    mut query: sea_orm::Select<poll::Entity>,
    page: &Page,
    now: DateTime<Utc>,
) -> Result<Paged<Poll>, StoreError> {
    let limit = page.limit()?;
    if let Some(after) = page.after()? {
        query = query.filter(poll::Column::Id.gt(after));
    }
    let rows = query.limit(u64::from(limit) + 1).all(db).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(poll_record(db, row, now).await?);
    }
    Ok(Paged::from_fetched(items, limit, |p| p.id))
}

impl Store {
    /// Creates a rhythm poll of `organization_id` (admins, its coordinator, or the supervisor
    /// named) and queues each voter's invitation with a personal link starting with
    /// `link_base` ([`vote_link_base`]). Every option is planned and checked as the series
    /// preview checks it (supervisors' bookings, hours, absences, calendars; days off; the
    /// people's sessions); the conflicts are stored with it — a conflicting option is allowed,
    /// it is information. 422 with every wrong field (an option's as `options[i].…`) and
    /// nothing stored.
    pub async fn create_poll(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        body: &PollBody,
        link_base: &str,
        now: DateTime<Utc>,
    ) -> Result<Poll, StoreError> {
        let mut body = body.clone();
        if let (Caller::Supervisor { supervisor_id }, None) = (caller, body.supervisor_id) {
            body.supervisor_id = Some(*supervisor_id);
        }
        let txn = self.begin_write().await?;
        may_create(&txn, caller, organization_id, &body).await?;
        let mut errors: Vec<FieldError> = Vec::new();
        if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&body.options.len()) {
            errors.push(FieldError::new("options", format!("give {MIN_OPTIONS} to {MAX_OPTIONS} options")));
        }
        let deadline = body.deadline.with_timezone(&Utc);
        if deadline <= now {
            errors.push(FieldError::new("deadline", "must be in the future"));
        }
        let booking = Caller::Coordinator { organization_id };
        let mut checked: Vec<Checked> = Vec::new();
        let mut common = BTreeSet::new();
        for (i, option) in body.options.iter().enumerate().take(MAX_OPTIONS) {
            let series = draft_series(organization_id, &body, option);
            match prepare(&txn, &booking, &series, now, false).await {
                Ok(prepared) => checked.push(Checked { body: option.clone(), prepared }),
                Err(StoreError::Invalid(list)) => {
                    for error in list.errors() {
                        if is_option_field(&error.field) {
                            errors.push(error.clone().within(&format!("options[{i}]")));
                        } else if common.insert(error.field.clone()) {
                            errors.push(error.clone());
                        }
                    }
                }
                Err(other) => return Err(other),
            }
        }
        if let Some(earliest) =
            checked.iter().filter_map(|c| c.prepared.plan.sessions.first()).map(|s| s.starts_at).min()
            && deadline >= earliest
        {
            errors.push(FieldError::new("deadline", "must be before the first session of every option"));
        }
        ValidationErrors::check(errors)?;
        let Some(first) = checked.first() else {
            return Err(StoreError::invalid("options", format!("give {MIN_OPTIONS} to {MAX_OPTIONS} options")));
        };
        let spec = &first.prepared.spec;
        let people = first.prepared.people.clone();
        let remind_at = deadline - REMINDER_LEAD;
        let created_by = match caller {
            Caller::Admin => "admin",
            Caller::Coordinator { .. } => "coordinator",
            Caller::Supervisor { .. } => "supervisor",
            Caller::Participant { .. } => "participant",
        };
        let model = poll::Model {
            id: new_id(),
            organization_id,
            supervisor_id: first.prepared.supervisor.id,
            co_supervisor_id: first.prepared.co_supervisor.as_ref().map(|c| c.id),
            team_id: first.prepared.team_id,
            kind: spec.kind.as_str().to_owned(),
            title: spec.title.as_str().to_owned(),
            timezone: spec.schedule.timezone.name().to_owned(),
            holiday_policy: spec.schedule.holiday_policy.as_str().to_owned(),
            video_url: spec.video_url.as_ref().map(|v| v.as_str().to_owned()),
            cancellation_notice_hours: body
                .cancellation_notice_hours
                .map(|_| i32::try_from(spec.terms.notice_hours()).unwrap_or(i32::MAX)),
            deadline,
            // A poll closing within a day has no time for a reminder.
            remind_at: (remind_at > now).then_some(remind_at),
            reminded_at: None,
            status: PollStatus::Open.as_str().to_owned(),
            chosen_option_id: None,
            series_id: None,
            link_base: link_base.to_owned(),
            created_by: created_by.to_owned(),
            created_at: now,
            updated_at: now,
            closed_at: None,
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        let zone = spec.schedule.timezone;
        let mut options = Vec::with_capacity(checked.len());
        for (position, c) in (1..).zip(&checked) {
            let schedule = &c.prepared.spec.schedule;
            let conflicts: Vec<ConflictView> =
                c.prepared.conflicts.iter().map(|conflict| ConflictView::new(conflict, zone)).collect();
            let first_starts_at = c.prepared.plan.sessions.first().map_or(now, |s| s.starts_at);
            let row = poll_option::Model {
                id: new_id(),
                poll_id: model.id,
                position,
                first_start: super::scheduling::wall(schedule.first_start),
                duration_minutes: i32::from(schedule.duration.minutes()),
                recurrence: serde_json::to_string(&c.body.recurrence)
                    .map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))?,
                rrule: schedule.recurrence.to_rrule(schedule.timezone),
                location: c.prepared.spec.location.as_ref().map(|l| l.as_str().to_owned()),
                sessions: i32::try_from(c.prepared.plan.sessions.len()).unwrap_or(i32::MAX),
                first_starts_at,
                conflicts: serde_json::to_string(&conflicts)
                    .map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))?,
                checked_at: now,
            };
            options.push(row.into_active_model().insert(&txn).await?);
        }
        let info = poll_info(&txn, &model, &options).await?;
        let organization = organization::Entity::find_by_id(organization_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("organization"))?;
        for person_id in &people {
            let Some(row) = person::Entity::find_by_id(*person_id).one(&txn).await? else { continue };
            let secret = Secret::generate(VOTE_PREFIX)?;
            let voter = poll_voter::Model {
                id: new_id(),
                poll_id: model.id,
                person_id: row.id,
                token_hash: secret_hash(secret.expose()),
                reminder_token_hash: None,
                comment: None,
                answered_at: None,
                reminded_at: None,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
            .insert(&txn)
            .await?;
            let notice = Notice::PollInvitation {
                recipient: recipient_of_person(&row, &organization),
                poll: info.clone(),
                url: format!("{link_base}{}", secret.expose()),
            };
            enqueue(&txn, &notice, &format!("poll-invitation:{}", voter.id), now).await?;
        }
        let answer = poll_record(&txn, model, now).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// One poll with its options, conflicts and tally (admins, its organization's
    /// coordinator, its supervisors; to anyone else it does not exist).
    pub async fn get_poll(&self, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> Result<Poll, StoreError> {
        let db = self.connection();
        let found = poll_for(db, caller, id, false).await?;
        poll_record(db, found, now).await
    }

    /// The polls of an organization, oldest first, one page at a time: all of them for admins
    /// and its coordinator, a supervisor's own for a supervisor; participants may not list.
    pub async fn list_polls(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        page: &Page,
        now: DateTime<Utc>,
    ) -> Result<Paged<Poll>, StoreError> {
        let db = self.connection();
        let mut query = poll::Entity::find()
            .filter(poll::Column::OrganizationId.eq(organization_id))
            .order_by_asc(poll::Column::Id);
        match caller {
            Caller::Admin => {}
            Caller::Coordinator { organization_id: own } if *own == organization_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::not_found("organization")),
            Caller::Supervisor { supervisor_id } => {
                query = query.filter(
                    sea_orm::Condition::any()
                        .add(poll::Column::SupervisorId.eq(*supervisor_id))
                        .add(poll::Column::CoSupervisorId.eq(*supervisor_id)),
                );
            }
            Caller::Participant { .. } => return Err(StoreError::Forbidden),
        }
        if caller.is_admin() && organization::Entity::find_by_id(organization_id).one(db).await?.is_none() {
            return Err(StoreError::not_found("organization"));
        }
        page_of_polls(db, query, page, now).await
    }

    /// The polls a supervisor leads (as supervisor or co-supervisor) in every organization,
    /// oldest first: a coordinator may name any supervisor, so a poll can come before the
    /// supervisor's first series with that organization. Only a supervisor has such a list.
    pub async fn list_supervisor_polls(
        &self,
        caller: &Caller,
        page: &Page,
        now: DateTime<Utc>,
    ) -> Result<Paged<Poll>, StoreError> {
        let Caller::Supervisor { supervisor_id } = caller else { return Err(StoreError::Forbidden) };
        let db = self.connection();
        let query = poll::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(poll::Column::SupervisorId.eq(*supervisor_id))
                    .add(poll::Column::CoSupervisorId.eq(*supervisor_id)),
            )
            .order_by_asc(poll::Column::Id);
        page_of_polls(db, query, page, now).await
    }

    /// Chooses option `option_id` of poll `id` and books it exactly as `POST /series` does, in
    /// one transaction: re-checked on fresh data (409 with every conflict, and nothing
    /// changes), the invitations and `series.booked`; then the poll is decided, every voter
    /// is told, and `poll.decided` is emitted. The poll's row is locked first, so of many
    /// concurrent choices one books and the others find it decided (409).
    pub async fn choose_poll_option(
        &self,
        caller: &Caller,
        id: Uuid,
        option_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Poll, StoreError> {
        let txn = self.begin_write().await?;
        let found = poll_for(&txn, caller, id, true).await?;
        if found.status != PollStatus::Open.as_str() {
            return Err(StoreError::refused("status", format!("the poll is {} already", found.status)));
        }
        let option = poll_option::Entity::find_by_id(option_id)
            .filter(poll_option::Column::PollId.eq(found.id))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::invalid("option_id", "no such option in this poll"))?;
        let people: Vec<Uuid> = voters_of(&txn, found.id).await?.into_iter().map(|(_, p)| p.id).collect();
        let body = series_body(&found, &option_body(&option)?, &people);
        let booked = book_in(&txn, &booking_caller(&found), &body, now).await?;
        let mut active = found.into_active_model();
        active.status = Set(PollStatus::Decided.as_str().to_owned());
        active.chosen_option_id = Set(Some(option.id));
        active.series_id = Set(Some(booked.id));
        active.closed_at = Set(Some(now));
        active.updated_at = Set(now);
        let found = active.update(&txn).await?;
        queue_decision(&txn, &found, Some(&option), now).await?;
        let data = serde_json::json!({
            "poll_id": found.id,
            "organization_id": found.organization_id,
            "supervisor_id": found.supervisor_id,
            "option_id": option.id,
            "series_id": booked.id,
            "title": found.title,
        });
        super::webhooks::emit_organization_event(
            &txn,
            found.organization_id,
            Some(booked.id),
            "poll.decided",
            data,
            now,
        )
        .await?;
        let answer = poll_record(&txn, found, now).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// Closes poll `id` without a choice (those who may choose): no more votes, the voters
    /// and supervisors are told. A poll decided or closed already: 409.
    pub async fn close_poll(&self, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> Result<Poll, StoreError> {
        let txn = self.begin_write().await?;
        let found = poll_for(&txn, caller, id, true).await?;
        if found.status != PollStatus::Open.as_str() {
            return Err(StoreError::refused("status", format!("the poll is {} already", found.status)));
        }
        let mut active = found.into_active_model();
        active.status = Set(PollStatus::Closed.as_str().to_owned());
        active.closed_at = Set(Some(now));
        active.updated_at = Set(now);
        let found = active.update(&txn).await?;
        queue_decision(&txn, &found, None, now).await?;
        let answer = poll_record(&txn, found, now).await?;
        txn.commit().await?;
        Ok(answer)
    }
}

/// Marks `found`'s reminder sent at `now` if no one has (one conditional update: of workers
/// racing, exactly one wins).
pub(crate) async fn claim_reminder<C: ConnectionTrait>(
    db: &C,
    found: &poll::Model,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::RemindedAt, Expr::value(Some(now)))
        .filter(poll::Column::Id.eq(found.id))
        .filter(poll::Column::RemindedAt.is_null())
        .filter(poll::Column::Status.eq(PollStatus::Open.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_options_fields_are_told_from_the_polls() {
        assert!(is_option_field("first_start"));
        assert!(is_option_field("recurrence.count"));
        assert!(is_option_field("location"));
        assert!(!is_option_field("title"));
        assert!(!is_option_field("participant_ids[0]"));
        assert!(!is_option_field("locations"));
    }

    #[test]
    fn links_start_at_the_voting_page() {
        assert_eq!(vote_link_base("https://ohjaus.example/"), "https://ohjaus.example/vote/");
        assert_eq!(vote_link_base("http://127.0.0.1:8080"), "http://127.0.0.1:8080/vote/");
    }
}
