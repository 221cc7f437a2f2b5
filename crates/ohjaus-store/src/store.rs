//! The connection: backend chosen by URL, SQLite tuned for one machine (WAL, busy timeout,
//! foreign keys), migrations, readiness, and the write transactions every change runs in.

use crate::calendar_settings::CalendarSettings;
use crate::error::StoreError;
use crate::secrets::SecretsKey;
use ohjaus_core::notice::Party;
use ohjaus_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;

/// How long a request waits for the database by default before giving up: for a connection
/// from the pool, for a new connection to the server, and (SQLite) for the file's write lock.
/// Short, so that while the database is unreachable a request answers "unavailable" within
/// seconds rather than holding the client for half a minute; long enough for a queue of
/// writers on a busy SQLite file. `[database] wait_seconds` sets it for the program.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// How much of a SQLite file each connection reads through a memory map (the whole file of a
/// typical installation) rather than by `read` calls into the page cache, which the bundled
/// SQLite (built with SQLITE_ENABLE_MEMORY_MANAGEMENT) shares between all connections behind
/// one lock. Measured on the upcoming view with ten connections: ≈ 1.9× the queries per
/// second (BENCHMARKS.md, "API").
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// How long a pooled connection may sit idle before it is checked again when handed out.
const POOL_IDLE_CHECK: Duration = Duration::from_secs(30);

/// The database behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// One file, one machine.
    Sqlite,
    /// Any number of processes.
    Postgres,
}

/// The store: a pool of connections to SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where write transactions run: on a SQLite file a pool of its own with one connection,
    /// so that writers wait their turn in the pool's first-come queue; SQLite's own busy
    /// handler lets a waiting writer sleep and retry, and under fifty writers on two loaded
    /// cores some waited past the five-second limit while later ones went first (the chaos
    /// suite's 503s). Elsewhere (PostgreSQL, SQLite in memory) `None`: `db` itself.
    writer: Option<DatabaseConnection>,
    backend: Backend,
    secrets: Option<SecretsKey>,
    calendars: Option<Arc<CalendarSettings>>,
    /// Whether webhook endpoints may name loopback or private addresses (tests, on-premise).
    webhook_private_addresses: bool,
    /// Who runs the installation (`mail.operator`): told what no organization's coordinator
    /// can be, such as a webhook endpoint of every organization being disabled.
    operator: Option<Arc<Party>>,
}

impl Store {
    /// Connects to `url`: `sqlite://path?mode=rwc` or `postgres://…`. SQLite gets WAL,
    /// a busy timeout, foreign keys and memory-mapped reads on every connection.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, None).await
    }

    /// Like [`Store::connect`] with an explicit pool size (default: 8 on SQLite, 10 on PostgreSQL).
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Self, StoreError> {
        Self::connect_waiting(url, max_connections, DEFAULT_WAIT).await
    }

    /// Like [`Store::connect_with`], waiting at most `wait` for the database (see
    /// [`DEFAULT_WAIT`]): for a pooled or new connection, and on SQLite for the write lock.
    pub async fn connect_waiting(url: &str, max_connections: Option<u32>, wait: Duration) -> Result<Self, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::invalid("database.url", "must start with sqlite: or postgres:"));
        };
        let mut options = ConnectOptions::new(url);
        let mut writer_options = None;
        // A pooled connection is checked (a round trip) when it is handed out only if it has
        // been idle long enough for the server or a firewall to have dropped it; sqlx checks
        // every connection anyway when it comes back. Checking each one handed out cost a
        // round trip per statement: a trivial statement ran ≈ 1.3× faster without it
        // (BENCHMARKS.md, "API").
        options.sqlx_logging(false).acquire_timeout(wait).test_before_acquire_if_idle_for(POOL_IDLE_CHECK);
        match backend {
            Backend::Sqlite => {
                // An in-memory database lives in one connection; a file is shared by many
                // readers while writers take turns (WAL).
                let memory = url.contains(":memory:") || url.contains("mode=memory");
                options.max_connections(if memory { 1 } else { max_connections.unwrap_or(8) });
                options.map_sqlx_sqlite_opts(move |o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(wait)
                        .foreign_keys(true)
                        .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                });
                if !memory {
                    let mut writer = options.clone();
                    writer.max_connections(1);
                    writer_options = Some(writer);
                }
            }
            Backend::Postgres => {
                options.max_connections(max_connections.unwrap_or(10));
            }
        }
        let db = Database::connect(options).await?;
        let writer = match writer_options {
            Some(options) => Some(Database::connect(options).await?),
            None => None,
        };
        Ok(Self {
            db,
            writer,
            backend,
            secrets: None,
            calendars: None,
            webhook_private_addresses: false,
            operator: None,
        })
    }

    /// The same store sealing and opening secrets at rest with `key`.
    #[must_use]
    pub fn with_secrets(mut self, key: SecretsKey) -> Self {
        self.secrets = Some(key);
        self
    }

    /// The same store reading people's own calendars with `settings`.
    #[must_use]
    pub fn with_calendars(mut self, settings: CalendarSettings) -> Self {
        self.calendars = Some(Arc::new(settings));
        self
    }

    /// How people's own calendars are read (the defaults unless set).
    pub fn calendars(&self) -> Arc<CalendarSettings> {
        static DEFAULT: std::sync::OnceLock<Arc<CalendarSettings>> = std::sync::OnceLock::new();
        self.calendars
            .clone()
            .unwrap_or_else(|| Arc::clone(DEFAULT.get_or_init(|| Arc::new(CalendarSettings::default()))))
    }

    /// The key secrets at rest are sealed with; an operation that keeps a secret fails with
    /// a clear error when the store was given none.
    pub fn secrets(&self) -> Result<&SecretsKey, StoreError> {
        self.secrets.as_ref().ok_or_else(|| {
            StoreError::invalid("secrets.key", "no secrets key is configured, so no password or secret can be kept")
        })
    }

    /// The same store accepting webhook endpoints on loopback and private addresses
    /// (`webhooks.allow_private_addresses`: tests and on-premise receivers); off by default.
    #[must_use]
    pub fn with_private_webhook_addresses(mut self, allow: bool) -> Self {
        self.webhook_private_addresses = allow;
        self
    }

    /// Whether webhook endpoints may name loopback or private addresses.
    pub fn allows_private_webhook_addresses(&self) -> bool {
        self.webhook_private_addresses
    }

    /// The same store emailing `operator` (`mail.operator`; `None`: nobody) what concerns the
    /// whole installation: a webhook endpoint of every organization disabled.
    #[must_use]
    pub fn with_operator(mut self, operator: Option<Party>) -> Self {
        self.operator = operator.map(Arc::new);
        self
    }

    /// Who runs the installation, when configured.
    pub fn operator(&self) -> Option<&Party> {
        self.operator.as_deref()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(self.writer(), None).await?;
        Ok(())
    }

    /// Rolls every migration back (tests and `ohjaus` tooling; drops all data).
    pub async fn migrate_down(&self) -> Result<(), StoreError> {
        Migrator::down(self.writer(), None).await?;
        Ok(())
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The same store calling `callback` for every statement it runs, for tests that count
    /// what a view costs (transactions begun from it included).
    #[cfg(feature = "testing")]
    #[must_use]
    pub fn on_statement(mut self, callback: impl Fn(&sea_orm::metric::Info<'_>) + Send + Sync + 'static) -> Self {
        let callback = Arc::new(callback);
        let shared = Arc::clone(&callback);
        self.db.set_metric_callback(move |info| shared(info));
        if let Some(writer) = &mut self.writer {
            writer.set_metric_callback(move |info| callback(info));
        }
        self
    }

    /// The sea-orm connection, for repositories in this crate and for tests.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        if let Some(writer) = self.writer {
            writer.close().await?;
        }
        self.db.close().await?;
        Ok(())
    }

    /// Begins a read-then-write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write
    /// lock is taken at the start, so two writers never read the same state and then both
    /// write (a deferred transaction would fail with SQLITE_BUSY at its first write instead of
    /// waiting). On PostgreSQL it is READ COMMITTED; callers lock the rows they depend on.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(self.writer().begin_with_options(options).await?)
    }

    /// The pool changes go through (see the field `writer`); migrations too, so that a
    /// schema change and the bookkeeping after it run on one connection.
    fn writer(&self) -> &DatabaseConnection {
        self.writer.as_ref().unwrap_or(&self.db)
    }
}
