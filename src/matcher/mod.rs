//! The match stage: one scan of a comment against every compiled rule.
//!
//! - wordlists: all lists of all rules in one [`wordlist::WordlistSet`] (a few Aho-Corasick
//!   automata), run once over the normalized text;
//! - regex rules: one `RegexSet` pass over the normalized text and one over the raw body; only
//!   the patterns that hit run again for their spans ([`regex`]);
//! - structural signals read the parsed comment ([`structural`]).
//!
//! Every [`Hit`] carries byte offsets into the **original** body, mapped back through the
//! normalizer's offset map, so a reason shows the evasive form exactly as written. The matcher
//! knows the compiled rules but no file format and no output.

pub mod regex;
pub mod structural;
pub mod wordlist;

use std::ops::Range;

use crate::comment::Comment;
use crate::normalize::{Normalized, Normalizer};

/// One piece of evidence: rule `rule` hit, at `span` of the original body (None for signals
/// about metadata, e.g. the entry's kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the rule in the engine's rule table.
    pub rule: usize,
    /// Byte range in the original body.
    pub span: Option<Range<usize>>,
}

/// Reusable buffers for one thread's scans (no allocation per comment once warmed up).
#[derive(Debug, Default)]
pub struct Scratch {
    /// The last normalized text.
    pub norm: Normalized,
    word_hits: Vec<wordlist::WordHit>,
    /// Candidate-pattern bitset of the regex prefilter.
    cand: Vec<u64>,
}

/// The compiled matching half of the engine.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The normalizer the text goes through before wordlists and normalized regexes.
    pub normalizer: Normalizer,
    /// Every wordlist, compiled together.
    pub words: wordlist::WordlistSet,
    /// List index in `words` → rule index.
    pub word_rule: Vec<usize>,
    /// Patterns on the normalized text.
    pub norm_regex: regex::RegexRules,
    /// Patterns on the raw body.
    pub raw_regex: regex::RegexRules,
    /// Structural signals with their rule index.
    pub signals: Vec<(usize, structural::CompiledSignal)>,
}

impl Matcher {
    /// Scans `comment` and appends every hit to `out` (unordered; `decide` orders them).
    pub fn scan(&self, comment: &Comment, scratch: &mut Scratch, out: &mut Vec<Hit>) {
        let body = comment.body.as_str();
        self.normalizer.normalize_into(body, &mut scratch.norm);
        let norm = &scratch.norm;
        scratch.word_hits.clear();
        self.words.find(&norm.text, &mut scratch.word_hits);
        for h in &scratch.word_hits {
            out.push(Hit { rule: self.word_rule[h.list], span: Some(to_original(norm, body, h.start, h.end)) });
        }
        self.norm_regex.scan(&norm.text, &mut scratch.cand, |rule, r| {
            out.push(Hit { rule, span: Some(to_original(norm, body, r.start, r.end)) });
        });
        self.raw_regex.scan(body, &mut scratch.cand, |rule, r| out.push(Hit { rule, span: Some(r) }));
        for (rule, signal) in &self.signals {
            signal.scan(comment, |span| out.push(Hit { rule: *rule, span }));
        }
    }
}

/// Maps a normalized range to the original body, trimmed of surrounding whitespace.
fn to_original(norm: &Normalized, body: &str, start: usize, end: usize) -> Range<usize> {
    let r = norm.original_range(start, end);
    let s = &body[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail >= s.len() {
        return r;
    }
    r.start + lead..r.end - trail
}
