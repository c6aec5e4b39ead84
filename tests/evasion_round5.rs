//! The fifth round of evasion mechanisms (issue 17, docs/breadth.md "seventh session"). In the
//! fuzzy pass's comparison of a word with a term (src/matcher/fuzzy.rs,
//! src/matcher/fuzzy/edits.rs): `ck` read as `k` (for the term's doubled consonant, or with a
//! breathed `h`), two vowels traded places, a short term with letters doubled, `w`/`j` drawn for
//! `u`/`i`, and a list's long terms only (`fuzzy_min_letters`). In the masked words
//! (src/matcher/fuzzy/masked.rs): a digit or a run of `x` hiding letters. In the normalizer: the
//! dagger drawn for `t`. In the generated inflections: the plural `-ys`. In the run-together
//! splitter: a second-person reflexive with two letters swapped (`kil` + `yourslef`). Invented terms pin each
//! rule and its guard; the pack checks the wiring on invented sentences, with the innocent words
//! the first versions denied beside them.

mod common;

use common::pack_verdicts as verdicts;
use moderate::matcher::fuzzy::Fuzzy;
use moderate::matcher::wordlist::{ListSpec, WordMode};
use moderate::normalize::{NormalizeOptions, Normalizer};

/// A fuzzy matcher over one invented list.
fn matcher(terms: &[&str]) -> Fuzzy {
    let spec = ListSpec {
        terms: terms.iter().map(|t| t.to_string()).collect(),
        mode: WordMode::Word,
        allow: Vec::new(),
        fuzzy: true,
    };
    Fuzzy::build(&[spec], &Normalizer::new(&NormalizeOptions::default()))
}

/// A fuzzy matcher over one invented list that reads only terms of `min` letters or more.
fn matcher_from(terms: &[&str], min: usize) -> Fuzzy {
    let spec = ListSpec {
        terms: terms.iter().map(|t| t.to_string()).collect(),
        mode: WordMode::Word,
        allow: Vec::new(),
        fuzzy: true,
    };
    Fuzzy::build_full(&[spec], &Normalizer::new(&NormalizeOptions::default()), &[], &[min])
}

/// True when the matcher reports something in `text` (normalized first).
fn hits(f: &Fuzzy, text: &str) -> bool {
    let t = Normalizer::new(&NormalizeOptions::default()).normalize(text).text;
    let mut any = false;
    f.find(&t, &[], |_, _| false, |_, _, _| any = true);
    any
}

#[test]
fn ck_written_for_a_doubled_consonant_of_a_long_term() {
    let f = matcher(&["vaggor"]);
    for word in ["vackkor", "vackor", "a vackkors post"] {
        assert!(hits(&f, word), "{word}");
    }
    // Without a doubled consonant in the term, `ck` is only `ck`: `vackor` is another word.
    let single = matcher(&["vagor"]);
    assert!(!hits(&single, "vackor"));
    // Nor for a short term.
    assert!(!hits(&matcher(&["vagg"]), "vackk"));
}

#[test]
fn a_terms_ck_written_k_with_a_breathed_h() {
    let f = matcher(&["zock"]);
    for word in ["zohk", "zohka", "zohking"] {
        assert!(hits(&f, word), "{word}");
    }
    // An `h` after a consonant makes a digraph: another word.
    for word in ["zhok", "zhoka", "zok", "zoka", "zrok"] {
        assert!(!hits(&f, word), "{word}");
    }
}

#[test]
fn two_vowels_trade_places() {
    let f = matcher(&["zinnep"]);
    assert!(hits(&f, "zennip"));
    assert!(hits(&f, "zenip"));
    // Two vowels changed without trading places, or neighbours of a consonant: not the term.
    for word in ["zannup", "zonnap", "zinnepo"] {
        assert!(!hits(&f, word), "{word}");
    }
}

#[test]
fn a_short_term_with_its_letters_doubled_is_the_whole_word_only() {
    let f = matcher(&["zuke", "zooke"]);
    assert!(hits(&f, "zuukke"));
    assert!(hits(&f, "zukkee"));
    // A word with fewer letters than the term (`zoke` is `zooke` with a double written once)
    // is a different word; so is a stem of an inflected word.
    assert!(!hits(&f, "zoke"));
    assert!(!hits(&matcher(&["twaz"]), "twaazer"));
}

#[test]
fn w_and_j_are_drawn_for_u_and_i() {
    let f = matcher(&["zuerk", "zinnog"]);
    assert!(hits(&f, "zwerk"));
    assert!(hits(&f, "zjnnog"));
    // Not another letter.
    assert!(!hits(&f, "zpnnog"));
    assert!(!hits(&f, "zberk"));
}

#[test]
fn a_digit_or_a_run_of_x_between_consonants_hides_letters() {
    let f = matcher(&["blorvak", "zunk"]);
    // (`7` is a leet digit, read `t` by the normalizer; `6`, `8`, `9`, `2` are not.)
    for word in ["z6nk", "z9nk", "blxxvak", "b2orvak"] {
        assert!(hits(&f, word), "{word}");
    }
    // Two digits, a digit at an edge, an `x` beside a vowel (how `x` is said: `doxxing`), or a
    // count that does not fit: not the term.
    for word in ["z66nk", "9unk", "zun9", "bloxxak", "blxvak", "blxxxxvak"] {
        assert!(!hits(&f, word), "{word}");
    }
}

#[test]
fn fuzzy_min_letters_keeps_short_terms_out_of_the_pass() {
    let f = matcher_from(&["zorbulating", "zorp"], 9);
    assert!(hits(&f, "zorrbulatting"));
    assert!(hits(&f, "zorbulatng"));
    // `zorp` is too short to be read fuzzily: only its own spelling (the automaton's) counts.
    assert!(!hits(&f, "zoorpp"));
    assert!(hits(&matcher_from(&["zorp"], 0), "zoorpp"));
}

#[test]
fn a_run_together_threat_with_a_swapped_reflexive_blocks() {
    // src/matcher/compounds.rs: `kil` + `urslef` is scanned as `kil urself`.
    let texts = ["ok. kilurslef now", "kilyuorself", "hangyourslef", "do it yourslef, please"];
    let got = verdicts(&texts);
    assert_eq!(got[..3], ["block", "block", "block"], "{texts:?}");
    // Alone, a typo of a reflexive is a typo.
    assert_eq!(got[3], "allow");
}

#[test]
fn the_pack_reads_the_new_spellings_and_allows_their_neighbours() {
    let deny = [
        "a fuhking joke",
        "shut up you fuhker",
        "NJGGERS everywhere",
        "go away, kikkes",
        "what the f9ck",
        // A digit is the comment's only mask: the masked-word pass's pre-check must see it.
        "this f8cking weather",
        "look at her †itties",
        "nice tittys bro",
        "total bxtches",
    ];
    let allow = [
        "3 glocks and a rifle",
        "the dbacks won game 1",
        "bn chuka uske upar",
        "is twiiter banned today",
        "the coch was late",
        "doges and dogs",
        "he got doxxing threats",
        "the mixxed drinks",
        "covid19 and mp3s",
        "† died 1901",
    ];
    for (text, v) in deny.iter().zip(verdicts(&deny)) {
        assert_ne!(v, "allow", "{text}");
    }
    for (text, v) in allow.iter().zip(verdicts(&allow)) {
        assert_eq!(v, "allow", "{text}");
    }
}
