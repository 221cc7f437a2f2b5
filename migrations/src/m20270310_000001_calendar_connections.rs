//! People's own calendars (issue 9): the connections a supervisor or a person made to an
//! iCalendar subscription or a CalDAV collection, and the busy blocks the sync read from
//! them (only intervals: no title, place or description is ever stored).
//!
//! A connection keeps what may be shown in the clear (the URL with its secret parts masked,
//! the CalDAV user name) apart from what must not (`secret_sealed`: the URL's secret parts
//! and the CalDAV password, sealed by the store under `secrets.key`). `next_sync_at` is what
//! workers claim: a worker takes a due connection by moving it forward, conditional on the
//! value it read, so each connection is fetched once per interval however many workers run.
//! Busy blocks carry their owner beside their connection, so a conflict check reads a
//! person's blocks by one index without a join.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) `calendar_connections` and `calendar_busy_blocks`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("calendar_connections")
                    .col(pk_uuid("id"))
                    .col(text("owner_kind").check(Expr::col("owner_kind").is_in(["person", "supervisor"])))
                    .col(uuid("owner_id"))
                    .col(text("label"))
                    .col(text("kind").check(Expr::col("kind").is_in(["subscription", "caldav"])))
                    .col(text("url_shown"))
                    .col(text_null("user_name"))
                    .col(text_null("secret_sealed"))
                    .col(boolean("all_day_blocks"))
                    .col(text_null("etag"))
                    .col(text_null("last_modified"))
                    .col(timestamp_with_time_zone_null("last_attempt_at"))
                    .col(timestamp_with_time_zone_null("last_success_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("next_sync_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_calendar_connections_owner")
                    .table("calendar_connections")
                    .col("owner_kind")
                    .col("owner_id")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_calendar_connections_next_sync")
                    .table("calendar_connections")
                    .col("next_sync_at")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("calendar_busy_blocks")
                    .col(big_pk_auto("id"))
                    .col(uuid("connection_id"))
                    .col(text("owner_kind"))
                    .col(uuid("owner_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(big_integer("uid_hash"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_busy_blocks_connection_id")
                            .from("calendar_busy_blocks", "connection_id")
                            .to("calendar_connections", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_calendar_busy_blocks_owner_starts")
                    .table("calendar_busy_blocks")
                    .col("owner_kind")
                    .col("owner_id")
                    .col("starts_at")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_calendar_busy_blocks_connection")
                    .table("calendar_busy_blocks")
                    .col("connection_id")
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("calendar_busy_blocks").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("calendar_connections").if_exists().take()).await?;
        Ok(())
    }
}
