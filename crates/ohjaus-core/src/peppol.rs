//! E-invoice addresses: a Peppol participant identifier (a scheme from the Electronic Address
//! Scheme list and a value), or a Finnish OVT code.
//!
//! The Finnish schemes are checked fully: `0216` is an [`OvtCode`]; `0037` is the older
//! scheme for the same numbers (Peppol's rule `(0037)?[0-9]{7}-?[0-9][0-9A-Z]{0,5}`: the
//! `0037` prefix and the hyphen optional), still accepted by the EN 16931 rules though the
//! Peppol directory is moving its entries to `0216`; `0213` is a Finnish VAT number. Other
//! schemes of the list are accepted with a value of visible characters only: their own check
//! digits are theirs to verify.

use crate::business_id::{BusinessId, FinnishVatNumber, OvtCode};
use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// The Electronic Address Scheme codes Peppol BIS Billing 3.0 accepts for an EndpointID
/// (the rules' code list, 2025-Q2 release).
const EAS: [&str; 92] = [
    "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142", "0147", "0151",
    "0154", "0158", "0170", "0177", "0183", "0184", "0188", "0190", "0191", "0192", "0193", "0194", "0195", "0196",
    "0198", "0199", "0200", "0201", "0202", "0203", "0204", "0205", "0208", "0209", "0210", "0211", "0212", "0213",
    "0215", "0216", "0217", "0218", "0221", "0225", "0230", "0235", "0240", "9910", "9913", "9914", "9915", "9918",
    "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928", "9929", "9930", "9931", "9932", "9933",
    "9934", "9935", "9936", "9937", "9938", "9939", "9940", "9941", "9942", "9943", "9944", "9945", "9946", "9947",
    "9948", "9949", "9950", "9951", "9952", "9953", "9957", "9959",
];

/// A Peppol participant identifier: scheme and value, e.g. `0216:003712345678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeppolId {
    scheme: &'static str,
    value: String,
}

impl PeppolId {
    /// The Finnish OVT code scheme.
    pub const OVT: &'static str = "0216";
    /// The Finnish organization identifier (business ID or OVT code) scheme, older than `0216`.
    pub const FINNISH_ORGANIZATION: &'static str = "0037";
    /// The Finnish VAT number scheme.
    pub const FINNISH_VAT: &'static str = "0213";

    /// Parses a scheme and a value for `field` (errors name `{field}.scheme` and
    /// `{field}.value`).
    pub fn parse(field: &str, scheme: &str, value: &str) -> Result<Self, FieldError> {
        let scheme_field = format!("{field}.scheme");
        let value_field = format!("{field}.value");
        let scheme = EAS.iter().copied().find(|code| *code == scheme.trim()).ok_or_else(|| {
            FieldError::new(&scheme_field, format!("{scheme:?} is not a Peppol electronic address scheme such as 0216"))
        })?;
        let value = value.trim();
        let value = match scheme {
            Self::OVT => OvtCode::parse(&value_field, value)?.to_string(),
            Self::FINNISH_VAT => FinnishVatNumber::parse(&value_field, value)?.to_string(),
            Self::FINNISH_ORGANIZATION => Self::finnish_organization(&value_field, value)?,
            _ => {
                if value.is_empty() || value.len() > 50 || !value.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(FieldError::new(&value_field, "must be 1–50 visible ASCII characters"));
                }
                value.to_owned()
            }
        };
        Ok(Self { scheme, value })
    }

    /// Parses `scheme:value`, the way participant identifiers are usually written.
    pub fn parse_joined(field: &str, text: &str) -> Result<Self, FieldError> {
        let (scheme, value) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| FieldError::new(field, format!("{text:?} is not a Peppol id like 0216:003712345678")))?;
        Self::parse(field, scheme, value)
    }

    /// A `0037` value, `(0037)?[0-9]{7}-?[0-9][0-9A-Z]{0,5}` with a valid business ID inside,
    /// kept as given but without the hyphen.
    fn finnish_organization(field: &str, value: &str) -> Result<String, FieldError> {
        let upper = value.to_ascii_uppercase();
        // The prefix is optional and a business ID may itself start with 0037: try both.
        let candidates = [upper.strip_prefix(OvtCode::PREFIX), Some(upper.as_str())];
        let mut found_shape = false;
        for rest in candidates.into_iter().flatten() {
            let Some((digits, suffix)) = Self::id_and_suffix(rest) else { continue };
            found_shape = true;
            if BusinessId::from_digits(&digits).is_some() {
                let prefix = if rest.len() < upper.len() { OvtCode::PREFIX } else { "" };
                return Ok(format!("{prefix}{digits}{suffix}"));
            }
        }
        Err(FieldError::new(
            field,
            if found_shape {
                "has a business ID with a wrong check digit".to_owned()
            } else {
                format!("{value:?} is not a business ID or OVT code")
            },
        ))
    }

    /// `[0-9]{7}-?[0-9][0-9A-Z]{0,5}` split into the eight digits and the suffix.
    fn id_and_suffix(text: &str) -> Option<(String, &str)> {
        let (body, rest) = text.split_at_checked(7)?;
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let (check, suffix) = rest.split_at_checked(1)?;
        let digits = format!("{body}{check}");
        let shaped = digits.bytes().all(|b| b.is_ascii_digit())
            && suffix.len() <= 5
            && suffix.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        shaped.then_some((digits, suffix))
    }

    /// A `0037` identifier from a business ID: its eight digits.
    pub fn from_business_id(id: BusinessId) -> Self {
        Self { scheme: Self::FINNISH_ORGANIZATION, value: id.digits().to_owned() }
    }

    /// A `0216` identifier from an OVT code.
    pub fn from_ovt(code: &OvtCode) -> Self {
        Self { scheme: Self::OVT, value: code.to_string() }
    }

    /// The scheme, e.g. `0216`.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// The value, e.g. `003712345678`.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for PeppolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.value)
    }
}

impl Serialize for PeppolId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Where a buyer receives e-invoices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EInvoiceAddress {
    /// A Peppol participant.
    Peppol(PeppolId),
    /// An OVT code in the Finnish operators' network (in Peppol, scheme `0216`).
    Ovt(OvtCode),
}

impl EInvoiceAddress {
    /// The address as a Peppol endpoint (an OVT code is scheme `0216`).
    pub fn endpoint(&self) -> PeppolId {
        match self {
            Self::Peppol(id) => id.clone(),
            Self::Ovt(code) => PeppolId::from_ovt(code),
        }
    }
}

impl Serialize for EInvoiceAddress {
    /// As its endpoint, `scheme:value`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.endpoint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_schemes_are_checked() {
        let ovt = PeppolId::parse("address", "0216", "003702454583").unwrap();
        assert_eq!(ovt.to_string(), "0216:003702454583");
        assert!(PeppolId::parse("address", "0216", "003702454584").is_err());
        assert_eq!(PeppolId::parse_joined("address", "0213:FI02454583").unwrap().value(), "FI02454583");
        for value in ["02454583", "0245458-3", "003702454583", "00370245458300001"] {
            let id = PeppolId::parse("address", "0037", value).unwrap();
            assert_eq!(id.value(), value.replace('-', ""), "{value}");
        }
        for bad in ["02454584", "024545-83", "0037024545830000001", "0245458--3"] {
            assert_eq!(PeppolId::parse("address", "0037", bad).unwrap_err().field, "address.value", "{bad}");
        }
    }

    #[test]
    fn other_schemes_need_a_known_code() {
        assert_eq!(PeppolId::parse("address", "0088", "7300010000001").unwrap().scheme(), "0088");
        assert_eq!(PeppolId::parse("address", "1234", "x").unwrap_err().field, "address.scheme");
        assert_eq!(PeppolId::parse("address", "0088", "a b").unwrap_err().field, "address.value");
    }

    #[test]
    fn an_ovt_address_is_a_0216_endpoint() {
        let code = OvtCode::parse("ovt", "00370245458300001").unwrap();
        assert_eq!(EInvoiceAddress::Ovt(code).endpoint().to_string(), "0216:00370245458300001");
    }
}
