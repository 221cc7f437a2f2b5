//! The languages Ohjaus speaks to people in.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's language: Finnish first, then Swedish and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Suomi.
    #[default]
    Fi,
    /// Svenska.
    Sv,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag: `fi`, `sv` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fi => "fi",
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// Parses `fi`, `sv` or `en` (a region such as `sv-FI` is accepted and dropped).
    pub fn parse(value: &str) -> Option<Self> {
        let language = value.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match language.as_str() {
            "fi" => Some(Self::Fi),
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
