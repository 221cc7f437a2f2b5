//! Closure periods of an organization (e.g. the summer): sessions are not planned on them.

use crate::entity::closure;
use crate::values::{new_id, optional_label};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use ohjaus_core::Closure as CoreClosure;
use ohjaus_core::error::Collector;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A closure as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closure {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub organization_id: Uuid,
    /// First closed day.
    pub start_date: NaiveDate,
    /// Last closed day (inclusive).
    pub end_date: NaiveDate,
    /// Why.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reason: Option<String>,
}

/// `POST /organizations/{org}/closures` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClosure {
    /// First closed day.
    pub start_date: NaiveDate,
    /// Last closed day (inclusive).
    pub end_date: NaiveDate,
    /// Why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub reason: Option<String>,
}

impl From<closure::Model> for Closure {
    fn from(m: closure::Model) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            start_date: m.start_date,
            end_date: m.end_date,
            reason: m.reason,
        }
    }
}

impl Store {
    /// Adds a closure (admin, the organization's coordinator). Booked sessions stay; new
    /// plans skip or shift around it.
    pub async fn add_closure(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        new: &NewClosure,
        now: DateTime<Utc>,
    ) -> Result<Closure, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        let mut errors = Collector::default();
        let reason = errors.take(optional_label("reason", new.reason.as_deref()));
        errors.take(CoreClosure::new("", new.start_date, new.end_date, None));
        errors.finish()?;
        let model = closure::Model {
            id: new_id(),
            organization_id,
            start_date: new.start_date,
            end_date: new.end_date,
            reason: reason.flatten(),
            created_at: now,
        };
        Ok(model.into_active_model().insert(self.connection()).await?.into())
    }

    /// An organization's closures by start date (admin, its coordinator).
    pub async fn list_closures(&self, caller: &Caller, organization_id: Uuid) -> Result<Vec<Closure>, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        Ok(closure::Entity::find()
            .filter(closure::Column::OrganizationId.eq(organization_id))
            .order_by_asc(closure::Column::StartDate)
            .all(self.connection())
            .await?
            .into_iter()
            .map(Closure::from)
            .collect())
    }
}

/// An organization's closures as the core's days off.
pub(crate) async fn days_off<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
) -> Result<ohjaus_core::DaysOff, StoreError> {
    let rows = closure::Entity::find().filter(closure::Column::OrganizationId.eq(organization_id)).all(db).await?;
    let closures = rows
        .into_iter()
        .filter_map(|row| CoreClosure::new("", row.start_date, row.end_date, row.reason).ok())
        .collect();
    Ok(ohjaus_core::DaysOff::new(closures))
}
