//! Hostile input, round 10 (inputs and surfaces): `serve` under a burst of connections, JSON
//! bodies opening with a byte-order mark, the Akismet form's field names, NATS streams that are
//! not ours, the worker's start line, a locked review database, and `collect --idle`'s help.
//! Real binary, real sockets on 127.0.0.1; every fixture is written here.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::serve_harness::{tmp, Server};

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

#[cfg(feature = "nats")]
/// Runs `moderate ARGS` for at most `limit`; None when it was still running (then killed).
fn run_for(args: &[&str], limit: Duration) -> Option<std::process::Output> {
    let mut child = super::nats::bin()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(child.wait_with_output().unwrap())
}

#[cfg(feature = "nats")]
/// A stream is created with `subjects` and `retention` by another program.
fn foreign_stream(server: &super::nats::Server, name: &str, subjects: &[&str], retention: &'static str) {
    let (rt, js) = server.js();
    let cfg = moderate::scale::nats::StreamConfig {
        name: name.to_string(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        retention,
        storage: "memory",
        duplicate_window: 60_000_000_000,
        num_replicas: 1,
    };
    rt.block_on(js.unwrap().get_or_create_stream(&cfg)).unwrap();
}

/// A stream already named as ours (`COMMENTS_IN`) but storing other subjects was used as it
/// was: the worker ran, pulling another program's messages, and `publish` stored nothing
/// where a worker reads. And when another stream already stores our subject, the error said
/// only "subjects overlap with an existing stream". Both are now refused at once, naming the
/// stream and the subjects.
#[cfg(feature = "nats")]
#[test]
fn nats_streams_that_are_not_ours_are_refused_naming_them() {
    let Some(server_bin) = super::nats::nats_server() else { return };
    let dir = tmp("hostile10-streams");
    let server = super::nats::Server::start(server_bin, &dir);
    let url = server.url();
    let input = dir.join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"body\":\"hello\"}\n").unwrap();
    let input = input.to_str().unwrap();

    // Our input stream's name, taken by a stream on other subjects.
    foreign_stream(&server, "COMMENTS_IN", &["orders.new"], "limits");
    for args in [vec!["worker", "--nats", &url], vec!["publish", "-q", "--nats", &url, input]] {
        let o = run_for(&args, Duration::from_secs(30)).unwrap_or_else(|| panic!("{args:?} kept running on a stream not its own"));
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(e.contains("COMMENTS_IN") && e.contains("orders.new") && e.contains("comments.in"), "{args:?}: {e}");
        assert!(!e.contains("worker on"), "{args:?} said it started: {e}");
    }
    // Our verdict stream's name, on the right subjects but the wrong retention: refused too.
    foreign_stream(&server, "SITE_VERDICTS", &["site.verdicts", "site.verdicts.runs", "site.dead"], "workqueue");
    let o = run_for(
        &["worker", "--nats", &url, "--subject", "site.in", "--verdicts", "site.verdicts", "--dead", "site.dead"],
        Duration::from_secs(30),
    )
    .expect("the worker kept running on a stream of another retention");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code() == Some(1) && e.contains("SITE_VERDICTS") && e.contains("workqueue"), "{e}");

    // Our subject, stored by another program's stream: the error names that stream.
    foreign_stream(&server, "EVERYTHING", &["shop.>"], "limits");
    let o = run_for(&["worker", "--nats", &url, "--subject", "shop.in", "--verdicts", "shop.verdicts", "--dead", "shop.dead"], Duration::from_secs(30))
        .expect("the worker kept running");
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("EVERYTHING") && e.contains("shop.>") && e.contains("SHOP_IN"), "{e}");
    // Nothing was created or changed beside them.
    assert_eq!(server.messages("COMMENTS_IN"), 0);
}

#[cfg(feature = "nats")]
/// A TCP proxy on 127.0.0.1 to `upstream` that holds back, for `delay`, each chunk from the
/// client that asks JetStream to create a stream (a slow server, or a slow disk). Its URL.
fn slow_stream_creation(upstream: u16, delay: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
            let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 << 10];
                while let Ok(n @ 1..) = c_read.read(&mut buf) {
                    if buf[..n].windows(21).any(|w| w == b"$JS.API.STREAM.CREATE") {
                        std::thread::sleep(delay);
                    }
                    if s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s_write.shutdown(std::net::Shutdown::Both);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    format!("nats://127.0.0.1:{port}")
}

/// The worker printed its start line before it created its streams: a record published as soon
/// as the line appeared found no stream and was lost (the publish had no responder). Now the
/// line comes once the streams and the consumer exist, and that record is judged. The worker
/// talks to the server through a proxy that makes stream creation take a second, so the window
/// is not left to chance.
#[cfg(feature = "nats")]
#[test]
fn a_record_published_right_after_the_worker_start_line_is_judged() {
    let Some(server_bin) = super::nats::nats_server() else { return };
    let dir = tmp("hostile10-startline");
    let server = super::nats::Server::start(server_bin, &dir);
    let upstream: u16 = server.url().rsplit(':').next().unwrap().parse().unwrap();
    let url = slow_stream_creation(upstream, Duration::from_secs(1));
    // Connected before the worker starts, so the publish follows the line at once.
    let (rt, js) = server.js();
    let js = js.unwrap();
    let log = dir.join("worker.log");
    let worker = super::nats::Worker::start_logged(&url, &[], Some(&log));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("worker on") {
        assert!(Instant::now() < deadline, "no start line: {}", std::fs::read_to_string(&log).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(1));
    }
    let published = rt.block_on(js.publish(
        "comments.in",
        &moderate::scale::nats::Headers::default(),
        b"{\"id\":\"first\",\"body\":\"you are a fucking idiot\"}\n",
    ));
    assert!(published.is_ok(), "the record published after the start line was not stored: {published:?}");
    super::nats::wait_until("its verdict", Duration::from_secs(30), || server.messages("COMMENTS_VERDICTS") >= 1);
    let log = worker.stop();
    assert!(log.starts_with("worker on"), "{log}");
}

/// `moderate review serve` over a queue another process holds (here an open `BEGIN EXCLUSIVE`,
/// as `sqlite3` or a long `review` command would): a write waited the 5 s busy timeout and was
/// a 500 ("review database: database is locked"), and the requests behind it waited their 5 s
/// each in turn. Now each is a 503 with `Retry-After` within a few seconds, and reads go on.
/// `review approve` on the held file waits the busy timeout, then fails naming the file (it
/// said only "review database: database is locked"). Once the lock is gone both work.
#[test]
fn a_locked_review_database_is_a_503_with_retry_after_and_a_named_bounded_wait() {
    let d = tmp("hostile10-locked");
    let input = d.join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"body\":\"what a stupid person\"}\n{\"id\":\"c\",\"body\":\"this is crap\"}\n").unwrap();
    let db = d.join("q.db");
    let moderate = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"));
        c.current_dir(&d).env("XDG_CACHE_HOME", d.join(".cache")).env("NO_COLOR", "1");
        c
    };
    let o = moderate().args(["run", "-q", "in.jsonl", "--queue", "q.db"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let srv = super::hostile_round6::ReviewServer::start(&d, &db);
    let origin = format!("Origin: http://127.0.0.1:{}", srv.port);
    let headers = ["Authorization: Bearer T6B", "Content-Type: application/json", origin.as_str()];
    let decide = r#"{"action":"approve","expected_version":0,"reviewer":"t"}"#;

    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE items SET score = score WHERE id = 1;").unwrap();
    let started = Instant::now();
    let answers: Vec<(u16, String, Duration)> = std::thread::scope(|s| {
        let sends: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let t = Instant::now();
                    let (status, body) = common::http_request(srv.port, "POST", "/api/items/1/decision", &headers, decide, Duration::from_secs(60));
                    (status, body, t.elapsed())
                })
            })
            .collect();
        sends.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (status, head_and_body, took) in &answers {
        assert_eq!(*status, 503, "{head_and_body}");
        assert!(head_and_body.to_ascii_lowercase().contains("retry-after: "), "{head_and_body}");
        assert!(head_and_body.contains("locked"), "{head_and_body}");
        assert!(*took < Duration::from_secs(8), "a request waited {took:?} on the locked database");
    }
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // Reads are not blocked by a writer (the queue is in WAL mode).
    let (status, body) = srv.send("GET", "/api/items/1", &headers[..1], "");
    assert_eq!(status, 200, "{body}");

    let t = Instant::now();
    let o = moderate().args(["review", "approve", "1", "--db", "q.db", "--reviewer", "t", "--config", "/dev/null"]).output().unwrap();
    let took = t.elapsed();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("q.db") && e.contains("locked") && !e.contains("panicked"), "{e}");
    assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(15), "waited {took:?}");

    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    let (status, body) = srv.send("POST", "/api/items/1/decision", &headers, decide);
    assert_eq!(status, 200, "{body}");
    let o = moderate().args(["review", "reject", "2", "--db", "q.db", "--reviewer", "t", "--config", "/dev/null"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `collect --idle`'s help said only "give up when no verdict arrives for this many seconds":
/// not that the clock restarts at each verdict, nor that a value under the workers'
/// `--ack-wait` gives up while a dead worker's records wait to be delivered again.
#[test]
fn collect_idle_help_says_what_it_waits_for_and_its_relation_to_ack_wait() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_moderate")).args(["collect", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    let idle: String = help.split("--idle").nth(1).unwrap_or("").split("\n  -").next().unwrap_or("").to_string();
    for want in ["--ack-wait", "restarts at each verdict", "exit 1", "Default: wait until the run is complete"] {
        assert!(idle.contains(want), "collect --help, --idle: no {want:?} in {idle}");
    }
}
