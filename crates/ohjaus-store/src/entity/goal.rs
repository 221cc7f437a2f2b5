//! `goals`: A goal of a series: `focus` project|growth|wellbeing|work_community; `status` active|achieved|dropped; `version` counts revisions (history in `goal_versions`).

use sea_orm::entity::prelude::*;

/// A row of `goals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `series_id`.
    pub series_id: Uuid,
    /// `text`.
    pub text: String,
    /// `focus`.
    pub focus: Option<String>,
    /// `status`.
    pub status: String,
    /// `shared_with_organization`.
    pub shared_with_organization: bool,
    /// `version`.
    pub version: i32,
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
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
