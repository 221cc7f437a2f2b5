//! Webhooks: the endpoints an organization's coordinator (or an admin, for one organization
//! or for all) registers, updates, disables, rotates and deletes, the delivery log, a test
//! event, a retry — and [`emit_series`]/[`emit_session`], the one hook every change calls in
//! its own transaction, so that a change and its events commit or vanish together.
//!
//! An event's body is what Standard Webhooks describes: `{"type", "timestamp", "data"}`, the
//! data ids, times and statuses only — never a note's, goal's or review's text, nor a
//! person's name or address. Its `webhook-id` is `msg_` and the event's id, the same on every
//! retry, so receivers can deduplicate. The signing secret (`whsec_` + base64 of 32 random
//! bytes) is answered once, when made; the store keeps it sealed ([`crate::secrets`]), and
//! after a rotation the previous one for [`ROTATION_OVERLAP`], signing with both meanwhile.

use crate::access::manages;
use crate::entity::{series, series_participant, session, webhook_delivery, webhook_endpoint, webhook_event};
pub use crate::outbox::webhook_deliveries::message_id;
use crate::outbox::webhook_deliveries::secret_binding;
use crate::page::{Page, Paged};
use crate::status::DeliveryStatus;
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use ohjaus_core::FieldError;
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// The event types an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 10] = [
    "series.booked",
    "series.replanned",
    "series.cancelled",
    "series.participants_changed",
    "session.moved",
    "session.cancelled",
    "session.attendance_recorded",
    "invoice.approved",
    "invoice.credited",
    "poll.decided",
];

/// The type of the event `POST …/webhooks/{id}/test` sends (to that endpoint only).
pub const TEST_EVENT: &str = "webhook.test";

/// How long the previous secret still signs after a rotation.
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// Random bytes in a signing secret (Standard Webhooks asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// Longest URL and description accepted.
const MAX_URL: usize = 2000;
const MAX_DESCRIPTION: usize = 500;

/// Endpoints one organization may register (and global ones an admin may).
pub const MAX_ENDPOINTS: u64 = 50;

/// A webhook endpoint as answered (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// Id.
    pub id: Uuid,
    /// The organization whose events it receives; `null`: every organization's (admins').
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub organization_id: Option<Uuid>,
    /// Where events are posted.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The types it receives (of `series.booked`, `series.replanned`, `series.cancelled`,
    /// `series.participants_changed`, `session.moved`, `session.cancelled`,
    /// `session.attendance_recorded`, `invoice.approved`, `invoice.credited`); empty: every type.
    pub event_types: Vec<String>,
    /// Whether events are delivered to it.
    pub enabled: bool,
    /// Why it was disabled: `410 Gone`, five days of failures, or by hand.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub disabled_reason: Option<String>,
    /// Since when every delivery has failed (`null`: the last one succeeded).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the previous secret still signs, after a rotation.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_endpoint::Model> for WebhookEndpoint {
    fn from(m: webhook_endpoint::Model) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            url: m.url,
            description: m.description,
            event_types: serde_json::from_str(&m.event_types).unwrap_or_default(),
            enabled: m.enabled,
            disabled_reason: m.disabled_reason,
            failing_since: m.failing_since,
            previous_secret_expires_at: m.previous_secret_expires_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// An endpoint with its signing secret: answered once, when it is made or rotated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointWithSecret {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_` + base64 of 32 random bytes: the key of the HMAC-SHA256 signatures. Shown
    /// only now.
    pub secret: String,
}

/// `POST …/webhooks` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// `https://` or `http://`, no user name or password, not a loopback or private address
    /// (unless the installation allows them).
    pub url: String,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The types it receives, of `series.booked`, `series.replanned`, `series.cancelled`,
    /// `series.participants_changed`, `session.moved`, `session.cancelled`,
    /// `session.attendance_recorded`, `invoice.approved`, `invoice.credited`; default every type.
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PATCH …/webhooks/{id}` body: what changes. Enabling a disabled endpoint clears why it was
/// disabled and its failure streak.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointChanges {
    /// A new address.
    #[serde(default)]
    pub url: Option<String>,
    /// A new description.
    #[serde(default)]
    pub description: Option<String>,
    /// New types (empty: every type).
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    /// Enable or disable.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// One event to one endpoint, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// Id (give it to `POST /api/v1/webhooks/deliveries/{id}/retry`).
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The `webhook-id` header: the same on every attempt.
    pub message_id: String,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due (pending ones).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The latest attempt.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The status the endpoint answered last.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_status_code: Option<i32>,
    /// How long the latest attempt took, in milliseconds.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_duration_ms: Option<i32>,
    /// Why the latest attempt failed.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_error: Option<String>,
    /// At most 1 kB of the endpoint's latest answer.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_response: Option<String>,
    /// Delivered.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub delivered_at: Option<DateTime<Utc>>,
    /// Queued (the event's time).
    pub created_at: DateTime<Utc>,
}

fn delivery_record(m: webhook_delivery::Model, event_type: String) -> WebhookDelivery {
    let status = DeliveryStatus::stored(&m.status);
    WebhookDelivery {
        id: m.id,
        endpoint_id: m.endpoint_id,
        message_id: message_id(m.event_id),
        event_type,
        status,
        attempts: m.attempts,
        next_attempt_at: (status == DeliveryStatus::Pending).then_some(m.next_attempt_at),
        last_attempt_at: m.last_attempt_at,
        last_status_code: m.last_status_code,
        last_duration_ms: m.last_duration_ms,
        last_error: m.last_error,
        last_response: m.last_response,
        delivered_at: m.delivered_at,
        created_at: m.created_at,
    }
}

/// A new signing secret.
fn new_secret() -> String {
    let mut bytes = [0_u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", BASE64.encode(bytes))
}

/// Checks an endpoint's address: https or http only, no user name or password, and (unless
/// `allow_private`) no loopback, private or link-local address literal nor `localhost`.
/// Host names are checked again after DNS on every delivery (the outgoing client's policy).
pub fn check_url(field: &str, text: &str, allow_private: bool) -> Result<String, FieldError> {
    use ohjaus_calendars::{AddressPolicy, FetchError, OutgoingUrl};
    let text = text.trim();
    if text.len() > MAX_URL {
        return Err(FieldError::new(field, format!("at most {MAX_URL} characters")));
    }
    let scheme = text.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
    if let Some(scheme) = scheme.filter(|s| s != "https" && s != "http") {
        return Err(FieldError::new(field, format!("only https and http addresses are allowed (not {scheme}://)")));
    }
    let url = OutgoingUrl::parse(text).map_err(|e| FieldError::new(field, e.to_string()))?;
    if !allow_private {
        let policy = AddressPolicy::default();
        policy.check_url(url.as_url()).map_err(|e| FieldError::new(field, e.to_string()))?;
        let host = url.as_url().host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        if host == "localhost" || host.ends_with(".localhost") {
            let refused = FetchError::AddressNotAllowed { address: std::net::Ipv4Addr::LOCALHOST.into() };
            return Err(FieldError::new(field, refused.to_string()));
        }
    }
    Ok(url.as_str().to_owned())
}

/// Checks the event types asked for: known ones, each once.
fn check_types(types: &[String]) -> Result<Vec<String>, FieldError> {
    let mut seen = Vec::new();
    for (i, t) in types.iter().enumerate() {
        if !EVENT_TYPES.contains(&t.as_str()) {
            return Err(FieldError::new(
                format!("event_types[{i}]"),
                format!("unknown event type (one of {})", EVENT_TYPES.join(", ")),
            ));
        }
        if seen.contains(t) {
            return Err(FieldError::new(format!("event_types[{i}]"), "appears more than once"));
        }
        seen.push(t.clone());
    }
    Ok(seen)
}

fn check_description(text: Option<&str>) -> Result<String, FieldError> {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > MAX_DESCRIPTION || text.chars().any(char::is_control) {
        return Err(FieldError::new("description", format!("one line of at most {MAX_DESCRIPTION} characters")));
    }
    Ok(text.to_owned())
}

/// Endpoint `id` if the caller may manage it: an organization's by admins and its
/// coordinator (another's coordinator: `NotFound`; supervisors, participants: `Forbidden`),
/// a global one by admins only (to coordinators it does not exist).
async fn endpoint_for(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<webhook_endpoint::Model, StoreError> {
    crate::access::manages_some(caller)?;
    let not_found = || StoreError::not_found("webhook endpoint");
    let found = webhook_endpoint::Entity::find_by_id(id).one(db).await?.ok_or_else(not_found)?;
    match found.organization_id {
        Some(organization) => manages(caller, organization).map_err(|_| not_found())?,
        None if caller.is_admin() => {}
        None => return Err(not_found()),
    }
    Ok(found)
}

impl Store {
    /// Registers an endpoint for `organization_id` (admin, its coordinator) or, with `None`,
    /// for every organization (admin). Answers it with its secret, shown this once.
    pub async fn create_webhook_endpoint(
        &self,
        caller: &Caller,
        organization_id: Option<Uuid>,
        body: &NewWebhookEndpoint,
        now: DateTime<Utc>,
    ) -> Result<WebhookEndpointWithSecret, StoreError> {
        match organization_id {
            Some(organization) => {
                self.organization_to_manage(caller, organization).await?;
            }
            None if caller.is_admin() => {}
            None => {
                crate::access::manages_some(caller)?;
                return Err(StoreError::Forbidden);
            }
        }
        let mut errors = ohjaus_core::error::Collector::default();
        let url = errors.take(check_url("url", &body.url, self.allows_private_webhook_addresses()));
        let description = errors.take(check_description(body.description.as_deref()));
        let types = errors.take(check_types(body.event_types.as_deref().unwrap_or_default()));
        errors.finish()?;
        let (Some(url), Some(description), Some(types)) = (url, description, types) else {
            unreachable!("every missing part recorded an error");
        };
        let secrets = self.secrets()?;
        let db = self.connection();
        let count = webhook_endpoint::Entity::find()
            .filter(match organization_id {
                Some(organization) => webhook_endpoint::Column::OrganizationId.eq(organization),
                None => webhook_endpoint::Column::OrganizationId.is_null(),
            })
            .count(db)
            .await?;
        if count >= MAX_ENDPOINTS {
            return Err(StoreError::invalid("url", format!("at most {MAX_ENDPOINTS} endpoints")));
        }
        let id = new_id();
        let secret = new_secret();
        let model = webhook_endpoint::Model {
            id,
            organization_id,
            url,
            description,
            event_types: serde_json::to_string(&types).unwrap_or_else(|_| "[]".to_owned()),
            enabled: body.enabled.unwrap_or(true),
            disabled_reason: None,
            secret: secrets.seal(&secret, &secret_binding(id, "secret")),
            previous_secret: None,
            previous_secret_expires_at: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        };
        let model = model.into_active_model().insert(db).await?;
        Ok(WebhookEndpointWithSecret { endpoint: model.into(), secret })
    }

    /// The endpoints of `organization_id` (admin, its coordinator), or with `None` every
    /// endpoint (admin), in creation order.
    pub async fn list_webhook_endpoints(
        &self,
        caller: &Caller,
        organization_id: Option<Uuid>,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let mut query = webhook_endpoint::Entity::find();
        match organization_id {
            Some(organization) => {
                self.organization_to_manage(caller, organization).await?;
                query = query.filter(webhook_endpoint::Column::OrganizationId.eq(organization));
            }
            None if caller.is_admin() => {}
            None => {
                crate::access::manages_some(caller)?;
                return Err(StoreError::Forbidden);
            }
        }
        let rows = query.order_by_asc(webhook_endpoint::Column::Id).all(self.connection()).await?;
        Ok(rows.into_iter().map(WebhookEndpoint::from).collect())
    }

    /// One endpoint (see [`endpoint_for`] for who may).
    pub async fn get_webhook_endpoint(&self, caller: &Caller, id: Uuid) -> Result<WebhookEndpoint, StoreError> {
        Ok(endpoint_for(self.connection(), caller, id).await?.into())
    }

    /// Changes an endpoint's address, description, types or whether it is enabled.
    pub async fn update_webhook_endpoint(
        &self,
        caller: &Caller,
        id: Uuid,
        changes: &WebhookEndpointChanges,
        now: DateTime<Utc>,
    ) -> Result<WebhookEndpoint, StoreError> {
        let mut errors = ohjaus_core::error::Collector::default();
        let allow = self.allows_private_webhook_addresses();
        let url = changes.url.as_deref().map(|u| errors.take(check_url("url", u, allow)));
        let description = changes.description.as_deref().map(|d| errors.take(check_description(Some(d))));
        let types = changes.event_types.as_deref().map(|t| errors.take(check_types(t)));
        errors.finish()?;
        let txn = self.begin_write().await?;
        let found = endpoint_for(&txn, caller, id).await?;
        let was_enabled = found.enabled;
        let mut active = found.into_active_model();
        if let Some(Some(url)) = url {
            active.url = Set(url);
        }
        if let Some(Some(description)) = description {
            active.description = Set(description);
        }
        if let Some(Some(types)) = types {
            active.event_types = Set(serde_json::to_string(&types).unwrap_or_else(|_| "[]".to_owned()));
        }
        match changes.enabled {
            Some(true) if !was_enabled => {
                active.enabled = Set(true);
                active.disabled_reason = Set(None);
                active.failing_since = Set(None);
            }
            Some(false) if was_enabled => {
                active.enabled = Set(false);
                active.disabled_reason = Set(Some("disabled by hand".to_owned()));
            }
            _ => {}
        }
        active.updated_at = Set(now);
        let model = active.update(&txn).await?;
        txn.commit().await?;
        Ok(model.into())
    }

    /// Deletes an endpoint with its delivery log.
    pub async fn delete_webhook_endpoint(&self, caller: &Caller, id: Uuid) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let found = endpoint_for(&txn, caller, id).await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::EndpointId.eq(found.id))
            .exec(&txn)
            .await?;
        webhook_endpoint::Entity::delete_by_id(found.id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Gives an endpoint a new secret, answered this once; the previous one still signs for
    /// [`ROTATION_OVERLAP`], so receivers can switch without losing an event.
    pub async fn rotate_webhook_secret(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WebhookEndpointWithSecret, StoreError> {
        let secrets = self.secrets()?;
        let txn = self.begin_write().await?;
        let found = endpoint_for(&txn, caller, id).await?;
        let current = secrets
            .open(&found.secret, &secret_binding(id, "secret"))
            .map_err(|e| StoreError::invalid("secret", e.to_string()))?;
        let secret = new_secret();
        let mut active = found.into_active_model();
        active.previous_secret = Set(Some(secrets.seal(&current, &secret_binding(id, "previous_secret"))));
        active.previous_secret_expires_at = Set(Some(now + ROTATION_OVERLAP));
        active.secret = Set(secrets.seal(&secret, &secret_binding(id, "secret")));
        active.updated_at = Set(now);
        let model = active.update(&txn).await?;
        txn.commit().await?;
        Ok(WebhookEndpointWithSecret { endpoint: model.into(), secret })
    }

    /// Queues a `webhook.test` event to this endpoint only (enabled ones), for a receiver
    /// to check its signature handling. Answers the delivery.
    pub async fn send_test_webhook(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WebhookDelivery, StoreError> {
        let txn = self.begin_write().await?;
        let found = endpoint_for(&txn, caller, id).await?;
        if !found.enabled {
            return Err(StoreError::refused("enabled", "the endpoint is disabled: enable it first"));
        }
        let data = json!({ "endpoint_id": found.id, "organization_id": found.organization_id });
        let event = insert_event(&txn, found.organization_id, None, TEST_EVENT, data, now).await?;
        let delivery = insert_delivery(&txn, &found, &event, now).await?;
        txn.commit().await?;
        Ok(delivery_record(delivery, event.event_type))
    }

    /// An endpoint's deliveries, newest first, one page at a time.
    pub async fn list_webhook_deliveries(
        &self,
        caller: &Caller,
        endpoint_id: Uuid,
        page: &Page,
    ) -> Result<Paged<WebhookDelivery>, StoreError> {
        let db = self.connection();
        let endpoint = endpoint_for(db, caller, endpoint_id).await?;
        let limit = page.limit()?;
        let mut query = webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(endpoint.id));
        if let Some(after) = page.after()? {
            query = query.filter(webhook_delivery::Column::Id.lt(after));
        }
        let rows = query.order_by_desc(webhook_delivery::Column::Id).limit(u64::from(limit) + 1).all(db).await?;
        let types = event_types_of(db, rows.iter().map(|r| r.event_id).collect()).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let event_type = types.get(&r.event_id).cloned().unwrap_or_default();
                delivery_record(r, event_type)
            })
            .collect();
        Ok(Paged::from_fetched(items, limit, |d: &WebhookDelivery| d.id))
    }

    /// One delivery (anyone who may manage its endpoint).
    pub async fn get_webhook_delivery(&self, caller: &Caller, id: Uuid) -> Result<WebhookDelivery, StoreError> {
        let db = self.connection();
        let row = webhook_delivery::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("delivery"))?;
        endpoint_for(db, caller, row.endpoint_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => StoreError::not_found("delivery"),
            other => other,
        })?;
        let types = event_types_of(db, vec![row.event_id]).await?;
        let event_type = types.get(&row.event_id).cloned().unwrap_or_default();
        Ok(delivery_record(row, event_type))
    }

    /// Queues a delivery again now, with the same `webhook-id` (a failed one, a delivered
    /// one to send it once more, or a pending one sooner); one being sent is refused (409).
    pub async fn retry_webhook_delivery(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WebhookDelivery, StoreError> {
        let txn = self.begin_write().await?;
        let row = webhook_delivery::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::not_found("delivery"))?;
        endpoint_for(&txn, caller, row.endpoint_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => StoreError::not_found("delivery"),
            other => other,
        })?;
        if DeliveryStatus::stored(&row.status) == DeliveryStatus::Sending {
            return Err(StoreError::refused("status", "the delivery is being sent right now"));
        }
        let event_id = row.event_id;
        let mut active = row.into_active_model();
        active.status = Set(DeliveryStatus::Pending.as_str().to_owned());
        active.next_attempt_at = Set(now);
        active.attempts = Set(0);
        active.updated_at = Set(now);
        let row = active.update(&txn).await?;
        let types = event_types_of(&txn, vec![event_id]).await?;
        txn.commit().await?;
        Ok(delivery_record(row, types.get(&event_id).cloned().unwrap_or_default()))
    }
}

async fn event_types_of(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, StoreError> {
    let mut types = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::values::ID_CHUNK) {
        let rows: Vec<(Uuid, String)> = webhook_event::Entity::find()
            .select_only()
            .column(webhook_event::Column::Id)
            .column(webhook_event::Column::EventType)
            .filter(webhook_event::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        types.extend(rows);
    }
    Ok(types)
}

/// The enabled endpoints that receive `event_type` of `organization_id`: the
/// organization's own and the global ones.
async fn subscribers(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    event_type: &str,
) -> Result<Vec<webhook_endpoint::Model>, StoreError> {
    let rows = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .filter(
            Condition::any()
                .add(webhook_endpoint::Column::OrganizationId.eq(organization_id))
                .add(webhook_endpoint::Column::OrganizationId.is_null()),
        )
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|e| {
            let types: Vec<String> = serde_json::from_str(&e.event_types).unwrap_or_default();
            types.is_empty() || types.iter().any(|t| t == event_type)
        })
        .collect())
}

async fn insert_event(
    db: &impl ConnectionTrait,
    organization_id: Option<Uuid>,
    series_id: Option<Uuid>,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> Result<webhook_event::Model, StoreError> {
    let body = json!({
        "type": event_type,
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    });
    let model = webhook_event::Model {
        id: new_id(),
        organization_id,
        event_type: event_type.to_owned(),
        series_id,
        payload: body.to_string(),
        created_at: now,
    };
    Ok(model.into_active_model().insert(db).await?)
}

async fn insert_delivery(
    db: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    event: &webhook_event::Model,
    now: DateTime<Utc>,
) -> Result<webhook_delivery::Model, StoreError> {
    let model = webhook_delivery::Model {
        id: new_id(),
        endpoint_id: endpoint.id,
        event_id: event.id,
        series_id: event.series_id,
        status: DeliveryStatus::Pending.as_str().to_owned(),
        attempts: 0,
        next_attempt_at: now,
        lease_owner: None,
        lease_expires_at: None,
        last_attempt_at: None,
        last_status_code: None,
        last_duration_ms: None,
        last_error: None,
        last_response: None,
        delivered_at: None,
        created_at: now,
        updated_at: now,
    };
    Ok(model.into_active_model().insert(db).await?)
}

/// Writes an event and one delivery per subscribed endpoint, in the caller's transaction.
async fn emit(
    db: &impl ConnectionTrait,
    endpoints: &[webhook_endpoint::Model],
    organization_id: Uuid,
    series_id: Option<Uuid>,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let event = insert_event(db, Some(organization_id), series_id, event_type, data, now).await?;
    for endpoint in endpoints {
        insert_delivery(db, endpoint, &event, now).await?;
    }
    Ok(())
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn session_json(s: &session::Model) -> Value {
    json!({
        "session_id": s.id,
        "index": s.index,
        "starts_at": instant(s.starts_at),
        "ends_at": instant(s.ends_at),
        "status": s.status,
        "late_cancellation": s.late_cancellation,
    })
}

/// Extra fields merged into an event's data.
fn merged(mut data: Value, extra: Value) -> Value {
    if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    data
}

/// The hook of a change of a series (`series.*`): when any enabled endpoint receives
/// `event_type` for the series' organization, an event with the series as it stands in the
/// transaction (ids, times and statuses; its sessions, participants) and `extra` is written
/// with a delivery per endpoint. Costs one statement when no endpoint listens.
pub(crate) async fn emit_series(
    db: &impl ConnectionTrait,
    found: &series::Model,
    event_type: &str,
    extra: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let endpoints = subscribers(db, found.organization_id, event_type).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let series = series::Entity::find_by_id(found.id).one(db).await?.ok_or(StoreError::not_found("series"))?;
    let sessions = session::Entity::find()
        .filter(session::Column::SeriesId.eq(series.id))
        .order_by_asc(session::Column::Index)
        .all(db)
        .await?;
    let participants: Vec<Uuid> = series_participant::Entity::find()
        .select_only()
        .column(series_participant::Column::PersonId)
        .filter(series_participant::Column::SeriesId.eq(series.id))
        .order_by_asc(series_participant::Column::PersonId)
        .into_tuple()
        .all(db)
        .await?;
    let data = json!({
        "series_id": series.id,
        "organization_id": series.organization_id,
        "supervisor_id": series.supervisor_id,
        "team_id": series.team_id,
        "kind": series.kind,
        "status": series.status,
        "timezone": series.timezone,
        "contracted_sessions": series.contracted_sessions,
        "participant_ids": participants,
        "sessions": sessions.iter().map(session_json).collect::<Vec<_>>(),
    });
    emit(db, &endpoints, series.organization_id, Some(series.id), event_type, merged(data, extra), now).await
}

/// The hook of a change of one session (`session.*`): like [`emit_series`], with the
/// session as it stands (times, status, `late_cancellation`) and `extra`.
pub(crate) async fn emit_session(
    db: &impl ConnectionTrait,
    found: &series::Model,
    session_id: Uuid,
    event_type: &str,
    extra: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let endpoints = subscribers(db, found.organization_id, event_type).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let row = session::Entity::find_by_id(session_id).one(db).await?.ok_or(StoreError::not_found("session"))?;
    let data = merged(
        json!({
            "series_id": found.id,
            "organization_id": found.organization_id,
            "supervisor_id": found.supervisor_id,
            "session": session_json(&row),
        }),
        extra,
    );
    emit(db, &endpoints, found.organization_id, Some(found.id), event_type, data, now).await
}

/// The hook of a change whose body the caller builds (`invoice.*`, `poll.decided`): when any
/// enabled endpoint receives `event_type` for `organization_id`, an event with `data` (ids,
/// numbers, dates, statuses and amounts only) and a delivery per endpoint. With `series_id`
/// it is delivered in that series' order (a poll's decision after the `series.booked` of the
/// series it booked); without, ordered by nothing but its time. Costs one statement when no
/// endpoint listens.
pub(crate) async fn emit_organization_event(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    series_id: Option<Uuid>,
    event_type: &str,
    data: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let endpoints = subscribers(db, organization_id, event_type).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    emit(db, &endpoints, organization_id, series_id, event_type, data, now).await
}

/// A session's id, index and times for an event's data (a make-up, say).
pub(crate) fn session_summary(s: &session::Model) -> Value {
    session_json(s)
}
