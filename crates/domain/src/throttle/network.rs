//! The client networks that per-client limits count against: one holder of
//! an IPv6 /64 has 2^64 addresses, so counting by address would limit
//! nothing over IPv6.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How wide a client's network is taken to be, per address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkPrefixes {
    /// The prefix length of an IPv4 client's network (32: the address).
    pub ipv4: u8,
    /// The prefix length of an IPv6 client's network (64: one subnet, the
    /// least a provider hands out).
    pub ipv6: u8,
    /// The prefix length of an IPv6 client's wider network (48: one site),
    /// counted as well, with a higher limit, so that a holder of many /64s
    /// does not get many limits.
    pub ipv6_wide: u8,
}

/// A network, as `address/prefix` with the host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

/// The networks one client counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientNetworks {
    /// The client's own network.
    pub narrow: Network,
    /// The wider network around it, for IPv6 clients only.
    pub wide: Option<Network>,
}

impl NetworkPrefixes {
    /// The usual prefixes: an IPv4 address, an IPv6 /64 inside its /48.
    pub const DEFAULT: Self = Self {
        ipv4: 32,
        ipv6: 64,
        ipv6_wide: 48,
    };

    /// The networks of a client at `ip`. An IPv4 address mapped into IPv6
    /// counts as the IPv4 address it is.
    #[must_use]
    pub fn of(&self, ip: IpAddr) -> ClientNetworks {
        match ip.to_canonical() {
            IpAddr::V4(v4) => ClientNetworks {
                narrow: Network::v4(v4, self.ipv4),
                wide: None,
            },
            IpAddr::V6(v6) => ClientNetworks {
                narrow: Network::v6(v6, self.ipv6),
                wide: Some(Network::v6(v6, self.ipv6_wide.min(self.ipv6))),
            },
        }
    }
}

impl Network {
    fn v4(address: Ipv4Addr, prefix: u8) -> Self {
        let prefix = prefix.min(32);
        let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
        Self {
            base: IpAddr::V4(Ipv4Addr::from(u32::from(address) & mask)),
            prefix,
        }
    }

    fn v6(address: Ipv6Addr, prefix: u8) -> Self {
        let prefix = prefix.min(128);
        let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
        Self {
            base: IpAddr::V6(Ipv6Addr::from(u128::from(address) & mask)),
            prefix,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks(ip: &str) -> (String, Option<String>) {
        let of = NetworkPrefixes::DEFAULT.of(ip.parse().expect("an address"));
        (of.narrow.to_string(), of.wide.map(|wide| wide.to_string()))
    }

    #[test]
    fn an_ipv4_client_is_its_address() {
        assert_eq!(networks("203.0.113.9"), ("203.0.113.9/32".into(), None));
        assert_eq!(
            networks("::ffff:203.0.113.9"),
            ("203.0.113.9/32".into(), None),
            "a mapped address is the IPv4 address"
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_inside_its_48() {
        let expected = (
            "2001:db8:1:2::/64".to_owned(),
            Some("2001:db8:1::/48".to_owned()),
        );

        assert_eq!(networks("2001:db8:1:2::1"), expected);
        assert_eq!(networks("2001:db8:1:2:ffff:ffff:ffff:ffff"), expected);
        assert_ne!(networks("2001:db8:1:3::1").0, expected.0);
        assert_eq!(networks("2001:db8:1:3::1").1, expected.1);
    }

    #[test]
    fn prefixes_are_configurable_and_the_wide_one_is_never_narrower() {
        let prefixes = NetworkPrefixes {
            ipv4: 24,
            ipv6: 56,
            ipv6_wide: 60,
        };
        let v4 = prefixes.of("203.0.113.9".parse().expect("an address"));
        let v6 = prefixes.of("2001:db8:1:2ff::1".parse().expect("an address"));

        assert_eq!(v4.narrow.to_string(), "203.0.113.0/24");
        assert_eq!(v6.narrow.to_string(), "2001:db8:1:200::/56");
        assert_eq!(
            v6.wide.map(|w| w.to_string()).as_deref(),
            Some("2001:db8:1:200::/56")
        );
        assert_eq!(
            NetworkPrefixes {
                ipv4: 0,
                ipv6: 0,
                ipv6_wide: 0
            }
            .of("2001:db8::1".parse().expect("an address"))
            .narrow
            .to_string(),
            "::/0"
        );
    }
}
