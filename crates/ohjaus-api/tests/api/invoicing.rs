//! Contracts and invoices over HTTP: bad input answers 422 naming the field and stores
//! nothing; an invoice comes as JSON, UBL (by `?format=ubl` or `Accept: application/xml`) or
//! CSV, a draft has no document yet; no invoice answer contains a note's, a goal's or a
//! participant's words.

use crate::api_test;
use crate::support::TestApp;
use crate::world::{World, contract_json, profile_json, series_body};
use axum::http::Method;
use serde_json::{Value, json};

fn with(value: &Value, pointer: &str, new: Value) -> Value {
    let mut value = value.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_owned(), new);
    value
}

async fn refused(app: &TestApp, method: Method, path: &str, token: &str, body: &Value, field: &str) {
    let before = app.counts().await;
    let answer = app.call(method.clone(), path, Some(token), Some(body)).await;
    answer.problem(422);
    assert!(answer.fields().iter().any(|f| f == field), "{method} {path}: expected {field}, got {}", answer.text);
    assert_eq!(app.counts().await, before, "{method} {path} wrote rows");
}

api_test! {
    async fn bad_invoicing_input_is_422_and_stores_nothing(app: TestApp) {
        let w = World::build(app).await;
        let s1 = w.token("supervisor").unwrap();
        let profile = format!("/api/v1/supervisors/{}/billing-profile", w.sup1);
        refused(app, Method::PUT, &profile, s1, &with(&profile_json(), "/business_id", json!("0112038-8")), "business_id").await;
        refused(app, Method::PUT, &profile, s1, &with(&profile_json(), "/iban", json!("FI2112345600000786")), "iban").await;
        let contract = format!("/api/v1/series/{}/contract", w.series_x);
        let terms = contract_json();
        refused(app, Method::PUT, &contract, s1, &with(&terms, "/price_cents", json!(-1)), "price_cents").await;
        refused(app, Method::PUT, &contract, s1, &with(&terms, "/vat_rate", json!(100.5)), "vat_rate").await;
        let exempt = with(&with(&terms, "/vat_category", json!("E")), "/vat_rate", Value::Null);
        refused(app, Method::PUT, &contract, s1, &exempt, "vat_exemption_reason").await;
        refused(app, Method::PUT, &contract, s1, &with(&terms, "/payer/business_id", json!("0245458-4")), "payer.business_id")
            .await;
        let mut booking = series_body(&w, "2027-09-07T13:00", 2);
        booking["contract"] = with(&terms, "/payer/business_id", json!("0245458-4"));
        refused(app, Method::POST, "/api/v1/series", w.admin(), &booking, "contract.payer.business_id").await;
        for period in ["2027-1", "2027-13", "syyskuu"] {
            let body = json!({"organization_id": w.org_a, "period": period});
            refused(app, Method::POST, "/api/v1/invoices/drafts", s1, &body, "period").await;
        }
    }
}

api_test! {
    async fn an_invoice_as_json_ubl_and_csv_says_nothing_confidential(app: TestApp) {
        let w = World::build(app).await;
        let s1 = w.token("supervisor");
        let path = format!("/api/v1/invoices/{}", w.invoice_x);
        let json = app.call(Method::GET, &path, s1, None).await;
        let record = json.expect(200);
        assert_eq!(record["number"], "OHJ-1042");
        assert_eq!(record["status"], "approved");
        assert_eq!(record["lines"][0]["status"], "held");
        assert_eq!(record["totals"]["payable_cents"], 22_590);
        let ubl = app.call(Method::GET, &format!("{path}?format=ubl"), s1, None).await;
        assert_eq!(ubl.status, 200);
        assert!(ubl.content_type().starts_with("application/xml"));
        assert!(ubl.text.contains("<cbc:ID>OHJ-1042</cbc:ID>"), "{}", ubl.text);
        let by_accept = app.raw(Method::GET, &path, &[("authorization", &format!("Bearer {}", s1.unwrap())), ("accept", "application/xml")], Vec::new()).await;
        assert_eq!(by_accept.text, ubl.text);
        let csv = app.call(Method::GET, &format!("{path}?format=csv"), w.token("coordinator"), None).await;
        assert_eq!(csv.status, 200);
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(csv.text.starts_with("document,line,date"));
        // A draft has no document yet; a format not known is 422.
        let draft = format!("/api/v1/invoices/{}?format=ubl", w.draft_x);
        app.call(Method::GET, &draft, s1, None).await.problem(409);
        app.call(Method::GET, &format!("{path}?format=pdf"), s1, None).await.problem(422);
        // Nothing said in supervision, nobody's name: the world's notes, goals and people.
        let list = app.call(Method::GET, "/api/v1/invoices", w.admin().into(), None).await;
        let contract = app.call(Method::GET, &format!("/api/v1/series/{}/contract", w.series_x), s1, None).await;
        for answer in [&json, &ubl, &csv, &list, &contract] {
            assert_eq!(answer.status, 200);
            for secret in ["Oma muistiinpano", "Yhteinen muistiinpano", "Oma jaksaminen", "Perehdytysmalli", "Alussa",
                "Pekka Hoitaja", "Paula Hoitaja", "pekka."] {
                assert!(!answer.text.contains(secret), "an invoice answer says {secret:?}: {}", answer.text);
            }
        }
    }
}
