//! The evaluation plan: which sessions set goals and review them.

use serde::{Deserialize, Serialize};

/// The evaluation role of a session in its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Session 1: goals are agreed.
    GoalSetting,
    /// Session ⌈N/2⌉: goals are reviewed half-way.
    MidpointReview,
    /// Session N: the final evaluation.
    FinalReview,
}

impl Phase {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GoalSetting => "goal_setting",
            Self::MidpointReview => "midpoint_review",
            Self::FinalReview => "final_review",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::GoalSetting, Self::MidpointReview, Self::FinalReview].into_iter().find(|p| p.as_str() == value)
    }

    /// The review phase (`start`, `midpoint`, `final`) that this session hosts.
    pub fn review_phase(self) -> ReviewPhase {
        match self {
            Self::GoalSetting => ReviewPhase::Start,
            Self::MidpointReview => ReviewPhase::Midpoint,
            Self::FinalReview => ReviewPhase::Final,
        }
    }
}

/// The phase of session `index` (1-based) of a series of `total`: session 1 sets goals; with
/// three or more sessions, session ⌈N/2⌉ is the midpoint review and session N the final one.
pub fn phase_of(index: u32, total: u32) -> Option<Phase> {
    if index == 1 {
        Some(Phase::GoalSetting)
    } else if total >= 3 && index == total {
        Some(Phase::FinalReview)
    } else if total >= 3 && index == total.div_ceil(2) {
        Some(Phase::MidpointReview)
    } else {
        None
    }
}

/// When a goal is rated: at the start, the midpoint, or the end of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewPhase {
    /// At goal setting.
    Start,
    /// Half-way.
    Midpoint,
    /// At the end.
    Final,
}

impl ReviewPhase {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Midpoint => "midpoint",
            Self::Final => "final",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Start, Self::Midpoint, Self::Final].into_iter().find(|p| p.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_sessions() {
        let phases: Vec<_> = (1..=10).map(|i| phase_of(i, 10)).collect();
        assert_eq!(phases[0], Some(Phase::GoalSetting));
        assert_eq!(phases[4], Some(Phase::MidpointReview));
        assert_eq!(phases[9], Some(Phase::FinalReview));
        assert_eq!(phases.iter().flatten().count(), 3);
    }

    #[test]
    fn small_series() {
        assert_eq!(phase_of(1, 1), Some(Phase::GoalSetting));
        assert_eq!(phase_of(2, 2), None);
        assert_eq!(phase_of(2, 3), Some(Phase::MidpointReview));
        assert_eq!(phase_of(3, 3), Some(Phase::FinalReview));
        assert_eq!(phase_of(3, 5), Some(Phase::MidpointReview));
    }
}
