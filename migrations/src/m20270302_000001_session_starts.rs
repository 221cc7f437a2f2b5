//! An index of sessions by start: the reminders' and digests' window (every session starting
//! in the next hours, whoever's it is) is read by it in key order, a page at a time, instead of
//! by a scan of the whole table for each page.

use sea_orm_migration::prelude::*;

/// Creates (and on the way down drops) `ix_sessions_starts` on `sessions (starts_at, id)`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create().name("ix_sessions_starts").table("sessions").col("starts_at").col("id").take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_sessions_starts").table("sessions").to_owned()).await
    }
}
