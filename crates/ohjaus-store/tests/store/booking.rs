//! Booking: what a booked series writes, previews, all-or-nothing refusals, and double
//! booking under concurrency (one supervisor; one participant in two teams).

use crate::store_test;
use crate::world::parties::{body, count, now, outbox, overlaps, person_overlaps, supervisor, world};
use ohjaus_core::notice::{CalendarMessage, Change, Role};
use ohjaus_core::{ConflictReason, Notice};
use ohjaus_store::write::teams::NewTeam;
use ohjaus_store::{Caller, StoreError};

store_test!(
    async fn books_sessions_invites_and_goals(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 3, 10), now())
            .await
            .unwrap();
        assert_eq!(booked.sessions.len(), 10);
        assert_eq!(booked.series.contracted_sessions, 10);
        assert_eq!(booked.series.ical_sequence, 0);
        assert_eq!(booked.series.rrule, "FREQ=WEEKLY;INTERVAL=3;COUNT=10");
        let first = &booked.sessions[0];
        assert_eq!(first.starts_at.to_rfc3339(), "2027-01-12T13:00:00+02:00");
        assert_eq!(booked.sessions[6].starts_at.to_rfc3339(), "2027-05-18T13:00:00+03:00", "13:00 across DST");
        let phases: Vec<_> = booked.sessions.iter().map(|s| s.phase.as_deref()).collect();
        assert_eq!(phases[0], Some("goal_setting"));
        assert_eq!(phases[4], Some("midpoint_review"));
        assert_eq!(phases[9], Some("final_review"));
        assert_eq!(phases.iter().flatten().count(), 3);
        assert!(
            booked
                .sessions
                .iter()
                .all(|s| s.participant_ids.len() == 3 && s.location.as_deref() == Some("Neuvotteluhuone 2"))
        );
        assert_eq!(count(store, "goals").await, 1);
        assert_eq!(count(store, "goal_versions").await, 1);
        assert_eq!(count(store, "calendar_events").await, 1);

        let rows = outbox(store).await;
        assert_eq!(rows.len(), 4, "three participants and the supervisor");
        let supervisors = rows.iter().filter(|(_, n)| n.recipient().role == Role::Supervisor).count();
        assert_eq!(supervisors, 1);
        for (row, notice) in &rows {
            assert_eq!(row.status, "queued");
            assert_eq!(row.kind, "invite");
            assert!(row.recipient_domain.ends_with(".example") && !row.recipient_domain.contains('@'));
            assert!(row.dedupe_key.starts_with(&format!("invite:{}:0:", booked.series.id)));
            let Notice::Invite { sequence, change, calendar: CalendarMessage::Request { event }, attendees, .. } =
                notice
            else {
                panic!("a request: {notice:?}");
            };
            assert_eq!(*sequence, 0);
            assert_eq!(*change, Change::SeriesBooked);
            assert_eq!(event.instances.len(), 10);
            assert_eq!(event.rrule.as_deref(), Some("FREQ=WEEKLY;INTERVAL=3;COUNT=10"));
            assert_eq!(attendees.len(), 3);
            assert!(event.instances.iter().all(|i| i.recurrence_id == Some(i.starts_at)));
        }
        let again = store.get_series(&Caller::Participant { person_id: w.people[0] }, booked.series.id).await.unwrap();
        assert_eq!(again, booked);
        db.finish().await;
    }
);

store_test!(
    async fn preview_books_nothing_and_lists_conflicts(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        store
            .book_series(&Caller::Admin, &body(&w, w.supervisor, &w.people[..1], "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let preview = store
            .preview_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2027-01-19T14:00", 1, 3), now())
            .await
            .unwrap();
        assert_eq!(preview.sessions.len(), 3);
        let reasons: Vec<_> = preview.conflicts.iter().map(|c| (c.index, c.reason)).collect();
        assert_eq!(
            reasons,
            [
                (1, ConflictReason::SupervisorBusy),
                (2, ConflictReason::SupervisorBusy),
                (3, ConflictReason::SupervisorBusy)
            ]
        );
        assert!(preview.conflicts[0].session_id.is_some());
        assert_eq!(count(store, "series").await, 1);
        db.finish().await;
    }
);

store_test!(
    async fn rejected_bookings_leave_nothing(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..1], "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let before = (count(store, "series").await, count(store, "sessions").await, count(store, "outbox").await);
        assert_eq!(before, (1, 4, 2));

        // A conflict on the last occurrence only refuses the whole series.
        let err = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2026-12-15T13:00", 4, 3), now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "a past start is invalid: {err:?}");
        let err = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2026-12-22T13:00", 3, 3), now())
            .await;
        assert!(err.is_err());
        let err = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2027-01-05T12:30", 1, 3), now())
            .await
            .unwrap_err();
        let StoreError::Conflict(conflicts) = err else { panic!("a conflict: {err:?}") };
        assert_eq!(conflicts.iter().map(|c| c.index).collect::<Vec<_>>(), [2, 3]);

        // Invalid: every field named; an unknown person; outside working hours is a conflict.
        let mut bad = body(&w, w.supervisor, &w.people[1..], "2027-03-02T13:00", 1, 3);
        bad.duration_minutes = 5;
        bad.kind = "therapy".into();
        let StoreError::Invalid(errors) = store.book_series(&w.coordinator, &bad, now()).await.unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "duration_minutes"]);
        let stranger = uuid::Uuid::now_v7();
        let err = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &[stranger], "2027-03-02T13:00", 1, 3), now())
            .await
            .unwrap_err();
        assert!(matches!(&err, StoreError::Invalid(e) if e.first().field == "participant_ids[0]"), "{err:?}");
        let StoreError::Conflict(late) = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2027-03-02T17:00", 1, 2), now())
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert!(late.iter().all(|c| c.reason == ConflictReason::OutsideWorkingHours));

        // Scope: another organization's coordinator does not see it; a supervisor may not book.
        let other = Caller::Coordinator { organization_id: uuid::Uuid::now_v7() };
        let ok_body = body(&w, w.supervisor, &w.people[1..], "2027-03-02T13:00", 1, 2);
        assert!(matches!(store.book_series(&other, &ok_body, now()).await, Err(StoreError::NotFound { .. })));
        let as_supervisor = Caller::Supervisor { supervisor_id: w.supervisor };
        assert!(matches!(store.book_series(&as_supervisor, &ok_body, now()).await, Err(StoreError::Forbidden)));

        let after = (count(store, "series").await, count(store, "sessions").await, count(store, "outbox").await);
        assert_eq!(after, before);
        assert_eq!(count(store, "session_participants").await, 4);
        assert_eq!(count(store, "goals").await, 1);
        db.finish().await;
    }
);

store_test!(
    async fn concurrent_bookings_of_one_supervisor(db: TestDb) {
        let store = &db.store;
        let w = world(store, 32).await;
        let mut tasks = Vec::new();
        for i in 0..32usize {
            let store = store.clone();
            // Every series overlaps every other: starts minutes apart on the same Tuesday.
            let body = body(&w, w.supervisor, &w.people[i..=i], &format!("2027-01-12T10:{:02}", i), 1, 5);
            let caller = w.coordinator;
            tasks.push(tokio::spawn(async move { store.book_series(&caller, &body, now()).await }));
        }
        let mut booked = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::Conflict(_)) => conflicts += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((booked, conflicts), (1, 31));
        assert_eq!(count(store, "series").await, 1);
        assert_eq!(count(store, "sessions").await, 5);
        assert_eq!(count(store, "outbox").await, 2);
        assert_eq!(overlaps(store).await, 0);
        db.finish().await;
    }
);

store_test!(
    async fn concurrent_bookings_of_one_participant_in_two_teams(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let shared = w.people[0];
        let team_a = store
            .create_team(
                &w.coordinator,
                w.organization,
                &NewTeam { name: "Aamuvuoro".into(), member_ids: vec![shared, w.people[1]] },
                now(),
            )
            .await
            .unwrap();
        let team_b = store
            .create_team(
                &w.coordinator,
                w.organization,
                &NewTeam { name: "Iltavuoro".into(), member_ids: vec![shared, w.people[2]] },
                now(),
            )
            .await
            .unwrap();
        let mut supervisors = Vec::new();
        for i in 0..32 {
            supervisors.push(supervisor(store, &format!("Ohjaaja {i}")).await);
        }
        let mut tasks = Vec::new();
        for (i, sup) in supervisors.iter().enumerate() {
            let store = store.clone();
            let mut series = body(&w, *sup, &[], &format!("2027-01-12T10:{:02}", i), 2, 4);
            series.participant_ids = None;
            series.team_id = Some(if i % 2 == 0 { team_a.id } else { team_b.id });
            let caller = w.coordinator;
            tasks.push(tokio::spawn(async move { store.book_series(&caller, &series, now()).await }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let booked = results.iter().filter(|r| r.is_ok()).count();
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict(c)) if c.iter().all(|c| c.reason == ConflictReason::ParticipantBusy && c.person_id.is_some())))
            .count();
        assert_eq!((booked, busy), (1, 31), "{results:?}");
        assert_eq!(count(store, "series").await, 1);
        assert_eq!(person_overlaps(store).await, 0);
        db.finish().await;
    }
);
