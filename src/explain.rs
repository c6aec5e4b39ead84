//! Human rendering of one judgement: the text with every hit highlighted, the normalized text,
//! each reason, the score arithmetic, the thresholds and the verdict. Comment text is sanitized
//! before it reaches a terminal ([`crate::term::sanitize`]).

use std::fmt::Write as _;

use crate::decide::decision_for_score;
use crate::decide::Thresholds;
use crate::engine::Explanation;
use crate::rule::RuleMeta;
use crate::term::{paint, sanitize};
use crate::verdict::Decision;

/// `body` with each span in `spans` highlighted (colour on a terminal, `«…»` otherwise).
pub fn highlight(body: &str, spans: &[(usize, usize)], color: bool) -> String {
    let mut spans: Vec<(usize, usize)> = spans.to_vec();
    spans.sort();
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in spans {
        if s < at || e > body.len() {
            continue;
        }
        out.push_str(&sanitize(&body[at..s]));
        let piece = sanitize(&body[s..e]);
        if color {
            out.push_str(&paint(&piece, "1;31;7", true));
        } else {
            let _ = write!(out, "«{piece}»");
        }
        at = e;
    }
    out.push_str(&sanitize(&body[at..]));
    out
}

/// The full human explanation.
pub fn render(body: &str, ex: &Explanation, rules: &[RuleMeta], t: &Thresholds, color: bool) -> String {
    let v = &ex.verdict;
    let spans: Vec<(usize, usize)> =
        v.reasons.iter().flat_map(|r| r.matches.iter().map(|m| (m.start, m.end))).collect();
    let mut s = String::new();
    // Each line of the text after its first is indented under its label, so a body holding
    // `\nverdict:    allow` cannot print a line of the report of its own.
    let _ = writeln!(s, "text:       {}", highlight(body, &spans, color).replace('\n', "\n            "));
    let _ = writeln!(s, "normalized: {}", sanitize(&ex.normalized));
    if v.reasons.is_empty() {
        let _ = writeln!(s, "hits:       none");
    } else {
        let _ = writeln!(s, "hits:");
    }
    for r in &v.reasons {
        let action = r.action.map_or("score only".to_string(), |a| format!("action {}", a_str(a)));
        let counted = r.counted_by.as_ref().map_or(String::new(), |by| format!(" (same words as {by}: counted once)"));
        let counted = match &r.shadow {
            Some(sh) => format!(
                "{counted} (shadow: not enforced; would add +{}{}, verdict {})",
                sh.score,
                sh.action.map_or(String::new(), |a| format!(" and action {}", a_str(a))),
                sh.verdict.as_str()
            ),
            None => counted,
        };
        let _ =
            writeln!(s, "  {} [{}] {}, score +{}{counted}", paint(&r.rule, "1", color), r.category, action, r.score);
        let _ = writeln!(s, "    {}", sanitize(&r.message));
        for m in &r.matches {
            let _ = writeln!(s, "    {}..{}  {:?}", m.start, m.end, sanitize(&m.text));
        }
        if let Some(n) = r.match_count {
            let _ = writeln!(s, "    ... {n} matches in all; the first {} are listed", r.matches.len());
        }
        if let Some(expl) = rules.iter().find(|x| x.id == r.rule).and_then(|x| x.explanation.as_deref()) {
            let _ = writeln!(s, "    why: {expl}");
        }
    }
    for h in &ex.reported {
        let (Some(rule), Some(span)) = (rules.get(h.rule), &h.span) else { continue };
        let text = body.get(span.clone()).unwrap_or("");
        let _ = writeln!(
            s,
            "  not counted: {} {}..{} {:?} (a cue of its rule: reported speech before it, `unless_after`, an innocent phrase, `unless_phrase`, or a spelling, `unless_written`)",
            rule.id,
            span.start,
            span.end,
            sanitize(text)
        );
    }
    let parts: Vec<String> =
        v.reasons.iter().filter(|r| r.score != 0.0).map(|r| format!("{} ({})", r.score, r.rule)).collect();
    let arithmetic = if parts.is_empty() { "0".to_string() } else { format!("{} = {}", parts.join(" + "), v.score) };
    let _ = writeln!(s, "score:      {arithmetic}");
    let by_score = decision_for_score(v.score, t);
    let _ = writeln!(s, "thresholds: flag at {}, block at {} → by score: {}", t.flag, t.block, by_score.as_str());
    let strongest = v.reasons.iter().filter_map(|r| r.action.map(|a| (a, &r.rule))).max_by_key(|(a, _)| *a);
    let why = match strongest {
        Some((a, rule)) if a.decision() >= by_score && a.decision() != Decision::Allow => {
            format!(" (action of {rule})")
        }
        _ if v.verdict != Decision::Allow => " (by score)".to_string(),
        _ => String::new(),
    };
    let style = match v.verdict {
        Decision::Allow => "1;32",
        Decision::Flag => "1;33",
        _ => "1;31",
    };
    let _ = writeln!(s, "verdict:    {}{why}", paint(v.verdict.as_str(), style, color));
    if let Some(c) = &v.censored {
        let _ = writeln!(s, "censored:   {}", sanitize(c));
    }
    s
}

fn a_str(a: crate::verdict::Action) -> &'static str {
    a.as_str()
}
