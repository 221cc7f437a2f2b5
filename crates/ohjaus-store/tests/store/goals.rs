//! Goals and reviews: who reads and writes what, versions, review rules.

use crate::store_test;
use crate::world::{World, assert_forbidden, assert_invalid, assert_not_found, assert_refused, before};
use chrono::TimeDelta;
use ohjaus_core::ReviewPhase;
use ohjaus_store::Caller;
use ohjaus_store::write::goals::{AuthorKind, GoalFocus, GoalPatch, GoalStatus, NewGoal, NewReview};

fn goal(text: &str, shared: bool) -> NewGoal {
    NewGoal { text: text.into(), focus: Some(GoalFocus::WorkCommunity), shared_with_organization: shared }
}

fn review(phase: ReviewPhase, rating: i64, comment: &str) -> NewReview {
    NewReview { phase, rating, comment: Some(comment.into()) }
}

store_test! {
    async fn goals_are_read_by_scope(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let private = store.create_goal(&w.p1(), w.x, &goal("Jaksaminen vuorotyössä", false), now).await.unwrap();
        let shared = store.create_goal(&w.sup1(), w.x, &goal("Palaverikäytännöt", true), now).await.unwrap();
        assert_eq!(private.version, 1);
        assert_eq!(private.status, GoalStatus::Active);
        assert!(private.earlier_versions.is_empty());

        for party in [w.sup1(), w.p1(), w.p2()] {
            let goals = store.list_goals(&party, w.x).await.unwrap();
            assert_eq!(goals.iter().map(|g| g.id).collect::<Vec<_>>(), [private.id, shared.id], "{party:?}");
            assert_eq!(store.get_goal(&party, private.id).await.unwrap().text, "Jaksaminen vuorotyössä");
        }
        for organization in [w.coord_a(), Caller::Admin] {
            let goals = store.list_goals(&organization, w.x).await.unwrap();
            assert_eq!(goals.iter().map(|g| g.id).collect::<Vec<_>>(), [shared.id], "{organization:?}");
            assert_not_found(store.get_goal(&organization, private.id).await);
            assert_eq!(store.get_goal(&organization, shared.id).await.unwrap().id, shared.id);
        }
        for outsider in w.outsiders_of_x() {
            assert_not_found(store.list_goals(&outsider, w.x).await);
            assert_not_found(store.get_goal(&outsider, shared.id).await);
            assert_not_found(store.get_goal(&outsider, private.id).await);
            assert_not_found(store.create_goal(&outsider, w.x, &goal("x", true), now).await);
        }
        for not_a_party in [w.coord_a(), Caller::Admin] {
            assert_forbidden(store.create_goal(&not_a_party, w.x, &goal("x", true), now).await);
        }
        assert_invalid(store.create_goal(&w.p1(), w.x, &goal("  ", false), now).await, "text");
        assert_invalid(store.create_goal(&w.p1(), w.x, &goal("a\u{0}b", false), now).await, "text");
        assert_not_found(store.list_goals(&Caller::Admin, uuid::Uuid::now_v7()).await);
        db.finish().await;
    }
}

store_test! {
    async fn revisions_keep_earlier_versions(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let t0 = before();
        let g = store.create_goal(&w.sup1(), w.x, &goal("Palaverikäytännöt", false), t0).await.unwrap();
        let t1 = t0 + TimeDelta::days(14);
        let patch = GoalPatch { text: Some("Palaverit 30 minuuttiin".into()), ..GoalPatch::default() };
        let v2 = store.update_goal(&w.sup1(), g.id, &patch, t1).await.unwrap();
        assert_eq!((v2.version, v2.text.as_str()), (2, "Palaverit 30 minuuttiin"));
        assert_eq!(v2.earlier_versions.len(), 1);
        assert_eq!(v2.earlier_versions[0].version, 1);
        assert_eq!(v2.earlier_versions[0].text, "Palaverikäytännöt");
        assert_eq!(v2.earlier_versions[0].changed_at, t0);
        assert_eq!(v2.updated_at, t1);

        let t2 = t1 + TimeDelta::days(14);
        let patch = GoalPatch { status: Some(GoalStatus::Achieved), focus: Some(GoalFocus::Project), ..GoalPatch::default() };
        let v3 = store.update_goal(&w.sup1(), g.id, &patch, t2).await.unwrap();
        assert_eq!((v3.version, v3.status, v3.focus), (3, GoalStatus::Achieved, Some(GoalFocus::Project)));
        assert_eq!(v3.earlier_versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(v3.earlier_versions[1].status, GoalStatus::Active);
        assert_eq!(v3.earlier_versions[1].focus, Some(GoalFocus::WorkCommunity));
        assert_eq!(v3.earlier_versions[1].changed_at, t1);

        // Nothing changes: no new version. The same values again: no new version.
        let same = store.update_goal(&w.sup1(), g.id, &GoalPatch::default(), t2 + TimeDelta::days(1)).await.unwrap();
        assert_eq!(same, v3);
        let patch = GoalPatch { status: Some(GoalStatus::Achieved), ..GoalPatch::default() };
        assert_eq!(store.update_goal(&w.sup1(), g.id, &patch, t2 + TimeDelta::days(1)).await.unwrap().version, 3);
        // Sharing is not a new version; the coordinator sees it from then on, with its history.
        assert_not_found(store.get_goal(&w.coord_a(), g.id).await);
        let patch = GoalPatch { shared_with_organization: Some(true), ..GoalPatch::default() };
        let shared = store.update_goal(&w.sup1(), g.id, &patch, t2 + TimeDelta::days(2)).await.unwrap();
        assert_eq!((shared.version, shared.shared_with_organization), (3, true));
        let seen = store.get_goal(&w.coord_a(), g.id).await.unwrap();
        assert_eq!(seen.earlier_versions.len(), 2);

        // Only the series' supervisor revises.
        let patch = GoalPatch { text: Some("toinen".into()), ..GoalPatch::default() };
        for caller in [w.p1(), w.p2(), w.coord_a(), Caller::Admin] {
            assert_forbidden(store.update_goal(&caller, g.id, &patch, t2).await);
        }
        for outsider in w.outsiders_of_x() {
            assert_not_found(store.update_goal(&outsider, g.id, &patch, t2).await);
        }
        let unshared = store.create_goal(&w.p1(), w.x, &goal("oma", false), t2).await.unwrap();
        assert_not_found(store.update_goal(&w.coord_a(), unshared.id, &patch, t2).await);
        assert_invalid(
            store.update_goal(&w.sup1(), g.id, &GoalPatch { text: Some(String::new()), ..GoalPatch::default() }, t2).await,
            "text",
        );
        assert_eq!(store.get_goal(&w.sup1(), g.id).await.unwrap().version, 3, "refused changes wrote nothing");
        db.finish().await;
    }
}

store_test! {
    async fn reviews_are_confidential_between_participants(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let g = store.create_goal(&w.sup1(), w.x, &goal("Palaverikäytännöt", true), now).await.unwrap();
        let r1 = store.add_review(&w.p1(), g.id, &review(ReviewPhase::Start, 2, "p1 sanoo"), now).await.unwrap();
        assert_eq!((r1.author_kind, r1.author_id), (AuthorKind::Person, Some(w.p1)));
        let r2 = store.add_review(&w.p2(), g.id, &review(ReviewPhase::Start, 3, "p2 sanoo"), now).await.unwrap();
        let rs = store.add_review(&w.sup1(), g.id, &review(ReviewPhase::Start, 4, "ohjaaja sanoo"), now).await.unwrap();
        assert_eq!((rs.author_kind, rs.author_id), (AuthorKind::Supervisor, Some(w.s1)));

        let ids = |caller: Caller| async move {
            let goal = store.get_goal(&caller, g.id).await.unwrap();
            assert_eq!(store.list_goals(&caller, w.x).await.unwrap()[0].reviews, goal.reviews);
            goal.reviews
        };
        let all = ids(w.sup1()).await;
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), [r1.id, r2.id, rs.id]);
        assert!(all.iter().all(|r| r.comment.is_some() && r.author_id.is_some()));
        let p1_sees = ids(w.p1()).await;
        assert_eq!(p1_sees.iter().map(|r| r.id).collect::<Vec<_>>(), [r1.id, rs.id]);
        assert_eq!(p1_sees[1].comment.as_deref(), Some("ohjaaja sanoo"));
        let p2_sees = ids(w.p2()).await;
        assert_eq!(p2_sees.iter().map(|r| r.id).collect::<Vec<_>>(), [r2.id, rs.id]);
        for organization in [w.coord_a(), Caller::Admin] {
            let seen = ids(organization).await;
            assert_eq!(seen.iter().map(|r| r.rating).collect::<Vec<_>>(), [2, 3, 4]);
            assert!(seen.iter().all(|r| r.comment.is_none() && r.author_id.is_none()), "{organization:?}");
        }

        // Rules: ratings 1..5, one review per author and phase, parties only.
        for rating in [0, 6, -1, 300] {
            assert_invalid(store.add_review(&w.p1(), g.id, &review(ReviewPhase::Midpoint, rating, "x"), now).await, "rating");
        }
        assert_refused(store.add_review(&w.p1(), g.id, &review(ReviewPhase::Start, 5, "again"), now).await, "phase");
        assert_invalid(store.add_review(&w.p1(), g.id, &review(ReviewPhase::Midpoint, 5, "\u{1b}[31m"), now).await, "comment");
        let mid = store
            .add_review(&w.p1(), g.id, &NewReview { phase: ReviewPhase::Midpoint, rating: 5, comment: None }, now)
            .await
            .unwrap();
        assert_eq!(mid.comment, None);
        for not_a_party in [w.coord_a(), Caller::Admin] {
            assert_forbidden(store.add_review(&not_a_party, g.id, &review(ReviewPhase::Final, 3, "x"), now).await);
        }
        for outsider in w.outsiders_of_x() {
            assert_not_found(store.add_review(&outsider, g.id, &review(ReviewPhase::Final, 3, "x"), now).await);
        }
        assert_eq!(ids(w.sup1()).await.len(), 4, "refused reviews wrote nothing");
        db.finish().await;
    }
}

store_test! {
    async fn a_participant_who_left_still_sees_their_series_goals(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let g = store.create_goal(&w.sup1(), w.x, &goal("Palaverikäytännöt", false), now).await.unwrap();
        // p2 leaves the list but stays invited to the first session.
        use sea_orm::EntityTrait;
        ohjaus_store::entity::series_participant::Entity::delete_by_id((w.x, w.p2))
            .exec(store.connection())
            .await
            .unwrap();
        for session in &w.x_sessions[1..] {
            crate::world::uninvite(store, *session, w.p2).await;
        }
        assert_eq!(store.get_goal(&w.p2(), g.id).await.unwrap().id, g.id);
        // Removed from every session too: an outsider now.
        crate::world::uninvite(store, w.x_sessions[0], w.p2).await;
        assert_not_found(store.get_goal(&w.p2(), g.id).await);
        db.finish().await;
    }
}

store_test! {
    async fn goals_of_a_booked_series_are_revised_like_any_other(db: TestDb) {
        use crate::world::parties as fixtures;
        let store = &db.store;
        let w = fixtures::world(store, 2).await;
        let body = fixtures::body(&w, w.supervisor, &w.people, "2027-01-12T13:00", 2, 4);
        let booked = store.book_series(&w.coordinator, &body, fixtures::now()).await.unwrap();
        let supervisor = Caller::Supervisor { supervisor_id: w.supervisor };
        let goals = store.list_goals(&supervisor, booked.series.id).await.unwrap();
        assert_eq!(goals.len(), 1);
        assert_eq!((goals[0].version, goals[0].earlier_versions.len()), (1, 0));
        let later = fixtures::now() + TimeDelta::days(30);
        let patch = GoalPatch { text: Some("Työnjako kirjattu".into()), ..GoalPatch::default() };
        let revised = store.update_goal(&supervisor, goals[0].id, &patch, later).await.unwrap();
        assert_eq!(revised.version, 2);
        assert_eq!(revised.earlier_versions[0].text, "Yhteinen käsitys työnjaosta");
        assert_eq!(revised.earlier_versions[0].changed_at, fixtures::now());
        let participant = Caller::Participant { person_id: w.people[1] };
        assert_eq!(store.get_goal(&participant, goals[0].id).await.unwrap(), revised);
        assert!(store.list_goals(&w.coordinator, booked.series.id).await.unwrap().is_empty(), "not shared");
        db.finish().await;
    }
}
