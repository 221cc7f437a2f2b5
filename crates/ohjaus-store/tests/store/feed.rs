//! The calendar feed's data: the owner's events with only their own instances.

use crate::store_test;
use crate::world::{World, assert_not_found, before, set_status, uninvite};
use ohjaus_core::SessionStatus;
use ohjaus_store::repo::tokens::FeedOwner;

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
        assert_eq!(x.organizer.email, "sanna@ohjaus.fi");
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
