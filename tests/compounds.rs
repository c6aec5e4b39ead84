//! Run-together words (src/matcher/compounds.rs): a token that is no English word but splits
//! into known words is scanned again with spaces; a term counts when two terms are run
//! together or a pronoun/particle sits next to it, and a pattern counts whatever the split.
//! Terms and tokens here are invented for the test (no probe or dataset rows).

mod common;

use common::pack_verdicts as verdicts;
use moderate::matcher::compounds::{Compounds, Split};
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

/// A splitter over one invented list.
fn splitter(terms: &[&str]) -> Compounds {
    let spec = ListSpec {
        terms: terms.iter().map(|t| t.to_string()).collect(),
        mode: WordMode::Word,
        fuzzy: true,
        allow: Vec::new(),
    };
    Compounds::build(&[spec], &Normalizer::new(&NormalizeOptions::default()))
}

/// `(spaced, how)` for every token of `text` the splitter reports.
fn splits(c: &Compounds, text: &str) -> Vec<(String, Split)> {
    let mut out = Vec::new();
    c.find(text, &[], |_, _| false, |_, _, spaced, how| out.push((spaced.to_string(), how)));
    out
}

#[test]
fn terms_run_together_or_glued_to_a_pronoun_count_as_terms() {
    let c = splitter(&["zork", "blig"]);
    assert_eq!(splits(&c, "a zorkblig here"), vec![("zork blig".to_string(), Split::Terms)]);
    assert_eq!(splits(&c, "myzork"), vec![("my zork".to_string(), Split::Terms)]);
    assert_eq!(splits(&c, "uptheblig"), vec![("up the blig".to_string(), Split::Terms)]);
    assert_eq!(splits(&c, "zorkyou"), vec![("zork you".to_string(), Split::Terms)]);
    // `ur` after a term is no object: a phrase with a two-letter word is no split at all.
    assert!(splits(&c, "zorkur").is_empty());
}

#[test]
fn a_term_next_to_an_ordinary_word_is_only_a_phrase() {
    let c = splitter(&["zork"]);
    // English makes compounds this way; only a pattern may read them.
    assert_eq!(splits(&c, "zorkcheese"), vec![("zork cheese".to_string(), Split::Phrase)]);
    assert_eq!(splits(&c, "sparrowzork"), vec![("sparrow zork".to_string(), Split::Phrase)]);
    // A closed compound modifier before a term does (`cheese` of compound-modifiers.txt).
    assert_eq!(splits(&c, "cheesezork"), vec![("cheese zork".to_string(), Split::Terms)]);
    // A two-letter word outside a split that counts as terms is no split at all.
    assert!(splits(&c, "myzorkcheese").is_empty());
}

#[test]
fn english_words_fragments_and_bounds_are_left_alone() {
    let c = splitter(&["zork"]);
    // English words, names and places are never split.
    assert!(splits(&c, "cheese sparrow tomorrow").is_empty());
    // One-letter and two-letter fragments are no parts (`zork` + `q`, `zork` + `mo`).
    assert!(splits(&c, "zorkq zorkmo").is_empty());
    // Too short, too long, glued to a mask.
    assert!(splits(&c, "zor").is_empty());
    assert!(splits(&c, &"zorkcheese".repeat(4)).is_empty());
    assert!(splits(&c, "zork*cheese").is_empty());
    // More than five parts is a sentence that lost its spaces, not a compound.
    assert!(splits(&c, "myzorkmyzorkmyzorkmy").is_empty());
}

#[test]
fn the_fewest_parts_win_then_the_most_terms() {
    let c = splitter(&["zork", "blig"]);
    // `your` + `blig`, not `you` + `rblig` (no part) or a longer split.
    assert_eq!(splits(&c, "yourblig"), vec![("your blig".to_string(), Split::Terms)]);
}

#[test]
fn the_pack_reads_run_together_abuse_and_leaves_compounds_alone() {
    let v = verdicts(&[
        // phrases run together meet the patterns of the spaced phrase
        "hangyourself",
        "hopeyoualldie",
        // pronoun + strong term, two strong terms
        "upyourarse",
        "cuntshit",
        // innocent: a term glued to an ordinary word, and ordinary run-together words
        "tithouse",
        "thankyouall",
        "scumbarrel",
    ]);
    assert_eq!(v[0], "block", "hangyourself");
    assert_eq!(v[1], "block", "hopeyoualldie");
    assert_ne!(v[2], "allow", "upyourarse");
    assert_ne!(v[3], "allow", "cuntshit");
    assert_eq!(v[4], "allow", "tithouse");
    assert_eq!(v[5], "allow", "thankyouall");
    assert_eq!(v[6], "allow", "scumbarrel");
}
