//! Hostile input, round 16 (inputs and surfaces): round 15's "Left" (thread entries that share
//! a number, `aria-description` and `aria-labelledby`), then more text a page shows or reads
//! aloud that was judged otherwise. Real binary where it can be; every fixture is written here.

mod common;

use std::path::PathBuf;

use common::{id_verdicts as verdicts, moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    common::fresh_dir("hostile16", name)
}

/// Runs the built-in pack over JSON Lines `rows` and returns `id=verdict` per record.
fn judge_rows(name: &str, rows: &[(&str, &str)]) -> (Vec<String>, Vec<serde_json::Value>) {
    let dir = tmp(name);
    std::fs::write(dir.join("in.jsonl"), common::jsonl_rows(rows)).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "in.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (verdicts(&o), records(&o))
}

/// Two entries of a thread page with the same number (a scrape that joined two pages, a page
/// that numbers per reply level) were two records with one id, `page#1`: `explain --id page#1`
/// explained the first only and a site matching verdicts by id gave both the first one's. The
/// k-th entry of a number is now `page#N.k`, the same on every run; `explain --id` finds it and
/// `--split` writes it back with its number.
#[test]
fn thread_entries_with_the_same_number_get_ids_of_their_own() {
    let dir = tmp("thread-dup");
    let page = "Title\n\nDiscussion Policy\n\nBe civil.\n\n  1. Ann said:\n\n    nice article\n\n  2. Bob said:\n\n    agreed\n\n  1. Cy said:\n\n    you fucking idiot\n\n  1. Di said:\n\n    thanks\n";
    std::fs::write(dir.join("page.txt"), page).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "page.txt"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o), ["page#1=allow", "page#2=allow", "page#1.2=block", "page#1.3=allow"]);
    let again = moderate_in(&dir, &["run", "-q", "page.txt"], "");
    assert_eq!(verdicts(&again), verdicts(&o), "stable");
    let e = moderate_in(&dir, &["explain", "--json", "--id", "page#1.2", "page.txt"], "");
    assert_eq!(e.status.code(), Some(0), "{}", stderr(&e));
    let v: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(v["body"], "you fucking idiot");
    let s = moderate_in(&dir, &["run", "-q", "page.txt", "--split", "out"], "");
    assert_eq!(s.status.code(), Some(0), "{}", stderr(&s));
    let blocked = std::fs::read_to_string(dir.join("out/page.blocked.txt")).unwrap();
    assert!(blocked.starts_with("  1. Cy said:"), "{blocked}");
}

/// `aria-description` is read aloud after the element's name, as `aria-label` is instead of it
/// (round 15 judged the label only): `<a aria-description="you fucking idiot">x</a>` was
/// allowed with `x` judged.
#[test]
fn an_aria_description_is_judged_as_a_label_is() {
    let (v, _) = judge_rows(
        "aria-description",
        &[
            ("alone", "<a href=\"#\" aria-description=\"you fucking idiot\">x</a>"),
            ("caps", "<b ARIA-DESCRIPTION='go kill yourself'>ok</b> thanks"),
            ("innocent", "<button aria-description=\"closes the dialog\">x</button> nice"),
        ],
    );
    assert_eq!(v, ["alone=block", "caps=block", "innocent=allow"]);
}

/// `aria-labelledby="a b"` makes a screen reader read the text of the elements `a` and `b`, in
/// that order, as the element's name: two hidden pieces in different sentences, each judged
/// at the end of its own sentence, were read aloud as one phrase (`go kill yourself`) and the
/// comment was allowed. The named text is now judged again at the referring element.
#[test]
fn the_text_an_aria_labelledby_names_is_judged_as_its_label() {
    let (v, r) = judge_rows(
        "aria-labelledby",
        &[
            ("before", "<span id=a hidden>go kill</span>Nice article. Thanks for it. <span id=b hidden>yourself</span><a aria-labelledby=\"a b\">link</a>"),
            ("after", "<a aria-labelledby=\"p q\">link</a>. Great read. <span id=p hidden>go kill</span>. Great. <span id=q hidden>yourself</span>"),
            ("reversed", "<i id=b hidden>yourself</i> Nice. Thanks. <i id=a hidden>go <b>kill</b></i><a aria-labelledby=\"a  b\">link</a>"),
            ("innocent", "<span id=l>Read more</span> about it. <a aria-labelledby=\"l missing\">here</a>"),
        ],
    );
    assert_eq!(v, ["before=block", "after=block", "reversed=block", "innocent=allow"]);
    let m = &r[1]["reasons"][0]["matches"][0];
    assert!(m["text"].as_str().unwrap().contains("<a aria-labelledby=\"p q\">"), "mapped to the referring tag: {m}");
}

/// Many references to one long element (here an element never closed, whose text runs to the
/// end of the body) are judged within a budget of the body's length, so judging stays linear.
#[test]
fn aria_labelledby_references_stay_linear() {
    common::assert_linear(&["<i id=x><a aria-labelledby=\"x x\">q</a>"]);
}

/// `<style` tags that never end are judged in time linear in the body (a tag that runs to the
/// end ends the sheet's scan).
#[test]
fn style_sheets_in_the_body_stay_linear() {
    common::assert_linear(&["<style "]);
}

/// An `<iframe srcdoc>`'s document was cut at every `<` as if it began a tag, up to the next
/// `>` or the end: `srcdoc="I <3 this, you fucking idiot"` judged `i ` (allow). A `<` that starts
/// no tag is text, as in the body; the attribute's references are decoded before the document
/// is read as HTML, so `fu&lt;b&gt;&lt;/b&gt;ck` is `fu<b></b>ck`, `fuck` on the page.
#[test]
fn an_iframe_srcdoc_reads_its_document_as_a_browser_does() {
    let (v, _) = judge_rows(
        "srcdoc-lt",
        &[
            ("heart", "<iframe srcdoc=\"I <3 this, you fucking idiot\"></iframe>"),
            ("less", "<iframe srcdoc=\"a < b so you fucking idiot\"></iframe>"),
            ("escaped-tag", "<iframe srcdoc=\"you fu&lt;b&gt;&lt;/b&gt;cking idiot\"></iframe>"),
            ("comment", "<iframe srcdoc=\"<!-- a > b --> you fucking idiot\"></iframe>"),
            ("innocent", "<iframe srcdoc=\"I <3 this <p>thanks</p>\"></iframe>"),
        ],
    );
    assert_eq!(v, ["heart=block", "less=block", "escaped-tag=block", "comment=block", "innocent=allow"]);
}

/// A `<style>` element in the body hides elements by class, type or id as a `style` attribute
/// does, wherever it stands: `you fu<span class=x>zz</span>cking idiot` under `.x{display:none}`
/// shows `you fucking idiot` and was judged `fuzzcking` (a flag). Its rules now apply; a rule
/// that may not apply (inside `@media`, a `:hover`) or a selector not understood hides nothing,
/// so a word a reader sees whole is never split.
#[test]
fn a_style_sheet_in_the_body_hides_what_it_hides_on_the_page() {
    let (v, _) = judge_rows(
        "style-sheet",
        &[
            ("class", "<style>.x{display:none}</style>you fu<span class=x>zz</span>cking idiot"),
            ("after", "you fu<span class=\"a x\">zz</span>cking idiot<style>.x { display: none }</style>"),
            ("type", "<style>b{display:none}</style>you fu<b>zz</b>cking idiot"),
            ("compound", "<style>span#q.x{visibility:hidden}</style>you fu<span class=x id=q>zz</span>cking idiot"),
            ("media", "<style>@media print{.x{display:none}}</style>you fu<span class=x>cking</span> idiot"),
            ("innocent", "<style>.x{display:none}</style>Nice <span class=x>article</span> thanks"),
        ],
    );
    assert_eq!(
        v,
        ["class=block", "after=block", "type=block", "compound=block", "media=block", "innocent=allow"]
    );
}

/// Many hidden elements in one sentence: text judged out of line maps each unit of its sentence
/// to the whole sentence, and a reader that looked at each word's original text read the whole
/// sentence once per word (a 1 MiB body of these took 17 s). `<style>` elements are judged out
/// of line the same way.
#[test]
fn many_hidden_elements_in_one_sentence_stay_linear() {
    common::assert_linear(&[
        "<span style=\"display:none\">a</span>b",
        "<span hidden>fuck</span>b ",
        "<style>a</style>b ",
    ]);
}
