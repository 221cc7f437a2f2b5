//! Email addresses, parsed once at the edge.

use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// A syntactically valid email address (RFC 5321 mailbox, no display name), stored as given but
/// compared case-insensitively in its domain by the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses `value` for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.len() > 254 {
            return Err(FieldError::new(field, "must be at most 254 characters"));
        }
        // email_address implements RFC 5322 addr-spec parsing; on top we refuse anything that
        // could break a header (white space or control characters, even when quoted).
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldError::new(field, "is not a valid email address"));
        }
        let parsed = email_address::EmailAddress::parse_with_options(
            value,
            email_address::Options::default().without_display_text().with_required_tld(),
        )
        .map_err(|_| FieldError::new(field, "is not a valid email address"))?;
        Ok(Self(parsed.email().to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain, the only part of an address that may appear in logs.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// A form safe for logs: `m…@example.fi`.
    pub fn redacted(&self) -> String {
        let first = self.0.chars().next().unwrap_or('?');
        format!("{first}…@{}", self.domain())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let email = Email::parse("email", " maija.meikalainen@hus.fi ").unwrap();
        assert_eq!(email.as_str(), "maija.meikalainen@hus.fi");
        assert_eq!(email.domain(), "hus.fi");
        assert_eq!(email.redacted(), "m…@hus.fi");
    }

    #[test]
    fn refuses_what_could_break_a_header() {
        for bad in ["", "no-at", "a@b", "a b@c.fi", "a@c.fi\r\nBcc: x@y.fi", "Name <a@b.fi>"] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?}");
        }
    }
}
