//! `absences`: A span of time a supervisor is away.

use sea_orm::entity::prelude::*;

/// A row of `absences`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "absences")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `supervisor_id`.
    pub supervisor_id: Uuid,
    /// `starts_at`.
    pub starts_at: DateTimeUtc,
    /// `ends_at`.
    pub ends_at: DateTimeUtc,
    /// `reason`.
    pub reason: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `supervisor_id`.
    #[sea_orm(
        belongs_to = "super::supervisor::Entity",
        from = "Column::SupervisorId",
        to = "super::supervisor::Column::Id"
    )]
    Supervisor,
}

impl Related<super::supervisor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Supervisor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
