//! Property tests (proptest) for the whole-record invariants of DESIGN.md / the README:
//!
//! * every reason match is the original text: `text == body[start..end]`, on char boundaries,
//!   whatever the body holds (evasion characters, entities, markup, huge repetition);
//! * judging is a pure function of the comment: same verdict fresh, with a reused scratch, and
//!   through `moderate run` on any number of threads;
//! * one output record per input record, in input order, for JSONL and CSV inputs built from
//!   arbitrary records (and JSONL lines of arbitrary bytes);
//! * the offset map sends every normalized byte into the body, in order, on char boundaries.
//!
//! The case counts keep the whole file under a few seconds in release. The coverage-guided
//! fuzz targets (fuzz/, docs/fuzz.md) check the same invariants on inputs no strategy here
//! would write; what they find is pinned in tests/fuzz_regressions.rs.

mod common;

use std::fmt::Write as _;
use std::sync::OnceLock;

use moderate::config::source::FileSource;
use moderate::read::{read_all, Format, ReadOptions};
use moderate::{Comment, Engine, Verdict};
use proptest::prelude::*;

/// The built-in pack, compiled once for all cases.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match moderate::config::load_from(FileSource::Builtin, "config.toml") {
        Ok(l) => l.engine,
        Err(d) => panic!("built-in pack: {}", d.short()),
    })
}

/// Pieces evaders and markup use; bodies are built from these and arbitrary text.
const PIECES: &[&str] = &[
    "you are an idiot",
    "idiot",
    "f.u.c.k",
    "ｆｕｃｋ",
    "𝐟𝐮𝐜𝐤",
    "fυcκ",
    "f&#117;ck",
    "<b>fu</b>ck",
    "fuuuuuck",
    "f@ck",
    "sh1t",
    "$h!t",
    "f u c k i n g",
    "&amp;",
    "&#x1F600;",
    "&#0;",
    "&#xD800;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "<a href=\"http://x.example/\">link</a>",
    "<script>",
    "<!--",
    "\u{200b}",
    "\u{200d}",
    "\u{fe0f}",
    "e\u{301}",
    "ﬁ",
    "ß",
    "İ",
    "Σ",
    "٠",
    "\r\n",
    "\n\n",
    "\t",
    "  ",
    "!!!!!!!!",
    "http://spam.example/buy",
    "moron",
    "kill yourself",
    "go to hell",
];

/// One piece: a listed one, arbitrary text, or a listed one repeated many times.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(str::to_string),
        3 => any::<String>(),
        1 => "[a-zA-Z .,!?'-]{0,24}",
        1 => (prop::sample::select(PIECES), 1usize..600).prop_map(|(p, n)| p.repeat(n)),
    ]
}

/// A comment body: a few pieces glued together, with or without spaces.
fn body() -> impl Strategy<Value = String> {
    (prop::collection::vec(piece(), 0..8), any::<bool>())
        .prop_map(|(parts, spaced)| parts.join(if spaced { " " } else { "" }))
}

/// Asserts `text == body[start..end]` for every match of `v`.
fn assert_spans(body: &str, v: &Verdict) -> Result<(), TestCaseError> {
    for r in &v.reasons {
        for m in &r.matches {
            let slice = body.get(m.start..m.end);
            prop_assert!(
                slice.is_some(),
                "{}: {}..{} is not a slice of the {}-byte body",
                r.rule,
                m.start,
                m.end,
                body.len()
            );
            prop_assert_eq!(slice, Some(m.text.as_str()), "{}", &r.rule);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_match_is_the_original_text_and_judging_is_deterministic(body in body(), other in body()) {
        let e = engine();
        let c = Comment::new("p", body.clone());
        let fresh = e.judge(&c);
        assert_spans(&body, &fresh)?;
        let mut scratch = moderate::engine::Scratch::default();
        let _ = e.judge_with(&Comment::new("q", other), &mut scratch);
        let reused = e.judge_with(&c, &mut scratch);
        prop_assert_eq!(&fresh, &reused, "a reused scratch changed the verdict");
        prop_assert_eq!(&fresh, &e.judge(&c), "a second judgement differs");
    }

    #[test]
    fn a_scratch_reused_over_many_comments_judges_each_as_fresh(bodies in prop::collection::vec(body(), 1..8)) {
        let e = engine();
        let mut scratch = moderate::engine::Scratch::default();
        for (i, body) in bodies.iter().enumerate() {
            let c = Comment::new(format!("c{i}"), body.clone());
            let reused = e.judge_with(&c, &mut scratch);
            prop_assert_eq!(&reused, &e.judge(&c), "comment {} judged differently after {} others on the same scratch", i, i);
        }
    }

    #[test]
    fn the_offset_map_stays_inside_the_body_in_order(body in body()) {
        let n = engine().normalize(&body);
        let map = n.offsets();
        prop_assert_eq!(map.len(), n.text.len());
        let mut last = 0..0;
        for i in 0..map.len() {
            let r = map.source_of(i);
            prop_assert!(body.get(r.clone()).is_some(), "byte {} maps to {:?}", i, r);
            prop_assert!(r.start >= last.start && r.end >= last.end, "byte {} maps to {:?} after {:?}", i, r, last);
            last = r;
        }
        let bounds: Vec<usize> = n.text.char_indices().map(|(i, _)| i).chain([n.text.len()]).collect();
        for (k, &s) in bounds.iter().enumerate().step_by(bounds.len() / 32 + 1) {
            for &e in bounds[k..].iter().take(6) {
                let r = n.original_range(s, e);
                prop_assert!(body.get(r.clone()).is_some(), "{}..{} maps to {:?}", s, e, r);
            }
        }
    }
}

/// An input record: a body and an optional author.
fn records() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((body(), prop_oneof![Just(String::new()), any::<String>(), "[a-z ]{1,12}"]), 0..12)
}

/// Reads `text` as `format` from a temporary file named `in.<ext>`.
fn read_back(text: &[u8], ext: &str, format: Format) -> Vec<moderate::read::Record> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("in.{ext}"));
    std::fs::write(&path, text).expect("write input");
    read_all(&path, Some(format), &ReadOptions { keep_raw: true, ..ReadOptions::default() }).expect("readable input")
}

/// Every written record came back once, in order, with its body and author intact.
fn assert_same(
    got: &[moderate::read::Record],
    want: &[(String, String)],
    trim_author: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), want.len(), "{} records written, {} read", want.len(), got.len());
    for (i, (g, (body, author))) in got.iter().zip(want).enumerate() {
        let c = match g {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("record {i} became an error: {e:?}"))),
        };
        prop_assert_eq!(&c.id, &format!("c{i}"));
        prop_assert_eq!(&c.body, body, "record {}", i);
        let author = if trim_author { author.trim() } else { author.as_str() };
        prop_assert_eq!(c.author.as_deref(), (!author.is_empty()).then_some(author), "record {}", i);
    }
    Ok(())
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn jsonl_records_come_back_one_for_one_in_order(recs in records(), crlf in any::<bool>()) {
        let mut text = String::new();
        for (i, (body, author)) in recs.iter().enumerate() {
            let line = serde_json::json!({ "id": format!("c{i}"), "body": body, "author": author });
            text.push_str(&line.to_string());
            text.push_str(if crlf { "\r\n" } else { "\n" });
        }
        assert_same(&read_back(text.as_bytes(), "jsonl", Format::Jsonl), &recs, false)?;
    }

    #[test]
    fn csv_records_come_back_one_for_one_in_order(recs in records(), crlf in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("id,body,author{nl}");
        for (i, (body, author)) in recs.iter().enumerate() {
            let _ = write!(text, "c{i},{},{}{nl}", csv_cell(body), csv_cell(author));
        }
        assert_same(&read_back(text.as_bytes(), "csv", Format::Csv), &recs, true)?;
    }
}

/// A JSONL line: a well-formed record, or arbitrary bytes (no line break) that may be anything.
#[derive(Debug, Clone)]
enum Line {
    Record(String),
    Junk(Vec<u8>),
}

fn lines() -> impl Strategy<Value = Vec<Line>> {
    let junk = prop::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..40).prop_map(Line::Junk);
    prop::collection::vec(prop_oneof![3 => body().prop_map(Line::Record), 1 => junk], 0..16)
}

proptest! {
    // Each case runs the binary twice: few cases, still a few hundred records per run of the test.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn run_writes_one_verdict_per_record_in_order_on_any_thread_count(lines in lines()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut file = Vec::new();
        // (expected id, body) of each non-blank line, in order; None = junk (any id, any verdict).
        let mut want: Vec<Option<(String, String)>> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            match l {
                Line::Record(body) => {
                    let id = format!("c{i}");
                    file.extend_from_slice(serde_json::json!({ "id": id, "body": body }).to_string().as_bytes());
                    want.push(Some((id, body.clone())));
                }
                Line::Junk(bytes) => {
                    file.extend_from_slice(bytes);
                    // A lone CR ends a line too (a CR last is half of the CRLF made with the LF
                    // below): each non-blank piece is one record.
                    let line = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                    for piece in line.split(|&b| b == b'\r') {
                        if !piece.iter().all(u8::is_ascii_whitespace) {
                            want.push(None);
                        }
                    }
                }
            }
            file.push(b'\n');
        }
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, &file).expect("write input");
        let p = path.to_str().expect("utf-8 temp path");
        let one = common::moderate_in(dir.path(), &["run", "-q", "-j", "1", p], "");
        let four = common::moderate_in(dir.path(), &["run", "-q", "-j", "4", p], "");
        prop_assert_eq!(one.status.code(), Some(0), "{}", common::stderr(&one));
        prop_assert_eq!(&one.stdout, &four.stdout, "1 and 4 threads disagree");
        let out = common::records(&one);
        prop_assert_eq!(out.len(), want.len(), "{} non-blank lines, {} verdicts", want.len(), out.len());
        for (rec, w) in out.iter().zip(&want) {
            let Some((id, body)) = w else { continue };
            prop_assert_eq!(rec["id"].as_str(), Some(id.as_str()));
            prop_assert_ne!(rec["verdict"].as_str(), Some("error"), "{}", rec);
            for reason in rec["reasons"].as_array().into_iter().flatten() {
                for m in reason["matches"].as_array().into_iter().flatten() {
                    let (s, e) = (m["start"].as_u64().unwrap_or(0) as usize, m["end"].as_u64().unwrap_or(0) as usize);
                    prop_assert_eq!(body.get(s..e), m["text"].as_str(), "{}", rec);
                }
            }
        }
    }
}
