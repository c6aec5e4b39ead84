//! The wordlist automaton as start-up builds it (src/matcher/wordlist/table.rs): one flat
//! table of spellings shared by lists, gate literals beside them. A small set and a large one
//! (another automaton kind inside aho-corasick) find the same hits.

use moderate::matcher::wordlist::{ListSpec, WordHit, WordMode, WordlistSet};
use moderate::normalize::{NormalizeOptions, Normalizer};

fn list(terms: &[&str]) -> ListSpec {
    ListSpec { terms: terms.iter().map(|t| t.to_string()).collect(), mode: WordMode::Word, allow: Vec::new(), fuzzy: true }
}

/// `n` distinct letter-only words that occur in no test text (`qzaab`, `qzaac`, ...).
fn filler(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut w = String::from("qz");
            let mut k = i;
            for _ in 0..4 {
                w.push(char::from(b'a' + (k % 26) as u8));
                k /= 26;
            }
            w
        })
        .collect()
}

fn hits(set: &WordlistSet, n: &Normalizer, text: &str) -> (String, Vec<WordHit>) {
    let norm = n.normalize(text).text;
    let mut out = Vec::new();
    set.find(&norm, &mut out);
    (norm, out)
}

const TEXT: &str = "you idiot, what a fucking asshole of a moron, f*ck that";

#[test]
fn a_large_set_finds_what_a_small_one_finds() {
    let n = Normalizer::new(&NormalizeOptions::default());
    let terms = ["idiot", "moron", "fuck*", "*hole"];
    let small = WordlistSet::build(&[list(&terms)], &n).expect("builds");
    let fill = filler(3000);
    let fill: Vec<&str> = fill.iter().map(String::as_str).collect();
    let large = WordlistSet::build(&[list(&terms), list(&fill)], &n).expect("builds");
    assert!(large.pattern_count() > 3000);
    let (norm, a) = hits(&small, &n, TEXT);
    let (_, b) = hits(&large, &n, TEXT);
    let words: Vec<&str> = a.iter().map(|h| &norm[h.start..h.end]).collect();
    assert_eq!(words, ["idiot", "fucking", "asshole", "moron", "f*ck"]);
    assert_eq!(a, b, "the same hits from both build paths");
}

#[test]
fn a_spelling_shared_by_lists_hits_each_list_once() {
    let n = Normalizer::new(&NormalizeOptions::default());
    let set = WordlistSet::build(&[list(&["moron", "idiot"]), list(&["idiot"]), list(&["dolt"])], &n).expect("builds");
    let (_, found) = hits(&set, &n, "what an idiot");
    let lists: Vec<(usize, usize)> = found.iter().map(|h| (h.list, h.term)).collect();
    assert_eq!(lists, [(0, 1), (1, 0)]);
}

#[test]
fn gate_literals_are_reported_and_are_not_spellings() {
    let n = Normalizer::new(&NormalizeOptions::default());
    let lists = [list(&["idiot"])];
    let plain = WordlistSet::build(&lists, &n).expect("builds");
    let gate = vec![b"xyzzy".to_vec(), b"idiot".to_vec()];
    let gated = WordlistSet::build_with_gate(&lists, &n, &gate).expect("builds");
    assert_eq!(plain.pattern_count(), gated.pattern_count(), "a gate literal is no spelling");
    let mut scratch = Default::default();
    let (mut words, mut lits) = (Vec::new(), Vec::new());
    gated.find_with_gate("xyzzy you idiot", &mut scratch, |h| words.push((h.start, h.end)), |g, s, e| lits.push((g, s, e)));
    assert_eq!(words, [(10, 15)]);
    assert_eq!(lits, [(0, 0, 5), (1, 10, 15)]);
}
