//! `series_participants`: The current participants of a series (a team series mirrors its team).

use sea_orm::entity::prelude::*;

/// A row of `series_participants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "series_participants")]
pub struct Model {
    /// `series_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub series_id: Uuid,
    /// `person_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Through `series_id`.
    #[sea_orm(belongs_to = "super::series::Entity", from = "Column::SeriesId", to = "super::series::Column::Id")]
    Series,
    /// Through `person_id`.
    #[sea_orm(belongs_to = "super::person::Entity", from = "Column::PersonId", to = "super::person::Column::Id")]
    Person,
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Person.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
