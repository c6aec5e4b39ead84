//! Training: one logistic regression per label over hashed unigrams and bigrams, written here
//! (a few dozen lines of AdaGrad) rather than taken from a crate, because the model must be
//! byte-for-byte reproducible (fixed seed, fixed order, one thread per model) and its features
//! must be exactly the ones inference computes.
//!
//! Safety by construction, so that the model can be enforced:
//! - only features seen in at least [`Options::min_support`] training rows get a weight; every
//!   other word or pair weighs exactly 0 (an unknown word is no evidence either way);
//! - a capped feature (one touching a group's name, [`super::features::GROUP`], or a function
//!   word alone: [`super::features::capped`]) is kept at or below 0, and any feature at or below [`Options::max_weight`], so no single word or pair is
//!   decisive;
//! - the intercept is not stored: the file holds a calibration of the weights' sum only (see
//!   [`super::learn`]), and inference never flags a comment whose sum is not positive.
//!
//! Calibration against base rates: every source's classes are balanced first (so a token
//! typical of one dataset, "rt" in tweets, is evidence of nothing), then the classes overall,
//! and rows a file marks `toxic: false` count as negatives for every label (the benign text the
//! model must learn to leave alone).

use std::collections::HashMap;

use super::features::{feature_count, features, Gram, Word};
use super::format::{Head, Model};
use super::sigmoid;

/// One training row: its features and, per label, its label if known.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Every feature (unigrams and bigrams, with repeats): hash and "is capped" (weighs at most 0).
    pub feats: Vec<(u64, bool)>,
    /// Per label of the model: true, false, or unknown.
    pub labels: Vec<Option<bool>>,
    /// Which source the row came from (classes are balanced per source).
    pub group: u32,
    /// How many of `feats` (the last ones) are rule hits.
    pub rules: usize,
    /// The length normalization's count: the words' unigrams and bigrams (not their character
    /// n-grams nor the rule hits), as inference counts it.
    pub norm: usize,
}

impl Sample {
    /// The count the evidence is normalized by (1/sqrt of it): the words' unigrams and bigrams.
    pub fn word_feats(&self) -> usize {
        self.norm
    }
}

impl Sample {
    /// The sample of `words` (split from a normalized text). `_bits` is kept for callers of
    /// the first format; features are exact hashes now.
    pub fn new(words: &[Word], _bits: u8, labels: Vec<Option<bool>>, group: u32) -> Sample {
        Sample::with_rules(words, &[], labels, group)
    }

    /// The sample of `words` and the rules that hit the row (their
    /// [`super::features::rule_hash`]es, after the word features).
    pub fn with_rules(words: &[Word], rules: &[u64], labels: Vec<Option<bool>>, group: u32) -> Sample {
        Sample::with_grams(words, &[], rules, labels, group)
    }

    /// [`Sample::with_rules`] with character n-grams (`grams`, after the word features; the
    /// caller leaves out those it must not learn).
    pub fn with_grams(words: &[Word], grams: &[Gram], rules: &[u64], labels: Vec<Option<bool>>, group: u32) -> Sample {
        let mut feats = Vec::new();
        features(words, &mut feats);
        feats.extend(grams.iter().map(|g| (g.hash, false)));
        feats.extend(rules.iter().map(|&r| (r, false)));
        Sample { feats, labels, group, rules: rules.len(), norm: feature_count(words.len()) }
    }
}

/// Training options. The defaults are what the shipped model uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// log2 of the most features a model keeps (the best-supported ones): bounds the file.
    pub bits: u8,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad step size.
    pub rate: f64,
    /// L2 penalty (applied to the weights a row touches).
    pub l2: f64,
    /// Seed of the row order.
    pub seed: u64,
    /// Largest positive weight of one feature: no single word or pair can be decisive, the
    /// model needs evidence spread over the sentence.
    pub max_weight: f64,
    /// Fewest training rows a feature must occur in to get a weight.
    pub min_support: u32,
    /// Whether the rules that hit a row are features too (so the model learns what they miss).
    pub rule_features: bool,
    /// Whether character n-grams inside words are features too ([`super::features::grams`]).
    pub char_ngrams: bool,
    /// Whether second-person and negation context features are features too
    /// ([`super::features::context`]).
    pub context: bool,
    /// Whether the models learn only from the rows the rules alone allow (a flag-only model
    /// changes no other verdict).
    pub residual: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bits: 17,
            epochs: 6,
            rate: 0.3,
            l2: 1e-5,
            seed: 22,
            max_weight: MAX_WEIGHT,
            min_support: 4,
            rule_features: true,
            char_ngrams: false,
            context: false,
            residual: false,
        }
    }
}

/// The default [`Options::max_weight`].
pub const MAX_WEIGHT: f64 = 5.0;

/// A small deterministic generator (splitmix64) for the row order and the folds.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Per (label, row) sample weights: each source's classes balanced, then the classes overall.
fn weights(samples: &[Sample], rows: &[usize], n_labels: usize) -> Vec<Vec<f64>> {
    let groups = samples.iter().map(|s| s.group as usize + 1).max().unwrap_or(0);
    let mut out = vec![vec![0.0; rows.len()]; n_labels];
    for (l, w) in out.iter_mut().enumerate() {
        let mut count = vec![[0usize; 2]; groups];
        for &r in rows {
            if let Some(y) = samples[r].labels[l] {
                count[samples[r].group as usize][usize::from(y)] += 1;
            }
        }
        for (k, &r) in rows.iter().enumerate() {
            let s = &samples[r];
            if let Some(y) = s.labels[l] {
                let c = count[s.group as usize];
                w[k] = if c[0] > 0 && c[1] > 0 { (c[0] + c[1]) as f64 / (2 * c[usize::from(y)]) as f64 } else { 1.0 };
            }
        }
        let (mut pos, mut neg) = (0.0, 0.0);
        for (k, &r) in rows.iter().enumerate() {
            match samples[r].labels[l] {
                Some(true) => pos += w[k],
                Some(false) => neg += w[k],
                None => {}
            }
        }
        if pos > 0.0 && neg > 0.0 {
            let (fp, fn_) = ((pos + neg) / (2.0 * pos), (pos + neg) / (2.0 * neg));
            for (k, &r) in rows.iter().enumerate() {
                match samples[r].labels[l] {
                    Some(true) => w[k] *= fp,
                    Some(false) => w[k] *= fn_,
                    None => {}
                }
            }
        }
    }
    out
}

/// The features of `samples[rows]` that get a weight: those in at least `min_support` rows,
/// at most `2^bits` of them (the best supported; ties by hash), ascending by hash, each with
/// its group flag.
fn vocabulary(samples: &[Sample], rows: &[usize], opts: &Options) -> Vec<(u64, bool)> {
    // Per feature: rows it occurs in, the last row counted, is a group feature.
    let mut seen: HashMap<u64, (u32, usize, bool)> = HashMap::new();
    for &r in rows {
        for &(h, g) in &samples[r].feats {
            let e = seen.entry(h).or_insert((0, usize::MAX, g));
            if e.1 != r {
                e.0 += 1;
                e.1 = r;
            }
        }
    }
    // A function word or a group's name alone weighs exactly 0 (not merely at most 0): it is
    // no evidence either way, and inference does not look it up ([`unweighed`]).
    let mut kept: Vec<(u32, u64, bool)> = seen
        .into_iter()
        .filter(|(h, e)| e.0 >= opts.min_support.max(1) && !unweighed(*h))
        .map(|(h, e)| (e.0, h, e.2))
        .collect();
    kept.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    kept.truncate(1usize << opts.bits.min(22));
    let mut vocab: Vec<(u64, bool)> = kept.into_iter().map(|(_, h, g)| (h, g)).collect();
    vocab.sort_unstable();
    vocab
}

/// True for the unigram of a function word or of [`super::features::GROUP`]: never a feature
/// of a trained model.
pub fn unweighed(h: u64) -> bool {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        let mut v: Vec<u64> = super::features::FUNCTION_WORDS.iter().map(|w| super::features::word_hash(w)).collect();
        v.push(super::features::GROUP);
        v.sort_unstable();
        v
    });
    hashes.binary_search(&h).is_ok()
}

/// Trains on `samples[rows]` a model with the heads `labels` (names), deterministically. The
/// heads' calibration is the logistic regression's own (slope 1, its intercept) until
/// [`super::learn`] fits one on held-back folds. `meta` is stored as is.
pub fn train(samples: &[Sample], rows: &[usize], labels: &[String], opts: &Options, meta: String) -> Model {
    let n = labels.len();
    let vocab = vocabulary(samples, rows, opts);
    let index: HashMap<u64, u32> = vocab.iter().enumerate().map(|(i, &(h, _))| (h, i as u32)).collect();
    // Each row as the indices of its known features and its scale 1/sqrt(its word features),
    // as inference computes it (unknown features count in the length, weigh 0).
    let encoded: Vec<(Vec<u32>, f64)> = rows
        .iter()
        .map(|&r| {
            let f = &samples[r].feats;
            let n = samples[r].word_feats();
            (f.iter().filter_map(|(h, _)| index.get(h).copied()).collect(), 1.0 / (n.max(1) as f64).sqrt())
        })
        .collect();
    let cap: Vec<f64> = vocab.iter().map(|&(_, g)| if g { 0.0 } else { opts.max_weight }).collect();
    let mut w = vec![0.0f64; vocab.len() * n];
    let mut g2 = vec![0.0f64; vocab.len() * n];
    let mut bias = vec![0.0f64; n];
    let mut bias_g2 = vec![0.0f64; n];
    let sw = weights(samples, rows, n);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut rng = SplitMix(opts.seed);
    let eps = 1e-8;
    for _ in 0..opts.epochs {
        // Fisher-Yates with the fixed generator: the same order on every machine.
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &k in &order {
            let s = &samples[rows[k]];
            let (ids, x) = (&encoded[k].0, encoded[k].1);
            for l in 0..n {
                let Some(y) = s.labels[l] else { continue };
                let weight = sw[l][k];
                if weight == 0.0 {
                    continue;
                }
                let mut z = bias[l];
                for &f in ids {
                    z += w[f as usize * n + l] * x;
                }
                let g = weight * (sigmoid(z) - f64::from(u8::from(y)));
                for &f in ids {
                    let i = f as usize * n + l;
                    let gi = g * x + opts.l2 * w[i];
                    g2[i] += gi * gi;
                    w[i] = (w[i] - opts.rate * gi / (g2[i].sqrt() + eps)).min(cap[f as usize]);
                }
                bias_g2[l] += g * g;
                bias[l] -= opts.rate * g / (bias_g2[l].sqrt() + eps);
            }
        }
    }
    let mut model = quantize(&w, &bias, labels, &vocab, meta);
    model.char_ngrams = opts.char_ngrams;
    model.context = opts.context;
    model
}

/// i8 weights per label (step = the label's largest |weight| / 127); features whose every
/// weight rounds to 0 are left out of the file.
fn quantize(w: &[f64], bias: &[f64], labels: &[String], vocab: &[(u64, bool)], meta: String) -> Model {
    let n = labels.len();
    let mut heads = Vec::with_capacity(n);
    for (l, name) in labels.iter().enumerate() {
        let max = w.iter().skip(l).step_by(n).fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { (max / 127.0) as f32 } else { 1.0 };
        heads.push(Head { name: name.clone(), slope: 1.0, bias: bias[l] as f32, scale });
    }
    let mut keys = Vec::with_capacity(vocab.len());
    let mut weights = Vec::with_capacity(vocab.len() * n);
    for (f, &(h, _)) in vocab.iter().enumerate() {
        let q: Vec<i8> =
            (0..n).map(|l| (w[f * n + l] / f64::from(heads[l].scale)).round().clamp(-127.0, 127.0) as i8).collect();
        if q.iter().any(|&v| v != 0) {
            keys.push(h);
            weights.extend(q);
        }
    }
    Model::new(heads, keys, weights, meta)
}
