//! Pages of a list: `limit` items after an opaque `cursor`, answered as `{items, next_cursor}`.
//! Every list of the store and of the API pages the same way, with the limits of
//! [`crate::limits`].

use crate::error::StoreError;
pub use crate::limits::{DEFAULT_PAGE, MAX_INTERNAL_PAGE, MAX_PAGE};
use ohjaus_core::FieldError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which page of a list: `limit` items after the opaque `cursor` of the previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Page {
    /// Items wanted (default [`DEFAULT_PAGE`]): a client's at most [`MAX_PAGE`]
    /// ([`Page::asked`] checks it), the service's own at most [`MAX_INTERNAL_PAGE`].
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

    /// The page a client asked for with `limit` and `cursor`: `limit` between 1 and
    /// [`MAX_PAGE`], default [`DEFAULT_PAGE`] (the cursor is checked by the list that reads
    /// it).
    pub fn asked(limit: Option<u32>, cursor: Option<String>) -> Result<Self, FieldError> {
        if limit.is_some_and(|limit| !(1..=MAX_PAGE).contains(&limit)) {
            return Err(FieldError::new("limit", format!("must be between 1 and {MAX_PAGE}")));
        }
        Ok(Self { limit: Some(limit.unwrap_or(DEFAULT_PAGE)), cursor })
    }

    /// The checked limit (the service's own lists may ask for up to [`MAX_INTERNAL_PAGE`]).
    pub fn limit(&self) -> Result<u32, StoreError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(limit) if (1..=MAX_INTERNAL_PAGE).contains(&limit) => Ok(limit),
            Some(_) => Err(StoreError::invalid("limit", format!("must be between 1 and {MAX_INTERNAL_PAGE}"))),
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
