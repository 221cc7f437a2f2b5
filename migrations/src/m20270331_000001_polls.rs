//! Rhythm polls (issue 11): a coordinator (or the series' supervisor) proposes 2–8 rhythms
//! for a team or named people; each person votes through a personal link; the chosen option is
//! booked as a series.
//!
//! - `polls` — the series-to-be's common fields (supervisors, participants, kind, title,
//!   zone…), the voting deadline, when its one reminder is due and was sent, where it stands
//!   (`open`, `decided`, `closed`), the option chosen and the series it booked. `link_base` is
//!   the public URL the personal links start with (the reminder makes fresh links with it).
//! - `poll_options` — one proposed rhythm: first start, recurrence (the series API's body as
//!   JSON), length and place, with what the pre-check found at creation (sessions planned, the
//!   first start as an instant, the conflicts as JSON).
//! - `poll_voters` — one row per person asked, with the SHA-256 of their link's secret (and of
//!   the reminder's fresh link), their comment and when they answered / were reminded.
//! - `poll_answers` — a voter's answer per option: `yes`, `if_need_be` or `no`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates (and on the way down drops) `polls`, `poll_options`, `poll_voters`, `poll_answers`.
#[derive(DeriveMigrationName)]
pub struct Migration;

fn instant(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn instant_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

fn fk(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("polls")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("supervisor_id"))
                    .col(uuid_null("co_supervisor_id"))
                    .col(uuid_null("team_id"))
                    .col(text("kind"))
                    .col(text("title"))
                    .col(text("timezone"))
                    .col(text("holiday_policy"))
                    .col(text_null("video_url"))
                    .col(integer_null("cancellation_notice_hours"))
                    .col(instant("deadline"))
                    .col(instant_null("remind_at"))
                    .col(instant_null("reminded_at"))
                    .col(text("status").check(Expr::col("status").is_in(["open", "decided", "closed"])))
                    .col(uuid_null("chosen_option_id"))
                    .col(uuid_null("series_id"))
                    .col(text("link_base"))
                    .col(text("created_by"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .col(instant_null("closed_at"))
                    .foreign_key(&mut fk("polls", "organization_id", "organizations"))
                    .foreign_key(&mut fk("polls", "supervisor_id", "supervisors"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_polls_organization").table("polls").col("organization_id").take())
            .await?;
        // The reminder job's question: open polls whose reminder is due and not yet sent.
        manager
            .create_index(
                Index::create().name("ix_polls_status_remind_at").table("polls").col("status").col("remind_at").take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("poll_options")
                    .col(pk_uuid("id"))
                    .col(uuid("poll_id"))
                    .col(integer("position"))
                    .col(text("first_start"))
                    .col(integer("duration_minutes"))
                    .col(text("recurrence"))
                    .col(text("rrule"))
                    .col(text_null("location"))
                    .col(integer("sessions"))
                    .col(instant("first_starts_at"))
                    .col(text("conflicts"))
                    .col(instant("checked_at"))
                    .foreign_key(&mut fk("poll_options", "poll_id", "polls"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_poll_options_poll_position")
                    .table("poll_options")
                    .col("poll_id")
                    .col("position")
                    .unique()
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("poll_voters")
                    .col(pk_uuid("id"))
                    .col(uuid("poll_id"))
                    .col(uuid("person_id"))
                    .col(text("token_hash"))
                    .col(text_null("reminder_token_hash"))
                    .col(text_null("comment"))
                    .col(instant_null("answered_at"))
                    .col(instant_null("reminded_at"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .foreign_key(&mut fk("poll_voters", "poll_id", "polls"))
                    .foreign_key(&mut fk("poll_voters", "person_id", "people"))
                    .take(),
            )
            .await?;
        for (name, columns) in [
            ("ux_poll_voters_poll_person", &["poll_id", "person_id"][..]),
            ("ux_poll_voters_token_hash", &["token_hash"][..]),
            ("ux_poll_voters_reminder_token_hash", &["reminder_token_hash"][..]),
        ] {
            let mut index = Index::create().name(name).table("poll_voters").unique().to_owned();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("poll_answers")
                    .col(uuid("voter_id"))
                    .col(uuid("option_id"))
                    .col(text("answer").check(Expr::col("answer").is_in(["yes", "if_need_be", "no"])))
                    .primary_key(Index::create().col("voter_id").col("option_id"))
                    .foreign_key(&mut fk("poll_answers", "voter_id", "poll_voters"))
                    .foreign_key(&mut fk("poll_answers", "option_id", "poll_options"))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["poll_answers", "poll_voters", "poll_options", "polls"] {
            manager.drop_table(Table::drop().table(table).if_exists().take()).await?;
        }
        Ok(())
    }
}
