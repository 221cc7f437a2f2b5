//! `attendance`: Attendance of one person at one session: present|absent|excused.

use sea_orm::entity::prelude::*;

/// A row of `attendance`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    /// `session_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: Uuid,
    /// `person_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    /// `status`.
    pub status: String,
    /// `recorded_at`.
    pub recorded_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `session_id`.
    #[sea_orm(belongs_to = "super::session::Entity", from = "Column::SessionId", to = "super::session::Column::Id")]
    Session,
    /// Through `person_id`.
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
