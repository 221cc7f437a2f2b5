//! Pagination as every list answers it: `limit` (1–200, default 50) and `cursor` in,
//! `{items, next_cursor}` out. Lists the store pages itself get a checked [`Page`]; lists the
//! store answers whole (an organization's people, a session's notes) are cut here, with the
//! same cursor: the id of the last item of the previous page.

use crate::problem::Problem;
use ohjaus_core::FieldError;
use ohjaus_store::repo::common::{DEFAULT_PAGE, Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Most items one page holds.
pub const MAX_LIMIT: u32 = 200;

/// The checked page of `limit` and `cursor` query parameters.
pub fn page(limit: Option<u32>, cursor: Option<String>) -> Result<Page, Problem> {
    if limit.is_some_and(|limit| !(1..=MAX_LIMIT).contains(&limit)) {
        return Err(Problem::validation(&[FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}"))]));
    }
    if cursor.as_deref().is_some_and(|cursor| Uuid::parse_str(cursor).is_err()) {
        return Err(Problem::validation(&[FieldError::new("cursor", "is not a cursor of this list")]));
    }
    Ok(Page { limit: Some(limit.unwrap_or(DEFAULT_PAGE)), cursor })
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
    /// The checked page.
    pub fn page(self) -> Result<Page, Problem> {
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
/// start), after the item whose id is the cursor. A cursor naming no item of the list (it
/// left the list since) is a 422 on `cursor`.
pub fn cut<T>(items: Vec<T>, page: &Page, id: impl Fn(&T) -> Uuid) -> Result<Paged<T>, Problem> {
    let limit = page.limit.unwrap_or(DEFAULT_PAGE);
    let start = match page.cursor.as_deref().map(Uuid::parse_str) {
        None => 0,
        Some(Ok(after)) => match items.iter().position(|item| id(item) == after) {
            Some(position) => position + 1,
            None => return Err(Problem::validation(&[FieldError::new("cursor", "is no longer in this list")])),
        },
        Some(Err(_)) => return Err(Problem::validation(&[FieldError::new("cursor", "is not a cursor of this list")])),
    };
    let fetched: Vec<T> = items.into_iter().skip(start).take(limit as usize + 1).collect();
    Ok(Paged::from_fetched(fetched, limit, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_cursor() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let first = cut(ids.clone(), &page(Some(2), None).unwrap(), |id| *id).unwrap();
        assert_eq!(first.items, ids[..2]);
        let second = cut(ids.clone(), &page(Some(2), first.next_cursor).unwrap(), |id| *id).unwrap();
        assert_eq!(second.items, ids[2..4]);
        let last = cut(ids.clone(), &page(Some(2), second.next_cursor).unwrap(), |id| *id).unwrap();
        assert_eq!(last.items, ids[4..]);
        assert_eq!(last.next_cursor, None);
        assert_eq!(page(Some(0), None).unwrap_err().status, 422);
        assert_eq!(page(Some(201), None).unwrap_err().status, 422);
        assert_eq!(page(None, Some("x".into())).unwrap_err().status, 422);
        let after_first = by_id(ids.clone(), &page(Some(10), Some(ids[0].to_string())).unwrap(), |id| *id);
        assert_eq!(after_first.items, ids[1..]);
        let gone = cut(ids, &page(None, Some(Uuid::now_v7().to_string())).unwrap(), |id| *id);
        assert_eq!(gone.unwrap_err().errors[0].field, "cursor");
    }
}
