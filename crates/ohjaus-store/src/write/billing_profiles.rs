//! The seller's billing profile per supervisor (legal name, business ID, VAT number, address,
//! IBAN and BIC, payment terms) and their invoice number series (a prefix and the next
//! number, which `write::invoices` raises as it numbers).
//!
//! | caller | reads | changes |
//! |---|---|---|
//! | the supervisor, an admin | yes | yes |
//! | a coordinator | `Forbidden` | `Forbidden` |
//! | anyone else | `NotFound` | `NotFound` |

use crate::access::keeps_books_of;
use crate::entity::{billing_profile, invoice_number_series, supervisor};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::{BillingProfile, BillingProfileBody, InvoiceNumberSeries};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

/// A supervisor's billing profile as answered: the profile with the number series as it
/// stands (`next_invoice_number` is the number the next invoice gets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillingProfileRecord {
    /// The supervisor (the seller).
    pub supervisor_id: Uuid,
    /// The profile.
    pub profile: BillingProfileBody,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The stored profile body with the number series' current state.
fn body_of(
    row: &billing_profile::Model,
    numbers: Option<&invoice_number_series::Model>,
) -> Result<BillingProfileBody, StoreError> {
    let mut body: BillingProfileBody = serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Database(DbErr::Custom(format!("billing profile {}: {e}", row.supervisor_id))))?;
    if let Some(numbers) = numbers {
        body.invoice_prefix = numbers.prefix.clone();
        body.next_invoice_number = Some(numbers.next_number);
    }
    Ok(body)
}

/// The seller's profile (as the core reads it) and number series, read in `db`; the number
/// row is locked (PostgreSQL) when `lock`, so that numbering queues per seller. `State` when
/// the supervisor has no profile yet.
pub(crate) async fn seller_of<C: ConnectionTrait>(
    db: &C,
    supervisor_id: Uuid,
    lock: bool,
) -> Result<(BillingProfileBody, BillingProfile, invoice_number_series::Model), StoreError> {
    let mut query = invoice_number_series::Entity::find_by_id(supervisor_id);
    if lock {
        query = query.lock_exclusive();
    }
    let missing = || StoreError::refused("billing_profile", "set the supervisor's billing profile first");
    let numbers = query.one(db).await?.ok_or_else(missing)?;
    let row = billing_profile::Entity::find_by_id(supervisor_id).one(db).await?.ok_or_else(missing)?;
    let body = body_of(&row, Some(&numbers))?;
    let profile = BillingProfile::parse(&body)
        .map_err(|e| StoreError::Database(DbErr::Custom(format!("stored billing profile: {e}"))))?;
    Ok((body, profile, numbers))
}

impl Store {
    /// Supervisor `supervisor_id`'s billing profile (the supervisor, admins).
    pub async fn get_billing_profile(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
    ) -> Result<BillingProfileRecord, StoreError> {
        keeps_books_of(caller, supervisor_id)?;
        let db = self.connection();
        let row = billing_profile::Entity::find_by_id(supervisor_id)
            .one(db)
            .await?
            .ok_or(StoreError::not_found("billing profile"))?;
        let numbers = invoice_number_series::Entity::find_by_id(supervisor_id).one(db).await?;
        Ok(BillingProfileRecord {
            supervisor_id,
            profile: body_of(&row, numbers.as_ref())?,
            updated_at: row.updated_at,
        })
    }

    /// Sets supervisor `supervisor_id`'s billing profile (the supervisor, admins): every
    /// field checked by the core (a business ID's check digit, an IBAN's checksum; 422 and
    /// nothing stored). The number series keeps its next number unless the body gives one;
    /// a next number below one already used under the same prefix is refused (422).
    pub async fn set_billing_profile(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        body: &BillingProfileBody,
        now: DateTime<Utc>,
    ) -> Result<BillingProfileRecord, StoreError> {
        keeps_books_of(caller, supervisor_id)?;
        let profile = BillingProfile::parse(body)?;
        let txn = self.begin_write().await?;
        supervisor::Entity::find_by_id(supervisor_id).one(&txn).await?.ok_or(StoreError::not_found("supervisor"))?;
        let numbers = invoice_number_series::Entity::find_by_id(supervisor_id).lock_exclusive().one(&txn).await?;
        let prefix = profile.number_series().prefix().to_owned();
        let next = match (&numbers, body.next_invoice_number) {
            (Some(old), Some(given)) if old.prefix == prefix && given < old.next_number => {
                return Err(StoreError::invalid(
                    "next_invoice_number",
                    format!("must be at least {} (the numbers below are used)", old.next_number),
                ));
            }
            (Some(old), None) if old.prefix == prefix => old.next_number,
            _ => i64::try_from(profile.number_series().next()).unwrap_or(i64::MAX),
        };
        debug_assert!(InvoiceNumberSeries::new(&prefix, u64::try_from(next).unwrap_or(1)).is_ok());
        let mut stored = body.clone();
        stored.invoice_prefix = prefix.clone();
        stored.next_invoice_number = None;
        let text = serde_json::to_string(&stored).map_err(|e| StoreError::Database(DbErr::Custom(e.to_string())))?;
        match billing_profile::Entity::find_by_id(supervisor_id).one(&txn).await? {
            Some(row) => {
                let mut active = row.into_active_model();
                active.body = Set(text);
                active.updated_at = Set(now);
                active.update(&txn).await?;
            }
            None => {
                billing_profile::Model { supervisor_id, body: text, updated_at: now }
                    .into_active_model()
                    .insert(&txn)
                    .await?;
            }
        }
        let numbers = match numbers {
            Some(row) => {
                let mut active = row.into_active_model();
                active.prefix = Set(prefix);
                active.next_number = Set(next);
                active.updated_at = Set(now);
                active.update(&txn).await?
            }
            None => {
                invoice_number_series::Model { supervisor_id, prefix, next_number: next, updated_at: now }
                    .into_active_model()
                    .insert(&txn)
                    .await?
            }
        };
        let row = billing_profile::Entity::find_by_id(supervisor_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("billing profile"))?;
        let record =
            BillingProfileRecord { supervisor_id, profile: body_of(&row, Some(&numbers))?, updated_at: row.updated_at };
        txn.commit().await?;
        Ok(record)
    }
}
