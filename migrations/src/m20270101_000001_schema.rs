//! The whole data model: organizations, supervisors, people, teams, closures, series and
//! their calendar events, sessions and who is invited to them, attendance, goals and reviews,
//! notes, tokens, the notification outbox and the leases of scheduled jobs.
//!
//! Conventions: ids are UUIDs (v7, made by the store); instants are UTC
//! (`timestamp with time zone` on PostgreSQL, RFC 3339 text on SQLite); a series' local wall
//! time is text `YYYY-MM-DDTHH:MM`; enumerations are lower-case text checked by the store.
//! The column `sessions.index` is a reserved word in SQL: quote it in raw SQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Creates (and on the way down drops) every table of the first release.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; dropped in reverse.
const TABLES: [&str; 22] = [
    "organizations",
    "supervisors",
    "people",
    "absences",
    "teams",
    "team_members",
    "closures",
    "series",
    "series_participants",
    "calendar_events",
    "sessions",
    "session_participants",
    "attendance",
    "goals",
    "goal_versions",
    "reviews",
    "notes",
    "api_tokens",
    "calendar_tokens",
    "outbox",
    "job_leases",
    "login_links",
];

/// A foreign key from `table.column` to `target.id` that goes with its parent row.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    target_column: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, target_column)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn instant(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn instant_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

fn index(name: &str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(*column);
    }
    statement
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;

        manager
            .create_table(
                Table::create()
                    .table("organizations")
                    .col(pk_uuid("id"))
                    .col(text("name"))
                    .col(text("timezone"))
                    .col(text("locale"))
                    .col(instant("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("supervisors")
                    .col(pk_uuid("id"))
                    .col(text("name"))
                    .col(text_uniq("email"))
                    .col(text("locale"))
                    .col(text("timezone"))
                    .col(integer("buffer_minutes").default(0))
                    .col(text("working_hours").default("[]"))
                    .col(instant("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("people")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(text("name"))
                    .col(text("email"))
                    .col(text_null("locale"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("people", "organization_id", "organizations", "id"))
                    .take(),
            )
            .await?;
        // An expression index: the same address twice in one organization is one person,
        // whatever its case. Plain SQL, understood by both backends.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_people_organization_email ON people (organization_id, lower(email))",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("absences")
                    .col(pk_uuid("id"))
                    .col(uuid("supervisor_id"))
                    .col(instant("starts_at"))
                    .col(instant("ends_at"))
                    .col(text_null("reason"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("absences", "supervisor_id", "supervisors", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_absences_supervisor_starts", "absences", &["supervisor_id", "starts_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("teams")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(text("name"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("teams", "organization_id", "organizations", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_teams_organization", "teams", &["organization_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("team_members")
                    .col(uuid("team_id"))
                    .col(uuid("person_id"))
                    .primary_key(Index::create().col("team_id").col("person_id"))
                    .foreign_key(&mut fk("team_members", "team_id", "teams", "id"))
                    .foreign_key(&mut fk("team_members", "person_id", "people", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_team_members_person", "team_members", &["person_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("closures")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    .col(text_null("reason"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("closures", "organization_id", "organizations", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_closures_organization", "closures", &["organization_id", "start_date"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("series")
                    .col(pk_uuid("id"))
                    .col(uuid("organization_id"))
                    .col(uuid("supervisor_id"))
                    .col(uuid_null("team_id"))
                    .col(text("kind"))
                    .col(text("title"))
                    .col(text("first_start"))
                    .col(text("timezone"))
                    .col(integer("duration_minutes"))
                    .col(text("rrule"))
                    .col(text("holiday_policy"))
                    .col(text_null("location"))
                    .col(text_null("video_url"))
                    .col(integer("cancellation_notice_hours"))
                    .col(integer("contracted_sessions"))
                    .col(text("status").check(Expr::col("status").is_in(["active", "cancelled", "completed"])))
                    .col(integer("ical_sequence").default(0))
                    .col(text_null("cancel_reason"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .foreign_key(&mut fk("series", "organization_id", "organizations", "id"))
                    .foreign_key(&mut fk("series", "supervisor_id", "supervisors", "id"))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_series_team_id")
                            .from("series", "team_id")
                            .to("teams", "id")
                            .on_delete(ForeignKeyAction::SetNull)
                            .take(),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_series_organization", "series", &["organization_id", "id"])).await?;
        manager.create_index(index("ix_series_supervisor", "series", &["supervisor_id", "id"])).await?;
        manager.create_index(index("ix_series_team", "series", &["team_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("series_participants")
                    .col(uuid("series_id"))
                    .col(uuid("person_id"))
                    .primary_key(Index::create().col("series_id").col("person_id"))
                    .foreign_key(&mut fk("series_participants", "series_id", "series", "id"))
                    .foreign_key(&mut fk("series_participants", "person_id", "people", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_series_participants_person", "series_participants", &["person_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("calendar_events")
                    .col(text("uid").primary_key())
                    .col(uuid("series_id"))
                    .col(text("first_start"))
                    .col(text("timezone"))
                    .col(integer("duration_minutes"))
                    .col(text_null("rrule"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("calendar_events", "series_id", "series", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_calendar_events_series", "calendar_events", &["series_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(pk_uuid("id"))
                    .col(uuid("series_id"))
                    .col(uuid("supervisor_id"))
                    .col(text("calendar_uid"))
                    .col(integer("index"))
                    .col(instant("starts_at"))
                    .col(instant("ends_at"))
                    .col(text("timezone"))
                    .col(text("status").check(Expr::col("status").is_in(["scheduled", "cancelled", "held"])))
                    .col(text_null("phase"))
                    .col(boolean("late_cancellation").default(false))
                    .col(instant_null("recurrence_id"))
                    .col(text_null("location"))
                    .col(text_null("video_url"))
                    .col(instant_null("cancelled_at"))
                    .col(text_null("cancel_reason"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .foreign_key(&mut fk("sessions", "series_id", "series", "id"))
                    .foreign_key(&mut fk("sessions", "supervisor_id", "supervisors", "id"))
                    .foreign_key(&mut fk("sessions", "calendar_uid", "calendar_events", "uid"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_sessions_supervisor_starts", "sessions", &["supervisor_id", "starts_at"]))
            .await?;
        manager
            .create_index(index("ux_sessions_series_index", "sessions", &["series_id", "index"]).unique().take())
            .await?;
        manager.create_index(index("ix_sessions_calendar_uid", "sessions", &["calendar_uid"])).await?;
        if postgres {
            // The backstop against double booking across processes: two sessions of one
            // supervisor that are not cancelled never overlap. The store maps its violation
            // (SQLSTATE 23P01) to a conflict.
            let db = manager.get_connection();
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist").await?;
            db.execute_unprepared(
                "ALTER TABLE sessions ADD CONSTRAINT ex_sessions_supervisor_overlap \
                 EXCLUDE USING gist (supervisor_id WITH =, tstzrange(starts_at, ends_at) WITH &&) \
                 WHERE (status <> 'cancelled')",
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("session_participants")
                    .col(uuid("session_id"))
                    .col(uuid("person_id"))
                    .primary_key(Index::create().col("session_id").col("person_id"))
                    .foreign_key(&mut fk("session_participants", "session_id", "sessions", "id"))
                    .foreign_key(&mut fk("session_participants", "person_id", "people", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_session_participants_person", "session_participants", &["person_id", "session_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("attendance")
                    .col(uuid("session_id"))
                    .col(uuid("person_id"))
                    .col(text("status").check(Expr::col("status").is_in(["present", "absent", "excused"])))
                    .col(instant("recorded_at"))
                    .primary_key(Index::create().col("session_id").col("person_id"))
                    .foreign_key(&mut fk("attendance", "session_id", "sessions", "id"))
                    .foreign_key(&mut fk("attendance", "person_id", "people", "id"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("goals")
                    .col(pk_uuid("id"))
                    .col(uuid("series_id"))
                    .col(text("text"))
                    .col(text_null("focus"))
                    .col(text("status").check(Expr::col("status").is_in(["active", "achieved", "dropped"])))
                    .col(boolean("shared_with_organization").default(false))
                    .col(integer("version").default(1))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .foreign_key(&mut fk("goals", "series_id", "series", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_goals_series", "goals", &["series_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("goal_versions")
                    .col(uuid("goal_id"))
                    .col(integer("version"))
                    .col(text("text"))
                    .col(text_null("focus"))
                    .col(text("status"))
                    .col(instant("changed_at"))
                    .primary_key(Index::create().col("goal_id").col("version"))
                    .foreign_key(&mut fk("goal_versions", "goal_id", "goals", "id"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("reviews")
                    .col(pk_uuid("id"))
                    .col(uuid("goal_id"))
                    .col(text("author_kind").check(Expr::col("author_kind").is_in(["person", "supervisor"])))
                    .col(uuid("author_id"))
                    .col(text("phase").check(Expr::col("phase").is_in(["start", "midpoint", "final"])))
                    .col(integer("rating").check(Expr::col("rating").between(1, 5)))
                    .col(text_null("comment"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("reviews", "goal_id", "goals", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_reviews_goal", "reviews", &["goal_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("notes")
                    .col(pk_uuid("id"))
                    .col(uuid("session_id"))
                    .col(uuid("supervisor_id"))
                    .col(text("text"))
                    .col(text("visibility").check(Expr::col("visibility").is_in(["supervisor", "participants"])))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("notes", "session_id", "sessions", "id"))
                    .foreign_key(&mut fk("notes", "supervisor_id", "supervisors", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_notes_session", "notes", &["session_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(pk_uuid("id"))
                    .col(text_uniq("token_hash"))
                    .col(text("role").check(Expr::col("role").is_in([
                        "admin",
                        "coordinator",
                        "supervisor",
                        "participant",
                    ])))
                    .col(uuid_null("subject_id"))
                    .col(text_null("label"))
                    .col(instant("created_at"))
                    .col(instant_null("revoked_at"))
                    .col(instant_null("last_used_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("calendar_tokens")
                    .col(pk_uuid("id"))
                    .col(text_uniq("token_hash"))
                    .col(text("owner_kind").check(Expr::col("owner_kind").is_in(["person", "supervisor"])))
                    .col(uuid("owner_id"))
                    .col(instant("created_at"))
                    .col(instant_null("revoked_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_calendar_tokens_owner", "calendar_tokens", &["owner_kind", "owner_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(pk_uuid("id"))
                    .col(text("kind"))
                    .col(uuid("recipient_id"))
                    .col(text("recipient_domain"))
                    .col(text("payload"))
                    .col(text_uniq("dedupe_key"))
                    .col(text("status").check(Expr::col("status").is_in(["queued", "sending", "sent", "dead"])))
                    .col(integer("attempts").default(0))
                    .col(integer("max_attempts"))
                    .col(instant("next_attempt_at"))
                    .col(text_null("lease_owner"))
                    .col(instant_null("lease_expires_at"))
                    .col(text_null("last_error"))
                    .col(instant("created_at"))
                    .col(instant("updated_at"))
                    .col(instant_null("sent_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("ix_outbox_status_next", "outbox", &["status", "next_attempt_at"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("job_leases")
                    .col(text("name").primary_key())
                    .col(text_null("owner"))
                    .col(instant_null("lease_expires_at"))
                    .col(instant_null("last_tick_at"))
                    .take(),
            )
            .await?;

        // One-time sign-in links of the web pages (issue 6): only the hash of the secret.
        manager
            .create_table(
                Table::create()
                    .table("login_links")
                    .col(pk_uuid("id"))
                    .col(text_uniq("token_hash"))
                    .col(text("owner_kind").check(Expr::col("owner_kind").is_in(["person", "supervisor"])))
                    .col(uuid("owner_id"))
                    .col(instant("created_at"))
                    .col(instant("expires_at"))
                    .col(instant_null("used_at"))
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(*table).if_exists().take()).await?;
        }
        // btree_gist stays: other schemas of the database may use it, and it holds no data.
        Ok(())
    }
}
