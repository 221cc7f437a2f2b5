//! The calendar feed's data: the owner's events with only their own instances.

use crate::store_test;
use crate::world::{World, assert_not_found, before, set_status, uninvite};
use ohjaus_core::SessionStatus;
use ohjaus_store::write::tokens::FeedOwner;

store_test! {
    async fn feeds_show_what_the_owner_is_invited_to(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        uninvite(store, w.x_sessions[2], w.p2).await;
        set_status(store, w.x_sessions[1], "cancelled", false).await;

        let p1 = store.calendar_feed(FeedOwner::Person(w.p1)).await.unwrap();
        assert_eq!((p1.owner_name.as_str(), p1.timezone.as_str()), ("Pia Hoitaja", "Europe/Helsinki"));
        assert_eq!(p1.series.len(), 1);
        let x = &p1.series[0];
        assert_eq!(x.info.series_id, w.x);
        assert_eq!(x.info.organization_name, "Osasto 5");
        assert_eq!(x.supervisor.email, "sanna@ohjaus.fi");
        assert_eq!(x.attendees.len(), 2);
        assert_eq!(x.events.len(), 1);
        assert_eq!(x.events[0].uid, w.x_uid);
        assert_eq!(x.events[0].instances.len(), 4);
        assert_eq!(x.events[0].instances[1].status, SessionStatus::Cancelled, "a cancellation reaches the calendar");
        assert_eq!(x.events[0].instances[0].location.as_deref(), Some("Neuvotteluhuone 2"));

        let p2 = store.calendar_feed(FeedOwner::Person(w.p2)).await.unwrap();
        let indices: Vec<u32> = p2.series[0].events[0].instances.iter().map(|i| i.index).collect();
        assert_eq!(indices, [1, 2, 4], "not the session p2 is not invited to");

        let s1 = store.calendar_feed(FeedOwner::Supervisor(w.s1)).await.unwrap();
        assert_eq!(s1.series.len(), 1);
        assert_eq!(s1.series[0].events[0].instances.len(), 4);
        let s2 = store.calendar_feed(FeedOwner::Supervisor(w.s2)).await.unwrap();
        assert_eq!(s2.series.iter().map(|s| s.info.series_id).collect::<Vec<_>>(), [w.y]);

        assert!(store.calendar_feed(FeedOwner::Person(w.p3)).await.unwrap().series.is_empty());
        assert_eq!(store.calendar_feed(FeedOwner::Person(w.q1)).await.unwrap().series[0].info.series_id, w.y);
        assert_not_found(store.calendar_feed(FeedOwner::Person(uuid::Uuid::now_v7())).await);

        // Through a token, as the API does.
        let token = store.create_calendar_token(&w.p2(), before()).await.unwrap();
        let owner = store.resolve_calendar_token(token.secret.expose()).await.unwrap().unwrap();
        assert_eq!(store.calendar_feed(owner).await.unwrap(), p2);
        db.finish().await;
    }
}

store_test! {
    async fn the_feed_is_what_the_invites_describe(db: TestDb) {
        use crate::world::parties as fixtures;
        use ohjaus_core::Notice;
        use ohjaus_core::notice::{CalendarMessage, Change};
        use ohjaus_store::write::sessions::CancelSession;

        let store = &db.store;
        let w = fixtures::world(store, 2).await;
        let body = fixtures::body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 2, 4);
        let booked = store.book_series(&w.coordinator, &body, fixtures::now()).await.unwrap();
        let owner_of = |id| if id == w.supervisor { FeedOwner::Supervisor(id) } else { FeedOwner::Person(id) };
        let mut requests = 0;
        for (_, notice) in fixtures::outbox(store).await {
            let Notice::Invite { recipient, calendar: CalendarMessage::Request { event }, sequence, .. } = notice else {
                continue;
            };
            let feed = store.calendar_feed(owner_of(recipient.id)).await.unwrap();
            assert_eq!(feed.series.len(), 1);
            assert_eq!(feed.series[0].sequence, sequence);
            assert_eq!(feed.series[0].events, vec![event], "the feed of {:?}", recipient.id);
            requests += 1;
        }
        assert_eq!(requests, 3, "the supervisor and two participants");

        // Cancelled in time with a make-up: the feed carries the cancellation and the make-up's
        // own event, as the make-up's invite does.
        let cancel = CancelSession { reason: None, replace: Some(true) };
        let cancelled = store.cancel_session(&w.coordinator, booked.sessions[0].id, &cancel, fixtures::now()).await.unwrap();
        let makeup = cancelled.makeup.unwrap();
        for (_, notice) in fixtures::outbox(store).await {
            let Notice::Invite { recipient, change: Change::MakeupAdded { .. }, calendar: CalendarMessage::Request { event }, .. } =
                notice
            else {
                continue;
            };
            let feed = store.calendar_feed(owner_of(recipient.id)).await.unwrap();
            let events = &feed.series[0].events;
            assert_eq!(events.len(), 2);
            assert_eq!(events[0].instances[0].status, SessionStatus::Cancelled);
            assert_eq!(events[1], event);
            assert_eq!(events[1].rrule, None);
            assert_eq!(events[1].instances[0].session_id, makeup.id);
        }
        db.finish().await;
    }
}
