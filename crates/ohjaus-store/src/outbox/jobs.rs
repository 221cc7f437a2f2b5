//! Leases of scheduled jobs: a cron tick (reminders, digests) runs once across any number of
//! workers, decided by one conditional update of `last_tick_at`.

use crate::entity::job_lease;
use crate::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

/// How long the winner of a tick is recorded as running it (for operators; the tick itself
/// is decided by `last_tick_at`).
const TICK_LEASE: TimeDelta = TimeDelta::minutes(10);

impl Store {
    /// Whether `owner` runs `job`'s tick at `tick`: true for exactly one caller per tick,
    /// however many workers ask at once, and false for every tick not later than one
    /// already run.
    pub async fn claim_tick(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let db = self.connection();
        let row = job_lease::Model { name: job.to_owned(), owner: None, lease_expires_at: None, last_tick_at: None };
        job_lease::Entity::insert(row.into_active_model())
            .on_conflict_do_nothing_on([job_lease::Column::Name])
            .exec_without_returning(db)
            .await?;
        // Under PostgreSQL's READ COMMITTED a second updater waits for the first and then
        // re-checks the condition on the new row, so it matches nothing; SQLite runs one
        // writer at a time.
        let result = job_lease::Entity::update_many()
            .col_expr(job_lease::Column::LastTickAt, Expr::value(Some(tick)))
            .col_expr(job_lease::Column::Owner, Expr::value(Some(owner.to_owned())))
            .col_expr(job_lease::Column::LeaseExpiresAt, Expr::value(Some(now + TICK_LEASE)))
            .filter(job_lease::Column::Name.eq(job))
            .filter(job_lease::Column::LastTickAt.is_null().or(job_lease::Column::LastTickAt.lt(tick)))
            .exec(db)
            .await?;
        Ok(result.rows_affected == 1)
    }
}
