//! Finnish business identifiers: the business ID (*Y-tunnus*), the VAT number made from it,
//! and the OVT code (an e-invoice address made from it).
//!
//! Written by hand: the check digit is a few lines, and no maintained crate covers the
//! Finnish identifiers.

use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// A Finnish business ID (*Y-tunnus*), `1234567-8`: seven digits, a hyphen and a check digit
/// (weights 7, 9, 10, 5, 8, 4, 2 from the left, sum mod 11: remainder 0 gives 0, remainder 1
/// is never issued, otherwise 11 − remainder). Old IDs with six digits before the hyphen are
/// the same number with a leading zero, and are stored padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessId([u8; 8]);

impl BusinessId {
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];

    /// Parses `1234567-8` (or the old `123456-7`) for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text = value.trim();
        let malformed = || FieldError::new(field, format!("{value:?} is not a business ID (Y-tunnus) like 1234567-8"));
        let (body, check) = text.split_once('-').ok_or_else(malformed)?;
        if !(6..=7).contains(&body.len())
            || check.len() != 1
            || !body.bytes().chain(check.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(malformed());
        }
        let digits = format!("{body:0>7}{check}");
        Self::from_digits(&digits).ok_or_else(|| FieldError::new(field, "has a wrong check digit"))
    }

    /// The ID from its eight digits without the hyphen (`12345678`), when the check digit is
    /// right.
    pub fn from_digits(digits: &str) -> Option<Self> {
        let bytes: [u8; 8] = digits.as_bytes().try_into().ok()?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let check = Self::check_digit(&bytes[..7])?;
        (bytes[7] - b'0' == check).then_some(Self(bytes))
    }

    /// The check digit of seven digits, or `None` when no valid ID has them (remainder 1).
    fn check_digit(body: &[u8]) -> Option<u8> {
        let sum: u32 = body.iter().zip(Self::WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        match sum % 11 {
            0 => Some(0),
            1 => None,
            remainder => u8::try_from(11 - remainder).ok(),
        }
    }

    /// The eight digits without the hyphen, `12345678`, as OVT codes and VAT numbers use them.
    pub fn digits(&self) -> &str {
        // Invariant: eight ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The Finnish VAT number made from this ID, `FI12345678`.
    pub fn vat_number(self) -> FinnishVatNumber {
        FinnishVatNumber(self)
    }

    /// The OVT code made from this ID without a suffix, `003712345678`.
    pub fn ovt_code(self) -> OvtCode {
        OvtCode { business_id: self, suffix: String::new() }
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits();
        write!(f, "{}-{}", &digits[..7], &digits[7..])
    }
}

impl Serialize for BusinessId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A Finnish VAT number, `FI` and the business ID's eight digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FinnishVatNumber(BusinessId);

impl FinnishVatNumber {
    /// Parses `FI12345678` (spaces and case ignored) for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let digits = text
            .strip_prefix("FI")
            .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| FieldError::new(field, format!("{value:?} is not a Finnish VAT number like FI12345678")))?;
        BusinessId::from_digits(digits).map(Self).ok_or_else(|| FieldError::new(field, "has a wrong check digit"))
    }

    /// The business ID it is made from.
    pub fn business_id(self) -> BusinessId {
        self.0
    }
}

impl fmt::Display for FinnishVatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FI{}", self.0.digits())
    }
}

impl Serialize for FinnishVatNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// An OVT code (*OVT-tunnus*), the Finnish e-invoice address: `0037`, the business ID's eight
/// digits, and an optional suffix of up to five digits or capital letters that an organization
/// gives its units (`00371234567800001`). In Peppol it is scheme `0216`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OvtCode {
    business_id: BusinessId,
    suffix: String,
}

impl OvtCode {
    /// The fixed start of every OVT code (the ISO 6523 code of the Finnish tax administration).
    pub const PREFIX: &'static str = "0037";

    /// Parses an OVT code (spaces ignored, letters of the suffix in any case) for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let text: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let malformed = || {
            FieldError::new(
                field,
                format!("{value:?} is not an OVT code (0037, 8 digits of a business ID, up to 5 more)"),
            )
        };
        let rest = text.strip_prefix(Self::PREFIX).ok_or_else(malformed)?;
        let (digits, suffix) = rest.split_at_checked(8).ok_or_else(malformed)?;
        if suffix.len() > 5 || !suffix.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
            return Err(malformed());
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let business_id = BusinessId::from_digits(digits)
            .ok_or_else(|| FieldError::new(field, "has a business ID with a wrong check digit"))?;
        Ok(Self { business_id, suffix: suffix.to_owned() })
    }

    /// The business ID inside the code.
    pub fn business_id(&self) -> BusinessId {
        self.business_id
    }

    /// The unit suffix (empty when there is none).
    pub fn suffix(&self) -> &str {
        &self.suffix
    }
}

impl fmt::Display for OvtCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", Self::PREFIX, self.business_id.digits(), self.suffix)
    }
}

impl Serialize for OvtCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ids_with_their_check_digit() {
        // Published IDs: the Finnish Tax Administration, Nokia Oyj, Helsingin kaupunki.
        for id in ["0245458-3", "0112038-9", "0201256-6"] {
            assert_eq!(BusinessId::parse("business_id", id).unwrap().to_string(), id);
        }
        // 1000000: 7 % 11 = 7 → 11 − 7 = 4. 0000010: 4 → 7. 1000002: 7 + 4 = 11, remainder 0 → 0.
        assert_eq!(BusinessId::parse("business_id", "0000010-7").unwrap().digits(), "00000107");
        assert_eq!(BusinessId::parse("business_id", "1000002-0").unwrap().digits(), "10000020");
        assert_eq!(BusinessId::parse("business_id", "1000000-4").unwrap().digits(), "10000004");
    }

    #[test]
    fn an_old_six_digit_id_gets_its_leading_zero() {
        let id = BusinessId::parse("business_id", "245458-3").unwrap();
        assert_eq!(id.to_string(), "0245458-3");
    }

    #[test]
    fn a_wrong_check_digit_is_refused_by_name() {
        let error = BusinessId::parse("payer.business_id", "0245458-4").unwrap_err();
        assert_eq!((error.field.as_str(), error.message.as_str()), ("payer.business_id", "has a wrong check digit"));
        // 0010001: 10 + 2 = 12, remainder 1 — no check digit makes it valid.
        for last in 0..=9 {
            assert!(BusinessId::parse("business_id", &format!("0010001-{last}")).is_err());
        }
    }

    #[test]
    fn malformed_ids_are_refused_by_name() {
        for bad in ["", "02454583", "0245458-", "12345678-9", "02454a8-3", "0245458 - 3"] {
            assert_eq!(BusinessId::parse("business_id", bad).unwrap_err().field, "business_id", "{bad:?}");
        }
    }

    #[test]
    fn vat_numbers_and_ovt_codes_come_from_the_id() {
        let id = BusinessId::parse("business_id", "0245458-3").unwrap();
        assert_eq!(id.vat_number().to_string(), "FI02454583");
        assert_eq!(FinnishVatNumber::parse("vat", "fi 0245 4583").unwrap(), id.vat_number());
        assert!(FinnishVatNumber::parse("vat", "FI02454584").is_err());
        assert!(FinnishVatNumber::parse("vat", "SE02454583").is_err());
        assert_eq!(id.ovt_code().to_string(), "003702454583");
        let unit = OvtCode::parse("ovt", "00370245458300A1").unwrap();
        assert_eq!((unit.business_id(), unit.suffix()), (id, "00A1"));
        for bad in ["003702454584", "0037024545", "0038024545830", "003702454583123456", "00370245458300-1"] {
            assert!(OvtCode::parse("ovt", bad).is_err(), "{bad:?}");
        }
    }
}
