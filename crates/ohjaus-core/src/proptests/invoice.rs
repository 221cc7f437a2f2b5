//! Invoice sums: line, category and document totals computed in cents equal a straightforward
//! decimal recomputation (`rust_decimal`, from the amounts as decimals and the rates as
//! percentages, rounded to two places half away from zero) over random contracts — random
//! prices, realistic and random rates, 0–40 lines, mixed categories.

use super::config;
use crate::address::PostalAddressBody;
use crate::calendar::SessionStatus;
use crate::contract::{ContractTerms, ContractTermsBody, DecimalInput, PayerBody};
use crate::invoice::{InvoiceError, InvoiceLine, Totals};
use crate::kind::SeriesKind;
use crate::text::Label;
use chrono::{NaiveDate, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// A contract's VAT as a body gives it: `(category, rate text, exemption reason)`.
#[derive(Debug, Clone)]
struct Vat(&'static str, Option<String>, Option<&'static str>);

fn vat() -> impl Strategy<Value = Vat> {
    let realistic = proptest::sample::select(vec!["25.5", "24", "14", "13.5", "10", "0.01", "100"]);
    let random = (1u32..=10_000).prop_map(|h| format!("{}.{:02}", h / 100, h % 100));
    prop_oneof![
        4 => realistic.prop_map(|r| Vat("S", Some(r.to_owned()), None)),
        3 => random.prop_map(|r| Vat("S", Some(r), None)),
        1 => Just(Vat("Z", None, None)),
        // Usually one exemption reason; now and then a second, which an invoice must refuse.
        2 => prop_oneof![5 => Just("AVL 34 §"), 1 => Just("AVL 39 §")].prop_map(|r| Vat("E", None, Some(r))),
    ]
}

/// A price in cents: mostly a realistic session price, sometimes anything up to the maximum.
fn price() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0i64..=50_000, 1 => 0i64..=crate::money::Cents::MAX_PRICE.get()]
}

/// One contract: its price, trial sessions, VAT, and 0–12 sessions (status, late?).
#[derive(Debug, Clone)]
struct Contract {
    price: i64,
    trial: (i64, i64),
    vat: Vat,
    sessions: Vec<(u8, bool)>,
}

fn contract() -> impl Strategy<Value = Contract> {
    (price(), (0i64..=3, price()), vat(), vec((0u8..3, any::<bool>()), 0..=12))
        .prop_map(|(price, trial, vat, sessions)| Contract { price, trial, vat, sessions })
}

fn terms(contract: &Contract) -> ContractTerms {
    let Vat(category, rate, reason) = &contract.vat;
    let body = ContractTermsBody {
        price_cents: contract.price,
        vat_category: (*category).to_owned(),
        vat_rate: rate.clone().map(DecimalInput::Text),
        vat_exemption_reason: reason.map(str::to_owned),
        trial_sessions: Some(contract.trial.0),
        trial_price_cents: (contract.trial.0 > 0).then_some(contract.trial.1),
        payer: PayerBody {
            name: "Kaukolan hyvinvointialue".into(),
            business_id: "0245458-3".into(),
            address: PostalAddressBody {
                street: "Sairaalantie 1".into(),
                postcode: "00100".into(),
                city: "Helsinki".into(),
                country: None,
            },
            buyer_reference: Some("5A".into()),
            ..PayerBody::default()
        },
        ..ContractTermsBody::default()
    };
    ContractTerms::parse(&body).unwrap()
}

/// The charged lines of some contracts, at most 40, each with its contract's rate read
/// independently from the body's text as a decimal percentage.
fn lines(contracts: &[Contract]) -> Vec<(InvoiceLine, Decimal)> {
    let title = Label::parse("title", "Työnohjaus").unwrap();
    let first = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let mut lines = Vec::new();
    for contract in contracts {
        let terms = terms(contract);
        let rate: Decimal = contract.vat.1.as_deref().unwrap_or("0").parse().unwrap();
        for (i, (status, late)) in contract.sessions.iter().enumerate() {
            let status =
                [SessionStatus::Held, SessionStatus::Cancelled, SessionStatus::Scheduled][usize::from(*status)];
            let index = u16::try_from(i + 1).unwrap();
            let date = first + TimeDelta::days(7 * i64::from(index));
            let line = terms.line(&title, SeriesKind::GroupSupervision, index, date, status, *late);
            lines.extend(line.map(|line| (line, rate)));
        }
    }
    lines.truncate(40);
    lines
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// What a careful clerk computes: each category's lines summed as decimals, the rate applied as
/// a percentage, rounded to cents half away from zero; the document's sums from those.
struct Expected {
    /// (code, rate %) → (taxable, tax).
    categories: BTreeMap<(String, Decimal), (Decimal, Decimal)>,
    line_total: Decimal,
    vat_total: Decimal,
}

fn expected(lines: &[(InvoiceLine, Decimal)]) -> Expected {
    let mut categories: BTreeMap<(String, Decimal), (Decimal, Decimal)> = BTreeMap::new();
    for (line, rate) in lines {
        categories.entry((line.vat().code().to_owned(), rate.normalize())).or_default().0 += money(line.net().get());
    }
    for ((_, rate), (taxable, tax)) in &mut categories {
        *tax =
            (*taxable * *rate / Decimal::ONE_HUNDRED).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    }
    let line_total = lines.iter().map(|(l, _)| money(l.net().get())).sum();
    let vat_total = categories.values().map(|(_, tax)| *tax).sum();
    Expected { categories, line_total, vat_total }
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn totals_in_cents_equal_a_decimal_recomputation(contracts in vec(contract(), 1..=5)) {
        let with_rates = lines(&contracts);
        let lines: Vec<InvoiceLine> = with_rates.iter().map(|(line, _)| line.clone()).collect();
        let reasons: std::collections::BTreeSet<_> =
            lines.iter().filter_map(|l| l.vat().exemption_reason().map(|r| r.as_str().to_owned())).collect();
        let totals = Totals::of(&lines);
        if lines.is_empty() {
            prop_assert_eq!(totals, Err(InvoiceError::NoLines));
            return Ok(());
        }
        if reasons.len() > 1 {
            prop_assert_eq!(totals, Err(InvoiceError::MixedExemptionReasons));
            return Ok(());
        }
        let totals = totals.unwrap();
        let expected = expected(&with_rates);

        // Lines: quantity 1, so the net is the session's price to the cent.
        for line in &lines {
            prop_assert_eq!(money(line.net().get()) * Decimal::from(line.quantity()), money(line.net().get()));
        }
        // Categories.
        let ours: BTreeMap<(String, Decimal), (Decimal, Decimal)> = totals
            .subtotals()
            .iter()
            .map(|s| {
                let rate = Decimal::new(i64::from(s.category().rate().hundredths()), 2).normalize();
                ((s.category().code().to_owned(), rate), (money(s.taxable().get()), money(s.tax().get())))
            })
            .collect();
        prop_assert_eq!(ours.len(), totals.subtotals().len(), "one subtotal per category and rate");
        prop_assert_eq!(&ours, &expected.categories);
        // The document.
        prop_assert_eq!(money(totals.line_total().get()), expected.line_total);
        prop_assert_eq!(money(totals.tax_exclusive().get()), expected.line_total);
        prop_assert_eq!(money(totals.vat_total().get()), expected.vat_total);
        prop_assert_eq!(money(totals.tax_inclusive().get()), expected.line_total + expected.vat_total);
        prop_assert_eq!(money(totals.payable().get()), expected.line_total + expected.vat_total);
    }
}
