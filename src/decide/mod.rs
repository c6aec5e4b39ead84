//! The decide stage: hits become a verdict with reasons.
//!
//! The arithmetic is deliberately simple so a moderator can redo it by hand (`moderate explain`
//! shows it): each rule that hit adds its `score` **once**, however many times it matched; the
//! verdict is the strongest of (a) any hit rule's own `action` and (b) the thresholds applied to
//! the total score. The same words count once: a rule whose every match lies on words a
//! higher-scoring rule already counted adds nothing ("that bitch" is one piece of evidence, not
//! profanity + insult + name-calling). No hit, no reason: allow. Stateful per-author policy lives in [`author`] and
//! runs afterwards, in input order.

pub mod author;
pub mod censor;
pub mod flood;
mod shadow;

use serde::{Deserialize, Serialize};

use crate::matcher::{Hits, MAX_MATCHES};
use crate::rule::RuleMeta;
use crate::verdict::{Decision, Reason, Span, Verdict};

/// `[thresholds]`: the score at which a comment is flagged or blocked. A rule's own `action`
/// applies whatever the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Total score at or above which a comment is flagged.
    pub flag: f64,
    /// Total score at or above which a comment is blocked.
    pub block: f64,
    /// Total score at or above which an otherwise allowed comment is published with the words
    /// of its score-only rules masked (`censored` in the record); at most `flag`. Unset: never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub censor: Option<f64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { flag: 1.0, block: 3.0, censor: None }
    }
}

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
    censor::settle(verdict);
}

/// Builds the verdict for comment `id` with body `body` from its `hits` (any order; sorted here).
///
/// A reason lists its first [`MAX_MATCHES`] matches; when there were more (or the scan dropped
/// some, see [`Hits`]), `match_count` says how many.
pub fn decide(id: &str, body: &str, hits: &mut Hits, rules: &[RuleMeta], t: &Thresholds) -> Verdict {
    hits.sort();
    let mut reasons: Vec<Reason> = Vec::new();
    let mut shadowed: Vec<bool> = Vec::new();
    let mut last_rule = usize::MAX;
    let mut count = 0;
    for h in hits.list.iter() {
        if h.rule != last_rule {
            close(&mut reasons, last_rule, count, hits);
            last_rule = h.rule;
            count = 0;
            let r = &rules[h.rule];
            shadowed.push(r.shadow);
            reasons.push(Reason {
                rule: r.id.clone(),
                category: r.category.clone(),
                action: r.action,
                score: r.score,
                message: r.message.clone(),
                matches: Vec::new(),
                counted_by: None,
                match_count: None,
                shadow: None,
            });
        }
        if let Some(span) = &h.span {
            let Some(reason) = reasons.last_mut() else { continue };
            // Overlapping evidence for one rule is reported once, by its first, longest span.
            if reason.matches.last().is_some_and(|m| span.start < m.end) {
                continue;
            }
            count += 1;
            if reason.matches.len() < MAX_MATCHES {
                let text = body.get(span.clone()).unwrap_or_default().to_string();
                reason.matches.push(Span { start: span.start, end: span.end, text });
            }
        }
    }
    close(&mut reasons, last_rule, count, hits);
    shadow::settle(&mut reasons, &shadowed, t);
    count_words_once(&mut reasons);
    let mut v = Verdict {
        id: id.to_string(),
        verdict: Decision::Allow,
        score: 0.0,
        reasons,
        censored: None,
        error: None,
        source: None,
    };
    recompute(&mut v, t);
    v
}

/// Sets the last reason's (rule `rule`, `count` non-overlapping matches among the hits kept)
/// `match_count` when it lists fewer matches than the rule had.
fn close(reasons: &mut [Reason], rule: usize, count: usize, hits: &Hits) {
    let Some(r) = reasons.last_mut() else { return };
    let total = count + hits.dropped_of(rule);
    if total > r.matches.len() {
        r.match_count = Some(total);
    }
}

/// Zeroes the score of reasons whose evidence is already counted: reasons are visited from the
/// highest score down (ties in rule order); one whose every match overlaps a span of a counted
/// reason gets score 0 and `counted_by`. Signals take part too: one shortened link is one piece
/// of evidence, whether a rule reads it as "a link" or as "a shortener". Actions are untouched,
/// and a reason without matches (a fact about the metadata) always counts.
fn count_words_once(reasons: &mut [Reason]) {
    let mut order: Vec<usize> = (0..reasons.len()).filter(|&i| reasons[i].score > 0.0).collect();
    order.sort_by(|&a, &b| reasons[b].score.total_cmp(&reasons[a].score).then(a.cmp(&b)));
    let mut counted: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, reason index)
    for i in order {
        let r = &reasons[i];
        if r.matches.is_empty() {
            continue;
        }
        let covering = |m: &Span| counted.iter().find(|&&(s, e, _)| m.start < e && s < m.end).map(|&(_, _, j)| j);
        let by: Option<Vec<usize>> = r.matches.iter().map(covering).collect();
        match by {
            Some(by) => {
                let first = reasons[by[0]].rule.clone();
                reasons[i].score = 0.0;
                reasons[i].counted_by = Some(first);
            }
            None => counted.extend(r.matches.iter().map(|m| (m.start, m.end, i))),
        }
    }
}
