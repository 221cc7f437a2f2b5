//! Invoices: drafts per organization and month from the sessions the contracts charge,
//! approval with the next gapless number of the seller's series, discarding drafts, credit
//! notes, and the documents (the core's [`Invoice`], which `ohjaus-einvoice` writes as UBL
//! and CSV).
//!
//! - **Drafting** reads the seller's series in the organization, the terms in force of each
//!   (series without terms are not invoiced through Ohjaus) and their sessions whose local
//!   date is in the month: a held session is charged, a late cancellation when the terms say
//!   so, the first k at the trial price (see [`ohjaus_core::ContractTerms::charge`]). Sessions
//!   already on an approved invoice are left out; drafts may overlap. One draft per payer (and
//!   exemption reason: a document has one per exempt category), lines by date.
//! - **Approving** runs in one transaction: the seller's number row is locked (PostgreSQL
//!   `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` serializes writers), the draft's sessions are
//!   checked against approved invoices and recorded in `invoiced_sessions` (whose key is the
//!   session: a race that slipped past the check still cannot invoice a session twice), the
//!   draft gets the next number and the counter moves on. A rolled-back approval leaves no
//!   gap. An approved invoice never changes and is never deleted (409): a correction is a
//!   credit note, numbered from the same series, which releases the sessions it credits.
//! - The seller and the buyer are kept as they were at approval (JSON bodies the core reads
//!   back), so a document rebuilt later is the document issued.
//!
//! Who may do what is `access::invoice_access`: the seller acts; admins read all; the
//! organization's coordinator reads its approved invoices.

use super::billing_profiles::seller_of;
use super::contracts::{invoiced_among, terms_in_force};
use crate::access::{InvoiceAccess, invoice_access, reads_invoices, sells};
use crate::entity::{invoice, invoice_line, invoiced_session, organization, series, session, supervisor};
use crate::error::is_unique_violation;
use crate::page::{Page, Paged};
use crate::status::SessionStatus;
use crate::values::{ID_CHUNK, new_id, zone};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Days, NaiveDate, Utc};
use ohjaus_core::{
    BillingProfile, BillingProfileBody, Cents, Currency, Invoice, InvoiceInput, InvoiceLine, Label, LineStatus, Locale,
    PayerBody, PayerDetails, Period, SeriesKind, Totals, VatCategory,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// An invoice or a credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// An invoice (UNTDID 1001 code 380).
    Invoice,
    /// A credit note of an invoice (381).
    CreditNote,
}

impl InvoiceKind {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "credit_note" { Self::CreditNote } else { Self::Invoice }
    }
}

/// A draft or an approved (numbered, immutable) document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Not numbered; may be approved or discarded.
    Draft,
    /// Numbered and immutable.
    Approved,
}

impl InvoiceStatus {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Approved => "approved",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Approved].into_iter().find(|s| s.as_str() == text)
    }
}

/// One charged session on an invoice: its date, series and status — never a participant, a
/// note or a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLineRecord {
    /// Line number, from 1.
    pub line: i32,
    /// The session.
    pub session_id: Uuid,
    /// Its series.
    pub series_id: Uuid,
    /// The session's local date.
    pub date: NaiveDate,
    /// The series' title.
    pub series_title: String,
    /// The series' kind.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// `held` or `late_cancelled`.
    pub status: String,
    /// A trial session.
    pub trial: bool,
    /// The price without VAT, in cents.
    pub net_cents: i64,
    /// ISO 4217.
    pub currency: String,
    /// `S`, `Z` or `E`.
    pub vat_category: String,
    /// The VAT rate in percent, e.g. `25.5`.
    pub vat_rate: String,
    /// Why exempt (`E`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_exemption_reason: Option<String>,
}

/// The VAT of one category and rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VatSubtotalRecord {
    /// `S`, `Z` or `E`.
    pub vat_category: String,
    /// The rate in percent.
    pub vat_rate: String,
    /// Why exempt (`E`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_exemption_reason: Option<String>,
    /// The sum of the category's lines, in cents.
    pub taxable_cents: i64,
    /// The VAT on it, in cents (rounded once, on the category's sum).
    pub tax_cents: i64,
}

/// The totals of a document, in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceTotals {
    /// Sum of the lines, without VAT.
    pub line_total_cents: i64,
    /// VAT, the sum of the categories'.
    pub vat_total_cents: i64,
    /// With VAT.
    pub tax_inclusive_cents: i64,
    /// To pay.
    pub payable_cents: i64,
    /// Per VAT category and rate.
    pub subtotals: Vec<VatSubtotalRecord>,
}

/// An invoice, a credit note or a draft as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceRecord {
    /// Id.
    pub id: Uuid,
    /// The seller.
    pub supervisor_id: Uuid,
    /// The buying organization.
    pub organization_id: Uuid,
    /// Invoice or credit note.
    pub kind: InvoiceKind,
    /// Draft or approved.
    pub status: InvoiceStatus,
    /// The month invoiced, `YYYY-MM`.
    pub period: String,
    /// The number, once approved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub number: Option<String>,
    /// The invoice date, once approved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub issue_date: Option<NaiveDate>,
    /// When payment is due, once approved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub due_date: Option<NaiveDate>,
    /// The Finnish payment reference, once approved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub payment_reference: Option<String>,
    /// The invoice a credit note credits.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub credits_invoice_id: Option<Uuid>,
    /// The payer's name.
    pub buyer_name: String,
    /// The payer's business ID.
    pub buyer_business_id: String,
    /// The lines.
    pub lines: Vec<InvoiceLineRecord>,
    /// The totals.
    pub totals: InvoiceTotals,
    /// When drafted.
    pub created_at: DateTime<Utc>,
    /// When approved.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub approved_at: Option<DateTime<Utc>>,
}

/// `POST /invoices/drafts` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDrafts {
    /// The buying organization.
    pub organization_id: Uuid,
    /// The month, `YYYY-MM`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{4}-\d{2}$", example = "2027-01"))]
    pub period: String,
}

/// The drafts made: one per payer (none when nothing in the month is left to invoice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drafts {
    /// The drafts.
    pub drafts: Vec<InvoiceRecord>,
}

/// Filters of `GET /invoices` (the caller's scope always applies on top).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceFilter {
    /// Of one organization.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// `draft` or `approved`.
    #[serde(default)]
    pub status: Option<String>,
    /// One month, `YYYY-MM`.
    #[serde(default)]
    pub period: Option<String>,
}

/// An invoice with the document it stands for: the record, the core's invoice or credit
/// note once approved (for UBL and CSV), and the language of its texts.
#[derive(Debug, Clone)]
pub struct InvoiceDocument {
    /// The record.
    pub record: InvoiceRecord,
    /// The issued document; `None` for a draft.
    pub document: Option<Invoice>,
    /// The buying organization's language.
    pub locale: Locale,
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Database(DbErr::Custom(format!("stored {what}: {error}")))
}

/// The core's line of a stored line.
fn core_line(row: &invoice_line::Model) -> Result<InvoiceLine, StoreError> {
    let date = NaiveDate::parse_from_str(&row.date, "%Y-%m-%d").map_err(|e| corrupt("line date", e))?;
    let title = Label::parse("series_title", &row.series_title).map_err(|e| corrupt("line title", e))?;
    let kind = SeriesKind::parse(&row.kind).ok_or_else(|| corrupt("line kind", &row.kind))?;
    let status = if row.status == "late_cancelled" { LineStatus::LateCancelled } else { LineStatus::Held };
    let currency = Currency::parse("currency", &row.currency).map_err(|e| corrupt("line currency", e))?;
    let vat = VatCategory::from_parts(
        "vat_",
        &row.vat_category,
        Some(&row.vat_rate),
        row.vat_exemption_reason.as_deref(),
        row.vat_exemption_reason_code.as_deref(),
    )
    .map_err(|e| corrupt("line VAT", format!("{e:?}")))?;
    InvoiceLine::new(date, title, kind, status, row.trial, Cents::new(row.net_cents), currency, vat)
        .map_err(|e| corrupt("line", e))
}

/// A stored line of the core's `line`, number `line_no` of invoice `invoice_id`.
fn line_row(invoice_id: Uuid, line_no: i32, session: Uuid, series: Uuid, line: &InvoiceLine) -> invoice_line::Model {
    invoice_line::Model {
        invoice_id,
        line_no,
        session_id: session,
        series_id: series,
        date: line.date().format("%Y-%m-%d").to_string(),
        series_title: line.series_title().to_string(),
        kind: line.kind().as_str().to_owned(),
        status: line.status().as_str().to_owned(),
        trial: line.is_trial(),
        net_cents: line.net().get(),
        currency: line.currency().to_string(),
        vat_category: line.vat().code().to_owned(),
        vat_rate: line.vat().rate().percent(),
        vat_exemption_reason: line.vat().exemption_reason().map(ToString::to_string),
        vat_exemption_reason_code: line.vat().exemption_reason_code().map(|c| c.as_str().to_owned()),
    }
}

fn totals_record(totals: &Totals) -> InvoiceTotals {
    InvoiceTotals {
        line_total_cents: totals.line_total().get(),
        vat_total_cents: totals.vat_total().get(),
        tax_inclusive_cents: totals.tax_inclusive().get(),
        payable_cents: totals.payable().get(),
        subtotals: totals
            .subtotals()
            .iter()
            .map(|s| VatSubtotalRecord {
                vat_category: s.category().code().to_owned(),
                vat_rate: s.category().rate().percent(),
                vat_exemption_reason: s.category().exemption_reason().map(ToString::to_string),
                taxable_cents: s.taxable().get(),
                tax_cents: s.tax().get(),
            })
            .collect(),
    }
}

fn buyer_of(row: &invoice::Model) -> Result<(PayerBody, PayerDetails), StoreError> {
    let body: PayerBody = serde_json::from_str(&row.buyer).map_err(|e| corrupt("buyer", e))?;
    let details = PayerDetails::parse("payer.", &body).map_err(|e| corrupt("buyer", e))?;
    Ok((body, details))
}

/// The seller as kept on an approved row: the profile whose next number is the row's own.
fn seller_kept(row: &invoice::Model) -> Result<BillingProfile, StoreError> {
    let text = row.seller.as_deref().ok_or_else(|| corrupt("seller", "missing on an approved invoice"))?;
    let body: BillingProfileBody = serde_json::from_str(text).map_err(|e| corrupt("seller", e))?;
    BillingProfile::parse(&body).map_err(|e| corrupt("seller", e))
}

fn issue_date_of(row: &invoice::Model) -> Result<NaiveDate, StoreError> {
    let text = row.issue_date.as_deref().ok_or_else(|| corrupt("issue date", "missing"))?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| corrupt("issue date", e))
}

/// The issued invoice of an approved invoice row with its lines.
fn issued_invoice(row: &invoice::Model, lines: &[invoice_line::Model]) -> Result<Invoice, StoreError> {
    let seller = seller_kept(row)?;
    let (_, buyer) = buyer_of(row)?;
    let period = Period::month("period", &row.period).map_err(|e| corrupt("period", e))?;
    let lines = lines.iter().map(core_line).collect::<Result<Vec<_>, _>>()?;
    Invoice::issue(InvoiceInput {
        number: seller.number_series().next_number(),
        issue_date: issue_date_of(row)?,
        seller,
        buyer,
        period: Some(period),
        lines,
    })
    .map_err(|e| corrupt("invoice", e))
}

/// The lines of each of `invoices`, in line order.
async fn lines_of<C: ConnectionTrait>(
    db: &C,
    invoices: &[Uuid],
) -> Result<HashMap<Uuid, Vec<invoice_line::Model>>, StoreError> {
    let mut map: HashMap<Uuid, Vec<invoice_line::Model>> = invoices.iter().map(|id| (*id, Vec::new())).collect();
    for chunk in invoices.chunks(ID_CHUNK) {
        let rows = invoice_line::Entity::find()
            .filter(invoice_line::Column::InvoiceId.is_in(chunk.to_vec()))
            .order_by_asc(invoice_line::Column::InvoiceId)
            .order_by_asc(invoice_line::Column::LineNo)
            .all(db)
            .await?;
        for row in rows {
            map.entry(row.invoice_id).or_default().push(row);
        }
    }
    Ok(map)
}

/// The document of `row`: `None` for a draft; for a credit note, the credit of the invoice it
/// refers to (read in `db`).
async fn document_of<C: ConnectionTrait>(
    db: &C,
    row: &invoice::Model,
    lines: &[invoice_line::Model],
) -> Result<Option<Invoice>, StoreError> {
    if row.status != InvoiceStatus::Approved.as_str() {
        return Ok(None);
    }
    match InvoiceKind::parse(&row.kind) {
        InvoiceKind::Invoice => issued_invoice(row, lines).map(Some),
        InvoiceKind::CreditNote => {
            let original_id = row.credits_invoice_id.ok_or_else(|| corrupt("credit note", "no invoice"))?;
            let original = invoice::Entity::find_by_id(original_id)
                .one(db)
                .await?
                .ok_or_else(|| corrupt("credit note", "gone"))?;
            let original_lines = lines_of(db, &[original_id]).await?.remove(&original_id).unwrap_or_default();
            let invoice = issued_invoice(&original, &original_lines)?;
            let own = seller_kept(row)?;
            invoice
                .credit_note(own.number_series().next_number(), issue_date_of(row)?)
                .map(Some)
                .map_err(|e| corrupt("credit note", e))
        }
    }
}

/// The record of `row` with its lines (and its document's dates and reference when issued).
fn record_of(
    row: &invoice::Model,
    lines: &[invoice_line::Model],
    document: Option<&Invoice>,
) -> Result<InvoiceRecord, StoreError> {
    let (buyer_body, _) = buyer_of(row)?;
    let core: Vec<InvoiceLine> = lines.iter().map(core_line).collect::<Result<_, _>>()?;
    let totals = match document {
        Some(document) => document.totals().clone(),
        None => Totals::of(&core).map_err(|e| corrupt("totals", e))?,
    };
    let records = lines
        .iter()
        .map(|l| InvoiceLineRecord {
            line: l.line_no,
            session_id: l.session_id,
            series_id: l.series_id,
            date: NaiveDate::parse_from_str(&l.date, "%Y-%m-%d").unwrap_or_default(),
            series_title: l.series_title.clone(),
            kind: l.kind.clone(),
            status: l.status.clone(),
            trial: l.trial,
            net_cents: l.net_cents,
            currency: l.currency.clone(),
            vat_category: l.vat_category.clone(),
            vat_rate: l.vat_rate.clone(),
            vat_exemption_reason: l.vat_exemption_reason.clone(),
        })
        .collect();
    Ok(InvoiceRecord {
        id: row.id,
        supervisor_id: row.supervisor_id,
        organization_id: row.organization_id,
        kind: InvoiceKind::parse(&row.kind),
        status: InvoiceStatus::parse(&row.status).unwrap_or(InvoiceStatus::Draft),
        period: row.period.clone(),
        number: row.number.clone(),
        issue_date: document.map(Invoice::issue_date),
        due_date: document.map(Invoice::due_date),
        payment_reference: document.map(|d| d.payment_reference().as_str().to_owned()),
        credits_invoice_id: row.credits_invoice_id,
        buyer_name: buyer_body.name.trim().to_owned(),
        buyer_business_id: buyer_body.business_id.trim().to_owned(),
        lines: records,
        totals: totals_record(&totals),
        created_at: row.created_at,
        approved_at: row.approved_at,
    })
}

/// The record and document of invoice row `row`, read in `db`.
async fn full<C: ConnectionTrait>(
    db: &C,
    row: &invoice::Model,
) -> Result<(InvoiceRecord, Option<Invoice>), StoreError> {
    let lines = lines_of(db, &[row.id]).await?.remove(&row.id).unwrap_or_default();
    let document = document_of(db, row, &lines).await?;
    let record = record_of(row, &lines, document.as_ref())?;
    Ok((record, document))
}

/// The webhook event of a document just approved (an invoice) or issued (a credit note), in
/// the approving transaction; its document must have issued. Its body: ids, number, period,
/// dates, currency and totals — never the buyer's name or a line's text.
async fn emit_approved<C: ConnectionTrait>(
    txn: &C,
    record: &InvoiceRecord,
    document: Option<&Invoice>,
    event_type: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let document = document.ok_or_else(|| corrupt("invoice", "did not issue"))?;
    let totals = &record.totals;
    let data = serde_json::json!({
        "invoice_id": record.id,
        "kind": record.kind,
        "status": record.status,
        "number": record.number,
        "organization_id": record.organization_id,
        "supervisor_id": record.supervisor_id,
        "credits_invoice_id": record.credits_invoice_id,
        "period": record.period,
        "issue_date": record.issue_date,
        "due_date": record.due_date,
        "currency": document.currency().to_string(),
        "line_total_cents": totals.line_total_cents,
        "vat_total_cents": totals.vat_total_cents,
        "tax_inclusive_cents": totals.tax_inclusive_cents,
        "payable_cents": totals.payable_cents,
        "session_ids": record.lines.iter().map(|l| l.session_id).collect::<Vec<_>>(),
    });
    super::webhooks::emit_organization_event(txn, record.organization_id, None, event_type, data, now).await
}

/// Organization `id`, or not found.
async fn organization_exists<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<organization::Model, StoreError> {
    organization::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("organization"))
}

/// The seller's date today (in their zone).
async fn today_of<C: ConnectionTrait>(
    db: &C,
    supervisor_id: Uuid,
    now: DateTime<Utc>,
) -> Result<NaiveDate, StoreError> {
    let seller =
        supervisor::Entity::find_by_id(supervisor_id).one(db).await?.ok_or(StoreError::not_found("supervisor"))?;
    Ok(zone(&seller.timezone).local(now).date_naive())
}

/// A unique-key violation while numbering is a state the caller can resolve (409), anything
/// else the database's.
fn numbering_error(error: DbErr) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::refused(
            "number",
            "a session of this draft, or this number, is already on an approved invoice; discard and draft again",
        )
    } else {
        error.into()
    }
}

/// Takes the seller's next number in the transaction (the row is locked): the profile kept
/// on the document, its number's sequence, and the counter moved on.
async fn take_number<C: ConnectionTrait>(
    db: &C,
    supervisor_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, String, i64), StoreError> {
    let (mut body, profile, numbers) = seller_of(db, supervisor_id, true).await?;
    let series = profile.number_series();
    let advanced = series
        .advanced()
        .ok_or_else(|| StoreError::refused("number", "the invoice number series is used up; set a new prefix"))?;
    let number = series.next_number();
    let sequence = i64::try_from(number.sequence()).unwrap_or(i64::MAX);
    body.next_invoice_number = Some(sequence);
    let kept = serde_json::to_string(&body).map_err(|e| StoreError::Database(DbErr::Custom(e.to_string())))?;
    let mut active = numbers.into_active_model();
    active.next_number = Set(i64::try_from(advanced.next()).unwrap_or(i64::MAX));
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok((kept, number.to_string(), sequence))
}

impl Store {
    /// Drafts the invoices of organization `new.organization_id` for month `new.period` from
    /// the calling supervisor's series there (see the module's notes): one draft per payer.
    /// Only a supervisor drafts (`Forbidden` otherwise); an organization where they have no
    /// series is not found; a period not `YYYY-MM` is 422.
    pub async fn draft_invoices(
        &self,
        caller: &Caller,
        new: &NewDrafts,
        now: DateTime<Utc>,
    ) -> Result<Drafts, StoreError> {
        let supervisor_id = sells(caller)?;
        let period = Period::month("period", &new.period)?;
        let txn = self.begin_write().await?;
        let organization = organization_exists(&txn, new.organization_id).await?;
        let series_rows = series::Entity::find()
            .filter(series::Column::OrganizationId.eq(organization.id))
            .filter(series::Column::SupervisorId.eq(supervisor_id))
            .all(&txn)
            .await?;
        if series_rows.is_empty() {
            return Err(StoreError::not_found("organization"));
        }
        let ids: Vec<Uuid> = series_rows.iter().map(|s| s.id).collect();
        let terms = terms_in_force(&txn, &ids).await?;
        let by_id: HashMap<Uuid, &series::Model> = series_rows.iter().map(|s| (s.id, s)).collect();
        let invoiced_ids: Vec<Uuid> = terms.keys().copied().collect();
        // A day either side in UTC covers every zone's local dates of the month.
        let from = period.start().checked_sub_days(Days::new(1)).unwrap_or(period.start());
        let until = period.end().checked_add_days(Days::new(2)).unwrap_or(period.end());
        let mut sessions = Vec::new();
        for chunk in invoiced_ids.chunks(ID_CHUNK) {
            sessions.extend(
                session::Entity::find()
                    .filter(session::Column::SeriesId.is_in(chunk.to_vec()))
                    .filter(session::Column::StartsAt.gte(from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
                    .filter(session::Column::StartsAt.lt(until.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
                    .filter(session::Column::Status.ne(SessionStatus::Scheduled.as_str()))
                    .all(&txn)
                    .await?,
            );
        }
        let session_ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
        let invoiced = invoiced_among(&txn, &session_ids).await?;
        // Lines grouped by payer and exemption reason, each (date, title, index, session, series, line).
        type Charged = (NaiveDate, String, i32, Uuid, Uuid, InvoiceLine);
        let mut groups: BTreeMap<(String, String), (PayerBody, Vec<Charged>)> = BTreeMap::new();
        for row in sessions.iter().filter(|s| !invoiced.contains(&s.id)) {
            let (Some(series), Some((body, terms))) = (by_id.get(&row.series_id), terms.get(&row.series_id)) else {
                continue;
            };
            let date = zone(&row.timezone).local(row.starts_at).date_naive();
            if !period.contains(date) {
                continue;
            }
            let status = SessionStatus::parse(&row.status).unwrap_or(SessionStatus::Scheduled);
            let title = Label::parse("title", &series.title).map_err(|e| corrupt("series title", e))?;
            let kind = SeriesKind::parse(&series.kind).ok_or_else(|| corrupt("series kind", &series.kind))?;
            let index = u16::try_from(row.index).unwrap_or(u16::MAX);
            let Some(line) = terms.line(&title, kind, index, date, status, row.late_cancellation) else { continue };
            let payer = serde_json::to_string(&body.payer).map_err(|e| corrupt("payer", e))?;
            let exempt = line.vat().exemption_reason().map(ToString::to_string).unwrap_or_default();
            groups.entry((payer, exempt)).or_insert_with(|| (body.payer.clone(), Vec::new())).1.push((
                date,
                series.title.clone(),
                row.index,
                row.id,
                row.series_id,
                line,
            ));
        }
        let mut drafts = Vec::new();
        for ((buyer, _), (_, mut charged)) in groups {
            charged.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
            let row = invoice::Model {
                id: new_id(),
                supervisor_id,
                organization_id: organization.id,
                kind: InvoiceKind::Invoice.as_str().to_owned(),
                status: InvoiceStatus::Draft.as_str().to_owned(),
                period: period.month_text(),
                buyer,
                seller: None,
                number: None,
                sequence: None,
                issue_date: None,
                credits_invoice_id: None,
                locale: organization.locale.clone(),
                created_at: now,
                approved_at: None,
            }
            .into_active_model()
            .insert(&txn)
            .await?;
            let lines: Vec<invoice_line::ActiveModel> = (1..)
                .zip(&charged)
                .map(|(no, (_, _, _, session, series, line))| {
                    line_row(row.id, no, *session, *series, line).into_active_model()
                })
                .collect();
            for chunk in lines.chunks(200) {
                invoice_line::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
            }
            drafts.push(full(&txn, &row).await?.0);
        }
        txn.commit().await?;
        Ok(Drafts { drafts })
    }

    /// Invoices the caller may see (the seller: their own, drafts too; admins: all; a
    /// coordinator: their organization's approved ones; participants: `Forbidden`), filtered,
    /// in creation order, one page at a time.
    pub async fn list_invoices(
        &self,
        caller: &Caller,
        filter: &InvoiceFilter,
        page: &Page,
    ) -> Result<Paged<InvoiceRecord>, StoreError> {
        reads_invoices(caller)?;
        let limit = page.limit()?;
        let db = self.connection();
        let mut query = invoice::Entity::find().order_by_asc(invoice::Column::Id);
        match caller {
            Caller::Supervisor { supervisor_id } => {
                query = query.filter(invoice::Column::SupervisorId.eq(*supervisor_id));
            }
            Caller::Coordinator { organization_id } => {
                query = query
                    .filter(invoice::Column::OrganizationId.eq(*organization_id))
                    .filter(invoice::Column::Status.eq(InvoiceStatus::Approved.as_str()));
            }
            Caller::Admin | Caller::Participant { .. } => {}
        }
        if let Some(id) = filter.organization_id {
            query = query.filter(invoice::Column::OrganizationId.eq(id));
        }
        if let Some(status) = &filter.status {
            let status =
                InvoiceStatus::parse(status).ok_or_else(|| StoreError::invalid("status", "use draft or approved"))?;
            query = query.filter(invoice::Column::Status.eq(status.as_str()));
        }
        if let Some(period) = &filter.period {
            query = query.filter(invoice::Column::Period.eq(Period::month("period", period)?.month_text()));
        }
        if let Some(after) = page.after()? {
            query = query.filter(invoice::Column::Id.gt(after));
        }
        let rows = query.limit(u64::from(limit) + 1).all(db).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut lines = lines_of(db, &ids).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let lines = lines.remove(&row.id).unwrap_or_default();
            // The list shows totals computed from the lines; the dates of an issued document
            // come from its row (its due date needs the kept seller).
            let document = document_of(db, row, &lines).await?;
            items.push(record_of(row, &lines, document.as_ref())?);
        }
        Ok(Paged::from_fetched(items, limit, |i| i.id))
    }

    /// One invoice (see the module's notes on who may read it).
    pub async fn get_invoice(&self, caller: &Caller, id: Uuid) -> Result<InvoiceRecord, StoreError> {
        Ok(self.invoice_document(caller, id).await?.record)
    }

    /// One invoice with its issued document, for the exports.
    pub async fn invoice_document(&self, caller: &Caller, id: Uuid) -> Result<InvoiceDocument, StoreError> {
        reads_invoices(caller)?;
        let db = self.connection();
        let row = invoice::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("invoice"))?;
        let approved = row.status == InvoiceStatus::Approved.as_str();
        invoice_access(caller, row.supervisor_id, row.organization_id, approved, InvoiceAccess::Read)?;
        let (record, document) = full(db, &row).await?;
        let locale = Locale::parse(&row.locale).unwrap_or_default();
        Ok(InvoiceDocument { record, document, locale })
    }

    /// Invoice `id` for the caller to act on (its seller), in a write transaction with its
    /// row locked, and whether it is approved. Others: as `invoice_access` answers (a
    /// stranger's invoice is not found).
    async fn invoice_to_act_on(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<(DatabaseTransaction, invoice::Model, bool), StoreError> {
        reads_invoices(caller)?;
        let txn = self.begin_write().await?;
        let row = invoice::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("invoice"))?;
        let approved = row.status == InvoiceStatus::Approved.as_str();
        invoice_access(caller, row.supervisor_id, row.organization_id, approved, InvoiceAccess::Act)?;
        Ok((txn, row, approved))
    }

    /// Approves draft `id` (its seller): the next number of the seller's series, assigned in
    /// this transaction with the seller's number row locked; its sessions recorded as
    /// invoiced. A session already on an approved invoice refuses it (409: discard and draft
    /// again), as does an invoice already approved (409).
    pub async fn approve_invoice(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<InvoiceRecord, StoreError> {
        let (txn, row, approved) = self.invoice_to_act_on(caller, id).await?;
        if approved {
            return Err(StoreError::refused("status", "the invoice is approved and cannot change; credit it instead"));
        }
        let (seller, number, sequence) = take_number(&txn, row.supervisor_id, now).await?;
        let lines = lines_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
        let sessions: Vec<Uuid> = lines.iter().map(|l| l.session_id).collect();
        let already = invoiced_among(&txn, &sessions).await?;
        if !already.is_empty() {
            return Err(StoreError::refused(
                "lines",
                format!(
                    "{} of its sessions are already on an approved invoice; discard this draft and draft again",
                    already.len()
                ),
            ));
        }
        let issue_date = today_of(&txn, row.supervisor_id, now).await?;
        let mut active = row.into_active_model();
        active.status = Set(InvoiceStatus::Approved.as_str().to_owned());
        active.seller = Set(Some(seller));
        active.number = Set(Some(number));
        active.sequence = Set(Some(sequence));
        active.issue_date = Set(Some(issue_date.format("%Y-%m-%d").to_string()));
        active.approved_at = Set(Some(now));
        let row = active.update(&txn).await.map_err(numbering_error)?;
        // The document must issue (it always does from a draft's lines; checked, not assumed).
        issued_invoice(&row, &lines).map_err(|e| StoreError::refused("lines", e.to_string()))?;
        let marks: Vec<invoiced_session::ActiveModel> = sessions
            .iter()
            .map(|s| invoiced_session::Model { session_id: *s, invoice_id: id, created_at: now }.into_active_model())
            .collect();
        for chunk in marks.chunks(200) {
            invoiced_session::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await
                .map_err(numbering_error)?;
        }
        let (record, document) = full(&txn, &row).await?;
        emit_approved(&txn, &record, document.as_ref(), "invoice.approved", now).await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Discards draft `id` (its seller). An approved invoice is never deleted (409).
    pub async fn discard_invoice(&self, caller: &Caller, id: Uuid) -> Result<(), StoreError> {
        let (txn, _, approved) = self.invoice_to_act_on(caller, id).await?;
        if approved {
            return Err(StoreError::refused("status", "an approved invoice cannot be deleted; credit it instead"));
        }
        invoice_line::Entity::delete_many().filter(invoice_line::Column::InvoiceId.eq(id)).exec(&txn).await?;
        invoice::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Credits approved invoice `id` in full (its seller): a credit note numbered from the
    /// seller's series, referring to the invoice, dated today (or the invoice's date, if
    /// later). Its sessions are released, so a corrected invoice can charge them again. A
    /// draft, a credit note or an invoice already credited refuses it (409).
    pub async fn credit_invoice(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<InvoiceRecord, StoreError> {
        let (txn, original, approved) = self.invoice_to_act_on(caller, id).await?;
        if !approved {
            return Err(StoreError::refused("status", "a draft is discarded, not credited"));
        }
        if InvoiceKind::parse(&original.kind) == InvoiceKind::CreditNote {
            return Err(StoreError::refused("kind", "a credit note cannot be credited"));
        }
        let credited = invoice::Entity::find().filter(invoice::Column::CreditsInvoiceId.eq(id)).one(&txn).await?;
        if credited.is_some() {
            return Err(StoreError::refused("status", "the invoice is already credited"));
        }
        let lines = lines_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
        let (seller, number, sequence) = take_number(&txn, original.supervisor_id, now).await?;
        let issue_date = today_of(&txn, original.supervisor_id, now).await?.max(issue_date_of(&original)?);
        let credit = invoice::Model {
            id: new_id(),
            supervisor_id: original.supervisor_id,
            organization_id: original.organization_id,
            kind: InvoiceKind::CreditNote.as_str().to_owned(),
            status: InvoiceStatus::Approved.as_str().to_owned(),
            period: original.period.clone(),
            buyer: original.buyer.clone(),
            seller: Some(seller),
            number: Some(number),
            sequence: Some(sequence),
            issue_date: Some(issue_date.format("%Y-%m-%d").to_string()),
            credits_invoice_id: Some(id),
            locale: original.locale.clone(),
            created_at: now,
            approved_at: Some(now),
        }
        .into_active_model()
        .insert(&txn)
        .await
        .map_err(numbering_error)?;
        let copies: Vec<invoice_line::ActiveModel> = lines
            .iter()
            .map(|l| invoice_line::Model { invoice_id: credit.id, ..l.clone() }.into_active_model())
            .collect();
        for chunk in copies.chunks(200) {
            invoice_line::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        invoiced_session::Entity::delete_many().filter(invoiced_session::Column::InvoiceId.eq(id)).exec(&txn).await?;
        let (record, document) = full(&txn, &credit).await?;
        emit_approved(&txn, &record, document.as_ref(), "invoice.credited", now).await?;
        txn.commit().await?;
        Ok(record)
    }
}
