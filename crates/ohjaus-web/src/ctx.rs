//! Who is looking at a page, in which language and zone, and as which store caller: the
//! extractors every handler starts from. A page for a role takes that role's extractor, so
//! a handler cannot run for someone who is not signed in or lacks the role.

use crate::errors::{ErrorKind, PageError};
use crate::i18n::reader_zone;
use crate::security::BrowserKey;
use crate::state::WebState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono_tz::Tz;
use ohjaus_core::Locale;
use ohjaus_store::Caller;
use ohjaus_store::write::sign_in::{Account, SignInOwner};
use uuid::Uuid;

/// The page's reader: language, zone, the form token, the current path, and the account
/// when signed in.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The language of the page.
    pub locale: Locale,
    /// The zone times are shown in.
    pub zone: Tz,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// The path and query of this page (for the language switch and sign-in's way back).
    pub path: String,
    /// Who is signed in.
    pub account: Option<Account>,
}

impl Ctx {
    /// Whether the reader is a supervisor.
    pub fn is_supervisor(&self) -> bool {
        self.account.as_ref().is_some_and(|a| matches!(a.owner, SignInOwner::Supervisor(_)))
    }

    /// Whether the reader is a person (a participant).
    pub fn is_person(&self) -> bool {
        self.account.as_ref().is_some_and(|a| matches!(a.owner, SignInOwner::Person(_)))
    }

    /// Whether the reader coordinates their organization.
    pub fn is_coordinator(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.coordinator)
    }
}

impl FromRequestParts<WebState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let key = parts.extensions.get::<BrowserKey>().cloned().ok_or(PageError::Page(ErrorKind::Internal))?;
        let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let mut account = None;
        if let Some(secret) = key.session.as_deref() {
            let now = state.clock.now();
            if let Some(session) = state.store.web_session(secret, now).await? {
                match state.store.account(session.owner).await {
                    Ok(found) => account = Some(found),
                    Err(ohjaus_store::StoreError::NotFound { .. }) => {}
                    Err(other) => return Err(other.into()),
                }
            }
        }
        let zone = reader_zone(account.as_ref().map_or("Europe/Helsinki", |a| a.timezone.as_str()));
        Ok(Self { locale: key.locale, zone, csrf: key.csrf(), path, account })
    }
}

/// A signed-in reader: anyone else goes to the sign-in page.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The page context.
    pub ctx: Ctx,
    /// The account.
    pub account: Account,
}

impl FromRequestParts<WebState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.account.clone() {
            Some(account) => Ok(Self { ctx, account }),
            None => Err(PageError::SignIn { next: ctx.path }),
        }
    }
}

/// A signed-in supervisor, acting as `Caller::Supervisor`.
#[derive(Debug, Clone)]
pub struct AsSupervisor {
    /// The page context.
    pub ctx: Ctx,
    /// The caller.
    pub caller: Caller,
    /// The supervisor.
    pub supervisor_id: Uuid,
}

impl FromRequestParts<WebState> for AsSupervisor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match viewer.account.owner {
            SignInOwner::Supervisor(supervisor_id) => {
                Ok(Self { ctx: viewer.ctx, caller: Caller::Supervisor { supervisor_id }, supervisor_id })
            }
            SignInOwner::Person(_) => Err(PageError::Page(ErrorKind::Forbidden)),
        }
    }
}

/// A signed-in coordinator, acting as `Caller::Coordinator` of their organization.
#[derive(Debug, Clone)]
pub struct AsCoordinator {
    /// The page context.
    pub ctx: Ctx,
    /// The caller.
    pub caller: Caller,
    /// The organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
}

impl FromRequestParts<WebState> for AsCoordinator {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match (viewer.account.coordinator_caller(), viewer.account.organization.clone()) {
            (Some(caller), Some((organization_id, organization_name))) => {
                Ok(Self { ctx: viewer.ctx, caller, organization_id, organization_name })
            }
            _ => Err(PageError::Page(ErrorKind::Forbidden)),
        }
    }
}

/// A signed-in person, acting as `Caller::Participant` (their own sessions).
#[derive(Debug, Clone)]
pub struct AsParticipant {
    /// The page context.
    pub ctx: Ctx,
    /// The caller.
    pub caller: Caller,
    /// The person.
    pub person_id: Uuid,
}

impl FromRequestParts<WebState> for AsParticipant {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match viewer.account.owner {
            SignInOwner::Person(person_id) => {
                Ok(Self { ctx: viewer.ctx, caller: Caller::Participant { person_id }, person_id })
            }
            SignInOwner::Supervisor(_) => Err(PageError::Page(ErrorKind::Forbidden)),
        }
    }
}
