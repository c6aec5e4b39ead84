//! Wordlist matching: Aho-Corasick automata over normalized text, Scunthorpe-safe.
//!
//! A wordlist is a file of terms in plain lowercase (`rules/profanity/strong.txt`). This module
//! compiles every list into **one** Aho-Corasick automaton, scans the normalized text once, and
//! decides for each raw match whether it is really the term. That decision is where
//! Scunthorpe safety lives, and it is made by construction rather than by an ever-growing list
//! of exceptions:
//!
//! - **Whole words by default.** A term matches only where the characters around it in the
//!   normalized text are not letters or digits: `ass` never matches `class`, `assassin` or
//!   `bass`; `dick` never matches `Dickens`; `hell` never matches `hello`.
//! - **Per-term anchors.** A term may say how it extends: `fuck*` matches any word that *starts*
//!   with `fuck` (`fucking`, `fuckwit`), `*hole` any word that ends with it, `*fuck*` any word
//!   containing it (`clusterfuck`, `absofuckinglutely`). A [`WordMode::Substring`] list treats
//!   every unstarred term as `*term*`. An anchored hit reports the whole word it is in.
//! - **Allowlists.** An anchored hit is dropped when the word it is in is on the list's
//!   allowlist (`shit*` but not `shitake`; `*cunt*` but not `scunthorpe`). Allowlisted words are
//!   normalized like the text, so `Scunthorpe` and `SCUNTHORPE` are one entry.
//!
//! The normalizer leaves three evasions half done on purpose (see [`crate::normalize::words`]),
//! and each term is compiled into variants that finish the job:
//!
//! - **masked**: one or two interior letters (never the first or last) replaced by `*`
//!   (`f*ck`, `f**k`, `sh*t`, `b*tch`): the normalizer turns `* # % @` inside a word into `*`.
//!   A `*` is never a letter of an innocent word, so these cannot cause false positives.
//! - **spaced**: the letters one space apart (`a s s h o l e`), for spelled-out words; the
//!   normalizer keeps their spaces so the word boundary still works (`you are a b i t c h`).
//!   A spaced variant of a whole-word term must end where the spelled-out run ends, so
//!   `a s s h o l e` is `asshole`, not `ass`.
//! - **look-alike letters**: `u` → `v` (`fvck`, `dvmbass`), a single letter written twice
//!   (`fuuck`, `shiit`: the normalizer only collapses runs of three), and a doubled letter written once
//!   (`ashole`, `bolocks`, which is also what a stretched double like `asssshole` becomes), the
//!   latter only when the variant is five letters or more and not allowlisted, so short real
//!   words (`as`, `pis`, `bobs`, `buts`) are never generated.
//!
//! Matching is one overlapping pass (`MatchKind::Standard`) so that a longer raw match failing
//! its boundary check cannot hide a shorter one that passes; the survivors are then reduced to
//! non-overlapping hits per list, longest first.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::variants::term_variants;
use crate::normalize::Normalizer;

/// How a list's terms may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WordMode {
    /// Only as a whole word (the default): "ass" never hits "class".
    #[default]
    Word,
    /// Anywhere, even inside a longer word, unless that word is allowlisted.
    Substring,
}

/// One list to compile: its terms (one per entry, as written in the rule file), how they match,
/// and the allowlisted words in which a hit does not count.
#[derive(Debug, Clone, Default)]
pub struct ListSpec {
    /// The terms as written in the list file.
    pub terms: Vec<String>,
    /// Whole-word or substring.
    pub mode: WordMode,
    /// Words that contain a term but are innocent ("scunthorpe", "cocktail").
    pub allow: Vec<String>,
}

/// A hit of list `list` at normalized byte offsets `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordHit {
    /// Index of the list in the slice given to [`WordlistSet::build`].
    pub list: usize,
    /// Index of the matched term within that list.
    pub term: usize,
    /// Start byte in the haystack.
    pub start: usize,
    /// End byte (exclusive) in the haystack.
    pub end: usize,
}

/// The entries of a list or allowlist file: one per line, `#` starts a comment, blank lines
/// are skipped, surrounding whitespace is trimmed.
pub fn parse_terms(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_once('#').map_or(l, |(a, _)| a).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// How a compiled pattern may sit in its word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// The whole word.
    Word,
    /// The start of a word (`term*`).
    Prefix,
    /// The end of a word (`*term`).
    Suffix,
    /// Anywhere in a word (`*term*`).
    Inside,
}

/// One (list, term, shape) behind an automaton pattern.
#[derive(Debug, Clone, Copy)]
struct Source {
    list: u32,
    term: u32,
    anchor: Anchor,
    /// A spelled-out (`f u c k`) variant.
    spaced: bool,
}

/// All lists compiled together.
#[derive(Debug, Clone)]
pub struct WordlistSet {
    ac: Option<AhoCorasick>,
    /// Automaton pattern id → the terms it stands for.
    sources: Vec<Vec<Source>>,
    /// Per list, normalized allowlisted words.
    allow: Vec<HashSet<String>>,
}

impl WordlistSet {
    /// Compiles `lists`; terms are normalized with `normalizer` so they compare to normalized text.
    ///
    /// # Errors
    /// A term is empty after normalization, or the automaton cannot be built.
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Result<WordlistSet, String> {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut sources: Vec<Vec<Source>> = Vec::new();
        let mut allow = Vec::with_capacity(lists.len());
        let mut variants = Vec::new();
        for (li, list) in lists.iter().enumerate() {
            let allowed: HashSet<String> = list
                .allow
                .iter()
                .map(|w| normalizer.normalize(w).text.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect();
            for (ti, raw) in list.terms.iter().enumerate() {
                let (core, anchor) = parse_anchor(raw.trim(), list.mode);
                let core = normalizer.normalize(core).text.trim().to_string();
                if core.is_empty() {
                    return Err(format!("list {li}, term {ti} ({raw:?}) is empty after normalization"));
                }
                variants.clear();
                term_variants(&core, anchor == Anchor::Word, &allowed, &mut variants);
                for (text, spaced) in variants.drain(..) {
                    let id = *ids.entry(text).or_insert_with_key(|k| {
                        patterns.push(k.clone());
                        sources.push(Vec::new());
                        patterns.len() - 1
                    });
                    let src = Source { list: li as u32, term: ti as u32, anchor, spaced };
                    sources[id].push(src);
                }
            }
            allow.push(allowed);
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| format!("cannot build the wordlist automaton: {e}"))?,
            )
        };
        Ok(WordlistSet { ac, sources, allow })
    }

    /// Number of distinct automaton patterns (terms times their variants).
    pub fn pattern_count(&self) -> usize {
        self.sources.len()
    }

    /// Appends every hit in `haystack` (normalized text) to `out`, in order of position.
    ///
    /// Hits of one list never overlap (the longest wins); hits of different lists may.
    pub fn find(&self, haystack: &str, out: &mut Vec<WordHit>) {
        let Some(ac) = &self.ac else { return };
        let base = out.len();
        for m in ac.find_overlapping_iter(haystack) {
            for src in &self.sources[m.pattern().as_usize()] {
                if let Some((start, end)) = self.accept(haystack, m.start(), m.end(), src) {
                    out.push(WordHit { list: src.list as usize, term: src.term as usize, start, end });
                }
            }
        }
        let new = &mut out[base..];
        new.sort_unstable_by(|a, b| {
            (a.start, std::cmp::Reverse(a.end), a.list, a.term).cmp(&(
                b.start,
                std::cmp::Reverse(b.end),
                b.list,
                b.term,
            ))
        });
        // Keep, per list, the leftmost-longest non-overlapping hits.
        let mut keep = base;
        for i in base..out.len() {
            let h = out[i];
            let clash = out[base..keep].iter().any(|k| k.list == h.list && k.end > h.start);
            if !clash {
                out[keep] = h;
                keep += 1;
            }
        }
        out.truncate(keep);
    }

    /// Boundary and allowlist checks for a raw match; the hit's span if it counts.
    fn accept(&self, h: &str, s: usize, e: usize, src: &Source) -> Option<(usize, usize)> {
        let left = is_boundary_before(h, s);
        let right = is_boundary_after(h, e);
        let ok = match src.anchor {
            Anchor::Word => left && right,
            Anchor::Prefix => left,
            Anchor::Suffix => right,
            Anchor::Inside => true,
        };
        if !ok {
            return None;
        }
        if src.spaced {
            // The spelled-out run must end with the term, unless the term may go on, in which
            // case the hit covers the rest of the run.
            let open = matches!(src.anchor, Anchor::Prefix | Anchor::Inside);
            let mut e = e;
            if spelled_continues(h, e) {
                if !open {
                    return None;
                }
                while spelled_continues(h, e) {
                    e += 1 + h[e + 1..].chars().next().map_or(0, char::len_utf8);
                }
            }
            return Some((s, e));
        }
        if src.anchor == Anchor::Word {
            return Some((s, e));
        }
        let (ws, we) = (word_start(h, s), word_end(h, e));
        if (ws, we) != (s, e) && self.allow[src.list as usize].contains(&h[ws..we]) {
            return None;
        }
        Some((ws, we))
    }
}

/// Splits `*term*` syntax into the core and its anchor.
fn parse_anchor(raw: &str, mode: WordMode) -> (&str, Anchor) {
    let (open_left, rest) = match raw.strip_prefix('*') {
        Some(r) => (true, r),
        None => (false, raw),
    };
    let (open_right, core) = match rest.strip_suffix('*') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let anchor = match (open_left, open_right, mode) {
        (true, true, _) | (false, false, WordMode::Substring) => Anchor::Inside,
        (false, true, _) => Anchor::Prefix,
        (true, false, _) => Anchor::Suffix,
        (false, false, WordMode::Word) => Anchor::Word,
    };
    (core, anchor)
}

#[inline]
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Is there a word boundary just before byte `s`? An interior mask (`f*ck`: a `*` with a word
/// character before it) is part of the word.
fn is_boundary_before(h: &str, s: usize) -> bool {
    let mut it = h[..s].chars().rev();
    match it.next() {
        None => true,
        Some('*') => !it.next().is_some_and(is_word),
        Some(c) => !is_word(c),
    }
}

/// Is there a word boundary just after byte `e`?
fn is_boundary_after(h: &str, e: usize) -> bool {
    let mut it = h[e..].chars();
    match it.next() {
        None => true,
        Some('*') => !it.next().is_some_and(is_word),
        Some(c) => !is_word(c),
    }
}

/// Start of the word containing byte `s`.
fn word_start(h: &str, mut s: usize) -> usize {
    while !is_boundary_before(h, s) {
        s -= h[..s].chars().next_back().map_or(1, char::len_utf8);
    }
    s
}

/// End of the word containing byte `e`.
fn word_end(h: &str, mut e: usize) -> usize {
    while !is_boundary_after(h, e) {
        e += h[e..].chars().next().map_or(1, char::len_utf8);
    }
    e
}

/// Does a spelled-out run go on after byte `e` (` x` followed by a space or the end)?
fn spelled_continues(h: &str, e: usize) -> bool {
    let mut it = h[e..].chars();
    it.next() == Some(' ') && it.next().is_some_and(is_word) && it.next().map_or(true, |c| c == ' ')
}
