//! A pool of SMTP connections with `TCP_NODELAY`, built on lettre's connection type.
//!
//! Why not lettre's own pooled `AsyncSmtpTransport`: in lettre 0.11.23 its sockets keep
//! Nagle's algorithm on, and it writes a message's body and the closing `\r\n.\r\n` as two
//! writes. Nagle holds the five-byte end until the server acknowledges the body, and the
//! server's delayed ACK takes 40 ms on Linux — so every message costs 40 ms, about 23 messages
//! a second per connection whatever the server can do (measured; fixed upstream by lettre's
//! pull request 1159, not yet released). Here the socket is ours: we connect it, switch Nagle
//! off, and hand it to lettre's `AsyncSmtpConnection`, which still speaks the protocol (EHLO,
//! STARTTLS, AUTH, MAIL/RCPT/DATA, dot-stuffing).
//!
//! URLs as lettre reads them: `smtp://host:port` (plain), `?tls=required` (STARTTLS, refused
//! if the server does not offer it), `?tls=opportunistic`, credentials as
//! `smtp://user:password@host`. `smtps://` (TLS from the first byte) goes through lettre's
//! transport, Nagle and all: lettre gives no way to put its TLS on a socket of ours.

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// A connection idle longer than this is checked with NOOP before it carries a message.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

/// How a connection is secured.
#[derive(Clone)]
enum Security {
    /// Plain text (a local relay).
    Plain,
    /// STARTTLS, required or only when offered.
    StartTls { parameters: TlsParameters, required: bool },
}

/// Why a message did not go through the pool.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The server could not be reached.
    #[error("connecting to the SMTP server: {0}")]
    Connect(std::io::Error),
    /// The SMTP exchange failed (the server's answer or the connection).
    #[error("{0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The server did not answer in time.
    #[error("the SMTP server did not answer within {0:?}")]
    Timeout(Duration),
}

impl PoolError {
    /// Whether the server refused the message itself (5xx): retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Smtp(error) if error.is_permanent())
    }
}

/// Why a URL is not usable (never repeating the URL: it may hold a password).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

/// Pooled, Nagle-free SMTP connections to one server.
pub struct SmtpPool {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    permits: Semaphore,
}

impl std::fmt::Debug for SmtpPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the credentials.
        f.debug_struct("SmtpPool").field("host", &self.host).field("port", &self.port).finish()
    }
}

impl SmtpPool {
    /// A pool for an `smtp://` URL with at most `size` connections; `None` for `smtps://`
    /// (see the module notes), an error for anything else.
    pub fn from_url(url: &str, size: u32, timeout: Duration) -> Result<Option<Self>, UrlError> {
        let url = url::Url::parse(url).map_err(|e| UrlError(format!("not a URL: {e}")))?;
        match url.scheme() {
            "smtp" => {}
            "smtps" => return Ok(None),
            other => return Err(UrlError(format!("unknown scheme {other:?} (use smtp or smtps)"))),
        }
        let host = url.host_str().ok_or_else(|| UrlError("no host".to_owned()))?.to_owned();
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let security = match tls.as_deref() {
            None => Security::Plain,
            Some(mode @ ("required" | "opportunistic")) => Security::StartTls {
                parameters: TlsParameters::new(host.clone()).map_err(|e| UrlError(format!("TLS: {e}")))?,
                required: mode == "required",
            },
            Some(other) => return Err(UrlError(format!("tls={other:?} (use required or opportunistic)"))),
        };
        let port = url.port().unwrap_or(if matches!(security, Security::Plain) { 25 } else { 587 });
        let decode = |s: &str| percent_decode(s);
        let credentials = (!url.username().is_empty())
            .then(|| Credentials::new(decode(url.username()), decode(url.password().unwrap_or(""))));
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let size = usize::try_from(size.max(1)).unwrap_or(1);
        Ok(Some(Self {
            host,
            port,
            security,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Semaphore::new(size),
        }))
    }

    /// Sends `message` to its envelope recipients over a pooled connection.
    pub async fn send(&self, message: &Message) -> Result<(), PoolError> {
        let _permit = self.permits.acquire().await.map_err(|_| PoolError::Timeout(Duration::ZERO))?;
        let mut connection = match self.checkout().await {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        let bytes = message.formatted();
        match tokio::time::timeout(self.timeout, connection.send(message.envelope(), &bytes)).await {
            Ok(Ok(_)) => {
                self.lock_idle().push((connection, Instant::now()));
                Ok(())
            }
            Ok(Err(error)) => {
                // A refused message leaves the session in an unknown state: start afresh.
                connection.abort().await;
                Err(error.into())
            }
            Err(_) => Err(PoolError::Timeout(self.timeout)),
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        // A panic while the lock was held cannot leave the list inconsistent (push/pop only).
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most recently used idle connection still alive, if any.
    async fn checkout(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut connection, since) = self.lock_idle().pop()?;
            if connection.has_broken() {
                continue;
            }
            if since.elapsed() < CHECK_AFTER_IDLE {
                return Some(connection);
            }
            match tokio::time::timeout(self.timeout, connection.test_connected()).await {
                Ok(true) => return Some(connection),
                _ => connection.abort().await,
            }
        }
    }

    /// A new connection: TCP with Nagle off, greeting and EHLO, STARTTLS, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, PoolError> {
        let connecting = async {
            let stream = TcpStream::connect((self.host.as_str(), self.port)).await.map_err(PoolError::Connect)?;
            stream.set_nodelay(true).map_err(PoolError::Connect)?;
            let mut connection = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
            if let Security::StartTls { parameters, required } = &self.security
                && (*required || connection.can_starttls())
            {
                connection.starttls(parameters.clone(), &self.hello).await?;
            }
            if let Some(credentials) = &self.credentials {
                connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await?;
            }
            Ok(connection)
        };
        tokio::time::timeout(self.timeout, connecting).await.map_err(|_| PoolError::Timeout(self.timeout))?
    }
}

/// `%XX` escapes of a URL's user or password undone (invalid ones kept as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let pool =
            SmtpPool::from_url("smtp://relay.example:2525", 4, Duration::from_secs(1)).expect("ok").expect("a pool");
        assert_eq!((pool.host.as_str(), pool.port), ("relay.example", 2525));
        assert!(matches!(pool.security, Security::Plain));
        let pool = SmtpPool::from_url("smtp://u%40x:p%3Aw@relay.example?tls=required", 4, Duration::from_secs(1))
            .expect("ok")
            .expect("a pool");
        assert_eq!(pool.port, 587);
        assert!(matches!(pool.security, Security::StartTls { required: true, .. }));
        assert!(pool.credentials.is_some());
        assert!(!format!("{pool:?}").contains("p:w"), "no password in Debug");
        assert!(SmtpPool::from_url("smtps://relay.example", 4, Duration::from_secs(1)).expect("ok").is_none());
        assert!(SmtpPool::from_url("smtp://relay.example?tls=maybe", 4, Duration::from_secs(1)).is_err());
        assert!(SmtpPool::from_url("http://relay.example", 4, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%3A%zz"), "a@b:%zz");
    }
}
