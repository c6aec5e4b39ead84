//! Hostile input, round 10 (inputs and surfaces): `serve` under a burst of connections, JSON
//! bodies opening with a byte-order mark, the Akismet form's field names, NATS streams that are
//! not ours, the worker's start line, a locked review database, and `collect --idle`'s help.
//! Real binary, real sockets on 127.0.0.1; every fixture is written here.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::serve::{tmp, Server};

/// A burst of 2,000 clients at once against `--max-connections 4`: every one gets its answer.
/// Before, a connection accepted past the limit closed the oldest one without a request in
/// flight, and a connection just accepted had none yet (its request was in its socket, not yet
/// read): most of the burst was reset (connection reset, or closed without an answer).
#[test]
fn a_burst_of_connections_past_the_limit_is_served_not_reset() {
    let dir = tmp("hostile10-burst");
    let srv = Server::start(&dir, &["--max-connections", "4"]);
    let port = srv.port;
    const CLIENTS: usize = 2000;
    let gate = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let gate = std::sync::Arc::clone(&gate);
            std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || -> Result<u16, String> {
                    gate.wait();
                    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
                    s.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
                    let body = format!(r#"{{"id":"c{i}","body":"hello number {i}"}}"#);
                    let req = format!(
                        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    s.write_all(req.as_bytes()).map_err(|e| format!("write: {e}"))?;
                    let mut raw = Vec::new();
                    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
                    let text = String::from_utf8_lossy(&raw);
                    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok());
                    status.ok_or_else(|| format!("no answer: {text:?}"))
                })
                .unwrap()
        })
        .collect();
    let mut answered = 0;
    let mut failures = std::collections::BTreeMap::<String, usize>::new();
    for c in clients {
        match c.join().unwrap() {
            Ok(200) => answered += 1,
            Ok(other) => *failures.entry(format!("status {other}")).or_default() += 1,
            Err(e) => *failures.entry(e).or_default() += 1,
        }
    }
    let took = started.elapsed();
    eprintln!("burst: {answered} of {CLIENTS} answered in {took:?}");
    assert!(failures.is_empty() && answered == CLIENTS, "{answered} of {CLIENTS} answered in {took:?}; {failures:?}");
    // And the server is still well.
    let r = srv.post_json(r#"{"body": "you are a fucking idiot"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
}
