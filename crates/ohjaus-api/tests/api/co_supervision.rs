//! The authorization matrix's rows for a co-supervisor: once S2 co-supervises series X, S2's
//! column of every row about X (the series, its sessions, notes, attendance, goals and
//! reviews) is S1's — co-supervision shares everything the supervisor may do and read — while
//! the participant still never reads the supervisors' notes. Through the API, a booking that
//! either supervisor cannot make answers 409 naming them.

use crate::api_test;
use crate::matrix::{cases, send};
use crate::support::now;
use crate::world::{ROLES, World};
use ohjaus_store::Caller;
use ohjaus_store::write::series::SeriesChanges;
use serde_json::json;

/// S2 co-supervises X.
async fn co_supervised(app: &crate::support::TestApp) -> World {
    let w = World::build(app).await;
    let changes = SeriesChanges { co_supervisor_id: Some(Some(w.sup2)) };
    app.store.update_series(&Caller::Admin, w.series_x, &changes, now()).await.unwrap();
    w
}

api_test! {
    async fn the_co_supervisor_has_the_supervisors_column(app: TestApp) {
        let supervisor = ROLES.iter().position(|r| *r == "supervisor").unwrap();
        let about_x = ["{series_x}", "{session", "{note_", "{goal_", "{review_s1}"];
        let mut failures = Vec::new();
        let mut w = co_supervised(app).await;
        let mut changed = false;
        for case in cases().iter().filter(|c| about_x.iter().any(|p| c.path.contains(p))) {
            // Changing the co-supervisor is the coordinator's, not a supervisor's.
            let expected = case.expect[supervisor];
            // A change that the next rows would meet (a cancelled session) gets a world of its own.
            if changed {
                w = co_supervised(app).await;
            }
            changed = case.fresh;
            let answer = send(app, &w, case, "other_supervisor").await;
            if answer.status.as_u16() != expected {
                failures.push(format!("{} {}: expected {expected}, got {} {}", case.method, case.path, answer.status, answer.text));
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

        // The supervisors' own note is read by both, never by the participant.
        let w = co_supervised(app).await;
        let path = format!("/api/v1/sessions/{}/notes/{}", w.sessions_x[0], w.note_private);
        app.get(&path, w.token("other_supervisor").unwrap()).await.expect(200);
        let listed = app.get(&format!("/api/v1/sessions/{}/notes", w.sessions_x[0]), w.token("participant").unwrap()).await;
        assert!(!listed.text.contains("Oma muistiinpano"), "{}", listed.text);
        assert_eq!(app.get(&path, w.token("participant").unwrap()).await.status.as_u16(), 404);
        // S2's agenda and feed-owner views list X's sessions.
        let upcoming = app.get(&format!("/api/v1/supervisors/{}/upcoming?days=60", w.sup2), w.token("other_supervisor").unwrap()).await;
        let body = upcoming.expect(200).to_string();
        assert!(body.contains(&w.sessions_x[1].to_string()), "{body}");
        let series = app.get(&format!("/api/v1/series/{}", w.series_x), w.token("other_supervisor").unwrap()).await;
        assert_eq!(series.expect(200)["co_supervisor_id"], json!(w.sup2));
    }
}

api_test! {
    async fn booking_names_the_busy_supervisor(app: TestApp) {
        let w = World::build(app).await;
        let admin = w.token("admin").unwrap();
        // S1 with S2 at the time of S2's series Y (Wednesdays 09:00): S2 is busy.
        let body = json!({"organization_id": w.org_a, "kind": "group_supervision", "title": "Pariohjaus",
            "supervisor_id": w.sup1, "co_supervisor_id": w.sup2, "participant_ids": [w.p2],
            "first_start": "2027-01-13T09:00", "duration_minutes": 60,
            "recurrence": {"frequency": "weekly", "interval": 1, "count": 2}});
        let before = app.counts().await;
        let answer = app.post("/api/v1/series", admin, &body).await;
        let problem = answer.problem(409);
        let conflicts = problem["conflicts"].as_array().unwrap();
        assert!(!conflicts.is_empty());
        assert!(conflicts.iter().all(|c| c["reason"] == "supervisor_busy" && c["supervisor_id"] == json!(w.sup2)), "{problem}");
        assert_eq!(app.counts().await, before, "nothing stored");
        // S1 with S2 where S1 is busy (X, Tuesdays 13:00): S1 named.
        let mut body = body;
        body["first_start"] = json!("2027-01-19T13:00");
        let answer = app.post("/api/v1/series", admin, &body).await;
        let problem = answer.problem(409);
        assert!(problem["conflicts"].as_array().unwrap().iter().all(|c| c["supervisor_id"] == json!(w.sup1)), "{problem}");
        // The preview says the same.
        let preview = app.post("/api/v1/series/preview", admin, &body).await;
        assert!(preview.expect(200)["conflicts"].as_array().unwrap().iter().all(|c| c["supervisor_id"] == json!(w.sup1)));
        // A free time: booked with both.
        body["first_start"] = json!("2027-01-21T10:00");
        let booked = app.post("/api/v1/series", admin, &body).await;
        assert_eq!(booked.expect(201)["co_supervisor_id"], json!(w.sup2));
        // Removing S2 again through PATCH; a supervisor may not.
        let id = booked.json["id"].as_str().unwrap().to_owned();
        let as_s1 = app.patch(&format!("/api/v1/series/{id}"), w.token("supervisor").unwrap(), &json!({"co_supervisor_id": null})).await;
        assert_eq!(as_s1.status.as_u16(), 403);
        let removed = app.patch(&format!("/api/v1/series/{id}"), admin, &json!({"co_supervisor_id": null})).await;
        assert!(removed.expect(200).get("co_supervisor_id").is_none());
        let unknown = app.patch(&format!("/api/v1/series/{id}"), admin, &json!({"supervisor_id": w.sup2})).await;
        assert_eq!(unknown.status.as_u16(), 422);
    }
}
