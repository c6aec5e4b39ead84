//! `learn --stack-report`: what a second stage over the model's score **and the rules'
//! evidence** would add (measured, not shipped; docs/model.md, eighth session).
//!
//! The model and the rules are judged together, but the model reads the rules only as one
//! feature per rule id, summed with the words and divided by the sentence's length. A second
//! stage sees them apart: per label, a small logistic regression whose inputs are every head's
//! calibrated logit (0 when the head's words carry no positive, spread evidence), the rules'
//! score and which rule categories hit. It is fitted on held-back folds only (a row's stage is
//! fitted on the other folds' rows; a `--score-only` file's on every fold's), on the rows where it
//! could act: the rules allow the comment and the head's own words evidence is positive and
//! spread (so every safety mechanism of the model still gates it, and it still only flags).
//!
//! Both the first stage alone and the second stage are then graded the same way: added to the
//! rules' denials, at the lowest threshold whose precision **on the rows it adds** reaches a
//! target, pooled deny P / R / F1 over the reported rows carrying the label.

use std::fmt::Write as _;

use crate::eval::Counts;

/// One reported row, as the stage sees it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The fold whose model scored the row; `None` for a row no fold trained on.
    pub fold: Option<usize>,
    /// The rules alone deny it.
    pub denied: bool,
    /// The rules alone block it.
    pub blocked: bool,
    /// The rules' evidence: their score and one 0/1 per rule category (in the caller's order).
    pub rules: Vec<f64>,
    /// Per head: the cross-validated probability (0: no positive, spread evidence).
    pub p: Vec<f64>,
    /// Per head: the label, if the row carries it.
    pub y: Vec<Option<bool>>,
    /// Per head: the calibrated probability without the safety gates (positive, spread words'
    /// evidence; 3+ words): a bound on what the gates cost, never used to flag.
    pub raw: Vec<f64>,
}

/// The added-precision targets a threshold is picked at.
pub const TARGETS: [f64; 5] = [0.9, 0.8, 0.7, 0.6, 0.5];

/// Thresholds searched: 0.01 to 0.99.
fn steps() -> impl Iterator<Item = f64> {
    (1..100).map(|i| f64::from(i) / 100.0)
}

fn logit(p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// The stage's inputs for a row: bias, every head's logit and "has evidence", the rules'
/// evidence, and the label's own logit times "a rule hit".
fn inputs(row: &Row, head: usize) -> Vec<f64> {
    let mut x = vec![1.0];
    for &p in &row.p {
        x.push(logit(p));
        x.push(f64::from(u8::from(p > 0.0)));
    }
    x.extend_from_slice(&row.rules);
    let any = f64::from(u8::from(row.rules.iter().skip(1).any(|&c| c > 0.0)));
    x.push(any);
    x.push(any * logit(row.p[head]));
    x
}

/// Logistic regression by Newton's method with an L2 penalty `ridge` on every weight but the
/// first (the bias): a fixed number of steps, deterministic.
pub fn fit(xs: &[Vec<f64>], ys: &[bool], ridge: f64) -> Vec<f64> {
    let d = xs.first().map_or(0, Vec::len);
    let mut w = vec![0.0; d];
    if d == 0 {
        // Nothing to fit (no row the stage could act on): weights 0, probability 0.5.
        return w;
    }
    for _ in 0..30 {
        let mut g = vec![0.0; d];
        let mut h = vec![vec![0.0; d]; d];
        for (x, &y) in xs.iter().zip(ys) {
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = super::sigmoid(z);
            let r = p - f64::from(u8::from(y));
            let s = (p * (1.0 - p)).max(1e-9);
            for i in 0..d {
                g[i] += r * x[i];
                for j in 0..d {
                    h[i][j] += s * x[i] * x[j];
                }
            }
        }
        for i in 1..d {
            g[i] += ridge * w[i];
            h[i][i] += ridge;
        }
        h[0][0] += 1e-9;
        let Some(step) = solve(h, g) else { break };
        let mut moved = 0.0;
        for (wi, si) in w.iter_mut().zip(&step) {
            *wi -= si.clamp(-5.0, 5.0);
            moved += si.abs();
        }
        if moved < 1e-9 {
            break;
        }
    }
    w
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let piv = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, piv);
        b.swap(c, piv);
        let (top, below) = a.split_at_mut(c + 1);
        let pivot = &top[c];
        for (k, row) in below.iter_mut().enumerate() {
            let f = row[c] / pivot[c];
            for (x, p) in row[c..n].iter_mut().zip(&pivot[c..n]) {
                *x -= f * p;
            }
            b[c + 1 + k] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Whether the stage may act on `row` for `head`: the rules allow it and the head's words
/// carry positive, spread evidence.
fn acts(row: &Row, head: usize) -> bool {
    !row.denied && row.p[head] > 0.0
}

/// Per row, the second stage's held-back probability for `head` (`None` where it cannot act).
pub fn second_stage(rows: &[Row], head: usize, folds: usize) -> Vec<Option<f64>> {
    let fitted: Vec<Vec<f64>> = (0..=folds)
        .map(|k| {
            let (xs, ys): (Vec<Vec<f64>>, Vec<bool>) = rows
                .iter()
                .filter(|r| r.fold.is_some_and(|f| f != k) && acts(r, head))
                .filter_map(|r| r.y[head].map(|y| (inputs(r, head), y)))
                .unzip();
            fit(&xs, &ys, 1.0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            if !acts(r, head) {
                return None;
            }
            let w = &fitted[r.fold.unwrap_or(folds)];
            let z: f64 = inputs(r, head).iter().zip(w).map(|(a, b)| a * b).sum();
            Some(super::sigmoid(z))
        })
        .collect()
}

/// One grading: the pooled counts with the rows whose score reaches `th` added to the rules'
/// denials, and the counts of the added rows alone.
fn graded(rows: &[Row], head: usize, score: &[Option<f64>], th: f64) -> (Counts, Counts) {
    let (mut all, mut added) = (Counts::default(), Counts::default());
    for (r, s) in rows.iter().zip(score) {
        let Some(y) = r.y[head] else { continue };
        let add = !r.denied && s.is_some_and(|s| s >= th);
        all.add(r.denied || add, y);
        if !r.denied {
            added.add(add, y);
        }
    }
    (all, added)
}

/// Per target of [`TARGETS`], then the best F1 at any threshold: the threshold, the pooled
/// counts and the added rows' counts.
pub fn curve(rows: &[Row], head: usize, score: &[Option<f64>]) -> Vec<Option<(f64, Counts, Counts)>> {
    let all: Vec<(f64, Counts, Counts)> = steps()
        .map(|th| {
            let (a, b) = graded(rows, head, score, th);
            (th, a, b)
        })
        .collect();
    let mut out: Vec<Option<(f64, Counts, Counts)>> =
        TARGETS.iter().map(|&t| all.iter().find(|(_, _, b)| b.tp >= 10 && b.precision() >= t).cloned()).collect();
    out.push(all.iter().max_by(|a, b| a.1.f1().total_cmp(&b.1.f1())).cloned());
    out
}

/// The other direction, measured only: the rules' flags (never their blocks) kept only where
/// the ungated model's probability for head `by` reaches `th`; pooled deny counts for `head`.
pub fn veto(rows: &[Row], by: usize, th: f64, head: usize) -> (Counts, u64) {
    let (mut c, mut dropped) = (Counts::default(), 0);
    for r in rows {
        let Some(y) = r.y[head] else { continue };
        let keep = r.blocked || (r.denied && r.raw.get(by).is_some_and(|&p| p >= th));
        dropped += u64::from(r.denied && !keep);
        c.add(keep, y);
    }
    (c, dropped)
}

/// Thresholds the veto is reported at.
pub const VETO: [f64; 5] = [0.1, 0.2, 0.3, 0.4, 0.5];

/// The report: per head, rules alone, then the first stage alone and the second stage at each
/// target.
pub fn report(rows: &[Row], heads: &[String], folds: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nsecond stage (model score + rules' evidence, fitted on held-back folds; acts only where the rules allow and the head's words carry positive, spread evidence), pooled deny P / R / F1 (threshold; precision / recall of the added flags among the rows the rules allow):"
    );
    let targets: Vec<String> = TARGETS.iter().map(|t| format!("added P ≥ {t}")).collect();
    let _ = writeln!(s, "| label | scorer | rules alone | {} | best F1 |", targets.join(" | "));
    let _ = writeln!(s, "|---|---|---|{}---|", "---|".repeat(TARGETS.len()));
    for (h, name) in heads.iter().enumerate() {
        let first: Vec<Option<f64>> = rows.iter().map(|r| acts(r, h).then_some(r.p[h])).collect();
        let second = second_stage(rows, h, folds);
        let ungated: Vec<Option<f64>> =
            rows.iter().map(|r| (!r.denied).then(|| r.raw.get(h).copied().unwrap_or(0.0))).collect();
        let (base, _) = graded(rows, h, &vec![None; rows.len()], 1.0);
        if base.positives() == 0 {
            continue;
        }
        let scorers = [("model alone", &first), ("second stage", &second), ("ungated model (bound, unsafe)", &ungated)];
        for (scorer, score) in scorers {
            let cells: Vec<String> = curve(rows, h, score)
                .into_iter()
                .map(|c| match c {
                    Some((th, a, b)) => format!(
                        "{:.3} / {:.3} / {:.3} ({th:.2}; {:.2} / {:.3})",
                        a.precision(),
                        a.recall(),
                        a.f1(),
                        b.precision(),
                        b.recall()
                    ),
                    None => "–".into(),
                })
                .collect();
            let _ = writeln!(
                s,
                "| {name} | {scorer} | {:.3} / {:.3} / {:.3} | {} |",
                base.precision(),
                base.recall(),
                base.f1(),
                cells.join(" | ")
            );
        }
    }
    let _ = writeln!(
        s,
        "\nthe rules' flags (not blocks) kept only where the ungated model's head reads at least a threshold (measured, not a mechanism: the model would allow what the rules hold); pooled deny F1 of every head's label (rows where the veto dropped a flag carrying it):"
    );
    let _ = writeln!(s, "| veto by | threshold | {} |", heads.join(" | "));
    let _ = writeln!(s, "|---|---|{}", "---|".repeat(heads.len()));
    for (by, name) in heads.iter().enumerate() {
        for th in VETO {
            let cells: Vec<String> = (0..heads.len())
                .map(|h| {
                    let (c, dropped) = veto(rows, by, th, h);
                    if c.positives() == 0 {
                        "–".into()
                    } else {
                        format!("{:.3} ({dropped})", c.f1())
                    }
                })
                .collect();
            let _ = writeln!(s, "| {name} | {th} | {} |", cells.join(" | "));
        }
    }
    s
}
