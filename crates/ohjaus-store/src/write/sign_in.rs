//! Signing in to the web pages: one-time links sent by email, the browser sessions they open,
//! and the people who coordinate their organization.
//!
//! - A *sign-in link* is asked for with an email address. Every person and supervisor with
//!   that address gets their own link (an address may belong to a supervisor and to people of
//!   several organizations), queued in the outbox as a core `Notice::SignInLink` in the same
//!   transaction as the link's row. The asker is never told whether the address is known.
//!   A link works once, until it expires; redeeming it is one conditional update, so two
//!   concurrent redemptions cannot both succeed.
//! - A *web session* is opened by redeeming a link. Its secret lives only in the browser's
//!   cookie; the database keeps its SHA-256, so a copy of the database signs nobody in.
//!   Signing out revokes it; an expired or revoked session is no session.
//! - A *coordinator* is a person flagged as coordinating their own organization: signed in,
//!   they act as `Caller::Coordinator` of it (and as `Caller::Participant` for their own
//!   sessions). Admins flag the first one; a coordinator may flag others of the organization.
//!
//! Secrets are 32 bytes of the OS random source in base64url behind a prefix (`ohjlink_`,
//! `ohjweb_`) — the API tokens' [`Secret`] — stored only as [`secret_hash`]; lookups go
//! through the unique index on the hash.

use super::tokens::{Secret, plausible, secret_hash};
use crate::entity::{login_link, organization, person, supervisor};
use crate::outbox::queue::enqueue;
use crate::values::new_id;
use crate::{Caller, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use ohjaus_core::notice::{Party, Recipient, Role};
use ohjaus_core::{Email, Locale, Notice};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use serde::Serialize;
use uuid::Uuid;

/// What every sign-in link's secret begins with.
pub const LINK_PREFIX: &str = "ohjlink_";
/// What every web session's secret begins with.
pub const SESSION_PREFIX: &str = "ohjweb_";
/// Unused, unexpired links one person or supervisor may hold at once: asking again beyond
/// this sends nothing, so a form cannot be used to flood someone's mailbox.
pub const MAX_LIVE_LINKS: u64 = 5;

/// `web_sessions`: a signed-in browser (the hash of its cookie's secret).
mod web_session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "web_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub token_hash: String,
        pub owner_kind: String,
        pub owner_id: Uuid,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `coordinators`: a person who coordinates their organization.
mod coordinator {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "coordinators")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Who signs in: a person of an organization or a supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInOwner {
    /// A person (a participant; maybe also their organization's coordinator).
    Person(Uuid),
    /// A supervisor.
    Supervisor(Uuid),
}

impl SignInOwner {
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

    fn from_row(kind: &str, id: Uuid) -> Option<Self> {
        match kind {
            "person" => Some(Self::Person(id)),
            "supervisor" => Some(Self::Supervisor(id)),
            _ => None,
        }
    }
}

/// A signed-in person or supervisor as the pages need them: who, in which language and
/// zone, and which callers they may act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Who.
    pub owner: SignInOwner,
    /// Their name.
    pub name: String,
    /// Their language (a person's own, else their organization's).
    pub locale: Locale,
    /// The zone their times are shown in (a person's organization's; a supervisor's own).
    pub timezone: String,
    /// A person's organization: id and name.
    pub organization: Option<(Uuid, String)>,
    /// Whether a person coordinates their organization.
    pub coordinator: bool,
}

impl Account {
    /// The caller for their own sessions: a person as participant, a supervisor as such.
    pub fn own_caller(&self) -> Caller {
        match self.owner {
            SignInOwner::Person(person_id) => Caller::Participant { person_id },
            SignInOwner::Supervisor(supervisor_id) => Caller::Supervisor { supervisor_id },
        }
    }

    /// The coordinator caller, when they coordinate their organization.
    pub fn coordinator_caller(&self) -> Option<Caller> {
        match (self.coordinator, &self.organization) {
            (true, Some((organization_id, _))) => Some(Caller::Coordinator { organization_id: *organization_id }),
            _ => None,
        }
    }
}

/// A web session found by its cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebSession {
    /// The session's id (for logs; not a secret).
    pub id: Uuid,
    /// Who is signed in.
    pub owner: SignInOwner,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

pub(crate) fn recipient_of_person(row: &person::Model, organization: &organization::Model) -> Recipient {
    let locale = row.locale.as_deref().unwrap_or(&organization.locale);
    Recipient {
        party: Party { name: row.name.clone(), email: row.email.clone() },
        locale: Locale::parse(locale).unwrap_or_default(),
        timezone: organization.timezone.clone(),
        role: Role::Participant,
        id: row.id,
    }
}

pub(crate) fn recipient_of_supervisor(row: &supervisor::Model) -> Recipient {
    Recipient {
        party: Party { name: row.name.clone(), email: row.email.clone() },
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        timezone: row.timezone.clone(),
        role: Role::Supervisor,
        id: row.id,
    }
}

impl Store {
    /// Sends a sign-in link to every person and supervisor whose address is `email` (case
    /// does not matter): a link row and its `Notice::SignInLink` in one transaction each.
    /// `url_of(secret)` makes the link's URL; it works once within `lifetime`. An unknown or
    /// malformed address sends nothing and is not an error (the asker must not learn which
    /// addresses are known); nor is an owner already holding [`MAX_LIVE_LINKS`] live links.
    /// Answers how many links were sent, for tests and logs only.
    pub async fn send_sign_in_links(
        &self,
        email: &str,
        url_of: &(dyn Fn(&str) -> String + Sync),
        lifetime: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let Ok(email) = Email::parse("email", email.trim()) else {
            return Ok(0);
        };
        let wanted = email.as_str().to_lowercase();
        let db = self.connection();
        let mut recipients = Vec::new();
        // An erased person (whose address is a placeholder under `.invalid`) signs in no more.
        let erased = crate::entity::erasure::Entity::find()
            .select_only()
            .column(crate::entity::erasure::Column::PersonId)
            .into_query();
        let people = person::Entity::find()
            .filter(ExprTrait::eq(Expr::expr(Func::lower(Expr::col(person::Column::Email))), wanted.clone()))
            .filter(person::Column::Id.not_in_subquery(erased))
            .order_by_asc(person::Column::Id)
            .all(db)
            .await?;
        for row in people {
            if let Some(organization) = organization::Entity::find_by_id(row.organization_id).one(db).await? {
                recipients.push((SignInOwner::Person(row.id), recipient_of_person(&row, &organization)));
            }
        }
        let supervisors = supervisor::Entity::find()
            .filter(ExprTrait::eq(Expr::expr(Func::lower(Expr::col(supervisor::Column::Email))), wanted))
            .all(db)
            .await?;
        for row in supervisors {
            recipients.push((SignInOwner::Supervisor(row.id), recipient_of_supervisor(&row)));
        }
        let mut sent = 0;
        for (owner, recipient) in recipients {
            let txn = self.begin_write().await?;
            let live = login_link::Entity::find()
                .filter(login_link::Column::OwnerKind.eq(owner.kind()))
                .filter(login_link::Column::OwnerId.eq(owner.id()))
                .filter(login_link::Column::UsedAt.is_null())
                .filter(login_link::Column::ExpiresAt.gt(now))
                .count(&txn)
                .await?;
            if live >= MAX_LIVE_LINKS {
                tracing::info!(owner = owner.kind(), "sign-in link not sent: too many live links");
                continue;
            }
            let secret = Secret::generate(LINK_PREFIX)?;
            let id = new_id();
            let expires_at = now + lifetime;
            login_link::Model {
                id,
                token_hash: secret_hash(secret.expose()),
                owner_kind: owner.kind().to_owned(),
                owner_id: owner.id(),
                created_at: now,
                expires_at,
                used_at: None,
            }
            .into_active_model()
            .insert(&txn)
            .await?;
            let notice = Notice::SignInLink { recipient, url: url_of(secret.expose()), expires_at };
            enqueue(&txn, &notice, &format!("sign-in:{id}"), now).await?;
            txn.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Whose link `secret` is, if it still works (unused, unexpired); changes nothing. For
    /// the page that asks to confirm the sign-in (a mail scanner that opens links must not
    /// use them up).
    pub async fn check_sign_in_link(
        &self,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SignInOwner>, StoreError> {
        if !plausible(secret, LINK_PREFIX) {
            return Ok(None);
        }
        let row = login_link::Entity::find()
            .filter(login_link::Column::TokenHash.eq(secret_hash(secret)))
            .filter(login_link::Column::UsedAt.is_null())
            .filter(login_link::Column::ExpiresAt.gt(now))
            .one(self.connection())
            .await?;
        Ok(row.and_then(|r| SignInOwner::from_row(&r.owner_kind, r.owner_id)))
    }

    /// Uses sign-in link `secret` up and opens a web session of its owner lasting
    /// `lifetime`, in one transaction. `None` when the link is unknown, used or expired: a
    /// link works once, and of two concurrent redemptions exactly one wins (the use is a
    /// conditional update).
    pub async fn sign_in_with_link(
        &self,
        secret: &str,
        lifetime: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<Option<(WebSession, Secret)>, StoreError> {
        if !plausible(secret, LINK_PREFIX) {
            return Ok(None);
        }
        let txn = self.begin_write().await?;
        let hash = secret_hash(secret);
        let used = login_link::Entity::update_many()
            .col_expr(login_link::Column::UsedAt, Expr::value(now))
            .filter(login_link::Column::TokenHash.eq(hash.clone()))
            .filter(login_link::Column::UsedAt.is_null())
            .filter(login_link::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 {
            return Ok(None);
        }
        let Some(link) = login_link::Entity::find().filter(login_link::Column::TokenHash.eq(hash)).one(&txn).await?
        else {
            return Ok(None);
        };
        let Some(owner) = SignInOwner::from_row(&link.owner_kind, link.owner_id) else {
            return Ok(None);
        };
        let session_secret = Secret::generate(SESSION_PREFIX)?;
        let session = WebSession { id: new_id(), owner, expires_at: now + lifetime };
        web_session::Model {
            id: session.id,
            token_hash: secret_hash(session_secret.expose()),
            owner_kind: owner.kind().to_owned(),
            owner_id: owner.id(),
            created_at: now,
            expires_at: session.expires_at,
            revoked_at: None,
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Some((session, session_secret)))
    }

    /// The web session whose cookie carries `secret`; `None` when it is unknown (forged),
    /// signed out or expired.
    pub async fn web_session(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, StoreError> {
        if !plausible(secret, SESSION_PREFIX) {
            return Ok(None);
        }
        let row = web_session::Entity::find()
            .filter(web_session::Column::TokenHash.eq(secret_hash(secret)))
            .filter(web_session::Column::RevokedAt.is_null())
            .filter(web_session::Column::ExpiresAt.gt(now))
            .one(self.connection())
            .await?;
        Ok(row.and_then(|r| {
            SignInOwner::from_row(&r.owner_kind, r.owner_id).map(|owner| WebSession {
                id: r.id,
                owner,
                expires_at: r.expires_at,
            })
        }))
    }

    /// Signs the session whose cookie carries `secret` out: it never works again. Signing
    /// out an unknown or closed session does nothing.
    pub async fn sign_out(&self, secret: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        if !plausible(secret, SESSION_PREFIX) {
            return Ok(());
        }
        web_session::Entity::update_many()
            .col_expr(web_session::Column::RevokedAt, Expr::value(now))
            .filter(web_session::Column::TokenHash.eq(secret_hash(secret)))
            .filter(web_session::Column::RevokedAt.is_null())
            .exec(self.connection())
            .await?;
        Ok(())
    }

    /// The account of a signed-in owner; `NotFound` when the person or supervisor is gone.
    pub async fn account(&self, owner: SignInOwner) -> Result<Account, StoreError> {
        let db = self.connection();
        match owner {
            SignInOwner::Person(id) => {
                let row = person::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("person"))?;
                let organization = organization::Entity::find_by_id(row.organization_id)
                    .one(db)
                    .await?
                    .ok_or(StoreError::not_found("organization"))?;
                let coordinator = coordinator::Entity::find_by_id(id).one(db).await?.is_some();
                let locale = row.locale.as_deref().unwrap_or(&organization.locale);
                Ok(Account {
                    owner,
                    name: row.name,
                    locale: Locale::parse(locale).unwrap_or_default(),
                    timezone: organization.timezone,
                    organization: Some((organization.id, organization.name)),
                    coordinator,
                })
            }
            SignInOwner::Supervisor(id) => {
                let row =
                    supervisor::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::not_found("supervisor"))?;
                Ok(Account {
                    owner,
                    name: row.name,
                    locale: Locale::parse(&row.locale).unwrap_or_default(),
                    timezone: row.timezone,
                    organization: None,
                    coordinator: false,
                })
            }
        }
    }

    /// Makes person `person_id` a coordinator of their organization, or stops it (admin, or
    /// a coordinator of that organization; another organization's person is `NotFound`). A
    /// coordinator cannot stop being one by their own hand (`Invalid`), so an organization
    /// is not left without one by a slip.
    pub async fn set_coordinator(
        &self,
        caller: &Caller,
        person_id: Uuid,
        coordinates: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let db = self.connection();
        let row = person::Entity::find_by_id(person_id).one(db).await?.ok_or(StoreError::not_found("person"))?;
        match caller {
            Caller::Admin => {}
            Caller::Coordinator { organization_id } if *organization_id == row.organization_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::not_found("person")),
            _ => return Err(StoreError::Forbidden),
        }
        if coordinates {
            let exists = coordinator::Entity::find_by_id(person_id).one(db).await?.is_some();
            if !exists {
                coordinator::ActiveModel { person_id: Set(person_id), created_at: Set(now) }.insert(db).await?;
            }
        } else {
            coordinator::Entity::delete_by_id(person_id).exec(db).await?;
        }
        Ok(())
    }

    /// The ids of an organization's coordinators (admin, its coordinator).
    pub async fn list_coordinators(&self, caller: &Caller, organization_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        match caller {
            Caller::Admin => {}
            Caller::Coordinator { organization_id: own } if *own == organization_id => {}
            Caller::Coordinator { .. } => return Err(StoreError::not_found("organization")),
            _ => return Err(StoreError::Forbidden),
        }
        let people: Vec<Uuid> = person::Entity::find()
            .filter(person::Column::OrganizationId.eq(organization_id))
            .all(self.connection())
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        if people.is_empty() {
            return Ok(Vec::new());
        }
        Ok(coordinator::Entity::find()
            .filter(Condition::all().add(coordinator::Column::PersonId.is_in(people)))
            .order_by_asc(coordinator::Column::PersonId)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|c| c.person_id)
            .collect())
    }
}

/// One sign-in of a person as their export shows it: a link sent (and when it was used) or a
/// browser session opened (and when it ended). Never a secret or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRecord {
    /// `link` (a sign-in link sent by email) or `session` (a signed-in browser).
    pub kind: String,
    /// When the link was sent or the session opened.
    pub created_at: DateTime<Utc>,
    /// When the link stops working, or the session.
    pub expires_at: DateTime<Utc>,
    /// When the link was used, or the session signed out or revoked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub ended_at: Option<DateTime<Utc>>,
}

/// Person `person_id`'s sign-in history, oldest first: links and browser sessions, in two
/// statements.
pub(crate) async fn sign_in_history<C: sea_orm::ConnectionTrait>(
    db: &C,
    person_id: Uuid,
) -> Result<Vec<SignInRecord>, StoreError> {
    let owner = SignInOwner::Person(person_id);
    let links = login_link::Entity::find()
        .filter(login_link::Column::OwnerKind.eq(owner.kind()))
        .filter(login_link::Column::OwnerId.eq(owner.id()))
        .all(db)
        .await?;
    let sessions = web_session::Entity::find()
        .filter(web_session::Column::OwnerKind.eq(owner.kind()))
        .filter(web_session::Column::OwnerId.eq(owner.id()))
        .all(db)
        .await?;
    let mut history: Vec<SignInRecord> = links
        .into_iter()
        .map(|l| SignInRecord {
            kind: "link".to_owned(),
            created_at: l.created_at,
            expires_at: l.expires_at,
            ended_at: l.used_at,
        })
        .chain(sessions.into_iter().map(|s| SignInRecord {
            kind: "session".to_owned(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            ended_at: s.revoked_at,
        }))
        .collect();
    history.sort_by_key(|r| r.created_at);
    Ok(history)
}

/// Ends every way person `person_id` could sign in to the pages (an erasure): their browser
/// sessions are revoked, their unused links expire, and they coordinate no longer. Answers
/// how many sessions and links it ended.
pub(crate) async fn end_sign_ins<C: sea_orm::ConnectionTrait>(
    db: &C,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let owner = SignInOwner::Person(person_id);
    let sessions = web_session::Entity::update_many()
        .col_expr(web_session::Column::RevokedAt, Expr::value(now))
        .filter(web_session::Column::OwnerKind.eq(owner.kind()))
        .filter(web_session::Column::OwnerId.eq(owner.id()))
        .filter(web_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    let links = login_link::Entity::update_many()
        .col_expr(login_link::Column::ExpiresAt, Expr::value(now))
        .filter(login_link::Column::OwnerKind.eq(owner.kind()))
        .filter(login_link::Column::OwnerId.eq(owner.id()))
        .filter(login_link::Column::UsedAt.is_null())
        .filter(login_link::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    coordinator::Entity::delete_by_id(person_id).exec(db).await?;
    Ok(sessions.rows_affected + links.rows_affected)
}
