//! `polls`: A rhythm poll: the series-to-be's common fields, the voting `deadline`, the one reminder (`remind_at`, `reminded_at`), `status` open|decided|closed, the option chosen and the series it booked; `link_base` is what the voters' personal links start with.

use sea_orm::entity::prelude::*;

/// A row of `polls`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `organization_id`.
    pub organization_id: Uuid,
    /// `supervisor_id`.
    pub supervisor_id: Uuid,
    /// `co_supervisor_id`.
    pub co_supervisor_id: Option<Uuid>,
    /// `team_id`.
    pub team_id: Option<Uuid>,
    /// `kind`.
    pub kind: String,
    /// `title`.
    pub title: String,
    /// `timezone`.
    pub timezone: String,
    /// `holiday_policy`.
    pub holiday_policy: String,
    /// `video_url`.
    pub video_url: Option<String>,
    /// `cancellation_notice_hours`.
    pub cancellation_notice_hours: Option<i32>,
    /// `deadline`.
    pub deadline: DateTimeUtc,
    /// `remind_at`.
    pub remind_at: Option<DateTimeUtc>,
    /// `reminded_at`.
    pub reminded_at: Option<DateTimeUtc>,
    /// `status`.
    pub status: String,
    /// `chosen_option_id`.
    pub chosen_option_id: Option<Uuid>,
    /// `series_id`.
    pub series_id: Option<Uuid>,
    /// `link_base`.
    pub link_base: String,
    /// `created_by`.
    pub created_by: String,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
    /// `closed_at`.
    pub closed_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
