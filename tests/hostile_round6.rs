//! Hostile input, round 6: XML exports in a legacy encoding, `worker`/`collect` failing before
//! they mislead, and the other attacks docs/hostile.md lists for round 6. Every fixture is
//! written here, in a temporary directory.

mod common;

use std::path::{Path, PathBuf};

use common::{moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile6-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn verdicts(recs: &[serde_json::Value]) -> Vec<&str> {
    recs.iter().map(|r| r["verdict"].as_str().unwrap_or("?")).collect()
}

/// Latin-1 bytes of `text` (every character here is below U+0100).
fn latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character")).collect()
}

/// A WordPress export in `enc` (the declaration's label): a kind comment and an insult, each
/// with a character outside ASCII, the insult approved.
fn wxr(label: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n\
         <rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<item>\n\
         <wp:comment>\n<wp:comment_id>1</wp:comment_id>\n<wp:comment_author>Ren\u{e9}e</wp:comment_author>\n\
         <wp:comment_content>The caf\u{e9} review was lovely, merci.</wp:comment_content>\n\
         <wp:comment_approved>0</wp:comment_approved>\n</wp:comment>\n\
         <wp:comment>\n<wp:comment_id>2</wp:comment_id>\n\
         <wp:comment_content>You are a f\u{fc}cking idiot, shut up.</wp:comment_content>\n\
         <wp:comment_approved>1</wp:comment_approved>\n</wp:comment>\n</item>\n</channel>\n</rss>\n"
    )
}

/// A WordPress or Disqus export declaring ISO-8859-1 or windows-1252 (old blogs): before, every
/// comment with a byte above 0x7F was an error record ("Malformed UTF-8"), and `--split` held
/// them all, so the insult was never judged. Now the file is decoded as declared (as the
/// importer decodes it): the kind comment is allowed, the insult blocked with its span naming
/// the shown text, and the moderated copy is the export byte for byte but for the verdicts.
#[test]
fn an_export_declaring_a_legacy_encoding_is_decoded_as_declared() {
    for label in ["ISO-8859-1", "windows-1252", "latin1"] {
        let d = tmp(&format!("legacy-{label}"));
        let src = latin1(&wxr(label));
        write(&d, "blog.xml", &src);
        let out = moderate_in(&d, &["run", "-q", "blog.xml", "--split", "out"], "");
        let recs = records(&out);
        assert_eq!(verdicts(&recs), ["allow", "block"], "{label}: {recs:?} {}", stderr(&out));
        let spans: Vec<&str> = recs[1]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["matches"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()))
            .collect();
        assert!(spans.iter().any(|t| t.contains("f\u{fc}cking")), "{label}: {spans:?}");
        let copy = std::fs::read(d.join("out/blog.moderated.xml")).unwrap();
        let want = latin1(&wxr(label).replacen(">0</wp:comment_approved>", ">1</wp:comment_approved>", 1).replacen(
            ">1</wp:comment_approved>\n</wp:comment>\n</item>",
            ">spam</wp:comment_approved>\n</wp:comment>\n</item>",
            1,
        ));
        assert_eq!(String::from_utf8_lossy(&copy), String::from_utf8_lossy(&want), "{label}");
        assert_eq!(copy, want, "{label}: the copy keeps the export's own bytes");
    }

    let d = tmp("legacy-disqus");
    let disqus = "<?xml version='1.0' encoding='windows-1252'?>\n\
        <disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n\
        <thread dsq:id=\"t1\"><id>a</id></thread>\n\
        <post dsq:id=\"p1\"><message><![CDATA[Merci, Ren\u{e9}e \u{2013} a fine piece.]]></message>\
        <isSpam>false</isSpam><thread dsq:id=\"t1\"/></post>\n\
        <post dsq:id=\"p2\"><message><![CDATA[Shut up, you st\u{fc}pid moron \u{2014} nobody asked.]]></message>\
        <isSpam>false</isSpam><thread dsq:id=\"t1\"/></post>\n</disqus>\n";
    // windows-1252 holds the dashes at 0x96 and 0x97.
    let bytes: Vec<u8> = disqus
        .chars()
        .map(|c| match c {
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            c => u8::try_from(u32::from(c)).unwrap(),
        })
        .collect();
    write(&d, "d.xml", &bytes);
    let out = moderate_in(&d, &["run", "-q", "--format", "disqus", "d.xml"], "");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["allow", "block"], "{recs:?} {}", stderr(&out));
}

/// A declared encoding whose bytes are wrong (a lone lead byte in Shift_JIS) spoils that comment
/// alone, and an unknown label is read as UTF-8 with a warning that names it.
#[test]
fn a_bad_byte_in_a_declared_encoding_spoils_one_comment() {
    let d = tmp("sjis");
    let mut src = wxr("Shift_JIS").replace('\u{e9}', "e").replace('\u{fc}', "u").into_bytes();
    // A Shift_JIS lead byte followed by a space, which no trail byte is.
    let at = src.windows(4).position(|w| w == b"cafe").unwrap();
    src[at + 3] = 0x81;
    src.insert(at + 4, b' ');
    write(&d, "blog.xml", &src);
    let out = moderate_in(&d, &["run", "-q", "blog.xml"], "");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error", "block"], "{recs:?} {}", stderr(&out));
    assert_eq!(recs[0]["source"], "blog.xml:5");

    let d = tmp("unknown-label");
    write(&d, "blog.xml", latin1(&wxr("x-made-up")));
    let out = moderate_in(&d, &["run", "-q", "blog.xml"], "");
    assert!(stderr(&out).contains("\"x-made-up\", which is not known"), "{}", stderr(&out));
    assert_eq!(records(&out).len(), 2);
}

/// A NATS URL where nothing listens (a port just freed).
fn dead_nats() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("nats://127.0.0.1:{port}")
}

/// `worker` without a server: before, it printed "worker on …" and "worker stopped: 0 verdicts
/// published …" and then its `cannot connect` error, as if it had run. Now the error is alone.
#[test]
fn a_worker_that_cannot_connect_says_only_why() {
    let d = tmp("worker");
    let nats = dead_nats();
    let out = moderate_in(&d, &["worker", "--nats", &nats, "--connect-timeout", "1"], "");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot connect"), "{err}");
    assert!(!err.contains("worker on") && !err.contains("worker stopped"), "{err}");
}

/// `collect -o /bad/x` (or `--authors`, `--split`, `--queue` there): before, it connected first
/// and said `cannot connect` (or, with a server, collected) before it found the path
/// unwritable; and `-o verdicts.jsonl` was emptied even when the collect could not start. Now
/// the outputs are opened first and truncated only once the run is found.
#[test]
fn collect_checks_its_outputs_before_connecting_and_keeps_them_when_refused() {
    let d = tmp("collect");
    let nats = dead_nats();
    let bad = d.join("missing-dir/x.jsonl");
    let bad = bad.to_str().unwrap();
    for flag in ["-o", "--authors", "--queue", "--split"] {
        let target = if flag == "--split" { d.join("a-file").to_str().unwrap().to_string() } else { bad.to_string() };
        if flag == "--split" {
            write(&d, "a-file", "not a directory");
        }
        let out = moderate_in(&d, &["collect", "--nats", &nats, "--connect-timeout", "1", flag, &target], "");
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(0), "{flag}: {err}");
        assert!(err.contains(&format!("{flag} {target}")), "{flag}: {err}");
        assert!(!err.contains("cannot connect"), "{flag}: {err}");
    }
    let kept = write(&d, "verdicts.jsonl", "{\"id\":\"1\",\"verdict\":\"allow\"}\n");
    let out = moderate_in(&d, &["collect", "--nats", &nats, "--connect-timeout", "1", "-o", "verdicts.jsonl"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "{\"id\":\"1\",\"verdict\":\"allow\"}\n");
}

/// Ids written as JSON numbers: before, each went through f64, so
/// `123456789012345678901234567890` came back `123456789012345680000000000000`, the two ids
/// below ending `…890` and `…891` became one, `18446744073709551616` (2^64) became
/// `18446744073709552000`, and `1.50` became `1.5`: a site matching verdicts by id would apply
/// them to the wrong comment or none. Now a number is kept as written (the parent's and the
/// post's ids too).
#[test]
fn numeric_ids_are_kept_as_written() {
    let d = tmp("ids");
    let ids = ["123456789012345678901234567890", "123456789012345678901234567891", "18446744073709551616", "1.50", "1e2", "-0", "42"];
    let input: String = ids
        .iter()
        .map(|id| format!("{{\"id\": {id}, \"parent\": {id}, \"body\": \"thanks for the article\"}}\n"))
        .collect();
    write(&d, "c.jsonl", &input);
    let out = moderate_in(&d, &["run", "-q", "c.jsonl"], "");
    let recs = records(&out);
    let got: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap_or("?")).collect();
    assert_eq!(got, ids, "{}", stderr(&out));
    assert_eq!(verdicts(&recs), ["allow"; 7]);
}

/// An inline style read as CSS reads it (each case checked in headless Chromium's `innerText`):
/// before, the raw attribute text was matched against `display:none`, so a comment
/// (`display:/**/none`), an escape (`\6e one`, `n\one`, `\64isplay`) or a character reference
/// (`n&#111;ne`) hid the `x` from the reader but not from the judge (`fxuck you`: a flag, where
/// the reader sees `fuck you`: a block); and `display:none;display:inline` (the last one wins:
/// shown) was judged hidden. Now the judged text is the shown one in each case.
#[test]
fn an_inline_style_hides_what_a_browser_hides() {
    let cases = [
        ("f<span style=\"display:/**/none\">x</span>uck you", "fuck you"),
        ("f<span style=\"display:\\6e one\">x</span>uck you", "fuck you"),
        ("f<span style=\"display:n\\one\">x</span>uck you", "fuck you"),
        ("f<span style=\"\\64isplay:none\">x</span>uck you", "fuck you"),
        ("f<span style=\"display:n&#111;ne\">x</span>uck you", "fuck you"),
        ("f<span style=\"display:none !important;display:inline\">x</span>uck you", "fuck you"),
        ("f<span style=\"display:none;display:inline\">x</span>uck you", "fxuck you"),
        ("f<span style=\"dis/**/play:none\">x</span>uck you", "fxuck you"),
        ("f<span style=\"display\\3a none\">x</span>uck you", "fxuck you"),
    ];
    let html: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let shown: Vec<&str> = cases.iter().map(|c| c.1).collect();
    let (judged, want) = (common::pack_verdicts(&html), common::pack_verdicts(&shown));
    for ((case, got), want) in cases.iter().zip(&judged).zip(&want) {
        assert_eq!(got, want, "{}", case.0);
    }
    // The two shown texts differ in verdict, so the comparison can fail.
    assert_ne!(want[0], want[6]);
}

/// Text a reader cannot see by the same means the normalizer already honoured (`font-size:0`,
/// `opacity:0`, `color:transparent`) written another way: the `font` shorthand (`font:0/0 a`),
/// a negative opacity (clamped to 0), a colour whose alpha is zero. Before, each was judged in
/// place (`fxuck you`: a flag) where the reader sees `fuck you` (a block).
#[test]
fn invisible_text_written_another_way_does_not_split_a_word() {
    let hiding = [
        "font:0/0 a",
        "opacity:-1",
        "color:rgba(0,0,0,0)",
        "color:rgb(0 0 0 / 0%)",
        "color:#0000",
        "color:#ffffff00",
        "color:hsla(0, 0%, 0%, 0)",
    ];
    let html: Vec<String> = hiding.iter().map(|s| format!("f<span style=\"{s}\">x</span>uck you")).collect();
    let mut bodies: Vec<&str> = html.iter().map(String::as_str).collect();
    bodies.extend(["fuck you", "f<span style=\"color:rgba(0,0,0,0.6)\">x</span>uck you", "fxuck you"]);
    let got = common::pack_verdicts(&bodies);
    let n = hiding.len();
    for (h, v) in hiding.iter().zip(&got) {
        assert_eq!(v, &got[n], "{h}");
    }
    // A visible colour still splits the word, and that verdict differs.
    assert_eq!(got[n + 1], got[n + 2]);
    assert_ne!(got[n], got[n + 2]);
}

/// Only an XML declaration names the encoding: a file that starts with another processing
/// instruction (`<?xml-stylesheet … encoding="windows-1252"?>`) is UTF-8, as an XML parser reads
/// it, so its `ü` is not read as the two windows-1252 characters `Ã¼`.
#[test]
fn a_processing_instruction_is_not_a_declaration() {
    let d = tmp("pi");
    let src = wxr("windows-1252").replacen("<?xml version=\"1.0\"", "<?xml-stylesheet type=\"text/xsl\"", 1);
    write(&d, "blog.xml", &src);
    let out = moderate_in(&d, &["run", "-q", "--format", "wxr", "blog.xml"], "");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["allow", "block"], "{recs:?} {}", stderr(&out));
    assert!(recs[1].to_string().contains("f\u{fc}cking"), "{}", recs[1]);
}

// Round 6b: the review page and `serve`, attacked through the real binary.

/// A queue of two flagged comments, one posted in December 2026 and one in March 2025.
fn dated_queue(d: &Path) -> PathBuf {
    write(d, "ins.txt", "nitwit\n");
    write(
        d,
        "config.toml",
        "[[rule]]\nid = \"attack.nitwit\"\ncategory = \"attack\"\naction = \"flag\"\nmessage = \"insult\"\nwordlist = \"ins.txt\"\n",
    );
    write(
        d,
        "c.jsonl",
        "{\"id\":\"dec\",\"body\":\"you nitwit\",\"created_at\":\"2026-12-02 10:00:00\"}\n\
         {\"id\":\"mar\",\"body\":\"what a nitwit\",\"created_at\":\"2025-03-04 10:00:00\"}\n",
    );
    let out = moderate_in(d, &["run", "-q", "-c", "config.toml", "--queue", "q.db", "c.jsonl"], "");
    assert_eq!(records(&out).len(), 2, "{}", stderr(&out));
    d.join("q.db")
}

/// `from`/`to` were compared with the stored times as text: `--from 2026-5-1` sorted after
/// every December date (the December comment was not listed) and `--from garbage` after every
/// date (an empty list, as if nothing were pending). Now a date is padded and anything else is
/// refused naming the field.
#[test]
fn a_date_filter_is_read_as_a_date() {
    let d = tmp("dates");
    dated_queue(&d);
    let list = |extra: &[&str]| {
        let mut args = vec!["review", "list", "--db", "q.db", "--status", "all"];
        args.extend_from_slice(extra);
        moderate_in(&d, &args, "")
    };
    // `review list` prints one line per item, ending in its text.
    let ids = |o: &std::process::Output| -> Vec<&str> {
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        [("dec", "you nitwit"), ("mar", "what a nitwit")]
            .into_iter()
            .filter(|(_, body)| text.lines().any(|l| l.ends_with(body)))
            .map(|(id, _)| id)
            .collect()
    };
    let all = list(&[]);
    assert_eq!(ids(&all), ["dec", "mar"], "{}", stderr(&all));
    let may = list(&["--from", "2026-5-1"]);
    assert!(may.status.success(), "{}", stderr(&may));
    assert_eq!(ids(&may), ["dec"], "from 2026-5-1: {}", String::from_utf8_lossy(&may.stdout));
    let upto = list(&["--to", "2025-3-4"]);
    assert_eq!(ids(&upto), ["mar"], "to 2025-3-4 (the whole day): {}", String::from_utf8_lossy(&upto.stdout));
    for bad in ["garbage", "2026-13-01", "2026-05-01x", "05/01/2026", "2026-05"] {
        let o = list(&["--from", bad]);
        assert!(!o.status.success(), "--from {bad} listed: {}", String::from_utf8_lossy(&o.stdout));
        let e = stderr(&o);
        assert!(e.contains("from") && e.contains("not a date"), "--from {bad}: {e}");
    }
}

/// The review server, started by the real binary on a free port; stopped when dropped.
pub(crate) struct ReviewServer {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl ReviewServer {
    pub(crate) fn start(dir: &Path, db: &Path) -> ReviewServer {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
            .current_dir(dir)
            .env("XDG_CACHE_HOME", dir.join(".cache"))
            .args(["review", "serve", "--db"])
            .arg(db)
            .args(["--addr", "127.0.0.1:0", "--token", "T6B", "--config", "/dev/null"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        // Keep draining: a closed pipe would stop the server at its next line of output.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let url = first.split(" at ").nth(1).unwrap_or_else(|| panic!("no address in {first:?}"));
        let port = url.trim().trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
        ReviewServer { child, port }
    }

    /// One request on its own connection: the status and the body.
    pub(crate) fn send(&self, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
        let timeout = std::time::Duration::from_secs(10);
        let (status, answer) = common::http_request(self.port, method, path, headers, body, timeout);
        let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
        (status, body)
    }
}

impl Drop for ReviewServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A write carrying two `Origin` headers, this server's first and another site's second, was
/// let through (the check read only the first). A browser never sends two; whichever one a
/// proxy in front keeps, the server must not guess. Now refused (403) without writing, as is
/// a doubled `Referer`; one same-origin `Origin` still writes. An absolute-form request
/// target naming another host passed the review server's Host check (`serve` refused it). The page's date filters are
/// read as dates here too (`from=2026-5-1` found nothing; `from=garbage` an empty queue).
#[test]
fn the_review_server_refuses_doubled_origins_other_hosts_and_non_dates() {
    let d = tmp("review-origin");
    let db = dated_queue(&d);
    let srv = ReviewServer::start(&d, &db);
    let here = format!("http://127.0.0.1:{}", srv.port);
    let decide = r#"{"action":"approve","expected_version":0,"reviewer":"t"}"#;
    let auth = ["Authorization: Bearer T6B", "Content-Type: application/json"];
    let with = |extra: &[String]| -> Vec<String> { auth.iter().map(|s| s.to_string()).chain(extra.iter().cloned()).collect() };
    for doubled in [
        vec![format!("Origin: {here}"), "Origin: http://evil.example".to_string()],
        vec![format!("Referer: {here}/"), "Referer: http://evil.example/".to_string()],
    ] {
        let h = with(&doubled);
        let h: Vec<&str> = h.iter().map(String::as_str).collect();
        let (status, body) = srv.send("POST", "/api/items/1/decision", &h, decide);
        assert_eq!(status, 403, "{doubled:?}: {body}");
    }
    // An absolute-form target naming another host (a DNS-rebinding page cannot send one, a
    // local program can): refused as a `Host` naming it is; it was answered (200).
    let (status, body) = srv.send("GET", "http://evil.example/api/items/1", &auth, "");
    assert_eq!(status, 421, "absolute-form evil.example: {body}");
    let (status, body) = srv.send("GET", "/api/items/1", &auth, "");
    assert_eq!(status, 200, "{body}");
    let item: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(item["status"], "pending", "a refused write wrote: {body}");
    let h = with(&[format!("Origin: {here}")]);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let (status, body) = srv.send("POST", "/api/items/1/decision", &h, decide);
    assert_eq!(status, 200, "a same-origin write: {body}");

    let listed = |q: &str| -> (u16, Vec<String>) {
        let (status, body) = srv.send("GET", &format!("/api/items?status=all&{q}"), &auth, "");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let ids = v["items"].as_array().into_iter().flatten().filter_map(|i| i["comment_id"].as_str().map(String::from));
        (status, ids.collect())
    };
    assert_eq!(listed("from=2026-5-1"), (200, vec!["dec".to_string()]));
    let (status, _) = listed("from=garbage");
    assert_eq!(status, 400, "from=garbage");
    let (status, body) = srv.send("GET", "/?to=2026-02-30x", &auth, "");
    assert!(status == 400 && body.contains("not a date"), "{status} {body}");
    // A malformed id or query value is refused as JSON, as everything else (was axum's plain
    // text, which the page's `fetch` cannot read).
    for (method, path) in [("POST", "/api/items/abc/decision"), ("GET", "/api/items?limit=-1"), ("GET", "/api/poll?since=x")] {
        let (status, body) = srv.send(method, path, &auth, if method == "POST" { decide } else { "" });
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert!(status == 400 && v["error"].is_string(), "{method} {path}: {status} {body}");
    }
}
