//! VAT: the category of a charge (EN 16931 code list UNCL 5305, as Peppol BIS Billing 3.0
//! restricts it) and its rate, exact to a hundredth of a percent.
//!
//! Three categories are supported: `S` (standard rate, any rate above zero: 25.5 %, 14 %,
//! 10 %), `Z` (zero rated) and `E` (exempt, with the reason — AVL 34 § health-care services
//! are the common case for supervision). Left out on purpose:
//!
//! - `AE` (reverse charge) applies to a buyer in another country, and a payer here is always
//!   identified by a Finnish business ID;
//! - `O` (not subject to VAT) forbids every VAT identifier on the invoice and any other
//!   category beside it (BR-O-02…BR-O-11), while a seller here always has a VAT number;
//! - `K`, `G`, `L`, `M`, `B` are for intra-community supplies, exports, the Canary Islands,
//!   Ceuta and Melilla, and Italian split payment.

use crate::error::FieldError;
use crate::money::{Cents, div_round_half_away};
use crate::text::Label;
use serde::{Serialize, Serializer};
use std::fmt;

/// A VAT rate in hundredths of a percent (2550 is 25.5 %), from 0 to 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatRate(u16);

impl VatRate {
    /// 0 %.
    pub const ZERO: Self = Self(0);
    /// The highest rate accepted, 100 %.
    pub const MAX: Self = Self(10_000);

    /// A rate of `hundredths` hundredths of a percent, or `None` above 100 %.
    pub fn from_hundredths(hundredths: u16) -> Option<Self> {
        (hundredths <= Self::MAX.0).then_some(Self(hundredths))
    }

    /// Parses a percentage such as `25.5`, `25,5`, `14` or `10.00` (at most two decimals, no
    /// `%`) for `field`: from 0 to 100.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text = value.trim().trim_end_matches('%').trim_end();
        if text.starts_with('-') {
            return Err(FieldError::new(field, "must be between 0 and 100"));
        }
        let invalid = || FieldError::new(field, format!("{value:?} is not a percentage like 25.5"));
        let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
        if whole.is_empty()
            || whole.len() > 6
            || fraction.len() > 2
            || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let whole: u32 = whole.parse().map_err(|_| invalid())?;
        let fraction: u32 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let hundredths = whole * 100 + fraction;
        u16::try_from(hundredths)
            .ok()
            .and_then(Self::from_hundredths)
            .ok_or_else(|| FieldError::new(field, "must be between 0 and 100"))
    }

    /// Hundredths of a percent.
    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// The percentage without trailing zeros: `25.5`, `14`, `0`, `12.25`.
    pub fn percent(self) -> String {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }

    /// The VAT on `taxable` at this rate, rounded to the cent, halves away from zero (BR-CO-17).
    pub fn tax_on(self, taxable: Cents) -> Option<Cents> {
        div_round_half_away(i128::from(taxable.get()) * i128::from(self.0), 10_000).map(Cents::new)
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.percent())
    }
}

impl Serialize for VatRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.percent())
    }
}

/// A VAT exemption reason code of the CEF VATEX code list (e.g. `VATEX-EU-132-1C`), one of
/// those the EN 16931 rules accept (BR-CL-22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ExemptionReasonCode(&'static str);

impl ExemptionReasonCode {
    /// The codes accepted by the EN 16931 rules (validation release 1.3.16), which are the
    /// CEF VATEX list.
    pub const KNOWN: [&'static str; 88] = [
        "VATEX-EU-132",
        "VATEX-EU-132-1A",
        "VATEX-EU-132-1B",
        "VATEX-EU-132-1C",
        "VATEX-EU-132-1D",
        "VATEX-EU-132-1E",
        "VATEX-EU-132-1F",
        "VATEX-EU-132-1G",
        "VATEX-EU-132-1H",
        "VATEX-EU-132-1I",
        "VATEX-EU-132-1J",
        "VATEX-EU-132-1K",
        "VATEX-EU-132-1L",
        "VATEX-EU-132-1M",
        "VATEX-EU-132-1N",
        "VATEX-EU-132-1O",
        "VATEX-EU-132-1P",
        "VATEX-EU-132-1Q",
        "VATEX-EU-135-1",
        "VATEX-EU-143",
        "VATEX-EU-143-1A",
        "VATEX-EU-143-1B",
        "VATEX-EU-143-1C",
        "VATEX-EU-143-1D",
        "VATEX-EU-143-1E",
        "VATEX-EU-143-1F",
        "VATEX-EU-143-1FA",
        "VATEX-EU-143-1G",
        "VATEX-EU-143-1H",
        "VATEX-EU-143-1I",
        "VATEX-EU-143-1J",
        "VATEX-EU-143-1K",
        "VATEX-EU-143-1L",
        "VATEX-EU-144",
        "VATEX-EU-146-1E",
        "VATEX-EU-148",
        "VATEX-EU-148-A",
        "VATEX-EU-148-B",
        "VATEX-EU-148-C",
        "VATEX-EU-148-D",
        "VATEX-EU-148-E",
        "VATEX-EU-148-F",
        "VATEX-EU-148-G",
        "VATEX-EU-151",
        "VATEX-EU-151-1A",
        "VATEX-EU-151-1AA",
        "VATEX-EU-151-1B",
        "VATEX-EU-151-1C",
        "VATEX-EU-151-1D",
        "VATEX-EU-151-1E",
        "VATEX-EU-153",
        "VATEX-EU-159",
        "VATEX-EU-309",
        "VATEX-EU-79-C",
        "VATEX-EU-AE",
        "VATEX-EU-D",
        "VATEX-EU-F",
        "VATEX-EU-G",
        "VATEX-EU-I",
        "VATEX-EU-IC",
        "VATEX-EU-J",
        "VATEX-EU-O",
        "VATEX-FR-298SEXDECIESA",
        "VATEX-FR-AE",
        "VATEX-FR-CGI261-1",
        "VATEX-FR-CGI261-2",
        "VATEX-FR-CGI261-3",
        "VATEX-FR-CGI261-4",
        "VATEX-FR-CGI261-5",
        "VATEX-FR-CGI261-7",
        "VATEX-FR-CGI261-8",
        "VATEX-FR-CGI261A",
        "VATEX-FR-CGI261B",
        "VATEX-FR-CGI261C-1",
        "VATEX-FR-CGI261C-2",
        "VATEX-FR-CGI261C-3",
        "VATEX-FR-CGI261D-1",
        "VATEX-FR-CGI261D-1BIS",
        "VATEX-FR-CGI261D-2",
        "VATEX-FR-CGI261D-3",
        "VATEX-FR-CGI261D-4",
        "VATEX-FR-CGI261E-1",
        "VATEX-FR-CGI261E-2",
        "VATEX-FR-CGI275",
        "VATEX-FR-CGI277A",
        "VATEX-FR-CGI295",
        "VATEX-FR-CNWVAT",
        "VATEX-FR-FRANCHISE",
    ];

    /// Codes that name another category than exempt (`AE`, `G`, `IC`, `O`: reverse charge,
    /// export, intra-community supply, outside the scope of VAT).
    const OTHER_CATEGORY: [&'static str; 5] = ["VATEX-EU-AE", "VATEX-FR-AE", "VATEX-EU-G", "VATEX-EU-IC", "VATEX-EU-O"];

    /// Parses a code for `field` (case-insensitive).
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let code = value.trim().to_ascii_uppercase();
        if Self::OTHER_CATEGORY.contains(&code.as_str()) {
            return Err(FieldError::new(field, format!("{code} belongs to another VAT category than exempt (E)")));
        }
        Self::KNOWN
            .iter()
            .find(|known| **known == code)
            .map(|known| Self(known))
            .ok_or_else(|| FieldError::new(field, format!("{value:?} is not a VATEX code such as VATEX-EU-132-1C")))
    }

    /// The code.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// The VAT category of a charge with what it needs: a rate for the standard rate, a reason
/// for an exemption.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VatCategory {
    /// `S`: the standard (or a reduced) rate, above zero (BR-S-05).
    Standard(VatRate),
    /// `Z`: zero rated, 0 %.
    ZeroRated,
    /// `E`: exempt from VAT, 0 %, with the reason in words (BT-120) and, when known, its VATEX
    /// code (BT-121).
    Exempt {
        /// Why, e.g. "Terveyden- ja sairaanhoitopalvelu, AVL 34 §".
        reason: Label,
        /// The VATEX code, e.g. `VATEX-EU-132-1C`.
        code: Option<ExemptionReasonCode>,
    },
}

impl VatCategory {
    /// Longest exemption reason accepted.
    pub const MAX_REASON_CHARS: usize = 300;

    /// Builds a category from its parts as a body gives them: `category` is `S`, `Z` or `E`;
    /// `rate` is required for `S` and must be absent or zero otherwise; `reason` is required
    /// for `E` and refused otherwise. Field names are `{prefix}category`, `{prefix}rate`,
    /// `{prefix}exemption_reason` and `{prefix}exemption_reason_code`.
    pub fn from_parts(
        prefix: &str,
        category: &str,
        rate: Option<&str>,
        reason: Option<&str>,
        reason_code: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let field = |name: &str| format!("{prefix}{name}");
        let mut errors = Vec::new();
        let rate = match rate {
            Some(text) => match VatRate::parse(&field("rate"), text) {
                Ok(rate) => Some(rate),
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
            None => None,
        };
        let code = reason_code.map(|code| ExemptionReasonCode::parse(&field("exemption_reason_code"), code));
        let category = match category.trim().to_ascii_uppercase().as_str() {
            "S" => match rate {
                Some(rate) if rate > VatRate::ZERO => Some(Self::Standard(rate)),
                Some(_) => {
                    errors.push(FieldError::new(field("rate"), "must be above 0 for the standard rate (S)"));
                    None
                }
                None if errors.is_empty() => {
                    errors.push(FieldError::new(field("rate"), "is required for the standard rate (S)"));
                    None
                }
                None => None,
            },
            letter @ ("Z" | "E") => {
                if rate.is_some_and(|rate| rate != VatRate::ZERO) {
                    errors.push(FieldError::new(field("rate"), format!("must be 0 or left out for category {letter}")));
                }
                if letter == "Z" {
                    Some(Self::ZeroRated)
                } else {
                    match reason.map(|text| Label::parse_max(&field("exemption_reason"), text, Self::MAX_REASON_CHARS))
                    {
                        None => {
                            errors.push(FieldError::new(
                                field("exemption_reason"),
                                "is required for an exempt category (E), e.g. \"AVL 34 §\"",
                            ));
                            None
                        }
                        Some(Err(error)) => {
                            errors.push(error);
                            None
                        }
                        Some(Ok(reason)) => match code.clone().transpose() {
                            Ok(code) => Some(Self::Exempt { reason, code }),
                            Err(_) => None,
                        },
                    }
                }
            }
            other => {
                errors.push(FieldError::new(
                    field("category"),
                    format!("unknown VAT category {other:?} (use S, Z or E)"),
                ));
                None
            }
        };
        if let Some(Err(error)) = code {
            errors.push(error);
        }
        let exempt = matches!(category, Some(Self::Exempt { .. }));
        if !exempt && (reason.is_some() || reason_code.is_some()) && errors.is_empty() {
            errors.push(FieldError::new(field("exemption_reason"), "is only for an exempt category (E)"));
        }
        match category {
            Some(category) if errors.is_empty() => Ok(category),
            _ => Err(errors),
        }
    }

    /// The UNCL 5305 code: `S`, `Z` or `E`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Standard(_) => "S",
            Self::ZeroRated => "Z",
            Self::Exempt { .. } => "E",
        }
    }

    /// The rate (0 % for `Z` and `E`).
    pub fn rate(&self) -> VatRate {
        match self {
            Self::Standard(rate) => *rate,
            Self::ZeroRated | Self::Exempt { .. } => VatRate::ZERO,
        }
    }

    /// The exemption reason text, for `E`.
    pub fn exemption_reason(&self) -> Option<&Label> {
        match self {
            Self::Exempt { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The exemption reason code, for `E` when given.
    pub fn exemption_reason_code(&self) -> Option<ExemptionReasonCode> {
        match self {
            Self::Exempt { code, .. } => *code,
            _ => None,
        }
    }

    /// The VAT on `taxable` in this category, rounded to the cent (BR-CO-17).
    pub fn tax_on(&self, taxable: Cents) -> Option<Cents> {
        self.rate().tax_on(taxable)
    }
}

impl Serialize for VatCategory {
    /// `{category: "S", rate: "25.5", exemption_reason: null, exemption_reason_code: null}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("VatCategory", 4)?;
        state.serialize_field("category", self.code())?;
        state.serialize_field("rate", &self.rate())?;
        state.serialize_field("exemption_reason", &self.exemption_reason())?;
        state.serialize_field("exemption_reason_code", &self.exemption_reason_code())?;
        state.end()
    }
}

impl fmt::Display for VatCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} %", self.code(), self.rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> VatRate {
        VatRate::parse("rate", text).unwrap()
    }

    #[test]
    fn rates_are_exact_hundredths() {
        assert_eq!(rate("25.5").hundredths(), 2550);
        assert_eq!(rate("25,5").hundredths(), 2550);
        assert_eq!(rate("14").hundredths(), 1400);
        assert_eq!(rate("10.00").hundredths(), 1000);
        assert_eq!(rate("100").hundredths(), 10_000);
        assert_eq!(rate("25.5").percent(), "25.5");
        assert_eq!(rate("12.25").percent(), "12.25");
        assert_eq!(rate("7.05").percent(), "7.05");
        assert_eq!(rate("0").percent(), "0");
    }

    #[test]
    fn a_rate_over_100_or_negative_is_refused_by_name() {
        for bad in ["100.01", "255", "-1", "-0.5"] {
            let error = VatRate::parse("vat_rate", bad).unwrap_err();
            assert_eq!((error.field.as_str(), error.message.as_str()), ("vat_rate", "must be between 0 and 100"));
        }
        for bad in ["", "25.555", "abc", "1e2", ".5"] {
            assert_eq!(VatRate::parse("vat_rate", bad).unwrap_err().field, "vat_rate", "{bad:?}");
        }
    }

    #[test]
    fn tax_rounds_half_away_from_zero() {
        // 0.02 × 25.5 % = 0.0051 → 0.01; 0.01 × 25.5 % = 0.00255 → 0.00.
        assert_eq!(rate("25.5").tax_on(Cents::new(2)), Some(Cents::new(1)));
        assert_eq!(rate("25.5").tax_on(Cents::new(1)), Some(Cents::new(0)));
        // 17 × 117.65 = 2000.05; × 25.5 % = 510.012750 → 510.01.
        assert_eq!(rate("25.5").tax_on(Cents::new(200_005)), Some(Cents::new(51_001)));
        // 10 cents at 25 % = 2.5 cents → 3, and -3 for a negative base.
        assert_eq!(rate("25").tax_on(Cents::new(10)), Some(Cents::new(3)));
        assert_eq!(rate("25").tax_on(Cents::new(-10)), Some(Cents::new(-3)));
    }

    #[test]
    fn categories_carry_what_they_need() {
        let s = VatCategory::from_parts("vat_", "S", Some("25.5"), None, None).unwrap();
        assert_eq!((s.code(), s.rate().percent()), ("S", "25.5".to_owned()));
        let e = VatCategory::from_parts("vat_", "e", None, Some(" AVL 34 § "), Some("vatex-eu-132-1c")).unwrap();
        assert_eq!(e.exemption_reason().unwrap().as_str(), "AVL 34 §");
        assert_eq!(e.exemption_reason_code().unwrap().as_str(), "VATEX-EU-132-1C");
        assert_eq!(VatCategory::from_parts("vat_", "Z", Some("0"), None, None).unwrap(), VatCategory::ZeroRated);
    }

    #[test]
    fn an_exempt_category_without_a_reason_is_refused_by_name() {
        let errors = VatCategory::from_parts("vat_", "E", None, None, Some("VATEX-EU-132-1C")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "vat_exemption_reason");
    }

    #[test]
    fn wrong_combinations_are_refused_by_name() {
        let fields = |category, rate, reason, code| {
            VatCategory::from_parts("vat_", category, rate, reason, code)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields("S", None, None, None), ["vat_rate"]);
        assert_eq!(fields("S", Some("0"), None, None), ["vat_rate"]);
        assert_eq!(fields("S", Some("101"), None, None), ["vat_rate"]);
        assert_eq!(fields("S", Some("24"), Some("x"), None), ["vat_exemption_reason"]);
        assert_eq!(fields("E", Some("10"), Some("x"), None), ["vat_rate"]);
        assert_eq!(fields("E", None, Some("x"), Some("VATEX-EU-O")), ["vat_exemption_reason_code"]);
        assert_eq!(fields("E", None, Some("x"), Some("VATEX-XX")), ["vat_exemption_reason_code"]);
        assert_eq!(fields("AE", None, None, None), ["vat_category"]);
    }
}
