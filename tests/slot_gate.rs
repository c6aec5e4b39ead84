//! The regex gate checks every required part of a pattern (issue 16): a pattern with a `{list}`
//! slot runs only where its other literals *and* one of the slot's terms occurred (at the word
//! boundaries the pattern needs), and what it finds is exactly what the pattern alone finds.

mod common;

use common::{gated_rules, scanned};
use moderate::matcher::profile::RuleProfile;
use moderate::matcher::regex::RegexRules;
use proptest::prelude::*;
use regex::Regex;
use std::sync::OnceLock;

/// Patterns shaped like the pack's: a target, filler, a list slot, an end.
const PATTERNS: &[&str] = &[
    r"\b(?:you|u) (?:[a-z-]+ ){0,3}?(?:idiot|idiots|moron|morons|fool)\s*(?:[.!?,;]|$)",
    r"\b(?:you|u|ur)(?: are| r)?(?: (?:such|a|an|stupid|dumb),?)* (?:idiot|idiots|moron|clown)\b",
    r"\b(?:stupid|dumb),? (?:\w+ )?(?:idiot|moron|clown)\b",
    r"\byour (?:a|an) (?:\w+ ){0,2}?(?:idiot|moron)\b",
    r",\s*(?:you )?(?:idiot|fool)\s*(?:[.!?]|$)",
    r"\bkill (?:yourself|urself)\b",
    r"\b(?:he|she) (?:is|was) (?:a |an )?(?:liar|fraud)(?:$|[^'\w]|'(?:$|[^s]))",
    r"\w+ (?:idiot|fool)s?(?:x|y)",
    // Slots next to punctuation: the gate's literals are cut to the words, with boundaries.
    r"\b(?:you|u),(?:idiot|moron)\b",
    r"\byou (?:stupid|dumb) (?:idiot|moron)!",
    r"'(?:idiot|fool)'s\b",
];

/// The gated rules, built once (the property tests call this for every case).
fn rules() -> &'static RegexRules {
    static RULES: OnceLock<RegexRules> = OnceLock::new();
    RULES.get_or_init(|| gated_rules(PATTERNS))
}

/// Each pattern compiled alone, once.
fn alone() -> &'static [Regex] {
    static ALONE: OnceLock<Vec<Regex>> = OnceLock::new();
    ALONE.get_or_init(|| PATTERNS.iter().map(|p| Regex::new(p).unwrap()).collect())
}

/// Every non-empty match of every pattern, pattern by pattern: what the gate must reproduce.
fn want(h: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for (i, re) in alone().iter().enumerate() {
        for m in re.find_iter(h) {
            if m.start() < m.end() {
                out.push((i, m.range()));
            }
        }
    }
    out
}

/// How many times each pattern ran on `h`.
fn runs(rules: &RegexRules, h: &str) -> Vec<u64> {
    let profile = RuleProfile::new(PATTERNS.len());
    let mut cand = Vec::new();
    rules.scan_profiled(h, &mut cand, Some(&profile), |_, _| {});
    (0..PATTERNS.len()).map(|i| profile.runs_of(i)).collect()
}

#[test]
fn a_slot_pattern_runs_only_when_its_target_and_a_list_term_both_occur() {
    let rules = rules();
    // `you` alone (a third of all comments) or an insult alone does not run pattern 0 or 1.
    for h in ["you are right about that.", "what an idiot.", "you know, the idiotic plan", "youth idiot."] {
        let r = runs(rules, h);
        assert_eq!((r[0], r[1]), (0, 0), "{h:?}: {r:?}");
    }
    // Both present: they run (and find what they find).
    let r = runs(rules, "you are such an idiot.");
    assert_eq!((r[0], r[1]), (1, 1), "{r:?}");
    assert_eq!(
        scanned(rules, "you are such an idiot."),
        vec![(0, 0..22), (1, 0..21)],
        "the spans of the two patterns"
    );
    // The two-slot pattern needs both of its lists.
    assert_eq!(runs(rules, "so stupid, and that clown")[2], 1, "both words: it runs (and finds nothing)");
    assert!(scanned(rules, "so stupid, and that clown").iter().all(|(p, _)| *p != 2));
    assert_eq!(runs(rules, "so stupid, and that plan")[2], 0);
    assert_eq!(runs(rules, "the clown, and that plan")[2], 0);
    assert_eq!(scanned(rules, "so stupid, that clown"), vec![(2, 3..21)]);
}

#[test]
fn gated_patterns_find_exactly_what_each_pattern_finds() {
    let rules = rules();
    for h in [
        "",
        "you idiot",
        "u moron!",
        "you big fat idiots.",
        "you are a b c d idiot.",
        "ur such a dumb, stupid clown",
        "your an utter idiot",
        "hey, idiot!",
        "ok ,you fool",
        "he is a liar's friend, she was a fraud",
        "kill urself kill yourself",
        "bigidiotsx the idiotx",
        "é you idiot é, yoú idiot",
        "you\u{a0}idiot.",
        "idiot you",
        "you,idiot u,moron you,idiots",
        "you stupid idiot! you dumb moron!! you dumb idiotic!",
        "'idiot's 'fool's 'idiot'sx é'fool's",
    ] {
        assert_eq!(scanned(rules, h), want(h), "{h:?}");
    }
}

/// Text made of the patterns' own words, so that partial and complete matches are common.
fn text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "you", "u", "ur", "your", "are", "r", "a", "an", "such", "stupid", "dumb", "idiot", "idiots", "moron", "clown",
        "fool", "fools", "he", "she", "is", "was", "liar", "fraud", "kill", "yourself", "urself", "x", "y", "é", "the",
        "youth", "idiotic",
    ]);
    let sep = prop::sample::select(vec![" ", " ", " ", ", ", ",", ".", "!", "'", "'s ", "  ", "\n", "", "s", "-"]);
    prop::collection::vec((words, sep), 0..14)
        .prop_map(|v| v.into_iter().map(|(w, s)| format!("{w}{s}")).collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
    #[test]
    fn the_gate_never_changes_a_match(h in text()) {
        prop_assert_eq!(scanned(rules(), &h), want(&h));
    }
}

/// Shapes of the pack's patterns with everything Unicode-dependent: `\w`, `\b`, `\s`, negated
/// classes, `.`, case folding, a non-ASCII literal.
const UNICODE_SHAPES: &[&str] = &[
    r"\byour (?:\w+ ){0,2}?(?:idiot|moron)\b",
    r"\b(?:you|u)(?: \w+){0,2}? (?:dumb|stupid)\b",
    r"(?:^|[.!?,;:(]\s*|\bjust\s)(?:kill|shoot) (?:all )?(?:\w+)\b",
    r"\byour (?:\w+) (?:ass|arse)(?:\s*[^\w\s]|\s*$| is)",
    r"(?i)\bfoo\b.*\bbar\b",
    r"\b(?:is|was)(?: such){0,4} (?:liar|fraud)(?:$|[^'\w]|'(?:$|[^s]))",
    r"\S+@\S+\.\w+",
    r"(?:é|idiot)\B\w",
    r"[^.!?\n]*$",
];

#[test]
fn the_ascii_form_prints_as_a_pattern_the_regex_crate_takes() {
    for p in UNICODE_SHAPES {
        let ascii = moderate::matcher::regex::ascii_only(&regex_syntax::parse(p).unwrap()).to_string();
        assert!(Regex::new(&ascii).is_ok(), "{p} → {ascii}");
        assert!(!ascii.contains("\\w") || ascii.contains("(?-u:"), "{ascii}");
    }
}

/// Each shape, compiled as written and in its ASCII form, once.
fn shapes() -> &'static [(&'static str, Regex, Regex)] {
    static SHAPES: OnceLock<Vec<(&'static str, Regex, Regex)>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        UNICODE_SHAPES
            .iter()
            .map(|p| {
                let ascii = moderate::matcher::regex::ascii_only(&regex_syntax::parse(p).unwrap()).to_string();
                (*p, Regex::new(p).unwrap(), Regex::new(&ascii).unwrap())
            })
            .collect()
    })
}

fn ascii_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "your", "you", "u", "idiot", "moron", "dumb", "stupid", "kill", "shoot", "all", "just", "ass", "is", "was",
        "such", "liar", "fraud", "FOO", "bar", "a@b.com", "x_y", "9", "idiotx",
    ]);
    let sep = prop::sample::select(vec![" ", " ", ", ", ".", "!", "'", "'s ", "  ", "\n", "", "(", "?", "\t", "-"]);
    prop::collection::vec((words, sep), 0..12)
        .prop_map(|v| v.into_iter().map(|(w, s)| format!("{w}{s}")).collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
    /// On ASCII text the ASCII form finds exactly the spans of the pattern.
    #[test]
    fn the_ascii_form_matches_like_the_pattern_on_ascii(h in ascii_text()) {
        for (p, full, ascii) in shapes() {
            let a: Vec<_> = full.find_iter(&h).map(|m| m.range()).collect();
            let b: Vec<_> = ascii.find_iter(&h).map(|m| m.range()).collect();
            prop_assert_eq!(a, b, "{} on {:?}", p, h);
        }
    }
}
