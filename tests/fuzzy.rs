//! The bounded fuzzy whole-word matcher (src/matcher/fuzzy.rs): near spellings of a term that
//! no generated variant foresaw count as the term, within an edit budget that grows with the
//! term's length, and never an English word, a name in a sentence, a handle or an allowlisted
//! word. Terms and spellings here are invented for the test (no probe or dataset rows).

mod common;

use common::pack_verdicts as verdicts;
use moderate::matcher::fuzzy::{skip_original, Fuzzy};
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

/// A fuzzy matcher over one invented list.
fn matcher(terms: &[&str], allow: &[&str]) -> Fuzzy {
    let spec = ListSpec {
        terms: terms.iter().map(|t| t.to_string()).collect(),
        mode: WordMode::Word,
        fuzzy: true,
        allow: allow.iter().map(|t| t.to_string()).collect(),
    };
    Fuzzy::build(&[spec], &Normalizer::new(&NormalizeOptions::default()))
}

/// The words of `text` the matcher reports.
fn found(f: &Fuzzy, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    f.find(text, &[], |_, _| false, |_, s, e| out.push(text[s..e].to_string()));
    out
}

#[test]
fn edit_budget_grows_with_the_term_length() {
    // 4 letters: only a letter slipped inside; 5-7: one edit; 8+: two; doubles written once.
    let f = matcher(&["zunk", "snorg", "grobble", "snarfwidget"], &[]);
    for (word, hit) in [
        ("zuvnk", true),        // slipped in
        ("zunnk", true),        // a double: the same key `zunk` (round 5: a short term doubled)
        ("zonk", false),        // changed letter of a 4-letter term
        ("snxorg", true),       // inserted
        ("snrg", true),         // a dropped vowel
        ("snr", false),         // under four letters
        ("snrog", true),        // swapped
        ("sn8rg", true),        // a digit for a letter
        ("snxrxg", false),      // two edits on a five-letter term
        ("grobxle", true),      // one change on seven letters (`groble` once doubles go)
        ("grxbxle", false),     // two
        ("snrfwidgt", true),    // two dropped on eleven letters
        ("snrfwdgt", false),    // three
        ("xnorg", false),       // the first letter is kept by evasions
        ("snorx", false),       // and the last
        ("snoxrging", true),    // an inflected word, compared by its stem
        ("snxorg123", true),    // a handle's trailing digits
    ] {
        assert_eq!(!found(&f, &format!("a {word} here")).is_empty(), hit, "{word}");
    }
}

#[test]
fn english_words_allowlisted_words_and_explained_words_are_never_bent() {
    // `harbor` is one letter from the invented term `harbr`, but it is English.
    let f = matcher(&["harbr", "snorg"], &["snorgg", "snoorg"]);
    assert_eq!(found(&f, "the harbor and the harbxr"), vec!["harbxr"]);
    // Informal English: an apostrophe or a final g left out is still the word.
    let g = matcher(&["thatx", "goinx"], &[]);
    assert!(found(&g, "thats it, im goin").is_empty());
    assert!(found(&f, "snoorg").is_empty(), "allowlisted");
    // A word the automaton already explained is not looked at again.
    let mut out = Vec::new();
    f.find("a snxorg", &[(2, 8)], |_, _| false, |_, s, e| out.push((s, e)));
    assert!(out.is_empty());
    // Masked or glued words are not whole words here.
    assert!(found(&f, "sn*xorg x_snxorg").is_empty());
}

#[test]
fn handles_hashtags_and_names_in_a_sentence_are_skipped() {
    assert!(skip_original("hi @snxorg", 4..10));
    assert!(skip_original("so #snxorg", 4..10));
    assert!(skip_original("I met Snxorg today", 6..12));
    assert!(!skip_original("Snxorg is here", 0..6), "start of a sentence");
    assert!(!skip_original("you are a SNXORG", 10..16), "shouting is not a name");
    assert!(!skip_original("what a snxorg", 7..13));
}

#[test]
fn time_is_linear_on_a_hostile_body() {
    // 50,000 non-English near spellings: each is one bounded comparison; every one is found.
    let f = matcher(&["snorg", "grobble", "snarfwidget"], &[]);
    let body = "snxorg grobxle ".repeat(25_000);
    let mut n = 0;
    f.find(&body, &[], |_, _| false, |_, _, _| n += 1);
    assert_eq!(n, 50_000);
    // Long words are skipped whole, not compared letter by letter.
    let long = "s".repeat(1_000_000) + "norg";
    assert!(found(&f, &long).is_empty());
}

#[test]
fn the_pack_denies_near_spellings_it_has_no_variant_for() {
    let bad = ["what a bitqch", "you shiqt", "motherfuxcker", "faggxot", "twaqt", "a sluqt", "fuqcking hell"];
    for (b, v) in bad.iter().zip(verdicts(&bad)) {
        assert_ne!(v, "allow", "{b:?}");
    }
}

#[test]
fn the_pack_keeps_innocent_near_words_allowed() {
    let good = [
        "I met Bitqch today",     // a surname mid-sentence
        "hi @shiqt, welcome",     // a handle
        "please assess the damage",
        "we went to Niger and then Nigeria",
        "a Maine coon cat",
        "glibly said, dont go, thats it",
        "the Snickers bar",
        "shitake mushrooms and a cocktail",
    ];
    for (b, v) in good.iter().zip(verdicts(&good)) {
        assert_eq!(v, "allow", "{b:?}");
    }
}
