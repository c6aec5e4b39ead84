//! The review queue end to end: the store and its sink, the HTTP API driven in-process through
//! `tower::ServiceExt::oneshot`, the page's escaping and headers, export labels, and the CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use moderate::comment::{Comment, SourcePos};
use moderate::review::export::export_labeled;
use moderate::review::server::{router, AppState, CSP};
use moderate::review::store::{NewDecision, ReviewAction, Status, Target};
use moderate::review::{QueueSink, Store};
use moderate::verdict::{Action, Decision, Reason, Span, Verdict};
use moderate::write::{Judged, Sink};
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "test-token-123";
const HOST: &str = "127.0.0.1:8787";
const ORIGIN: &str = "http://127.0.0.1:8787";

// ---- fixtures ------------------------------------------------------------------------------

/// A comment with one reason per `(rule, category, needle)`; spans point at `needle` in `body`.
fn judged(id: &str, author: &str, body: &str, verdict: Decision, reasons: &[(&str, &str, &str)]) -> Judged {
    let reasons = reasons
        .iter()
        .map(|&(rule, category, needle)| {
            let matches = body
                .find(needle)
                .filter(|_| !needle.is_empty())
                .map(|start| vec![Span { start, end: start + needle.len(), text: needle.to_string() }])
                .unwrap_or_default();
            Reason {
                rule: rule.into(),
                category: category.into(),
                // A link adds score only (as the link-count signal does); the others hit.
                action: if rule == "spam.link" { None } else { Some(Action::Flag) },
                score: 1.0,
                message: format!("{rule} matched"),
                matches,
                counted_by: None,
                match_count: None,
                shadow: None,
            }
        })
        .collect::<Vec<_>>();
    let comment = Comment {
        author: Some(author.to_string()).filter(|a| !a.is_empty()),
        source: Some(SourcePos { file: "dump.jsonl".into(), line: 7 }),
        post_id: Some("post-1".into()),
        ..Comment::new(id, body)
    };
    let score = reasons.len() as f64;
    Judged {
        record: Ok(comment),
        verdict: Verdict { id: id.into(), verdict, score, reasons, censored: None, error: None, source: None },
    }
}

/// A queue with a few flagged items (ids 1..=4 in insertion order), plus history rows.
fn fixture_db(dir: &Path) -> PathBuf {
    let db = dir.join("review.db");
    let mut sink = QueueSink::open(&db).unwrap();
    let records = [
        judged("c-1", "bob", "you are an idiot", Decision::Flag, &[("attack.insult", "attack", "idiot")]),
        judged(
            "c-2",
            "mallory",
            "<script>alert(1)</script> and <img src=x onerror=alert(1)> damn",
            Decision::Flag,
            &[("profanity.mild", "profanity", "damn")],
        ),
        judged("c-3", "bob", "a perfectly nice comment", Decision::Allow, &[]),
        judged(
            "c-4",
            "eve",
            "buy cheap pills http://spam.example",
            Decision::Flag,
            &[("spam.link", "spam", "http://spam.example"), ("site.custom", "links", "")],
        ),
        judged("c-5", "bob", "blocked outright", Decision::Block, &[("threat.kill", "threat", "blocked")]),
        judged("c-6", "", "ça va, crétin", Decision::Flag, &[("attack.insult", "attack", "crétin")]),
    ];
    for r in &records {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
    assert_eq!(sink.queued(), 4, "only flagged comments are queued");
    db
}

fn app(db: &Path) -> Router {
    router(AppState::new(Store::open(db).unwrap(), TOKEN, "tester"))
}

fn post(uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
}

fn authed_post(uri: &str, body: &Value) -> Request<Body> {
    post(uri)
        .header(header::ORIGIN, ORIGIN)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A read: reads need the token too.
fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn send_json(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let (status, _, body) = send(app, req).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn decision(action: &str, version: i64) -> Value {
    json!({"action": action, "reviewer": "ana", "expected_version": version})
}

// ---- store and sink ------------------------------------------------------------------------

#[test]
fn rerun_does_not_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut sink = QueueSink::open(&db).unwrap();
    let again = judged("c-1", "bob", "you are an idiot", Decision::Flag, &[("attack.insult", "attack", "idiot")]);
    sink.write(&again).unwrap();
    // Same id, edited body: a new item (the moderator must see the new text).
    let edited = judged("c-1", "bob", "you are an idiot!!", Decision::Flag, &[("attack.insult", "attack", "idiot")]);
    sink.write(&edited).unwrap();
    sink.finish().unwrap();
    assert_eq!((sink.queued(), sink.duplicates()), (1, 1));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.items_by_comment_id("c-1").unwrap().len(), 2);
    assert_eq!(store.counts().unwrap().pending, 5);
}

#[test]
fn history_keeps_authors_other_comments() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let store = Store::open(&db).unwrap();
    let h = store.history("bob", "c-1", 10).unwrap();
    let ids: Vec<&str> = h.iter().map(|e| e.comment_id.as_str()).collect();
    assert_eq!(ids, ["c-5", "c-3"]);
    assert_eq!(h[0].verdict, "block");
    assert_eq!(h[0].rules, ["threat.kill"]);
}

#[test]
fn decisions_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let d = |action| NewDecision {
        action,
        reviewer: "ana".into(),
        categories: None,
        expected_version: None,
        via: "cli",
        note: None,
        edited_body: None,
        block_kind: None,
    };
    store.decide(1, &d(ReviewAction::Reject)).unwrap();
    store.decide(1, &d(ReviewAction::Approve)).unwrap();
    let item = store.item(1).unwrap();
    assert_eq!((item.status(), item.version), (Status::Approved, 2));
    assert_eq!(store.decisions(1).unwrap().len(), 2);
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert!(conn.execute("UPDATE decisions SET action = 'reject'", []).is_err());
    assert!(conn.execute("DELETE FROM decisions", []).is_err());
    // A stale expected version is a conflict, and nothing is written.
    let stale = NewDecision { expected_version: Some(1), ..d(ReviewAction::Reject) };
    assert!(store.decide(1, &stale).unwrap_err().is_conflict());
    assert_eq!(store.decisions(1).unwrap().len(), 2);
}

#[test]
fn block_needs_an_author_and_unblock_lifts_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let d = NewDecision {
        action: ReviewAction::Block,
        reviewer: "ana".into(),
        categories: None,
        expected_version: None,
        via: "cli",
        note: None,
        edited_body: None,
        block_kind: None,
    };
    assert!(store.decide(4, &d).unwrap_err().is_invalid(), "item 4 (c-6) has no author");
    store.decide(1, &d).unwrap();
    assert_eq!(store.item(1).unwrap().status(), Status::Rejected);
    store.set_author_blocked("zed", true, "ana", "cli").unwrap();
    assert_eq!(store.blocked_authors().unwrap(), ["bob", "zed"]);
    store.set_author_blocked("bob", false, "ana", "cli").unwrap();
    assert_eq!(store.blocked_authors().unwrap(), ["zed"]);
}

// ---- export --------------------------------------------------------------------------------

fn exported(store: &Store) -> Vec<Value> {
    let mut out = Vec::new();
    export_labeled(store, &mut out).unwrap();
    String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn export_labels() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let d = |action, categories: Option<Vec<&str>>| NewDecision {
        action,
        reviewer: "ana".into(),
        categories: categories.map(|c| c.into_iter().map(String::from).collect()),
        expected_version: None,
        via: "cli",
        note: None,
        edited_body: None,
        block_kind: None,
    };
    let item_of = |store: &Store, cid: &str| store.items_by_comment_id(cid).unwrap()[0];
    let (i1, i2, i4) = (item_of(&store, "c-1"), item_of(&store, "c-2"), item_of(&store, "c-4"));
    store.decide(i1, &d(ReviewAction::Approve, None)).unwrap();
    store.decide(i2, &d(ReviewAction::Reject, None)).unwrap();
    // The moderator says c-4 is spam but not the site's "links" category... and also a threat.
    store.decide(i4, &d(ReviewAction::Reject, Some(vec!["spam", "threat"]))).unwrap();
    let rows = exported(&store);
    assert_eq!(rows.len(), 3, "pending c-6 is skipped");

    assert_eq!(rows[0]["id"], "c-1");
    assert_eq!(rows[0]["author"], "bob");
    assert_eq!(rows[0]["source"], "dump.jsonl");
    assert_eq!(rows[0]["kind"], "comment");
    assert_eq!(rows[0]["body"], "you are an idiot");
    let l = &rows[0]["labels"];
    assert_eq!((l["attack"].clone(), l["toxic"].clone()), (json!(false), json!(false)));
    assert!(l.get("profanity").is_none(), "approve speaks only for the item's categories");

    let l = &rows[1]["labels"];
    assert_eq!((l["profanity"].clone(), l["toxic"].clone()), (json!(true), json!(true)));

    let l = &rows[2]["labels"];
    assert_eq!(l["spam"], json!(true));
    assert_eq!(l["threat"], json!(true));
    assert_eq!(l["toxic"], json!(true));
    assert!(l.get("links").is_none(), "only the dataset's label keys");
    assert_eq!(l["raw"]["decision"], "reject");
    assert_eq!(l["raw"]["reviewer"], "ana");
    assert_eq!(l["raw"]["position"], "dump.jsonl:7");
    let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
    for k in keys {
        assert!(["profanity", "attack", "identity", "threat", "spam", "toxic", "raw"].contains(&k.as_str()), "{k}");
    }
}

#[test]
fn export_latest_decision_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let d = |action| NewDecision {
        action,
        reviewer: "ana".into(),
        categories: None,
        expected_version: None,
        via: "cli",
        note: None,
        edited_body: None,
        block_kind: None,
    };
    store.decide(1, &d(ReviewAction::Approve)).unwrap();
    store.decide(1, &d(ReviewAction::Reject)).unwrap();
    let rows = exported(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["labels"]["toxic"], json!(true));
    assert_eq!(rows[0]["labels"]["raw"]["decisions"], json!(2));
}

// ---- HTTP ----------------------------------------------------------------------------------

#[tokio::test]
async fn page_escapes_hostile_text_and_sets_headers() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    // Hostile author and rule message too.
    {
        let mut sink = QueueSink::open(&db).unwrap();
        let mut j = judged(
            "c-9",
            "<b onmouseover=alert(2)>x</b>",
            "text \" ' & <",
            Decision::Flag,
            &[("r.x", "attack", "text")],
        );
        j.verdict.reasons[0].message = "<iframe src=javascript:alert(3)>".into();
        sink.write(&j).unwrap();
        sink.finish().unwrap();
    }
    let app = app(&db);
    let (status, headers, html) = send(&app, get("/?status=all")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert!(
        CSP.contains("script-src 'self'")
            && CSP.contains("frame-ancestors 'none'")
            && CSP.contains("default-src 'none'")
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");

    for bad in ["<script>alert", "<img src=x", "<iframe", "<b onmouseover", "onerror=alert(1)>"] {
        assert!(!html.contains(bad), "unescaped {bad:?} in page");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;iframe src=javascript:alert(3)&gt;"));
    assert!(html.contains("<mark title=\"r.x\">text</mark> &quot; &#x27; &amp; &lt;"));
    // The only script is the external one; no inline handlers or styles.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<script src=\"/static/app.js\" defer></script>"));
    assert!(!html.contains(" style=") && !html.contains(" onclick="));
    // Highlights from byte offsets, multibyte safe.
    assert!(html.contains("you are an <mark title=\"attack.insult\">idiot</mark>"));
    assert!(html.contains("ça va, <mark title=\"attack.insult\">crétin</mark>"));
    // Balanced block structure (a stray close tag once pushed the status line out of the toolbar).
    for tag in ["div", "article", "ul", "details", "span", "header", "main", "form", "label"] {
        let opens = html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        assert_eq!(opens, html.matches(&format!("</{tag}>")).count(), "<{tag}> balanced");
    }
    // The token never appears in the page.
    assert!(!html.contains(TOKEN));

    let (status, headers, js) = send(&app, get("/static/app.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert!(js.contains("sessionStorage"));
    let (status, headers, _) = send(&app, get("/static/app.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
}

#[tokio::test]
async fn page_sorts_filters_and_shows_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    let (_, _, html) = send(&app, get("/?sort=score")).await;
    // c-4 has two reasons (score 2): first.
    let first = html.find("data-id=").unwrap();
    assert!(html[first..].starts_with("data-id=\"3\""), "{}", &html[first..first + 20]);
    let (_, _, html) = send(&app, get("/?category=attack")).await;
    assert_eq!(html.matches("<article").count(), 2);
    let (_, _, html) = send(&app, get("/?rule=spam.link")).await;
    assert_eq!(html.matches("<article").count(), 1);
    let (_, _, html) = send(&app, get("/?author=bob")).await;
    assert_eq!(html.matches("<article").count(), 1);
    assert!(html.contains("2 other comments by"), "history of bob");
    assert!(html.contains("blocked outright"));
    let (_, _, html) = send(&app, get("/?source=dump.jsonl")).await;
    assert_eq!(html.matches("<article").count(), 4);
    let (_, _, html) = send(&app, get("/?source=other.jsonl")).await;
    assert!(html.contains("Nothing to review"));
}

#[tokio::test]
async fn approve_and_reject_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    let (status, body) = send_json(&app, authed_post("/api/items/1/decision", &decision("approve", 0))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["status"], "approved");
    assert_eq!(body["items"][0]["version"], 1);
    assert_eq!(body["decisions"][0]["reviewer"], "ana");
    assert_eq!(body["decisions"][0]["via"], "web");

    let mut reject = decision("reject", 0);
    reject["categories"] = json!(["profanity", "identity"]);
    let (status, body) = send_json(&app, authed_post("/api/items/2/decision", &reject)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["status"], "rejected");

    let (status, item) = send_json(&app, get("/api/items/2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["status"], "rejected");
    assert_eq!(item["decisions"][0]["categories"], json!(["profanity", "identity"]));

    // Pending list no longer has them.
    let (_, list) = send_json(&app, get("/api/items")).await;
    assert_eq!(list["total"], 2);

    // No reviewer: the server's default.
    let (status, body) = send_json(&app, authed_post("/api/items/3/decision", &json!({"action": "approve"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "expected_version is required: {body}");
    assert!(body["error"].as_str().unwrap().contains("expected_version"), "{body}");
    let no_reviewer = json!({"action": "approve", "expected_version": 0});
    let (status, body) = send_json(&app, authed_post("/api/items/3/decision", &no_reviewer)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["decisions"][0]["reviewer"], "tester");

    // Unknown item, bad action, unblock on an item.
    let (status, _) = send_json(&app, authed_post("/api/items/99/decision", &decision("approve", 0))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send_json(&app, authed_post("/api/items/4/decision", &decision("explode", 0))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send_json(&app, authed_post("/api/items/4/decision", &decision("unblock", 0))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn writes_need_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    let body = decision("approve", 0);
    let no_token =
        post("/api/items/1/decision").header(header::ORIGIN, ORIGIN).body(Body::from(body.to_string())).unwrap();
    let (status, err) = send_json(&app, no_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(err["error"].as_str().unwrap().contains("token"));
    let wrong = post("/api/items/1/decision")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::from(body.to_string()))
        .unwrap();
    assert_eq!(send(&app, wrong).await.0, StatusCode::UNAUTHORIZED);
    // The alternative header works.
    let alt =
        post("/api/items/1/decision").header("x-moderate-token", TOKEN).body(Body::from(body.to_string())).unwrap();
    assert_eq!(send(&app, alt).await.0, StatusCode::OK);
    // Nothing was recorded by the refused ones.
    let (_, item) = send_json(&app, get("/api/items/1")).await;
    assert_eq!(item["version"], 1);
}

#[tokio::test]
async fn cross_origin_writes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    let body = decision("approve", 0);
    let with = |name: header::HeaderName, value: &str| {
        post("/api/items/1/decision")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(name, value)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    for (name, value) in [
        (header::ORIGIN, "http://evil.example"),
        (header::ORIGIN, "null"),
        (header::ORIGIN, "http://127.0.0.1:9999"),
        (header::REFERER, "http://evil.example/page"),
        (header::REFERER, "http://127.0.0.1:8787.evil.example/"),
    ] {
        let (status, err) = send_json(&app, with(name.clone(), value)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(err["error"].as_str().unwrap().contains("cross-origin"));
    }
    // Same-origin Referer is fine.
    let (status, _) = send_json(&app, with(header::REFERER, "http://127.0.0.1:8787/?status=all")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unexpected_host_is_refused_when_bound_to_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let hosts = moderate::review::server::loopback_hosts("127.0.0.1:8787".parse().unwrap());
    let app = router(AppState::new(Store::open(&db).unwrap(), TOKEN, "tester").with_allowed_hosts(hosts));
    assert_eq!(send(&app, get("/")).await.0, StatusCode::OK);
    let with_host = |host: &str| {
        Request::builder()
            .uri("/")
            .header(header::HOST, host)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, with_host("evil.example:8787")).await.0, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(send(&app, with_host("localhost:8787")).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_one_wins_one_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    let a = send_json(&app, authed_post("/api/items/1/decision", &decision("approve", 0)));
    let b = send_json(&app, authed_post("/api/items/1/decision", &decision("reject", 0)));
    let ((sa, ba), (sb, bb)) = tokio::join!(a, b);
    let mut statuses = [sa, sb];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{ba} {bb}");
    let loser = if sa == StatusCode::CONFLICT { ba } else { bb };
    let msg = loser["error"].as_str().unwrap();
    assert!(msg.contains("someone else decided #1") && msg.contains("Reload"), "{msg}");
    let (_, item) = send_json(&app, get("/api/items/1")).await;
    assert_eq!(item["version"], 1);
    assert_eq!(item["decisions"].as_array().unwrap().len(), 1);

    // Also across two servers (two connections) on the same file.
    let other = self::app(&db);
    let a = send_json(&app, authed_post("/api/items/2/decision", &decision("approve", 0)));
    let b = send_json(&other, authed_post("/api/items/2/decision", &decision("reject", 0)));
    let ((sa, _), (sb, _)) = tokio::join!(a, b);
    let mut statuses = [sa, sb];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
}

#[tokio::test]
async fn bulk_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let app = app(&db);
    send_json(&app, authed_post("/api/items/1/decision", &decision("approve", 0))).await;
    let stale = json!({"action": "reject", "reviewer": "ana",
                       "items": [{"id": 1, "expected_version": 0}, {"id": 2, "expected_version": 0}]});
    let (status, err) = send_json(&app, authed_post("/api/decisions", &stale)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["error"].as_str().unwrap().contains("#1"));
    let (_, item) = send_json(&app, get("/api/items/2")).await;
    assert_eq!(item["version"], 0, "nothing recorded");

    let ok = json!({"action": "block", "reviewer": "ana",
                    "items": [{"id": 2, "expected_version": 0, "categories": ["identity"]},
                              {"id": 3, "expected_version": 0}]});
    let (status, body) = send_json(&app, authed_post("/api/decisions", &ok)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["author_blocked"], true);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.blocked_authors().unwrap(), ["eve", "mallory"]);
    let rows = exported(&store);
    let c2 = rows.iter().find(|r| r["id"] == "c-2").unwrap();
    assert_eq!(c2["labels"]["identity"], true);
    assert_eq!(c2["labels"]["profanity"], false);
    assert_eq!(c2["labels"]["raw"]["labels_set_by"], "moderator");
    // c-4's link added score only: blocking without ticking says nothing about spam.
    let c4 = rows.iter().find(|r| r["id"] == "c-4").unwrap();
    assert!(c4["labels"].get("spam").is_none(), "{c4}");
    assert_eq!(c4["labels"]["toxic"], true);
    assert_eq!(c4["labels"]["raw"]["labels_set_by"], "default");
}

#[test]
fn targets_with_own_categories() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let d = NewDecision {
        action: ReviewAction::Reject,
        reviewer: "ana".into(),
        categories: Some(vec!["attack".into()]),
        expected_version: None,
        via: "cli",
        note: None,
        edited_body: None,
        block_kind: None,
    };
    let t = Target { id: 2, expected_version: Some(0), categories: Some(vec!["threat".into()]) };
    store.decide_many(&[Target::new(1), t], &d).unwrap();
    assert_eq!(store.item(1).unwrap().last.unwrap().categories, Some(vec!["attack".to_string()]));
    assert_eq!(store.item(2).unwrap().last.unwrap().categories, Some(vec!["threat".to_string()]));
}

// ---- CLI -----------------------------------------------------------------------------------

fn moderate(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moderate")).current_dir(dir).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_add_list_decide_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("comments.jsonl"),
        "{\"id\":\"a1\",\"author\":\"bob\",\"body\":\"you idiot\"}\n\
         {\"id\":\"a2\",\"author\":\"amy\",\"body\":\"spam spam\u{202E}evil\"}\n\
         {\"id\":\"a3\",\"author\":\"bob\",\"body\":\"hello\"}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("verdicts.jsonl"),
        "{\"id\":\"a1\",\"verdict\":\"flag\",\"score\":1.0,\"reasons\":[{\"rule\":\"attack.insult\",\"category\":\"attack\",\"message\":\"m\",\"matches\":[{\"start\":4,\"end\":9,\"text\":\"idiot\"}]}]}\n\
         {\"id\":\"a2\",\"verdict\":\"flag\",\"score\":2.0,\"reasons\":[{\"rule\":\"spam.repeat\",\"category\":\"spam\",\"action\":\"flag\",\"message\":\"m\"}]}\n\
         {\"id\":\"a3\",\"verdict\":\"allow\"}\n",
    )
    .unwrap();
    let add = ["review", "add", "--db", "q.db", "--comments", "comments.jsonl", "--verdicts", "verdicts.jsonl"];
    let (ok, _, err) = moderate(d, &add);
    assert!(ok, "{err}");
    assert!(err.contains("queued 2 new item(s)"), "{err}");
    let (ok, _, err) = moderate(d, &add);
    assert!(ok && err.contains("queued 0 new item(s), 2 already queued"), "{err}");

    let (ok, out, _) = moderate(d, &["review", "list", "--db", "q.db"]);
    assert!(ok);
    assert!(out.contains("\\u{202e}"), "bidi override escaped for the terminal: {out}");
    assert!(out.contains("2 of 2 item(s)"));

    let (ok, _, err) = moderate(d, &["review", "approve", "--db", "q.db", "#1"]);
    assert!(ok, "{err}");
    let (ok, _, err) = moderate(d, &["review", "reject", "--db", "q.db", "--by-comment-id", "a2", "--reviewer", "zoe"]);
    assert!(ok, "{err}");
    let (ok, _, err) = moderate(d, &["review", "approve", "--db", "q.db", "abc"]);
    assert!(!ok && err.contains("not a queue number"), "{err}");
    let (ok, _, _) = moderate(d, &["review", "block", "--db", "q.db", "amy"]);
    assert!(ok);

    let (ok, out, _) = moderate(d, &["review", "list", "--db", "q.db", "--status", "all", "--json"]);
    assert!(ok);
    let rows: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let a2 = rows.iter().find(|r| r["comment_id"] == "a2").unwrap();
    assert_eq!(a2["status"], "rejected");
    assert_eq!(a2["last"]["reviewer"], "zoe");
    assert_eq!(a2["author_blocked"], true);

    let (ok, _, err) =
        moderate(d, &["review", "export", "--db", "q.db", "-o", "decisions.jsonl", "--blocked-authors", "blocked.txt"]);
    assert!(ok, "{err}");
    assert!(err.contains("exported 2 labeled item(s)"), "{err}");
    let text = std::fs::read_to_string(d.join("decisions.jsonl")).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["labels"], json!({"attack": false, "toxic": false, "raw": rows[0]["labels"]["raw"]}));
    assert_eq!(rows[1]["labels"]["spam"], true);
    assert_eq!(rows[1]["source"], "comments.jsonl");
    // The block list is JSON lines, the format `[authors] blocked` reads without ambiguity.
    assert_eq!(std::fs::read_to_string(d.join("blocked.txt")).unwrap(), "{\"kind\":\"name\",\"value\":\"amy\"}\n");
}

#[test]
fn cli_reads_review_section_of_config() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "[review]\ndb = \"from-config.db\"\nreviewer = \"cfg-rev\"\n").unwrap();
    // The configured database is used, and a missing one is an error, not a new empty queue.
    let (ok, _, err) = moderate(d, &["review", "list"]);
    assert!(!ok && err.contains("from-config.db") && err.contains("no such queue database"), "{err}");
    assert!(!d.join("from-config.db").exists());
    std::fs::write(d.join("bad.toml"), "[review]\nnope = 1\n").unwrap();
    let (ok, _, err) = moderate(d, &["review", "--config", "bad.toml", "list"]);
    assert!(!ok && err.contains("unknown field"), "{err}");
}
