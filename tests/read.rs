//! Read-stage tests: every format on small fixtures (`tests/fixtures/read/`), the shipped seeds,
//! the real dumps in `../shared/dumps` (skipped with a message when absent), and the bad-input
//! cases, each asserting record count and order.

mod common;

use std::path::{Path, PathBuf};

use moderate::read::{self, Format, ReadOptions, Record};
use moderate::CommentKind;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read").join(name)
}

fn read(path: &Path) -> Vec<Record> {
    read::read_all(path, None, &ReadOptions::default()).expect("opens")
}

fn read_raw(path: &Path) -> Vec<Record> {
    read::read_all(path, None, &ReadOptions { keep_raw: true, ..ReadOptions::default() }).expect("opens")
}

/// One line per record: `id` for comments, `!id: message` for errors.
fn summary(recs: &[Record]) -> Vec<String> {
    recs.iter()
        .map(|r| match r {
            Ok(c) => c.id.clone(),
            Err(e) => format!("!{}: {}", e.id, e.message),
        })
        .collect()
}

fn ok(r: &Record) -> &moderate::Comment {
    r.as_ref().unwrap_or_else(|e| panic!("expected a comment, got {e:?}"))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn jsonl_mixed_good_and_bad_lines() {
    let recs = read_raw(&fixture("mixed.jsonl"));
    let s = summary(&recs);
    assert_eq!(recs.len(), 8, "{s:#?}");
    assert_eq!(s[0], "a1");
    assert_eq!(s[1], "2");
    assert!(s[2].starts_with("!mixed#5: line 5: invalid JSON: expected `,` or `}`"), "{}", s[2]);
    assert_eq!(
        s[3],
        "!a4: line 6: no body field (looked for \"body\", \"content\", \"text\", \"comment_text\", \"comment\", \"message\")"
    );
    assert_eq!(s[4], "mixed#7");
    assert!(s[5].starts_with("!mixed#8: line 8: invalid JSON: invalid type: sequence"), "{}", s[5]);
    assert_eq!(s[6], "!a7: line 9: field \"body\": expected a string or number, found an object");
    assert_eq!(s[7], "a8");

    let a1 = ok(&recs[0]);
    assert_eq!((a1.body.as_str(), a1.author.as_deref()), ("first", Some("Ann")));
    assert_eq!(
        a1.raw.as_deref(),
        Some(&b"{\"id\": \"a1\", \"body\": \"first\", \"author\": \"Ann\"}\r\n"[..]),
        "BOM skipped, line end kept byte for byte"
    );
    assert_eq!(a1.source.as_ref().unwrap().line, 1);
    let two = ok(&recs[1]);
    assert_eq!((two.body.as_str(), two.kind), ("second é", CommentKind::Pingback));
    let seven = ok(&recs[4]);
    assert_eq!(seven.body, "no id here; a null comment_text hides nothing");
    assert_eq!(seven.author.as_deref(), Some("carl"));
    assert_eq!(ok(&recs[7]).author.as_deref(), Some("Dee"), "nested author ignored, next name wins");
    let e = recs[2].as_ref().unwrap_err();
    assert_eq!(e.source.to_string(), format!("{}:5", fixture("mixed.jsonl").display()));
    assert!(String::from_utf8_lossy(e.raw.as_deref().unwrap()).contains("\"broken\""));
}

#[test]
fn csv_rows() {
    let recs = read_raw(&fixture("rows.csv"));
    let s = summary(&recs);
    assert_eq!(s.len(), 4, "{s:#?}");
    assert_eq!(s[0], "c1");
    assert_eq!(s[1], "c2");
    assert_eq!(s[2], "!c3: line 5: expected 4 fields, found 5");
    assert_eq!(s[3], "c4");
    let c2 = ok(&recs[1]);
    assert_eq!(c2.body, "a body\nover two lines, with \"quotes\"");
    assert_eq!(c2.source.as_ref().unwrap().line, 3);
    assert_eq!(c2.author.as_deref(), Some("Bob"));
    assert_eq!(c2.raw.as_deref(), Some(&b"c2,Bob,\"a body\nover two lines, with \"\"quotes\"\"\",2024-01-02\n"[..]));
    assert_eq!(ok(&recs[3]).created_at, None);
    assert_eq!(ok(&recs[3]).source.as_ref().unwrap().line, 6);
}

#[test]
fn csv_without_body_column() {
    // A first row without a body column is taken for a missing header: it is a record too.
    let s = summary(&read(&fixture("nobody.csv")));
    assert_eq!(s.len(), 2);
    assert!(s[0].starts_with("!nobody#1: line 1: the first row names no body column"), "{}", s[0]);
    assert!(s[1].starts_with("!n1: line 2: no body field (looked for \"body\", \"content\""), "{}", s[1]);
}

#[test]
fn thread_fixture() {
    let recs = read_raw(&fixture("thread.txt"));
    assert_eq!(summary(&recs), ["thread#1", "thread#2", "thread#3", "thread#4", "thread#12"]);
    let ann = ok(&recs[0]);
    assert_eq!(ann.author.as_deref(), Some("Ann"));
    assert_eq!(ann.body, "First line of Ann.\n  an indented inner line\n\nA second paragraph.");
    assert!(ann.raw.as_deref().unwrap().starts_with(b"  1. Ann said:\n\n    First line"));
    let ping = ok(&recs[1]);
    assert_eq!(ping.kind, CommentKind::Pingback);
    assert_eq!(ping.body, "A post | Some Blog … | example.org");
    assert_eq!(ping.author.as_deref(), Some("example.org"));
    assert_eq!(ok(&recs[2]).kind, CommentKind::Trackback);
    assert_eq!(ok(&recs[2]).author, None);
    let anon = ok(&recs[3]);
    assert_eq!(anon.author, None);
    assert_eq!(anon.body, "Anonymous body\n5. Not a header, inside a body said:");
    let bob = ok(&recs[4]);
    assert_eq!((bob.author.as_deref(), bob.body.as_str()), (Some("Bob O'Neil"), "Last one."), "footer not in body");
}

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

#[test]
fn seeds_give_21_records() {
    let inputs = read::resolve_inputs(&[seeds_dir()], None).unwrap();
    assert_eq!(inputs.len(), 5);
    assert!(inputs.iter().all(|i| i.format == Format::Thread));
    let mut counts = Vec::new();
    let mut all = Vec::new();
    for input in &inputs {
        let recs: Vec<Record> = read::open(input, &ReadOptions::default()).unwrap().collect();
        counts.push(recs.len());
        all.extend(recs);
    }
    assert_eq!(counts, [10, 0, 0, 0, 11]);
    assert!(all.iter().all(Result::is_ok));
    let pings: Vec<&str> =
        all.iter().map(ok).filter(|c| c.kind == CommentKind::Pingback).map(|c| c.id.as_str()).collect();
    assert_eq!(pings, ["000_e4d5ae6acc1e4796#4", "004_5dbd66a7762d451d#9", "004_5dbd66a7762d451d#11"]);
    let eight = ok(&all[7]);
    assert_eq!(eight.id, "000_e4d5ae6acc1e4796#8");
    assert_eq!(eight.author.as_deref(), Some("Genocide denierInvestigator"));
    assert!(eight.body.starts_with("that fool thinks"));
    let nine = ok(&all[8]);
    assert_eq!(
        nine.body,
        "they know Turkey won’t be around long\nwhat? do you know something that no one else in the world knows yet?"
    );
    assert_eq!(ok(&all[18]).author.as_deref(), Some("azerbaijantoday"));
    assert_eq!(ok(&all[20]).author.as_deref(), Some("armenia News Station"));
    assert_eq!(ok(&all[3]).author, None, "`… | Asbarez Armenian News --` names no linking site");
    assert_eq!(nine.source.as_ref().unwrap().line, 56);
}

#[test]
fn wxr_fixture_with_errors() {
    let recs = read(&fixture("small.wxr"));
    let s = summary(&recs);
    assert_eq!(s.len(), 5, "{s:#?}");
    assert_eq!(s[0], "1");
    assert_eq!(s[1], "2");
    assert_eq!(s[2], "!small#30: line 32: malformed XML: ill-formed document: expected `</wp:comment_content>`, but `</wp:comment_author>` was found (in <wp:comment> at line 30)");
    assert_eq!(s[3], "!4: line 35: no body field (looked for \"wp:comment_content\")");
    assert_eq!(s[4], "5");
    let c1 = ok(&recs[0]);
    assert_eq!(c1.body, "Hello <b>world</b> &amp; friends", "CDATA is verbatim");
    assert_eq!(c1.post_id.as_deref(), Some("10"));
    assert_eq!(c1.created_at.as_deref(), Some("2024-01-01 09:00:00"));
    assert_eq!((c1.approved, c1.parent.as_deref(), c1.ip.as_deref()), (Some(true), None, Some("10.0.0.1")));
    assert_eq!(c1.source.as_ref().unwrap().line, 7);
    let c2 = ok(&recs[1]);
    assert_eq!((c2.body.as_str(), c2.kind, c2.approved), ("Cheap & fast", CommentKind::Pingback, Some(false)));
    assert_eq!(c2.parent.as_deref(), Some("1"));
    let c5 = ok(&recs[4]);
    assert_eq!((c5.kind, c5.approved, c5.post_id.as_deref()), (CommentKind::Trackback, None, Some("11")));
}

#[test]
fn wxr_truncated_stops_with_one_error() {
    let s = summary(&read(&fixture("truncated.wxr")));
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0], "1");
    assert!(s[1].starts_with("!truncated#10: line "), "{}", s[1]);
}

#[test]
fn disqus_fixture() {
    let recs = read(&fixture("small-disqus.xml"));
    assert_eq!(summary(&recs), ["p1", "p2"]);
    let p1 = ok(&recs[0]);
    assert_eq!(p1.body, "<p>First!</p>");
    assert_eq!((p1.author.as_deref(), p1.author_email.as_deref()), (Some("Ann"), Some("ann@example.org")));
    assert_eq!((p1.post_id.as_deref(), p1.approved, p1.ip.as_deref()), (Some("t1"), Some(true), Some("127.0.0.1")));
    assert_eq!(p1.source.as_ref().unwrap().line, 8);
    let p2 = ok(&recs[1]);
    assert_eq!((p2.author.as_deref(), p2.approved, p2.parent.as_deref()), (Some("bot"), Some(false), Some("p1")));
}

/// A real export in `../shared/dumps` (adds coverage; the fixtures above run everywhere).
fn dump(name: &str) -> Option<PathBuf> {
    common::shared(&format!("dumps/{name}"))
}

#[test]
fn dump_wordpress_theme_unit_test() {
    let Some(p) = dump("wordpress-themeunittestdata.wxr.xml") else {
        return;
    };
    let inputs = read::resolve_inputs(&[p], None).unwrap();
    assert_eq!(inputs[0].format, Format::Wxr);
    let recs: Vec<_> = read::open(&inputs[0], &ReadOptions::default()).unwrap().collect();
    assert_eq!(recs.len(), 33);
    let cs: Vec<_> = recs.iter().map(ok).collect();
    let count = |k| cs.iter().filter(|c| c.kind == k).count();
    assert_eq!((count(CommentKind::Pingback), count(CommentKind::Trackback)), (2, 2));
    let appr = |a| cs.iter().filter(|c| c.approved == a).count();
    // SOURCES.md says 29 / 3 / 1 empty, but the "empty" one is `<![CDATA[1]]>` (line 1620).
    assert_eq!((appr(Some(true)), appr(Some(false)), appr(None)), (30, 3, 0));
    assert!(cs.iter().all(|c| c.post_id.is_some()));
    assert!(cs.iter().any(|c| c.parent.is_some()));
}

#[test]
fn dump_wordpress_isso() {
    let Some(p) = dump("wordpress-isso-test.wxr.xml") else {
        return;
    };
    let recs = read(&p);
    assert_eq!(summary(&recs).len(), 8);
    let first = ok(&recs[0]);
    assert_eq!((first.id.as_str(), first.body.as_str()), ("2", "Erster!1"));
    assert_eq!(first.author_email.as_deref(), Some("test@example.org"));
    assert_eq!(first.source.as_ref().unwrap().line, 25);
    assert_eq!(ok(&recs[2]).parent.as_deref(), Some("6"));
    assert_eq!(ok(&recs[2]).source.as_ref().unwrap().line, 59);
}

#[test]
fn dump_disqus_isso() {
    let Some(p) = dump("disqus-isso-test.xml") else {
        return;
    };
    let recs = read(&p);
    let s = summary(&recs);
    assert_eq!(s.len(), 6, "{s:#?}");
    assert!(recs.iter().all(Result::is_ok), "{s:#?}");
    assert_eq!(s[0], "4");
    assert_eq!(ok(&recs[0]).post_id.as_deref(), Some("2"));
    assert_eq!(ok(&recs[1]).body, "<p>Hello, World.</p>");
    assert_eq!(recs.iter().map(ok).filter(|c| c.approved == Some(false)).count(), 1, "one isDeleted");
}

#[test]
fn invalid_utf8_is_an_error_record_per_format() {
    let d = tmp();
    let j = d.path().join("bad.jsonl");
    std::fs::write(
        &j,
        b"{\"id\":\"1\",\"body\":\"ok\"}\n{\"id\":\"2\",\"body\":\"bad \xff\"}\n{\"id\":\"3\",\"body\":\"ok\"}\n",
    )
    .unwrap();
    assert_eq!(summary(&read(&j)), ["1", "!bad#2: line 2: invalid UTF-8 at byte 23", "3"]);
    let c = d.path().join("bad.csv");
    std::fs::write(&c, b"id,body\n1,ok\n2,bad \xff\n3,ok\n").unwrap();
    assert_eq!(summary(&read(&c)), ["1", "!2: line 3: field \"body\": invalid UTF-8 at byte 5", "3"]);
    let t = d.path().join("bad.txt");
    std::fs::write(&t, b"  1. A said:\n\n    ok\n\n  2. B said:\n\n    bad \xff\n\n  3. C said:\n\n    ok\n").unwrap();
    assert_eq!(summary(&read(&t)), ["bad#1", "!bad#2: line 7: invalid UTF-8 at byte 9 (entry 2 at line 5)", "bad#3"]);
    let x = d.path().join("bad.wxr");
    let mut wxr = std::fs::read(fixture("small.wxr")).unwrap();
    let at = memchr::memmem::find(&wxr, b"after the errors").unwrap();
    wxr[at] = 0xff;
    std::fs::write(&x, wxr).unwrap();
    let s = summary(&read(&x));
    assert_eq!(s.len(), 5);
    assert!(s[4].starts_with("!5: line 40: field \"wp:comment_content\": "), "{}", s[4]);
}

#[test]
fn empty_files_give_no_records() {
    let d = tmp();
    for name in ["e.jsonl", "e.csv", "e.txt"] {
        let p = d.path().join(name);
        std::fs::write(&p, b"").unwrap();
        assert!(read(&p).is_empty(), "{name}");
    }
    let p = d.path().join("bom-only.jsonl");
    std::fs::write(&p, b"\xEF\xBB\xBF\r\n").unwrap();
    assert!(read(&p).is_empty());
    let p = d.path().join("header-only.csv");
    std::fs::write(&p, b"\xEF\xBB\xBFid,body\r\n").unwrap();
    assert!(read(&p).is_empty());
}

#[test]
fn csv_bom_and_crlf() {
    let d = tmp();
    let p = d.path().join("w.csv");
    std::fs::write(&p, b"\xEF\xBB\xBFid,body\r\nx1,hello\r\nx2,\"two\r\nlines\"\r\n").unwrap();
    let recs = read(&p);
    assert_eq!(summary(&recs), ["x1", "x2"]);
    assert_eq!(ok(&recs[0]).body, "hello");
    assert_eq!(ok(&recs[1]).body, "two\r\nlines", "line ends inside a quoted field are the field's text");
}

#[test]
fn two_megabyte_comment() {
    let d = tmp();
    let body = "a".repeat(2 * 1024 * 1024);
    let p = d.path().join("big.jsonl");
    std::fs::write(&p, format!("{{\"id\":\"big\",\"body\":\"{body}\"}}\n{{\"id\":\"next\",\"body\":\"x\"}}\n"))
        .unwrap();
    let recs = read(&p);
    assert_eq!(summary(&recs), ["big", "next"]);
    assert_eq!(ok(&recs[0]).body.len(), body.len());
    let p = d.path().join("big.csv");
    std::fs::write(&p, format!("id,body\nbig,\"{body}\"\n")).unwrap();
    assert_eq!(ok(&read(&p)[0]).body.len(), body.len());
}

#[test]
fn directories() {
    let d = tmp();
    std::fs::write(d.path().join("README.md"), "not comments").unwrap();
    std::fs::write(d.path().join(".hidden.jsonl"), "{\"body\":\"x\"}\n").unwrap();
    assert_eq!(read::resolve_inputs(&[d.path().to_path_buf()], None).unwrap(), []);
    assert!(read::read_all(d.path(), None, &ReadOptions::default()).unwrap().is_empty());

    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("sub/b.jsonl"), "").unwrap();
    std::fs::write(d.path().join("a.csv"), "").unwrap();
    std::fs::write(d.path().join("sub/other.xml"), "<html/>").unwrap();
    std::fs::copy(fixture("small-disqus.xml"), d.path().join("sub/c.xml")).unwrap();
    let got: Vec<_> = read::resolve_inputs(&[d.path().to_path_buf()], None)
        .unwrap()
        .into_iter()
        .map(|i| (i.path.strip_prefix(d.path()).unwrap().display().to_string(), i.format))
        .collect();
    assert_eq!(
        got,
        [("a.csv".into(), Format::Csv), ("sub/b.jsonl".into(), Format::Jsonl), ("sub/c.xml".into(), Format::Disqus)]
    );
}

#[test]
fn open_errors_name_the_path() {
    let e = read::resolve_inputs(&[PathBuf::from("/nonexistent/x.jsonl")], None).unwrap_err();
    assert_eq!(e.to_string(), "/nonexistent/x.jsonl: no such file or directory");
    let d = tmp();
    let p = d.path().join("page.xml");
    std::fs::write(&p, "<html><body/></html>").unwrap();
    let e = read::resolve_inputs(std::slice::from_ref(&p), None).unwrap_err();
    assert!(e.to_string().contains("not a WordPress export"), "{e}");
    assert_eq!(read::resolve_inputs(&[p], Some(Format::Wxr)).unwrap()[0].format, Format::Wxr);
}

#[test]
fn sniffing() {
    use read::detect::sniff;
    assert_eq!(sniff(b"\xEF\xBB\xBF  {\"id\":1}"), Some(Format::Jsonl));
    assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<disqus xmlns=\"x\">"), Some(Format::Disqus));
    assert_eq!(sniff(b"<?xml?><rss xmlns:wp=\"x\">"), Some(Format::Wxr));
    assert_eq!(sniff(b"<html/>"), None);
    assert_eq!(sniff(b"Title\n\n  1. Ann said:\n\n    hi\n"), Some(Format::Thread));
    assert_eq!(sniff(b"id,body\n1,hi\n"), Some(Format::Csv));
    // A whole input of prose shows no format (a thread page would yield no record from it);
    // a head that fills the sniff window may still hold entries further on.
    assert_eq!(sniff(b"Just an article.\n"), None);
    assert_eq!(sniff("Just an article. ".repeat(5000).as_bytes()), Some(Format::Thread));
    let d = tmp();
    let p = d.path().join("noext");
    std::fs::write(&p, "id,body\n1,hi\n").unwrap();
    assert_eq!(read::resolve_inputs(&[p], None).unwrap()[0].format, Format::Csv);
}

#[test]
fn field_map_is_configurable() {
    let d = tmp();
    let p = d.path().join("f.jsonl");
    std::fs::write(&p, "{\"cid\":\"z\",\"msg\":\"hi\",\"body\":\"not this\"}\n").unwrap();
    let mut opts = ReadOptions::default();
    opts.fields.id = vec!["cid".into()];
    opts.fields.body = vec!["msg".into()];
    let recs = read::read_all(&p, None, &opts).unwrap();
    assert_eq!((ok(&recs[0]).id.as_str(), ok(&recs[0]).body.as_str()), ("z", "hi"));
}

/// Throughput of the JSONL reader (run with `cargo test --release --test all -- read:: --ignored`).
#[test]
#[ignore]
fn jsonl_throughput() {
    let d = tmp();
    let p = d.path().join("big.jsonl");
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 100 * 1024 * 1024 {
        text.push_str(&format!(
            "{{\"id\":\"c-{i}\",\"author\":\"user{}\",\"created_at\":\"2024-01-01T00:00:00Z\",\"post_id\":{},\"labels\":{{\"toxic\":0}},\"body\":\"This is comment number {i}, with a \\\"quote\\\" and some ordinary words about the article, the weather and politics; nothing to see here at all, really.\"}}\n",
            i % 977,
            i % 31
        ));
        i += 1;
    }
    std::fs::write(&p, &text).unwrap();
    let t = std::time::Instant::now();
    let input = &read::resolve_inputs(std::slice::from_ref(&p), None).unwrap()[0];
    let n = read::open(input, &ReadOptions::default()).unwrap().filter(Result::is_ok).count();
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "jsonl: {n} records, {:.1} MB in {secs:.2}s = {:.0} MB/s",
        text.len() as f64 / 1e6,
        text.len() as f64 / 1e6 / secs
    );
    assert_eq!(n as u64, i);
}
