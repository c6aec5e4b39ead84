//! The review queue as a daily tool (issue 20): storage hygiene, identity and blocks, bounded
//! keyset pages, undo, claims, notes and edits, and the block list the author policy reads.
//! Everything here runs on small fixtures made in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use moderate::comment::{Comment, SourcePos};
use moderate::review::export::export_labeled;
use moderate::review::identity::{Block, BlockKind};
use moderate::review::server::{router, AppState};
use moderate::review::store::{Direction, Filter, NewDecision, ReviewAction, Sort, Status, Target};
use moderate::review::{QueueSink, Store};
use moderate::verdict::{Action, Decision, Reason, Span, Verdict};
use moderate::write::{Judged, Sink};
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "identity-token-1";
const HOST: &str = "127.0.0.1:8787";
const ORIGIN: &str = "http://127.0.0.1:8787";

struct Who<'a> {
    name: &'a str,
    email: Option<&'a str>,
    url: Option<&'a str>,
    ip: Option<&'a str>,
}

fn flagged(id: &str, who: &Who<'_>, body: &str, created: Option<&str>, post: &str) -> Judged {
    let needle = body.split_whitespace().next().unwrap_or("");
    let reason = Reason {
        rule: "attack.insult".into(),
        category: "attack".into(),
        action: Some(Action::Flag),
        score: 1.0,
        message: "insult".into(),
        matches: vec![Span { start: 0, end: needle.len(), text: needle.into() }],
        counted_by: None,
        match_count: None,
        shadow: None,
    };
    let link = Reason {
        rule: "spam.links".into(),
        category: "spam".into(),
        action: None,
        score: 0.5,
        message: "a link".into(),
        matches: vec![],
        counted_by: None,
        match_count: None,
        shadow: None,
    };
    let comment = Comment {
        author: Some(who.name.to_string()).filter(|n| !n.is_empty()),
        author_email: who.email.map(String::from),
        author_url: who.url.map(String::from),
        ip: who.ip.map(String::from),
        created_at: created.map(String::from),
        post_id: Some(post.into()),
        parent: Some("c-0".into()),
        source: Some(SourcePos { file: "dump.jsonl".into(), line: 1 }),
        ..Comment::new(id, body)
    };
    Judged {
        record: Ok(comment),
        verdict: Verdict {
            id: id.into(),
            verdict: Decision::Flag,
            score: 1.5,
            reasons: vec![reason, link],
            error: None,
            censored: None,
            source: None,
        },
    }
}

/// Five items with identities; #1 and #2 share an e-mail under different names.
fn fixture(dir: &Path) -> PathBuf {
    let db = dir.join("review.db");
    let mut sink = QueueSink::open(&db).unwrap();
    let items = [
        flagged(
            "c-1",
            &Who { name: "Anonymous", email: Some("troll@example.com"), url: None, ip: Some("198.51.100.7") },
            "idiot one http://x.example",
            Some("2024-05-01T10:00:00Z"),
            "p1",
        ),
        flagged(
            "c-2",
            &Who { name: "Bob", email: Some("Troll@Example.com"), url: None, ip: Some("198.51.100.9") },
            "moron two",
            Some("2024-05-02T10:00:00Z"),
            "p1",
        ),
        flagged(
            "c-3",
            &Who { name: "B\u{200B}ob", email: None, url: Some("https://www.spam.example/x"), ip: None },
            "fool three",
            Some("2024-05-03T10:00:00Z"),
            "p2",
        ),
        flagged(
            "c-4",
            &Who { name: "Anonymous", email: Some("victim@example.com"), url: None, ip: Some("203.0.113.5") },
            "jerk four",
            None,
            "p2",
        ),
        flagged(
            "c-5",
            &Who { name: "\u{202E}evil", email: None, url: None, ip: None },
            "clown five \u{202E}desrever",
            Some("2024-06-01T00:00:00Z"),
            "p3",
        ),
    ];
    for j in &items {
        sink.write(j).unwrap();
    }
    sink.finish().unwrap();
    db
}

fn app(db: &Path) -> Router {
    router(AppState::new(Store::open(db).unwrap(), TOKEN, "tester"))
}

fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

fn post(uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26).await.unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn json_of(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let (s, _, b) = send(app, req).await;
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

fn cli(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moderate")).current_dir(dir).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn d(action: ReviewAction) -> NewDecision {
    NewDecision::new(action, "ana", "cli")
}

// ---- storage hygiene -----------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn database_is_private_and_must_exist() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(Store::open(dir.path().join("typo.db")).unwrap_err().is_not_found());
    assert!(!dir.path().join("typo.db").exists(), "a mistyped --db creates nothing");
    let (ok, _, err) = cli(dir.path(), &["review", "approve", "--db", "typo.db", "1"]);
    assert!(!ok && err.contains("no such queue database"), "{err}");
    assert!(!dir.path().join("typo.db").exists());
}

#[test]
fn read_only_commands_work_on_a_read_only_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let before = std::fs::read(&db).unwrap();
    let mut perm = std::fs::metadata(&db).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&db, perm).unwrap();
    let store = Store::open_read_only(&db).unwrap();
    assert!(store.is_read_only());
    assert_eq!(store.items(&Filter::default()).unwrap().items.len(), 5);
    let (ok, out, err) = cli(dir.path(), &["review", "list", "--db", "review.db", "--status", "all"]);
    assert!(ok, "{err}");
    assert!(out.contains("5 of 5 item(s)"), "{out}");
    let (ok, _, err) = cli(dir.path(), &["review", "export", "--db", "review.db", "-o", "-"]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "read-only commands leave the file as it was");
}

#[tokio::test]
async fn reads_need_the_token_and_the_page_trades_it_for_a_read_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&fixture(dir.path()));
    let bare = |uri: &str| Request::builder().uri(uri).header(header::HOST, HOST).body(Body::empty()).unwrap();
    for uri in ["/api/items", "/api/items/1", "/api/blocks", "/api/poll"] {
        assert_eq!(send(&app, bare(uri)).await.0, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let (status, _, html) = send(&app, bare("/")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("token-input") && !html.contains("idiot") && !html.contains("Anonymous"), "{html}");
    assert_eq!(send(&app, bare("/static/app.js")).await.0, StatusCode::OK);

    // The session call needs the token, and answers with an HttpOnly, SameSite=Strict cookie.
    let (status, headers, _) = send(&app, post("/api/session", &json!({}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let with_cookie = Request::builder()
        .uri("/")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &pair)
        .body(Body::empty())
        .unwrap();
    let (status, _, html) = send(&app, with_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("idiot"));
    // The cookie reads; it never writes.
    let write = Request::builder()
        .method("POST")
        .uri("/api/items/1/decision")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &pair)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"action": "approve", "expected_version": 0}).to_string()))
        .unwrap();
    assert_eq!(send(&app, write).await.0, StatusCode::UNAUTHORIZED);
    let forged = Request::builder()
        .uri("/api/items")
        .header(header::HOST, HOST)
        .header(header::COOKIE, pair.split('=').next().unwrap().to_string() + "=guess")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, forged).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn writes_need_a_version_and_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let app = app(&db);
    let (s, body) = json_of(&app, post("/api/decisions", &json!({"action": "approve", "items": [{"id": 1}]}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let twice: Vec<Value> = (0..1000).map(|_| json!({"id": 1, "expected_version": 0})).collect();
    let (s, body) = json_of(&app, post("/api/decisions", &json!({"action": "approve", "items": twice}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("named twice"), "{body}");
    assert!(Store::open(&db).unwrap().decisions(1).unwrap().is_empty(), "nothing written");
}

// ---- identity --------------------------------------------------------------------------------

#[test]
fn identity_is_stored_and_blocks_act_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let mut store = Store::open(&db).unwrap();
    let item = store.item(1).unwrap();
    assert_eq!(item.author_email.as_deref(), Some("troll@example.com"));
    assert_eq!(item.ip.as_deref(), Some("198.51.100.7"));
    assert_eq!(item.parent.as_deref(), Some("c-0"));
    assert_eq!(store.item(3).unwrap().author_url.as_deref(), Some("https://www.spam.example/x"));

    // `b` on an "Anonymous" comment with an e-mail blocks the e-mail, not every Anonymous.
    store.decide(1, &d(ReviewAction::Block)).unwrap();
    assert_eq!(store.blocks().unwrap(), [Block::new(BlockKind::Email, "troll@example.com").unwrap()]);
    assert!(store.item(2).unwrap().author_blocked, "same address, other case and name");
    assert!(!store.item(4).unwrap().author_blocked, "another Anonymous is not blocked");

    // Exact-name blocks do not catch look-alikes.
    store.set_author_blocked("Bob", true, "ana", "cli").unwrap();
    assert!(!store.item(3).unwrap().author_blocked, "B\u{200B}ob is not Bob");
    // A URL domain covers its subdomains; an IP range covers its addresses.
    store.set_blocked(&Block::new(BlockKind::Domain, "spam.example").unwrap(), true, "ana", "web").unwrap();
    assert_eq!(store.item(3).unwrap().blocked_as, Some(Block::new(BlockKind::Domain, "spam.example").unwrap()));
    store.set_blocked(&Block::new(BlockKind::Ip, "203.0.113.0/24").unwrap(), true, "ana", "web").unwrap();
    assert!(store.item(4).unwrap().author_blocked);
    // A block kind the item does not have is refused.
    let by_ip = NewDecision { block_kind: Some(BlockKind::Ip), ..d(ReviewAction::Block) };
    assert!(store.decide(3, &by_ip).unwrap_err().is_invalid());

    // Unblock lifts exactly that block.
    store.set_blocked(&Block::new(BlockKind::Ip, "203.0.113.0/24").unwrap(), false, "ana", "cli").unwrap();
    assert!(!store.item(4).unwrap().author_blocked);
    assert_eq!(store.blocked_authors().unwrap(), ["Bob"]);
}

#[tokio::test]
async fn page_shows_identity_visibly_and_neutralises_bidi() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&fixture(dir.path()));
    let (status, _, html) = send(&app, get("/?status=all&sort=oldest")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("B·ob [U+200B]"), "zero-width shown");
    assert!(html.contains("troll@example.com") && html.contains("198.51.100.7"));
    assert!(html.contains("href=\"/?status=all&amp;ip=198.51.100.7\""), "IP links filter by IP");
    assert!(html.contains("data-copy=\"troll@example.com\""));
    assert!(!html.contains('\u{202E}'), "no raw bidi override reaches the page");
    assert!(html.contains("·evil [U+202E]") && html.contains("<span class=\"cp\">[U+202E]</span>desrever"));
    // "Reject as": only the category whose rule hit on its own is ticked; the link's is not.
    let first = &html[html.find("id=\"item-1\"").unwrap()..];
    let first = &first[..first.find("</article>").unwrap()];
    assert!(first.contains("value=\"attack\" checked"));
    assert!(first.contains("value=\"spam\">"), "spam starts unticked: {first}");
    assert!(first.contains("data-block-kinds=\"email,ip,name\""));
}

#[test]
fn block_list_file_is_unambiguous_and_read_by_the_author_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d_ = dir.path();
    let db = fixture(d_);
    let mut store = Store::open(&db).unwrap();
    store.set_author_blocked("Troll#1", true, "ana", "cli").unwrap();
    store.set_blocked(&Block::new(BlockKind::Email, "X@Spam.example").unwrap(), true, "ana", "cli").unwrap();
    drop(store);
    let (ok, _, err) =
        cli(d_, &["review", "export", "--db", "review.db", "-o", "dec.jsonl", "--blocked-authors", "blocked.jsonl"]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(d_.join("blocked.jsonl")).unwrap();
    assert_eq!(text, "{\"kind\":\"email\",\"value\":\"x@spam.example\"}\n{\"kind\":\"name\",\"value\":\"Troll#1\"}\n");

    std::fs::write(d_.join("config.toml"), "extends = \"builtin\"\n[authors]\nblocked = \"blocked.jsonl\"\n").unwrap();
    let input = "{\"id\":\"1\",\"author\":\"Troll#1\",\"body\":\"hello there\"}\n\
                 {\"id\":\"2\",\"author\":\"Troll\",\"body\":\"hello there\"}\n\
                 {\"id\":\"3\",\"author\":\"Ann\",\"author_email\":\"x@SPAM.example\",\"body\":\"hello there\"}\n";
    std::fs::write(d_.join("in.jsonl"), input).unwrap();
    let (ok, out, err) = cli(d_, &["run", "--config", "config.toml", "in.jsonl"]);
    assert!(ok, "{err}");
    let verdicts: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let v: Vec<&str> = verdicts.iter().map(|r| r["verdict"].as_str().unwrap()).collect();
    assert_eq!(v, ["block", "allow", "block"], "{out}");
    assert!(!err.contains("plain block list"), "{err}");

    // The old plain format is still read, with a warning that says why it is ambiguous.
    std::fs::write(d_.join("plain.txt"), "Troll#1\n").unwrap();
    std::fs::write(d_.join("config.toml"), "extends = \"builtin\"\n[authors]\nblocked = \"plain.txt\"\n").unwrap();
    let (ok, out, err) = cli(d_, &["run", "--config", "config.toml", "in.jsonl"]);
    assert!(ok, "{err}");
    assert!(err.contains("1 config warning"), "{err}");
    let (_, check_out, check_err) = cli(d_, &["check", "--config", "config.toml"]);
    assert!(format!("{check_out}{check_err}").contains("plain block list"), "{check_out}{check_err}");
    assert!(out.lines().nth(1).unwrap().contains("\"block\""), "the old reading: `Troll#1` blocks `Troll`");

    // A bad JSON line is an error at its line.
    std::fs::write(d_.join("bad.jsonl"), "{\"kind\":\"name\",\"value\":\"a\"}\n{\"kind\":\"shoe\",\"value\":\"x\"}\n")
        .unwrap();
    std::fs::write(d_.join("config.toml"), "extends = \"builtin\"\n[authors]\nblocked = \"bad.jsonl\"\n").unwrap();
    let (ok, _, err) = cli(d_, &["run", "--config", "config.toml", "in.jsonl"]);
    assert!(!ok && err.contains("bad.jsonl:2") && err.contains("unknown block kind"), "{err}");
}

#[test]
fn cli_blocks_and_unblocks_by_identity() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let run = |args: &[&str]| {
        let mut all = vec!["review", "--db", "review.db"];
        all.extend_from_slice(args);
        cli(dir.path(), &all)
    };
    assert!(run(&["block", "--ip", "198.51.100.0/24", "--reviewer", "ana"]).0);
    assert!(run(&["block", "--email", "Troll@example.com"]).0);
    let (ok, _, err) = run(&["block", "--ip", "not-an-ip"]);
    assert!(!ok && err.contains("not an IP"), "{err}");
    let (ok, _, err) = run(&["block", "--ip", "1.2.3.4", "--email", "a@b.c"]);
    assert!(!ok, "one identity at a time: {err}");
    let (_, out, _) = run(&["blocks"]);
    assert_eq!(
        out,
        "{\"kind\":\"email\",\"value\":\"troll@example.com\"}\n{\"kind\":\"ip\",\"value\":\"198.51.100.0/24\"}\n"
    );
    assert!(run(&["unblock", "--ip", "198.51.100.0/24"]).0);
    let (_, out, _) = run(&["blocks"]);
    assert_eq!(out.lines().count(), 1);
    let (_, out, _) = run(&["list", "--status", "all", "--json", "--ip", "198.51.100.9"]);
    let row: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!((row["item"].clone(), row["author_blocked"].clone()), (json!(2), json!(true)));
}

// ---- bounded pages -------------------------------------------------------------------------

#[test]
fn keyset_pages_walk_every_order_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("many.db");
    let mut sink = QueueSink::open(&db).unwrap();
    for n in 0..57 {
        let who = Who { name: "n", email: None, url: None, ip: None };
        let mut j = flagged(&format!("c{n}"), &who, &format!("word{n} text"), None, "p");
        j.verdict.score = f64::from(n % 5); // many ties: the id breaks them
        if let Ok(c) = &mut j.record {
            c.created_at = Some(format!("2024-01-{:02}", 1 + n % 28));
        }
        sink.write(&j).unwrap();
    }
    sink.finish().unwrap();
    let store = Store::open(&db).unwrap();
    for sort in [Sort::Score, Sort::Newest, Sort::Oldest, Sort::Queued] {
        let all = store.items(&Filter { sort, limit: Some(200), ..Filter::default() }).unwrap();
        let want: Vec<i64> = all.items.iter().map(|i| i.id).collect();
        assert_eq!(want.len(), 57);
        let mut got = Vec::new();
        let mut cursor = None;
        let mut pages = Vec::new();
        loop {
            let p = store.items(&Filter { sort, limit: Some(10), cursor, ..Filter::default() }).unwrap();
            assert_eq!(p.has_prev, cursor.is_some(), "{sort:?}");
            got.extend(p.items.iter().map(|i| i.id));
            pages.push(p.items.iter().map(|i| i.id).collect::<Vec<_>>());
            match p.items.last() {
                Some(l) if p.has_next => cursor = Some((l.id, Direction::Next)),
                _ => break,
            }
        }
        assert_eq!(got, want, "{sort:?}");
        // Walking back from the last page gives the same pages.
        let first_of_last = pages.last().unwrap()[0];
        let back = store
            .items(&Filter {
                sort,
                limit: Some(10),
                cursor: Some((first_of_last, Direction::Prev)),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(back.items.iter().map(|i| i.id).collect::<Vec<_>>(), pages[pages.len() - 2], "{sort:?}");
        assert!(back.has_next);
    }
    // The limit is capped.
    assert_eq!(store.items(&Filter { limit: Some(1_000_000), ..Filter::default() }).unwrap().items.len(), 57);
    assert!(store.items(&Filter { limit: Some(100_000), ..Filter::default() }).unwrap().items.len() <= 200);
}

#[tokio::test]
async fn long_bodies_are_previews_in_lists_and_whole_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let mut sink = QueueSink::open(&db).unwrap();
    let big = format!("idiot {}", "é".repeat(500_000));
    for n in 0..30 {
        let who = Who { name: &"N".repeat(5000), email: None, url: None, ip: None };
        sink.write(&flagged(&format!("b{n}"), &who, &big, None, "p")).unwrap();
    }
    sink.finish().unwrap();
    let app = app(&db);
    let (status, _, html) = send(&app, get("/?limit=1000")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.len() < 1_000_000, "30 comments of 1 MB make a page of {} bytes", html.len());
    assert!(html.contains("Showing 2000 of 500006 characters"));
    assert!(html.contains("… (5000 characters)"), "a 5,000-character name is cut");
    let (_, list) = json_of(&app, get("/api/items?limit=5")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    assert_eq!(list["items"][0]["body_truncated"], true);
    let (_, item) = json_of(&app, get("/api/items/1")).await;
    assert_eq!(item["body"].as_str().unwrap().chars().count(), 500_006);
    assert!(item["body_html"].as_str().unwrap().starts_with("<mark"));
}

#[tokio::test]
async fn search_filters_and_paging_links() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&fixture(dir.path()));
    let ids = |v: &Value| v["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (_, v) = json_of(&app, get("/api/items?q=MORON")).await;
    assert_eq!(ids(&v), [2]);
    let (_, v) = json_of(&app, get("/api/items?q=troll%40example&sort=oldest")).await;
    assert_eq!(ids(&v), [1, 2], "search covers e-mail");
    let (_, v) = json_of(&app, get("/api/items?q=203.0.113")).await;
    assert_eq!(ids(&v), [4], "and IP");
    let (_, v) = json_of(&app, get("/api/items?email=TROLL%40example.com&sort=oldest")).await;
    assert_eq!(ids(&v), [1, 2]);
    let (_, v) = json_of(&app, get("/api/items?post=p2&sort=oldest")).await;
    assert_eq!(ids(&v), [3, 4]);
    let (_, v) = json_of(&app, get("/api/items?from=2024-05-02&to=2024-05-03&sort=oldest")).await;
    assert_eq!(ids(&v), [2, 3], "`to` includes its whole day");
    // #4 has no date: it sorts by the time it was queued (today), so first among the newest.
    let (_, v) = json_of(&app, get("/api/items?sort=newest&limit=2")).await;
    assert_eq!(ids(&v), [4, 5]);
    assert_eq!(v["next_after"], 5);
    assert_eq!(v["total"], 5);
    let (_, v) = json_of(&app, get("/api/items?sort=newest&limit=2&after=5")).await;
    assert_eq!(ids(&v), [3, 2]);
    assert_eq!(v["prev_before"], 3);
    let (_, _, html) = send(&app, get("/?sort=newest&limit=2&after=5")).await;
    assert!(html.contains("href=\"&#x2F;?sort=newest&amp;limit=2&amp;before=3\""), "previous link");
    assert!(html.contains("href=\"&#x2F;?sort=newest&amp;limit=2&amp;after=2\""), "next link");
}

// ---- undo, claims, notes, edits, author record -----------------------------------------------

#[tokio::test]
async fn undo_claims_notes_edits_and_author_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let app = app(&db);
    // Ana claims #2; Bo cannot decide it, Ana can.
    let (s, _) = json_of(&app, post("/api/items/2/claim", &json!({"reviewer": "ana"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = json_of(&app, post("/api/items/2/claim", &json!({"reviewer": "bo"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body["error"].as_str().unwrap().contains("\"ana\""), "{body}");
    let bo = json!({"action": "approve", "expected_version": 0, "reviewer": "bo"});
    assert_eq!(json_of(&app, post("/api/items/2/decision", &bo)).await.0, StatusCode::CONFLICT);
    let block = json!({"action": "block", "expected_version": 0, "reviewer": "ana", "note": "same troll", "block_kind": "email"});
    let (s, body) = json_of(&app, post("/api/items/2/decision", &block)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["decisions"][0]["block"], json!({"kind": "email", "value": "troll@example.com"}));

    // Undo: the item is pending again and the block it made is lifted.
    let (s, body) =
        json_of(&app, post("/api/items/2/reopen", &json!({"expected_version": 1, "reviewer": "ana"}))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["status"], "pending");
    assert_eq!(Store::open(&db).unwrap().blocks().unwrap(), []);
    let (s, _) = json_of(&app, post("/api/items/2/reopen", &json!({"expected_version": 2}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a pending item has nothing to undo");

    // Edit then approve: the edited text is stored beside the original and exported.
    let edit = json!({"action": "approve", "expected_version": 0, "reviewer": "ana", "edited_body": "one (edited)"});
    let (s, body) = json_of(&app, post("/api/items/1/decision", &edit)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let bad = json!({"action": "reject", "expected_version": 0, "edited_body": "x"});
    assert_eq!(json_of(&app, post("/api/items/3/decision", &bad)).await.0, StatusCode::BAD_REQUEST);
    let (_, item) = json_of(&app, get("/api/items/2")).await;
    assert_eq!(item["author_record"], json!({"pending": 1, "approved": 1, "rejected": 0}), "by e-mail: #1 and #2");
    let (_, _, html) = send(&app, get("/?status=all&sort=oldest")).await;
    assert!(html.contains("1 approved · 0 rejected · 1 pending"));
    assert!(html.contains("published with edits"));

    let store = Store::open(&db).unwrap();
    let mut out = Vec::new();
    export_labeled(&store, &mut out).unwrap();
    let rows: Vec<Value> = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 1, "the reopened item is pending again");
    assert_eq!(rows[0]["body"], "idiot one http://x.example");
    assert_eq!(rows[0]["labels"]["raw"]["edited_body"], "one (edited)");
}

#[test]
fn counts_stay_right_through_decisions_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(fixture(dir.path())).unwrap();
    store.decide_many(&[Target::new(1), Target::new(2)], &d(ReviewAction::Reject)).unwrap();
    store.decide(2, &d(ReviewAction::Approve)).unwrap();
    store.reopen(1, None, "ana", "cli").unwrap();
    let c = store.counts().unwrap();
    assert_eq!((c.pending, c.approved, c.rejected), (4, 1, 0));
    let pending = store.items(&Filter { status: Some(Status::Pending), ..Filter::default() }).unwrap();
    assert_eq!(pending.total, Some(4));
    assert_eq!(store.pending_after(3).unwrap(), 2);
}

#[test]
fn text_search_pages_are_bounded_and_continue_where_they_stopped() {
    use moderate::review::store::list_search_window;
    let window = list_search_window();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("search.db");
    let mut sink = QueueSink::open(&db).unwrap();
    for n in 0..window + 100 {
        let who = Who { name: "n", email: None, url: None, ip: None };
        let body = if n == window + 50 { "needle here".to_string() } else { format!("hay {n}") };
        sink.write(&flagged(&format!("c{n}"), &who, &body, None, "p")).unwrap();
    }
    sink.finish().unwrap();
    let store = Store::open(&db).unwrap();
    let f = |cursor| Filter { sort: Sort::Queued, q: Some("NEEDLE".into()), cursor, ..Filter::default() };
    let first = store.items(&f(None)).unwrap();
    assert!(first.items.is_empty());
    assert_eq!(first.next_after, Some(window as i64), "stopped after the window, says where");
    let second = store.items(&f(Some((window as i64, Direction::Next)))).unwrap();
    assert_eq!(second.items.iter().map(|i| i.id).collect::<Vec<_>>(), [window as i64 + 51]);
    assert_eq!(second.next_after, None);
    assert!(second.has_prev);
}

#[test]
fn a_version_1_queue_is_upgraded_in_place() {
    // The schema as version 1 wrote it, with one decided item and a name block.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, comment_id TEXT NOT NULL, body_sha256 TEXT NOT NULL, \
           body TEXT NOT NULL, author TEXT, kind TEXT NOT NULL, source TEXT, post_id TEXT, created_at TEXT, \
           verdict TEXT NOT NULL, score REAL NOT NULL, categories TEXT NOT NULL, rules TEXT NOT NULL, \
           record TEXT NOT NULL, queued_at TEXT NOT NULL, UNIQUE (comment_id, body_sha256));
         CREATE INDEX items_author ON items (author);
         CREATE INDEX items_score ON items (score);
         CREATE TABLE history (author TEXT NOT NULL, comment_id TEXT NOT NULL, verdict TEXT NOT NULL, \
           rules TEXT NOT NULL, excerpt TEXT NOT NULL, UNIQUE (author, comment_id));
         CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER REFERENCES items (id), \
           author TEXT, action TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'block', 'unblock')), \
           categories TEXT, reviewer TEXT NOT NULL, decided_at TEXT NOT NULL, via TEXT NOT NULL);
         INSERT INTO items VALUES (1, 'c1', 'x', 'you idiot', 'bob', 'comment', 'd:1', NULL, NULL, 'flag', 1.0, \
           '[\"attack\"]', '[\"attack.insult\"]', '{\"id\":\"c1\",\"verdict\":\"flag\",\"score\":1.0}', '2024-01-01T00:00:00Z');
         INSERT INTO items VALUES (2, 'c2', 'y', 'hmm', 'amy', 'comment', 'd:2', NULL, '2023-05-01', 'flag', 2.0, \
           '[\"spam\"]', '[\"spam.x\"]', '{\"id\":\"c2\",\"verdict\":\"flag\",\"score\":2.0}', '2024-01-01T00:00:00Z');
         INSERT INTO decisions (item_id, author, action, reviewer, decided_at, via) VALUES (1, 'bob', 'reject', 'ana', 't', 'web');
         INSERT INTO decisions (item_id, author, action, reviewer, decided_at, via) VALUES (1, 'bob', 'approve', 'ana', 't', 'web');
         INSERT INTO decisions (item_id, author, action, reviewer, decided_at, via) VALUES (NULL, 'Troll#1', 'block', 'ana', 't', 'cli');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    // Read-only commands do not upgrade; they say what does.
    let err = Store::open_read_only(&db).unwrap_err().to_string();
    assert!(err.contains("version 1"), "{err}");
    let store = Store::open(&db).unwrap();
    let item = store.item(1).unwrap();
    assert_eq!((item.status(), item.version), (Status::Approved, 2));
    assert_eq!(store.blocked_authors().unwrap(), ["Troll#1"]);
    let c = store.counts().unwrap();
    assert_eq!((c.pending, c.approved, c.rejected), (1, 1, 0));
    assert_eq!(
        store.facets().unwrap(),
        (vec!["attack".into(), "spam".into()], vec!["attack.insult".into(), "spam.x".into()])
    );
    let newest = store.items(&Filter { status: None, sort: Sort::Oldest, ..Filter::default() }).unwrap();
    assert_eq!(newest.items.iter().map(|i| i.id).collect::<Vec<_>>(), [2, 1], "dated 2023 before queued 2024");
    drop(store);
    assert!(Store::open_read_only(&db).is_ok(), "after the upgrade");
}
