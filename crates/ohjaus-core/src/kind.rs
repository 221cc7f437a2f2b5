//! Kinds of series and the holiday policy.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of process a series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// One person with a supervisor.
    IndividualSupervision,
    /// A group of professionals.
    GroupSupervision,
    /// A whole work community.
    WorkCommunitySupervision,
    /// Coaching of one person.
    IndividualCoaching,
    /// Coaching of a team.
    TeamCoaching,
}

impl SeriesKind {
    /// Every kind, in a stable order.
    pub const ALL: [Self; 5] = [
        Self::IndividualSupervision,
        Self::GroupSupervision,
        Self::WorkCommunitySupervision,
        Self::IndividualCoaching,
        Self::TeamCoaching,
    ];

    /// The wire name, e.g. `group_supervision`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IndividualSupervision => "individual_supervision",
            Self::GroupSupervision => "group_supervision",
            Self::WorkCommunitySupervision => "work_community_supervision",
            Self::IndividualCoaching => "individual_coaching",
            Self::TeamCoaching => "team_coaching",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }
}

impl fmt::Display for SeriesKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens to an occurrence that falls on a public holiday or a closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HolidayPolicy {
    /// Drop it and append one more occurrence at the end, so the count is kept.
    #[default]
    Skip,
    /// Move it to the next working day (Mon–Fri, no holiday or closure), same local time.
    Shift,
    /// Ignore holidays and closures.
    Keep,
}

impl HolidayPolicy {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skip => "skip",
            Self::Shift => "shift",
            Self::Keep => "keep",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Skip, Self::Shift, Self::Keep].into_iter().find(|p| p.as_str() == value)
    }
}
