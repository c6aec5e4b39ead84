//! Patterns are compiled from the parsed HIR, without capture groups ([`moderate::matcher::regex::compile_hir`], issue 16): the spans found must be
//! exactly those of `regex::Regex` on the pattern text, for the pattern as written and for its
//! ASCII form ([`moderate::matcher::regex::ascii_only`]) on ASCII text.

use moderate::matcher::regex::{ascii_only, compile_hir};
use proptest::prelude::*;
use regex::Regex;

/// Shapes from the pack: word boundaries, Unicode classes, lazy and greedy repetition, empty
/// alternatives, anchors, a capture group, literals a prefilter would pick up.
const PATTERNS: &[&str] = &[
    r"\b(?:you|u) (?:[a-z-]+ ){0,3}?(?:idiot|moron|fool)\s*(?:[.!?,;]|$)",
    r"\b(?:stupid|dumb),? (\w+ )?(?:idiot|moron)\b",
    r"(?i)\bkill (?:yourself|urself)\b",
    r"(?:^|\W)(?:sub|subscribe)(?: to)? (?:my|me)\b",
    r"[^\s]+@[^\s]+\.(?:com|net)",
    r"\bfree \w* ?(?:money|cash)",
    r"(?:x|)y?",
    r"\B(?:ass)\B",
    r"é+\w{0,2}",
    r".{2,4}",
];

/// Every non-empty match, as the pipeline collects them.
fn spans(re: impl Fn(&str) -> Vec<std::ops::Range<usize>>, h: &str) -> Vec<std::ops::Range<usize>> {
    re(h).into_iter().filter(|r| r.start < r.end).collect()
}

fn check(h: &str) {
    for p in PATTERNS {
        let want = spans(|h| Regex::new(p).unwrap().find_iter(h).map(|m| m.range()).collect(), h);
        let hir = regex_syntax::parse(p).unwrap();
        let re = compile_hir(&hir, Some(1 << 20)).unwrap();
        let got = spans(|h| re.find_iter(h).map(|m| m.range()).collect(), h);
        assert_eq!(got, want, "{p:?} on {h:?}");
        if h.is_ascii() {
            let re = compile_hir(&ascii_only(&hir), Some(1 << 20)).unwrap();
            let got = spans(|h| re.find_iter(h).map(|m| m.range()).collect(), h);
            assert_eq!(got, want, "ASCII form of {p:?} on {h:?}");
        }
    }
}

#[test]
fn compiled_from_the_hir_finds_what_the_regex_crate_finds() {
    for h in [
        "",
        "you big fat idiot.",
        "u a b c d moron!",
        "so stupid, big moron and dumb idiot",
        "KILL Yourself, kill urself",
        "pls subscribe to my channel; sub me",
        "mail me at a.b@c.com or x@y.net",
        "free  money, free cash now",
        "xy yx x",
        "classy bass assistant",
        "éé éa café ééé",
        "\u{a0}you idiot\u{2009}.",
    ] {
        check(h);
    }
}

#[test]
fn a_pattern_over_the_size_limit_is_refused() {
    let hir = regex_syntax::parse(r"\w{50}\w{50}").unwrap();
    assert!(compile_hir(&hir, Some(1 << 10)).is_err());
    assert!(compile_hir(&hir, None).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn same_spans_on_generated_text(
        h in proptest::collection::vec(
            prop_oneof![
                "(?:you|u|idiot|moron|stupid|dumb|kill|yourself|sub|my|free|money|ass|x|y|é|café)",
                "[ ,.!@]",
                "[a-zé\u{a0}]{1,3}",
            ],
            0..14,
        ).prop_map(|v| v.concat())
    ) {
        check(&h);
    }
}
