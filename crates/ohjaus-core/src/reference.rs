//! The payment reference of an invoice: a Finnish reference number (*viitenumero*).
//!
//! Why the Finnish one and not the RF creditor reference (ISO 11649): Finnish buyers' accounts
//! payable, the Finvoice mapping of Peppol's payment id and every Finnish bank's payment form
//! take the domestic reference as the normal case, and it is what a supervisor's accounting
//! matches incoming payments against. An RF reference is the same number with ISO check digits
//! in front, so it can be added later without changing what is stored.
//!
//! The format (Finance Finland's standard): 3–19 digits of a base, then a check digit — the base
//! weighted 7, 3, 1, 7, 3, 1… from the right, and the check digit is what the sum lacks to the
//! next multiple of ten (0 when it is one). Printed in groups of five from the right.
//! Written by hand: a dozen lines, and no maintained crate has it.

use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// A Finnish reference number, digits only (`10016`), without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ReferenceNumber(String);

impl ReferenceNumber {
    /// The check digit of a base of digits.
    fn check_digit(base: &str) -> u32 {
        let sum: u32 = base
            .bytes()
            .rev()
            .zip([7, 3, 1].into_iter().cycle())
            .map(|(digit, weight)| u32::from(digit - b'0') * weight)
            .sum();
        (10 - sum % 10) % 10
    }

    /// The reference for a base of 3–19 digits that does not start with a zero, with its check
    /// digit appended; `None` otherwise.
    pub fn from_base(base: &str) -> Option<Self> {
        let valid =
            (3..=19).contains(&base.len()) && !base.starts_with('0') && base.bytes().all(|b| b.is_ascii_digit());
        valid.then(|| Self(format!("{base}{}", Self::check_digit(base))))
    }

    /// The reference of the invoice with number `sequence` of a seller's series: the base is
    /// `1` followed by the sequence written with at least three digits (`1` → `1001`,
    /// `1042` → `11042`), so that every sequence gets its own reference of at least four
    /// digits without a leading zero.
    pub fn for_invoice(sequence: u64) -> Self {
        let base = format!("1{sequence:03}");
        // Invariant: "1" and at most 20 digits of a u64 is a valid base up to 10^18; beyond
        // that the base is cut to its last 18 digits, still starting with 1.
        Self::from_base(&base).unwrap_or_else(|| {
            let tail = &base[base.len() - 18..];
            let base = format!("1{tail}");
            let check = Self::check_digit(&base);
            Self(format!("{base}{check}"))
        })
    }

    /// Parses a reference for `field`: spaces ignored, leading zeros dropped, the check digit
    /// verified.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = digits.trim_start_matches('0');
        if !(4..=20).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(field, format!("{value:?} is not a reference number of 4–20 digits")));
        }
        let (base, check) = digits.split_at(digits.len() - 1);
        match Self::from_base(base) {
            Some(reference) if reference.0.ends_with(check) => Ok(reference),
            _ => Err(FieldError::new(field, "has a wrong check digit")),
        }
    }

    /// The digits, as a payment carries them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The printed form, in groups of five from the right: `1 23453`.
    pub fn grouped(&self) -> String {
        let digits = self.0.as_bytes();
        let head = digits.len() % 5;
        let mut groups: Vec<&str> = Vec::new();
        if head > 0 {
            groups.push(&self.0[..head]);
        }
        groups.extend((head..digits.len()).step_by(5).map(|at| &self.0[at..at + 5]));
        groups.join(" ")
    }
}

impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_known_references() {
        // 123: 3×7 + 2×3 + 1×1 = 28 → 2; 12345: 35 + 12 + 3 + 14 + 3 = 67 → 3.
        assert_eq!(ReferenceNumber::from_base("123").unwrap().as_str(), "1232");
        assert_eq!(ReferenceNumber::from_base("12345").unwrap().as_str(), "123453");
        // 1001: 1×7 + 0×3 + 0×1 + 1×7 = 14 → 6.
        assert_eq!(ReferenceNumber::from_base("1001").unwrap().as_str(), "10016");
        assert!(ReferenceNumber::from_base("12").is_none());
        assert!(ReferenceNumber::from_base("0123").is_none());
    }

    #[test]
    fn invoices_get_distinct_references() {
        assert_eq!(ReferenceNumber::for_invoice(1).as_str(), "10016");
        assert_eq!(ReferenceNumber::for_invoice(1042).as_str(), ReferenceNumber::from_base("11042").unwrap().as_str());
        let references: std::collections::BTreeSet<_> = (0..3000).map(ReferenceNumber::for_invoice).collect();
        assert_eq!(references.len(), 3000);
        assert!(ReferenceNumber::for_invoice(u64::MAX).as_str().len() <= 20);
    }

    #[test]
    fn parsing_checks_the_digit() {
        assert_eq!(ReferenceNumber::parse("ref", "1 23453").unwrap().as_str(), "123453");
        assert_eq!(ReferenceNumber::parse("ref", "000123453").unwrap().as_str(), "123453");
        assert_eq!(ReferenceNumber::parse("ref", "123454").unwrap_err().message, "has a wrong check digit");
        assert!(ReferenceNumber::parse("ref", "12").is_err());
    }

    #[test]
    fn printed_in_groups_of_five_from_the_right() {
        assert_eq!(ReferenceNumber::from_base("12345").unwrap().grouped(), "1 23453");
        assert_eq!(ReferenceNumber::from_base("1001").unwrap().grouped(), "10016");
    }
}
