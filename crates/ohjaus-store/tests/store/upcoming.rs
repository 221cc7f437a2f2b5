//! A supervisor's upcoming sessions: in order, with series title, organization and invitees;
//! cancelled ones left out; only for an admin or the supervisor themself.

use crate::fixtures::{at, body, now, world};
use crate::store_test;
use chrono::TimeDelta;
use ohjaus_store::repo::sessions::CancelSession;
use ohjaus_store::{Caller, StoreError};
use uuid::Uuid;

store_test!(
    async fn a_supervisors_next_thirty_days(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let weekly = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..2], "2027-01-12T13:00", 1, 8), now())
            .await
            .unwrap();
        let mut other = body(&w, w.supervisor, &w.people[2..], "2027-01-14T09:00", 2, 4);
        other.title = "Esihenkilön coaching".into();
        store.book_series(&w.coordinator, &other, now()).await.unwrap();
        store.cancel_session(&w.coordinator, weekly.sessions[1].id, &CancelSession::default(), now()).await.unwrap();
        let me = Caller::Supervisor { supervisor_id: w.supervisor };
        let from = at("2027-01-10T00:00:00Z");
        let list = store.upcoming_for_supervisor(&me, w.supervisor, from, from + TimeDelta::days(30)).await.unwrap();
        let seen: Vec<(String, &str)> = list
            .iter()
            .map(|s| (s.session.starts_at.format("%m-%d %H:%M").to_string(), s.series_title.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("01-12 13:00".to_owned(), "Osasto 5 työnohjaus"),
                ("01-14 09:00".to_owned(), "Esihenkilön coaching"),
                ("01-26 13:00".to_owned(), "Osasto 5 työnohjaus"),
                ("01-28 09:00".to_owned(), "Esihenkilön coaching"),
                ("02-02 13:00".to_owned(), "Osasto 5 työnohjaus"),
            ]
        );
        assert!(list.iter().all(|s| s.organization_name == "Osasto 5"));
        let names: Vec<&str> = list[0].participants.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Hoitaja 0", "Hoitaja 1"]);
        assert_eq!(list[1].participants[0].id, w.people[2]);

        assert_eq!(
            store
                .upcoming_for_supervisor(&Caller::Admin, w.supervisor, from, from + TimeDelta::days(1))
                .await
                .unwrap()
                .len(),
            0
        );
        let stranger = Caller::Supervisor { supervisor_id: Uuid::now_v7() };
        let window = (from, from + TimeDelta::days(30));
        assert!(matches!(
            store.upcoming_for_supervisor(&stranger, w.supervisor, window.0, window.1).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.upcoming_for_supervisor(&w.coordinator, w.supervisor, window.0, window.1).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.upcoming_for_supervisor(&Caller::Admin, Uuid::now_v7(), window.0, window.1).await,
            Err(StoreError::NotFound { .. })
        ));
        db.finish().await;
    }
);
