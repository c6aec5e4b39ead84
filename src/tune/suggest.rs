//! `moderate suggest`: thresholds that reach a target precision on labeled data.
//!
//! A verdict is the stronger of the rules' own actions and the thresholds applied to the total
//! score (docs/design.md §1), and the score of a comment does not depend on the thresholds.
//! So one judgement per row gives, for any `(flag, block)`, the verdict the config would give:
//! `max(action, score ≥ block ? block : score ≥ flag ? flag : allow)`. The sweep tries every
//! distinct score as a cut-off and keeps the lowest (most recall) that reaches the precision.
//!
//! "Positive" is [`super::should_deny`]: any label true (a spam row is not toxic, but a
//! correct block). Per category the config has no threshold of its own, so the category cut-offs are advice:
//! the category's share of the score (its reasons' scores, the same words counted once) at
//! which denying reaches the precision against the label the category maps to, with recall.
//!
//! # Performance
//! One judgement per row (all cores), then sorts: O(n log n) in rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decide::Thresholds;
use crate::eval::{Counts, LabelMap, LabeledRow};
use crate::verdict::{Decision, Verdict};

/// What one row contributes: its score, the strongest action of its reasons, per-category
/// scores, its labels.
#[derive(Debug, Clone)]
struct Point {
    score: f64,
    action: Decision,
    toxic: Option<bool>,
}

/// A cut-off and what it gives on the data.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cut {
    /// The threshold (`None`: no score cut-off reaches the precision).
    pub threshold: Option<f64>,
    /// Precision at that threshold.
    pub precision: f64,
    /// Recall at that threshold.
    pub recall: f64,
    /// Rows denied (flag) or blocked at that threshold.
    pub selected: u64,
}

/// Suggested cut-off for one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryCut {
    /// The category.
    pub category: String,
    /// Rows with the label it maps to (its own when the data has it, else `toxic`).
    pub labeled: u64,
    /// Positives among them.
    pub positives: u64,
    /// The lowest category score reaching the precision.
    pub cut: Cut,
}

/// The whole suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Rows read.
    pub rows: u64,
    /// Rows with labels (the global thresholds are fitted on these).
    pub labeled: u64,
    /// Target precisions asked for.
    pub flag_precision: f64,
    /// Target block precision.
    pub block_precision: f64,
    /// The config's current thresholds and what they give.
    pub current: Outcome,
    /// The suggested thresholds and what they give.
    pub suggested: Outcome,
    /// Per category advice.
    pub categories: Vec<CategoryCut>,
    /// Notes: targets that cannot be reached, and why.
    pub notes: Vec<String>,
}

/// What a pair of thresholds gives on the labeled rows.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Outcome {
    /// The thresholds.
    pub flag: f64,
    /// Block threshold.
    pub block: f64,
    /// deny (flag or block) vs "any label true".
    pub deny: Counts,
    /// block vs "any label true".
    pub blocked: Counts,
    /// Flagged (not blocked) rows per 10,000 comments: the review queue a moderator gets.
    pub queue_per_10k: f64,
    /// Blocked rows per 10,000 comments.
    pub blocked_per_10k: f64,
}

fn verdict_at(p: &Point, t: &Thresholds) -> Decision {
    crate::decide::decision_for_score(p.score, t).max(p.action)
}

fn outcome(points: &[Point], t: Thresholds, rows: u64) -> Outcome {
    let mut deny = Counts::default();
    let mut blocked = Counts::default();
    let (mut flagged_n, mut blocked_n) = (0u64, 0u64);
    for p in points {
        let v = verdict_at(p, &t);
        flagged_n += u64::from(v == Decision::Flag);
        blocked_n += u64::from(v == Decision::Block);
        if let Some(l) = p.toxic {
            deny.add(v.is_deny(), l);
            blocked.add(v == Decision::Block, l);
        }
    }
    let per = |n: u64| if rows == 0 { 0.0 } else { n as f64 * 10_000.0 / rows as f64 };
    Outcome {
        flag: t.flag,
        block: t.block,
        deny,
        blocked,
        queue_per_10k: per(flagged_n),
        blocked_per_10k: per(blocked_n),
    }
}

/// The lowest cut-off `c` among the `scores` such that selecting `forced || score >= c` has
/// precision at least `target` (at least one row selected). `items` are (score, forced, label).
fn lowest_cut(items: &mut [(f64, bool, bool)], target: f64) -> Cut {
    let positives = items.iter().filter(|i| i.2).count() as u64;
    let (mut tp, mut fp) = (0u64, 0u64);
    for i in items.iter().filter(|i| i.1) {
        if i.2 {
            tp += 1;
        } else {
            fp += 1;
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut best =
        Cut { threshold: None, precision: ratio(tp, tp + fp), recall: ratio(tp, positives), selected: tp + fp };
    // Highest score first: lowering the cut-off adds rows in this order.
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut i = 0;
    while i < items.len() {
        let s = items[i].0;
        if s <= 0.0 || !s.is_finite() {
            break;
        }
        while i < items.len() && items[i].0 == s {
            if !items[i].1 {
                if items[i].2 {
                    tp += 1;
                } else {
                    fp += 1;
                }
            }
            i += 1;
        }
        let p = ratio(tp, tp + fp);
        if p >= target && tp + fp > 0 {
            best = Cut { threshold: Some(s), precision: p, recall: ratio(tp, positives), selected: tp + fp };
        }
    }
    best
}

/// Suggests thresholds for `rows` judged as `verdicts` (same order) under `current`.
pub fn suggest(
    rows: &[LabeledRow],
    verdicts: &[Verdict],
    current: Thresholds,
    flag_precision: f64,
    block_precision: f64,
) -> Suggestion {
    let mut points = Vec::with_capacity(rows.len());
    let label_map = LabelMap::new(rows);
    let mut by_cat: BTreeMap<String, Vec<(f64, bool, bool)>> = BTreeMap::new();
    let mut categories: Vec<String> = Vec::new();
    for v in verdicts {
        for r in v.reasons.iter().filter(|r| r.shadow.is_none()) {
            if !categories.contains(&r.category) {
                categories.push(r.category.clone());
            }
        }
    }
    for (row, v) in rows.iter().zip(verdicts) {
        let error = v.verdict == Decision::Error;
        let action = if error {
            Decision::Block
        } else {
            v.reasons.iter().filter_map(|r| r.action).map(|a| a.decision()).max().unwrap_or(Decision::Allow)
        };
        points.push(Point { score: v.score, action, toxic: super::should_deny(&row.labels) });
        for cat in &categories {
            let Some(l) = label_map.label(&row.labels, cat) else { continue };
            let rs = v.reasons.iter().filter(|r| &r.category == cat && r.shadow.is_none());
            let (score, forced) = rs.fold((0.0, false), |(s, f), r| (s + r.score, f || r.action.is_some()));
            by_cat.entry(cat.clone()).or_default().push((score, forced, l));
        }
    }
    let n = rows.len() as u64;
    let labeled: Vec<&Point> = points.iter().filter(|p| p.toxic.is_some()).collect();
    let mut notes = Vec::new();

    // Block: rows blocked by an action stay blocked whatever the threshold.
    let mut items: Vec<(f64, bool, bool)> =
        labeled.iter().map(|p| (p.score, p.action == Decision::Block, p.toxic == Some(true))).collect();
    let block_cut = lowest_cut(&mut items, block_precision);
    let block = match block_cut.threshold {
        Some(b) => b,
        None => {
            notes.push(format!(
                "no score threshold reaches block precision {block_precision}: the rules' own block actions give {:.3}; \
                 `block` is set above every score seen, so only those actions block",
                block_cut.precision
            ));
            points.iter().map(|p| p.score).fold(current.block, f64::max) + 1.0
        }
    };
    // Flag (deny = flag or block): anything at or above `block` is denied too; cut-offs above
    // `block` mean nothing, so they are clamped.
    let mut items: Vec<(f64, bool, bool)> = labeled
        .iter()
        .map(|p| (p.score, p.action != Decision::Allow || p.score >= block, p.toxic == Some(true)))
        .collect();
    let flag_cut = lowest_cut(&mut items, flag_precision);
    let flag = match flag_cut.threshold {
        Some(f) => f.min(block),
        None => {
            notes.push(format!(
                "no flag threshold reaches deny precision {flag_precision} (actions and blocks alone give {:.3}); \
                 `flag` is set equal to `block`, so only blocks and flag actions hold comments",
                flag_cut.precision
            ));
            block
        }
    };
    // Precision needs both kinds of row: on positives alone every cut-off is "precise" (3
    // insults gave `block = 1`, blocking any comment with one contemptuous word), on negatives
    // alone none is, and either way the rows say nothing about the other kind.
    let positives = labeled.iter().filter(|p| p.toxic == Some(true)).count();
    let one_sided = match (positives, labeled.len() - positives) {
        (0, 0) => Some("no row has labels"),
        (_, 0) => Some("every labeled row is positive (no negatives, so precision cannot fall)"),
        (0, _) => Some("no labeled row is positive (no positives, so precision cannot rise)"),
        _ => None,
    };
    if let Some(why) = one_sided {
        // The cut-off notes above describe thresholds that are not suggested.
        notes.clear();
        notes.push(format!("{why}: nothing to fit; the current thresholds are kept"));
    }
    let suggested_t = if one_sided.is_some() { current } else { Thresholds { flag, block, censor: current.censor } };
    let cats = by_cat
        .into_iter()
        .map(|(category, mut items)| {
            let labeled = items.len() as u64;
            let positives = items.iter().filter(|i| i.2).count() as u64;
            let cut = lowest_cut(&mut items, block_precision);
            CategoryCut { category, labeled, positives, cut }
        })
        .collect();
    Suggestion {
        rows: n,
        labeled: labeled.len() as u64,
        flag_precision,
        block_precision,
        current: outcome(&points, current, n),
        suggested: outcome(&points, suggested_t, n),
        categories: cats,
        notes,
    }
}
