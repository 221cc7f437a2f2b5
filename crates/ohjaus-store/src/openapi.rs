//! OpenAPI schemas (feature `openapi`) of the store's values that its records keep as plain
//! strings: the statuses and kinds whose every value the store writes itself. The derives on
//! the records and bodies live beside them (`cfg_attr`).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

fn one_of(description: &str, values: &[&'static str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// Where a series stands: `active`, `cancelled` or `completed`.
#[derive(Debug, Clone, Copy)]
pub struct SeriesStatus;

impl PartialSchema for SeriesStatus {
    fn schema() -> RefOr<Schema> {
        one_of("Where a series stands.", &["active", "cancelled", "completed"])
    }
}
impl ToSchema for SeriesStatus {}

/// Where a notification in the outbox stands.
#[derive(Debug, Clone, Copy)]
pub struct NotificationStatus;

impl PartialSchema for NotificationStatus {
    fn schema() -> RefOr<Schema> {
        one_of("Where a notification in the outbox stands.", &["queued", "sending", "sent", "dead"])
    }
}
impl ToSchema for NotificationStatus {}

/// What a notification is.
#[derive(Debug, Clone, Copy)]
pub struct NotificationKind;

impl PartialSchema for NotificationKind {
    fn schema() -> RefOr<Schema> {
        one_of("What a notification is.", &["invite", "reminder", "digest", "sign_in_link", "info"])
    }
}
impl ToSchema for NotificationKind {}

fn prose(max_chars: usize, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(max_chars))
        .pattern(Some(ohjaus_core::openapi::PROSE_PATTERN))
        .into()
}

/// A goal's text: free text of at most [`MAX_GOAL_CHARS`](crate::write::goals::MAX_GOAL_CHARS)
/// characters.
pub fn goal_text() -> RefOr<Schema> {
    prose(crate::write::goals::MAX_GOAL_CHARS, "What is aimed at: free text, not empty.")
}

/// A review's comment: at most [`MAX_COMMENT_CHARS`](crate::write::goals::MAX_COMMENT_CHARS)
/// characters without control characters but line breaks and tabs; white space alone is no
/// comment.
pub fn review_comment() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("What the author wants to say (white space alone is no comment)."))
        .max_length(Some(crate::write::goals::MAX_COMMENT_CHARS))
        .pattern(Some(r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"))
        .into()
}
