//! The censor action: publish the comment with the matched words masked instead of holding it.
//!
//! Sites that prefer `f*** off` to a held comment (Discourse, rustrict and obscenity offer it)
//! give a rule `action = "censor"`, or set `[thresholds] censor`. The verdict stays `allow` and
//! the record gains `censored`: the **original** body with each matched span masked.
//!
//! Masking works on the normalizer's source units (the offset map: one character, one whole
//! entity, one run of stretched letters, one run of whitespace), never on bytes, so:
//! - each word of a span keeps its first unit and every further unit becomes one `*`
//!   (`f.u.c.k` → `f***`, `f&#117;ck` → `f***`, `fuuuuck` → `f***`, `ｆｕｃｋ` → `ｆ***`);
//! - what the normalizer dropped between two units (the dots of `f.u.c.k`, zero-width and
//!   combining marks) is dropped with them, unless it holds markup (`<`, `>` or `&`): then it
//!   is kept byte for byte (`f<b>u</b>ck` → `f<b>*</b>**`), so a tag, an HTML comment or an
//!   entity is never split and the page keeps its structure;
//! - a unit that holds `<` or `>` is kept as it is (it may be markup the normalizer read as text);
//! - whitespace units are kept, so a phrase keeps its shape (`piece of shit` → `p**** o* s***`);
//! - overlapping and touching spans are merged first; a span that ends inside a unit is widened
//!   to the whole unit.
//!
//! Nothing is ever inserted but `*`, and only in place of text, so the masked body is never
//! longer than the original and holds no markup the original did not.
//!
//! Block wins over censor (a blocked comment is not published, so its record has no
//! `censored`). Flag + censor stays `flag` and keeps `censored`: the flag asks a human about
//! something masking does not settle (an attack, spam), and a moderator who approves can publish
//! the masked text. A comment with more matches of a masked rule than the matcher keeps
//! ([`crate::matcher::KEEP_PER_RULE`]) cannot be masked completely: it is held (`censor.incomplete`).

use std::ops::Range;

use crate::matcher::Hits;
use crate::normalize::Normalized;
use crate::rule::{RuleKind, RuleMeta};
use crate::verdict::{Action, Decision, Reason, Verdict};

use super::Thresholds;

/// The id of the reason a comment gets when its words could not all be masked.
pub const INCOMPLETE_RULE: &str = "censor.incomplete";

/// Sets `v.censored` from the decided `hits` (sorted, as [`super::decide`] leaves them) when a
/// censor rule hit or the score reached `[thresholds] censor`. `keep_on_block`: compute it for a
/// blocked comment too (the author policy may still trust the author and unblock it; it drops
/// the text again if the comment stays blocked, see [`settle`]).
pub fn apply(
    v: &mut Verdict,
    body: &str,
    norm: &Normalized,
    hits: &Hits,
    rules: &[RuleMeta],
    t: &Thresholds,
    keep_on_block: bool,
) {
    if v.verdict == Decision::Error || (v.verdict == Decision::Block && !keep_on_block) {
        return;
    }
    let by_threshold = t.censor.is_some_and(|c| v.score >= c);
    let masked = |rule: &RuleMeta| match rule.action {
        Some(Action::Censor) => true,
        None => by_threshold && rule.kind != RuleKind::Signal,
        Some(_) => false,
    };
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut incomplete = 0;
    let mut last_rule = usize::MAX;
    for h in &hits.list {
        let Some(rule) = rules.get(h.rule) else { continue };
        if !masked(rule) {
            continue;
        }
        if h.rule != last_rule {
            last_rule = h.rule;
            incomplete += hits.dropped_of(h.rule);
        }
        if let Some(span) = &h.span {
            spans.push(span.clone());
        }
    }
    if spans.is_empty() {
        return;
    }
    if incomplete > 0 {
        v.reasons.push(Reason {
            rule: INCOMPLETE_RULE.to_string(),
            category: "input".to_string(),
            action: Some(Action::Flag),
            score: 0.0,
            message: format!(
                "more words to censor than can be masked ({incomplete} matches not kept): held for review"
            ),
            matches: Vec::new(),
            counted_by: None,
            match_count: None,
            shadow: None,
        });
        super::recompute(v, t);
        return;
    }
    v.censored = Some(mask(body, norm, &mut spans));
}

/// Drops `censored` from a blocked verdict (block wins over censor). Returns whether it did.
pub fn settle(v: &mut Verdict) -> bool {
    if matches!(v.verdict, Decision::Block | Decision::Error) && v.censored.is_some() {
        v.censored = None;
        return true;
    }
    false
}

/// `body` with every span of `spans` (byte ranges of the original; any order, may overlap)
/// masked, as the module docs describe. `norm` is the normalized form of `body` (or of a prefix
/// of it: spans past its end are left as they are).
pub fn mask(body: &str, norm: &Normalized, spans: &mut [Range<usize>]) -> String {
    spans.sort_by_key(|r| (r.start, r.end));
    let map = norm.offsets();
    let text = norm.text.as_bytes();
    let n = map.len().min(text.len());
    let mut out = String::with_capacity(body.len());
    let mut cursor = 0; // bytes of `body` before this are already in `out`
    let mut i = 0; // the next normalized byte to look at
    let mut k = 0;
    while k < spans.len() {
        // Merge overlapping and touching spans.
        let (mut s, mut e) = (spans[k].start, spans[k].end);
        k += 1;
        while k < spans.len() && spans[k].start <= e {
            e = e.max(spans[k].end);
            k += 1;
        }
        let (s0, e0) = (s.max(cursor).min(body.len()), e.min(body.len()));
        if s0 >= e0 {
            continue;
        }
        // The first unit that ends after the span's start (units are in source order).
        i = first_ending_after(map, i, n, s0);
        let mut units: Vec<(Range<usize>, bool)> = Vec::new(); // (source range, is whitespace)
        while i < n {
            let src = map.source_of(i);
            if src.start >= e0 {
                break;
            }
            let ws = text[i].is_ascii_whitespace();
            match units.last_mut() {
                Some((last, _)) if *last == src => {}
                Some((last, _)) if src.start < last.end => last.end = last.end.max(src.end),
                _ => units.push((src, ws)),
            }
            i += 1;
        }
        // Widen to whole units (never split an entity or a stretched run), within what is left.
        if let Some((first, _)) = units.first() {
            s = s0.min(first.start).max(cursor);
        } else {
            s = s0;
        }
        if let Some((last, _)) = units.last() {
            e = e0.max(last.end).min(body.len());
        } else {
            e = e0;
        }
        if units.is_empty() || !body.is_char_boundary(s) || !body.is_char_boundary(e) {
            continue; // nothing the normalizer read: nothing to mask
        }
        // A word spelled out letter by letter (`f u c k`) is one word: its spaces go like dots.
        let spelled = units.len() > 1 && units.windows(2).all(|w| w[0].1 || w[1].1);
        out.push_str(&body[cursor..s]);
        let mut at = s;
        let mut word_start = true;
        let mut masked_last = false;
        for (src, ws) in &units {
            let (us, ue) = (src.start.max(at), src.end.min(e));
            if us >= ue {
                continue;
            }
            let gap = &body[at..us];
            if gap.contains(['<', '>', '&']) {
                out.push_str(gap);
            }
            let unit = &body[us..ue];
            masked_last = false;
            if *ws && spelled {
                if unit.contains(['<', '>', '&']) {
                    out.push_str(unit);
                }
            } else if *ws || word_start || unit.contains(['<', '>']) {
                out.push_str(unit);
                word_start = *ws;
            } else {
                out.push('*');
                masked_last = true;
            }
            at = ue;
        }
        let tail = &body[at..e];
        if tail.contains(['<', '>', '&']) {
            out.push_str(tail);
        }
        // Combining marks right after a masked letter belong to it: they go too.
        if masked_last {
            e += body[e..].chars().take_while(|&c| is_combining(c)).map(char::len_utf8).sum::<usize>();
        }
        cursor = e;
    }
    out.push_str(&body[cursor.min(body.len())..]);
    out
}

/// Combining marks (the common blocks): they draw on the character before them.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// The first normalized byte at or after `from` whose source unit ends after `pos`.
fn first_ending_after(map: &crate::normalize::offsets::OffsetMap, from: usize, n: usize, pos: usize) -> usize {
    let (mut lo, mut hi) = (from, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if map.source_of(mid).end <= pos {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
