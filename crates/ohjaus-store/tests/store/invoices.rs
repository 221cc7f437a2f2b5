//! Contracts and invoices: terms set at booking and changed with history, the billing profile,
//! drafts from charged sessions (held, late-cancelled, trial), approval with gapless numbers,
//! immutability, credit notes, ending a contract early, bad input (422, nothing stored), and
//! 32 approvals racing over overlapping drafts.

use crate::store_test;
use crate::webhooks::events;
use crate::world::parties::{self, at, count, now};
use chrono::{DateTime, Utc};
use ohjaus_core::{BillingProfileBody, ContractTermsBody, SeriesBody, SessionStatus};
use ohjaus_store::entity::{invoiced_session, session};
use ohjaus_store::page::Page;
use ohjaus_store::write::invoices::{InvoiceFilter, InvoiceKind, InvoiceStatus, NewDrafts};
use ohjaus_store::write::sessions::CancelSession;
use ohjaus_store::write::webhooks::NewWebhookEndpoint;
use ohjaus_store::{Caller, Store, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

pub fn contract_json() -> Value {
    json!({
        "price_cents": 18000,
        "vat_category": "S",
        "vat_rate": "25.5",
        "trial_sessions": 1,
        "trial_price_cents": 0,
        "payer": {
            "name": "Kaukolan hyvinvointialue",
            "business_id": "0245458-3",
            "address": {"street": "Sairaalantie 1", "postcode": "00100", "city": "Helsinki"},
            "peppol_id": "0216:003702454583",
            "buyer_reference": "OSASTO-5A"
        }
    })
}

pub fn profile_json() -> Value {
    json!({
        "legal_name": "Työnohjaus Virtanen Oy",
        "business_id": "0112038-9",
        "address": {"street": "Kauppakatu 3", "postcode": "40100", "city": "Jyväskylä"},
        "iban": "FI21 1234 5600 0007 85",
        "bic": "NDEAFIHH",
        "payment_terms_days": 14,
        "invoice_prefix": "OHJ-",
        "next_invoice_number": 1042
    })
}

fn profile() -> BillingProfileBody {
    serde_json::from_value(profile_json()).unwrap()
}

fn terms(change: impl FnOnce(&mut Value)) -> ContractTermsBody {
    let mut value = contract_json();
    change(&mut value);
    serde_json::from_value(value).unwrap()
}

/// A world with one weekly Tuesday series of `count` sessions from 5 January 2027 under the
/// standard contract, and the supervisor's billing profile.
async fn booked(store: &Store, count: u16) -> (parties::World, Uuid, Vec<Uuid>) {
    let world = parties::world(store, 2).await;
    let mut body =
        serde_json::to_value(parties::body(&world, world.supervisor, &world.people, "2027-01-05T13:00", 1, count))
            .unwrap();
    body["contract"] = contract_json();
    let body: SeriesBody = serde_json::from_value(body).unwrap();
    let detail = store.book_series(&Caller::Admin, &body, now()).await.unwrap();
    let seller = Caller::Supervisor { supervisor_id: world.supervisor };
    store.set_billing_profile(&seller, world.supervisor, &profile(), now()).await.unwrap();
    let ids = detail.sessions.iter().map(|s| s.id).collect();
    (world, detail.series.id, ids)
}

/// Marks sessions held, straight in the table (attendance is tested elsewhere).
async fn hold(store: &Store, ids: &[Uuid]) {
    session::Entity::update_many()
        .col_expr(session::Column::Status, Expr::value(SessionStatus::Held.as_str()))
        .filter(session::Column::Id.is_in(ids.to_vec()))
        .exec(store.connection())
        .await
        .unwrap();
}

fn drafts_of(world: &parties::World, period: &str) -> NewDrafts {
    NewDrafts { organization_id: world.organization, period: period.into() }
}

fn seller(world: &parties::World) -> Caller {
    Caller::Supervisor { supervisor_id: world.supervisor }
}

fn later() -> DateTime<Utc> {
    at("2027-02-01T08:00:00Z")
}

store_test! {
    async fn a_month_is_drafted_approved_and_credited(db: TestDb) {
        let store = &db.store;
        let (world, series, sessions) = booked(store, 6).await;
        let me = seller(&world);
        // 5 and 12 January held (the first a trial at 0 €); 19 January cancelled two days
        // before (late: charged); 26 January cancelled in time (never charged).
        hold(store, &sessions[..2]).await;
        let cancel = CancelSession { reason: None, replace: None };
        store.cancel_session(&me, sessions[2], &cancel, at("2027-01-17T10:00:00Z")).await.unwrap();
        store.cancel_session(&me, sessions[3], &cancel, at("2027-01-02T10:00:00Z")).await.unwrap();

        let drafts = store.draft_invoices(&me, &drafts_of(&world, "2027-01"), later()).await.unwrap().drafts;
        assert_eq!(drafts.len(), 1);
        let draft = &drafts[0];
        assert_eq!(draft.status, InvoiceStatus::Draft);
        assert_eq!(draft.number, None);
        let lines: Vec<(&str, bool, i64)> =
            draft.lines.iter().map(|l| (l.status.as_str(), l.trial, l.net_cents)).collect();
        assert_eq!(lines, [("held", true, 0), ("held", false, 18_000), ("late_cancelled", false, 18_000)]);
        assert_eq!(draft.totals.line_total_cents, 36_000);
        assert_eq!(draft.totals.vat_total_cents, 9_180);
        assert_eq!(draft.totals.payable_cents, 45_180);

        // The coordinator does not see drafts; another organization's does not see anything;
        // participants never see invoices; only the seller approves.
        assert!(matches!(store.get_invoice(&world.coordinator, draft.id).await, Err(StoreError::NotFound { .. })));
        let stranger = Caller::Coordinator { organization_id: Uuid::now_v7() };
        assert!(matches!(store.get_invoice(&stranger, draft.id).await, Err(StoreError::NotFound { .. })));
        let participant = Caller::Participant { person_id: world.people[0] };
        assert!(matches!(store.get_invoice(&participant, draft.id).await, Err(StoreError::Forbidden)));
        assert!(matches!(store.approve_invoice(&Caller::Admin, draft.id, later()).await, Err(StoreError::Forbidden)));

        let approved = store.approve_invoice(&me, draft.id, later()).await.unwrap();
        assert_eq!(approved.status, InvoiceStatus::Approved);
        assert_eq!(approved.number.as_deref(), Some("OHJ-1042"));
        assert_eq!(approved.issue_date, Some("2027-02-01".parse().unwrap()));
        assert_eq!(approved.due_date, Some("2027-02-15".parse().unwrap()));
        assert_eq!(approved.totals.payable_cents, 45_180);
        // Immutable: approved again or deleted, 409; the coordinator now sees it, and may not act.
        assert!(matches!(store.approve_invoice(&me, draft.id, later()).await, Err(StoreError::State(_))));
        assert!(matches!(store.discard_invoice(&me, draft.id).await, Err(StoreError::State(_))));
        assert_eq!(store.get_invoice(&world.coordinator, draft.id).await.unwrap().number, approved.number);
        assert!(matches!(store.discard_invoice(&world.coordinator, draft.id).await, Err(StoreError::Forbidden)));
        let document = store.invoice_document(&world.coordinator, draft.id).await.unwrap();
        assert_eq!(document.document.unwrap().totals().payable().get(), 45_180);

        // Everything of January is invoiced: a new run finds nothing.
        let again = store.draft_invoices(&me, &drafts_of(&world, "2027-01"), later()).await.unwrap();
        assert!(again.drafts.is_empty());
        let figures = store.get_contract(&world.coordinator, series).await.unwrap().figures;
        assert_eq!((figures.contracted, figures.charged, figures.remaining, figures.invoiced), (6, 3, 2, 3));

        // A credit note refers to it, takes the next number and releases the sessions.
        let credit = store.credit_invoice(&me, draft.id, later()).await.unwrap();
        assert_eq!(credit.kind, InvoiceKind::CreditNote);
        assert_eq!(credit.number.as_deref(), Some("OHJ-1043"));
        assert_eq!(credit.credits_invoice_id, Some(draft.id));
        assert_eq!(credit.totals.payable_cents, 45_180);
        assert!(matches!(store.credit_invoice(&me, draft.id, later()).await, Err(StoreError::State(_))));
        assert!(matches!(store.credit_invoice(&me, credit.id, later()).await, Err(StoreError::State(_))));
        let redrafted = store.draft_invoices(&me, &drafts_of(&world, "2027-01"), later()).await.unwrap().drafts;
        assert_eq!(redrafted.len(), 1);
        assert_eq!(redrafted[0].lines.len(), 3);
        store.discard_invoice(&me, redrafted[0].id).await.unwrap();

        // Lists in scope.
        let page = Page::first(50);
        let mine = store.list_invoices(&me, &InvoiceFilter::default(), &page).await.unwrap();
        assert_eq!(mine.items.len(), 2);
        let theirs = store.list_invoices(&world.coordinator, &InvoiceFilter::default(), &page).await.unwrap();
        assert_eq!(theirs.items.len(), 2);
        assert!(store.list_invoices(&stranger, &InvoiceFilter::default(), &page).await.unwrap().items.is_empty());
        assert!(matches!(
            store.list_invoices(&participant, &InvoiceFilter::default(), &page).await,
            Err(StoreError::Forbidden)
        ));
        db.finish().await;
    }
}

store_test! {
    async fn contract_changes_keep_history_and_an_early_end_cancels_in_time(db: TestDb) {
        let store = &db.store;
        let (world, series, sessions) = booked(store, 6).await;
        hold(store, &sessions[..1]).await;
        let contract = store.get_contract(&world.coordinator, series).await.unwrap();
        assert_eq!(contract.current.version, 1);
        assert_eq!(contract.current.changed_by, "admin");
        let participant = Caller::Participant { person_id: world.people[0] };
        assert!(matches!(store.get_contract(&participant, series).await, Err(StoreError::Forbidden)));
        let stranger = Caller::Coordinator { organization_id: Uuid::now_v7() };
        assert!(matches!(store.get_contract(&stranger, series).await, Err(StoreError::NotFound { .. })));

        let dearer = terms(|t| t["price_cents"] = json!(19_500));
        let changed = store.set_contract(&world.coordinator, series, &dearer, now()).await.unwrap();
        assert_eq!(changed.current.version, 2);
        assert_eq!(changed.history.len(), 2);
        assert_eq!(changed.history[0].terms.price_cents, 18_000);

        // Ending early from session 4: sessions 4–6 cancelled in time, never charged; their
        // CANCELs queued; the contract counts three.
        let before = count(store, "outbox").await;
        let ending = terms(|t| {
            t["price_cents"] = json!(19_500);
            t["ends_early_from"] = json!(4);
        });
        let ended = store.set_contract(&world.coordinator, series, &ending, at("2027-01-10T08:00:00Z")).await.unwrap();
        assert_eq!(ended.figures.contracted, 3);
        assert_eq!(ended.figures.remaining, 2);
        let rows = session::Entity::find().filter(session::Column::SeriesId.eq(series)).all(store.connection()).await;
        for row in rows.unwrap() {
            let cancelled = row.index >= 4;
            assert_eq!(row.status == "cancelled", cancelled, "session {}", row.index);
            assert!(!row.late_cancellation);
        }
        let queued = parties::outbox(store).await;
        assert!(queued.len() as i64 > before);
        let cancels = queued[usize::try_from(before).unwrap()..]
            .iter()
            .filter(|(_, n)| serde_json::to_string(n).unwrap().contains("cancel_instances"))
            .count();
        assert_eq!(cancels, 3, "the supervisor and the two participants");
        // Never undone or moved later; never past a held session.
        let undo = terms(|t| t["price_cents"] = json!(19_500));
        assert!(matches!(store.set_contract(&world.coordinator, series, &undo, now()).await, Err(StoreError::State(_))));
        let held = terms(|t| t["ends_early_from"] = json!(1));
        assert!(matches!(store.set_contract(&world.coordinator, series, &held, now()).await, Err(StoreError::State(_))));
        assert_eq!(store.get_contract(&world.coordinator, series).await.unwrap().history.len(), 3);
        db.finish().await;
    }
}

store_test! {
    async fn bad_input_is_refused_and_nothing_is_stored(db: TestDb) {
        let store = &db.store;
        let (world, series, _) = booked(store, 2).await;
        let me = seller(&world);
        let tables = ["series", "contract_terms", "billing_profiles", "invoice_number_series", "invoices", "invoice_lines"];
        let mut before = Vec::new();
        for table in tables {
            before.push(count(store, table).await);
        }
        let fields = |error: StoreError| match error {
            StoreError::Invalid(list) => list.errors().iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
            other => panic!("expected 422, got {other:?}"),
        };
        // The billing profile: a business ID with a wrong check digit, an IBAN with a wrong checksum.
        let mut bad = profile();
        bad.business_id = "0112038-8".into();
        assert_eq!(fields(store.set_billing_profile(&me, world.supervisor, &bad, now()).await.unwrap_err()), ["business_id"]);
        let mut bad = profile();
        bad.iban = "FI2112345600000786".into();
        assert_eq!(fields(store.set_billing_profile(&me, world.supervisor, &bad, now()).await.unwrap_err()), ["iban"]);
        // Contract terms: a negative price, VAT over 100, exempt without a reason, a wrong Y-tunnus.
        let cases: [(ContractTermsBody, &str); 4] = [
            (terms(|t| t["price_cents"] = json!(-100)), "price_cents"),
            (terms(|t| t["vat_rate"] = json!("100.5")), "vat_rate"),
            (
                terms(|t| {
                    t["vat_category"] = json!("E");
                    t["vat_rate"] = Value::Null;
                }),
                "vat_exemption_reason",
            ),
            (terms(|t| t["payer"]["business_id"] = json!("0245458-4")), "payer.business_id"),
        ];
        for (body, field) in &cases {
            let error = store.set_contract(&world.coordinator, series, body, now()).await.unwrap_err();
            assert_eq!(fields(error), [*field]);
        }
        // At booking, under `contract.`.
        let mut body =
            serde_json::to_value(parties::body(&world, world.supervisor, &world.people, "2027-06-01T13:00", 1, 2)).unwrap();
        body["contract"] = serde_json::to_value(&cases[3].0).unwrap();
        let body: SeriesBody = serde_json::from_value(body).unwrap();
        let error = store.book_series(&Caller::Admin, &body, now()).await.unwrap_err();
        assert_eq!(fields(error), ["contract.payer.business_id"]);
        // A period in the wrong format.
        for period in ["2027-1", "2027-13", "tammikuu", "2027-01-01"] {
            let error = store.draft_invoices(&me, &drafts_of(&world, period), later()).await.unwrap_err();
            assert_eq!(fields(error), ["period"]);
        }
        for (table, was) in tables.iter().zip(before) {
            assert_eq!(count(store, table).await, was, "{table}");
        }
        db.finish().await;
    }
}

store_test! {
    async fn racing_approvals_of_overlapping_drafts_number_gaplessly(db: TestDb) {
        let store = &db.store;
        // Sixteen weekly sessions, January to April, all held: four months to invoice.
        let (world, _, sessions) = booked(store, 16).await;
        hold(store, &sessions).await;
        let me = seller(&world);
        let months = ["2027-01", "2027-02", "2027-03", "2027-04"];
        let mut drafts = Vec::new();
        for round in 0..8 {
            for month in months {
                let made = store.draft_invoices(&me, &drafts_of(&world, month), later()).await.unwrap().drafts;
                assert_eq!(made.len(), 1, "round {round}, {month}");
                drafts.push(made[0].id);
            }
        }
        assert_eq!(drafts.len(), 32);
        let mut tasks = Vec::new();
        for id in drafts {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { store.approve_invoice(&me, id, at("2027-05-03T08:00:00Z")).await }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(record) => numbers.push(record.number.unwrap()),
                Err(StoreError::State(_)) => {}
                Err(other) => panic!("an approval failed: {other:?}"),
            }
        }
        numbers.sort();
        assert_eq!(numbers, ["OHJ-1042", "OHJ-1043", "OHJ-1044", "OHJ-1045"], "one per month, gapless");
        let invoiced = invoiced_session::Entity::find().all(store.connection()).await.unwrap();
        let unique: HashSet<Uuid> = invoiced.iter().map(|r| r.session_id).collect();
        assert_eq!((invoiced.len(), unique.len()), (16, 16), "every session invoiced once");
        let profile = store.get_billing_profile(&me, world.supervisor).await.unwrap().profile;
        assert_eq!(profile.next_invoice_number, Some(1046));
        db.finish().await;
    }
}

/// The `invoice.*` webhook events written, oldest first: (type, body).
async fn invoice_events(store: &Store) -> Vec<(String, Value)> {
    events(store).await.into_iter().filter(|(kind, _)| kind.starts_with("invoice.")).collect()
}

store_test! {
    async fn an_approval_and_a_credit_note_emit_their_webhook_events_and_a_refusal_nothing(db: TestDb) {
        let store = &db.store;
        let (world, _, sessions) = booked(store, 3).await;
        hold(store, &sessions[..2]).await;
        let me = seller(&world);
        let hook = NewWebhookEndpoint { url: "https://finance.example/hook".into(), ..NewWebhookEndpoint::default() };
        let endpoint = store.create_webhook_endpoint(&world.coordinator, Some(world.organization), &hook, now()).await;
        let endpoint = endpoint.unwrap().endpoint.id;
        // Two runs of one month: overlapping drafts of the same sessions.
        let first = store.draft_invoices(&me, &drafts_of(&world, "2027-01"), later()).await.unwrap().drafts;
        let second = store.draft_invoices(&me, &drafts_of(&world, "2027-01"), later()).await.unwrap().drafts;
        assert!(invoice_events(store).await.is_empty(), "a draft is not announced");

        let approved = store.approve_invoice(&me, first[0].id, later()).await.unwrap();
        let events = invoice_events(store).await;
        assert_eq!(events.len(), 1, "{events:?}");
        let (kind, body) = &events[0];
        assert_eq!(kind, "invoice.approved");
        assert_eq!(body["type"], "invoice.approved");
        let data = &body["data"];
        assert_eq!(data["invoice_id"], json!(approved.id));
        assert_eq!(data["number"], "OHJ-1042");
        assert_eq!(data["kind"], "invoice");
        assert_eq!(data["status"], "approved");
        assert_eq!(data["organization_id"], json!(world.organization));
        assert_eq!(data["supervisor_id"], json!(world.supervisor));
        assert_eq!(data["period"], "2027-01");
        assert_eq!(data["issue_date"], "2027-02-01");
        assert_eq!(data["due_date"], "2027-02-15");
        assert_eq!(data["currency"], "EUR");
        assert_eq!(data["line_total_cents"], 18_000, "a trial at 0 € and one at 180 €");
        assert_eq!(data["payable_cents"], approved.totals.payable_cents);
        assert_eq!(data["session_ids"], json!(&sessions[..2]));
        let text = body.to_string();
        for free in ["Kaukolan", "OSASTO-5A", "Sairaalantie", approved.lines[0].series_title.as_str()] {
            assert!(!text.contains(free), "no free text in the event: {free}");
        }
        let deliveries = store.list_webhook_deliveries(&world.coordinator, endpoint, &Page::first(50)).await.unwrap();
        assert_eq!(deliveries.items.iter().filter(|d| d.event_type == "invoice.approved").count(), 1);

        // The overlapping draft is refused (409) after taking a number: nothing is emitted.
        let refused = store.approve_invoice(&me, second[0].id, later()).await;
        assert!(matches!(refused, Err(StoreError::State(_))), "{refused:?}");
        assert_eq!(invoice_events(store).await.len(), 1);

        // The credit note: `invoice.credited`, the next number, referring to the invoice.
        let credit = store.credit_invoice(&me, approved.id, later()).await.unwrap();
        let events = invoice_events(store).await;
        assert_eq!(events.len(), 2);
        let (kind, body) = &events[1];
        assert_eq!(kind, "invoice.credited");
        assert_eq!(body["data"]["invoice_id"], json!(credit.id));
        assert_eq!(body["data"]["kind"], "credit_note");
        assert_eq!(body["data"]["number"], "OHJ-1043");
        assert_eq!(body["data"]["credits_invoice_id"], json!(approved.id));
        // A refused credit (already credited) emits nothing.
        assert!(matches!(store.credit_invoice(&me, approved.id, later()).await, Err(StoreError::State(_))));
        assert_eq!(invoice_events(store).await.len(), 2);
        db.finish().await;
    }
}
