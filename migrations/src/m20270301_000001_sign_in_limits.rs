//! An index for the sign-in rate limit: how many links went to one address in the last hour
//! is counted over `login_links` by owner and time, on every sign-in request, so it must not
//! read the whole (ever-growing) table.

use sea_orm_migration::prelude::*;

/// Creates (and on the way down drops) `ix_login_links_owner_created`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_login_links_owner_created")
                    .table("login_links")
                    .col("owner_kind")
                    .col("owner_id")
                    .col("created_at")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_login_links_owner_created").table("login_links").to_owned()).await
    }
}
