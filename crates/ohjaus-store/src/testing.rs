//! Fresh databases and hand-moved clocks for tests (feature `testing`, enabled from
//! dev-dependencies only): the store's, the API's, the pages', the worker's and the end-to-end
//! tests make their databases here, one per test.
//!
//! SQLite is a file in a temporary folder. PostgreSQL runs when `OHJAUS_TEST_POSTGRES_URL`
//! names a server the tests may create databases on (CI also sets `OHJAUS_POSTGRES_REQUIRED=1`,
//! which turns a missing URL into a failure instead of a PostgreSQL half that passes unrun); a
//! URL that is set but unreachable fails the test, it never skips. A migrated PostgreSQL
//! database is cloned from a template migrated once per test process (much faster than
//! migrating each); an empty one is created. Either is dropped by [`TestDb::finish`] or
//! [`TestDatabase::remove`], or failing that when the value is dropped; databases left by a
//! test process that died (named with its process id) are dropped by the next run.

use crate::{Backend, Clock, Store};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::sync::{Arc, Mutex, Once};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Names of the databases made here: `ohjaus_t_{process id}_{random}`, and the template's
/// `ohjaus_tpl_{process id}_{random}`.
const DATABASE_PREFIX: &str = "ohjaus_t_";
const TEMPLATE_PREFIX: &str = "ohjaus_tpl_";

/// The PostgreSQL server of the run (`OHJAUS_TEST_POSTGRES_URL`), if any. Panics when none is
/// set and `OHJAUS_POSTGRES_REQUIRED=1`; otherwise says once per process that PostgreSQL is
/// not run.
pub fn postgres_server() -> Option<String> {
    let url = std::env::var("OHJAUS_TEST_POSTGRES_URL").ok().filter(|url| !url.trim().is_empty());
    if url.is_none() {
        assert!(
            std::env::var("OHJAUS_POSTGRES_REQUIRED").as_deref() != Ok("1"),
            "OHJAUS_POSTGRES_REQUIRED=1 but OHJAUS_TEST_POSTGRES_URL is not set"
        );
        static SAID: Once = Once::new();
        SAID.call_once(|| eprintln!("PostgreSQL NOT RUN (set OHJAUS_TEST_POSTGRES_URL)"));
    }
    url
}

/// Where a test database is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestBackend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A PostgreSQL database on the server at this URL.
    Postgres(String),
}

impl TestBackend {
    /// The store's name for the backend.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// A short name for messages: `sqlite` or `postgres`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// SQLite always; PostgreSQL too when [`postgres_server`] gives one.
pub fn test_backends() -> Vec<TestBackend> {
    let mut backends = vec![TestBackend::Sqlite];
    backends.extend(postgres_server().map(TestBackend::Postgres));
    backends
}

/// What a new test database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Every migration applied.
    Migrated,
    /// Nothing: the test (or the program it runs) migrates it.
    Empty,
}

/// A database made for one test, not connected: its URL is for a store or a program.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    /// The PostgreSQL server and the database's name, until it is dropped.
    postgres: Option<(String, String)>,
    /// The folder of a SQLite file (removed with this value).
    _folder: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A new database on `backend`, migrated or empty.
    pub async fn create(backend: &TestBackend, schema: Schema) -> Self {
        let database = Self::make(backend, schema).await;
        if backend == &TestBackend::Sqlite && schema == Schema::Migrated {
            let store = Store::connect(&database.url).await.expect("the test database connects");
            store.migrate().await.expect("migrations apply");
            store.close().await.expect("the test database closes");
        }
        database
    }

    /// The file or PostgreSQL database, migrated from a template when `schema` asks for it
    /// on PostgreSQL (a SQLite file is migrated by the caller).
    async fn make(backend: &TestBackend, schema: Schema) -> Self {
        match backend {
            TestBackend::Sqlite => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}?mode=rwc", folder.path().join("ohjaus.db").display());
                Self { url, postgres: None, _folder: Some(folder) }
            }
            TestBackend::Postgres(server) => {
                let template = match schema {
                    Schema::Migrated => Some(template(server).await),
                    Schema::Empty => {
                        sweep(server).await;
                        None
                    }
                };
                let name = unique_name(DATABASE_PREFIX);
                let sql = match template {
                    Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
                    None => format!("CREATE DATABASE \"{name}\""),
                };
                let admin = admin(server).await;
                admin.execute_unprepared(&sql).await.expect("CREATE DATABASE");
                admin.close().await.expect("closes");
                Self { url: database_url(server, &name), postgres: Some((server.clone(), name)), _folder: None }
            }
        }
    }

    /// Its URL: `sqlite://…?mode=rwc` or `postgres://…`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops a PostgreSQL database now (a SQLite file goes with its folder).
    pub async fn remove(mut self) {
        if let Some((server, name)) = self.postgres.take() {
            drop_database(&server, &name).await.expect("DROP DATABASE");
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs outside async code (or while a test unwinds): a small runtime of its own
        // on a thread of its own does it.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(drop_database(&server, &name)).ok()
        })
        .join();
    }
}

/// One test's database and a store connected to it.
#[derive(Debug)]
pub struct TestDb {
    /// The store.
    pub store: Store,
    database: TestDatabase,
}

impl TestDb {
    /// A migrated SQLite database in a temporary file.
    pub async fn sqlite() -> Self {
        Self::create(&TestBackend::Sqlite, Schema::Migrated).await
    }

    /// A migrated PostgreSQL database cloned from the run's template, or `None` when no
    /// server is configured.
    pub async fn postgres() -> Option<Self> {
        Some(Self::create(&TestBackend::Postgres(postgres_server()?), Schema::Migrated).await)
    }

    /// A database on `backend`, migrated or empty, and a store connected to it that seals
    /// secrets with [`test_secrets_key`].
    pub async fn create(backend: &TestBackend, schema: Schema) -> Self {
        let database = TestDatabase::make(backend, schema).await;
        let store =
            Store::connect(&database.url).await.expect("the test database connects").with_secrets(test_secrets_key());
        if backend == &TestBackend::Sqlite && schema == Schema::Migrated {
            store.migrate().await.expect("migrations apply");
        }
        Self { store, database }
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        self.database.url()
    }

    /// Closes the store and drops a PostgreSQL database.
    pub async fn finish(self) {
        let Self { store, database } = self;
        store.close().await.expect("the test database closes");
        database.remove().await;
    }
}

/// The secrets key of test stores: fixed, so a test can open what another part sealed.
pub fn test_secrets_key() -> crate::SecretsKey {
    crate::SecretsKey::from_base64("b2hqYXVzIHRlc3Qgc2VjcmV0cyBrZXksIDMyIGJ5dGU=", &[]).expect("a 32-byte key")
}

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
pub struct HandClock(Arc<Mutex<DateTime<Utc>>>);

impl HandClock {
    /// A clock showing `start`.
    pub fn at(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// What it shows.
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the hand clock")
    }

    /// Moves it `by` (forward, or back with a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("the hand clock") += by;
    }

    /// The [`Clock`] it drives, for the API, the pages or a worker.
    pub fn clock(&self) -> Clock {
        let hand = self.clone();
        Clock::from_fn(move || hand.now())
    }
}

fn unique_name(prefix: &str) -> String {
    format!("{prefix}{}_{}", std::process::id(), Uuid::new_v4().simple())
}

/// `server` with its database name replaced by `name` (the query, if any, kept).
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(base, query)| (base, Some(query)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = base[authority..].find('/').map_or(base, |slash| &base[..authority + slash]);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin(server: &str) -> sea_orm::DatabaseConnection {
    Database::connect(server)
        .await
        .unwrap_or_else(|e| panic!("OHJAUS_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {e}"))
}

async fn drop_database(server: &str, name: &str) -> Result<(), sea_orm::DbErr> {
    let admin = Database::connect(server).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    admin.close().await
}

/// Drops, once per process, the databases of earlier test processes that are gone (a test
/// that panics in a process that then aborts cannot drop its own).
async fn sweep(server: &str) {
    static SWEPT: OnceCell<()> = OnceCell::const_new();
    SWEPT
        .get_or_init(|| async {
            let admin = admin(server).await;
            let rows = admin
                .query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!(
                        "SELECT datname FROM pg_database WHERE datname LIKE '{DATABASE_PREFIX}%' \
                         OR datname LIKE '{TEMPLATE_PREFIX}%'"
                    ),
                ))
                .await
                .expect("lists the databases");
            for row in rows {
                let name: String = row.try_get("", "datname").expect("a database name");
                let pid = name.split('_').nth(2).and_then(|pid| pid.parse::<u32>().ok());
                if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                }
            }
            admin.close().await.expect("closes");
        })
        .await;
}

/// The process's migrated template database, made once.
async fn template(server: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            sweep(server).await;
            let name = unique_name(TEMPLATE_PREFIX);
            let admin = admin(server).await;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("CREATE DATABASE");
            admin.close().await.expect("closes");
            let store =
                Store::connect_with(&database_url(server, &name), Some(1)).await.expect("the template connects");
            store.migrate().await.expect("migrations apply");
            store.close().await.expect("the template closes");
            name
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_url_names_the_new_database() {
        let name = "ohjaus_t_1_x";
        assert_eq!(database_url("postgres://u@h:5432/postgres", name), "postgres://u@h:5432/ohjaus_t_1_x");
        assert_eq!(database_url("postgres://u@h:5432", name), "postgres://u@h:5432/ohjaus_t_1_x");
        assert_eq!(
            database_url("postgres://u@h/postgres?sslmode=disable", name),
            "postgres://u@h/ohjaus_t_1_x?sslmode=disable"
        );
    }
}
