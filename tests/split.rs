//! `--split` tests: records are judged with a fixed pattern (allow, flag, block, ...; errors stay
//! errors), written through `SplitSink`, and the split files are read back with the same readers:
//! same counts per verdict, same ids, and for XML exports a byte-for-byte copy except the verdicts.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moderate::read::{self, Format, Input, ReadOptions, Record};
use moderate::verdict::{Decision, Verdict};
use moderate::write::split::SplitSink;
use moderate::write::{Judged, Sink};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read").join(name)
}

fn keep_raw() -> ReadOptions {
    ReadOptions { keep_raw: true, ..ReadOptions::default() }
}

fn decide(i: usize, r: &Record) -> Decision {
    match r {
        Err(_) => Decision::Error,
        Ok(_) => [Decision::Allow, Decision::Flag, Decision::Block][i % 3],
    }
}

fn judged(i: usize, r: Record) -> Judged {
    let verdict = match &r {
        Ok(c) => Verdict {
            id: c.id.clone(),
            verdict: decide(i, &r),
            score: 0.0,
            reasons: Vec::new(),
            censored: None,
            error: None,
            source: None,
        },
        Err(e) => Verdict::error(e.id.clone(), e.message.clone(), e.source.to_string()),
    };
    Judged { record: r, verdict }
}

/// Splits `inputs` into `dir`; returns, per input, the ids expected in each verdict file.
fn split(dir: &Path, inputs: &[Input]) -> Vec<BTreeMap<Decision, Vec<String>>> {
    let mut sink = SplitSink::new(dir, inputs).unwrap();
    let mut expected = Vec::new();
    for input in inputs {
        let mut by: BTreeMap<Decision, Vec<String>> = BTreeMap::new();
        for (i, r) in read::open(input, &keep_raw()).unwrap().enumerate() {
            let d = decide(i, &r);
            by.entry(d).or_default().push(match &r {
                Ok(c) => c.id.clone(),
                Err(e) => e.id.clone(),
            });
            sink.write(&judged(i, r)).unwrap();
        }
        expected.push(by);
    }
    sink.finish().unwrap();
    expected
}

fn ids(path: &Path) -> Vec<String> {
    read::read_all(path, None, &ReadOptions::default())
        .unwrap()
        .into_iter()
        .map(|r| match r {
            Ok(c) => c.id,
            Err(e) => e.id,
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Checks each verdict file of a line-based format re-reads to the ids written into it.
fn check_round_trip(dir: &Path, stem: &str, ext: &str, expected: &BTreeMap<Decision, Vec<String>>) {
    for (d, name) in [
        (Decision::Allow, "allowed"),
        (Decision::Flag, "flagged"),
        (Decision::Block, "blocked"),
        (Decision::Error, "errors"),
    ] {
        let p = dir.join(format!("{stem}.{name}.{ext}"));
        let want = expected.get(&d).cloned().unwrap_or_default();
        let got = ids(&p);
        if d == Decision::Error || want.iter().any(|id| id.starts_with(&format!("{stem}#")) && ext == "jsonl") {
            // Made-up JSONL ids are `<stem>#<line>` and lines change; error records re-read as
            // errors again. Either way the count is what must survive.
            assert_eq!(got.len(), want.len(), "{}", p.display());
        } else {
            assert_eq!(got, want, "{}", p.display());
        }
    }
}

#[test]
fn jsonl_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let inputs = read::resolve_inputs(&[fixture("mixed.jsonl")], None).unwrap();
    let exp = split(d.path(), &inputs);
    assert_eq!(
        names(d.path()),
        ["mixed.allowed.jsonl", "mixed.blocked.jsonl", "mixed.errors.jsonl", "mixed.flagged.jsonl"]
    );
    check_round_trip(d.path(), "mixed", "jsonl", &exp[0]);
    assert_eq!(exp[0][&Decision::Error].len(), 4);
    // Original lines, byte for byte (BOM skipped, CR kept).
    let allowed = std::fs::read_to_string(d.path().join("mixed.allowed.jsonl")).unwrap();
    assert!(allowed.starts_with("{\"id\": \"a1\", \"body\": \"first\", \"author\": \"Ann\"}\r\n"), "{allowed}");
}

#[test]
fn csv_round_trip_keeps_header() {
    let d = tempfile::tempdir().unwrap();
    let inputs = read::resolve_inputs(&[fixture("rows.csv")], None).unwrap();
    let exp = split(d.path(), &inputs);
    check_round_trip(d.path(), "rows", "csv", &exp[0]);
    for v in ["allowed", "flagged", "blocked", "errors"] {
        let text = std::fs::read_to_string(d.path().join(format!("rows.{v}.csv"))).unwrap();
        assert!(text.starts_with("id,Author,Body,created_at\n"), "{v}: {text}");
    }
    let errors = std::fs::read_to_string(d.path().join("rows.errors.csv")).unwrap();
    assert_eq!(errors, "id,Author,Body,created_at\nc3,Carl,too,many,fields\n");
}

#[test]
fn thread_round_trip_keeps_ids() {
    let d = tempfile::tempdir().unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let inputs = read::resolve_inputs(&[seeds, fixture("thread.txt")], None).unwrap();
    let exp = split(d.path(), &inputs);
    assert_eq!(names(d.path()).len(), 6 * 4);
    for (input, exp) in inputs.iter().zip(&exp) {
        let stem = read::id_stem(&input.path);
        check_round_trip(d.path(), &stem, "txt", exp);
    }
    // The re-read comments are the same comments, field for field.
    let orig = read::read_all(&fixture("thread.txt"), None, &ReadOptions::default()).unwrap();
    let mut back = Vec::new();
    for v in ["allowed", "flagged", "blocked"] {
        back.extend(read::read_all(&d.path().join(format!("thread.{v}.txt")), None, &ReadOptions::default()).unwrap());
    }
    back.sort_by_key(|r| r.as_ref().unwrap().id.clone());
    let mut orig: Vec<_> = orig.into_iter().collect();
    orig.sort_by_key(|r| r.as_ref().unwrap().id.clone());
    for (a, b) in orig.iter().zip(&back) {
        let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
        assert_eq!((&a.id, &a.author, &a.body, a.kind), (&b.id, &b.author, &b.body, b.kind));
    }
}

/// Reads an XML export and returns (id, approved) per comment.
fn approvals(path: &Path) -> Vec<(String, Option<bool>)> {
    read::read_all(path, None, &ReadOptions::default())
        .unwrap()
        .into_iter()
        .filter_map(Result::ok)
        .map(|c| (c.id, c.approved))
        .collect()
}

/// The raw text of every `<tag>` element in document order (CDATA unwrapped, `<tag/>` empty):
/// the verdict values exactly as an importer will see them.
fn raw_values(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        if rest.starts_with("/>") {
            out.push(String::new());
        } else if let Some(body) = rest.strip_prefix('>') {
            let end = body.find(&close).expect("closed element");
            let v = body[..end].trim();
            let v = v.strip_prefix("<![CDATA[").and_then(|v| v.strip_suffix("]]>")).unwrap_or(v);
            out.push(v.to_string());
        }
    }
    out
}

/// Splits `src`, re-reads the copy, and checks each comment's verdict element against
/// `expect(decision, original raw value)`: the raw values, so `0` (flag) and `spam` (block) are
/// told apart where a reader would see "not approved" for both.
fn xml_round_trip(src: &Path, stem: &str, tag: &str, expect: impl Fn(Decision, &str, &read::Record) -> String) {
    let d = tempfile::tempdir().unwrap();
    let inputs = read::resolve_inputs(&[src.to_path_buf()], None).unwrap();
    split(d.path(), &inputs);
    let out = d.path().join(format!("{stem}.moderated.xml"));
    assert_eq!(names(d.path()), [format!("{stem}.moderated.xml")]);
    assert_eq!(inputs[0].format, read::resolve_inputs(std::slice::from_ref(&out), None).unwrap()[0].format);
    let before = read::read_all(src, None, &ReadOptions::default()).unwrap();
    let after = read::read_all(&out, None, &ReadOptions::default()).unwrap();
    assert_eq!(before.len(), after.len());
    let (a, b) = (std::fs::read_to_string(src).unwrap(), std::fs::read_to_string(&out).unwrap());
    let (orig, got) = (raw_values(&a, tag), raw_values(&b, tag));
    assert_eq!(orig.len(), before.len(), "one <{tag}> per comment in {}", src.display());
    assert_eq!(got.len(), orig.len());
    let mut seen = std::collections::BTreeSet::new();
    for (n, r) in before.iter().enumerate() {
        let d = decide(n, r);
        seen.insert(d);
        assert_eq!(got[n], expect(d, &orig[n], r), "comment {n} ({d:?}, was {:?})", orig[n]);
    }
    assert!(seen.len() >= before.len().min(3), "the fixture exercises allow, flag and block: {seen:?}");
    // The ids survive, and the reader sees the approvals the raw values say.
    let ids = |p: &Path| approvals(p).into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    assert_eq!(ids(src), ids(&out));
    // Only the verdict values differ: same line count.
    assert_eq!(a.lines().count(), b.lines().count());
}

/// WordPress: allow → `1`, flag → `0` (pending), block → `spam`; a well-formed error record is
/// held (`0`, never imported approved unjudged), an ill-formed one is copied as it was; one the
/// export had as removed (`spam`, `trash`) stays removed whatever the verdict.
fn wxr_expect(d: Decision, orig: &str, r: &read::Record) -> String {
    let well_formed = !matches!(r, Err(e) if e.message.contains("malformed XML"));
    if ["spam", "trash", "post-trashed"].contains(&orig) {
        return orig.to_string();
    }
    match d {
        Decision::Allow => "1",
        Decision::Flag => "0",
        Decision::Block => "spam",
        Decision::Error if well_formed => "0",
        Decision::Error => orig,
    }
    .to_string()
}

/// Disqus: allow → not spam, block → spam; flag and error leave `isSpam` as it was, and so
/// does every verdict on a post the export had as spam.
fn disqus_expect(d: Decision, orig: &str, _: &read::Record) -> String {
    if orig == "true" {
        return orig.to_string();
    }
    match d {
        Decision::Allow => "false",
        Decision::Block => "true",
        Decision::Flag | Decision::Error => orig,
    }
    .to_string()
}

#[test]
fn wxr_round_trip_rewrites_only_approved() {
    xml_round_trip(&fixture("small.wxr"), "small", "wp:comment_approved", wxr_expect);
    // Byte-level check on the fixture: allow → 1, flag → 0, the comment the export had as spam
    // kept so, and the untouched error comment.
    let d = tempfile::tempdir().unwrap();
    let inputs = read::resolve_inputs(&[fixture("small.wxr")], None).unwrap();
    split(d.path(), &inputs);
    let out = std::fs::read_to_string(d.path().join("small.moderated.xml")).unwrap();
    let orig = std::fs::read_to_string(fixture("small.wxr")).unwrap();
    let expected = orig
        .replacen("<wp:comment_approved/>", "<wp:comment_approved>0</wp:comment_approved>", 1)
        .replacen("<wp:comment_approved></wp:comment_approved>", "<wp:comment_approved>0</wp:comment_approved>", 1);
    assert_eq!(out, expected);
}

/// A comment without a verdict (an interrupted run, an error record) is held, never left as
/// the export had it; the ill-formed comment (`</wp:comment_author>` closing the content) and
/// everything outside comments are copied byte for byte.
#[test]
fn wxr_without_verdicts_holds_every_comment() {
    let d = tempfile::tempdir().unwrap();
    let src = fixture("small.wxr");
    let inputs = vec![Input { path: src.clone(), format: Format::Wxr }];
    let mut sink = SplitSink::new(d.path(), &inputs).unwrap();
    sink.finish().unwrap();
    let held = "<wp:comment_approved>0</wp:comment_approved>";
    let expected = std::fs::read_to_string(&src)
        .unwrap()
        .replacen("<wp:comment_approved>1</wp:comment_approved>", held, 1)
        .replacen("<wp:comment_approved/>", held, 1)
        .replacen("<wp:comment_approved></wp:comment_approved>", held, 1);
    assert_eq!(std::fs::read_to_string(d.path().join("small.moderated.xml")).unwrap(), expected);
}

#[test]
fn disqus_round_trip() {
    xml_round_trip(&fixture("small-disqus.xml"), "small-disqus", "isSpam", disqus_expect);
}

/// The real exports beside the project add coverage (`../shared/dumps`, skipped when absent).
#[test]
fn dumps_round_trip() {
    let (Some(theme), Some(isso), Some(disqus)) = (
        common::shared("dumps/wordpress-themeunittestdata.wxr.xml"),
        common::shared("dumps/wordpress-isso-test.wxr.xml"),
        common::shared("dumps/disqus-isso-test.xml"),
    ) else {
        return;
    };
    xml_round_trip(&theme, "wordpress-themeunittestdata.wxr", "wp:comment_approved", wxr_expect);
    xml_round_trip(&isso, "wordpress-isso-test.wxr", "wp:comment_approved", wxr_expect);
    xml_round_trip(&disqus, "disqus-isso-test", "isSpam", disqus_expect);
}

#[test]
fn empty_inputs_still_get_files_and_stems_do_not_collide() {
    let d = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir(src.path().join("x")).unwrap();
    std::fs::write(src.path().join("a.jsonl"), "").unwrap();
    std::fs::write(src.path().join("x/a.jsonl"), "{\"id\":\"1\",\"body\":\"hi\"}\n").unwrap();
    let inputs = read::resolve_inputs(&[src.path().to_path_buf()], None).unwrap();
    split(d.path(), &inputs);
    let n = names(d.path());
    assert_eq!(n.len(), 8, "{n:?}");
    assert!(n.contains(&"a-2.allowed.jsonl".to_string()));
    assert_eq!(ids(&d.path().join("a-2.allowed.jsonl")), ["1"]);
    assert!(ids(&d.path().join("a.allowed.jsonl")).is_empty());
}
