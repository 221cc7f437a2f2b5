//! `reviews`: A rating (1–5) and comment of a goal at a phase (start|midpoint|final) by a person or the supervisor (`author_kind`).

use sea_orm::entity::prelude::*;

/// A row of `reviews`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `goal_id`.
    pub goal_id: Uuid,
    /// `author_kind`.
    pub author_kind: String,
    /// `author_id`.
    pub author_id: Uuid,
    /// `phase`.
    pub phase: String,
    /// `rating`.
    pub rating: i32,
    /// `comment`.
    pub comment: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
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
