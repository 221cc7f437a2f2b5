//! A supervisor's upcoming sessions: in order, with series title, organization and invitees;
//! cancelled ones left out; only for an admin or the supervisor themself.

use crate::store_test;
use crate::world::parties::{at, body, now, world};
use chrono::TimeDelta;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::sessions::{CancelSession, SessionChanges};
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

store_test!(
    async fn each_item_reads_as_its_session_alone_and_pages_follow_the_key(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        // JSON's special characters and letters beyond ASCII survive the trip (SQLite builds
        // the answer as JSON text).
        let odd = NewPerson { name: "Äijö \"Iso\" \\ Å".into(), email: "aijo@osasto5.example".into(), locale: None };
        let odd = store.create_person(&Caller::Admin, w.organization, &odd, now()).await.unwrap().id;
        let helsinki = store
            .book_series(
                &w.coordinator,
                &body(&w, w.supervisor, &[odd, w.people[1], w.people[0]], "2027-01-12T13:00", 1, 6),
                now(),
            )
            .await
            .unwrap();
        let mut london = body(&w, w.supervisor, &[w.people[1]], "2027-01-13T09:00", 1, 6);
        london.timezone = Some("Europe/London".into());
        london.location = None;
        london.video_url = Some("https://video.example/ohjaus".into());
        london.title = "Coaching".into();
        store.book_series(&w.coordinator, &london, now()).await.unwrap();
        // A session's own place stands before the series'; a cancelled one is left out.
        let changes = SessionChanges { location: Some("Kirjasto".into()), ..SessionChanges::default() };
        store.move_session(&w.coordinator, helsinki.sessions[2].id, &changes, now()).await.unwrap();
        store.cancel_session(&w.coordinator, helsinki.sessions[3].id, &CancelSession::default(), now()).await.unwrap();

        let (from, until) = (at("2027-01-10T00:00:00Z"), at("2027-03-10T00:00:00Z"));
        let list = store.upcoming_for_supervisor(&Caller::Admin, w.supervisor, from, until).await.unwrap();
        assert_eq!(list.len(), 11);
        for item in &list {
            assert_eq!(item.session, store.get_session(&Caller::Admin, item.session.id).await.unwrap());
            let names: Vec<&str> = item.participants.iter().map(|p| p.name.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted, "invitees by name");
            let mut ids: Vec<Uuid> = item.participants.iter().map(|p| p.id).collect();
            ids.sort_unstable();
            assert_eq!(ids, item.session.participant_ids);
        }
        assert!(
            list.windows(2)
                .all(|p| (p[0].session.starts_at, p[0].session.id) < (p[1].session.starts_at, p[1].session.id))
        );
        let first = &list[0];
        assert_eq!(first.participants.len(), 3);
        assert_eq!(first.participants[2].name, "Äijö \"Iso\" \\ Å");
        assert_eq!(first.session.location.as_deref(), Some("Neuvotteluhuone 2"));
        assert_eq!(first.session.starts_at.to_rfc3339(), "2027-01-12T13:00:00+02:00");
        let coaching = &list[1];
        assert_eq!((coaching.series_title.as_str(), coaching.session.timezone.as_str()), ("Coaching", "Europe/London"));
        assert_eq!(coaching.session.starts_at.to_rfc3339(), "2027-01-13T09:00:00+00:00");
        assert_eq!(coaching.session.location, None);
        assert_eq!(coaching.session.video_url.as_deref(), Some("https://video.example/ohjaus"));
        assert!(list.iter().any(|s| s.session.location.as_deref() == Some("Kirjasto")));
        assert!(list.iter().all(|s| s.session.id != helsinki.sessions[3].id));

        // Pages of four after the key of the last item seen give the same list.
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page =
                store.upcoming_page_for_supervisor(&Caller::Admin, w.supervisor, from, until, after, 4).await.unwrap();
            assert!(page.len() <= 4);
            let Some(last) = page.last() else { break };
            after = Some((last.session.starts_at.to_utc(), last.session.id));
            paged.extend(page);
        }
        assert_eq!(paged, list);
        db.finish().await;
    }
);
