//! Cancellation terms: when a cancellation is late, and what that means for the contract.

use chrono::{DateTime, TimeDelta, Utc};

/// A series' cancellation terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CancellationTerms {
    notice_hours: u32,
}

/// What a cancellation means for the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationOutcome {
    /// Cancelled with less notice than agreed: the session is consumed (used and billable),
    /// and no make-up session is owed.
    Late,
    /// Cancelled in time: the session is not used, and a make-up session may be appended at
    /// the next free slot of the series' recurrence.
    InTime,
}

impl CancellationTerms {
    /// The default notice: one week.
    pub const DEFAULT_NOTICE_HOURS: u32 = 168;
    /// Longest notice accepted: a year.
    pub const MAX_NOTICE_HOURS: u32 = 8760;

    /// Terms with `notice_hours` of required notice (at most a year).
    pub fn new(notice_hours: u32) -> Option<Self> {
        (notice_hours <= Self::MAX_NOTICE_HOURS).then_some(Self { notice_hours })
    }

    /// The required notice in hours.
    pub fn notice_hours(self) -> u32 {
        self.notice_hours
    }

    /// Whether cancelling a session starting at `starts_at` at the moment `now` is late.
    pub fn outcome(self, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> CancellationOutcome {
        if starts_at - now < TimeDelta::hours(i64::from(self.notice_hours)) {
            CancellationOutcome::Late
        } else {
            CancellationOutcome::InTime
        }
    }
}

impl Default for CancellationTerms {
    fn default() -> Self {
        Self { notice_hours: Self::DEFAULT_NOTICE_HOURS }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_of_notice() {
        let terms = CancellationTerms::default();
        let start: DateTime<Utc> = "2027-01-12T11:00:00Z".parse().unwrap();
        assert_eq!(terms.outcome(start, start - TimeDelta::hours(167)), CancellationOutcome::Late);
        assert_eq!(terms.outcome(start, start - TimeDelta::hours(168)), CancellationOutcome::InTime);
        assert_eq!(terms.outcome(start, start + TimeDelta::hours(1)), CancellationOutcome::Late);
    }
}
