//! The one error type of the store, shaped for the API's answers: what a caller may not see is
//! `NotFound` (404, never revealing another organization's ids), a role that may not act at
//! all is `Forbidden` (403), conflicts carry every conflicting occurrence (409), invalid input
//! the field list (422), a change the resource's current state refuses the fields concerned
//! (409), and database trouble stays internal (500, logged, never shown).

use ohjaus_core::{Conflict, FieldError, ValidationErrors};
use sea_orm::DbErr;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing the caller may see goes by that id (it may exist in another scope).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for: `series`, `session`, `person`, …
        what: &'static str,
    },
    /// The caller is known but their role may not do this at all.
    #[error("forbidden")]
    Forbidden,
    /// The change collides with other bookings: every conflict of every occurrence. Empty
    /// only when the PostgreSQL exclusion constraint caught a collision the checks could not
    /// see (a concurrent writer that did not take the locks).
    #[error("{} conflicts", .0.len())]
    Conflict(Vec<Conflict>),
    /// The input is wrong: every wrong field.
    #[error("invalid: {0}")]
    Invalid(ValidationErrors),
    /// The input is right but the resource's current state refuses it (a cancelled series
    /// cancelled again, a session that has begun moved, a second review of one phase): the
    /// fields concerned.
    #[error("refused by the current state: {0}")]
    State(ValidationErrors),
    /// An outbox ack or fail came from a worker whose lease has expired or passed to another.
    #[error("the lease is no longer held")]
    StaleLease,
    /// The database failed; internal, never shown to clients. (Its text is in the message, not
    /// also given as a source, so an error chain names the cause once.)
    #[error("database: {0}")]
    Database(DbErr),
}

impl StoreError {
    /// `NotFound` for `what`.
    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound { what }
    }

    /// `Invalid` with one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(ValidationErrors::from(FieldError::new(field, message)))
    }

    /// `State` with one field: what the resource's state refuses, and why.
    pub fn refused(field: &str, message: impl Into<String>) -> Self {
        Self::State(ValidationErrors::from(FieldError::new(field, message)))
    }
}

impl From<ValidationErrors> for StoreError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<FieldError> for StoreError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(error.into())
    }
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        if is_exclusion_violation(&error) {
            return Self::Conflict(Vec::new());
        }
        Self::Database(error)
    }
}

/// Whether `error` is PostgreSQL's exclusion-constraint violation (SQLSTATE 23P01): two
/// sessions of one supervisor overlapping.
fn is_exclusion_violation(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))) = error else {
        return false;
    };
    match inner.as_ref() {
        sea_orm::sqlx::Error::Database(database) => database.code().as_deref() == Some("23P01"),
        _ => false,
    }
}

/// Whether `error` is a unique-key violation (a dedupe key already queued, a duplicate email).
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// `error` as the store's: a unique-key violation is the caller's mistake, `Invalid` on
/// `field` with `message` (a second person or supervisor with the same address).
pub(crate) fn duplicate_is_invalid(error: DbErr, field: &str, message: &str) -> StoreError {
    if is_unique_violation(&error) { StoreError::invalid(field, message) } else { error.into() }
}
