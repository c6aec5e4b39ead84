//! The CSV row scanner and the thread page's entry headers, through the public reader: what
//! each record's id, line, body, author, kind and raw bytes come out as. (These were unit tests
//! of private helpers inside src/; they live here so `cargo test` does not compile the library
//! twice, and they now pin what a user sees rather than the helpers.)

use std::path::Path;

use moderate::read::{self, Format, ReadOptions, Record};
use moderate::{Comment, CommentKind};

/// Reads `text` as a file `NAME` in `format`, keeping each record's raw bytes.
fn read_text(name: &str, format: Format, text: &str) -> Vec<Record> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write input");
    read::read_all(Path::new(&path), Some(format), &ReadOptions { keep_raw: true, ..ReadOptions::default() })
        .expect("opens")
}

fn ok(r: &Record) -> &Comment {
    r.as_ref().unwrap_or_else(|e| panic!("expected a comment, got {e:?}"))
}

fn line(c: &Comment) -> u64 {
    c.source.as_ref().expect("source").line
}

fn raw(c: &Comment) -> &str {
    std::str::from_utf8(c.raw.as_deref().expect("raw kept")).expect("UTF-8")
}

#[test]
fn csv_rows_are_cut_like_the_csv_crate() {
    // CRLF, a doubled quote, a quoted newline, a blank row (skipped), a last row without a
    // line end.
    let recs = read_text("c.csv", Format::Csv, "id,body\r\n1,a\r\n\"x\"\"y\",\"two\nlines\"\n\nlast,row");
    assert_eq!(recs.len(), 3, "{recs:#?}");
    let c = ok(&recs[0]);
    assert_eq!((c.id.as_str(), c.body.as_str(), line(c), raw(c)), ("1", "a", 2, "1,a\r\n"));
    let c = ok(&recs[1]);
    assert_eq!((c.id.as_str(), c.body.as_str(), line(c)), ("x\"y", "two\nlines", 3));
    assert_eq!(raw(c), "\"x\"\"y\",\"two\nlines\"\n");
    let c = ok(&recs[2]);
    assert_eq!((c.id.as_str(), c.body.as_str(), line(c), raw(c)), ("last", "row", 6, "last,row"));
}

#[test]
fn csv_unclosed_quote_resumes_on_the_next_line() {
    let recs = read_text("q.csv", Format::Csv, "id,body\n1,\"oops\n2,fine\n3,fine\n");
    assert_eq!(recs.len(), 3, "{recs:#?}");
    let e = recs[0].as_ref().expect_err("the open quote is an error record");
    assert_eq!(e.message, "line 2: a quote opened on this line is never closed");
    assert_eq!(e.source.line, 2);
    assert_eq!(e.raw.as_deref(), Some(&b"1,\"oops\n"[..]));
    let c = ok(&recs[1]);
    assert_eq!((c.id.as_str(), c.body.as_str(), line(c)), ("2", "fine", 3));
    assert_eq!((ok(&recs[2]).id.as_str(), line(ok(&recs[2]))), ("3", 4));
}

#[test]
fn thread_headers() {
    let page = "The article.\nDiscussion Policy\nBe nice.\n\n  \
                8. Genocide denierInvestigator said:\n\n    first\n\n  \
                4. Pingback: Tweets | x\n\
                9. said:\n1.5 said:\nIn 2010. He said: yes\n";
    let recs = read_text("page.txt", Format::Thread, page);
    assert_eq!(recs.len(), 3, "{recs:#?}");
    let c = ok(&recs[0]);
    assert_eq!((c.id.as_str(), c.author.as_deref(), c.kind, c.body.as_str()), (
        "page#8",
        Some("Genocide denierInvestigator"),
        CommentKind::Comment,
        "first"
    ));
    assert_eq!(line(c), 5);
    let c = ok(&recs[1]);
    assert_eq!((c.id.as_str(), c.author.as_deref(), c.kind, c.body.as_str()), (
        "page#4",
        None,
        CommentKind::Pingback,
        "Tweets | x"
    ));
    // An entry without an author; lines that only look like headers (`1.5 said:`, a sentence
    // with a number) are its body, not entries of their own.
    let c = ok(&recs[2]);
    assert_eq!((c.id.as_str(), c.author.as_deref(), c.body.as_str()), (
        "page#9",
        None,
        "1.5 said:\nIn 2010. He said: yes"
    ));
}

#[test]
fn thread_mixed_unicode_indentation_is_stripped_by_characters() {
    // U+3000 then a space, against two spaces: nothing in common. Two spaces and a tab
    // against two spaces: two spaces. U+2002 against U+2003 share their first two bytes, not a
    // character: nothing is stripped (cutting there would split a character).
    let page = "1. A said:\n\u{3000} one\n  two\n\
                2. B said:\n  \tthree\n  four\n\
                3. C said:\n\u{3000}\u{3000}five\n\u{3000}six\n\
                4. D said:\n\u{2002}seven\n\u{2003}eight\n";
    let recs = read_text("indent.txt", Format::Thread, page);
    let bodies: Vec<&str> = recs.iter().map(|r| ok(r).body.as_str()).collect();
    assert_eq!(bodies, [
        "\u{3000} one\n  two",
        "\tthree\nfour",
        "\u{3000}five\nsix",
        "\u{2002}seven\n\u{2003}eight"
    ]);
}

#[test]
fn thread_pingback_author_is_the_linking_site() {
    let page = "1. Pingback: Differences | Asbarez … | azerbaijantoday\n\
                2. Trackback: Tweets that mention X | Asbarez Armenian News --\n";
    let recs = read_text("pings.txt", Format::Thread, page);
    let got: Vec<(CommentKind, Option<&str>)> = recs.iter().map(|r| (ok(r).kind, ok(r).author.as_deref())).collect();
    assert_eq!(got, [(CommentKind::Pingback, Some("azerbaijantoday")), (CommentKind::Trackback, None)]);
}
