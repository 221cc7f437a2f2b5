//! What the answers hold: confidentiality across every readable endpoint and role, created
//! resources found at their `Location`, pages that follow their cursors, conflicts listed per
//! occurrence, and the calendar feed behind its private link.

use crate::api_test;
use crate::matrix::{cases, send};
use crate::support::Answer;
use crate::world::{ROLES, World, series_body};
use axum::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

api_test! {
    async fn nothing_confidential_leaks(app: TestApp) {
        let w = World::build(app).await;
        // What each text may be seen by.
        let texts = [
            ("Oma muistiinpano", vec!["supervisor"]),
            ("Yhteinen muistiinpano", vec!["supervisor", "participant"]),
            ("Oma jaksaminen", vec!["supervisor", "participant"]),
            ("Alussa", vec!["supervisor", "participant"]),
        ];
        let a_ids: Vec<String> = [w.org_a, w.series_x, w.p1, w.p2, w.team_a, w.goal_private, w.goal_shared, w.note_private, w.note_shared]
            .iter()
            .chain(&w.sessions_x)
            .map(ToString::to_string)
            .collect();
        // (A private link — a calendar feed, a poll's voting link — is its holder's whatever
        // token comes with it.)
        let private_link = |path: &str| path.starts_with("/calendar/") || path.starts_with("/api/v1/poll-votes/");
        for case in cases().iter().filter(|c| c.method == "GET" && !private_link(c.path)) {
            for role in ROLES {
                let answer = send(app, &w, case, role).await;
                for (text, readers) in &texts {
                    assert!(
                        readers.contains(&role) || !answer.text.contains(text),
                        "{} {} shows {text:?} to {role}",
                        case.method,
                        case.path
                    );
                }
                if ["other_coordinator", "other_supervisor"].contains(&role) {
                    for id in &a_ids {
                        assert!(!answer.text.contains(id), "{} {} shows an id of A to {role}", case.method, case.path);
                    }
                }
                if role == "outsider" {
                    for id in a_ids.iter().filter(|id| **id != w.org_a.to_string() && **id != w.p2.to_string()) {
                        assert!(!answer.text.contains(id), "{} {} shows series X to P2", case.method, case.path);
                    }
                }
            }
        }
    }
}

api_test! {
    async fn created_resources_are_at_their_location(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let s1 = w.token("supervisor").unwrap();
        let created: Vec<(&str, String, Value)> = vec![
            (admin, "/api/v1/organizations".into(), json!({"name": "Uusi sairaala", "timezone": "Europe/Stockholm", "locale": "sv"})),
            (admin, "/api/v1/supervisors".into(), json!({"name": "Cecilia", "email": format!("cecilia.{}@ohjaus.test", w.n),
                "buffer_minutes": 30, "working_hours": [{"weekday": "mon", "start": "08:00", "end": "16:00"}]})),
            (admin, format!("/api/v1/organizations/{}/people", w.org_a), json!({"name": "Uusi", "email": "uusi@sairaala.test"})),
            (admin, format!("/api/v1/organizations/{}/teams", w.org_a), json!({"name": "Yö", "member_ids": [w.p1, w.p2]})),
            (admin, format!("/api/v1/organizations/{}/closures", w.org_a), json!({"start_date": "2027-12-24", "end_date": "2027-12-26"})),
            (s1, format!("/api/v1/supervisors/{}/absences", w.sup1), json!({"starts_at": "2027-09-01T06:00:00Z", "ends_at": "2027-09-01T12:00:00Z"})),
            (admin, "/api/v1/series".into(), series_body(&w, "2027-04-07T10:00", 4)),
            (s1, format!("/api/v1/series/{}/goals", w.series_x), json!({"text": "Tavoite", "focus": "wellbeing"})),
            (s1, format!("/api/v1/sessions/{}/notes", w.sessions_x[0]), json!({"text": "Muistiin", "visibility": "participants"})),
            (s1, format!("/api/v1/goals/{}/reviews", w.goal_private), json!({"phase": "start", "rating": 3, "comment": "Hyvä alku"})),
        ];
        for (token, path, body) in created {
            let answer = app.post(&path, token, &body).await;
            let record = answer.expect(201).clone();
            let location = answer.headers.get("location").unwrap().to_str().unwrap().to_owned();
            assert!(location.ends_with(record["id"].as_str().unwrap()), "{path}: {location}");
            let found = app.get(&location, token).await;
            assert_eq!(found.expect(200), &record, "{path}: what {location} answers");
        }
        let link = app.call(Method::POST, "/api/v1/me/calendar-token", Some(s1), None).await;
        let url = link.expect(201)["url"].as_str().unwrap().to_owned();
        assert_eq!(link.headers.get("location").unwrap(), url.as_str());
    }
}

api_test! {
    async fn pages_follow_their_cursors(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        for i in 0..7 {
            let person = json!({"name": format!("Henkilö {i}"), "email": format!("h{i}@sairaala.test")});
            app.post(&format!("/api/v1/organizations/{}/people", w.org_a), admin, &person).await.expect(201);
        }
        let all = |path: String| async move {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let separator = if path.contains('?') { '&' } else { '?' };
                let page = match &cursor {
                    Some(cursor) => format!("{path}{separator}limit=3&cursor={cursor}"),
                    None => format!("{path}{separator}limit=3"),
                };
                let answer = app.get(&page, admin).await;
                let body = answer.expect(200);
                let items = body["items"].as_array().unwrap();
                assert!(items.len() <= 3);
                seen.extend(items.iter().cloned());
                match body["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => return seen,
                }
            }
        };
        let people = all(format!("/api/v1/organizations/{}/people", w.org_a)).await;
        let ids: BTreeSet<&str> = people.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!((people.len(), ids.len()), (9, 9), "seven new people and P1, P2, each once");
        let sessions = all(format!("/api/v1/series/{}/sessions", w.series_x)).await;
        let indexes: Vec<u64> = sessions.iter().map(|s| s["index"].as_u64().unwrap()).collect();
        assert_eq!(indexes, (1..=10).collect::<Vec<_>>());
        let upcoming = all(format!("/api/v1/supervisors/{}/upcoming?days=30", w.sup1)).await;
        assert_eq!(upcoming.len(), 4, "four sessions of X in the next thirty days");
        assert_eq!(upcoming[0]["series_title"], format!("Osasto 5 työnohjaus {}", w.n));
        let series = all("/api/v1/series".into()).await;
        assert!(series.iter().any(|s| s["id"] == w.series_x.to_string()));
    }
}

api_test! {
    async fn a_conflicting_booking_lists_every_occurrence(app: TestApp) {
        let w = World::build(app).await;
        let before = app.counts().await;
        // Four Tuesdays at 13:30 while S1 and P1 are in series X from 13:00 to 14:30.
        let answer = app.post("/api/v1/series", w.admin(), &series_body(&w, "2027-01-12T13:30", 4)).await;
        let problem = answer.problem(409);
        let conflicts = problem["conflicts"].as_array().unwrap();
        let occurrences: BTreeSet<u64> = conflicts.iter().map(|c| c["index"].as_u64().unwrap()).collect();
        assert_eq!(occurrences, (1..=4).collect());
        let reasons: BTreeSet<&str> = conflicts.iter().map(|c| c["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["participant_busy", "supervisor_busy"].into_iter().collect());
        assert_eq!(conflicts[0]["starts_at"], "2027-01-12T13:30:00+02:00");
        assert_eq!(app.counts().await, before);
        // Moving a session onto another one of the same people is refused the same way.
        let moved = app
            .patch(&format!("/api/v1/sessions/{}", w.sessions_x[1]), w.admin(), &json!({"starts_at_local": "2027-01-26T13:00"}))
            .await;
        assert_eq!(moved.problem(409)["conflicts"][0]["starts_at"], "2027-01-26T13:00:00+02:00");
        // A cancellation in time with a make-up appends one after the last session.
        let cancelled = app
            .post(&format!("/api/v1/sessions/{}/cancel", w.sessions_x[2]), w.admin(), &json!({"replace": true}))
            .await;
        let cancelled = cancelled.expect(200);
        assert_eq!(cancelled["session"]["late_cancellation"], false);
        assert_eq!(cancelled["makeup"]["index"], 11);
        // What the state refuses is a conflict too: a cancelled session or series does not change.
        let again = app.post(&format!("/api/v1/sessions/{}/cancel", w.sessions_x[2]), w.admin(), &json!({})).await;
        assert_eq!(again.problem(409)["type"], "urn:ohjaus:problem:state");
        let cancel = format!("/api/v1/series/{}/cancel", w.series_x);
        app.post(&cancel, w.admin(), &json!({"reason": "Budjetti"})).await.expect(200);
        let again = app.post(&cancel, w.admin(), &json!({})).await;
        assert_eq!(again.problem(409)["errors"][0]["field"], "series");
    }
}

api_test! {
    async fn the_calendar_feed_follows_its_link(app: TestApp) {
        let w = World::build(app).await;
        let p1 = w.token("participant").unwrap();
        let link = app.call(Method::POST, "/api/v1/me/calendar-token", Some(p1), None).await;
        let url = link.expect(201)["url"].as_str().unwrap().to_owned();
        let path = url.strip_prefix("http://ohjaus.test").unwrap().to_owned();
        assert!(path.starts_with("/calendar/ohjcal_") && path.ends_with(".ics"), "{url}");
        let feed = app.call(Method::GET, &path, None, None).await;
        assert_eq!(feed.status, 200);
        assert!(feed.content_type().starts_with("text/calendar"));
        assert!(feed.text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(feed.text.contains("METHOD:PUBLISH\r\n"));
        assert!(feed.text.contains(&format!("Osasto 5 työnohjaus {}", w.n)));
        assert!(!feed.text.contains("muistiinpano"), "no notes in a calendar");
        // The world's earlier link was replaced by the new one.
        app.call(Method::GET, &format!("/calendar/{}.ics", w.feed_p1), None, None).await.problem(404);
        let revoked = app.call(Method::DELETE, "/api/v1/me/calendar-token", Some(p1), None).await;
        assert_eq!(revoked.status, 204);
        app.call(Method::GET, &path, None, None).await.problem(404);
        for wrong in ["/calendar/ohjcal_nothing.ics", "/calendar/x.ics", &path.replace(".ics", "")] {
            app.call(Method::GET, wrong, None, None).await.problem(404);
        }
    }
}

api_test! {
    async fn the_feed_answers_not_modified_until_something_changes(app: TestApp) {
        let w = World::build(app).await;
        let feed = format!("/calendar/{}.ics", w.feed_p1);
        let first = app.call(Method::GET, &feed, None, None).await;
        assert_eq!(first.status, 200);
        let header = |answer: &Answer, name: &str| {
            answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
        };
        let etag = header(&first, "etag");
        let last_modified = header(&first, "last-modified");
        assert!(etag.starts_with('"') && etag.len() > 10, "a strong validator: {etag}");
        assert!(last_modified.ends_with(" GMT"), "{last_modified}");
        assert_eq!(header(&first, "cache-control"), "private, max-age=300");
        // DTSTAMP is the data's last change (its Last-Modified), never the time of the request.
        let changed = chrono::DateTime::parse_from_rfc2822(&last_modified.replace("GMT", "+0000")).unwrap();
        assert!(first.text.contains(&format!("DTSTAMP:{}\r\n", changed.format("%Y%m%dT%H%M%SZ"))), "{}", first.text);
        let conditional = |headers: Vec<(&'static str, String)>| {
            let feed = feed.clone();
            async move {
                let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                app.raw(Method::GET, &feed, &headers, Vec::new()).await
            }
        };
        let same = conditional(vec![("if-none-match", etag.clone())]).await;
        assert_eq!(same.status, 304);
        assert!(same.text.is_empty());
        assert_eq!(header(&same, "etag"), etag);
        let listed = conditional(vec![("if-none-match", format!("\"other\", W/{etag}"))]).await;
        assert_eq!(listed.status, 304, "weak comparison over a list");
        assert_eq!(conditional(vec![("if-none-match", "\"other\"".into())]).await.status, 200);
        assert_eq!(conditional(vec![("if-modified-since", last_modified.clone())]).await.status, 304);
        assert_eq!(
            conditional(vec![("if-modified-since", "Mon, 04 Jan 2027 07:00:00 GMT".into())]).await.status,
            200,
            "an older copy"
        );
        // If-None-Match decides when both are sent.
        let both = vec![("if-none-match", "\"other\"".into()), ("if-modified-since", last_modified.clone())];
        assert_eq!(conditional(both).await.status, 200);

        // A change shows at once: the session moves, the validator changes.
        app.patch(&format!("/api/v1/sessions/{}", w.sessions_x[3]), w.admin(), &json!({"starts_at_local": "2027-02-02T15:00"}))
            .await
            .expect(200);
        let moved = conditional(vec![("if-none-match", etag.clone())]).await;
        assert_eq!(moved.status, 200, "the old copy is out of date");
        assert_ne!(header(&moved, "etag"), etag);
        assert!(moved.text.contains("DTSTART;TZID=Europe/Helsinki:20270202T150000"), "{}", moved.text);
        // A write elsewhere retires the kept feed, and the same data renders the same text.
        app.post("/api/v1/organizations", w.admin(), &json!({"name": "Toinen"})).await.expect(201);
        let again = conditional(vec![("if-none-match", header(&moved, "etag"))]).await;
        assert_eq!(again.status, 304, "rendered again, the same validator");
    }
}

api_test! {
    async fn health_and_metrics(app: TestApp) {
        assert_eq!(app.call(Method::GET, "/healthz", None, None).await.text, "ok");
        assert_eq!(app.call(Method::GET, "/readyz", None, None).await.text, "ready");
        app.call(Method::GET, "/api/v1/series/x", None, None).await.problem(401);
        let metrics = app.call(Method::GET, "/metrics", None, None).await;
        assert!(metrics.content_type().starts_with("text/plain"));
        assert!(metrics.text.contains(r#"route="/api/v1/series/{id}",status="401""#), "{}", metrics.text);
        assert!(metrics.text.contains(r#"ohjaus_outbox_notifications{status="queued"}"#));
    }
}

api_test! {
    async fn the_report_comes_as_csv_when_asked(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.admin();
        let report = format!("/api/v1/organizations/{}/report?from=2027-01-01&to=2027-12-31", w.org_a);
        let json = app.get(&report, admin).await.expect(200).clone();
        let series: Vec<&Value> = json["teams"].as_array().unwrap().iter().flat_map(|t| t["series"].as_array().unwrap()).collect();
        assert!(!series.is_empty(), "{json}");
        let bearer = format!("Bearer {admin}");
        let by_query = app.raw(Method::GET, &format!("{report}&format=csv"), &[("authorization", &bearer)], Vec::new()).await;
        let by_accept = app
            .raw(Method::GET, &report, &[("authorization", &bearer), ("accept", "text/csv, application/json;q=0.5")], Vec::new())
            .await;
        for answer in [&by_query, &by_accept] {
            assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
            assert_eq!(answer.content_type(), "text/csv; charset=utf-8");
            let lines: Vec<&str> = answer.text.split("\r\n").filter(|l| !l.is_empty()).collect();
            assert!(lines[0].starts_with("team,series,kind,status,contracted"), "{}", answer.text);
            assert_eq!(lines.len(), series.len() + 1, "{}", answer.text);
            for s in &series {
                let title = s["title"].as_str().unwrap();
                let held = s["figures"]["held"].as_u64().unwrap();
                assert!(lines.iter().any(|l| l.contains(title) && l.split(',').nth(6) == Some(&held.to_string())), "{title}");
            }
        }
        assert_eq!(by_query.text, by_accept.text);
        let json_again = app.raw(Method::GET, &report, &[("authorization", &bearer), ("accept", "application/json")], Vec::new()).await;
        assert_eq!(json_again.json, json);
        app.get(&format!("{report}&format=xml"), admin).await.problem(422);
        let coordinator_b = w.token("other_coordinator").unwrap();
        app.get(&format!("{report}&format=csv"), coordinator_b).await.problem(404);
    }
}
