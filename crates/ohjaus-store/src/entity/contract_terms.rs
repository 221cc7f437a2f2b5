//! `contract_terms`: One version of a series' contract terms (`body`: the terms body as JSON); the highest version is in force.

use sea_orm::entity::prelude::*;

/// A row of `contract_terms`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_terms")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `series_id`.
    pub series_id: Uuid,
    /// `version`.
    pub version: i32,
    /// `body`.
    pub body: String,
    /// `changed_by`: the role that made the change (admin, coordinator, supervisor).
    pub changed_by: String,
    /// `changed_at`.
    pub changed_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
