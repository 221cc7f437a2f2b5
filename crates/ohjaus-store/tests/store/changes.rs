//! Changing course: moving and cancelling sessions (late or in time, with a make-up),
//! re-planning from session k, changing participants, cancelling a series — the sessions,
//! phases, SEQUENCE and notices each change leaves.

use crate::store_test;
use crate::support::TestDb;
use crate::world::parties::{at, body, count, now, outbox, overlaps, supervisor, world};
use ohjaus_core::notice::{CalendarMessage, Change, Role};
use ohjaus_core::{ConflictReason, Notice};
use ohjaus_store::entity::session;
use ohjaus_store::write::series::{CancelSeries, Replan, SetParticipants};
use ohjaus_store::write::sessions::{CancelSession, SessionChanges};
use ohjaus_store::{Caller, StoreError};
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use uuid::Uuid;

fn phases(sessions: &[ohjaus_store::write::sessions::Session]) -> Vec<(u32, Option<&str>)> {
    sessions.iter().map(|s| (s.index, s.phase.as_deref())).collect()
}

/// The notices queued after the first `skip` rows.
async fn new_notices(store: &ohjaus_store::Store, skip: usize) -> Vec<Notice> {
    outbox(store).await.into_iter().skip(skip).map(|(_, n)| n).collect()
}

fn parts(notice: &Notice) -> (u32, &Change, &CalendarMessage, Role) {
    let Notice::Invite { sequence, change, calendar, recipient, .. } = notice else { panic!("an invite: {notice:?}") };
    (*sequence, change, calendar, recipient.role)
}

store_test!(
    async fn moving_a_session(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..2], "2027-01-12T13:00", 1, 5), now())
            .await
            .unwrap();
        let ids: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();
        let queued = outbox(store).await.len();
        let changes = |start: &str| SessionChanges { starts_at_local: Some(start.into()), ..SessionChanges::default() };

        let moved = store.move_session(&w.coordinator, ids[1], &changes("2027-01-20T10:00"), now()).await.unwrap();
        assert_eq!(moved.starts_at.to_rfc3339(), "2027-01-20T10:00:00+02:00");
        assert_eq!(moved.ends_at.to_rfc3339(), "2027-01-20T11:30:00+02:00");
        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 3, "two participants and the supervisor");
        for notice in &notices {
            let (sequence, change, calendar, _) = parts(notice);
            assert_eq!(sequence, 1);
            assert_eq!(*change, Change::SessionMoved { index: 2, previous_start: at("2027-01-19T11:00:00Z") });
            let CalendarMessage::RequestInstance { event, session_id } = calendar else { panic!("{calendar:?}") };
            assert_eq!(*session_id, ids[1]);
            let instance = event.instances.iter().find(|i| i.session_id == ids[1]).unwrap();
            assert_eq!(instance.recurrence_id, Some(at("2027-01-19T11:00:00Z")), "the override keeps its occurrence");
            assert_eq!(instance.starts_at, at("2027-01-20T08:00:00Z"));
        }

        // Checked against everything but itself: half an hour later is fine, onto session 4 is not.
        store.move_session(&w.coordinator, ids[2], &changes("2027-01-26T13:30"), now()).await.unwrap();
        let err = store.move_session(&w.coordinator, ids[2], &changes("2027-02-02T12:00"), now()).await.unwrap_err();
        let StoreError::Conflict(conflicts) = err else { panic!("{err:?}") };
        assert_eq!(conflicts[0].reason, ConflictReason::SupervisorBusy);
        assert_eq!(conflicts[0].with.and_then(|b| b.session_id), Some(ids[3]));

        // Time order decides the phases of future sessions: session 1 moved after session 2.
        let s = store.move_session(&w.coordinator, ids[0], &changes("2027-01-21T10:00"), now()).await.unwrap();
        assert_eq!(s.phase, None);
        let series = store.get_series(&w.coordinator, booked.series.id).await.unwrap();
        assert_eq!(series.series.ical_sequence, 3);
        assert_eq!(
            phases(&series.sessions),
            [(1, None), (2, Some("goal_setting")), (3, Some("midpoint_review")), (4, None), (5, Some("final_review"))]
        );

        // What never changes, and who may not change it.
        let after_first = at("2027-01-20T09:00:00Z");
        let err =
            store.move_session(&w.coordinator, ids[1], &changes("2027-02-25T10:00"), after_first).await.unwrap_err();
        assert!(matches!(err, StoreError::State(_)), "a session that has begun: {err:?}");
        let err = store.move_session(&w.coordinator, ids[3], &changes("2026-12-30T10:00"), now()).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)));
        let participant = Caller::Participant { person_id: w.people[0] };
        assert!(matches!(
            store.move_session(&participant, ids[3], &changes("2027-02-03T10:00"), now()).await,
            Err(StoreError::Forbidden)
        ));
        let outsider = Caller::Participant { person_id: w.people[2] };
        assert!(matches!(
            store.move_session(&outsider, ids[3], &changes("2027-02-03T10:00"), now()).await,
            Err(StoreError::NotFound { .. })
        ));
        let supervisor = Caller::Supervisor { supervisor_id: w.supervisor };
        let place = SessionChanges { location: Some("Kirjasto".into()), ..SessionChanges::default() };
        let s = store.move_session(&supervisor, ids[3], &place, now()).await.unwrap();
        assert_eq!(s.location.as_deref(), Some("Kirjasto"));
        assert_eq!(overlaps(store).await, 0);
        db.finish().await;
    }
);

store_test!(
    async fn cancelling_late_and_in_time_with_a_makeup(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..2], "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let ids: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();
        // The supervisor is busy on the first make-up slot (Tuesday 2027-02-09 13:00).
        store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[2..], "2027-02-09T12:00", 1, 1), now())
            .await
            .unwrap();
        let four_days_before = at("2027-01-08T11:00:00Z");

        let replace = CancelSession { reason: Some("Sairastuminen".into()), replace: Some(true) };
        let err = store.cancel_session(&w.coordinator, ids[0], &replace, four_days_before).await.unwrap_err();
        assert!(matches!(&err, StoreError::Invalid(e) if e.first().field == "replace"), "{err:?}");
        let late = store
            .cancel_session(&w.coordinator, ids[0], &CancelSession { reason: None, replace: None }, four_days_before)
            .await
            .unwrap();
        assert!(late.session.late_cancellation && late.session.status == "cancelled" && late.makeup.is_none());

        let queued = outbox(store).await.len();
        let in_time = store.cancel_session(&w.coordinator, ids[2], &replace, four_days_before).await.unwrap();
        assert!(!in_time.session.late_cancellation);
        assert_eq!(in_time.session.cancel_reason.as_deref(), Some("Sairastuminen"));
        let makeup = in_time.makeup.unwrap();
        assert_eq!(makeup.index, 5);
        assert_eq!(makeup.starts_at.to_rfc3339(), "2027-02-16T13:00:00+02:00", "the next free slot of the rule");
        assert_eq!(makeup.participant_ids, w.people[..2]);
        assert_eq!(count(store, "calendar_events").await, 3, "the make-up is an event of its own");

        let series = store.get_series(&w.coordinator, booked.series.id).await.unwrap();
        assert_eq!(series.series.contracted_sessions, 4);
        assert_eq!(series.series.ical_sequence, 2);
        assert_eq!(
            phases(&series.sessions),
            [(1, None), (2, Some("goal_setting")), (3, None), (4, Some("midpoint_review")), (5, Some("final_review"))]
        );

        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 6);
        let cancels: Vec<_> =
            notices.iter().map(parts).filter(|(_, c, _, _)| matches!(c, Change::SessionCancelled { .. })).collect();
        assert_eq!(cancels.len(), 3);
        for (sequence, change, calendar, _) in &cancels {
            assert_eq!(*sequence, 2);
            assert_eq!(
                **change,
                Change::SessionCancelled { index: 3, late: false, reason: Some("Sairastuminen".into()) }
            );
            let CalendarMessage::CancelInstances { session_ids, .. } = calendar else { panic!("{calendar:?}") };
            assert_eq!(session_ids, &[ids[2]]);
        }
        let makeups: Vec<_> =
            notices.iter().map(parts).filter(|(_, c, _, _)| **c == Change::MakeupAdded { index: 5 }).collect();
        assert_eq!(makeups.len(), 3);
        for (_, _, calendar, _) in makeups {
            let CalendarMessage::Request { event } = calendar else { panic!("{calendar:?}") };
            assert!(event.rrule.is_none());
            assert_eq!(event.instances.len(), 1);
            assert_eq!(event.instances[0].recurrence_id, None);
        }
        // Moving the make-up moves its single event.
        let queued = outbox(store).await.len();
        let later = SessionChanges { starts_at_local: Some("2027-02-17T10:00".into()), ..SessionChanges::default() };
        store.move_session(&w.coordinator, makeup.id, &later, four_days_before).await.unwrap();
        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 3);
        for notice in &notices {
            let (sequence, _, calendar, _) = parts(notice);
            let CalendarMessage::Request { event } = calendar else { panic!("{calendar:?}") };
            assert_eq!((sequence, event.first_start.to_string().as_str()), (3, "2027-02-17 10:00:00"));
        }
        let again = store.cancel_session(&w.coordinator, ids[2], &replace, four_days_before).await;
        assert!(matches!(again, Err(StoreError::State(_))));
        assert_eq!(overlaps(store).await, 0);
        db.finish().await;
    }
);

store_test!(
    async fn replanning_from_session_k(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..2], "2027-01-12T13:00", 1, 6), now())
            .await
            .unwrap();
        let old_uid_sessions: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();
        let queued = outbox(store).await.len();
        let thursdays = Replan {
            from_index: 4,
            first_start: "2027-02-04T09:00".into(),
            recurrence: None,
            duration_minutes: Some(60),
        };
        let replanned = store.replan_series(&w.coordinator, booked.series.id, &thursdays, now()).await.unwrap();
        let starts: Vec<String> = replanned.sessions.iter().map(|s| s.starts_at.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2027-01-12T13:00:00+02:00",
                "2027-01-19T13:00:00+02:00",
                "2027-01-26T13:00:00+02:00",
                "2027-02-04T09:00:00+02:00",
                "2027-02-11T09:00:00+02:00",
                "2027-02-18T09:00:00+02:00"
            ]
        );
        assert_eq!(replanned.sessions[5].ends_at.to_rfc3339(), "2027-02-18T10:00:00+02:00");
        assert_eq!(replanned.sessions[..3].iter().map(|s| s.id).collect::<Vec<_>>(), old_uid_sessions[..3]);
        assert_eq!(phases(&replanned.sessions)[2], (3, Some("midpoint_review")));
        assert_eq!(phases(&replanned.sessions)[5], (6, Some("final_review")));
        assert_eq!(replanned.series.ical_sequence, 1);
        assert_eq!(replanned.series.first_start, "2027-02-04T09:00");
        assert_eq!(replanned.series.rrule, "FREQ=WEEKLY;INTERVAL=1;COUNT=3");
        assert_eq!(count(store, "calendar_events").await, 2);

        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 6, "the truncated event and the new one, to three recipients");
        let mut sizes: Vec<usize> = notices
            .iter()
            .map(|n| {
                let (sequence, change, calendar, _) = parts(n);
                assert_eq!((sequence, change), (1, &Change::SeriesReplanned { from_index: 4 }));
                let CalendarMessage::Request { event } = calendar else { panic!("{calendar:?}") };
                event.instances.len()
            })
            .collect();
        sizes.sort();
        assert_eq!(sizes, [3, 3, 3, 3, 3, 3]);

        // A re-plan with conflicts changes nothing; one from a session that has begun is refused.
        let before = (count(store, "sessions").await, count(store, "outbox").await);
        let other = supervisor(store, "Toinen").await;
        store
            .book_series(&w.coordinator, &body(&w, other, &w.people[2..], "2027-03-03T09:00", 1, 1), now())
            .await
            .unwrap();
        let clash =
            Replan { from_index: 5, first_start: "2027-03-03T09:30".into(), recurrence: None, duration_minutes: None };
        let mut with_p2 = SetParticipants { participant_ids: Some(w.people.clone()), team_id: None };
        store.set_series_participants(&w.coordinator, booked.series.id, &with_p2, now()).await.unwrap();
        let err = store.replan_series(&w.coordinator, booked.series.id, &clash, now()).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(c) if c.iter().all(|c| c.reason == ConflictReason::ParticipantBusy)),
            "{err:?}"
        );
        with_p2.participant_ids = Some(w.people[..2].to_vec());
        store.set_series_participants(&w.coordinator, booked.series.id, &with_p2, now()).await.unwrap();
        let begun =
            Replan { from_index: 1, first_start: "2027-03-03T09:30".into(), recurrence: None, duration_minutes: None };
        let err = store.replan_series(&w.coordinator, booked.series.id, &begun, at("2027-01-12T12:00:00Z")).await;
        assert!(matches!(err, Err(StoreError::Invalid(_))));
        assert_eq!(count(store, "sessions").await, before.0 + 1);

        // A new cadence with its own count changes the contract.
        let fewer = Replan {
            from_index: 5,
            first_start: "2027-03-01T10:00".into(),
            recurrence: Some(
                serde_json::from_value(serde_json::json!({"frequency": "weekly", "interval": 2, "count": 3})).unwrap(),
            ),
            duration_minutes: None,
        };
        let replanned = store.replan_series(&w.coordinator, booked.series.id, &fewer, now()).await.unwrap();
        assert_eq!(replanned.series.contracted_sessions, 7);
        assert_eq!(replanned.sessions.iter().map(|s| s.index).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
        // 2027-03-29 is Easter Monday: skipped, and one more appended.
        assert_eq!(replanned.sessions[6].starts_at.to_rfc3339(), "2027-04-12T10:00:00+03:00");
        assert_eq!(phases(&replanned.sessions)[3], (4, Some("midpoint_review")));
        assert_eq!(overlaps(store).await, 0);
        db.finish().await;
    }
);

store_test!(
    async fn changing_participants_midway(db: TestDb) {
        let store = &db.store;
        let w = world(store, 4).await;
        let (p0, p1, p2, p3) = (w.people[0], w.people[1], w.people[2], w.people[3]);
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &[p0, p1], "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let ids: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();
        let after_first = at("2027-01-13T08:00:00Z");
        // p3 is busy at session 3: adding p3 is refused and changes nothing.
        let other = supervisor(store, "Toinen").await;
        store.book_series(&w.coordinator, &body(&w, other, &[p3], "2027-01-26T13:30", 1, 1), now()).await.unwrap();
        let queued = outbox(store).await.len();
        let with_p3 = SetParticipants { participant_ids: Some(vec![p1, p3]), team_id: None };
        let err =
            store.set_series_participants(&w.coordinator, booked.series.id, &with_p3, after_first).await.unwrap_err();
        let StoreError::Conflict(conflicts) = err else { panic!("{err:?}") };
        assert_eq!((conflicts[0].index, conflicts[0].person_id), (3, Some(p3)));
        assert_eq!(outbox(store).await.len(), queued);

        let swap = SetParticipants { participant_ids: Some(vec![p1, p2]), team_id: None };
        let changed =
            store.set_series_participants(&w.coordinator, booked.series.id, &swap, after_first).await.unwrap();
        let mut expected = vec![p1, p2];
        expected.sort();
        assert_eq!(changed.series.participant_ids, expected);
        assert_eq!(changed.series.ical_sequence, 1);
        let mut past = vec![p0, p1];
        past.sort();
        assert_eq!(changed.sessions[0].participant_ids, past, "a past session keeps who was invited");
        assert!(changed.sessions[1..].iter().all(|s| s.participant_ids == expected));

        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 3);
        for notice in &notices {
            let Notice::Invite { recipient, change, calendar, attendees, sequence, .. } = notice else { panic!() };
            assert_eq!(*sequence, 1);
            match (recipient.id, change, calendar) {
                (id, Change::ParticipantRemoved, CalendarMessage::CancelInstances { session_ids, .. }) if id == p0 => {
                    assert_eq!(session_ids, &ids[1..]);
                }
                (id, Change::ParticipantAdded, CalendarMessage::Request { event }) if id == p2 => {
                    assert_eq!(event.instances.iter().map(|i| i.session_id).collect::<Vec<_>>(), ids[1..]);
                }
                (id, Change::ParticipantAdded, CalendarMessage::Request { event }) if id == w.supervisor => {
                    assert_eq!(event.instances.len(), 4);
                    assert_eq!(attendees.len(), 2);
                }
                other => panic!("unexpected notice {other:?}"),
            }
        }
        let unchanged =
            store.set_series_participants(&w.coordinator, booked.series.id, &swap, after_first).await.unwrap();
        assert_eq!(unchanged.series.ical_sequence, 1, "no change, no messages");
        let as_supervisor = Caller::Supervisor { supervisor_id: w.supervisor };
        assert!(matches!(
            store.set_series_participants(&as_supervisor, booked.series.id, &swap, after_first).await,
            Err(StoreError::Forbidden)
        ));
        db.finish().await;
    }
);

store_test!(
    async fn cancelling_a_series(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let queued = outbox(store).await.len();
        let after_first = at("2027-01-13T08:00:00Z");
        let as_supervisor = Caller::Supervisor { supervisor_id: w.supervisor };
        let cancelled = store
            .cancel_series(
                &as_supervisor,
                booked.series.id,
                &CancelSeries { reason: Some("Sopimus päättyi".into()) },
                after_first,
            )
            .await
            .unwrap();
        assert_eq!(cancelled.series.status, "cancelled");
        let statuses: Vec<(&str, bool)> =
            cancelled.sessions.iter().map(|s| (s.status.as_str(), s.late_cancellation)).collect();
        assert_eq!(statuses, [("scheduled", false), ("cancelled", true), ("cancelled", false), ("cancelled", false)]);
        let notices = new_notices(store, queued).await;
        assert_eq!(notices.len(), 3);
        assert!(
            notices.iter().all(|n| matches!(
                parts(n),
                (1, Change::SeriesCancelled { .. }, CalendarMessage::CancelEvent { .. }, _)
            ))
        );
        let again = store.cancel_series(&as_supervisor, booked.series.id, &CancelSeries::default(), after_first).await;
        assert!(matches!(again, Err(StoreError::State(_))));
        db.finish().await;
    }
);

/// The exclusion constraint is the backstop against overlaps that bypass the checks; its
/// violation is a conflict.
#[tokio::test]
async fn postgres_exclusion_constraint_is_a_conflict() {
    let Some(db) = TestDb::postgres().await else { return };
    let store = &db.store;
    let w = world(store, 1).await;
    let booked = store
        .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 1, 1), now())
        .await
        .unwrap();
    let first = session::Entity::find_by_id(booked.sessions[0].id).one(store.connection()).await.unwrap().unwrap();
    let mut twin = first.clone();
    twin.id = Uuid::now_v7();
    twin.index = 2;
    let err = twin.clone().into_active_model().insert(store.connection()).await.unwrap_err();
    assert!(matches!(StoreError::from(err), StoreError::Conflict(ref c) if c.is_empty()));
    twin.status = "cancelled".into();
    twin.into_active_model().insert(store.connection()).await.unwrap();
    db.finish().await;
}

use sea_orm::EntityTrait;
