//! Organizations: created by an admin, seen by their coordinators, by the supervisors who
//! serve them and by their own people.

use crate::entity::{organization, person, series};
use crate::values::{new_id, parse_locale};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::error::Collector;
use ohjaus_core::{Label, Locale, TimeZone};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An organization as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// IANA zone of its sessions by default.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// Default language of its people's messages.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Locale))]
    pub locale: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// `POST /organizations` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// Name.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub name: String,
    /// IANA zone; default `Europe/Helsinki`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::TimeZone>))]
    pub timezone: Option<String>,
    /// `fi`, `sv` or `en`; default `fi`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Locale>))]
    pub locale: Option<String>,
}

impl From<organization::Model> for Organization {
    fn from(m: organization::Model) -> Self {
        Self { id: m.id, name: m.name, timezone: m.timezone, locale: m.locale, created_at: m.created_at }
    }
}

impl Store {
    /// Creates an organization (admin only).
    pub async fn create_organization(
        &self,
        caller: &Caller,
        new: &NewOrganization,
        now: DateTime<Utc>,
    ) -> Result<Organization, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let mut errors = Collector::default();
        let name = errors.take(Label::parse("name", &new.name));
        let timezone = match &new.timezone {
            None => Some(TimeZone::default()),
            Some(zone) => errors.take(TimeZone::parse("timezone", zone)),
        };
        let locale = errors.take(parse_locale("locale", new.locale.as_deref(), Locale::Fi));
        errors.finish()?;
        let (Some(name), Some(timezone), Some(locale)) = (name, timezone, locale) else {
            unreachable!("every missing part recorded an error");
        };
        let model = organization::Model {
            id: new_id(),
            name: name.as_str().to_owned(),
            timezone: timezone.name().to_owned(),
            locale: locale.as_str().to_owned(),
            created_at: now,
        };
        let model = model.into_active_model().insert(self.connection()).await?;
        Ok(model.into())
    }

    /// One organization, if the caller may see it.
    pub async fn get_organization(&self, caller: &Caller, id: Uuid) -> Result<Organization, StoreError> {
        let visible = self.visible_organizations(caller).await?;
        if visible.as_ref().is_some_and(|ids| !ids.contains(&id)) {
            return Err(StoreError::not_found("organization"));
        }
        organization::Entity::find_by_id(id)
            .one(self.connection())
            .await?
            .map(Organization::from)
            .ok_or(StoreError::not_found("organization"))
    }

    /// The organizations the caller may see, by name.
    pub async fn list_organizations(&self, caller: &Caller) -> Result<Vec<Organization>, StoreError> {
        let mut query = organization::Entity::find().order_by_asc(organization::Column::Name);
        if let Some(ids) = self.visible_organizations(caller).await? {
            query = query.filter(organization::Column::Id.is_in(ids));
        }
        Ok(query.all(self.connection()).await?.into_iter().map(Organization::from).collect())
    }

    /// `None` for all (admin), else the ids the caller may see.
    async fn visible_organizations(&self, caller: &Caller) -> Result<Option<Vec<Uuid>>, StoreError> {
        let db = self.connection();
        Ok(match caller {
            Caller::Admin => None,
            Caller::Coordinator { organization_id } => Some(vec![*organization_id]),
            Caller::Supervisor { supervisor_id } => Some(
                series::Entity::find()
                    .select_only()
                    .column(series::Column::OrganizationId)
                    .distinct()
                    .filter(crate::access::supervised_by(*supervisor_id))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?,
            ),
            Caller::Participant { person_id } => Some(
                person::Entity::find_by_id(*person_id)
                    .one(db)
                    .await?
                    .map(|p| vec![p.organization_id])
                    .unwrap_or_default(),
            ),
        })
    }
}
