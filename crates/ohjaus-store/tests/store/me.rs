//! A person's own upcoming sessions.

use crate::store_test;
use crate::world::{World, assert_forbidden, assert_invalid, at, set_status, uninvite};
use ohjaus_store::Caller;
use ohjaus_store::read::person_agenda::MyUpcoming;

store_test! {
    async fn a_person_sees_their_own_upcoming_sessions(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        // Just before X's first session (11:00 UTC on 12 January): fifteen days hold three.
        let now = at("2027-01-12T10:00:00Z");
        let mine = store.person_upcoming(&w.p1(), 15, now).await.unwrap();
        assert_eq!(mine.iter().map(|u| u.session.index).collect::<Vec<_>>(), [1, 2, 3]);
        let first = &mine[0];
        assert_eq!(first.session.id, w.x_sessions[0]);
        assert_eq!(first.session.series_id, w.x);
        assert_eq!(first.session.starts_at.to_rfc3339(), "2027-01-12T13:00:00+02:00");
        assert_eq!(first.session.location.as_deref(), Some("Neuvotteluhuone 2"));
        assert_eq!((first.series_title.as_str(), first.series_kind.as_str()), ("Osasto 5 työnohjaus", "group_supervision"));
        assert_eq!((first.organization_id, first.organization_name.as_str()), (w.org_a, "Osasto 5"));
        assert_eq!((first.supervisor_id, first.supervisor_name.as_str()), (w.s1, "Sanna Ohjaaja"));

        // Cancelled sessions are not coming (held ones are listed); sessions one is not invited
        // to are not one's own.
        set_status(store, w.x_sessions[0], "held", false).await;
        set_status(store, w.x_sessions[1], "cancelled", false).await;
        uninvite(store, w.x_sessions[2], w.p2).await;
        let p1 = store.person_upcoming(&w.p1(), 15, now).await.unwrap();
        assert_eq!(p1.iter().map(|u| u.session.index).collect::<Vec<_>>(), [1, 3]);
        let p2 = store.person_upcoming(&w.p2(), 30, now).await.unwrap();
        assert_eq!(p2.iter().map(|u| u.session.index).collect::<Vec<_>>(), [1, 4]);
        // Once it has begun it is no longer ahead.
        let p1 = store.person_upcoming(&w.p1(), 1, at("2027-01-12T11:00:01Z")).await.unwrap();
        assert!(p1.is_empty());

        let q1 = store.person_upcoming(&w.q1(), 30, now).await.unwrap();
        assert_eq!(q1.iter().map(|u| u.session.id).collect::<Vec<_>>(), w.y_sessions);
        assert!(store.person_upcoming(&w.p3(), 366, now).await.unwrap().is_empty());

        for caller in [Caller::Admin, w.coord_a()] {
            assert_forbidden(store.person_upcoming(&caller, 7, now).await);
        }
        for days in [0, 367, u32::MAX] {
            assert_invalid(store.person_upcoming(&w.p1(), days, now).await, "days");
        }
        db.finish().await;
    }
}

store_test! {
    async fn me_upcoming_answers_participants_and_supervisors(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = at("2027-01-12T10:00:00Z");
        let MyUpcoming::Participant(mine) = store.my_upcoming(&w.p1(), 8, now).await.unwrap() else { panic!() };
        assert_eq!(mine, store.person_upcoming(&w.p1(), 8, now).await.unwrap());
        assert_eq!(mine.len(), 2);
        let MyUpcoming::Supervisor(agenda) = store.my_upcoming(&w.sup1(), 8, now).await.unwrap() else { panic!() };
        assert_eq!(agenda, store.upcoming_for_supervisor(&w.sup1(), w.s1, now, at("2027-01-20T10:00:00Z")).await.unwrap());
        assert_eq!(agenda.iter().map(|s| s.session.id).collect::<Vec<_>>(), w.x_sessions[..2]);
        assert_eq!(agenda[0].participants.len(), 2);
        let MyUpcoming::Supervisor(other) = store.my_upcoming(&w.sup2(), 8, now).await.unwrap() else { panic!() };
        assert_eq!(other.iter().map(|s| s.session.id).collect::<Vec<_>>(), w.y_sessions);
        for caller in [Caller::Admin, w.coord_a(), w.coord_b()] {
            assert_forbidden(store.my_upcoming(&caller, 7, now).await);
        }
        assert_invalid(store.my_upcoming(&w.sup1(), 0, now).await, "days");
        assert_invalid(store.my_upcoming(&w.p1(), 400, now).await, "days");
        // As JSON both are a list of sessions with the series and organization.
        let json = serde_json::to_value(store.my_upcoming(&w.p1(), 7, now).await.unwrap()).unwrap();
        assert_eq!(json[0]["series_title"], "Osasto 5 työnohjaus");
        assert_eq!(json[0]["index"], 1);
        db.finish().await;
    }
}
