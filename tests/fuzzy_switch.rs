//! `fuzzy = false` on a wordlist rule: the fuzzy pass leaves its terms alone, generated
//! variants still apply (the pack sets it on lists whose near spellings are ordinary words).

mod common;

use common::{moderate_in, stderr, stdout};

fn verdict(fuzzy: &str, body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("words.txt"), "blorvak\n").unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "extends = \"none\"\n[[rule]]\nid = \"x.word\"\ncategory = \"profanity\"\nscore = 1.0\nwordlist = \"words.txt\"\n{fuzzy}\n"
        ),
    )
    .unwrap();
    let o = moderate_in(dir.path(), &["run", "-"], &format!("{{\"id\":\"1\",\"body\":\"{body}\"}}\n"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn a_near_spelling_hits_unless_the_rule_turns_the_fuzzy_pass_off() {
    // `blorfak`: a voiceless partner for a voiced consonant (v, f), one edit from a seven-letter
    // term that only the fuzzy pass reads (vowel swaps of long terms are generated variants).
    assert!(verdict("", "what a blorfak").contains("\"x.word\""));
    assert!(verdict("fuzzy = true", "what a blorfak").contains("\"x.word\""));
    assert!(!verdict("fuzzy = false", "what a blorfak").contains("\"x.word\""));
}

#[test]
fn generated_variants_still_apply_without_the_fuzzy_pass() {
    assert!(verdict("fuzzy = false", "what a bl0rvak").contains("\"x.word\""));
    assert!(verdict("fuzzy = false", "what a b.l.o.r.v.a.k").contains("\"x.word\""));
}
