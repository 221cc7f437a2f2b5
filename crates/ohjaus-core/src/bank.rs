//! Where a buyer pays: the seller's IBAN and BIC.

use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// An IBAN (ISO 13616), stored in its electronic form without spaces (`FI2112345600000785`)
/// and printed in groups of four (`FI21 1234 5600 0007 85`).
///
/// Checked by the `iban_validate` crate: the mod-97 check digits, and the length and BBAN
/// format of the country from the SWIFT IBAN registry (every SEPA country and the others).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(iban::Iban);

impl Iban {
    /// Parses an IBAN for `field`: any spacing, any case.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        use iban::{ParseBaseIbanError, ParseIbanError};
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        compact.parse::<iban::Iban>().map(Self).map_err(|error| {
            let message = match error {
                ParseIbanError::InvalidBaseIban { source: ParseBaseIbanError::InvalidChecksum } => {
                    "has a wrong checksum".to_owned()
                }
                ParseIbanError::InvalidBaseIban { source: ParseBaseIbanError::InvalidFormat } => {
                    format!("{value:?} is not an IBAN like FI21 1234 5600 0007 85")
                }
                ParseIbanError::UnknownCountry(_) => "is from a country without IBANs".to_owned(),
                ParseIbanError::InvalidBban(_) => "has the wrong length or format for its country".to_owned(),
            };
            FieldError::new(field, message)
        })
    }

    /// The electronic form, `FI2112345600000785`, as e-invoices carry it.
    pub fn electronic(&self) -> &str {
        use iban::IbanLike;
        self.0.electronic_str()
    }

    /// The two-letter country code.
    pub fn country(&self) -> &str {
        use iban::IbanLike;
        self.0.country_code()
    }
}

impl fmt::Display for Iban {
    /// The printed form, in groups of four.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Iban {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.electronic())
    }
}

/// A BIC (ISO 9362): four letters for the bank, two for the country, two letters or digits
/// for the location and optionally three for the branch, e.g. `NDEAFIHH`. Only the format can
/// be checked; there is no check digit. Written by hand: a dozen lines of character classes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Bic(String);

impl Bic {
    /// Parses a BIC for `field`: spaces and case ignored.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let bytes = text.as_bytes();
        let shaped = matches!(bytes.len(), 8 | 11)
            && bytes[..6].iter().all(u8::is_ascii_uppercase)
            && bytes[6..].iter().all(u8::is_ascii_alphanumeric);
        if !shaped {
            return Err(FieldError::new(field, format!("{value:?} is not a BIC like NDEAFIHH")));
        }
        Ok(Self(text))
    }

    /// The BIC.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code in it.
    pub fn country(&self) -> &str {
        &self.0[4..6]
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_normalised_and_printed_in_fours() {
        let iban = Iban::parse("iban", "fi21 1234 5600 0007 85").unwrap();
        assert_eq!(iban.electronic(), "FI2112345600000785");
        assert_eq!(iban.to_string(), "FI21 1234 5600 0007 85");
        assert_eq!(iban.country(), "FI");
        assert_eq!(Iban::parse("iban", "DE89370400440532013000").unwrap().country(), "DE");
    }

    #[test]
    fn a_wrong_checksum_is_refused_by_name() {
        let error = Iban::parse("seller.iban", "FI2112345600000786").unwrap_err();
        assert_eq!((error.field.as_str(), error.message.as_str()), ("seller.iban", "has a wrong checksum"));
    }

    #[test]
    fn wrong_lengths_and_shapes_are_refused() {
        // Valid check digits but one digit short for Finland (18 characters).
        assert_eq!(Iban::parse("iban", "FI211234560000078").unwrap_err().field, "iban");
        assert!(Iban::parse("iban", "not an iban").is_err());
        assert!(Iban::parse("iban", "").is_err());
    }

    #[test]
    fn bics_have_their_shape() {
        assert_eq!(Bic::parse("bic", "ndea fi hh").unwrap().as_str(), "NDEAFIHH");
        assert_eq!(Bic::parse("bic", "OKOYFIHHXXX").unwrap().country(), "FI");
        for bad in ["NDEAFIH", "NDE1FIHH", "NDEAFIHHX", "NDEAFIHH-XX", ""] {
            assert!(Bic::parse("bic", bad).is_err(), "{bad:?}");
        }
    }
}
