//! The client's IP address, as far as it can be known without being fooled.
//!
//! Behind a reverse proxy the socket's peer is the proxy, and the client's
//! address travels in `X-Forwarded-For`. But any client can send that
//! header itself, with whatever it likes in it, so the header is believed
//! only as far as proxies we run vouch for it: starting from the socket's
//! peer, each hop is taken as the next entry to its left only while the hop
//! that reported it is a trusted proxy. The first address that is not one
//! of ours is the client (the "rightmost untrusted hop"); whatever a client
//! wrote further left is ignored.
//!
//! actix-web's own `ConnectionInfo::realip_remote_addr` believes the header
//! from anyone, which is why it must not stand in for this.

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Once;

use actix_web::HttpRequest;
use actix_web::http::header::X_FORWARDED_FOR;
use ipnet::{IpNet, Ipv4Net};

/// The reverse proxies whose `X-Forwarded-For` entries are believed.
///
/// The default trusts no proxy: the client is then always the socket's peer,
/// which is the only safe reading when nothing is known of the deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
}

/// An entry of a trusted proxy list that is neither an IP network in CIDR
/// notation nor a bare IP address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trusted proxy `{entry}` is neither an IP network (CIDR) nor an IP address")]
pub struct InvalidTrustedProxy {
    /// The offending entry, trimmed.
    pub entry: String,
}

impl TrustedProxies {
    /// Parses a comma-separated list of networks in CIDR notation or bare
    /// addresses, such as `"10.0.0.0/8, 192.168.1.7, ::1/128"`.
    ///
    /// An empty (or blank) string gives an empty list; any other empty or
    /// unreadable entry is an error naming it, since a typo in this list
    /// silently changes whom the service believes.
    ///
    /// # Errors
    ///
    /// [`InvalidTrustedProxy`] for the first entry that does not parse.
    pub fn parse(list: &str) -> Result<Self, InvalidTrustedProxy> {
        if list.trim().is_empty() {
            return Ok(Self::default());
        }
        let networks = list
            .split(',')
            .map(|entry| parse_network(entry.trim()))
            .collect::<Result<_, _>>()?;
        Ok(Self { networks })
    }

    /// Whether `ip` (already normalised) lies in a trusted network.
    fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|network| network.contains(&ip))
    }

    /// The client's address, given the socket's `peer` and the raw value of
    /// every `X-Forwarded-For` header line of the request, in order.
    ///
    /// An untrusted peer is the client, whatever the header says. Behind a
    /// trusted peer, the header's entries (all lines joined in order) are
    /// walked from right to left past every trusted address, and the first
    /// untrusted one is the client. An entry that cannot be read as an
    /// address stops the walk at the last trusted hop (the entry to its
    /// right, or the peer): what lies left of it was written by someone we
    /// cannot vouch for. When every entry is trusted, the leftmost is the
    /// answer.
    ///
    /// Entries may be plain addresses, bracketed IPv6 addresses, or carry a
    /// `:port` (`203.0.113.9:4711`, `[2001:db8::1]:4711`). IPv4-mapped IPv6
    /// addresses (`::ffff:203.0.113.9`) are treated, and answered, as IPv4.
    #[must_use]
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let lines: Vec<&str> = forwarded_for.collect();
        let mut last_trusted = peer;
        for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
            match parse_hop(entry) {
                Some(hop) if self.trusts(hop) => last_trusted = hop,
                Some(hop) => return hop,
                None => return last_trusted,
            }
        }
        last_trusted
    }

    /// The client's address of an actix-web request, from its socket's peer
    /// and its `X-Forwarded-For` header lines, as [`Self::client_ip`] reads
    /// them. For middleware, `ServiceRequest::request()` gives the request.
    ///
    /// `None` only when actix-web knows no peer address, as for requests
    /// built in tests. Header bytes that are not UTF-8 make their entry
    /// unreadable, which stops the walk there.
    #[must_use]
    pub fn client_ip_of(&self, request: &HttpRequest) -> Option<IpAddr> {
        let peer = request.peer_addr()?.ip();
        let lines: Vec<Cow<'_, str>> = request
            .headers()
            .get_all(X_FORWARDED_FOR)
            .map(|value| String::from_utf8_lossy(value.as_bytes()))
            .collect();
        if self.looks_like_an_unlisted_proxy(peer, !lines.is_empty()) {
            UNLISTED_PROXY_WARNING.call_once(|| {
                // No address: it is personal data, and the setting is the
                // point.
                tracing::warn!(
                    "X-Forwarded-For arrived from a private address that is not a trusted \
                     proxy: behind a proxy or an ingress, set DOORMAN_TRUSTED_PROXIES, or \
                     every client counts as the proxy (this is said once)"
                );
            });
        }
        Some(self.client_ip(peer, lines.iter().map(AsRef::as_ref)))
    }

    /// Whether a request from `peer` that carried `X-Forwarded-For` (or
    /// not) is the likely sign of a proxy missing from the list: clients on
    /// the internet do not come from private addresses, proxies do.
    fn looks_like_an_unlisted_proxy(&self, peer: IpAddr, forwarded: bool) -> bool {
        let peer = peer.to_canonical();
        forwarded && !self.trusts(peer) && is_private(peer)
    }
}

/// The warning of a proxy missing from the list, given once per process.
static UNLISTED_PROXY_WARNING: Once = Once::new();

/// Loopback, private (RFC 1918, shared 100.64.0.0/10), link-local, or IPv6
/// unique-local: where proxies and ingresses live, and internet clients do
/// not.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let shared = Ipv4Net::new(std::net::Ipv4Addr::new(100, 64, 0, 0), 10)
                .is_ok_and(|network| network.contains(&v4));
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || shared
        }
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}

impl FromStr for TrustedProxies {
    type Err = InvalidTrustedProxy;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        Self::parse(list)
    }
}

impl fmt::Display for TrustedProxies {
    /// The list as [`TrustedProxies::parse`] reads it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, network) in self.networks.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{network}")?;
        }
        Ok(())
    }
}

/// One trusted proxy entry: a network in CIDR notation or a bare address
/// (a network of that address alone), with IPv4-mapped IPv6 networks turned
/// into the IPv4 networks they stand for, as addresses are.
fn parse_network(entry: &str) -> Result<IpNet, InvalidTrustedProxy> {
    let network = entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| InvalidTrustedProxy {
            entry: entry.to_owned(),
        })?;
    Ok(canonical_network(network).trunc())
}

/// `::ffff:a.b.c.d/n` with `n >= 96` as `a.b.c.d/(n - 96)`; any other
/// network unchanged.
fn canonical_network(network: IpNet) -> IpNet {
    let IpNet::V6(v6) = network else {
        return network;
    };
    let Some(prefix) = v6.prefix_len().checked_sub(96) else {
        return network;
    };
    v6.network()
        .to_ipv4_mapped()
        .and_then(|v4| Ipv4Net::new(v4, prefix).ok())
        .map_or(network, IpNet::V4)
}

/// One `X-Forwarded-For` entry as an address, or `None` if it is not one.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .or_else(|| {
            entry
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<Ipv6Addr>()
                .ok()
                .map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}
