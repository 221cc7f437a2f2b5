//! `calendar_events`: One calendar event (one UID) of a series: the booked rule, a re-planned rule, or a single make-up session (`rrule` NULL).

use sea_orm::entity::prelude::*;

/// A row of `calendar_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_events")]
pub struct Model {
    /// `uid`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub uid: String,
    /// `series_id`.
    pub series_id: Uuid,
    /// `first_start`.
    pub first_start: String,
    /// `timezone`.
    pub timezone: String,
    /// `duration_minutes`.
    pub duration_minutes: i32,
    /// `rrule`.
    pub rrule: Option<String>,
    /// `created_at`.
    pub created_at: DateTimeUtc,
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
