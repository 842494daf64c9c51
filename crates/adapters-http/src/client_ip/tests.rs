use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::{HeaderValue, X_FORWARDED_FOR};
use actix_web::test::TestRequest;

use super::{InvalidTrustedProxy, TrustedProxies};

fn proxies(list: &str) -> TrustedProxies {
    list.parse().expect("a valid proxy list")
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("a valid address")
}

/// The client seen by `trusted` from `peer` with these header lines.
fn client(trusted: &str, peer: &str, lines: &[&str]) -> IpAddr {
    proxies(trusted).client_ip(ip(peer), lines.iter().copied())
}

#[test]
fn an_untrusted_peer_is_the_client_whatever_the_header_says() {
    assert_eq!(
        client("10.0.0.0/8", "198.51.100.7", &["10.0.0.5, 1.1.1.1"]),
        ip("198.51.100.7")
    );
}

#[test]
fn no_trusted_proxy_by_default_means_the_header_is_never_read() {
    let peer = ip("10.0.0.1");
    assert_eq!(
        TrustedProxies::default().client_ip(peer, ["203.0.113.9"].into_iter()),
        peer
    );
}

#[test]
fn behind_one_trusted_proxy_the_client_is_the_last_entry() {
    assert_eq!(
        client("10.0.0.1", "10.0.0.1", &["203.0.113.9"]),
        ip("203.0.113.9")
    );
}

#[test]
fn a_trusted_peer_without_the_header_is_the_client() {
    assert_eq!(client("10.0.0.1", "10.0.0.1", &[]), ip("10.0.0.1"));
}

#[test]
fn a_chain_of_two_trusted_proxies_is_walked_past() {
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["203.0.113.9, 10.0.0.2"]),
        ip("203.0.113.9")
    );
}

#[test]
fn a_spoofed_leftmost_entry_is_ignored() {
    assert_eq!(
        client("10.0.0.1", "10.0.0.1", &["1.1.1.1, 203.0.113.9"]),
        ip("203.0.113.9")
    );
}

#[test]
fn a_spoofed_trusted_looking_entry_does_not_reach_further_left() {
    // The client claims to be one of our proxies; the first untrusted hop
    // the real proxy reported still stops the walk.
    assert_eq!(
        client(
            "10.0.0.0/8",
            "10.0.0.1",
            &["1.1.1.1, 10.9.9.9, 203.0.113.9"]
        ),
        ip("203.0.113.9")
    );
}

#[test]
fn several_header_lines_are_joined_in_order() {
    assert_eq!(
        client(
            "10.0.0.0/8",
            "10.0.0.1",
            &["1.1.1.1", "203.0.113.9", "10.0.0.2"]
        ),
        ip("203.0.113.9")
    );
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["1.1.1.1, 10.0.0.3", "10.0.0.2"]),
        ip("1.1.1.1")
    );
}

#[test]
fn an_unreadable_entry_answers_the_last_trusted_hop() {
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["1.1.1.1, garbage, 10.0.0.2"]),
        ip("10.0.0.2")
    );
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["1.1.1.1, unknown"]),
        ip("10.0.0.1")
    );
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["1.1.1.1", ""]),
        ip("10.0.0.1")
    );
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["1.1.1.1, 10.0.0.2,"]),
        ip("10.0.0.1")
    );
}

#[test]
fn when_every_entry_is_trusted_the_leftmost_is_the_client() {
    assert_eq!(
        client(
            "10.0.0.0/8",
            "10.0.0.1",
            &["10.0.0.4, 10.0.0.3", "10.0.0.2"]
        ),
        ip("10.0.0.4")
    );
}

#[test]
fn ipv6_peers_proxies_and_entries_are_understood() {
    assert_eq!(
        client(
            "::1/128, 2001:db8:ffff::/48",
            "::1",
            &["2001:db8::7, 2001:db8:ffff::2"]
        ),
        ip("2001:db8::7")
    );
}

#[test]
fn bracketed_ipv6_and_ports_are_read() {
    let cases = [
        ("[2001:db8::7]", "2001:db8::7"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("203.0.113.9:4711", "203.0.113.9"),
        (" \t203.0.113.9 ", "203.0.113.9"),
    ];
    for (entry, expected) in cases {
        assert_eq!(
            client("10.0.0.1", "10.0.0.1", &[entry]),
            ip(expected),
            "{entry:?}"
        );
    }
    // A trusted hop with a port is still walked past.
    assert_eq!(
        client("10.0.0.0/8", "10.0.0.1", &["203.0.113.9, 10.0.0.2:8080"]),
        ip("203.0.113.9")
    );
}

#[test]
fn ipv4_mapped_addresses_are_normalised_to_ipv4() {
    // A mapped peer is matched against IPv4 networks.
    assert_eq!(
        client("10.0.0.0/8", "::ffff:10.0.0.1", &["203.0.113.9"]),
        ip("203.0.113.9")
    );
    // A mapped trusted entry is walked past, and the client is answered as IPv4.
    assert_eq!(
        client(
            "10.0.0.0/8",
            "10.0.0.1",
            &["::ffff:203.0.113.9, [::ffff:10.0.0.2]"]
        ),
        ip("203.0.113.9")
    );
    // An untrusted mapped peer is answered as IPv4 too.
    assert_eq!(
        client("10.0.0.0/8", "::ffff:198.51.100.7", &[]),
        ip("198.51.100.7")
    );
}

#[test]
fn ipv4_mapped_proxy_networks_match_ipv4_addresses() {
    assert_eq!(proxies("::ffff:10.0.0.0/104"), proxies("10.0.0.0/8"));
    assert_eq!(
        client("::ffff:10.0.0.0/104", "10.0.0.1", &["203.0.113.9"]),
        ip("203.0.113.9")
    );
}

#[test]
fn a_list_parses_networks_and_bare_addresses() {
    let list = proxies(" 10.0.0.0/8, 192.168.1.7,::1/128 ");
    assert_eq!(list.to_string(), "10.0.0.0/8, 192.168.1.7/32, ::1/128");
    assert_eq!(list.to_string().parse::<TrustedProxies>(), Ok(list.clone()));
    assert_eq!(
        list.client_ip(ip("192.168.1.7"), ["1.1.1.1"].into_iter()),
        ip("1.1.1.1")
    );
    assert_eq!(
        list.client_ip(ip("192.168.1.8"), ["1.1.1.1"].into_iter()),
        ip("192.168.1.8")
    );
}

#[test]
fn an_empty_list_trusts_no_proxy() {
    assert_eq!(proxies(""), TrustedProxies::default());
    assert_eq!(proxies("  "), TrustedProxies::default());
    assert_eq!(proxies("").to_string(), "");
}

#[test]
fn a_bad_entry_is_named_in_the_error() {
    let cases = [
        ("10.0.0.0/8, 10.0.0.300", "10.0.0.300"),
        ("10.0.0.0/33", "10.0.0.0/33"),
        ("10.0.0.0/8,, ::1", ""),
        ("proxy.internal", "proxy.internal"),
    ];
    for (list, entry) in cases {
        let error = TrustedProxies::parse(list).expect_err(list);
        assert_eq!(
            error,
            InvalidTrustedProxy {
                entry: entry.to_owned()
            }
        );
        assert!(error.to_string().contains(&format!("`{entry}`")), "{error}");
    }
}

fn peer(text: &str) -> SocketAddr {
    SocketAddr::new(ip(text), 40_000)
}

#[test]
fn a_request_is_read_from_its_peer_and_every_header_line() {
    let request = TestRequest::default()
        .peer_addr(peer("10.0.0.1"))
        .append_header((X_FORWARDED_FOR, "1.1.1.1, 203.0.113.9"))
        .append_header((X_FORWARDED_FOR, "10.0.0.2"))
        .to_http_request();
    assert_eq!(
        proxies("10.0.0.0/8").client_ip_of(&request),
        Some(ip("203.0.113.9"))
    );
}

#[test]
fn a_service_request_is_read_through_its_http_request() {
    let request = TestRequest::default()
        .peer_addr(peer("198.51.100.7"))
        .insert_header((X_FORWARDED_FOR, "203.0.113.9"))
        .to_srv_request();
    assert_eq!(
        proxies("10.0.0.0/8").client_ip_of(request.request()),
        Some(ip("198.51.100.7"))
    );
}

#[test]
fn a_header_line_that_is_not_utf8_stops_at_the_last_trusted_hop() {
    let request = TestRequest::default()
        .peer_addr(peer("10.0.0.1"))
        .append_header((X_FORWARDED_FOR, "1.1.1.1"))
        .append_header((
            X_FORWARDED_FOR,
            HeaderValue::from_bytes(b"203.0.113.9\xff, 10.0.0.2").expect("header bytes"),
        ))
        .to_http_request();
    assert_eq!(
        proxies("10.0.0.0/8").client_ip_of(&request),
        Some(ip("10.0.0.2"))
    );
}

#[test]
fn a_request_without_a_peer_address_has_no_client_ip() {
    let request = TestRequest::default()
        .insert_header((X_FORWARDED_FOR, "203.0.113.9"))
        .to_http_request();
    assert_eq!(proxies("10.0.0.0/8").client_ip_of(&request), None);
}

#[test]
fn a_forwarded_header_from_an_unlisted_private_address_suggests_a_missing_proxy() {
    let none = TrustedProxies::default();
    let listed = proxies("10.0.0.0/8");
    for private in [
        "10.1.2.3",
        "192.168.0.9",
        "172.16.4.4",
        "127.0.0.1",
        "100.64.1.1",
        "fd00::7",
        "::ffff:10.0.0.1",
        "fe80::1",
    ] {
        assert!(
            none.looks_like_an_unlisted_proxy(ip(private), true),
            "{private}"
        );
        assert!(
            !none.looks_like_an_unlisted_proxy(ip(private), false),
            "{private}"
        );
    }
    assert!(!listed.looks_like_an_unlisted_proxy(ip("10.1.2.3"), true));
    for public in ["203.0.113.9", "2001:db8::1", "8.8.8.8"] {
        assert!(
            !none.looks_like_an_unlisted_proxy(ip(public), true),
            "{public}"
        );
    }
}
