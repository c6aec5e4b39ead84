//! `moderate serve` probed as an attacker would: trickled headers and idle sockets, huge
//! headers, broken chunked bodies, deep nesting, huge values, invalid UTF-8, control
//! characters, ambiguous fields (JSON and Akismet forms), content types that lie. Every answer
//! is a clear 4xx (JSON where the server gets to answer at all), never a 500, in bounded time;
//! the server keeps serving afterwards. Real binary, real sockets on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::serve_harness::{read_response, tmp, Resp, Server};

const INSULT: &str = "you are a fucking idiot";

fn json(srv: &Server, body: &[u8]) -> Resp {
    srv.req("POST", "/v1/check", &[("Content-Type", "application/json")], body)
}

fn form(srv: &Server, path: &str, body: &[u8]) -> Resp {
    srv.req("POST", path, &[("Content-Type", "application/x-www-form-urlencoded")], body)
}

/// A 4xx with a JSON error naming `field` (None: no field expected), and the server still up.
fn refused(srv: &Server, r: &Resp, status: u16, field: Option<&str>) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    let v = r.json();
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    if let Some(f) = field {
        assert_eq!(v["field"], f, "{v}");
    }
    assert_eq!(srv.get("/healthz").status, 200, "the server keeps serving");
    v
}

/// Sends raw bytes on a new connection and reads until the server closes it.
fn raw(srv: &Server, bytes: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let _ = s.write_all(bytes);
    read_response(&mut s)
}

/// Whether the server closed `s` within `limit` (reading returns 0 or an error other than a
/// timeout), writing one byte of `trickle` every 200 ms meanwhile when given.
fn closed_within(s: &mut TcpStream, limit: Duration, trickle: bool) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    while start.elapsed() < limit {
        if trickle && s.write_all(b"a").is_err() {
            return Some(start.elapsed());
        }
        let mut buf = [0u8; 256];
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

#[test]
fn slowloris_and_idle_connections_are_closed_and_bounded() {
    let dir = tmp("slowloris");
    let srv = Server::start(&dir, &["--read-timeout", "2", "--max-connections", "8"]);
    // Headers trickled a byte at a time never complete: closed after the header timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    slow.write_all(format!("POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Slow: ", srv.port).as_bytes()).unwrap();
    let took = closed_within(&mut slow, Duration::from_secs(15), true);
    assert!(took.is_some_and(|t| t < Duration::from_secs(10)), "trickled headers kept the socket: {took:?}");
    // A connection that sends nothing, and a keep-alive connection after its answer, too.
    let mut idle = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(15), false).is_some(), "an idle socket stays open");
    let mut kept = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    kept.write_all(format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", srv.port).as_bytes()).unwrap();
    let mut first = [0u8; 12];
    kept.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_within(&mut kept, Duration::from_secs(15), false).is_some(), "an idle keep-alive stays open");
    // More idle sockets than --max-connections: they hold no slot for long, so a real request
    // made behind them is still answered.
    let hogs: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(("127.0.0.1", srv.port)).unwrap()).collect();
    let start = Instant::now();
    let r = srv.post_json(&format!(r#"{{"body": "{INSULT}"}}"#));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block");
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    drop(hogs);
}

#[test]
fn broken_http_framing_is_a_4xx() {
    let dir = tmp("framing");
    let srv = Server::start(&dir, &[]);
    let host = format!("Host: 127.0.0.1:{}\r\n", srv.port);
    // A header line of 2 MB, and 5,000 header lines.
    let big = raw(&srv, format!("GET /healthz HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n", "a".repeat(2_000_000)).as_bytes());
    assert_eq!(big.status, 431);
    let many: String = (0..5000).map(|i| format!("X-{i}: a\r\n")).collect();
    assert_eq!(raw(&srv, format!("GET /healthz HTTP/1.1\r\n{host}{many}\r\n").as_bytes()).status, 431);
    // Chunk sizes that are not hex, that overflow, or that exceed the body limit.
    let chunked = |chunks: &str| {
        raw(
            &srv,
            format!("POST /v1/check HTTP/1.1\r\n{host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}")
                .as_bytes(),
        )
    };
    refused(&srv, &chunked("zz\r\n{}\r\n0\r\n\r\n"), 400, None);
    refused(&srv, &chunked("FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n"), 400, None);
    let over = format!("500000\r\n{}\r\n0\r\n\r\n", "a".repeat(0x50_0000));
    refused(&srv, &chunked(&over), 413, None);
    // A body of 100 MB (a JSON number) announced by Content-Length: refused before reading.
    let start = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    let head = format!(
        "POST /v1/check HTTP/1.1\r\n{host}Content-Type: application/json\r\nContent-Length: 100000020\r\nConnection: close\r\n\r\n{{\"body\":\"a\",\"n\":1111"
    );
    s.write_all(head.as_bytes()).unwrap();
    let r = read_response(&mut s);
    refused(&srv, &r, 413, None);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn hostile_json_is_a_4xx_in_bounded_time() {
    let dir = tmp("json");
    let srv = Server::start(&dir, &[]);
    let start = Instant::now();
    // Deep nesting: skipped in a field nobody reads, refused where it matters, never a crash.
    let deep = |k: &str, open: &str, close: &str, n: usize| {
        format!("{{\"body\": \"hi\", \"{k}\": {}1{}}}", open.repeat(n), close.repeat(n))
    };
    assert_eq!(json(&srv, deep("x", "[", "]", 200_000).as_bytes()).status, 200);
    assert_eq!(json(&srv, deep("x", "{\"a\":", "}", 100_000).as_bytes()).status, 200);
    refused(&srv, &json(&srv, deep("author", "[", "]", 200_000).as_bytes()), 400, Some("author"));
    refused(&srv, &json(&srv, format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)).as_bytes()), 400, None);
    // A 3 MB number and a 3 MB string in an unread field: read once, ignored.
    assert_eq!(json(&srv, format!("{{\"body\": \"hi\", \"n\": {}}}", "1".repeat(3 << 20)).as_bytes()).status, 200);
    assert_eq!(json(&srv, format!("{{\"body\": \"hi\", \"s\": \"{}\"}}", "x".repeat(3 << 20)).as_bytes()).status, 200);
    // ... and as the body: above the comment limit.
    refused(&srv, &json(&srv, format!("{{\"body\": \"{}\"}}", "x".repeat(3 << 20)).as_bytes()), 413, Some("body"));
    // Invalid UTF-8, a raw NUL, a lone surrogate escape.
    refused(&srv, &json(&srv, b"{\"body\": \"\xff\xfe\"}"), 400, None);
    refused(&srv, &json(&srv, b"{\"body\": \"a\x00b\"}"), 400, None);
    refused(&srv, &json(&srv, br#"{"body": "a\ud800b"}"#), 400, None);
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
}

/// Control characters a page does not show: `f\u0000uck` reads as the word but is not matched,
/// so it is refused rather than judged (before: 200 allow).
#[test]
fn invisible_control_characters_are_refused() {
    let dir = tmp("controls");
    let srv = Server::start(&dir, &[]);
    for esc in ["\\u0000", "\\u0001", "\\u007f", "\\u0085"] {
        let r = json(&srv, format!(r#"{{"body": "f{esc}uck you"}}"#).as_bytes());
        let v = refused(&srv, &r, 400, Some("body"));
        assert!(v["error"].as_str().unwrap().contains("control character"), "{v}");
    }
    let r = json(&srv, br#"{"body": "hi", "author": "bob\u0000"}"#);
    refused(&srv, &r, 400, Some("author"));
    // Tabs and line breaks are text.
    let r = json(&srv, br#"{"body": "line one\n\tline two\r\n"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = form(&srv, "/1.1/comment-check", b"comment_content=f%00uck+you");
    refused(&srv, &r, 400, Some("comment_content"));
}

/// The server reads a comment with the JSONL reader's picker: two body fields with different
/// text are refused naming both, as `run` makes them an error record naming both (before: the
/// server judged `body` and allowed `{"body": "hello", "content": "<insult>"}`).
#[test]
fn two_body_fields_are_refused_like_run_refuses_them() {
    let dir = tmp("bodies");
    let srv = Server::start(&dir, &[]);
    let cases: [(&str, bool); 7] = [
        (r#"{"body": "hello", "content": "INSULT"}"#, false),
        (r#"{"text": "hello", "comment": "INSULT"}"#, false),
        (r#"{"body": "INSULT", "message": "INSULT"}"#, true),
        (r#"{"body": null, "content": "INSULT"}"#, false),
        (r#"{"id": 1, "body": "hello", "b\u006fdy": "INSULT"}"#, false),
        (r#"{"body": "hello", "author": "a", "user": "b"}"#, true),
        (r#"{"body": "hello", "author": "a", "author": "b"}"#, false),
    ];
    let mut lines = String::new();
    for (i, (c, _)) in cases.iter().enumerate() {
        let c = c.replace("INSULT", INSULT);
        let r = json(&srv, c.as_bytes());
        lines.push_str(&c);
        lines.push('\n');
        let (_, ok) = cases[i];
        // Serve refuses what run cannot judge; run's error names the same field.
        let out = super::serve_harness::run_cli(&dir, &["run", "-q", "-"], &format!("{c}\n"));
        let rec: Value = serde_json::from_str(out.0.lines().next().unwrap()).unwrap();
        if i == 3 {
            // A null body is no body for run (content is judged); serve wants a string.
            assert_eq!(r.status, 400, "{c}: {}", r.text());
            assert_eq!(rec["verdict"], "block", "{rec}");
            continue;
        }
        if ok {
            assert_eq!(r.status, 200, "{c}: {}", r.text());
            assert_ne!(rec["verdict"], "error", "{rec}");
            assert_eq!(r.json()["verdict"], rec["verdict"], "{c}");
        } else {
            let v = refused(&srv, &r, 400, None);
            assert_eq!(rec["verdict"], "error", "{c}: run judged it: {rec}");
            let field = v["field"].as_str().unwrap_or_default().to_string();
            let both = v["error"].as_str().unwrap();
            assert!(rec["error"].as_str().unwrap().contains(&format!("{field:?}")), "{field} / {rec}");
            if i < 2 {
                let (a, b) = if i == 0 { ("body", "content") } else { ("text", "comment") };
                assert!(both.contains(&format!("{a:?}")) && both.contains(&format!("{b:?}")), "{both}");
            }
        }
    }
    // A config that names the body field settles it, in the server too.
    std::fs::write(dir.join("config.toml"), "extends = \"builtin\"\n[input.fields]\nbody = [\"content\"]\n").unwrap();
    drop(srv);
    let srv = Server::start(&dir, &["--config", "config.toml"]);
    let r = json(&srv, format!(r#"{{"body": "hello", "content": "{INSULT}"}}"#).as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block");
}

/// Akismet forms: a field sent twice, or as a PHP array, is ambiguous (which copy does the
/// site store?) and refused; a form of 300,000 distinct fields is answered at once (before: a
/// quadratic duplicate check ran for minutes and the request timed out).
#[test]
fn akismet_forms_refuse_ambiguity_and_stay_linear() {
    let dir = tmp("akismet-hostile");
    let srv = Server::start(&dir, &[]);
    let check = "/1.1/comment-check";
    refused(&srv, &form(&srv, check, b"comment_content=hello&comment_content=fuck+you"), 400, Some("comment_content"));
    refused(&srv, &form(&srv, check, b"comment_content=hello&comment_content[]=fuck+you"), 400, Some("comment_content[]"));
    refused(&srv, &form(&srv, check, b"comment_content[]=fuck+you"), 400, Some("comment_content[]"));
    refused(&srv, &form(&srv, check, b"comment_content=%ff"), 400, Some("comment_content"));
    let many: Vec<String> = (0..300_000).map(|i| format!("k{i}=v")).collect();
    let body = format!("comment_content=fuck+you&{}", many.join("&"));
    let start = Instant::now();
    let r = form(&srv, check, body.as_bytes());
    assert_eq!((r.status, r.text().as_str()), (200, "true"));
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
}

#[test]
fn content_types_that_lie_are_refused() {
    let dir = tmp("ctype");
    let srv = Server::start(&dir, &[]);
    let one = format!(r#"{{"body": "{INSULT}"}}"#);
    let r = srv.req("POST", "/v1/check", &[("Content-Type", "application/x-www-form-urlencoded")], one.as_bytes());
    refused(&srv, &r, 415, None);
    let r = srv.req("POST", "/v1/check", &[], one.as_bytes());
    refused(&srv, &r, 415, None);
    let r = srv.req("POST", "/1.1/comment-check", &[("Content-Type", "application/json")], one.as_bytes());
    refused(&srv, &r, 415, None);
    // NDJSON sent as JSON: two objects are not one JSON document.
    let two = format!("{one}\n{one}\n");
    refused(&srv, &json(&srv, two.as_bytes()), 400, None);
    // A form sent as JSON.
    refused(&srv, &json(&srv, b"comment_content=fuck+you"), 400, None);
    // JSON that claims another charset is still read as UTF-8 (and refused when it is not).
    let r = srv.req("POST", "/v1/check", &[("Content-Type", "application/json; charset=latin1")], b"{\"body\": \"\xe9\"}");
    refused(&srv, &r, 400, None);
}
