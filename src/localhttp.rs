//! What the two local HTTP servers (`moderate serve`, `moderate review serve`) share: the
//! DNS-rebinding guard for a server on loopback, and the shutdown signal.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, Uri};

/// The `Host` values a loopback server answers to (its address and `localhost:PORT`); empty
/// (any Host) when it listens elsewhere, where a token guards it instead.
pub fn loopback_hosts(addr: SocketAddr) -> Vec<String> {
    if !addr.ip().is_loopback() {
        return Vec::new();
    }
    vec![addr.to_string(), format!("localhost:{}", addr.port())]
}

/// The request's `Host`, lowercased, when `allowed` accepts it (`Some(None)`: no Host header
/// and no list); `None` when a page on another origin reached the server through a name that
/// resolves to 127.0.0.1 (DNS rebinding) and must be refused, or the request names two hosts.
/// An absolute-form target (`GET http://evil.example/x`) names the host a proxy would use
/// (RFC 9112 §3.2.2) and must pass the same list: the review server checked only `Host`.
pub fn checked_host(uri: &Uri, headers: &HeaderMap, allowed: &[String]) -> Option<Option<String>> {
    // Two `Host` lines: which one a proxy in front used is not known (RFC 9112 §3.2: 400).
    if headers.get_all(header::HOST).iter().nth(1).is_some() {
        return None;
    }
    if let Some(target) = uri.authority() {
        if !allowed.is_empty() && !allowed.contains(&target.as_str().to_ascii_lowercase()) {
            return None;
        }
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
    if allowed.is_empty() || host.as_ref().is_some_and(|h| allowed.contains(h)) {
        Some(host)
    } else {
        None
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
