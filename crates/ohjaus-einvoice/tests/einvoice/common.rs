//! Sellers, payers, contracts and invoices to test with: fixed dates, realistic Finnish
//! parties (published business IDs with valid check digits, the Finnish example IBAN).

use chrono::{NaiveDate, TimeDelta};
use ohjaus_core::{
    BillingProfile, BillingProfileBody, ContractTerms, ContractTermsBody, DecimalInput, Invoice, InvoiceInput,
    InvoiceLine, InvoiceNumber, Label, PayerBody, Period, PostalAddressBody, SeriesKind, SessionStatus,
};

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn address(street: &str, postcode: &str, city: &str) -> PostalAddressBody {
    PostalAddressBody { street: street.into(), postcode: postcode.into(), city: city.into(), country: None }
}

/// A supervisor's firm; with `ovt`, their own OVT code (endpoint 0216), otherwise their
/// business ID (endpoint 0037).
pub fn seller(ovt: bool) -> BillingProfile {
    BillingProfile::parse(&BillingProfileBody {
        legal_name: "Työnohjaus Virtanen Oy".into(),
        business_id: "0112038-9".into(),
        vat_number: Some("FI01120389".into()),
        ovt_code: ovt.then(|| "003701120389".into()),
        address: address("Kauppakatu 3 B 12", "40100", "Jyväskylä"),
        iban: "FI21 1234 5600 0007 85".into(),
        bic: "NDEAFIHH".into(),
        payment_terms_days: 14,
        invoice_prefix: "OHJ-".into(),
        next_invoice_number: Some(1042),
    })
    .unwrap()
}

/// How a payer receives e-invoices and which reference they want.
pub struct Payer {
    pub peppol_id: Option<&'static str>,
    pub ovt_code: Option<&'static str>,
    pub buyer_reference: Option<&'static str>,
    pub order_reference: Option<&'static str>,
}

/// A wellbeing services county with a Peppol id under 0037 and a buyer reference.
pub const PEPPOL_0037: Payer = Payer {
    peppol_id: Some("0037:02454583"),
    ovt_code: None,
    buyer_reference: Some("OSASTO-5A/1234"),
    order_reference: None,
};

/// A city with an OVT code (endpoint 0216) and an order number only.
pub const OVT_ORDER: Payer = Payer {
    peppol_id: None,
    ovt_code: Some("00370201256600123"),
    buyer_reference: None,
    order_reference: Some("PO-2027-0042"),
};

/// Both references.
pub const BOTH_REFERENCES: Payer = Payer {
    peppol_id: Some("0216:003702454583"),
    ovt_code: None,
    buyer_reference: Some("HR-kehittäminen"),
    order_reference: Some("4500012345"),
};

fn payer(payer: &Payer) -> PayerBody {
    let (name, business_id, address) = if payer.ovt_code.is_some() {
        ("Helsingin kaupunki", "0201256-6", address("Pohjoisesplanadi 11–13", "00170", "Helsinki"))
    } else {
        ("Kaukolan hyvinvointialue", "0245458-3", address("Sairaalantie 1", "00100", "Helsinki"))
    };
    PayerBody {
        name: name.into(),
        business_id: business_id.into(),
        address,
        peppol_id: payer.peppol_id.map(Into::into),
        ovt_code: payer.ovt_code.map(Into::into),
        operator_id: Some("003721291126".into()),
        buyer_reference: payer.buyer_reference.map(Into::into),
        order_reference: payer.order_reference.map(Into::into),
    }
}

/// Terms with a price and VAT: `("S", Some("25.5"), None)`, `("E", None, Some(reason))`, …
pub fn terms(
    price_cents: i64,
    vat: (&str, Option<&str>, Option<&str>),
    trial: Option<(i64, i64)>,
    who: &Payer,
) -> ContractTerms {
    let (category, rate, reason) = vat;
    ContractTerms::parse(&ContractTermsBody {
        price_cents,
        currency: Some("EUR".into()),
        vat_category: category.into(),
        vat_rate: rate.map(|r| DecimalInput::Text(r.into())),
        vat_exemption_reason: reason.map(Into::into),
        vat_exemption_reason_code: reason.map(|_| "VATEX-EU-132-1C".into()),
        charge_late_cancellations: Some(true),
        trial_sessions: trial.map(|(count, _)| count),
        trial_price_cents: trial.map(|(_, price)| price),
        ends_early_from: None,
        payer: payer(who),
    })
    .unwrap()
}

/// A session's outcome: held, cancelled late, cancelled in time.
#[derive(Clone, Copy)]
pub enum Outcome {
    Held,
    Late,
    InTime,
}

/// The charged lines of a series: session k on `first` + (k − 1) weeks.
pub fn lines(
    terms: &ContractTerms,
    title: &str,
    kind: SeriesKind,
    first: &str,
    outcomes: &[Outcome],
) -> Vec<InvoiceLine> {
    let title = Label::parse("title", title).unwrap();
    (1u16..)
        .zip(outcomes)
        .filter_map(|(index, outcome)| {
            let (status, late) = match outcome {
                Outcome::Held => (SessionStatus::Held, false),
                Outcome::Late => (SessionStatus::Cancelled, true),
                Outcome::InTime => (SessionStatus::Cancelled, false),
            };
            let day = date(first) + TimeDelta::weeks(i64::from(index) - 1);
            terms.line(&title, kind, index, day, status, late)
        })
        .collect()
}

/// Invoice number `sequence` of the seller, dated 2027-02-01, for January 2027 (or no period).
pub fn invoice(
    seller: BillingProfile,
    terms: &ContractTerms,
    sequence: u64,
    lines: Vec<InvoiceLine>,
    january: bool,
) -> Invoice {
    Invoice::issue(InvoiceInput {
        number: InvoiceNumber::new(seller.number_series().prefix(), sequence).unwrap(),
        issue_date: date("2027-02-01"),
        seller,
        buyer: terms.payer().clone(),
        period: january.then(|| Period::new(date("2027-01-01"), date("2027-01-31")).unwrap()),
        lines,
    })
    .unwrap()
}

/// 180.00 a session at 25.5 %, the first a trial at 0 €; paid by a payer with a Peppol id
/// under 0037 and a buyer reference.
pub fn standard() -> ContractTerms {
    terms(18_000, ("S", Some("25.5"), None), Some((1, 0)), &PEPPOL_0037)
}

/// January's invoice OHJ-1042 of a group supervision under [`standard`]: a trial session at
/// 0 €, a held one, one cancelled late, and one cancelled in time (not charged); the seller's
/// endpoint is their business ID.
pub fn january() -> Invoice {
    use Outcome::{Held, InTime, Late};
    let terms = standard();
    let sessions = lines(
        &terms,
        "Osasto 5A:n työnohjaus",
        SeriesKind::GroupSupervision,
        "2027-01-05",
        &[Held, Held, Late, InTime],
    );
    invoice(seller(false), &terms, 1042, sessions, true)
}
