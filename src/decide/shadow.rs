//! Shadow rules (`mode = "shadow"`): a rule that is evaluated and reported but never enforced,
//! so a rule author can watch what a new rule would do on live traffic before it counts.
//!
//! A shadow rule's reason stays in the record (so every report can count it), with its score
//! and action moved into [`Shadow`]: it adds nothing to the score and forces no verdict. What
//! it *would* have done is decided here, with full information (every reason's own score,
//! before the same-words-count-once rule zeroes any), so `eval` and the summary need not redo
//! the arithmetic: the verdict with this one shadow rule enforced and the others still watching.

use super::{count_words_once, decision_for_score, Thresholds};
use crate::verdict::{Decision, Reason, Shadow};

/// Moves the score and action of every reason flagged in `shadowed` into its `shadow`, and
/// records there the verdict it would have produced. Costs nothing when no shadow rule hit.
pub(super) fn settle(reasons: &mut [Reason], shadowed: &[bool], t: &Thresholds) {
    if !shadowed.iter().any(|&s| s) {
        return;
    }
    let mut outcomes = Vec::new();
    for (s, _) in shadowed.iter().enumerate().filter(|(_, &s)| s) {
        let mut with: Vec<Reason> =
            reasons.iter().enumerate().filter(|&(i, _)| !shadowed[i] || i == s).map(|(_, r)| r.clone()).collect();
        count_words_once(&mut with);
        let score: f64 = with.iter().map(|r| r.score).sum();
        let by_action = with.iter().filter_map(|r| r.action).map(|a| a.decision()).max();
        let verdict = decision_for_score(score, t).max(by_action.unwrap_or(Decision::Allow));
        outcomes.push((s, Shadow { action: reasons[s].action, score: reasons[s].score, verdict }));
    }
    for (s, shadow) in outcomes {
        let r = &mut reasons[s];
        r.score = 0.0;
        r.action = None;
        r.shadow = Some(shadow);
    }
}
