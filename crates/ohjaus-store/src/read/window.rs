//! The one loader of "sessions in a window with their series, organization and invitees":
//! a supervisor's, a person's or everyone's sessions that are not cancelled and start in
//! `[from, until)`, in the order `(starts_at, id)`, a page at a time. The agendas, a person's
//! upcoming sessions and the reminders' and digests' sessions are shapes of what it loads;
//! what one of them needs beyond it (a supervisor's address, a person's language) is read by
//! [`by_ids`] in chunks, so every view costs a constant number of statements.
//!
//! One statement reads a page, its text fixed per backend and owner kind so that each pooled
//! connection prepares it once (no `IN` list whose length would change the text): the
//! window's sessions through an index (`(supervisor_id, starts_at)`, or a person's
//! invitations), in key order and cut to a page, with their series, organization and
//! invitees. How the rows come back differs, because the two drivers' costs differ
//! (BENCHMARKS.md, "API"):
//!
//! - PostgreSQL: one row per invitee, read by position. Rows cost little there, and building
//!   JSON in the server costs more than it saves.
//! - SQLite: one row holding the whole page as a JSON array, built by SQLite's JSON functions
//!   and parsed once here. The driver hands every row over from its connection thread one at
//!   a time, copying each value, which cost more than the query itself (≈ 8 µs a row).
//!
//! SQLite's parameters are written `+$N`, which changes no value: SQLite marks a statement to
//! be compiled again whenever a parameter is re-bound whose value its planner looked at — a
//! `LIMIT`, and, once `ANALYZE` has gathered samples, every value an index is searched by —
//! and a pooled statement is re-bound on every call. Behind a unary `+` the planner does not
//! look at the value (the index is still used), so the prepared statement is reused.

use crate::status::SessionStatus;
use crate::values::{ID_CHUNK, Zones};
use crate::write::sessions::Session;
use crate::{Backend, Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryResult, Statement, Value};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use uuid::Uuid;

/// Whose sessions a window holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whose {
    /// The sessions a supervisor supervises.
    Supervisor(Uuid),
    /// The sessions a person is invited to.
    Person(Uuid),
    /// Every session.
    Everyone,
}

/// A session of a window with its series, organization and invitees; times in UTC. On SQLite
/// it is read from a JSON array (serde reads a struct from an array in field order), so the
/// order of the fields is the order of the statement's columns.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WindowSession {
    pub id: Uuid,
    pub series_id: Uuid,
    pub index: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub status: String,
    pub phase: Option<String>,
    pub late_cancellation: bool,
    /// The session's own, else the series'.
    pub location: Option<String>,
    /// The session's own, else the series'.
    pub video_url: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub title: String,
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    /// Id and name of each invitee, by name.
    pub invitees: Vec<(Uuid, String)>,
    // What the agendas of others and the reminders show beyond a supervisor's agenda. A
    // supervisor's window leaves them out (the most read view; on SQLite its JSON, on
    // PostgreSQL its rows, one per invitee, are what cost), and the loader fills in the
    // supervisor; that view reads none of the others.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub series_status: String,
    #[serde(default)]
    pub contracted_sessions: i32,
    #[serde(default)]
    pub cancellation_notice_hours: i32,
    #[serde(default)]
    pub supervisor_id: Uuid,
    /// The co-supervisor of the session, if any.
    #[serde(default)]
    pub co_supervisor_id: Option<Uuid>,
}

/// The columns every backend reads, in [`WindowSession`]'s order up to the invitees.
const COLUMNS: [&str; 16] = [
    "s.id",
    "s.series_id",
    "s.\"index\"",
    "s.starts_at",
    "s.ends_at",
    "s.timezone",
    "s.status",
    "s.phase",
    "s.late_cancellation",
    "COALESCE(s.location, r.location)",
    "COALESCE(s.video_url, r.video_url)",
    "s.cancelled_at",
    "s.cancel_reason",
    "r.title",
    "r.organization_id",
    "o.name",
];

/// The columns after the invitees, in [`WindowSession`]'s order.
const MORE_COLUMNS: [&str; 6] = [
    "r.kind",
    "r.status",
    "r.contracted_sessions",
    "r.cancellation_notice_hours",
    "r.supervisor_id",
    "s.co_supervisor_id",
];

/// Parameter `n` as each backend's statement writes it.
fn param(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite => format!("+${n}"),
    }
}

/// The window's sessions as a subquery `s`: the owner (`$1`, unless everyone's), the window,
/// how many, and on later pages the key to start after.
fn window_sql(backend: Backend, whose: Whose, next: bool) -> String {
    let owned = usize::from(whose != Whose::Everyone);
    let p = |n: usize| param(backend, n + owned);
    let (from, until, limit, after_start, after_id) = (p(1), p(2), p(3), p(4), p(5));
    let (source, owner) = match whose {
        // The sessions they supervise or co-supervise.
        Whose::Supervisor(_) => {
            let me = param(backend, 1);
            ("sessions w", format!("(w.supervisor_id = {me} OR w.co_supervisor_id = {me}) AND "))
        }
        Whose::Person(_) => (
            "session_participants x JOIN sessions w ON w.id = x.session_id",
            format!("x.person_id = {} AND ", param(backend, 1)),
        ),
        Whose::Everyone => ("sessions w", String::new()),
    };
    let after = if next {
        format!("AND (w.starts_at > {after_start} OR (w.starts_at = {after_start} AND w.id > {after_id})) ")
    } else {
        String::new()
    };
    format!(
        "(SELECT w.* FROM {source} WHERE {owner}w.starts_at >= {from} AND w.starts_at < {until} \
         AND w.status <> 'cancelled' {after}ORDER BY w.starts_at, w.id LIMIT {limit}) s "
    )
}

/// The statement of a page: PostgreSQL's rows (one per invitee; a session without any has
/// one row of NULLs) or SQLite's one JSON value.
fn page_sql(backend: Backend, whose: Whose, next: bool) -> String {
    let window = window_sql(backend, whose, next);
    let joins = "JOIN series r ON r.id = s.series_id LEFT JOIN organizations o ON o.id = r.organization_id ";
    match backend {
        Backend::Postgres => format!(
            "SELECT {}, p.id, p.name{} FROM {window}{joins}\
             LEFT JOIN session_participants sp ON sp.session_id = s.id LEFT JOIN people p ON p.id = sp.person_id \
             ORDER BY s.starts_at, s.id, p.name, p.id",
            COLUMNS.join(", "),
            if matches!(whose, Whose::Supervisor(_)) {
                String::new()
            } else {
                format!(", {}", MORE_COLUMNS.join(", "))
            }
        ),
        Backend::Sqlite => {
            // Ids are blobs, written as hex; `late_cancellation` is 0 or 1, written as a JSON
            // boolean. (`ORDER BY` inside an aggregate needs SQLite 3.44; the bundled one is
            // newer.)
            let json = |columns: &[&str]| -> String {
                columns
                    .iter()
                    .map(|c| match *c {
                        "s.id" | "s.series_id" | "r.organization_id" | "r.supervisor_id" => format!("hex({c})"),
                        "s.co_supervisor_id" => format!("nullif(hex({c}), '')"),
                        "s.late_cancellation" => format!("CASE WHEN {c} THEN json('true') ELSE json('false') END"),
                        other => other.to_owned(),
                    })
                    .map(|c| format!(", {c}"))
                    .collect()
            };
            let more = if matches!(whose, Whose::Supervisor(_)) { String::new() } else { json(&MORE_COLUMNS) };
            format!(
                "SELECT json_group_array(json_array({}, json((SELECT json_group_array(json_array(hex(p.id), p.name) \
                 ORDER BY p.name, p.id) FROM session_participants sp JOIN people p ON p.id = sp.person_id \
                 WHERE sp.session_id = s.id)){more}) ORDER BY s.starts_at, s.id) FROM {window}{joins}",
                &json(&COLUMNS)[2..]
            )
        }
    }
}

/// Every statement, made once: by backend, owner kind and page (first or later).
static STATEMENTS: LazyLock<HashMap<(Backend, u8, bool), String>> = LazyLock::new(|| {
    let mut all = HashMap::new();
    for backend in [Backend::Postgres, Backend::Sqlite] {
        for whose in [Whose::Supervisor(Uuid::nil()), Whose::Person(Uuid::nil()), Whose::Everyone] {
            for next in [false, true] {
                all.insert((backend, kind_of(whose), next), page_sql(backend, whose, next));
            }
        }
    }
    all
});

fn kind_of(whose: Whose) -> u8 {
    match whose {
        Whose::Supervisor(_) => 0,
        Whose::Person(_) => 1,
        Whose::Everyone => 2,
    }
}

/// Column positions in a PostgreSQL row beyond [`COLUMNS`].
const PERSON_ID: usize = COLUMNS.len();
const PERSON_NAME: usize = PERSON_ID + 1;
/// Where [`MORE_COLUMNS`] start in a PostgreSQL row that has them.
const MORE: usize = PERSON_NAME + 1;

impl WindowSession {
    /// The session as answered, times at the local offset of its zone.
    pub(crate) fn session(&self, zones: &mut Zones) -> Session {
        let zone = zones.get(&self.timezone);
        let mut participant_ids: Vec<Uuid> = self.invitees.iter().map(|(id, _)| *id).collect();
        participant_ids.sort_unstable();
        Session {
            id: self.id,
            series_id: self.series_id,
            index: u32::try_from(self.index).unwrap_or_default(),
            starts_at: zone.local(self.starts_at).fixed_offset(),
            ends_at: zone.local(self.ends_at).fixed_offset(),
            timezone: self.timezone.clone(),
            status: SessionStatus::parse(&self.status).unwrap_or(SessionStatus::Scheduled),
            phase: self.phase.clone(),
            late_cancellation: self.late_cancellation,
            location: self.location.clone(),
            video_url: self.video_url.clone(),
            cancelled_at: self.cancelled_at,
            cancel_reason: self.cancel_reason.clone(),
            participant_ids,
        }
    }

    /// The session of a first PostgreSQL row of it, without its invitees (`more`: the row has
    /// [`MORE_COLUMNS`]).
    fn from_row(row: &QueryResult, id: Uuid, more: bool) -> Result<Self, DbErr> {
        Ok(Self {
            id,
            series_id: row.try_get_by_index(1)?,
            index: row.try_get_by_index(2)?,
            starts_at: row.try_get_by_index(3)?,
            ends_at: row.try_get_by_index(4)?,
            timezone: row.try_get_by_index(5)?,
            status: row.try_get_by_index(6)?,
            phase: row.try_get_by_index(7)?,
            late_cancellation: row.try_get_by_index(8)?,
            location: row.try_get_by_index(9)?,
            video_url: row.try_get_by_index(10)?,
            cancelled_at: row.try_get_by_index(11)?,
            cancel_reason: row.try_get_by_index(12)?,
            title: row.try_get_by_index(13)?,
            organization_id: row.try_get_by_index(14)?,
            organization_name: row.try_get_by_index(15)?,
            invitees: Vec::new(),
            kind: more.then(|| row.try_get_by_index(MORE)).transpose()?.unwrap_or_default(),
            series_status: more.then(|| row.try_get_by_index(MORE + 1)).transpose()?.unwrap_or_default(),
            contracted_sessions: more.then(|| row.try_get_by_index(MORE + 2)).transpose()?.unwrap_or_default(),
            cancellation_notice_hours: more.then(|| row.try_get_by_index(MORE + 3)).transpose()?.unwrap_or_default(),
            supervisor_id: more.then(|| row.try_get_by_index(MORE + 4)).transpose()?.unwrap_or_default(),
            co_supervisor_id: more.then(|| row.try_get_by_index(MORE + 5)).transpose()?.flatten(),
        })
    }
}

/// The sessions of PostgreSQL's rows, one or more rows each, in order.
fn from_rows(rows: &[QueryResult], more: bool) -> Result<Vec<WindowSession>, DbErr> {
    let mut sessions: Vec<WindowSession> = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get_by_index(0)?;
        if sessions.last().is_none_or(|last| last.id != id) {
            sessions.push(WindowSession::from_row(row, id, more)?);
        }
        let person: Option<Uuid> = row.try_get_by_index(PERSON_ID)?;
        if let (Some(person), Some(session)) = (person, sessions.last_mut()) {
            let name: Option<String> = row.try_get_by_index(PERSON_NAME)?;
            session.invitees.push((person, name.unwrap_or_default()));
        }
    }
    Ok(sessions)
}

/// The sessions of SQLite's one row.
fn from_json(rows: &[QueryResult]) -> Result<Vec<WindowSession>, DbErr> {
    let Some(row) = rows.first() else { return Ok(Vec::new()) };
    let text: Option<String> = row.try_get_by_index(0)?;
    serde_json::from_str(text.as_deref().unwrap_or("[]"))
        .map_err(|e| DbErr::Custom(format!("the window's JSON does not read: {e}")))
}

/// A page of `whose` sessions starting in `[from, until)`: at most `limit`, those after the
/// key `after` (start and id) when it is given.
pub(crate) async fn page(
    store: &Store,
    whose: Whose,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> Result<Vec<WindowSession>, StoreError> {
    let backend = store.backend();
    let db = store.connection();
    let mut values: Vec<Value> = match whose {
        Whose::Supervisor(id) | Whose::Person(id) => vec![id.into()],
        Whose::Everyone => Vec::new(),
    };
    values.extend([from.into(), until.into(), i64::from(limit).into()]);
    if let Some((start, id)) = after {
        values.extend([start.into(), id.into()]);
    }
    let sql = STATEMENTS
        .get(&(backend, kind_of(whose), after.is_some()))
        .expect("a statement is made for every backend, owner kind and page");
    let rows = db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    let mut sessions = match backend {
        Backend::Postgres => from_rows(&rows, !matches!(whose, Whose::Supervisor(_)))?,
        Backend::Sqlite => from_json(&rows)?,
    };
    if let Whose::Supervisor(id) = whose {
        for session in &mut sessions {
            session.supervisor_id = id;
        }
    }
    Ok(sessions)
}

/// Every one of `whose` sessions starting in `span`, up to `most`, read [`ID_CHUNK`] at a
/// time.
pub(crate) async fn all(
    store: &Store,
    whose: Whose,
    span: (DateTime<Utc>, DateTime<Utc>),
    most: usize,
) -> Result<Vec<WindowSession>, StoreError> {
    let mut sessions: Vec<WindowSession> = Vec::new();
    loop {
        let after = sessions.last().map(|s| (s.starts_at, s.id));
        let want = ID_CHUNK.min(most - sessions.len());
        let chunk = page(store, whose, span, after, u32::try_from(want).unwrap_or(u32::MAX)).await?;
        let done = chunk.len() < want;
        sessions.extend(chunk);
        if done || sessions.len() >= most {
            return Ok(sessions);
        }
    }
}

/// The rows of `ids` (deduplicated, [`ID_CHUNK`] to a statement) keyed by id.
pub(crate) async fn by_ids<E, C, M>(
    db: &C,
    select: sea_orm::Select<E>,
    column: impl ColumnTrait,
    ids: impl Iterator<Item = Uuid>,
    key: impl Fn(&M) -> Uuid,
) -> Result<HashMap<Uuid, M>, StoreError>
where
    E: EntityTrait<Model = M>,
    C: ConnectionTrait,
    M: sea_orm::FromQueryResult + Send + Sync,
{
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(ID_CHUNK) {
        for row in select.clone().filter(column.is_in(chunk.to_vec())).all(db).await? {
            rows.insert(key(&row), row);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_hides_its_parameters_from_the_planner_and_postgres_does_not_need_to() {
        let sqlite = |whose, next| page_sql(Backend::Sqlite, whose, next);
        let postgres = |whose, next| page_sql(Backend::Postgres, whose, next);
        let supervisor = Whose::Supervisor(Uuid::nil());
        for sql in [sqlite(supervisor, false), sqlite(supervisor, true)] {
            assert!(
                sql.contains(
                    "(w.supervisor_id = +$1 OR w.co_supervisor_id = +$1) AND w.starts_at >= +$2 AND w.starts_at < +$3"
                ),
                "{sql}"
            );
            assert!(sql.contains("LIMIT +$4)"), "{sql}");
        }
        assert!(sqlite(supervisor, true).contains("(w.starts_at > +$5 OR (w.starts_at = +$5 AND w.id > +$6))"));
        assert!(
            postgres(supervisor, false).contains(
                "(w.supervisor_id = $1 OR w.co_supervisor_id = $1) AND w.starts_at >= $2 AND w.starts_at < $3"
            )
        );
        assert!(postgres(supervisor, true).contains("(w.starts_at > $5 OR (w.starts_at = $5 AND w.id > $6))"));
        assert!(!postgres(supervisor, false).contains('+') && !sqlite(supervisor, false).contains("$5"));
        let everyone = postgres(Whose::Everyone, true);
        assert!(everyone.contains("w.starts_at >= $1 AND w.starts_at < $2") && everyone.contains("LIMIT $3)"));
        assert!(postgres(Whose::Person(Uuid::nil()), false).contains("x.person_id = $1 AND"));
    }
}
