//! `series`: A booked series: `first_start` is local wall time `YYYY-MM-DDTHH:MM` in `timezone`; `rrule` the core `Recurrence::to_rrule`; `status` active|cancelled|completed; `ical_sequence` rises with every change that sends calendar messages.

use sea_orm::entity::prelude::*;

/// A row of `series`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "series")]
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
    /// `first_start`.
    pub first_start: String,
    /// `timezone`.
    pub timezone: String,
    /// `duration_minutes`.
    pub duration_minutes: i32,
    /// `rrule`.
    pub rrule: String,
    /// `holiday_policy`.
    pub holiday_policy: String,
    /// `location`.
    pub location: Option<String>,
    /// `video_url`.
    pub video_url: Option<String>,
    /// `cancellation_notice_hours`.
    pub cancellation_notice_hours: i32,
    /// `contracted_sessions`.
    pub contracted_sessions: i32,
    /// `status`.
    pub status: String,
    /// `ical_sequence`.
    pub ical_sequence: i32,
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
    /// Through `organization_id`.
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
    /// Through `supervisor_id`.
    #[sea_orm(
        belongs_to = "super::supervisor::Entity",
        from = "Column::SupervisorId",
        to = "super::supervisor::Column::Id"
    )]
    Supervisor,
    /// Through `team_id`.
    #[sea_orm(belongs_to = "super::team::Entity", from = "Column::TeamId", to = "super::team::Column::Id")]
    Team,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::supervisor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Supervisor.def()
    }
}

impl Related<super::team::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Team.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
