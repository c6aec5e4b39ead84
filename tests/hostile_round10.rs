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

/// A JSON body opening with a UTF-8 byte-order mark (Windows tools, .NET's default UTF-8
/// encoder) was refused as bad JSON (400 "expected a comment object ..."): it is now read, as
/// `moderate run` reads a file opening with one, in every shape. A mark anywhere else between
/// JSON values is a 400 that says so; one inside the text is text; UTF-16 is named as such.
#[test]
fn a_json_body_opening_with_a_byte_order_mark_is_read() {
    let dir = tmp("hostile10-bom");
    let srv = Server::start(&dir, &[]);
    let bom = "\u{feff}";
    let post = |ct: &str, body: &[u8]| srv.req("POST", "/v1/check", &[("Content-Type", ct)], body);
    let one = format!(r#"{bom}{{"id":"a","body":"you are a fucking idiot"}}"#);
    let r = post("application/json", one.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block", "{}", r.text());
    let array = format!(r#"{bom}[{{"id":"a","body":"hello"}},{{"id":"b","body":"you are a fucking idiot"}}]"#);
    let r = post("application/json", array.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!((v[0]["verdict"].as_str(), v[1]["verdict"].as_str()), (Some("allow"), Some("block")), "{v}");
    // NDJSON: one opening the body, and one opening a later line (two files concatenated, as
    // `moderate run` reads them).
    let nd = format!("{bom}{{\"id\":\"a\",\"body\":\"hello\"}}\n{bom}{{\"id\":\"b\",\"body\":\"you are a fucking idiot\"}}\n");
    let r = post("application/x-ndjson", nd.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text().lines().count(), 2, "{}", r.text());
    // Inside the text, the mark is text (an invisible one): judged as the word it splits.
    let inside = r#"{"id":"c","body":"you are a fucking id\ufeffiot"}"#;
    let r = post("application/json", inside.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block", "{}", r.text());
    // Elsewhere between values: a 400 saying what is wrong (after white space, a second mark,
    // inside an array).
    for (ct, body) in [
        ("application/x-ndjson", format!("{{\"body\":\"hello\"}}\n {bom}{{\"body\":\"hello\"}}\n")),
        ("application/json", format!("[{bom}{{\"body\":\"hello\"}}]")),
        ("application/json", format!(" {bom}{{\"body\":\"hello\"}}")),
        ("application/json", format!("{bom}{bom}{{\"body\":\"hello\"}}")),
    ] {
        let r = post(ct, body.as_bytes());
        assert_eq!(r.status, 400, "{body:?}: {}", r.text());
        assert!(r.json()["error"].as_str().unwrap_or("").contains("byte-order mark"), "{body:?}: {}", r.text());
    }
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("{\"body\":\"hi\"}".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let r = post("application/json", &utf16);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap_or("").contains("UTF-16"), "{}", r.text());
}

/// The Akismet endpoint read field names literally, where PHP (Akismet's own server, WordPress)
/// files `comment.content`, `comment content` and ` comment_content` as `comment_content`:
/// `comment.content=...` alone was judged as an empty comment (`false`: publish), and
/// `comment_content=hello&comment.content=...` judged `hello` while a PHP receiver keeps the
/// insult. Now names are read as PHP reads them: one is the body, two are a field sent twice.
#[test]
fn akismet_field_names_are_read_as_php_reads_them() {
    let dir = tmp("hostile10-akismet");
    let srv = Server::start(&dir, &[]);
    let check = |body: &str| {
        srv.req("POST", "/1.1/comment-check", &[("Content-Type", "application/x-www-form-urlencoded")], body.as_bytes())
    };
    for name in ["comment.content", "comment+content", "comment%20content", "+comment_content", "comment[content", "comment_content"] {
        let r = check(&format!("blog=x&{name}=you+are+a+fucking+idiot"));
        assert_eq!((r.status, r.text().as_str()), (200, "true"), "{name}");
        assert_eq!(r.header("x-moderate-verdict"), Some("block"), "{name}");
    }
    let r = check("blog=x&comment.author=Bob&comment_content=hello");
    assert_eq!((r.status, r.text().as_str()), (200, "false"));
    for (body, field) in [
        ("comment_content=hello&comment.content=you+are+a+fucking+idiot", "comment.content"),
        ("comment.content=you+are+a+fucking+idiot&comment_content=hello", "comment_content"),
        ("comment_content=hello&comment+content=you+are+a+fucking+idiot", "comment content"),
        ("comment_content=hello&comment.content[]=you+are+a+fucking+idiot", "comment.content[]"),
        ("comment_content%00x=you+are+a+fucking+idiot&comment_content=hello", "comment_content\u{0}x"),
    ] {
        let r = check(body);
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        let v = r.json();
        assert_eq!(v["field"], field, "{body}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
}
