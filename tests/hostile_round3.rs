//! Hostile input, round 3: line ends and encodings a reader read as other records than a site's
//! tools do, and HTML whose hidden or annotation text split a word a reader sees whole.
//! docs/hostile.md lists each attack with what it did before. Fixtures: tests/fixtures/hostile3/.

mod common;

use std::path::PathBuf;

use moderate::read::{self, ReadOptions, Record};
use moderate::verdict::Verdict;

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/hostile3").join(name)
}

fn read(name: &str) -> Vec<Record> {
    match read::read_all(&fixture(name), None, &ReadOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// `(id, body)` of each record, or `(id, error message)` for an error record.
fn ids_bodies(recs: &[Record]) -> Vec<(String, Result<String, String>)> {
    recs.iter()
        .map(|r| match r {
            Ok(c) => (c.id.clone(), Ok(c.body.clone())),
            Err(e) => (e.id.clone(), Err(e.message.clone())),
        })
        .collect()
}

/// The three records every JSONL fixture of this round holds.
fn three() -> Vec<(String, Result<String, String>)> {
    [("a", "thanks for the article"), ("b", "you are a fucking idiot"), ("c", "see you tomorrow")]
        .iter()
        .map(|(i, b)| (i.to_string(), Ok(b.to_string())))
        .collect()
}

/// UTF-16 and UTF-32, with a byte order mark or without (told by the NULs around the first
/// character), are decoded: the same records as the UTF-8 text, never NUL-riddled bytes.
#[test]
fn utf16_and_utf32_inputs_are_decoded() {
    for name in ["utf16le-bom.jsonl", "utf16be-nobom.jsonl", "utf32le-bom.jsonl", "utf32be-nobom.jsonl"] {
        assert_eq!(ids_bodies(&read(name)), three(), "{name}");
    }
    // The format of a file without an extension is sniffed from the decoded text.
    assert_eq!(ids_bodies(&read("utf16le-bom-sniffed")), three());
    let csv = ids_bodies(&read("utf16le-bom.csv"));
    assert_eq!(csv, three()[..2].to_vec());
}

/// An unpaired surrogate makes its record an error naming the line and the encoding; the records
/// around it are read as written.
#[test]
fn utf16_unpaired_surrogate_is_an_error_record_naming_the_line() {
    let got = ids_bodies(&read("utf16-lone-surrogate.jsonl"));
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], three()[0]);
    assert_eq!(got[2], three()[2]);
    let msg = got[1].1.clone().expect_err("record b must be an error");
    assert!(msg.starts_with("line 2: invalid UTF-8") && msg.contains("UTF-16LE"), "{msg}");
}

/// A UTF-16 dump on stdin (a pipe: sniffed once, from a kept head) reads as the file does.
#[test]
fn utf16_on_stdin_is_decoded() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let data = std::fs::read(fixture("utf16le-bom.jsonl")).expect("fixture");
    let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .current_dir(common::root())
        .args(["run", "-q", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut w = child.stdin.take().expect("stdin");
    let t = std::thread::spawn(move || {
        let _ = w.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    t.join().expect("writer");
    let recs = common::records(&out);
    let got: Vec<(String, String)> = recs
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").to_string(), r["verdict"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], ("a".to_string(), "allow".to_string()));
    assert_ne!(got[1].1, "allow", "{got:?}");
    assert_ne!(got[1].1, "error", "{got:?}");
}

use common::{builtin_engine as builtin, judge_checked as judge};

fn rules(v: &Verdict) -> Vec<String> {
    v.reasons.iter().map(|r| r.rule.clone()).collect()
}

/// Text a browser does not show in the flow (a hidden element, `display:none`, a zero font size,
/// `<template>`, `<style>`, `<noscript>`, a ruby annotation) no longer splits the word a reader
/// sees: `f<span hidden>x</span>uck` is judged as `fuck`, with its span covering the whole word.
#[test]
fn hidden_and_annotation_text_does_not_split_a_word() {
    let e = builtin();
    let shown = judge(&e, "fuck you");
    assert!(rules(&shown).contains(&"profanity.strong".to_string()));
    for body in [
        "f<span hidden>x</span>uck you",
        "f<span style=\"display: none\">x</span>uck you",
        "f<span style='font-size:0px'>x</span>uck you",
        "f<b style=\"opacity:0\">x</b>uck you",
        "f<template>x</template>uck you",
        "f<style>x</style>uck you",
        "f<noscript>x</noscript>uck you",
        "<ruby>fu<rt>x</rt>ck</ruby> you",
        "<ruby>fu<rp>(</rp><rt>x</rt><rp>)</rp>ck</ruby> you",
        "f<i hidden><i>x</i>y</i>uck you",
        "f<img hidden alt=x>uck you",
    ] {
        let v = judge(&e, body);
        assert!(rules(&v).contains(&"profanity.strong".to_string()), "{body:?}: {:?}", rules(&v));
        assert_ne!(v.verdict, moderate::verdict::Decision::Allow, "{body:?}");
        let m = &v.reasons.iter().find(|r| r.rule == "profanity.strong").expect("hit").matches[0];
        // The span covers the word and what was moved out of it (round 4: up to the end of the
        // sentence, which is where the hidden text is judged).
        assert!(m.text.starts_with('f') && m.text.contains('k'), "{body:?}: {:?}", m.text);
    }
}

/// Out-of-line text is still judged (a site that strips the hiding attribute shows it; a ruby
/// annotation is on screen): moved to the end of the sentence (round 4; round 3 moved it after
/// the word, or left it in place between words), not dropped, so the phrases around it are
/// intact.
#[test]
fn out_of_line_text_is_still_judged() {
    let e = builtin();
    for body in [
        "<ruby>hello<rt>fuck you</rt></ruby> there",
        "<span hidden>fuck you</span> hello",
        "hello<span style=\"display:none\"> fuck you</span>",
    ] {
        let v = judge(&e, body);
        assert!(rules(&v).contains(&"profanity.strong".to_string()), "{body:?}: {:?}", rules(&v));
    }
    let n = e.normalize("hello <b>world</b> f<span hidden>x</span>uck you and more");
    assert_eq!(n.text, "hello world fuck you and more. x");
    for body in ["<style><!--</style>fuck you-->", "<rt>x</rt>fuck you", "fuck you<span hidden>x</span>"] {
        assert!(rules(&judge(&e, body)).contains(&"attack.obscene-dismissal".to_string()), "{body:?}");
    }
    // Words around it keep their own spans.
    let v = judge(&e, "you idiot f<span hidden>x</span>uck");
    let idiot = v.reasons.iter().flat_map(|r| &r.matches).find(|m| m.text == "idiot");
    assert!(idiot.is_some(), "{:?}", v.reasons);
}

/// Hostile nesting of hidden elements stays linear: 50,000 unclosed hidden spans and as many
/// ruby annotations normalize in well under a second of CPU.
#[test]
fn nested_hidden_elements_stay_linear() {
    let e = builtin();
    let body = format!("{}{}", "<span hidden>a".repeat(50_000), "<rt>b".repeat(50_000));
    let t = common::thread_cpu_time();
    let n = e.normalize(&body);
    assert!(n.text.len() >= 100_000);
    assert!(common::thread_cpu_time() - t < std::time::Duration::from_secs(5), "too slow");
}
