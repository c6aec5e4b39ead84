//! The normalizer's ASCII fast path on a table of bodies at its edges: when it is taken, the
//! full two-pass normalizer gives the same text and an identity offset map, and the bodies
//! that must go the full way (spelled-out words, leet, symbols) do. (This was a unit test
//! inside src/; tests/speed.rs checks the same promise on arbitrary ASCII and the fixtures.)

use moderate::normalize::{NormalizeOptions, Normalizer};
use proptest::prelude::*;

/// Whenever the fast path is taken, the full path gives the same text and an identity map.
fn same_as_full(body: &str) {
    if !Normalizer::takes_fast_path(body) {
        return;
    }
    let n = Normalizer::new(&NormalizeOptions::default());
    let fast = n.normalize(body);
    let slow = n.normalize_full(body);
    assert_eq!(fast.text, slow.text, "{body:?}");
    assert_eq!(slow.offsets().len(), body.len(), "{body:?}");
    for i in 0..body.len() {
        assert_eq!(slow.offsets().source_of(i), i..i + 1, "{body:?} byte {i}");
        assert_eq!(fast.offsets().source_of(i), i..i + 1);
    }
}

#[test]
fn fast_path_table() {
    for body in [
        "hello world, you idiot",
        "What a Mess.",
        "a s s",
        "f.u.c.k",
        "F_u c_K",
        "I get lost",
        "x - y",
        "a b",
        "i am a b",
        "aaa",
        "fu(k",
        "(see above)",
        "tab\there",
        "two  spaces",
        "",
        "a",
        "e.g. this",
    ] {
        same_as_full(body);
    }
    assert!(Normalizer::takes_fast_path("hello world, you idiot"));
    assert!(!Normalizer::takes_fast_path("f.u.c.k"));
    assert!(!Normalizer::takes_fast_path("a s s"));
    assert!(!Normalizer::takes_fast_path("fu(k"));
    assert!(!Normalizer::takes_fast_path("sh1t"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn fast_path_agrees(body in "[a-cA-C .,_()'\"-]{0,24}") {
        same_as_full(&body);
    }
}
