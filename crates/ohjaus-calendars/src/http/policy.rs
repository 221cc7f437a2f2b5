//! The address policy: which IP addresses Ohjaus may connect to when it fetches someone's
//! calendar (or, later, delivers a webhook) — the defence against server-side request forgery,
//! where a user names an address inside our own network (a database, a cloud's metadata
//! service at 169.254.169.254) and lets the server fetch it for them.
//!
//! Only public unicast addresses are allowed, unless the installation allows private ones
//! (tests, an on-premise CalDAV server) or trusts a few addresses by name. The check is made
//! on the addresses a host name *resolves to* ([`PolicyResolver`], reqwest's resolver: a name
//! that resolves to 10.0.0.1 is refused before any connection, and so is every redirect hop,
//! which goes through the same resolver) and on IP literals in a URL, which reqwest connects
//! to without resolving ([`AddressPolicy::check_url`], called for the first URL and every
//! redirect).

use super::FetchError;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918), shared
/// (CGNAT, 100.64.0.0/10), link-local, unique-local (fc00::/7), unspecified, multicast,
/// broadcast, reserved or documentation space — nor an IPv4-mapped, IPv4-compatible, NAT64
/// or 6to4 form of one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network", 0.0.0.0/8
        || ip.is_loopback()
        || ip.is_private()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || ip.is_link_local()
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || ip.is_documentation()
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || ip.is_multicast()
        || a >= 240) // reserved, and the broadcast address
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    match segments {
        // IPv4-compatible (deprecated) ::a.b.c.d, and :: and ::1 themselves.
        [0, 0, 0, 0, 0, 0, ..] => false,
        // NAT64, 64:ff9b::/96: the IPv4 address is the last 32 bits.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        // 6to4, 2002::/16: the IPv4 address follows the prefix.
        [0x2002, hi, lo, ..] => is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))),
        // Teredo (2001::/32) hides its destination; documentation (2001:db8::/32).
        [0x2001, 0 | 0xdb8, ..] => false,
        [first, ..] => {
            !((first & 0xfe00) == 0xfc00 // unique local, fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
                || (first & 0xff00) == 0xff00) // multicast
        }
    }
}

/// Which addresses may be connected to.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Allow every address, private ones included (tests, on-premise installations).
    pub allow_private_addresses: bool,
    /// Addresses allowed even though they are not public (one on-premise server, say).
    pub trusted_addresses: Vec<IpAddr>,
}

impl AddressPolicy {
    /// Whether a connection to `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allow_private_addresses || is_public(ip) || self.trusted_addresses.contains(&canonical(ip))
    }

    /// Refuses a URL whose host is an IP literal the policy does not allow (a host name is
    /// checked when it resolves).
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if self.allows(ip) { Ok(()) } else { Err(FetchError::AddressNotAllowed { address: ip }) }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The resolver reqwest uses: the system's (or fixed answers for named hosts), with every
/// address the policy does not allow removed; a name left with none is refused.
#[derive(Debug)]
pub(crate) struct PolicyResolver {
    pub policy: Arc<AddressPolicy>,
    /// Fixed answers, like an /etc/hosts of this client's own.
    pub hosts: Arc<HashMap<String, Vec<IpAddr>>>,
}

/// The error a refused resolution or redirect carries through reqwest, to be found again in
/// its error chain.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct PolicyViolation(pub FetchError);

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let hosts = Arc::clone(&self.hosts);
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            let found: Vec<IpAddr> = match hosts.get(&host) {
                Some(fixed) => fixed.clone(),
                None => tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map_err(|_| PolicyViolation(FetchError::Dns))?
                    .map(|a| a.ip())
                    .collect(),
            };
            let refused = found.iter().copied().find(|ip| !policy.allows(*ip));
            let allowed: Vec<SocketAddr> =
                found.into_iter().filter(|ip| policy.allows(*ip)).map(|ip| SocketAddr::new(ip, 0)).collect();
            match (allowed.is_empty(), refused) {
                (true, Some(address)) => Err(PolicyViolation(FetchError::AddressNotAllowed { address }).into()),
                (true, None) => Err(PolicyViolation(FetchError::Dns).into()),
                (false, _) => {
                    let addrs: Addrs = Box::new(allowed.into_iter());
                    Ok(addrs)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for refused in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(!is_public(ip(refused)), "{refused} must be refused");
        }
        for allowed in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(allowed)), "{allowed} must be allowed");
        }
    }

    #[test]
    fn the_policy_allows_what_it_trusts() {
        let policy = AddressPolicy { allow_private_addresses: false, trusted_addresses: vec![ip("127.0.0.1")] };
        assert!(policy.allows(ip("127.0.0.1")));
        assert!(policy.allows(ip("::ffff:127.0.0.1")));
        assert!(!policy.allows(ip("127.0.0.2")));
        assert!(AddressPolicy { allow_private_addresses: true, ..AddressPolicy::default() }.allows(ip("10.0.0.1")));
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(policy.check_url(&url("http://10.0.0.1/x")).is_err());
        assert!(policy.check_url(&url("http://[::ffff:a00:1]/x")).is_err());
        // The WHATWG parser reads odd IPv4 spellings as the address they are.
        assert!(policy.check_url(&url("http://0x7f.1/x")).is_ok(), "127.0.0.1 is trusted here");
        assert!(policy.check_url(&url("http://0xa.0.0.1/x")).is_err());
        assert!(policy.check_url(&url("http://calendar.example/x")).is_ok(), "names are checked when resolved");
    }
}
