//! Pagination as every list answers it: `limit` (1–200, default 50) and `cursor` in,
//! `{items, next_cursor}` out. Lists the store pages itself get a checked [`Page`]; lists the
//! store answers whole (an organization's people, a session's notes) are cut here, with the
//! same cursor: the id of the last item of the previous page.

use crate::problem::Problem;
use ohjaus_core::FieldError;
use ohjaus_store::page::{DEFAULT_PAGE, Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// The checked page of `limit` and `cursor` query parameters (the cursor is checked by the
/// list that reads it).
pub fn page(limit: Option<u32>, cursor: Option<String>) -> Result<Page, Problem> {
    Page::asked(limit, cursor).map_err(|e| Problem::validation(&[e]))
}

/// `limit` and `cursor`, the query of a list that takes nothing else.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The checked page of a list in id order (the cursor is an id).
    pub fn page(self) -> Result<Page, Problem> {
        if self.cursor.as_deref().is_some_and(|cursor| Uuid::parse_str(cursor).is_err()) {
            return Err(Problem::validation(&[FieldError::new("cursor", "is not a cursor of this list")]));
        }
        page(self.limit, self.cursor)
    }
}

/// One page of `items` in id (creation) order: the items after the cursor's id. Any id is a
/// valid cursor, so a page never fails because an item left the list.
pub fn by_id<T>(mut items: Vec<T>, page: &Page, id: impl Fn(&T) -> Uuid) -> Paged<T> {
    items.sort_by_key(&id);
    let after = page.cursor.as_deref().and_then(|c| Uuid::parse_str(c).ok());
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    let fetched: Vec<T> =
        items.into_iter().filter(|item| after.is_none_or(|after| id(item) > after)).take(limit as usize + 1).collect();
    Paged::from_fetched(fetched, limit, id)
}

/// One page of `items` kept in their own order (sessions by index, upcoming sessions by
/// start): the items whose `key` comes after `after`, the key the cursor stands for. Keys, not
/// positions, so a page never fails because an item left the list; `cursor_of` writes a key
/// as the next cursor.
pub fn after_key<T, K: Ord>(
    items: Vec<T>,
    page: &Page,
    after: Option<K>,
    key: impl Fn(&T) -> K,
    cursor_of: impl Fn(&K) -> String,
) -> Paged<T> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE) as usize;
    let mut items: Vec<T> = items
        .into_iter()
        .filter(|item| after.as_ref().is_none_or(|after| key(item) > *after))
        .take(limit + 1)
        .collect();
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = if more { items.last().map(|item| cursor_of(&key(item))) } else { None };
    Paged { items, next_cursor }
}

/// Pattern of the cursor of a list in time order: `{unix milliseconds}_{id}`.
pub const TIME_CURSOR_PATTERN: &str =
    "^-?[0-9]{1,15}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// The key `(start, id)` a time cursor stands for; anything else is a 422 on `cursor`.
pub fn time_cursor(cursor: Option<&str>) -> Result<Option<(i64, Uuid)>, Problem> {
    let Some(cursor) = cursor else { return Ok(None) };
    cursor
        .split_once('_')
        .and_then(|(millis, id)| Some((millis.parse().ok()?, Uuid::parse_str(id).ok()?)))
        .map(Some)
        .ok_or_else(|| Problem::validation(&[FieldError::new("cursor", "is not a cursor of this list")]))
}

/// A time cursor for `(start, id)`.
pub fn time_cursor_of((millis, id): &(i64, Uuid)) -> String {
    format!("{millis}_{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_cursor() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let page_of = |cursor: Option<String>| PageQuery { limit: Some(2), cursor }.page().unwrap();
        let first = by_id(ids.clone(), &page_of(None), |id| *id);
        assert_eq!(first.items, ids[..2]);
        let second = by_id(ids.clone(), &page_of(first.next_cursor), |id| *id);
        assert_eq!(second.items, ids[2..4]);
        let last = by_id(ids.clone(), &page_of(second.next_cursor), |id| *id);
        assert_eq!(last.items, ids[4..]);
        assert_eq!(last.next_cursor, None);
        assert_eq!(page(Some(0), None).unwrap_err().status, 422);
        assert_eq!(page(Some(201), None).unwrap_err().status, 422);
        assert_eq!(PageQuery { limit: None, cursor: Some("x".into()) }.page().unwrap_err().status, 422);
        let after_first = by_id(ids.clone(), &page(Some(10), Some(ids[0].to_string())).unwrap(), |id| *id);
        assert_eq!(after_first.items, ids[1..]);
    }

    #[test]
    fn keyed_pages_survive_a_vanished_item() {
        let items: Vec<u32> = vec![1, 2, 3, 5, 8, 13];
        let limit = page(Some(2), None).unwrap();
        let first = after_key(items.clone(), &limit, None, |i| *i, u32::to_string);
        assert_eq!((first.items.as_slice(), first.next_cursor.as_deref()), (&[1, 2][..], Some("2")));
        // Item 3 left the list: the page after 3 still starts at 5.
        let without: Vec<u32> = items.into_iter().filter(|i| *i != 3).collect();
        let next = after_key(without, &limit, Some(3), |i| *i, u32::to_string);
        assert_eq!(next.items, [5, 8]);
        let id = Uuid::now_v7();
        assert_eq!(time_cursor(Some(&time_cursor_of(&(-5, id)))).unwrap(), Some((-5, id)));
        assert!(time_cursor(Some("5")).is_err());
    }
}
