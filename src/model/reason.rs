//! A model hit's reason: the phrases that pushed the score most ([`phrases`]), the message and
//! the spans in the original text ([`reason`]), written without `format!` in the common cases
//! (a hit's explanation was most of a hit's cost), and its place among the verdict's reasons
//! ([`insert`], [`shadow`]).

use super::features::Word;
use super::MAX_PHRASES;
use crate::decide::Thresholds;
use crate::normalize::Normalized;
use crate::rule::RuleMeta;
use crate::verdict::{Reason, Span, Verdict};

/// Groups the words that pushed the score up into phrases: consecutive words each contributing
/// at least a quarter of the strongest word's push, highest total first, at most
/// [`MAX_PHRASES`].
pub(crate) fn phrases(words: &[Word], contrib: &[f32]) -> Vec<(std::ops::Range<usize>, f32)> {
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

pub(crate) fn reason(
    meta: &RuleMeta,
    label: &str,
    p: f64,
    min: f64,
    found: &[(std::ops::Range<usize>, f32)],
    norm: &Normalized,
    body: &str,
) -> Reason {
    // `<message> (model: <label> p=<p> ≥ <min>; words: "<phrase>" +<push>, ...)`, written
    // straight into one string (the common cases without `format!`: [`push_quoted`],
    // [`push_fixed2`], [`push_shortest`]).
    let mut message = String::with_capacity(meta.message.len() + label.len() + 40 + 56 * found.len());
    message.push_str(&meta.message);
    message.push_str(" (model: ");
    message.push_str(label);
    message.push_str(" p=");
    push_fixed2(&mut message, p, false);
    message.push_str(" ≥ ");
    push_shortest(&mut message, min);
    message.push_str("; words: ");
    let mut matches: Vec<Span> = Vec::with_capacity(found.len());
    for (k, (r, c)) in found.iter().enumerate() {
        let o = trim(body, norm.original_range(r.start, r.end));
        let text = body.get(o.clone()).unwrap_or_default();
        let shown = &text[..text.char_indices().nth(40).map_or(text.len(), |(i, _)| i)];
        if k > 0 {
            message.push_str(", ");
        }
        push_quoted(&mut message, shown);
        message.push(' ');
        push_fixed2(&mut message, f64::from(*c), true);
        if !o.is_empty() {
            matches.push(Span { start: o.start, end: o.end, text: text.to_string() });
        }
    }
    message.push(')');
    matches.sort_by_key(|m| (m.start, m.end));
    matches.dedup_by(|b, a| b.start < a.end);
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

/// Appends `s` as `format!("{s:?}")` writes it: printable ASCII without a call to the
/// formatter, anything else through it.
pub fn push_quoted(out: &mut String, s: &str) {
    if !s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        use std::fmt::Write as _;
        let _ = write!(out, "{s:?}");
        return;
    }
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' || b == b'\\' {
            out.push_str(&s[from..i]);
            out.push('\\');
            from = i;
        }
    }
    out.push_str(&s[from..]);
    out.push('"');
}

/// Appends `x` as `format!("{x}")` writes it: a hundredth from 0 to 1 (a rule's `min`, as
/// configs write it) without a call to the formatter, anything else through it.
pub fn push_shortest(out: &mut String, x: f64) {
    let k = (x * 100.0).round();
    if !((0.0..=100.0).contains(&k) && k / 100.0 == x && x.is_sign_positive()) {
        use std::fmt::Write as _;
        let _ = write!(out, "{x}");
        return;
    }
    // The f64 nearest to k/100 (IEEE division rounds correctly) prints as k/100's shortest
    // decimal: "0", "0.5", "0.81", "1".
    let k = k as u8;
    match k {
        100 => out.push('1'),
        0 => out.push('0'),
        _ => {
            out.push_str("0.");
            out.push(char::from(b'0' + k / 10));
            if k % 10 != 0 {
                out.push(char::from(b'0' + k % 10));
            }
        }
    }
}

/// Appends `x` with two decimals, as `format!("{x:.2}")` (`"{x:+.2}"` when `sign`) writes it:
/// a positive value whose hundredths are not a tie is rounded here, anything else (negative,
/// not finite, large, or a possible tie the formatter rounds its own way) goes through the
/// formatter.
pub fn push_fixed2(out: &mut String, x: f64, sign: bool) {
    let v = x * 100.0;
    let frac = v - v.floor();
    if !(x > 0.0 && v < 1e12 && (frac - 0.5).abs() > 1e-6) {
        use std::fmt::Write as _;
        let _ = if sign { write!(out, "{x:+.2}") } else { write!(out, "{x:.2}") };
        return;
    }
    let n = v.round() as u64;
    if sign {
        out.push('+');
    }
    let whole = n / 100;
    let cents = n % 100;
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut w = whole;
    loop {
        i -= 1;
        digits[i] = b'0' + (w % 10) as u8;
        w /= 10;
        if w == 0 {
            break;
        }
    }
    digits[i..].iter().for_each(|&d| out.push(char::from(d)));
    out.push('.');
    out.push(char::from(b'0' + (cents / 10) as u8));
    out.push(char::from(b'0' + (cents % 10) as u8));
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
pub(crate) fn shadow(v: &Verdict, reason: &mut Reason, t: &Thresholds) {
    let by_score = crate::decide::decision_for_score(v.score + reason.score, t);
    let by_action = reason.action.map(|a| a.decision()).unwrap_or(crate::verdict::Decision::Allow);
    let verdict = v.verdict.max(by_score).max(by_action);
    reason.shadow = Some(crate::verdict::Shadow { action: reason.action, score: reason.score, verdict });
    reason.score = 0.0;
    reason.action = None;
}

pub(crate) fn insert(v: &mut Verdict, mut reason: Reason, rules: &[RuleMeta], rule: usize) {
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
