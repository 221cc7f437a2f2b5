//! `billing_profiles`: A supervisor's billing profile as a seller (`body`: JSON).

use sea_orm::entity::prelude::*;

/// A row of `billing_profiles`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_profiles")]
pub struct Model {
    /// `supervisor_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub supervisor_id: Uuid,
    /// `body`.
    pub body: String,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
