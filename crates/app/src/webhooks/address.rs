//! SSRF safety: which addresses a webhook may be sent to. By default every public address,
//! and no private, loopback, link-local, multicast, unspecified or otherwise special one (v4
//! and v6, v4-mapped and NAT64 forms read as the v4 address they carry), unless its host or
//! a network holding it is allowed by the settings. The check runs at registration and again
//! before each delivery, on the addresses the name resolves to then; the request connects to
//! the address checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use url::{Host, Url};

use crate::ports::webhooks::HostResolver;

/// The hosts and networks allowed besides the public addresses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressPolicy {
    hosts: Vec<String>,
    networks: Vec<IpNet>,
}

impl AddressPolicy {
    /// From the settings' lists: host names or IP addresses, and CIDR networks (`10.1.0.0/16`;
    /// a bare address is one host). Answers which entry is not a network.
    pub fn new(hosts: &[String], networks: &[String]) -> Result<Self, String> {
        let networks = networks
            .iter()
            .map(|n| {
                n.parse::<IpNet>()
                    .or_else(|_| n.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{n}` is not a network (CIDR) nor an address"))
            })
            .collect::<Result<_, _>>()?;
        let hosts = hosts.iter().map(|h| normal_host(h)).collect();
        Ok(Self { hosts, networks })
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = normal_host(host);
        self.hosts.contains(&host)
    }

    /// `Ok` when `ip` (which `host` resolved to) may be sent to, else why not.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        let ip = canonical(ip);
        if self.host_allowed(host) || self.networks.iter().any(|n| n.contains(&ip)) {
            return Ok(());
        }
        match special(ip) {
            Some(kind) => Err(format!(
                "{ip} is a {kind} address; allow its host or network in [webhooks] to send there"
            )),
            None => Ok(()),
        }
    }

    /// Parses a webhook URL and finds the address to send to: every address the host
    /// resolves to must pass [`check`](Self::check) (so that a name with one public and one
    /// private address cannot be used to reach the private one), and the first is used.
    pub async fn target(
        &self,
        url: &str,
        resolver: &dyn HostResolver,
    ) -> Result<SocketAddr, String> {
        let parsed = parse_url(url)?;
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| "the URL has no port".to_owned())?;
        let host_text = parsed.host_str().unwrap_or_default().to_owned();
        let addresses = match parsed.host() {
            Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            Some(Host::Domain(name)) => resolver.resolve(name, port).await?,
            None => return Err("the URL has no host".to_owned()),
        };
        for ip in &addresses {
            self.check(&host_text, *ip)?;
        }
        addresses
            .first()
            .map(|ip| SocketAddr::new(*ip, port))
            .ok_or_else(|| format!("{host_text} resolves to no address"))
    }
}

/// A URL a webhook may have: absolute `http` or `https` with a host.
pub fn parse_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    if parsed.host().is_none() {
        return Err("the URL has no host".to_owned());
    }
    Ok(parsed)
}

fn normal_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// A v6 address that carries a v4 one (v4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`)
/// as that v4 address, so that it is judged as what it reaches.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return IpAddr::V4(Ipv4Addr::new(a, b, c, d));
            }
            IpAddr::V6(v6)
        }
        v4 => v4,
    }
}

/// What kind of non-public address `ip` is, if it is one.
fn special(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // RFC 1918, and the shared address space of carrier-grade NAT (RFC 6598).
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &AddressPolicy, ip: &str) -> bool {
        policy
            .check("example.com", ip.parse().expect("an address"))
            .is_err()
    }

    #[test]
    fn special_addresses_are_refused_by_default_and_public_ones_pass() {
        let policy = AddressPolicy::default();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(refused(&policy, ip), "{ip} should be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(&policy, ip), "{ip} should pass");
        }
    }

    #[test]
    fn allowed_hosts_and_networks_let_special_addresses_through() {
        let policy = AddressPolicy::new(
            &["Hooks.Internal.".into(), "127.0.0.1".into()],
            &["10.1.0.0/16".into(), "fd00::5".into()],
        )
        .expect("valid lists");
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        assert!(policy.check("127.0.0.1", loopback).is_ok());
        assert!(
            policy
                .check("hooks.internal", "10.9.9.9".parse().expect("ip"))
                .is_ok()
        );
        assert!(
            policy
                .check("other", "10.1.200.3".parse().expect("ip"))
                .is_ok()
        );
        assert!(
            policy
                .check("other", "::ffff:10.1.0.1".parse().expect("ip"))
                .is_ok()
        );
        assert!(
            policy
                .check("other", "10.2.0.1".parse().expect("ip"))
                .is_err()
        );
        assert!(
            policy
                .check("other", "fd00::5".parse().expect("ip"))
                .is_ok()
        );
        assert!(
            policy.check("localhost", loopback).is_err(),
            "only the host named"
        );
        assert!(AddressPolicy::new(&[], &["10.0.0.0/33".into()]).is_err());
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_url("https://hooks.example.com/x").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "example.com",
            "https://",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
