//! What the documents say: a snapshot of one invoice's XML and CSV, the credit note's
//! reference, escaping, and that a line names the session and nothing about the people.

use crate::common::*;
use ohjaus_core::{InvoiceNumber, Locale, SeriesKind};
use ohjaus_einvoice::{csv_lines, ubl_xml};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The texts of every element named `name`, read back with an XML parser.
fn texts_of(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => current = (e.name().as_ref() == name.as_bytes()).then(String::new),
            Event::Text(t) => {
                if let Some(text) = current.as_mut() {
                    text.push_str(&t.decode().unwrap());
                }
            }
            // The parser hands entity references (`&amp;`) over separately.
            Event::GeneralRef(r) => {
                if let Some(text) = current.as_mut() {
                    let entity = r.decode().unwrap();
                    text.push_str(quick_xml::escape::resolve_predefined_entity(&entity).unwrap());
                }
            }
            Event::End(_) => found.extend(current.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

#[test]
fn an_invoice_as_ubl() {
    insta::assert_snapshot!("invoice_xml", ubl_xml(&january(), Locale::Fi));
}

#[test]
fn an_invoice_as_csv() {
    let csv = csv_lines(&january());
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
    insta::assert_snapshot!("invoice_csv", csv);
}

#[test]
fn a_credit_note_refers_to_its_invoice_with_positive_amounts() {
    let invoice = january();
    let credit = invoice.credit_note(InvoiceNumber::new("OHJ-", 1050).unwrap(), date("2027-02-10")).unwrap();
    let xml = ubl_xml(&credit, Locale::Fi);
    assert!(xml.contains("<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\""));
    assert_eq!(texts_of(&xml, "cbc:CreditNoteTypeCode"), ["381"]);
    assert_eq!(texts_of(&xml, "cbc:ID")[..2], ["OHJ-1050", "OHJ-1042"]);
    assert_eq!(texts_of(&xml, "cbc:IssueDate"), ["2027-02-10", "2027-02-01"]);
    assert_eq!(texts_of(&xml, "cbc:PayableAmount"), ["451.80"]);
    assert_eq!(texts_of(&xml, "cbc:CreditedQuantity"), ["1", "1", "1"]);
    assert!(texts_of(&xml, "cbc:LineExtensionAmount").iter().all(|a| !a.starts_with('-')));
    assert!(texts_of(&xml, "cbc:DueDate").is_empty(), "a UBL credit note has no due date");
}

#[test]
fn text_is_escaped() {
    use Outcome::Held;
    let standard = terms(10_000, ("S", Some("25.5"), None), None, &PEPPOL_0037);
    let title = "Tiimi A & B <pilotti> \"2027\"";
    let sessions = lines(&standard, title, SeriesKind::TeamCoaching, "2027-01-05", &[Held]);
    let xml = ubl_xml(&invoice(seller(false), &standard, 7, sessions, true), Locale::Fi);
    assert!(!xml.contains("A & B"), "a bare ampersand would not be XML");
    assert_eq!(texts_of(&xml, "cbc:Name").last().unwrap(), &format!("{title} 5.1.2027, pidetty"));
}

#[test]
fn a_line_names_the_session_only() {
    let xml = ubl_xml(&january(), Locale::Fi);
    let names: Vec<String> = texts_of(&xml, "cbc:Name").into_iter().filter(|n| n.starts_with("Osasto")).collect();
    assert_eq!(
        names,
        [
            "Osasto 5A:n työnohjaus 5.1.2027, pidetty, kokeilukerta",
            "Osasto 5A:n työnohjaus 12.1.2027, pidetty",
            "Osasto 5A:n työnohjaus 19.1.2027, peruttu myöhässä",
        ]
    );
    assert_eq!(texts_of(&xml, "cbc:PaymentID"), ["110424"]);
    let sv = ubl_xml(&january(), Locale::Sv);
    assert!(texts_of(&sv, "cbc:Name").iter().any(|n| n.ends_with("avbokad för sent")));
}
