//! `moderate learn`: train a model on labeled JSONL and measure it honestly.
//!
//! Every reported row is scored by a model trained without it (k-fold cross-validation, folds
//! fixed by a seed), and the report puts the rules alone next to the rules plus the config's
//! model rules reading that fold's model, with the same thresholds and the same grading the
//! engine applies. Files can be trained on without being reported (`--train-only`: data whose
//! numbers would flatter, or benign text) or reported without being trained on (`--score-only`:
//! data whose licence forbids training on it; the model trained on everything scores them).
//! The model written is trained on every training row; its metadata records the files and the
//! model-alone cross-validated figures, and nothing that depends on the clock or the paths, so
//! the same files give the same bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use super::features::words;
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

/// What a file is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Trained on (cross-validated) and reported.
    Both,
    /// Trained on, not reported.
    TrainOnly,
    /// Reported, never trained on.
    ScoreOnly,
}

impl Role {
    fn trains(self) -> bool {
        self != Role::ScoreOnly
    }
    fn reports(self) -> bool {
        self != Role::TrainOnly
    }
    fn as_str(self) -> &'static str {
        match self {
            Role::Both => "train+report",
            Role::TrainOnly => "train",
            Role::ScoreOnly => "report",
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
}

/// A row's label for `label`, with `toxic: false` meaning "none of them".
fn label_of(row: &LabeledRow, label: &str) -> Option<bool> {
    row.labels.get(label).copied().or_else(|| (row.labels.get("toxic") == Some(&false)).then_some(false))
}

/// Trains and cross-validates. `folds` ≥ 2.
pub fn learn(engine: &Engine, inputs: &[Input], opts: &Options, folds: usize) -> Result<Outcome, String> {
    let folds = folds.max(2);
    // Samples of every row of every file, in input order.
    let mut samples = Vec::new();
    let mut origin = Vec::new(); // (input, row)
    let mut ws = Vec::new();
    for (g, input) in inputs.iter().enumerate() {
        for (r, row) in input.rows.iter().enumerate() {
            let norm = engine.normalize(&row.comment.body);
            words(&norm.text, &mut ws);
            let labels = LABELS.iter().map(|l| label_of(row, l)).collect();
            samples.push(Sample::new(&ws, opts.bits, labels, g as u32));
            origin.push((g, r));
        }
    }
    let training: Vec<usize> = (0..samples.len()).filter(|&i| inputs[origin[i].0].role.trains()).collect();
    // Heads: labels with both classes among the training rows.
    let heads: Vec<usize> = (0..LABELS.len())
        .filter(|&l| {
            let has = |y| training.iter().any(|&i| samples[i].labels[l] == Some(y));
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
        let fold_of = &fold_of;
        let names = &names;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let jobs = &jobs;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for (j, job) in jobs.iter().enumerate().skip(t).step_by(threads) {
                        let rows: Vec<usize> = match job {
                            Some(k) => training.iter().copied().filter(|&i| fold_of[i] != *k).collect(),
                            None => training.clone(),
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
    let models: Vec<Arc<Model>> =
        models.into_iter().map(|m| m.map(Arc::new).ok_or("a training thread failed")).collect::<Result<_, _>>()?;
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
    let bare = engine.with_models(ModelRules::default());
    let t = *engine.thresholds();

    let mut alone = Vec::new();
    let mut with_model = Vec::new();
    let mut pooled_a = Report { name: "pooled".into(), ..Report::default() };
    let mut pooled_m = Report { name: "pooled".into(), ..Report::default() };
    let mut curves: Vec<Vec<Counts>> = vec![vec![Counts::default(); CURVE.len()]; names.len()];
    let mut base = 0usize;
    let mut scratch = Scratch::default();
    for input in inputs {
        let n = input.rows.len();
        if input.role.reports() {
            let verdicts = eval::judge_all(&bare, &input.rows);
            let mut plus: Vec<Verdict> = Vec::with_capacity(n);
            for (r, (row, v)) in input.rows.iter().zip(&verdicts).enumerate() {
                let i = base + r;
                let m = if fold_of[i] == usize::MAX { folds } else { fold_of[i] };
                let norm = engine.normalize(&row.comment.body);
                let mut v = v.clone();
                per_model[m].apply(&norm, &row.comment.body, &rules, &t, &mut v, &mut scratch);
                plus.push(v);
                words(&norm.text, &mut ws);
                for (l, name) in names.iter().enumerate() {
                    let Some(&y) = row.labels.get(name) else { continue };
                    let p = if ws.len() < MIN_WORDS { 0.0 } else { sigmoid(models[m].logit(&ws, l)) };
                    for (c, th) in curves[l].iter_mut().zip(CURVE) {
                        count(c, p >= th, y);
                    }
                }
            }
            let a = eval::score(&input.name, &input.rows, &verdicts, &bare, 0);
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
    let meta = json!({
        "model": "logistic regression per label over hashed word unigrams and bigrams of the normalized text",
        "files": files,
        "folds": folds,
        "options": {"bits": opts.bits, "epochs": opts.epochs, "rate": opts.rate, "l2": opts.l2, "seed": opts.seed, "max_weight": opts.max_weight},
        "min_words": MIN_WORDS,
        "score": round(score),
        "cv_model_alone": cv,
    });
    let mut model = (**full).clone();
    model.meta = meta.to_string();
    Ok(Outcome { model, alone, with_model, curves: names.into_iter().zip(curves).collect(), score: round(score) })
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
