//! Small values every room uses: new ids, stored zones and instants at their local offset,
//! optional labels and locales given in input, and the domain of an address (what logs show).

use chrono::{DateTime, FixedOffset, Utc};
use ohjaus_core::{FieldError, Label, Locale, TimeZone};
use uuid::Uuid;

/// Ids in one `IN (…)` list, well under SQLite's parameter limit (32,766) and short enough
/// for PostgreSQL's planner.
pub(crate) const ID_CHUNK: usize = 500;

/// A new id: UUID v7, so ids sort by creation time (and pages by id are stable).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// An instant shown at the local offset of `zone` (how the API shows times).
pub fn local(zone: &str, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let zone = zone.parse::<TimeZone>().unwrap_or_default();
    zone.local(at).fixed_offset()
}

/// The zone stored in a row (written by the store, so always valid; the default otherwise).
pub fn zone(name: &str) -> TimeZone {
    name.parse::<TimeZone>().unwrap_or_default()
}

/// A locale given in input, or `default`.
pub fn parse_locale(field: &str, value: Option<&str>, default: Locale) -> Result<Locale, FieldError> {
    match value {
        None => Ok(default),
        Some(text) => Locale::parse(text)
            .ok_or_else(|| FieldError::new(field, format!("unknown locale {text:?} (use fi, sv or en)"))),
    }
}

/// An optional single-line text.
pub fn optional_label(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    value.map(|v| Label::parse(field, v).map(|l| l.as_str().to_owned())).transpose()
}

/// The domain part of an address (logs and lists never show a full address).
pub fn email_domain(email: &str) -> String {
    email.rsplit_once('@').map(|(_, domain)| domain.to_ascii_lowercase()).unwrap_or_default()
}

/// The last zone met, parsed (a list of sessions shares one or two zones, so each is parsed
/// once, not once per row).
#[derive(Default)]
pub(crate) struct Zones {
    last: Option<(String, TimeZone)>,
}

impl Zones {
    /// The zone named `name`, as [`zone`] reads it.
    pub(crate) fn get(&mut self, name: &str) -> TimeZone {
        match &self.last {
            Some((last, zone)) if last == name => *zone,
            _ => {
                let zone = zone(name);
                self.last = Some((name.to_owned(), zone));
                zone
            }
        }
    }
}
