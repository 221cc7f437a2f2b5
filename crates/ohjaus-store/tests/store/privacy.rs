//! Privacy: every read of notes, export and erasure is audited; an export holds everything
//! about a person; an erasure cancels their future sessions (the CANCELs to their real
//! address), forgets their name, address, tokens and reviews, and keeps the report's counts;
//! the worker deletes notes a set time after their series ended, once.

use crate::store_test;
use crate::world::{World, assert_forbidden, assert_not_found, at, before};
use chrono::{NaiveDate, TimeDelta};
use ohjaus_core::ReviewPhase;
use ohjaus_store::entity::{outbox, person, series_participant, session_participant, team_member};
use ohjaus_store::page::Page;
use ohjaus_store::testing::HandClock;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::goals::NewGoal;
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::write::privacy::{AuditAction, ERASED_DOMAIN, ERASED_NAME};
use ohjaus_store::{Caller, Store};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

fn note(text: &str, visibility: NoteVisibility) -> NewNote {
    NewNote { text: text.into(), visibility }
}

async fn audit(store: &Store, person: Option<Uuid>) -> Vec<ohjaus_store::write::privacy::AuditEvent> {
    store.list_audit(&Caller::Admin, person, &Page::first(200)).await.unwrap().items
}

store_test! {
    async fn every_read_of_notes_is_audited_and_only_admins_read_the_log(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let first = w.x_sessions[0];
        store.create_note(&w.sup1(), first, &note("Oma", NoteVisibility::Supervisor), now).await.unwrap();
        store.create_note(&w.sup1(), first, &note("Yhteinen", NoteVisibility::Participants), now).await.unwrap();
        assert!(audit(store, None).await.is_empty(), "writing is not reading");

        store.list_notes(&w.sup1(), first, now).await.unwrap();
        store.list_notes(&w.p1(), first, now + TimeDelta::minutes(1)).await.unwrap();
        // Refused reads show nothing and log nothing.
        assert_forbidden(store.list_notes(&Caller::Admin, first, now).await);
        assert_not_found(store.list_notes(&w.q1(), first, now).await);

        let log = audit(store, None).await;
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].action, AuditAction::NoteRead);
        assert_eq!((log[0].actor_role.as_str(), log[0].actor_id), ("supervisor", Some(w.s1)));
        assert_eq!((log[0].session_id, log[0].count), (Some(first), 2));
        assert_eq!((log[1].actor_role.as_str(), log[1].actor_id, log[1].count), ("participant", Some(w.p1), 1));
        assert_eq!(log[1].occurred_at, now + TimeDelta::minutes(1));
        let p1_only = audit(store, Some(w.p1)).await;
        assert_eq!(p1_only.iter().map(|e| e.id).collect::<Vec<_>>(), [log[1].id]);

        let page = store.list_audit(&Caller::Admin, None, &Page::first(1)).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let next = Page { limit: Some(1), cursor: page.next_cursor };
        assert_eq!(store.list_audit(&Caller::Admin, None, &next).await.unwrap().items[0].id, log[1].id);

        for caller in [w.coord_a(), w.sup1(), w.p1()] {
            assert_forbidden(store.list_audit(&caller, None, &Page::first(10)).await);
        }
        db.finish().await;
    }
}

store_test! {
    async fn an_export_holds_everything_about_the_person_and_is_audited(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = at("2027-01-13T12:00:00Z");
        store
            .record_attendance(
                &w.sup1(),
                w.x_sessions[0],
                &AttendanceUpdate { entries: vec![AttendanceEntry { person_id: w.p1, status: AttendanceStatus::Present }] },
                now,
            )
            .await
            .unwrap();
        let goal = store
            .create_goal(&w.p1(), w.x, &NewGoal { text: "Jaksaminen".into(), focus: None, shared_with_organization: false }, now)
            .await
            .unwrap();
        let review = ohjaus_store::write::goals::NewReview { phase: ReviewPhase::Start, rating: 4, comment: Some("Hyvä alku".into()) };
        store.add_review(&w.p1(), goal.id, &review, now).await.unwrap();
        let token = store.create_api_token(&Caller::Admin, w.p1(), Some("Puhelin"), now).await.unwrap();
        store.create_calendar_token(&w.p1(), now).await.unwrap();

        let export = store.export_person(&Caller::Admin, w.p1, now).await.unwrap();
        assert_eq!((export.person.name.as_str(), export.person.email.as_str()), ("Pia Hoitaja", "pia@hus.fi"));
        assert_eq!(export.erased_at, None);
        assert_eq!(export.teams.iter().map(|t| t.id).collect::<Vec<_>>(), [w.team]);
        assert_eq!(export.series.iter().map(|s| s.id).collect::<Vec<_>>(), [w.x]);
        assert_eq!(export.sessions.iter().map(|s| s.id).collect::<Vec<_>>(), w.x_sessions);
        assert_eq!(export.attendance.len(), 1);
        assert_eq!(export.attendance[0].status, AttendanceStatus::Present);
        assert_eq!(export.reviews.len(), 1);
        assert_eq!(export.reviews[0].comment.as_deref(), Some("Hyvä alku"));
        assert_eq!(export.api_tokens.len(), 1);
        assert_eq!(export.api_tokens[0].label.as_deref(), Some("Puhelin"));
        assert_eq!(export.calendar_tokens.len(), 1);
        let text = serde_json::to_string(&export).unwrap();
        assert!(!text.contains(token.secret.expose()), "never a secret");
        assert!(!text.contains("Olli"), "nothing about anyone else");

        // The person themself; nobody else.
        assert_eq!(store.export_person(&w.p1(), w.p1, now).await.unwrap().person.id, w.p1);
        assert_not_found(store.export_person(&w.p2(), w.p1, now).await);
        assert_not_found(store.export_person(&Caller::Admin, Uuid::now_v7(), now).await);
        for caller in [w.coord_a(), w.sup1()] {
            assert_forbidden(store.export_person(&caller, w.p1, now).await);
        }
        let log = audit(store, Some(w.p1)).await;
        let exports: Vec<_> = log.iter().filter(|e| e.action == AuditAction::Export).collect();
        assert_eq!(exports.len(), 2, "{log:?}");
        assert_eq!((exports[0].actor_role.as_str(), exports[0].person_id), ("admin", Some(w.p1)));
        assert_eq!((exports[1].actor_role.as_str(), exports[1].actor_id), ("participant", Some(w.p1)));
        db.finish().await;
    }
}

store_test! {
    async fn an_erasure_cancels_the_future_forgets_the_person_and_keeps_the_counts(db: TestDb) {
        let store = &db.store;
        let db_conn = store.connection();
        let w = World::build(store).await;
        // Sessions 1 and 2 of X are past, 3 and 4 to come.
        let now = at("2027-01-20T12:00:00Z");
        let entries = vec![
            AttendanceEntry { person_id: w.p1, status: AttendanceStatus::Present },
            AttendanceEntry { person_id: w.p2, status: AttendanceStatus::Absent },
        ];
        store.record_attendance(&w.sup1(), w.x_sessions[0], &AttendanceUpdate { entries }, now).await.unwrap();
        let goal = store
            .create_goal(&w.p1(), w.x, &NewGoal { text: "Jaksaminen".into(), focus: None, shared_with_organization: true }, now)
            .await
            .unwrap();
        let review = ohjaus_store::write::goals::NewReview { phase: ReviewPhase::Start, rating: 4, comment: None };
        store.add_review(&w.p1(), goal.id, &review, now).await.unwrap();
        store.add_review(&w.sup1(), goal.id, &review, now).await.unwrap();
        let token = store.create_api_token(&Caller::Admin, w.p1(), None, now).await.unwrap();
        let feed = store.create_calendar_token(&w.p1(), now).await.unwrap();
        // Session 4 moved: everyone gets an update naming everyone; all of it sent.
        let moved = ohjaus_store::write::sessions::SessionChanges { location: Some("Huone 3".into()), ..Default::default() };
        store.move_session(&w.sup1(), w.x_sessions[3], &moved, now).await.unwrap();
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, sea_orm::sea_query::Expr::value("sent"))
            .exec(db_conn)
            .await
            .unwrap();
        let naming = |rows: &[outbox::Model]| rows.iter().filter(|r| r.payload.contains("pia@hus.fi")).count();
        let sent = outbox::Entity::find().all(db_conn).await.unwrap();
        assert_eq!(naming(&sent), 3, "the supervisor's, Pia's and Olli's updates name her");
        let (from, to) = (NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        let report_before = store.organization_report(&Caller::Admin, w.org_a, from, to).await.unwrap();

        for caller in [w.coord_a(), w.sup1(), w.p1()] {
            assert_forbidden(store.erase_person(&caller, w.p1, now).await);
        }
        assert_not_found(store.erase_person(&Caller::Admin, Uuid::now_v7(), now).await);
        let erasure = store.erase_person(&Caller::Admin, w.p1, now).await.unwrap();
        assert_eq!((erasure.sessions_cancelled, erasure.reviews_removed, erasure.tokens_revoked), (2, 1, 2));

        // The CANCELs went to the real address, queued with the erasure.
        let cancels = outbox::Entity::find()
            .filter(outbox::Column::RecipientId.eq(w.p1))
            .filter(outbox::Column::Status.eq("queued"))
            .all(db_conn)
            .await
            .unwrap();
        assert_eq!(cancels.len(), 1, "one message for the series' event");
        assert!(cancels[0].payload.contains("pia@hus.fi"), "{}", cancels[0].payload);
        assert!(cancels[0].payload.contains("\"method\":\"cancel_instances\""), "{}", cancels[0].payload);
        assert_eq!(cancels[0].status, "queued");
        let rows = outbox::Entity::find().all(db_conn).await.unwrap();
        assert_eq!(naming(&rows), 1, "only the CANCEL to her still names her");

        // The person is forgotten.
        let row = person::Entity::find_by_id(w.p1).one(db_conn).await.unwrap().unwrap();
        assert_eq!(row.name, ERASED_NAME);
        assert!(row.email.ends_with(ERASED_DOMAIN), "{}", row.email);
        assert!(store.authenticate(token.secret.expose(), now).await.unwrap().is_none());
        assert!(store.resolve_calendar_token(feed.secret.expose()).await.unwrap().is_none());
        let url_of = |secret: &str| format!("http://ohjaus.test/sign-in/{secret}");
        for address in ["pia@hus.fi", row.email.as_str()] {
            let sent = store.send_sign_in_links(address, &url_of, TimeDelta::minutes(15), now).await.unwrap();
            assert_eq!(sent, 0, "{address} signs nobody in");
        }
        assert_eq!(store.get_goal(&w.sup1(), goal.id).await.unwrap().reviews.len(), 1, "only the supervisor's review stays");
        let in_team = team_member::Entity::find().filter(team_member::Column::PersonId.eq(w.p1)).count(db_conn).await.unwrap();
        let in_series =
            series_participant::Entity::find().filter(series_participant::Column::PersonId.eq(w.p1)).count(db_conn).await.unwrap();
        assert_eq!((in_team, in_series), (0, 0));
        let invited: Vec<Uuid> = session_participant::Entity::find()
            .filter(session_participant::Column::PersonId.eq(w.p1))
            .all(db_conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.session_id)
            .collect();
        assert_eq!(invited, w.x_sessions[..2], "the past stays, the future goes");
        // p2 still takes part.
        assert_eq!(store.list_sessions(&w.p2(), w.x).await.unwrap()[3].participant_ids, [w.p2]);

        // The report is as true as before.
        let report_after = store.organization_report(&Caller::Admin, w.org_a, from, to).await.unwrap();
        assert_eq!(report_after.totals.present, report_before.totals.present);
        assert_eq!(report_after.totals.recorded, report_before.totals.recorded);
        assert_eq!((report_after.totals.present, report_after.totals.recorded), (1, 2));
        assert!(!serde_json::to_string(&report_after).unwrap().contains("Pia"));

        // Twice is harmless: the same answer, nothing more queued.
        let messages = outbox::Entity::find().count(db_conn).await.unwrap();
        let again = store.erase_person(&Caller::Admin, w.p1, now + TimeDelta::hours(1)).await.unwrap();
        assert_eq!(again, erasure);
        assert_eq!(outbox::Entity::find().count(db_conn).await.unwrap(), messages);
        let erasures: Vec<_> = audit(store, Some(w.p1)).await.into_iter().filter(|e| e.action == AuditAction::Erasure).collect();
        assert_eq!(erasures.len(), 1);
        assert_eq!(erasures[0].count, 2);

        // Once the CANCEL is sent, the worker's scrub leaves no address in the outbox.
        let export = store.export_person(&Caller::Admin, w.p1, now).await.unwrap();
        assert_eq!(export.erased_at, Some(now));
        assert!(export.api_tokens.iter().all(|t| t.revoked_at.is_some()));
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, sea_orm::sea_query::Expr::value("sent"))
            .filter(outbox::Column::RecipientId.eq(w.p1))
            .exec(db_conn)
            .await
            .unwrap();
        assert!(store.scrub_erased_messages().await.unwrap() >= 1);
        assert_eq!(store.scrub_erased_messages().await.unwrap(), 0, "once");
        let left = outbox::Entity::find().filter(outbox::Column::RecipientId.eq(w.p1)).all(db_conn).await.unwrap();
        assert!(left.iter().all(|r| !r.payload.contains("pia@hus.fi")));
        db.finish().await;
    }
}

store_test! {
    async fn notes_go_a_set_time_after_their_series_ends_once(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let clock = HandClock::at(before());
        for session in &w.x_sessions {
            store.create_note(&w.sup1(), *session, &note("X", NoteVisibility::Supervisor), clock.now()).await.unwrap();
        }
        store.create_note(&w.sup2(), w.y_sessions[0], &note("Y", NoteVisibility::Supervisor), clock.now()).await.unwrap();
        // Y's last session ends 2027-01-20 09:00 UTC, X's 2027-02-02 12:30 UTC.
        clock.advance(at("2028-01-20T08:00:00Z") - clock.now());
        assert_eq!(store.delete_expired_notes(12, clock.now()).await.unwrap(), 0, "not yet a year");
        clock.advance(TimeDelta::days(2));
        assert_eq!(store.delete_expired_notes(12, clock.now()).await.unwrap(), 1, "Y's note");
        assert_eq!(store.delete_expired_notes(12, clock.now()).await.unwrap(), 0, "once");
        assert_eq!(store.list_notes(&w.sup1(), w.x_sessions[0], clock.now()).await.unwrap().len(), 1);
        clock.advance(TimeDelta::days(14));
        assert_eq!(store.delete_expired_notes(12, clock.now()).await.unwrap(), 4, "X's notes");
        assert!(store.list_notes(&w.sup1(), w.x_sessions[0], clock.now()).await.unwrap().is_empty());
        // A shorter retention reaches further back; nothing is left to delete.
        assert_eq!(store.delete_expired_notes(1, clock.now()).await.unwrap(), 0);
        let deletions: Vec<_> =
            audit(store, None).await.into_iter().filter(|e| e.action == AuditAction::NoteDeletion).collect();
        assert_eq!(deletions.iter().map(|e| (e.actor_role.as_str(), e.count)).collect::<Vec<_>>(), [("worker", 1), ("worker", 4)]);
        db.finish().await;
    }
}

store_test! {
    async fn an_export_costs_the_same_statements_however_much_there_is(db: TestDb) {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let w = World::build(&db.store).await;
        let counter = Arc::new(AtomicUsize::new(0));
        let seen = counter.clone();
        let store = db.store.clone().on_statement(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let now = at("2027-01-13T12:00:00Z");
        let cost = |store: Store| {
            let counter = counter.clone();
            async move {
                counter.store(0, Ordering::SeqCst);
                let export = store.export_person(&Caller::Admin, w.p1, now).await.unwrap();
                (counter.load(Ordering::SeqCst), export.sessions.len())
            }
        };
        let (small, sessions) = cost(store.clone()).await;
        assert_eq!(sessions, 4);
        // Three hundred more sessions in another series, a feed link and a token.
        let starts: Vec<String> = (0..300)
            .map(|i| (at("2027-03-01T08:00:00Z") + TimeDelta::days(i)).format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .collect();
        let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
        crate::world::insert_series(
            &store,
            crate::world::SeriesRows {
                organization_id: w.org_a,
                supervisor_id: w.s2,
                team_id: None,
                title: "Pitkä sarja",
                kind: "individual_coaching",
                first_start: "2027-03-01T10:00",
                starts: &starts,
                minutes: 60,
                participants: &[w.p1],
                location: None,
            },
        )
        .await;
        store.create_calendar_token(&w.p1(), now).await.unwrap();
        store.create_api_token(&Caller::Admin, w.p1(), Some("Kone"), now).await.unwrap();
        let (large, sessions) = cost(store.clone()).await;
        assert_eq!(sessions, 304);
        assert_eq!(large, small, "the same statements for 4 sessions and for 304");
        assert!((10..=16).contains(&small), "{small} statements");
        db.finish().await;
    }
}
