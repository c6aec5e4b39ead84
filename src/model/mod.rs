//! Learning from moderators: a small linear model beside the rules (issue 22).
//!
//! A model rule (`signal = { type = "model", path = "rules/model.bin", label = "attack", min =
//! 0.8 }`) scores the **normalized** words of a comment with one logistic regression per label
//! over hashed word unigrams and bigrams ([`features`]), and hits when the probability reaches
//! `min`. It is a rule like the others: its reason has a category, a score and the spans in the
//! original text of the words that pushed the score most, with their contributions in the
//! message, so `explain`, the review page and the verdict record show *why*.
//!
//! Grading stays conservative: the model judges sentences, not single words (fewer than
//! [`MIN_WORDS`] words and it says nothing; one word is the wordlists' job, and their terms are
//! reviewed for Scunthorpe-style collisions), and a reason whose every word a scored rule
//! already counted adds nothing (the same words count once, as in [`crate::decide`]).
//!
//! - [`features`]: words and feature hashes; [`format`]: the file, read defensively;
//! - [`train`]: deterministic training; [`learn`]: cross-validation for `moderate learn`;
//! - [`reason`]: a hit's explanation; [`stack`]: `learn --stack-report`'s second stage.

pub mod features;
pub mod format;
pub mod learn;
pub mod reason;
pub mod stack;
pub mod train;

use std::sync::Arc;

use crate::decide::Thresholds;
use crate::normalize::Normalized;
use crate::rule::RuleMeta;
use crate::verdict::Verdict;
use features::{feature_count, for_each_feature_with, Gram, Word};
pub use format::Model;
use reason::{insert, phrases, reason, shadow};
pub use reason::{push_fixed2, push_quoted, push_shortest};

/// Fewest words a comment needs before a model judges it.
pub const MIN_WORDS: usize = 3;
/// Share of a hit's evidence that must remain without its strongest word (see
/// [`Model::judge`]).
pub const SPREAD: f32 = 0.3;
/// Most phrases a model reason lists.
pub const MAX_PHRASES: usize = 3;

/// One compiled model rule.
#[derive(Debug, Clone)]
pub struct ModelRule {
    /// Index of the rule in the engine's rule table.
    pub rule: usize,
    /// The model (shared by every rule that names the same file).
    pub model: Arc<Model>,
    /// Which of the model's labels the rule reads.
    pub label: usize,
    /// Probability at or above which the rule hits.
    pub min: f64,
}

/// Every model rule of a config. Empty (and free) when the config has none.
#[derive(Debug, Clone, Default)]
pub struct ModelRules {
    /// The rules, in config order.
    pub rules: Vec<ModelRule>,
}

/// Per-thread buffers: after the first comments, judging one allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    words: Vec<Word>,
    grams: Vec<Gram>,
    contrib: Vec<f32>,
    /// Per feature (in [`for_each_feature`] order): where its packed weights are in the
    /// model's table, or [`UNKNOWN`].
    found: Vec<u32>,
    /// Per label: the words' evidence sum (quantized units).
    sums: Vec<i64>,
    /// Per label: the evidence sum with the rules' hits.
    totals: Vec<i64>,
    /// The hashes of the rules that hit the comment ([`features::rule_hash`]).
    hit: Vec<u64>,
    by_word: Vec<(u64, f32)>,
    /// Per word: its push on the logit (a hit's explanation).
    push: Vec<f32>,
}

/// A feature the model does not know (in [`Scratch`]'s `found`).
const UNKNOWN: u32 = u32::MAX;

/// A model's judgement of one text for one label.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The probability.
    pub p: f64,
    /// The phrases that pushed the logit up most: normalized byte range and contribution
    /// (logit units), highest first.
    pub phrases: Vec<(std::ops::Range<usize>, f32)>,
}

/// Sums of up to 8 packed i8 weights (one u64, label `l` in byte `l`) with a few integer
/// operations per feature instead of 8 unpacks: each byte biased by +128 (so unsigned), the even
/// and odd bytes spread into 16-bit lanes of two u64s. 256 features fit a lane (256 x 255 <
/// 65,536); then the lanes move into i64 sums, minus the bias.
#[derive(Default)]
struct Lanes {
    even: u64,
    odd: u64,
    n: i64,
    sums: [i64; 8],
}

impl Lanes {
    const BYTES: u64 = 0x00ff_00ff_00ff_00ff;

    #[inline]
    fn add(&mut self, packed: u64) {
        let b = packed ^ 0x8080_8080_8080_8080;
        self.even += b & Self::BYTES;
        self.odd += (b >> 8) & Self::BYTES;
        self.n += 1;
        if self.n == 256 {
            self.spill();
        }
    }

    fn spill(&mut self) {
        for k in 0..4 {
            self.sums[2 * k] += ((self.even >> (16 * k)) & 0xffff) as i64 - 128 * self.n;
            self.sums[2 * k + 1] += ((self.odd >> (16 * k)) & 0xffff) as i64 - 128 * self.n;
        }
        (self.even, self.odd, self.n) = (0, 0, 0);
    }

    /// Adds the sums to `acc` (label `l` in `acc[l]`).
    fn finish(mut self, acc: &mut [i64; format::MAX_LABELS]) {
        self.spill();
        for (a, s) in acc.iter_mut().zip(self.sums) {
            *a += s;
        }
    }
}

/// `packed` with every positive byte (i8 weight) set to 0: each weight capped at 0.
#[inline]
fn negative_bytes(packed: u64) -> u64 {
    ((packed >> 7) & 0x0101_0101_0101_0101).wrapping_mul(0xff) & packed
}

impl Model {
    /// The evidence for `label` in the features `feats` (every unigram and bigram, with its
    /// group flag): the sum of the known features' weights, a group feature counting at most 0,
    /// times 1/sqrt(the number of features). Unknown features weigh exactly 0 and there is no
    /// intercept, so a text of unknown words has evidence 0.
    pub fn evidence(&self, feats: &[(u64, bool)], label: usize) -> f64 {
        self.evidence_of(feats, feats.len(), label)
    }

    /// [`Model::evidence`] with the sum divided by sqrt(`count`) (the words' features, when
    /// `feats` ends with rule hits).
    pub fn evidence_of(&self, feats: &[(u64, bool)], count: usize, label: usize) -> f64 {
        let sum: i64 = feats
            .iter()
            .map(|&(h, group)| {
                let w = i64::from(self.raw_weight(h, label));
                if group {
                    w.min(0)
                } else {
                    w
                }
            })
            .sum();
        sum as f64 * f64::from(self.heads[label].scale) / (count.max(1) as f64).sqrt()
    }

    /// The calibrated logit of `label` for the features `feats`.
    pub fn logit_of(&self, feats: &[(u64, bool)], label: usize) -> f64 {
        let h = &self.heads[label];
        f64::from(h.slope) * self.evidence(feats, label) + f64::from(h.bias)
    }

    /// The probability a model rule compares with its `min`, for `words` (split from a
    /// normalized text) and no rule hit: see [`Model::judge_with`].
    pub fn judge(&self, words: &[Word], label: usize, touch: &mut Vec<f32>) -> f64 {
        self.judge_with(words, &[], label, touch)
    }

    /// The probability a model rule compares with its `min`, for `words` (split from a
    /// normalized text) and the hashes of the rules that hit the comment (`rules`,
    /// [`features::rule_hash`]): the calibrated probability when the evidence is positive, the
    /// **words'** evidence is positive too, **and spread over the sentence**: without the
    /// features of its strongest word, at least [`SPREAD`] of the words' evidence remains.
    /// Else 0: the intercept alone, unknown words, a rule hit alone or one decisive word ("I
    /// think the oven is here") never make a hit. `touch` is a buffer.
    pub fn judge_with(&self, words: &[Word], rules: &[u64], label: usize, touch: &mut Vec<f32>) -> f64 {
        self.judge_grams(words, &[], rules, label, touch)
    }

    /// [`Model::judge_with`] for a model that reads character n-grams too (`grams`, from
    /// [`features::grams`]; ignored by a model without them).
    pub fn judge_grams(
        &self,
        words: &[Word],
        grams: &[Gram],
        rules: &[u64],
        label: usize,
        touch: &mut Vec<f32>,
    ) -> f64 {
        let grams = if self.extras() { grams } else { &[] };
        touch.clear();
        touch.resize(words.len(), 0.0);
        let mut sum = 0i64;
        for_each_feature_with(words, grams, |h, i, j| {
            let mut w = self.raw_weight(h, label);
            if features::capped(words, i, j) {
                w = w.min(0);
            }
            sum += i64::from(w);
            touch[i] += f32::from(w);
            if i != j {
                touch[j] += f32::from(w);
            }
        });
        if sum <= 0 || !spread(words, touch, sum as f32, &mut Vec::new()) {
            return 0.0;
        }
        let total = sum + rules.iter().map(|&r| i64::from(self.raw_weight(r, label))).sum::<i64>();
        self.probability(total, feature_count(words.len()), label)
    }

    /// Every label's evidence sum (quantized units, a capped feature counting at most 0) for
    /// `words`, into `sums` (the words' features) and `totals` (with the `rules` hit), with
    /// each word feature's place in the table into `found` for [`Model::touch`]: one hash and
    /// one table probe per feature for all labels. Gives the same sums as
    /// [`Model::judge_with`].
    fn gather(
        &self,
        words: &[Word],
        grams: &[Gram],
        rules: &[u64],
        found: &mut Vec<u32>,
        sums: &mut Vec<i64>,
        totals: &mut Vec<i64>,
    ) {
        let n = self.heads.len().min(format::MAX_LABELS);
        let mut acc = [0i64; format::MAX_LABELS];
        // Up to 8 labels (one u64 per slot): the packed bytes added as 8 lanes at once ([`Lanes`]).
        let mut lanes = Lanes::default();
        let table = self.table();
        found.clear();
        let mut feature = |h: Option<u64>, capped: bool, acc: &mut [i64; format::MAX_LABELS]| {
            let Some(at) = h.and_then(|h| table.find(h)) else {
                found.push(UNKNOWN);
                return;
            };
            found.push(at);
            let packed = table.at(at);
            if let [p] = packed {
                lanes.add(if capped { negative_bytes(*p) } else { *p });
                return;
            }
            for (l, a) in acc.iter_mut().take(n).enumerate() {
                let w = i64::from(format::unpack(packed, l));
                *a += if capped { w.min(0) } else { w };
            }
        };
        // The order of `for_each_feature`: word i, then the pair (i-1, i). A function word or
        // a group's name alone is never in a trained model ([`train::unweighed`]): not looked up.
        let mut prev: Option<&Word> = None;
        for w in words {
            feature((!(w.group || w.function)).then_some(w.hash), false, &mut acc);
            if let Some(p) = prev {
                feature(Some(features::bigram_hash(p.hash, w.hash)), p.group || w.group, &mut acc);
            }
            prev = Some(w);
        }
        for g in grams {
            feature(Some(g.hash), false, &mut acc);
        }
        lanes.finish(&mut acc);
        sums.clear();
        sums.extend_from_slice(&acc[..n]);
        for &r in rules {
            if let Some(at) = table.find(r) {
                let packed = table.at(at);
                for (l, a) in acc.iter_mut().take(n).enumerate() {
                    *a += i64::from(format::unpack(packed, l));
                }
            }
        }
        totals.clear();
        totals.extend_from_slice(&acc[..n]);
    }

    /// From the features [`Model::gather`] found (no second lookup), in one pass: each word's
    /// share of `label`'s evidence in quantized units (a bigram's weight counting for both its
    /// words: the spread rule's `touch`), and its push on the logit (a bigram's split between
    /// its words: the explanation's `push`, as [`Model::contributions_with`] computes it).
    fn shares(
        &self,
        words: &[Word],
        grams: &[Gram],
        found: &[u32],
        label: usize,
        touch: &mut Vec<f32>,
        push: &mut Vec<f32>,
    ) {
        touch.clear();
        touch.resize(words.len(), 0.0);
        push.clear();
        push.resize(words.len(), 0.0);
        let x = self.heads[label].slope / (feature_count(words.len()).max(1) as f32).sqrt();
        let scale = self.heads[label].scale;
        let table = self.table();
        let mut k = 0;
        features::for_each_place(words, grams, |i, j| {
            let at = found.get(k).copied().unwrap_or(UNKNOWN);
            k += 1;
            if at == UNKNOWN {
                return;
            }
            let mut w = format::unpack(table.at(at), label);
            if features::capped(words, i, j) {
                w = w.min(0);
            }
            let c = f32::from(w) * scale * x;
            touch[i] += f32::from(w);
            if i == j {
                push[i] += c;
            } else {
                touch[j] += f32::from(w);
                push[i] += c / 2.0;
                push[j] += c / 2.0;
            }
        });
    }

    /// The calibrated probability of `label` for an evidence sum `sum` (quantized units) over
    /// `n_feats` word features, before the spread rule; 0 when the sum is not positive.
    fn probability(&self, sum: i64, n_feats: usize, label: usize) -> f64 {
        if sum <= 0 {
            return 0.0;
        }
        let h = &self.heads[label];
        let e = sum as f64 * f64::from(h.scale) / (n_feats.max(1) as f64).sqrt();
        sigmoid(f64::from(h.slope) * e + f64::from(h.bias))
    }

    /// The calibrated logit of `label` for `words` (already split from a normalized text).
    pub fn logit(&self, words: &[Word], label: usize) -> f64 {
        let mut feats = Vec::with_capacity(feature_count(words.len()));
        features::features(words, &mut feats);
        self.logit_of(&feats, label)
    }

    /// Per-word contributions to the logit of `label` (a bigram's weight is split between its
    /// two words; a group feature counts at most 0), into `out`.
    pub fn contributions(&self, words: &[Word], label: usize, out: &mut Vec<f32>) {
        self.contributions_with(words, &[], label, out);
    }

    /// [`Model::contributions`] with character n-grams (`grams`, ignored by a model without
    /// them): an n-gram's weight goes to its word.
    pub fn contributions_with(&self, words: &[Word], grams: &[Gram], label: usize, out: &mut Vec<f32>) {
        let grams = if self.extras() { grams } else { &[] };
        out.clear();
        out.resize(words.len(), 0.0);
        let x = self.heads[label].slope / (feature_count(words.len()).max(1) as f32).sqrt();
        for_each_feature_with(words, grams, |h, i, j| {
            let mut w = self.weight(h, label) * x;
            if features::capped(words, i, j) {
                w = w.min(0.0);
            }
            if i == j {
                out[i] += w;
            } else {
                out[i] += w / 2.0;
                out[j] += w / 2.0;
            }
        });
    }

    /// Scores `text` (a normalized text) for `label`, with the phrases that explain it.
    pub fn score(&self, text: &str, label: usize, scratch: &mut Scratch) -> Scored {
        features::words(text, &mut scratch.words);
        features::extras(text, &scratch.words, self.char_ngrams, self.context, &mut scratch.grams);
        let p = self.judge_grams(&scratch.words, &scratch.grams, &[], label, &mut scratch.contrib);
        self.contributions_with(&scratch.words, &scratch.grams, label, &mut scratch.contrib);
        Scored { p, phrases: phrases(&scratch.words, &scratch.contrib) }
    }
}

/// Whether at least [`SPREAD`] of the evidence `sum` remains without the features of its
/// strongest word, a word repeated counting as one ("it's alright, it's alright, it's alright"
/// is one word's evidence, not three). `touch` holds each occurrence's share.
fn spread(words: &[Word], touch: &[f32], sum: f32, by_word: &mut Vec<(u64, f32)>) -> bool {
    let strongest_once = touch.iter().copied().fold(0.0f32, f32::max);
    if sum - strongest_once < SPREAD * sum {
        return false;
    }
    // Evidence spread over occurrences: add up each distinct word's shares (a share of 0, a
    // word the model does not know, changes no total: left out of the sort).
    by_word.clear();
    by_word.extend(words.iter().zip(touch).filter(|p| *p.1 != 0.0).map(|(w, &t)| (w.hash, t)));
    by_word.sort_unstable_by_key(|p| p.0);
    let mut strongest = 0.0f32;
    let mut i = 0;
    while i < by_word.len() {
        let (h, mut total) = by_word[i];
        i += 1;
        while i < by_word.len() && by_word[i].0 == h {
            total += by_word[i].1;
            i += 1;
        }
        strongest = strongest.max(total);
    }
    sum - strongest >= SPREAD * sum
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl ModelRules {
    /// True when the config has no model rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The same rules reading `model` instead of their own file (for cross-validation).
    pub fn with_model(&self, model: &Arc<Model>) -> ModelRules {
        let rules = self
            .rules
            .iter()
            .filter_map(|r| {
                let label = model.label(&r.model.heads[r.label].name)?;
                Some(ModelRule { rule: r.rule, model: Arc::clone(model), label, min: r.min })
            })
            .collect();
        ModelRules { rules }
    }

    /// Adds the reason of every model rule that hits to `v` (in rule order) and recomputes the
    /// verdict. `norm` is the normalized form of `body`, the judged text. Time is linear in the
    /// number of words (at most [`features::MAX_WORDS`]).
    pub fn apply(
        &self,
        norm: &Normalized,
        body: &str,
        rules: &[RuleMeta],
        t: &Thresholds,
        v: &mut Verdict,
        scratch: &mut Scratch,
    ) {
        if self.rules.is_empty() || v.verdict == crate::verdict::Decision::Error {
            return;
        }
        features::words(&norm.text, &mut scratch.words);
        if scratch.words.len() < MIN_WORDS {
            return;
        }
        let mut added = false;
        // The features are looked up once per model (the rules usually share one), for all
        // its labels; the spread rule and the explanation run only for a rule that would hit.
        scratch.hit.clear();
        scratch.hit.extend(v.reasons.iter().map(|r| features::rule_hash(&r.rule)));
        let n_feats = feature_count(scratch.words.len());
        let mut gathered: Option<&Arc<Model>> = None;
        let mut split: Option<(bool, bool)> = None;
        for mr in &self.rules {
            if !gathered.is_some_and(|g| Arc::ptr_eq(g, &mr.model)) {
                let s = &mut *scratch;
                let kind = (mr.model.char_ngrams, mr.model.context);
                if mr.model.extras() && split != Some(kind) {
                    features::extras(&norm.text, &s.words, kind.0, kind.1, &mut s.grams);
                    split = Some(kind);
                }
                let grams: &[Gram] = if mr.model.extras() { &s.grams } else { &[] };
                mr.model.gather(&s.words, grams, &s.hit, &mut s.found, &mut s.sums, &mut s.totals);
                gathered = Some(&mr.model);
            }
            let grams: &[Gram] = if mr.model.extras() { &scratch.grams } else { &[] };
            let sum = scratch.sums.get(mr.label).copied().unwrap_or(0);
            let total = scratch.totals.get(mr.label).copied().unwrap_or(0);
            if sum <= 0 {
                continue;
            }
            let p = mr.model.probability(total, n_feats, mr.label);
            if p < mr.min || p <= 0.0 {
                continue;
            }
            mr.model.shares(&scratch.words, grams, &scratch.found, mr.label, &mut scratch.contrib, &mut scratch.push);
            if !spread(&scratch.words, &scratch.contrib, sum as f32, &mut scratch.by_word) {
                continue;
            }
            let Some(meta) = rules.get(mr.rule) else { continue };
            let found = phrases(&scratch.words, &scratch.push);
            let mut reason = reason(meta, &mr.model.heads[mr.label].name, p, mr.min, &found, norm, body);
            if meta.shadow {
                shadow(v, &mut reason, t);
            }
            insert(v, reason, rules, mr.rule);
            added = true;
        }
        if added {
            crate::decide::recompute(v, t);
        }
    }
}
