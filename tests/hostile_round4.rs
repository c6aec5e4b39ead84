//! Hostile input, round 4: lone-CR line ends, `serve` framing and connection abuse, and HTML
//! whose text a browser shows otherwise than the normalizer read it (found by comparing with
//! headless Chromium's `innerText`). docs/hostile.md lists each attack with what it did before.
//! Fixtures: tests/fixtures/hostile4/.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moderate::read::{self, ReadOptions, Record};
use moderate::verdict::{Decision, Verdict};

use super::serve_harness::{read_response, tmp, Resp, Server};
use common::{builtin_engine as builtin, judge_checked as judge};

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/hostile4").join(name)
}

/// `(id, body or error message, line)` of each record of a fixture.
fn read(name: &str) -> Vec<(String, Result<String, String>, u64)> {
    let recs: Vec<Record> = match read::read_all(&fixture(name), None, &ReadOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{name}: {e}"),
    };
    recs.iter()
        .map(|r| match r {
            Ok(c) => (c.id.clone(), Ok(c.body.clone()), c.source.as_ref().map_or(0, |s| s.line)),
            Err(e) => (e.id.clone(), Err(e.message.clone()), e.source.line),
        })
        .collect()
}

/// A lone CR ends a line, as it does for Python's and Node's line readers: a CR-only export is
/// one record per line (before: one "trailing characters" error for the whole file), a lone CR
/// inside an LF file cannot hide a second record behind the first, and line numbers count it.
#[test]
fn lone_cr_ends_a_line() {
    for name in ["cr-only.jsonl", "cr-inside-lf.jsonl"] {
        let got = read(name);
        let ids: Vec<&str> = got.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"], "{name}: {got:?}");
        assert_eq!(got[1].1.as_deref(), Ok("you are a fucking idiot"), "{name}");
        assert_eq!(got.iter().map(|g| g.2).collect::<Vec<_>>(), [1, 2, 3], "{name}");
    }
    // Errors name the line a lone CR started.
    let bad = read("cr-only-bad.jsonl");
    assert_eq!(bad.len(), 3, "{bad:?}");
    let msg = bad[2].1.clone().expect_err("record c has no body");
    assert!(msg.starts_with("line 3: no body field"), "{msg}");
    let csv = read("cr-only.csv");
    assert_eq!(csv.len(), 3, "{csv:?}");
    let msg = csv[1].1.clone().expect_err("row b has one field");
    assert!(msg.starts_with("line 3:"), "{msg}");
    // A CR-only thread page (before: no record at all, every comment lost) reads as its LF
    // original; a truncated CR-only WXR names the line where the damage starts (before: line 1).
    let lf = read::read_all(&common::root().join("tests/fixtures/read/thread.txt"), None, &ReadOptions::default());
    let lf: Vec<Option<String>> = lf.expect("thread.txt").iter().map(|r| r.as_ref().ok().map(|c| c.body.clone())).collect();
    let cr: Vec<Option<String>> = read("cr-only-thread.txt").into_iter().map(|(_, b, _)| b.ok()).collect();
    assert!(!lf.is_empty());
    assert_eq!(cr, lf);
    let wxr = read("cr-only-truncated.wxr");
    let msg = wxr.last().and_then(|(_, b, _)| b.clone().err()).expect("the truncated rest is an error");
    assert!(msg.starts_with("line 13:"), "{msg}");
    // The pipeline's chunked path (any thread count) gives the same records.
    for name in ["cr-only.jsonl", "cr-inside-lf.jsonl"] {
        let path = fixture(name);
        let p = path.to_str().expect("utf-8 path");
        let one = common::records(&common::moderate(&["run", "-q", "-j", "1", p]));
        let two = common::records(&common::moderate(&["run", "-q", "-j", "2", p]));
        assert_eq!(one, two, "{name}");
        let verdicts: Vec<&str> = one.iter().map(|r| r["verdict"].as_str().unwrap_or("")).collect();
        assert_eq!(verdicts[0], "allow", "{name}");
        assert!(verdicts[1] == "flag" || verdicts[1] == "block", "{name}: {one:?}");
        assert_eq!(verdicts.len(), 3, "{name}");
    }
}

fn rules(v: &Verdict) -> Vec<String> {
    let mut r: Vec<String> = v.reasons.iter().map(|r| r.rule.clone()).filter(|r| !r.starts_with("model.")).collect();
    r.sort();
    r
}

fn severity(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::Flag => 1,
        Decision::Block => 2,
        _ => 3,
    }
}

/// The text a browser shows for `html`, as a body whose HTML reads as exactly that text.
fn escape(shown: &str) -> String {
    shown.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Whether the body is judged at least as the text a browser shows is: every rule (the model's
/// scores aside) that the shown text hits, and a verdict as severe.
fn judged_as_shown(e: &moderate::Engine, html: &str, shown: &str) -> Result<(), String> {
    let (h, s) = (judge(e, html), judge(e, &escape(shown)));
    let (hr, sr) = (rules(&h), rules(&s));
    let missing: Vec<&String> = sr.iter().filter(|r| !hr.contains(r)).collect();
    if severity(h.verdict) < severity(s.verdict) || !missing.is_empty() {
        return Err(format!(
            "{html:?} (shown {shown:?}): {:?} {hr:?}, the shown text {:?} {sr:?}",
            h.verdict, s.verdict
        ));
    }
    Ok(())
}

/// Hidden, annotation and fallback text between the words of a phrase (round 3 left it in place,
/// or after the word it split) no longer breaks the phrase: it is judged at the end of the
/// sentence, as a sentence of its own.
#[test]
fn hidden_text_does_not_split_a_phrase() {
    let e = builtin();
    for (html, shown) in [
        ("f<span hidden>x</span>uck you", "fuck you"),
        ("fuck <span hidden>x</span>you", "fuck you"),
        ("piece of<noscript>x</noscript> shit", "piece of shit"),
        ("piece of<span style=\"display:none\">zz</span> shit", "piece of shit"),
        ("you are a m<span hidden>x</span>oron", "you are a moron"),
        ("you moron<span hidden>x</span>", "you moron"),
        ("kill your<template>x</template>self", "kill yourself"),
        ("go to hell yo<style>x</style>u cunt", "go to hell you cunt"),
    ] {
        judged_as_shown(&e, html, shown).unwrap_or_else(|m| panic!("{m}"));
    }
    // Still judged, and a word before the hidden text keeps its own span.
    let v = judge(&e, "you idiot. <span hidden>fuck you</span> have a nice day");
    assert!(rules(&v).contains(&"profanity.strong".to_string()), "{:?}", rules(&v));
    let idiot = v.reasons.iter().flat_map(|r| &r.matches).find(|m| m.text == "idiot");
    assert!(idiot.is_some(), "{:?}", v.reasons);
}

/// A `title` tooltip (shown on hover; WordPress allows it on `<a>`, `<abbr>`, `<acronym>`) is
/// judged (before: never), out of line, so it splits neither the word nor the phrase around it
/// (round 3's try put it after the word and lost `fu<b title="<">ck you`'s phrase).
#[test]
fn title_tooltips_are_judged_out_of_line() {
    let e = builtin();
    for body in ["<a href=\"x\" title=\"you fucking idiot\">a link</a>", "nice <abbr title=\"go fuck yourself\">post</abbr>"] {
        let v = judge(&e, body);
        assert_ne!(v.verdict, Decision::Allow, "{body:?}: {:?}", rules(&v));
    }
    for (html, shown) in [("fu<b title=\"<\">ck you", "fuck you"), ("fuck <a title=\"x\">you</a>", "fuck you")] {
        judged_as_shown(&e, html, shown).unwrap_or_else(|m| panic!("{m}"));
    }
    assert_eq!(judge(&e, "<a title=\"a kind word\">thanks</a>").verdict, Decision::Allow);
}

/// Tags the HTML parser drops (a stray end tag, `<body>` or a cell outside a table), table tags
/// whose text is moved before the table, replaced elements (`<canvas>`, `<embed>`) and a
/// button's label no longer split the word a browser shows whole; a line break by reference is
/// white space; an unclosed comment or CDATA section no longer sticks to the last word. Tags that
/// do separate on the page still do.
#[test]
fn parser_dropped_tags_do_not_split_words() {
    let e = builtin();
    for (html, shown) in [
        ("ass<table>hole", "asshole"),
        ("ass<td>hole", "asshole"),
        ("you i<ins></listing>diot", "you idiot"),
        ("kill y</a>o<body>urself", "kill yourself"),
        ("shut up you bi<frameset>tch", "shut up you bitch"),
        ("shut up you bi<button>tch", "shut up you bitch"),
        ("ass</button>hol<ins>e</textarea>", "asshole"),
        ("fu<canvas>x</canvas>ck you", "fuck you"),
        ("fuck <canvas>x</canvas>you", "fuck you"),
        ("<button>as<embed>sh<br>ole", "assh\nole"),
        ("fuc&#x0d;k you", "fuc k you"),
        ("kill&#x0d; yourself", "kill yourself"),
        ("fuck you<![CDATA[", "fuck you"),
    ] {
        judged_as_shown(&e, html, shown).unwrap_or_else(|m| panic!("{m}"));
    }
    let n = e.normalize("a<table><tr><td>b</td><td>c</td></tr></table>d</p>e<div>f</div>g");
    assert_eq!(n.text.split_whitespace().collect::<Vec<_>>(), ["a", "b", "c", "d", "e", "f", "g"], "{:?}", n.text);
}

/// `serve` refuses a body whose bytes are not the text the client means: a content coding it
/// does not decode (before: `Content-Encoding: gzip` over plain bytes was judged as sent), a
/// transfer coding other than one `chunked` (before: `gzip, chunked` was judged undecoded), and
/// a request naming two hosts or a foreign host in an absolute-form target (before: answered).
#[test]
fn serve_refuses_what_it_would_judge_as_other_bytes() {
    let dir = tmp("hostile4-codings");
    let srv = Server::start(&dir, &[]);
    let host = format!("Host: 127.0.0.1:{}\r\n", srv.port);
    let body = r#"{"body":"you are a fucking idiot"}"#;
    let send = |target: &str, extra: &str, payload: &str| -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let req = format!(
            "POST {target} HTTP/1.1\r\n{extra}Content-Type: application/json\r\nConnection: close\r\n\r\n{payload}"
        );
        let _ = s.write_all(req.as_bytes());
        read_response(&mut s)
    };
    let cl = format!("Content-Length: {}\r\n", body.len());
    let chunked = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
    let status = |r: &Resp| r.status;
    assert_eq!(status(&send("/v1/check", &format!("{host}{cl}"), body)), 200);
    let r = send("/v1/check", &format!("{host}{cl}Content-Encoding: gzip\r\n"), body);
    assert_eq!(r.status, 415, "{}", r.text());
    assert!(r.text().contains("Content-Encoding"), "{}", r.text());
    assert_eq!(status(&send("/v1/check", &format!("{host}{cl}Content-Encoding: identity\r\n"), body)), 200);
    let r = send("/v1/check", &format!("{host}Transfer-Encoding: gzip, chunked\r\n"), &chunked);
    assert_eq!(r.status, 501, "{}", r.text());
    let r = send("/v1/check", &format!("{host}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), &chunked);
    assert_eq!(r.status, 501, "{}", r.text());
    assert_eq!(status(&send("/v1/check", &format!("{host}Transfer-Encoding: chunked\r\n"), &chunked)), 200);
    let r = send("/v1/check", &format!("{host}Host: evil.example\r\n{cl}"), body);
    assert_eq!(r.status, 421, "{}", r.text());
    let r = send("http://evil.example/v1/check", &format!("{host}{cl}"), body);
    assert_eq!(r.status, 421, "{}", r.text());
    let own = format!("http://127.0.0.1:{}/v1/check", srv.port);
    assert_eq!(status(&send(&own, &format!("{host}{cl}"), body)), 200);
}

/// Idle sockets cannot keep a real request out: at `--max-connections`, a new connection closes
/// the oldest one without a request in flight. Before: 300 idle sockets against 16 slots and a
/// 3 s header timeout held a request back 24 s; here 40 idle sockets and 8 trickling headers
/// against 8 slots and a 60 s timeout would hold it for minutes.
#[test]
fn idle_sockets_give_way_to_a_real_request() {
    let dir = tmp("hostile4-idle");
    let srv = Server::start(&dir, &["--max-connections", "8", "--read-timeout", "60"]);
    let mut hogs: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(("127.0.0.1", srv.port)).unwrap()).collect();
    for h in hogs.iter_mut().take(8) {
        let _ = h.write_all(b"POST /v1/check HTTP/1.1\r\nX-Slow: ");
    }
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let r = srv.post_json(r#"{"body": "you are a fucking idiot"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verdict"], "block");
    assert!(start.elapsed() < Duration::from_secs(20), "waited {:?} behind idle sockets", start.elapsed());
    // A request in flight is never the one closed: a slow body still gets its answer.
    let mut slow = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    let body = r#"{"body":"hello there"}"#;
    let head = format!(
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        srv.port,
        body.len()
    );
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&body.as_bytes()[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let more: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(("127.0.0.1", srv.port)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    slow.write_all(&body.as_bytes()[5..]).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let r = read_response(&mut slow);
    assert_eq!(r.status, 200, "{}", r.text());
    drop((hogs, more));
}

// ---- Differential: headless Chromium's innerText against the normalizer ----

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// One WebDriver request (`Connection: close`); the JSON `value` of the answer.
fn webdriver(port: u16, method: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let payload = body.to_string();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // The head, then exactly Content-Length bytes (chromedriver may keep the socket open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let body_at = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => panic!("webdriver {path}: no answer: {}", String::from_utf8_lossy(&raw)),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&raw[..body_at]).to_ascii_lowercase();
    let len = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    while len.map_or(true, |n| raw.len() < body_at + n) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&raw[body_at..]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("webdriver {path}: {e}: {text}"));
    v["value"].clone()
}

/// Markup inserted between the letters of insults. Left out: what a page shows that `innerText`
/// does not (an `<img>`'s alt text, an `<input>`'s value) and the order bidi controls draw in
/// (`innerText` is in logical order): there the normalizer follows the screen on purpose.
const INSERTS: &[&str] = &[
    "<b></b>", "<span></span>", "<!-- -->", "<!---->", "<!-->", "<wbr>", "&shy;", "&#8203;", "<i>", "</i>",
    "<span hidden>x</span>", "<span style=\"display:none\">zz</span>", "<rt>q</rt>", "<ruby>", "</ruby>",
    "<a title=\"t\">", "</a>", "<br>", "<p>", "</p>", "<div>", "</div>", "<img alt=\"\">", "&zwj;", "<?x>", "</ >",
    "<template>x</template>", "<noscript>x</noscript>", "<table>", "</table>", "<tr>", "<td>", "<select>", "</select>",
    "<option>", "<svg>", "</svg>", "<math>", "</math>", "<![CDATA[x]]>", "<![CDATA[", "]]>", "<textarea>",
    "</textarea>", "<xmp>", "</xmp>", "<pre>", "\n", "&#x66", "&amp", "&not", "&notit;", "&lt;", "&gt;", "<", "&",
    "<b", "<a href=\"x>y\">", "<span a='\">'>", "<!--!>", "--!>", "-->", "<!-- -- >", "<q>", "</q>", "<li>", "<ul>",
    "<dl>", "<dt>", "<h1>", "<sup>", "<del>", "<s>", "<font>", "<center>", "<marquee>", "<nobr>", "<image>",
    "<frameset>", "<form>", "</form>", "<button>", "</button>", "<label>", "<object>", "</object>", "<embed>",
    "<head>", "<body>", "<html>", "<title>x</title>", "<style>x</style>", "<script>x</script>", "<iframe>x</iframe>",
    "<noembed>x</noembed>", "<plaintext>", "&#0;", "&#x0d;", "\r", "\t", "&nbsp;", "&#160;", "<listing>", "</listing>",
    "<caption>", "<colgroup>", "<frame>", "<details>", "</details>", "<summary>", "<dialog>", "<slot>",
    "<canvas>x</canvas>", "<video>x</video>", "<audio>x</audio>", "<map>", "<area>", "</span>", "<bdi>", "</bdi>",
    "<tt>", "<rp>(</rp>", "<rb>", "<rtc>", "<hr>", "<meta>", "<link>", "<base>", "<col>", "<param>", "<source>",
    "<track>", "<img>", "<span style=\"font-size:0\">x</span>", "<ins>", "</ins>", "<kbd>",
];

const PHRASES: &[&str] = &[
    "fuck you",
    "you idiot",
    "kill yourself",
    "piece of shit",
    "you are a moron",
    "shut up you bitch",
    "asshole",
    "go to hell you cunt",
];

/// `n` snippets: a phrase with one to four inserts at random places (a fixed-seed generator, so
/// a failure reproduces).
fn snippets(n: usize, mut seed: u64) -> Vec<String> {
    let mut next = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    (0..n)
        .map(|_| {
            let w = PHRASES[next(PHRASES.len())];
            let mut at: Vec<usize> = (0..1 + next(4)).map(|_| next(w.len() + 1)).collect();
            at.sort_unstable();
            let (mut out, mut last) = (String::new(), 0);
            for p in at {
                out.push_str(&w[last..p]);
                out.push_str(INSERTS[next(INSERTS.len())]);
                last = p;
            }
            out.push_str(&w[last..]);
            out
        })
        .collect()
}

/// What Chromium shows for each snippet, set as a `<div>`'s innerHTML (as a site shows a comment
/// body), read back as `innerText`.
fn chromium_inner_text(chromium: &Path, driver: &Path, bodies: &[String]) -> Vec<String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _driver = Proc(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn chromedriver"),
    );
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": chromium.to_string_lossy(),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    }}}});
    let session = webdriver(port, "POST", "/session", &caps)["sessionId"].as_str().expect("session").to_string();
    let script = "const out = []; const d = document.createElement('div'); document.body.appendChild(d); \
                  for (const s of arguments[0]) { d.innerHTML = s; out.push(d.innerText); } return out;";
    let texts = webdriver(
        port,
        "POST",
        &format!("/session/{session}/execute/sync"),
        &serde_json::json!({"script": script, "args": [bodies]}),
    );
    webdriver(port, "DELETE", &format!("/session/{session}"), &serde_json::json!({}));
    texts.as_array().expect("innerText list").iter().map(|t| t.as_str().unwrap_or("").to_string()).collect()
}

/// Generated hostile snippets are judged at least as severely as the text Chromium shows for
/// them. Before round 4: 132 of 600 were judged milder (phrases split by hidden text, stray end
/// tags, table and replaced elements, `&#x0d;`); the few left are the split-word scan reading
/// `idi ot` alone but not before a sentence of hidden text (docs/hostile.md), so the bar is 2 %.
#[test]
fn chromium_shows_what_is_judged() {
    let (Some(chromium), Some(driver)) = (find("chromium").or_else(|| find("chromium-browser")), find("chromedriver"))
    else {
        common::note_skip(Path::new("chromium and chromedriver"));
        return;
    };
    let bodies = snippets(600, 0x9E37_79B9_7F4A_7C15);
    let shown = chromium_inner_text(&chromium, &driver, &bodies);
    assert_eq!(shown.len(), bodies.len());
    let e = builtin();
    let misses: Vec<String> =
        bodies.iter().zip(&shown).filter_map(|(b, s)| judged_as_shown(&e, b, s).err()).collect();
    assert!(misses.len() * 50 <= bodies.len(), "{} of {} judged milder than shown:\n{}", misses.len(), bodies.len(), misses.join("\n"));
}
