//! The supervisor's invoicing page: draft a month for an organization, approve, download the
//! e-invoice and the CSV, print the invoice, credit it; and the contract's figures on the
//! coordinator's series page.

use crate::{Browser, csrf_of, worlds};
use axum::http::StatusCode;
use ohjaus_core::{BillingProfileBody, ContractTermsBody, SessionStatus};
use ohjaus_store::Caller;
use ohjaus_store::entity::session;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn a_supervisor_invoices_a_month_and_a_coordinator_sees_the_contract() {
    for world in worlds().await {
        let anna = Caller::Supervisor { supervisor_id: world.supervisor_id };
        let now = world.now();
        let terms: ContractTermsBody = serde_json::from_value(json!({
            "price_cents": 18000, "vat_category": "S", "vat_rate": "25.5",
            "payer": {"name": "Kaukolan hyvinvointialue", "business_id": "0245458-3",
                "address": {"street": "Sairaalantie 1", "postcode": "00100", "city": "Helsinki"},
                "buyer_reference": "OSASTO-5A"}
        }))
        .unwrap();
        world.store.set_contract(&Caller::Admin, world.series_a, &terms, now).await.unwrap();
        let profile: BillingProfileBody = serde_json::from_value(json!({
            "legal_name": "Työnohjaus Virtanen Oy", "business_id": "0112038-9",
            "address": {"street": "Kauppakatu 3", "postcode": "40100", "city": "Jyväskylä"},
            "iban": "FI21 1234 5600 0007 85", "bic": "NDEAFIHH", "payment_terms_days": 14,
            "invoice_prefix": "OHJ-", "next_invoice_number": 7
        }))
        .unwrap();
        world.store.set_billing_profile(&anna, world.supervisor_id, &profile, now).await.unwrap();
        session::Entity::update_many()
            .col_expr(session::Column::Status, Expr::value(SessionStatus::Held.as_str()))
            .filter(session::Column::Id.eq(world.session_a))
            .exec(world.store.connection())
            .await
            .unwrap();
        let organization = world.store.get_series(&Caller::Admin, world.series_a).await.unwrap().series.organization_id;

        let mut browser = Browser::default();
        browser.sign_in(&world, world.supervisor_email).await;
        let page = browser.get(&world.app, "/supervisor/invoicing").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Laskutus"));
        assert!(page.text.contains("Osasto 5A"), "the organizations to choose from");
        let csrf = csrf_of(&page.text);
        // A wrong month is explained and nothing is made.
        let wrong = browser
            .post(
                &world.app,
                "/supervisor/invoicing/drafts",
                &[("csrf", &csrf), ("organization_id", &organization.to_string()), ("period", "2027-13")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let drafted = browser
            .post(
                &world.app,
                "/supervisor/invoicing/drafts",
                &[("csrf", &csrf), ("organization_id", &organization.to_string()), ("period", "2027-01")],
            )
            .await;
        assert_eq!(drafted.status, StatusCode::SEE_OTHER, "{}", drafted.text);
        let listed = world.store.list_invoices(&anna, &Default::default(), &ohjaus_store::page::Page::first(10)).await;
        let draft = listed.unwrap().items.pop().expect("a draft");
        let page = browser.get(&world.app, "/supervisor/invoicing").await;
        assert!(page.text.contains("Luonnos"));
        assert!(page.text.contains("225,90"), "{}", page.text);
        let approved =
            browser.post(&world.app, &format!("/supervisor/invoices/{}/approve", draft.id), &[("csrf", &csrf)]).await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        let page = browser.get(&world.app, "/supervisor/invoicing").await;
        assert!(page.text.contains("OHJ-7"));
        // The printable invoice (the print stylesheet is in ohjaus.css) and the downloads.
        let printable = browser.get(&world.app, &format!("/supervisor/invoices/{}", draft.id)).await;
        assert_eq!(printable.status, StatusCode::OK);
        assert!(printable.text.contains("invoice-document"));
        assert!(printable.text.contains("Osaston työnohjaus"));
        assert!(!printable.text.contains("Liisa"), "no participant on an invoice");
        let css = browser.get(&world.app, "/static/ohjaus.css").await;
        assert!(css.text.contains("@media print"));
        let xml = browser.get(&world.app, &format!("/supervisor/invoices/{}/download?format=xml", draft.id)).await;
        assert!(xml.content_type.starts_with("application/xml"));
        assert!(xml.text.contains("<cbc:ID>OHJ-7</cbc:ID>"));
        let csv = browser.get(&world.app, &format!("/supervisor/invoices/{}/download?format=csv", draft.id)).await;
        assert!(csv.text.starts_with("document,line,date"));
        let credited =
            browser.post(&world.app, &format!("/supervisor/invoices/{}/credit", draft.id), &[("csrf", &csrf)]).await;
        assert_eq!(credited.status, StatusCode::SEE_OTHER);
        let page = browser.get(&world.app, "/supervisor/invoicing").await;
        assert!(page.text.contains("OHJ-8") && page.text.contains("Hyvityslasku"));

        // The coordinator sees the contract's figures on the series page.
        let mut coordinator = Browser::default();
        coordinator.sign_in(&world, world.coordinator_email).await;
        let series = coordinator.get(&world.app, &format!("/coordinator/series/{}", world.series_a)).await;
        assert_eq!(series.status, StatusCode::OK);
        assert!(series.text.contains("Sopimus"), "{}", series.text);
        assert!(series.text.contains("Veloitettu"));
        // A participant has no invoicing page.
        let mut participant = Browser::default();
        participant.sign_in(&world, world.participant_email).await;
        let theirs = participant.get(&world.app, "/supervisor/invoicing").await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        world.close().await;
    }
}
