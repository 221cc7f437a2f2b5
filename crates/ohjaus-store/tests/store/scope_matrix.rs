//! Nothing of organization A leaks to those outside it: for every read and write of goals,
//! reviews, notes, attendance, absences and the report, an outsider (B's coordinator, another
//! supervisor, a person of A outside the series, a person of B) gets exactly the answer they
//! would get for an id that does not exist — `NotFound` — so not even existence is told.

use crate::store_test;
use crate::world::{World, at};
use ohjaus_core::ReviewPhase;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::goals::{GoalPatch, NewGoal, NewReview};
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::{Caller, Store, StoreError};
use uuid::Uuid;

/// The error variant of a result, as a short name (`ok` for success).
fn kind<T>(result: Result<T, StoreError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(StoreError::NotFound { .. }) => "not_found",
        Err(StoreError::Forbidden) => "forbidden",
        Err(StoreError::Invalid(_)) => "invalid",
        Err(StoreError::State(_)) => "refused",
        Err(StoreError::Conflict(_)) => "conflict",
        Err(StoreError::StaleLease) => "stale_lease",
        Err(StoreError::Database(e)) => panic!("database error: {e}"),
    }
}

/// Ids of organization A's things.
struct Ids {
    series: Uuid,
    session: Uuid,
    goal: Uuid,
    organization: Uuid,
}

/// Every operation of the confidential side on `ids`, as the caller sees it.
async fn answers(store: &Store, caller: &Caller, ids: &Ids, person: Uuid) -> Vec<(&'static str, &'static str)> {
    let now = at("2027-01-12T12:00:00Z");
    let goal = NewGoal { text: "x".into(), focus: None, shared_with_organization: true };
    let patch = GoalPatch { text: Some("y".into()), ..GoalPatch::default() };
    let review = NewReview { phase: ReviewPhase::Start, rating: 3, comment: None };
    let note = NewNote { text: "x".into(), visibility: NoteVisibility::Participants };
    let entries =
        AttendanceUpdate { entries: vec![AttendanceEntry { person_id: person, status: AttendanceStatus::Present }] };
    let from = "2027-01-01".parse().unwrap();
    let to = "2027-12-31".parse().unwrap();
    vec![
        ("list_goals", kind(store.list_goals(caller, ids.series).await)),
        ("create_goal", kind(store.create_goal(caller, ids.series, &goal, now).await)),
        ("get_goal", kind(store.get_goal(caller, ids.goal).await)),
        ("update_goal", kind(store.update_goal(caller, ids.goal, &patch, now).await)),
        ("add_review", kind(store.add_review(caller, ids.goal, &review, now).await)),
        ("list_notes", kind(store.list_notes(caller, ids.session, now).await)),
        ("create_note", kind(store.create_note(caller, ids.session, &note, now).await)),
        ("record_attendance", kind(store.record_attendance(caller, ids.session, &entries, now).await)),
        ("get_attendance", kind(store.get_attendance(caller, ids.session).await)),
        ("report_absence", kind(store.report_absence(caller, ids.session, now).await)),
        ("organization_report", kind(store.organization_report(caller, ids.organization, from, to).await)),
    ]
}

store_test! {
    async fn outsiders_learn_nothing_of_organization_a(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let shared = NewGoal { text: "Jaettu".into(), focus: None, shared_with_organization: true };
        let goal = store.create_goal(&w.sup1(), w.x, &shared, at("2027-01-01T08:00:00Z")).await.unwrap();
        let real = Ids { series: w.x, session: w.x_sessions[0], goal: goal.id, organization: w.org_a };
        let made_up = Ids { series: Uuid::now_v7(), session: Uuid::now_v7(), goal: Uuid::now_v7(), organization: Uuid::now_v7() };
        for outsider in w.outsiders_of_x() {
            let seen = answers(store, &outsider, &real, w.p1).await;
            let nothing = answers(store, &outsider, &made_up, w.p1).await;
            assert_eq!(seen, nothing, "{outsider:?} can tell A's ids from made-up ones");
            for (operation, answer) in &seen {
                // Operations the role may never do anywhere answer Forbidden before any id is read.
                let never = matches!(
                    (outsider, *operation),
                    (Caller::Coordinator { .. } | Caller::Supervisor { .. }, "report_absence")
                        | (Caller::Supervisor { .. } | Caller::Participant { .. }, "organization_report")
                );
                let expected = if never { "forbidden" } else { "not_found" };
                assert_eq!(*answer, expected, "{outsider:?} {operation}");
            }
        }
        // And the insiders get real answers, not NotFound, so the test above tests something.
        let coordinator = answers(store, &w.coord_a(), &real, w.p1).await;
        assert!(coordinator.contains(&("list_goals", "ok")));
        assert!(coordinator.contains(&("list_notes", "forbidden")));
        assert!(coordinator.contains(&("organization_report", "ok")));
        let supervisor = answers(store, &w.sup1(), &real, w.p1).await;
        assert!(supervisor.iter().all(|(_, answer)| *answer != "not_found"), "{supervisor:?}");
        db.finish().await;
    }
}
