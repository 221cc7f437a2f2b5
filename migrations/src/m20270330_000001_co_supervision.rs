//! Co-supervision (*pariohjaus*, issue 11): a series' second supervisor.
//!
//! - `series.co_supervisor_id` — the series' co-supervisor, if any (NULL: one supervisor).
//! - `sessions.co_supervisor_id` — denormalized like `sessions.supervisor_id`: the co-supervisor
//!   of the series when the session was planned, kept on future sessions when it changes, so a
//!   supervisor's agenda and conflict checks read one index (`ix_sessions_co_supervisor_starts`)
//!   instead of joining every series.
//!
//! On PostgreSQL both columns reference `supervisors`; SQLite cannot add a foreign key to an
//! existing table, and the store checks the supervisor exists before it writes one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Adds (and on the way down drops) the co-supervisor columns and their index.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["series", "sessions"] {
            manager
                .alter_table(
                    Table::alter().table(table).add_column(ColumnDef::new("co_supervisor_id").uuid().null()).take(),
                )
                .await?;
            if manager.get_database_backend() == DbBackend::Postgres {
                manager
                    .create_foreign_key(
                        ForeignKey::create()
                            .name(format!("fk_{table}_co_supervisor_id"))
                            .from(table, "co_supervisor_id")
                            .to("supervisors", "id")
                            .take(),
                    )
                    .await?;
            }
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_co_supervisor_starts")
                    .table("sessions")
                    .col("co_supervisor_id")
                    .col("starts_at")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_series_co_supervisor").table("series").col("co_supervisor_id").take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_series_co_supervisor").table("series").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_sessions_co_supervisor_starts").table("sessions").to_owned()).await?;
        for table in ["sessions", "series"] {
            if manager.get_database_backend() == DbBackend::Postgres {
                manager
                    .drop_foreign_key(
                        ForeignKey::drop().name(format!("fk_{table}_co_supervisor_id")).table(table).to_owned(),
                    )
                    .await?;
            }
            manager.alter_table(Table::alter().table(table).drop_column("co_supervisor_id").to_owned()).await?;
        }
        Ok(())
    }
}
