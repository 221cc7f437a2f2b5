//! A consistent copy of a SQLite database taken while the service runs, with `VACUUM INTO`:
//! SQLite writes the copy from one read transaction, so it holds exactly the commits made
//! before that transaction began, however many writers go on meanwhile (in WAL mode readers
//! do not stop writers, nor writers readers). The copy is a plain, compact database file that
//! the program opens like any other. PostgreSQL has its own tools (`pg_dump`).

use crate::{Backend, Store, StoreError};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::Path;

impl Store {
    /// Writes a copy of this SQLite database to `path`, which must not exist (SQLite refuses
    /// to write over a file). `Invalid` on PostgreSQL.
    pub async fn copy_sqlite_into(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::invalid("database.url", "only a SQLite database is copied this way"));
        }
        let target = path.to_str().ok_or_else(|| StoreError::invalid("file", "the path is not valid UTF-8"))?;
        self.connection()
            .execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()]))
            .await?;
        Ok(())
    }
}
