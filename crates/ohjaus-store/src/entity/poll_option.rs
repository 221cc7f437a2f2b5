//! `poll_options`: One proposed rhythm of a poll: `first_start` local wall time, `recurrence` the series API's recurrence body as JSON, `rrule` its RRULE; what the pre-check found at `checked_at`: `sessions` planned, the first start as an instant, `conflicts` (JSON array of the preview's conflicts).

use sea_orm::entity::prelude::*;

/// A row of `poll_options`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "poll_options")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `poll_id`.
    pub poll_id: Uuid,
    /// `position`.
    pub position: i32,
    /// `first_start`.
    pub first_start: String,
    /// `duration_minutes`.
    pub duration_minutes: i32,
    /// `recurrence`.
    pub recurrence: String,
    /// `rrule`.
    pub rrule: String,
    /// `location`.
    pub location: Option<String>,
    /// `sessions`.
    pub sessions: i32,
    /// `first_starts_at`.
    pub first_starts_at: DateTimeUtc,
    /// `conflicts`.
    pub conflicts: String,
    /// `checked_at`.
    pub checked_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
