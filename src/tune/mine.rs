//! `moderate mine`: candidate terms from the misses, and the listed terms that cause the most
//! false alarms. Shown, never applied.
//!
//! **Candidates.** Every 1-3 word n-gram of the normalized text (what the rules see) is counted
//! once per comment in two groups: *missed positives* (any label true, allowed) and
//! *negatives* (every label false). They are ranked by the log-odds ratio with an informative
//! Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the prior is the n-gram's
//! share of all rows, so a frequent word needs much more evidence than a rare one, and the score
//! is a z-score (the log-odds divided by its standard deviation), so 3 misses out of 3 do not
//! beat 40 out of 45. N-grams the current rules already match on their own are dropped: they are
//! not new terms, and the misses are below the threshold for another reason.
//!
//! **False alarms.** For every negative row that is denied, each match of each reason that
//! counted, grouped by (rule, matched text): what to allowlist or narrow first.
//!
//! # Performance
//! Linear in the text: each comment's n-grams go into hash maps once; only the best candidates
//! (a bounded number) are judged alone to test whether a rule already matches them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::comment::Comment;
use crate::engine::Engine;
use crate::eval::LabeledRow;
use crate::verdict::{Decision, Span, Verdict};

/// An example comment with the spans of the term in its original body.
#[derive(Debug, Clone, Serialize)]
pub struct MineExample {
    /// Comment id.
    pub id: String,
    /// Where the term is in the original body (byte offsets, `text == body[start..end]`).
    pub spans: Vec<Span>,
    /// The body, cut to 240 characters around the first span.
    pub excerpt: String,
}

/// A candidate term: more frequent in misses than in negatives.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The n-gram (normalized text).
    pub term: String,
    /// Missed positives that contain it.
    pub misses: u64,
    /// Negatives that contain it.
    pub negatives: u64,
    /// Log-odds ratio (misses vs negatives) with the informative prior.
    pub log_odds: f64,
    /// `log_odds` divided by its standard deviation: the ranking key.
    pub z: f64,
    /// Up to `examples` missed comments containing it.
    pub examples: Vec<MineExample>,
}

/// A listed term (a rule's match) that fires on negatives.
#[derive(Debug, Clone, Serialize)]
pub struct FalseAlarm {
    /// The rule.
    pub rule: String,
    /// The matched text, lowercased.
    pub text: String,
    /// Negative rows denied with this match.
    pub negatives: u64,
    /// Positive rows this rule and match also hit (what allowlisting it would cost).
    pub positives: u64,
    /// Up to `examples` of the false alarms.
    pub examples: Vec<MineExample>,
}

/// The report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MineReport {
    /// Rows read.
    pub rows: u64,
    /// Missed positives (any label true, allowed).
    pub misses: u64,
    /// Negatives (every label false).
    pub negatives: u64,
    /// Candidate terms, best first.
    pub candidates: Vec<Candidate>,
    /// Listed terms causing false alarms, most first.
    pub false_alarms: Vec<FalseAlarm>,
}

/// Options of [`mine`].
#[derive(Debug, Clone, Copy)]
pub struct MineOptions {
    /// Candidates and false-alarm terms to list.
    pub top: usize,
    /// Examples per entry.
    pub examples: usize,
    /// Fewest misses a candidate must appear in.
    pub min_count: u64,
}

/// Longest body (bytes) mined per row, as the engine judges at most `max_body_bytes`.
fn cut(body: &str, max: usize) -> &str {
    let mut end = body.len().min(max);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// Word tokens of normalized `text`: (start, end) of each run of letters or digits, 2+ chars.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if text[s..i].chars().count() >= 2 {
                    out.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The 1-3 word n-grams of `text`, each once, with the normalized span of its first occurrence.
fn ngrams(text: &str) -> HashMap<String, (usize, usize)> {
    let toks = tokens(text);
    let mut out = HashMap::new();
    for i in 0..toks.len() {
        let mut gram = String::new();
        for (k, &(s, e)) in toks[i..].iter().take(3).enumerate() {
            if k > 0 {
                gram.push(' ');
            }
            gram.push_str(&text[s..e]);
            out.entry(gram.clone()).or_insert((toks[i].0, e));
        }
    }
    out
}

fn excerpt(body: &str, at: usize) -> String {
    let start = body.char_indices().map(|(i, _)| i).take_while(|&i| i + 120 <= at).last().unwrap_or(0);
    let s: String = body[start..].chars().take(240).collect();
    if start > 0 {
        format!("…{s}")
    } else {
        s
    }
}

fn example_for(engine: &Engine, row: &LabeledRow, term: &str, max: usize) -> Option<MineExample> {
    let body = cut(&row.comment.body, max);
    let norm = engine.normalize(body);
    let grams = ngrams(&norm.text);
    let &(s, e) = grams.get(term)?;
    let r = norm.original_range(s, e);
    let text = body.get(r.clone())?.to_string();
    Some(MineExample {
        id: row.comment.id.clone(),
        spans: vec![Span { start: r.start, end: r.end, text }],
        excerpt: excerpt(body, r.start),
    })
}

/// Mines `rows` judged as `verdicts` (same order).
pub fn mine(engine: &Engine, rows: &[LabeledRow], verdicts: &[Verdict], opts: MineOptions) -> MineReport {
    let max = engine.limits().max_body_bytes;
    let mut rep = MineReport { rows: rows.len() as u64, ..MineReport::default() };
    // Per n-gram: (misses, negatives, all rows).
    let mut counts: HashMap<String, [u64; 3]> = HashMap::new();
    let mut miss_rows: Vec<usize> = Vec::new();
    for (i, (row, v)) in rows.iter().zip(verdicts).enumerate() {
        let wanted = super::should_deny(&row.labels);
        let miss = wanted == Some(true) && v.verdict == Decision::Allow;
        let negative = wanted == Some(false);
        rep.misses += u64::from(miss);
        rep.negatives += u64::from(negative);
        if miss {
            miss_rows.push(i);
        }
        let norm = engine.normalize(cut(&row.comment.body, max));
        for gram in ngrams(&norm.text).into_keys() {
            let c = counts.entry(gram).or_default();
            c[0] += u64::from(miss);
            c[1] += u64::from(negative);
            c[2] += 1;
        }
    }
    rep.candidates = rank(engine, &counts, &rep, opts);
    for c in &mut rep.candidates {
        for &i in &miss_rows {
            if c.examples.len() >= opts.examples {
                break;
            }
            if let Some(ex) = example_for(engine, &rows[i], &c.term, max) {
                c.examples.push(ex);
            }
        }
    }
    rep.false_alarms = false_alarms(rows, verdicts, opts);
    rep
}

/// Log-odds with an informative Dirichlet prior; the `opts.top` best not already matched.
fn rank(engine: &Engine, counts: &HashMap<String, [u64; 3]>, rep: &MineReport, opts: MineOptions) -> Vec<Candidate> {
    let total: f64 = counts.values().map(|c| c[2] as f64).sum::<f64>().max(1.0);
    // Prior strength: as many pseudo-counts as the smaller group has rows, so the prior never
    // outweighs the data but keeps a one-off from ranking first.
    let alpha0 = (rep.misses.min(rep.negatives).max(1) as f64) * 10.0;
    let (na, nb) = (rep.misses as f64, rep.negatives as f64);
    let mut scored: Vec<(f64, f64, &String, &[u64; 3])> = counts
        .iter()
        .filter(|(_, c)| c[0] >= opts.min_count)
        .map(|(g, c)| {
            let a = alpha0 * c[2] as f64 / total;
            let (ya, yb) = (c[0] as f64, c[1] as f64);
            let la = ((ya + a) / (na + alpha0 - ya - a).max(1e-9)).ln();
            let lb = ((yb + a) / (nb + alpha0 - yb - a).max(1e-9)).ln();
            let delta = la - lb;
            let var = 1.0 / (ya + a) + 1.0 / (yb + a);
            (delta / var.sqrt(), delta, g, c)
        })
        .filter(|(z, ..)| *z > 0.0)
        .collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(y.2)));
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    // Judging a candidate alone is the costly step: bounded to a few times `top`.
    for (z, delta, g, c) in scored.into_iter().take(opts.top.saturating_mul(20).max(200)) {
        if out.len() >= opts.top {
            break;
        }
        if !seen.insert(g.as_str()) {
            continue;
        }
        let already = !engine.judge(&Comment::new("mine", g.as_str())).reasons.is_empty();
        if already {
            continue;
        }
        out.push(Candidate {
            term: g.clone(),
            misses: c[0],
            negatives: c[1],
            log_odds: delta,
            z,
            examples: Vec::new(),
        });
    }
    out
}

/// Each distinct (lowercased) match text of a reason that counted, with its first span.
fn matched(r: &crate::verdict::Reason) -> Vec<(String, &Span)> {
    let mut keys: Vec<(String, &Span)> = Vec::new();
    for m in &r.matches {
        let key = m.text.to_lowercase();
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, m));
        }
    }
    keys
}

fn counted(r: &crate::verdict::Reason) -> bool {
    r.shadow.is_none() && (r.score > 0.0 || r.action.is_some())
}

fn false_alarms(rows: &[LabeledRow], verdicts: &[Verdict], opts: MineOptions) -> Vec<FalseAlarm> {
    let mut by: HashMap<(String, String), FalseAlarm> = HashMap::new();
    // Pass 1: denied negatives.
    for (row, v) in rows.iter().zip(verdicts) {
        if super::should_deny(&row.labels) != Some(false) || !v.verdict.is_deny() {
            continue;
        }
        for r in v.reasons.iter().filter(|r| counted(r)) {
            for (key, m) in matched(r) {
                let fa = by.entry((r.rule.clone(), key.clone())).or_insert_with(|| FalseAlarm {
                    rule: r.rule.clone(),
                    text: key.clone(),
                    negatives: 0,
                    positives: 0,
                    examples: Vec::new(),
                });
                fa.negatives += 1;
                if fa.examples.len() < opts.examples {
                    fa.examples.push(MineExample {
                        id: row.comment.id.clone(),
                        spans: r.matches.iter().filter(|x| x.text.to_lowercase() == key).cloned().collect(),
                        excerpt: excerpt(&row.comment.body, m.start),
                    });
                }
            }
        }
    }
    // Pass 2: what the same rule and match catch among the positives.
    for (row, v) in rows.iter().zip(verdicts) {
        if super::should_deny(&row.labels) != Some(true) {
            continue;
        }
        for r in v.reasons.iter().filter(|r| counted(r)) {
            for (key, _) in matched(r) {
                if let Some(fa) = by.get_mut(&(r.rule.clone(), key)) {
                    fa.positives += 1;
                }
            }
        }
    }
    let mut out: Vec<FalseAlarm> = by.into_values().collect();
    out.sort_by(|a, b| b.negatives.cmp(&a.negatives).then(a.positives.cmp(&b.positives)).then(a.text.cmp(&b.text)));
    out.truncate(opts.top);
    out
}
