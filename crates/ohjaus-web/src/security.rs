//! What stands between a browser and the pages: cookies, the CSRF check of every form, the
//! origin check, and the security headers of every answer.
//!
//! Every form carries a token derived from the browser's own secret: the session cookie's
//! once signed in, else a pre-session cookie set on the first page a visitor opens (so that
//! the sign-in forms are protected too). The token is the SHA-256 of a domain prefix and the
//! secret: a page can show it, another site cannot compute it (the cookies are HttpOnly and
//! never sent to it), and a stolen database copy, which holds the plain SHA-256 of session
//! secrets, does not give it either. [`guard`] checks it on every request that is not a GET
//! or HEAD, before any handler runs, so no form can forget it; it also refuses a request
//! whose `Origin` or `Sec-Fetch-Site` says it comes from another site.

use crate::errors::{ErrorKind, render_error};
use crate::i18n;
use crate::state::WebState;
use axum::body::{Body, HttpBody as _, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use ohjaus_core::Locale;
use sha2::{Digest, Sha256};

/// Largest form body read.
const MAX_FORM_BYTES: usize = 256 * 1024;
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The browser's secrets and language, found by [`guard`] for the handlers.
#[derive(Debug, Clone)]
pub struct BrowserKey {
    /// The session cookie's secret, when there is one (valid or not: the store decides).
    pub session: Option<String>,
    /// The pre-session cookie's secret.
    pub pre: Option<String>,
    /// The language the pages are shown in.
    pub locale: Locale,
}

impl BrowserKey {
    /// The CSRF token forms of this browser carry.
    pub fn csrf(&self) -> String {
        self.session.as_deref().or(self.pre.as_deref()).map(csrf_token).unwrap_or_default()
    }
}

/// The cookie names, `__Host-` prefixed over https (a cookie that only the host itself,
/// over https, with path `/` can set).
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    https: bool,
}

impl CookieNames {
    /// The names for a service served over https or not.
    pub fn new(https: bool) -> Self {
        Self { https }
    }

    /// The session cookie.
    pub fn session(self) -> &'static str {
        if self.https { "__Host-ohjaus_session" } else { "ohjaus_session" }
    }

    /// The pre-session cookie.
    pub fn pre(self) -> &'static str {
        if self.https { "__Host-ohjaus_pre" } else { "ohjaus_pre" }
    }

    /// The language cookie.
    pub fn lang(self) -> &'static str {
        if self.https { "__Host-ohjaus_lang" } else { "ohjaus_lang" }
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure over https; `max_age`
/// in seconds, 0 to delete.
pub fn set_cookie(name: &str, value: &str, max_age: i64, https: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(https)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The CSRF token of a browser secret.
pub fn csrf_token(secret: &str) -> String {
    let digest = Sha256::digest(format!("ohjaus-csrf:{secret}").as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// Equality that takes as long whatever the first difference (for tokens).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random secret for a pre-session cookie.
fn random_secret() -> String {
    let mut bytes = [0_u8; 32];
    // The session ids come from the store's OS random source; this one only protects the
    // sign-in forms, and uuid's v4 uses the same OS source.
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The language of a request: the language cookie, else the first of the browser's
/// languages Ohjaus speaks, else Finnish.
pub fn request_locale(headers: &HeaderMap, names: CookieNames) -> Locale {
    if let Some(locale) = cookie_value(headers, names.lang()).as_deref().and_then(Locale::parse) {
        return locale;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|part| Locale::parse(part.split(';').next().unwrap_or_default().trim())))
        .unwrap_or_default()
}

/// Whether a state-changing request comes from our own pages, as far as the browser says:
/// `Sec-Fetch-Site` when the browser sends it (it cannot be forged by a page), else the
/// `Origin`, when there is one.
fn same_site(headers: &HeaderMap, state: &WebState) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => origin == state.config.public_url.origin().ascii_serialization(),
    }
}

/// The middleware of every page: finds the browser's secrets and language, refuses a form
/// without the right CSRF token or from another site (403), gives a first-time visitor a
/// pre-session cookie, renders error pages, and adds the security headers.
pub async fn guard(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let names = CookieNames::new(state.config.is_https());
    let headers = request.headers();
    let locale = request_locale(headers, names);
    let session = cookie_value(headers, names.session()).filter(|v| !v.is_empty());
    let mut pre = cookie_value(headers, names.pre()).filter(|v| !v.is_empty());
    let mut new_pre = None;
    if session.is_none() && pre.is_none() {
        let secret = random_secret();
        new_pre = Some(secret.clone());
        pre = Some(secret);
    }
    let key = BrowserKey { session, pre, locale };
    let mut request = request;
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        if !same_site(request.headers(), &state) {
            tracing::info!(
                origin = ?request.headers().get(header::ORIGIN),
                fetch_site = ?request.headers().get("sec-fetch-site"),
                "form refused: from another site"
            );
            return finish(render_error(locale, ErrorKind::Csrf), &state, None);
        }
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
            return finish(render_error(locale, ErrorKind::TooLarge), &state, None);
        };
        let given = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
        let expected = key.csrf();
        if given.is_none_or(|g| expected.is_empty() || !same(&g, &expected)) {
            tracing::info!("form refused: missing or wrong CSRF token");
            return finish(render_error(locale, ErrorKind::Csrf), &state, None);
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(key);
    let response = next.run(request).await;
    let response = match response.extensions().get::<ErrorKind>() {
        Some(kind) if response.body().size_hint().exact() == Some(0) => {
            let kind = *kind;
            let mut page = render_error(locale, kind);
            for (name, value) in response.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    page.headers_mut().insert(name.clone(), value.clone());
                }
            }
            page
        }
        _ => response,
    };
    finish(response, &state, new_pre)
}

fn finish(mut response: Response, state: &WebState, new_pre: Option<String>) -> Response {
    let https = state.config.is_https();
    let headers = response.headers_mut();
    if let Some(secret) = new_pre {
        // A day is plenty to fill in a sign-in form.
        headers.append(header::SET_COOKIE, set_cookie(CookieNames::new(https).pre(), &secret, 86_400, https));
    }
    let fixed: [(&str, &str); 6] = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-content-type-options", "nosniff"),
        // Sign-in links and feed links carry secrets in their paths: never send them to
        // another site.
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ];
    for (name, value) in fixed {
        if !headers.contains_key(name) {
            headers.insert(axum::http::HeaderName::from_static(name), HeaderValue::from_static(value));
        }
    }
    response
}

/// A redirect after a form (303: the browser follows with a GET).
pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_owned())]).into_response()
}

/// A `next` path that stays on this site: absolute path, not `//host`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Language names offered by the switch, as links.
pub fn language_links(current: Locale) -> impl Iterator<Item = (Locale, &'static str, bool)> {
    i18n::LANGUAGES.into_iter().map(move |(locale, name)| (locale, name, locale == current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("/me?x=1")), "/me?x=1");
    }
}
