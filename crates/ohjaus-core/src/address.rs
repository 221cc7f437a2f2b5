//! Postal addresses of the seller and the payer, as an invoice carries them (BG-5, BG-8).

use crate::error::{Collector, FieldError, ValidationErrors};
use crate::text::Label;
use serde::{Deserialize, Serialize};
use std::fmt;

/// ISO 3166-1 alpha-2 codes as the EN 16931 rules accept them (BR-CL-14; `1A` is Kosovo).
const COUNTRIES: [&str; 251] = [
    "1A", "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
    "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ",
    "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ",
    "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY",
    "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO",
    "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
    "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR",
    "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
    "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO",
    "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV",
    "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "XI", "YE",
    "YT", "ZA", "ZM", "ZW",
];

/// A country, by its ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode(&'static str);

impl CountryCode {
    /// Finland.
    pub const FINLAND: Self = Self("FI");

    /// Parses a code such as `FI` (case-insensitive) for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let code = value.trim().to_ascii_uppercase();
        COUNTRIES
            .iter()
            .find(|known| **known == code)
            .map(|known| Self(known))
            .ok_or_else(|| FieldError::new(field, format!("{value:?} is not an ISO 3166 country code like FI")))
    }

    /// The code.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// A postal address as it arrives in a body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddressBody {
    /// Street and number, e.g. `Mannerheimintie 1 A 2`.
    pub street: String,
    /// Postcode; five digits in Finland.
    pub postcode: String,
    /// City or town.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code; default `FI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A validated postal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PostalAddress {
    street: Label,
    postcode: Label,
    city: Label,
    country: CountryCode,
}

impl PostalAddress {
    /// Longest street, postcode or city accepted.
    pub const MAX_CHARS: usize = 100;

    /// Validates `body`; errors name `{prefix}street`, `{prefix}postcode`, `{prefix}city` and
    /// `{prefix}country`.
    pub fn parse(prefix: &str, body: &PostalAddressBody) -> Result<Self, ValidationErrors> {
        let field = |name: &str| format!("{prefix}{name}");
        let mut errors = Collector::default();
        let street = errors.take(Label::parse_max(&field("street"), &body.street, Self::MAX_CHARS));
        let postcode = errors.take(Label::parse_max(&field("postcode"), &body.postcode, 20));
        let city = errors.take(Label::parse_max(&field("city"), &body.city, Self::MAX_CHARS));
        let country = match &body.country {
            None => Some(CountryCode::FINLAND),
            Some(code) => errors.take(CountryCode::parse(&field("country"), code)),
        };
        if let (Some(postcode), Some(CountryCode::FINLAND)) = (&postcode, country) {
            let digits = postcode.as_str();
            if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(FieldError::new(field("postcode"), "must be five digits in Finland"));
            }
        }
        match (street, postcode, city, country) {
            (Some(street), Some(postcode), Some(city), Some(country)) if errors.is_clean() => {
                Ok(Self { street, postcode, city, country })
            }
            _ => Err(errors.finish().err().unwrap_or_else(|| FieldError::new(prefix, "is invalid").into())),
        }
    }

    /// Street and number.
    pub fn street(&self) -> &Label {
        &self.street
    }

    /// Postcode.
    pub fn postcode(&self) -> &Label {
        &self.postcode
    }

    /// City.
    pub fn city(&self) -> &Label {
        &self.city
    }

    /// Country.
    pub fn country(&self) -> CountryCode {
        self.country
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(postcode: &str, country: Option<&str>) -> PostalAddressBody {
        PostalAddressBody {
            street: "Mannerheimintie 1".into(),
            postcode: postcode.into(),
            city: "Helsinki".into(),
            country: country.map(Into::into),
        }
    }

    #[test]
    fn finnish_addresses_have_five_digit_postcodes() {
        let address = PostalAddress::parse("address.", &body("00100", None)).unwrap();
        assert_eq!((address.postcode().as_str(), address.country().as_str()), ("00100", "FI"));
        let errors = PostalAddress::parse("address.", &body("100", None)).unwrap_err();
        assert_eq!(errors.first().field, "address.postcode");
        assert!(PostalAddress::parse("address.", &body("SE-111 22", Some("se"))).is_ok());
    }

    #[test]
    fn every_field_is_named() {
        let bad =
            PostalAddressBody { street: " ".into(), postcode: "".into(), city: "".into(), country: Some("XX".into()) };
        let fields: Vec<String> =
            PostalAddress::parse("payer.", &bad).unwrap_err().errors().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["payer.street", "payer.postcode", "payer.city", "payer.country"]);
    }
}
