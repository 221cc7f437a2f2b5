//! `notes`: A supervisor's note of a session; `visibility` supervisor|participants.

use sea_orm::entity::prelude::*;

/// A row of `notes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notes")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `session_id`.
    pub session_id: Uuid,
    /// `supervisor_id`.
    pub supervisor_id: Uuid,
    /// `text`.
    pub text: String,
    /// `visibility`.
    pub visibility: String,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `session_id`.
    #[sea_orm(belongs_to = "super::session::Entity", from = "Column::SessionId", to = "super::session::Column::Id")]
    Session,
    /// Through `supervisor_id`.
    #[sea_orm(
        belongs_to = "super::supervisor::Entity",
        from = "Column::SupervisorId",
        to = "super::supervisor::Column::Id"
    )]
    Supervisor,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::supervisor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Supervisor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
