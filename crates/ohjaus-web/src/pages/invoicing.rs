//! Invoicing pages: the supervisor's "Invoicing" page (draft a month's invoices per
//! organization, approve, discard, credit, download XML and CSV), a printable invoice (the
//! print stylesheet in `ohjaus.css` leaves only the document), and the contract's figures on
//! the coordinator's series page. Every rule is the store's; the documents are
//! `ohjaus-einvoice`'s.

use super::{field_errors, problems};
use crate::ctx::AsSupervisor;
use crate::errors::PageError;
use crate::form::FormData;
use crate::i18n;
use crate::layout::{csrf_field, page};
use crate::security::see_other;
use crate::state::WebState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use ohjaus_core::{FieldError, Locale};
use ohjaus_store::page::Page;
use ohjaus_store::write::contracts::ContractFigures;
use ohjaus_store::write::invoices::{InvoiceFilter, InvoiceKind, InvoiceRecord, InvoiceStatus, NewDrafts};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Most invoices the page lists.
const LISTED: u32 = 200;

/// Cents as euros the reader's way: `1 234,50 €` (fi, sv) or `€1,234.50` (en).
pub fn money(locale: Locale, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(if locale == Locale::En { ',' } else { '\u{a0}' });
        }
        grouped.push(c);
    }
    let fraction = cents % 100;
    match locale {
        Locale::En => format!("{sign}€{grouped}.{fraction:02}"),
        _ => format!("{sign}{grouped},{fraction:02}\u{a0}€"),
    }
}

fn status_text(l: Locale, invoice: &InvoiceRecord) -> &'static str {
    match (invoice.kind, invoice.status) {
        (InvoiceKind::CreditNote, _) => tr!(l, "Hyvityslasku", "Kreditnota", "Credit note"),
        (_, InvoiceStatus::Draft) => tr!(l, "Luonnos", "Utkast", "Draft"),
        (_, InvoiceStatus::Approved) => tr!(l, "Hyväksytty", "Godkänd", "Approved"),
    }
}

fn line_status(l: Locale, status: &str, trial: bool) -> String {
    let base = if status == "late_cancelled" {
        tr!(l, "myöhään peruttu", "sent avbokad", "cancelled late")
    } else {
        tr!(l, "pidetty", "hållen", "held")
    };
    if trial { format!("{base}, {}", tr!(l, "kokeilu", "prov", "trial")) } else { base.to_owned() }
}

async fn invoicing_page(
    state: &WebState,
    who: &AsSupervisor,
    errors: Option<Vec<FieldError>>,
) -> Result<Response, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let store = &state.store;
    let organizations = store.list_organizations(&who.caller).await?;
    let names: HashMap<Uuid, String> = organizations.iter().map(|o| (o.id, o.name.clone())).collect();
    let invoices = store.list_invoices(&who.caller, &InvoiceFilter::default(), &Page::first(LISTED)).await?.items;
    // Per organization and month, newest month first.
    let mut groups: BTreeMap<(String, std::cmp::Reverse<String>), Vec<&InvoiceRecord>> = BTreeMap::new();
    for invoice in &invoices {
        let name = names.get(&invoice.organization_id).cloned().unwrap_or_default();
        groups.entry((name, std::cmp::Reverse(invoice.period.clone()))).or_default().push(invoice);
    }
    let this_month = state.clock.now().with_timezone(&ctx.zone).format("%Y-%m").to_string();
    let title = tr!(l, "Laskutus", "Fakturering", "Invoicing");
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if let Some(errors) = &errors { (problems(l, errors)) }
            section.card aria-labelledby="draft-heading" {
                h2 #draft-heading { (tr!(l, "Laskuluonnokset kuukaudelta", "Fakturautkast för en månad", "Draft a month's invoices")) }
                p.help { (tr!(l,
                    "Luonnokseen tulevat kuukauden pidetyt tapaamiset ja sopimuksen mukaan veloitettavat myöhään perutut, joita ei ole vielä laskutettu.",
                    "Utkastet får månadens hållna träffar och de sent avbokade som avtalet debiterar, som inte redan fakturerats.",
                    "A draft gets the month's sessions held, and those cancelled late that the contract charges, not yet invoiced.")) }
                form.stack method="post" action="/supervisor/invoicing/drafts" {
                    (csrf_field(ctx))
                    div.field {
                        label for="organization" { (tr!(l, "Organisaatio", "Organisation", "Organization")) }
                        select #organization name="organization_id" required {
                            @for organization in &organizations { option value=(organization.id) { (organization.name) } }
                        }
                    }
                    div.field {
                        label for="period" { (tr!(l, "Kuukausi", "Månad", "Month")) }
                        input #period type="month" name="period" value=(this_month) required pattern="[0-9]{4}-[0-9]{2}";
                    }
                    button.primary type="submit" { (tr!(l, "Tee luonnokset", "Gör utkast", "Draft invoices")) }
                }
            }
            @if groups.is_empty() {
                p { (tr!(l, "Ei laskuja vielä.", "Inga fakturor ännu.", "No invoices yet.")) }
            }
            @for ((organization, month), list) in &groups {
                section.card.invoices aria-label={ (organization) " " (month.0) } {
                    h2 { (organization) " · " (month.0) }
                    table {
                        thead { tr {
                            th scope="col" { (tr!(l, "Numero", "Nummer", "Number")) }
                            th scope="col" { (tr!(l, "Tila", "Status", "Status")) }
                            th scope="col" { (tr!(l, "Maksaja", "Betalare", "Payer")) }
                            th scope="col" { (tr!(l, "Rivejä", "Rader", "Lines")) }
                            th scope="col" { (tr!(l, "Yhteensä", "Totalt", "Total")) }
                            th scope="col" { (tr!(l, "Toiminnot", "Åtgärder", "Actions")) }
                        } }
                        tbody {
                            @for invoice in list {
                                tr {
                                    td { a href={ "/supervisor/invoices/" (invoice.id) } { (invoice.number.as_deref().unwrap_or("–")) } }
                                    td { span.badge { (status_text(l, invoice)) } }
                                    td { (invoice.buyer_name) }
                                    td { (invoice.lines.len()) }
                                    td.amount { (money(l, invoice.totals.payable_cents)) }
                                    td.actions {
                                        @if invoice.status == InvoiceStatus::Draft {
                                            form.inline method="post" action={ "/supervisor/invoices/" (invoice.id) "/approve" } {
                                                (csrf_field(ctx))
                                                button.primary type="submit" { (tr!(l, "Hyväksy", "Godkänn", "Approve")) }
                                            }
                                            form.inline method="post" action={ "/supervisor/invoices/" (invoice.id) "/discard" } {
                                                (csrf_field(ctx))
                                                button type="submit" { (tr!(l, "Hylkää luonnos", "Släng utkastet", "Discard")) }
                                            }
                                        } @else {
                                            a href={ "/supervisor/invoices/" (invoice.id) "/download?format=xml" } { "XML" }
                                            " · "
                                            a href={ "/supervisor/invoices/" (invoice.id) "/download?format=csv" } { "CSV" }
                                            @if invoice.kind == InvoiceKind::Invoice && !invoices.iter().any(|i| i.credits_invoice_id == Some(invoice.id)) {
                                                form.inline method="post" action={ "/supervisor/invoices/" (invoice.id) "/credit" } {
                                                    (csrf_field(ctx))
                                                    button type="submit" { (tr!(l, "Hyvitä", "Kreditera", "Credit")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    Ok((status, body).into_response())
}

/// `GET /supervisor/invoicing`.
pub async fn invoicing(State(state): State<WebState>, who: AsSupervisor) -> Result<Response, PageError> {
    invoicing_page(&state, &who, None).await
}

/// What a form's store call gave: back to the list with a notice, or the list with the
/// problems.
async fn after(
    state: &WebState,
    who: &AsSupervisor,
    result: Result<(), ohjaus_store::StoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other("/supervisor/invoicing")),
        Err(error) => match field_errors(&error) {
            Some(errors) => invoicing_page(state, who, Some(errors)).await,
            None => Err(error.into()),
        },
    }
}

/// `POST /supervisor/invoicing/drafts`.
pub async fn draft(State(state): State<WebState>, who: AsSupervisor, form: FormData) -> Result<Response, PageError> {
    let Some(organization_id) = form.get("organization_id").and_then(|id| id.parse::<Uuid>().ok()) else {
        let error = FieldError::new("organization_id", "choose an organization");
        return invoicing_page(&state, &who, Some(vec![error])).await;
    };
    let new = NewDrafts { organization_id, period: form.get("period").unwrap_or_default().to_owned() };
    let result = state.store.draft_invoices(&who.caller, &new, state.clock.now()).await.map(|_| ());
    after(&state, &who, result).await
}

/// `POST /supervisor/invoices/{id}/approve`.
pub async fn approve(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let result = state.store.approve_invoice(&who.caller, id, state.clock.now()).await.map(|_| ());
    after(&state, &who, result).await
}

/// `POST /supervisor/invoices/{id}/discard`.
pub async fn discard(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let result = state.store.discard_invoice(&who.caller, id).await;
    after(&state, &who, result).await
}

/// `POST /supervisor/invoices/{id}/credit`.
pub async fn credit(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let result = state.store.credit_invoice(&who.caller, id, state.clock.now()).await.map(|_| ());
    after(&state, &who, result).await
}

/// `?format=xml|csv` of a download.
#[derive(Debug, Deserialize)]
pub struct Download {
    format: Option<String>,
}

/// `GET /supervisor/invoices/{id}/download?format=xml|csv`: the UBL document or its lines.
pub async fn download(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
    Query(query): Query<Download>,
) -> Result<Response, PageError> {
    let found = state.store.invoice_document(&who.caller, id).await?;
    let Some(document) = found.document else { return Ok(see_other(&format!("/supervisor/invoices/{id}"))) };
    let name = found.record.number.as_deref().unwrap_or("invoice").replace(['/', '\\', '"'], "-");
    let (media, text, extension) = if query.format.as_deref() == Some("csv") {
        ("text/csv; charset=utf-8", ohjaus_einvoice::csv_lines(&document), "csv")
    } else {
        ("application/xml", ohjaus_einvoice::ubl_xml(&document, found.locale), "xml")
    };
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    Ok(([(header::CONTENT_TYPE, media.to_owned()), (header::CONTENT_DISPOSITION, disposition)], text).into_response())
}

/// `GET /supervisor/invoices/{id}`: the invoice as a printable page.
pub async fn invoice(
    State(state): State<WebState>,
    who: AsSupervisor,
    Path(id): Path<Uuid>,
) -> Result<Markup, PageError> {
    let ctx = &who.ctx;
    let l = ctx.locale;
    let found = state.store.invoice_document(&who.caller, id).await?;
    let record = &found.record;
    let title = match &record.number {
        Some(number) => format!("{} {number}", status_text(l, record)),
        None => status_text(l, record).to_owned(),
    };
    Ok(page(
        ctx,
        &title,
        html! {
            p.crumbs.no-print { a href="/supervisor/invoicing" { (tr!(l, "Laskutus", "Fakturering", "Invoicing")) } }
            article.invoice-document {
                h1 { (title) }
                @if let Some(document) = &found.document {
                    dl.facts {
                        dt { (tr!(l, "Myyjä", "Säljare", "Seller")) }
                        dd { (document.seller().legal_name()) " (" (document.seller().business_id().to_string()) ")" }
                        dt { (tr!(l, "Ostaja", "Köpare", "Buyer")) }
                        dd { (document.buyer().name()) " (" (document.buyer().business_id().to_string()) ")" }
                        dt { (tr!(l, "Päiväys", "Datum", "Date")) } dd { (i18n::date(l, document.issue_date())) }
                        dt { (tr!(l, "Eräpäivä", "Förfallodag", "Due")) } dd { (i18n::date(l, document.due_date())) }
                        dt { (tr!(l, "Viitenumero", "Referensnummer", "Reference")) } dd { (document.payment_reference().grouped()) }
                        dt { "IBAN" } dd { (document.seller().iban().to_string()) " · BIC " (document.seller().bic().as_str()) }
                    }
                } @else {
                    p.help { (tr!(l, "Luonnos: numero ja päiväys annetaan hyväksyttäessä.", "Utkast: nummer och datum ges vid godkännandet.", "Draft: the number and date are given on approval.")) }
                }
                p.meta { (tr!(l, "Kausi", "Period", "Period")) " " (record.period) }
                table {
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { (tr!(l, "Päivä", "Dag", "Date")) }
                        th scope="col" { (tr!(l, "Sarja", "Serie", "Series")) }
                        th scope="col" { (tr!(l, "Tila", "Status", "Status")) }
                        th scope="col" { (tr!(l, "ALV", "Moms", "VAT")) }
                        th scope="col" { (tr!(l, "Veroton", "Exkl. moms", "Net")) }
                    } }
                    tbody {
                        @for line in &record.lines {
                            tr {
                                td { (line.line) }
                                td { (i18n::date(l, line.date)) }
                                td { (line.series_title) }
                                td { (line_status(l, &line.status, line.trial)) }
                                td { (line.vat_category) " " (line.vat_rate) " %" }
                                td.amount { (money(l, line.net_cents)) }
                            }
                        }
                    }
                }
                table.totals {
                    tbody {
                        @for subtotal in &record.totals.subtotals {
                            tr {
                                th scope="row" {
                                    (tr!(l, "ALV", "Moms", "VAT")) " " (subtotal.vat_category) " " (subtotal.vat_rate) " % ("
                                    (money(l, subtotal.taxable_cents)) ")"
                                    @if let Some(reason) = &subtotal.vat_exemption_reason { " – " (reason) }
                                }
                                td.amount { (money(l, subtotal.tax_cents)) }
                            }
                        }
                        tr.total {
                            th scope="row" { (tr!(l, "Maksettava", "Att betala", "Payable")) }
                            td.amount { (money(l, record.totals.payable_cents)) }
                        }
                    }
                }
            }
            p.no-print {
                @if found.document.is_some() {
                    a href={ "/supervisor/invoices/" (id) "/download?format=xml" } { (tr!(l, "Lataa verkkolasku (XML)", "Ladda ner e-fakturan (XML)", "Download the e-invoice (XML)")) }
                    " · "
                    a href={ "/supervisor/invoices/" (id) "/download?format=csv" } { (tr!(l, "Rivit CSV:nä", "Raderna som CSV", "Lines as CSV")) }
                }
            }
        },
    ))
}

/// The contract's figures, for the coordinator's series page (nothing when the series has no
/// contract).
pub fn contract_figures(l: Locale, figures: Option<&ContractFigures>) -> Markup {
    html! {
        @if let Some(f) = figures {
            section.card.contract aria-labelledby="contract-heading" {
                h2 #contract-heading { (tr!(l, "Sopimus", "Avtal", "Contract")) }
                dl.facts {
                    dt { (tr!(l, "Sovittu", "Avtalat", "Contracted")) } dd { (f.contracted) }
                    dt { (tr!(l, "Veloitettu", "Debiterat", "Charged")) } dd { (f.charged) }
                    dt { (tr!(l, "Jäljellä", "Kvar", "Remaining")) } dd { (f.remaining) }
                    dt { (tr!(l, "Laskutettu", "Fakturerat", "Invoiced")) } dd { (f.invoiced) }
                }
            }
        }
    }
}
