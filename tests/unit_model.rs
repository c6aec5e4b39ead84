//! The model's building blocks through the public API: word splitting and feature hashes (a
//! model file stores buckets of them, so their values are pinned), the file format (round
//! trip, refusal of every truncation and of hostile headers), the phrases a model reason shows,
//! and training. (These were unit tests inside src/; they live here so `cargo test` does not
//! compile the library twice.)

use moderate::model::features::{
    bigram_hash, feature_count, for_each_feature, word_hash, words, Word,
};
use moderate::model::format::Head;
use moderate::model::train::{train, Options, Sample};
use moderate::model::{sigmoid, Model, Scratch};

fn texts(t: &str) -> Vec<&str> {
    let mut v = Vec::new();
    words(t, &mut v);
    v.iter().map(|w| &t[w.range()]).collect()
}

#[test]
fn splits_on_non_word_characters_and_keeps_inner_apostrophes() {
    assert_eq!(texts("don't go, you 'idiot' 42x"), ["don't", "go", "you", "idiot", "42x"]);
    assert_eq!(texts("  "), Vec::<&str>::new());
    assert_eq!(texts("scunthorpe cocktail"), ["scunthorpe", "cocktail"]);
}

#[test]
fn hashes_are_stable_across_builds() {
    // A model file stores buckets of these hashes: they must never change. The values are
    // FNV-1a 64 of the word's bytes through splitmix64's finalizer (bigrams: see features.rs).
    assert_eq!(word_hash(""), 0xf52a_15e9_a9b5_e89b);
    assert_eq!(word_hash("idiot"), 0x9dc3_a066_17b5_fd57);
    assert_eq!(word_hash("idiots"), 0xbfe2_d85b_a92c_f986);
    assert_eq!(bigram_hash(word_hash("a"), word_hash("b")), 0x3cf6_f4f7_7b27_6e6b);
    assert_ne!(bigram_hash(word_hash("a"), word_hash("b")), bigram_hash(word_hash("b"), word_hash("a")));
}

#[test]
fn features_are_unigrams_then_bigrams() {
    let mut v = Vec::new();
    words("a b c", &mut v);
    let mut seen = Vec::new();
    for_each_feature(&v, |_, i, j| seen.push((i, j)));
    assert_eq!(seen, [(0, 0), (1, 1), (0, 1), (2, 2), (1, 2)]);
    assert_eq!(feature_count(3), 5);
}

fn tiny() -> Model {
    let heads = vec![
        Head { name: "attack".into(), slope: 1.0, bias: -1.5, scale: 0.01 },
        Head { name: "toxic".into(), slope: 0.5, bias: 0.25, scale: 0.02 },
    ];
    let keys: Vec<u64> = (1..=300u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1).collect();
    let mut keys = keys;
    keys.sort_unstable();
    let weights = (0..keys.len() * 2).map(|i| (i as i8).wrapping_mul(37)).collect();
    Model::new(heads, keys, weights, "{\"rows\":3}".into())
}

#[test]
fn model_file_round_trips_and_reads_only_known_features() {
    let m = tiny();
    let bytes = m.encode();
    assert_eq!(Model::decode(&bytes).unwrap(), m);
    assert_eq!(m.label("toxic"), Some(1));
    for (i, &k) in m.keys.iter().enumerate() {
        assert_eq!(m.find(k), Some(i));
        assert!((m.weight(k, 1) - f32::from(m.weights[i * 2 + 1]) * 0.02).abs() < 1e-6);
    }
    // A hash the model does not hold weighs exactly 0.
    assert_eq!(m.find(2), None);
    assert_eq!(m.weight(2, 0), 0.0);
}

#[test]
fn model_file_refuses_every_truncation_and_flipped_byte() {
    let bytes = tiny().encode();
    for cut in 0..bytes.len() {
        assert!(Model::decode(&bytes[..cut]).is_err(), "accepted a file cut at {cut}");
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x41;
        assert!(Model::decode(&b).is_err(), "accepted a flipped byte at {i}");
    }
}

#[test]
fn model_file_a_hostile_header_is_refused_before_allocating() {
    let mut b = tiny().encode();
    b[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = Model::decode(&b).unwrap_err();
    assert_eq!(e.offset, 20);
    assert!(e.message.contains("features"), "{e}");
    let mut b = tiny().encode();
    b[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Model::decode(&b).unwrap_err().message.contains("metadata"));
    let mut b = tiny().encode();
    b[8] = 1;
    assert!(Model::decode(&b).unwrap_err().message.contains("version 1"));
    assert!(Model::decode(b"hello").unwrap_err().message.contains("magic"));
}

/// A one-label model whose only weights are the given words' unigram weights (quantized at
/// 0.02), every other feature unknown (weight exactly 0).
fn unigram_model(weights: &[(&str, i8)]) -> Model {
    let mut pairs: Vec<(u64, i8)> = weights.iter().map(|&(w, q)| (word_hash(w), q)).collect();
    pairs.sort_unstable_by_key(|p| p.0);
    let heads = vec![Head { name: "attack".into(), slope: 1.0, bias: 0.0, scale: 0.02 }];
    Model::new(heads, pairs.iter().map(|p| p.0).collect(), pairs.iter().map(|p| p.1).collect(), String::new())
}

#[test]
fn phrases_merge_neighbouring_words_and_rank_by_push() {
    // Invented words carry the push (function words such as "you" or "of" count at most 0).
    let text = "zork blax quib you are out of puberty";
    let m = unigram_model(&[("zork", 30), ("blax", 25), ("quib", 25), ("you", -5), ("of", 2), ("puberty", 95)]);
    let mut v: Vec<Word> = Vec::new();
    words(text, &mut v);
    // Each word's push is its weight over sqrt(feature count): 8 words, 15 features.
    let x = 1.0 / 15f32.sqrt();
    let p = m.score(text, 0, &mut Scratch::default()).phrases;
    assert_eq!(p.len(), 2, "{p:?}");
    // "puberty" alone (1.9), then "zork blax quib" (0.6 + 0.5 + 0.5).
    assert_eq!(p[0].0, 30..37);
    assert!((p[0].1 - 1.9 * x).abs() < 1e-5, "{p:?}");
    assert_eq!(p[1].0, 0..14);
    assert!((p[1].1 - 1.6 * x).abs() < 1e-5, "{p:?}");
    // Nothing pushes up: no phrases.
    let down = unigram_model(&[("zork", -50), ("puberty", -50)]);
    assert!(down.score(text, 0, &mut Scratch::default()).phrases.is_empty());
}

fn sample(text: &str, y: bool, bits: u8) -> Sample {
    let mut ws = Vec::new();
    words(text, &mut ws);
    Sample::new(&ws, bits, vec![Some(y)], 0)
}

#[test]
fn training_learns_a_planted_word_and_is_deterministic() {
    let opts = Options { bits: 12, ..Options::default() };
    let mut samples = Vec::new();
    for i in 0..40 {
        samples.push(sample(&format!("you are such a zorblax number {i}"), true, 12));
        samples.push(sample(&format!("you are such a friend number {i}"), false, 12));
    }
    let rows: Vec<usize> = (0..samples.len()).collect();
    let labels = vec!["attack".to_string()];
    let a = train(&samples, &rows, &labels, &opts, String::new());
    let b = train(&samples, &rows, &labels, &opts, String::new());
    assert_eq!(a.encode(), b.encode());
    let mut ws = Vec::new();
    words("what a zorblax you are", &mut ws);
    let bad = sigmoid(a.logit(&ws, 0));
    words("what a friend you are", &mut ws);
    let good = sigmoid(a.logit(&ws, 0));
    assert!(bad > 0.8 && good < 0.2, "bad {bad} good {good}");
}

/// One word's evidence repeated is still one word's evidence: the spread rule counts a word's
/// occurrences together, so a chorus of one word never makes a hit on its own.
#[test]
fn a_repeated_word_is_not_spread_evidence() {
    let m = unigram_model(&[("zork", 40), ("blax", 40), ("quib", 40)]);
    let mut touch = Vec::new();
    let mut v: Vec<Word> = Vec::new();
    words("zork it is zork it is zork", &mut v);
    assert_eq!(m.judge(&v, 0, &mut touch), 0.0);
    words("zork it is blax it is quib", &mut v);
    assert!(m.judge(&v, 0, &mut touch) > 0.5);
}

/// A political side's name is a group's name: naming it is never evidence, only what is said
/// about it. A model trained where every attack names "the liberals" or "the conservatives"
/// (as the datasets' political threads do) learns the attack's words, and a sentence that only
/// names the sides ("Most Republicans support the new farm bill" was held before) scores low.
#[test]
fn naming_a_political_side_is_never_evidence() {
    let opts = Options { bits: 12, ..Options::default() };
    let mut samples = Vec::new();
    for i in 0..40 {
        let side = ["the liberals", "the conservatives", "democrats", "republicans"][i % 4];
        samples.push(sample(&format!("{side} are such zorblax number {i}"), true, 12));
        samples.push(sample(&format!("my neighbour is such a friend number {i}"), false, 12));
    }
    let rows: Vec<usize> = (0..samples.len()).collect();
    let m = train(&samples, &rows, &["attack".to_string()], &opts, String::new());
    let (mut ws, mut touch) = (Vec::new(), Vec::new());
    words("the liberals and the conservatives met democrats and republicans", &mut ws);
    let named = m.judge(&ws, 0, &mut touch);
    words("the liberals are such a zorblax, the conservatives are such zorblax", &mut ws);
    let attacked = m.judge(&ws, 0, &mut touch);
    assert!(named == 0.0 && attacked > 0.8, "named {named} attacked {attacked}");
}
