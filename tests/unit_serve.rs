//! The serve layer's small pieces, through their public functions: the DNS-rebinding Host
//! guard, the Akismet form decoder, the `/v1/check` body parser and its refusals, the ledger's
//! UTC dates, and the config hash that `serve` and `replay` rely on. (These were unit tests
//! inside src/; they live here so `cargo test` does not compile the library twice.)

use std::path::Path;

use axum::http::{header, HeaderMap, Uri};
use moderate::localhttp::{checked_host, loopback_hosts};
use moderate::read::FieldMap;
use moderate::serve::akismet::parse_form;
use moderate::serve::input::{parse_check, BadInput, Fields, Limits, Shape};
use moderate::serve::ledger::utc;
use moderate::serve::reload::{hash_files, load};
use moderate::Comment;

#[test]
fn host_check() {
    let path = Uri::from_static("/v1/check");
    let allowed = loopback_hosts("127.0.0.1:8788".parse().unwrap());
    let with = |h: &str| {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, h.parse().unwrap());
        m
    };
    assert_eq!(checked_host(&path, &with("LOCALHOST:8788"), &allowed), Some(Some("localhost:8788".into())));
    assert_eq!(checked_host(&path, &with("127.0.0.1:8788"), &allowed), Some(Some("127.0.0.1:8788".into())));
    assert_eq!(checked_host(&path, &with("evil.example:8788"), &allowed), None);
    assert_eq!(checked_host(&path, &HeaderMap::new(), &allowed), None);
    assert!(loopback_hosts("0.0.0.0:8788".parse().unwrap()).is_empty());
    assert_eq!(checked_host(&path, &with("evil.example"), &[]), Some(Some("evil.example".into())));
    // An absolute-form target names the host too: both must be allowed.
    let evil = Uri::from_static("http://evil.example:8788/v1/check");
    let ours = Uri::from_static("http://127.0.0.1:8788/v1/check");
    assert_eq!(checked_host(&evil, &with("127.0.0.1:8788"), &allowed), None);
    assert_eq!(checked_host(&ours, &with("127.0.0.1:8788"), &allowed), Some(Some("127.0.0.1:8788".into())));
}

/// The value of the first field `name` of a decoded form.
fn get<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn akismet_forms() {
    let f = parse_form(b"comment_content=you+are%20an+idiot&user_ip=1.2.3.4&x=%zz&e=").unwrap();
    assert_eq!(get(&f, "comment_content"), Some("you are an idiot"));
    assert_eq!(get(&f, "user_ip"), Some("1.2.3.4"));
    assert_eq!(get(&f, "x"), Some("%zz"));
    assert_eq!(get(&f, "e"), Some(""));
    assert_eq!(parse_form(b"a=1&a=2").unwrap_err().field.as_deref(), Some("a"));
    assert!(parse_form(b"a=%ff").is_err());
    assert_eq!(get(&parse_form(b"t=100%").unwrap(), "t"), Some("100%"));
    assert_eq!(get(&parse_form(b"t=%4").unwrap(), "t"), Some("%4"));
    assert_eq!(get(&parse_form(b"t=%41").unwrap(), "t"), Some("A"));
}

fn parse(ct: &str, body: &str) -> Result<(Shape, Vec<Comment>), BadInput> {
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("gen-{n}")
    };
    parse_check(Some(ct), body.as_bytes(), &Fields::new(&FieldMap::default()), Limits::default(), &mut next)
}

const J: &str = "application/json";

#[test]
fn check_body_shapes() {
    let (s, c) = parse(J, r#"{"id": 7, "body": "hi", "author": "ann"}"#).unwrap();
    assert_eq!((s, c[0].id.as_str(), c[0].author.as_deref()), (Shape::One, "7", Some("ann")));
    let (s, c) = parse(J, r#"[{"text": "a"}, {"content": "b"}]"#).unwrap();
    assert_eq!((s, c.len(), c[1].body.as_str(), c[0].id.as_str()), (Shape::Array, 2, "b", "gen-1"));
    let (s, c) = parse("application/x-ndjson", "{\"body\":\"a\"}\n\n{\"body\":\"b\"}\n").unwrap();
    assert_eq!((s, c.len()), (Shape::Ndjson, 2));
}

#[test]
fn check_body_refusals_name_the_field() {
    let e = parse(J, r#"{"body": "hi", "body": "bye"}"#).unwrap_err();
    assert_eq!((e.status, e.field.as_deref()), (400, Some("body")));
    let e = parse(J, r#"{"body": 5}"#).unwrap_err();
    assert_eq!((e.status, e.field.as_deref()), (400, Some("body")));
    let e = parse(J, r#"[{"body": "ok"}, {"author": "x"}]"#).unwrap_err();
    assert_eq!((e.status, e.field.as_deref(), e.index), (400, Some("body"), Some(1)));
    let e = parse(J, r#"[{"body": "ok"}, 3]"#).unwrap_err();
    assert_eq!((e.status, e.index), (400, Some(1)));
    let e = parse(J, r#"{"body": "x""#).unwrap_err();
    assert_eq!(e.status, 400);
    let e = parse("text/plain", r#"{"body": "x"}"#).unwrap_err();
    assert_eq!(e.status, 415);
    let e = parse(J, r#"{"body": "x", "author": ["a"]}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("author"));
    let big = format!(r#"{{"body": "{}"}}"#, "a".repeat(70_000));
    assert_eq!(parse(J, &big).unwrap_err().status, 413);
    let many = format!("[{}]", vec![r#"{"body":"a"}"#; 1001].join(","));
    assert_eq!(parse(J, &many).unwrap_err().status, 413);
    // Deep nesting: skipped without recursion in an unknown field, refused (serde_json's
    // recursion limit) in a known one; never a stack overflow.
    let deep = |k: &str| format!("{{\"{k}\": {}{}, \"body\": \"a\"}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse(J, &deep("x")).is_ok());
    assert_eq!(parse(J, &deep("author")).unwrap_err().status, 400);
}

#[test]
fn check_body_invalid_utf8_is_400() {
    let mut next = || "x".to_string();
    let e = parse_check(
        Some(J),
        b"{\"body\": \"\xff\"}",
        &Fields::new(&FieldMap::default()),
        Limits::default(),
        &mut next,
    )
    .unwrap_err();
    assert_eq!(e.status, 400);
}

#[test]
fn ledger_utc_dates() {
    assert_eq!(utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(utc(1_796_186_096), "2026-12-02T04:34:56Z");
}

#[test]
fn builtin_pack_and_its_files_on_disk_hash_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    let (disk, _) = load(Some(&root)).unwrap();
    let (builtin, _) = load(None).unwrap();
    assert!(disk.hash.starts_with("sha256:") && disk.hash.len() == 7 + 64);
    assert_eq!(disk.hash, builtin.hash);
    assert_eq!(disk.files.first().map(|f| f.0.as_str()), Some("config.toml"));
    assert!(!disk.watch.is_empty() && builtin.watch.is_empty());
    // Any change of any file changes the hash.
    let mut files = disk.files.clone();
    files.last_mut().unwrap().1.push('x');
    assert_ne!(hash_files(&files), disk.hash);
}
