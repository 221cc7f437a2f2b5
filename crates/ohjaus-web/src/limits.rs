//! The rate limits of signing in, which anyone can ask for without an account:
//!
//! - **per address**: at most so many links to one email address an hour. Counted in the
//!   database (the links made for its owners), so every instance of the service sees the same
//!   count. Beyond it the asker gets the same "check your email" page and simply no new
//!   email: the answer must not tell whether the address is known, or limited.
//! - **per client address**: at most so many sign-in requests a minute from one IP address
//!   (an IPv6 address by its /64 network, which one client holds whole), counted in this
//!   process. Beyond it a 429 page with `Retry-After`.
//!
//! The client's address is the TCP peer's, unless `client_ip_header` names the header a
//! trusted reverse proxy sets (`X-Forwarded-For`: its last entry, the one the proxy itself
//! appended; `X-Real-IP`: its value). Set it only behind such a proxy: otherwise any client
//! could choose its own address.

use crate::state::WebState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};
use chrono::TimeDelta;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Client addresses kept before those whose allowance is whole again are forgotten.
const FORGET_ABOVE: usize = 10_000;

/// The window of the per-address count.
pub const ADDRESS_WINDOW: TimeDelta = TimeDelta::hours(1);

/// The limits of signing in.
#[derive(Debug, Clone)]
pub struct SignInLimits {
    /// Links sent to one address per hour, across instances; 0 is no limit.
    pub links_per_address_per_hour: u32,
    /// Sign-in requests per minute per client address, in this process; `None` is no limit.
    per_client: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    /// The header a trusted proxy puts the client's address in; `None`: the TCP peer's.
    pub client_ip_header: Option<HeaderName>,
}

impl Default for SignInLimits {
    /// The defaults of `config/default.toml`: 5 links an hour per address, 20 requests a
    /// minute per client address, the TCP peer's address.
    fn default() -> Self {
        Self::new(5, 20, None)
    }
}

impl SignInLimits {
    /// `links_per_address_per_hour` links per address, `requests_per_client_per_minute` sign-in
    /// requests per client address (0: no limit), the client's address from `client_ip_header`
    /// or the connection.
    pub fn new(
        links_per_address_per_hour: u32,
        requests_per_client_per_minute: u32,
        client_ip_header: Option<HeaderName>,
    ) -> Self {
        let per_client = NonZeroU32::new(requests_per_client_per_minute)
            .map(|n| Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))));
        Self { links_per_address_per_hour, per_client, client_ip_header }
    }

    /// Whether one more link may go to an address that has had `recent` in the last
    /// [`ADDRESS_WINDOW`].
    pub fn address_allows(&self, recent: u64) -> bool {
        self.links_per_address_per_hour == 0 || recent < u64::from(self.links_per_address_per_hour)
    }

    /// Counts a sign-in request from `client`; when over the allowance, how long until the
    /// next one is allowed. A request whose address is unknown is not counted.
    pub fn check_client(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let (Some(limiter), Some(client)) = (&self.per_client, client) else { return Ok(()) };
        if limiter.len() > FORGET_ABOVE {
            limiter.retain_recent();
        }
        limiter.check_key(&network_of(client)).map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// The client's address: from the trusted proxy's header when one is set, else the
    /// connection's `peer` (absent when the router is driven without a server).
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        match &self.client_ip_header {
            Some(name) => {
                let value = headers.get(name)?.to_str().ok()?;
                value.rsplit(',').next()?.trim().parse().ok()
            }
            None => peer,
        }
    }
}

/// The client's address as [`SignInLimits::client_ip`] finds it, for a handler.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<WebState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let peer =
            ConnectInfo::<SocketAddr>::from_request_parts(parts, state).await.ok().map(|ConnectInfo(peer)| peer.ip());
        Ok(Self(state.config.sign_in_limits.client_ip(&parts.headers, peer)))
    }
}

/// The key of an address: IPv4 whole; IPv6 by its /64 network (an IPv4-mapped one as IPv4).
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_its_ipv4_address_or_ipv6_network() {
        let v6 = |text: &str| network_of(text.parse().expect("an address"));
        assert_eq!(v6("2001:db8:1:2:aaaa::1"), v6("2001:db8:1:2:bbbb::2"));
        assert_ne!(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1"));
        assert_eq!(v6("::ffff:192.0.2.7"), "192.0.2.7".parse::<IpAddr>().expect("an address"));
    }

    #[test]
    fn the_allowance_is_per_client() {
        let limits = SignInLimits::new(5, 2, None);
        let a = Some("192.0.2.1".parse().expect("an address"));
        let b = Some("192.0.2.2".parse().expect("an address"));
        assert!(limits.check_client(a).is_ok() && limits.check_client(a).is_ok());
        let wait = limits.check_client(a).expect_err("the third within a minute");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        assert!(limits.check_client(b).is_ok(), "another client is not affected");
        assert!(limits.check_client(None).is_ok(), "an unknown address is not counted");
        assert!(limits.address_allows(4) && !limits.address_allows(5));
        assert!(SignInLimits::new(0, 0, None).address_allows(1_000));
    }
}
