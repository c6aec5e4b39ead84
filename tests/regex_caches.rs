//! Each judge thread's regex search caches (`matcher::regex::Caches`): held within a byte
//! budget by dropping the least recently used, which changes how fast a search runs, never
//! what it finds; and never used with patterns other than the ones they were made for.

use moderate::matcher::regex::{Caches, RegexRules};
use std::ops::Range;

fn rules(patterns: &[&str]) -> RegexRules {
    let parts = patterns.iter().enumerate().map(|(i, p)| (i, p.to_string(), regex_syntax::parse(p).unwrap()));
    RegexRules::build(parts.collect()).expect("prefilter")
}

fn scan(rules: &RegexRules, hay: &str, caches: &mut Caches) -> Vec<(usize, Range<usize>)> {
    let (mut cand, mut out) = (Vec::new(), Vec::new());
    rules.scan_with(hay, &mut cand, caches, None, |r, m| out.push((r, m)));
    out
}

/// Comments in my own words, ASCII and not, varied enough that each pattern's lazy DFA keeps
/// meeting new states.
fn texts() -> Vec<String> {
    let words = [
        "walking", "rain", "café", "sings", "r2d2", "naïve", "talking", "the", "b4", "jumping", "über", "zone",
        "x99", "reading", "élan", "tree",
    ];
    (0..400)
        .map(|i: usize| {
            let n = 3 + i % 9;
            (0..n).map(|k| words[(i * 7 + k * 5 + k * k) % words.len()]).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

const PATTERNS: &[&str] = &[
    r"\b\w+ing\b",
    r"\b[a-z]+\d+\b",
    r"\b\w*é\w*\b",
    r"(?i)\bthe\s+\w+",
    r"\b\w{4}\b",
    r"\b(?:rain|tree|zone)\s+\w+\s+\w+",
    r"[^\s]+ü[^\s]*",
    r"\b\w+s\b",
    r"\b(?:walk|talk|read)\w*\s+\w+",
    r"\w+\s+\w+\s+\w+\s+\w+",
];

#[test]
fn a_small_budget_holds_and_finds_the_same() {
    let rules = rules(PATTERNS);
    let budget = 32 << 10;
    let mut small = Caches::with_budget(budget);
    let mut unbounded = Caches::with_budget(usize::MAX);
    let mut default = Caches::default();
    let mut evicting = 0;
    for t in texts() {
        let fresh = scan(&rules, &t, &mut Caches::default());
        assert_eq!(scan(&rules, &t, &mut small), fresh, "{t}");
        assert_eq!(scan(&rules, &t, &mut unbounded), fresh, "{t}");
        assert_eq!(scan(&rules, &t, &mut default), fresh, "{t}");
        // Over the budget only when the one cache just used is itself that big.
        assert!(small.bytes() <= budget || small.held() == 1, "{} bytes in {} caches", small.bytes(), small.held());
        if small.held() < unbounded.held() {
            evicting += 1;
        }
    }
    // The texts did push the small caches past their budget.
    assert!(unbounded.bytes() > 2 * budget, "only {} bytes without a bound", unbounded.bytes());
    assert!(evicting > 100, "the budget dropped caches on only {evicting} texts");
}

#[test]
fn caches_are_never_used_with_other_rules() {
    let (a, b) = (rules(&[r"a+"]), rules(&[r"b+"]));
    let c = a.clone();
    let mut caches = Caches::default();
    for _ in 0..3 {
        assert_eq!(scan(&a, "aaa bbb", &mut caches), vec![(0, 0..3)]);
        assert_eq!(scan(&b, "aaa bbb", &mut caches), vec![(0, 4..7)]);
        assert_eq!(scan(&c, "bbb aa", &mut caches), vec![(0, 4..6)]);
    }
}
