//! Attendance: who records it, when, for whom; "I can't attend" and its notice.

use crate::store_test;
use crate::world::{
    World, assert_forbidden, assert_invalid, assert_not_found, assert_refused, at, set_status, uninvite,
};
use chrono::TimeDelta;
use ohjaus_core::notice::Change;
use ohjaus_core::{Notice, SessionStatus};
use ohjaus_store::Caller;
use ohjaus_store::entity::outbox;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use sea_orm::EntityTrait;
use uuid::Uuid;

fn update(entries: &[(Uuid, AttendanceStatus)]) -> AttendanceUpdate {
    AttendanceUpdate {
        entries: entries
            .iter()
            .map(|(person_id, status)| AttendanceEntry { person_id: *person_id, status: *status })
            .collect(),
    }
}

store_test! {
    async fn attendance_rules(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let first = w.x_sessions[0];
        let starts = at("2027-01-12T11:00:00Z");
        let before_start = starts - TimeDelta::hours(2);
        let during = starts + TimeDelta::minutes(30);
        use AttendanceStatus::{Absent, Excused, Present};

        // Before the start only `excused`.
        let early = store.record_attendance(&w.sup1(), first, &update(&[(w.p1, Present)]), before_start).await;
        assert_invalid(early, "entries[0].status");
        let early = store.record_attendance(&w.sup1(), first, &update(&[(w.p2, Excused)]), before_start).await.unwrap();
        assert_eq!(early.session_status, SessionStatus::Scheduled);
        assert_eq!(early.entries.len(), 1);

        // Everyone must be invited; every wrong entry is named; nothing is written.
        let wrong = store
            .record_attendance(&w.sup1(), first, &update(&[(w.p1, Present), (w.p3, Present), (w.p1, Absent), (w.q1, Absent)]), during)
            .await;
        assert_invalid(wrong, "entries[1].person_id");
        let wrong = store.record_attendance(&w.sup1(), first, &update(&[(w.p1, Present), (w.p1, Absent)]), during).await;
        assert_invalid(wrong, "entries[1].person_id");
        assert_eq!(store.get_attendance(&w.sup1(), first).await.unwrap().entries.len(), 1);

        // Present or absent marks the session held; entries merge.
        let held = store.record_attendance(&w.sup1(), first, &update(&[(w.p1, Present)]), during).await.unwrap();
        assert_eq!(held.session_status, SessionStatus::Held);
        let by_person: Vec<_> = held.entries.iter().map(|e| (e.person_id, e.status)).collect();
        let mut expected = vec![(w.p1, Present), (w.p2, Excused)];
        expected.sort_by_key(|(person, _)| *person);
        assert_eq!(by_person, expected, "p2's excuse stays");
        // A correction overwrites.
        let corrected = store.record_attendance(&Caller::Admin, first, &update(&[(w.p2, Absent)]), during).await.unwrap();
        assert!(corrected.entries.iter().any(|e| e.person_id == w.p2 && e.status == Absent && e.recorded_at == during));

        // Who records.
        for caller in [w.coord_a(), w.p1(), w.p2()] {
            assert_forbidden(store.record_attendance(&caller, first, &update(&[(w.p1, Present)]), during).await);
        }
        for outsider in w.outsiders_of_x() {
            assert_not_found(store.record_attendance(&outsider, first, &update(&[(w.p1, Present)]), during).await);
            assert_not_found(store.get_attendance(&outsider, first).await);
        }
        // Who reads: the organization sees all entries, a participant their own.
        assert_eq!(store.get_attendance(&w.coord_a(), first).await.unwrap().entries.len(), 2);
        let own = store.get_attendance(&w.p1(), first).await.unwrap();
        assert_eq!(own.entries.iter().map(|e| e.person_id).collect::<Vec<_>>(), [w.p1]);
        assert_eq!(own.session_status, SessionStatus::Held);

        // A cancelled session takes none.
        let second = w.x_sessions[1];
        set_status(store, second, "cancelled", false).await;
        let late = at("2027-01-19T12:00:00Z");
        assert_invalid(store.record_attendance(&w.sup1(), second, &update(&[(w.p1, Excused)]), late).await, "entries");
        db.finish().await;
    }
}

store_test! {
    async fn a_participant_reports_an_absence(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let third = w.x_sessions[2];
        let now = at("2027-01-20T09:00:00Z");
        let marked = store.report_absence(&w.p1(), third, now).await.unwrap();
        assert_eq!((marked.person_id, marked.status, marked.recorded_at), (w.p1, AttendanceStatus::Excused, now));
        let rows = outbox::Entity::find().all(store.connection()).await.unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.kind.as_str(), row.recipient_id, row.status.as_str()), ("info", w.s1, "queued"));
        assert_eq!(row.recipient_domain, "ohjaus.fi");
        let notice: Notice = serde_json::from_str(&row.payload).unwrap();
        let Notice::Info { recipient, series, change } = notice else { panic!("{notice:?}") };
        assert_eq!(recipient.id, w.s1);
        assert_eq!(series.series_id, w.x);
        assert_eq!(change, Change::AbsenceReported { index: 3, participant: "Pia Hoitaja".into() });

        // Said twice: one notice.
        store.report_absence(&w.p1(), third, now + TimeDelta::hours(1)).await.unwrap();
        assert_eq!(outbox::Entity::find().all(store.connection()).await.unwrap().len(), 1);
        assert_eq!(store.get_attendance(&w.sup1(), third).await.unwrap().entries.len(), 1);

        // Only participants of that session, only ahead of time, only scheduled sessions.
        for caller in [w.sup1(), w.coord_a(), Caller::Admin] {
            assert_forbidden(store.report_absence(&caller, third, now).await);
        }
        for outsider in [w.p3(), w.q1()] {
            assert_not_found(store.report_absence(&outsider, third, now).await);
        }
        uninvite(store, w.x_sessions[3], w.p2).await;
        assert_forbidden(store.report_absence(&w.p2(), w.x_sessions[3], now).await);
        assert_refused(store.report_absence(&w.p1(), w.x_sessions[0], now).await, "session");
        set_status(store, w.x_sessions[3], "cancelled", false).await;
        assert_refused(store.report_absence(&w.p1(), w.x_sessions[3], now).await, "session");
        assert_eq!(outbox::Entity::find().all(store.connection()).await.unwrap().len(), 1, "refusals queue nothing");
        db.finish().await;
    }
}
