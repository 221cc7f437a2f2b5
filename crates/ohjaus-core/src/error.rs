//! Validation errors that name the field at fault, so every edge (CLI, API, pages) can tell the
//! user exactly what to fix.

use serde::Serialize;
use std::fmt;

/// One field that failed validation, with a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path in the input, e.g. `recurrence.count`.
    pub field: String,
    /// What is wrong, e.g. `must be between 1 and 200`.
    pub message: String,
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error with `prefix.` put before its field path.
    #[must_use]
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", self.field) };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Every field that failed validation in one input; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// Collects errors; `Ok(())` when there are none.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() { Ok(()) } else { Err(Self(errors)) }
    }

    /// The errors, in the order the fields were checked.
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// The first error (there is always one).
    pub fn first(&self) -> &FieldError {
        // Invariant: constructed only through `check` or `From<FieldError>`, never empty.
        &self.0[0]
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for error in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Gathers field errors while a larger input is validated, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Collector {
    errors: Vec<FieldError>,
}

impl Collector {
    /// Keeps the value of `result`, or records its error and gives `None`.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    /// Records an error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether nothing failed so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ends collection: `Ok(())` when nothing failed.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        ValidationErrors::check(self.errors)
    }
}
