//! How store errors become answers. Database causes are logged here and never returned.
//!
//! Invalid input is 422 with the field list; a change the target's current state refuses (a
//! cancelled series cancelled again, a session that has begun moved) is 409 with the same
//! list, type `urn:ohjaus:problem:state`; conflicting bookings are 409 with `conflicts`. A
//! database that cannot be reached is 503 with `Retry-After`; any other database failure 500.

use crate::problem::Problem;
use ohjaus_core::TimeZone;
use ohjaus_core::preview::ConflictView;
use ohjaus_store::StoreError;

/// A store error as a problem, with conflict times shown in `zone`.
pub fn problem_in(error: StoreError, zone: TimeZone) -> Problem {
    match error {
        StoreError::NotFound { what } => Problem::not_found(what),
        StoreError::Forbidden => Problem::forbidden(),
        StoreError::Conflict(conflicts) => {
            let detail = if conflicts.is_empty() {
                "the change collides with another booking made at the same moment; try again".to_owned()
            } else {
                let occurrences: std::collections::BTreeSet<u32> = conflicts.iter().map(|c| c.index).collect();
                format!("{} occurrence(s) conflict: {} conflict(s) in all", occurrences.len(), conflicts.len())
            };
            Problem::conflict(detail, conflicts.iter().map(|c| ConflictView::new(c, zone)).collect())
        }
        // The target's state refuses the change (a cancelled series, a session that has
        // begun): the request conflicts with the resource as it is now, not with its schema.
        StoreError::State(errors) => Problem::state(errors.errors()),
        StoreError::Invalid(errors) => Problem::validation(errors.errors()),
        StoreError::StaleLease => Problem::new(
            axum::http::StatusCode::CONFLICT,
            "stale-lease",
            "the notification's lease has passed to another worker",
        ),
        // The database cannot be reached: the client may try again, nothing was changed.
        other if other.is_unavailable() => {
            ohjaus_store::reach::log_unavailable(&other);
            Problem::unavailable()
        }
        other => {
            tracing::error!(error = %other, "store failure");
            Problem::internal()
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        problem_in(error, TimeZone::HELSINKI)
    }
}
