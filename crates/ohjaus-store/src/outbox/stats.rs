//! Figures for monitoring: the outbox depth by status, read at scrape time so every instance
//! reports the database's truth.

use crate::entity::outbox;
use crate::{Store, StoreError};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{EntityTrait, QuerySelect};

impl Store {
    /// Outbox rows per status, e.g. `[("queued", 3), ("sent", 120)]`.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Status)
            .column_as(Expr::expr(Func::count(Expr::col(outbox::Column::Id))), "count")
            .group_by(outbox::Column::Status)
            .into_tuple()
            .all(self.connection())
            .await?;
        Ok(rows)
    }
}
