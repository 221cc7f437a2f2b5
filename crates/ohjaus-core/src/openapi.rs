//! OpenAPI schemas (feature `openapi`) of the core's values as they are written in JSON bodies:
//! the rules each parser enforces, stated once so that the served document and the parsers
//! agree. The derives on the body and answer types live beside the types (`cfg_attr`); here are
//! the hand-written schemas of values that arrive as plain strings or numbers and are parsed by
//! a core type ([`Label`], [`Prose`], [`Email`], [`VideoUrl`], [`TimeZone`],
//! [`SessionDuration`]) and of formats that have no type of their own ([`LocalDateTime`],
//! [`ClockTime`], [`WeekdayCode`], [`Frequency`]).

use crate::duration::SessionDuration;
use crate::email::Email;
use crate::text::{Label, Prose, VideoUrl};
use crate::zone::TimeZone;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// A single line: at least one character that is not white space, no control characters
/// (U+0000–U+001F, U+007F–U+009F), as [`Label`] checks.
pub const SINGLE_LINE_PATTERN: &str =
    r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

/// Free text: at least one character that is not white space, no control characters but tab,
/// line feed and carriage return, as [`Prose`] checks.
pub const PROSE_PATTERN: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

impl PartialSchema for Label {
    fn schema() -> RefOr<Schema> {
        string("A single line of text (a name, a title, a place, a reason): trimmed, not empty, no control characters.")
            .min_length(Some(1))
            .max_length(Some(Label::MAX_CHARS))
            .pattern(Some(SINGLE_LINE_PATTERN))
            .into()
    }
}
impl ToSchema for Label {}

impl PartialSchema for Prose {
    fn schema() -> RefOr<Schema> {
        string("Free text that may span lines: trimmed, not empty, no control characters but line breaks and tabs.")
            .min_length(Some(1))
            .max_length(Some(Prose::MAX_CHARS))
            .pattern(Some(PROSE_PATTERN))
            .into()
    }
}
impl ToSchema for Prose {}

impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        string("An email address (no display name).")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(254))
            .into()
    }
}
impl ToSchema for Email {}

impl PartialSchema for VideoUrl {
    fn schema() -> RefOr<Schema> {
        string("A link to a video meeting: an absolute http(s) URL.")
            .format(Some(SchemaFormat::Custom("uri".to_owned())))
            .pattern(Some("^https?://[^/?#\\s]+"))
            .max_length(Some(500))
            .into()
    }
}
impl ToSchema for VideoUrl {}

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        string("An IANA time zone name.")
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .examples(["Europe/Helsinki"])
            .into()
    }
}
impl ToSchema for TimeZone {}

impl PartialSchema for SessionDuration {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some("Length of a session in minutes."))
            .minimum(Some(SessionDuration::MIN_MINUTES))
            .maximum(Some(SessionDuration::MAX_MINUTES))
            .into()
    }
}
impl ToSchema for SessionDuration {}

/// A local wall time without an offset, `YYYY-MM-DDTHH:MM` (the zone is given beside it).
#[derive(Debug, Clone, Copy)]
pub struct LocalDateTime;

impl PartialSchema for LocalDateTime {
    fn schema() -> RefOr<Schema> {
        string("A local wall time without an offset, YYYY-MM-DDTHH:MM (whole minutes; the zone is given separately).")
            .pattern(Some(r"^(19\d\d|20\d\d|21[0-8]\d|219[0-5])-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:00)?$"))
            .examples(["2027-01-12T13:00"])
            .into()
    }
}
impl ToSchema for LocalDateTime {}

/// A clock time `HH:MM` (`24:00` for the end of the day).
#[derive(Debug, Clone, Copy)]
pub struct ClockTime;

impl PartialSchema for ClockTime {
    fn schema() -> RefOr<Schema> {
        string("A local clock time HH:MM; 24:00 is the end of the day.")
            .pattern(Some(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"))
            .examples(["08:00"])
            .into()
    }
}
impl ToSchema for ClockTime {}

/// A weekday: `mon` … `sun`.
#[derive(Debug, Clone, Copy)]
pub struct WeekdayCode;

impl PartialSchema for WeekdayCode {
    fn schema() -> RefOr<Schema> {
        string("A weekday.").enum_values(Some(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])).into()
    }
}
impl ToSchema for WeekdayCode {}

/// How often a series recurs: `weekly` or `monthly`.
#[derive(Debug, Clone, Copy)]
pub struct Frequency;

impl PartialSchema for Frequency {
    fn schema() -> RefOr<Schema> {
        string("How often a series recurs.").enum_values(Some(["weekly", "monthly"])).into()
    }
}
impl ToSchema for Frequency {}
