//! The length of one session.

use crate::error::FieldError;
use chrono::TimeDelta;
use serde::Serialize;

/// A session's length in minutes, 15 to 480 (a quarter of an hour to a full working day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SessionDuration(u16);

impl SessionDuration {
    /// Shortest session.
    pub const MIN_MINUTES: i64 = 15;
    /// Longest session.
    pub const MAX_MINUTES: i64 = 480;

    /// Parses a number of minutes for `field`.
    pub fn from_minutes(field: &str, minutes: i64) -> Result<Self, FieldError> {
        if !(Self::MIN_MINUTES..=Self::MAX_MINUTES).contains(&minutes) {
            return Err(FieldError::new(
                field,
                format!("must be between {} and {} minutes (is {minutes})", Self::MIN_MINUTES, Self::MAX_MINUTES),
            ));
        }
        // In range, so it fits.
        Ok(Self(minutes as u16))
    }

    /// Minutes.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// As a chrono duration.
    pub fn delta(self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.0))
    }
}
