//! The organization report: what the buyer gets for its contract, per team and series, over
//! a period. Schedule and attendance figures only — never anything from notes or reviews.
//!
//! Definitions (sessions whose start falls in the period, `from` 00:00 to `to` 24:00 in the
//! organization's time zone):
//!
//! - `contracted` — the series' contracted sessions (the whole contract, not the period).
//! - `scheduled` — still planned (future, or past without attendance recorded).
//! - `held` — took place (attendance recorded).
//! - `cancelled` — cancelled in time (not used; a make-up may replace it).
//! - `late_cancellations` — cancelled with less notice than the terms: consumed.
//! - `used` = `held` + `late_cancellations` (billable).
//! - `remaining` = `contracted` − sessions used from the series' start to the period's end
//!   (never below zero).
//! - `attendance_rate` = present ÷ recorded entries (present, absent, excused) of the
//!   period's sessions; `None` when nothing is recorded.
//! - `minutes_used` / `hours` — the actual length of each used session, summed.
//!
//! A series appears when at least one of its sessions starts in the period. Series are
//! grouped by team (series booked for named people form a group without a team); each
//! group and the organization have totals, the attendance rate of a total being computed
//! from its summed counts.

use crate::entity::{attendance, series, session, team};
use crate::limits::MAX_REPORT_DAYS;
use crate::status::{SeriesStatus, SessionStatus};
use crate::write::attendance::AttendanceStatus;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use ohjaus_core::TimeZone;
use sea_orm::{ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The figures of a series, a team or the organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Sessions contracted.
    pub contracted: u32,
    /// Still planned.
    pub scheduled: u32,
    /// Took place.
    pub held: u32,
    /// Cancelled in time.
    pub cancelled: u32,
    /// Cancelled late (consumed).
    pub late_cancellations: u32,
    /// Held plus late cancellations.
    pub used: u32,
    /// Contracted minus used up to the period's end.
    pub remaining: u32,
    /// Attendance entries `present`.
    pub present: u32,
    /// Attendance entries recorded (present, absent, excused).
    pub recorded: u32,
    /// `present ÷ recorded`, 0 to 1; `None` when nothing was recorded.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1, required = true))]
    pub attendance_rate: Option<f64>,
    /// Minutes of used sessions.
    pub minutes_used: i64,
    /// `minutes_used` in hours.
    pub hours: f64,
}

impl Figures {
    fn add(&mut self, other: &Self) {
        self.contracted += other.contracted;
        self.scheduled += other.scheduled;
        self.held += other.held;
        self.cancelled += other.cancelled;
        self.late_cancellations += other.late_cancellations;
        self.used += other.used;
        self.remaining += other.remaining;
        self.present += other.present;
        self.recorded += other.recorded;
        self.minutes_used += other.minutes_used;
    }

    /// Counts `n` sessions of `status` (`late`: cancelled late) into the figures.
    fn count(&mut self, status: SessionStatus, late: bool, n: u32) {
        match (status, late) {
            (SessionStatus::Held, _) => self.held += n,
            (SessionStatus::Cancelled, true) => self.late_cancellations += n,
            (SessionStatus::Cancelled, false) => self.cancelled += n,
            (SessionStatus::Scheduled, _) => self.scheduled += n,
        }
        if is_used(status, late) {
            self.used += n;
        }
    }

    /// Derives the rate and the hours from the counts.
    fn finish(mut self) -> Self {
        self.attendance_rate = (self.recorded > 0).then(|| f64::from(self.present) / f64::from(self.recorded));
        // Minutes of a report fit an f64 exactly.
        #[allow(clippy::cast_precision_loss)]
        let hours = self.minutes_used as f64 / 60.0;
        self.hours = hours;
        self
    }
}

/// One series in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesReport {
    /// The series.
    pub series_id: Uuid,
    /// Its title.
    pub title: String,
    /// Its kind (wire name).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::SeriesKind))]
    pub kind: String,
    /// Its status: active, cancelled, completed.
    pub status: SeriesStatus,
    /// Its supervisor.
    pub supervisor_id: Uuid,
    /// Its figures.
    pub figures: Figures,
}

/// The series of one team (or of no team) and their totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamReport {
    /// The team; `None` for series booked for named people.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team_id: Option<Uuid>,
    /// The team's name.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team_name: Option<String>,
    /// Its series, by title.
    pub series: Vec<SeriesReport>,
    /// Their sums.
    pub totals: Figures,
}

/// The report of an organization over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationReport {
    /// The organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// The zone the period's days are counted in.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period (inclusive).
    pub to: NaiveDate,
    /// Per team, teams by name, the group without a team last.
    pub teams: Vec<TeamReport>,
    /// The organization's sums.
    pub totals: Figures,
}

/// What the report needs of a session.
struct SessionFacts {
    id: Uuid,
    series_id: Uuid,
    minutes: i64,
    status: SessionStatus,
    late: bool,
}

impl SessionFacts {
    fn is_used(&self) -> bool {
        is_used(self.status, self.late)
    }
}

/// Whether a session is used (billable): held, or cancelled late.
fn is_used(status: SessionStatus, late: bool) -> bool {
    status == SessionStatus::Held || (status == SessionStatus::Cancelled && late)
}

/// [`is_used`] as a condition on the `sessions` table.
fn used_condition() -> Condition {
    Condition::any().add(session::Column::Status.eq(SessionStatus::Held.as_str())).add(
        Condition::all()
            .add(session::Column::Status.eq(SessionStatus::Cancelled.as_str()))
            .add(session::Column::LateCancellation.eq(true)),
    )
}

impl Store {
    /// The report of organization `organization_id` for the days `from` to `to` (inclusive,
    /// in its time zone): admins and its coordinator (another organization's coordinator:
    /// `NotFound`; supervisors and participants: `Forbidden`). See the module for the
    /// definitions.
    pub async fn organization_report(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<OrganizationReport, StoreError> {
        let organization = self.organization_to_manage(caller, organization_id).await?;
        if to < from {
            return Err(StoreError::invalid("to", "must not be before from"));
        }
        if (to - from).num_days() >= MAX_REPORT_DAYS {
            return Err(StoreError::invalid("to", format!("a report covers at most {MAX_REPORT_DAYS} days")));
        }
        let zone = organization.timezone.parse::<TimeZone>().unwrap_or_default();
        let start = zone.resolve_utc(from.and_time(NaiveTime::MIN));
        let end_day = to.succ_opt().ok_or_else(|| StoreError::invalid("to", "is too far in the future"))?;
        let end = zone.resolve_utc(end_day.and_time(NaiveTime::MIN));
        let db = self.connection();

        let all_series: HashMap<Uuid, series::Model> = series::Entity::find()
            .filter(series::Column::OrganizationId.eq(organization_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        // The period's sessions for its figures, and per series the sessions used from its
        // start to the period's end for `remaining` (counted by the database).
        let sessions: Vec<SessionFacts> = session::Entity::find()
            .select_only()
            .columns([
                session::Column::Id,
                session::Column::SeriesId,
                session::Column::StartsAt,
                session::Column::EndsAt,
                session::Column::Status,
                session::Column::LateCancellation,
            ])
            .join(JoinType::InnerJoin, session::Relation::Series.def())
            .filter(series::Column::OrganizationId.eq(organization_id))
            .filter(session::Column::StartsAt.gte(start))
            .filter(session::Column::StartsAt.lt(end))
            .into_tuple::<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>, String, bool)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, series_id, starts_at, ends_at, status, late)| SessionFacts {
                id,
                series_id,
                minutes: (ends_at - starts_at).num_minutes(),
                status: SessionStatus::parse(&status).unwrap_or(SessionStatus::Scheduled),
                late,
            })
            .collect();
        let used_to_end: HashMap<Uuid, u32> = session::Entity::find()
            .select_only()
            .column(session::Column::SeriesId)
            .column_as(session::Column::Id.count(), "used")
            .join(JoinType::InnerJoin, session::Relation::Series.def())
            .filter(series::Column::OrganizationId.eq(organization_id))
            .filter(session::Column::StartsAt.lt(end))
            .filter(used_condition())
            .group_by(session::Column::SeriesId)
            .into_tuple::<(Uuid, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(series_id, used)| (series_id, u32::try_from(used).unwrap_or(u32::MAX)))
            .collect();
        let period_sessions: HashMap<Uuid, Uuid> = sessions.iter().map(|s| (s.id, s.series_id)).collect();
        let marks: Vec<(Uuid, String)> = attendance::Entity::find()
            .select_only()
            .column(attendance::Column::SessionId)
            .column(attendance::Column::Status)
            .join(JoinType::InnerJoin, attendance::Relation::Session.def())
            .join(JoinType::InnerJoin, session::Relation::Series.def())
            .filter(series::Column::OrganizationId.eq(organization_id))
            .filter(session::Column::StartsAt.gte(start))
            .filter(session::Column::StartsAt.lt(end))
            .into_tuple()
            .all(db)
            .await?;

        let mut figures: BTreeMap<Uuid, Figures> = BTreeMap::new();
        for s in &sessions {
            let f = figures.entry(s.series_id).or_default();
            f.count(s.status, s.late, 1);
            if s.is_used() {
                f.minutes_used += s.minutes;
            }
        }
        for (session_id, status) in &marks {
            let Some(series_id) = period_sessions.get(session_id) else { continue };
            let f = figures.entry(*series_id).or_default();
            f.recorded += 1;
            if AttendanceStatus::parse(status) == Some(AttendanceStatus::Present) {
                f.present += 1;
            }
        }

        let team_names: HashMap<Uuid, String> = team::Entity::find()
            .filter(team::Column::OrganizationId.eq(organization_id))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let mut groups: BTreeMap<(bool, String, Option<Uuid>), Vec<SeriesReport>> = BTreeMap::new();
        for (series_id, mut f) in figures {
            let Some(series) = all_series.get(&series_id) else { continue };
            f.contracted = u32::try_from(series.contracted_sessions).unwrap_or_default();
            f.remaining = f.contracted.saturating_sub(used_to_end.get(&series_id).copied().unwrap_or_default());
            let team_name = series.team_id.and_then(|id| team_names.get(&id).cloned());
            // Teams by name; the group without a team last.
            let key = (series.team_id.is_none(), team_name.clone().unwrap_or_default(), series.team_id);
            groups.entry(key).or_default().push(SeriesReport {
                series_id,
                title: series.title.clone(),
                kind: series.kind.clone(),
                status: SeriesStatus::stored(&series.status),
                supervisor_id: series.supervisor_id,
                figures: f.finish(),
            });
        }
        let mut totals = Figures::default();
        let mut teams = Vec::with_capacity(groups.len());
        for ((_, name, team_id), mut series) in groups {
            series.sort_by(|a, b| a.title.cmp(&b.title).then(a.series_id.cmp(&b.series_id)));
            let mut team_totals = Figures::default();
            for s in &series {
                team_totals.add(&s.figures);
            }
            totals.add(&team_totals);
            teams.push(TeamReport { team_id, team_name: team_id.map(|_| name), series, totals: team_totals.finish() });
        }
        Ok(OrganizationReport {
            organization_id,
            organization_name: organization.name,
            timezone: zone.name().to_owned(),
            from,
            to,
            teams,
            totals: totals.finish(),
        })
    }

    /// Each series' progress over its whole life — contracted, scheduled, held, cancelled,
    /// cancelled late, used and remaining; no attendance, no minutes — for the organization's
    /// coordinator (who may: see [`crate::access::manages`]), in two statements.
    pub async fn series_progress(
        &self,
        caller: &Caller,
        organization_id: Uuid,
    ) -> Result<HashMap<Uuid, Figures>, StoreError> {
        crate::access::manages(caller, organization_id)?;
        let db = self.connection();
        let contracted: Vec<(Uuid, i32)> = series::Entity::find()
            .select_only()
            .columns([series::Column::Id, series::Column::ContractedSessions])
            .filter(series::Column::OrganizationId.eq(organization_id))
            .into_tuple()
            .all(db)
            .await?;
        let counts: Vec<(Uuid, String, bool, i64)> = session::Entity::find()
            .select_only()
            .columns([session::Column::SeriesId, session::Column::Status, session::Column::LateCancellation])
            .column_as(session::Column::Id.count(), "sessions")
            .join(JoinType::InnerJoin, session::Relation::Series.def())
            .filter(series::Column::OrganizationId.eq(organization_id))
            .group_by(session::Column::SeriesId)
            .group_by(session::Column::Status)
            .group_by(session::Column::LateCancellation)
            .into_tuple()
            .all(db)
            .await?;
        let mut progress: HashMap<Uuid, Figures> = contracted
            .into_iter()
            .map(|(id, n)| (id, Figures { contracted: u32::try_from(n).unwrap_or_default(), ..Figures::default() }))
            .collect();
        for (series_id, status, late, n) in counts {
            let status = SessionStatus::parse(&status).unwrap_or(SessionStatus::Scheduled);
            if let Some(f) = progress.get_mut(&series_id) {
                f.count(status, late, u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        Ok(progress
            .into_iter()
            .map(|(id, mut f)| {
                f.remaining = f.contracted.saturating_sub(f.used);
                (id, f)
            })
            .collect())
    }
}
