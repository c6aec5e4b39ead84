//! The match stage: one scan of a comment against every compiled rule.
//!
//! - wordlists: all lists of all rules in one [`wordlist::WordlistSet`] (a few Aho-Corasick
//!   automata), run once over the normalized text;
//! - regex rules: a literal prefilter over the normalized text and one over the raw body; only
//!   the patterns whose required strings occur run, for their spans ([`regex`]);
//! - structural signals read the parsed comment ([`structural`]).
//!
//! Every [`Hit`] carries byte offsets into the **original** body, mapped back through the
//! normalizer's offset map, so a reason shows the evasive form exactly as written. The matcher
//! knows the compiled rules but no file format and no output.

pub mod regex;
pub mod structural;
pub mod variants;
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
    /// Hits the last scan did not count because of their rule's `unless_after` (for `explain`).
    pub reported: Vec<Hit>,
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
    /// Per rule: the reported-speech context (`unless_after`) that cancels a match after it.
    pub unless_after: Vec<Option<::regex::Regex>>,
}

/// How far back `unless_after` looks: a sentence's worth of text before the match.
const CONTEXT_BYTES: usize = 120;

impl Matcher {
    /// Scans `comment` and appends every hit to `out` (unordered; `decide` orders them).
    pub fn scan(&self, comment: &Comment, scratch: &mut Scratch, out: &mut Vec<Hit>) {
        let body = comment.body.as_str();
        self.normalizer.normalize_into(body, &mut scratch.norm);
        let norm = &scratch.norm;
        scratch.word_hits.clear();
        scratch.reported.clear();
        self.words.find(&norm.text, &mut scratch.word_hits);
        let reported = &mut scratch.reported;
        for h in &scratch.word_hits {
            let hit = Hit { rule: self.word_rule[h.list], span: Some(to_original(norm, body, h.start, h.end)) };
            if self.is_reported(hit.rule, &norm.text, h.start) {
                reported.push(hit)
            } else {
                out.push(hit)
            }
        }
        self.norm_regex.scan(&norm.text, &mut scratch.cand, |rule, r| {
            let hit = Hit { rule, span: Some(to_original(norm, body, r.start, r.end)) };
            if self.is_reported(rule, &norm.text, r.start) {
                reported.push(hit)
            } else {
                out.push(hit)
            }
        });
        self.raw_regex.scan(body, &mut scratch.cand, |rule, r| {
            let start = r.start;
            let hit = Hit { rule, span: Some(r) };
            if self.is_reported(rule, body, start) {
                reported.push(hit)
            } else {
                out.push(hit)
            }
        });
        for (rule, signal) in &self.signals {
            signal.scan(comment, |span| out.push(Hit { rule: *rule, span }));
        }
    }

    /// True when `rule` has an `unless_after` context and the text just before `start` (same
    /// sentence) ends in it: "they called me a …" reports an insult rather than making one.
    fn is_reported(&self, rule: usize, text: &str, start: usize) -> bool {
        let Some(Some(re)) = self.unless_after.get(rule) else { return false };
        let mut from = start.saturating_sub(CONTEXT_BYTES);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        re.is_match(&text[from..start])
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
