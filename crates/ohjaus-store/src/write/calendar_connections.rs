//! Connected calendars: a supervisor's or a person's own calendars (an iCalendar subscription
//! URL or a CalDAV collection), read for busy time that every conflict check then sees.
//!
//! The commands: [`Store::connect_calendar`] checks the input (422 with the field list and
//! nothing stored), fetches the calendar once (so a refused address, a 401 or an answer over
//! the size limit is known at once, and again nothing is stored), then writes the connection
//! and its first blocks in one transaction; [`Store::remove_calendar`];
//! [`Store::refresh_calendar`] ("refresh now"); [`Store::list_calendars`]. The worker's side:
//! [`Store::claim_due_calendars`] takes the connections due for a sync, each exactly once per
//! interval across any number of workers (a conditional update of `next_sync_at`, like the
//! cron ticks of `outbox::jobs`), and [`Store::sync_calendar`] fetches one and applies the
//! result: new blocks replace the old ones in one transaction, a 304 leaves them untouched,
//! a failure keeps them and records the error.
//!
//! Fetching happens outside any transaction, through the outgoing client of
//! [`crate::CalendarSettings`] and its address policy. What may be shown (the URL with its
//! secret parts masked, the CalDAV user) is kept in the clear; the URL's secret parts and the
//! CalDAV password are sealed with the store's secrets key, bound to the connection's row,
//! and are never answered or logged. Blocks keep only their interval and a hash of their
//! event's UID.

use crate::access;
use crate::calendar_settings::CalendarSettings;
use crate::entity::{calendar_busy_block as block, calendar_connection as connection, person, supervisor};
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, Utc};
use ohjaus_calendars::http::{FetchError, OutgoingUrl, Validators};
use ohjaus_calendars::read::{AllDayEvents, BusyBlock, ReadOptions};
use ohjaus_calendars::secret_url::{self, UrlSecret};
use ohjaus_calendars::{CalDavCalendar, Credentials, Refreshed};
use ohjaus_core::error::Collector;
use ohjaus_core::{FieldError, Label, TimeZone};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;

/// Blocks inserted per statement (7 parameters each: well under SQLite's limit).
const BLOCK_CHUNK: usize = 1_000;

/// Longest user name or password accepted, in characters.
const MAX_CREDENTIAL_CHARS: usize = 512;

/// Longest URL accepted, in characters.
const MAX_URL_CHARS: usize = 2_048;

/// Whose calendars: a supervisor's or a person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarOwner {
    /// A supervisor.
    Supervisor(Uuid),
    /// A person (a participant).
    Person(Uuid),
}

impl CalendarOwner {
    /// `supervisor` or `person`, as stored.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Supervisor(_) => "supervisor",
            Self::Person(_) => "person",
        }
    }

    /// The supervisor's or the person's id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Supervisor(id) | Self::Person(id) => id,
        }
    }

    /// The owner of the caller's own calendars: a supervisor's or a participant's;
    /// admins and coordinators have none (`Forbidden`).
    pub fn of_caller(caller: &Caller) -> Result<Self, StoreError> {
        match caller {
            Caller::Supervisor { supervisor_id } => Ok(Self::Supervisor(*supervisor_id)),
            Caller::Participant { person_id } => Ok(Self::Person(*person_id)),
            Caller::Admin | Caller::Coordinator { .. } => Err(StoreError::Forbidden),
        }
    }
}

/// How a calendar is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CalendarKind {
    /// An iCalendar subscription URL (`https`, `http` or `webcal`).
    Subscription,
    /// A CalDAV calendar collection with a user name and an (app) password.
    Caldav,
}

impl CalendarKind {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscription => "subscription",
            Self::Caldav => "caldav",
        }
    }

    fn parse_stored(text: &str) -> Self {
        if text == "caldav" { Self::Caldav } else { Self::Subscription }
    }
}

/// How a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// The last sync succeeded.
    Ok,
    /// The last sync failed (see `last_error`); the blocks of the last good one stand.
    Failing,
    /// No successful sync for longer than `calendars.stale_after_hours`: the blocks may be
    /// out of date. Bookings are still checked against them, with a warning.
    Stale,
}

/// A connected calendar as answered: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarConnection {
    /// Id.
    pub id: Uuid,
    /// The owner's name for it.
    pub label: String,
    /// How it is read.
    pub kind: CalendarKind,
    /// The URL with its secret parts masked (`****`).
    pub url: String,
    /// The CalDAV user name.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub user_name: Option<String>,
    /// Whether all-day events block their whole local day.
    pub block_all_day_events: bool,
    /// How it stands.
    pub status: ConnectionStatus,
    /// The last successful sync.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last sync, successful or not.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the last sync failed, when it did (never the URL).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_error: Option<String>,
    /// Busy blocks kept from it, 7 days back to 18 months ahead (by default).
    pub busy_blocks: u64,
    /// When it was connected.
    pub created_at: DateTime<Utc>,
}

/// `POST …/calendars` body.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCalendarConnection {
    /// A name for it ("Työkalenteri").
    #[cfg_attr(feature = "openapi", schema(value_type = ohjaus_core::Label))]
    pub label: String,
    /// `subscription` or `caldav`.
    pub kind: CalendarKind,
    /// The subscription URL (`https://`, `http://` or `webcal://`), or the CalDAV collection.
    /// Never answered back in full: its secret parts are kept encrypted.
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub url: String,
    /// CalDAV only: the user name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 512))]
    pub user_name: Option<String>,
    /// CalDAV only: the (app) password, kept encrypted, never answered.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 512, format = Password))]
    pub password: Option<String>,
    /// Whether all-day events block their whole local day; default true.
    #[serde(default)]
    pub block_all_day_events: Option<bool>,
}

/// Shows neither the URL nor the password.
impl fmt::Debug for NewCalendarConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewCalendarConnection").field("label", &self.label).field("kind", &self.kind).finish()
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The calendar was read anew: its blocks replaced the old ones.
    Read {
        /// Blocks kept.
        blocks: usize,
    },
    /// 304: nothing changed, nothing written.
    NotModified,
    /// The fetch failed: the old blocks stand, the error is recorded.
    Failed {
        /// What went wrong (never the URL).
        error: String,
    },
    /// The connection was removed meanwhile.
    Gone,
}

/// The secret parts, sealed as one JSON text.
#[derive(Default, Serialize, Deserialize)]
struct Secret {
    /// The URL's secret pieces ([`UrlSecret::to_text`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// The CalDAV password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// Where a fetch goes.
enum Target {
    Subscription(OutgoingUrl),
    CalDav(CalDavCalendar),
}

/// What a fetch found.
enum Fetch {
    NotModified,
    Read { blocks: Vec<BusyBlock>, validators: Validators },
}

/// Input checked: what to store in the clear, what to seal, and where to fetch.
struct Checked {
    label: String,
    kind: CalendarKind,
    masked: String,
    secret: Secret,
    user_name: Option<String>,
    target: Target,
    all_day_blocks: bool,
}

/// The seal's binding: a sealed secret opens only in its own row.
fn binding(id: Uuid) -> String {
    format!("calendar-connection:{id}:secret")
}

fn hash_to_stored(hash: u64) -> i64 {
    i64::from_be_bytes(hash.to_be_bytes())
}

fn checked_credential(errors: &mut Collector, field: &str, value: Option<&str>) -> Option<String> {
    match value.map(str::trim) {
        None | Some("") => {
            errors.push(FieldError::new(field, "is required for a CalDAV calendar"));
            None
        }
        Some(text) if text.chars().count() > MAX_CREDENTIAL_CHARS || text.chars().any(char::is_control) => {
            errors.push(FieldError::new(
                field,
                format!("must be at most {MAX_CREDENTIAL_CHARS} characters without control characters"),
            ));
            None
        }
        Some(text) => Some(text.to_owned()),
    }
}

fn check(new: &NewCalendarConnection) -> Result<Checked, StoreError> {
    let mut errors = Collector::default();
    let label = errors.take(Label::parse("label", &new.label));
    let url = if new.url.chars().count() > MAX_URL_CHARS {
        errors.push(FieldError::new("url", format!("must be at most {MAX_URL_CHARS} characters")));
        None
    } else {
        errors.take(OutgoingUrl::parse(&new.url).map_err(|e| FieldError::new("url", e.to_string())))
    };
    let (user_name, password) = match new.kind {
        CalendarKind::Caldav => (
            checked_credential(&mut errors, "user_name", new.user_name.as_deref()),
            checked_credential(&mut errors, "password", new.password.as_deref()),
        ),
        CalendarKind::Subscription => {
            if new.user_name.is_some() {
                errors.push(FieldError::new("user_name", "is only for a CalDAV calendar"));
            }
            if new.password.is_some() {
                errors.push(FieldError::new("password", "is only for a CalDAV calendar"));
            }
            (None, None)
        }
    };
    errors.finish()?;
    let (Some(label), Some(url)) = (label, url) else {
        return Err(StoreError::invalid("url", "could not be read"));
    };
    let split = secret_url::split(url.as_url());
    let secret = Secret { url: (!split.secret.is_empty()).then(|| split.secret.to_text()), password: password.clone() };
    let target = match (new.kind, user_name.clone(), password) {
        (CalendarKind::Caldav, Some(user), Some(password)) => {
            Target::CalDav(CalDavCalendar { url, credentials: Credentials { user, password } })
        }
        _ => Target::Subscription(url),
    };
    Ok(Checked {
        label: label.as_str().to_owned(),
        kind: new.kind,
        masked: split.masked,
        secret,
        user_name,
        target,
        all_day_blocks: new.block_all_day_events.unwrap_or(true),
    })
}

/// A fetch's refusal as the caller's mistake: the field it concerns and what went wrong.
fn refusal(kind: CalendarKind, error: &FetchError) -> StoreError {
    let field = match (kind, error) {
        (CalendarKind::Caldav, FetchError::Unauthorized) => "password",
        _ => "url",
    };
    StoreError::invalid(field, format!("the calendar could not be read: {error}"))
}

fn read_options(settings: &CalendarSettings, now: DateTime<Utc>, zone: TimeZone, all_day_blocks: bool) -> ReadOptions {
    let mut options = ReadOptions::new(settings.horizon(now), zone);
    options.all_day = if all_day_blocks { AllDayEvents::Block } else { AllDayEvents::Ignore };
    options
}

async fn fetch(
    settings: &CalendarSettings,
    target: &Target,
    validators: &Validators,
    options: &ReadOptions,
) -> Result<Fetch, FetchError> {
    match target {
        Target::Subscription(url) => match ohjaus_calendars::refresh(&settings.client, url, validators, options).await?
        {
            Refreshed::NotModified => Ok(Fetch::NotModified),
            Refreshed::Read { calendar, validators } => Ok(Fetch::Read { blocks: calendar.blocks, validators }),
        },
        Target::CalDav(calendar) => {
            let read = ohjaus_calendars::caldav::read_calendar(&settings.client, calendar, options).await?;
            Ok(Fetch::Read { blocks: read.blocks, validators: Validators::default() })
        }
    }
}

/// The connection as answered at `now`.
fn view(
    row: connection::Model,
    busy_blocks: u64,
    now: DateTime<Utc>,
    settings: &CalendarSettings,
) -> CalendarConnection {
    let synced = row.last_success_at.unwrap_or(row.created_at);
    let status = if now - synced > settings.stale_after {
        ConnectionStatus::Stale
    } else if row.last_error.is_some() {
        ConnectionStatus::Failing
    } else {
        ConnectionStatus::Ok
    };
    CalendarConnection {
        id: row.id,
        label: row.label,
        kind: CalendarKind::parse_stored(&row.kind),
        url: row.url_shown,
        user_name: row.user_name,
        block_all_day_events: row.all_day_blocks,
        status,
        last_success_at: row.last_success_at,
        last_attempt_at: row.last_attempt_at,
        last_error: row.last_error,
        busy_blocks,
        created_at: row.created_at,
    }
}

/// Replaces the blocks of connection `id` (owned by `owner_kind`/`owner_id`) with `blocks`.
async fn replace_blocks<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    owner_kind: &str,
    owner_id: Uuid,
    mut blocks: Vec<BusyBlock>,
) -> Result<(), StoreError> {
    block::Entity::delete_many().filter(block::Column::ConnectionId.eq(id)).exec(db).await?;
    blocks.sort();
    blocks.dedup();
    for chunk in blocks.chunks(BLOCK_CHUNK) {
        let rows = chunk.iter().map(|b| block::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            connection_id: sea_orm::ActiveValue::Set(id),
            owner_kind: sea_orm::ActiveValue::Set(owner_kind.to_owned()),
            owner_id: sea_orm::ActiveValue::Set(owner_id),
            starts_at: sea_orm::ActiveValue::Set(b.starts_at),
            ends_at: sea_orm::ActiveValue::Set(b.ends_at),
            uid_hash: sea_orm::ActiveValue::Set(hash_to_stored(b.uid_hash)),
        });
        block::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

impl Store {
    /// The owner's zone (floating times and all-day events of their calendars), after the
    /// caller's right to keep the owner's calendars is checked.
    async fn calendar_owner_zone(&self, caller: &Caller, owner: CalendarOwner) -> Result<TimeZone, StoreError> {
        let db = self.connection();
        match owner {
            CalendarOwner::Supervisor(id) => {
                let row = supervisor::Entity::find_by_id(id).one(db).await?;
                access::keeps_calendars_of(caller, owner.kind(), id, row.is_some())?;
                Ok(row.map(|s| crate::values::zone(&s.timezone)).unwrap_or_default())
            }
            CalendarOwner::Person(id) => {
                let found = person::Entity::find_by_id(id).one(db).await?.is_some();
                access::keeps_calendars_of(caller, owner.kind(), id, found)?;
                Ok(TimeZone::default())
            }
        }
    }

    /// The zone of the owner of `row`, for a sync without a caller.
    async fn zone_of(&self, row: &connection::Model) -> Result<TimeZone, StoreError> {
        if row.owner_kind == "supervisor" {
            let found = supervisor::Entity::find_by_id(row.owner_id).one(self.connection()).await?;
            return Ok(found.map(|s| crate::values::zone(&s.timezone)).unwrap_or_default());
        }
        Ok(TimeZone::default())
    }

    /// Connects a calendar of `owner` (admin, or the owner themself): checks the input,
    /// fetches the calendar once, and keeps the connection with its first busy blocks. Bad
    /// input, an address the policy refuses, a server that refuses the credentials or
    /// answers too much are `Invalid` (422) with nothing stored.
    pub async fn connect_calendar(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        new: &NewCalendarConnection,
        now: DateTime<Utc>,
    ) -> Result<CalendarConnection, StoreError> {
        let zone = self.calendar_owner_zone(caller, owner).await?;
        let checked = check(new)?;
        let id = new_id();
        let secret_sealed = if checked.secret.url.is_none() && checked.secret.password.is_none() {
            None
        } else {
            let text = serde_json::to_string(&checked.secret)
                .map_err(|e| StoreError::Database(sea_orm::DbErr::Json(e.to_string())))?;
            Some(self.secrets()?.seal(&text, &binding(id)))
        };
        let settings = self.calendars();
        let options = read_options(&settings, now, zone, checked.all_day_blocks);
        let (blocks, validators) = match fetch(&settings, &checked.target, &Validators::default(), &options).await {
            Ok(Fetch::Read { blocks, validators }) => (blocks, validators),
            Ok(Fetch::NotModified) => (Vec::new(), Validators::default()),
            Err(error) => return Err(refusal(checked.kind, &error)),
        };
        let count = blocks.len() as u64;
        let row = connection::Model {
            id,
            owner_kind: owner.kind().to_owned(),
            owner_id: owner.id(),
            label: checked.label,
            kind: checked.kind.as_str().to_owned(),
            url_shown: checked.masked,
            user_name: checked.user_name,
            secret_sealed,
            all_day_blocks: checked.all_day_blocks,
            etag: validators.etag,
            last_modified: validators.last_modified,
            last_attempt_at: Some(now),
            last_success_at: Some(now),
            last_error: None,
            next_sync_at: now + settings.sync_interval,
            created_at: now,
        };
        let txn = self.begin_write().await?;
        let row = row.into_active_model().insert(&txn).await?;
        replace_blocks(&txn, id, owner.kind(), owner.id(), blocks).await?;
        txn.commit().await?;
        tracing::info!(calendar = %id, owner = owner.kind(), blocks = count, "calendar connected");
        Ok(view(row, count, now, &settings))
    }

    /// The connected calendars of `owner` (admin, or the owner themself), oldest first.
    pub async fn list_calendars(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        now: DateTime<Utc>,
    ) -> Result<Vec<CalendarConnection>, StoreError> {
        self.calendar_owner_zone(caller, owner).await?;
        let db = self.connection();
        let rows = connection::Entity::find()
            .filter(connection::Column::OwnerKind.eq(owner.kind()))
            .filter(connection::Column::OwnerId.eq(owner.id()))
            .order_by_asc(connection::Column::Id)
            .all(db)
            .await?;
        let counts: HashMap<Uuid, i64> = block::Entity::find()
            .select_only()
            .column(block::Column::ConnectionId)
            .column_as(Expr::col(block::Column::Id).count(), "n")
            .filter(block::Column::OwnerKind.eq(owner.kind()))
            .filter(block::Column::OwnerId.eq(owner.id()))
            .group_by(block::Column::ConnectionId)
            .into_tuple::<(Uuid, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let settings = self.calendars();
        Ok(rows
            .into_iter()
            .map(|row| {
                let count = u64::try_from(counts.get(&row.id).copied().unwrap_or(0)).unwrap_or(0);
                view(row, count, now, &settings)
            })
            .collect())
    }

    /// One connected calendar of `owner` (admin, or the owner themself).
    pub async fn get_calendar(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        calendar_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CalendarConnection, StoreError> {
        self.list_calendars(caller, owner, now)
            .await?
            .into_iter()
            .find(|c| c.id == calendar_id)
            .ok_or(StoreError::not_found("calendar"))
    }

    async fn owned_calendar(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        calendar_id: Uuid,
    ) -> Result<connection::Model, StoreError> {
        self.calendar_owner_zone(caller, owner).await?;
        connection::Entity::find_by_id(calendar_id)
            .filter(connection::Column::OwnerKind.eq(owner.kind()))
            .filter(connection::Column::OwnerId.eq(owner.id()))
            .one(self.connection())
            .await?
            .ok_or(StoreError::not_found("calendar"))
    }

    /// Removes a connected calendar and its busy blocks (admin, or the owner themself).
    pub async fn remove_calendar(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        calendar_id: Uuid,
    ) -> Result<(), StoreError> {
        self.owned_calendar(caller, owner, calendar_id).await?;
        let txn = self.begin_write().await?;
        block::Entity::delete_many().filter(block::Column::ConnectionId.eq(calendar_id)).exec(&txn).await?;
        connection::Entity::delete_by_id(calendar_id).exec(&txn).await?;
        txn.commit().await?;
        tracing::info!(calendar = %calendar_id, "calendar removed");
        Ok(())
    }

    /// Syncs a connected calendar now (admin, or the owner themself) and answers how it
    /// stands: a failure is recorded and shown in `last_error`, the old blocks kept.
    pub async fn refresh_calendar(
        &self,
        caller: &Caller,
        owner: CalendarOwner,
        calendar_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CalendarConnection, StoreError> {
        let row = self.owned_calendar(caller, owner, calendar_id).await?;
        self.sync_row(row, now).await?;
        self.get_calendar(caller, owner, calendar_id, now).await
    }

    /// The connections due for a sync at `now` (at most `limit`), each claimed for this
    /// caller: its `next_sync_at` moved one interval past `now`, conditional on the value
    /// read, so of any number of workers asking at once exactly one gets each connection.
    pub async fn claim_due_calendars(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<Uuid>, StoreError> {
        let db = self.connection();
        let interval = self.calendars().sync_interval;
        let due: Vec<(Uuid, DateTime<Utc>)> = connection::Entity::find()
            .select_only()
            .columns([connection::Column::Id, connection::Column::NextSyncAt])
            .filter(connection::Column::NextSyncAt.lte(now))
            .order_by_asc(connection::Column::NextSyncAt)
            .limit(limit)
            .into_tuple()
            .all(db)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for (id, next_sync_at) in due {
            // Under PostgreSQL's READ COMMITTED a second updater waits for the first and then
            // re-checks the condition on the new row, so it matches nothing; SQLite runs one
            // writer at a time.
            let result = connection::Entity::update_many()
                .col_expr(connection::Column::NextSyncAt, Expr::value(now + interval))
                .filter(connection::Column::Id.eq(id))
                .filter(connection::Column::NextSyncAt.eq(next_sync_at))
                .exec(db)
                .await?;
            if result.rows_affected == 1 {
                claimed.push(id);
            }
        }
        Ok(claimed)
    }

    /// Syncs connection `calendar_id` (the worker's part, after claiming it).
    pub async fn sync_calendar(&self, calendar_id: Uuid, now: DateTime<Utc>) -> Result<SyncOutcome, StoreError> {
        match connection::Entity::find_by_id(calendar_id).one(self.connection()).await? {
            Some(row) => self.sync_row(row, now).await,
            None => Ok(SyncOutcome::Gone),
        }
    }

    /// Fetches `row`'s calendar and applies what came back.
    async fn sync_row(&self, row: connection::Model, now: DateTime<Utc>) -> Result<SyncOutcome, StoreError> {
        let settings = self.calendars();
        let zone = self.zone_of(&row).await?;
        let options = read_options(&settings, now, zone, row.all_day_blocks);
        let validators = Validators { etag: row.etag.clone(), last_modified: row.last_modified.clone() };
        let fetched = match self.target_of(&row) {
            Ok(target) => fetch(&settings, &target, &validators, &options).await.map_err(|e| e.to_string()),
            Err(error) => Err(error),
        };
        let outcome = match fetched {
            Ok(Fetch::NotModified) => SyncOutcome::NotModified,
            Ok(Fetch::Read { blocks, validators }) => {
                let count = blocks.len();
                self.apply_read(&row, blocks, validators, now).await?;
                SyncOutcome::Read { blocks: count }
            }
            Err(error) => SyncOutcome::Failed { error },
        };
        // The connection's own status; the blocks were written above, or not at all.
        let (success, error) = match &outcome {
            SyncOutcome::Read { .. } | SyncOutcome::NotModified => (Some(now), None),
            SyncOutcome::Failed { error } => (row.last_success_at, Some(error.clone())),
            SyncOutcome::Gone => return Ok(outcome),
        };
        if matches!(outcome, SyncOutcome::NotModified | SyncOutcome::Failed { .. }) {
            connection::Entity::update_many()
                .col_expr(connection::Column::LastAttemptAt, Expr::value(Some(now)))
                .col_expr(connection::Column::LastSuccessAt, Expr::value(success))
                .col_expr(connection::Column::LastError, Expr::value(error.clone()))
                .filter(connection::Column::Id.eq(row.id))
                .exec(self.connection())
                .await?;
        }
        match &outcome {
            SyncOutcome::Failed { error } => tracing::warn!(calendar = %row.id, %error, "calendar sync failed"),
            other => tracing::debug!(calendar = %row.id, outcome = ?other, "calendar synced"),
        }
        Ok(outcome)
    }

    /// New blocks replace the old ones, with the new validators, in one transaction.
    async fn apply_read(
        &self,
        row: &connection::Model,
        blocks: Vec<BusyBlock>,
        validators: Validators,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let updated = connection::Entity::update_many()
            .col_expr(connection::Column::Etag, Expr::value(validators.etag))
            .col_expr(connection::Column::LastModified, Expr::value(validators.last_modified))
            .col_expr(connection::Column::LastAttemptAt, Expr::value(Some(now)))
            .col_expr(connection::Column::LastSuccessAt, Expr::value(Some(now)))
            .col_expr(connection::Column::LastError, Expr::value(None::<String>))
            .filter(connection::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 1 {
            replace_blocks(&txn, row.id, &row.owner_kind, row.owner_id, blocks).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Where `row` is fetched from, its secret opened.
    fn target_of(&self, row: &connection::Model) -> Result<Target, String> {
        let secret: Secret = match &row.secret_sealed {
            None => Secret::default(),
            Some(sealed) => {
                let key = self.secrets().map_err(|_| "no secrets key is configured".to_owned())?;
                let text = key.open(sealed, &binding(row.id)).map_err(|e| e.to_string())?;
                serde_json::from_str(&text).map_err(|_| "the kept secret could not be read".to_owned())?
            }
        };
        let url = match secret.url.as_deref().map(UrlSecret::from_text) {
            None => OutgoingUrl::parse(&row.url_shown).map_err(|e| e.to_string())?,
            Some(Some(pieces)) => {
                let joined = pieces.join(&row.url_shown).ok_or_else(|| "the kept address does not fit".to_owned())?;
                OutgoingUrl::parse(joined.as_str()).map_err(|e| e.to_string())?
            }
            Some(None) => return Err("the kept secret could not be read".to_owned()),
        };
        Ok(match (CalendarKind::parse_stored(&row.kind), &row.user_name, secret.password) {
            (CalendarKind::Caldav, Some(user), Some(password)) => {
                Target::CalDav(CalDavCalendar { url, credentials: Credentials { user: user.clone(), password } })
            }
            _ => Target::Subscription(url),
        })
    }
}

/// The busy blocks of the `owner_kind` owners `owner_ids` overlapping `[from, until)`, each
/// with its owner: what [`super::agendas`] adds to the sessions of a conflict check.
pub(crate) async fn busy_blocks_of<C: ConnectionTrait>(
    db: &C,
    owner_kind: &str,
    owner_ids: &[Uuid],
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(Uuid, ohjaus_core::Busy)>, StoreError> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for chunk in owner_ids.chunks(crate::values::ID_CHUNK) {
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = block::Entity::find()
            .select_only()
            .columns([
                block::Column::OwnerId,
                block::Column::ConnectionId,
                block::Column::StartsAt,
                block::Column::EndsAt,
            ])
            .filter(block::Column::OwnerKind.eq(owner_kind))
            .filter(block::Column::OwnerId.is_in(chunk.to_vec()))
            .filter(block::Column::StartsAt.lt(until))
            .filter(block::Column::EndsAt.gt(from))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|(owner, calendar, starts_at, ends_at)| {
            (owner, ohjaus_core::Busy::external(starts_at, ends_at, calendar))
        }));
    }
    Ok(found)
}

/// A connection of the parties of a change whose last successful sync is older than
/// `stale_after`: named as a warning in a preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleCalendar {
    /// `supervisor` or `person`.
    pub owner_kind: String,
    /// Whose.
    pub owner_id: Uuid,
    /// The last successful sync, if any.
    pub last_success_at: Option<DateTime<Utc>>,
}

/// The stale connections of supervisor `supervisor_id` and people `person_ids` at `now`.
pub(crate) async fn stale_calendars<C: ConnectionTrait>(
    db: &C,
    supervisor_id: Uuid,
    person_ids: &[Uuid],
    now: DateTime<Utc>,
    stale_after: chrono::TimeDelta,
) -> Result<Vec<StaleCalendar>, StoreError> {
    let limit = now - stale_after;
    let stale = connection::Column::LastSuccessAt
        .lt(limit)
        .or(connection::Column::LastSuccessAt.is_null().and(connection::Column::CreatedAt.lt(limit)));
    let mut owners = connection::Column::OwnerKind.eq("supervisor").and(connection::Column::OwnerId.eq(supervisor_id));
    if !person_ids.is_empty() {
        owners = owners.or(connection::Column::OwnerKind
            .eq("person")
            .and(connection::Column::OwnerId.is_in(person_ids.iter().take(crate::values::ID_CHUNK).copied())));
    }
    let rows =
        connection::Entity::find().filter(owners).filter(stale).order_by_asc(connection::Column::Id).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| StaleCalendar { owner_kind: r.owner_kind, owner_id: r.owner_id, last_success_at: r.last_success_at })
        .collect())
}

impl Store {
    /// The stale connections of a change's parties (see [`stale_calendars`]).
    pub async fn stale_calendars_of(
        &self,
        supervisor_id: Uuid,
        person_ids: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<Vec<StaleCalendar>, StoreError> {
        let stale_after = self.calendars().stale_after;
        stale_calendars(self.connection(), supervisor_id, person_ids, now, stale_after).await
    }

    /// A preview's warnings of the parties' stale calendars, one per owner (the oldest sync
    /// named), the supervisor first.
    pub(crate) async fn stale_calendar_warnings(
        &self,
        supervisor: &supervisor::Model,
        person_ids: &[Uuid],
        now: DateTime<Utc>,
        zone: TimeZone,
    ) -> Result<Vec<ohjaus_core::PreviewWarning>, StoreError> {
        let stale = self.stale_calendars_of(supervisor.id, person_ids, now).await?;
        if stale.is_empty() {
            return Ok(Vec::new());
        }
        // The oldest sync per owner (never synced counts as oldest).
        let mut oldest: Vec<(String, Uuid, Option<DateTime<Utc>>)> = Vec::new();
        for calendar in stale {
            match oldest.iter_mut().find(|(k, id, _)| *k == calendar.owner_kind && *id == calendar.owner_id) {
                Some(entry) => entry.2 = std::cmp::Ord::min(entry.2, calendar.last_success_at),
                None => oldest.push((calendar.owner_kind, calendar.owner_id, calendar.last_success_at)),
            }
        }
        let person_names: HashMap<Uuid, String> = person::Entity::find()
            .filter(person::Column::Id.is_in(oldest.iter().filter(|(k, _, _)| k == "person").map(|(_, id, _)| *id)))
            .all(self.connection())
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        oldest.sort_by_key(|(kind, id, _)| (kind != "supervisor", *id));
        Ok(oldest
            .into_iter()
            .map(|(kind, id, last)| {
                if kind == "supervisor" {
                    ohjaus_core::PreviewWarning::stale_calendar(&supervisor.name, Some(id), None, last, now, zone)
                } else {
                    let name = person_names.get(&id).map_or("A participant", String::as_str);
                    ohjaus_core::PreviewWarning::stale_calendar(name, None, Some(id), last, now, zone)
                }
            })
            .collect())
    }
}
