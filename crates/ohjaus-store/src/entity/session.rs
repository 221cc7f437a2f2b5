//! `sessions`: One session of a series. `supervisor_id` is denormalized for the exclusion constraint and the upcoming index; `recurrence_id` is the UTC instant of the rule occurrence it stands for (NULL in a single event); `status` scheduled|cancelled|held; `phase` goal_setting|midpoint_review|final_review.

use sea_orm::entity::prelude::*;

/// A row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `series_id`.
    pub series_id: Uuid,
    /// `supervisor_id`.
    pub supervisor_id: Uuid,
    /// `co_supervisor_id`.
    pub co_supervisor_id: Option<Uuid>,
    /// `calendar_uid`.
    pub calendar_uid: String,
    /// `index`.
    pub index: i32,
    /// `starts_at`.
    pub starts_at: DateTimeUtc,
    /// `ends_at`.
    pub ends_at: DateTimeUtc,
    /// `timezone`.
    pub timezone: String,
    /// `status`.
    pub status: String,
    /// `phase`.
    pub phase: Option<String>,
    /// `late_cancellation`.
    pub late_cancellation: bool,
    /// `recurrence_id`.
    pub recurrence_id: Option<DateTimeUtc>,
    /// `location`.
    pub location: Option<String>,
    /// `video_url`.
    pub video_url: Option<String>,
    /// `cancelled_at`.
    pub cancelled_at: Option<DateTimeUtc>,
    /// `cancel_reason`.
    pub cancel_reason: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `series_id`.
    #[sea_orm(belongs_to = "super::series::Entity", from = "Column::SeriesId", to = "super::series::Column::Id")]
    Series,
    /// Through `supervisor_id`.
    #[sea_orm(
        belongs_to = "super::supervisor::Entity",
        from = "Column::SupervisorId",
        to = "super::supervisor::Column::Id"
    )]
    Supervisor,
    /// Through `calendar_uid`.
    #[sea_orm(
        belongs_to = "super::calendar_event::Entity",
        from = "Column::CalendarUid",
        to = "super::calendar_event::Column::Uid"
    )]
    CalendarEvent,
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::supervisor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Supervisor.def()
    }
}

impl Related<super::calendar_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CalendarEvent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
