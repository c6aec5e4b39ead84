//! The third round of evasion mechanisms (issue 17, docs/breadth.md "fifth session"): symbols
//! standing for letters at a word's edge and mixed inside it (src/normalize/words.rs), the
//! Cyrillic palochka (src/normalize/fold.rs), words split into pieces and long terms cut short
//! (src/matcher/fuzzy.rs), `uck` said `awk`/`ok` (src/matcher/variants.rs). Invented terms pin
//! the rules; a few spellings of the shipped pack's words check the wiring, with innocent text
//! beside each one that must stay allowed.

mod common;

use std::collections::HashSet;

use common::pack_verdicts as verdicts;
use moderate::matcher::fuzzy::Fuzzy;
use moderate::matcher::variants::{anchored_variants, term_variants};
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

fn norm(body: &str) -> String {
    Normalizer::new(&NormalizeOptions::default()).normalize(body).text
}

/// A fuzzy matcher over one invented list.
fn matcher(terms: &[&str]) -> Fuzzy {
    let spec =
        ListSpec { terms: terms.iter().map(|t| t.to_string()).collect(), mode: WordMode::Word, allow: Vec::new(), fuzzy: true };
    Fuzzy::build(&[spec], &Normalizer::new(&NormalizeOptions::default()))
}

/// The normalized spans the matcher reports in `text`.
fn spans(f: &Fuzzy, text: &str) -> Vec<String> {
    let text = norm(text);
    let mut out = Vec::new();
    f.find(&text, &[], |_, _| false, |_, s, e| out.push(text[s..e].to_string()));
    out
}

#[test]
fn a_plus_or_a_less_than_at_a_word_edge_draws_a_letter() {
    assert_eq!(norm("twa+"), "twat");
    assert_eq!(norm("cr4p sl!+"), "crap slit");
    assert_eq!(norm("du< k"), "duc k");
    // Not a word's letter: too short, doubled, a grade, a heart, a comparison.
    assert_eq!(norm("C++ and A+"), "c++ and a+");
    assert_eq!(norm("I <3 you"), "i <3 you");
    assert_eq!(norm("x < y"), "x < y");
    assert_eq!(norm("b+"), "b+");
}

#[test]
fn an_ampersand_inside_a_masked_word_is_a_mask() {
    assert_eq!(norm("d*&k"), "d**k");
    assert_eq!(norm("pr!&k"), "pri*k");
    // Between words and initials it stays an ampersand.
    for text in ["q&a", "r&b", "at&t", "pr&ck", "rock&roll", "salt & pepper", "b&b", "ben&jerry"] {
        assert_eq!(norm(text), text);
    }
}

#[test]
fn the_cyrillic_palochka_reads_as_l() {
    assert_eq!(norm("bu\u{4CF}\u{4CF}y"), "bully");
    assert_eq!(norm("\u{4C0}ove"), "love");
}

#[test]
fn a_word_split_into_pieces_reads_as_the_term() {
    let f = matcher(&["blorvak", "snit"]);
    for text in ["a blo rvak here", "blorv ak", "b lorvak", "blor vak", "b lor vak", "blo.rvak", "blor vakers"] {
        assert_eq!(spans(&f, text).len(), 1, "{text}");
    }
    assert_eq!(spans(&f, "oh blo rvak!"), vec!["blo rvak"], "the span covers the pieces");
}

#[test]
fn words_and_letters_do_not_join_into_a_term() {
    // `pen` + `is` would be `penis`; `s` + `nit` is the `it's` of "it' s nit" split.
    let f = matcher(&["penis", "snit", "blorvak"]);
    for text in [
        "the pen is mightier",
        "it s nit picking",
        "I b lorvak",    // a letter after a one-letter word: typos
        "blor-vak",      // a hyphen joins compounds, not pieces
        "blor vak2",     // a handle
        "blor\u{e9} vak", // another script glued on
    ] {
        assert_eq!(spans(&f, text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn a_run_that_starts_with_a_or_i_is_a_phrase() {
    let f = matcher(&["iblorvak", "ablorvak"]);
    assert!(spans(&f, "i blorvak").is_empty());
    assert!(spans(&f, "a blorvak").is_empty());
}

#[test]
fn long_terms_cut_short_are_whole_words_that_are_not_english() {
    // `grobblesnorf`: twelve letters; a prefix of eight to eleven reads as the term.
    let f = matcher(&["grobblesnorf"]);
    for cut in ["grobbles", "grobblesno", "grobblesnor"] {
        assert_eq!(spans(&f, cut).len(), 1, "{cut}");
    }
    assert!(spans(&f, "grobble").is_empty(), "eight letters at least");
    let long = matcher(&["grobblesnorfer"]);
    assert!(spans(&long, "grobbles").is_empty(), "four letters off at most");
    assert_eq!(spans(&long, "grobblesno").len(), 1);
    // A ten-letter term is not cut; nor is a prefix that is an English word.
    let g = matcher(&["zorbaxquel", "chickenzorb"]);
    assert!(spans(&g, "zorbaxqu").is_empty());
    assert!(spans(&g, "chickens").is_empty());
    assert_eq!(spans(&g, "chickenz").len(), 1);
}

#[test]
fn uck_said_awk_or_ok_only_as_a_whole_word() {
    let allow = HashSet::new();
    let mut out = Vec::new();
    term_variants("zuck", true, &allow, &mut out);
    assert!(out.iter().any(|(v, _)| v == "zawk") && out.iter().any(|(v, _)| v == "zok"));
    let mut starred = Vec::new();
    term_variants("zuck", false, &allow, &mut starred);
    assert!(!starred.iter().any(|(v, _)| v == "zawk"), "a starred term's inside spellings");
    let mut anchored = Vec::new();
    anchored_variants("zuck", &allow, &mut anchored);
    assert!(anchored.contains(&"zawk".to_string()) && anchored.contains(&"zawking".to_string()));
}

#[test]
fn the_pack_denies_the_new_spellings_and_allows_their_neighbours() {
    let deny = ["tw ats everywhere", "what a bitc h", "tw4+", "you pr*&k", "motherfuc", "fawking hell"];
    let allow = [
        "the pen is mightier than the sword",
        "it s hit or miss",
        "I got an A+ in C++",
        "I <3 AT&T and Q&A sessions",
        "Guy Fawkes night",
        "a Fokker aircraft",
        "as sign of the times",
        "the cocker spaniel",
    ];
    for (text, v) in deny.iter().zip(verdicts(&deny)) {
        assert_ne!(v, "allow", "{text}");
    }
    for (text, v) in allow.iter().zip(verdicts(&allow)) {
        assert_eq!(v, "allow", "{text}");
    }
}
