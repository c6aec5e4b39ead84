//! The review page in a real browser: headless Chromium driven through chromedriver's W3C
//! WebDriver HTTP API (a few JSON requests over a plain TCP socket; no client crate). It runs
//! the keyboard flow on a queue of hostile comments (script payloads, bidi overrides,
//! zero-width characters, a 5,000-character name): auto-repeat ignored, next undecided item,
//! undo, block with confirmation, Esc out of a field, the help, paging and search, the current
//! item clear of the sticky toolbar, and saves a screenshot (target/tmp/review-page.png).
//!
//! Skips with one line when `chromium` or `chromedriver` is missing (`.ci/run` installs
//! Debian's `chromium` and `chromium-driver`).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moderate::comment::Comment;
use moderate::review::QueueSink;
use moderate::verdict::{Action, Decision, Reason, Span, Verdict};
use moderate::write::{Judged, Sink};
use serde_json::{json, Value};

const TOKEN: &str = "browser-token-42";

/// A child process killed on drop (the test never leaves a browser or server behind).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 request with `Connection: close`; returns (status, body).
fn http(port: u16, method: &str, path: &str, body: Option<&Value>, bearer: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(180))).unwrap();
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if let Some(t) = bearer {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if body.is_some() {
        req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", payload.len()));
    }
    req.push_str("\r\n");
    req.push_str(&payload);
    s.write_all(req.as_bytes()).unwrap();
    // Read the head, then exactly Content-Length bytes (a server may keep the connection open).
    let mut r = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => head.push_str(&line),
            Err(e) => panic!("{method} {path} on port {port}: {e}"),
        }
    }
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let lower = head.to_ascii_lowercase();
    let length =
        lower.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    let mut raw = Vec::new();
    let read = match length {
        Some(n) => {
            raw.resize(n, 0);
            r.read_exact(&mut raw)
        }
        None => r.read_to_end(&mut raw).map(|_| ()),
    };
    if let Err(e) = read {
        panic!("{method} {path} on port {port}: {e}");
    }
    let rest = String::from_utf8_lossy(&raw).into_owned();
    let body = if lower.contains("transfer-encoding: chunked") { dechunk(&rest) } else { rest };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn b64decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s.trim()).expect("base64 from the driver")
}

/// A WebDriver session.
struct Driver {
    port: u16,
    session: String,
}

impl Driver {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, text) = http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref(), None);
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert!(status == 200, "webdriver {method} {path}: {status} {text}");
        v["value"].clone()
    }

    fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Presses keys as a user would (keydown/keyup pairs; `\u{E00C}` is Escape, `\u{E007}`
    /// Enter, `\u{E008}` Shift).
    fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for k in keys {
            if *k == "X" {
                actions.push(json!({"type": "keyDown", "value": "\u{E008}"}));
                actions.push(json!({"type": "keyDown", "value": "X"}));
                actions.push(json!({"type": "keyUp", "value": "X"}));
                actions.push(json!({"type": "keyUp", "value": "\u{E008}"}));
            } else {
                actions.push(json!({"type": "keyDown", "value": k}));
                actions.push(json!({"type": "keyUp", "value": k}));
            }
        }
        self.cmd("POST", "/actions", Some(json!({"actions": [{"type": "key", "id": "kb", "actions": actions}]})));
        self.cmd("DELETE", "/actions", None);
    }

    /// Waits until `script` returns true.
    fn until(&self, what: &str, script: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(40) {
            if self.js(script) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}: {script}");
    }

    fn screenshot(&self, path: &Path) {
        let png = self.cmd("GET", "/screenshot", None);
        std::fs::write(path, b64decode(png.as_str().unwrap())).unwrap();
    }
}

fn hostile(id: usize, author: &str, body: &str, email: Option<&str>, ip: Option<&str>) -> Judged {
    let needle_end = body.char_indices().nth(5).map_or(body.len(), |(i, _)| i);
    let reason = |rule: &str, cat: &str, action: Option<Action>, spans: Vec<Span>| Reason {
        rule: rule.into(),
        category: cat.into(),
        action,
        score: 1.0,
        message: format!("{rule} <b>matched</b>"),
        matches: spans,
        counted_by: None,
        match_count: None,
        shadow: None,
    };
    let comment = Comment {
        author: Some(author.to_string()),
        author_email: email.map(String::from),
        ip: ip.map(String::from),
        post_id: Some(format!("post-{}", id % 3)),
        created_at: Some(format!("2024-05-{:02}T12:00:00Z", 1 + id % 28)),
        ..Comment::new(format!("h{id}"), body)
    };
    Judged {
        record: Ok(comment),
        verdict: Verdict {
            id: format!("h{id}"),
            verdict: Decision::Flag,
            score: 10.0 - (id as f64) / 10.0,
            reasons: vec![
                reason(
                    "attack.insult",
                    "attack",
                    Some(Action::Flag),
                    vec![Span { start: 0, end: needle_end, text: String::new() }],
                ),
                reason("spam.links", "spam", None, vec![]),
            ],
            error: None,
            censored: None,
            source: None,
        },
    }
}

fn fixture(dir: &Path) -> PathBuf {
    let db = dir.join("browser.db");
    let mut sink = QueueSink::open(&db).unwrap();
    let long_name = "W".repeat(5000);
    let payloads = [
        ("<script>window.__xss=1</script>", "<img src=x onerror=\"window.__xss=2\"> idiot"),
        ("B\u{200B}ob", "you \u{202E}toidi\u{202C} fool"),
        ("\u{202E}nimda", "\"><svg onload=window.__xss=3> moron"),
        (long_name.as_str(), "javascript:window.__xss=4 jerk"),
    ];
    for id in 0..45 {
        let (author, body) = payloads[id % payloads.len()];
        let body = if id == 31 { "a needle in the haystack, idiot".to_string() } else { format!("{body} #{id}") };
        let email = (id % 2 == 0).then(|| format!("u{id}@example.com"));
        let ip = format!("198.51.100.{id}");
        sink.write(&hostile(id, author, &body, email.as_deref(), Some(&ip))).unwrap();
    }
    sink.finish().unwrap();
    db
}

#[test]
fn keyboard_flow_in_headless_chromium() {
    let (Some(chromium), Some(driver)) = (find(&["chromium", "chromium-browser"]), find(&["chromedriver"])) else {
        common::note_skip(Path::new("chromium and chromedriver"));
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());

    // The real binary serves the queue on a free port.
    let mut server = Proc(
        Command::new(env!("CARGO_BIN_EXE_moderate"))
            .args(["review", "serve", "--db"])
            .arg(&db)
            .args(["--addr", "127.0.0.1:0", "--token", TOKEN, "--reviewer", "robot"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    let mut out = BufReader::new(server.0.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    // Keep draining: a closed pipe would stop the server at its next line of output.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let base = first.split(" at ").nth(1).unwrap().trim().trim_end_matches('/').to_string();
    let app_port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();

    let wd_port = free_port();
    let _chromedriver = Proc(
        Command::new(driver)
            .arg(format!("--port={wd_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while http_ok(wd_port).is_none() {
        assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium.to_string_lossy(),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900"]
    }}}});
    let (status, text) = http(wd_port, "POST", "/session", Some(&caps), None);
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let d = Driver { port: wd_port, session: v["value"]["sessionId"].as_str().unwrap().to_string() };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| flow(&d, &base, app_port, &db)));
    let _ = http(wd_port, "DELETE", &format!("/session/{}", d.session), None, None);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

fn http_ok(port: u16) -> Option<()> {
    TcpStream::connect(("127.0.0.1", port)).ok()?;
    let (status, text) = http(port, "GET", "/status", None, None);
    (status == 200 && text.contains("\"ready\":true")).then_some(())
}

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// What the API says about an item.
fn api_item(port: u16, id: i64) -> Value {
    let (status, text) = http(port, "GET", &format!("/api/items/{id}"), None, Some(TOKEN));
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn current_id(d: &Driver) -> i64 {
    d.js("var c = document.querySelector('article.current'); return c ? Number(c.dataset.id) : -1;").as_i64().unwrap()
}

fn flow(d: &Driver, base: &str, port: u16, db: &Path) {
    // Without the token the page shows nothing of the queue.
    d.go(&format!("{base}/"));
    d.until("the token page", "return !!document.getElementById('token-input');");
    assert_eq!(d.js("return document.querySelectorAll('article').length;"), json!(0));
    // With it (in the fragment) the page trades it for the read cookie and shows the queue.
    d.go(&format!("{base}/?limit=20#token={TOKEN}"));
    d.until("the queue", "return document.querySelectorAll('article.item').length === 20;");
    assert_eq!(d.js("return location.hash;"), json!(""), "the token leaves the address bar");
    d.until("the first item is current", "return !!document.querySelector('article.current');");

    // Hostile content stayed text: no payload ran, no element was injected.
    assert_eq!(d.js("return window.__xss === undefined;"), json!(true));
    assert_eq!(d.js("return document.querySelectorAll('main img, main svg, main script').length;"), json!(0));
    let text = d.js("return document.querySelector('main').innerText;").as_str().unwrap().to_string();
    assert!(text.contains("<script>window.__xss=1</script>"), "payload shown as text");
    assert!(text.contains("B·ob [U+200B]"), "zero-width made visible");
    assert!(!text.contains('\u{202E}'), "no bidi override reaches the screen");
    // A 5,000-character name does not widen the card beyond the page.
    let wide = d.js("var w = window.innerWidth; return Array.from(document.querySelectorAll('body *'))\
         .filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5)\
         .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ');");
    assert_eq!(wide, json!(""), "elements wider than the window");

    // j moves; a approves and moves to the next undecided item.
    let first = current_id(d);
    d.keys(&["j"]);
    let second = current_id(d);
    assert_ne!(first, second);
    d.keys(&["a"]);
    d.until("the approval", &format!("return document.getElementById('item-{second}').dataset.status === 'approved';"));
    let third = current_id(d);
    assert_ne!(third, second, "the cursor left the decided item");
    assert_eq!(api_item(port, second)["status"], "approved");

    // Auto-repeat (a held key) never decides.
    d.js("document.querySelector('article.current').dispatchEvent(new KeyboardEvent('keydown', {key: 'a', repeat: true, bubbles: true}));");
    d.js("document.querySelector('article.current').dispatchEvent(new KeyboardEvent('keydown', {key: 'r', repeat: true, bubbles: true}));");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(api_item(port, third)["status"], "pending", "repeat ignored");
    assert_eq!(d.js("return document.querySelectorAll('article.approved, article.rejected').length;"), json!(1));

    // r rejects; z undoes it (pending again, in the page and on the server).
    d.keys(&["r"]);
    d.until("the rejection", &format!("return document.getElementById('item-{third}').dataset.status === 'rejected';"));
    let rejected = api_item(port, third);
    assert_eq!(
        rejected["decisions"][0]["categories"],
        Value::Null,
        "unchanged boxes: the defaults, not a moderator's label"
    );
    d.keys(&["z"]);
    d.until("the undo", &format!("return document.getElementById('item-{third}').dataset.status === 'pending';"));
    assert_eq!(api_item(port, third)["status"], "pending");
    assert_eq!(current_id(d), third, "undo returns to the item");

    // b asks which identity; Enter confirms; the block is by e-mail when there is one.
    d.keys(&["b"]);
    d.until("the block question", "return !!document.querySelector('.confirm-block');");
    assert_eq!(api_item(port, third)["status"], "pending", "b alone decides nothing");
    d.keys(&["\u{E007}"]);
    d.until("the block", &format!("return document.getElementById('item-{third}').dataset.status === 'rejected';"));
    let blocked = api_item(port, third);
    let kind = blocked["decisions"].as_array().unwrap().last().unwrap()["block"]["kind"].clone();
    assert!(kind == "email" || kind == "ip", "blocked by identity, not display name: {kind}");

    // Esc leaves a field: the next j moves instead of typing.
    d.js("document.getElementById('reviewer').focus();");
    d.keys(&["\u{E00C}", "j"]);
    assert_eq!(d.js("return document.getElementById('reviewer').value;"), json!("robot"));
    // ? shows the keys; Esc closes them.
    d.keys(&["?"]);
    assert_eq!(d.js("return !document.getElementById('help').hidden;"), json!(true));
    d.keys(&["\u{E00C}"]);
    assert_eq!(d.js("return document.getElementById('help').hidden;"), json!(true));

    // x selects, X selects all and again none.
    d.keys(&["x"]);
    assert_eq!(d.js("return document.getElementById('selection-count').textContent;"), json!("1 selected"));
    d.keys(&["X"]);
    assert_eq!(d.js("return document.getElementById('selection-count').textContent;"), json!("20 selected"));
    d.keys(&["X"]);
    assert_eq!(d.js("return document.getElementById('selection-count').textContent;"), json!("0 selected"));

    // Moving down then up: the current item is never under the sticky toolbar.
    for _ in 0..12 {
        d.keys(&["j"]);
    }
    for _ in 0..6 {
        d.keys(&["k"]);
        let clear = d.js("var t = document.getElementById('toolbar').getBoundingClientRect();\
             var c = document.querySelector('article.current').getBoundingClientRect();\
             return c.top >= t.bottom - 1;");
        assert_eq!(clear, json!(true), "current item under the toolbar");
    }
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("review-page.png");
    d.js("window.scrollTo(0, 0);");
    d.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a real screenshot");

    // Paging: next and previous.
    // (The listing shows pending items: those decided above are not on it any more.)
    let first_ids = d.js(
        "return Array.from(document.querySelectorAll('article.item[data-status=pending]')).map(a => a.dataset.id).join(',');",
    );
    d.js("document.getElementById('next-page').click();");
    d.until(
        "the next page",
        "return location.search.indexOf('after=') >= 0 && document.querySelectorAll('article.item').length > 0;",
    );
    let second_ids =
        d.js("return Array.from(document.querySelectorAll('article.item')).map(a => a.dataset.id).join(',');");
    assert_ne!(first_ids, second_ids);
    d.js("document.getElementById('prev-page').click();");
    d.until("the previous page", "return location.search.indexOf('before=') >= 0;");
    let back_ids =
        d.js("return Array.from(document.querySelectorAll('article.item')).map(a => a.dataset.id).join(',');");
    assert_eq!(back_ids, first_ids, "previous returns to the same page");

    // Search: / focuses the box, Enter submits.
    d.keys(&["/"]);
    assert_eq!(d.js("return document.activeElement.id;"), json!("search"));
    d.keys(&["n", "e", "e", "d", "l", "e", "\u{E007}"]);
    d.until("the search result", "return location.search.indexOf('q=needle') >= 0;");
    assert_eq!(d.js("return document.querySelectorAll('article.item').length;"), json!(1));
    assert!(d
        .js("return document.querySelector('article.item .body').textContent;")
        .as_str()
        .unwrap()
        .contains("needle"));

    // New items appear without a reload: queue one while the page is open.
    d.go(&format!("{base}/?limit=20"));
    d.until("the queue again", "return document.querySelectorAll('article.item').length === 20;");
    d.js("window.__marker = 1;");
    let dir = db.parent().unwrap();
    std::fs::write(dir.join("late.jsonl"), "{\"id\":\"late-1\",\"author\":\"Latecomer\",\"body\":\"a late idiot\"}\n")
        .unwrap();
    std::fs::write(
        dir.join("late-v.jsonl"),
        "{\"id\":\"late-1\",\"verdict\":\"flag\",\"score\":1.0,\"reasons\":[{\"rule\":\"attack.insult\",\"category\":\"attack\",\"action\":\"flag\",\"message\":\"m\"}]}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["review", "add", "--db"])
        .arg(db)
        .arg("--comments")
        .arg(dir.join("late.jsonl"))
        .arg("--verdicts")
        .arg(dir.join("late-v.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    d.until("the new item on the open page", "return document.body.innerText.indexOf('Latecomer') >= 0;");
    assert_eq!(d.js("return window.__marker;"), json!(1), "no reload");
    assert_eq!(d.js("return document.querySelectorAll('article.item').length;"), json!(21));
}
