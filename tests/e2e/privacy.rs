//! An erasure as an operator meets it, with `ohjaus serve` as a real process: a nurse of a
//! group's supervision asks to be forgotten after the first session. The admin erases her; the
//! worker sends her a METHOD:CANCEL of her remaining sessions at her real address; then her
//! name and address are nowhere in the organization's people, report or CSV, while the
//! report's attendance counts are what they were; her export says she was erased; and the
//! audit log holds the export and the erasure.

use crate::support::mail::messages;
use crate::support::{Api, Program, test_now};
use chrono::TimeDelta;
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn id(answer: &Value) -> String {
    answer["id"].as_str().expect("an id").to_owned()
}

/// Waits until the outbox has nothing queued or being sent and the mail folder holds at least
/// `count` messages; gives the messages.
async fn delivered(api: &Api, admin: &str, dir: &Path, count: usize) -> Vec<PathBuf> {
    let started = Instant::now();
    loop {
        let pending =
            api.notification_count(admin, Some("queued")).await + api.notification_count(admin, Some("sending")).await;
        let found = messages(dir);
        if pending == 0 && found.len() >= count {
            return found;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{pending} pending, {} delivered", found.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `To:` header of a message file.
fn to(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_person_gets_her_cancellations_and_then_is_gone_while_the_counts_stay() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let mail = tempfile::tempdir().unwrap();
        let program = Program::new(database.url(), mail.path());
        let admin = program.admin_token();

        // Monday 4.1.2027: a group of two booked for four Tuesdays from the 5th.
        let (mut server, base) = program.serve(&[]);
        let api = Api::new(&base);
        let org = id(api.post("/api/v1/organizations", &admin, &json!({"name": "Osasto 7"})).await.expect(201));
        let supervisor = json!({"name": "Sanna Ohjaaja", "email": "sanna@ohjaus.example"});
        let supervisor = id(api.post("/api/v1/supervisors", &admin, &supervisor).await.expect(201));
        let people_path = format!("/api/v1/organizations/{org}/people");
        let pia = json!({"name": "Pia Poistettava", "email": "pia.poistettava@osasto7.example"});
        let pia = id(api.post(&people_path, &admin, &pia).await.expect(201));
        let olli = json!({"name": "Olli Jäävä", "email": "olli@osasto7.example"});
        let olli = id(api.post(&people_path, &admin, &olli).await.expect(201));
        let body = json!({
            "organization_id": org, "supervisor_id": supervisor, "participant_ids": [pia, olli],
            "kind": "group_supervision", "title": "Osasto 7:n työnohjaus", "first_start": "2027-01-05T13:00",
            "duration_minutes": 90, "recurrence": {"frequency": "weekly", "count": 4},
        });
        let booked = api.post("/api/v1/series", &admin, &body).await.expect(201).clone();
        let sessions: Vec<String> = booked["sessions"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(sessions.len(), 4);
        let invited = delivered(&api, &admin, mail.path(), 3).await;
        let invitations = invited.len();
        assert!(server.terminate(Duration::from_secs(10)), "serve stops cleanly");

        // Wednesday 6.1.: the first session was held.
        let (_server, base) = program.clone().at(test_now() + TimeDelta::days(2)).serve(&[]);
        let api = Api::new(&base);
        let entries = json!({"entries": [
            {"person_id": pia, "status": "present"}, {"person_id": olli, "status": "absent"},
        ]});
        api.put(&format!("/api/v1/sessions/{}/attendance", sessions[0]), &admin, &entries).await.expect(200);
        let report_path = format!("/api/v1/organizations/{org}/report?from=2027-01-01&to=2027-01-31");
        let before = api.get(&report_path, &admin).await.expect(200).clone();
        assert_eq!((&before["totals"]["present"], &before["totals"]["recorded"]), (&json!(1), &json!(2)));
        let export = api.get(&format!("/api/v1/people/{pia}/export"), &admin).await.expect(200).clone();
        assert_eq!(export["person"]["email"], "pia.poistettava@osasto7.example");
        assert_eq!(export["attendance"][0]["status"], "present");

        // She asks to be forgotten.
        let erasure = api.post(&format!("/api/v1/people/{pia}/erase"), &admin, &json!({})).await.expect(200).clone();
        assert_eq!(erasure["sessions_cancelled"], 3);
        let all = delivered(&api, &admin, mail.path(), invitations + 2).await;
        // What came since, by name: the files' order is their ids', and a program started
        // later under libfaketime (CI's other days) begins its clock again at the same moment.
        let new: Vec<&PathBuf> = all.iter().filter(|f| !invited.contains(f)).collect();
        let to_her: Vec<&&PathBuf> = new.iter().filter(|f| to(f).contains("pia.poistettava@osasto7.example")).collect();
        assert_eq!(to_her.len(), 1, "one cancellation to her real address: {new:?}");
        let cancel = std::fs::read_to_string(to_her[0]).unwrap();
        assert!(cancel.contains("METHOD:CANCEL"), "{cancel}");
        let to_supervisor = new.iter().filter(|f| to(f).contains("sanna@ohjaus.example")).count();
        assert_eq!(to_supervisor, 1, "the supervisor gets the new attendee list");

        // Then she is gone, and the counts stay.
        let people = api.get(&people_path, &admin).await.expect(200).clone().to_string();
        assert!(!people.contains("Pia") && !people.contains("pia.poistettava"), "{people}");
        assert!(people.contains("Olli"));
        let after = api.get(&report_path, &admin).await;
        assert!(!after.text.contains("Pia"));
        let after = after.expect(200);
        assert_eq!(after["totals"], before["totals"], "the report is as true as before");
        let csv = api.get(&format!("{report_path}&format=csv"), &admin).await;
        assert_eq!(csv.status, 200);
        assert!(!csv.text.contains("Pia") && !csv.text.contains("pia.poistettava"));
        let again = api.post(&format!("/api/v1/people/{pia}/erase"), &admin, &json!({})).await.expect(200).clone();
        assert_eq!(again, erasure, "erasing twice is harmless");
        let export = api.get(&format!("/api/v1/people/{pia}/export"), &admin).await.expect(200).clone();
        assert_eq!(export["erased_at"], erasure["erased_at"]);
        assert!(!export.to_string().contains("pia.poistettava"));
        let sessions_now =
            api.get(&format!("/api/v1/series/{}/sessions", id(&booked)), &admin).await.expect(200).clone();
        let last =
            sessions_now.as_array().cloned().unwrap_or_else(|| sessions_now["items"].as_array().cloned().unwrap());
        assert_eq!(last[3]["participant_ids"], json!([olli]));

        let audit = api.get(&format!("/api/v1/audit?person_id={pia}"), &admin).await.expect(200).clone();
        let actions: Vec<&str> =
            audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["export", "erasure", "export"]);
        eprintln!("e2e privacy passed on {}", backend.name());
    }
}
