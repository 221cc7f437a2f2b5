//! Contracts and invoices: a series' contract terms (with their history and figures), the
//! seller's billing profile, invoice drafts per organization and month, approval, discarding
//! drafts, credit notes, and an invoice as JSON, UBL 2.1 (Peppol BIS Billing 3.0) or CSV of
//! its lines. The store decides who may do what (`ohjaus_store::access`); `ohjaus-einvoice`
//! writes the documents.

use crate::ApiRouter;
use crate::auth::Auth;
use crate::docs::{BodyErrors, Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::extract::{Body, Id, Query};
use crate::paging::page;
use crate::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ohjaus_core::{BillingProfileBody, ContractTermsBody, FieldError};
use ohjaus_store::page::Paged;
use ohjaus_store::write::billing_profiles::BillingProfileRecord;
use ohjaus_store::write::contracts::Contract;
use ohjaus_store::write::invoices::{Drafts, InvoiceFilter, InvoiceRecord, NewDrafts};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;
use uuid::Uuid;

/// The media type of a UBL invoice.
pub const XML_MEDIA_TYPE: &str = "application/xml";
/// The media type of the lines' CSV.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";

/// The routes.
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(get_contract, set_contract))
        .routes(routes!(get_billing_profile, set_billing_profile))
        .routes(routes!(draft_invoices))
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice, discard_invoice))
        .routes(routes!(approve_invoice))
        .routes(routes!(credit_invoice))
}

/// The contract of a series: the terms in force, the figures (sessions contracted, charged,
/// remaining, invoiced) and every earlier version (admin, the organization's coordinator, the
/// series' supervisor; a participant 403).
#[utoipa::path(get, path = "/api/v1/series/{id}/contract", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    responses((status = 200, description = "The contract", body = Contract), Unauthorized, Forbidden, NotFound))]
async fn get_contract(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<Contract>, Problem> {
    Ok(Json(state.store.get_contract(&caller, id).await?))
}

/// Sets a series' contract terms as a new version, the old kept (admin, the organization's
/// coordinator, the series' supervisor). Every field is checked (a business ID's check digit,
/// a VAT rate of at most 100, an exemption reason for `E`, a price not negative; 422 and
/// nothing stored). `ends_early_from: k` ends the contract from session k: those sessions are
/// cancelled in time, never charged, and everyone invited gets the cancellation; it is never
/// undone nor moved later, nor set at or before a held session (409).
#[utoipa::path(put, path = "/api/v1/series/{id}/contract", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    request_body = ContractTermsBody,
    responses((status = 200, description = "The contract", body = Contract),
        Unauthorized, Forbidden, NotFound, Conflict, BodyErrors))]
async fn set_contract(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(body): Body<ContractTermsBody>,
) -> Result<Json<Contract>, Problem> {
    Ok(Json(state.store.set_contract(&caller, id, &body, state.clock.now()).await?))
}

/// A supervisor's billing profile as a seller, with their invoice number series (the
/// supervisor, admins).
#[utoipa::path(get, path = "/api/v1/supervisors/{id}/billing-profile", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    responses((status = 200, description = "The billing profile", body = BillingProfileRecord),
        Unauthorized, Forbidden, NotFound))]
async fn get_billing_profile(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<BillingProfileRecord>, Problem> {
    Ok(Json(state.store.get_billing_profile(&caller, id).await?))
}

/// Sets a supervisor's billing profile (the supervisor, admins): legal name, business ID
/// (check digit), VAT number, address, IBAN (checksum) and BIC, payment terms, the invoice
/// number prefix and next number (never below one used). 422 and nothing stored when wrong.
#[utoipa::path(put, path = "/api/v1/supervisors/{id}/billing-profile", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The supervisor")),
    request_body = BillingProfileBody,
    responses((status = 200, description = "The billing profile", body = BillingProfileRecord),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn set_billing_profile(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Body(body): Body<BillingProfileBody>,
) -> Result<Json<BillingProfileRecord>, Problem> {
    Ok(Json(state.store.set_billing_profile(&caller, id, &body, state.clock.now()).await?))
}

/// Drafts the calling supervisor's invoices to an organization for a month: one line per
/// charged session (held; cancelled late when the contract charges it; the first sessions at
/// the trial price), sessions already on an approved invoice left out. One draft per payer;
/// none when nothing is left to invoice. Only a supervisor drafts (403); an organization where
/// they have no series is 404.
#[utoipa::path(post, path = "/api/v1/invoices/drafts", tag = "invoicing", security(("bearer" = [])),
    request_body = NewDrafts,
    responses(
        (status = 201, description = "The drafts made", body = Drafts,
            headers(("Location" = String, description = "The list of the month's drafts to the organization"))),
        Unauthorized, Forbidden, NotFound, BodyErrors))]
async fn draft_invoices(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Body(new): Body<NewDrafts>,
) -> Result<Response, Problem> {
    let drafts = state.store.draft_invoices(&caller, &new, state.clock.now()).await?;
    let location =
        format!("/api/v1/invoices?status=draft&organization_id={}&period={}", new.organization_id, new.period);
    Ok(super::created(location, drafts))
}

/// Filters and page of `GET /invoices`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InvoiceQuery {
    /// Of one organization.
    organization_id: Option<Uuid>,
    /// `draft` or `approved`.
    #[param(pattern = "^(draft|approved)$")]
    status: Option<String>,
    /// One month, `YYYY-MM`.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    period: Option<String>,
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// The invoices the caller may see: a supervisor their own (drafts too), a coordinator their
/// organization's approved invoices and credit notes, an admin all; participants 403.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoicing", security(("bearer" = [])),
    params(InvoiceQuery),
    responses((status = 200, description = "A page of invoices", body = Paged<InvoiceRecord>),
        Unauthorized, Forbidden, Invalid))]
async fn list_invoices(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Query(query): Query<InvoiceQuery>,
) -> Result<Json<Paged<InvoiceRecord>>, Problem> {
    let page = page(query.limit, query.cursor)?;
    let filter = InvoiceFilter { organization_id: query.organization_id, status: query.status, period: query.period };
    Ok(Json(state.store.list_invoices(&caller, &filter, &page).await?))
}

/// The format of `GET /invoices/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct InvoiceFormat {
    /// `json` (the default), `ubl` (UBL 2.1 XML under Peppol BIS Billing 3.0: an Invoice or a
    /// CreditNote) or `csv` (its lines). `Accept: application/xml` asks for UBL, `text/csv` for
    /// CSV.
    #[param(pattern = "^(json|ubl|csv)$")]
    format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Ubl,
    Csv,
}

fn format_of(format: Option<&str>, headers: &HeaderMap) -> Result<Format, Problem> {
    match format {
        Some("json") => return Ok(Format::Json),
        Some("ubl" | "xml") => return Ok(Format::Ubl),
        Some("csv") => return Ok(Format::Csv),
        Some(_) => return Err(Problem::validation(&[FieldError::new("format", "use json, ubl or csv")])),
        None => {}
    }
    let accept = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    let first = accept
        .split(',')
        .map(|range| range.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .find(|media| {
            matches!(media.as_str(), "application/xml" | "text/xml" | "text/csv" | "application/json")
                || media.ends_with("+json")
        });
    Ok(match first.as_deref() {
        Some("application/xml" | "text/xml") => Format::Ubl,
        Some("text/csv") => Format::Csv,
        _ => Format::Json,
    })
}

/// One invoice, draft or credit note, as JSON; an approved one also as UBL 2.1 XML (Peppol BIS
/// Billing 3.0; `?format=ubl` or `Accept: application/xml`) or CSV of its lines
/// (`?format=csv` or `Accept: text/csv`). A draft has no document yet (409 for UBL and CSV).
/// Its lines name the date, the series and the status, never a participant, a note or a goal.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invoice"), InvoiceFormat),
    responses((status = 200, description = "The invoice",
            content((InvoiceRecord = "application/json"), (String = "application/xml"), (String = "text/csv"))),
        Unauthorized, Forbidden, NotFound, Conflict, Invalid))]
async fn get_invoice(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
    Query(query): Query<InvoiceFormat>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let format = format_of(query.format.as_deref(), &headers)?;
    let found = state.store.invoice_document(&caller, id).await?;
    if format == Format::Json {
        return Ok(Json(found.record).into_response());
    }
    let Some(document) = found.document else {
        return Err(ohjaus_store::StoreError::refused("format", "a draft has no document yet: approve it first").into());
    };
    let name = found.record.number.as_deref().unwrap_or("invoice").replace(['/', '\\', '"'], "-");
    let (media, text, extension) = match format {
        Format::Ubl => (XML_MEDIA_TYPE, ohjaus_einvoice::ubl_xml(&document, found.locale), "xml"),
        _ => (CSV_MEDIA_TYPE, ohjaus_einvoice::csv_lines(&document), "csv"),
    };
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    Ok(([(header::CONTENT_TYPE, media.to_owned()), (header::CONTENT_DISPOSITION, disposition)], text).into_response())
}

/// Approves a draft (its seller): it gets the next number of the seller's series, assigned in
/// the approving transaction, and never changes again. 409 when it is already approved, when
/// a session of it is already on an approved invoice (discard and draft again) or when the
/// seller has no billing profile.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/approve", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The draft")),
    responses((status = 200, description = "The approved invoice", body = InvoiceRecord),
        Unauthorized, Forbidden, NotFound, Conflict))]
async fn approve_invoice(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Id(id): Id,
) -> Result<Json<InvoiceRecord>, Problem> {
    Ok(Json(state.store.approve_invoice(&caller, id, state.clock.now()).await?))
}

/// Discards a draft (its seller). An approved invoice is never deleted (409): credit it.
#[utoipa::path(delete, path = "/api/v1/invoices/{id}", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The draft")),
    responses((status = 204, description = "The draft is discarded"), Unauthorized, Forbidden, NotFound, Conflict))]
async fn discard_invoice(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<StatusCode, Problem> {
    state.store.discard_invoice(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Credits an approved invoice in full (its seller): a credit note numbered from the seller's
/// series, referring to the invoice; its sessions may be invoiced again. 409 for a draft, a
/// credit note, or an invoice already credited.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/credit", tag = "invoicing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invoice")),
    responses(
        (status = 201, description = "The credit note", body = InvoiceRecord,
            headers(("Location" = String, description = "Where the credit note is"))),
        Unauthorized, Forbidden, NotFound, Conflict))]
async fn credit_invoice(State(state): State<AppState>, Auth(caller): Auth, Id(id): Id) -> Result<Response, Problem> {
    let credit = state.store.credit_invoice(&caller, id, state.clock.now()).await?;
    Ok(super::created(format!("/api/v1/invoices/{}", credit.id), credit))
}
