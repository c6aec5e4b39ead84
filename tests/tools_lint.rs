//! The Scunthorpe lint of `moderate check`: a starred term or an unbounded pattern that
//! matches inside an innocent word is a warning at its exact `file:line:col`, `--fix` writes the
//! allowlist entries, and the shipped pack is lint-clean.

mod common;

use std::path::{Path, PathBuf};

use common::{moderate, moderate_in, stderr};

/// A scratch config directory: `config.toml`, `rules/planted.txt` (the starred term on line 3),
/// `rules/allow.txt`, and an innocent labeled sample.
fn planted(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moderate-lint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).expect("temp dir");
    std::fs::create_dir_all(dir.join("examples")).expect("temp dir");
    let config = r#"[[rule]]
id = "profanity.planted"
category = "profanity"
score = 1.5
message = "planted"
wordlist = "rules/planted.txt"
allowlist = "rules/allow.txt"

[[rule]]
id = "spam.pills"
category = "spam"
action = "flag"
message = "pill spam"
patterns = ['cialis']
"#;
    std::fs::write(dir.join("config.toml"), config).expect("config");
    std::fs::write(dir.join("rules/planted.txt"), "# planted terms\ndamn\n*cum*\nzorb*\n").expect("list");
    std::fs::write(dir.join("rules/allow.txt"), "# innocent words\ndocument\n").expect("allow");
    std::fs::write(
        dir.join("examples/labeled.jsonl"),
        "{\"id\":\"1\",\"body\":\"The Zorbleton bakery opens at nine\",\"labels\":{\"toxic\":false}}\n\
         {\"id\":\"2\",\"body\":\"zorbing is fun, you idiot\",\"labels\":{\"toxic\":true}}\n",
    )
    .expect("sample");
    dir
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let o = moderate_in(dir, &all, "");
    (o.status.code(), stderr(&o))
}

#[test]
fn a_planted_scunthorpe_term_is_reported_at_its_file_line_col() {
    let dir = planted("term");
    let (code, err) = check(&dir, &[]);
    assert_eq!(code, Some(0), "warnings do not fail a plain check: {err}");
    let line = err.lines().find(|l| l.contains("\"*cum*\" matches inside")).unwrap_or_default();
    assert!(line.starts_with("warning: ./rules/planted.txt:3:1: \"*cum*\" matches inside "), "{err}");
    assert!(
        line.contains(" dictionary words: ") && line.contains(" English, ") && line.contains(" names/places)"),
        "{line}"
    );
    // The allowlisted word is not reported; the term itself is never a false alarm of itself.
    let words = line.split(": ").nth(3).unwrap_or_default();
    assert!(!words.split(", ").any(|w| w == "document" || w == "cum"), "{line}");
    // The unbounded pattern, located in config.toml (line 14, column 13 is the string).
    assert!(
        err.contains("warning: ./config.toml:14:13: this pattern matches inside ") && err.contains("specialist"),
        "{err}"
    );
    // A word only the innocent sample has ("zorbleton"), and not the toxic row's "zorbing".
    let zorb = err.lines().find(|l| l.contains("\"zorb*\"")).unwrap_or_default();
    assert!(zorb.starts_with("warning: ./rules/planted.txt:4:1:") && zorb.contains("zorbleton"), "{err}");
    assert!(zorb.contains("from the innocent sample") && !zorb.contains("zorbing"), "{zorb}");
    // --strict makes them fail.
    assert_eq!(check(&dir, &["--strict"]).0, Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fix_writes_the_missing_allowlist_entries_and_the_lint_is_then_clean() {
    let dir = planted("fix");
    let (code, err) = check(&dir, &["--fix"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("word(s) added to ./rules/allow.txt"), "{err}");
    let allow = std::fs::read_to_string(dir.join("rules/allow.txt")).expect("allowlist");
    for w in ["cucumber", "circumstance", "zorbleton"] {
        assert!(allow.lines().any(|l| l == w), "{w} not written:\n{allow}");
    }
    assert!(allow.contains("# *cum*: innocent words that contain it"), "{allow}");
    // The pattern has no allowlist: it is left, with its warning; the terms are clean now.
    let (_, err) = check(&dir, &[]);
    assert!(!err.contains("\"*cum*\""), "{err}");
    assert!(err.contains("this pattern matches inside"), "{err}");
    // A word written by --fix is really allowed by the rule now.
    let o = moderate_in(&dir, &["explain", "I ate a cucumber"], "");
    assert!(!common::stdout(&o).contains("profanity.planted"), "{}", common::stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extra_word_files_and_no_lint() {
    let dir = planted("words");
    std::fs::write(dir.join("mine.txt"), "# our regulars\nZorbathon\n").expect("words");
    let (_, err) = check(&dir, &["--words", "mine.txt"]);
    let line = err.lines().find(|l| l.contains("\"zorb*\"")).unwrap_or_default();
    assert!(line.contains("zorbathon") && line.contains("1 from --words"), "{line}");
    // Without the lint the same config has no warning at all.
    let (code, err) = check(&dir, &["--no-lint", "--strict"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("matches inside"), "{err}");
    let (code, err) = check(&dir, &["--words", "no-such-file.txt"]);
    assert_eq!(code, Some(2), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_pack_is_lint_clean() {
    let o = moderate(&["check"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("matches inside"), "the shipped pack has Scunthorpe warnings:\n{err}");
}
