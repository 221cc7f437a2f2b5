//! `invoice_number_series`: A seller's invoice number prefix and next number, locked and raised by the transaction that numbers an invoice.

use sea_orm::entity::prelude::*;

/// A row of `invoice_number_series`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_number_series")]
pub struct Model {
    /// `supervisor_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub supervisor_id: Uuid,
    /// `prefix`.
    pub prefix: String,
    /// `next_number`.
    pub next_number: i64,
    /// `updated_at`.
    pub updated_at: DateTimeUtc,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
