//! The outgoing client against a real HTTP server on loopback (axum on port 0): conditional
//! requests, gzip, the limits, the statuses, redirects, and the address policy — checked after
//! resolution and on every redirect hop, before any connection.
//!
//! The client trusts exactly 127.0.0.1 (the test server) with private addresses otherwise
//! refused, so every refusal below is the policy's and not the network's. Names resolve
//! through the client's fixed host table (`calendar.test` → 127.0.0.1, `intranet.test` →
//! 10.0.0.1): nothing is ever sent to 10.0.0.1, which the policy refuses first.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeZone as _, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use ohjaus_calendars::{
    AddressPolicy, FetchError, Fetched, OutgoingClient, OutgoingConfig, OutgoingUrl, ReadOptions, Refreshed,
    Validators, Window, refresh,
};
use ohjaus_core::TimeZone;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A calendar with one event, 2027-03-01 10:00–11:00Z.
pub const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:feed-1\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\nSUMMARY:Asiakastapaaminen\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Mon, 01 Mar 2027 08:00:00 GMT";
/// The client's body limit in these tests.
const LIMIT: u64 = 64 * 1024;

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
}

async fn count(State(counters): State<Arc<Counters>>) {
    counters.requests.fetch_add(1, Ordering::SeqCst);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn feed(State(counters): State<Arc<Counters>>, headers: HeaderMap) -> Response {
    counters.requests.fetch_add(1, Ordering::SeqCst);
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == ETAG) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::CONTENT_TYPE, "text/calendar"), (header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)], FEED)
        .into_response()
}

async fn dated(headers: HeaderMap) -> Response {
    if headers.get(header::IF_MODIFIED_SINCE).is_some_and(|v| v == LAST_MODIFIED) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::LAST_MODIFIED, LAST_MODIFIED)], FEED).into_response()
}

async fn gzipped() -> Response {
    ([(header::CONTENT_ENCODING, "gzip"), (header::CONTENT_TYPE, "text/calendar")], gzip(FEED.as_bytes()))
        .into_response()
}

async fn bomb() -> Response {
    // 4 MB of zeros (64 times the limit), about 4 kB compressed; made once.
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body = BOMB.get_or_init(|| gzip(&vec![b'0'; 4 * 1024 * 1024])).clone();
    ([(header::CONTENT_ENCODING, "gzip")], body).into_response()
}

async fn big_with_length() -> Vec<u8> {
    vec![b'x'; 2 * LIMIT as usize]
}

async fn big_streamed() -> Response {
    let chunks = (0..32).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 8 * 1024]));
    Body::from_stream(futures_util::stream::iter(chunks)).into_response()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(3)).await;
    FEED
}

async fn hop(Path(n): Path<u32>) -> Response {
    let to = if n == 0 { "/feed.ics".to_owned() } else { format!("/hop/{}", n - 1) };
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn redirect_to(Path(target): Path<String>, State(port): State<u16>) -> Response {
    let location = match target.as_str() {
        "loop" => "/redirect/loop".to_owned(),
        "private-ip" => "http://10.0.0.1:8080/feed.ics".to_owned(),
        "private-name" => format!("http://intranet.test:{port}/feed.ics"),
        "mapped" => "http://[::ffff:10.0.0.1]/feed.ics".to_owned(),
        "metadata" => "http://169.254.169.254/latest/meta-data/".to_owned(),
        "file" => "file:///etc/passwd".to_owned(),
        "credentials" => format!("http://anna:secret@calendar.test:{port}/feed.ics"),
        _ => "/feed.ics".to_owned(),
    };
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The test server: its address and request counter.
pub struct Server {
    pub address: SocketAddr,
    counters: Arc<Counters>,
}

impl Server {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        let redirects = Router::new().route("/redirect/{target}", get(redirect_to)).with_state(address.port());
        let app = Router::new()
            .route("/feed.ics", get(feed))
            .route("/count", get(count))
            .route("/dated.ics", get(dated))
            .route("/gzip.ics", get(gzipped))
            .route("/bomb.ics", get(bomb))
            .route("/big-length.ics", get(big_with_length))
            .route("/big-streamed.ics", get(big_streamed))
            .route("/slow.ics", get(slow))
            .route("/private.ics", get(|| async { StatusCode::UNAUTHORIZED }))
            .route("/forbidden.ics", get(|| async { StatusCode::FORBIDDEN }))
            .route("/gone.ics", get(|| async { StatusCode::NOT_FOUND }))
            .route("/broken.ics", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
            .route("/hop/{n}", get(hop))
            .with_state(Arc::clone(&counters))
            .merge(redirects);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { address, counters }
    }

    pub fn url(&self, path: &str) -> OutgoingUrl {
        OutgoingUrl::parse(&format!("http://{}{path}", self.address)).unwrap()
    }

    fn named_url(&self, host: &str, path: &str) -> OutgoingUrl {
        OutgoingUrl::parse(&format!("http://{host}:{}{path}", self.address.port())).unwrap()
    }

    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// Private addresses refused, the test server trusted, the test's host table. The timeout is
/// generous, as a loaded CI machine needs; the slow answer's test sets its own.
fn config() -> OutgoingConfig {
    OutgoingConfig {
        policy: AddressPolicy { allow_private_addresses: false, trusted_addresses: vec![ip("127.0.0.1")] },
        timeout: Duration::from_secs(10),
        max_body_bytes: LIMIT,
        hosts: [
            ("calendar.test".to_owned(), vec![ip("127.0.0.1")]),
            ("intranet.test".to_owned(), vec![ip("10.0.0.1")]),
        ]
        .into_iter()
        .collect(),
        ..OutgoingConfig::default()
    }
}

fn client() -> OutgoingClient {
    OutgoingClient::new(config()).unwrap()
}

fn options() -> ReadOptions {
    let window = Window::new(
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap(),
    );
    ReadOptions::new(window.unwrap(), TimeZone::HELSINKI)
}

#[tokio::test]
async fn etag_and_last_modified_make_conditional_requests() {
    let server = Server::start().await;
    let client = client();
    let url = server.url("/feed.ics");
    let Refreshed::Read { calendar, validators } =
        refresh(&client, &url, &Validators::default(), &options()).await.unwrap()
    else {
        panic!("a first read")
    };
    assert_eq!(calendar.blocks.len(), 1);
    assert_eq!(validators, Validators { etag: Some(ETAG.into()), last_modified: Some(LAST_MODIFIED.into()) });
    assert_eq!(refresh(&client, &url, &validators, &options()).await.unwrap(), Refreshed::NotModified);
    assert_eq!(server.requests(), 2);

    let dated = server.url("/dated.ics");
    let Fetched::Modified { validators, .. } = client.get(&dated, &Validators::default()).await.unwrap() else {
        panic!("a first read")
    };
    assert_eq!(validators.etag, None);
    assert_eq!(client.get(&dated, &validators).await.unwrap(), Fetched::NotModified);
}

#[tokio::test]
async fn gzip_answers_are_read() {
    let server = Server::start().await;
    let Fetched::Modified { body, .. } = client().get(&server.url("/gzip.ics"), &Validators::default()).await.unwrap()
    else {
        panic!("a body")
    };
    assert_eq!(body, FEED.as_bytes());
}

#[tokio::test]
async fn the_limits_hold() {
    let server = Server::start().await;
    let client = client();
    let get = |path: &'static str| {
        let url = server.url(path);
        let client = client.clone();
        async move { client.get(&url, &Validators::default()).await }
    };
    assert_eq!(get("/big-length.ics").await, Err(FetchError::TooLarge { limit: LIMIT }));
    assert_eq!(get("/big-streamed.ics").await, Err(FetchError::TooLarge { limit: LIMIT }));
    assert_eq!(get("/bomb.ics").await, Err(FetchError::TooLarge { limit: LIMIT }), "counted after decoding");
    // The slow answer takes 3 s; this client waits 300 ms.
    let impatient = OutgoingClient::new(OutgoingConfig { timeout: Duration::from_millis(300), ..config() }).unwrap();
    assert_eq!(
        impatient.get(&server.url("/slow.ics"), &Validators::default()).await,
        Err(FetchError::Timeout { seconds: 1 })
    );
    let message = FetchError::TooLarge { limit: LIMIT }.to_string();
    assert_eq!(message, "the answer is larger than the limit of 65536 bytes");
}

#[tokio::test]
async fn statuses_are_named() {
    let server = Server::start().await;
    let client = client();
    let get = |path: &'static str| {
        let url = server.url(path);
        let client = client.clone();
        async move { client.get(&url, &Validators::default()).await }
    };
    assert_eq!(get("/private.ics").await, Err(FetchError::Unauthorized));
    assert_eq!(FetchError::Unauthorized.to_string(), "the server refused the user name or password");
    assert_eq!(get("/forbidden.ics").await, Err(FetchError::Forbidden));
    assert_eq!(get("/gone.ics").await, Err(FetchError::NotFound { status: 404 }));
    assert_eq!(get("/broken.ics").await, Err(FetchError::Status { status: 500 }));
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let server = Server::start().await;
    let client = client();
    let get = |path: String| {
        let url = server.url(&path);
        let client = client.clone();
        async move { client.get(&url, &Validators::default()).await }
    };
    assert!(matches!(get("/hop/2".into()).await, Ok(Fetched::Modified { .. })), "3 redirects are allowed");
    assert_eq!(get("/hop/3".into()).await, Err(FetchError::TooManyRedirects { limit: 3 }));
    assert_eq!(get("/redirect/loop".into()).await, Err(FetchError::TooManyRedirects { limit: 3 }));
    // A caller that never follows (webhooks) gets the 3xx as the answer.
    let never = OutgoingClient::new(OutgoingConfig { max_redirects: 0, ..config() }).unwrap();
    assert_eq!(never.get(&server.url("/hop/0"), &Validators::default()).await, Err(FetchError::Status { status: 302 }));
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused() {
    let server = Server::start().await;
    let client = client();
    let before = server.requests();
    for (path, address) in [
        ("/redirect/private-ip", "10.0.0.1"),
        ("/redirect/private-name", "10.0.0.1"),
        ("/redirect/mapped", "::ffff:10.0.0.1"),
        ("/redirect/metadata", "169.254.169.254"),
    ] {
        let answer = client.get(&server.url(path), &Validators::default()).await;
        assert_eq!(answer, Err(FetchError::AddressNotAllowed { address: ip(address) }), "{path}");
    }
    assert_eq!(
        client.get(&server.url("/redirect/file"), &Validators::default()).await,
        Err(FetchError::UnsupportedScheme { scheme: "file".into() })
    );
    assert_eq!(
        client.get(&server.url("/redirect/credentials"), &Validators::default()).await,
        Err(FetchError::CredentialsInUrl)
    );
    assert_eq!(server.requests(), before, "no redirect reached the feed");
}

#[tokio::test]
async fn private_addresses_are_refused_before_connecting() {
    let server = Server::start().await;
    // No address trusted: the test server itself is private.
    let strict = OutgoingClient::new(OutgoingConfig { policy: AddressPolicy::default(), ..config() }).unwrap();
    for url in [
        server.url("/feed.ics"),
        server.named_url("calendar.test", "/feed.ics"),
        server.named_url("localhost", "/feed.ics"),
        server.named_url("intranet.test", "/feed.ics"),
        OutgoingUrl::parse("http://10.0.0.1/feed.ics").unwrap(),
        OutgoingUrl::parse("http://[::1]/feed.ics").unwrap(),
    ] {
        let answer = strict.get(&url, &Validators::default()).await;
        assert!(matches!(answer, Err(FetchError::AddressNotAllowed { .. })), "{url:?}: {answer:?}");
    }
    assert_eq!(server.requests(), 0, "nothing reached the server");
    // With private addresses allowed (tests, on-premise), the same name is fetched.
    let open = OutgoingClient::new(OutgoingConfig {
        policy: AddressPolicy { allow_private_addresses: true, trusted_addresses: Vec::new() },
        ..config()
    })
    .unwrap();
    assert!(open.get(&server.named_url("calendar.test", "/feed.ics"), &Validators::default()).await.is_ok());
    assert_eq!(server.requests(), 1);
}

#[test]
fn errors_never_carry_the_url() {
    let secret = "private-0123456789abcdef0123456789";
    let url =
        OutgoingUrl::parse(&format!("https://calendar.google.com/calendar/ical/a%40b.fi/{secret}/basic.ics")).unwrap();
    assert_eq!(url.masked(), "https://calendar.google.com/calendar/ical/a%40b.fi/private-****/basic.ics");
    for error in [
        FetchError::AddressNotAllowed { address: ip("10.0.0.1") },
        FetchError::Timeout { seconds: 10 },
        FetchError::Connection,
        FetchError::Dns,
    ] {
        assert!(!error.to_string().contains("0123456789"));
    }
}
