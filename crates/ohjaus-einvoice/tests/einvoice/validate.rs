//! Every kind of document this crate writes, run through the official rules
//! (`tests/official-rules/validate.py`: the CEN EN 16931 rules for UBL and the OpenPeppol BIS
//! Billing 3.0 rules, compiled to XSLT, under Saxon-HE) in one Python call: all must pass both
//! rule sets with no fatal error. A deliberately broken copy must fail, so that a runner that
//! checked nothing could not pass.
//!
//! Runs when `OHJAUS_INTEROP_PYTHON` names a Python with `tests/interop/requirements.txt`
//! (`saxonche`); otherwise it says so and passes — unless `OHJAUS_INTEROP_REQUIRED=1`, as in
//! CI, which makes a missing Python a failure.

use crate::common::*;
use ohjaus_core::{InvoiceNumber, Locale, SeriesKind};
use ohjaus_einvoice::ubl_xml;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> Option<PathBuf> {
    match std::env::var("OHJAUS_INTEROP_PYTHON") {
        Ok(path) if !path.trim().is_empty() => Some(PathBuf::from(path)),
        _ => {
            assert!(
                std::env::var("OHJAUS_INTEROP_REQUIRED").as_deref() != Ok("1"),
                "OHJAUS_INTEROP_REQUIRED=1 but OHJAUS_INTEROP_PYTHON is not set"
            );
            // Straight to the stream: the harness captures `eprintln!`, and this must show.
            let _ = writeln!(
                std::io::stderr(),
                "einvoice: official rules NOT RUN — set OHJAUS_INTEROP_PYTHON to a Python with tests/interop/requirements.txt"
            );
            None
        }
    }
}

/// The documents, by file name: every case the invoicing story produces.
fn documents() -> Vec<(&'static str, String)> {
    use Outcome::{Held, Late};
    let mut documents = Vec::new();

    // Held and late-cancelled sessions, a trial session at 0 €, 25.5 %; a payer with a
    // Peppol id under 0037 and a buyer reference; the seller's endpoint is their business ID.
    let first = january();
    documents.push(("01-held-late-trial.xml", ubl_xml(&first, Locale::Fi)));

    // An exempt series (E with its reason and VATEX code); a payer with an OVT code (0216)
    // and an order number only; the seller's endpoint is their own OVT code.
    let exempt = terms(15_000, ("E", None, Some("Terveydenhuoltopalvelu, AVL 34 §")), None, &OVT_ORDER);
    let sessions = lines(
        &exempt,
        "Yksilötyönohjaus: & <kehitys>",
        SeriesKind::IndividualSupervision,
        "2027-01-07",
        &[Held, Held, Held, Late],
    );
    documents
        .push(("02-exempt-ovt-order.xml", ubl_xml(&invoice(seller(true), &exempt, 1043, sessions, true), Locale::Fi)));

    // 25.5 % over 17 lines where rounding matters: 17 × 117.65 = 2000.05, VAT 510.01 on the
    // total (per line it would sum to 510.00).
    let odd = terms(11_765, ("S", Some("25.5"), None), None, &PEPPOL_0037);
    let seventeen =
        lines(&odd, "Työyhteisön työnohjaus", SeriesKind::WorkCommunitySupervision, "2027-01-04", &[Held; 17]);
    let rounding = invoice(seller(false), &odd, 1044, seventeen, false);
    assert_eq!(rounding.totals().vat_total().decimal(), "510.01");
    documents.push(("03-rounding-17-lines.xml", ubl_xml(&rounding, Locale::Fi)));

    // Mixed categories in one invoice (25.5 %, 14 %, zero rated, exempt), both references,
    // texts in Swedish.
    let mixed_lines: Vec<_> = [
        (terms(18_000, ("S", Some("25.5"), None), None, &BOTH_REFERENCES), SeriesKind::TeamCoaching),
        (terms(9_050, ("S", Some("14"), None), None, &BOTH_REFERENCES), SeriesKind::IndividualCoaching),
        (terms(4_000, ("Z", None, None), None, &BOTH_REFERENCES), SeriesKind::GroupSupervision),
        (terms(12_000, ("E", None, Some("AVL 34 §")), None, &BOTH_REFERENCES), SeriesKind::IndividualSupervision),
    ]
    .iter()
    .enumerate()
    .flat_map(|(i, (terms, kind))| {
        lines(terms, &format!("Sarja {}", i + 1), *kind, &format!("2027-01-0{}", i + 4), &[Held, Late, Held])
    })
    .collect();
    let mixed_terms = terms(1, ("Z", None, None), None, &BOTH_REFERENCES);
    let mixed = invoice(seller(true), &mixed_terms, 1045, mixed_lines, true);
    assert_eq!(mixed.totals().subtotals().len(), 4);
    documents.push(("04-mixed-categories-sv.xml", ubl_xml(&mixed, Locale::Sv)));

    // A credit note of the first invoice, and one of two lines of the mixed one.
    let credit = first.credit_note(InvoiceNumber::new("OHJ-", 1046).unwrap(), date("2027-02-10")).unwrap();
    documents.push(("05-credit-note.xml", ubl_xml(&credit, Locale::Fi)));
    let partial =
        mixed.credit_note_of_lines(InvoiceNumber::new("OHJ-", 1047).unwrap(), date("2027-02-11"), &[2, 5]).unwrap();
    documents.push(("06-credit-note-partial-en.xml", ubl_xml(&partial, Locale::En)));

    // Nothing to pay: one trial session at 0 €.
    let standard = standard();
    let trial_only = lines(&standard, "Osasto 5A:n työnohjaus", SeriesKind::GroupSupervision, "2027-01-05", &[Held]);
    documents.push((
        "07-trial-only-en.xml",
        ubl_xml(&invoice(seller(false), &standard, 1048, trial_only, true), Locale::En),
    ));
    documents
}

/// What `validate.py` said about each file: the failed rules' lines, and its summary.
struct Verdict {
    status: Option<i32>,
    stdout: String,
}

impl Verdict {
    fn failures(&self, file: &Path, flag: &str) -> Vec<&str> {
        let prefix = format!("{}: ", file.display());
        self.stdout.lines().filter(|l| l.starts_with(&prefix) && l.contains(&format!(" {flag}: "))).collect()
    }
}

fn validate(python: &Path, files: &[PathBuf]) -> Verdict {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/official-rules/validate.py");
    let output = Command::new(python).arg(script).args(files).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "validate.py failed to run ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Verdict { status: output.status.code(), stdout }
}

#[test]
fn every_document_passes_the_en16931_and_peppol_rules() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let documents = documents();
    for (name, xml) in &documents {
        let path = dir.path().join(name);
        std::fs::write(&path, xml).unwrap();
        files.push(path);
    }
    // A broken copy of the 17-line invoice: a total that is not the sum of its parts.
    let (_, rounding) = &documents[2];
    let broken = rounding.replacen(
        "<cbc:TaxInclusiveAmount currencyID=\"EUR\">2510.06<",
        "<cbc:TaxInclusiveAmount currencyID=\"EUR\">2510.07<",
        1,
    );
    assert_ne!(&broken, rounding, "the broken copy differs");
    let broken_path = dir.path().join("99-broken-total.xml");
    std::fs::write(&broken_path, broken).unwrap();
    files.push(broken_path.clone());

    let verdict = validate(&python, &files);
    let _ = writeln!(std::io::stderr(), "{}", verdict.stdout);
    for file in &files[..documents.len()] {
        assert_eq!(verdict.failures(file, "fatal"), Vec::<&str>::new(), "{} fails the rules", file.display());
    }
    let broken_failures = verdict.failures(&broken_path, "fatal");
    assert!(broken_failures.iter().any(|l| l.contains("BR-CO-15")), "the broken total is caught: {broken_failures:?}");
    assert_eq!(verdict.stdout.lines().last(), Some(format!("{} passed, 1 failed", documents.len()).as_str()));
    assert_eq!(verdict.status, Some(1), "the broken copy fails the run");
}
