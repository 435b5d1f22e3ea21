//! Which address a request counts against: the peer, or — only when the peer is one of our
//! trusted proxies — the address those proxies recorded in `X-Forwarded-For`. Resolved once
//! per request by [`ResolveClientIp`], so that the limiter and every log line name the same
//! client (not the proxy).

use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest};
use ipnet::{IpNet, Ipv6Net};

use super::around::{Around, Next, Reply, around_transform};

/// The client's address of the request being served (in its extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address [`ResolveClientIp`] stored for `req`, as text for a log line (empty when
    /// the transport gave none).
    pub fn logged(req: &actix_web::HttpRequest) -> String {
        req.extensions()
            .get::<ClientIp>()
            .map(|ip| ip.0.to_string())
            .unwrap_or_default()
    }
}

/// What a request is counted against: the IPv4 address, or the IPv6 /64 — one subscriber's
/// allocation, which a client can walk through freely, so the whole of it is one client.
pub fn limiter_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

/// The resolved client address of `req`: [`ClientIp`] when the middleware ran, else resolved
/// here; `None` when the transport gives no peer.
pub fn of_request(req: &ServiceRequest, proxies: &TrustedProxies) -> Option<IpAddr> {
    if let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>() {
        return Some(*ip);
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_ip(req.peer_addr().map(|a| a.ip()), &forwarded, proxies)
}

/// Middleware: resolves the client's address once and stores it as [`ClientIp`].
#[derive(Debug, Clone)]
pub struct ResolveClientIp(std::sync::Arc<TrustedProxies>);

impl ResolveClientIp {
    /// Believes `X-Forwarded-For` from these proxies only.
    pub fn new(proxies: TrustedProxies) -> Self {
        Self(std::sync::Arc::new(proxies))
    }
}

impl Around for ResolveClientIp {
    type Body<B: MessageBody + 'static> = B;

    fn around<S: Next<B>, B: MessageBody + 'static>(
        &self,
        next: Rc<S>,
        req: ServiceRequest,
    ) -> Reply<B> {
        if let Some(ip) = of_request(&req, &self.0) {
            req.extensions_mut().insert(ClientIp(ip));
        }
        Box::pin(next.call(req))
    }
}

around_transform!(ResolveClientIp);

/// A trusted-proxies entry that is neither an IP address nor a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trusted proxy {0:?} is neither an IP address nor a CIDR block")]
pub struct InvalidProxy(pub String);

/// The proxies (load balancers) whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses entries such as `10.0.0.0/8`, `192.168.1.10` or `::1`.
    pub fn parse(entries: &[String]) -> Result<Self, InvalidProxy> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| InvalidProxy(entry.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address. From a trusted peer, `X-Forwarded-For` is walked from the right (the
/// entry our proxy appended) past further trusted proxies; the first address that is not a
/// trusted proxy is the client. Entries left of it were written by the client and could be
/// anything, which is why the left-most entry is never taken on its own.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops = forwarded_for.iter().flat_map(|h| h.split(',')).rev();
    for hop in hops {
        let Some(ip) = parse_hop(hop) else {
            // Garbage can only come from the client's side: stop at the last good hop.
            break;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `2001:db8::1`, `1.2.3.4:5678` or `[2001:db8::1]:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:1.2.3.4`) count as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test addresses are valid")
    }

    fn proxies(entries: &[&str]) -> TrustedProxies {
        let owned: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        TrustedProxies::parse(&owned).expect("valid test proxies")
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_forward() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let got = client_ip(Some(ip("203.0.113.5")), &["198.51.100.1"], &trusted);
        assert_eq!(got, Some(ip("203.0.113.5")));
    }

    #[test]
    fn trusted_proxies_are_skipped_from_the_right() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.1"]);
        let forwarded = ["1.1.1.1, 198.51.100.7", "192.168.1.1"];
        let got = client_ip(Some(ip("10.1.2.3")), &forwarded, &trusted);
        assert_eq!(
            got,
            Some(ip("198.51.100.7")),
            "the spoofable 1.1.1.1 is ignored"
        );
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &[], &trusted),
            Some(ip("10.1.2.3"))
        );
        let garbage = client_ip(Some(ip("10.1.2.3")), &["nonsense, 10.9.9.9"], &trusted);
        assert_eq!(garbage, Some(ip("10.9.9.9")));
        let ported = client_ip(Some(ip("10.1.2.3")), &["[2001:db8::1]:443"], &trusted);
        assert_eq!(ported, Some(ip("2001:db8::1")));
    }

    #[test]
    fn mapped_ipv4_and_bad_entries() {
        let trusted = proxies(&["127.0.0.1"]);
        assert!(trusted.contains(ip("::ffff:127.0.0.1")));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".to_owned()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.local".to_owned()]).is_err());
        assert_eq!(client_ip(None, &["1.2.3.4"], &trusted), None);
    }
}
