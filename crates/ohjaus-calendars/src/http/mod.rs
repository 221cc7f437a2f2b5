//! The outgoing HTTP client: every request Ohjaus makes to another server (a calendar feed, a
//! CalDAV server, later a webhook) goes through [`OutgoingClient`], which enforces the
//! [`AddressPolicy`] after DNS resolution and on every redirect hop, a redirect limit, a
//! timeout and a body size limit (counted while the body streams in, after gzip decoding, so
//! a small compressed answer cannot grow past it).
//!
//! Addresses are parsed once into an [`OutgoingUrl`]: `https` or `http` only (`webcal://` read
//! as `https://`), no user name or password inside. Errors ([`FetchError`]) say what went
//! wrong in words a person can act on, and never contain the URL: its path or query is often
//! the secret that grants access to someone's calendar.

mod policy;

pub use policy::{AddressPolicy, is_public};

use policy::{PolicyResolver, PolicyViolation};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, redirect};
use std::collections::HashMap;
use std::error::Error as _;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Why an outgoing request failed. Messages never contain the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not a URL at all.
    #[error("the address is not a valid URL")]
    InvalidUrl,
    /// A scheme other than https, http or webcal.
    #[error("only https, http and webcal addresses can be read (not {scheme}://)")]
    UnsupportedScheme {
        /// The scheme given.
        scheme: String,
    },
    /// A user name or password inside the URL.
    #[error("the address must not contain a user name or password")]
    CredentialsInUrl,
    /// The host is, or resolves to, an address the policy refuses.
    #[error("the address leads to a private or local network address ({address}), which is not allowed")]
    AddressNotAllowed {
        /// The refused address.
        address: IpAddr,
    },
    /// The host name did not resolve.
    #[error("the server's name could not be resolved")]
    Dns,
    /// More redirects than allowed (or a redirect loop).
    #[error("the server redirected more than {limit} times")]
    TooManyRedirects {
        /// The limit.
        limit: u8,
    },
    /// No complete answer within the timeout.
    #[error("the server did not answer within the time limit ({seconds} s)")]
    Timeout {
        /// The timeout.
        seconds: u64,
    },
    /// The answer (decoded) is larger than allowed.
    #[error("the answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// 401: credentials refused.
    #[error("the server refused the user name or password")]
    Unauthorized,
    /// 403.
    #[error("the server refused access (403)")]
    Forbidden,
    /// 404 or 410.
    #[error("the server has no such calendar ({status})")]
    NotFound {
        /// 404 or 410.
        status: u16,
    },
    /// Any other unexpected status.
    #[error("the server answered with status {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The connection could not be made or broke (TLS included).
    #[error("the connection to the server failed")]
    Connection,
    /// The answer was not what the protocol promises (a CalDAV answer that is not XML, say).
    #[error("the server's answer could not be read: {reason}")]
    BadAnswer {
        /// What was wrong, without the answer itself.
        reason: String,
    },
}

/// An address a request may go to: `https` or `http`, without credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingUrl(Url);

impl OutgoingUrl {
    /// Parses `text`: `webcal://` and `webcals://` become `https://`; other schemes than
    /// https and http, and URLs with a user name or password, are refused.
    pub fn parse(text: &str) -> Result<Self, FetchError> {
        let text = text.trim();
        let text = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("webcal") || scheme.eq_ignore_ascii_case("webcals") => {
                format!("https://{rest}")
            }
            _ => text.to_owned(),
        };
        let url = Url::parse(&text).map_err(|_| FetchError::InvalidUrl)?;
        Self::from_url(url)
    }

    fn from_url(url: Url) -> Result<Self, FetchError> {
        match url.scheme() {
            "https" | "http" => {}
            other => return Err(FetchError::UnsupportedScheme { scheme: other.to_owned() }),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::CredentialsInUrl);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(FetchError::InvalidUrl);
        }
        Ok(Self(url))
    }

    /// The URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The URL as text (secret parts included: do not log it; see [`crate::secret_url`]).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL for display, its secret parts masked.
    pub fn masked(&self) -> String {
        crate::secret_url::mask(&self.0)
    }
}

/// Shows only the masked URL, so that a log line or a panic never carries the secret.
impl fmt::Debug for OutgoingUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OutgoingUrl").field(&self.masked()).finish()
    }
}

/// How an [`OutgoingClient`] behaves.
#[derive(Debug, Clone)]
pub struct OutgoingConfig {
    /// Which addresses may be connected to.
    pub policy: AddressPolicy,
    /// Redirects followed at most (0: never follow; a 3xx is then the answer).
    pub max_redirects: u8,
    /// The whole request, connection to last byte.
    pub timeout: Duration,
    /// The largest body accepted, counted after decoding.
    pub max_body_bytes: u64,
    /// The `User-Agent` sent.
    pub user_agent: String,
    /// Fixed answers for host names, used instead of DNS (and checked by the same policy):
    /// for tests, and for an installation whose DNS does not know a name.
    pub hosts: HashMap<String, Vec<IpAddr>>,
}

impl Default for OutgoingConfig {
    /// The calendar sync's: public addresses only, 3 redirects, 10 s, 5 MB.
    fn default() -> Self {
        Self {
            policy: AddressPolicy::default(),
            max_redirects: 3,
            timeout: Duration::from_secs(10),
            max_body_bytes: 5 * 1024 * 1024,
            user_agent: concat!("Ohjaus/", env!("CARGO_PKG_VERSION"), " (calendar sync)").to_owned(),
            hosts: HashMap::new(),
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// The method (GET, POST, REPORT, …).
    pub method: Method,
    /// Where.
    pub url: OutgoingUrl,
    /// Extra headers.
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// HTTP Basic credentials.
    pub basic_auth: Option<Credentials>,
}

impl OutgoingRequest {
    /// A GET of `url`.
    pub fn get(url: OutgoingUrl) -> Self {
        Self { method: Method::GET, url, headers: HeaderMap::new(), body: None, basic_auth: None }
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }
}

/// A user name and password for HTTP Basic authentication; `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password (an app password, typically).
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("password", &"****").finish()
    }
}

/// An answer, its body read in full (within the limit).
#[derive(Debug, Clone)]
pub struct OutgoingResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, decoded.
    pub body: Vec<u8>,
}

/// What a server said about a resource last time: sent back to ask "has it changed?".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` (sent as `If-None-Match`).
    pub etag: Option<String>,
    /// The `Last-Modified` date as the server wrote it (sent as `If-Modified-Since`).
    pub last_modified: Option<String>,
}

impl Validators {
    fn of(headers: &HeaderMap) -> Self {
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        Self { etag: text(header::ETAG), last_modified: text(header::LAST_MODIFIED) }
    }
}

/// The answer to a conditional GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 304: unchanged since the validators were given.
    NotModified,
    /// The body and its new validators.
    Modified {
        /// The body, decoded.
        body: Vec<u8>,
        /// What to send next time.
        validators: Validators,
    },
}

/// The client; cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct OutgoingClient {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    max_redirects: u8,
    timeout: Duration,
    max_body_bytes: u64,
}

impl OutgoingClient {
    /// A client with `config`.
    pub fn new(config: OutgoingConfig) -> Result<Self, FetchError> {
        let policy = Arc::new(config.policy);
        let hosts: HashMap<String, Vec<IpAddr>> = config
            .hosts
            .into_iter()
            .map(|(name, ips)| (name.trim_end_matches('.').to_ascii_lowercase(), ips))
            .collect();
        let resolver = PolicyResolver { policy: Arc::clone(&policy), hosts: Arc::new(hosts) };
        let redirects = match config.max_redirects {
            0 => redirect::Policy::none(),
            limit => {
                let policy = Arc::clone(&policy);
                redirect::Policy::custom(move |attempt| {
                    if attempt.previous().len() > usize::from(limit) {
                        return attempt.error(PolicyViolation(FetchError::TooManyRedirects { limit }));
                    }
                    match OutgoingUrl::from_url(attempt.url().clone()).and_then(|url| policy.check_url(url.as_url())) {
                        Ok(()) => attempt.follow(),
                        Err(refused) => attempt.error(PolicyViolation(refused)),
                    }
                })
            }
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .redirect(redirects)
            .timeout(config.timeout)
            .user_agent(config.user_agent)
            .build()
            .map_err(|_| FetchError::Connection)?;
        Ok(Self {
            client,
            policy,
            max_redirects: config.max_redirects,
            timeout: config.timeout,
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// Sends `request` and reads the whole answer (any status) within the limits.
    pub async fn send(&self, request: OutgoingRequest) -> Result<OutgoingResponse, FetchError> {
        self.send_reading(request, false).await
    }

    /// Sends `request` and reads at most the body limit of the answer, cutting the rest
    /// instead of failing: for webhook delivery, where the status is the answer and the body
    /// only a hint kept in the log.
    pub async fn send_truncating(&self, request: OutgoingRequest) -> Result<OutgoingResponse, FetchError> {
        self.send_reading(request, true).await
    }

    async fn send_reading(&self, request: OutgoingRequest, truncate: bool) -> Result<OutgoingResponse, FetchError> {
        self.policy.check_url(request.url.as_url())?;
        let mut builder = self.client.request(request.method, request.url.0).headers(request.headers);
        if let Some(credentials) = request.basic_auth {
            builder = builder.basic_auth(credentials.user, Some(credentials.password));
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(|e| self.error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let limit = self.max_body_bytes;
        if !truncate && response.content_length().is_some_and(|length| length > limit) {
            return Err(FetchError::TooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.error(&e))? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                if !truncate {
                    return Err(FetchError::TooLarge { limit });
                }
                let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(body.len());
                body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(OutgoingResponse { status, headers, body })
    }

    /// A conditional GET of a calendar: `validators` from the last answer go out as
    /// `If-None-Match`/`If-Modified-Since`; a 304 is [`Fetched::NotModified`], a 2xx the body
    /// with the new validators, anything else an error (401 [`FetchError::Unauthorized`], 404
    /// [`FetchError::NotFound`], …).
    pub async fn get(&self, url: &OutgoingUrl, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut request = OutgoingRequest::get(url.clone()).header(
            header::ACCEPT,
            HeaderValue::from_static("text/calendar, application/calendar+xml;q=0.5, */*;q=0.1"),
        );
        if let Some(etag) = validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = validators.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let response = self.send(request).await?;
        if response.status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if response.status.is_redirection() && self.max_redirects > 0 {
            // A redirect reqwest did not follow: to a scheme it does not fetch (`file:`, say).
            let location = response.headers.get(header::LOCATION).and_then(|v| v.to_str().ok());
            if let Some(Err(refused)) = location.and_then(|l| Url::parse(l).ok()).map(OutgoingUrl::from_url) {
                return Err(refused);
            }
        }
        check_status(response.status)?;
        Ok(Fetched::Modified { validators: Validators::of(&response.headers), body: response.body })
    }

    /// The [`FetchError`] of a reqwest error: a policy refusal found in its chain, else its
    /// kind. The reqwest error itself is dropped: its text carries the URL.
    fn error(&self, error: &reqwest::Error) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
        while let Some(cause) = source {
            if let Some(PolicyViolation(refused)) = cause.downcast_ref::<PolicyViolation>() {
                return refused.clone();
            }
            source = cause.source();
        }
        if error.is_timeout() {
            FetchError::Timeout { seconds: self.timeout.as_secs().max(1) }
        } else if error.is_redirect() {
            FetchError::TooManyRedirects { limit: self.max_redirects }
        } else if error.is_decode() || error.is_body() {
            FetchError::BadAnswer { reason: "the body could not be decoded".to_owned() }
        } else {
            FetchError::Connection
        }
    }
}

/// A 2xx is fine; other statuses are the errors a person can act on.
pub(crate) fn check_status(status: StatusCode) -> Result<(), FetchError> {
    match status.as_u16() {
        200..=299 => Ok(()),
        401 => Err(FetchError::Unauthorized),
        403 => Err(FetchError::Forbidden),
        code @ (404 | 410) => Err(FetchError::NotFound { status: code }),
        code => Err(FetchError::Status { status: code }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_once_at_the_edge() {
        assert_eq!(
            OutgoingUrl::parse("webcal://p52-caldav.icloud.com/published/2/abc").unwrap().as_str(),
            "https://p52-caldav.icloud.com/published/2/abc"
        );
        assert_eq!(OutgoingUrl::parse("WEBCALS://x.example/a.ics").unwrap().as_str(), "https://x.example/a.ics");
        assert!(OutgoingUrl::parse("http://x.example/a.ics").is_ok());
        assert_eq!(
            OutgoingUrl::parse("file:///etc/passwd"),
            Err(FetchError::UnsupportedScheme { scheme: "file".into() })
        );
        assert_eq!(
            OutgoingUrl::parse("ftp://x.example/a"),
            Err(FetchError::UnsupportedScheme { scheme: "ftp".into() })
        );
        assert_eq!(OutgoingUrl::parse("https://anna:secret@x.example/a"), Err(FetchError::CredentialsInUrl));
        assert_eq!(OutgoingUrl::parse("https://anna@x.example/a"), Err(FetchError::CredentialsInUrl));
        assert_eq!(OutgoingUrl::parse("not a url"), Err(FetchError::InvalidUrl));
        let secret =
            OutgoingUrl::parse("https://cloud.example/remote.php/dav/public-calendars/k3Jd8sLq0pWz7XyQ?export")
                .unwrap();
        assert!(!format!("{secret:?}").contains("k3Jd8sLq0pWz7XyQ"));
        let password = Credentials { user: "anna".into(), password: "hunter2-app-password".into() };
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
