//! Hostile input, round 2: characters a reader reads as Latin letters (or as nothing) that the
//! normalizer read as something else. Each case is judged by the built-in pack and must get the
//! verdict and rules of the text a reader sees, with every match exactly `body[start..end]`.
//! docs/fuzz.md ("Hostile cases, round 2") lists each with what it did before.

mod common;

use moderate::normalize::{NormalizeOptions, Normalizer};
use moderate::verdict::Verdict;
use moderate::Engine;

use common::{builtin_engine as builtin, judge_checked as judge};

/// Asserts that `body`, which a reader reads as `shown`, is judged as `shown` is: same
/// normalized text and the same rules and verdict.
fn judged_as_shown(e: &Engine, body: &str, shown: &str) {
    assert_eq!(e.normalize(body).text, e.normalize(shown).text, "{body:?} reads {shown:?}");
    let (got, want) = (judge(e, body), judge(e, shown));
    let rules = |v: &Verdict| v.reasons.iter().map(|r| r.rule.clone()).collect::<Vec<_>>();
    assert!(!want.reasons.is_empty(), "{shown:?} should hit a rule of the pack");
    assert_eq!(rules(&got), rules(&want), "{body:?} reads {shown:?}");
    assert_eq!(got.verdict, want.verdict, "{body:?} reads {shown:?}");
}

/// decancer 3.3 reads `ó ô õ` as `p q r` and `ǫ` as `q`: accented Latin letters are read as the
/// letter under the accents, whatever the confusables table says.
#[test]
fn accented_o_reads_as_o() {
    let e = builtin();
    for (body, shown) in [
        ("whóre", "whore"),
        ("whôre", "whore"),
        ("whõre", "whore"),
        ("whǫre", "whore"),
        ("WHÓRE", "whore"),
        ("you mórón", "you moron"),
        ("you idiót", "you idiot"),
        ("cóck", "cock"),
    ] {
        judged_as_shown(&e, body, shown);
    }
    let n = Normalizer::new(&NormalizeOptions::default());
    // Every precomposed Latin-1 letter reads as its base letter.
    assert_eq!(n.normalize("àáâãäå èéêë ìíîï òóôõö ùúûü ñ ç ý").text, "aaaaaa eeee iiii ooooo uuuu n c y");
    assert_eq!(n.normalize("ÒÓÔÕÖ").text, "ooooo");
}

/// Hooked Latin letters decancer maps to the wrong letter.
#[test]
fn hooked_latin_letters_read_as_their_letter() {
    let e = builtin();
    judged_as_shown(&e, "ɗick", "dick");
    judged_as_shown(&e, "ƊICK", "dick");
    judged_as_shown(&e, "cuɳt", "cunt");
}

/// Parenthesized and negative-squared letters are "fancy text" styles: `⒡⒰⒞⒦` reads `fuck`.
#[test]
fn boxed_and_parenthesized_letters_read_as_letters() {
    let e = builtin();
    judged_as_shown(&e, "⒡⒰⒞⒦ you", "fuck you");
    judged_as_shown(&e, "🄵🅄🄲🄺 you", "fuck you");
    judged_as_shown(&e, "\u{1F115}\u{1F124}\u{1F112}\u{1F11A} you", "fuck you"); // 🄕🄤🄒🄚
    judged_as_shown(&e, "🅰🆂🆂hole", "asshole");
    judged_as_shown(&e, "🅱itch", "bitch");
}

/// Characters drawn as nothing between letters: the interlinear annotation marks (the
/// annotation's own text stays in), the unassigned specials before them, the null notehead.
#[test]
fn more_invisible_characters_vanish() {
    let e = builtin();
    judged_as_shown(&e, "f\u{FFF9}u\u{FFFA}ck\u{FFFB} you", "fuck you");
    judged_as_shown(&e, "fu\u{FFF0}ck you", "fuck you");
    judged_as_shown(&e, "fu\u{1D159}ck you", "fuck you");
    // The braille blank is drawn as an empty cell: a space, never glue, never a letter.
    let n = Normalizer::new(&NormalizeOptions::default());
    assert_eq!(n.normalize("you\u{2800}idiot").text, "you idiot");
}

/// `cat a.jsonl b.jsonl` leaves b's byte order mark at the start of a line: the record after it
/// is read (it was an `expected value` error record), and a line holding only the mark is blank.
#[test]
fn a_byte_order_mark_at_the_start_of_a_jsonl_line_is_skipped() {
    let input = "{\"id\":\"a\",\"body\":\"hi\"}\n\u{FEFF}{\"id\":\"b\",\"body\":\"fuck you\"}\n\u{FEFF}\n{\"id\":\"c\",\"body\":\"ok\"}\n";
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("cat.jsonl"), input).expect("write");
    // Both readers: the pipeline's chunked one (`run`) and the record iterator (`read_all`).
    let o = common::moderate_in(&common::root(), &["run", "-q", "-j", "1", d.path().join("cat.jsonl").to_str().unwrap()], "");
    let recs = common::records(&o);
    let got: Vec<(&str, &str)> =
        recs.iter().map(|r| (r["id"].as_str().unwrap(), r["verdict"].as_str().unwrap())).collect();
    assert_eq!(got, [("a", "allow"), ("b", "block"), ("c", "allow")], "{}", common::stdout(&o));
    let read = moderate::read::read_all(&d.path().join("cat.jsonl"), None, &Default::default()).expect("read");
    let ids: Vec<String> = read.iter().map(|r| r.as_ref().map(|c| c.id.clone()).unwrap_or_else(|e| format!("error {e:?}"))).collect();
    assert_eq!(ids, ["a", "b", "c"]);
}

/// A combining mark after the last letter of a match is part of that letter as drawn: the span
/// (and so the censor's mask) covers it. It used to end before it, cutting the glyph in two.
#[test]
fn a_match_covers_the_combining_marks_on_its_last_letter() {
    let e = builtin();
    for (body, text) in [
        ("fuck\u{308} you", "fuck\u{308}"),
        ("fuck\u{336}\u{336}\u{335} you", "fuck\u{336}\u{336}\u{335}"),
        ("fuc&#107;&#776; you", "fuc&#107;&#776;"),
        ("zalgo f\u{338}u\u{336}c\u{337}k\u{338}\u{321}", "f\u{338}u\u{336}c\u{337}k\u{338}\u{321}"),
    ] {
        let v = judge(&e, body);
        let r = v.reasons.iter().find(|r| r.rule == "profanity.strong").unwrap_or_else(|| panic!("{body:?}: {v:?}"));
        assert_eq!(r.matches[0].text, text, "{body:?}");
    }
}

/// Markup a browser's tokenizer hides as a bogus comment, up to the first `>`: `<?...>`, `<!`
/// not followed by `--`, `</` not followed by a letter. These were read as text.
#[test]
fn bogus_comments_are_hidden_as_a_browser_hides_them() {
    let e = builtin();
    for body in ["fu<?x>ck you", "fu</ >ck you", "fu</>ck you", "fu<![CDATA[x]]>ck you", "fu<!>ck you", "fu<?php echo 1 ?>ck you"] {
        judged_as_shown(&e, body, "fuck you");
    }
    // Without a `>` it is text, as before (`a <? b`), and `<` before a space is text.
    let n = Normalizer::new(&NormalizeOptions::default());
    assert_eq!(n.normalize("a <? b").text, "a <? b");
    assert_eq!(n.normalize("a < b > c").text, "a < b > c");
}

/// An `<input>` shows its value (a text box, a button's label) or its placeholder: judged like
/// an `<img>`'s alt text, the span being the whole tag. A hidden input shows nothing.
#[test]
fn an_input_shows_its_value() {
    let e = builtin();
    for body in ["<input value=\"fuck you\">", "<input type=submit value='fuck you'>", "<input placeholder=\"fuck you\">"] {
        let v = judge(&e, body);
        assert_eq!(v.verdict, moderate::verdict::Decision::Block, "{body:?}: {v:?}");
        assert_eq!(v.reasons[0].matches[0].text, body);
    }
    let v = judge(&e, "<input type=hidden value=\"fuck you\">");
    assert_eq!(v.verdict, moderate::verdict::Decision::Allow);
}

/// The tokenizer keeps the first of two same-named attributes and drops the rest; the later one
/// used to win here, so `<img alt="fuck you" alt="hi">` (shown: `fuck you`) was judged `hi`.
#[test]
fn the_first_of_two_same_named_attributes_counts() {
    let e = builtin();
    let v = judge(&e, "<img src=x alt=\"fuck you\" alt=\"hi\">");
    assert_eq!(v.verdict, moderate::verdict::Decision::Block, "{v:?}");
    judged_as_shown(&e, "<bdo dir=rtl dir=ltr>kcuf</bdo> you", "fuck you");
    judged_as_shown(&e, "<span style=\"direction:rtl;unicode-bidi:bidi-override\" style=\"\">kcuf</span> you", "fuck you");
}

/// `moderate review serve` closes a connection that does not finish its request headers in time
/// (it used `axum::serve`, which gives hyper no timer: a connection that sent half a request
/// line was held forever, and a few thousand such exhaust the file descriptors).
#[test]
fn the_review_server_drops_a_connection_that_never_finishes_its_headers() {
    use std::io::{BufRead, BufReader, Read, Write};
    let d = tempfile::tempdir().expect("tempdir");
    let db = d.path().join("q.db");
    let made = common::moderate_in(d.path(), &["run", "-q", "--queue", "q.db", "-"], "{\"body\":\"hi\"}\n");
    assert!(made.status.success() && db.exists(), "{}", common::stderr(&made));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["review", "serve", "--db", db.to_str().unwrap(), "--token", "T", "--addr", "127.0.0.1:0"])
        .current_dir(d.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    // Kept open to the end: the server writes more lines, and a closed pipe would stop it.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).expect("read the URL");
    let addr = first.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
    assert!(!addr.is_empty(), "no address in {first:?}");
    let result = std::panic::catch_unwind(|| {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.write_all(b"GET / HTTP/1.1\r\nHost: ").expect("write");
        // The header timeout is 10 s; give a loaded machine room, but not forever.
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let start = std::time::Instant::now();
        let mut buf = Vec::new();
        let r = s.read_to_end(&mut buf);
        assert!(r.is_ok(), "still open after {:?}: {r:?}", start.elapsed());
        assert!(start.elapsed() >= std::time::Duration::from_secs(5), "closed too early: {:?}", start.elapsed());
    });
    let _ = child.kill();
    let _ = child.wait();
    drop(out);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
