//! `goal_versions`: One earlier or current version of a goal.

use sea_orm::entity::prelude::*;

/// A row of `goal_versions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_versions")]
pub struct Model {
    /// `goal_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_id: Uuid,
    /// `version`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// `text`.
    pub text: String,
    /// `focus`.
    pub focus: Option<String>,
    /// `status`.
    pub status: String,
    /// `changed_at`.
    pub changed_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `goal_id`.
    #[sea_orm(belongs_to = "super::goal::Entity", from = "Column::GoalId", to = "super::goal::Column::Id")]
    Goal,
}

impl Related<super::goal::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Goal.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
