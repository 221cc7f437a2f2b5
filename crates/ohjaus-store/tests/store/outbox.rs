//! The outbox: rows commit and roll back with their change; claims, leases, acks, failures,
//! backoff and dead rows; job ticks.

use crate::store_test;
use crate::world::parties::{body, count, now, outbox, supervisor, world};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::Locale;
use ohjaus_core::notice::{Notice, Party, Recipient, Role};
use ohjaus_store::outbox::claim::{FailOutcome, RETRY_CAP};
use ohjaus_store::page::Page;
use ohjaus_store::write::teams::{NewTeam, SetMembers};
use ohjaus_store::{Caller, Store, StoreError};
use std::collections::HashSet;
use uuid::Uuid;

fn sign_in(i: usize) -> Notice {
    Notice::SignInLink {
        recipient: Recipient {
            party: Party { name: format!("Hoitaja {i}"), email: format!("hoitaja{i}@osasto5.example") },
            locale: Locale::Fi,
            timezone: "Europe/Helsinki".into(),
            role: Role::Participant,
            id: Uuid::now_v7(),
        },
        url: format!("https://ohjaus.example/login/{i}"),
        expires_at: now() + TimeDelta::hours(1),
    }
}

async fn queue(store: &Store, n: usize) {
    for i in 0..n {
        assert!(store.enqueue_notice(&sign_in(i), &format!("sign-in:{i}"), now()).await.unwrap());
    }
}

store_test!(
    async fn rows_commit_and_roll_back_with_their_change(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let (p0, p1, p2) = (w.people[0], w.people[1], w.people[2]);
        let team = store
            .create_team(&w.coordinator, w.organization, &NewTeam { name: "Tiimi".into(), member_ids: vec![p0] }, now())
            .await
            .unwrap();
        let (a, b, c) = (w.supervisor, supervisor(store, "Bertta").await, supervisor(store, "Cecilia").await);
        let mut team_body = body(&w, a, &[], "2027-01-12T09:00", 1, 3);
        team_body.participant_ids = None;
        team_body.team_id = Some(team.id);
        let first = store.book_series(&w.coordinator, &team_body, now()).await.unwrap();
        team_body.supervisor_id = Some(b);
        team_body.first_start = "2027-01-13T09:00".into();
        store.book_series(&w.coordinator, &team_body, now()).await.unwrap();
        // p1 is busy when the second team series meets, not when the first does.
        store.book_series(&w.coordinator, &body(&w, c, &[p1], "2027-01-20T09:30", 1, 1), now()).await.unwrap();
        let rows = outbox(store).await;
        assert_eq!(rows.len(), 2 + 2 + 2, "each booking queued its invitations with it");
        assert!(rows.iter().any(|(r, _)| r.dedupe_key.contains(&first.series.id.to_string())));
        assert!(store.enqueue_notice(&sign_in(0), "sign-in:0", now()).await.unwrap());
        assert!(!store.enqueue_notice(&sign_in(0), "sign-in:0", now()).await.unwrap(), "a dedupe key is queued once");
        let before = (count(store, "outbox").await, count(store, "session_participants").await);

        // Adding p1 updates the first series (and queues its messages), then conflicts in
        // the second: the whole change rolls back, messages included.
        let err =
            store.set_team_members(&w.coordinator, team.id, &SetMembers { member_ids: vec![p0, p1] }, now()).await;
        assert!(matches!(err, Err(StoreError::Conflict(ref c)) if !c.is_empty()), "{err:?}");
        assert_eq!((count(store, "outbox").await, count(store, "session_participants").await), before);
        assert_eq!(store.get_team(&w.coordinator, team.id).await.unwrap().member_ids, vec![p0]);

        // p2 is free: both series follow, with their messages, in one commit.
        store.set_team_members(&w.coordinator, team.id, &SetMembers { member_ids: vec![p0, p2] }, now()).await.unwrap();
        let added: Vec<_> = outbox(store).await.into_iter().filter(|(r, _)| r.recipient_id == p2).collect();
        assert_eq!(added.len(), 2, "p2 is invited to both team series");
        db.finish().await;
    }
);

store_test!(
    async fn four_claimers_never_share_a_row(db: TestDb) {
        let store = &db.store;
        queue(store, 400).await;
        let mut tasks = Vec::new();
        for worker in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let owner = format!("worker-{worker}");
                let mut mine = Vec::new();
                loop {
                    let claimed = store.claim_due(&owner, 25, TimeDelta::minutes(5), now()).await.unwrap();
                    if claimed.is_empty() {
                        break;
                    }
                    let ids: Vec<Uuid> = claimed.iter().map(|c| c.id).collect();
                    assert!(claimed.iter().all(|c| c.attempts == 1 && c.kind == "sign_in_link"));
                    let acked = store.ack_many(&ids, &owner, now()).await.unwrap();
                    assert_eq!(acked.len(), ids.len());
                    mine.extend(ids);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 400);
        assert_eq!(unique.len(), 400, "no row claimed twice");
        let sent = store.list_notifications(&Caller::Admin, Some("sent"), &Page::first(500)).await.unwrap();
        assert_eq!(sent.items.len(), 400);
        assert!(sent.items.iter().all(|n| n.recipient_domain == "osasto5.example" && n.sent_at == Some(now())));
        db.finish().await;
    }
);

store_test!(
    async fn expired_leases_are_claimed_again_and_stale_acks_refused(db: TestDb) {
        let store = &db.store;
        queue(store, 1).await;
        let lease = TimeDelta::seconds(60);
        let first = store.claim_due("a", 10, lease, now()).await.unwrap();
        assert_eq!(first.len(), 1);
        let id = first[0].id;
        assert_eq!(first[0].lease_expires_at, now() + lease);
        assert!(store.claim_due("b", 10, lease, now() + TimeDelta::seconds(30)).await.unwrap().is_empty(), "leased");
        // Worker a is gone; after its lease, b claims the row again.
        let later = now() + TimeDelta::seconds(61);
        let again = store.claim_due("b", 10, lease, later).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].id, again[0].attempts), (id, 2));
        assert!(matches!(store.ack(id, "a", later).await, Err(StoreError::StaleLease)), "a's late ack is refused");
        assert!(matches!(store.fail(id, "a", "late", later).await, Err(StoreError::StaleLease)));
        // An ack after one's own lease has run out is refused too: someone may hold it now.
        assert!(matches!(store.ack(id, "b", later + lease).await, Err(StoreError::StaleLease)));
        store.ack(id, "b", later + TimeDelta::seconds(1)).await.unwrap();
        assert!(matches!(store.ack(id, "b", later + TimeDelta::seconds(2)).await, Err(StoreError::StaleLease)));
        assert!(
            store.claim_due("c", 10, lease, later + TimeDelta::hours(2)).await.unwrap().is_empty(),
            "sent stays sent"
        );
        db.finish().await;
    }
);

store_test!(
    async fn failures_back_off_then_die_with_their_error(db: TestDb) {
        let store = &db.store;
        queue(store, 1).await;
        let mut at: DateTime<Utc> = now();
        let mut delays = Vec::new();
        loop {
            let claimed = store.claim_due("w", 1, TimeDelta::minutes(5), at).await.unwrap();
            assert_eq!(claimed.len(), 1, "due again at {at}");
            let attempt = claimed[0].attempts;
            assert!(store.claim_due("w", 1, TimeDelta::minutes(5), at).await.unwrap().is_empty());
            match store
                .fail_with_jitter(claimed[0].id, "w", &format!("421 try later ({attempt})"), at, 0.999)
                .await
                .unwrap()
            {
                FailOutcome::Retry { next_attempt_at } => {
                    let delay = next_attempt_at - at;
                    assert!(
                        store
                            .claim_due("w", 1, TimeDelta::minutes(5), next_attempt_at - TimeDelta::seconds(1))
                            .await
                            .unwrap()
                            .is_empty()
                    );
                    delays.push(delay);
                    at = next_attempt_at;
                }
                FailOutcome::Dead => {
                    assert_eq!(attempt, 8);
                    break;
                }
            }
        }
        assert_eq!(delays.len(), 7);
        // 30 s doubling (with the jitter near its top), below the one-hour cap (the cap itself
        // is met from the eighth retry on: see the unit test of `retry_delay`).
        assert!(delays.windows(2).all(|w| w[1] > w[0] + w[0] / 2), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= RETRY_CAP));
        assert!(delays[0] >= TimeDelta::seconds(29) && delays[6] >= TimeDelta::minutes(31), "{delays:?}");
        assert!(store.claim_due("w", 1, TimeDelta::minutes(5), at + TimeDelta::days(1)).await.unwrap().is_empty());
        let dead = store.list_notifications(&Caller::Admin, Some("dead"), &Page::default()).await.unwrap();
        assert_eq!(dead.items.len(), 1);
        assert_eq!(dead.items[0].last_error.as_deref(), Some("421 try later (8)"));
        assert_eq!(dead.items[0].attempts, 8);
        assert!(matches!(
            store
                .list_notifications(&Caller::Supervisor { supervisor_id: Uuid::now_v7() }, None, &Page::default())
                .await,
            Err(StoreError::Forbidden)
        ));
        db.finish().await;
    }
);

store_test!(
    async fn a_lease_expiring_on_the_last_attempt_buries_the_row(db: TestDb) {
        let store = &db.store;
        queue(store, 1).await;
        let lease = TimeDelta::seconds(10);
        let mut at = now();
        for attempt in 1..=8 {
            let claimed = store.claim_due("crashy", 1, lease, at).await.unwrap();
            assert_eq!(claimed[0].attempts, attempt);
            at += lease + TimeDelta::seconds(1);
        }
        assert!(store.claim_due("crashy", 1, lease, at).await.unwrap().is_empty());
        let dead = store.list_notifications(&Caller::Admin, Some("dead"), &Page::default()).await.unwrap();
        assert_eq!(dead.items[0].last_error.as_deref(), Some("the lease expired after the last attempt"));
        db.finish().await;
    }
);

store_test!(
    async fn a_tick_runs_once_across_workers(db: TestDb) {
        let store = &db.store;
        let tick: DateTime<Utc> = "2027-01-04T05:00:00Z".parse().unwrap();
        for round in 0..3 {
            let tick = tick + TimeDelta::days(round);
            let mut tasks = Vec::new();
            for worker in 0..8 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    store.claim_tick("reminders", tick, &format!("worker-{worker}"), tick).await.unwrap()
                }));
            }
            let mut winners = 0;
            for task in tasks {
                winners += usize::from(task.await.unwrap());
            }
            assert_eq!(winners, 1, "round {round}");
            assert!(!store.claim_tick("reminders", tick, "late", tick).await.unwrap());
            assert!(!store.claim_tick("reminders", tick - TimeDelta::hours(1), "old", tick).await.unwrap());
        }
        assert!(store.claim_tick("digest", tick, "w", tick).await.unwrap(), "jobs are independent");
        db.finish().await;
    }
);
