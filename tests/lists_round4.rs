//! Sixth-session list and compound work (docs/breadth.md, "2026-12-02, sixth session"): stems
//! that stand for a term before a closed head, the pronoun `i` at the start of a run-together
//! token, heads and modifiers only at the end of a token, codes written with digits kept out of
//! splits, and the list entries and patterns of that session. Every sentence here is invented
//! for the test (no probe or dataset row); innocent ones sit beside each family.

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
fn a_stem_before_a_closed_head_reads_as_its_term() {
    let c = splitter(&["zork"]);
    // `butt` stands for `ass` before `wipe` (compound-stems.txt, compound-heads.txt).
    assert_eq!(splits(&c, "buttwipe"), vec![("ass wipe".to_string(), Split::Terms)]);
    // ... and after a closed modifier or a particle at the end of the token.
    assert_eq!(splits(&c, "bigknob"), vec![("big dick".to_string(), Split::Terms)]);
    // Before an ordinary word it is the ordinary word: a phrase, no term.
    assert_eq!(splits(&c, "buttcheese"), vec![("butt cheese".to_string(), Split::Phrase)]);
}

#[test]
fn the_pronoun_i_is_a_part_only_at_the_start() {
    let c = splitter(&["zork"]);
    assert_eq!(splits(&c, "ihatezork"), vec![("i hate zork".to_string(), Split::Phrase)]);
    // Inside a token a single letter is still no part.
    assert!(splits(&c, "zorkihate").is_empty());
}

#[test]
fn a_modifier_or_head_counts_only_where_the_token_ends() {
    let c = splitter(&["zork"]);
    // `cheese` is a closed modifier (compound-modifiers.txt): before a final term it glues ...
    assert_eq!(splits(&c, "cheesezork"), vec![("cheese zork".to_string(), Split::Terms)]);
    // ... but a term in the middle of prefixes and roots is not a compound of it.
    assert_eq!(splits(&c, "cheesezorkcheese"), vec![("cheese zork cheese".to_string(), Split::Phrase)]);
}

#[test]
fn a_term_written_with_digits_is_a_code_not_a_part() {
    // `z4rk` normalizes to `zark`: it may match as itself, but it splits nothing.
    let c = splitter(&["z4rk"]);
    assert!(splits(&c, "myzark").is_empty());
    let c = splitter(&["zark"]);
    assert_eq!(splits(&c, "myzark"), vec![("my zark".to_string(), Split::Terms)]);
}

#[test]
fn the_pack_denies_the_new_families() {
    let deny = [
        "what a buttwipe that guy is",
        "such a bigknob move",
        "iwillkillyou tomorrow",
        "the kaffir next door",
        "the usual junglenigger talk",
        "look at this _|_",
        "that penchod again",
        "cyberfuc all day",
        "motherfers everywhere",
        "a real rompicazzo",
        "f your mother",
        "blah \u{5350} blah",
        "a kiddie-fiddling creep",
    ];
    let v = verdicts(&deny);
    for (body, verdict) in deny.iter().zip(&v) {
        assert_ne!(verdict, "allow", "{body:?} should be denied");
    }
    assert_eq!(v[2], "block", "a run-together threat blocks like the spaced one");
}

#[test]
fn the_innocent_neighbours_stay_allowed() {
    let allow = [
        "add kaffir lime leaves to the curry",
        "a kaffir lily in the garden",
        "he sniggered at the joke",
        "lunch at the beanery on main street",
        "Fuchs dystrophy is an eye disease",
        "the NICS background check came back clean",
        "sew a buttonhole",
        "fossils of microconodon",
        "formylal",
        "the cuckolded husband in the play",
        "the __init__ method",
        "the jizya was a tax",
        "the Fuxing trains are fast",
        "an iphone",
        "SS Normandie sailed in 1935",
    ];
    let v = verdicts(&allow);
    for (body, verdict) in allow.iter().zip(&v) {
        assert_eq!(verdict, "allow", "{body:?} should be allowed");
    }
}
