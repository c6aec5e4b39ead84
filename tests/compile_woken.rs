//! First-use compiles of the patterns one text wakes run on two threads (issue 16, start-up):
//! a fresh rule set scanned once, with every pattern woken at once and none compiled yet,
//! must find exactly what each pattern alone finds, on ASCII and non-ASCII text, and again
//! when the same rules are scanned from several threads at the same time.

mod common;

use common::{gated_rules, scanned};
use moderate::matcher::regex::RegexRules;
use regex::Regex;

/// Patterns that all need the same word, so one text wakes all of them at once.
const PATTERNS: &[&str] = &[
    r"\bgrumble\b",
    r"\bgrumble (?:loudly|softly)\b",
    r"\b(?:big|small) grumble\b",
    r"grumble\w*",
    r"\bgrumble[.!?]",
    r"(?:^|\s)grumble(?:\s|$)",
    r"\bgrumble \w+ \w+",
    r"\w+ grumble",
];

fn fresh() -> RegexRules {
    gated_rules(PATTERNS)
}

fn want(h: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for (i, p) in PATTERNS.iter().enumerate() {
        for m in Regex::new(p).expect("valid").find_iter(h) {
            if m.start() < m.end() {
                out.push((i, m.range()));
            }
        }
    }
    out
}

const TEXTS: &[&str] = &[
    "a big grumble loudly here and grumble! then grumbles at the end grumble",
    "une grumble énorme, grumble softly, café grumble.",
];

#[test]
fn a_fresh_set_scanned_once_finds_what_each_pattern_finds() {
    for h in TEXTS {
        let w = want(h);
        assert!(w.len() >= PATTERNS.len(), "the text wakes and hits every pattern: {w:?}");
        assert_eq!(scanned(&fresh(), h), w, "{h}");
    }
}

#[test]
fn threads_sharing_a_fresh_set_find_the_same() {
    for h in TEXTS {
        let rules = fresh();
        let w = want(h);
        let all: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4).map(|_| s.spawn(|| scanned(&rules, h))).collect();
            hs.into_iter().map(|t| t.join().expect("no panic")).collect()
        });
        for g in all {
            assert_eq!(g, w, "{h}");
        }
    }
}
