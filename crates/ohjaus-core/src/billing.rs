//! The seller's billing profile: who invoices (a supervisor's firm), where to pay, on what
//! terms, and the series their invoice numbers come from.

use crate::address::{PostalAddress, PostalAddressBody};
use crate::bank::{Bic, Iban};
use crate::business_id::{BusinessId, FinnishVatNumber, OvtCode};
use crate::error::{Collector, FieldError, ValidationErrors};
use crate::peppol::PeppolId;
use crate::text::Label;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An invoice number: the series' prefix and a sequence number, e.g. `OHJ-1042`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceNumber {
    prefix: String,
    sequence: u64,
}

impl InvoiceNumber {
    /// The number `sequence` of the series with `prefix` (checked as
    /// [`InvoiceNumberSeries::new`] checks them).
    pub fn new(prefix: &str, sequence: u64) -> Result<Self, FieldError> {
        InvoiceNumberSeries::new(prefix, sequence).map(|series| series.next_number())
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix, self.sequence)
    }
}

impl Serialize for InvoiceNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A seller's invoice number series: a prefix and the next number. The store assigns numbers
/// gaplessly (in the approving transaction); this type only says what they look like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InvoiceNumberSeries {
    prefix: String,
    next: u64,
}

impl InvoiceNumberSeries {
    /// Longest prefix: with ten digits of sequence an invoice number stays within the 20
    /// characters Finnish e-invoices (Finvoice) allow.
    pub const MAX_PREFIX_CHARS: usize = 10;
    /// The highest sequence number (ten digits).
    pub const MAX_SEQUENCE: u64 = 9_999_999_999;

    /// A series with `prefix` (up to 10 capital letters, digits, `-`, `/` or `_`; may be
    /// empty) whose next number is `next` (from 1).
    pub fn new(prefix: &str, next: u64) -> Result<Self, FieldError> {
        let prefix = prefix.trim();
        let shaped = prefix.len() <= Self::MAX_PREFIX_CHARS
            && prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'_'));
        if !shaped {
            return Err(FieldError::new(
                "invoice_prefix",
                format!("must be at most {} capital letters, digits, -, / or _", Self::MAX_PREFIX_CHARS),
            ));
        }
        if !(1..=Self::MAX_SEQUENCE).contains(&next) {
            return Err(FieldError::new(
                "next_invoice_number",
                format!("must be between 1 and {}", Self::MAX_SEQUENCE),
            ));
        }
        Ok(Self { prefix: prefix.to_owned(), next })
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The next sequence number.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// The number the next invoice gets.
    pub fn next_number(&self) -> InvoiceNumber {
        InvoiceNumber { prefix: self.prefix.clone(), sequence: self.next }
    }

    /// The series after one more invoice, or `None` when it is used up.
    pub fn advanced(&self) -> Option<Self> {
        let next = self.next.checked_add(1).filter(|n| *n <= Self::MAX_SEQUENCE)?;
        Some(Self { prefix: self.prefix.clone(), next })
    }
}

/// The seller's billing profile as it arrives in a body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BillingProfileBody {
    /// The seller's legal name, e.g. `Työnohjaus Virtanen Oy` or a sole trader's name.
    pub legal_name: String,
    /// Business ID (Y-tunnus), `1234567-8`.
    pub business_id: String,
    /// VAT number, `FI12345678`; default: made from the business ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    /// The seller's own OVT code, when they receive e-invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ovt_code: Option<String>,
    /// Postal address.
    pub address: PostalAddressBody,
    /// Account the buyers pay to.
    pub iban: String,
    /// The account's bank.
    pub bic: String,
    /// Days from the invoice date to the due date, 0–365.
    pub payment_terms_days: i64,
    /// Invoice number prefix, e.g. `OHJ-` (may be empty).
    #[serde(default)]
    pub invoice_prefix: String,
    /// The next invoice number; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_invoice_number: Option<i64>,
}

/// A validated billing profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct BillingProfile {
    legal_name: Label,
    business_id: BusinessId,
    vat_number: FinnishVatNumber,
    ovt_code: Option<OvtCode>,
    address: PostalAddress,
    iban: Iban,
    bic: Bic,
    payment_terms_days: u16,
    number_series: InvoiceNumberSeries,
}

impl BillingProfile {
    /// Longest payment term, in days.
    pub const MAX_PAYMENT_TERMS_DAYS: u16 = 365;

    /// Validates every field of `body`, reporting all that are wrong.
    pub fn parse(body: &BillingProfileBody) -> Result<Self, ValidationErrors> {
        let mut errors = Collector::default();
        let legal_name = errors.take(Label::parse("legal_name", &body.legal_name));
        let business_id = errors.take(BusinessId::parse("business_id", &body.business_id));
        let vat_number = match (&body.vat_number, business_id) {
            (Some(text), business_id) => {
                errors.take(FinnishVatNumber::parse("vat_number", text).and_then(|vat| match business_id {
                    Some(id) if vat.business_id() != id => Err(FieldError::new(
                        "vat_number",
                        format!("must be {} (FI and the business ID's digits)", id.vat_number()),
                    )),
                    _ => Ok(vat),
                }))
            }
            (None, Some(id)) => Some(id.vat_number()),
            (None, None) => None,
        };
        let ovt_code = body.ovt_code.as_deref().and_then(|code| {
            errors.take(OvtCode::parse("ovt_code", code).and_then(|ovt| match business_id {
                Some(id) if ovt.business_id() != id => {
                    Err(FieldError::new("ovt_code", "must contain the seller's own business ID"))
                }
                _ => Ok(ovt),
            }))
        });
        let address = match PostalAddress::parse("address.", &body.address) {
            Ok(address) => Some(address),
            Err(list) => {
                list.errors().iter().cloned().for_each(|e| errors.push(e));
                None
            }
        };
        let iban = errors.take(Iban::parse("iban", &body.iban));
        let bic = errors.take(Bic::parse("bic", &body.bic));
        let payment_terms_days = errors.take(
            u16::try_from(body.payment_terms_days)
                .ok()
                .filter(|days| *days <= Self::MAX_PAYMENT_TERMS_DAYS)
                .ok_or_else(|| {
                    FieldError::new(
                        "payment_terms_days",
                        format!("must be between 0 and {}", Self::MAX_PAYMENT_TERMS_DAYS),
                    )
                }),
        );
        let next = body.next_invoice_number.unwrap_or(1);
        let number_series = errors.take(
            u64::try_from(next)
                .map_err(|_| FieldError::new("next_invoice_number", "must not be negative"))
                .and_then(|next| InvoiceNumberSeries::new(&body.invoice_prefix, next)),
        );
        match (legal_name, business_id, vat_number, address, iban, bic, payment_terms_days, number_series) {
            (
                Some(legal_name),
                Some(business_id),
                Some(vat_number),
                Some(address),
                Some(iban),
                Some(bic),
                Some(payment_terms_days),
                Some(number_series),
            ) if errors.is_clean() => Ok(Self {
                legal_name,
                business_id,
                vat_number,
                ovt_code,
                address,
                iban,
                bic,
                payment_terms_days,
                number_series,
            }),
            _ => Err(errors.finish().err().unwrap_or_else(|| FieldError::new("", "is invalid").into())),
        }
    }

    /// The same profile with another number series (the store advances it as it numbers).
    #[must_use]
    pub fn with_number_series(&self, number_series: InvoiceNumberSeries) -> Self {
        Self { number_series, ..self.clone() }
    }

    /// The legal name (BT-27).
    pub fn legal_name(&self) -> &Label {
        &self.legal_name
    }

    /// The business ID (BT-30).
    pub fn business_id(&self) -> BusinessId {
        self.business_id
    }

    /// The VAT number (BT-31).
    pub fn vat_number(&self) -> FinnishVatNumber {
        self.vat_number
    }

    /// The seller's own OVT code, when given.
    pub fn ovt_code(&self) -> Option<&OvtCode> {
        self.ovt_code.as_ref()
    }

    /// The seller's electronic address (BT-34): the OVT code under `0216` when given, otherwise
    /// the business ID under `0037`.
    pub fn endpoint(&self) -> PeppolId {
        self.ovt_code.as_ref().map_or_else(|| PeppolId::from_business_id(self.business_id), PeppolId::from_ovt)
    }

    /// The postal address.
    pub fn address(&self) -> &PostalAddress {
        &self.address
    }

    /// The account to pay to.
    pub fn iban(&self) -> &Iban {
        &self.iban
    }

    /// The account's bank.
    pub fn bic(&self) -> &Bic {
        &self.bic
    }

    /// Days from the invoice date to the due date.
    pub fn payment_terms_days(&self) -> u16 {
        self.payment_terms_days
    }

    /// The invoice number series.
    pub fn number_series(&self) -> &InvoiceNumberSeries {
        &self.number_series
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn body() -> BillingProfileBody {
        BillingProfileBody {
            legal_name: "Työnohjaus Virtanen Oy".into(),
            business_id: "0112038-9".into(),
            vat_number: None,
            ovt_code: None,
            address: PostalAddressBody {
                street: "Kauppakatu 3".into(),
                postcode: "40100".into(),
                city: "Jyväskylä".into(),
                country: Some("FI".into()),
            },
            iban: "FI21 1234 5600 0007 85".into(),
            bic: "NDEAFIHH".into(),
            payment_terms_days: 14,
            invoice_prefix: "OHJ-".into(),
            next_invoice_number: Some(1042),
        }
    }

    fn fields(body: &BillingProfileBody) -> Vec<String> {
        BillingProfile::parse(body).unwrap_err().errors().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_profile_with_defaults() {
        let profile = BillingProfile::parse(&body()).unwrap();
        assert_eq!(profile.vat_number().to_string(), "FI01120389");
        assert_eq!(profile.endpoint().to_string(), "0037:01120389");
        assert_eq!(profile.number_series().next_number().to_string(), "OHJ-1042");
        assert_eq!(profile.number_series().advanced().unwrap().next(), 1043);
        let with_ovt =
            BillingProfile::parse(&BillingProfileBody { ovt_code: Some("00370112038900001".into()), ..body() });
        assert_eq!(with_ovt.unwrap().endpoint().to_string(), "0216:00370112038900001");
    }

    #[test]
    fn bad_profiles_are_refused_by_name() {
        assert_eq!(fields(&BillingProfileBody { iban: "FI2112345600000786".into(), ..body() }), ["iban"]);
        assert_eq!(fields(&BillingProfileBody { business_id: "0112038-8".into(), ..body() }), ["business_id"]);
        assert_eq!(fields(&BillingProfileBody { vat_number: Some("FI02454583".into()), ..body() }), ["vat_number"]);
        assert_eq!(fields(&BillingProfileBody { ovt_code: Some("003702454583".into()), ..body() }), ["ovt_code"]);
        assert_eq!(fields(&BillingProfileBody { bic: "NDEA".into(), ..body() }), ["bic"]);
        assert_eq!(fields(&BillingProfileBody { payment_terms_days: -1, ..body() }), ["payment_terms_days"]);
        assert_eq!(fields(&BillingProfileBody { invoice_prefix: "ohj ".into(), ..body() }), ["invoice_prefix"]);
        assert_eq!(fields(&BillingProfileBody { next_invoice_number: Some(0), ..body() }), ["next_invoice_number"]);
    }

    #[test]
    fn a_series_ends() {
        let last = InvoiceNumberSeries::new("", InvoiceNumberSeries::MAX_SEQUENCE).unwrap();
        assert_eq!(last.advanced(), None);
        assert_eq!(InvoiceNumber::new("A", 7).unwrap().to_string(), "A7");
    }
}
