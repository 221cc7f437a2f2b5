//! Migrations apply to an empty database and roll back, on both backends.

use crate::support::TestDb;
use ohjaus_store::Backend;
use ohjaus_store::testing::{Schema, TestBackend, postgres_server};
use sea_orm::{ConnectionTrait, Statement};

async fn tables(db: &TestDb) -> Vec<String> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    };
    let connection = db.store.connection();
    let rows = connection.query_all_raw(Statement::from_string(connection.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|row| row.try_get::<String>("", "name").unwrap()).collect()
}

async fn up_and_down(db: TestDb) {
    assert!(tables(&db).await.is_empty(), "starts empty");
    db.store.migrate().await.unwrap();
    let created = tables(&db).await;
    for table in ["organizations", "sessions", "outbox", "job_leases", "seaql_migrations"] {
        assert!(created.iter().any(|t| t == table), "{table} missing from {created:?}");
    }
    db.store.migrate().await.unwrap();
    db.store.migrate_down().await.unwrap();
    assert_eq!(tables(&db).await, ["seaql_migrations"], "only the bookkeeping table is left");
    db.store.migrate().await.unwrap();
    assert_eq!(tables(&db).await, created, "applies again after a rollback");
    db.store.ping().await.unwrap();
    db.finish().await;
}

#[tokio::test]
async fn apply_and_roll_back_sqlite() {
    up_and_down(TestDb::create(&TestBackend::Sqlite, Schema::Empty).await).await;
}

#[tokio::test]
async fn apply_and_roll_back_postgres() {
    if let Some(server) = postgres_server() {
        up_and_down(TestDb::create(&TestBackend::Postgres(server), Schema::Empty).await).await;
    }
}
