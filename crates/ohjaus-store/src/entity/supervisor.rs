//! `supervisors`: A supervisor or coach; `working_hours` is the JSON text of core `WorkingHoursEntry` list.

use sea_orm::entity::prelude::*;

/// A row of `supervisors`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervisors")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `locale`.
    pub locale: String,
    /// `timezone`.
    pub timezone: String,
    /// `buffer_minutes`.
    pub buffer_minutes: i32,
    /// `working_hours`.
    pub working_hours: String,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
