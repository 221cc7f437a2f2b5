//! A supervisor's sessions in a window, for `GET /supervisors/{id}/upcoming`: each with its
//! series' title, the organization's name and who is invited, ordered by start.
//!
//! One statement answers it, its text fixed per backend so that each pooled connection
//! prepares it once (no `IN` list whose length would change the text): the window's sessions
//! through the index on `(supervisor_id, starts_at)`, in key order and cut to a page, with
//! their series, organization and invitees. How the rows come back differs, because the two
//! drivers' costs differ (BENCHMARKS.md, "API"):
//!
//! - PostgreSQL: one row per invitee, read by position. Rows cost little there, and building
//!   JSON in the server costs more than it saves.
//! - SQLite: one row holding the whole answer as a JSON array, built by SQLite's JSON
//!   functions and parsed once here. The driver hands every row over from its connection
//!   thread one at a time, copying each value, which cost more than the query itself
//!   (≈ 8 µs a row; 90 rows of 18 columns ≈ 0.7 ms).
//!
//! Both give the same [`Fetched`] sessions; the series' time zone is parsed once per zone,
//! not per row.

use super::sessions::Session;
use crate::{Backend, Caller, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::TimeZone;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryResult, Statement, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest window one call may ask for.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(366);

/// A person invited to a session, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitee {
    /// The person.
    pub id: Uuid,
    /// Their name.
    pub name: String,
}

/// One of a supervisor's sessions with what their agenda shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisorSession {
    /// The session.
    #[serde(flatten)]
    pub session: Session,
    /// Its series' title.
    pub series_title: String,
    /// The buying organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Who is invited, by name.
    pub participants: Vec<Invitee>,
}

/// The window's sessions (`$1` supervisor, `$2`–`$3` the window, `$4` how many; on later
/// pages `$5`–`$6` the key to start after), in the list's order. Both backends understand
/// `$N` parameters; `$p` is what each parameter is written as (see `sqlite_sql!`).
macro_rules! window {
    ($p:literal, $after:expr) => {
        concat!(
            "(SELECT * FROM sessions WHERE supervisor_id = ",
            $p,
            "1 AND starts_at >= ",
            $p,
            "2 AND starts_at < ",
            $p,
            "3 AND status <> 'cancelled' ",
            $after,
            "ORDER BY starts_at, id LIMIT ",
            $p,
            "4) s "
        )
    };
}

/// Keeps the sessions after the key (`starts_at`, `id`) of the last one seen.
macro_rules! after_key {
    ($p:literal) => {
        concat!("AND (starts_at > ", $p, "5 OR (starts_at = ", $p, "5 AND id > ", $p, "6)) ")
    };
}

/// PostgreSQL: one row per invitee (a session without any has one row of NULLs), columns as
/// [`Col`] numbers them.
macro_rules! postgres_sql {
    ($window:expr) => {
        concat!(
            "SELECT s.id, s.series_id, s.\"index\", s.starts_at, s.ends_at, s.timezone, s.status, s.phase, ",
            "s.late_cancellation, COALESCE(s.location, r.location), COALESCE(s.video_url, r.video_url), ",
            "s.cancelled_at, s.cancel_reason, r.title, r.organization_id, o.name, p.id, p.name FROM ",
            $window,
            "JOIN series r ON r.id = s.series_id ",
            "LEFT JOIN organizations o ON o.id = r.organization_id ",
            "LEFT JOIN session_participants sp ON sp.session_id = s.id ",
            "LEFT JOIN people p ON p.id = sp.person_id ",
            "ORDER BY s.starts_at, s.id, p.name, p.id"
        )
    };
}

/// SQLite: one row, one text: a JSON array of sessions, each an array in [`Fetched`]'s field
/// order. Ids are blobs, written as hex; `late_cancellation` is 0 or 1, written as a JSON
/// boolean. (`ORDER BY` inside an aggregate needs SQLite 3.44; the bundled one is newer.)
///
/// Its parameters are written `+$N`, which changes no value: SQLite marks a statement to be
/// compiled again whenever a parameter is re-bound whose value its planner looked at — a
/// `LIMIT`, and, once `ANALYZE` has gathered samples, every value an index is searched by —
/// and a pooled statement is re-bound on every call. Behind a unary `+` the planner does not
/// look at the value (the index on `(supervisor_id, starts_at)` is still used), so the
/// prepared statement is reused instead of parsed and planned again on every call.
macro_rules! sqlite_sql {
    ($window:expr) => {
        concat!(
            "SELECT json_group_array(json_array(hex(s.id), hex(s.series_id), s.\"index\", s.starts_at, s.ends_at, ",
            "s.timezone, s.status, s.phase, CASE WHEN s.late_cancellation THEN json('true') ELSE json('false') END, ",
            "COALESCE(s.location, r.location), COALESCE(s.video_url, r.video_url), s.cancelled_at, s.cancel_reason, ",
            "r.title, hex(r.organization_id), o.name, ",
            "json((SELECT json_group_array(json_array(hex(p.id), p.name) ORDER BY p.name, p.id) ",
            "FROM session_participants sp JOIN people p ON p.id = sp.person_id WHERE sp.session_id = s.id))",
            ") ORDER BY s.starts_at, s.id) FROM ",
            $window,
            "JOIN series r ON r.id = s.series_id ",
            "LEFT JOIN organizations o ON o.id = r.organization_id"
        )
    };
}

/// The statement of each backend, first page and later ones.
const POSTGRES_FIRST: &str = postgres_sql!(window!("$", ""));
const POSTGRES_NEXT: &str = postgres_sql!(window!("$", after_key!("$")));
const SQLITE_FIRST: &str = sqlite_sql!(window!("+$", ""));
const SQLITE_NEXT: &str = sqlite_sql!(window!("+$", after_key!("+$")));

/// Column positions in a PostgreSQL row.
struct Col;

impl Col {
    const ID: usize = 0;
    const SERIES_ID: usize = 1;
    const INDEX: usize = 2;
    const STARTS_AT: usize = 3;
    const ENDS_AT: usize = 4;
    const TIMEZONE: usize = 5;
    const STATUS: usize = 6;
    const PHASE: usize = 7;
    const LATE: usize = 8;
    const LOCATION: usize = 9;
    const VIDEO_URL: usize = 10;
    const CANCELLED_AT: usize = 11;
    const CANCEL_REASON: usize = 12;
    const TITLE: usize = 13;
    const ORGANIZATION_ID: usize = 14;
    const ORGANIZATION_NAME: usize = 15;
    const PERSON_ID: usize = 16;
    const PERSON_NAME: usize = 17;
}

/// A session as the statement gives it, times in UTC. On SQLite it is read from a JSON
/// array (serde reads a struct from an array in field order), so the order of the fields is
/// the order of `sqlite_sql!`'s columns.
#[derive(Debug, Deserialize)]
struct Fetched {
    id: Uuid,
    series_id: Uuid,
    index: i32,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    timezone: String,
    status: String,
    phase: Option<String>,
    late_cancellation: bool,
    /// The session's own, else the series'.
    location: Option<String>,
    /// The session's own, else the series'.
    video_url: Option<String>,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: Option<String>,
    title: String,
    organization_id: Uuid,
    organization_name: Option<String>,
    /// Id and name, by name.
    participants: Vec<(Uuid, String)>,
}

impl Fetched {
    /// The session of a first PostgreSQL row of it, without its invitees.
    fn from_row(row: &QueryResult, id: Uuid) -> Result<Self, DbErr> {
        Ok(Self {
            id,
            series_id: row.try_get_by_index(Col::SERIES_ID)?,
            index: row.try_get_by_index(Col::INDEX)?,
            starts_at: row.try_get_by_index(Col::STARTS_AT)?,
            ends_at: row.try_get_by_index(Col::ENDS_AT)?,
            timezone: row.try_get_by_index(Col::TIMEZONE)?,
            status: row.try_get_by_index(Col::STATUS)?,
            phase: row.try_get_by_index(Col::PHASE)?,
            late_cancellation: row.try_get_by_index(Col::LATE)?,
            location: row.try_get_by_index(Col::LOCATION)?,
            video_url: row.try_get_by_index(Col::VIDEO_URL)?,
            cancelled_at: row.try_get_by_index(Col::CANCELLED_AT)?,
            cancel_reason: row.try_get_by_index(Col::CANCEL_REASON)?,
            title: row.try_get_by_index(Col::TITLE)?,
            organization_id: row.try_get_by_index(Col::ORGANIZATION_ID)?,
            organization_name: row.try_get_by_index(Col::ORGANIZATION_NAME)?,
            participants: Vec::new(),
        })
    }

    /// The agenda item, times at the local offset of the session's zone.
    fn into_session(self, zones: &mut Zones) -> SupervisorSession {
        let zone = zones.get(&self.timezone);
        let mut participant_ids: Vec<Uuid> = self.participants.iter().map(|(id, _)| *id).collect();
        participant_ids.sort_unstable();
        SupervisorSession {
            session: Session {
                id: self.id,
                series_id: self.series_id,
                index: u32::try_from(self.index).unwrap_or_default(),
                starts_at: zone.local(self.starts_at).fixed_offset(),
                ends_at: zone.local(self.ends_at).fixed_offset(),
                timezone: self.timezone,
                status: self.status,
                phase: self.phase,
                late_cancellation: self.late_cancellation,
                location: self.location,
                video_url: self.video_url,
                cancelled_at: self.cancelled_at,
                cancel_reason: self.cancel_reason,
                participant_ids,
            },
            series_title: self.title,
            organization_id: self.organization_id,
            organization_name: self.organization_name.unwrap_or_default(),
            participants: self.participants.into_iter().map(|(id, name)| Invitee { id, name }).collect(),
        }
    }
}

/// The last zone met, parsed (a supervisor's sessions share one or two).
#[derive(Default)]
struct Zones {
    last: Option<(String, TimeZone)>,
}

impl Zones {
    /// The zone named `name`, as [`super::common::zone`] reads it.
    fn get(&mut self, name: &str) -> TimeZone {
        match &self.last {
            Some((last, zone)) if last == name => *zone,
            _ => {
                let zone = super::common::zone(name);
                self.last = Some((name.to_owned(), zone));
                zone
            }
        }
    }
}

/// The sessions of PostgreSQL's rows, one or more rows each, in order.
fn from_rows(rows: &[QueryResult]) -> Result<Vec<Fetched>, DbErr> {
    let mut sessions: Vec<Fetched> = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get_by_index(Col::ID)?;
        if sessions.last().is_none_or(|last| last.id != id) {
            sessions.push(Fetched::from_row(row, id)?);
        }
        let person: Option<Uuid> = row.try_get_by_index(Col::PERSON_ID)?;
        if let (Some(person), Some(session)) = (person, sessions.last_mut()) {
            let name: Option<String> = row.try_get_by_index(Col::PERSON_NAME)?;
            session.participants.push((person, name.unwrap_or_default()));
        }
    }
    Ok(sessions)
}

/// The sessions of SQLite's one row.
fn from_json(rows: &[QueryResult]) -> Result<Vec<Fetched>, DbErr> {
    let Some(row) = rows.first() else { return Ok(Vec::new()) };
    let text: Option<String> = row.try_get_by_index(0)?;
    serde_json::from_str(text.as_deref().unwrap_or("[]"))
        .map_err(|e| DbErr::Custom(format!("the upcoming sessions' JSON does not read: {e}")))
}

impl Store {
    /// Supervisor `supervisor_id`'s sessions that are not cancelled and start in
    /// `[from, until)`, ordered by start (admin or that supervisor; a coordinator may not; to
    /// others the supervisor does not exist).
    pub async fn upcoming_for_supervisor(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SupervisorSession>, StoreError> {
        self.upcoming_page_for_supervisor(caller, supervisor_id, from, until, None, u32::MAX).await
    }

    /// A page of [`Store::upcoming_for_supervisor`]: at most `limit` sessions, those after
    /// the key `after` (start and id, the list's order) when it is given.
    pub async fn upcoming_page_for_supervisor(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<SupervisorSession>, StoreError> {
        match caller {
            Caller::Admin => {}
            Caller::Supervisor { supervisor_id: own } if *own == supervisor_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::Forbidden),
            _ => return Err(StoreError::not_found("supervisor")),
        }
        if until <= from || until - from > MAX_WINDOW {
            return Err(StoreError::invalid("days", "the window must be between a moment and 366 days"));
        }
        let db = self.connection();
        let mut values: Vec<Value> = vec![supervisor_id.into(), from.into(), until.into(), i64::from(limit).into()];
        if let Some((start, id)) = after {
            values.extend([start.into(), id.into()]);
        }
        let sql = match (self.backend(), after.is_some()) {
            (Backend::Postgres, false) => POSTGRES_FIRST,
            (Backend::Postgres, true) => POSTGRES_NEXT,
            (Backend::Sqlite, false) => SQLITE_FIRST,
            (Backend::Sqlite, true) => SQLITE_NEXT,
        };
        let rows = db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
        let fetched = match self.backend() {
            Backend::Postgres => from_rows(&rows)?,
            Backend::Sqlite => from_json(&rows)?,
        };
        if fetched.is_empty() {
            if caller.is_admin() {
                crate::entity::supervisor::Entity::find_by_id(supervisor_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
            }
            return Ok(Vec::new());
        }
        let mut zones = Zones::default();
        Ok(fetched.into_iter().map(|f| f.into_session(&mut zones)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_hides_its_parameters_from_the_planner_and_postgres_does_not_need_to() {
        for sql in [SQLITE_FIRST, SQLITE_NEXT] {
            assert!(sql.contains("supervisor_id = +$1 AND starts_at >= +$2 AND starts_at < +$3"), "{sql}");
            assert!(sql.contains("LIMIT +$4)"), "{sql}");
        }
        assert!(SQLITE_NEXT.contains("(starts_at > +$5 OR (starts_at = +$5 AND id > +$6))"));
        assert!(POSTGRES_FIRST.contains("supervisor_id = $1 AND starts_at >= $2 AND starts_at < $3"));
        assert!(POSTGRES_NEXT.contains("(starts_at > $5 OR (starts_at = $5 AND id > $6))"));
        assert!(!POSTGRES_FIRST.contains('+') && !SQLITE_FIRST.contains("$5"));
    }
}
