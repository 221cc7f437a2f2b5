//! The web pages' sign-in state (issue 6): signed-in browser sessions, kept only as the hash
//! of their cookie's secret so that a copy of the database signs nobody in, and the people who
//! coordinate their organization (who may sign in to its coordinator pages).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) `web_sessions` and `coordinators`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A browser session of the web pages: the SHA-256 of the cookie's secret, whose
        // person or supervisor it is, until when, and when it was signed out.
        manager
            .create_table(
                Table::create()
                    .table("web_sessions")
                    .col(pk_uuid("id"))
                    .col(text_uniq("token_hash"))
                    .col(text("owner_kind").check(Expr::col("owner_kind").is_in(["person", "supervisor"])))
                    .col(uuid("owner_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_web_sessions_owner")
                    .table("web_sessions")
                    .col("owner_kind")
                    .col("owner_id")
                    .take(),
            )
            .await?;
        // A person who coordinates their own organization: books its series, sees its report.
        manager
            .create_table(
                Table::create()
                    .table("coordinators")
                    .col(pk_uuid("person_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coordinators_person_id")
                            .from("coordinators", "person_id")
                            .to("people", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("coordinators").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("web_sessions").if_exists().take()).await?;
        Ok(())
    }
}
