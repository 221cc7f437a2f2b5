//! Co-supervision through a real SMTP server, on SQLite and PostgreSQL: a series led by two
//! supervisors. Both get every invitation and update as ATTENDEEs with ROLE=CHAIR,
//! PARTSTAT=ACCEPTED, RSVP=FALSE under the service's own ORGANIZER (`mail.organizer`); no
//! message names its recipient as ORGANIZER; everyone's messages, applied in order and expanded
//! by the Python readers, equal the API's sessions, and so do both supervisors' feeds. The
//! co-supervisor moves a session with their own token; a booking that either supervisor cannot
//! make answers 409 naming them.

use crate::invites::{ORGANIZER, assert_parties, expected, feed_url, occurrences};
use crate::support::mail::{SmtpSink, messages, recipient};
use crate::support::python::{calendar_view, python};
use crate::support::{Api, Program};
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[tokio::test]
async fn both_supervisors_are_chairs_of_every_invitation() {
    let Some(python) = python("co-supervision through SMTP") else { return };
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let inbox = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(&python, inbox.path(), 0);
        let spool = tempfile::tempdir().unwrap();
        let program = Program::new(database.url(), spool.path())
            .with("OHJAUS_MAIL__TRANSPORT", "smtp")
            .with("OHJAUS_MAIL__SMTP_URL", &sink.url())
            .with("OHJAUS_MAIL__ORGANIZER", &format!("Ohjaus-kalenteri <{ORGANIZER}>"));
        let admin = program.admin_token();
        let (_server, base) = program.serve(&[]);
        let api = Api::new(&base);
        run(&api, &admin, &python, inbox.path(), &program).await;
        eprintln!("e2e co-supervision passed on {}", backend.name());
    }
}

/// Waits until the outbox is empty and every sent row has arrived; the messages by recipient.
async fn drained(api: &Api, admin: &str, dir: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let started = std::time::Instant::now();
    loop {
        let pending =
            api.notification_count(admin, Some("queued")).await + api.notification_count(admin, Some("sending")).await;
        let sent = api.notification_count(admin, Some("sent")).await;
        if pending == 0 && messages(dir).len() >= sent {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "the outbox did not drain ({pending} pending)");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut by_recipient: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in messages(dir) {
        by_recipient.entry(recipient(&file)).or_default().push(file);
    }
    by_recipient
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn run(api: &Api, admin: &str, python: &Path, dir: &Path, program: &Program) {
    let org = api.post("/api/v1/organizations", admin, &json!({"name": "Kaukolan koulu"})).await;
    let org_id = org.expect(201)["id"].as_str().unwrap().to_owned();
    let mut supervisors = Vec::new();
    for (name, email) in [("Anna Virtanen", "anna@ohjaus.example"), ("Bo Öberg", "bo@ohjaus.example")] {
        let made = api.post("/api/v1/supervisors", admin, &json!({"name": name, "email": email})).await;
        supervisors.push(made.expect(201)["id"].as_str().unwrap().to_owned());
    }
    let mut people = Vec::new();
    for i in 0..3 {
        let person = api
            .post(
                &format!("/api/v1/organizations/{org_id}/people"),
                admin,
                &json!({"name": format!("Opettaja {i}"), "email": format!("o{i}@kaukola.example")}),
            )
            .await;
        people.push(person.expect(201)["id"].as_str().unwrap().to_owned());
    }
    // Bo alone on Mondays at 14:00 (weekly from 1 February 2027).
    let alone = json!({"organization_id": org_id, "kind": "individual_coaching", "title": "Bon coaching",
        "supervisor_id": supervisors[1], "participant_ids": [people[2]], "first_start": "2027-02-01T14:00",
        "duration_minutes": 60, "recurrence": {"frequency": "weekly", "interval": 1, "count": 4}});
    let bo_alone = api.post("/api/v1/series", admin, &alone).await.expect(201)["id"].as_str().unwrap().to_owned();

    // Anna with Bo on Mondays at 14:00: Bo is busy, and the 409 names him.
    let mut pair = json!({"organization_id": org_id, "kind": "work_community_supervision",
        "title": "Pariohjaus; kevät", "supervisor_id": supervisors[0], "co_supervisor_id": supervisors[1],
        "participant_ids": [people[0], people[1]], "first_start": "2027-02-01T14:00", "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 2, "count": 4}, "location": "Opettajainhuone"});
    let refused = api.post("/api/v1/series", admin, &pair).await;
    let problem = refused.expect(409).clone();
    let conflicts = problem["conflicts"].as_array().unwrap();
    assert!(!conflicts.is_empty());
    assert!(conflicts.iter().all(|c| c["supervisor_id"] == json!(supervisors[1])), "{problem}");

    // On Tuesdays both are free: booked.
    pair["first_start"] = json!("2027-02-02T14:00");
    let booked = api.post("/api/v1/series", admin, &pair).await;
    let booked = booked.expect(201).clone();
    assert_eq!(booked["co_supervisor_id"], json!(supervisors[1]));
    let series_id = booked["id"].as_str().unwrap().to_owned();

    // The invitations arrive before the update (a client applies messages in order).
    drained(api, admin, dir).await;
    // Bo moves session 2 with his own token, a day later.
    let token = |grant: &str, id: &str| {
        let output = program.run(&["token", "create", grant, id]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let bo = token("--supervisor", &supervisors[1]);
    let second = booked["sessions"].as_array().unwrap().iter().find(|s| s["index"] == 2).unwrap().clone();
    let day: chrono::NaiveDate = second["starts_at"].as_str().unwrap()[..10].parse().unwrap();
    api.patch(
        &format!("/api/v1/sessions/{}", second["id"].as_str().unwrap()),
        &bo,
        &json!({"starts_at_local": format!("{}T14:00", day + chrono::TimeDelta::days(1))}),
    )
    .await
    .expect(200);

    // Everyone's mail: the pair's series and Bo's own.
    let received = drained(api, admin, dir).await;
    let series = vec![series_id.clone(), bo_alone];
    let chairs = ["anna@ohjaus.example", "bo@ohjaus.example"];
    for (address, person) in [
        ("anna@ohjaus.example", None),
        ("bo@ohjaus.example", None),
        ("o0@kaukola.example", Some(&people[0])),
        ("o1@kaukola.example", Some(&people[1])),
    ] {
        let mine = received.get(address).unwrap_or_else(|| panic!("no mail to {address}"));
        // Only the pair's series for Anna and the teachers; Bo also leads his own.
        let theirs: &[String] = if address == "bo@ohjaus.example" { &series } else { &series[..1] };
        let want = expected(api, admin, theirs, person.map(String::as_str)).await;
        let view = calendar_view(python, mine);
        // Bo's own series is the one with teacher 2 in it.
        let (own, pair_messages): (Vec<PathBuf>, Vec<PathBuf>) = mine.iter().cloned().partition(|f| {
            calendar_view(python, std::slice::from_ref(f))["parties"].to_string().contains("o2@kaukola.example")
        });
        assert_eq!(pair_messages.len(), 2, "{address}: the invitation and the update");
        assert_parties(&calendar_view(python, &pair_messages), address, &chairs);
        if !own.is_empty() {
            assert_parties(&calendar_view(python, &own), address, &chairs[1..]);
        }
        assert_eq!(occurrences(&view), want, "the calendar of {address} differs from the API");
    }

    // Both supervisors' feeds show what the API lists for them.
    let feed_dir = tempfile::tempdir().unwrap();
    for (n, (id, theirs)) in [(&supervisors[0], &series[..1]), (&supervisors[1], &series[..])].into_iter().enumerate() {
        let url = feed_url(api, &token("--supervisor", id)).await;
        let answer = reqwest::get(&url).await.unwrap();
        assert_eq!(answer.status(), 200, "{url}");
        let file = feed_dir.path().join(format!("feed-{n}.ics"));
        std::fs::write(&file, answer.bytes().await.unwrap()).unwrap();
        let want = expected(api, admin, theirs, None).await;
        let view = calendar_view(python, &[file]);
        assert_eq!(occurrences(&view), want, "the feed of supervisor {n}");
        // The invitations' ORGANIZER (the service, never the feed's owner), no ATTENDEEs.
        for entry in view["parties"].as_array().unwrap() {
            assert_eq!(entry["organizer"].as_str(), Some(ORGANIZER), "the feed of supervisor {n}: {entry}");
            assert_eq!(entry["attendees"].as_array().map(Vec::len), Some(0), "{entry}");
        }
    }
    // And Bo's upcoming view lists the pair's sessions.
    let upcoming = api.get(&format!("/api/v1/supervisors/{}/upcoming?days=120", supervisors[1]), &bo).await;
    let listed = upcoming.expect(200).to_string();
    for session in booked["sessions"].as_array().unwrap() {
        assert!(listed.contains(session["id"].as_str().unwrap()), "Bo's agenda lacks {session}");
    }
}
