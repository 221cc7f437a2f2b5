//! Bad input answers 4xx problem+json, names the field, and writes nothing: every table's row
//! count is the same after the request. A first start in a daylight-saving gap is not bad
//! input: it moves forward by the gap, and the answer shows the moved time.

use crate::api_test;
use crate::support::{Answer, BODY_LIMIT, TestApp};
use crate::world::{World, series_body};
use axum::http::Method;
use serde_json::{Value, json};

/// Sends raw bytes as JSON and checks the refusal: `status`, the field named (for 422), and
/// nothing written.
#[allow(clippy::too_many_arguments, reason = "a test helper that reads as the request it sends")]
async fn refused_bytes(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    status: u16,
    field: Option<&str>,
) -> Answer {
    let before = app.counts().await;
    let bearer = format!("Bearer {token}");
    let mut all = vec![("authorization", bearer.as_str())];
    all.extend_from_slice(headers);
    let answer = app.raw(method.clone(), path, &all, body).await;
    answer.problem(status);
    if let Some(field) = field {
        assert!(
            answer.fields().iter().any(|f| f == field),
            "{method} {path}: expected field {field}, got {}",
            answer.text
        );
    }
    assert_eq!(app.counts().await, before, "{method} {path} wrote rows: {}", answer.text);
    answer
}

/// Sends `body` as JSON and checks the refusal.
async fn refused(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
    status: u16,
    field: Option<&str>,
) -> Answer {
    let bytes = serde_json::to_vec(body).unwrap();
    refused_bytes(app, method, path, token, &[("content-type", "application/json")], bytes, status, field).await
}

/// `value` with `pointer`'s member set to `new` (the pointer's parent must exist).
fn with(value: &Value, pointer: &str, new: Value) -> Value {
    let mut value = value.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_owned(), new);
    value
}

api_test! {
    async fn series_bodies(app: TestApp) {
        let w = World::build(app).await;
        let coordinator = w.token("coordinator").unwrap();
        let good = series_body(&w, "2027-04-06T10:00", 3);
        let long = "x".repeat(100_000);
        let bad: Vec<(&str, Value, &str)> = vec![
            ("/timezone", json!("Mars/Olympus"), "timezone"),
            ("/timezone", json!(""), "timezone"),
            ("/recurrence/count", json!(0), "recurrence.count"),
            ("/recurrence/count", json!(10_000), "recurrence.count"),
            ("/recurrence/interval", json!(0), "recurrence.interval"),
            ("/recurrence/frequency", json!("daily"), "recurrence.frequency"),
            ("/duration_minutes", json!(0), "duration_minutes"),
            ("/duration_minutes", json!(10_000), "duration_minutes"),
            ("/kind", json!("therapy"), "kind"),
            ("/holiday_policy", json!("ignore"), "holiday_policy"),
            ("/title", json!("Osasto 5\r\nBcc: everyone@example.fi"), "title"),
            ("/title", json!("Osasto\n5"), "title"),
            ("/title", json!(long), "title"),
            ("/title", json!("Osasto\u{0}5"), "title"),
            ("/title", json!("   "), "title"),
            ("/location", json!("Huone\r\n2"), "location"),
            ("/video_url", json!("javascript:alert(1)"), "video_url"),
            ("/first_start", json!("2027-04-06T10:00+03:00"), "first_start"),
            ("/first_start", json!("2026-12-01T10:00"), "first_start"),
            ("/first_start", json!("tomorrow"), "first_start"),
            ("/cancellation_notice_hours", json!(-1), "cancellation_notice_hours"),
            ("/team_id", json!(w.team_b), "team_id"),
            ("/supervisor_id", json!(uuid::Uuid::now_v7()), "supervisor_id"),
        ];
        for (pointer, value, field) in bad {
            let body = with(&good, pointer, value);
            refused(app, Method::POST, "/api/v1/series", coordinator, &body, 422, Some(field)).await;
            refused(app, Method::POST, "/api/v1/series/preview", coordinator, &body, 422, Some(field)).await;
        }
        // People of another organization, named or as a team.
        let mut named = good.clone();
        named.as_object_mut().unwrap().remove("team_id");
        named["participant_ids"] = json!([w.p1, w.q1]);
        refused(app, Method::POST, "/api/v1/series", w.admin(), &named, 422, Some("participant_ids[1]")).await;
        // Every wrong field at once is named.
        let mut many = with(&good, "/kind", json!("therapy"));
        many = with(&many, "/duration_minutes", json!(0));
        many = with(&many, "/timezone", json!("Nowhere/Else"));
        let answer = refused(app, Method::POST, "/api/v1/series", coordinator, &many, 422, None).await;
        assert_eq!(answer.fields(), ["kind", "timezone", "duration_minutes"]);
        // Shape errors: unknown fields, wrong types, missing fields.
        refused(app, Method::POST, "/api/v1/series", coordinator, &with(&good, "/colour", json!("red")), 422, Some("colour")).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &with(&good, "/recurrence/weekday", json!("tue")), 422, Some("recurrence.weekday")).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &with(&good, "/duration_minutes", json!("90")), 422, Some("duration_minutes")).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &with(&good, "/recurrence/count", json!(2.5)), 422, Some("recurrence.count")).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &with(&good, "/team_id", json!("not-a-uuid")), 422, Some("team_id")).await;
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("title");
        refused(app, Method::POST, "/api/v1/series", coordinator, &missing, 422, Some("title")).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &json!([good]), 422, None).await;
        refused(app, Method::POST, "/api/v1/series", coordinator, &json!(null), 422, None).await;
        // A coordinator of another organization books nothing in A, and learns nothing of it.
        refused(app, Method::POST, "/api/v1/series", w.token("other_coordinator").unwrap(), &good, 404, None).await;
        // And the good body books.
        app.post("/api/v1/series", coordinator, &good).await.expect(201);
    }
}

api_test! {
    async fn names_and_texts(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let long = "Ö".repeat(100_000);
        for name in [json!("Osasto\r\n5"), json!("a\nb"), json!(long), json!("nul\u{0}here"), json!("esc\u{1b}[31m"), json!(""), json!(42)] {
            refused(app, Method::POST, "/api/v1/organizations", admin, &json!({"name": name}), 422, Some("name")).await;
            let person = json!({"name": name, "email": "x@sairaala.test"});
            refused(app, Method::POST, &format!("/api/v1/organizations/{}/people", w.org_a), admin, &person, 422, Some("name")).await;
            let supervisor = json!({"name": name, "email": "y@ohjaus.test"});
            refused(app, Method::POST, "/api/v1/supervisors", admin, &supervisor, 422, Some("name")).await;
            refused(app, Method::POST, &format!("/api/v1/organizations/{}/teams", w.org_a), admin, &json!({"name": name}), 422, Some("name")).await;
        }
        for email in ["not an address", "a@b", "x@sairaala.test\r\nBcc: y@z.fi", ""] {
            let person = json!({"name": "Nimi", "email": email});
            refused(app, Method::POST, &format!("/api/v1/organizations/{}/people", w.org_a), admin, &person, 422, Some("email")).await;
        }
        let orgs = "/api/v1/organizations";
        refused(app, Method::POST, orgs, admin, &json!({"name": "X", "timezone": "Mars/Olympus"}), 422, Some("timezone")).await;
        refused(app, Method::POST, orgs, admin, &json!({"name": "X", "locale": "de"}), 422, Some("locale")).await;
        // Notes, goals and reviews: prose may span lines but holds no other control characters.
        let s1 = w.token("supervisor").unwrap();
        let notes = format!("/api/v1/sessions/{}/notes", w.sessions_x[0]);
        refused(app, Method::POST, &notes, s1, &json!({"text": "a\u{0}b", "visibility": "supervisor"}), 422, Some("text")).await;
        refused(app, Method::POST, &notes, s1, &json!({"text": "x".repeat(10_001), "visibility": "supervisor"}), 422, Some("text")).await;
        refused(app, Method::POST, &notes, s1, &json!({"text": "x", "visibility": "everyone"}), 422, Some("visibility")).await;
        app.post(&notes, s1, &json!({"text": "Rivi 1\r\nRivi 2", "visibility": "supervisor"})).await.expect(201);
        let goals = format!("/api/v1/series/{}/goals", w.series_x);
        refused(app, Method::POST, &goals, s1, &json!({"text": "x".repeat(2_001)}), 422, Some("text")).await;
        refused(app, Method::POST, &goals, s1, &json!({"text": "Tavoite", "focus": "money"}), 422, Some("focus")).await;
        let reviews = format!("/api/v1/goals/{}/reviews", w.goal_shared);
        for rating in [0, 6, -1] {
            refused(app, Method::POST, &reviews, s1, &json!({"phase": "final", "rating": rating}), 422, Some("rating")).await;
        }
        refused(app, Method::POST, &reviews, s1, &json!({"phase": "later", "rating": 3}), 422, Some("phase")).await;
        // S1 reviewed the shared goal at the start already: the review is there (409).
        refused(app, Method::POST, &reviews, s1, &json!({"phase": "start", "rating": 3}), 409, Some("phase")).await;
    }
}

api_test! {
    async fn bytes_that_are_not_json(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let orgs = "/api/v1/organizations";
        let json_type = [("content-type", "application/json")];
        // Invalid UTF-8, a raw NUL and a raw line break inside a string, broken JSON, trailing data.
        for bytes in [
            b"{\"name\": \"\xff\xfe\"}".to_vec(),
            b"{\"name\": \"a\x00b\"}".to_vec(),
            b"{\"name\": \"a\r\nb\"}".to_vec(),
            b"{\"name\": ".to_vec(),
            b"{\"name\": \"x\"} {}".to_vec(),
            b"".to_vec(),
        ] {
            refused_bytes(app, Method::POST, orgs, admin, &json_type, bytes, 400, None).await;
        }
        // Not sent as JSON.
        let body = br#"{"name": "x"}"#.to_vec();
        refused_bytes(app, Method::POST, orgs, admin, &[("content-type", "text/plain")], body.clone(), 415, None).await;
        refused_bytes(app, Method::POST, orgs, admin, &[("content-type", "application/x-www-form-urlencoded")], body.clone(), 415, None).await;
        refused_bytes(app, Method::POST, orgs, admin, &[], body, 415, None).await;
        // Over the limit: 413 before anything is read.
        let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(BODY_LIMIT + 1));
        refused_bytes(app, Method::POST, orgs, admin, &json_type, huge.into_bytes(), 413, None).await;
        let huge = format!(r#"{{"reason": "{}"}}"#, "x".repeat(BODY_LIMIT * 2));
        let cancel = format!("/api/v1/series/{}/cancel", w.series_x);
        refused_bytes(app, Method::POST, &cancel, admin, &json_type, huge.into_bytes(), 413, None).await;
        // A cancellation may leave its body out; a body that is there must be JSON.
        refused_bytes(app, Method::POST, &cancel, admin, &[("content-type", "text/plain")], b"why".to_vec(), 415, None).await;
        let session = format!("/api/v1/sessions/{}/cancel", w.sessions_x[9]);
        let answer = app.call(Method::POST, &session, Some(admin), None).await;
        assert_eq!(answer.expect(200)["session"]["status"], "cancelled");
    }
}

api_test! {
    async fn ids_of_another_organization(app: TestApp) {
        let w = World::build(app).await;
        let coordinator = w.token("coordinator").unwrap();
        let admin = w.admin();
        let members = format!("/api/v1/teams/{}/members", w.team_a);
        refused(app, Method::PUT, &members, coordinator, &json!({"member_ids": [w.p1, w.q1]}), 422, Some("member_ids[1]")).await;
        refused(app, Method::PUT, &members, admin, &json!({"member_ids": [w.q1]}), 422, Some("member_ids[0]")).await;
        let teams = format!("/api/v1/organizations/{}/teams", w.org_a);
        refused(app, Method::POST, &teams, coordinator, &json!({"name": "T", "member_ids": [w.q1]}), 422, Some("member_ids[0]")).await;
        let participants = format!("/api/v1/series/{}/participants", w.series_x);
        refused(app, Method::PUT, &participants, coordinator, &json!({"team_id": w.team_b}), 422, Some("team_id")).await;
        refused(app, Method::PUT, &participants, coordinator, &json!({"participant_ids": [w.q1]}), 422, Some("participant_ids[0]")).await;
        let attendance = format!("/api/v1/sessions/{}/attendance", w.sessions_x[1]);
        let entries = json!({"entries": [{"person_id": w.q1, "status": "excused"}]});
        refused(app, Method::PUT, &attendance, w.token("supervisor").unwrap(), &entries, 422, Some("entries[0].person_id")).await;
        // Paths naming B's things answer as if they did not exist.
        for path in [
            format!("/api/v1/organizations/{}/people", w.org_b),
            format!("/api/v1/series/{}", w.series_y),
            format!("/api/v1/sessions/{}", w.sessions_y[0]),
            format!("/api/v1/teams/{}", w.team_b),
            format!("/api/v1/people/{}", w.q1),
        ] {
            app.get(&path, coordinator).await.problem(404);
        }
        let people = format!("/api/v1/organizations/{}/people", w.org_b);
        refused(app, Method::POST, &people, coordinator, &json!({"name": "X", "email": "x@koulu.test"}), 404, None).await;
        let slots = format!(
            "/api/v1/slots?supervisor_id={}&participant_ids={},{}&duration_minutes=60&count=3",
            w.sup1, w.p1, w.q1
        );
        let answer = app.get(&slots, coordinator).await;
        answer.problem(422);
        assert_eq!(answer.fields(), ["participant_ids[1]"]);
    }
}

api_test! {
    async fn query_parameters(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let s1 = w.token("supervisor").unwrap();
        let upcoming = format!("/api/v1/supervisors/{}/upcoming", w.sup1);
        for (query, field) in [
            ("days=0", "days"),
            ("days=367", "days"),
            ("days=-1", "days"),
            ("days=many", "days"),
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("limit=x", "limit"),
            ("cursor=nonsense", "cursor"),
            ("colour=red", "colour"),
        ] {
            let answer = app.get(&format!("{upcoming}?{query}"), s1).await;
            answer.problem(422);
            assert_eq!(answer.fields(), [field], "{query}: {}", answer.text);
        }
        app.get(&format!("{upcoming}?days=366&limit=200"), s1).await.expect(200);
        app.get("/api/v1/me/upcoming?days=0", s1).await.problem(422);
        for query in ["status=paused", "organization_id=nope", "limit=0"] {
            app.get(&format!("/api/v1/series?{query}"), admin).await.problem(422);
        }
        app.get("/api/v1/notifications?status=lost", admin).await.problem(422);
        let report = format!("/api/v1/organizations/{}/report", w.org_a);
        // Without a period the report covers the year up to today; `from` after today is wrong.
        for query in ["from=2027-02-01&to=2027-01-01", "from=2027-02-01", "from=2027-13-01&to=2027-12-31", "from=2000-01-01&to=2027-12-31"] {
            app.get(&format!("{report}?{query}"), admin).await.problem(422);
        }
        app.get(&report, admin).await.expect(200);
        let slots = format!("/api/v1/slots?supervisor_id={}&team_id={}", w.sup1, w.team_a);
        for query in ["duration_minutes=0&count=3", "duration_minutes=60&count=0", "duration_minutes=60&count=1000",
                      "duration_minutes=60&count=3&interval_weeks=0", "duration_minutes=60&count=3&limit=21",
                      "duration_minutes=60&count=3&timezone=Mars/Olympus", "duration_minutes=60&count=3&from=5719-05-06", "count=3"] {
            app.get(&format!("{slots}&{query}"), admin).await.problem(422);
        }
        // A path id that is not an id names nothing.
        app.get("/api/v1/series/not-a-uuid", admin).await.problem(404);
        app.get("/api/v1/goals/1", admin).await.problem(404);
    }
}

api_test! {
    async fn session_changes(app: TestApp) {
        let w = World::build(app).await;
        let s1 = w.token("supervisor").unwrap();
        let session = format!("/api/v1/sessions/{}", w.sessions_x[1]);
        for (body, field) in [
            (json!({}), "starts_at_local"),
            (json!({"duration_minutes": 0}), "duration_minutes"),
            (json!({"duration_minutes": 10_000}), "duration_minutes"),
            (json!({"starts_at_local": "2026-01-01T10:00"}), "starts_at_local"),
            (json!({"starts_at_local": "2027-01-19T25:00"}), "starts_at_local"),
            (json!({"location": "a\r\nb"}), "location"),
            (json!({"room": "b"}), "room"),
        ] {
            refused(app, Method::PATCH, &session, s1, &body, 422, Some(field)).await;
        }
        let replan = format!("/api/v1/series/{}/replan", w.series_x);
        refused(app, Method::POST, &replan, s1, &json!({"from_index": 99, "first_start": "2027-04-01T10:00"}), 422, Some("from_index")).await;
        refused(app, Method::POST, &replan, s1, &json!({"from_index": 5, "first_start": "2027-04-01T10:00", "duration_minutes": 5}), 422, Some("duration_minutes")).await;
        refused(app, Method::POST, &replan, s1, &json!({"from_index": 5, "first_start": "2027-04-01T10:00", "recurrence": {"frequency": "weekly", "count": 0}}), 422, Some("recurrence.count")).await;
        refused(app, Method::POST, &replan, s1, &json!({"from_index": -1, "first_start": "2027-04-01T10:00"}), 422, Some("from_index")).await;
        let hours = format!("/api/v1/supervisors/{}/working-hours", w.sup1);
        refused(app, Method::PUT, &hours, s1, &json!([{"weekday": "someday", "start": "08:00", "end": "16:00"}]), 422, Some("working_hours[0].weekday")).await;
        refused(app, Method::PUT, &hours, s1, &json!([{"weekday": "mon", "start": "16:00", "end": "08:00"}]), 422, Some("working_hours[0].end")).await;
        let absences = format!("/api/v1/supervisors/{}/absences", w.sup1);
        refused(app, Method::POST, &absences, s1, &json!({"starts_at": "2027-08-02T00:00:00Z", "ends_at": "2027-08-01T00:00:00Z"}), 422, Some("ends_at")).await;
        refused(app, Method::POST, &absences, s1, &json!({"starts_at": "2027-08-02", "ends_at": "2027-08-03T00:00:00Z"}), 422, Some("starts_at")).await;
    }
}

api_test! {
    async fn a_first_start_in_a_dst_gap_moves_forward(app: TestApp) {
        let w = World::build(app).await;
        // Clocks in Helsinki go from 03:00 to 04:00 on Sunday 28 March 2027 (Easter Sunday too,
        // so the holidays are kept).
        let mut body = series_body(&w, "2027-03-28T03:30", 2);
        body["holiday_policy"] = json!("keep");
        let preview = app.post("/api/v1/series/preview", w.admin(), &body).await;
        assert_eq!(preview.expect(200)["sessions"][0]["starts_at"], "2027-03-28T04:30:00+03:00");
        let booked = app.post("/api/v1/series", w.admin(), &body).await;
        let booked = booked.expect(201);
        assert_eq!(booked["sessions"][0]["starts_at"], "2027-03-28T04:30:00+03:00");
        assert_eq!(booked["sessions"][0]["ends_at"], "2027-03-28T06:00:00+03:00");
        // The rule keeps its wall time: the next week's session is at 03:30 summer time.
        assert_eq!(booked["sessions"][1]["starts_at"], "2027-04-04T03:30:00+03:00");
    }
}

api_test! {
    async fn webhook_addresses(app: TestApp) {
        let w = World::build(app).await;
        let coordinator = w.token("coordinator").unwrap();
        let path = format!("/api/v1/organizations/{}/webhooks", w.org_a);
        for url in [
            "http://127.0.0.1:9000/hook",
            "https://10.0.0.5/hook",
            "http://192.168.1.20/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://localhost:8080/hook",
            "ftp://hooks.sairaala.test/x",
            "https://user:secret@hooks.sairaala.test/x",
            "javascript:alert(1)",
        ] {
            refused(app, Method::POST, &path, coordinator, &json!({"url": url}), 422, Some("url")).await;
        }
        let types = json!({"url": "https://hooks.sairaala.test/x", "event_types": ["goal.written"]});
        refused(app, Method::POST, &path, coordinator, &types, 422, Some("event_types[0]")).await;
        let patch = format!("/api/v1/webhooks/{}", w.webhook_a);
        refused(app, Method::PATCH, &patch, coordinator, &json!({"url": "https://10.1.1.1/"}), 422, Some("url")).await;

        // The secret is answered once, when made, and never again.
        let made = app
            .call(Method::POST, &path, Some(coordinator), Some(&json!({"url": "https://hooks.sairaala.test/hr"})))
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
        let secret = made.json["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let id = made.json["id"].as_str().unwrap().to_owned();
        let read = app.call(Method::GET, &format!("/api/v1/webhooks/{id}"), Some(coordinator), None).await;
        assert_eq!(read.status, 200);
        assert!(read.json.get("secret").is_none() && !read.text.contains(&secret));
        let list = app.call(Method::GET, &path, Some(coordinator), None).await;
        assert!(!list.text.contains(&secret));
    }
}

api_test! {
    async fn bad_polls_and_votes_are_refused_and_write_nothing(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let path = format!("/api/v1/organizations/{}/polls", w.org_a);
        let good = crate::world::poll_json(&w);
        let option = good["options"][0].clone();
        for (body, field) in [
            (with(&good, "/options/1/recurrence/count", json!(0)), "options[1].recurrence.count"),
            (with(&good, "/options/0/first_start", json!("2026-01-05T10:00")), "options[0].first_start"),
            (with(&good, "/options", json!([option])), "options"),
            (with(&good, "/deadline", json!("2027-05-01T12:00:00+03:00")), "deadline"),
            (with(&good, "/team_id", json!(w.team_b)), "team_id"),
            (with(&good, "/title", json!("")), "title"),
        ] {
            refused(app, Method::POST, &path, admin, &body, 422, Some(field)).await;
        }
        refused(app, Method::POST, &path, admin, &with(&good, "/color", json!("red")), 422, None).await;

        // A vote: unknown fields and another poll's options are 422, a tampered link 404.
        let vote = format!("/api/v1/poll-votes/{}", w.vote_p1);
        let answers = json!({"answers": [{"option_id": w.poll_a_options[0], "answer": "yes"},
                                         {"option_id": w.poll_a_options[1], "answer": "maybe"}]});
        refused(app, Method::PUT, &vote, admin, &answers, 422, None).await;
        let foreign = json!({"answers": [{"option_id": w.poll_a_options[0], "answer": "yes"},
                                         {"option_id": w.series_x, "answer": "no"}]});
        refused(app, Method::PUT, &vote, admin, &foreign, 422, Some("answers[1].option_id")).await;
        let tampered = format!("/api/v1/poll-votes/{}x", w.vote_p1);
        let fine = json!({"answers": [{"option_id": w.poll_a_options[0], "answer": "yes"},
                                      {"option_id": w.poll_a_options[1], "answer": "no"}]});
        refused(app, Method::PUT, &tampered, admin, &fine, 404, None).await;

        // Choosing an option of no poll: 422; a decided poll refuses a second choice (409).
        let choose = format!("/api/v1/polls/{}/choose", w.poll_a);
        refused(app, Method::POST, &choose, admin, &json!({"option_id": w.series_x}), 422, Some("option_id")).await;
        app.call(Method::POST, &choose, Some(admin), Some(&json!({"option_id": w.poll_a_options[1]}))).await.expect(200);
        refused(app, Method::POST, &choose, admin, &json!({"option_id": w.poll_a_options[0]}), 409, None).await;
        refused(app, Method::PUT, &vote, admin, &fine, 409, None).await;
    }
}
