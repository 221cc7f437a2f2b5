//! People of an organization: created by an admin or the organization's coordinator.

use crate::entity::{person, series_participant};
use crate::error::duplicate_is_invalid;
use crate::values::ID_CHUNK;
use crate::values::{new_id, parse_locale};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::error::Collector;
use ohjaus_core::{Email, Label, Locale};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use sea_orm::{JoinType, QueryTrait, RelationTrait};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A person as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Id.
    pub id: Uuid,
    /// Their organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Address.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Email))]
    pub email: String,
    /// Language of their messages, when not the organization's.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Locale>, required = true))]
    pub locale: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// `POST /organizations/{org}/people` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Name.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub name: String,
    /// Address; one person per address in an organization.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Email))]
    pub email: String,
    /// `fi`, `sv` or `en`; default: the organization's.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Locale>))]
    pub locale: Option<String>,
}

impl From<person::Model> for Person {
    fn from(m: person::Model) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            name: m.name,
            email: m.email,
            locale: m.locale,
            created_at: m.created_at,
        }
    }
}

impl Store {
    /// Adds a person to an organization (admin, its coordinator). A second person with the
    /// same address (any case) in the organization is `Invalid` on `email`.
    pub async fn create_person(
        &self,
        caller: &Caller,
        organization_id: Uuid,
        new: &NewPerson,
        now: DateTime<Utc>,
    ) -> Result<Person, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        let mut errors = Collector::default();
        let name = errors.take(Label::parse("name", &new.name));
        let email = errors.take(Email::parse("email", &new.email));
        let locale = match &new.locale {
            None => Some(None),
            Some(text) => errors.take(parse_locale("locale", Some(text), Locale::Fi)).map(Some),
        };
        errors.finish()?;
        let (Some(name), Some(email), Some(locale)) = (name, email, locale) else {
            unreachable!("every missing part recorded an error");
        };
        let model = person::Model {
            id: new_id(),
            organization_id,
            name: name.as_str().to_owned(),
            email: email.as_str().to_owned(),
            locale: locale.map(|l| l.as_str().to_owned()),
            created_at: now,
        };
        let inserted = model
            .into_active_model()
            .insert(self.connection())
            .await
            .map_err(|e| duplicate_is_invalid(e, "email", "another person of the organization has this address"))?;
        Ok(inserted.into())
    }

    /// One person: admins; the organization's coordinator; the person themself; a
    /// supervisor of a series they take part in.
    pub async fn get_person(&self, caller: &Caller, id: Uuid) -> Result<Person, StoreError> {
        let found =
            person::Entity::find_by_id(id).one(self.connection()).await?.ok_or(StoreError::not_found("person"))?;
        let visible = match caller {
            Caller::Admin => true,
            Caller::Coordinator { organization_id } => *organization_id == found.organization_id,
            Caller::Participant { person_id } => *person_id == id,
            Caller::Supervisor { supervisor_id } => {
                use crate::entity::series_participant;
                use sea_orm::{JoinType, RelationTrait};
                series_participant::Entity::find()
                    .join(JoinType::InnerJoin, series_participant::Relation::Series.def())
                    .filter(series_participant::Column::PersonId.eq(id))
                    .filter(crate::access::supervised_by(*supervisor_id))
                    .one(self.connection())
                    .await?
                    .is_some()
            }
        };
        if !visible {
            return Err(StoreError::not_found("person"));
        }
        Ok(found.into())
    }

    /// An organization's people by name (admin, its coordinator).
    pub async fn list_people(&self, caller: &Caller, organization_id: Uuid) -> Result<Vec<Person>, StoreError> {
        self.organization_to_manage(caller, organization_id).await?;
        Ok(person::Entity::find()
            .filter(person::Column::OrganizationId.eq(organization_id))
            .order_by_asc(person::Column::Name)
            .order_by_asc(person::Column::Id)
            .all(self.connection())
            .await?
            .into_iter()
            .map(Person::from)
            .collect())
    }

    /// The names of those of `ids` the caller may see (as [`Store::get_person`] decides),
    /// by id, in a constant number of statements.
    pub async fn person_names(&self, caller: &Caller, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, StoreError> {
        let db = self.connection();
        let mut names = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ID_CHUNK) {
            let mut query = person::Entity::find()
                .select_only()
                .columns([person::Column::Id, person::Column::Name])
                .filter(person::Column::Id.is_in(chunk.to_vec()));
            query = match *caller {
                Caller::Admin => query,
                Caller::Coordinator { organization_id } => {
                    query.filter(person::Column::OrganizationId.eq(organization_id))
                }
                Caller::Participant { person_id } => query.filter(person::Column::Id.eq(person_id)),
                Caller::Supervisor { supervisor_id } => query.filter(
                    person::Column::Id.in_subquery(
                        series_participant::Entity::find()
                            .select_only()
                            .column(series_participant::Column::PersonId)
                            .join(JoinType::InnerJoin, series_participant::Relation::Series.def())
                            .filter(crate::access::supervised_by(supervisor_id))
                            .into_query(),
                    ),
                ),
            };
            names.extend(query.into_tuple::<(Uuid, String)>().all(db).await?);
        }
        Ok(names)
    }

    /// Which of `ids` are people of `organization_id` (helper for teams and series).
    pub(crate) async fn people_of_organization<C: sea_orm::ConnectionTrait>(
        db: &C,
        organization_id: Uuid,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::OrganizationId.eq(organization_id))
            .filter(person::Column::Id.is_in(ids.to_vec()))
            .into_tuple::<Uuid>()
            .all(db)
            .await?)
    }
}
