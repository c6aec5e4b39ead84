//! The regex rules' literal prefilter, through the public gated interface
//! (`RegexRules::build_gated` gives a pattern's required literals; `begin` / `wake` say which
//! occurrences wake it): the required-literal sets, the word boundaries each literal must sit
//! on, and that a scan finds exactly what each pattern alone finds. (These were unit tests of
//! private helpers inside src/; they live here so `cargo test` does not compile the library
//! twice.)

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use moderate::matcher::regex::RegexRules;
use regex::Regex;
use regex_syntax::hir::Hir;

fn hir(p: &str) -> Hir {
    regex_syntax::parse(p).unwrap()
}

/// One pattern, gated: the rules and its required literals.
fn gated(p: &str) -> (RegexRules, Vec<Vec<u8>>) {
    RegexRules::build_gated(vec![(0, p.to_string(), hir(p))])
}

/// The required literals of `p`, sorted; `None` when it has none and always runs.
fn req_of(p: &str) -> Option<Vec<String>> {
    let (rules, lits) = gated(p);
    if lits.is_empty() {
        assert_eq!(rules.unfiltered(), 1, "{p}: no literal but not always run");
        return None;
    }
    assert_eq!(rules.unfiltered(), 0, "{p}");
    let mut v: Vec<String> = lits.into_iter().map(|s| String::from_utf8(s).unwrap()).collect();
    v.sort();
    Some(v)
}

/// Whether an occurrence of literal `lit` at `at..at + len` of `hay` counts for pattern 0:
/// marks the group of required literals it belongs to (a pattern runs once every group is
/// marked).
fn wakes(rules: &RegexRules, lit: usize, hay: &str, at: usize, len: usize) -> bool {
    let mut cand = Vec::new();
    rules.begin(&mut cand);
    rules.wake(lit, hay, at, at + len, &mut cand);
    cand[0] != 0
}

/// Each required literal of `p` with the word boundaries it claims: (literal, at its start,
/// at its end). Found by placing the literal between characters that do or do not make a
/// boundary next to it.
fn edges(p: &str) -> Vec<(String, bool, bool)> {
    let (rules, lits) = gated(p);
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let boundary = |c: char| if word(c) { " " } else { "x" };
    let none = |c: char| if word(c) { "x" } else { " " };
    lits.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let s = String::from_utf8(l).unwrap();
            let (first, last) = (s.chars().next().unwrap(), s.chars().next_back().unwrap());
            let (b0, n0, b1, n1) = (boundary(first), none(first), boundary(last), none(last));
            assert!(wakes(&rules, i, &format!("{b0}{s}{b1}"), 1, s.len()), "{p}: {s:?} between boundaries");
            let start = !wakes(&rules, i, &format!("{n0}{s}{b1}"), 1, s.len());
            let end = !wakes(&rules, i, &format!("{b0}{s}{n1}"), 1, s.len());
            (s, start, end)
        })
        .collect()
}

#[test]
fn required_literals() {
    assert_eq!(req_of(r"\bkys\b"), Some(vec!["kys".into()]));
    assert_eq!(req_of(r"\bkill (?:yourself|urself)\b"), Some(vec!["kill urself".into(), "kill yourself".into()]));
    // The rarest group first; a second group is kept when its literals are whole words.
    assert_eq!(
        req_of(r"\b(?:a|b) \w+ (?:idiot|moron)\b"),
        Some(vec![" idiot".into(), " moron".into(), "a".into(), "b".into()])
    );
    assert_eq!(req_of(r"\w+"), None);
    assert_eq!(req_of(r"(?:abc)?"), None);
    assert_eq!(req_of(r"(?i)ab"), Some(vec!["AB".into(), "Ab".into(), "aB".into(), "ab".into()]));
    // superstrings are dropped
    assert_eq!(req_of(r"(?:you|youre)"), Some(vec!["you".into()]));
}

#[test]
fn context_gives_slots_their_word_boundaries() {
    let set = edges(r"\b(?:you|u) (?:[a-z-]+ ){0,3}?(?:idiot|moron)\s*(?:[.!?,;]|$)");
    assert_eq!(set.len(), 4, "{set:?}"); // idiot, moron; you, u
    assert!(set.iter().all(|l| l.1 && l.2), "{set:?}");
    // After a word character there is no boundary to claim.
    let set = edges(r"\w+(?:idiotic|moronic)\b");
    assert!(!set.is_empty() && set.iter().all(|l| !l.1 && l.2), "{set:?}");
    // An optional prefix ending in a letter: no claim either.
    let set = edges(r"\b(?:[a-z]+)?(?:idiotic|moronic)(?:x|$)");
    assert!(!set.is_empty() && set.iter().all(|l| !l.1 && !l.2), "{set:?}");
}

#[test]
fn word_boundaries_become_edges() {
    let set = edges(r"\b(?:ho|hoe)s?\b");
    assert!(!set.is_empty() && set.iter().all(|l| l.1 && l.2), "{set:?}");
    assert_eq!(edges(r"\bkill \w+"), vec![("kill ".to_string(), true, false)]);
    // A boundary inside the literal is not an edge.
    let set = edges(r"a\bb");
    assert_eq!((set[0].1, set[0].2), (false, false), "{set:?}");
    // The boundary is Unicode's `\b`: an underscore and a letter with an accent are word
    // characters, the ends of the text are boundaries.
    let (rules, lits) = gated(r"\bab\b");
    assert_eq!(lits, [b"ab".to_vec()]);
    assert!(wakes(&rules, 0, "ab", 0, 2));
    assert!(wakes(&rules, 0, "a ab.", 2, 2));
    assert!(!wakes(&rules, 0, "xab", 1, 2));
    assert!(!wakes(&rules, 0, "ab_", 0, 2));
    assert!(!wakes(&rules, 0, "éab", 2, 2));
    assert!(!wakes(&rules, 0, "abé", 0, 2));
}

#[test]
fn scan_equals_every_pattern() {
    let pats = [
        r"\bkys\b",
        r"\bkill (?:yourself|urself)\b",
        r"\w+ idiot",
        r"^\s*\S+$",
        r"(?i)\bfoo\b",
        r"\b(?:ho|hoe)s?\b",
        r"\byo\b",
        r"you(?:\b|r) \w+",
        r"\bu r (?:a|an)\b",
        r"\b(?:you|u) (?:[a-z-]+ ){0,3}?(?:idiot|ass)\s*(?:[.!?,;]|$)",
        r",\s*(?:you )?(?:ass|idiot)\s*(?:[.!?]|$)",
        r"(?:\w+ )?(?:ass|idiot)s?(?:x|y)",
    ];
    let all = || pats.iter().enumerate().map(|(i, p)| (i, p.to_string(), hir(p))).collect();
    let rules = RegexRules::build(all()).unwrap();
    let (gated, lits) = RegexRules::build_gated(all());
    let ac = AhoCorasickBuilder::new().match_kind(MatchKind::Standard).build(&lits).unwrap();
    let mut cand = Vec::new();
    for h in [
        "kys now",
        "go kill urself",
        "what an idiot",
        "single",
        "FOO bar",
        "nothing here",
        "ídiot ïdiot",
        "those shoes",
        "ho ho hoes",
        "yo-yo",
        "éyo yoé _yo yo_ yo",
        "your mom",
        "youth you mom",
        "u r a",
        "menu r an",
        "you big idiot.",
        "you class.",
        "you ass",
        "hey, ass!",
        "you, bass.",
        "you morass",
        "u  x ass,",
        "ok ,idiot",
        "assx idiotsy bassx",
        "é ass. éidiot",
    ] {
        let mut got = Vec::new();
        rules.scan(h, &mut cand, |r, m| got.push((r, m)));
        let mut want = Vec::new();
        for (i, p) in pats.iter().enumerate() {
            for m in Regex::new(p).unwrap().find_iter(h) {
                if m.start() < m.end() {
                    want.push((i, m.range()));
                }
            }
        }
        assert_eq!(got, want, "{h}");
        // The same through the gated interface, the literals scanned by the caller.
        gated.begin(&mut cand);
        for m in ac.find_overlapping_iter(h) {
            gated.wake(m.pattern().as_usize(), h, m.start(), m.end(), &mut cand);
        }
        let mut via_gate = Vec::new();
        gated.run(h, &cand, |r, m| via_gate.push((r, m)));
        assert_eq!(via_gate, want, "{h} (gated)");
    }
}
