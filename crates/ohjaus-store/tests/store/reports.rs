//! The organization report on a hand-computed example.
//!
//! Series X (team T, 4 × 90 min, contracted 4): 1 held 2027-01-12 (p1 present, p2 absent),
//! 2 cancelled late 01-19, 3 cancelled in time 01-26, 4 scheduled 02-02.
//! Series Z (no team, p3, 2 × 60 min, contracted 2): 1 held 01-14 (p3 present), 2 held at
//! 2027-01-31 22:30 UTC = 1 February 00:30 in Helsinki, outside January.
//! Series Y is organization B's and never appears.
//!
//! January (1.–31.): X held 1, cancelled 1, late 1, used 2, remaining 4 − 2 = 2, present 1 of
//! 2 recorded, 180 min = 3 h. Z held 1, used 1, remaining 2 − 1 = 1 (its February session is
//! after the period), present 1 of 1, 60 min = 1 h. Organization: contracted 6, held 2,
//! cancelled 1, late 1, used 3, remaining 3, present 2 of 3, 240 min = 4 h.
//!
//! 15.–31. January: only X's sessions 2 and 3: cancelled 1, late 1, used 1, remaining still
//! 2 (session 1, before the period, was used), nothing recorded, 90 min = 1.5 h.

use crate::store_test;
use crate::world::{
    SeriesRows, World, assert_forbidden, assert_invalid, assert_not_found, at, insert_series, set_status,
};
use chrono::NaiveDate;
use ohjaus_store::Caller;
use ohjaus_store::read::organization_report::Figures;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn figures(counts: [u32; 9], minutes: i64) -> Figures {
    let [contracted, scheduled, held, cancelled, late_cancellations, used, remaining, present, recorded] = counts;
    Figures {
        contracted,
        scheduled,
        held,
        cancelled,
        late_cancellations,
        used,
        remaining,
        present,
        recorded,
        attendance_rate: (recorded > 0).then(|| f64::from(present) / f64::from(recorded)),
        minutes_used: minutes,
        hours: minutes as f64 / 60.0,
    }
}

store_test! {
    async fn the_report_adds_up(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let (z, _, z_sessions) = insert_series(
            store,
            SeriesRows {
                organization_id: w.org_a,
                supervisor_id: w.s2,
                team_id: None,
                title: "Esihenkilön coaching",
                kind: "individual_coaching",
                first_start: "2027-01-14T13:00",
                starts: &["2027-01-14T11:00:00Z", "2027-01-31T22:30:00Z"],
                minutes: 60,
                participants: &[w.p3],
                location: None,
            },
        )
        .await;
        let record = |session, entries: Vec<AttendanceEntry>, caller: Caller| async move {
            let when = at("2027-02-10T12:00:00Z");
            store.record_attendance(&caller, session, &AttendanceUpdate { entries }, when).await.unwrap();
        };
        use AttendanceStatus::{Absent, Present};
        record(
            w.x_sessions[0],
            vec![AttendanceEntry { person_id: w.p1, status: Present }, AttendanceEntry { person_id: w.p2, status: Absent }],
            w.sup1(),
        )
        .await;
        set_status(store, w.x_sessions[1], "cancelled", true).await;
        set_status(store, w.x_sessions[2], "cancelled", false).await;
        record(z_sessions[0], vec![AttendanceEntry { person_id: w.p3, status: Present }], w.sup2()).await;
        record(z_sessions[1], vec![AttendanceEntry { person_id: w.p3, status: Present }], w.sup2()).await;
        // Organization B's series is busy too, and never shows.
        record(w.y_sessions[0], vec![AttendanceEntry { person_id: w.q1, status: Present }], w.sup2()).await;

        for caller in [Caller::Admin, w.coord_a()] {
            let report = store.organization_report(&caller, w.org_a, day("2027-01-01"), day("2027-01-31")).await.unwrap();
            assert_eq!(report.organization_name, "Osasto 5");
            assert_eq!(report.teams.len(), 2);
            let team = &report.teams[0];
            assert_eq!((team.team_id, team.team_name.as_deref()), (Some(w.team), Some("Osasto 5 hoitajat")));
            assert_eq!(team.series.len(), 1);
            assert_eq!(team.series[0].series_id, w.x);
            let x = figures([4, 0, 1, 1, 1, 2, 2, 1, 2], 180);
            assert_eq!(team.series[0].figures, x);
            assert_eq!(team.totals, x);
            assert_eq!(team.series[0].figures.hours, 3.0);
            let none = &report.teams[1];
            assert_eq!((none.team_id, none.team_name.as_deref()), (None, None));
            assert_eq!(none.series[0].series_id, z);
            let zf = figures([2, 0, 1, 0, 0, 1, 1, 1, 1], 60);
            assert_eq!(none.series[0].figures, zf);
            assert_eq!(none.totals, zf);
            let total = figures([6, 0, 2, 1, 1, 3, 3, 2, 3], 240);
            assert_eq!(report.totals, total);
            assert_eq!(report.totals.hours, 4.0);
            assert!((report.totals.attendance_rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        }

        let late_january = store.organization_report(&w.coord_a(), w.org_a, day("2027-01-15"), day("2027-01-31")).await.unwrap();
        assert_eq!(late_january.teams.len(), 1, "Z has no session in the period");
        let x = figures([4, 0, 0, 1, 1, 1, 2, 0, 0], 90);
        assert_eq!(late_january.teams[0].series[0].figures, x);
        assert_eq!(late_january.teams[0].series[0].figures.attendance_rate, None);
        assert_eq!(late_january.totals, x);

        // February holds X's last session (scheduled) and Z's second (held).
        let february = store.organization_report(&w.coord_a(), w.org_a, day("2027-02-01"), day("2027-02-28")).await.unwrap();
        assert_eq!(february.totals, figures([6, 1, 1, 0, 0, 1, 2, 1, 1], 60));

        let empty = store.organization_report(&w.coord_a(), w.org_a, day("2026-01-01"), day("2026-12-31")).await.unwrap();
        assert!(empty.teams.is_empty());
        assert_eq!(empty.totals, Figures::default());
        db.finish().await;
    }
}

store_test! {
    async fn the_report_is_for_the_organization_only(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let (from, to) = (day("2027-01-01"), day("2027-01-31"));
        assert_not_found(store.organization_report(&w.coord_b(), w.org_a, from, to).await);
        assert_not_found(store.organization_report(&Caller::Admin, uuid::Uuid::now_v7(), from, to).await);
        for caller in [w.sup1(), w.p1(), w.sup2(), w.q1()] {
            assert_forbidden(store.organization_report(&caller, w.org_a, from, to).await);
        }
        assert_invalid(store.organization_report(&w.coord_a(), w.org_a, to, from).await, "to");
        assert_invalid(store.organization_report(&w.coord_a(), w.org_a, from, day("2040-01-01")).await, "to");
        let b = store.organization_report(&w.coord_b(), w.org_b, from, to).await.unwrap();
        assert_eq!(b.teams.len(), 1);
        assert_eq!(b.teams[0].series[0].series_id, w.y);
        db.finish().await;
    }
}
