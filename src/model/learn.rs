//! `moderate learn`: train a model on labeled JSONL and measure it honestly.
//!
//! Every reported row is scored by a model trained without it (k-fold cross-validation, folds
//! fixed by a seed), and the report puts the rules alone next to the rules plus the config's
//! model rules reading that fold's model, with the same thresholds and the same grading the
//! engine applies. Files can be trained on without being reported (`--train-only`: data whose
//! numbers would flatter, or benign text) or reported without being trained on (`--score-only`:
//! data whose licence forbids training on it; the model trained on everything scores them), or
//! trained on in the folds only (`--cv-only`: the measure of a site that owns those labels; the
//! written model's weights never see them, though its calibration and recorded figures are
//! measured on fold models that did).
//! The model written is trained on every training row; its metadata records the files and the
//! model-alone cross-validated figures, and nothing that depends on the clock or the paths, so
//! the same files give the same bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use super::features::{extras, rule_hash, word_hash, words, Gram, FUNCTION_WORDS, GROUP_WORDS};
use super::format::Model;
use super::train::{train, Options, Sample, SplitMix};
use super::{sigmoid, ModelRule, ModelRules, Scratch, MIN_WORDS};
use crate::engine::Engine;
use crate::eval::{self, Counts, LabeledRow, Report};
use crate::rule::{RuleKind, RuleMeta, TextMode};
use crate::verdict::Verdict;

/// The labels a model may learn (those with both classes in the training rows get a head).
pub const LABELS: [&str; 5] = ["toxic", "profanity", "attack", "identity", "spam"];

/// Thresholds the model-alone curve is reported at.
pub const CURVE: [f64; 8] = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98];

/// The precision on held-back folds a suggested `min` must reach.
pub const TARGET_PRECISION: f64 = 0.9;

/// What a file is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Trained on (cross-validated) and reported.
    Both,
    /// Trained on, not reported.
    TrainOnly,
    /// Reported, never trained on.
    ScoreOnly,
    /// Trained on in the cross-validation folds and reported (each row scored by a fold model
    /// trained without it), but left out of the written model: how a site that owns its labels
    /// would measure `learn`, on data the shipped model may not be trained on.
    CvOnly,
}

impl Role {
    fn trains(self) -> bool {
        self != Role::ScoreOnly
    }
    /// Whether the written (full) model is trained on it.
    fn ships(self) -> bool {
        matches!(self, Role::Both | Role::TrainOnly)
    }
    fn reports(self) -> bool {
        self != Role::TrainOnly
    }
    fn as_str(self) -> &'static str {
        match self {
            Role::Both => "train+report",
            Role::TrainOnly => "train",
            Role::ScoreOnly => "report",
            Role::CvOnly => "cv-folds+report",
        }
    }
}

/// One labeled input.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its name in reports and in the model's metadata (the file name).
    pub name: String,
    /// Its rows.
    pub rows: Vec<LabeledRow>,
    /// What it is used for.
    pub role: Role,
}

/// What `learn` found.
#[derive(Debug)]
pub struct Outcome {
    /// The model trained on every training row.
    pub model: Model,
    /// Per reported file, then pooled (when more than one): the rules alone.
    pub alone: Vec<Report>,
    /// The same with the model rules (cross-validated).
    pub with_model: Vec<Report>,
    /// Per head: model-alone cross-validated counts at each [`CURVE`] threshold (reported rows
    /// carrying the label).
    pub curves: Vec<(String, Vec<Counts>)>,
    /// The model-alone figure recorded in the file and compared before overwriting one: the
    /// mean over heads of the best cross-validated F1 along the curve.
    pub score: f64,
    /// Per head: the lowest `min` (in steps of 0.01) whose model-alone precision on the
    /// reported rows, cross-validated, reaches [`TARGET_PRECISION`], with its recall.
    pub suggested: Vec<(String, Option<(f64, f64)>)>,
    /// The reported rows as a second stage would see them ([`super::stack`]).
    pub stack: Vec<super::stack::Row>,
    /// The heads' names, in the model's order.
    pub heads: Vec<String>,
    /// The folds.
    pub folds: usize,
}

/// The labels that make a row abuse (what the `toxic` head learns); `spam` is not one of them.
const ABUSE: [&str; 4] = ["profanity", "attack", "identity", "threat"];

/// A row's target for the head `label`, with `toxic: false` meaning "none of them".
///
/// A row whose only positive label is `spam` is no evidence for the `toxic` head either way:
/// the datasets count spam as toxic (youtube-spam maps `CLASS` 1 to both), and a toxic head
/// trained on it learned links and "com" as abuse, so a comment citing a news site was held as
/// "abusive" with `https://www` as the reason. Spam has its own head and the link rules.
fn label_of(row: &LabeledRow, label: &str) -> Option<bool> {
    let only_spam =
        || row.labels.get("spam") == Some(&true) && !ABUSE.iter().any(|l| row.labels.get(*l) == Some(&true));
    if label == "toxic" && only_spam() {
        return None;
    }
    row.labels.get(label).copied().or_else(|| (row.labels.get("toxic") == Some(&false)).then_some(false))
}

/// Trains and cross-validates. `folds` ≥ 2.
pub fn learn(engine: &Engine, inputs: &[Input], opts: &Options, folds: usize) -> Result<Outcome, String> {
    let folds = folds.max(2);
    // Samples of every row of every file, in input order.
    // The rules alone judge every row once: their verdicts are the "rules alone" column and,
    // with `rule_features`, the rules that hit are features of the row.
    let bare = engine.with_models(ModelRules::default());
    let verdicts: Vec<Vec<Verdict>> = inputs.iter().map(|input| eval::judge_all(&bare, &input.rows)).collect();
    let mut samples = Vec::new();
    let mut origin = Vec::new(); // (input, row)
                                 // Whether the rules alone allow the row (`--residual` trains only on those).
    let mut allowed = Vec::new();
    let mut ws = Vec::new();
    let mut hit = Vec::new();
    let mut gs: Vec<Gram> = Vec::new();
    let norms: Vec<Vec<String>> =
        inputs.iter().map(|i| i.rows.iter().map(|r| engine.normalize(&r.comment.body).text).collect()).collect();
    // With character n-grams: the words of every input (and the listed group and function
    // words); an n-gram whose letters spell one of them is never a feature, so "cocktail" and
    // "Scunthorpe" cannot carry the evidence of a word inside them.
    let spelled: std::collections::HashSet<u64> = if opts.char_ngrams {
        let mut set: std::collections::HashSet<u64> =
            GROUP_WORDS.iter().chain(FUNCTION_WORDS.iter()).map(|w| word_hash(w)).collect();
        for text in norms.iter().flatten() {
            words(text, &mut ws);
            set.extend(ws.iter().map(|w| w.hash));
        }
        set
    } else {
        Default::default()
    };
    for (g, input) in inputs.iter().enumerate() {
        for (r, row) in input.rows.iter().enumerate() {
            words(&norms[g][r], &mut ws);
            extras(&norms[g][r], &ws, opts.char_ngrams, opts.context, &mut gs);
            gs.retain(|x| x.letters == 0 || !spelled.contains(&x.letters));
            rule_hits(opts, &verdicts[g][r], &mut hit);
            let labels = LABELS.iter().map(|l| label_of(row, l)).collect();
            samples.push(Sample::with_grams(&ws, &gs, &hit, labels, g as u32));
            origin.push((g, r));
            allowed.push(!verdicts[g][r].verdict.is_deny());
        }
    }
    let training: Vec<usize> = (0..samples.len()).filter(|&i| inputs[origin[i].0].role.trains()).collect();
    // The rows the models learn from: every training row, or with `residual` those the rules
    // allow (the only ones where a flag-only model can change a verdict).
    let fits = |i: usize| !opts.residual || allowed[i];
    // Rows the written model is trained on (not the `CvOnly` ones).
    let shipped: Vec<bool> = origin.iter().map(|&(g, _)| inputs[g].role.ships()).collect();
    if !training.iter().any(|&i| shipped[i]) {
        return Err("nothing to train the written model on: every training file is --cv-only".into());
    }
    // Heads: labels with both classes among the rows the written model is trained on.
    let heads: Vec<usize> = (0..LABELS.len())
        .filter(|&l| {
            let has = |y| training.iter().any(|&i| shipped[i] && samples[i].labels[l] == Some(y));
            has(true) && has(false)
        })
        .collect();
    if heads.is_empty() {
        return Err("no label has both positive and negative training rows: nothing to learn".into());
    }
    let names: Vec<String> = heads.iter().map(|&l| LABELS[l].to_string()).collect();
    for s in &mut samples {
        s.labels = heads.iter().map(|&l| s.labels[l]).collect();
    }
    // Folds: a seeded shuffle of the training rows, dealt round-robin.
    let mut order = training.clone();
    let mut rng = SplitMix(opts.seed ^ 0xf01d);
    for i in (1..order.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let mut fold_of = vec![usize::MAX; samples.len()];
    for (k, &i) in order.iter().enumerate() {
        fold_of[i] = k % folds;
    }
    // Fold models and the full model, trained in parallel (each one deterministic alone).
    let jobs: Vec<Option<usize>> = (0..folds).map(Some).chain([None]).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, jobs.len());
    let mut models: Vec<Option<Model>> = vec![None; jobs.len()];
    std::thread::scope(|s| {
        let samples = &samples;
        let training = &training;
        let shipped = &shipped;
        let fold_of = &fold_of;
        let names = &names;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let jobs = &jobs;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for (j, job) in jobs.iter().enumerate().skip(t).step_by(threads) {
                        let rows: Vec<usize> = match job {
                            Some(k) => training.iter().copied().filter(|&i| fold_of[i] != *k && fits(i)).collect(),
                            None => training.iter().copied().filter(|&i| shipped[i] && fits(i)).collect(),
                        };
                        out.push((j, train(samples, &rows, names, opts, String::new())));
                    }
                    out
                })
            })
            .collect();
        for h in handles {
            if let Ok(done) = h.join() {
                for (j, m) in done {
                    models[j] = Some(m);
                }
            }
        }
    });
    let mut models: Vec<Model> =
        models.into_iter().map(|m| m.ok_or("a training thread failed")).collect::<Result<_, _>>()?;
    // Calibration (Platt) per head on the held-back evidence: each training row scored by the
    // model trained without its fold. The same slope and intercept go to every model.
    let mut held: Vec<Vec<(f64, bool)>> = vec![Vec::new(); names.len()];
    for &i in training.iter().filter(|&&i| fits(i)) {
        for (l, h) in held.iter_mut().enumerate() {
            if let Some(y) = samples[i].labels[l] {
                h.push((models[fold_of[i]].evidence_of(&samples[i].feats, samples[i].word_feats(), l), y));
            }
        }
    }
    for (l, h) in held.iter().enumerate() {
        let (a, b) = platt(h);
        for m in &mut models {
            m.heads[l].slope = a as f32;
            m.heads[l].bias = b as f32;
        }
    }
    let models: Vec<Arc<Model>> = models.into_iter().map(Arc::new).collect();
    let full = &models[folds];

    // The model rules measured: the config's, else one per head (min 0.5, category = label).
    let mut rules: Vec<RuleMeta> = engine.rules().to_vec();
    let configured = engine.models();
    let flag = engine.thresholds().flag;
    let template = if configured.is_empty() {
        let mut mr = ModelRules::default();
        for (l, name) in names.iter().enumerate() {
            mr.rules.push(ModelRule { rule: rules.len(), model: Arc::clone(full), label: l, min: 0.5 });
            rules.push(RuleMeta {
                id: format!("model.{name}"),
                category: name.clone(),
                action: None,
                score: flag,
                message: format!("the model reads this as {name}"),
                explanation: None,
                kind: RuleKind::Signal,
                text: TextMode::Normalized,
                shadow: false,
            });
        }
        mr
    } else {
        configured.clone()
    };
    let per_model: Vec<ModelRules> = models.iter().map(|m| template.with_model(m)).collect();
    let t = *engine.thresholds();

    let mut alone = Vec::new();
    let mut with_model = Vec::new();
    let mut pooled_a = Report { name: "pooled".into(), ..Report::default() };
    let mut pooled_m = Report { name: "pooled".into(), ..Report::default() };
    let mut curves: Vec<Vec<Counts>> = vec![vec![Counts::default(); CURVE.len()]; names.len()];
    let mut fine: Vec<Vec<Counts>> = vec![vec![Counts::default(); FINE.len()]; names.len()];
    let mut base = 0usize;
    let mut scratch = Scratch::default();
    let mut touch = Vec::new();
    // The rule categories, for the second stage's inputs.
    let mut categories: Vec<&str> = bare.rules().iter().map(|r| r.category.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    let mut stack = Vec::new();
    for (g, input) in inputs.iter().enumerate() {
        let n = input.rows.len();
        if input.role.reports() {
            let verdicts = &verdicts[g];
            let mut plus: Vec<Verdict> = Vec::with_capacity(n);
            for (r, (row, v)) in input.rows.iter().zip(verdicts.iter()).enumerate() {
                let i = base + r;
                let m = if fold_of[i] == usize::MAX { folds } else { fold_of[i] };
                let norm = engine.normalize(&row.comment.body);
                let mut v = v.clone();
                per_model[m].apply(&norm, &row.comment.body, &rules, &t, &mut v, &mut scratch);
                words(&norm.text, &mut ws);
                extras(&norm.text, &ws, opts.char_ngrams, opts.context, &mut gs);
                rule_hits(opts, &verdicts[r], &mut hit);
                plus.push(v);
                let rv = &verdicts[r];
                let mut srow = super::stack::Row {
                    fold: (m < folds).then_some(m),
                    denied: rv.verdict.is_deny(),
                    blocked: rv.verdict == crate::verdict::Decision::Block,
                    rules: std::iter::once(rv.score.min(3.0))
                        .chain(
                            categories.iter().map(|c| f64::from(u8::from(rv.reasons.iter().any(|x| x.category == *c)))),
                        )
                        .collect(),
                    p: Vec::with_capacity(names.len()),
                    y: Vec::with_capacity(names.len()),
                    raw: (0..names.len())
                        .map(|l| {
                            let h = &models[m].heads[l];
                            let e = models[m].evidence_of(&samples[i].feats, samples[i].word_feats(), l);
                            sigmoid(f64::from(h.slope) * e + f64::from(h.bias))
                        })
                        .collect(),
                };
                for (l, name) in names.iter().enumerate() {
                    let p =
                        if ws.len() < MIN_WORDS { 0.0 } else { models[m].judge_grams(&ws, &gs, &hit, l, &mut touch) };
                    srow.p.push(p);
                    srow.y.push(row.labels.get(name).copied());
                    // The suggested `min` is measured against what the head learns.
                    let Some(y) = label_of(row, name) else { continue };
                    for (c, th) in curves[l].iter_mut().zip(CURVE) {
                        count(c, p > 0.0 && p >= th, y);
                    }
                    for (c, th) in fine[l].iter_mut().zip(FINE) {
                        count(c, p > 0.0 && p >= th, y);
                    }
                }
                stack.push(srow);
            }
            let a = eval::score(&input.name, &input.rows, verdicts, &bare, 0);
            let b = eval::score(&input.name, &input.rows, &plus, engine, 0);
            eval::merge(&mut pooled_a, &a, 0);
            eval::merge(&mut pooled_m, &b, 0);
            alone.push(a);
            with_model.push(b);
        }
        base += n;
    }
    if alone.len() > 1 {
        alone.push(pooled_a);
        with_model.push(pooled_m);
    }
    let suggested: Vec<(String, Option<(f64, f64)>)> = names
        .iter()
        .zip(&fine)
        .map(|(name, c)| {
            let at = c.iter().zip(FINE).find(|(c, _)| c.tp >= 10 && c.precision() >= TARGET_PRECISION);
            (name.clone(), at.map(|(c, th)| (th, c.recall())))
        })
        .collect();
    let best: Vec<f64> = curves.iter().map(|c| c.iter().map(Counts::f1).fold(0.0, f64::max)).collect();
    let score = best.iter().sum::<f64>() / best.len().max(1) as f64;
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    let cv: BTreeMap<&str, serde_json::Value> = names
        .iter()
        .zip(&curves)
        .map(|(name, c)| {
            let pts: Vec<serde_json::Value> = c
                .iter()
                .zip(CURVE)
                .map(|(c, th)| json!({"min": th, "precision": round(c.precision()), "recall": round(c.recall())}))
                .collect();
            (name.as_str(), json!(pts))
        })
        .collect();
    let files: Vec<serde_json::Value> =
        inputs.iter().map(|i| json!({"file": i.name, "rows": i.rows.len(), "role": i.role.as_str()})).collect();
    let min_for: BTreeMap<&str, Option<f64>> =
        suggested.iter().map(|(n, s)| (n.as_str(), s.map(|(th, _)| (th * 100.0).round() / 100.0))).collect();
    let mut options = json!({"bits": opts.bits, "epochs": opts.epochs, "rate": opts.rate, "l2": opts.l2, "seed": opts.seed, "max_weight": opts.max_weight, "min_support": opts.min_support, "rule_features": opts.rule_features, "char_ngrams": opts.char_ngrams, "context": opts.context});
    if opts.residual {
        options["residual"] = json!(true);
    }
    let meta = json!({
        "model": "logistic regression per label over hashed word unigrams and bigrams of the normalized text and the ids of the rules that hit; group names read as one placeholder whose features weigh at most 0",
        "calibration": "Platt on out-of-fold evidence (no intercept in the evidence; evidence <= 0 never hits)",
        "files": files,
        "folds": folds,
        "options": options,
        "min_words": MIN_WORDS,
        "score": round(score),
        "cv_model_alone": cv,
        "min_for_precision": {"target": TARGET_PRECISION, "min": min_for},
    });
    let mut model = (**full).clone();
    model.meta = meta.to_string();
    Ok(Outcome {
        model,
        alone,
        with_model,
        curves: names.iter().cloned().zip(curves).collect(),
        score: round(score),
        suggested,
        stack,
        heads: names,
        folds,
    })
}

/// The rule-hit features of a row the rules judged `v` (none without `rule_features`).
fn rule_hits(opts: &Options, v: &Verdict, out: &mut Vec<u64>) {
    out.clear();
    if opts.rule_features {
        out.extend(v.reasons.iter().map(|r| rule_hash(&r.rule)));
    }
}

/// The thresholds a suggested `min` is searched over: 0.50 to 0.99 by 0.01.
const FINE: [f64; 50] = {
    let mut t = [0.0; 50];
    let mut i = 0;
    while i < 50 {
        t[i] = 0.5 + i as f64 / 100.0;
        i += 1;
    }
    t
};

/// Platt scaling: the slope and intercept minimizing the log loss of sigmoid(a·z + b) on the
/// points (z, label), with Platt's smoothed targets; Newton's method from (1, 0), a fixed
/// number of steps, so it is deterministic. The slope is kept positive (more evidence never
/// lowers the probability).
pub fn platt(points: &[(f64, bool)]) -> (f64, f64) {
    let pos = points.iter().filter(|p| p.1).count() as f64;
    let neg = points.len() as f64 - pos;
    let (t1, t0) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for &(z, y) in points {
            let p = sigmoid(a * z + b);
            let d = p - if y { t1 } else { t0 };
            let w = (p * (1.0 - p)).max(1e-12);
            ga += d * z;
            gb += d;
            haa += w * z * z;
            hab += w * z;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let da = ((hbb * ga - hab * gb) / det).clamp(-5.0, 5.0);
        let db = ((haa * gb - hab * ga) / det).clamp(-5.0, 5.0);
        a -= da;
        b -= db;
        if da.abs() + db.abs() < 1e-10 {
            break;
        }
    }
    (a.max(0.01), b)
}

fn count(c: &mut Counts, predicted: bool, label: bool) {
    match (predicted, label) {
        (true, true) => c.tp += 1,
        (true, false) => c.fp += 1,
        (false, true) => c.fn_ += 1,
        (false, false) => c.tn += 1,
    }
}

/// The `score` recorded in a model's metadata, if any.
pub fn recorded_score(model: &Model) -> Option<f64> {
    serde_json::from_str::<serde_json::Value>(&model.meta).ok()?.get("score")?.as_f64()
}
