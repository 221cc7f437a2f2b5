//! Goals of a series and their reviews — confidential between the supervisor and the
//! participants, except what is explicitly shared with the buying organization.
//!
//! Who sees what (decided here, the one place):
//!
//! | caller | goals | reviews |
//! |---|---|---|
//! | the series' supervisor | all | all, with comments and authors |
//! | a participant of the series | all (goals are agreed together) | their own and the supervisor's; never another participant's (what one says of their goal is theirs) |
//! | the organization's coordinator | only goals with `shared_with_organization` | of those goals: phase, rating and author kind; no comment and no author id (a comment is what was said in supervision, and a rating is not tied to a colleague) |
//! | an admin | as a coordinator of every organization: admins operate the service and are not parties to the process | as a coordinator |
//! | anyone else | `NotFound` | `NotFound` |
//!
//! Who writes: goals are created by the supervisor and the participants; only the supervisor
//! revises them (`text`, `focus`, `status`: each revision raises `version`; sharing is a
//! decision about the goal, not a new version of it, and changes without one); reviews are
//! written by the supervisor and the participants, one per author, goal and phase, the author
//! being the caller. Admins and coordinators write nothing here (`Forbidden`, or `NotFound`
//! for a goal they may not see).
//!
//! `goal_versions` holds every version of a goal, the current one included (as booking
//! writes version 1 of the goals in a series body); a goal is answered with its current
//! version on top and the versions before it in `earlier_versions`.

use crate::access::{Access, SeriesRole, series_for};
use crate::entity::{goal, goal_version, review, series};
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::error::Collector;
use ohjaus_core::{FieldError, Prose, ReviewPhase};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest goal text, in characters.
pub const MAX_GOAL_CHARS: usize = 2_000;
/// Longest review comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;

/// What a goal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoalFocus {
    /// A project or task.
    Project,
    /// Personal and professional growth.
    Growth,
    /// Well-being at work.
    Wellbeing,
    /// The work community.
    WorkCommunity,
}

impl GoalFocus {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Growth => "growth",
            Self::Wellbeing => "wellbeing",
            Self::WorkCommunity => "work_community",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Project, Self::Growth, Self::Wellbeing, Self::WorkCommunity].into_iter().find(|f| f.as_str() == value)
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being worked on.
    #[default]
    Active,
    /// Reached.
    Achieved,
    /// Given up or replaced.
    Dropped,
}

impl GoalStatus {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Achieved => "achieved",
            Self::Dropped => "dropped",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Active, Self::Achieved, Self::Dropped].into_iter().find(|s| s.as_str() == value)
    }
}

/// Who wrote a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// A participant.
    Person,
    /// The series' supervisor.
    Supervisor,
}

impl AuthorKind {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Supervisor => "supervisor",
        }
    }
}

/// A goal as answered: the current version, its earlier versions and the reviews the caller
/// may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// Id.
    pub id: Uuid,
    /// Its series.
    pub series_id: Uuid,
    /// What is aimed at (current version).
    pub text: String,
    /// What it is about (current version).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub focus: Option<GoalFocus>,
    /// Where it stands (current version).
    pub status: GoalStatus,
    /// Whether the organization's coordinator may read it.
    pub shared_with_organization: bool,
    /// The current version: 1 when created, raised by every revision.
    pub version: u32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// The versions before the current one, oldest first.
    pub earlier_versions: Vec<GoalVersion>,
    /// The reviews the caller may see, in the order they were written.
    pub reviews: Vec<Review>,
}

/// An earlier version of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalVersion {
    /// Its number.
    pub version: u32,
    /// Its text.
    pub text: String,
    /// Its focus.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub focus: Option<GoalFocus>,
    /// Its status.
    pub status: GoalStatus,
    /// When this version was made.
    pub changed_at: DateTime<Utc>,
}

/// A review of a goal at one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// Id.
    pub id: Uuid,
    /// The goal.
    pub goal_id: Uuid,
    /// A participant or the supervisor.
    pub author_kind: AuthorKind,
    /// The person or supervisor; hidden (`None`) from coordinators and admins.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub author_id: Option<Uuid>,
    /// At the start, the midpoint or the end.
    pub phase: ReviewPhase,
    /// 1 (far from it) to 5 (reached).
    pub rating: u8,
    /// What the author said; hidden (`None`) from coordinators and admins.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub comment: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// `POST /series/{id}/goals` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGoal {
    /// What is aimed at.
    #[cfg_attr(feature = "openapi", schema(schema_with = goal_text))]
    pub text: String,
    /// What it is about.
    #[serde(default)]
    pub focus: Option<GoalFocus>,
    /// Whether the organization's coordinator may read it (default no).
    #[serde(default)]
    pub shared_with_organization: bool,
}

/// `PATCH /goals/{id}` body: what to change; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalPatch {
    /// New text (`null`: as if left out).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = goal_text_or_null))]
    pub text: Option<String>,
    /// New focus.
    #[serde(default)]
    pub focus: Option<GoalFocus>,
    /// New status.
    #[serde(default)]
    pub status: Option<GoalStatus>,
    /// Share with the organization, or stop sharing (no new version).
    #[serde(default)]
    pub shared_with_organization: Option<bool>,
}

/// `POST /goals/{id}/reviews` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// `start`, `midpoint` or `final`.
    pub phase: ReviewPhase,
    /// 1 to 5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub rating: i64,
    /// What the author wants to say.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = review_comment))]
    pub comment: Option<String>,
}

/// What the caller may read of a series' goals.
#[derive(Debug, Clone, Copy)]
enum Lens {
    /// Everything.
    Supervisor,
    /// All goals; their own reviews and the supervisor's.
    Participant(Uuid),
    /// Shared goals; reviews without comment or author.
    Organization,
}

impl Lens {
    fn of(role: SeriesRole) -> Self {
        match role {
            SeriesRole::Supervisor(_) => Self::Supervisor,
            SeriesRole::Participant(person_id) => Self::Participant(person_id),
            SeriesRole::Admin | SeriesRole::Coordinator => Self::Organization,
        }
    }

    fn sees_goal(self, goal: &goal::Model) -> bool {
        match self {
            Self::Supervisor | Self::Participant(_) => true,
            Self::Organization => goal.shared_with_organization,
        }
    }

    /// The review as this caller may see it, or `None`.
    fn review(self, row: review::Model) -> Result<Option<Review>, StoreError> {
        let author_kind = match row.author_kind.as_str() {
            "person" => AuthorKind::Person,
            "supervisor" => AuthorKind::Supervisor,
            other => return Err(corrupt(format!("unknown review author kind {other:?}"))),
        };
        let phase = ReviewPhase::parse(&row.phase).ok_or_else(|| corrupt(format!("unknown phase {:?}", row.phase)))?;
        let rating = u8::try_from(row.rating).map_err(|_| corrupt(format!("rating {}", row.rating)))?;
        let mut review = Review {
            id: row.id,
            goal_id: row.goal_id,
            author_kind,
            author_id: Some(row.author_id),
            phase,
            rating,
            comment: row.comment,
            created_at: row.created_at,
        };
        match self {
            Self::Supervisor => {}
            Self::Participant(person_id) => {
                if author_kind == AuthorKind::Person && row.author_id != person_id {
                    return Ok(None);
                }
            }
            Self::Organization => {
                review.author_id = None;
                review.comment = None;
            }
        }
        Ok(Some(review))
    }
}

/// A row that the store's own checks should have kept out.
fn corrupt(message: String) -> StoreError {
    StoreError::Database(DbErr::Custom(message))
}

fn focus_of(stored: Option<&str>) -> Result<Option<GoalFocus>, StoreError> {
    stored.map(|f| GoalFocus::parse(f).ok_or_else(|| corrupt(format!("unknown goal focus {f:?}")))).transpose()
}

fn status_of(stored: &str) -> Result<GoalStatus, StoreError> {
    GoalStatus::parse(stored).ok_or_else(|| corrupt(format!("unknown goal status {stored:?}")))
}

fn version_of(stored: i32) -> Result<u32, StoreError> {
    u32::try_from(stored).map_err(|_| corrupt(format!("goal version {stored}")))
}

/// Goals as `lens` sees them, with their earlier versions and visible reviews.
async fn assemble(db: &impl ConnectionTrait, goals: Vec<goal::Model>, lens: Lens) -> Result<Vec<Goal>, StoreError> {
    let ids: Vec<Uuid> = goals.iter().map(|g| g.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let versions = goal_version::Entity::find()
        .filter(goal_version::Column::GoalId.is_in(ids.clone()))
        .order_by_asc(goal_version::Column::GoalId)
        .order_by_asc(goal_version::Column::Version)
        .all(db)
        .await?;
    let reviews = review::Entity::find()
        .filter(review::Column::GoalId.is_in(ids))
        .order_by_asc(review::Column::CreatedAt)
        .order_by_asc(review::Column::Id)
        .all(db)
        .await?;
    let mut answered = Vec::with_capacity(goals.len());
    for row in goals {
        let earlier_versions = versions
            .iter()
            .filter(|v| v.goal_id == row.id && v.version < row.version)
            .map(|v| {
                Ok(GoalVersion {
                    version: version_of(v.version)?,
                    text: v.text.clone(),
                    focus: focus_of(v.focus.as_deref())?,
                    status: status_of(&v.status)?,
                    changed_at: v.changed_at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut visible_reviews = Vec::new();
        for review in reviews.iter().filter(|r| r.goal_id == row.id) {
            if let Some(review) = lens.review(review.clone())? {
                visible_reviews.push(review);
            }
        }
        answered.push(Goal {
            id: row.id,
            series_id: row.series_id,
            focus: focus_of(row.focus.as_deref())?,
            status: status_of(&row.status)?,
            version: version_of(row.version)?,
            text: row.text,
            shared_with_organization: row.shared_with_organization,
            created_at: row.created_at,
            updated_at: row.updated_at,
            earlier_versions,
            reviews: visible_reviews,
        });
    }
    Ok(answered)
}

/// Records the goal's current version in `goal_versions`, made at its `updated_at`.
async fn insert_version(db: &impl ConnectionTrait, goal: &goal::Model) -> Result<(), StoreError> {
    goal_version::Model {
        goal_id: goal.id,
        version: goal.version,
        text: goal.text.clone(),
        focus: goal.focus.clone(),
        status: goal.status.clone(),
        changed_at: goal.updated_at,
    }
    .into_active_model()
    .insert(db)
    .await?;
    Ok(())
}

/// Goal `goal_id`, its series and the caller's capacity, or `NotFound` when the caller may
/// not see the series or (coordinators, admins) the goal is not shared.
async fn goal_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    goal_id: Uuid,
    lock: bool,
) -> Result<(goal::Model, series::Model, SeriesRole), StoreError> {
    let not_found = || StoreError::not_found("goal");
    let mut query = goal::Entity::find_by_id(goal_id);
    if lock {
        query = query.lock_exclusive();
    }
    let row = query.one(db).await?.ok_or_else(not_found)?;
    let (series, role) = series_for(db, caller, row.series_id, Access::View, false).await.map_err(|e| match e {
        StoreError::NotFound { .. } => not_found(),
        other => other,
    })?;
    if !Lens::of(role).sees_goal(&row) {
        return Err(not_found());
    }
    Ok((row, series, role))
}

impl Store {
    /// The goals of series `series_id` the caller may see (see the module's table), oldest
    /// first, each with its earlier versions and the reviews the caller may see.
    pub async fn list_goals(&self, caller: &Caller, series_id: Uuid) -> Result<Vec<Goal>, StoreError> {
        let db = self.connection();
        let (_, role) = series_for(db, caller, series_id, Access::View, false).await?;
        let lens = Lens::of(role);
        let mut query = goal::Entity::find().filter(goal::Column::SeriesId.eq(series_id));
        if matches!(lens, Lens::Organization) {
            query = query.filter(goal::Column::SharedWithOrganization.eq(true));
        }
        let goals = query.order_by_asc(goal::Column::CreatedAt).order_by_asc(goal::Column::Id).all(db).await?;
        assemble(db, goals, lens).await
    }

    /// One goal, as [`Store::list_goals`] shows it.
    pub async fn get_goal(&self, caller: &Caller, goal_id: Uuid) -> Result<Goal, StoreError> {
        let db = self.connection();
        let (row, _, role) = goal_for(db, caller, goal_id, false).await?;
        let mut goals = assemble(db, vec![row], Lens::of(role)).await?;
        goals.pop().ok_or(StoreError::not_found("goal"))
    }

    /// Adds a goal to series `series_id` (its supervisor or a participant; admins and the
    /// coordinator: `Forbidden`). Version 1, status `active`.
    pub async fn create_goal(
        &self,
        caller: &Caller,
        series_id: Uuid,
        new: &NewGoal,
        now: DateTime<Utc>,
    ) -> Result<Goal, StoreError> {
        let text = Prose::parse_max("text", &new.text, MAX_GOAL_CHARS)?;
        let txn = self.begin_write().await?;
        let (_, role) = series_for(&txn, caller, series_id, Access::View, false).await?;
        if !role.is_party() {
            return Err(StoreError::Forbidden);
        }
        let row = goal::Model {
            id: new_id(),
            series_id,
            text: text.as_str().to_owned(),
            focus: new.focus.map(|f| f.as_str().to_owned()),
            status: GoalStatus::Active.as_str().to_owned(),
            shared_with_organization: new.shared_with_organization,
            version: 1,
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        insert_version(&txn, &row).await?;
        let mut goals = assemble(&txn, vec![row], Lens::of(role)).await?;
        txn.commit().await?;
        goals.pop().ok_or(StoreError::not_found("goal"))
    }

    /// Revises goal `goal_id` (the series' supervisor only). A change of text, focus or
    /// status raises the version by one (the earlier one stays listed with the goal);
    /// a patch that changes none of them keeps the version. `shared_with_organization`
    /// changes without a new version.
    pub async fn update_goal(
        &self,
        caller: &Caller,
        goal_id: Uuid,
        patch: &GoalPatch,
        now: DateTime<Utc>,
    ) -> Result<Goal, StoreError> {
        let text = patch.text.as_deref().map(|t| Prose::parse_max("text", t, MAX_GOAL_CHARS)).transpose()?;
        let txn = self.begin_write().await?;
        // Locked: two revisions at once must not both become version n + 1.
        let (row, _, role) = goal_for(&txn, caller, goal_id, true).await?;
        if !matches!(role, SeriesRole::Supervisor(_)) {
            return Err(StoreError::Forbidden);
        }
        let new_text = text.map_or_else(|| row.text.clone(), |t| t.as_str().to_owned());
        let new_focus = patch.focus.map(|f| f.as_str().to_owned()).or_else(|| row.focus.clone());
        let new_status = patch.status.map_or_else(|| row.status.clone(), |s| s.as_str().to_owned());
        let revised = new_text != row.text || new_focus != row.focus || new_status != row.status;
        let shared = patch.shared_with_organization.unwrap_or(row.shared_with_organization);
        if !revised && shared == row.shared_with_organization {
            let mut goals = assemble(&txn, vec![row], Lens::of(role)).await?;
            txn.commit().await?;
            return goals.pop().ok_or(StoreError::not_found("goal"));
        }
        let version = if revised { row.version + 1 } else { row.version };
        let mut active = row.into_active_model();
        active.text = Set(new_text);
        active.focus = Set(new_focus);
        active.status = Set(new_status);
        active.shared_with_organization = Set(shared);
        active.version = Set(version);
        active.updated_at = Set(now);
        let row = active.update(&txn).await?;
        if revised {
            insert_version(&txn, &row).await?;
        }
        let mut goals = assemble(&txn, vec![row], Lens::of(role)).await?;
        txn.commit().await?;
        goals.pop().ok_or(StoreError::not_found("goal"))
    }

    /// Reviews goal `goal_id` at a phase (the series' supervisor or a participant; the
    /// author is the caller). Rating 1 to 5; one review per author, goal and phase (a second
    /// is `Invalid` on `phase`).
    pub async fn add_review(
        &self,
        caller: &Caller,
        goal_id: Uuid,
        new: &NewReview,
        now: DateTime<Utc>,
    ) -> Result<Review, StoreError> {
        let mut errors = Collector::default();
        let rating = errors.take(
            u8::try_from(new.rating)
                .ok()
                .filter(|r| (1..=5).contains(r))
                .ok_or_else(|| FieldError::new("rating", "must be between 1 and 5")),
        );
        let comment = errors.take(
            new.comment
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| Prose::parse_max("comment", c, MAX_COMMENT_CHARS))
                .transpose(),
        );
        errors.finish()?;
        let (Some(rating), Some(comment)) = (rating, comment) else {
            unreachable!("every missing part recorded an error");
        };
        let txn = self.begin_write().await?;
        let (_, _, role) = goal_for(&txn, caller, goal_id, true).await?;
        let (author_kind, author_id) = match role {
            SeriesRole::Supervisor(id) => (AuthorKind::Supervisor, id),
            SeriesRole::Participant(id) => (AuthorKind::Person, id),
            SeriesRole::Admin | SeriesRole::Coordinator => return Err(StoreError::Forbidden),
        };
        let earlier = review::Entity::find()
            .filter(review::Column::GoalId.eq(goal_id))
            .filter(review::Column::AuthorKind.eq(author_kind.as_str()))
            .filter(review::Column::AuthorId.eq(author_id))
            .filter(review::Column::Phase.eq(new.phase.as_str()))
            .count(&txn)
            .await?;
        if earlier > 0 {
            return Err(StoreError::refused(
                "phase",
                format!("you have already reviewed this goal at the {} phase", new.phase.as_str()),
            ));
        }
        let row = review::Model {
            id: new_id(),
            goal_id,
            author_kind: author_kind.as_str().to_owned(),
            author_id,
            phase: new.phase.as_str().to_owned(),
            rating: i32::from(rating),
            comment: comment.map(|c| c.as_str().to_owned()),
            created_at: now,
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Lens::of(role).review(row)?.ok_or(StoreError::not_found("review"))
    }
}

// OpenAPI schemas of the free texts: their lengths are this module's limits.
#[cfg(feature = "openapi")]
fn prose(max_chars: usize, description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(max_chars))
        .pattern(Some(ohjaus_core::openapi::PROSE_PATTERN))
        .into()
}

/// A goal's text: free text of at most [`MAX_GOAL_CHARS`] characters.
#[cfg(feature = "openapi")]
fn goal_text() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    prose(MAX_GOAL_CHARS, "What is aimed at: free text, not empty.")
}

/// A goal's text where `null` stands for "no change" (a patch).
#[cfg(feature = "openapi")]
fn goal_text_or_null() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    string_or_null(goal_text())
}

/// A string `schema` that also accepts `null`, as an `Option` field with `#[serde(default)]`
/// does.
#[cfg(feature = "openapi")]
fn string_or_null(
    schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    match schema {
        utoipa::openapi::RefOr::T(Schema::Object(mut object)) => {
            object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
            utoipa::openapi::RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// A review's comment (`null`: none): at most [`MAX_COMMENT_CHARS`]
/// characters without control characters but line breaks and tabs; white space alone is no
/// comment.
#[cfg(feature = "openapi")]
fn review_comment() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .description(Some("What the author wants to say (white space alone is no comment)."))
        .max_length(Some(MAX_COMMENT_CHARS))
        .pattern(Some(r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"))
        .into()
}
