//! `job_leases`: The last tick of a scheduled job, so that each tick runs once across workers.

use sea_orm::entity::prelude::*;

/// A row of `job_leases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_leases")]
pub struct Model {
    /// `name`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// `owner`.
    pub owner: Option<String>,
    /// `lease_expires_at`.
    pub lease_expires_at: Option<DateTimeUtc>,
    /// `last_tick_at`.
    pub last_tick_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
