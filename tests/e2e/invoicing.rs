//! From sessions held to valid e-invoices, over HTTP, on SQLite and on PostgreSQL: the
//! supervisor sets her billing profile; two organizations book series with contracts (a
//! payer with a Peppol id and a buyer reference; a payer with an OVT code and an order number
//! only); sessions are held, cancelled late (charged) and in time (not); the supervisor drafts
//! each month's invoices and approves them — held and late-cancelled sessions, a trial session
//! at 0 €, an exempt series, 25.5 % VAT over 17 lines where rounding matters — and credits
//! one. Every document is downloaded as UBL and run through the official EN 16931 and Peppol
//! BIS Billing 3.0 rules (`crates/ohjaus-einvoice/tests/official-rules/validate.py`, Saxon-HE
//! from PyPI): all must pass with no fatal error.

use crate::support::InProcess;
use crate::support::python::python;
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_store::Caller;
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Monday 4 January 2027, 08:00 in Helsinki.
fn story_now() -> DateTime<Utc> {
    crate::support::test_now()
}

async fn token(server: &InProcess, grants: Caller) -> String {
    let created = server.store.create_api_token(&Caller::Admin, grants, Some("e2e"), server.now()).await.unwrap();
    created.secret.expose().to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// The official rules' runner, from the e-invoice crate.
fn validate_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/ohjaus-einvoice/tests/official-rules/validate.py")
}

#[tokio::test]
async fn sessions_become_valid_einvoices() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let server = InProcess::start(database.url(), story_now()).await;
        let documents = story(&server).await;
        assert_eq!(documents.len(), 5);
        if let Some(python) = python("invoicing: the official e-invoice rules") {
            let dir = tempfile::tempdir().unwrap();
            let mut files = Vec::new();
            for (name, xml) in &documents {
                let path = dir.path().join(name);
                std::fs::write(&path, xml).unwrap();
                files.push(path);
            }
            let output = Command::new(&python).arg(validate_script()).args(&files).output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(0),
                "the official rules refused a document:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let summary = stdout.lines().last().unwrap_or_default();
            assert_eq!(summary, format!("{} passed, 0 failed", documents.len()), "{stdout}");
            assert!(!stdout.contains(" fatal: "), "{stdout}");
        }
        eprintln!("e2e invoicing passed on {}", backend.name());
    }
}

/// Records every invited person present at `session` (after it began).
async fn hold(server: &InProcess, token: &str, session: &Value) {
    let entries: Vec<Value> = session["participant_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!({"person_id": p, "status": "present"}))
        .collect();
    let path = format!("/api/v1/sessions/{}/attendance", session["id"].as_str().unwrap());
    server.api.put(&path, token, &json!({"entries": entries})).await.expect(200);
}

#[allow(clippy::too_many_lines)] // one story, told in order
async fn story(server: &InProcess) -> Vec<(String, String)> {
    let api = &server.api;
    let admin = token(server, Caller::Admin).await;

    // The scene: a hospital ward and a school, one supervisor, a few people each.
    let ward = id(api
        .post("/api/v1/organizations", &admin, &json!({"name": "Kaukolan sairaala, osasto 5A"}))
        .await
        .expect(201));
    let school =
        id(api.post("/api/v1/organizations", &admin, &json!({"name": "Vaahteramäen koulu"})).await.expect(201));
    let supervisor = id(api
        .post("/api/v1/supervisors", &admin, &json!({"name": "Anna Virtanen", "email": "anna@tyonohjaus.example"}))
        .await
        .expect(201));
    let mut nurses = Vec::new();
    for (name, email) in [("Maija Meikäläinen", "maija@kaukola.example"), ("Liisa Korhonen", "liisa@kaukola.example")]
    {
        let person = api
            .post(&format!("/api/v1/organizations/{ward}/people"), &admin, &json!({"name": name, "email": email}))
            .await;
        nurses.push(id(person.expect(201)));
    }
    let teacher = id(api
        .post(
            &format!("/api/v1/organizations/{school}/people"),
            &admin,
            &json!({"name": "Kalle Opettaja", "email": "kalle@vaahteramaki.example"}),
        )
        .await
        .expect(201));
    let anna = token(server, Caller::Supervisor { supervisor_id: supervisor.parse().unwrap() }).await;
    let ward_coordinator = token(server, Caller::Coordinator { organization_id: ward.parse().unwrap() }).await;
    let school_coordinator = token(server, Caller::Coordinator { organization_id: school.parse().unwrap() }).await;

    // The seller's billing profile.
    let profile = api
        .put(
            &format!("/api/v1/supervisors/{supervisor}/billing-profile"),
            &anna,
            &json!({
                "legal_name": "Työnohjaus Virtanen Oy", "business_id": "0112038-9",
                "address": {"street": "Kauppakatu 3", "postcode": "40100", "city": "Jyväskylä"},
                "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "payment_terms_days": 14,
                "invoice_prefix": "OHJ-", "next_invoice_number": 1042
            }),
        )
        .await;
    assert_eq!(profile.expect(200)["profile"]["next_invoice_number"], 1042);

    // The ward's payer: a Peppol id and a buyer reference.
    let ward_payer = json!({
        "name": "Kaukolan hyvinvointialue", "business_id": "0245458-3",
        "address": {"street": "Sairaalantie 1", "postcode": "00100", "city": "Helsinki"},
        "peppol_id": "0216:003702454583", "buyer_reference": "OSASTO-5A"
    });
    // Group supervision on Tuesdays in January: the first a trial session at 0 €.
    let group = api
        .post(
            "/api/v1/series",
            &ward_coordinator,
            &json!({
                "organization_id": ward, "kind": "group_supervision", "title": "Osasto 5A:n työnohjaus",
                "supervisor_id": supervisor, "participant_ids": nurses,
                "first_start": "2027-01-05T13:00", "duration_minutes": 90,
                "recurrence": {"frequency": "weekly", "interval": 1, "count": 4},
                "goals": ["Vuorovaikutus vuoronvaihdoissa"],
                "contract": {
                    "price_cents": 18000, "vat_category": "S", "vat_rate": "25.5",
                    "trial_sessions": 1, "trial_price_cents": 0, "payer": ward_payer
                }
            }),
        )
        .await;
    let group = group.expect(201).clone();
    let group_sessions = group["sessions"].as_array().unwrap().clone();
    // A development process in February: seventeen weekday mornings at 117.65 €, where VAT
    // per line would drift a cent from VAT on the total.
    let development = api
        .post(
            "/api/v1/series",
            &ward_coordinator,
            &json!({
                "organization_id": ward, "kind": "work_community_supervision", "title": "Työyhteisön kehittämisprosessi",
                "supervisor_id": supervisor, "participant_ids": nurses,
                "first_start": "2027-02-01T09:00", "duration_minutes": 60,
                "recurrence": {"frequency": "weekly", "interval": 1, "count": 17,
                               "by_weekday": ["mon", "tue", "wed", "thu", "fri"]},
                "contract": {"price_cents": 11765, "vat_category": "S", "vat_rate": 25.5, "payer": ward_payer}
            }),
        )
        .await;
    let development = development.expect(201).clone();
    let development_sessions = development["sessions"].as_array().unwrap().clone();
    assert_eq!(development_sessions.len(), 17);
    // The school's: individual supervision, exempt from VAT, the payer with an OVT code and
    // an order number only.
    let exempt = api
        .post(
            "/api/v1/series",
            &school_coordinator,
            &json!({
                "organization_id": school, "kind": "individual_supervision", "title": "Rehtorin työnohjaus",
                "supervisor_id": supervisor, "participant_ids": [teacher],
                "first_start": "2027-01-13T15:00", "duration_minutes": 60,
                "recurrence": {"frequency": "weekly", "interval": 1, "count": 3},
                "contract": {
                    "price_cents": 15000, "vat_category": "E",
                    "vat_exemption_reason": "Terveydenhuoltopalvelu, AVL 34 §",
                    "vat_exemption_reason_code": "VATEX-EU-132-1C",
                    "payer": {
                        "name": "Vaahteranmäen kaupunki", "business_id": "1234567-1",
                        "address": {"street": "Koulutie 2", "postcode": "33100", "city": "Tampere"},
                        "ovt_code": "003712345671", "order_reference": "TILAUS-2027-15"
                    }
                }
            }),
        )
        .await;
    let exempt = exempt.expect(201).clone();
    let exempt_sessions = exempt["sessions"].as_array().unwrap().clone();

    // January: the group's 4th session cancelled in time, the 3rd late (two days before).
    let session = |list: &[Value], i: usize| list[i]["id"].as_str().unwrap().to_owned();
    server.advance(TimeDelta::days(8)); // Tuesday 12 January
    api.post(&format!("/api/v1/sessions/{}/cancel", session(&group_sessions, 3)), &ward_coordinator, &json!({}))
        .await
        .expect(200);
    server.advance(TimeDelta::days(5)); // Sunday 17 January
    let late = api
        .post(&format!("/api/v1/sessions/{}/cancel", session(&group_sessions, 2)), &ward_coordinator, &json!({}))
        .await;
    assert_eq!(late.expect(200)["session"]["late_cancellation"], true);
    // Everything else takes place; it is 1 March when the supervisor invoices.
    let march = "2027-03-01T07:00:00Z".parse::<DateTime<Utc>>().unwrap();
    server.advance(march - server.now());
    for s in group_sessions[..2].iter().chain(&development_sessions).chain(&exempt_sessions) {
        hold(server, &anna, s).await;
    }

    // The runs: one draft each.
    let mut approved = Vec::new();
    for (organization, period, lines) in [(&ward, "2027-01", 3), (&ward, "2027-02", 17), (&school, "2027-01", 3)] {
        let drafts = api
            .post("/api/v1/invoices/drafts", &anna, &json!({"organization_id": organization, "period": period}))
            .await;
        let drafts = drafts.expect(201)["drafts"].as_array().unwrap().clone();
        assert_eq!(drafts.len(), 1, "{organization} {period}");
        assert_eq!(drafts[0]["lines"].as_array().unwrap().len(), lines, "{organization} {period}");
        let number = api.post(&format!("/api/v1/invoices/{}/approve", id(&drafts[0])), &anna, &json!({})).await;
        approved.push(number.expect(200).clone());
    }
    let numbers: Vec<&str> = approved.iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["OHJ-1042", "OHJ-1043", "OHJ-1044"]);
    let january = &approved[0];
    let statuses: Vec<(&str, bool, i64)> = january["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["status"].as_str().unwrap(), l["trial"].as_bool().unwrap(), l["net_cents"].as_i64().unwrap()))
        .collect();
    assert_eq!(statuses, [("held", true, 0), ("held", false, 18_000), ("late_cancelled", false, 18_000)]);
    assert_eq!(january["totals"]["payable_cents"], 45_180);
    let february = &approved[1];
    assert_eq!(february["totals"]["line_total_cents"], 200_005);
    assert_eq!(february["totals"]["vat_total_cents"], 51_001, "VAT on the total, not summed per line");
    assert_eq!(approved[2]["totals"]["vat_total_cents"], 0);
    assert_eq!(approved[2]["totals"]["subtotals"][0]["vat_category"], "E");

    // Nothing is invoiced twice; an approved invoice is neither changed nor deleted.
    let again =
        api.post("/api/v1/invoices/drafts", &anna, &json!({"organization_id": ward, "period": "2027-01"})).await;
    assert!(again.expect(201)["drafts"].as_array().unwrap().is_empty());
    let path = format!("/api/v1/invoices/{}", id(january));
    api.call(reqwest::Method::DELETE, &path, Some(&anna), None).await.expect(409);
    api.post(&format!("{path}/approve"), &anna, &json!({})).await.expect(409);

    // The coordinators see their own organization's invoices, never the other's.
    api.get(&path, &ward_coordinator).await.expect(200);
    api.get(&path, &school_coordinator).await.expect(404);
    let contract = api.get(&format!("/api/v1/series/{}/contract", id(&group)), &ward_coordinator).await;
    let figures = &contract.expect(200)["figures"];
    assert_eq!((figures["contracted"].as_i64(), figures["charged"].as_i64()), (Some(4), Some(3)));

    // A correction: the January invoice is credited.
    let credit = api.post(&format!("{path}/credit"), &anna, &json!({})).await;
    let credit = credit.expect(201).clone();
    assert_eq!(credit["number"], "OHJ-1045");
    assert_eq!(credit["kind"], "credit_note");

    // Every document as UBL.
    let mut documents = Vec::new();
    for (name, invoice) in [
        ("01-january-held-late-trial.xml", january),
        ("02-february-17-lines.xml", february),
        ("03-exempt-ovt.xml", &approved[2]),
        ("04-credit-note.xml", &credit),
    ] {
        let answer = api.get(&format!("/api/v1/invoices/{}?format=ubl", id(invoice)), &anna).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        documents.push((name.to_owned(), answer.text.clone()));
    }
    // The school's coordinator downloads theirs too (by Accept), and gets the same document.
    let by_accept = reqwest::Client::new()
        .get(format!("{}/api/v1/invoices/{}", api.base, id(&approved[2])))
        .bearer_auth(&school_coordinator)
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(by_accept, documents[2].1);
    documents.push(("05-exempt-by-coordinator.xml".to_owned(), by_accept));
    assert!(documents[0].1.contains("<cbc:EndpointID schemeID=\"0216\">003702454583</cbc:EndpointID>"));
    assert!(documents[2].1.contains("schemeID=\"0216\">003712345671<"));
    assert!(documents[3].1.contains("<CreditNote"));
    for (_, xml) in &documents {
        for name in ["Maija", "Liisa", "Kalle Opettaja", "Vuorovaikutus"] {
            assert!(!xml.contains(name), "a document names {name}");
        }
    }
    documents
}
