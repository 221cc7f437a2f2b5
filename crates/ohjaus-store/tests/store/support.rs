//! Fresh databases for tests, and the `store_test!` macro that runs one test body on both
//! backends.

use ohjaus_store::{Backend, Store};
use sea_orm::{ConnectionTrait, Database};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The PostgreSQL server URL of the run, if any. With `OHJAUS_POSTGRES_REQUIRED=1` (CI), a
/// missing URL fails the test instead of letting the PostgreSQL half pass unrun.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("OHJAUS_TEST_POSTGRES_URL").ok().filter(|url| !url.trim().is_empty());
    if url.is_none() && std::env::var("OHJAUS_POSTGRES_REQUIRED").as_deref() == Ok("1") {
        panic!("OHJAUS_POSTGRES_REQUIRED=1 but OHJAUS_TEST_POSTGRES_URL is not set");
    }
    url
}

/// One test's database. `finish` drops a PostgreSQL database; the SQLite file goes with the
/// temp dir.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server: String, name: String },
}

impl TestDb {
    /// A migrated SQLite database in a temp file.
    pub async fn sqlite() -> Self {
        Self::sqlite_unmigrated(true).await
    }

    /// A SQLite database in a temp file, migrated or empty.
    pub async fn sqlite_unmigrated(migrate: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("ohjaus.db").display());
        let store = Store::connect(&url).await.unwrap();
        if migrate {
            store.migrate().await.unwrap();
        }
        Self { store, url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A migrated PostgreSQL database cloned from the run's template, or `None` when no
    /// server is configured. Panics when one is configured but unreachable.
    pub async fn postgres() -> Option<Self> {
        let server = postgres_url()?;
        let template = template(&server).await;
        Some(Self::postgres_from(&server, Some(template)).await)
    }

    /// An empty PostgreSQL database (for the migration test).
    pub async fn postgres_empty() -> Option<Self> {
        let server = postgres_url()?;
        Some(Self::postgres_from(&server, None).await)
    }

    async fn postgres_from(server: &str, template: Option<&str>) -> Self {
        let name = format!("ohjaus_t_{}_{}", std::process::id(), Uuid::new_v4().simple());
        let admin = Database::connect(server)
            .await
            .unwrap_or_else(|e| panic!("OHJAUS_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {e}"));
        let sql = match template {
            Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        admin.execute_unprepared(&sql).await.unwrap();
        admin.close().await.unwrap();
        let url = database_url(server, &name);
        let store = Store::connect(&url).await.unwrap();
        Self { store, url, cleanup: Cleanup::Postgres { server: server.to_owned(), name } }
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Closes the pool and drops a PostgreSQL database.
    pub async fn finish(self) {
        let Self { store, cleanup, .. } = self;
        store.close().await.unwrap();
        if let Cleanup::Postgres { server, name } = cleanup {
            drop_database(&server, &name).await;
        }
    }
}

/// `server` with its database name replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

async fn drop_database(server: &str, name: &str) {
    let admin = Database::connect(server).await.unwrap();
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
    admin.close().await.unwrap();
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The run's migrated template database, made once. Databases left by earlier runs whose
/// process is gone (a panicking test cannot drop its database) are dropped first.
async fn template(server: &str) -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let admin = Database::connect(server)
                .await
                .unwrap_or_else(|e| panic!("OHJAUS_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {e}"));
            let rows = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT datname FROM pg_database WHERE datname LIKE 'ohjaus_t_%' OR datname LIKE 'ohjaus_tpl_%'",
                ))
                .await
                .unwrap();
            for row in rows {
                let name: String = row.try_get("", "datname").unwrap();
                let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
                if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                }
            }
            let name = format!("ohjaus_tpl_{}_{}", std::process::id(), Uuid::new_v4().simple());
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
            admin.close().await.unwrap();
            let store = Store::connect_with(&database_url(server, &name), Some(1)).await.unwrap();
            store.migrate().await.unwrap();
            store.close().await.unwrap();
            name
        })
        .await
}

/// Runs `async fn $name(db: TestDb)` as two tests, `$name::sqlite` and `$name::postgres`
/// (the latter passes without running when no PostgreSQL URL is set).
#[macro_export]
macro_rules! store_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident: TestDb) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run_test($db: $crate::support::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = $crate::support::TestDb::sqlite().await;
                run_test(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres().await {
                    run_test(db).await;
                }
            }
        }
    };
}
