//! Whether the database can be reached: telling an outage (the server stopped, the network
//! cut, a SQLite file that cannot be opened or stays locked) from every other database
//! failure, a readiness check that really reads, and opening the store with a cause a person
//! can act on ("connection refused by 127.0.0.1:5432") instead of a pool timeout.
//!
//! An outage is temporary and not the request's fault: the API and the pages answer 503
//! with `Retry-After`, the worker backs off and logs once. Every other database error is a
//! bug or a broken schema: 500, its cause logged.

use crate::{Backend, Store, StoreError};
use sea_orm::sqlx;
use sea_orm::{ConnAcquireErr, ConnectionTrait, DbErr, RuntimeErr, Statement};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// PostgreSQL's SQLSTATEs that mean the server cannot serve now, whatever the statement:
/// class 08 (connection exception), admin shutdown (57P01), crash shutdown (57P02), cannot
/// connect now (57P03: starting up or shutting down), too many connections (53300).
const POSTGRES_UNAVAILABLE: [&str; 9] =
    ["08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300"];

/// SQLite's primary result codes that mean the file cannot be used now: SQLITE_BUSY (5, the
/// lock stayed taken past the busy timeout), SQLITE_IOERR (10), SQLITE_CANTOPEN (14).
const SQLITE_UNAVAILABLE: [i32; 3] = [5, 10, 14];

/// Whether `error` says the database cannot be reached (as opposed to a statement it refused).
pub fn is_unreachable(error: &DbErr) -> bool {
    match error {
        // The pool gave no connection in time (the server does not answer or refuses) or is closed.
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => true,
        DbErr::Conn(RuntimeErr::SqlxError(inner))
        | DbErr::Exec(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner)) => sqlx_unreachable(inner),
        _ => false,
    }
}

fn sqlx_unreachable(error: &sqlx::Error) -> bool {
    match error {
        // A socket that cannot be opened, is refused, reset or closed mid-answer; a TLS
        // handshake that fails; the pool's own give-ups; SQLite's worker thread gone.
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => {
            let Some(code) = database.code() else { return false };
            if database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                POSTGRES_UNAVAILABLE.contains(&code.as_ref())
            } else {
                // SQLite gives the extended result code; its low byte is the primary one.
                code.parse::<i32>().is_ok_and(|extended| SQLITE_UNAVAILABLE.contains(&(extended & 0xff)))
            }
        }
        _ => false,
    }
}

impl StoreError {
    /// Whether the operation failed because the database cannot be reached now (answer 503
    /// and try again later), not because of the operation.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(error) if is_unreachable(error))
    }
}

/// How often, at most, requests that meet an unreachable database say so in the log: an
/// outage under load would otherwise write a warning per request.
const SAY_UNAVAILABLE_EVERY: Duration = Duration::from_secs(30);

/// Logs that a request met an unreachable database — at most once every
/// [`SAY_UNAVAILABLE_EVERY`] in this process, with how many such requests went unsaid since.
pub fn log_unavailable(error: &StoreError) {
    static SAID: Mutex<(Option<Instant>, u64)> = Mutex::new((None, 0));
    let mut said = SAID.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    if said.0.is_some_and(|at| now.duration_since(at) < SAY_UNAVAILABLE_EVERY) {
        said.1 += 1;
        return;
    }
    let unsaid = std::mem::take(&mut said.1);
    said.0 = Some(now);
    drop(said);
    tracing::warn!(%error, requests_since_last_said = unsaid, "the database cannot be reached: answering 503");
}

/// The cause of a database error in words a person can act on: an I/O error as the system
/// says it ("connection refused"), a server's refusal as its message alone (sqlx appends the
/// server's source line, "at line 768", which means nothing to a reader).
pub fn cause(error: &DbErr) -> String {
    let (DbErr::Conn(RuntimeErr::SqlxError(inner))
    | DbErr::Exec(RuntimeErr::SqlxError(inner))
    | DbErr::Query(RuntimeErr::SqlxError(inner))) = error
    else {
        return match error {
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => "no connection within the wait".to_owned(),
            other => other.to_string(),
        };
    };
    match inner.as_ref() {
        sqlx::Error::Io(io) => io_cause(io),
        sqlx::Error::Database(database) => database.message().to_owned(),
        sqlx::Error::Tls(tls) => format!("TLS: {tls}"),
        sqlx::Error::Configuration(configuration) => format!("bad database URL: {configuration}"),
        sqlx::Error::PoolTimedOut => "no connection within the wait".to_owned(),
        other => other.to_string(),
    }
}

/// An I/O error as a short phrase: the common ones in plain words, others as the system says.
fn io_cause(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        ErrorKind::ConnectionReset => "connection reset".to_owned(),
        ErrorKind::TimedOut => "timed out".to_owned(),
        ErrorKind::UnexpectedEof => "the server closed the connection".to_owned(),
        _ => {
            // "Network is unreachable (os error 101)": the code adds nothing for a reader.
            let text = error.to_string();
            text.split(" (os error").next().unwrap_or(&text).to_owned()
        }
    }
}

/// Why the store could not be opened: where it tried and why, on one line.
#[derive(Debug)]
pub struct ConnectError {
    /// What was tried: `PostgreSQL at db.internal:5432 (database ohjaus, user ohjaus)`, or
    /// `the SQLite database data/ohjaus.db`.
    pub target: String,
    /// Why it failed, as [`cause`] words it.
    pub cause: String,
    /// Whether the database was unreachable (rather than refusing us: a role or database
    /// that does not exist, a bad password).
    pub unreachable: bool,
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.target.starts_with("the SQLite") { "open" } else { "connect to" };
        write!(f, "cannot {verb} {}: {}", self.target, self.cause)?;
        if self.cause == "connection refused" {
            f.write_str(" (is the server running, and listening there?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {}

/// Where a database URL points, for messages (never its password).
fn target_of(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = rest.split('?').next().unwrap_or_default();
        return format!("the SQLite database {path}");
    }
    match url::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or("localhost");
            let port = parsed.port().unwrap_or(5432);
            let database = parsed.path().trim_start_matches('/');
            let user = parsed.username();
            match (database.is_empty(), user.is_empty()) {
                (false, false) => format!("PostgreSQL at {host}:{port} (database {database}, user {user})"),
                (false, true) => format!("PostgreSQL at {host}:{port} (database {database})"),
                _ => format!("PostgreSQL at {host}:{port}"),
            }
        }
        Err(_) => "the database".to_owned(),
    }
}

impl Store {
    /// Opens the store for a program: like [`Store::connect_waiting`], but on PostgreSQL one
    /// connection is tried first, alone, so that a server that refuses connections fails at
    /// once with its cause (the pool would retry a refused connection until the wait is over
    /// and then say only that it timed out). Every failure names the host (or file) and the
    /// cause.
    pub async fn open(url: &str, max_connections: Option<u32>, wait: Duration) -> Result<Self, ConnectError> {
        let failed = |error: &DbErr| ConnectError {
            target: target_of(url),
            cause: cause(error),
            unreachable: is_unreachable(error),
        };
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            probe_postgres(url, wait).await.map_err(|error| match error {
                Probe::Failed(error) => failed(&error),
                Probe::Silent => ConnectError {
                    target: target_of(url),
                    cause: format!("no answer within {} s", wait.as_secs_f32()),
                    unreachable: true,
                },
            })?;
        }
        Self::connect_waiting(url, max_connections, wait).await.map_err(|error| match error {
            StoreError::Database(error) => failed(&error),
            other => ConnectError { target: target_of(url), cause: other.to_string(), unreachable: false },
        })
    }

    /// Whether the database answers a real read (readiness). A bare `SELECT 1` would not do
    /// on SQLite: it touches no file, so it succeeds while the file is locked by another
    /// process.
    pub async fn ready(&self) -> Result<(), StoreError> {
        let backend = match self.backend() {
            Backend::Sqlite => sea_orm::DbBackend::Sqlite,
            Backend::Postgres => sea_orm::DbBackend::Postgres,
        };
        self.connection()
            .query_one_raw(Statement::from_string(backend, "SELECT 1 FROM seaql_migrations LIMIT 1"))
            .await?;
        Ok(())
    }
}

/// Why one direct connection to PostgreSQL failed.
enum Probe {
    /// The server or the network said why.
    Failed(DbErr),
    /// Nothing answered within the wait.
    Silent,
}

/// One connection to PostgreSQL, opened and closed, within `wait`.
async fn probe_postgres(url: &str, wait: Duration) -> Result<(), Probe> {
    use sqlx::{ConnectOptions as _, Connection as _};
    let options: sqlx::postgres::PgConnectOptions =
        url.parse().map_err(|e| Probe::Failed(DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(e)))))?;
    let options = options.disable_statement_logging();
    match tokio::time::timeout(wait, options.connect()).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
        Ok(Err(error)) => Err(Probe::Failed(DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(error))))),
        Err(_) => Err(Probe::Silent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlx_err(error: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(error)))
    }

    #[test]
    fn outages_are_told_from_other_failures() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_unreachable(&sqlx_err(sqlx::Error::Io(refused))));
        assert!(is_unreachable(&sqlx_err(sqlx::Error::PoolTimedOut)));
        assert!(is_unreachable(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
        assert!(!is_unreachable(&sqlx_err(sqlx::Error::RowNotFound)));
        assert!(!is_unreachable(&DbErr::Custom("unknown status".into())));
        assert!(!is_unreachable(&DbErr::RecordNotFound("x".into())));
    }

    #[test]
    fn causes_are_plain() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(cause(&sqlx_err(sqlx::Error::Io(refused))), "connection refused");
        assert_eq!(cause(&DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)), "no connection within the wait");
    }

    #[test]
    fn targets_name_the_host_and_never_the_password() {
        assert_eq!(
            target_of("postgres://ohjaus:secret@db.internal/ohjaus"),
            "PostgreSQL at db.internal:5432 (database ohjaus, user ohjaus)"
        );
        assert_eq!(target_of("postgres://127.0.0.1:5439"), "PostgreSQL at 127.0.0.1:5439");
        assert_eq!(target_of("sqlite://data/ohjaus.db?mode=rwc"), "the SQLite database data/ohjaus.db");
    }
}
