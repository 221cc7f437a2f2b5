//! Webhooks in the store: endpoints and who may manage them, the refused addresses, events
//! written in the change's transaction (and not at all when the change is refused), their
//! bodies free of notes' and goals' text, and the deliveries' protocol — claimed once,
//! in order per endpoint and series, retried on the schedule, an endpoint gone or failing
//! for five days disabled.

use crate::store_test;
use crate::world::parties::{at, body, count, now, outbox, world};
use chrono::TimeDelta;
use ohjaus_store::outbox::webhook_deliveries::{DISABLE_AFTER, DeliveryOutcome, DeliveryResult, MAX_ATTEMPTS};
use ohjaus_store::status::DeliveryStatus;
use ohjaus_store::write::attendance::{AttendanceEntry, AttendanceStatus, AttendanceUpdate};
use ohjaus_store::write::series::{CancelSeries, Replan, SetParticipants};
use ohjaus_store::write::sessions::{CancelSession, SessionChanges};
use ohjaus_store::write::webhooks::{NewWebhookEndpoint, WebhookEndpointChanges};
use ohjaus_store::{Caller, Store, StoreError};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::HashSet;
use uuid::Uuid;

fn endpoint(url: &str) -> NewWebhookEndpoint {
    NewWebhookEndpoint { url: url.into(), ..NewWebhookEndpoint::default() }
}

/// The events written, oldest first: (type, body).
pub(crate) async fn events(store: &Store) -> Vec<(String, serde_json::Value)> {
    let db = store.connection();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT event_type, payload FROM webhook_events ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let payload: String = r.try_get("", "payload").unwrap();
            (r.try_get("", "event_type").unwrap(), serde_json::from_str(&payload).unwrap())
        })
        .collect()
}

fn delivered(id: Uuid) -> DeliveryResult {
    DeliveryResult {
        id,
        status_code: Some(204),
        delivered: true,
        error: None,
        duration_ms: 3,
        response: None,
        retry_after: None,
    }
}

fn failed(id: Uuid, status: u16) -> DeliveryResult {
    DeliveryResult {
        id,
        status_code: Some(status),
        delivered: false,
        error: Some(format!("the endpoint answered {status}")),
        duration_ms: 3,
        response: Some("x".repeat(5000)),
        retry_after: None,
    }
}

store_test!(
    async fn endpoints_and_who_may_manage_them(db: TestDb) {
        let store = &db.store;
        let w = world(store, 1).await;
        let other = other_organization(store).await;

        // Refused addresses (the setting is off): loopback, private, ftp, credentials.
        for (url, says) in [
            ("http://127.0.0.1:8080/hook", "private or local"),
            ("https://10.1.2.3/hook", "private or local"),
            ("http://localhost/hook", "private or local"),
            ("https://[::1]/hook", "private or local"),
            ("ftp://hooks.example/x", "only https and http"),
            ("https://user:pw@hooks.example/x", "user name or password"),
            ("not a url", "not a valid URL"),
        ] {
            let err = store.create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint(url), now()).await;
            let Err(StoreError::Invalid(errors)) = err else { panic!("{url}: {err:?}") };
            assert_eq!(errors.first().field, "url", "{url}");
            assert!(errors.first().message.contains(says), "{url}: {}", errors.first().message);
        }
        let bad_type = NewWebhookEndpoint {
            event_types: Some(vec!["series.booked".into(), "note.written".into()]),
            ..endpoint("https://hr.example/hook")
        };
        let err = store.create_webhook_endpoint(&w.coordinator, Some(w.organization), &bad_type, now()).await;
        assert!(matches!(err, Err(StoreError::Invalid(ref e)) if e.first().field == "event_types[1]"), "{err:?}");
        assert_eq!(count(store, "webhook_endpoints").await, 0, "nothing stored");

        let made = store
            .create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint("https://hr.example/hook"), now())
            .await
            .unwrap();
        assert!(made.secret.starts_with("whsec_"));
        let raw = base64_len(&made.secret["whsec_".len()..]);
        assert!(raw >= 24, "{raw} bytes");
        let stored: String = {
            let db = store.connection();
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT secret FROM webhook_endpoints",
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get("", "secret").unwrap()
        };
        assert!(!stored.contains(&made.secret["whsec_".len()..]), "the secret is sealed at rest");

        // Another organization's coordinator does not see it; a supervisor may not; an admin may.
        let id = made.endpoint.id;
        assert!(matches!(store.get_webhook_endpoint(&other.coordinator, id).await, Err(StoreError::NotFound { .. })));
        let sup = Caller::Supervisor { supervisor_id: w.supervisor };
        assert!(matches!(store.get_webhook_endpoint(&sup, id).await, Err(StoreError::Forbidden)));
        assert_eq!(store.get_webhook_endpoint(&Caller::Admin, id).await.unwrap().url, "https://hr.example/hook");
        assert!(matches!(
            store.list_webhook_endpoints(&other.coordinator, Some(w.organization)).await,
            Err(StoreError::NotFound { .. })
        ));
        // Global endpoints: admins only.
        let global = endpoint("https://finance.example/all");
        assert!(matches!(
            store.create_webhook_endpoint(&w.coordinator, None, &global, now()).await,
            Err(StoreError::Forbidden)
        ));
        let global = store.create_webhook_endpoint(&Caller::Admin, None, &global, now()).await.unwrap();
        assert!(matches!(
            store.get_webhook_endpoint(&w.coordinator, global.endpoint.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.list_webhook_endpoints(&Caller::Admin, None).await.unwrap().len(), 2);
        assert_eq!(store.list_webhook_endpoints(&w.coordinator, Some(w.organization)).await.unwrap().len(), 1);

        // Disable, enable, rotate, delete.
        let off = WebhookEndpointChanges { enabled: Some(false), ..WebhookEndpointChanges::default() };
        let changed = store.update_webhook_endpoint(&w.coordinator, id, &off, now()).await.unwrap();
        assert!(!changed.enabled);
        assert!(matches!(store.send_test_webhook(&w.coordinator, id, now()).await, Err(StoreError::State(_))));
        let on = WebhookEndpointChanges { enabled: Some(true), ..WebhookEndpointChanges::default() };
        assert!(store.update_webhook_endpoint(&w.coordinator, id, &on, now()).await.unwrap().enabled);
        let rotated = store.rotate_webhook_secret(&w.coordinator, id, now()).await.unwrap();
        assert_ne!(rotated.secret, made.secret);
        assert_eq!(rotated.endpoint.previous_secret_expires_at, Some(now() + TimeDelta::hours(24)));
        let test = store.send_test_webhook(&w.coordinator, id, now()).await.unwrap();
        assert_eq!(test.event_type, "webhook.test");
        assert_eq!(test.status, DeliveryStatus::Pending);
        // Both secrets sign during the overlap; only the new one after it.
        let claimed = store.claim_webhook_deliveries("w1", 10, TimeDelta::minutes(2), now()).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].secrets, [rotated.secret.clone(), made.secret.clone()]);
        store.finish_webhook_deliveries("w1", &[failed(claimed[0].id, 500)], now()).await.unwrap();
        let later = now() + TimeDelta::hours(25);
        let claimed = store.claim_webhook_deliveries("w1", 10, TimeDelta::minutes(2), later).await.unwrap();
        assert_eq!(claimed[0].secrets, std::slice::from_ref(&rotated.secret));
        let log = store.list_webhook_deliveries(&w.coordinator, id, &Default::default()).await.unwrap();
        assert_eq!(log.items[0].attempts, 2);
        assert_eq!(log.items[0].last_status_code, Some(500));
        assert_eq!(log.items[0].last_response.as_ref().map(String::len), Some(1024), "at most 1 kB kept");

        store.delete_webhook_endpoint(&w.coordinator, id).await.unwrap();
        assert!(matches!(store.get_webhook_endpoint(&Caller::Admin, id).await, Err(StoreError::NotFound { .. })));
        db.finish().await;
    }
);

struct Other {
    organization: Uuid,
    coordinator: Caller,
}

async fn other_organization(store: &Store) -> Other {
    let new =
        ohjaus_store::write::organizations::NewOrganization { name: "Koulu".into(), timezone: None, locale: None };
    let organization = store.create_organization(&Caller::Admin, &new, now()).await.unwrap().id;
    Other { organization, coordinator: Caller::Coordinator { organization_id: organization } }
}

fn base64_len(text: &str) -> usize {
    text.trim_end_matches('=').len() * 3 / 4
}

store_test!(
    async fn every_change_emits_its_event_in_its_transaction(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let other = other_organization(store).await;
        let own = store
            .create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint("https://hr.example/h"), now())
            .await
            .unwrap();
        // Another organization's endpoint hears nothing of this one; a filtered one only its types.
        let elsewhere = store
            .create_webhook_endpoint(
                &other.coordinator,
                Some(other.organization),
                &endpoint("https://x.example/h"),
                now(),
            )
            .await
            .unwrap();
        let only_cancel = NewWebhookEndpoint {
            event_types: Some(vec!["session.cancelled".into()]),
            ..endpoint("https://wellbeing.example/h")
        };
        let filtered =
            store.create_webhook_endpoint(&w.coordinator, Some(w.organization), &only_cancel, now()).await.unwrap();

        let booked = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..2], "2027-01-12T13:00", 1, 6), now())
            .await
            .unwrap();
        let series = booked.series.id;
        let ids: Vec<Uuid> = booked.sessions.iter().map(|s| s.id).collect();

        // A conflicting booking is rolled back whole: no event, no delivery.
        let before = (count(store, "webhook_events").await, count(store, "webhook_deliveries").await);
        let err = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[2..], "2027-01-12T13:00", 1, 2), now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!((count(store, "webhook_events").await, count(store, "webhook_deliveries").await), before);

        let changes = SessionChanges { starts_at_local: Some("2027-01-20T10:00".into()), ..SessionChanges::default() };
        store.move_session(&w.coordinator, ids[1], &changes, now()).await.unwrap();
        let cancel = CancelSession { reason: Some("Sairastuminen".into()), replace: Some(true) };
        let cancelled = store.cancel_session(&w.coordinator, ids[2], &cancel, now()).await.unwrap();
        let makeup = cancelled.makeup.unwrap().id;
        let set = SetParticipants { participant_ids: Some(w.people.clone()), team_id: None };
        store.set_series_participants(&w.coordinator, series, &set, now()).await.unwrap();
        let held = AttendanceUpdate {
            entries: vec![AttendanceEntry { person_id: w.people[0], status: AttendanceStatus::Present }],
        };
        let sup = Caller::Supervisor { supervisor_id: w.supervisor };
        store.record_attendance(&sup, ids[0], &held, at("2027-01-12T12:00:00Z")).await.unwrap();
        let replan =
            Replan { from_index: 5, first_start: "2027-03-03T09:00".into(), recurrence: None, duration_minutes: None };
        store.replan_series(&w.coordinator, series, &replan, now()).await.unwrap();
        store.cancel_series(&w.coordinator, series, &CancelSeries::default(), now()).await.unwrap();

        let events = events(store).await;
        let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            types,
            [
                "series.booked",
                "session.moved",
                "session.cancelled",
                "series.participants_changed",
                "session.attendance_recorded",
                "series.replanned",
                "series.cancelled",
            ]
        );
        for (event_type, body) in &events {
            assert_eq!(body["type"], *event_type);
            assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
            assert_eq!(body["data"]["series_id"], series.to_string(), "{event_type}");
            assert_eq!(body["data"]["organization_id"], w.organization.to_string());
            let text = body.to_string();
            for secret in ["Yhteinen käsitys työnjaosta", "Osasto 5 työnohjaus", "Hoitaja", "osasto5.example"] {
                assert!(!text.contains(secret), "{event_type} carries {secret:?}: {text}");
            }
        }
        let booked_event = &events[0].1["data"];
        assert_eq!(booked_event["sessions"].as_array().unwrap().len(), 6);
        assert_eq!(booked_event["status"], "active");
        let cancelled_event = &events[2].1["data"];
        assert_eq!(cancelled_event["session"]["session_id"], ids[2].to_string());
        assert_eq!(cancelled_event["session"]["late_cancellation"], false);
        assert_eq!(cancelled_event["makeup"]["session_id"], makeup.to_string());
        assert_eq!(events[1].1["data"]["previous_starts_at"], "2027-01-19T11:00:00Z");
        assert_eq!(events[4].1["data"]["attendance"][0]["status"], "present");
        assert_eq!(events[6].1["data"]["status"], "cancelled");

        let page = ohjaus_store::page::Page::default();
        let log = |id| store.list_webhook_deliveries(&Caller::Admin, id, &page);
        assert_eq!(log(own.endpoint.id).await.unwrap().items.len(), 7);
        assert_eq!(log(elsewhere.endpoint.id).await.unwrap().items.len(), 0);
        let only = log(filtered.endpoint.id).await.unwrap().items;
        assert_eq!(only.iter().map(|d| d.event_type.as_str()).collect::<Vec<_>>(), ["session.cancelled"]);
        db.finish().await;
    }
);

store_test!(
    async fn deliveries_go_in_order_per_series_and_retry_on_the_schedule(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let hook = store
            .create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint("https://hr.example/h"), now())
            .await
            .unwrap();
        let first = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[..1], "2027-01-12T13:00", 1, 3), now())
            .await
            .unwrap();
        let second = store
            .book_series(&w.coordinator, &body(&w, w.supervisor, &w.people[1..], "2027-01-13T13:00", 1, 3), now())
            .await
            .unwrap();
        let changes = SessionChanges { starts_at_local: Some("2027-01-21T10:00".into()), ..SessionChanges::default() };
        store.move_session(&w.coordinator, first.sessions[1].id, &changes, now()).await.unwrap();
        let lease = TimeDelta::minutes(2);

        // One delivery per series at a time: the two bookings, not the move.
        let claimed = store.claim_webhook_deliveries("w1", 10, lease, now()).await.unwrap();
        assert_eq!(claimed.len(), 2);
        assert!(claimed.iter().all(|c| c.event_type == "series.booked" && c.attempts == 1));
        let (a, b) = (&claimed[0], &claimed[1]);
        assert_eq!(a.series_id, Some(first.series.id));
        assert_eq!(b.series_id, Some(second.series.id));
        // Nobody else gets them while the lease holds.
        assert!(store.claim_webhook_deliveries("w2", 10, lease, now()).await.unwrap().is_empty());

        // The first series' booking fails with 503: the move waits behind it.
        let outcomes =
            store.finish_webhook_deliveries("w1", &[failed(a.id, 503), delivered(b.id)], now()).await.unwrap();
        let DeliveryOutcome::Retry { next_attempt_at } = outcomes[0] else { panic!("{outcomes:?}") };
        assert!(next_attempt_at >= now() + TimeDelta::seconds(5));
        assert!(next_attempt_at <= now() + TimeDelta::milliseconds(5500));
        assert_eq!(outcomes[1], DeliveryOutcome::Delivered);
        assert!(store.claim_webhook_deliveries("w2", 10, lease, now()).await.unwrap().is_empty());
        // A late answer from a worker whose lease passed changes nothing.
        assert_eq!(
            store.finish_webhook_deliveries("w9", &[delivered(a.id)], now()).await.unwrap(),
            [DeliveryOutcome::Stale]
        );

        let t = now() + TimeDelta::seconds(6);
        let again = store.claim_webhook_deliveries("w2", 10, lease, t).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].id, again[0].attempts, &again[0].message_id), (a.id, 2, &a.message_id));
        // Retry-After is honoured.
        let mut busy = failed(a.id, 429);
        busy.retry_after = Some(TimeDelta::seconds(120));
        let outcome = store.finish_webhook_deliveries("w2", &[busy], t).await.unwrap();
        assert_eq!(outcome, [DeliveryOutcome::Retry { next_attempt_at: t + TimeDelta::seconds(120) }]);
        let t = t + TimeDelta::seconds(121);
        let again = store.claim_webhook_deliveries("w2", 10, lease, t).await.unwrap();
        let failing = store.get_webhook_endpoint(&Caller::Admin, hook.endpoint.id).await.unwrap().failing_since;
        assert!(failing.is_some(), "the 429 began a failure streak");
        store.finish_webhook_deliveries("w2", &[delivered(again[0].id)], t).await.unwrap();
        let failing = store.get_webhook_endpoint(&Caller::Admin, hook.endpoint.id).await.unwrap().failing_since;
        assert_eq!(failing, None, "a success ends it");
        let next = store.claim_webhook_deliveries("w2", 10, lease, t).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].event_type, "session.moved");

        // Every attempt failing: after the eighth it is failed, and retry queues it again.
        let mut t = t;
        let mut id = next[0].id;
        for attempt in 1..=MAX_ATTEMPTS {
            let outcome = store.finish_webhook_deliveries("w2", &[failed(id, 500)], t).await.unwrap()[0];
            if attempt == MAX_ATTEMPTS {
                assert_eq!(outcome, DeliveryOutcome::Failed);
                break;
            }
            let DeliveryOutcome::Retry { next_attempt_at } = outcome else { panic!("{outcome:?}") };
            t = next_attempt_at;
            let claimed = store.claim_webhook_deliveries("w2", 10, lease, t).await.unwrap();
            assert_eq!(claimed.len(), 1, "attempt {attempt}");
            id = claimed[0].id;
        }
        // 2 h + 5 h + 10 h + 10 h + … ≈ 28 h of failures: not yet five days.
        assert!(store.get_webhook_endpoint(&Caller::Admin, hook.endpoint.id).await.unwrap().enabled);
        let retried = store.retry_webhook_delivery(&w.coordinator, id, t).await.unwrap();
        assert_eq!((retried.status, retried.attempts), (DeliveryStatus::Pending, 0));

        // Five days of failures disable the endpoint.
        let t = now() + TimeDelta::days(6);
        let claimed = store.claim_webhook_deliveries("w3", 10, lease, t).await.unwrap();
        store.finish_webhook_deliveries("w3", &[failed(claimed[0].id, 500)], t).await.unwrap();
        let hook_now = store.get_webhook_endpoint(&Caller::Admin, hook.endpoint.id).await.unwrap();
        assert!(!hook_now.enabled, "{hook_now:?}");
        assert_eq!(hook_now.disabled_reason.as_deref(), Some("every delivery failed for 5 days"));
        assert!(store.claim_webhook_deliveries("w3", 10, lease, t + TimeDelta::days(1)).await.unwrap().is_empty());
        db.finish().await;
    }
);

store_test!(
    async fn gone_disables_at_once(db: TestDb) {
        let store = &db.store;
        let w = world(store, 1).await;
        store.set_coordinator(&Caller::Admin, w.people[0], true, now()).await.unwrap();
        let url = "https://hr.example:8443/hooks/s3cr3t-path";
        let hook =
            store.create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint(url), now()).await.unwrap();
        store.send_test_webhook(&w.coordinator, hook.endpoint.id, now()).await.unwrap();
        store.send_test_webhook(&w.coordinator, hook.endpoint.id, now()).await.unwrap();
        let claimed = store.claim_webhook_deliveries("w", 1, TimeDelta::minutes(2), now()).await.unwrap();
        let outcome = store.finish_webhook_deliveries("w", &[failed(claimed[0].id, 410)], now()).await.unwrap();
        assert_eq!(outcome, [DeliveryOutcome::Failed]);
        let hook = store.get_webhook_endpoint(&Caller::Admin, hook.endpoint.id).await.unwrap();
        assert!(!hook.enabled);
        assert_eq!(hook.disabled_reason.as_deref(), Some("the endpoint answered 410 Gone"));
        assert!(store.claim_webhook_deliveries("w", 10, TimeDelta::minutes(2), now()).await.unwrap().is_empty());
        // The organization's coordinator is told, with the endpoint's host, never its path.
        let told: Vec<_> = outbox(store)
            .await
            .into_iter()
            .filter_map(|(_, notice)| match notice {
                ohjaus_core::Notice::WebhookDisabled { recipient, endpoint, reason, .. } => {
                    Some((recipient.id, endpoint, reason))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            told,
            [(w.people[0], "https://hr.example:8443".to_owned(), "the endpoint answered 410 Gone".to_owned())]
        );
        db.finish().await;
    }
);

store_test!(
    async fn two_claimers_never_hold_one_delivery(db: TestDb) {
        let store = &db.store;
        let w = world(store, 0).await;
        let hook = store
            .create_webhook_endpoint(&w.coordinator, Some(w.organization), &endpoint("https://hr.example/h"), now())
            .await
            .unwrap();
        for _ in 0..300 {
            store.send_test_webhook(&w.coordinator, hook.endpoint.id, now()).await.unwrap();
        }
        let run = |owner: &'static str| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let claimed =
                        store.claim_webhook_deliveries(owner, 25, TimeDelta::minutes(2), now()).await.unwrap();
                    if claimed.is_empty() {
                        return mine;
                    }
                    let results: Vec<_> = claimed.iter().map(|c| delivered(c.id)).collect();
                    let outcomes = store.finish_webhook_deliveries(owner, &results, now()).await.unwrap();
                    assert!(outcomes.iter().all(|o| *o == DeliveryOutcome::Delivered), "{outcomes:?}");
                    mine.extend(claimed.into_iter().map(|c| c.id));
                }
            })
        };
        let (one, two) = (run("one"), run("two"));
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        let all: HashSet<Uuid> = one.iter().chain(&two).copied().collect();
        assert_eq!(one.len() + two.len(), 300, "each delivered once");
        assert_eq!(all.len(), 300);
        db.finish().await;
    }
);

/// Log lines written on this thread while it is alive (the test's own future runs here).
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The `WebhookDisabled` emails queued: (recipient's address, organization, endpoint, reason).
async fn disabled_mail(store: &Store) -> Vec<(String, String, String, String)> {
    outbox(store)
        .await
        .into_iter()
        .filter_map(|(_, notice)| match notice {
            ohjaus_core::Notice::WebhookDisabled { recipient, organization_name, endpoint, reason } => {
                Some((recipient.party.email, organization_name, endpoint, reason))
            }
            _ => None,
        })
        .collect()
}

store_test!(
    async fn a_disabled_endpoint_of_every_organization_tells_the_operator(db: TestDb) {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt().with_writer(logs.clone()).with_ansi(false).finish();
        let _logging = tracing::subscriber::set_default(subscriber);
        let operator = ohjaus_core::notice::Party { name: "Ylläpito".into(), email: "ops@ohjaus.example".into() };
        let store = &db.store.clone().with_operator(Some(operator));
        let w = world(store, 1).await;
        store.set_coordinator(&Caller::Admin, w.people[0], true, now()).await.unwrap();
        let url = "https://all-hooks.example/hooks/s3cr3t-path";
        let hook = store.create_webhook_endpoint(&Caller::Admin, None, &endpoint(url), now()).await.unwrap();
        let id = hook.endpoint.id;
        store.send_test_webhook(&Caller::Admin, id, now()).await.unwrap();
        // The first failure starts the streak; nobody is told yet.
        let claimed = store.claim_webhook_deliveries("w", 1, TimeDelta::minutes(2), now()).await.unwrap();
        let outcome = store.finish_webhook_deliveries("w", &[failed(claimed[0].id, 500)], now()).await.unwrap();
        assert!(matches!(outcome[..], [DeliveryOutcome::Retry { .. }]), "{outcome:?}");
        assert!(disabled_mail(store).await.is_empty());
        // Still failing five days on: disabled, the operator emailed (not the coordinator, whose
        // organization's endpoint it is not) and a warning logged, with the host only.
        let later = now() + DISABLE_AFTER + TimeDelta::minutes(1);
        let claimed = store.claim_webhook_deliveries("w", 1, TimeDelta::minutes(2), later).await.unwrap();
        assert_eq!(claimed.len(), 1);
        store.finish_webhook_deliveries("w", &[failed(claimed[0].id, 500)], later).await.unwrap();
        let hook = store.get_webhook_endpoint(&Caller::Admin, id).await.unwrap();
        assert!(!hook.enabled);
        let reason = "every delivery failed for 5 days".to_owned();
        assert_eq!(hook.disabled_reason.as_ref(), Some(&reason));
        assert_eq!(
            disabled_mail(store).await,
            [("ops@ohjaus.example".into(), "every organization".into(), "https://all-hooks.example".into(), reason)]
        );
        let logged = logs.text();
        let line = logged.lines().find(|l| l.contains("webhook endpoint of every organization was disabled"));
        let line = line.unwrap_or_else(|| panic!("no warning in {logged}"));
        assert!(
            line.contains("WARN") && line.contains(&id.to_string()) && line.contains("https://all-hooks.example"),
            "{line}"
        );
        assert!(!logged.contains("s3cr3t-path"), "the URL's path is never logged");

        // Without an operator: the warning only, nothing queued.
        let unset = &db.store;
        let other =
            unset.create_webhook_endpoint(&Caller::Admin, None, &endpoint("https://b.example/h"), now()).await.unwrap();
        unset.send_test_webhook(&Caller::Admin, other.endpoint.id, later).await.unwrap();
        let claimed = unset.claim_webhook_deliveries("w", 1, TimeDelta::minutes(2), later).await.unwrap();
        unset.finish_webhook_deliveries("w", &[failed(claimed[0].id, 410)], later).await.unwrap();
        assert_eq!(disabled_mail(unset).await.len(), 1, "still only the first email");
        assert_eq!(logs.text().matches("webhook endpoint of every organization was disabled").count(), 2);
        db.finish().await;
    }
);
