//! People's own calendars, end to end over HTTP, on SQLite and PostgreSQL: a small HTTP server
//! started here on 127.0.0.1 serves iCalendar files (ETag and 304, slow, oversized, 401, 404,
//! a redirect loop, a redirect into a private network), and Radicale is a real CalDAV server.
//!
//! The story: a supervisor and a participant connect their calendars; a booking over a busy
//! block of either answers 409 with `supervisor_busy_external` or `participant_busy_external`,
//! the preview says the same and the slot search never proposes the time; once the event is
//! removed from the calendar and the calendar refreshed, the same booking succeeds. A 304
//! writes nothing; a failing URL keeps the old blocks and shows the error; what the address
//! policy or the server refuses is a 422 with nothing stored. Two workers on PostgreSQL fetch
//! each connection once per interval.

use crate::support::Api;
use crate::support::python::python;
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_api::{ApiConfig, AppState};
use ohjaus_store::testing::{Schema, TestDatabase, test_backends, test_secrets_key};
use ohjaus_store::{CalendarSettings, Caller, Clock, Store};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the test server answers on a path.
#[derive(Debug, Clone)]
enum Route {
    /// A calendar with its ETag; `If-None-Match` with it answers 304.
    Calendar { body: String, etag: String },
    /// A bare status (401 with a Basic challenge).
    Status(u16),
    /// 302 to the location.
    Redirect(String),
    /// The body after a pause.
    Slow(Duration, String),
    /// A body of this many bytes, announced by Content-Length.
    Big(usize),
}

/// One request the server received: path and `If-None-Match`.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    if_none_match: Option<String>,
}

/// A small HTTP/1.1 server of iCalendar files on 127.0.0.1, counting requests.
#[derive(Clone)]
struct IcsServer {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl IcsServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self { port: listener.local_addr().unwrap().port(), routes: Arc::default(), seen: Arc::default() };
        let accepting = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = accepting.clone();
                tokio::spawn(async move { server.answer(stream).await });
            }
        });
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path == path).cloned().collect()
    }

    async fn answer(&self, mut stream: tokio::net::TcpStream) {
        let mut buffer = Vec::new();
        let mut chunk = [0_u8; 4096];
        let head_end = loop {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                return;
            }
            buffer.extend_from_slice(&chunk[..n]);
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.lines();
        let target = lines.next().unwrap_or_default().split_whitespace().nth(1).unwrap_or("/").to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        // Read (and drop) a body: a CalDAV REPORT sends one.
        let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut have = buffer.len() - head_end;
        while have < length {
            let Ok(n) = stream.read(&mut chunk).await else { return };
            if n == 0 {
                break;
            }
            have += n;
        }
        let path = target.split('?').next().unwrap_or_default().to_owned();
        let if_none_match = headers.get("if-none-match").cloned();
        self.seen.lock().unwrap().push(Seen { path: path.clone(), if_none_match: if_none_match.clone() });
        let route = self.routes.lock().unwrap().get(&path).cloned();
        let respond = |status: &str, extra: &str, body: &[u8]| {
            let mut out =
                format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n", body.len())
                    .into_bytes();
            out.extend_from_slice(body);
            out
        };
        let bytes = match route {
            None | Some(Route::Status(404)) => respond("404 Not Found", "", b""),
            Some(Route::Status(401)) => respond("401 Unauthorized", "WWW-Authenticate: Basic realm=\"cal\"\r\n", b""),
            Some(Route::Status(code)) => respond(&format!("{code} Status"), "", b""),
            Some(Route::Calendar { body, etag }) => {
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    respond("304 Not Modified", &format!("ETag: {etag}\r\n"), b"")
                } else {
                    respond("200 OK", &format!("ETag: {etag}\r\nContent-Type: text/calendar\r\n"), body.as_bytes())
                }
            }
            Some(Route::Redirect(location)) => respond("302 Found", &format!("Location: {location}\r\n"), b""),
            Some(Route::Slow(pause, body)) => {
                tokio::time::sleep(pause).await;
                respond("200 OK", "Content-Type: text/calendar\r\n", body.as_bytes())
            }
            Some(Route::Big(size)) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&vec![b'X'; size]).await;
                return;
            }
        };
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    }
}

/// A calendar of `events` (start, end, UID), times in UTC.
fn calendar(events: &[(&str, &str, &str)]) -> String {
    let mut text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n".to_owned();
    for (start, end, uid) in events {
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Toinen asiakas\r\nEND:VEVENT\r\n"
        ));
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

/// Settings of the tests: private addresses as given, short limits.
fn settings(allow_private: bool, trusted: &[&str]) -> CalendarSettings {
    let client = ohjaus_calendars::OutgoingClient::new(ohjaus_calendars::OutgoingConfig {
        policy: ohjaus_calendars::AddressPolicy {
            allow_private_addresses: allow_private,
            trusted_addresses: trusted.iter().map(|a| a.parse().unwrap()).collect(),
        },
        max_redirects: 3,
        timeout: Duration::from_secs(1),
        max_body_bytes: 200_000,
        ..ohjaus_calendars::OutgoingConfig::default()
    })
    .unwrap();
    CalendarSettings::new(client)
}

/// The API in this process over `store`, its clock fixed at `now`.
async fn serve(store: Store, now: DateTime<Utc>) -> (Api, tokio::sync::watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let state = AppState {
        store,
        metrics: ohjaus_api::metrics::Metrics::default(),
        clock: Clock::fixed(now),
        config: Arc::new(ApiConfig {
            public_url: url::Url::parse(&format!("http://{address}")).unwrap(),
            request_timeout: Duration::from_secs(30),
            body_limit_bytes: 262_144,
            calendar_organizer: ohjaus_core::notice::Party {
                name: "Ohjaus".into(),
                email: "noreply@ohjaus.invalid".into(),
            },
        }),
        feeds: ohjaus_api::feed_cache::FeedCache::default(),
    };
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(ohjaus_api::serve(listener, state, async move {
        let _ = stopped.wait_for(|s| *s).await;
    }));
    (Api::new(&format!("http://{address}")), stop)
}

fn now() -> DateTime<Utc> {
    crate::support::test_now()
}

async fn token(store: &Store, grants: Caller) -> String {
    store.create_api_token(&Caller::Admin, grants, Some("e2e"), now()).await.unwrap().secret.expose().to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// The ids of every busy block stored, in order: what a write would change.
async fn block_ids(store: &Store) -> Vec<i64> {
    use sea_orm::{EntityTrait, QueryOrder};
    ohjaus_store::entity::calendar_busy_block::Entity::find()
        .order_by_asc(ohjaus_store::entity::calendar_busy_block::Column::Id)
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect()
}

async fn connection_count(store: &Store) -> usize {
    use sea_orm::EntityTrait;
    ohjaus_store::entity::calendar_connection::Entity::find().all(store.connection()).await.unwrap().len()
}

/// The organization, a supervisor working weekdays 08–17 and two people.
struct Scene {
    admin: String,
    org: String,
    supervisor: String,
    supervisor_token: String,
    people: Vec<String>,
    person_token: String,
}

async fn scene(api: &Api, store: &Store) -> Scene {
    let admin = token(store, Caller::Admin).await;
    let org = id(api.post("/api/v1/organizations", &admin, &json!({"name": "Kaukolan sairaala"})).await.expect(201));
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "17:00"}))
        .collect();
    let supervisor = id(api
        .post(
            "/api/v1/supervisors",
            &admin,
            &json!({"name": "Anna Virtanen", "email": "anna@tyonohjaus.example", "working_hours": hours}),
        )
        .await
        .expect(201));
    let mut people = Vec::new();
    for (name, email) in [("Maija Meikäläinen", "maija@kaukola.example"), ("Pekka Nieminen", "pekka@kaukola.example")]
    {
        let person = api
            .post(&format!("/api/v1/organizations/{org}/people"), &admin, &json!({"name": name, "email": email}))
            .await;
        people.push(id(person.expect(201)));
    }
    let supervisor_token = token(store, Caller::Supervisor { supervisor_id: supervisor.parse().unwrap() }).await;
    let person_token = token(store, Caller::Participant { person_id: people[0].parse().unwrap() }).await;
    Scene { admin, org, supervisor, supervisor_token, people, person_token }
}

/// A weekly series of three 90-minute sessions from `first_start` (Helsinki time).
fn series(scene: &Scene, first_start: &str) -> Value {
    json!({
        "organization_id": scene.org, "kind": "group_supervision", "title": "Osaston työnohjaus",
        "supervisor_id": scene.supervisor, "participant_ids": scene.people,
        "first_start": first_start, "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 1, "count": 3},
    })
}

fn reasons(answer: &Value) -> Vec<String> {
    answer["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("no conflicts in {answer}"))
        .iter()
        .map(|c| c["reason"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn external_calendars_over_http() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Migrated).await;
        let store = Store::connect(database.url())
            .await
            .unwrap()
            .with_secrets(test_secrets_key())
            .with_calendars(settings(true, &[]));
        story(&store).await;
        eprintln!("e2e calendars passed on {}", backend.name());
    }
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn story(store: &Store) {
    let ics = IcsServer::start().await;
    let (api, _stop) = serve(store.clone(), now()).await;
    let scene = scene(&api, store).await;
    // Tuesday 12 January 2027: the supervisor is busy 13:00–15:00 Helsinki time (11–13 UTC);
    // the participant on Tuesday 19 January 10:00–11:00 (08–09 UTC).
    let anna = calendar(&[("20270112T110000Z", "20270112T130000Z", "other-client-1@example.com")]);
    ics.set("/anna.ics", Route::Calendar { body: anna, etag: "\"a1\"".into() });
    // Beside it, an invitation Ohjaus sent her, kept in the same calendar: never busy time
    // (the series booked over it below, two days on, is not refused).
    let maija = calendar(&[
        ("20270119T080000Z", "20270119T090000Z", "shift-1@example.com"),
        ("20270114T070000Z", "20270114T083000Z", "0190a1b2-0000-7000-8000-00000000000a@ohjaus"),
    ]);
    ics.set("/maija.ics", Route::Calendar { body: maija, etag: "\"m1\"".into() });

    // The supervisor connects a subscription whose query holds a secret token.
    let secret = "k3Jd8sLq0pWz7XyQ0123";
    let url = format!("{}?token={secret}", ics.url("/anna.ics"));
    let connected = api
        .post(
            "/api/v1/me/calendars",
            &scene.supervisor_token,
            &json!({"label": "Työkalenteri", "kind": "subscription", "url": url}),
        )
        .await;
    let connected = connected.expect(201).clone();
    assert_eq!(connected["busy_blocks"], 1, "{connected}");
    assert_eq!(connected["status"], "ok");
    assert_eq!(connected["kind"], "subscription");
    assert!(connected["url"].as_str().unwrap().contains("token=****"), "{connected}");
    assert!(!connected.to_string().contains(secret), "the secret is never answered");
    let anna_id = id(&connected);
    let listed = api.get(&format!("/api/v1/supervisors/{}/calendars", scene.supervisor), &scene.admin).await;
    assert_eq!(listed.expect(200).as_array().unwrap().len(), 1);
    assert!(!listed.text.contains(secret));
    // The participant connects theirs.
    let maija_cal = api
        .post(
            "/api/v1/me/calendars",
            &scene.person_token,
            &json!({"label": "Vuorot", "kind": "subscription", "url": ics.url("/maija.ics"), "block_all_day_events": false}),
        )
        .await;
    let maija_id = id(maija_cal.expect(201));

    // Booking over the supervisor's block: 409 supervisor_busy_external, for the first session only.
    let over_anna = series(&scene, "2027-01-12T13:00");
    let refused = api.post("/api/v1/series", &scene.admin, &over_anna).await;
    let refused = refused.expect(409).clone();
    assert_eq!(reasons(&refused), ["supervisor_busy_external"], "{refused}");
    assert_eq!(refused["conflicts"][0]["index"], 1);
    assert!(refused["conflicts"][0].get("calendar_id").is_none(), "which calendar is never said");
    let preview = api.post("/api/v1/series/preview", &scene.admin, &over_anna).await;
    assert_eq!(reasons(preview.expect(200)), ["supervisor_busy_external"]);
    // Over the participant's block: participant_busy_external (the second session).
    let over_maija = series(&scene, "2027-01-12T10:00");
    let refused = api.post("/api/v1/series", &scene.admin, &over_maija).await;
    let refused = refused.expect(409).clone();
    assert_eq!(reasons(&refused), ["participant_busy_external"], "{refused}");
    assert_eq!(refused["conflicts"][0]["index"], 2);
    assert_eq!(refused["conflicts"][0]["person_id"], scene.people[0].as_str());

    // The slot search never proposes a time over a block.
    let slots = api
        .get(
            &format!(
                "/api/v1/slots?supervisor_id={}&organization_id={}&participant_ids={}&duration_minutes=90&count=3&from=2027-01-12&limit=20",
                scene.supervisor,
                scene.org,
                scene.people.join(",")
            ),
            &scene.admin,
        )
        .await;
    let slots = slots.expect(200).clone();
    let starts: Vec<DateTime<Utc>> =
        slots["slots"].as_array().unwrap().iter().map(|s| s["starts_at"].as_str().unwrap().parse().unwrap()).collect();
    assert!(!starts.is_empty(), "{slots}");
    let busy: [(DateTime<Utc>, DateTime<Utc>); 2] = [
        ("2027-01-12T11:00:00Z".parse().unwrap(), "2027-01-12T13:00:00Z".parse().unwrap()),
        ("2027-01-19T08:00:00Z".parse().unwrap(), "2027-01-19T09:00:00Z".parse().unwrap()),
    ];
    for start in &starts {
        for week in 0..3 {
            let (s, e) = (*start + TimeDelta::weeks(week), *start + TimeDelta::weeks(week) + TimeDelta::minutes(90));
            assert!(busy.iter().all(|(bs, be)| e <= *bs || s >= *be), "slot {start} meets a busy block");
        }
    }

    // A refresh with nothing changed: a 304, and not one block written.
    let before = block_ids(store).await;
    let refreshed =
        api.post(&format!("/api/v1/me/calendars/{anna_id}/refresh"), &scene.supervisor_token, &json!({})).await;
    assert_eq!(refreshed.expect(200)["status"], "ok");
    let conditional = ics.requests("/anna.ics");
    assert_eq!(conditional.last().unwrap().if_none_match.as_deref(), Some("\"a1\""));
    assert_eq!(block_ids(store).await, before, "a 304 writes nothing");

    // The event is removed from the calendar; after a refresh the same booking succeeds.
    ics.set("/anna.ics", Route::Calendar { body: calendar(&[]), etag: "\"a2\"".into() });
    let refreshed =
        api.post(&format!("/api/v1/me/calendars/{anna_id}/refresh"), &scene.supervisor_token, &json!({})).await;
    assert_eq!(refreshed.expect(200)["busy_blocks"], 0);
    api.post("/api/v1/series", &scene.admin, &over_anna).await.expect(201);

    // A failing URL keeps the old blocks and shows the error.
    ics.set("/maija.ics", Route::Status(404));
    let failing = api.post(&format!("/api/v1/me/calendars/{maija_id}/refresh"), &scene.person_token, &json!({})).await;
    let failing = failing.expect(200).clone();
    assert_eq!(failing["status"], "failing", "{failing}");
    assert_eq!(failing["busy_blocks"], 1);
    assert!(failing["last_error"].as_str().unwrap().contains("404"), "{failing}");
    assert!(!failing["last_error"].as_str().unwrap().contains("maija.ics"), "errors never carry the URL");
    let still = api.post("/api/v1/series", &scene.admin, &over_maija).await;
    assert_eq!(reasons(still.expect(409)), ["participant_busy_external"]);

    // Two days on, the calendars are stale: the preview names them, booking is still allowed.
    let (later, _later_stop) = serve(store.clone(), now() + TimeDelta::days(2)).await;
    let free = series(&scene, "2027-01-14T09:00");
    let preview = later.post("/api/v1/series/preview", &scene.admin, &free).await;
    let preview = preview.expect(200).clone();
    let messages: Vec<&str> =
        preview["warnings"].as_array().unwrap().iter().map(|w| w["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        ["Anna Virtanen's calendar last synced 2 days ago", "Maija Meikäläinen's calendar last synced 2 days ago"],
        "{preview}"
    );
    assert!(preview["conflicts"].as_array().unwrap().is_empty());
    let listed = later.get("/api/v1/me/calendars", &scene.person_token).await;
    assert_eq!(listed.expect(200)[0]["status"], "stale");
    later.post("/api/v1/series", &scene.admin, &free).await.expect(201);

    // Refused with a 422 naming the field, and nothing stored.
    ics.set("/slow.ics", Route::Slow(Duration::from_secs(3), calendar(&[])));
    ics.set("/big.ics", Route::Big(300_000));
    ics.set("/loop.ics", Route::Redirect("/loop.ics".into()));
    ics.set("/locked", Route::Status(401));
    let connections = connection_count(store).await;
    let blocks = block_ids(store).await;
    for (body, field, words) in [
        (json!({"label": "x", "kind": "subscription", "url": "file:///etc/passwd"}), "url", "file"),
        (json!({"label": "x", "kind": "subscription", "url": "ftp://calendar.example/a.ics"}), "url", "ftp"),
        (json!({"label": "x", "kind": "subscription", "url": ics.url("/big.ics")}), "url", "larger than"),
        (json!({"label": "x", "kind": "subscription", "url": ics.url("/slow.ics")}), "url", "time limit"),
        (json!({"label": "x", "kind": "subscription", "url": ics.url("/loop.ics")}), "url", "redirected"),
        (json!({"label": "x", "kind": "subscription", "url": ics.url("/missing.ics")}), "url", "404"),
        (
            json!({"label": "x", "kind": "caldav", "url": ics.url("/locked"), "user_name": "anna", "password": "wrong-0123"}),
            "password",
            "user name or password",
        ),
        (json!({"label": "x", "kind": "caldav", "url": ics.url("/locked")}), "password", "required"),
    ] {
        let answer = api.post("/api/v1/me/calendars", &scene.supervisor_token, &body).await;
        let problem = answer.expect(422);
        let fields = problem["errors"].as_array().unwrap();
        assert!(
            fields.iter().any(|f| f["field"] == field && f["message"].as_str().unwrap().contains(words)),
            "{body}: {problem}"
        );
        assert!(!answer.text.contains("wrong-0123"));
    }
    assert_eq!(connection_count(store).await, connections, "a refusal stores nothing");
    assert_eq!(block_ids(store).await, blocks);

    // Removing a calendar removes its blocks: the participant's time is free again.
    api.call(reqwest::Method::DELETE, &format!("/api/v1/me/calendars/{maija_id}"), Some(&scene.person_token), None)
        .await
        .expect(204);
    let listed = api.get("/api/v1/me/calendars", &scene.person_token).await;
    assert_eq!(listed.expect(200).as_array().unwrap().len(), 0);
    let preview = api.post("/api/v1/series/preview", &scene.admin, &over_maija).await;
    assert!(reasons(preview.expect(200)).iter().all(|r| r != "participant_busy_external"));
}

/// With private addresses not allowed, loopback and 10/8 are refused, by IP literal, by name
/// and on a redirect (from an address the installation trusts).
#[tokio::test]
async fn private_addresses_are_refused() {
    let database = TestDatabase::create(&test_backends()[0], Schema::Migrated).await;
    let ics = IcsServer::start().await;
    ics.set("/anna.ics", Route::Calendar { body: calendar(&[]), etag: "\"1\"".into() });
    ics.set("/to-private.ics", Route::Redirect("http://10.0.0.1/anna.ics".into()));
    let strict = Store::connect(database.url()).await.unwrap().with_secrets(test_secrets_key());
    let strict = strict.with_calendars(settings(false, &[]));
    let (api, _stop) = serve(strict.clone(), now()).await;
    let scene = scene(&api, &strict).await;
    let localhost = format!("http://localhost:{}/anna.ics", ics.port);
    for url in [ics.url("/anna.ics"), localhost, "http://10.1.2.3/anna.ics".to_owned()] {
        let answer = api
            .post(
                "/api/v1/me/calendars",
                &scene.supervisor_token,
                &json!({"label": "x", "kind": "subscription", "url": url}),
            )
            .await;
        let problem = answer.expect(422);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("private or local"), "{url}: {problem}");
    }
    assert!(ics.requests("/anna.ics").is_empty(), "no request reached the refused address");
    // 127.0.0.1 trusted: the first hop is allowed, the redirect into 10/8 is not.
    let trusting = Store::connect(database.url()).await.unwrap().with_secrets(test_secrets_key());
    let trusting = trusting.with_calendars(settings(false, &["127.0.0.1"]));
    let (api, _stop2) = serve(trusting.clone(), now()).await;
    let answer = api
        .post(
            "/api/v1/me/calendars",
            &scene.supervisor_token,
            &json!({"label": "x", "kind": "subscription", "url": ics.url("/to-private.ics")}),
        )
        .await;
    let problem = answer.expect(422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("10.0.0.1"), "{problem}");
    api.post(
        "/api/v1/me/calendars",
        &scene.supervisor_token,
        &json!({"label": "x", "kind": "subscription", "url": ics.url("/anna.ics")}),
    )
    .await
    .expect(201);
    assert_eq!(connection_count(&trusting).await, 1);
}

/// Two workers, each with its own connection pool, on PostgreSQL: every connection is fetched
/// exactly once per interval, however often both look.
#[tokio::test]
async fn two_workers_fetch_each_calendar_once_per_interval() {
    let Some(backend) = test_backends().into_iter().find(|b| b.backend() == ohjaus_store::Backend::Postgres) else {
        eprintln!("e2e: two_workers_fetch_each_calendar_once_per_interval NOT RUN (no PostgreSQL)");
        return;
    };
    let database = TestDatabase::create(&backend, Schema::Migrated).await;
    let ics = IcsServer::start().await;
    let open = || async {
        Store::connect(database.url())
            .await
            .unwrap()
            .with_secrets(test_secrets_key())
            .with_calendars(settings(true, &[]))
    };
    let store = open().await;
    let (api, _stop) = serve(store.clone(), now()).await;
    let scene = scene(&api, &store).await;
    let paths: Vec<String> = (0..6).map(|i| format!("/cal{i}.ics")).collect();
    for (i, path) in paths.iter().enumerate() {
        let start = format!("202702{:02}T080000Z", i + 1);
        let end = format!("202702{:02}T090000Z", i + 1);
        ics.set(path, Route::Calendar { body: calendar(&[(&start, &end, "e@x")]), etag: format!("\"{i}\"") });
        api.post(
            "/api/v1/me/calendars",
            &scene.supervisor_token,
            &json!({"label": format!("Kalenteri {i}"), "kind": "subscription", "url": ics.url(path)}),
        )
        .await
        .expect(201);
    }
    let mail = ohjaus_notify::MailConfig { transport: ohjaus_notify::TransportKind::Log, ..Default::default() };
    let worker = |store: Store, at: DateTime<Utc>, name: &str| {
        let config = ohjaus_notify::WorkerConfig { owner: Some(name.to_owned()), ..Default::default() };
        ohjaus_notify::Worker::new(store, config, ohjaus_notify::Mailer::from_config(&mail).unwrap())
            .with_clock(Clock::fixed(at))
    };
    let (one, two) = (open().await, open().await);
    for interval in 1..=2 {
        let at = now() + TimeDelta::minutes(15 * interval + 1);
        let (a, b) = (worker(one.clone(), at, "worker-a"), worker(two.clone(), at, "worker-b"));
        let mut claimed = 0;
        for _ in 0..3 {
            let (x, y) = tokio::join!(a.sync_calendars(), b.sync_calendars());
            claimed += x.unwrap().claimed + y.unwrap().claimed;
        }
        assert_eq!(claimed, paths.len(), "interval {interval}");
        for path in &paths {
            // The connecting fetch, then one per interval.
            assert_eq!(
                ics.requests(path).len(),
                1 + usize::try_from(interval).unwrap(),
                "{path} in interval {interval}"
            );
        }
    }
    // Every later fetch was conditional and answered 304: the blocks are the first ones.
    assert!(paths.iter().all(|p| ics.requests(p).iter().skip(1).all(|s| s.if_none_match.is_some())));
    let listed = api.get("/api/v1/me/calendars", &scene.supervisor_token).await;
    assert!(listed.expect(200).as_array().unwrap().iter().all(|c| c["busy_blocks"] == 1 && c["status"] == "ok"));
}

/// A CalDAV calendar on Radicale: connected with its user and app password, its events are
/// busy time; a wrong password is refused at once.
#[tokio::test]
async fn a_caldav_calendar_on_radicale() {
    let Some(python) = python("calendars::a_caldav_calendar_on_radicale") else { return };
    let radicale = Radicale::start(&python);
    radicale.set_up().await;
    let database = TestDatabase::create(&test_backends()[0], Schema::Migrated).await;
    let store = Store::connect(database.url())
        .await
        .unwrap()
        .with_secrets(test_secrets_key())
        .with_calendars(settings(false, &["127.0.0.1"]));
    let (api, _stop) = serve(store.clone(), now()).await;
    let scene = scene(&api, &store).await;
    let body = |password: &str| {
        json!({"label": "Nextcloud", "kind": "caldav", "url": radicale.url("/anna/work/"),
               "user_name": "anna", "password": password})
    };
    let refused = api.post("/api/v1/me/calendars", &scene.supervisor_token, &body("wrong-password")).await;
    assert_eq!(refused.expect(422)["errors"][0]["field"], "password");
    assert_eq!(connection_count(&store).await, 0);
    let connected = api.post("/api/v1/me/calendars", &scene.supervisor_token, &body(RADICALE_PASSWORD)).await;
    let connected = connected.expect(201).clone();
    assert_eq!(connected["kind"], "caldav");
    assert_eq!(connected["user_name"], "anna");
    assert_eq!(connected["busy_blocks"], 1, "{connected}");
    assert!(!connected.to_string().contains(RADICALE_PASSWORD));
    let refused = api.post("/api/v1/series", &scene.admin, &series(&scene, "2027-01-13T12:00")).await;
    assert_eq!(reasons(refused.expect(409)), ["supervisor_busy_external"]);
    // The event is deleted on the server; a refresh frees the time.
    let deleted = reqwest::Client::new()
        .delete(radicale.url("/anna/work/busy.ics"))
        .basic_auth("anna", Some(RADICALE_PASSWORD))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    let cid = id(&connected);
    let refreshed = api.post(&format!("/api/v1/me/calendars/{cid}/refresh"), &scene.supervisor_token, &json!({})).await;
    assert_eq!(refreshed.expect(200)["busy_blocks"], 0);
    api.post("/api/v1/series", &scene.admin, &series(&scene, "2027-01-13T12:00")).await.expect(201);
}

const RADICALE_PASSWORD: &str = "app-password-0123";

/// A Radicale process with user `anna`, killed when dropped.
struct Radicale {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Radicale {
    fn start(python: &std::path::Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::write(dir.path().join("users"), format!("anna:{RADICALE_PASSWORD}\n")).unwrap();
        let config = format!(
            "[server]\nhosts = 127.0.0.1:{port}\n\n[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\ndelay = 0\n\n[storage]\nfilesystem_folder = {storage}\n\n[rights]\ntype = owner_only\n\n[logging]\nlevel = error\n",
            users = dir.path().join("users").display(),
            storage = dir.path().join("collections").display(),
        );
        let config_path = dir.path().join("config");
        std::fs::write(&config_path, config).unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "radicale", "--config"])
            .arg(&config_path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "Radicale did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port, _dir: dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A calendar `/anna/work/` with one event: Wednesday 13 January 2027 12:00–13:00
    /// Helsinki time.
    async fn set_up(&self) {
        let http = reqwest::Client::new();
        let send = |method: &str, path: &str, body: Option<String>| {
            let request = http
                .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), self.url(path))
                .basic_auth("anna", Some(RADICALE_PASSWORD))
                .header("content-type", "text/calendar; charset=utf-8");
            let request = match body {
                Some(body) => request.body(body),
                None => request,
            };
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert!(matches!(send("PROPFIND", "/anna/", None).await, 207 | 200));
        assert_eq!(send("MKCALENDAR", "/anna/work/", None).await, 201);
        let event = calendar(&[("20270113T100000Z", "20270113T110000Z", "busy-1@example.com")]);
        assert_eq!(send("PUT", "/anna/work/busy.ics", Some(event)).await, 201);
    }
}
