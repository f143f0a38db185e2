//! The client's address behind reverse proxies.
//!
//! Each proxy appends the address it received the request from to `X-Forwarded-For`, so the
//! chain read right to left is trustworthy only as far as the proxies are ours: the client is
//! the rightmost address that is not one of our proxies. Entries further left were written by
//! the client and are ignored.
use std::net::IpAddr;

use actix_web::{HttpRequest, http::header::HeaderName};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The reverse proxies whose `X-Forwarded-For` entries are believed (`PRIX_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or CIDR ranges, e.g. `10.0.0.0/8, ::1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is neither an IP address nor a CIDR range"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|range| range.contains(&address))
    }

    /// The client behind `peer` (the TCP peer), given the `X-Forwarded-For` values in order.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let chain: Vec<&str> = forwarded_for
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in chain.iter().rev() {
            // An entry that is not an address was not written by one of our proxies: the
            // last address we trust is as far as the chain can be followed.
            let Ok(address) = entry.parse::<IpAddr>() else {
                return client;
            };
            client = address;
            if !self.contains(address) {
                return address;
            }
        }
        client
    }
}

/// The client as rate limits count it: the TCP peer, or, when the peer is a trusted proxy, the
/// rightmost address of the forwarded chain that is not a trusted proxy; an IPv6 client by
/// its /64 network, which one subscriber holds whole.
pub fn client_ip(request: &HttpRequest, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = request.peer_addr()?.ip();
    let forwarded_for = request
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok());
    Some(network_of(trusted.client(peer, forwarded_for)))
}

fn network_of(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn client(trusted: &str, peer: &str, chain: &[&str]) -> IpAddr {
        TrustedProxies::parse(trusted)
            .unwrap()
            .client(ip(peer), chain.iter().copied())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            client("", "203.0.113.9", &["198.51.100.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_cannot_forward_for_anyone() {
        assert_eq!(
            client("10.0.0.0/8", "203.0.113.9", &["198.51.100.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_address_not_a_trusted_proxy() {
        // The client wrote the leftmost entries itself; our proxy appended its real address.
        assert_eq!(
            client(
                "10.0.0.0/8",
                "10.0.0.2",
                &["1.1.1.1, 2.2.2.2", "198.51.100.7"]
            ),
            ip("198.51.100.7")
        );
        // Two proxies of ours in a row.
        assert_eq!(
            client(
                "10.0.0.0/8, 192.0.2.10",
                "10.0.0.2",
                &["1.1.1.1, 198.51.100.7, 192.0.2.10"]
            ),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_forged_or_missing_chain_stops_at_the_last_trusted_hop() {
        assert_eq!(client("10.0.0.0/8", "10.0.0.2", &[]), ip("10.0.0.2"));
        assert_eq!(
            client("10.0.0.0/8", "10.0.0.2", &["198.51.100.7, unknown"]),
            ip("10.0.0.2")
        );
        assert_eq!(
            client("10.0.0.0/8", "10.0.0.2", &["10.0.0.3"]),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        assert_eq!(
            client("127.0.0.1", "::ffff:127.0.0.1", &["198.51.100.7"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        assert_eq!(network_of(ip("2001:db8:1:2::d")), ip("2001:db8:1:2::"));
        assert_eq!(network_of(ip("2001:db8:1:2:ffff::1")), ip("2001:db8:1:2::"));
        assert_eq!(network_of(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(network_of(ip("192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(
            TrustedProxies::parse("10.0.0.0/8, proxy.local")
                .unwrap_err()
                .contains("proxy.local")
        );
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }
}
