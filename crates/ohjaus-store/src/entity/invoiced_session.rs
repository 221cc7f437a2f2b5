//! `invoiced_sessions`: A session on an approved invoice (its key is the session: invoiced at most once).

use sea_orm::entity::prelude::*;

/// A row of `invoiced_sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoiced_sessions")]
pub struct Model {
    /// `session_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: Uuid,
    /// `invoice_id`.
    pub invoice_id: Uuid,
    /// `created_at`.
    pub created_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
