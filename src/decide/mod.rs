//! The decide stage: hits become a verdict with reasons.
//!
//! The arithmetic is deliberately simple so a moderator can redo it by hand (`moderate explain`
//! shows it): each rule that hit adds its `score` **once**, however many times it matched; the
//! verdict is the strongest of (a) any hit rule's own `action` and (b) the thresholds applied to
//! the total score. No hit, no reason: allow. Stateful per-author policy lives in [`author`] and
//! runs afterwards, in input order.

pub mod author;

use crate::config::Thresholds;
use crate::matcher::Hit;
use crate::rule::RuleMeta;
use crate::verdict::{Decision, Reason, Span, Verdict};

/// The verdict a score alone earns.
pub fn decision_for_score(score: f64, t: &Thresholds) -> Decision {
    if score >= t.block {
        Decision::Block
    } else if score >= t.flag {
        Decision::Flag
    } else {
        Decision::Allow
    }
}

/// Recomputes `verdict.score` and `verdict.verdict` from its reasons (after the author policy
/// added or removed some).
pub fn recompute(verdict: &mut Verdict, t: &Thresholds) {
    if verdict.verdict == Decision::Error {
        return;
    }
    verdict.score = verdict.reasons.iter().fold(0.0, |acc, r| acc + r.score);
    let by_action = verdict.reasons.iter().filter_map(|r| r.action).map(|a| a.decision()).max();
    verdict.verdict = decision_for_score(verdict.score, t).max(by_action.unwrap_or(Decision::Allow));
}

/// Builds the verdict for comment `id` with body `body` from its `hits` (any order; sorted here).
pub fn decide(id: &str, body: &str, hits: &mut [Hit], rules: &[RuleMeta], t: &Thresholds) -> Verdict {
    hits.sort_by(|a, b| {
        (a.rule, a.span.as_ref().map(|s| (s.start, s.end))).cmp(&(b.rule, b.span.as_ref().map(|s| (s.start, s.end))))
    });
    let mut reasons: Vec<Reason> = Vec::new();
    let mut last_rule = usize::MAX;
    for h in hits.iter() {
        if h.rule != last_rule {
            last_rule = h.rule;
            let r = &rules[h.rule];
            reasons.push(Reason {
                rule: r.id.clone(),
                category: r.category.clone(),
                action: r.action,
                score: r.score,
                message: r.message.clone(),
                matches: Vec::new(),
            });
        }
        if let Some(span) = &h.span {
            let reason = reasons.last_mut().expect("pushed above");
            // Overlapping evidence for one rule is reported once, by its first, longest span.
            if reason.matches.last().is_some_and(|m| span.start < m.end) {
                continue;
            }
            reason.matches.push(Span { start: span.start, end: span.end, text: body[span.clone()].to_string() });
        }
    }
    let mut v =
        Verdict { id: id.to_string(), verdict: Decision::Allow, score: 0.0, reasons, error: None, source: None };
    recompute(&mut v, t);
    v
}
