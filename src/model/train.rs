//! Training: one logistic regression per label over hashed unigrams and bigrams, written here
//! (a few dozen lines of AdaGrad) rather than taken from a crate, because the model must be
//! byte-for-byte reproducible (fixed seed, fixed order, one thread per model) and its features
//! must be exactly the ones inference computes.
//!
//! Calibration against base rates: every source's classes are balanced first (so a token
//! typical of one dataset, "rt" in tweets, is evidence of nothing), then the classes overall,
//! and rows a file marks `toxic: false` count as negatives for every label (the benign text the
//! model must learn to leave alone).

use super::features::{bucket, feature_count, fingerprint, for_each_feature, Word};
use super::format::{Head, Model};
use super::sigmoid;

/// One training row: its feature buckets and, per label, its label if known.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Every feature (unigrams and bigrams, with repeats) as `bucket << 8 | fingerprint`.
    pub buckets: Vec<u32>,
    /// Per label of the model: true, false, or unknown.
    pub labels: Vec<Option<bool>>,
    /// Which source the row came from (classes are balanced per source).
    pub group: u32,
}

impl Sample {
    /// The sample of `words` (split from a normalized text).
    pub fn new(words: &[Word], bits: u8, labels: Vec<Option<bool>>, group: u32) -> Sample {
        let mut buckets = Vec::with_capacity(feature_count(words.len()));
        for_each_feature(words, |h, _, _| buckets.push(((bucket(h, bits) as u32) << 8) | u32::from(fingerprint(h))));
        Sample { buckets, labels, group }
    }
}

/// Training options. The defaults are what the shipped model uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// log2 of the hash table size.
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
    /// model needs evidence spread over the sentence ("the" + a group's name is not an attack).
    pub max_weight: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { bits: 18, epochs: 6, rate: 0.3, l2: 1e-5, seed: 22, max_weight: MAX_WEIGHT }
    }
}

/// The default [`Options::max_weight`].
pub const MAX_WEIGHT: f64 = 1.5;

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

/// Trains on `samples[rows]` a model with the heads `labels` (names), deterministically.
/// `meta` is stored as is.
pub fn train(samples: &[Sample], rows: &[usize], labels: &[String], opts: &Options, meta: String) -> Model {
    let n = labels.len();
    let size = 1usize << opts.bits;
    let mut w = vec![0.0f64; size * n];
    let mut g2 = vec![0.0f64; size * n];
    let mut bias = vec![0.0f64; n];
    let mut bias_g2 = vec![0.0f64; n];
    let sw = weights(samples, rows, n);
    // Each bucket keeps its most frequent feature (ties: the smaller fingerprint); the others
    // are left out of training, as inference leaves them out.
    let mut counts: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    for &r in rows {
        for &f in &samples[r].buckets {
            *counts.entry(f).or_insert(0) += 1;
        }
    }
    let mut best = vec![(0u32, 0u8); size];
    for (&f, &c) in &counts {
        let (b, fp) = ((f >> 8) as usize, (f & 0xff) as u8);
        let cur = best[b];
        if c > cur.0 || (c == cur.0 && fp < cur.1) {
            best[b] = (c, fp);
        }
    }
    let prints: Vec<u8> = best.iter().map(|&(_, fp)| fp).collect();
    let keep = |f: u32| prints[(f >> 8) as usize] == (f & 0xff) as u8;
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
            let x = 1.0 / (s.buckets.len().max(1) as f64).sqrt();
            for l in 0..n {
                let Some(y) = s.labels[l] else { continue };
                let weight = sw[l][k];
                if weight == 0.0 {
                    continue;
                }
                let mut z = bias[l];
                for &f in s.buckets.iter().filter(|&&f| keep(f)) {
                    z += w[(f >> 8) as usize * n + l] * x;
                }
                let g = weight * (sigmoid(z) - f64::from(u8::from(y)));
                for &f in s.buckets.iter().filter(|&&f| keep(f)) {
                    let i = (f >> 8) as usize * n + l;
                    let gi = g * x + opts.l2 * w[i];
                    g2[i] += gi * gi;
                    w[i] = (w[i] - opts.rate * gi / (g2[i].sqrt() + eps)).min(opts.max_weight);
                }
                bias_g2[l] += g * g;
                bias[l] -= opts.rate * g / (bias_g2[l].sqrt() + eps);
            }
        }
    }
    quantize(&w, &bias, labels, opts.bits, prints, meta)
}

fn quantize(w: &[f64], bias: &[f64], labels: &[String], bits: u8, prints: Vec<u8>, meta: String) -> Model {
    let n = labels.len();
    let mut heads = Vec::with_capacity(n);
    for (l, name) in labels.iter().enumerate() {
        let max = w.iter().skip(l).step_by(n).fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { (max / f64::from(i16::MAX)) as f32 } else { 1.0 };
        heads.push(Head { name: name.clone(), bias: bias[l] as f32, scale });
    }
    let weights = w
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let s = f64::from(heads[i % n].scale);
            (v / s).round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
        })
        .collect();
    Model { bits, heads, weights, prints, meta }
}
