//! The contract terms of a series (*työnohjaussopimus*): what a session costs, which
//! sessions are charged, and who pays — with the payer's e-invoicing details.
//!
//! Terms are a value: the store keeps their history and hands the terms in force to the
//! invoice run, which asks [`ContractTerms::line`] for each session of the period.

use crate::address::{PostalAddress, PostalAddressBody};
use crate::business_id::{BusinessId, OvtCode};
use crate::calendar::SessionStatus;
use crate::error::{Collector, FieldError, ValidationErrors};
use crate::invoice::{InvoiceLine, LineStatus};
use crate::kind::SeriesKind;
use crate::money::{Cents, Currency};
use crate::peppol::{EInvoiceAddress, PeppolId};
use crate::text::Label;
use crate::vat::VatCategory;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A decimal as a body may give it: text (`"25.5"`, exact) or a JSON number (`25.5`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum DecimalInput {
    /// `"25.5"`.
    Text(String),
    /// `25.5`.
    Number(f64),
}

impl DecimalInput {
    /// The decimal as text: a number is written in its shortest form, which is how it was
    /// typed for anything with at most 15 significant digits.
    pub fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Number(number) => number.to_string(),
        }
    }
}

/// The payer's invoicing details as they arrive in a body.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PayerBody {
    /// The payer's legal name, e.g. `Kaukolan hyvinvointialue`.
    pub name: String,
    /// The payer's business ID (Y-tunnus), `1234567-8`.
    pub business_id: String,
    /// The billing address.
    pub address: PostalAddressBody,
    /// A Peppol participant id, `scheme:value`, e.g. `0216:003712345678` (or `ovt_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peppol_id: Option<String>,
    /// An OVT code, e.g. `003712345678` (or `peppol_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ovt_code: Option<String>,
    /// The payer's e-invoice operator (its OVT code or BIC), for operators that route by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    /// The buyer's reference (BT-10), e.g. a cost centre or a contact's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    /// The buyer's order number (BT-13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_reference: Option<String>,
}

/// Who pays, and where and how their invoices go.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PayerDetails {
    name: Label,
    business_id: BusinessId,
    address: PostalAddress,
    einvoice_address: Option<EInvoiceAddress>,
    operator_id: Option<Label>,
    buyer_reference: Option<Label>,
    order_reference: Option<Label>,
}

impl PayerDetails {
    /// Longest reference accepted (Finvoice's limit for both).
    pub const MAX_REFERENCE_CHARS: usize = 70;

    /// Validates a payer body; errors name `{prefix}name`, `{prefix}business_id`,
    /// `{prefix}address.…`, `{prefix}peppol_id`, `{prefix}ovt_code`, `{prefix}operator_id`,
    /// `{prefix}buyer_reference`, `{prefix}order_reference`.
    pub fn parse(prefix: &str, body: &PayerBody) -> Result<Self, ValidationErrors> {
        let field = |name: &str| format!("{prefix}{name}");
        let mut errors = Collector::default();
        let name = errors.take(Label::parse(&field("name"), &body.name));
        let business_id = errors.take(BusinessId::parse(&field("business_id"), &body.business_id));
        let address = match PostalAddress::parse(&field("address."), &body.address) {
            Ok(address) => Some(address),
            Err(list) => {
                list.errors().iter().cloned().for_each(|e| errors.push(e));
                None
            }
        };
        let einvoice_address = match (&body.peppol_id, &body.ovt_code) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(field("ovt_code"), "give either peppol_id or ovt_code, not both"));
                None
            }
            (Some(id), None) => {
                errors.take(PeppolId::parse_joined(&field("peppol_id"), id)).map(EInvoiceAddress::Peppol)
            }
            (None, Some(code)) => errors.take(OvtCode::parse(&field("ovt_code"), code)).map(EInvoiceAddress::Ovt),
            (None, None) => None,
        };
        let operator_id = body.operator_id.as_deref().and_then(|id| {
            let compact: String = id.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
            let shaped = (4..=35).contains(&compact.len()) && compact.bytes().all(|b| b.is_ascii_alphanumeric());
            if shaped {
                errors.take(Label::parse(&field("operator_id"), &compact))
            } else {
                errors.push(FieldError::new(
                    field("operator_id"),
                    "must be 4–35 letters or digits (an OVT code or a BIC)",
                ));
                None
            }
        });
        let reference = |errors: &mut Collector, name: &str, value: &Option<String>| {
            value.as_deref().and_then(|v| errors.take(Label::parse_max(&field(name), v, Self::MAX_REFERENCE_CHARS)))
        };
        let buyer_reference = reference(&mut errors, "buyer_reference", &body.buyer_reference);
        let order_reference = reference(&mut errors, "order_reference", &body.order_reference);
        if body.buyer_reference.is_none() && body.order_reference.is_none() {
            errors.push(FieldError::new(
                field("buyer_reference"),
                "give buyer_reference or order_reference: Peppol invoices need one of them",
            ));
        }
        match (name, business_id, address) {
            (Some(name), Some(business_id), Some(address)) if errors.is_clean() => {
                Ok(Self { name, business_id, address, einvoice_address, operator_id, buyer_reference, order_reference })
            }
            _ => Err(errors.finish().err().unwrap_or_else(|| FieldError::new(prefix, "is invalid").into())),
        }
    }

    /// The legal name.
    pub fn name(&self) -> &Label {
        &self.name
    }

    /// The business ID.
    pub fn business_id(&self) -> BusinessId {
        self.business_id
    }

    /// The billing address.
    pub fn address(&self) -> &PostalAddress {
        &self.address
    }

    /// The e-invoice address as given.
    pub fn einvoice_address(&self) -> Option<&EInvoiceAddress> {
        self.einvoice_address.as_ref()
    }

    /// Where a Peppol invoice is addressed (BT-49): the e-invoice address given, otherwise
    /// the business ID under scheme `0037` (every Finnish organization has one, though not
    /// every one receives e-invoices under it).
    pub fn endpoint(&self) -> PeppolId {
        self.einvoice_address
            .as_ref()
            .map_or_else(|| PeppolId::from_business_id(self.business_id), EInvoiceAddress::endpoint)
    }

    /// The e-invoice operator, when given (kept for operators that route by it; a Peppol
    /// invoice has no field for it).
    pub fn operator_id(&self) -> Option<&Label> {
        self.operator_id.as_ref()
    }

    /// The buyer's reference (BT-10).
    pub fn buyer_reference(&self) -> Option<&Label> {
        self.buyer_reference.as_ref()
    }

    /// The buyer's order number (BT-13).
    pub fn order_reference(&self) -> Option<&Label> {
        self.order_reference.as_ref()
    }
}

/// The contract terms of a series as they arrive in a body.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractTermsBody {
    /// The price of one session in cents, e.g. `18000` for 180.00.
    pub price_cents: i64,
    /// ISO 4217; only `EUR` for now (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `S` (standard rate), `Z` (zero rated) or `E` (exempt).
    pub vat_category: String,
    /// The rate in percent for `S`, e.g. `"25.5"`; absent or 0 for `Z` and `E`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_rate: Option<DecimalInput>,
    /// Why the series is exempt (required for `E`), e.g. `Terveydenhuoltopalvelu, AVL 34 §`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_exemption_reason: Option<String>,
    /// The VATEX code of the exemption, e.g. `VATEX-EU-132-1C`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_exemption_reason_code: Option<String>,
    /// Whether late cancellations are charged (default `true`); in-time ones never are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_late_cancellations: Option<bool>,
    /// How many sessions from the first are trial sessions (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_sessions: Option<i64>,
    /// The price of a trial session in cents (required when there are any; 0 is allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_price_cents: Option<i64>,
    /// The contract ends early from this session on: it and later ones are cancelled and
    /// never charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_early_from: Option<i64>,
    /// Who pays.
    pub payer: PayerBody,
}

/// The first sessions of a series at another price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TrialSessions {
    count: u16,
    price: Cents,
}

impl TrialSessions {
    /// No trial sessions.
    pub const NONE: Self = Self { count: 0, price: Cents::ZERO };

    /// How many (0 is none).
    pub fn count(self) -> u16 {
        self.count
    }

    /// The price of each.
    pub fn price(self) -> Cents {
        self.price
    }
}

/// What one session costs under the terms, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Charge {
    /// Held or cancelled late.
    pub status: LineStatus,
    /// A trial session.
    pub trial: bool,
    /// The amount (without VAT).
    pub price: Cents,
}

/// The validated contract terms of a series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ContractTerms {
    price: Cents,
    currency: Currency,
    vat: VatCategory,
    charge_late_cancellations: bool,
    trial: TrialSessions,
    ends_early_from: Option<u16>,
    payer: PayerDetails,
}

impl ContractTerms {
    /// Most trial sessions, and the highest session number, accepted.
    pub const MAX_SESSION_INDEX: u16 = 1000;

    /// Validates every field of `body`, reporting all that are wrong (fields as in the body;
    /// the payer's under `payer.`).
    pub fn parse(body: &ContractTermsBody) -> Result<Self, ValidationErrors> {
        let mut errors = Collector::default();
        let price = errors.take(Cents::price("price_cents", body.price_cents));
        let currency = match &body.currency {
            None => Some(Currency::EUR),
            Some(code) => errors.take(Currency::parse("currency", code)),
        };
        let rate = body.vat_rate.as_ref().map(DecimalInput::text);
        let vat = match VatCategory::from_parts(
            "vat_",
            &body.vat_category,
            rate.as_deref(),
            body.vat_exemption_reason.as_deref(),
            body.vat_exemption_reason_code.as_deref(),
        ) {
            Ok(vat) => Some(vat),
            Err(list) => {
                list.into_iter().for_each(|e| errors.push(e));
                None
            }
        };
        let index = |errors: &mut Collector, field: &str, value: i64, min: i64| {
            let max = i64::from(Self::MAX_SESSION_INDEX);
            errors.take(
                u16::try_from(value)
                    .ok()
                    .filter(|v| (min..=max).contains(&i64::from(*v)))
                    .ok_or_else(|| FieldError::new(field, format!("must be between {min} and {max}"))),
            )
        };
        let trial_count = index(&mut errors, "trial_sessions", body.trial_sessions.unwrap_or(0), 0);
        let trial = match (trial_count, body.trial_price_cents) {
            (Some(0), None) => Some(TrialSessions::NONE),
            (Some(0), Some(_)) => {
                errors
                    .push(FieldError::new("trial_price_cents", "is only for trial sessions (trial_sessions above 0)"));
                None
            }
            (Some(count), Some(cents)) => {
                errors.take(Cents::price("trial_price_cents", cents)).map(|price| TrialSessions { count, price })
            }
            (Some(_), None) => {
                errors.push(FieldError::new("trial_price_cents", "is required with trial sessions (0 is allowed)"));
                None
            }
            (None, _) => None,
        };
        let ends_early_from = match body.ends_early_from {
            None => Some(None),
            Some(k) => index(&mut errors, "ends_early_from", k, 1).map(Some),
        };
        let payer = match PayerDetails::parse("payer.", &body.payer) {
            Ok(payer) => Some(payer),
            Err(list) => {
                list.errors().iter().cloned().for_each(|e| errors.push(e));
                None
            }
        };
        match (price, currency, vat, trial, ends_early_from, payer) {
            (Some(price), Some(currency), Some(vat), Some(trial), Some(ends_early_from), Some(payer))
                if errors.is_clean() =>
            {
                Ok(Self {
                    price,
                    currency,
                    vat,
                    charge_late_cancellations: body.charge_late_cancellations.unwrap_or(true),
                    trial,
                    ends_early_from,
                    payer,
                })
            }
            _ => Err(errors.finish().err().unwrap_or_else(|| FieldError::new("", "is invalid").into())),
        }
    }

    /// The same terms, ending early from session `index` on (1-based): the store cancels those
    /// sessions, and they are never charged.
    pub fn ending_early_from(&self, field: &str, index: u16) -> Result<Self, FieldError> {
        if !(1..=Self::MAX_SESSION_INDEX).contains(&index) {
            return Err(FieldError::new(field, format!("must be between 1 and {}", Self::MAX_SESSION_INDEX)));
        }
        Ok(Self { ends_early_from: Some(index), ..self.clone() })
    }

    /// The price of a regular session.
    pub fn price(&self) -> Cents {
        self.price
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The VAT category of every session.
    pub fn vat(&self) -> &VatCategory {
        &self.vat
    }

    /// Whether late cancellations are charged.
    pub fn charges_late_cancellations(&self) -> bool {
        self.charge_late_cancellations
    }

    /// The trial sessions.
    pub fn trial(&self) -> TrialSessions {
        self.trial
    }

    /// The session from which the contract ended early, if it did.
    pub fn ends_early_from(&self) -> Option<u16> {
        self.ends_early_from
    }

    /// Who pays.
    pub fn payer(&self) -> &PayerDetails {
        &self.payer
    }

    /// The price of session `index` (1-based): the trial price for the first
    /// [`TrialSessions::count`].
    pub fn price_of(&self, index: u16) -> (Cents, bool) {
        if index >= 1 && index <= self.trial.count { (self.trial.price, true) } else { (self.price, false) }
    }

    /// What session `index` (1-based) costs given its status and whether it was cancelled
    /// late: a held session is charged; a late cancellation when the terms say so; an in-time
    /// cancellation, a session still scheduled, and any session from the early end on, never.
    pub fn charge(&self, index: u16, status: SessionStatus, late_cancellation: bool) -> Option<Charge> {
        if index == 0 || self.ends_early_from.is_some_and(|end| index >= end) {
            return None;
        }
        let status = match status {
            SessionStatus::Held => LineStatus::Held,
            SessionStatus::Cancelled if late_cancellation && self.charge_late_cancellations => {
                LineStatus::LateCancelled
            }
            SessionStatus::Cancelled | SessionStatus::Scheduled => return None,
        };
        let (price, trial) = self.price_of(index);
        Some(Charge { status, trial, price })
    }

    /// The invoice line of session `index` of a series (its title and kind) on `date`, when
    /// the session is charged (see [`ContractTerms::charge`]).
    pub fn line(
        &self,
        series_title: &Label,
        kind: SeriesKind,
        index: u16,
        date: NaiveDate,
        status: SessionStatus,
        late_cancellation: bool,
    ) -> Option<InvoiceLine> {
        let charge = self.charge(index, status, late_cancellation)?;
        // The price came through `Cents::price`, so the line's own check holds.
        Some(InvoiceLine::charged(
            date,
            series_title.clone(),
            kind,
            charge.status,
            charge.trial,
            charge.price,
            self.currency,
            self.vat.clone(),
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn payer_body() -> PayerBody {
        PayerBody {
            name: "Kaukolan hyvinvointialue".into(),
            business_id: "0245458-3".into(),
            address: PostalAddressBody {
                street: "Sairaalantie 1".into(),
                postcode: "00100".into(),
                city: "Helsinki".into(),
                country: None,
            },
            peppol_id: Some("0216:003702454583".into()),
            buyer_reference: Some("OSASTO-5A".into()),
            ..PayerBody::default()
        }
    }

    pub(crate) fn body() -> ContractTermsBody {
        ContractTermsBody {
            price_cents: 18_000,
            vat_category: "S".into(),
            vat_rate: Some(DecimalInput::Text("25.5".into())),
            trial_sessions: Some(1),
            trial_price_cents: Some(0),
            payer: payer_body(),
            ..ContractTermsBody::default()
        }
    }

    fn fields(body: &ContractTermsBody) -> Vec<String> {
        ContractTerms::parse(body).unwrap_err().errors().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn terms_parse_with_defaults() {
        let terms = ContractTerms::parse(&body()).unwrap();
        assert_eq!(terms.price(), Cents::new(18_000));
        assert_eq!(terms.currency(), Currency::EUR);
        assert_eq!(terms.vat().rate().percent(), "25.5");
        assert!(terms.charges_late_cancellations());
        assert_eq!(terms.payer().endpoint().to_string(), "0216:003702454583");
        let number = ContractTermsBody { vat_rate: Some(DecimalInput::Number(14.0)), ..body() };
        assert_eq!(ContractTerms::parse(&number).unwrap().vat().rate().percent(), "14");
    }

    #[test]
    fn bad_terms_are_refused_by_name() {
        assert_eq!(fields(&ContractTermsBody { price_cents: -100, ..body() }), ["price_cents"]);
        assert_eq!(fields(&ContractTermsBody { vat_rate: Some(DecimalInput::Number(100.5)), ..body() }), ["vat_rate"]);
        let exempt = ContractTermsBody { vat_category: "E".into(), vat_rate: None, ..body() };
        assert_eq!(fields(&exempt), ["vat_exemption_reason"]);
        let mut payer = payer_body();
        payer.business_id = "0245458-4".into();
        assert_eq!(fields(&ContractTermsBody { payer, ..body() }), ["payer.business_id"]);
        assert_eq!(fields(&ContractTermsBody { trial_price_cents: None, ..body() }), ["trial_price_cents"]);
        assert_eq!(fields(&ContractTermsBody { ends_early_from: Some(0), ..body() }), ["ends_early_from"]);
        let mut payer = payer_body();
        payer.buyer_reference = None;
        payer.ovt_code = Some("003702454583".into());
        assert_eq!(fields(&ContractTermsBody { payer, ..body() }), ["payer.ovt_code", "payer.buyer_reference"]);
    }

    #[test]
    fn which_sessions_are_charged() {
        let terms = ContractTerms::parse(&ContractTermsBody { ends_early_from: Some(8), ..body() }).unwrap();
        let held = terms.charge(1, SessionStatus::Held, false).unwrap();
        assert_eq!((held.status, held.trial, held.price), (LineStatus::Held, true, Cents::ZERO));
        let late = terms.charge(2, SessionStatus::Cancelled, true).unwrap();
        assert_eq!((late.status, late.trial, late.price), (LineStatus::LateCancelled, false, Cents::new(18_000)));
        assert_eq!(terms.charge(3, SessionStatus::Cancelled, false), None, "in time: never");
        assert_eq!(terms.charge(4, SessionStatus::Scheduled, false), None);
        assert_eq!(terms.charge(8, SessionStatus::Held, false), None, "from the early end on: never");
        let lenient = ContractTerms::parse(&ContractTermsBody { charge_late_cancellations: Some(false), ..body() });
        assert_eq!(lenient.unwrap().charge(2, SessionStatus::Cancelled, true), None);
        let ended = terms.ending_early_from("ends_early_from", 3).unwrap();
        assert_eq!(ended.charge(3, SessionStatus::Held, false), None);
        assert!(ended.charge(2, SessionStatus::Held, false).is_some());
    }
}
