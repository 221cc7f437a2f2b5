//! `invoices`: A draft, an approved invoice or a credit note; `kind` invoice|credit_note, `status` draft|approved; `buyer` and `seller` JSON bodies; `issue_date` YYYY-MM-DD; `period` YYYY-MM.

use sea_orm::entity::prelude::*;

/// A row of `invoices`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    /// `id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `supervisor_id`: the seller.
    pub supervisor_id: Uuid,
    /// `organization_id`.
    pub organization_id: Uuid,
    /// `kind`.
    pub kind: String,
    /// `status`.
    pub status: String,
    /// `period`.
    pub period: String,
    /// `buyer`.
    pub buyer: String,
    /// `seller`.
    pub seller: Option<String>,
    /// `number`.
    pub number: Option<String>,
    /// `sequence`.
    pub sequence: Option<i64>,
    /// `issue_date`.
    pub issue_date: Option<String>,
    /// `credits_invoice_id`.
    pub credits_invoice_id: Option<Uuid>,
    /// `locale`.
    pub locale: String,
    /// `created_at`.
    pub created_at: DateTimeUtc,
    /// `approved_at`.
    pub approved_at: Option<DateTimeUtc>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
