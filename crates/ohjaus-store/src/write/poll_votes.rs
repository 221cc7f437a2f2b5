//! The voters' side of a rhythm poll: the ballot a personal link shows, the vote it casts, and
//! the one reminder a day before the deadline (organizers' side: [`super::polls`]).
//!
//! A link is a secret (`ohjvote_…`) made when the poll is created and sent only in the
//! invitation; the database keeps its SHA-256. The reminder carries a fresh secret (its hash
//! kept beside the first), since the first exists nowhere any more; both work. A link answers
//! for its own voter of its own poll only: it names nothing else, and an option of another
//! poll is refused (422). An unknown, tampered or expired link is unknown (404); a poll that
//! no longer takes votes refuses them (409) and nothing changes.

use super::polls::{VOTE_PREFIX, links_expire_at, option_info, options_of, poll_info, takes_votes, voters_of};
use super::sign_in::recipient_of_person;
use super::tokens::{Secret, plausible, secret_hash};
use crate::entity::{organization, person, poll, poll_answer, poll_voter};
use crate::outbox::queue::enqueue;
use crate::status::{PollAnswer, PollStatus};
use crate::values::local;
use crate::{Store, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
use ohjaus_core::{FieldError, Notice, Prose, RecurrenceBody, ValidationErrors};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// Longest comment of a voter, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// One option as a voter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotOption {
    /// Id (what a vote names).
    pub id: Uuid,
    /// 1-based position.
    pub position: i32,
    /// The first session's start, at the local offset.
    pub first_starts_at: DateTime<FixedOffset>,
    /// Minutes per session.
    pub duration_minutes: i32,
    /// The cadence as proposed.
    pub recurrence: RecurrenceBody,
    /// The same as an RRULE value.
    pub rrule: String,
    /// Sessions it plans.
    pub sessions: i32,
    /// Where.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub location: Option<String>,
}

/// A voter's answer to one option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BallotAnswer {
    /// The option.
    pub option_id: Uuid,
    /// `yes`, `if_need_be` or `no`.
    pub answer: PollAnswer,
}

/// What a personal link shows: the poll, its options, and this voter's own answers only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ballot {
    /// The poll.
    pub poll_id: Uuid,
    /// The voter.
    pub person_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their language (`fi`, `sv`, `en`): the page speaks it.
    pub locale: String,
    /// Title of the series to be booked.
    pub title: String,
    /// Its kind (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// The organization's name.
    pub organization_name: String,
    /// The supervisors' names.
    pub supervisors: Vec<String>,
    /// IANA zone of the times.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// Votes are taken until then.
    pub deadline: DateTime<FixedOffset>,
    /// `open`, `decided` or `closed`.
    pub status: PollStatus,
    /// Whether this link may vote now.
    pub voting: bool,
    /// The option chosen, once decided.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub chosen_option_id: Option<Uuid>,
    /// The options in order.
    pub options: Vec<BallotOption>,
    /// This voter's answers (empty until they answer).
    pub answers: Vec<BallotAnswer>,
    /// Their comment.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub comment: Option<String>,
    /// When they last answered.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub answered_at: Option<DateTime<FixedOffset>>,
}

/// `PUT /poll-votes/{token}` body: an answer to every option, and a comment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PollVote {
    /// One answer per option of the poll, each option once.
    #[cfg_attr(feature = "openapi", schema(min_items = 2, max_items = 8))]
    pub answers: Vec<BallotAnswer>,
    /// A comment for the organizers (empty: none).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 1000))]
    pub comment: Option<String>,
}

/// The voter a link's secret belongs to, and their poll (locked when `lock`), if the link
/// still works; else `NotFound` — never saying whether it ever existed.
async fn voter_of<C: ConnectionTrait>(
    db: &C,
    secret: &str,
    lock: bool,
    now: DateTime<Utc>,
) -> Result<(poll_voter::Model, poll::Model), StoreError> {
    let unknown = || StoreError::not_found("poll");
    if !plausible(secret, VOTE_PREFIX) {
        return Err(unknown());
    }
    let hash = secret_hash(secret);
    let voter = poll_voter::Entity::find()
        .filter(
            Condition::any()
                .add(poll_voter::Column::TokenHash.eq(hash.clone()))
                .add(poll_voter::Column::ReminderTokenHash.eq(hash)),
        )
        .one(db)
        .await?
        .ok_or_else(unknown)?;
    let mut query = poll::Entity::find_by_id(voter.poll_id);
    if lock {
        query = query.lock_exclusive();
    }
    let found = query.one(db).await?.ok_or_else(unknown)?;
    if now >= links_expire_at(&found) {
        return Err(unknown());
    }
    Ok((voter, found))
}

async fn ballot<C: ConnectionTrait>(
    db: &C,
    voter: &poll_voter::Model,
    found: &poll::Model,
    now: DateTime<Utc>,
) -> Result<Ballot, StoreError> {
    let person = person::Entity::find_by_id(voter.person_id).one(db).await?.ok_or(StoreError::not_found("poll"))?;
    let organization =
        organization::Entity::find_by_id(found.organization_id).one(db).await?.ok_or(StoreError::not_found("poll"))?;
    let options = options_of(db, found.id).await?;
    let info = poll_info(db, found, &options).await?;
    let at = |t: DateTime<Utc>| local(&found.timezone, t);
    let mut answers: Vec<BallotAnswer> = Vec::new();
    let rows = poll_answer::Entity::find().filter(poll_answer::Column::VoterId.eq(voter.id)).all(db).await?;
    for option in &options {
        if let Some(answer) = rows.iter().find(|r| r.option_id == option.id).and_then(|r| PollAnswer::parse(&r.answer))
        {
            answers.push(BallotAnswer { option_id: option.id, answer });
        }
    }
    let mut ballot_options = Vec::with_capacity(options.len());
    for option in &options {
        let info = option_info(option)?;
        ballot_options.push(BallotOption {
            id: option.id,
            position: option.position,
            first_starts_at: at(option.first_starts_at),
            duration_minutes: option.duration_minutes,
            recurrence: info.recurrence,
            rrule: option.rrule.clone(),
            sessions: option.sessions,
            location: option.location.clone(),
        });
    }
    Ok(Ballot {
        poll_id: found.id,
        person_id: person.id,
        locale: person.locale.clone().unwrap_or_else(|| organization.locale.clone()),
        name: person.name,
        title: found.title.clone(),
        kind: found.kind.clone(),
        organization_name: organization.name,
        supervisors: info.supervisors.into_iter().map(|s| s.name).collect(),
        timezone: found.timezone.clone(),
        deadline: at(found.deadline),
        status: PollStatus::stored(&found.status),
        voting: takes_votes(found, now),
        chosen_option_id: found.chosen_option_id,
        options: ballot_options,
        answers,
        comment: voter.comment.clone(),
        answered_at: voter.answered_at.map(at),
    })
}

impl Store {
    /// What the personal link `secret` shows (the voting page, `GET /poll-votes/{token}`): the
    /// poll and this voter's answers, read only once voting has ended, until [`super::polls::LINK_GRACE`]
    /// after. An unknown, tampered or expired link: `NotFound`.
    pub async fn poll_ballot(&self, secret: &str, now: DateTime<Utc>) -> Result<Ballot, StoreError> {
        let db = self.connection();
        let (voter, found) = voter_of(db, secret, false, now).await?;
        ballot(db, &voter, &found, now).await
    }

    /// Casts (or changes) the vote of link `secret`'s voter: an answer to every option of their
    /// poll and an optional comment, replacing what they answered before. A poll decided,
    /// closed, or past its deadline: 409 and nothing changes. Options not of this poll, an
    /// option left out or named twice: 422.
    pub async fn vote_in_poll(&self, secret: &str, vote: &PollVote, now: DateTime<Utc>) -> Result<Ballot, StoreError> {
        let txn = self.begin_write().await?;
        let (voter, found) = voter_of(&txn, secret, true, now).await?;
        if !takes_votes(&found, now) {
            let why = if found.status == PollStatus::Open.as_str() {
                "the poll's deadline has passed".to_owned()
            } else {
                format!("the poll is {}", found.status)
            };
            return Err(StoreError::refused("status", why));
        }
        let options = options_of(&txn, found.id).await?;
        let known: HashSet<Uuid> = options.iter().map(|o| o.id).collect();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (i, answer) in vote.answers.iter().enumerate() {
            if !known.contains(&answer.option_id) {
                errors.push(FieldError::new(format!("answers[{i}].option_id"), "no such option in this poll"));
            } else if !seen.insert(answer.option_id) {
                errors.push(FieldError::new(format!("answers[{i}].option_id"), "answered twice"));
            }
        }
        if errors.is_empty() && seen.len() != known.len() {
            errors.push(FieldError::new("answers", "answer every option of the poll"));
        }
        let comment = match vote.comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match Prose::parse_max("comment", text, MAX_COMMENT_CHARS) {
                Ok(prose) => Some(prose.as_str().to_owned()),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
        };
        ValidationErrors::check(errors)?;
        poll_answer::Entity::delete_many().filter(poll_answer::Column::VoterId.eq(voter.id)).exec(&txn).await?;
        let rows: Vec<poll_answer::ActiveModel> = vote
            .answers
            .iter()
            .map(|a| {
                poll_answer::Model { voter_id: voter.id, option_id: a.option_id, answer: a.answer.as_str().to_owned() }
                    .into_active_model()
            })
            .collect();
        poll_answer::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let mut active = voter.into_active_model();
        active.comment = Set(comment);
        active.answered_at = Set(Some(now));
        active.updated_at = Set(now);
        let voter = active.update(&txn).await?;
        let answer = ballot(&txn, &voter, &found, now).await?;
        txn.commit().await?;
        Ok(answer)
    }

    /// Sends the reminders that are due: for each open poll whose deadline is within
    /// [`super::polls::REMINDER_LEAD`] and whose reminder has not gone, a
    /// `Notice::PollReminder` with a fresh personal link to each voter who has not answered.
    /// Once per poll, however many workers run it at once: the poll's `reminded_at` is set by
    /// one conditional update in the transaction that queues its reminders. Answers how many
    /// reminders were queued.
    pub async fn queue_poll_reminders(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let due: Vec<Uuid> = poll::Entity::find()
            .select_only()
            .column(poll::Column::Id)
            .filter(poll::Column::Status.eq(PollStatus::Open.as_str()))
            .filter(poll::Column::RemindAt.lte(now))
            .filter(poll::Column::RemindedAt.is_null())
            .filter(poll::Column::Deadline.gt(now))
            .into_tuple()
            .all(self.connection())
            .await?;
        let mut queued = 0;
        for id in due {
            let txn = self.begin_write().await?;
            let Some(found) = poll::Entity::find_by_id(id).lock_exclusive().one(&txn).await? else { continue };
            if !super::polls::claim_reminder(&txn, &found, now).await? {
                continue;
            }
            let options = options_of(&txn, found.id).await?;
            let info = poll_info(&txn, &found, &options).await?;
            let organization = organization::Entity::find_by_id(found.organization_id)
                .one(&txn)
                .await?
                .ok_or(StoreError::not_found("organization"))?;
            for (voter, person) in voters_of(&txn, found.id).await? {
                if voter.answered_at.is_some() {
                    continue;
                }
                let secret = Secret::generate(VOTE_PREFIX)?;
                let voter_id = voter.id;
                let mut active = voter.into_active_model();
                active.reminder_token_hash = Set(Some(secret_hash(secret.expose())));
                active.reminded_at = Set(Some(now));
                active.updated_at = Set(now);
                active.update(&txn).await?;
                let notice = Notice::PollReminder {
                    recipient: recipient_of_person(&person, &organization),
                    poll: info.clone(),
                    url: format!("{}{}", found.link_base, secret.expose()),
                };
                if enqueue(&txn, &notice, &format!("poll-reminder:{voter_id}"), now).await? {
                    queued += 1;
                }
            }
            txn.commit().await?;
        }
        Ok(queued)
    }
}
