//! E-invoices for Ohjaus from the core's invoice types — the twin of `ohjaus-ical`. Pure: no IO,
//! no clock.
//!
//! A tour:
//!
//! - [`ubl`] writes an [`ohjaus_core::Invoice`] as UBL 2.1 XML under Peppol BIS Billing 3.0:
//!   an `Invoice` (type 380) or a `CreditNote` (type 381, with its BillingReference to the
//!   invoice). The seller's and the buyer's endpoints with their schemes (`0216` for an OVT
//!   code, `0037` for a business ID, or the buyer's own Peppol id), the parties' business IDs,
//!   the seller's VAT number, postal addresses, SEPA credit transfer (code 58) to the seller's
//!   IBAN and BIC with the Finnish reference number, payment terms and due date, the buyer's
//!   reference or order number, one line per session (quantity 1, the session's day as the
//!   line's period, a name that says series, date and status and nothing about the people),
//!   the VAT breakdown per category with the exemption reason of `E`, and the totals.
//! - [`lines_csv`] writes the same lines as CSV (RFC 4180).
//! - [`texts`] has the words a reader sees, in Finnish, Swedish or English.
//!
//! `tests/rules/` holds the official EN 16931 and Peppol BIS Billing 3.0 rules compiled to
//! XSLT with a small Python runner; the crate's tests validate every kind of document this
//! crate writes against both (see `tests/rules/README.md`).

pub mod lines_csv;
pub mod texts;
pub mod ubl;

pub use ubl::{CUSTOMIZATION_ID, PROFILE_ID};

use ohjaus_core::{Invoice, Locale};

/// The UBL XML of an invoice or a credit note, its texts in `locale`.
pub fn ubl_xml(invoice: &Invoice, locale: Locale) -> String {
    ubl::write(invoice, locale)
}

/// The CSV of an invoice's or a credit note's lines.
pub fn csv_lines(invoice: &Invoice) -> String {
    lines_csv::write(invoice)
}
