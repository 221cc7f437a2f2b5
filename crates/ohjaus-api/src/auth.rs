//! Bearer-token authentication: the token is looked up by its hash; the caller it names comes
//! with the scope of its role. No token or an unknown or revoked one is 401; a token over its
//! rate limit is 429.

use crate::limits::ApiLimits;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use ohjaus_store::Caller;

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy)]
pub struct Auth(pub Caller);

/// The secret of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| secret.trim()).filter(|s| !s.is_empty())
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = bearer(parts).ok_or_else(Problem::unauthorized)?;
        match state.store.authenticate(secret, state.clock.now()).await {
            Ok(Some(caller)) => {
                // Counted once the token is known to be real: see `crate::limits`.
                if let Some(limits) = parts.extensions.get::<ApiLimits>() {
                    limits.check_api(secret)?;
                }
                Ok(Self(caller))
            }
            Ok(None) => Err(Problem::unauthorized()),
            Err(error) => Err(error.into()),
        }
    }
}
