//! `ohjaus backup` as an operator uses it: taken from a running `ohjaus serve` on SQLite while
//! clients go on booking through the API, restored by copying the file into place, and
//! `ohjaus serve` started on it holds every booking answered 201 before the backup began.
//! It does not write over a file without `--force`, and on PostgreSQL it points to pg_dump.

use crate::support::{Api, Program};
use ohjaus_store::testing::{Schema, TestBackend, TestDatabase};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Clients booking at the same time, each with a supervisor and a participant of its own so
/// that their bookings never collide.
const CLIENTS: usize = 4;

fn id(answer: &Value) -> String {
    answer["id"].as_str().expect("an id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_load_restores_to_a_database_serve_starts_on() {
    let database = TestDatabase::create(&TestBackend::Sqlite, Schema::Empty).await;
    let mail = tempfile::tempdir().unwrap();
    // The clients book as fast as they can: no rate limit for this test.
    let program = Program::new(database.url(), mail.path()).with("OHJAUS_LIMITS__API_REQUESTS_PER_MINUTE", "0");
    let (mut server, base) = program.serve(&[]);
    let admin = program.admin_token();
    let api = Api::new(&base);
    let org =
        id(api.post("/api/v1/organizations", &admin, &json!({"name": "Varmuuskopion sairaala"})).await.expect(201));
    let mut pairs = Vec::new();
    for c in 0..CLIENTS {
        let supervisor = json!({"name": format!("Ohjaaja {c}"), "email": format!("ohjaaja{c}@backup.example")});
        let supervisor = id(api.post("/api/v1/supervisors", &admin, &supervisor).await.expect(201));
        let person = json!({"name": format!("Hoitaja {c}"), "email": format!("hoitaja{c}@backup.example")});
        let person = id(api.post(&format!("/api/v1/organizations/{org}/people"), &admin, &person).await.expect(201));
        pairs.push((supervisor, person));
    }

    // The clients: one single-session series after another, each answer's moment noted.
    let stop = Arc::new(AtomicBool::new(false));
    let answered: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut clients = Vec::new();
    for (supervisor, person) in pairs {
        let (api, admin, org, stop, answered) =
            (api.clone(), admin.clone(), org.clone(), stop.clone(), answered.clone());
        clients.push(tokio::spawn(async move {
            let mut day = chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
            while !stop.load(Ordering::SeqCst) {
                let body = json!({
                    "organization_id": org, "supervisor_id": supervisor, "participant_ids": [person],
                    "kind": "individual_supervision", "title": format!("Työnohjaus {day}"),
                    "first_start": format!("{day}T10:00"), "duration_minutes": 60, "holiday_policy": "keep",
                    "recurrence": {"frequency": "weekly", "interval": 1, "count": 1},
                });
                let booked = api.post("/api/v1/series", &admin, &body).await;
                let series = id(booked.expect(201));
                answered.lock().unwrap().push((series, Instant::now()));
                day = day.succ_opt().unwrap();
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("ohjaus-backup.db");
    let copy_arg = copy.display().to_string();
    let began = Instant::now();
    let backup = {
        let program = program.clone();
        let copy_arg = copy_arg.clone();
        tokio::task::spawn_blocking(move || program.run(&["backup", &copy_arg])).await.unwrap()
    };
    let finished = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    assert!(backup.status.success(), "backup failed: {}", String::from_utf8_lossy(&backup.stderr));
    assert!(String::from_utf8_lossy(&backup.stdout).contains("backed up"), "{backup:?}");
    let answered = answered.lock().unwrap().clone();
    let before: Vec<&String> = answered.iter().filter(|(_, at)| *at < began).map(|(id, _)| id).collect();
    let after = answered.iter().filter(|(_, at)| *at > finished).count();
    eprintln!(
        "backup under load: {} bookings answered before it began, {} while it ran ({:?}), {after} after",
        before.len(),
        answered.len() - before.len() - after,
        finished - began
    );
    assert!(before.len() >= CLIENTS, "bookings went on before the backup: {}", before.len());
    assert!(after > 0, "and after it: the service ran on");

    // The copy in place of a new database, and the program on it.
    let restored = tempfile::tempdir().unwrap();
    let restored_file = restored.path().join("ohjaus.db");
    std::fs::copy(&copy, &restored_file).unwrap();
    let restored_mail = tempfile::tempdir().unwrap();
    let restored_program =
        Program::new(&format!("sqlite://{}?mode=rwc", restored_file.display()), restored_mail.path());
    let (mut restored_server, restored_base) = restored_program.serve(&[]);
    let restored_api = Api::new(&restored_base);
    let ready = restored_api.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    // The same admin token: it is in the copy.
    let kept = restored_api.series_ids(&admin).await;
    let lost: Vec<&&String> = before.iter().filter(|id| !kept.contains(**id)).collect();
    assert!(lost.is_empty(), "{} of {} bookings answered before the backup are missing", lost.len(), before.len());
    assert!(kept.len() <= answered.len() + CLIENTS, "only what was booked: {} of {}", kept.len(), answered.len());

    // Not over an existing file without --force; with it, a newer copy.
    let again = program.run(&["backup", &copy_arg]);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("exists") && stderr.contains("--force"), "{stderr}");
    let forced = program.run(&["backup", "--force", &copy_arg]);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    let leftovers: Vec<_> =
        std::fs::read_dir(folder.path()).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left: {leftovers:?}");

    assert!(restored_server.terminate(Duration::from_secs(30)));
    assert!(server.terminate(Duration::from_secs(30)));
}

#[test]
fn postgres_is_backed_up_with_pg_dump() {
    let mail = tempfile::tempdir().unwrap();
    let program = Program::new("postgres://ohjaus@127.0.0.1:5432/ohjaus", mail.path());
    let output = program.run(&["backup", "/tmp/never-written.db"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("pg_dump") && stderr.contains("pg_restore"), "{stderr}");
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());
}
