use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client's IP: the TCP peer, or the proxy-reported address when the proxy is trusted.
pub fn client_ip(request: &HttpRequest, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let info = request.connection_info();
        if let Some(ip) = info.realip_remote_addr().and_then(parse_host) {
            return Some(ip);
        }
    }
    request.peer_addr().map(|addr| addr.ip())
}

fn parse_host(host: &str) -> Option<IpAddr> {
    host.parse().ok().or_else(|| {
        host.parse::<std::net::SocketAddr>()
            .ok()
            .map(|addr| addr.ip())
    })
}
