//! Short user-entered texts (titles, names, places). They end up in email headers and
//! iCalendar properties, so control characters are refused here, once, at the edge.

use crate::error::FieldError;
use serde::Serialize;
use std::fmt;

/// A trimmed, non-empty, single-line text of bounded length: no control characters at all,
/// so it can never add a header to an email or a property to an iCalendar object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    /// Longest label accepted, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Parses `value` for `field`, trimming surrounding white space.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::parse_max(field, value, Self::MAX_CHARS)
    }

    /// As [`Label::parse`] with another limit.
    pub fn parse_max(field: &str, value: &str, max_chars: usize) -> Result<Self, FieldError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::new(field, "must be a single line without control characters"));
        }
        let length = trimmed.chars().count();
        if length > max_chars {
            return Err(FieldError::new(field, format!("must be at most {max_chars} characters (is {length})")));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A longer free text (a goal, a note, a comment): may span lines, but holds no other control
/// characters (no NUL, no escape sequences) and is bounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Prose(String);

impl Prose {
    /// Longest prose accepted, in characters.
    pub const MAX_CHARS: usize = 10_000;

    /// Parses `value` for `field`: trimmed, non-empty, at most `max_chars`.
    pub fn parse_max(field: &str, value: &str, max_chars: usize) -> Result<Self, FieldError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err(FieldError::new(field, "must not contain control characters"));
        }
        let length = trimmed.chars().count();
        if length > max_chars {
            return Err(FieldError::new(field, format!("must be at most {max_chars} characters (is {length})")));
        }
        // One line-end convention inside the system; renderers choose their own on the way out.
        Ok(Self(trimmed.replace("\r\n", "\n").replace('\r', "\n")))
    }

    /// Parses with the default limit.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::parse_max(field, value, Self::MAX_CHARS)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Prose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A link to a video meeting: an absolute `https` (or `http`) URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct VideoUrl(String);

impl VideoUrl {
    /// Parses `value` for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.len() > 500 {
            return Err(FieldError::new(field, "must be at most 500 characters"));
        }
        let url = url::Url::parse(value).map_err(|e| FieldError::new(field, format!("is not a valid URL ({e})")))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(FieldError::new(field, "must be an http(s) URL with a host"));
        }
        Ok(Self(url.into()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VideoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_refuses_line_breaks_and_nul() {
        assert!(Label::parse("title", "Osasto 5\r\nBcc: x@y").is_err());
        assert!(Label::parse("title", "a\0b").is_err());
        assert!(Label::parse("title", "   ").is_err());
        assert!(Label::parse("title", &"x".repeat(201)).is_err());
        assert_eq!(Label::parse("title", "  Työnohjaus 😊 ").unwrap().as_str(), "Työnohjaus 😊");
    }

    #[test]
    fn prose_keeps_lines_but_not_other_controls() {
        assert_eq!(Prose::parse("text", "a\r\nb").unwrap().as_str(), "a\nb");
        assert!(Prose::parse("text", "a\u{1b}[31m").is_err());
    }

    #[test]
    fn video_url_needs_http() {
        assert!(VideoUrl::parse("video_url", "https://meet.example.fi/abc").is_ok());
        assert!(VideoUrl::parse("video_url", "javascript:alert(1)").is_err());
        assert!(VideoUrl::parse("video_url", "not a url").is_err());
    }
}
