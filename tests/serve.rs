//! `moderate serve` end to end: the real binary on 127.0.0.1 (a free port), real HTTP.
//!
//! Covers single and batch checks (byte-identical to `moderate run`), bad input of every kind
//! (never a 500), size limits, the token, Akismet check and feedback (hand-written requests and
//! the real `akismet` client library from PyPI), hot reload of a good and a broken config (file
//! change and SIGHUP), metrics, the ledger and `moderate replay`, the review queue, and graceful
//! shutdown with a request in flight.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::serve_harness::*;

const COMMENTS: &str = r#"{"id": "c-1", "body": "Thanks, a thoughtful article.", "author": "ann"}
{"id": "c-2", "body": "you are a complete idiot", "author": "bob"}
{"id": "c-3", "body": "what a f.u.c.k.i.n.g joke", "author": "cy"}
{"id": "c-4", "body": "what a shit article", "author": "dee"}
"#;

// ---- tests ---------------------------------------------------------------------------------

/// [`COMMENTS`] with every id and body tagged, so the live duplicate check (the shipped
/// config flags a text posted again) sees new comments each time.
fn tagged(tag: &str) -> String {
    COMMENTS.replace("\", \"author", &format!(" {tag}\", \"author")).replace("\"c-", &format!("\"{tag}-c-"))
}

#[test]
fn single_and_batch_verdicts_are_runs_records() {
    let srv = Server::start(&root(), &[]);
    // One comment per request: the record exactly as `run` writes it.
    let one = tagged("one");
    let (expected, _) = run_cli(&root(), &["run", "-q", "-"], &one);
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(expected.len(), 4);
    for (line, want) in one.lines().zip(&expected) {
        let r = srv.post_json(line);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text().trim_end(), *want);
        assert!(r.header("x-moderate-config").is_some_and(|h| h.starts_with("sha256:")));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    // A JSON array: an array of the same records, in order.
    let arr = tagged("arr");
    let (expected, _) = run_cli(&root(), &["run", "-q", "-"], &arr);
    let array = format!("[{}]", arr.lines().collect::<Vec<_>>().join(","));
    let r = srv.post_json(&array);
    assert_eq!(r.status, 200);
    let got: Vec<Value> = serde_json::from_slice(&r.body).unwrap();
    let want: Vec<Value> = expected.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got, want);
    // NDJSON: the same lines as `run`.
    let nd = tagged("nd");
    let (expected, _) = run_cli(&root(), &["run", "-q", "-"], &nd);
    let r = srv.req("POST", "/v1/check", &[("Content-Type", "application/x-ndjson")], nd.as_bytes());
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), expected);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    // The same text again is a duplicate: the live author policy, as in `run`.
    let again = srv.post_json(nd.lines().next().unwrap()).json();
    assert!(again["reasons"].to_string().contains("spam.duplicate"), "{again}");
    // A comment without an id gets one.
    let r = srv.post_json(r#"{"text": "hello"}"#).json();
    assert!(r["id"].as_str().is_some_and(|id| id.starts_with("live-")), "{r}");
    assert_eq!(r["verdict"], "allow");
    // Health, OpenAPI.
    assert_eq!(srv.get("/healthz").json()["status"], "ok");
    let api = srv.get("/v1/openapi.json").json();
    assert_eq!(api["openapi"], "3.0.3");
    assert!(api["paths"]["/v1/check"]["post"].is_object());
}

#[test]
fn bad_input_is_a_json_4xx_never_a_500() {
    let srv = Server::start(&root(), &["--max-body", "20000", "--max-comment", "1000", "--max-batch", "10"]);
    let j = [("Content-Type", "application/json")];
    // (what, body, headers, status, field at fault)
    type Case<'a> = (&'a str, Vec<u8>, &'a [(&'a str, &'a str)], u16, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("malformed JSON", br#"{"body": "x""#.to_vec(), &j, 400, None),
        ("trailing garbage", br#"{"body": "x"} {"#.to_vec(), &j, 400, None),
        ("not an object", b"42".to_vec(), &j, 400, None),
        ("empty body", b"".to_vec(), &j, 400, None),
        ("body is a number", br#"{"body": 5}"#.to_vec(), &j, 400, Some("body")),
        ("body is null", br#"{"body": null}"#.to_vec(), &j, 400, Some("body")),
        ("author is an object", br#"{"body": "x", "author": {"n": 1}}"#.to_vec(), &j, 400, Some("author")),
        ("id is a float", br#"{"body": "x", "id": 1.5}"#.to_vec(), &j, 400, Some("id")),
        ("duplicate key", br#"{"body": "hello", "body": "f*** you"}"#.to_vec(), &j, 400, Some("body")),
        ("duplicate escaped key", br#"{"body": "hi", "b\u006fdy": "x"}"#.to_vec(), &j, 400, Some("body")),
        ("no body field", br#"{"id": "x"}"#.to_vec(), &j, 400, Some("body")),
        ("bad element in a batch", br#"[{"body": "ok"}, {"body": 1}]"#.to_vec(), &j, 400, Some("body")),
        ("empty array", b"[]".to_vec(), &j, 400, None),
        ("invalid UTF-8", b"{\"body\": \"caf\xe9\"}".to_vec(), &j, 400, None),
        ("lone surrogate escape", br#"{"body": "\ud800"}"#.to_vec(), &j, 400, None),
        ("deep nesting", format!("{{\"x\": {}, \"body\": \"a\"}}", "[".repeat(5000)).into_bytes(), &j, 400, None),
        ("wrong content type", br#"{"body": "x"}"#.to_vec(), &[("Content-Type", "text/plain")], 415, None),
        ("no content type", br#"{"body": "x"}"#.to_vec(), &[], 415, None),
        ("body over the limit", vec![b' '; 30_000], &j, 413, None),
        (
            "comment over the limit",
            format!("{{\"body\": \"{}\"}}", "a".repeat(1500)).into_bytes(),
            &j,
            413,
            Some("body"),
        ),
        ("batch over the limit", format!("[{}]", [r#"{"body":"a"}"#; 11].join(",")).into_bytes(), &j, 413, None),
        (
            "NDJSON with a bad line",
            b"{\"body\": \"ok\"}\nnot json\n".to_vec(),
            &[("Content-Type", "application/x-ndjson")],
            400,
            None,
        ),
    ];
    for (what, body, headers, status, field) in cases {
        let r = srv.req("POST", "/v1/check", headers, &body);
        assert_eq!(r.status, status, "{what}: {}", r.text());
        let v = r.json();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {v}");
        assert_eq!(v["field"].as_str(), field, "{what}: {v}");
    }
    // The index of the bad comment in a batch.
    let v = srv.post_json(r#"[{"body": "ok"}, {"body": "ok"}, {"author": "x"}]"#).json();
    assert_eq!(v["index"], 2, "{v}");
    // Routes and methods.
    let r = srv.get("/nope");
    assert_eq!((r.status, r.json()["field"].clone()), (404, Value::Null));
    assert_eq!(srv.get("/v1/check").status, 405);
    // A body announced larger than the limit is refused before it is read.
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n",
        srv.port
    );
    s.write_all(head.as_bytes()).unwrap();
    assert_eq!(read_response(&mut s).status, 413);
    // A wrong Host on a loopback server (DNS rebinding) is refused.
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.write_all(b"GET /v1/status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s).status, 421);
    // Still serving after all that.
    assert_eq!(srv.post_json(r#"{"body": "fine"}"#).status, 200);
    let metrics = srv.get("/metrics").text();
    assert!(!metrics.contains("status=\"500\""), "{metrics}");
}

#[test]
fn token_is_required_off_loopback_and_enforced_when_set() {
    let out = Command::new(BIN).args(["serve", "--addr", "0.0.0.0:0"]).env_remove("MODERATE_TOKEN").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token"));
    let srv = Server::start(&root(), &["--token", "s3cret"]);
    assert_eq!(srv.post_json(r#"{"body": "hi"}"#).status, 401);
    assert_eq!(srv.get("/metrics").status, 401);
    assert_eq!(srv.get("/healthz").status, 200);
    let h = [("Content-Type", "application/json"), ("Authorization", "Bearer s3cret")];
    assert_eq!(srv.req("POST", "/v1/check", &h, br#"{"body": "hi"}"#).status, 200);
    let h = [("Content-Type", "application/json"), ("Authorization", "Bearer wrong")];
    assert_eq!(srv.req("POST", "/v1/check", &h, br#"{"body": "hi"}"#).status, 401);
    // Akismet clients carry the token as their key.
    let f = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(srv.req("POST", "/1.1/verify-key", &f, b"key=s3cret&blog=http://x").text(), "valid");
    assert_eq!(srv.req("POST", "/1.1/verify-key", &f, b"key=nope&blog=http://x").text(), "invalid");
    assert_eq!(srv.req("POST", "/1.1/comment-check", &f, b"api_key=nope&comment_content=hi").text(), "invalid");
}

#[test]
fn akismet_check_and_feedback() {
    let dir = tmp("akismet");
    let fb = dir.join("feedback.jsonl");
    let srv = Server::start(&root(), &["--feedback", fb.to_str().unwrap(), "--token", "k-123"]);
    let f = [("Content-Type", "application/x-www-form-urlencoded")];
    let check = |body: &str| srv.req("POST", "/1.1/comment-check", &f, format!("api_key=k-123&{body}").as_bytes());
    let r = check("comment_content=Thanks%2C+a+thoughtful+article.&user_ip=10.0.0.1");
    assert_eq!((r.status, r.text().as_str(), r.header("x-akismet-pro-tip")), (200, "false", None));
    let r = check("comment_content=fuck+you%2C+you+worthless+idiot&user_ip=10.0.0.2&comment_author=troll");
    assert_eq!((r.text().as_str(), r.header("x-akismet-pro-tip")), ("true", Some("discard")));
    let r = check("comment_content=what+a+shit+article&user_ip=10.0.0.3");
    assert_eq!(
        (r.text().as_str(), r.header("x-akismet-pro-tip"), r.header("x-moderate-verdict")),
        ("true", None, Some("flag"))
    );
    // Pingbacks are a kind.
    let r = check("comment_content=Nice&comment_type=pingback&comment_author_url=http%3A%2F%2Fspam.example%2F");
    assert_eq!(r.text(), "true");
    // Bad forms.
    assert_eq!(check("comment_content=a&comment_content=b").status, 400);
    assert_eq!(srv.req("POST", "/1.1/comment-check", &[("Content-Type", "application/json")], b"{}").status, 415);
    assert_eq!(check("comment_content=%ff").status, 400);
    // Feedback becomes labeled JSONL that `moderate eval` reads.
    let sub = |path: &str, body: &str| srv.req("POST", path, &f, format!("api_key=k-123&{body}").as_bytes());
    assert_eq!(sub("/1.1/submit-spam", "comment_content=buy+cheap+watches&user_ip=1.1.1.1").text(), akismet_thanks());
    assert_eq!(sub("/1.1/submit-ham", "comment_content=what+a+shit+article&user_ip=1.1.1.2").text(), akismet_thanks());
    let lines: Vec<Value> =
        std::fs::read_to_string(&fb).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["labels"]["toxic"], true);
    assert_eq!(lines[0]["labels"]["spam"], true);
    assert_eq!(lines[1]["labels"]["toxic"], false);
    assert_eq!(lines[1]["labels"]["profanity"], false);
    assert_eq!(lines[1]["body"], "what a shit article");
    let (out, err) = run_cli(&root(), &["eval", "--json", fb.to_str().unwrap()], "");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("eval --json: {e}\n{out}\n{err}"));
    assert_eq!(report[0]["rows"], 2, "{report}");
    assert!(report[0]["deny"]["toxic"].is_object(), "{report}");
    // The real client library, when Python is here.
    python_akismet_client(&srv, "k-123");
}

fn akismet_thanks() -> &'static str {
    "Thanks for making the web a better place."
}

/// Runs tests/fixtures/serve/akismet_client.py with the `akismet` package from PyPI (installed
/// into a venv under target/ when missing). Skips with one line without python3 or pip.
fn python_akismet_client(srv: &Server, key: &str) {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("akismet-venv");
    let py = venv.join("bin").join("python");
    let has = |p: &Path| {
        Command::new(p).args(["-c", "import akismet, httpx"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    };
    if !has(&py) {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(&py)
                .args(["-m", "pip", "install", "-q", "akismet"])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !made || !has(&py) {
            eprintln!("SKIP: the akismet client library test needs python3 with venv and pip (PyPI)");
            return;
        }
    }
    let script = root().join("tests/fixtures/serve/akismet_client.py");
    let out = Command::new(&py).arg(script).arg(srv.port.to_string()).arg(key).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("akismet client: ok"), "{text}");
}

#[test]
fn hot_reload_good_and_broken_config() {
    let dir = tmp("reload");
    tiny_config(&dir, "frobnicate\n");
    let srv = Server::start(&dir, &["--config", "config.toml", "--watch-interval", "100"]);
    let verdict = |body: &str| {
        let r = srv.post_json(&format!("{{\"body\": \"{body}\"}}"));
        (r.json()["verdict"].as_str().unwrap().to_string(), r.header("x-moderate-config").unwrap().to_string())
    };
    let (v, h1) = verdict("you frobnicate");
    assert_eq!(v, "flag");
    assert_eq!(verdict("a zorblax").0, "allow");
    assert_eq!(srv.status()["config"]["hash"], h1.as_str());
    // A good edit of a rule file is picked up.
    std::fs::write(dir.join("words.txt"), "frobnicate\nzorblax\n").unwrap();
    eventually("the new word list", || verdict("a zorblax").0 == "flag");
    let (_, h2) = verdict("a zorblax");
    assert_ne!(h1, h2);
    let st = srv.status();
    assert_eq!(st["last_reload"]["ok"], true);
    assert_eq!(st["config"]["hash"], h2.as_str());
    // A broken edit keeps the old rules and says where the error is.
    std::fs::write(dir.join("config.toml"), "[[rule]]\nid = \"test.word\"\ncategory = = \"x\"\n").unwrap();
    eventually("the failed reload", || srv.status()["last_reload"]["ok"] == false);
    let st = srv.status();
    let err = st["last_reload"]["error"].as_str().unwrap();
    assert!(err.contains("config.toml:3:"), "{err}");
    assert_eq!(st["last_reload"]["failed"], 1);
    assert_eq!(verdict("a zorblax"), ("flag".to_string(), h2.clone()));
    assert!(srv.log().contains("config.toml:3:"), "{}", srv.log());
    let m = srv.get("/metrics").text();
    assert!(m.contains("moderate_reload_failures_total 1"), "{m}");
    assert!(m.contains("moderate_reloads_total 1"), "{m}");
    // Fixing it reloads again.
    tiny_config(&dir, "zorblax\n");
    eventually("the fixed config", || verdict("you frobnicate").0 == "allow");
    assert_eq!(srv.status()["last_reload"]["error"], Value::Null);
}

#[test]
fn sighup_reloads() {
    let dir = tmp("sighup");
    tiny_config(&dir, "frobnicate\n");
    // Watching is as good as off: only the signal can reload.
    let srv = Server::start(&dir, &["--config", "config.toml", "--watch-interval", "3600000"]);
    let v = |body: &str| srv.post_json(&format!("{{\"body\": \"{body}\"}}")).json()["verdict"].clone();
    assert_eq!(v("zorblax"), "allow");
    std::fs::write(dir.join("words.txt"), "zorblax\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(v("zorblax"), "allow");
    srv.signal("-HUP");
    eventually("the reload on SIGHUP", || v("zorblax") == "flag");
    assert_eq!(srv.status()["last_reload"]["reloads"], 1);
}

#[test]
fn metrics_count_verdicts_rules_and_latency() {
    let srv = Server::start(&root(), &[]);
    let r = srv.req("POST", "/v1/check", &[("Content-Type", "application/x-ndjson")], COMMENTS.as_bytes());
    assert_eq!(r.status, 200);
    let m = srv.get("/metrics").text();
    for line in [
        "moderate_verdicts_total{decision=\"allow\"} 1",
        "moderate_verdicts_total{decision=\"block\"} 1",
        "moderate_verdicts_total{decision=\"flag\"} 2",
        "moderate_verdict_categories_total{decision=\"block\",category=\"attack\"}",
        "moderate_rule_hits_total{rule=\"profanity.strong\"}",
        "moderate_request_duration_seconds_count{route=\"check\"} 1",
        "moderate_request_duration_seconds_bucket{route=\"check\",le=\"+Inf\"} 1",
        "moderate_responses_total{route=\"check\",status=\"200\"} 1",
        "moderate_reloads_total 0",
        "# TYPE moderate_request_duration_seconds histogram",
    ] {
        assert!(m.contains(line), "missing {line:?} in:\n{m}");
    }
    let st = srv.status();
    assert!(st["config"]["rules"].as_u64().unwrap() > 10);
    assert!(st["uptime_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(st["verdicts"]["flag"], 2);
}

#[test]
fn ledger_replay_and_queue() {
    let dir = tmp("ledger");
    let ledger = dir.join("verdicts.ledger");
    let queue = dir.join("review.db");
    // The shipped config flags duplicates, so replay must reproduce state across comments.
    let cfg = std::fs::read_to_string(root().join("config.toml")).unwrap();
    assert!(cfg.contains("duplicate = \"flag\""), "the shipped config flags duplicates");
    std::fs::write(dir.join("config.toml"), cfg).unwrap();
    copy_dir(&root().join("rules"), &dir.join("rules"));
    let mut srv = Server::start(
        &dir,
        &["--config", "config.toml", "--ledger", ledger.to_str().unwrap(), "--queue", queue.to_str().unwrap()],
    );
    let r = srv.req("POST", "/v1/check", &[("Content-Type", "application/x-ndjson")], COMMENTS.as_bytes());
    assert_eq!(r.status, 200);
    let dup = r#"{"id": "c-5", "body": "Buy the best watches at this shop right now today", "author": "sp"}"#;
    assert_eq!(srv.post_json(dup).json()["verdict"], "allow");
    let again = srv.post_json(&dup.replace("c-5", "c-6")).json();
    assert_eq!(again["verdict"], "flag", "{again}");
    assert!(again["reasons"].to_string().contains("spam.duplicate"));
    assert!(srv.stop().success(), "{}", srv.log());
    // One line per verdict, naming input hash, config and version.
    let text = std::fs::read_to_string(&ledger).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 6);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["seq"], i as u64 + 1);
        assert!(l["config"].as_str().unwrap().starts_with("sha256:"));
        assert!(l["input_hash"].as_str().unwrap().starts_with("sha256:"));
        assert_eq!(l["version"], env!("CARGO_PKG_VERSION"));
    }
    // Replay with the rules changed on disk: the ledger's own copy of the config is used.
    std::fs::write(dir.join("config.toml"), "[thresholds]\nflag = 1.0\n").unwrap();
    let (out, err) = run_cli(&dir, &["replay", ledger.to_str().unwrap()], "");
    assert_eq!(out, "", "{err}\n{text}");
    assert!(err.contains("6 entries, 6 judged again: 6 same, 0 differ"), "{err}");
    // A verdict that is not what the config gives is reported.
    let tampered = text.replacen("\"verdict\":\"block\"", "\"verdict\":\"allow\"", 1);
    std::fs::write(&ledger, tampered).unwrap();
    let (out, err) = run_cli(&dir, &["replay", ledger.to_str().unwrap()], "");
    assert!(err.contains("1 differ"), "{err}");
    let d: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!((d["was"]["verdict"].as_str(), d["now"]["verdict"].as_str()), (Some("allow"), Some("block")));
    // Without its copy, the config is still found by its hash: this one is the built-in pack's
    // files, and the built-in pack is always a candidate.
    std::fs::remove_dir_all(dir.join("verdicts.ledger.configs")).unwrap();
    let (_, err) = run_cli(&dir, &["replay", ledger.to_str().unwrap()], "");
    assert!(err.contains("6 entries, 6 judged again: 5 same, 1 differ"), "{err}");
    // A config that is nowhere (a hash no file set has) is reported, not guessed.
    let orphan = std::fs::read_to_string(&ledger).unwrap().replace("\"config\":\"sha256:", "\"config\":\"sha256:0");
    std::fs::write(&ledger, orphan).unwrap();
    let (_, err) = run_cli(&dir, &["replay", ledger.to_str().unwrap()], "");
    assert!(err.contains("6 entries not judged again"), "{err}");
    // Flagged comments went to the review queue.
    let (out, err) = run_cli(&dir, &["review", "list", "--db", queue.to_str().unwrap(), "--json"], "");
    assert!(out.contains("c-4") && out.contains("c-6"), "{out}\n{err}");
    // `run --ledger` writes the same kind of ledger.
    let run_ledger = dir.join("run.ledger");
    let (_, err) = run_cli(&root(), &["run", "-q", "--ledger", run_ledger.to_str().unwrap(), "-"], COMMENTS);
    assert_eq!(std::fs::read_to_string(&run_ledger).unwrap().lines().count(), 4, "{err}");
    let (_, err) = run_cli(&root(), &["replay", run_ledger.to_str().unwrap()], "");
    assert!(err.contains("4 same, 0 differ"), "{err}");
}

#[test]
fn graceful_shutdown_finishes_the_request_in_flight_and_flushes_the_ledger() {
    let dir = tmp("shutdown");
    let ledger = dir.join("l.jsonl");
    let mut srv = Server::start(&root(), &["--ledger", ledger.to_str().unwrap()]);
    let body = br#"{"id": "inflight", "body": "you are a complete idiot"}"#;
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        srv.port,
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    srv.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&body[10..]).unwrap();
    let r = read_response(&mut s);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block");
    let start = Instant::now();
    let status = loop {
        if let Some(st) = srv.child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{}", srv.log());
    let text = std::fs::read_to_string(&ledger).unwrap();
    assert!(text.contains("\"id\":\"inflight\""), "{text}");
    // New connections are refused once it is gone.
    assert!(TcpStream::connect(("127.0.0.1", srv.port)).is_err());
}

#[test]
fn censor_action_gives_allow_with_the_masked_body() {
    let dir = tmp("censor");
    std::fs::write(
        dir.join("config.toml"),
        "[[rule]]\nid = \"profanity.masked\"\ncategory = \"profanity\"\naction = \"censor\"\nmessage = \"masked\"\nwordlist = \"words.txt\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("words.txt"), "fuck\n").unwrap();
    let srv = Server::start(&dir, &["--config", "config.toml"]);
    let one = r#"{"id": "m-1", "body": "f.u.c.k <b>off</b> &amp; f<i>u</i>ck"}"#;
    let r = srv.post_json(one);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["verdict"], "allow");
    assert_eq!(v["censored"], "f*** <b>off</b> &amp; f<i>*</i>**");
    // The same record as `run` writes.
    let (out, err) = run_cli(&dir, &["run", "-q", "--config", "config.toml", "-"], &format!("{one}\n"));
    assert_eq!(r.text(), out, "{err}");
    // Akismet: a censored comment is allowed, so `false` (publish).
    let a = srv.req(
        "POST",
        "/1.1/comment-check",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"comment_content=fuck+this&user_ip=203.0.113.9",
    );
    assert_eq!(a.text(), "false");
    assert_eq!(a.header("x-moderate-verdict"), Some("allow"));
    assert!(srv.get("/metrics").text().contains("moderate_censored_total 2"));
}

#[test]
fn review_blocks_apply_to_the_running_server_and_replay() {
    let dir = tmp("review-blocks");
    tiny_config(&dir, "zzzblocked\n");
    let queue = dir.join("review.db");
    let ledger = dir.join("v.ledger");
    let db = queue.to_str().unwrap();
    let mut srv =
        Server::start(&dir, &["--config", "config.toml", "--queue", db, "--ledger", ledger.to_str().unwrap()]);
    let by = |id: &str, author: &str| {
        format!(r#"{{"id": "{id}", "body": "a calm comment number {id}", "author": "{author}"}}"#)
    };
    assert_eq!(srv.post_json(&by("r-1", "Troll")).json()["verdict"], "allow");
    // A moderator blocks the author in the queue (the CLI writes the same store as `review serve`).
    let (out, err) = run_cli(&dir, &["review", "block", "--db", db, "--reviewer", "mod", "Troll"], "");
    assert!(!err.contains("error"), "{out}\n{err}");
    let mut n = 1;
    eventually("the live server blocks the author", || {
        n += 1;
        let v = srv.post_json(&by(&format!("r-{n}"), "troll")).json();
        v["verdict"] == "block" && v["reasons"].to_string().contains("author.review-blocked")
    });
    // Others are untouched.
    assert_eq!(srv.post_json(&by("x-1", "ann")).json()["verdict"], "allow");
    // Unblocked in the queue: allowed again.
    let (out, err) = run_cli(&dir, &["review", "unblock", "--db", db, "--reviewer", "mod", "Troll"], "");
    assert!(!err.contains("error"), "{out}\n{err}");
    eventually("the live server lifts the block", || {
        n += 1;
        srv.post_json(&by(&format!("r-{n}"), "Troll")).json()["verdict"] == "allow"
    });
    assert!(srv.stop().success(), "{}", srv.log());
    // The ledger holds the blocks; replay gives them back and finds no difference.
    let (out, err) = run_cli(&dir, &["replay", ledger.to_str().unwrap()], "");
    assert_eq!(out, "", "{err}");
    assert!(err.contains(" 0 differ"), "{err}");
    assert!(std::fs::read_to_string(&ledger).unwrap().contains("author.review-blocked"));
}

#[test]
fn json_logs_one_line_per_request_without_comment_text() {
    let mut srv = Server::start(&root(), &["--log-format", "json"]);
    let secret = "you are a complete idiot zq7secretword";
    let v = srv.post_json(&format!(r#"{{"id": "log-1", "body": "{secret}"}}"#)).json();
    let batch = r#"[{"body": "Great article"}, {"body": "Thanks"}]"#;
    assert_eq!(srv.req("POST", "/v1/check", &[("Content-Type", "application/json")], batch.as_bytes()).status, 200);
    assert_eq!(srv.req("POST", "/v1/check", &[("Content-Type", "application/json")], b"{").status, 400);
    assert!(srv.stop().success());
    let log = srv.log();
    assert!(!log.contains("zq7secretword") && !log.contains("log-1"), "no comment text or id in the log:\n{log}");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    let checks: Vec<&&Value> = requests.iter().filter(|l| l["path"] == "/v1/check").collect();
    assert_eq!(checks.len(), 3, "{log}");
    assert_eq!(checks[0]["decision"], v["verdict"]);
    assert_eq!(checks[0]["status"], 200);
    assert!(checks[0]["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert!(checks[0]["config"].as_str().is_some_and(|c| c.starts_with("sha256:")));
    assert_eq!((checks[1]["decision"].as_str(), checks[1]["allow"].as_u64()), (Some("batch"), Some(2)));
    assert_eq!((checks[2]["status"].as_u64(), checks[2]["decision"].as_str()), (Some(400), Some("-")));
    assert!(lines.iter().all(|l| l["level"].is_string() && l["timestamp"].is_string()));
}
