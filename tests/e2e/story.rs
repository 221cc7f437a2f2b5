//! The whole story of a supervision process over HTTP, on SQLite and
//! on PostgreSQL: an admin sets up an organization, a supervisor, people, a team and a
//! closure; the coordinator previews and books a series; a conflicting booking is refused
//! with every conflicting occurrence; sessions are moved, cancelled late and in time with a
//! make-up; the series is re-planned; a member joins midway; attendance, goals, reviews and
//! notes are recorded; the supervisor's upcoming view, the report and the outbox tell the rest.
//!
//! The server runs in this process on a real port with a clock the test moves forward, so
//! "late" and "after the session" are exact.

use crate::support::InProcess;
use chrono::{NaiveDate, TimeDelta, Utc};
use ohjaus_store::Caller;
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::{Value, json};

/// The story's "now": Monday 1 March 2027, 08:00 in Helsinki.
fn story_now() -> chrono::DateTime<Utc> {
    "2027-03-01T06:00:00Z".parse().unwrap()
}

/// Ascension Day 2027, a Thursday: the series meets on Thursdays around it.
fn ascension_2027() -> NaiveDate {
    let day = NaiveDate::from_ymd_opt(2027, 5, 6).unwrap();
    assert!(ohjaus_core::finnish_holidays(2027).into_iter().any(|(d, _)| d == day), "{day} is a holiday");
    day
}

async fn token(server: &InProcess, grants: Caller) -> String {
    let created = server.store.create_api_token(&Caller::Admin, grants, Some("e2e"), server.now()).await.unwrap();
    created.secret.expose().to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

fn local_time(rfc3339: &str) -> &str {
    &rfc3339[11..16]
}

#[tokio::test]
async fn the_whole_story_over_http() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let server = InProcess::start(database.url(), story_now()).await;
        story(&server).await;
        eprintln!("e2e story passed on {}", backend.name());
    }
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn story(server: &InProcess) {
    let api = &server.api;
    let admin = token(server, Caller::Admin).await;

    // The admin sets the scene.
    let org = api.post("/api/v1/organizations", &admin, &json!({"name": "Kaukolan sairaala, osasto 5A"})).await;
    let org_id = id(org.expect(201));
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "17:00"}))
        .collect();
    let supervisor = api
        .post(
            "/api/v1/supervisors",
            &admin,
            &json!({"name": "Anna Virtanen", "email": "anna@tyonohjaus.example", "buffer_minutes": 15,
                    "working_hours": hours}),
        )
        .await;
    let supervisor_id = id(supervisor.expect(201));
    let mut people = Vec::new();
    for (name, email) in [
        ("Maija Meikäläinen", "maija@kaukola.example"),
        ("Liisa Korhonen", "liisa@kaukola.example"),
        ("Pekka Nieminen", "pekka@kaukola.example"),
        ("Sari Mäkinen", "sari@kaukola.example"),
        ("Jussi Heikkinen", "jussi@kaukola.example"),
        ("Aino Lahtinen", "aino@kaukola.example"),
    ] {
        let person = api
            .post(&format!("/api/v1/organizations/{org_id}/people"), &admin, &json!({"name": name, "email": email}))
            .await;
        people.push(id(person.expect(201)));
    }
    let coordinator = token(server, Caller::Coordinator { organization_id: org_id.parse().unwrap() }).await;
    let team = api
        .post(
            &format!("/api/v1/organizations/{org_id}/teams"),
            &coordinator,
            &json!({"name": "Osasto 5A:n hoitajat", "member_ids": &people[..5]}),
        )
        .await;
    let team_id = id(team.expect(201));

    // A weekly series on Thursdays from two weeks before Ascension Day; a one-day closure
    // three weeks after the holiday. Session 6 falls on Thursday 10 June, so the re-plan
    // below starts on a Friday, within the supervisor's working hours.
    let holiday = ascension_2027();
    let first = holiday - TimeDelta::days(14);
    let closed = holiday + TimeDelta::days(21);
    api.post(
        &format!("/api/v1/organizations/{org_id}/closures"),
        &coordinator,
        &json!({"start_date": closed, "end_date": closed, "reason": "Koulutuspäivä"}),
    )
    .await
    .expect(201);
    let body = json!({
        "organization_id": org_id, "kind": "group_supervision", "title": "Osasto 5A:n työnohjaus",
        "supervisor_id": supervisor_id, "team_id": team_id,
        "first_start": format!("{first}T13:00"), "timezone": "Europe/Helsinki", "duration_minutes": 90,
        "recurrence": {"frequency": "weekly", "interval": 1, "count": 10},
        "holiday_policy": "skip", "location": "Neuvotteluhuone 2", "cancellation_notice_hours": 168,
        "goals": ["Vuorovaikutus vuoronvaihdoissa", "Jaksaminen"]
    });

    // Preview: the holiday and the closure are skipped, nothing is booked.
    let before = api.notification_count(&admin, None).await;
    let preview = api.post("/api/v1/series/preview", &coordinator, &body).await;
    let preview = preview.expect(200).clone();
    let planned = preview["sessions"].as_array().unwrap();
    assert_eq!(planned.len(), 10);
    let skipped: Vec<(&str, &str)> = preview["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["date"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert!(skipped.contains(&(holiday.to_string().as_str(), "holiday")), "{skipped:?}");
    assert!(skipped.contains(&(closed.to_string().as_str(), "closure")), "{skipped:?}");
    assert!(planned.iter().all(|s| local_time(s["starts_at"].as_str().unwrap()) == "13:00"));
    assert_eq!(api.notification_count(&admin, None).await, before, "a preview enqueues nothing");

    // Book it: the sessions are the preview's; six invitations (five members, the supervisor).
    let booked = api.post("/api/v1/series", &coordinator, &body).await;
    let booked = booked.expect(201).clone();
    let series_id = id(&booked);
    let sessions = booked["sessions"].as_array().unwrap().clone();
    for (session, plan) in sessions.iter().zip(planned) {
        assert_eq!(session["starts_at"], plan["starts_at"]);
        assert_eq!(session["phase"], plan["phase"]);
    }
    assert_eq!(api.notification_count(&admin, None).await, before + 6);

    // The same times again for another group of the same supervisor: 409, every occurrence.
    let mut other = body.clone();
    other["team_id"] = Value::Null;
    other.as_object_mut().unwrap().remove("team_id");
    other["participant_ids"] = json!([people[5]]);
    let refused = api.post("/api/v1/series", &coordinator, &other).await;
    let problem = refused.expect(409);
    assert_eq!(refused.content_type, "application/problem+json");
    let indexes: std::collections::BTreeSet<u64> =
        problem["conflicts"].as_array().unwrap().iter().map(|c| c["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes.len(), 10, "every occurrence is reported: {problem}");
    assert!(problem["conflicts"][0]["reason"] == "supervisor_busy");

    let session = |index: u64| {
        sessions.iter().find(|s| s["index"] == index).unwrap_or_else(|| panic!("no session {index}")).clone()
    };

    // Move session 3 to 15:00 the same day.
    let third = session(3);
    let day = &third["starts_at"].as_str().unwrap()[..10];
    let moved = api
        .patch(
            &format!("/api/v1/sessions/{}", id(&third)),
            &coordinator,
            &json!({"starts_at_local": format!("{day}T15:00")}),
        )
        .await;
    assert_eq!(local_time(moved.expect(200)["starts_at"].as_str().unwrap()), "15:00");

    // Two days before session 1, a cancellation is late; session 4 is cancelled in time and
    // replaced by a make-up session at the end.
    let first_start: chrono::DateTime<Utc> = session(1)["starts_at"].as_str().unwrap().parse().unwrap();
    server.advance(first_start - server.now() - TimeDelta::days(2));
    let late = api
        .post(&format!("/api/v1/sessions/{}/cancel", id(&session(1))), &coordinator, &json!({"reason": "Sairastapaus"}))
        .await;
    let late = late.expect(200).clone();
    let cancelled_first = if late.get("session").is_some() { &late["session"] } else { &late };
    assert_eq!(cancelled_first["late_cancellation"], true, "{late}");
    let in_time = api
        .post(&format!("/api/v1/sessions/{}/cancel", id(&session(4))), &coordinator, &json!({"replace": true}))
        .await;
    let in_time = in_time.expect(200).clone();
    assert_eq!(in_time["session"]["late_cancellation"], false, "{in_time}");
    assert_eq!(in_time["makeup"]["index"], 11, "{in_time}");

    // Re-plan from session 6: every second week at 10:00, starting the day after session 6.
    let sixth_day: NaiveDate = session(6)["starts_at"].as_str().unwrap()[..10].parse().unwrap();
    assert_eq!(sixth_day, NaiveDate::from_ymd_opt(2027, 6, 10).unwrap(), "{sessions:?}");
    let replanned = api
        .post(
            &format!("/api/v1/series/{series_id}/replan"),
            &coordinator,
            &json!({"from_index": 6, "first_start": format!("{}T10:00", sixth_day + TimeDelta::days(1)),
                    "recurrence": {"frequency": "weekly", "interval": 2, "count": 5}}),
        )
        .await;
    replanned.expect(200);
    let now_sessions = api.get(&format!("/api/v1/series/{series_id}/sessions"), &coordinator).await;
    let now_sessions = now_sessions.expect(200).clone();
    let list = now_sessions.as_array().cloned().unwrap_or_else(|| now_sessions["items"].as_array().unwrap().clone());
    for s in list.iter().filter(|s| (6..=10).contains(&s["index"].as_u64().unwrap())) {
        assert_eq!(local_time(s["starts_at"].as_str().unwrap()), "10:00", "{s}");
    }

    // Aino joins the team midway: she is invited to the future sessions only.
    api.put(&format!("/api/v1/teams/{team_id}/members"), &coordinator, &json!({"member_ids": &people[..6]}))
        .await
        .expect(200);
    let after_join = api.get(&format!("/api/v1/series/{series_id}/sessions"), &coordinator).await;
    let after_join = after_join.expect(200).clone();
    let list = after_join.as_array().cloned().unwrap_or_else(|| after_join["items"].as_array().unwrap().clone());
    let aino = Value::String(people[5].clone());
    for s in &list {
        let invited = s["participant_ids"].as_array().unwrap().contains(&aino);
        let future = s["status"] == "scheduled";
        assert_eq!(invited, future, "Aino is invited exactly to the future sessions: {s}");
    }

    // After session 2, the supervisor records attendance: the session is held.
    let second = session(2);
    let second_start: chrono::DateTime<Utc> = second["starts_at"].as_str().unwrap().parse().unwrap();
    server.advance(second_start - server.now() + TimeDelta::minutes(100));
    let supervisor_token = token(server, Caller::Supervisor { supervisor_id: supervisor_id.parse().unwrap() }).await;
    let entries: Vec<Value> = people[..5]
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"person_id": p, "status": if i == 4 { "absent" } else { "present" }}))
        .collect();
    api.put(&format!("/api/v1/sessions/{}/attendance", id(&second)), &supervisor_token, &json!({"entries": entries}))
        .await
        .expect(200);
    let held = api.get(&format!("/api/v1/sessions/{}", id(&second)), &supervisor_token).await;
    assert_eq!(held.expect(200)["status"], "held");

    // Goals and reviews at the three phases; a goal revised keeps its history.
    let goals = api.get(&format!("/api/v1/series/{series_id}/goals"), &supervisor_token).await;
    let goals = goals.expect(200).clone();
    let goals = goals.as_array().cloned().unwrap_or_else(|| goals["items"].as_array().unwrap().clone());
    assert_eq!(goals.len(), 2);
    let goal_id = id(&goals[0]);
    let participant = token(server, Caller::Participant { person_id: people[0].parse().unwrap() }).await;
    for phase in ["start", "midpoint", "final"] {
        api.post(&format!("/api/v1/goals/{goal_id}/reviews"), &supervisor_token, &json!({"phase": phase, "rating": 3}))
            .await
            .expect(201);
        api.post(
            &format!("/api/v1/goals/{goal_id}/reviews"),
            &participant,
            &json!({"phase": phase, "rating": 4, "comment": "Parempi kuin ennen"}),
        )
        .await
        .expect(201);
    }
    let revised = api
        .patch(&format!("/api/v1/goals/{goal_id}"), &supervisor_token, &json!({"text": "Vuorovaikutus ja palaute"}))
        .await;
    let revised = revised.expect(200).clone();
    assert_eq!(revised["version"], 2, "{revised}");
    assert_eq!(revised["earlier_versions"][0]["text"], "Vuorovaikutus vuoronvaihdoissa", "{revised}");

    // Notes: the participant reads only the shared one; the coordinator none.
    let notes_path = format!("/api/v1/sessions/{}/notes", id(&second));
    api.post(&notes_path, &supervisor_token, &json!({"text": "Oma muistiinpano", "visibility": "supervisor"}))
        .await
        .expect(201);
    api.post(&notes_path, &supervisor_token, &json!({"text": "Sovittiin kokeilusta", "visibility": "participants"}))
        .await
        .expect(201);
    let seen = api.get(&notes_path, &participant).await;
    let seen = seen.expect(200).to_string();
    assert!(seen.contains("Sovittiin kokeilusta") && !seen.contains("Oma muistiinpano"), "{seen}");
    let coordinator_view = api.get(&notes_path, &coordinator).await;
    assert!(matches!(coordinator_view.status, 403 | 404), "{}", coordinator_view.text);
    assert!(!coordinator_view.text.contains("muistiinpano"));

    // The supervisor's view of what is coming, in start order.
    let upcoming = api.get(&format!("/api/v1/supervisors/{supervisor_id}/upcoming?days=366"), &supervisor_token).await;
    let upcoming = upcoming.expect(200).clone();
    let items = upcoming.as_array().cloned().unwrap_or_else(|| upcoming["items"].as_array().unwrap().clone());
    assert!(!items.is_empty());
    let starts: Vec<&str> = items.iter().map(|s| s["starts_at"].as_str().unwrap()).collect();
    let mut sorted = starts.clone();
    sorted.sort_by_key(|s| s.parse::<chrono::DateTime<Utc>>().unwrap());
    assert_eq!(starts, sorted);
    assert!(items[0].to_string().contains("Osasto 5A:n työnohjaus"));

    // The report: one held, one late cancellation (consumed), one cancelled in time.
    let (from, to) = (first - TimeDelta::days(7), first + TimeDelta::days(365));
    let report = api.get(&format!("/api/v1/organizations/{org_id}/report?from={from}&to={to}"), &coordinator).await;
    let report = report.expect(200).to_string();
    for figure in ["\"held\":1", "\"late_cancellations\":1"] {
        assert!(report.replace(' ', "").contains(figure), "{figure} in {report}");
    }
    assert!(!report.contains("muistiinpano"), "no notes in reports");

    // Everything that concerned people went through the outbox.
    let notifications = api.get("/api/v1/notifications?limit=200", &admin).await;
    let notifications = notifications.expect(200).to_string();
    assert!(notifications.contains("invite") && !notifications.contains("@kaukola.example"), "domains only");
    assert!(api.notification_count(&admin, None).await > before + 6 * 4);
}
