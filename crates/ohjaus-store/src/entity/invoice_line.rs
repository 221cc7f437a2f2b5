//! `invoice_lines`: One charged session of an invoice, as charged when drafted; `status` held|late_cancelled; `date` YYYY-MM-DD.

use sea_orm::entity::prelude::*;

/// A row of `invoice_lines`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_lines")]
pub struct Model {
    /// `invoice_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub invoice_id: Uuid,
    /// `line_no`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub line_no: i32,
    /// `session_id`.
    pub session_id: Uuid,
    /// `series_id`.
    pub series_id: Uuid,
    /// `date`.
    pub date: String,
    /// `series_title`.
    pub series_title: String,
    /// `kind`.
    pub kind: String,
    /// `status`.
    pub status: String,
    /// `trial`.
    pub trial: bool,
    /// `net_cents`.
    pub net_cents: i64,
    /// `currency`.
    pub currency: String,
    /// `vat_category`.
    pub vat_category: String,
    /// `vat_rate`.
    pub vat_rate: String,
    /// `vat_exemption_reason`.
    pub vat_exemption_reason: Option<String>,
    /// `vat_exemption_reason_code`.
    pub vat_exemption_reason_code: Option<String>,
}

/// Rows this one points to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
