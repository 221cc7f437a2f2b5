//! A rhythm poll from proposal to booked series, over HTTP and a real SMTP server, on SQLite
//! and PostgreSQL: three options for a team of five, one of them meeting the supervisor's
//! existing series (shown as such); votes through the links parsed out of the delivered emails
//! (one voter reads Swedish, one changes their vote); the day before the deadline the worker's
//! reminder reaches only the two who have not answered; the coordinator chooses; the series is
//! booked, every participant's calendar (their messages applied in order by the Python
//! readers) equals the API's sessions, and every voter got the decision. And the links' limits:
//! a link votes only for its own person and poll, a tampered or expired one is refused, a vote
//! after the decision answers 409 and changes nothing; 32 concurrent choices book one series.

use crate::invites::{ORGANIZER, assert_parties, expected, occurrences};
use crate::support::mail::{SmtpSink, messages, recipient, wait_for_messages};
use crate::support::python::{calendar_view, email_view, python};
use crate::support::{InProcess, test_now};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_store::Caller;
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SUPERVISOR: &str = "anna@ohjaus.example";

async fn token(server: &InProcess, grants: Caller) -> String {
    let created = server.store.create_api_token(&Caller::Admin, grants, Some("e2e"), server.now()).await.unwrap();
    created.secret.expose().to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// A worker of `server`'s database on its clock, sending through `sink`.
fn worker(server: &InProcess, sink: &SmtpSink) -> ohjaus_notify::Worker {
    let mail = ohjaus_notify::MailConfig {
        transport: ohjaus_notify::TransportKind::Smtp,
        smtp_url: Some(sink.url()),
        organizer: Some(format!("Ohjaus-kalenteri <{ORGANIZER}>")),
        ..ohjaus_notify::MailConfig::default()
    };
    ohjaus_notify::Worker::new(
        server.store.clone(),
        ohjaus_notify::WorkerConfig { owner: Some("polls".into()), ..ohjaus_notify::WorkerConfig::default() },
        ohjaus_notify::Mailer::from_config(&mail).unwrap(),
    )
    .with_clock(server.clock())
}

/// The mailboxes: every delivered message by recipient, in arrival order.
struct Mailboxes<'a> {
    dir: &'a Path,
    seen: usize,
    by_address: BTreeMap<String, Vec<PathBuf>>,
}

impl Mailboxes<'_> {
    /// Sends what is due and gives the `count` messages that arrive.
    async fn deliver(&mut self, worker: &ohjaus_notify::Worker, count: usize) -> Vec<PathBuf> {
        let (_stop, mut stop_rx) = tokio::sync::watch::channel(false);
        let mut sent = 0;
        while sent < count {
            let report = worker.pass(&mut stop_rx).await.unwrap();
            assert!(report.sent > 0 || sent >= count, "nothing more to send after {sent} of {count}");
            sent += report.sent;
        }
        assert_eq!(sent, count, "messages sent");
        let all = wait_for_messages(self.dir, self.seen + count, Duration::from_secs(30));
        assert_eq!(all.len(), self.seen + count, "messages arrived");
        let new = all[self.seen..].to_vec();
        self.seen = all.len();
        for file in &new {
            self.by_address.entry(recipient(file)).or_default().push(file.clone());
        }
        new
    }
}

/// The personal voting link in a delivered poll email, and its subject and language.
fn poll_link(python: &Path, file: &Path) -> (String, String, String) {
    let view = email_view(python, file);
    assert_eq!(view["problems"], json!([]), "{view}");
    let text = view["text"].as_str().unwrap();
    let start = text.find("http://").unwrap_or_else(|| panic!("no link in {text}"));
    let link: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let html = view["html"].as_str().unwrap();
    let language = html.split("<html lang=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    (link, view["subject"].as_str().unwrap().to_owned(), language)
}

/// The secret at the end of a voting link.
fn secret_of(link: &str) -> String {
    let (_, secret) = link.rsplit_once("/vote/").unwrap_or_else(|| panic!("not a voting link: {link}"));
    secret.to_owned()
}

fn answers(poll: &Value, picks: [&str; 3]) -> Value {
    let options = poll["options"].as_array().unwrap();
    json!({"answers": options.iter().zip(picks).map(|(o, a)| json!({"option_id": o["id"], "answer": a})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn a_rhythm_poll_by_email() {
    let Some(python) = python("rhythm polls through SMTP") else { return };
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let server = InProcess::start(database.url(), test_now()).await;
        let inbox = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(&python, inbox.path(), 0);
        let worker = worker(&server, &sink);
        let mut mail = Mailboxes { dir: inbox.path(), seen: 0, by_address: BTreeMap::new() };
        story(&server, &python, &worker, &mut mail).await;
        eprintln!("e2e polls passed on {}", backend.name());
    }
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn story(server: &InProcess, python: &Path, worker: &ohjaus_notify::Worker, mail: &mut Mailboxes<'_>) {
    let api = &server.api;
    let admin = token(server, Caller::Admin).await;
    let org = api.post("/api/v1/organizations", &admin, &json!({"name": "Kaukolan sairaala"})).await;
    let org_id = id(org.expect(201));
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "17:00"}))
        .collect();
    let supervisor = api
        .post(
            "/api/v1/supervisors",
            &admin,
            &json!({"name": "Anna Virtanen", "email": SUPERVISOR, "buffer_minutes": 15, "working_hours": hours}),
        )
        .await;
    let supervisor_id = id(supervisor.expect(201));
    let mut people = Vec::new();
    for (name, email, locale) in [
        ("Maija Meikäläinen", "maija@kaukola.example", "fi"),
        ("Liisa Korhonen", "liisa@kaukola.example", "fi"),
        ("Pekka Nieminen", "pekka@kaukola.example", "fi"),
        ("Sara Lindqvist", "sara@kaukola.example", "sv"),
        ("Jussi Heikkinen", "jussi@kaukola.example", "fi"),
        ("Aino Lahtinen", "aino@kaukola.example", "fi"),
    ] {
        let person = api
            .post(
                &format!("/api/v1/organizations/{org_id}/people"),
                &admin,
                &json!({"name": name, "email": email, "locale": locale}),
            )
            .await;
        people.push((id(person.expect(201)), email.to_owned()));
    }
    let coordinator = token(server, Caller::Coordinator { organization_id: org_id.parse().unwrap() }).await;
    let members: Vec<&str> = people[..5].iter().map(|(p, _)| p.as_str()).collect();
    let team = api
        .post(
            &format!("/api/v1/organizations/{org_id}/teams"),
            &coordinator,
            &json!({"name": "Osasto 5A", "member_ids": members}),
        )
        .await;
    let team_id = id(team.expect(201));

    // Anna already supervises Aino on Tuesdays at 13:00.
    let existing = api
        .post(
            "/api/v1/series",
            &coordinator,
            &json!({"organization_id": org_id, "kind": "individual_supervision", "title": "Ainon työnohjaus",
                    "supervisor_id": supervisor_id, "participant_ids": [people[5].0],
                    "first_start": "2027-01-19T13:00", "duration_minutes": 60,
                    "recurrence": {"frequency": "weekly", "count": 6}}),
        )
        .await;
    let existing_id = id(existing.expect(201));
    mail.deliver(worker, 2).await;

    // The poll: Tuesdays (meeting Aino's sessions), Wednesdays every second week, Thursdays.
    let option = |first_start: &str, interval: u8| {
        json!({"first_start": first_start, "duration_minutes": 90, "location": "Neuvotteluhuone 2",
               "recurrence": {"frequency": "weekly", "interval": interval, "count": 4}})
    };
    let body = json!({
        "kind": "group_supervision", "title": "Osasto 5A:n työnohjaus", "supervisor_id": supervisor_id,
        "team_id": team_id, "deadline": "2027-01-15T16:00:00+02:00",
        "options": [option("2027-01-26T13:00", 1), option("2027-01-27T10:00", 2), option("2027-01-28T14:00", 1)],
    });
    let created = api.post(&format!("/api/v1/organizations/{org_id}/polls"), &coordinator, &body).await;
    let poll = created.expect(201).clone();
    let poll_id = id(&poll);
    let conflicts = |i: usize| poll["options"][i]["conflicts"].as_array().unwrap().clone();
    assert_eq!(conflicts(0).len(), 4, "every Tuesday meets Aino's series: {poll}");
    assert!(
        conflicts(0).iter().all(|c| c["reason"] == "supervisor_busy" && c["supervisor_id"] == supervisor_id.as_str())
    );
    assert!(conflicts(1).is_empty() && conflicts(2).is_empty(), "{poll}");
    // The supervisor sees the same; a participant and another organization do not.
    let anna = token(server, Caller::Supervisor { supervisor_id: supervisor_id.parse().unwrap() }).await;
    assert_eq!(
        api.get(&format!("/api/v1/polls/{poll_id}"), &anna).await.expect(200)["options"][0]["conflicts"],
        json!(conflicts(0))
    );
    let maija = token(server, Caller::Participant { person_id: people[0].0.parse().unwrap() }).await;
    api.get(&format!("/api/v1/polls/{poll_id}"), &maija).await.expect(404);

    // Five invitations, each in the person's language, each with a personal link.
    let invitations = mail.deliver(worker, 5).await;
    let mut links: BTreeMap<String, String> = BTreeMap::new();
    for file in &invitations {
        let (link, subject, language) = poll_link(python, file);
        let address = recipient(file);
        if address == "sara@kaukola.example" {
            assert_eq!(language, "sv", "{subject}");
        } else {
            assert_eq!(language, "fi", "{subject}");
        }
        assert!(link.starts_with(&format!("{}/vote/ohjvote_", api.base)), "{link}");
        links.insert(address, secret_of(&link));
    }
    assert_eq!(links.len(), 5);
    let link = |address: &str| links[address].clone();
    let vote = |secret: String, picks: [&str; 3]| {
        let body = answers(&poll, picks);
        async move { api.call(reqwest::Method::PUT, &format!("/api/v1/poll-votes/{secret}"), None, Some(&body)).await }
    };

    // Three answer; Liisa changes her mind; Sara answers in Swedish (her page says so).
    let ballot = api
        .call(reqwest::Method::GET, &format!("/api/v1/poll-votes/{}", link("sara@kaukola.example")), None, None)
        .await;
    assert_eq!(ballot.expect(200)["locale"], "sv");
    vote(link("maija@kaukola.example"), ["no", "yes", "if_need_be"]).await.expect(200);
    vote(link("liisa@kaukola.example"), ["yes", "no", "no"]).await.expect(200);
    vote(link("liisa@kaukola.example"), ["no", "yes", "yes"]).await.expect(200);
    vote(link("sara@kaukola.example"), ["no", "if_need_be", "yes"]).await.expect(200);

    // A link votes for its own person and poll only: another poll's options are refused, a
    // tampered link is unknown; neither changes anything.
    let mut other = body.clone();
    other["title"] = json!("Toinen kysely");
    other.as_object_mut().unwrap().remove("team_id");
    other["participant_ids"] = json!([people[5].0]);
    let other_poll = api.post(&format!("/api/v1/organizations/{org_id}/polls"), &coordinator, &other).await;
    let other_poll = other_poll.expect(201).clone();
    mail.deliver(worker, 1).await;
    let tally_before = api.get(&format!("/api/v1/polls/{poll_id}"), &coordinator).await.expect(200).clone();
    let foreign = answers(&other_poll, ["yes", "yes", "yes"]);
    let refused = api
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/poll-votes/{}", link("maija@kaukola.example")),
            None,
            Some(&foreign),
        )
        .await;
    refused.expect(422);
    let mut tampered = link("maija@kaukola.example");
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'x' { 'y' } else { 'x' });
    vote(tampered.clone(), ["yes", "yes", "yes"]).await.expect(404);
    api.call(reqwest::Method::GET, &format!("/api/v1/poll-votes/{tampered}"), None, None).await.expect(404);
    let tally = api.get(&format!("/api/v1/polls/{poll_id}"), &coordinator).await.expect(200).clone();
    assert_eq!(tally, tally_before, "refused votes change nothing");
    let wednesday = &tally["options"][1]["tally"];
    let names = |list: &Value| -> BTreeSet<String> {
        list.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&wednesday["yes"]), ["Liisa Korhonen", "Maija Meikäläinen"].map(str::to_owned).into());
    assert_eq!(names(&wednesday["if_need_be"]), ["Sara Lindqvist"].map(str::to_owned).into());
    assert_eq!(names(&wednesday["not_answered"]), ["Jussi Heikkinen", "Pekka Nieminen"].map(str::to_owned).into());

    // The day before the deadline the worker reminds the two who have not answered (and
    // Aino, asked in the other poll), once.
    let deadline: DateTime<Utc> = "2027-01-15T14:00:00Z".parse().unwrap();
    server.advance(deadline - TimeDelta::hours(20) - server.now());
    assert_eq!(ohjaus_notify::poll_reminders::remind_voters(worker).await.unwrap(), 3);
    assert_eq!(ohjaus_notify::poll_reminders::remind_voters(worker).await.unwrap(), 0, "once");
    let reminders = mail.deliver(worker, 3).await;
    let reminded: BTreeSet<String> = reminders.iter().map(|f| recipient(f)).collect();
    assert_eq!(
        reminded,
        ["aino@kaukola.example", "jussi@kaukola.example", "pekka@kaukola.example"].map(str::to_owned).into()
    );
    // Pekka answers through the reminder's link.
    let pekka_reminder = reminders.iter().find(|f| recipient(f) == "pekka@kaukola.example").unwrap();
    let (pekka_link, _, _) = poll_link(python, pekka_reminder);
    vote(secret_of(&pekka_link), ["no", "yes", "no"]).await.expect(200);

    // After the deadline votes are refused (409) and nothing changes.
    server.advance(TimeDelta::hours(21));
    vote(link("jussi@kaukola.example"), ["yes", "yes", "yes"]).await.expect(409);

    // Choosing Tuesdays re-checks them: 409 with Aino's sessions, nothing booked.
    let series_before = api.series_ids(&admin).await;
    let tuesdays = json!({"option_id": poll["options"][0]["id"]});
    let clash = api.post(&format!("/api/v1/polls/{poll_id}/choose"), &coordinator, &tuesdays).await;
    assert_eq!(clash.expect(409)["conflicts"].as_array().unwrap().len(), 4);
    assert_eq!(api.series_ids(&admin).await, series_before);

    // Wednesdays: booked, invitations out, every voter told.
    let wednesdays = json!({"option_id": poll["options"][1]["id"]});
    let decided = api.post(&format!("/api/v1/polls/{poll_id}/choose"), &coordinator, &wednesdays).await;
    let decided = decided.expect(200).clone();
    assert_eq!(decided["status"], "decided");
    let series_id = decided["series_id"].as_str().unwrap().to_owned();
    let series = api.get(&format!("/api/v1/series/{series_id}"), &coordinator).await.expect(200).clone();
    assert_eq!(series["team_id"], team_id.as_str());
    assert_eq!(series["sessions"].as_array().unwrap().len(), 4);
    // Six invitations (five members, Anna) and five decisions.
    let after = mail.deliver(worker, 11).await;
    let decisions: BTreeSet<String> = after
        .iter()
        .filter(|f| email_view(python, f)["calendar"].as_array().unwrap().is_empty())
        .map(|f| recipient(f))
        .collect();
    let voters: BTreeSet<String> = people[..5].iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(decisions, voters, "every voter got the decision");

    // Every calendar, messages applied in order, equals the API's sessions.
    let all_series = [existing_id.clone(), series_id.clone()];
    for (person, address) in &people {
        let want = expected(api, &admin, &all_series, Some(person)).await;
        let mine: Vec<PathBuf> = mail.by_address[address]
            .iter()
            .filter(|f| !email_view(python, f)["calendar"].as_array().unwrap().is_empty())
            .cloned()
            .collect();
        let view = calendar_view(python, &mine);
        assert_parties(&view, address, &[SUPERVISOR]);
        assert_eq!(occurrences(&view), want, "the calendar of {address}");
    }
    let want = expected(api, &admin, &all_series, None).await;
    let anna_mail: Vec<PathBuf> = mail.by_address[SUPERVISOR].clone();
    assert_eq!(occurrences(&calendar_view(python, &anna_mail)), want, "Anna's calendar");

    // A vote after the decision: 409, nothing changes; the link still shows the outcome, and
    // a week after voting ended it is refused.
    let before = api.get(&format!("/api/v1/polls/{poll_id}"), &coordinator).await.expect(200).clone();
    vote(link("maija@kaukola.example"), ["yes", "yes", "yes"]).await.expect(409);
    assert_eq!(api.get(&format!("/api/v1/polls/{poll_id}"), &coordinator).await.expect(200).clone(), before);
    let shown = api
        .call(reqwest::Method::GET, &format!("/api/v1/poll-votes/{}", link("maija@kaukola.example")), None, None)
        .await;
    assert_eq!(shown.expect(200)["chosen_option_id"], poll["options"][1]["id"]);
    server.advance(TimeDelta::days(8));
    api.call(reqwest::Method::GET, &format!("/api/v1/poll-votes/{}", link("maija@kaukola.example")), None, None)
        .await
        .expect(404);
    assert!(messages(mail.dir).len() >= mail.seen);
}

/// 32 concurrent `choose` requests over HTTP book exactly one series, on both backends.
#[tokio::test]
async fn of_32_concurrent_choices_one_books() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let server = InProcess::start(database.url(), test_now()).await;
        let api = &server.api;
        let admin = token(&server, Caller::Admin).await;
        let org = api.post("/api/v1/organizations", &admin, &json!({"name": "Koivukylän koulu"})).await;
        let org_id = id(org.expect(201));
        let supervisor = api
            .post("/api/v1/supervisors", &admin, &json!({"name": "Bertta Coach", "email": "bertta@ohjaus.example"}))
            .await;
        let supervisor_id = id(supervisor.expect(201));
        let person = api
            .post(
                &format!("/api/v1/organizations/{org_id}/people"),
                &admin,
                &json!({"name": "Kalle Opettaja", "email": "kalle@koivukyla.example"}),
            )
            .await;
        let person_id = id(person.expect(201));
        let option = |first_start: &str| json!({"first_start": first_start, "duration_minutes": 60, "recurrence": {"frequency": "weekly", "count": 3}});
        let body = json!({
            "kind": "individual_coaching", "title": "Rehtorin coaching", "supervisor_id": supervisor_id,
            "participant_ids": [person_id], "deadline": "2027-01-20T12:00:00+02:00",
            "options": [option("2027-02-02T10:00"), option("2027-02-03T10:00")],
        });
        let poll = api.post(&format!("/api/v1/organizations/{org_id}/polls"), &admin, &body).await;
        let poll = poll.expect(201).clone();
        let choose = json!({"option_id": poll["options"][0]["id"]});
        let path = format!("/api/v1/polls/{}/choose", id(&poll));
        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (api, path, admin, choose) = (api.clone(), path.clone(), admin.clone(), choose.clone());
            requests.spawn(async move { api.post(&path, &admin, &choose).await.status });
        }
        let statuses: Vec<u16> = requests.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 31, "{statuses:?}");
        assert_eq!(api.series_ids(&admin).await.len(), 1);
        eprintln!("e2e concurrent poll choices passed on {}", backend.name());
    }
}
