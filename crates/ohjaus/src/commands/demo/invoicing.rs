//! The demo's invoicing: Anna's billing profile as a seller, the contract terms of her series
//! (who pays, at what price and VAT), and the invoices of the series she began months ago —
//! each month's drafted at the start of the next, approved and numbered, the newest month's
//! still a draft waiting for her — so the invoicing pages and the API have something real to
//! show.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use ohjaus_core::{BillingProfileBody, ContractTermsBody, DecimalInput, PayerBody, PostalAddressBody};
use ohjaus_store::write::invoices::NewDrafts;
use ohjaus_store::{Caller, Store, StoreError};
use std::collections::BTreeSet;
use uuid::Uuid;

fn address(street: &str, postcode: &str, city: &str) -> PostalAddressBody {
    PostalAddressBody { street: street.into(), postcode: postcode.into(), city: city.into(), country: None }
}

/// Anna's details as a seller: her own company, invoice numbers from `TV-1001`.
pub(super) fn anna_profile() -> BillingProfileBody {
    BillingProfileBody {
        legal_name: "Työnohjaus Anna Virtanen".into(),
        business_id: "3154267-0".into(),
        vat_number: None,
        ovt_code: None,
        address: address("Hämeenkatu 12 B 7", "33100", "Tampere"),
        iban: "FI81 4006 0010 0034 58".into(),
        bic: "HELSFIHH".into(),
        payment_terms_days: 14,
        invoice_prefix: "TV-".into(),
        next_invoice_number: Some(1001),
    }
}

/// Terms at `price_cents` a session, standard VAT, paid by `payer`.
fn terms(price_cents: i64, payer: PayerBody) -> ContractTermsBody {
    ContractTermsBody {
        price_cents,
        vat_category: "S".into(),
        vat_rate: Some(DecimalInput::Text("25.5".into())),
        payer,
        ..ContractTermsBody::default()
    }
}

/// The ward's supervision, paid by the wellbeing services county (Peppol e-invoices).
pub(super) fn ward_terms() -> ContractTermsBody {
    terms(
        18_000,
        PayerBody {
            name: "Kaukolan hyvinvointialue".into(),
            business_id: "0245458-3".into(),
            address: address("Sairaalantie 1", "00100", "Helsinki"),
            peppol_id: Some("0216:003702454583".into()),
            buyer_reference: Some("OSASTO-5A".into()),
            ..PayerBody::default()
        },
    )
}

/// The school leaders' supervision, paid by the town (Peppol e-invoices).
pub(super) fn school_terms() -> ContractTermsBody {
    terms(
        16_500,
        PayerBody {
            name: "Vaahteramäen kaupunki".into(),
            business_id: "2875421-8".into(),
            address: address("Kirkkokatu 4", "40100", "Vaahteramäki"),
            peppol_id: Some("0216:003728754218".into()),
            buyer_reference: Some("KOULUTOIMI".into()),
            ..PayerBody::default()
        },
    )
}

/// Anna invoices `organization_id` for the months of `series_id` that have charged sessions
/// (held, or cancelled too late), each at the start of the following month; every month but
/// the newest is approved. Answers the newest month's drafts.
pub(super) async fn invoice_past(
    store: &Store,
    now: DateTime<Utc>,
    supervisor_id: Uuid,
    organization_id: Uuid,
    series_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let anna = Caller::Supervisor { supervisor_id };
    // The local month of each session no longer scheduled: only those can be charged.
    let months: BTreeSet<NaiveDate> = store
        .list_sessions(&anna, series_id)
        .await?
        .iter()
        .filter(|s| s.ends_at.to_utc() < now && s.status != "scheduled")
        .filter_map(|s| s.starts_at.date_naive().with_day(1))
        .collect();
    let mut drafts = Vec::new();
    for (n, month) in months.iter().enumerate() {
        let following = month.checked_add_months(chrono::Months::new(1)).unwrap_or(*month);
        let drafted_at = Utc.from_utc_datetime(&following.and_hms_opt(8, 0, 0).unwrap_or_default()).min(now);
        let period = NewDrafts { organization_id, period: month.format("%Y-%m").to_string() };
        drafts = store.draft_invoices(&anna, &period, drafted_at).await?.drafts.into_iter().map(|d| d.id).collect();
        if n + 1 < months.len() {
            for draft in &drafts {
                store.approve_invoice(&anna, *draft, drafted_at + TimeDelta::hours(1)).await?;
            }
        }
    }
    Ok(drafts)
}
