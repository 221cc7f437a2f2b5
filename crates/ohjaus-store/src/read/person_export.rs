//! All data about one person, as one JSON document (GDPR's right of access): the person, their
//! teams, the series and sessions they take part in, their attendance, the reviews they wrote,
//! their answers in rhythm polls (with their comments; never a link's secret), their tokens
//! (labels and times, never a secret), the messages sent to them (kinds and
//! times, never their text) and their sign-ins. Read in a constant number of statements,
//! however much there is. Notes are not in it: they are the supervisor's.
//!
//! The one write of this room: every export is written to the audit log
//! ([`crate::write::privacy`]) in the same transaction as it is read.

use crate::access::may_export;
use crate::entity::{
    api_token, attendance, calendar_token, erasure, outbox, person, poll, poll_answer, poll_voter, review, series,
    series_participant, session, session_participant, team, team_member,
};
use crate::status::{NotificationKind, NotificationStatus, PollAnswer, SeriesStatus, SessionStatus};
use crate::values::local;
use crate::write::attendance::AttendanceStatus;
use crate::write::people::Person;
use crate::write::poll_votes::BallotAnswer;
use crate::write::privacy::{Audit, AuditAction};
use crate::write::sign_in::{SignInRecord, sign_in_history};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Serialize;
use uuid::Uuid;

/// Everything the service keeps about a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonExport {
    /// When this export was made.
    pub exported_at: DateTime<Utc>,
    /// The person as stored (after an erasure: the placeholder name and address).
    pub person: Person,
    /// When they were erased, if they were.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub erased_at: Option<DateTime<Utc>>,
    /// Teams they belong to.
    pub teams: Vec<ExportedTeam>,
    /// Series they take or took part in.
    pub series: Vec<ExportedSeries>,
    /// Sessions they are or were invited to, by start.
    pub sessions: Vec<ExportedSession>,
    /// Their attendance as recorded.
    pub attendance: Vec<ExportedAttendance>,
    /// Reviews of goals they wrote.
    pub reviews: Vec<ExportedReview>,
    /// Their answers in rhythm polls they were asked in.
    pub poll_votes: Vec<ExportedPollVote>,
    /// API tokens that speak for them: labels and times, never a secret.
    pub api_tokens: Vec<ExportedToken>,
    /// Their calendar-feed links: times only.
    pub calendar_tokens: Vec<ExportedToken>,
    /// Messages sent or to be sent to them: kinds and times.
    pub notifications: Vec<ExportedNotification>,
    /// Sign-in links sent to them and the browser sessions they opened.
    pub sign_ins: Vec<SignInRecord>,
}

/// A rhythm poll they were asked in, and what they answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedPollVote {
    /// The poll.
    pub poll_id: Uuid,
    /// Its title.
    pub title: String,
    /// Their answer per option (empty if they did not answer).
    pub answers: Vec<BallotAnswer>,
    /// Their comment.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub comment: Option<String>,
    /// When they last answered.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub answered_at: Option<DateTime<Utc>>,
}

/// A team in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedTeam {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// A series in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedSeries {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Kind (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// Its supervisor.
    pub supervisor_id: Uuid,
    /// `active`, `cancelled` or `completed`.
    pub status: SeriesStatus,
}

/// A session in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedSession {
    /// Id.
    pub id: Uuid,
    /// Its series.
    pub series_id: Uuid,
    /// 1-based number in the series.
    pub index: u32,
    /// Start, at the local offset.
    pub starts_at: DateTime<FixedOffset>,
    /// End, at the local offset.
    pub ends_at: DateTime<FixedOffset>,
    /// `scheduled`, `cancelled` or `held`.
    pub status: SessionStatus,
}

/// An attendance entry in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedAttendance {
    /// The session.
    pub session_id: Uuid,
    /// `present`, `absent` or `excused`.
    pub status: AttendanceStatus,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A review in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedReview {
    /// Id.
    pub id: Uuid,
    /// The goal.
    pub goal_id: Uuid,
    /// `start`, `midpoint` or `final`.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::ReviewPhase))]
    pub phase: String,
    /// 1 to 5.
    pub rating: i32,
    /// What they wrote.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub comment: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A token in an export: never its secret (which is not kept) nor its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedToken {
    /// Id.
    pub id: Uuid,
    /// What it is for (API tokens).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub label: Option<String>,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Revoked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A message in an export: what kind, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedNotification {
    /// Id.
    pub id: Uuid,
    /// `invite`, `reminder`, `digest`, `sign_in_link` or `info`.
    pub kind: NotificationKind,
    /// `queued`, `sending`, `sent` or `dead`.
    pub status: NotificationStatus,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Sent.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// All data about the caller, a participant (`GET /me/export`); admins, coordinators and
    /// supervisors have no data of a person of their own here (`Forbidden`).
    pub async fn export_me(&self, caller: &Caller, now: DateTime<Utc>) -> Result<PersonExport, StoreError> {
        match *caller {
            Caller::Participant { person_id } => self.export_person(caller, person_id, now).await,
            _ => Err(StoreError::Forbidden),
        }
    }

    /// All data about person `person_id` (an admin: anyone; a participant: themself), in a
    /// constant number of statements; the export is written to the audit log.
    pub async fn export_person(
        &self,
        caller: &Caller,
        person_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<PersonExport, StoreError> {
        may_export(caller, person_id)?;
        // One transaction: the export reads one state, and is audited with it.
        let txn = self.begin_write().await?;
        let db = &txn;
        let found = person::Entity::find_by_id(person_id).one(db).await?.ok_or(StoreError::not_found("person"))?;
        let erased_at = erasure::Entity::find_by_id(person_id).one(db).await?.map(|e| e.erased_at);
        let teams = team::Entity::find()
            .filter(
                team::Column::Id.in_subquery(
                    team_member::Entity::find()
                        .select_only()
                        .column(team_member::Column::TeamId)
                        .filter(team_member::Column::PersonId.eq(person_id))
                        .into_query(),
                ),
            )
            .order_by_asc(team::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|t| ExportedTeam { id: t.id, name: t.name })
            .collect();
        let invited = session_participant::Entity::find()
            .select_only()
            .column(session_participant::Column::SessionId)
            .filter(session_participant::Column::PersonId.eq(person_id))
            .into_query();
        let sessions = session::Entity::find()
            .filter(session::Column::Id.in_subquery(invited))
            .order_by_asc(session::Column::StartsAt)
            .order_by_asc(session::Column::Id)
            .all(db)
            .await?;
        let listed = series_participant::Entity::find()
            .select_only()
            .column(series_participant::Column::SeriesId)
            .filter(series_participant::Column::PersonId.eq(person_id))
            .into_query();
        let invited_series = session::Entity::find()
            .select_only()
            .column(session::Column::SeriesId)
            .filter(
                session::Column::Id.in_subquery(
                    session_participant::Entity::find()
                        .select_only()
                        .column(session_participant::Column::SessionId)
                        .filter(session_participant::Column::PersonId.eq(person_id))
                        .into_query(),
                ),
            )
            .into_query();
        let series = series::Entity::find()
            .filter(
                Condition::any()
                    .add(series::Column::Id.in_subquery(listed))
                    .add(series::Column::Id.in_subquery(invited_series)),
            )
            .order_by_asc(series::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|s| ExportedSeries {
                id: s.id,
                title: s.title,
                kind: s.kind,
                supervisor_id: s.supervisor_id,
                status: SeriesStatus::stored(&s.status),
            })
            .collect();
        let attendance = attendance::Entity::find()
            .filter(attendance::Column::PersonId.eq(person_id))
            .order_by_asc(attendance::Column::RecordedAt)
            .order_by_asc(attendance::Column::SessionId)
            .all(db)
            .await?
            .into_iter()
            .map(|a| ExportedAttendance {
                session_id: a.session_id,
                status: AttendanceStatus::parse(&a.status).unwrap_or(AttendanceStatus::Present),
                recorded_at: a.recorded_at,
            })
            .collect();
        let reviews = review::Entity::find()
            .filter(review::Column::AuthorKind.eq("person"))
            .filter(review::Column::AuthorId.eq(person_id))
            .order_by_asc(review::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|r| ExportedReview {
                id: r.id,
                goal_id: r.goal_id,
                phase: r.phase,
                rating: r.rating,
                comment: r.comment,
                created_at: r.created_at,
            })
            .collect();
        let voters = poll_voter::Entity::find().filter(poll_voter::Column::PersonId.eq(person_id)).all(db).await?;
        let voter_ids: Vec<Uuid> = voters.iter().map(|v| v.id).collect();
        let poll_titles: std::collections::HashMap<Uuid, String> = poll::Entity::find()
            .select_only()
            .columns([poll::Column::Id, poll::Column::Title])
            .filter(poll::Column::Id.is_in(voters.iter().map(|v| v.poll_id).collect::<Vec<_>>()))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let answers = poll_answer::Entity::find()
            .filter(poll_answer::Column::VoterId.is_in(voter_ids))
            .order_by_asc(poll_answer::Column::OptionId)
            .all(db)
            .await?;
        let poll_votes = voters
            .into_iter()
            .map(|v| ExportedPollVote {
                poll_id: v.poll_id,
                title: poll_titles.get(&v.poll_id).cloned().unwrap_or_default(),
                answers: answers
                    .iter()
                    .filter(|a| a.voter_id == v.id)
                    .filter_map(|a| {
                        PollAnswer::parse(&a.answer).map(|answer| BallotAnswer { option_id: a.option_id, answer })
                    })
                    .collect(),
                comment: v.comment,
                answered_at: v.answered_at,
            })
            .collect();
        let api_tokens = api_token::Entity::find()
            .filter(api_token::Column::Role.eq("participant"))
            .filter(api_token::Column::SubjectId.eq(person_id))
            .order_by_asc(api_token::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|t| ExportedToken { id: t.id, label: t.label, created_at: t.created_at, revoked_at: t.revoked_at })
            .collect();
        let calendar_tokens = calendar_token::Entity::find()
            .filter(calendar_token::Column::OwnerKind.eq("person"))
            .filter(calendar_token::Column::OwnerId.eq(person_id))
            .order_by_asc(calendar_token::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|t| ExportedToken { id: t.id, label: None, created_at: t.created_at, revoked_at: t.revoked_at })
            .collect();
        let notifications = outbox::Entity::find()
            .select_only()
            .columns([
                outbox::Column::Id,
                outbox::Column::Kind,
                outbox::Column::Status,
                outbox::Column::CreatedAt,
                outbox::Column::SentAt,
            ])
            .filter(outbox::Column::RecipientId.eq(person_id))
            .order_by_asc(outbox::Column::Id)
            .into_tuple::<(Uuid, String, String, DateTime<Utc>, Option<DateTime<Utc>>)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, kind, status, created_at, sent_at)| ExportedNotification {
                id,
                kind: NotificationKind::stored(&kind),
                status: NotificationStatus::stored(&status),
                created_at,
                sent_at,
            })
            .collect();
        let sign_ins = sign_in_history(db, person_id).await?;
        Audit {
            actor: Some(*caller),
            action: AuditAction::Export,
            person_id: Some(person_id),
            session_id: None,
            count: 0,
        }
        .write(db, now)
        .await?;
        txn.commit().await?;
        Ok(PersonExport {
            exported_at: now,
            person: found.into(),
            erased_at,
            teams,
            series,
            sessions: sessions
                .into_iter()
                .map(|s| ExportedSession {
                    id: s.id,
                    series_id: s.series_id,
                    index: u32::try_from(s.index).unwrap_or_default(),
                    starts_at: local(&s.timezone, s.starts_at),
                    ends_at: local(&s.timezone, s.ends_at),
                    status: SessionStatus::parse(&s.status).unwrap_or(SessionStatus::Scheduled),
                })
                .collect(),
            attendance,
            reviews,
            poll_votes,
            api_tokens,
            calendar_tokens,
            notifications,
            sign_ins,
        })
    }
}
