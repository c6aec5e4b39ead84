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
//! - [`train`]: deterministic training; [`learn`]: cross-validation for `moderate learn`.

pub mod features;
pub mod format;
pub mod learn;
pub mod train;

use std::sync::Arc;

use crate::decide::Thresholds;
use crate::normalize::Normalized;
use crate::rule::RuleMeta;
use crate::verdict::{Reason, Span, Verdict};
use features::{feature_count, for_each_feature_with, Gram, Word};
pub use format::Model;

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
                // Up to 8 labels: one u64, unpacked in a fixed loop.
                for (l, a) in acc.iter_mut().take(8).enumerate() {
                    let w = i64::from((p >> (8 * l)) as u8 as i8);
                    *a += if capped { w.min(0) } else { w };
                }
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

    /// Each word's share of `label`'s evidence (a bigram's weight counting for both its words),
    /// into `touch`, from the features [`Model::gather`] found.
    fn touch(&self, words: &[Word], grams: &[Gram], found: &[u32], label: usize, touch: &mut Vec<f32>) {
        touch.clear();
        touch.resize(words.len(), 0.0);
        let mut k = 0;
        features::for_each_place(words, grams, |i, j| {
            let at = found.get(k).copied().unwrap_or(UNKNOWN);
            k += 1;
            if at == UNKNOWN {
                return;
            }
            let mut w = format::unpack(self.table().at(at), label);
            if features::capped(words, i, j) {
                w = w.min(0);
            }
            touch[i] += f32::from(w);
            if i != j {
                touch[j] += f32::from(w);
            }
        });
    }

    /// [`Model::contributions_with`] from the features [`Model::gather`] found (no second
    /// lookup).
    fn contributions_found(&self, words: &[Word], grams: &[Gram], found: &[u32], label: usize, out: &mut Vec<f32>) {
        out.clear();
        out.resize(words.len(), 0.0);
        let x = self.heads[label].slope / (feature_count(words.len()).max(1) as f32).sqrt();
        let scale = self.heads[label].scale;
        let mut k = 0;
        features::for_each_place(words, grams, |i, j| {
            let at = found.get(k).copied().unwrap_or(UNKNOWN);
            k += 1;
            if at == UNKNOWN {
                return;
            }
            let mut w = f32::from(format::unpack(self.table().at(at), label)) * scale * x;
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
    // Evidence spread over occurrences: add up each distinct word's shares.
    by_word.clear();
    by_word.extend(words.iter().zip(touch).map(|(w, &t)| (w.hash, t)));
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

/// Groups the words that pushed the score up into phrases: consecutive words each contributing
/// at least a quarter of the strongest word's push, highest total first, at most
/// [`MAX_PHRASES`].
fn phrases(words: &[Word], contrib: &[f32]) -> Vec<(std::ops::Range<usize>, f32)> {
    let top = contrib.iter().copied().fold(0.0f32, f32::max);
    if top <= 0.0 {
        return Vec::new();
    }
    let cut = (top * 0.25).max(0.02);
    let mut out: Vec<(std::ops::Range<usize>, f32)> = Vec::new();
    let mut open: Option<(usize, usize, f32)> = None;
    for (i, (w, &c)) in words.iter().zip(contrib).enumerate() {
        if c >= cut {
            open = Some(match open {
                Some((s, _, sum)) => (s, i, sum + c),
                None => (i, i, c),
            });
            let _ = w;
        } else if let Some((s, e, sum)) = open.take() {
            out.push((words[s].start as usize..words[e].end as usize, sum));
        }
    }
    if let Some((s, e, sum)) = open {
        out.push((words[s].start as usize..words[e].end as usize, sum));
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.start.cmp(&b.0.start)));
    out.truncate(MAX_PHRASES);
    out
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
            mr.model.touch(&scratch.words, grams, &scratch.found, mr.label, &mut scratch.contrib);
            if !spread(&scratch.words, &scratch.contrib, sum as f32, &mut scratch.by_word) {
                continue;
            }
            let Some(meta) = rules.get(mr.rule) else { continue };
            mr.model.contributions_found(&scratch.words, grams, &scratch.found, mr.label, &mut scratch.contrib);
            let found = phrases(&scratch.words, &scratch.contrib);
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

fn reason(
    meta: &RuleMeta,
    label: &str,
    p: f64,
    min: f64,
    found: &[(std::ops::Range<usize>, f32)],
    norm: &Normalized,
    body: &str,
) -> Reason {
    let mut words = Vec::new();
    let mut matches: Vec<Span> = Vec::new();
    for (r, c) in found {
        let o = trim(body, norm.original_range(r.start, r.end));
        let text = body.get(o.clone()).unwrap_or_default();
        let shown: String = text.chars().take(40).collect();
        words.push(format!("{shown:?} {c:+.2}"));
        if !o.is_empty() {
            matches.push(Span { start: o.start, end: o.end, text: text.to_string() });
        }
    }
    matches.sort_by_key(|m| (m.start, m.end));
    matches.dedup_by(|b, a| b.start < a.end);
    let message = format!("{} (model: {label} p={p:.2} ≥ {min}; words: {})", meta.message, words.join(", "));
    Reason {
        rule: meta.id.clone(),
        category: meta.category.clone(),
        action: meta.action,
        score: meta.score,
        message,
        matches,
        counted_by: None,
        match_count: None,
        shadow: None,
    }
}

fn trim(body: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(s) = body.get(r.clone()) else { return r.start..r.start };
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail >= s.len() {
        return r;
    }
    r.start + lead..r.end - trail
}

/// Inserts `reason` among `v.reasons` in rule order; if every one of its matches lies on words
/// a scored reason already counted, it adds 0 and names that reason's rule (`counted_by`).
/// A shadow model rule (`mode = "shadow"`) is reported, never enforced: its score and action
/// move into the reason's `shadow`, with the verdict the comment would get if it were enforced.
fn shadow(v: &Verdict, reason: &mut Reason, t: &Thresholds) {
    let by_score = crate::decide::decision_for_score(v.score + reason.score, t);
    let by_action = reason.action.map(|a| a.decision()).unwrap_or(crate::verdict::Decision::Allow);
    let verdict = v.verdict.max(by_score).max(by_action);
    reason.shadow = Some(crate::verdict::Shadow { action: reason.action, score: reason.score, verdict });
    reason.score = 0.0;
    reason.action = None;
}

fn insert(v: &mut Verdict, mut reason: Reason, rules: &[RuleMeta], rule: usize) {
    if reason.score > 0.0 && !reason.matches.is_empty() {
        let covering = |m: &Span| {
            v.reasons.iter().find(|r| r.score > 0.0 && r.matches.iter().any(|o| m.start < o.end && o.start < m.end))
        };
        let by: Option<Vec<&Reason>> = reason.matches.iter().map(covering).collect();
        if let Some(first) = by.as_ref().and_then(|b| b.first()) {
            reason.counted_by = Some(first.rule.clone());
            reason.score = 0.0;
        }
    }
    let index_of = |id: &str| rules.iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    let at = v.reasons.iter().position(|r| index_of(&r.rule) > rule).unwrap_or(v.reasons.len());
    v.reasons.insert(at, reason);
}
