//! Money in integer cents, and the currency an amount is in.
//!
//! Amounts are whole cents in an `i64`: exact, and comfortably larger than any invoice (a
//! price is at most [`Cents::MAX_PRICE`], so even a million lines cannot overflow). Every
//! operation that could still overflow is checked and says so with `None`, never wraps.

use crate::error::FieldError;
use serde::{Serialize, Serializer};
use std::fmt;

/// An ISO 4217 currency. Today only the euro is accepted, but the currency is data: it is
/// stored, compared and written into every document, so that another currency is a change of
/// [`Currency::parse`] and not of every amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The euro, `EUR`.
    pub const EUR: Self = Self(*b"EUR");

    /// Currencies accepted for contracts and invoices.
    pub const ACCEPTED: [Self; 1] = [Self::EUR];

    /// Parses an ISO 4217 code for `field`; only the accepted currencies pass.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let code = value.trim().to_ascii_uppercase();
        Self::ACCEPTED
            .into_iter()
            .find(|currency| currency.as_str() == code)
            .ok_or_else(|| FieldError::new(field, format!("{value:?} is not accepted (only EUR is)")))
    }

    /// The code, e.g. `EUR`.
    pub fn as_str(&self) -> &str {
        // Invariant: built only from the ASCII constants above.
        std::str::from_utf8(&self.0).unwrap_or("EUR")
    }

    /// Digits after the decimal point (2 for the euro).
    pub fn minor_digits(self) -> u32 {
        2
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::EUR
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An amount in cents (hundredths of the currency's unit). Serialized as the integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    /// Nothing.
    pub const ZERO: Self = Self(0);

    /// The highest price of one session accepted: 100,000.00.
    pub const MAX_PRICE: Self = Self(10_000_000);

    /// An amount of `cents`.
    pub const fn new(cents: i64) -> Self {
        Self(cents)
    }

    /// A price for `field`: from 0 to [`Cents::MAX_PRICE`].
    pub fn price(field: &str, cents: i64) -> Result<Self, FieldError> {
        if cents < 0 {
            return Err(FieldError::new(field, "must not be negative"));
        }
        if cents > Self::MAX_PRICE.0 {
            return Err(FieldError::new(field, format!("must be at most {} cents", Self::MAX_PRICE.0)));
        }
        Ok(Self(cents))
    }

    /// The number of cents.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// `self × factor`, or `None` on overflow.
    #[must_use]
    pub fn checked_mul(self, factor: i64) -> Option<Self> {
        self.0.checked_mul(factor).map(Self)
    }

    /// `-self`, or `None` on overflow.
    #[must_use]
    pub fn checked_neg(self) -> Option<Self> {
        self.0.checked_neg().map(Self)
    }

    /// The sum of `amounts`, or `None` on overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
        amounts.into_iter().try_fold(Self::ZERO, Self::checked_add)
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The amount as a decimal with two digits after the point and no grouping, e.g. `1234.50`
    /// or `-0.05`: what EN 16931 amounts and CSV files carry.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
    }

    /// Parses a decimal amount such as `120`, `120.5` or `120,50` (at most two decimals, a
    /// point or a comma) for `field` — for forms where people type euros.
    pub fn parse_decimal(field: &str, value: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new(field, format!("{value:?} is not an amount like 120.50"));
        let text = value.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once(['.', ',']).unwrap_or((digits, ""));
        if whole.is_empty() || fraction.len() > 2 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let cents = whole.checked_mul(100).and_then(|c| c.checked_add(fraction)).ok_or_else(invalid)?;
        Ok(Self(if negative { -cents } else { cents }))
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.decimal())
    }
}

/// `numerator / denominator` rounded to the nearest integer, halves away from zero — the
/// rounding EN 16931 asks for ("rounded to two decimals" in BR-CO-17, commercial rounding).
/// `None` when `denominator` is not positive or the quotient does not fit an `i64`.
pub fn div_round_half_away(numerator: i128, denominator: i128) -> Option<i64> {
    if denominator <= 0 {
        return None;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    // |remainder| * 2 >= denominator: the exact value is at least half-way to the next integer.
    let rounded = if remainder.unsigned_abs() * 2 >= denominator.unsigned_abs() {
        quotient + numerator.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_euro_is_accepted() {
        assert_eq!(Currency::parse("currency", " eur ").unwrap(), Currency::EUR);
        let error = Currency::parse("currency", "SEK").unwrap_err();
        assert_eq!(error.field, "currency");
        assert_eq!(Currency::EUR.to_string(), "EUR");
    }

    #[test]
    fn a_negative_price_is_refused_by_name() {
        let error = Cents::price("price_cents", -1).unwrap_err();
        assert_eq!((error.field.as_str(), error.message.as_str()), ("price_cents", "must not be negative"));
        assert!(Cents::price("price_cents", Cents::MAX_PRICE.get() + 1).is_err());
        assert_eq!(Cents::price("price_cents", 0).unwrap(), Cents::ZERO);
    }

    #[test]
    fn decimals_have_two_digits() {
        assert_eq!(Cents::new(123_450).decimal(), "1234.50");
        assert_eq!(Cents::new(-5).decimal(), "-0.05");
        assert_eq!(Cents::new(0).to_string(), "0.00");
        assert_eq!(Cents::parse_decimal("price", "120,5").unwrap(), Cents::new(12_050));
        assert_eq!(Cents::parse_decimal("price", "-0.05").unwrap(), Cents::new(-5));
        for bad in ["", "1.234", "1e3", "12.-1", ".5", "x"] {
            assert!(Cents::parse_decimal("price", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Cents::new(i64::MAX).checked_add(Cents::new(1)), None);
        assert_eq!(Cents::new(i64::MIN).checked_neg(), None);
        assert_eq!(Cents::checked_sum([Cents::new(1), Cents::new(2)]), Some(Cents::new(3)));
        assert_eq!(Cents::checked_sum([Cents::new(i64::MAX), Cents::new(1)]), None);
    }

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(div_round_half_away(5, 10), Some(1));
        assert_eq!(div_round_half_away(-5, 10), Some(-1));
        assert_eq!(div_round_half_away(4, 10), Some(0));
        assert_eq!(div_round_half_away(-14, 10), Some(-1));
        assert_eq!(div_round_half_away(15, 10), Some(2));
        assert_eq!(div_round_half_away(1, 0), None);
    }
}
