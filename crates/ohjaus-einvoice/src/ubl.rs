//! UBL 2.1 XML of an invoice or a credit note, as Peppol BIS Billing 3.0 profiles it.
//!
//! Written with `quick-xml`'s writer rather than by formatting strings: it escapes every text
//! and attribute value (`&`, `<`, `>`, quotes) in one place, so a series title like
//! "Tiimi A & B <pilotti>" cannot break the document. Element order follows the UBL 2.1
//! schemas (Invoice-2, CreditNote-2 and the common aggregates), which the validation rules
//! assume; each writer below emits its children in that order.

use chrono::NaiveDate;
use ohjaus_core::{
    BillingProfile, BusinessId, Cents, Currency, DocumentKind, Invoice, InvoiceLine, Label, Locale, PayerDetails,
    PeppolId, PostalAddress, VatCategory,
};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

use crate::texts;

/// Peppol BIS Billing 3.0's customization of EN 16931 (BT-24).
pub const CUSTOMIZATION_ID: &str = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// Peppol's billing process (BT-23).
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CREDIT_NOTE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
/// The ICD of the Finnish business ID, for party and legal registration identifiers.
const BUSINESS_ID_SCHEME: &str = "0037";
/// UN/ECE Recommendation 20: "one" — a session is one unit.
const UNIT_ONE: &str = "C62";
/// UNCL 4461: SEPA credit transfer.
const SEPA_CREDIT_TRANSFER: &str = "58";

type Xml = Writer<Vec<u8>>;

/// The UBL XML of `invoice` (an `Invoice` for type 380, a `CreditNote` for 381) with its
/// texts (item names, payment terms) in `locale`.
pub fn write(invoice: &Invoice, locale: Locale) -> String {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Invariant: the writer writes into a Vec, which never fails.
    document(&mut xml, invoice, locale).expect("writing XML into memory cannot fail");
    // Invariant: every piece written is a Rust string, so the bytes are UTF-8.
    String::from_utf8(xml.into_inner()).expect("XML written from strings is UTF-8")
}

fn text(xml: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    xml.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn text_with(xml: &mut Xml, name: &str, attribute: (&str, &str), value: &str) -> io::Result<()> {
    xml.create_element(name).with_attribute(attribute).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn amount(xml: &mut Xml, name: &str, value: Cents, currency: Currency) -> io::Result<()> {
    text_with(xml, name, ("currencyID", currency.as_str()), &value.decimal())
}

fn nested(xml: &mut Xml, name: &str, inner: impl FnOnce(&mut Xml) -> io::Result<()>) -> io::Result<()> {
    xml.create_element(name).write_inner_content(inner)?;
    Ok(())
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn document(xml: &mut Xml, invoice: &Invoice, locale: Locale) -> io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (root, namespace) = match invoice.kind() {
        DocumentKind::Invoice => ("Invoice", INVOICE_NS),
        DocumentKind::CreditNote(_) => ("CreditNote", CREDIT_NOTE_NS),
    };
    let currency = invoice.currency();
    xml.create_element(root)
        .with_attribute(("xmlns", namespace))
        .with_attribute(("xmlns:cac", CAC))
        .with_attribute(("xmlns:cbc", CBC))
        .write_inner_content(|xml| {
            text(xml, "cbc:CustomizationID", CUSTOMIZATION_ID)?;
            text(xml, "cbc:ProfileID", PROFILE_ID)?;
            text(xml, "cbc:ID", &invoice.number().to_string())?;
            text(xml, "cbc:IssueDate", &date(invoice.issue_date()))?;
            match invoice.kind() {
                DocumentKind::Invoice => {
                    text(xml, "cbc:DueDate", &date(invoice.due_date()))?;
                    text(xml, "cbc:InvoiceTypeCode", "380")?;
                }
                // A UBL credit note has no DueDate; nothing is to be paid by the buyer.
                DocumentKind::CreditNote(_) => text(xml, "cbc:CreditNoteTypeCode", "381")?,
            }
            text(xml, "cbc:DocumentCurrencyCode", currency.as_str())?;
            let buyer = invoice.buyer();
            if let Some(reference) = buyer.buyer_reference() {
                text(xml, "cbc:BuyerReference", reference.as_str())?;
            }
            if let Some(period) = invoice.period() {
                nested(xml, "cac:InvoicePeriod", |xml| {
                    text(xml, "cbc:StartDate", &date(period.start()))?;
                    text(xml, "cbc:EndDate", &date(period.end()))
                })?;
            }
            if let Some(order) = buyer.order_reference() {
                nested(xml, "cac:OrderReference", |xml| text(xml, "cbc:ID", order.as_str()))?;
            }
            if let DocumentKind::CreditNote(preceding) = invoice.kind() {
                nested(xml, "cac:BillingReference", |xml| {
                    nested(xml, "cac:InvoiceDocumentReference", |xml| {
                        text(xml, "cbc:ID", &preceding.number.to_string())?;
                        text(xml, "cbc:IssueDate", &date(preceding.issue_date))
                    })
                })?;
            }
            nested(xml, "cac:AccountingSupplierParty", |xml| seller(xml, invoice.seller()))?;
            nested(xml, "cac:AccountingCustomerParty", |xml| customer(xml, buyer))?;
            let seller = invoice.seller();
            let terms = match invoice.kind() {
                DocumentKind::Invoice => {
                    payment_means(xml, invoice)?;
                    texts::payment_terms(locale, seller.payment_terms_days(), invoice.due_date())
                }
                DocumentKind::CreditNote(preceding) => texts::credit_terms(locale, &preceding.number.to_string()),
            };
            nested(xml, "cac:PaymentTerms", |xml| text(xml, "cbc:Note", &terms))?;
            tax_total(xml, invoice)?;
            monetary_total(xml, invoice)?;
            for (number, line) in (1..).zip(invoice.lines()) {
                invoice_line(xml, invoice, number, line, locale)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// A party's postal address (BG-5, BG-8).
fn address(xml: &mut Xml, address: &PostalAddress) -> io::Result<()> {
    nested(xml, "cac:PostalAddress", |xml| {
        text(xml, "cbc:StreetName", address.street().as_str())?;
        text(xml, "cbc:CityName", address.city().as_str())?;
        text(xml, "cbc:PostalZone", address.postcode().as_str())?;
        nested(xml, "cac:Country", |xml| text(xml, "cbc:IdentificationCode", address.country().as_str()))
    })
}

/// What both parties have: endpoint, identifier, name and address.
fn party_head(
    xml: &mut Xml,
    endpoint: &PeppolId,
    id: BusinessId,
    name: &Label,
    postal: &PostalAddress,
) -> io::Result<()> {
    text_with(xml, "cbc:EndpointID", ("schemeID", endpoint.scheme()), endpoint.value())?;
    nested(xml, "cac:PartyIdentification", |xml| {
        text_with(xml, "cbc:ID", ("schemeID", BUSINESS_ID_SCHEME), &id.to_string())
    })?;
    nested(xml, "cac:PartyName", |xml| text(xml, "cbc:Name", name.as_str()))?;
    address(xml, postal)
}

fn legal_entity(xml: &mut Xml, name: &Label, id: BusinessId) -> io::Result<()> {
    nested(xml, "cac:PartyLegalEntity", |xml| {
        text(xml, "cbc:RegistrationName", name.as_str())?;
        text_with(xml, "cbc:CompanyID", ("schemeID", BUSINESS_ID_SCHEME), &id.to_string())
    })
}

/// The seller (BG-4), with their VAT number (BT-31), which every category here requires.
fn seller(xml: &mut Xml, seller: &BillingProfile) -> io::Result<()> {
    nested(xml, "cac:Party", |xml| {
        party_head(xml, &seller.endpoint(), seller.business_id(), seller.legal_name(), seller.address())?;
        nested(xml, "cac:PartyTaxScheme", |xml| {
            text(xml, "cbc:CompanyID", &seller.vat_number().to_string())?;
            nested(xml, "cac:TaxScheme", |xml| text(xml, "cbc:ID", "VAT"))
        })?;
        legal_entity(xml, seller.legal_name(), seller.business_id())
    })
}

/// The buyer (BG-7). No VAT number: not every payer (an association, a parish) is registered
/// for VAT, and no category here needs the buyer's.
fn customer(xml: &mut Xml, buyer: &PayerDetails) -> io::Result<()> {
    nested(xml, "cac:Party", |xml| {
        party_head(xml, &buyer.endpoint(), buyer.business_id(), buyer.name(), buyer.address())?;
        legal_entity(xml, buyer.name(), buyer.business_id())
    })
}

/// SEPA credit transfer to the seller's account with the invoice's reference number (BG-16).
fn payment_means(xml: &mut Xml, invoice: &Invoice) -> io::Result<()> {
    let seller = invoice.seller();
    nested(xml, "cac:PaymentMeans", |xml| {
        text_with(xml, "cbc:PaymentMeansCode", ("name", "SEPA credit transfer"), SEPA_CREDIT_TRANSFER)?;
        text(xml, "cbc:PaymentID", invoice.payment_reference().as_str())?;
        nested(xml, "cac:PayeeFinancialAccount", |xml| {
            text(xml, "cbc:ID", seller.iban().electronic())?;
            text(xml, "cbc:Name", seller.legal_name().as_str())?;
            nested(xml, "cac:FinancialInstitutionBranch", |xml| text(xml, "cbc:ID", seller.bic().as_str()))
        })
    })
}

/// A VAT category as a breakdown or a line classifies it.
fn tax_category(xml: &mut Xml, element: &str, category: &VatCategory, with_reason: bool) -> io::Result<()> {
    nested(xml, element, |xml| {
        text(xml, "cbc:ID", category.code())?;
        text(xml, "cbc:Percent", &category.rate().percent())?;
        if with_reason {
            if let Some(code) = category.exemption_reason_code() {
                text(xml, "cbc:TaxExemptionReasonCode", code.as_str())?;
            }
            if let Some(reason) = category.exemption_reason() {
                text(xml, "cbc:TaxExemptionReason", reason.as_str())?;
            }
        }
        nested(xml, "cac:TaxScheme", |xml| text(xml, "cbc:ID", "VAT"))
    })
}

/// The VAT total and its breakdown per category (BT-110, BG-23).
fn tax_total(xml: &mut Xml, invoice: &Invoice) -> io::Result<()> {
    let currency = invoice.currency();
    let totals = invoice.totals();
    nested(xml, "cac:TaxTotal", |xml| {
        amount(xml, "cbc:TaxAmount", totals.vat_total(), currency)?;
        for subtotal in totals.subtotals() {
            nested(xml, "cac:TaxSubtotal", |xml| {
                amount(xml, "cbc:TaxableAmount", subtotal.taxable(), currency)?;
                amount(xml, "cbc:TaxAmount", subtotal.tax(), currency)?;
                tax_category(xml, "cac:TaxCategory", subtotal.category(), true)
            })?;
        }
        Ok(())
    })
}

/// The document totals (BG-22).
fn monetary_total(xml: &mut Xml, invoice: &Invoice) -> io::Result<()> {
    let currency = invoice.currency();
    let totals = invoice.totals();
    nested(xml, "cac:LegalMonetaryTotal", |xml| {
        amount(xml, "cbc:LineExtensionAmount", totals.line_total(), currency)?;
        amount(xml, "cbc:TaxExclusiveAmount", totals.tax_exclusive(), currency)?;
        amount(xml, "cbc:TaxInclusiveAmount", totals.tax_inclusive(), currency)?;
        amount(xml, "cbc:PayableAmount", totals.payable(), currency)
    })
}

/// One session (BG-25): quantity one, the line period is the session's day.
fn invoice_line(xml: &mut Xml, invoice: &Invoice, number: u32, line: &InvoiceLine, locale: Locale) -> io::Result<()> {
    let currency = invoice.currency();
    let (element, quantity) = match invoice.kind() {
        DocumentKind::Invoice => ("cac:InvoiceLine", "cbc:InvoicedQuantity"),
        DocumentKind::CreditNote(_) => ("cac:CreditNoteLine", "cbc:CreditedQuantity"),
    };
    nested(xml, element, |xml| {
        text(xml, "cbc:ID", &number.to_string())?;
        text_with(xml, quantity, ("unitCode", UNIT_ONE), &line.quantity().to_string())?;
        amount(xml, "cbc:LineExtensionAmount", line.net(), currency)?;
        nested(xml, "cac:InvoicePeriod", |xml| {
            text(xml, "cbc:StartDate", &date(line.date()))?;
            text(xml, "cbc:EndDate", &date(line.date()))
        })?;
        nested(xml, "cac:Item", |xml| {
            text(xml, "cbc:Description", texts::kind(locale, line.kind()))?;
            text(xml, "cbc:Name", &texts::item_name(locale, line))?;
            tax_category(xml, "cac:ClassifiedTaxCategory", line.vat(), false)
        })?;
        nested(xml, "cac:Price", |xml| amount(xml, "cbc:PriceAmount", line.net(), currency))
    })
}
