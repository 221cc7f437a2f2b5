//! Every limit of what one request may ask for, named once. The API, the pages and the store
//! check against these; the OpenAPI document repeats the numbers as literals (its attributes
//! take no constants), and a test of the API holds the two equal.

use chrono::TimeDelta;
use ohjaus_core::FieldError;

/// Most items a client may ask for in one page of a list (`limit`).
pub const MAX_PAGE: u32 = 200;
/// Items of a page when `limit` is not given.
pub const DEFAULT_PAGE: u32 = 50;
/// Most items one page holds when the service reads a list for itself (the pages, tools):
/// beyond what a client may ask for, still bounded.
pub const MAX_INTERNAL_PAGE: u32 = 500;

/// Longest look-ahead of an upcoming view, in days (`days`).
pub const MAX_UPCOMING_DAYS: u32 = 366;
/// Look-ahead of an upcoming view without `days`.
pub const DEFAULT_UPCOMING_DAYS: u32 = 14;
/// The look-ahead asked for (`days`), checked: 1 to [`MAX_UPCOMING_DAYS`], default
/// [`DEFAULT_UPCOMING_DAYS`].
pub fn upcoming_days(days: Option<u32>) -> Result<u32, FieldError> {
    let days = days.unwrap_or(DEFAULT_UPCOMING_DAYS);
    if (1..=MAX_UPCOMING_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new("days", format!("must be between 1 and {MAX_UPCOMING_DAYS}")))
    }
}

/// Longest window one agenda read covers: [`MAX_UPCOMING_DAYS`] days.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(MAX_UPCOMING_DAYS as i64);
/// Most sessions one person's upcoming view lists.
pub const MAX_UPCOMING_SESSIONS: u32 = 1_000;

/// Most first starts one slot search answers (`limit` of `GET /slots`).
pub const MAX_SLOTS: usize = 20;
/// First starts a slot search answers without `limit`.
pub const DEFAULT_SLOTS: usize = 5;
/// Weeks of first starts a slot search looks through.
pub const SLOT_SEARCH_WEEKS: u32 = 8;
/// Weeks between sessions a slot search takes.
pub const SLOT_INTERVAL_WEEKS: std::ops::RangeInclusive<u8> = 1..=52;
/// Sessions a slot search takes.
pub const SLOT_COUNT: std::ops::RangeInclusive<u16> = 1..=100;
/// Years a slot search may start in: those of a series body's first start (1900–2195), less
/// the weeks the search looks ahead.
pub const SLOT_YEARS: std::ops::RangeInclusive<i32> = 1900..=2194;

/// Longest period a report covers, in days (ten years).
pub const MAX_REPORT_DAYS: i64 = 3_660;
/// The report's period without `from`: the year up to `to`.
pub const DEFAULT_REPORT_DAYS: i64 = 365;
