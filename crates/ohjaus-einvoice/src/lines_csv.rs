//! The lines of an invoice or credit note as CSV (RFC 4180: comma-separated, fields quoted when
//! needed, CRLF line ends), for a spreadsheet or an accounting import.
//!
//! Values are machine-readable rather than localized: ISO dates, decimal points, the wire names
//! of kinds and statuses — the same in every language, so an import does not depend on who
//! downloaded the file. Written with the `csv` crate, which does the quoting.

use ohjaus_core::Invoice;

/// The header row.
pub const HEADER: [&str; 14] = [
    "document",
    "line",
    "date",
    "series",
    "kind",
    "status",
    "trial",
    "quantity",
    "unit_price",
    "net",
    "currency",
    "vat_category",
    "vat_rate",
    "vat_exemption_reason",
];

/// The CSV of `invoice`'s lines: a header row, then one row per line, numbered as in the XML.
pub fn write(invoice: &Invoice) -> String {
    let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let document = invoice.number().to_string();
    let rows =
        std::iter::once(HEADER.map(str::to_owned).to_vec()).chain((1..).zip(invoice.lines()).map(|(number, line)| {
            vec![
                document.clone(),
                u32::to_string(&number),
                line.date().format("%Y-%m-%d").to_string(),
                line.series_title().to_string(),
                line.kind().as_str().to_owned(),
                line.status().as_str().to_owned(),
                line.is_trial().to_string(),
                line.quantity().to_string(),
                line.net().decimal(),
                line.net().decimal(),
                line.currency().to_string(),
                line.vat().code().to_owned(),
                line.vat().rate().percent(),
                line.vat().exemption_reason().map(ToString::to_string).unwrap_or_default(),
            ]
        }));
    for row in rows {
        // Invariant: the writer writes into a Vec, which never fails.
        csv.write_record(&row).expect("writing CSV into memory cannot fail");
    }
    // Invariant: as above; and every field is a Rust string, so the bytes are UTF-8.
    let bytes = csv.into_inner().expect("flushing CSV into memory cannot fail");
    String::from_utf8(bytes).expect("CSV written from strings is UTF-8")
}
