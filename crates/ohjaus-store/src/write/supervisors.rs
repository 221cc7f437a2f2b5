//! Supervisors: created by an admin with working hours and a buffer; their working hours and
//! absences are kept by themselves or an admin.

use crate::entity::{absence, supervisor};
use crate::error::duplicate_is_invalid;
use crate::values::{new_id, optional_label, parse_locale};
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_core::error::Collector;
use ohjaus_core::{Email, FieldError, Label, Locale, TimeZone, WorkingHours, WorkingHoursEntry};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest buffer between sessions, in minutes.
pub const MAX_BUFFER_MINUTES: i64 = 240;

/// A supervisor as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supervisor {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Address (the ORGANIZER of invitations).
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Email))]
    pub email: String,
    /// Language of messages.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Locale))]
    pub locale: String,
    /// Zone of the working hours.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::TimeZone))]
    pub timezone: String,
    /// Minutes kept free before and after each session.
    pub buffer_minutes: i32,
    /// When they work (empty: any time).
    pub working_hours: Vec<WorkingHoursEntry>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// `POST /supervisors` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSupervisor {
    /// Name.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub name: String,
    /// Address; unique among supervisors.
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Email))]
    pub email: String,
    /// `fi`, `sv`, `en`; default `fi`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Locale>))]
    pub locale: Option<String>,
    /// IANA zone; default `Europe/Helsinki`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::TimeZone>))]
    pub timezone: Option<String>,
    /// 0–240; default 0.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 240))]
    pub buffer_minutes: Option<i64>,
    /// Weekly windows; default none (any time).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 28))]
    pub working_hours: Option<Vec<WorkingHoursEntry>>,
}

/// An absence as answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Absence {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub supervisor_id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Why, if said.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reason: Option<String>,
}

/// `POST /supervisors/{id}/absences` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAbsence {
    /// Start (RFC 3339).
    pub starts_at: DateTime<Utc>,
    /// End (RFC 3339), after the start.
    pub ends_at: DateTime<Utc>,
    /// Why.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ohjaus_core::Label>))]
    pub reason: Option<String>,
}

impl TryFrom<supervisor::Model> for Supervisor {
    type Error = StoreError;
    fn try_from(m: supervisor::Model) -> Result<Self, StoreError> {
        let working_hours = parse_stored_hours(&m.working_hours)?;
        Ok(Self {
            id: m.id,
            name: m.name,
            email: m.email,
            locale: m.locale,
            timezone: m.timezone,
            buffer_minutes: m.buffer_minutes,
            working_hours,
            created_at: m.created_at,
        })
    }
}

/// The working hours as stored (JSON written by the store).
pub(crate) fn parse_stored_hours(text: &str) -> Result<Vec<WorkingHoursEntry>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))
}

impl From<absence::Model> for Absence {
    fn from(m: absence::Model) -> Self {
        Self { id: m.id, supervisor_id: m.supervisor_id, starts_at: m.starts_at, ends_at: m.ends_at, reason: m.reason }
    }
}

/// Checked working hours, as the JSON text stored.
fn hours_json(prefix: &str, entries: &[WorkingHoursEntry]) -> Result<String, StoreError> {
    let hours = WorkingHours::parse(prefix, entries)?;
    serde_json::to_string(&hours.entries()).map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))
}

impl Store {
    /// Creates a supervisor (admin only). A taken address is `Invalid` on `email`.
    pub async fn create_supervisor(
        &self,
        caller: &Caller,
        new: &NewSupervisor,
        now: DateTime<Utc>,
    ) -> Result<Supervisor, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let mut errors = Collector::default();
        let name = errors.take(Label::parse("name", &new.name));
        let email = errors.take(Email::parse("email", &new.email));
        let locale = errors.take(parse_locale("locale", new.locale.as_deref(), Locale::Fi));
        let timezone = match &new.timezone {
            None => Some(TimeZone::default()),
            Some(zone) => errors.take(TimeZone::parse("timezone", zone)),
        };
        let buffer = new.buffer_minutes.unwrap_or(0);
        if !(0..=MAX_BUFFER_MINUTES).contains(&buffer) {
            errors.push(FieldError::new("buffer_minutes", format!("must be between 0 and {MAX_BUFFER_MINUTES}")));
        }
        let hours = match hours_json("working_hours", new.working_hours.as_deref().unwrap_or_default()) {
            Ok(json) => Some(json),
            Err(StoreError::Invalid(list)) => {
                list.errors().iter().cloned().for_each(|e| errors.push(e));
                None
            }
            Err(other) => return Err(other),
        };
        errors.finish()?;
        let (Some(name), Some(email), Some(locale), Some(timezone), Some(hours)) =
            (name, email, locale, timezone, hours)
        else {
            unreachable!("every missing part recorded an error");
        };
        let taken = supervisor::Entity::find()
            .filter(supervisor::Column::Email.eq(email.as_str()))
            .one(self.connection())
            .await?
            .is_some();
        if taken {
            return Err(StoreError::invalid("email", "another supervisor has this address"));
        }
        let model = supervisor::Model {
            id: new_id(),
            name: name.as_str().to_owned(),
            email: email.as_str().to_owned(),
            locale: locale.as_str().to_owned(),
            timezone: timezone.name().to_owned(),
            buffer_minutes: buffer as i32,
            working_hours: hours,
            created_at: now,
        };
        let inserted = model
            .into_active_model()
            .insert(self.connection())
            .await
            .map_err(|e| duplicate_is_invalid(e, "email", "another supervisor has this address"))?;
        inserted.try_into()
    }

    /// One supervisor: admins and coordinators see any, a supervisor themself.
    pub async fn get_supervisor(&self, caller: &Caller, id: Uuid) -> Result<Supervisor, StoreError> {
        match caller {
            Caller::Admin | Caller::Coordinator { .. } => {}
            Caller::Supervisor { supervisor_id } if *supervisor_id == id => {}
            _ => return Err(StoreError::not_found("supervisor")),
        }
        supervisor::Entity::find_by_id(id)
            .one(self.connection())
            .await?
            .ok_or(StoreError::not_found("supervisor"))?
            .try_into()
    }

    /// All supervisors by name (admins and coordinators, who book them).
    pub async fn list_supervisors(&self, caller: &Caller) -> Result<Vec<Supervisor>, StoreError> {
        let query = supervisor::Entity::find().order_by_asc(supervisor::Column::Name);
        let query = match caller {
            Caller::Admin | Caller::Coordinator { .. } => query,
            Caller::Supervisor { supervisor_id } => query.filter(supervisor::Column::Id.eq(*supervisor_id)),
            Caller::Participant { .. } => return Err(StoreError::Forbidden),
        };
        query.all(self.connection()).await?.into_iter().map(Supervisor::try_from).collect()
    }

    /// Replaces a supervisor's working hours (admin or that supervisor). Existing bookings
    /// are kept; the hours bind new bookings and changes.
    pub async fn set_working_hours(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        entries: &[WorkingHoursEntry],
    ) -> Result<Supervisor, StoreError> {
        let model = self.supervisor_for_change(caller, supervisor_id).await?;
        let json = hours_json("working_hours", entries)?;
        let mut active = model.into_active_model();
        active.working_hours = Set(json);
        active.update(self.connection()).await?.try_into()
    }

    /// Adds an absence (admin or that supervisor). Sessions already booked in it stay; new
    /// bookings and changes that fall in it conflict.
    pub async fn add_absence(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        new: &NewAbsence,
        now: DateTime<Utc>,
    ) -> Result<Absence, StoreError> {
        self.supervisor_for_change(caller, supervisor_id).await?;
        let mut errors = Collector::default();
        if new.ends_at <= new.starts_at {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        }
        let reason = errors.take(optional_label("reason", new.reason.as_deref()));
        errors.finish()?;
        let model = absence::Model {
            id: new_id(),
            supervisor_id,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            reason: reason.flatten(),
            created_at: now,
        };
        Ok(model.into_active_model().insert(self.connection()).await?.into())
    }

    /// A supervisor's absences ending after `from`, in time order (admin or that supervisor).
    pub async fn list_absences(
        &self,
        caller: &Caller,
        supervisor_id: Uuid,
        from: DateTime<Utc>,
    ) -> Result<Vec<Absence>, StoreError> {
        self.supervisor_for_change(caller, supervisor_id).await?;
        Ok(absence::Entity::find()
            .filter(absence::Column::SupervisorId.eq(supervisor_id))
            .filter(absence::Column::EndsAt.gt(from))
            .order_by_asc(absence::Column::StartsAt)
            .all(self.connection())
            .await?
            .into_iter()
            .map(Absence::from)
            .collect())
    }

    /// The supervisor row if the caller may change it: an admin or the supervisor; a
    /// coordinator sees supervisors but may not change them; others do not see them.
    async fn supervisor_for_change(&self, caller: &Caller, id: Uuid) -> Result<supervisor::Model, StoreError> {
        match caller {
            Caller::Admin => {}
            Caller::Supervisor { supervisor_id } if *supervisor_id == id => {}
            Caller::Coordinator { .. } => {
                supervisor::Entity::find_by_id(id)
                    .one(self.connection())
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
                return Err(StoreError::Forbidden);
            }
            _ => return Err(StoreError::not_found("supervisor")),
        }
        supervisor::Entity::find_by_id(id).one(self.connection()).await?.ok_or(StoreError::not_found("supervisor"))
    }
}
