//! Calendar invitations through a real SMTP server, read by independent parsers: a series
//! booked for a team of five sends six messages; each later change —
//! moving session 3, cancelling session 4, re-planning from session 6, adding and removing a
//! member, cancelling the series — sends messages which, applied in order the way a calendar
//! client applies them, show exactly the sessions the API lists for that person. Every message's
//! ORGANIZER is the service's own address (`mail.organizer`), never its recipient; the
//! supervisor is an ATTENDEE with ROLE=CHAIR, PARTSTAT=ACCEPTED, RSVP=FALSE, the participants
//! REQ-PARTICIPANT with RSVP=TRUE.

use crate::support::mail::{SmtpSink, messages, recipient};
use crate::support::python::{calendar_view, email_view, python};
use crate::support::{Api, Program};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sessions a person should see: (start, end) in UTC of the non-cancelled sessions they
/// are invited to (`None`: the supervisor, who sees them all).
pub(crate) async fn expected(
    api: &Api,
    admin: &str,
    series: &[String],
    person: Option<&str>,
) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for series_id in series {
        let answer = api.get(&format!("/api/v1/series/{series_id}/sessions"), admin).await;
        let body = answer.expect(200).clone();
        let list = body.as_array().cloned().unwrap_or_else(|| body["items"].as_array().cloned().unwrap_or_default());
        for session in list {
            if session["status"] == "cancelled" {
                continue;
            }
            let invited = person
                .is_none_or(|p| session["participant_ids"].as_array().is_some_and(|ids| ids.iter().any(|id| id == p)));
            if invited {
                let utc = |key: &str| {
                    let at: DateTime<Utc> = session[key].as_str().unwrap().parse().unwrap();
                    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                };
                out.insert((utc("starts_at"), utc("ends_at")));
            }
        }
    }
    out
}

/// The ORGANIZER the tests configure (`mail.organizer`), distinct from the sender.
pub(crate) const ORGANIZER: &str = "kalenteri@ohjaus.example";

/// Who organizes and who attends in every message `address` received, as both Python readers
/// read them (`ics_check.py`'s "parties"): the service organizes, never the recipient; each of
/// `chairs` (lower-case addresses) is an ATTENDEE with ROLE=CHAIR, PARTSTAT=ACCEPTED and
/// RSVP=FALSE in every message; everyone else is a REQ-PARTICIPANT with RSVP=TRUE.
pub(crate) fn assert_parties(view: &serde_json::Value, address: &str, chairs: &[&str]) {
    let parties = view["parties"].as_array().expect("ics_check.py lists the parties");
    assert!(!parties.is_empty(), "no message to {address}");
    for entry in parties {
        let organizer = entry["organizer"].as_str().unwrap_or_default();
        assert_eq!(organizer, ORGANIZER, "the service organizes: {entry}");
        assert_ne!(organizer, address, "a message names its own recipient as ORGANIZER: {entry}");
        let attendees = entry["attendees"].as_array().unwrap();
        for chair in chairs {
            let found = attendees.iter().find(|a| a["address"] == *chair);
            let found = found.unwrap_or_else(|| panic!("{chair} is not an ATTENDEE of {entry}"));
            assert_eq!(
                (&found["role"], &found["partstat"], &found["rsvp"]),
                (&json!("CHAIR"), &json!("ACCEPTED"), &json!("FALSE")),
                "{entry}"
            );
        }
        for other in attendees.iter().filter(|a| !chairs.iter().any(|c| a["address"] == *c)) {
            assert_eq!((&other["role"], &other["rsvp"]), (&json!("REQ-PARTICIPANT"), &json!("TRUE")), "{entry}");
        }
    }
}

/// What a person's calendar shows after all their messages so far.
fn shown(python: &Path, mine: &[PathBuf]) -> BTreeSet<(String, String)> {
    occurrences(&calendar_view(python, mine))
}

/// The occurrences of a calendar view, after checking it has no problem.
pub(crate) fn occurrences(view: &serde_json::Value) -> BTreeSet<(String, String)> {
    assert_eq!(view["problems"], json!([]), "calendar problems: {view}");
    view["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["start"].as_str().unwrap().to_owned(), o["end"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn invitations_follow_every_change() {
    let Some(python) = python("invitations through SMTP") else { return };
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
        eprintln!("e2e invitations passed on {}", backend.name());
    }
}

/// The mailboxes as the test reads them, and what to compare them with.
struct Inbox<'a> {
    api: &'a Api,
    admin: &'a str,
    python: &'a Path,
    dir: &'a Path,
    seen: usize,
    received: BTreeMap<String, Vec<PathBuf>>,
    /// (address, person id; `None` for the supervisor).
    people: Vec<(String, Option<String>)>,
    series: Vec<String>,
    /// Subscription feeds: (person id; `None` for the supervisor, the feed's URL).
    feeds: Vec<(Option<String>, String)>,
    /// Where fetched feeds are kept for the readers.
    feed_dir: tempfile::TempDir,
}

impl Inbox<'_> {
    /// Waits until the outbox is empty and every sent row has arrived; gives the new
    /// messages (at least `count`).
    async fn collect(&mut self, count: usize) -> Vec<PathBuf> {
        let started = std::time::Instant::now();
        loop {
            let pending = self.api.notification_count(self.admin, Some("queued")).await
                + self.api.notification_count(self.admin, Some("sending")).await;
            let sent = self.api.notification_count(self.admin, Some("sent")).await;
            if pending == 0 && messages(self.dir).len() >= sent {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(90), "the outbox did not drain ({pending} pending)");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let all = messages(self.dir);
        let new = all[self.seen..].to_vec();
        self.seen = all.len();
        assert!(new.len() >= count, "expected at least {count} new messages, got {}", new.len());
        for file in &new {
            self.received.entry(recipient(file)).or_default().push(file.clone());
        }
        new
    }

    /// Every person's calendar equals the API's sessions for them.
    async fn check(&self, step: &str) {
        for (address, person) in &self.people {
            let want = expected(self.api, self.admin, &self.series, person.as_deref()).await;
            let mine = self.received.get(address).cloned().unwrap_or_default();
            let got = if mine.is_empty() {
                BTreeSet::new()
            } else {
                let view = calendar_view(self.python, &mine);
                assert_parties(&view, address, &["anna@ohjaus.example"]);
                occurrences(&view)
            };
            assert_eq!(got, want, "after {step}: the calendar of {address} differs from the API");
        }
        // A subscribed calendar shows the same sessions as the invitations.
        for (n, (person, url)) in self.feeds.iter().enumerate() {
            let answer = reqwest::get(url).await.unwrap();
            assert_eq!(answer.status(), 200, "{url}");
            let file = self.feed_dir.path().join(format!("feed-{n}-{}.ics", self.seen));
            std::fs::write(&file, answer.bytes().await.unwrap()).unwrap();
            let want = expected(self.api, self.admin, &self.series, person.as_deref()).await;
            assert_eq!(shown(self.python, &[file]), want, "after {step}: the feed of {person:?} differs from the API");
        }
    }
}

/// The private feed link of the holder of `token`.
pub(crate) async fn feed_url(api: &Api, token: &str) -> String {
    let link = api.post("/api/v1/me/calendar-token", token, &json!({})).await;
    let url = url::Url::parse(link.expect(201)["url"].as_str().unwrap()).unwrap();
    // The link is built on the configured public URL; the test's server listens elsewhere.
    format!("{}{}", api.base, url.path())
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn run(api: &Api, admin: &str, python: &Path, dir: &Path, program: &Program) {
    let org = api.post("/api/v1/organizations", admin, &json!({"name": "Kaukolan sairaala"})).await;
    let org_id = org.expect(201)["id"].as_str().unwrap().to_owned();
    let supervisor = api
        .post(
            "/api/v1/supervisors",
            admin,
            &json!({"name": "Anna \"Annu\" Virtanen; työnohjaaja", "email": "anna@ohjaus.example"}),
        )
        .await;
    let supervisor_id = supervisor.expect(201)["id"].as_str().unwrap().to_owned();
    let names =
        ["Maija Meikäläinen", "Åsa Öhman, RN", "Pekka 😊 Nieminen", "Sari Mäkinen", "Jussi Heikkinen", "Aino Lahtinen"];
    let mut people = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let person = api
            .post(
                &format!("/api/v1/organizations/{org_id}/people"),
                admin,
                &json!({"name": name, "email": format!("p{i}@kaukola.example"), "locale": (["fi", "sv", "en"][i % 3])}),
            )
            .await;
        people.push(person.expect(201)["id"].as_str().unwrap().to_owned());
    }
    let team = api
        .post(
            &format!("/api/v1/organizations/{org_id}/teams"),
            admin,
            &json!({"name": "Tiimi", "member_ids": &people[..5]}),
        )
        .await;
    let team_id = team.expect(201)["id"].as_str().unwrap().to_owned();
    // Ten sessions every three weeks from Tuesday 2 February 2027, four weeks after the
    // program's clock starts, across the spring change to summer time (28 March).
    let first = chrono::NaiveDate::from_ymd_opt(2027, 2, 2).unwrap();
    let booked = api
        .post(
            "/api/v1/series",
            admin,
            &json!({"organization_id": org_id, "kind": "group_supervision",
                    "title": "Työnohjaus; osasto 5, \"A\" – kevät", "supervisor_id": supervisor_id, "team_id": team_id,
                    "first_start": format!("{first}T13:00"), "duration_minutes": 90,
                    "recurrence": {"frequency": "weekly", "interval": 3, "count": 10},
                    "location": "Neuvotteluhuone 2, B-siipi"}),
        )
        .await;
    let booked = booked.expect(201).clone();
    let series_id = booked["id"].as_str().unwrap().to_owned();
    let session_id = |index: u64| {
        booked["sessions"].as_array().unwrap().iter().find(|s| s["index"] == index).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let address = |i: usize| format!("p{i}@kaukola.example");
    // The supervisor and Maija subscribe to their calendar feeds.
    let token_of = |grant: &str, id: &str| {
        let output = program.run(&["token", "create", grant, id]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let feeds = vec![
        (None, feed_url(api, &token_of("--supervisor", &supervisor_id)).await),
        (Some(people[0].clone()), feed_url(api, &token_of("--person", &people[0])).await),
    ];
    let mut inbox = Inbox {
        api,
        admin,
        python,
        dir,
        seen: 0,
        received: BTreeMap::new(),
        people: std::iter::once(("anna@ohjaus.example".to_owned(), None))
            .chain(people.iter().enumerate().map(|(i, p)| (address(i), Some(p.clone()))))
            .collect(),
        series: vec![series_id.clone()],
        feeds,
        feed_dir: tempfile::tempdir().unwrap(),
    };

    // Booking: six messages, one per person, each a proper iMIP email.
    let first_batch = inbox.collect(6).await;
    assert_eq!(first_batch.len(), 6, "five members and the supervisor");
    for file in &first_batch {
        let view = email_view(python, file);
        assert_eq!(view["problems"], json!([]), "{view}");
        assert_eq!(view["calendar"][0]["method"], "REQUEST");
        assert!(view["attachments"].as_array().unwrap().iter().any(|a| a["filename"] == "invite.ics"));
        let headers: Vec<&str> = view["headers"].as_array().unwrap().iter().map(|h| h[0].as_str().unwrap()).collect();
        assert!(!headers.iter().any(|h| h.eq_ignore_ascii_case("bcc")), "no header injected: {headers:?}");
        assert!(view["subject"].as_str().unwrap().contains("Työnohjaus; osasto 5, \"A\" – kevät"), "{view}");
    }
    inbox.check("booking").await;

    // Move session 3 by a day: an override to everyone.
    let third = api.get(&format!("/api/v1/sessions/{}", session_id(3)), admin).await;
    let day: chrono::NaiveDate = third.expect(200)["starts_at"].as_str().unwrap()[..10].parse().unwrap();
    api.patch(
        &format!("/api/v1/sessions/{}", session_id(3)),
        admin,
        &json!({"starts_at_local": format!("{}T13:00", day + TimeDelta::days(1))}),
    )
    .await
    .expect(200);
    inbox.collect(6).await;
    inbox.check("moving session 3").await;

    // Cancel session 4: METHOD:CANCEL to everyone.
    api.post(&format!("/api/v1/sessions/{}/cancel", session_id(4)), admin, &json!({})).await.expect(200);
    for file in inbox.collect(6).await {
        assert_eq!(email_view(python, &file)["calendar"][0]["method"], "CANCEL");
    }
    inbox.check("cancelling session 4").await;

    // Re-plan from session 6 at 09:00 every two weeks.
    let sixth = api.get(&format!("/api/v1/sessions/{}", session_id(6)), admin).await;
    let day: chrono::NaiveDate = sixth.expect(200)["starts_at"].as_str().unwrap()[..10].parse().unwrap();
    api.post(
        &format!("/api/v1/series/{series_id}/replan"),
        admin,
        &json!({"from_index": 6, "first_start": format!("{day}T09:00"),
                "recurrence": {"frequency": "weekly", "interval": 2, "count": 5}}),
    )
    .await
    .expect(200);
    inbox.collect(6).await;
    inbox.check("re-planning from session 6").await;

    // Aino joins: an invitation to what is ahead. Jussi leaves: a cancellation.
    let members: Vec<&String> = [&people[0], &people[1], &people[2], &people[3], &people[5]].into();
    api.put(&format!("/api/v1/teams/{team_id}/members"), admin, &json!({"member_ids": members})).await.expect(200);
    let new = inbox.collect(2).await;
    assert!(new.iter().any(|f| recipient(f) == address(5)), "the new member is invited");
    assert!(
        new.iter()
            .filter(|f| recipient(f) == address(4))
            .all(|f| email_view(python, f)["calendar"][0]["method"] == "CANCEL"),
        "the removed member gets a cancellation"
    );
    inbox.check("adding and removing a member").await;

    // Cancel the series: everyone's calendar empties.
    api.post(&format!("/api/v1/series/{series_id}/cancel"), admin, &json!({"reason": "Sopimus päättyi"}))
        .await
        .expect(200);
    inbox.collect(6).await;
    inbox.check("cancelling the series").await;
}
