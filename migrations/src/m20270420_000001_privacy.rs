//! Privacy (issue 13, point 5): the audit log of every read of a note, every export of a
//! person's data, every erasure and every deletion of notes past their retention; and the
//! record of each erased person, which makes an erasure idempotent.
//!
//! The audit log names who did what to whom — roles and ids, never a note's text, a name or
//! an address — so it can be kept as long as the notes themselves are not.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) `audit_events` and `erasures`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per audited act. `actor_id` is the caller's subject: the supervisor, the
        // person, the organization of a coordinator; none for an admin or the worker. No
        // foreign keys: the log outlives what it speaks of (a deleted note, an erased person).
        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(text("actor_role").check(Expr::col("actor_role").is_in([
                        "admin",
                        "coordinator",
                        "supervisor",
                        "participant",
                        "worker",
                    ])))
                    .col(uuid_null("actor_id"))
                    .col(text("action").check(Expr::col("action").is_in([
                        "note_read",
                        "export",
                        "erasure",
                        "note_deletion",
                    ])))
                    .col(uuid_null("person_id"))
                    .col(uuid_null("session_id"))
                    .col(integer("count").default(0))
                    .take(),
            )
            .await?;
        for (name, column) in [("ix_audit_events_person", "person_id"), ("ix_audit_events_actor", "actor_id")] {
            manager.create_index(Index::create().name(name).table("audit_events").col(column).col("id").take()).await?;
        }
        // An erased person: when, and what the erasure did (its answer, given again when it is
        // asked for twice). The person's row stays, renamed, so attendance keeps its counts.
        manager
            .create_table(
                Table::create()
                    .table("erasures")
                    .col(pk_uuid("person_id"))
                    .col(timestamp_with_time_zone("erased_at"))
                    .col(integer("sessions_cancelled").default(0))
                    .col(integer("reviews_removed").default(0))
                    .col(integer("tokens_revoked").default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_erasures_person_id")
                            .from("erasures", "person_id")
                            .to("people", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("erasures").if_exists().take()).await?;
        manager.drop_table(Table::drop().table("audit_events").if_exists().take()).await?;
        Ok(())
    }
}
