//! Helpers shared by the repositories: ids, pagination, text checks, record conversions.

use crate::error::StoreError;
use chrono::{DateTime, FixedOffset, Utc};
use ohjaus_core::{FieldError, Label, Locale, TimeZone};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A new id: UUID v7, so ids sort by creation time (and pages by id are stable).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Most items one page holds.
pub const MAX_PAGE: u32 = 500;
/// Items of a page when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 50;

/// Which page of a list: `limit` items after the opaque `cursor` of the previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Page {
    /// Items wanted (1–500; default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

impl Page {
    /// The first page of `limit` items.
    pub fn first(limit: u32) -> Self {
        Self { limit: Some(limit), cursor: None }
    }

    /// The checked limit.
    pub fn limit(&self) -> Result<u32, StoreError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(limit) if (1..=MAX_PAGE).contains(&limit) => Ok(limit),
            Some(_) => Err(StoreError::invalid("limit", format!("must be between 1 and {MAX_PAGE}"))),
        }
    }

    /// The id after which the page starts. A cursor is the last id of the previous page;
    /// clients treat it as opaque.
    pub fn after(&self) -> Result<Option<Uuid>, StoreError> {
        self.cursor
            .as_deref()
            .map(|cursor| {
                Uuid::parse_str(cursor).map_err(|_| StoreError::invalid("cursor", "is not a cursor of this list"))
            })
            .transpose()
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paged<T> {
    /// The items, in id (creation) order.
    pub items: Vec<T>,
    /// Give it as `cursor` for the next page; `None` on the last page.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// A page from `limit + 1` fetched items (the extra one tells that more follow).
    pub fn from_fetched(mut items: Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Self {
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = if more { items.last().map(|item| id(item).to_string()) } else { None };
        Self { items, next_cursor }
    }
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
