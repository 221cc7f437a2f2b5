//! A TCP proxy in front of the test PostgreSQL server that a test can cut and restore: a
//! database outage without root and without disturbing the other tests on the same server.
//!
//! Cut, it closes every connection it carries (the client sees the server go away mid-
//! conversation) and stops listening (a new connection is refused, as when PostgreSQL is
//! stopped). Restored, it listens on the same port again, so the store's URL stays valid.
//!
//! The port is chosen below the kernel's range of ephemeral ports (32768 and up on Linux), so
//! that while the proxy is cut no `bind` to port 0 elsewhere can take it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// The lowest and one past the highest port tried.
const PORTS: (u16, u16) = (20_000, 32_000);

/// A cuttable TCP proxy on 127.0.0.1. Stops when dropped.
#[derive(Debug, Clone)]
pub struct DbProxy {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    port: u16,
    upstream: String,
    running: Mutex<Running>,
}

/// The tasks of a proxy that is up: the one accepting, and one per connection carried.
#[derive(Debug, Default)]
struct Running {
    accepting: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

fn listen(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(128)
}

impl DbProxy {
    /// A proxy to the server of `url` (`postgres://user@host:port/db`), listening.
    pub async fn start(url: &str) -> Self {
        let parsed = url::Url::parse(url).expect("a database URL");
        let upstream = format!("{}:{}", parsed.host_str().unwrap_or("127.0.0.1"), parsed.port().unwrap_or(5432));
        let mut tried = 0;
        let (port, listener) = loop {
            let port = PORTS.0 + rand::random::<u16>() % (PORTS.1 - PORTS.0);
            match listen(port) {
                Ok(listener) => break (port, listener),
                Err(error) => {
                    tried += 1;
                    assert!(tried < 100, "no free port for the proxy: {error}");
                }
            }
        };
        let proxy = Self { inner: Arc::new(Inner { port, upstream, running: Mutex::new(Running::default()) }) };
        proxy.serve(listener);
        proxy
    }

    /// `url` pointing at the proxy instead of the server (user, database and query kept).
    pub fn url(&self, url: &str) -> String {
        let mut parsed = url::Url::parse(url).expect("a database URL");
        parsed.set_host(Some("127.0.0.1")).expect("a host can be set");
        parsed.set_port(Some(self.inner.port)).expect("a port can be set");
        parsed.to_string()
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The outage: every connection carried is closed, and new ones are refused.
    pub fn cut(&self) {
        let mut running = self.lock();
        if let Some(accepting) = running.accepting.take() {
            accepting.abort();
        }
        for connection in running.connections.lock().expect("the connection list").drain(..) {
            connection.abort();
        }
    }

    /// The end of the outage: listening again on the same port.
    pub async fn restore(&self) {
        let mut tried = 0;
        let listener = loop {
            // The aborted accept task releases its socket when it is dropped, a moment later.
            match listen(self.inner.port) {
                Ok(listener) => break listener,
                Err(error) => {
                    tried += 1;
                    assert!(tried < 200, "the proxy's port {} cannot be bound again: {error}", self.inner.port);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        self.serve(listener);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.inner.running.lock().expect("the proxy's state")
    }

    fn serve(&self, listener: TcpListener) {
        let mut running = self.lock();
        let connections = running.connections.clone();
        let upstream = self.inner.upstream.clone();
        running.accepting = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let carried = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                let mut list = connections.lock().expect("the connection list");
                list.retain(|task| !task.is_finished());
                list.push(carried);
            }
        }));
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let running = self.running.get_mut().expect("the proxy's state");
        if let Some(accepting) = running.accepting.take() {
            accepting.abort();
        }
        for connection in running.connections.lock().expect("the connection list").drain(..) {
            connection.abort();
        }
    }
}
