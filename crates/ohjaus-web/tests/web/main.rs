//! The pages as a browser meets them, without a server: the router answers requests
//! (`oneshot`) over a fresh SQLite file per test, with a clock the test moves. Sign-in links
//! are read from the outbox as the worker would send them. The rate limits of signing in and
//! a database outage have modules of their own.

#![allow(clippy::unwrap_used, missing_docs)]

mod calendars;
mod invoicing;
mod limits;
mod outage;
mod polls;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::{Notice, RecurrenceBody, SeriesBody};
use ohjaus_store::testing::{HandClock, Schema, TestDb, test_backends};
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::write::organizations::NewOrganization;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::supervisors::NewSupervisor;
use ohjaus_store::{Caller, Store};
use ohjaus_web::WebState;
use std::collections::HashMap;
use tower::ServiceExt as _;
use uuid::Uuid;

/// A world of two organizations: A with a coordinator, a participant and a series with the
/// supervisor; B with its own series.
struct World {
    store: Store,
    app: Router,
    /// The pages' state (its background work is waited for before the outbox is read).
    state: WebState,
    clock: HandClock,
    supervisor_id: Uuid,
    participant_id: Uuid,
    coordinator_email: &'static str,
    participant_email: &'static str,
    supervisor_email: &'static str,
    series_a: Uuid,
    session_a: Uuid,
    series_b: Uuid,
    session_b: Uuid,
    /// The world's database, dropped by `close`.
    db: TestDb,
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn body(organization_id: Uuid, supervisor_id: Uuid, people: Vec<Uuid>, title: &str, first: &str) -> SeriesBody {
    SeriesBody {
        organization_id: Some(organization_id),
        kind: "group_supervision".into(),
        title: title.into(),
        supervisor_id: Some(supervisor_id),
        co_supervisor_id: None,
        team_id: None,
        participant_ids: Some(people),
        first_start: first.into(),
        timezone: None,
        duration_minutes: 90,
        recurrence: RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(2),
            count: Some(4),
            until: None,
            by_weekday: None,
        },
        holiday_policy: None,
        location: Some("Neuvotteluhuone 2".into()),
        video_url: None,
        cancellation_notice_hours: None,
        goals: Some(vec!["Jaksaminen".into()]),
        contract: None,
    }
}

/// The worlds every test runs in: a fresh SQLite file, and a fresh PostgreSQL database when
/// `OHJAUS_TEST_POSTGRES_URL` is set (set but unreachable fails the test; it never skips).
async fn worlds() -> Vec<World> {
    let mut worlds = Vec::new();
    for backend in test_backends() {
        worlds.push(World::new(TestDb::create(&backend, Schema::Migrated).await).await);
    }
    worlds
}

impl World {
    async fn new(db: TestDb) -> Self {
        let store = db.store.clone();
        Self::over(db, store).await
    }

    /// The world in `db`, reached through `store` (which may take another way to it: a proxy).
    async fn over(db: TestDb, store: Store) -> Self {
        let now = utc("2027-01-04T08:00:00Z");
        let admin = Caller::Admin;
        let org = |name: &str| NewOrganization { name: name.into(), timezone: None, locale: None };
        let a = store.create_organization(&admin, &org("Osasto 5A"), now).await.unwrap();
        let b = store.create_organization(&admin, &org("Vaahteramäen koulu"), now).await.unwrap();
        let supervisor = store
            .create_supervisor(
                &admin,
                &NewSupervisor {
                    name: "Anna Virtanen".into(),
                    email: "anna@ohjaus.example".into(),
                    locale: None,
                    timezone: None,
                    buffer_minutes: None,
                    working_hours: None,
                },
                now,
            )
            .await
            .unwrap();
        let person = |name: &str, email: &str| NewPerson { name: name.into(), email: email.into(), locale: None };
        let coordinator =
            store.create_person(&admin, a.id, &person("Maija Meikäläinen", "maija@a.example"), now).await.unwrap();
        let participant =
            store.create_person(&admin, a.id, &person("Liisa Korhonen", "liisa@a.example"), now).await.unwrap();
        let teacher = store.create_person(&admin, b.id, &person("Timo Lehtonen", "timo@b.example"), now).await.unwrap();
        store.set_coordinator(&admin, coordinator.id, true, now).await.unwrap();
        let series_a = store
            .book_series(
                &admin,
                &body(a.id, supervisor.id, vec![participant.id], "Osaston työnohjaus", "2027-01-12T13:00"),
                now,
            )
            .await
            .unwrap();
        let series_b = store
            .book_series(
                &admin,
                &body(b.id, supervisor.id, vec![teacher.id], "Koulun työnohjaus", "2027-01-13T13:00"),
                now,
            )
            .await
            .unwrap();
        let clock = HandClock::at(now);
        let state = WebState::new(store.clone(), clock.clock(), "http://ohjaus.test".parse().unwrap());
        Self {
            app: ohjaus_web::router(state.clone()),
            state,
            store,
            clock,
            supervisor_id: supervisor.id,
            participant_id: participant.id,
            coordinator_email: "maija@a.example",
            participant_email: "liisa@a.example",
            supervisor_email: "anna@ohjaus.example",
            series_a: series_a.series.id,
            session_a: series_a.sessions[0].id,
            series_b: series_b.series.id,
            session_b: series_b.sessions[0].id,
            db,
        }
    }

    /// Drops the world's PostgreSQL database.
    async fn close(self) {
        let Self { store, db, app, state, .. } = self;
        state.settled().await;
        drop((app, store, state));
        db.finish().await;
    }

    /// Another instance of the pages over the world's store and clock, with `config`.
    fn pages(&self, config: ohjaus_web::WebConfig) -> (WebState, Router) {
        let state = WebState::with_config(self.store.clone(), self.clock.clock(), config);
        (state.clone(), ohjaus_web::router(state))
    }

    fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The sign-in links queued since the last look, oldest first (claimed and acked, as the
    /// worker would), once the links asked for are queued (that happens after the answer).
    async fn sent_links(&self) -> Vec<String> {
        self.state.settled().await;
        let claimed = self.store.claim_due("test", 500, TimeDelta::minutes(5), self.now()).await.unwrap();
        // Sent, so that a test moving the clock past the lease does not see them again.
        let ids: Vec<Uuid> = claimed.iter().map(|row| row.id).collect();
        self.store.ack_many(&ids, "test", self.now()).await.unwrap();
        claimed
            .into_iter()
            .filter_map(|row| match row.notice {
                Notice::SignInLink { url, .. } => Some(url),
                _ => None,
            })
            .collect()
    }
}

/// A browser: cookies kept between requests.
#[derive(Default, Clone)]
struct Browser {
    cookies: HashMap<String, String>,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    retry_after: Option<String>,
    content_type: String,
    text: String,
}

impl Browser {
    async fn send(&mut self, app: &Router, request: Request<Body>) -> Answer {
        let response = app.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let header_of =
            |name| response.headers().get(name).map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned());
        let location = header_of(header::LOCATION);
        let retry_after = header_of(header::RETRY_AFTER);
        let content_type = header_of(header::CONTENT_TYPE).unwrap_or_default();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Answer { status, location, retry_after, content_type, text: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn get(&mut self, app: &Router, path: &str) -> Answer {
        let request = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        self.send(app, request).await
    }

    async fn post(&mut self, app: &Router, path: &str, fields: &[(&str, &str)]) -> Answer {
        let form: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        self.send(app, request).await
    }

    /// The CSRF token the page at `path` puts in its forms.
    async fn csrf(&mut self, app: &Router, path: &str) -> String {
        let page = self.get(app, path).await;
        csrf_of(&page.text)
    }

    /// Signs in as `email` through the link sent by email; answers the link used.
    async fn sign_in(&mut self, world: &World, email: &str) -> String {
        let csrf = self.csrf(&world.app, "/sign-in").await;
        let asked = self.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", email), ("next", "/")]).await;
        assert_eq!(asked.status, StatusCode::OK);
        let link = world.sent_links().await.pop().expect("a sign-in link was sent");
        let path = link.strip_prefix("http://ohjaus.test").unwrap().to_owned();
        let confirm = self.get(&world.app, &path).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text);
        let csrf = csrf_of(&confirm.text);
        let action = path.split('?').next().unwrap();
        let done = self.post(&world.app, action, &[("csrf", &csrf), ("next", "/")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert!(self.cookies.contains_key("ohjaus_session"));
        path
    }
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_sign_in_link_works_once() {
    for world in worlds().await {
        let mut browser = Browser::default();
        let path = browser.sign_in(&world, world.coordinator_email).await;
        let home = browser.get(&world.app, "/coordinator").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains("Osasto 5A"));
        assert!(home.text.contains("Osaston työnohjaus"));

        // The same link again, from another browser: refused, and nobody is signed in.
        let mut other = Browser::default();
        let confirm = other.get(&world.app, &path).await;
        assert_eq!(confirm.status, StatusCode::GONE);
        let csrf = csrf_of(&confirm.text);
        let again = other.post(&world.app, path.split('?').next().unwrap(), &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(!other.cookies.contains_key("ohjaus_session"));
        world.close().await;
    }
}

#[tokio::test]
async fn a_sign_in_link_expires() {
    for world in worlds().await {
        let mut browser = Browser::default();
        let csrf = browser.csrf(&world.app, "/sign-in").await;
        browser.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", world.participant_email)]).await;
        let link = world.sent_links().await.pop().unwrap();
        let path = link.strip_prefix("http://ohjaus.test").unwrap();
        world.advance(TimeDelta::minutes(21));
        let confirm = browser.get(&world.app, path).await;
        assert_eq!(confirm.status, StatusCode::GONE);
        let csrf = csrf_of(&confirm.text);
        let used = browser.post(&world.app, path.split('?').next().unwrap(), &[("csrf", &csrf)]).await;
        assert_eq!(used.status, StatusCode::GONE);
        assert!(!browser.cookies.contains_key("ohjaus_session"));
        world.close().await;
    }
}

#[tokio::test]
async fn an_unknown_address_is_answered_alike_and_sends_nothing() {
    for world in worlds().await {
        let mut browser = Browser::default();
        let csrf = browser.csrf(&world.app, "/sign-in").await;
        let known = browser.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", world.participant_email)]).await;
        let unknown = browser.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", "nobody@a.example")]).await;
        assert_eq!(known.status, unknown.status);
        assert_eq!(known.text, unknown.text);
        assert_eq!(world.sent_links().await.len(), 1);
        world.close().await;
    }
}

#[tokio::test]
async fn a_forged_or_replayed_cookie_signs_nobody_in() {
    for world in worlds().await {
        let mut forged = Browser::default();
        forged.cookies.insert("ohjaus_session".into(), "ohjweb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into());
        let page = forged.get(&world.app, "/coordinator").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location.unwrap().starts_with("/sign-in"));

        let mut browser = Browser::default();
        browser.sign_in(&world, world.coordinator_email).await;
        let stolen = browser.cookies.get("ohjaus_session").cloned().unwrap();
        assert_eq!(browser.get(&world.app, "/coordinator").await.status, StatusCode::OK);
        let csrf = browser.csrf(&world.app, "/coordinator").await;
        let out = browser.post(&world.app, "/sign-out", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(!browser.cookies.contains_key("ohjaus_session"));

        let mut replay = Browser::default();
        replay.cookies.insert("ohjaus_session".into(), stolen);
        let page = replay.get(&world.app, "/coordinator").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "a signed-out session is no session");

        // An expired one neither.
        let mut late = Browser::default();
        late.sign_in(&world, world.coordinator_email).await;
        world.advance(TimeDelta::hours(13));
        assert_eq!(late.get(&world.app, "/coordinator").await.status, StatusCode::SEE_OTHER);
        world.close().await;
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    for world in worlds().await {
        let mut browser = Browser::default();
        browser.sign_in(&world, world.supervisor_email).await;
        let path = format!("/supervisor/sessions/{}/notes", world.session_a);
        let missing = browser.post(&world.app, &path, &[("text", "Ei tokenia"), ("visibility", "supervisor")]).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        let wrong = browser
            .post(&world.app, &path, &[("csrf", "forged"), ("text", "Väärä"), ("visibility", "supervisor")])
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        let supervisor = Caller::Supervisor { supervisor_id: world.supervisor_id };
        assert!(world.store.list_notes(&supervisor, world.session_a, world.clock.now()).await.unwrap().is_empty());

        // From another site, even with the token: refused.
        let csrf = browser.csrf(&world.app, &format!("/supervisor/sessions/{}", world.session_a)).await;
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("csrf", csrf.as_str()), ("text", "Vieraalta"), ("visibility", "supervisor")])
            .finish();
        let request = Request::post(&path)
            .header(header::COOKIE, browser.cookie_header())
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        assert_eq!(browser.send(&world.app, request).await.status, StatusCode::FORBIDDEN);

        // With it: written.
        let ok =
            browser.post(&world.app, &path, &[("csrf", &csrf), ("text", "Oikein"), ("visibility", "supervisor")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(world.store.list_notes(&supervisor, world.session_a, world.clock.now()).await.unwrap().len(), 1);

        // The sign-in form too: without a token nothing is sent.
        let mut visitor = Browser::default();
        visitor.get(&world.app, "/sign-in").await;
        let refused = visitor.post(&world.app, "/sign-in", &[("email", world.participant_email)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(world.sent_links().await.is_empty());
        world.close().await;
    }
}

#[tokio::test]
async fn a_coordinator_cannot_open_another_organizations_pages() {
    for world in worlds().await {
        let mut browser = Browser::default();
        browser.sign_in(&world, world.coordinator_email).await;
        assert_eq!(
            browser.get(&world.app, &format!("/coordinator/series/{}", world.series_a)).await.status,
            StatusCode::OK
        );
        let other = browser.get(&world.app, &format!("/coordinator/series/{}", world.series_b)).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert!(!other.text.contains("Koulun työnohjaus"));
        let csrf = browser.csrf(&world.app, "/coordinator").await;
        let moved = browser
            .post(
                &world.app,
                &format!("/coordinator/sessions/{}/move", world.session_b),
                &[("csrf", &csrf), ("date", "2027-01-14"), ("time", "10:00")],
            )
            .await;
        assert_eq!(moved.status, StatusCode::NOT_FOUND);
        // Nor the supervisor's or a made-up series.
        assert_eq!(
            browser.get(&world.app, &format!("/coordinator/series/{}", Uuid::now_v7())).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            browser.get(&world.app, &format!("/supervisor/sessions/{}", world.session_a)).await.status,
            StatusCode::FORBIDDEN
        );
        world.close().await;
    }
}

#[tokio::test]
async fn a_participant_does_not_see_the_supervisors_private_note() {
    for world in worlds().await {
        let supervisor = Caller::Supervisor { supervisor_id: world.supervisor_id };
        let now = world.now();
        let private = NewNote { text: "Yksityinen havainto ryhmästä".into(), visibility: NoteVisibility::Supervisor };
        let shared =
            NewNote { text: "Sovittiin kokeilusta vuoronvaihdossa".into(), visibility: NoteVisibility::Participants };
        world.store.create_note(&supervisor, world.session_a, &private, now).await.unwrap();
        world.store.create_note(&supervisor, world.session_a, &shared, now).await.unwrap();

        let mut participant = Browser::default();
        participant.sign_in(&world, world.participant_email).await;
        let page = participant.get(&world.app, &format!("/me/sessions/{}", world.session_a)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Sovittiin kokeilusta vuoronvaihdossa"));
        assert!(!page.text.contains("Yksityinen havainto"));
        let home = participant.get(&world.app, "/me").await;
        assert!(home.text.contains("Osaston työnohjaus"));
        assert!(!home.text.contains("Yksityinen havainto"));
        // Nor through the supervisor's page.
        let theirs = participant.get(&world.app, &format!("/supervisor/sessions/{}", world.session_a)).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);

        let mut anna = Browser::default();
        anna.sign_in(&world, world.supervisor_email).await;
        let page = anna.get(&world.app, &format!("/supervisor/sessions/{}", world.session_a)).await;
        assert!(page.text.contains("Yksityinen havainto ryhmästä"));
        world.close().await;
    }
}

#[tokio::test]
async fn a_participant_downloads_their_data_and_reading_notes_on_a_page_is_audited() {
    for world in worlds().await {
        let supervisor = Caller::Supervisor { supervisor_id: world.supervisor_id };
        let shared = NewNote { text: "Jaettu havainto".into(), visibility: NoteVisibility::Participants };
        world.store.create_note(&supervisor, world.session_a, &shared, world.now()).await.unwrap();

        let mut participant = Browser::default();
        participant.sign_in(&world, world.participant_email).await;
        let home = participant.get(&world.app, "/me").await;
        assert!(home.text.contains("action=\"/me/export.json\""), "the button is on the page");
        let download = participant.get(&world.app, "/me/export.json").await;
        assert_eq!(download.status, StatusCode::OK);
        assert!(download.content_type.starts_with("application/json"), "{}", download.content_type);
        assert!(download.text.contains(world.participant_email), "{}", download.text);
        assert!(!download.text.contains("Jaettu havainto"), "notes are the supervisor's");
        participant.get(&world.app, &format!("/me/sessions/{}", world.session_a)).await;

        let log =
            world.store.list_audit(&Caller::Admin, None, &ohjaus_store::page::Page::first(50)).await.unwrap().items;
        let actions: Vec<_> = log.iter().map(|e| (e.action, e.actor_role.as_str())).collect();
        use ohjaus_store::write::privacy::AuditAction;
        assert_eq!(actions, [(AuditAction::Export, "participant"), (AuditAction::NoteRead, "participant")]);
        // A supervisor has no export of their own here.
        let mut anna = Browser::default();
        anna.sign_in(&world, world.supervisor_email).await;
        assert_ne!(anna.get(&world.app, "/me/export.json").await.status, StatusCode::OK);
        world.close().await;
    }
}

#[tokio::test]
async fn a_coordinator_previews_is_told_of_conflicts_books_and_moves() {
    for world in worlds().await {
        let mut browser = Browser::default();
        browser.sign_in(&world, world.coordinator_email).await;
        let csrf = browser.csrf(&world.app, "/coordinator/book").await;
        let supervisor = world.supervisor_id.to_string();
        let people = browser.get(&world.app, "/coordinator/people").await;
        assert!(people.text.contains("Liisa Korhonen"));
        let liisa = world.participant_id;
        let form = |date: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("title", "Uusi sarja".to_owned()),
                ("kind", "group_supervision".to_owned()),
                ("supervisor_id", supervisor.clone()),
                ("person", liisa.to_string()),
                ("date", date.to_owned()),
                ("time", "13:00".to_owned()),
                ("duration", "90".to_owned()),
                ("frequency", "weekly".to_owned()),
                ("interval", "2".to_owned()),
                ("count", "3".to_owned()),
                ("holiday_policy", "skip".to_owned()),
            ]
        };
        let busy = form("2027-01-12");
        let preview = browser.post(&world.app, "/coordinator/book/preview", &to_refs(&busy)).await;
        assert_eq!(preview.status, StatusCode::OK);
        assert!(preview.text.contains("Ohjaajalla on jo tapaaminen"), "{}", preview.text);
        assert!(preview.text.contains("Ehdotetut ajat"));
        let refused = browser.post(&world.app, "/coordinator/book", &to_refs(&busy)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);

        let free = form("2027-01-14");
        let booked = browser.post(&world.app, "/coordinator/book", &to_refs(&free)).await;
        assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.text);
        let series_path = booked.location.unwrap();
        let page = browser.get(&world.app, &series_path).await;
        assert!(page.text.contains("Uusi sarja"));

        // Moving its first session onto the supervisor's other session is explained; elsewhere it moves.
        let series_id: Uuid =
            series_path.trim_start_matches("/coordinator/series/").split('?').next().unwrap().parse().unwrap();
        let coordinator = world.store.list_sessions(&Caller::Admin, series_id).await.unwrap();
        let first = coordinator[0].id;
        let clash = browser
            .post(
                &world.app,
                &format!("/coordinator/sessions/{first}/move"),
                &[("csrf", &csrf), ("date", "2027-01-12"), ("time", "13:30")],
            )
            .await;
        assert_eq!(clash.status, StatusCode::CONFLICT);
        assert!(clash.text.contains("Ohjaajalla on jo tapaaminen"));
        let moved = browser
            .post(
                &world.app,
                &format!("/coordinator/sessions/{first}/move"),
                &[("csrf", &csrf), ("date", "2027-01-15"), ("time", "09:00")],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER);
        let after = world.store.get_session(&Caller::Admin, first).await.unwrap();
        assert_eq!(after.starts_at.format("%Y-%m-%dT%H:%M").to_string(), "2027-01-15T09:00");
        world.close().await;
    }
}

fn to_refs<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The coordinator's booking form chooses a co-supervisor: a time that suits the supervisor but
/// not the co-supervisor is explained as a conflict naming the co-supervisor; a free one books
/// the series, whose page shows both supervisors.
#[tokio::test]
async fn a_coordinator_books_with_a_co_supervisor() {
    for world in worlds().await {
        let now = utc("2027-01-04T08:00:00Z");
        let bo = world
            .store
            .create_supervisor(
                &Caller::Admin,
                &NewSupervisor {
                    name: "Bo Öberg".into(),
                    email: "bo@ohjaus.example".into(),
                    locale: None,
                    timezone: None,
                    buffer_minutes: None,
                    working_hours: None,
                },
                now,
            )
            .await
            .unwrap();
        let organization = world.store.get_series(&Caller::Admin, world.series_a).await.unwrap().series.organization_id;
        // Bo is busy on Tuesday 19 January at 13:00.
        let mut busy_body = body(organization, bo.id, vec![world.participant_id], "Bon oma", "2027-01-19T13:00");
        busy_body.recurrence.count = Some(1);
        world.store.book_series(&Caller::Admin, &busy_body, now).await.unwrap();

        let mut browser = Browser::default();
        browser.sign_in(&world, world.coordinator_email).await;
        let page = browser.get(&world.app, "/coordinator/book").await;
        assert!(page.text.contains("name=\"co_supervisor_id\""), "the form offers a co-supervisor");
        let csrf = browser.csrf(&world.app, "/coordinator/book").await;
        let form = |date: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("title", "Pariohjaus".to_owned()),
                ("kind", "group_supervision".to_owned()),
                ("supervisor_id", world.supervisor_id.to_string()),
                ("co_supervisor_id", bo.id.to_string()),
                ("person", world.participant_id.to_string()),
                ("date", date.to_owned()),
                ("time", "13:00".to_owned()),
                ("duration", "90".to_owned()),
                ("frequency", "weekly".to_owned()),
                ("interval", "1".to_owned()),
                ("count", "1".to_owned()),
                ("holiday_policy", "skip".to_owned()),
            ]
        };
        let clash = form("2027-01-19");
        let preview = browser.post(&world.app, "/coordinator/book/preview", &to_refs(&clash)).await;
        assert_eq!(preview.status, StatusCode::OK);
        assert!(
            preview.text.contains("Ohjaajalla on jo tapaaminen") && preview.text.contains("Bo Öberg"),
            "{}",
            preview.text
        );
        let refused = browser.post(&world.app, "/coordinator/book", &to_refs(&clash)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);

        let free = form("2027-01-21");
        let booked = browser.post(&world.app, "/coordinator/book", &to_refs(&free)).await;
        assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.text);
        let page = browser.get(&world.app, &booked.location.unwrap()).await;
        assert!(page.text.contains("Anna Virtanen ja Bo Öberg"), "{}", page.text);
        world.close().await;
    }
}

#[tokio::test]
async fn a_coordinator_adds_rotates_disables_a_webhook_and_sees_its_failures() {
    for world in worlds().await {
        let mut browser = Browser::default();
        browser.sign_in(&world, world.coordinator_email).await;
        let page = browser.get(&world.app, "/coordinator/webhooks").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = csrf_of(&page.text);

        // A loopback address is refused with the reason; nothing is stored.
        let refused = browser
            .post(&world.app, "/coordinator/webhooks", &[("csrf", &csrf), ("url", "http://127.0.0.1:9000/hook")])
            .await;
        assert_eq!(refused.status, StatusCode::OK);
        assert!(refused.text.contains("private or local"), "{}", refused.text);
        assert!(world.store.list_webhook_endpoints(&Caller::Admin, None).await.unwrap().is_empty());

        // Added: the secret is on this answer only.
        let added = browser
            .post(
                &world.app,
                "/coordinator/webhooks",
                &[
                    ("csrf", &csrf),
                    ("url", "https://hr.osasto5.example/ohjaus"),
                    ("description", "HR"),
                    ("event_types", "series.booked"),
                    ("event_types", "session.cancelled"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK);
        let start = added.text.find("whsec_").expect("the secret shown");
        let secret: String = added.text[start..].chars().take_while(|c| !matches!(c, '<' | '"')).collect();
        let endpoints = world.store.list_webhook_endpoints(&Caller::Admin, None).await.unwrap();
        assert_eq!(endpoints.len(), 1);
        let id = endpoints[0].id;
        assert_eq!(endpoints[0].event_types, ["series.booked", "session.cancelled"]);
        let again = browser.get(&world.app, "/coordinator/webhooks").await;
        assert!(again.text.contains("hr.osasto5.example") && !again.text.contains(&secret));

        // A failing delivery shows with its answer.
        browser.post(&world.app, &format!("/coordinator/webhooks/{id}/test"), &[("csrf", &csrf)]).await;
        let claimed = world.store.claim_webhook_deliveries("w", 10, TimeDelta::minutes(2), world.now()).await.unwrap();
        let result = ohjaus_store::outbox::webhook_deliveries::DeliveryResult {
            id: claimed[0].id,
            status_code: Some(503),
            delivered: false,
            error: Some("the endpoint answered 503".into()),
            duration_ms: 12,
            response: None,
            retry_after: None,
        };
        world.store.finish_webhook_deliveries("w", &[result], world.now()).await.unwrap();
        let failing = browser.get(&world.app, "/coordinator/webhooks").await;
        assert!(failing.text.contains("webhook.test") && failing.text.contains("503"), "{}", failing.text);

        // Rotated: a new secret, shown once.
        let rotated = browser.post(&world.app, &format!("/coordinator/webhooks/{id}/rotate"), &[("csrf", &csrf)]).await;
        assert_eq!(rotated.status, StatusCode::OK);
        assert!(rotated.text.contains("whsec_") && !rotated.text.contains(&secret));

        // Disabled, and enabled again.
        let off = browser
            .post(&world.app, &format!("/coordinator/webhooks/{id}/enabled"), &[("csrf", &csrf), ("enabled", "false")])
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        assert!(!world.store.get_webhook_endpoint(&Caller::Admin, id).await.unwrap().enabled);
        browser
            .post(&world.app, &format!("/coordinator/webhooks/{id}/enabled"), &[("csrf", &csrf), ("enabled", "true")])
            .await;
        assert!(world.store.get_webhook_endpoint(&Caller::Admin, id).await.unwrap().enabled);
        world.close().await;
    }
}
