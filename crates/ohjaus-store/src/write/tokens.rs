//! Secrets that stand for someone: API tokens (bearer tokens of the HTTP API, one role and
//! scope each) and calendar-feed tokens (the private link of a person's or a supervisor's
//! subscription feed).
//!
//! A secret is 32 bytes from the operating system's random source, shown once as
//! `ohj_<base64url>` (API) or `ohjcal_<base64url>` (feed) and stored only as the SHA-256 hex
//! of that text: a copy of the database gives nobody a working token. A presented secret is
//! hashed and looked up through the unique index on the hash. Comparing hashes in the database
//! is not a timing oracle for the secret: an attacker could at best learn a prefix of a hash,
//! which does not help to find a preimage.

use crate::entity::{api_token, calendar_token, organization, person, supervisor};
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::Label;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// What every API token's text begins with, so a leaked one is recognizable (secret scanners).
pub const API_TOKEN_PREFIX: &str = "ohj_";
/// What every calendar-feed token's text begins with.
pub const CALENDAR_TOKEN_PREFIX: &str = "ohjcal_";
/// Random bytes in a secret.
const SECRET_BYTES: usize = 32;
/// Longest text worth hashing: a real secret is a prefix and 43 characters.
const MAX_SECRET_CHARS: usize = 120;
/// `last_used_at` is refreshed at most this often, so that authenticating a request is a read
/// (a write per request would serialize every request on SQLite).
const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(5);

/// A freshly made secret (an API or calendar-feed token, a sign-in link, a browser
/// session's cookie). It is shown once and never stored; `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The text to hand to its holder.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A new secret with `prefix`: 32 bytes from the OS random source, base64url.
    pub(crate) fn generate(prefix: &str) -> Result<Self, StoreError> {
        let mut bytes = [0_u8; SECRET_BYTES];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| StoreError::Database(DbErr::Custom(format!("the OS random source failed: {e}"))))?;
        Ok(Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Whether `secret` could be one made with `prefix`: anything else is not looked up.
pub(crate) fn plausible(secret: &str, prefix: &str) -> bool {
    secret.len() <= MAX_SECRET_CHARS && secret.starts_with(prefix)
}

/// The SHA-256 of `secret` in lower-case hex: what the database keeps.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The role an API token gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiRole {
    /// Everything.
    Admin,
    /// One organization.
    Coordinator,
    /// One supervisor's series.
    Supervisor,
    /// One person's sessions.
    Participant,
}

impl ApiRole {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Coordinator => "coordinator",
            Self::Supervisor => "supervisor",
            Self::Participant => "participant",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Admin, Self::Coordinator, Self::Supervisor, Self::Participant].into_iter().find(|r| r.as_str() == value)
    }

    /// The role and subject (organization, supervisor or person id) of `caller`.
    pub fn of(caller: &Caller) -> (Self, Option<Uuid>) {
        match *caller {
            Caller::Admin => (Self::Admin, None),
            Caller::Coordinator { organization_id } => (Self::Coordinator, Some(organization_id)),
            Caller::Supervisor { supervisor_id } => (Self::Supervisor, Some(supervisor_id)),
            Caller::Participant { person_id } => (Self::Participant, Some(person_id)),
        }
    }

    /// The caller a token of this role and subject speaks for; `None` when a role that needs
    /// a subject has none (a row no code of ours writes).
    pub fn caller(self, subject_id: Option<Uuid>) -> Option<Caller> {
        match (self, subject_id) {
            (Self::Admin, _) => Some(Caller::Admin),
            (Self::Coordinator, Some(organization_id)) => Some(Caller::Coordinator { organization_id }),
            (Self::Supervisor, Some(supervisor_id)) => Some(Caller::Supervisor { supervisor_id }),
            (Self::Participant, Some(person_id)) => Some(Caller::Participant { person_id }),
            _ => None,
        }
    }
}

/// An API token as listed: everything but the secret, which is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// The token's id (for revoking it).
    pub id: Uuid,
    /// Its role.
    pub role: ApiRole,
    /// The organization (coordinator), supervisor or person (participant) it speaks for.
    pub subject_id: Option<Uuid>,
    /// What it is for, as given when it was made.
    pub label: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked token authenticates nobody.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last used, to about five minutes.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    fn from_row(row: api_token::Model) -> Result<Self, StoreError> {
        let role = ApiRole::parse(&row.role)
            .ok_or_else(|| StoreError::Database(DbErr::Custom(format!("unknown token role {:?}", row.role))))?;
        Ok(Self {
            id: row.id,
            role,
            subject_id: row.subject_id,
            label: row.label,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        })
    }
}

/// A token just made: its record and the secret, to be shown once.
#[derive(Debug, Clone)]
pub struct CreatedApiToken {
    /// The record.
    pub token: ApiToken,
    /// The secret (`ohj_…`); not stored anywhere.
    pub secret: Secret,
}

/// Whose calendar a feed token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum FeedOwner {
    /// A person: the sessions they are invited to.
    Person(Uuid),
    /// A supervisor: the sessions they supervise.
    Supervisor(Uuid),
}

impl FeedOwner {
    fn kind(self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Supervisor(_) => "supervisor",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Self::Person(id) | Self::Supervisor(id) => id,
        }
    }

    fn from_row(row: &calendar_token::Model) -> Option<Self> {
        match row.owner_kind.as_str() {
            "person" => Some(Self::Person(row.owner_id)),
            "supervisor" => Some(Self::Supervisor(row.owner_id)),
            _ => None,
        }
    }

    /// The feed owner a caller is: a participant or a supervisor. Admins and coordinators
    /// have no calendar of their own.
    pub fn of(caller: &Caller) -> Option<Self> {
        match *caller {
            Caller::Participant { person_id } => Some(Self::Person(person_id)),
            Caller::Supervisor { supervisor_id } => Some(Self::Supervisor(supervisor_id)),
            Caller::Admin | Caller::Coordinator { .. } => None,
        }
    }
}

/// A calendar-feed token just made.
#[derive(Debug, Clone)]
pub struct CreatedCalendarToken {
    /// The token's id.
    pub id: Uuid,
    /// Whose feed it opens.
    pub owner: FeedOwner,
    /// The secret (`ohjcal_…`), the last part of the feed's URL; not stored anywhere.
    pub secret: Secret,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl CreatedCalendarToken {
    /// The feed's private address under `public_url`, the service's base URL (with or without
    /// a trailing slash): `{public_url}/calendar/{secret}.ics`. The one place the address is
    /// made, for the API's answer and the pages' link alike.
    pub fn feed_url(&self, public_url: &str) -> String {
        format!("{}/calendar/{}.ics", public_url.trim_end_matches('/'), self.secret.expose())
    }
}

impl Store {
    /// Makes an API token that speaks for `grants` (admin; a coordinator of an organization; a
    /// supervisor; a person as participant), labelled `label`. Only an admin may (the CLI acts
    /// as one). The organization, supervisor or person must exist (`NotFound` otherwise). The
    /// secret is in the answer and nowhere else.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        grants: Caller,
        label: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CreatedApiToken, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let label = label.map(|l| Label::parse("label", l)).transpose()?;
        let db = self.connection();
        match grants {
            Caller::Admin => {}
            Caller::Coordinator { organization_id } => {
                organization::Entity::find_by_id(organization_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("organization"))?;
            }
            Caller::Supervisor { supervisor_id } => {
                supervisor::Entity::find_by_id(supervisor_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
            }
            Caller::Participant { person_id } => {
                person::Entity::find_by_id(person_id).one(db).await?.ok_or(StoreError::not_found("person"))?;
            }
        }
        let secret = Secret::generate(API_TOKEN_PREFIX)?;
        let (role, subject_id) = ApiRole::of(&grants);
        let row = api_token::ActiveModel {
            id: Set(new_id()),
            token_hash: Set(secret_hash(secret.expose())),
            role: Set(role.as_str().to_owned()),
            subject_id: Set(subject_id),
            label: Set(label.map(|l| l.as_str().to_owned())),
            created_at: Set(now),
            revoked_at: Set(None),
            last_used_at: Set(None),
        }
        .insert(db)
        .await?;
        Ok(CreatedApiToken { token: ApiToken::from_row(row)?, secret })
    }

    /// The caller a presented API token speaks for; `None` when the token is unknown or
    /// revoked (the API answers 401). Refreshes the token's `last_used_at` at most every five
    /// minutes, so that most requests only read.
    pub async fn authenticate(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<Caller>, StoreError> {
        if !plausible(secret, API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let db = self.connection();
        let Some(row) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(secret_hash(secret)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let Some(caller) = ApiRole::parse(&row.role).and_then(|role| role.caller(row.subject_id)) else {
            return Ok(None);
        };
        if row.last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION) {
            // Conditional, so that of many concurrent requests at most one writes.
            api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .filter(api_token::Column::Id.eq(row.id))
                .filter(
                    Condition::any()
                        .add(api_token::Column::LastUsedAt.is_null())
                        .add(api_token::Column::LastUsedAt.lt(now - LAST_USED_RESOLUTION)),
                )
                .exec(db)
                .await?;
        }
        Ok(Some(caller))
    }

    /// Revokes API token `id` (admin only). Revoking a revoked token keeps its first
    /// revocation time.
    pub async fn revoke_api_token(
        &self,
        caller: &Caller,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<ApiToken, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let db = self.connection();
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(db)
            .await?;
        let row = api_token::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("token"))?;
        ApiToken::from_row(row)
    }

    /// Every API token, oldest first, without secrets (admin only).
    pub async fn list_api_tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>, StoreError> {
        if !caller.is_admin() {
            return Err(StoreError::Forbidden);
        }
        api_token::Entity::find()
            .order_by_asc(api_token::Column::CreatedAt)
            .order_by_asc(api_token::Column::Id)
            .all(self.connection())
            .await?
            .into_iter()
            .map(ApiToken::from_row)
            .collect()
    }

    /// Makes a calendar-feed token for the caller (a participant or a supervisor; admins and
    /// coordinators have no calendar: `Forbidden`). The caller's earlier feed tokens are
    /// revoked in the same transaction, so a leaked link is replaced by asking for a new one.
    pub async fn create_calendar_token(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<CreatedCalendarToken, StoreError> {
        let owner = FeedOwner::of(caller).ok_or(StoreError::Forbidden)?;
        let secret = Secret::generate(CALENDAR_TOKEN_PREFIX)?;
        let id = new_id();
        let txn = self.begin_write().await?;
        // The owner's row, locked: two requests at once leave one token in force, not two.
        match owner {
            FeedOwner::Person(id) => {
                person::Entity::find_by_id(id)
                    .lock_exclusive()
                    .one(&txn)
                    .await?
                    .ok_or(StoreError::not_found("person"))?;
            }
            FeedOwner::Supervisor(id) => {
                supervisor::Entity::find_by_id(id)
                    .lock_exclusive()
                    .one(&txn)
                    .await?
                    .ok_or(StoreError::not_found("supervisor"))?;
            }
        }
        revoke_feed_tokens_of(&txn, owner, now).await?;
        calendar_token::ActiveModel {
            id: Set(id),
            token_hash: Set(secret_hash(secret.expose())),
            owner_kind: Set(owner.kind().to_owned()),
            owner_id: Set(owner.id()),
            created_at: Set(now),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(CreatedCalendarToken { id, owner, secret, created_at: now })
    }

    /// Revokes the caller's calendar-feed tokens (a participant or a supervisor): the feed
    /// link stops working. Returns how many were in force.
    pub async fn revoke_calendar_tokens(&self, caller: &Caller, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let owner = FeedOwner::of(caller).ok_or(StoreError::Forbidden)?;
        revoke_feed_tokens_of(self.connection(), owner, now).await
    }

    /// Whose feed a presented calendar token opens; `None` when it is unknown or revoked.
    pub async fn resolve_calendar_token(&self, secret: &str) -> Result<Option<FeedOwner>, StoreError> {
        if !plausible(secret, CALENDAR_TOKEN_PREFIX) {
            return Ok(None);
        }
        let row = calendar_token::Entity::find()
            .filter(calendar_token::Column::TokenHash.eq(secret_hash(secret)))
            .filter(calendar_token::Column::RevokedAt.is_null())
            .one(self.connection())
            .await?;
        Ok(row.as_ref().and_then(FeedOwner::from_row))
    }
}

/// Revokes every feed token in force of `owner`.
async fn revoke_feed_tokens_of(
    db: &impl sea_orm::ConnectionTrait,
    owner: FeedOwner,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let result = calendar_token::Entity::update_many()
        .col_expr(calendar_token::Column::RevokedAt, Expr::value(now))
        .filter(calendar_token::Column::OwnerKind.eq(owner.kind()))
        .filter(calendar_token::Column::OwnerId.eq(owner.id()))
        .filter(calendar_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_hashed() {
        let a = Secret::generate(API_TOKEN_PREFIX).unwrap();
        let b = Secret::generate(API_TOKEN_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.expose().starts_with("ohj_"));
        assert_eq!(a.expose().len(), 4 + 43, "32 bytes in unpadded base64url");
        assert!(a.expose()[4..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(format!("{a:?}"), "Secret(…)");
        assert_eq!(secret_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn roles_round_trip() {
        let org = new_id();
        for caller in
            [Caller::Admin, Caller::Coordinator { organization_id: org }, Caller::Participant { person_id: org }]
        {
            let (role, subject) = ApiRole::of(&caller);
            assert_eq!(ApiRole::parse(role.as_str()), Some(role));
            assert_eq!(role.caller(subject), Some(caller));
        }
        assert_eq!(ApiRole::Supervisor.caller(None), None);
    }
}
