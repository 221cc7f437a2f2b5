//! `calendar_connections`: A supervisor's or a person's own calendar, read for busy time.

use sea_orm::entity::prelude::*;

/// A row of `calendar_connections`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_connections")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `owner_kind`: `supervisor` or `person`.
    pub owner_kind: String,
    /// `owner_id`.
    pub owner_id: Uuid,
    /// `label`.
    pub label: String,
    /// `kind`: `subscription` or `caldav`.
    pub kind: String,
    /// `url_shown`: the URL with its secret parts masked.
    pub url_shown: String,
    /// `user_name`: the CalDAV user.
    pub user_name: Option<String>,
    /// `secret_sealed`: the URL's secret parts and the CalDAV password, sealed.
    pub secret_sealed: Option<String>,
    /// `all_day_blocks`: whether all-day events block their day.
    pub all_day_blocks: bool,
    /// `etag`.
    pub etag: Option<String>,
    /// `last_modified`.
    pub last_modified: Option<String>,
    /// `last_attempt_at`.
    pub last_attempt_at: Option<DateTimeUtc>,
    /// `last_success_at`.
    pub last_success_at: Option<DateTimeUtc>,
    /// `last_error`.
    pub last_error: Option<String>,
    /// `next_sync_at`.
    pub next_sync_at: DateTimeUtc,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
