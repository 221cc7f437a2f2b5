//! Co-supervision (*pariohjaus*): a series with two supervisors. Every occurrence must fit both
//! (each conflict names which one); both get the invitations as chairs, see the sessions in
//! their agendas, feeds and digests, record attendance and read each other's supervisor notes;
//! a participant never reads those. The co-supervisor is added and removed on a booked series.
//! Slot suggestions for a co-supervised series are free for both.

use crate::store_test;
use crate::world::assert_not_found;
use crate::world::parties::{body, count, now, outbox, supervisor, world};
use chrono::TimeDelta;
use ohjaus_core::notice::{CalendarMessage, Role};
use ohjaus_core::{ConflictReason, Notice};
use ohjaus_store::read::slot_suggestions::{SlotRequest, Suggestions};
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::write::series::SeriesChanges;
use ohjaus_store::write::tokens::FeedOwner;
use ohjaus_store::{Caller, StoreError};
use uuid::Uuid;

fn co(mut series: ohjaus_core::SeriesBody, co_supervisor: Uuid) -> ohjaus_core::SeriesBody {
    series.co_supervisor_id = Some(co_supervisor);
    series
}

store_test!(
    async fn booking_answers_conflict_when_either_supervisor_is_busy(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let pekka = supervisor(store, "Pekka Pariohjaaja").await;
        // Pekka alone on Tuesdays at 13:00; Sanna alone on Wednesdays at 13:00.
        store
            .book_series(&Caller::Admin, &body(&w, pekka, &w.people[..1], "2027-01-12T13:00", 1, 3), now())
            .await
            .unwrap();
        store
            .book_series(&Caller::Admin, &body(&w, w.supervisor, &w.people[1..2], "2027-01-13T13:00", 1, 3), now())
            .await
            .unwrap();
        let series_before = count(store, "series").await;
        let sessions_before = count(store, "sessions").await;

        // Sanna with Pekka on Tuesdays: Pekka is busy, and each conflict names him.
        let tuesdays = co(body(&w, w.supervisor, &w.people[2..], "2027-01-12T13:00", 1, 3), pekka);
        let preview = store.preview_series(&w.coordinator, &tuesdays, now()).await.unwrap();
        assert_eq!(preview.conflicts.len(), 3);
        assert!(
            preview
                .conflicts
                .iter()
                .all(|c| c.reason == ConflictReason::SupervisorBusy && c.supervisor_id == Some(pekka)),
            "{:?}",
            preview.conflicts
        );
        let Err(StoreError::Conflict(conflicts)) = store.book_series(&w.coordinator, &tuesdays, now()).await else {
            panic!("Pekka is busy on Tuesdays");
        };
        assert_eq!(conflicts.len(), 3);
        assert!(conflicts.iter().all(|c| c.reason == ConflictReason::SupervisorBusy && c.supervisor_id == Some(pekka)));

        // On Wednesdays it is Sanna, the series' supervisor, who is busy: named too.
        let wednesdays = co(body(&w, w.supervisor, &w.people[2..], "2027-01-13T13:00", 1, 3), pekka);
        let Err(StoreError::Conflict(conflicts)) = store.book_series(&w.coordinator, &wednesdays, now()).await else {
            panic!("Sanna is busy on Wednesdays");
        };
        assert!(conflicts.iter().all(|c| c.supervisor_id == Some(w.supervisor)), "{conflicts:?}");
        // Nothing was stored by either refusal.
        assert_eq!((count(store, "series").await, count(store, "sessions").await), (series_before, sessions_before));

        // The co-supervisor must differ from the supervisor and exist.
        let same = co(body(&w, w.supervisor, &w.people[2..], "2027-01-14T13:00", 1, 3), w.supervisor);
        assert!(matches!(store.book_series(&w.coordinator, &same, now()).await, Err(StoreError::Invalid(_))));
        let ghost = co(body(&w, w.supervisor, &w.people[2..], "2027-01-14T13:00", 1, 3), Uuid::now_v7());
        assert!(matches!(store.book_series(&w.coordinator, &ghost, now()).await, Err(StoreError::Invalid(_))));

        // Thursdays suit both: booked, and both supervisors are chairs of every invitation.
        let queued = outbox(store).await.len();
        let thursdays = co(body(&w, w.supervisor, &w.people[2..], "2027-01-14T13:00", 1, 3), pekka);
        let booked = store.book_series(&w.coordinator, &thursdays, now()).await.unwrap();
        assert_eq!(booked.series.co_supervisor_id, Some(pekka));
        let rows = outbox(store).await.split_off(queued);
        let mut supervisors: Vec<Uuid> = rows
            .iter()
            .filter(|(_, n)| n.recipient().role == Role::Supervisor)
            .map(|(_, n)| n.recipient().id)
            .collect();
        supervisors.sort();
        let mut both = vec![w.supervisor, pekka];
        both.sort();
        assert_eq!(supervisors, both, "both supervisors are invited");
        assert_eq!(rows.len(), 3, "two supervisors and the participant");
        for (_, notice) in &rows {
            let Notice::Invite { supervisors, calendar: CalendarMessage::Request { event }, .. } = notice else {
                panic!("an invitation: {notice:?}");
            };
            let emails: Vec<&str> = supervisors.iter().map(|p| p.email.as_str()).collect();
            assert_eq!(emails, ["sanna.ohjaaja@ohjaajat.example", "pekka.pariohjaaja@ohjaajat.example"]);
            assert_eq!(event.instances.len(), 3, "everyone takes part in every session");
        }

        // Pekka is now busy on Thursdays too: his own series there is refused, naming him.
        let alone = body(&w, pekka, &w.people[..1], "2027-01-21T13:30", 1, 1);
        let Err(StoreError::Conflict(conflicts)) = store.book_series(&Caller::Admin, &alone, now()).await else {
            panic!("Pekka co-supervises on Thursdays");
        };
        assert!(conflicts.iter().all(|c| c.reason == ConflictReason::SupervisorBusy && c.supervisor_id == Some(pekka)));
        db.finish().await;
    }
);

store_test!(
    async fn both_supervisors_see_record_and_read_each_others_notes(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let pekka = supervisor(store, "Pekka Pariohjaaja").await;
        let booked = store
            .book_series(&w.coordinator, &co(body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 1, 4), pekka), now())
            .await
            .unwrap();
        let ids: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();
        let sanna_caller = Caller::Supervisor { supervisor_id: w.supervisor };
        let pekka_caller = Caller::Supervisor { supervisor_id: pekka };
        let participant = Caller::Participant { person_id: w.people[0] };

        // Agendas (the upcoming views) and feeds of both contain the sessions.
        let until = now() + TimeDelta::days(60);
        for (caller, id) in [(&sanna_caller, w.supervisor), (&pekka_caller, pekka)] {
            let agenda = store.upcoming_for_supervisor(caller, id, now(), until).await.unwrap();
            let seen: Vec<Uuid> = agenda.iter().map(|s| s.session.id).collect();
            assert_eq!(seen, ids, "the agenda of {id}");
            let feed = store.calendar_feed(FeedOwner::Supervisor(id)).await.unwrap();
            assert_eq!(feed.series.len(), 1);
            let shown: usize = feed.series[0].events.iter().map(|e| e.instances.len()).sum();
            assert_eq!(shown, 4, "the feed of {id}");
            assert_eq!(store.get_series(caller, booked.series.id).await.unwrap().series.co_supervisor_id, Some(pekka));
            let listed = store.list_series(caller, &Default::default(), &Default::default()).await.unwrap();
            assert_eq!(listed.items.len(), 1);
        }
        // The weekly digest of each.
        let digests = store.supervisor_sessions_between(now(), until).await.unwrap();
        let mut owners: Vec<Uuid> = digests.iter().map(|d| d.supervisor.id).collect();
        owners.sort();
        let mut both = vec![w.supervisor, pekka];
        both.sort();
        assert_eq!(owners, both);
        assert!(digests.iter().all(|d| d.sessions.len() == 4));

        // Notes: `supervisor` means both; a participant reads only `participants` notes.
        let note = |text: &str, visibility| NewNote { text: text.into(), visibility };
        let by_pekka = store
            .create_note(&pekka_caller, ids[0], &note("Pekan havainto", NoteVisibility::Supervisor), now())
            .await
            .unwrap();
        assert_eq!(by_pekka.supervisor_id, pekka, "the author is the caller");
        let by_sanna = store
            .create_note(&sanna_caller, ids[0], &note("Sannan havainto", NoteVisibility::Supervisor), now())
            .await
            .unwrap();
        let shared = store
            .create_note(&sanna_caller, ids[0], &note("Sovittiin", NoteVisibility::Participants), now())
            .await
            .unwrap();
        for caller in [&sanna_caller, &pekka_caller] {
            let seen: Vec<Uuid> = store.list_notes(caller, ids[0], now()).await.unwrap().iter().map(|n| n.id).collect();
            assert_eq!(seen, [by_pekka.id, by_sanna.id, shared.id]);
        }
        let seen: Vec<Uuid> =
            store.list_notes(&participant, ids[0], now()).await.unwrap().iter().map(|n| n.id).collect();
        assert_eq!(seen, [shared.id], "a participant never sees supervisor notes");

        // The co-supervisor records attendance.
        let update = AttendanceUpdate {
            entries: w
                .people
                .iter()
                .map(|p| AttendanceEntry { person_id: *p, status: AttendanceStatus::Present })
                .collect(),
        };
        let recorded = store
            .record_attendance(&pekka_caller, ids[0], &update, crate::world::at("2027-01-12T12:00:00Z"))
            .await
            .unwrap();
        assert_eq!(recorded.entries.len(), 2);
        db.finish().await;
    }
);

store_test!(
    async fn the_co_supervisor_is_added_and_removed(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let pekka = supervisor(store, "Pekka Pariohjaaja").await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        let id = booked.series.id;
        let change = |co: Option<Uuid>| SeriesChanges { co_supervisor_id: Some(co) };

        // Supervisors and participants may not change it.
        let sanna_caller = Caller::Supervisor { supervisor_id: w.supervisor };
        assert!(matches!(
            store.update_series(&sanna_caller, id, &change(Some(pekka)), now()).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.update_series(&w.coordinator, id, &change(Some(w.supervisor)), now()).await,
            Err(StoreError::Invalid(_))
        ));

        let queued = outbox(store).await.len();
        let updated = store.update_series(&w.coordinator, id, &change(Some(pekka)), now()).await.unwrap();
        assert_eq!(updated.series.co_supervisor_id, Some(pekka));
        assert_eq!(updated.series.ical_sequence, 1);
        let rows = outbox(store).await.split_off(queued);
        let recipients: Vec<Uuid> = rows.iter().map(|(_, n)| n.recipient().id).collect();
        assert!(recipients.contains(&pekka) && recipients.contains(&w.supervisor), "{recipients:?}");
        let pekka_caller = Caller::Supervisor { supervisor_id: pekka };
        let agenda =
            store.upcoming_for_supervisor(&pekka_caller, pekka, now(), now() + TimeDelta::days(60)).await.unwrap();
        assert_eq!(agenda.len(), 4);

        // Removing: Pekka gets the cancellations and loses the series.
        let queued = outbox(store).await.len();
        let updated = store.update_series(&w.coordinator, id, &change(None), now()).await.unwrap();
        assert_eq!(updated.series.co_supervisor_id, None);
        let rows = outbox(store).await.split_off(queued);
        let to_pekka: Vec<_> = rows.iter().filter(|(_, n)| n.recipient().id == pekka).collect();
        assert!(!to_pekka.is_empty());
        assert!(to_pekka.iter().all(|(_, n)| matches!(
            n,
            Notice::Invite {
                calendar: CalendarMessage::CancelInstances { .. } | CalendarMessage::CancelEvent { .. },
                ..
            }
        )));
        assert_not_found(store.get_series(&pekka_caller, id).await);
        assert!(
            store
                .upcoming_for_supervisor(&pekka_caller, pekka, now(), now() + TimeDelta::days(60))
                .await
                .unwrap()
                .is_empty()
        );
        db.finish().await;
    }
);

store_test!(
    async fn adding_a_busy_co_supervisor_is_refused_naming_them(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let liisa = supervisor(store, "Liisa Lisäohjaaja").await;
        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..1], "2027-01-12T13:00", 1, 4), now())
            .await
            .unwrap();
        // Liisa is busy on the third Tuesday at the same hour.
        store
            .book_series(&Caller::Admin, &body(&w, liisa, &w.people[1..], "2027-01-26T13:30", 1, 1), now())
            .await
            .unwrap();
        let sequence = booked.series.ical_sequence;
        let queued = outbox(store).await.len();
        let Err(StoreError::Conflict(conflicts)) = store
            .update_series(
                &w.coordinator,
                booked.series.id,
                &SeriesChanges { co_supervisor_id: Some(Some(liisa)) },
                now(),
            )
            .await
        else {
            panic!("Liisa is busy");
        };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            (conflicts[0].index, conflicts[0].reason, conflicts[0].supervisor_id),
            (3, ConflictReason::SupervisorBusy, Some(liisa))
        );
        let again = store.get_series(&Caller::Admin, booked.series.id).await.unwrap();
        assert_eq!((again.series.co_supervisor_id, again.series.ical_sequence), (None, sequence), "nothing changed");
        assert_eq!(outbox(store).await.len(), queued, "nothing was sent");
        db.finish().await;
    }
);

store_test!(
    async fn slot_suggestions_need_both_supervisors_free(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let pekka = supervisor(store, "Pekka Pariohjaaja").await;
        // Pekka supervises on Monday 11 January 08:00–09:30, when Sanna is free.
        store
            .book_series(&Caller::Admin, &body(&w, pekka, &w.people[..1], "2027-01-11T08:00", 1, 1), now())
            .await
            .unwrap();
        let request = |co_supervisor_id| SlotRequest {
            supervisor_id: w.supervisor,
            co_supervisor_id,
            organization_id: Some(w.organization),
            team_id: None,
            participant_ids: Some(w.people[1..].to_vec()),
            duration_minutes: 90,
            count: 3,
            interval_weeks: Some(1),
            from: Some("2027-01-11".parse().unwrap()),
            timezone: None,
            holiday_policy: None,
            limit: Some(3),
        };
        let first =
            |found: &Suggestions| found.slots.first().map(|s| s.first_start.format("%Y-%m-%dT%H:%M").to_string());
        let alone = store.suggest_slots(&w.coordinator, &request(None), now()).await.unwrap();
        assert_eq!(first(&alone).as_deref(), Some("2027-01-11T08:00"), "Sanna alone is free at once");

        let both = store.suggest_slots(&w.coordinator, &request(Some(pekka)), now()).await.unwrap();
        assert_eq!(both.slots.len(), 3);
        let pekka_busy = (
            "2027-01-11T06:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
            "2027-01-11T07:30:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
        );
        for slot in &both.slots {
            let ends = slot.starts_at + TimeDelta::minutes(90);
            assert!(ends <= pekka_busy.0 || slot.starts_at >= pekka_busy.1, "{slot:?} overlaps Pekka's session");
        }
        // The first suggestion books as it is: no conflict for either supervisor.
        let start = first(&both).unwrap();
        let series = co(body(&w, w.supervisor, &w.people[1..], &start, 1, 3), pekka);
        let preview = store.preview_series(&w.coordinator, &series, now()).await.unwrap();
        assert!(preview.conflicts.is_empty(), "{:?}", preview.conflicts);

        // The co-supervisor must exist and differ from the supervisor.
        for wrong in [w.supervisor, Uuid::now_v7()] {
            let error = store.suggest_slots(&w.coordinator, &request(Some(wrong)), now()).await.unwrap_err();
            assert!(matches!(&error, StoreError::Invalid(e) if e.first().field == "co_supervisor_id"), "{error:?}");
        }
        db.finish().await;
    }
);

/// Pairs of overlapping non-cancelled sessions that share a supervisor, main or co (must
/// always be zero).
async fn shared_supervisor_overlaps(store: &ohjaus_store::Store) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = store.connection();
    let sql = "SELECT COUNT(*) AS n FROM sessions a JOIN sessions b ON a.id < b.id \
               AND (a.supervisor_id IN (b.supervisor_id, b.co_supervisor_id) \
                    OR a.co_supervisor_id IN (b.supervisor_id, b.co_supervisor_id)) \
               AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
               WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

store_test!(
    async fn concurrent_bookings_of_one_co_supervisor(db: TestDb) {
        let store = &db.store;
        let w = world(store, 32).await;
        let pekka = supervisor(store, "Pekka Pariohjaaja").await;
        let mut others = Vec::new();
        for i in 0..32 {
            others.push(supervisor(store, &format!("Ohjaaja {i}")).await);
        }
        // Every series overlaps every other and has Pekka in it: the co-supervisor of half of
        // them (under 16 different supervisors), the supervisor of the other half (with a
        // co-supervisor of its own). Nobody else is shared.
        let mut tasks = Vec::new();
        for (i, other) in others.iter().enumerate() {
            let store = store.clone();
            let start = format!("2027-01-12T10:{i:02}");
            let series = if i % 2 == 0 {
                co(body(&w, *other, &w.people[i..=i], &start, 1, 3), pekka)
            } else {
                co(body(&w, pekka, &w.people[i..=i], &start, 1, 3), *other)
            };
            let caller = w.coordinator;
            tasks.push(tokio::spawn(async move { store.book_series(&caller, &series, now()).await }));
        }
        let mut booked = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::Conflict(conflicts)) => {
                    assert!(
                        conflicts
                            .iter()
                            .all(|c| c.reason == ConflictReason::SupervisorBusy && c.supervisor_id == Some(pekka)),
                        "{conflicts:?}"
                    );
                    refused += 1;
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((booked, refused), (1, 31));
        assert_eq!(count(store, "series").await, 1);
        assert_eq!(count(store, "sessions").await, 3);
        assert_eq!(shared_supervisor_overlaps(store).await, 0);
        db.finish().await;
    }
);
