//! The evasion families of docs/breadth.md, edit by edit: which changes to a term the fuzzy pass
//! (src/matcher/fuzzy.rs) treats as a disguise and which as a different word. The first tests use
//! invented terms, so they pin the edit rules themselves; the last runs the shipped pack over the
//! project's own fixture (tests/fixtures/breadth/evasion-families.jsonl, written for the project).

mod common;

use common::pack_verdicts as verdicts;
use moderate::matcher::fuzzy::Fuzzy;
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

/// A fuzzy matcher over one invented list.
fn matcher(terms: &[&str]) -> Fuzzy {
    let spec =
        ListSpec { terms: terms.iter().map(|t| t.to_string()).collect(), mode: WordMode::Word, allow: Vec::new(), fuzzy: true };
    Fuzzy::build(&[spec], &Normalizer::new(&NormalizeOptions::default()))
}

/// True when the matcher reports `word` in a sentence.
fn hit(f: &Fuzzy, word: &str) -> bool {
    let text = format!("a {word} here");
    let mut n = 0;
    f.find(&text, &[], |_, _| false, |_, _, _| n += 1);
    n > 0
}

#[test]
fn a_changed_letter_counts_only_when_evaders_make_that_change() {
    // `blorvak`: seven letters, one edit.
    let f = matcher(&["blorvak"]);
    for (word, expect) in [
        ("blorvek", true),  // a vowel for a vowel
        ("blorbak", false), // a neighbouring key (v, b): a typo, too often a real word (davos)
        ("blor4ak", true),  // a digit for a letter
        ("blorxak", true),  // an x for a letter
        ("blorfak", true),  // a voiced/voiceless pair (v, f)
        ("blorvaq", true),  // the last letter as its sound-alike (k, q)
        ("blortak", false), // any other consonant: a different word
        ("blorvmk", false), // a consonant for a vowel
        ("blorvat", false), // the last letter changed
    ] {
        assert_eq!(hit(&f, word), expect, "{word}");
    }
}

#[test]
fn a_dropped_consonant_costs_two_edits() {
    // `snarfwidget`: eleven letters, two edits.
    let f = matcher(&["snarfwidget"]);
    assert!(hit(&f, "snrfwidgt"), "two vowels dropped");
    assert!(hit(&f, "snarfwiget"), "one consonant dropped");
    assert!(!hit(&f, "snarfwigt"), "a consonant and a vowel");
    assert!(!hit(&f, "snarwiget"), "two consonants");
}

#[test]
fn a_short_word_takes_only_a_look_alike_or_a_dropped_vowel() {
    let f = matcher(&["gorbs", "zung"]);
    assert!(hit(&f, "grbs"), "a dropped vowel");
    assert!(!hit(&f, "gobs"), "a dropped consonant");
    assert!(hit(&f, "zunq"), "q drawn for g");
    assert!(!hit(&f, "zunk"), "a sound-alike is a different short word");
    assert!(hit(&f, "zvng"), "v drawn for u");
    assert!(!hit(&f, "zang"), "a vowel changed");
    assert!(hit(&f, "zuxng"), "a letter slipped into a four-letter term");
}

#[test]
fn two_english_words_run_together_are_not_a_misspelling() {
    // `hallbred` is one vowel from `hellbred`, which is `hell` + `bred`: a coinage.
    let f = matcher(&["hallbred"]);
    assert!(!hit(&f, "hellbred"));
    assert!(hit(&f, "hxllbred"), "the same edit in a word that is not two English words");
    // Parts under four letters do not make a compound (`moo` + `slim` reads as a spelling).
    let g = matcher(&["mooslom"]);
    assert!(hit(&g, "mooslim"));
}

#[test]
fn long_multi_word_terms_are_compared_run_together() {
    let f = matcher(&["grobble snorfer", "ab cdef"]);
    assert!(hit(&f, "grobblsnorfer"), "run together, a vowel dropped");
    assert!(!hit(&f, "abcdf"), "short multi-word terms are not");
}

#[test]
fn the_pack_judges_the_family_fixture_as_labeled() {
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/breadth/evasion-families.jsonl"))
        .expect("fixture");
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert!(rows.len() >= 10, "the fixture has its rows");
    let bodies: Vec<&str> = rows.iter().map(|r| r["body"].as_str().expect("body")).collect();
    for (row, verdict) in rows.iter().zip(verdicts(&bodies)) {
        let denied = verdict != "allow";
        assert_eq!(denied, row["expect"] == "deny", "{} ({}): {verdict}", row["body"], row["family"]);
    }
}
