//! A fresh database per test: a SQLite file in a temporary folder, or a PostgreSQL database
//! created for the test and dropped after it.

use sea_orm::{ConnectionTrait, Database as Connect};
use std::path::PathBuf;

/// Which database a test runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// PostgreSQL, given by a URL to a database the test may create databases from.
    Postgres(String),
}

impl Backend {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// SQLite always; PostgreSQL too when `OHJAUS_TEST_POSTGRES_URL` is set. With
/// `OHJAUS_POSTGRES_REQUIRED=1` and no URL, the test fails instead of running SQLite only.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match std::env::var("OHJAUS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => list.push(Backend::Postgres(url)),
        _ => {
            assert!(
                std::env::var("OHJAUS_POSTGRES_REQUIRED").as_deref() != Ok("1"),
                "OHJAUS_POSTGRES_REQUIRED=1 but OHJAUS_TEST_POSTGRES_URL is not set"
            );
            eprintln!("e2e: PostgreSQL NOT RUN (set OHJAUS_TEST_POSTGRES_URL)");
        }
    }
    list
}

/// A database made for one test.
#[derive(Debug)]
pub struct Database {
    /// Its URL, for `OHJAUS_DATABASE__URL`.
    pub url: String,
    /// Where to drop it from (PostgreSQL) and its name.
    drop_from: Option<(String, String)>,
    /// The folder of a SQLite file (removed with this value).
    _folder: Option<tempfile::TempDir>,
}

impl Database {
    /// A new, empty database (not migrated: the program migrates it).
    pub async fn create(backend: &Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let path: PathBuf = folder.path().join("ohjaus.db");
                Self { url: format!("sqlite://{}?mode=rwc", path.display()), drop_from: None, _folder: Some(folder) }
            }
            Backend::Postgres(admin_url) => {
                let name = format!("ohjaus_e2e_{}", uuid::Uuid::new_v4().simple());
                let admin = Connect::connect(admin_url.as_str()).await.expect("PostgreSQL must be reachable");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE");
                admin.close().await.ok();
                let mut url = url::Url::parse(admin_url).expect("OHJAUS_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Self { url: url.to_string(), drop_from: Some((admin_url.clone(), name)), _folder: None }
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_from.take() else { return };
        // Drop runs outside async code: a small runtime of its own on a thread does it.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = Connect::connect(admin_url.as_str()).await.ok()?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}
