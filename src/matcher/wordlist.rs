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

mod automaton;
mod stored;
mod table;

use std::collections::HashSet;

use crate::normalize::Normalizer;
use automaton::Automaton;
use table::allow_sets;
pub use table::TermTable;

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
    /// Whether the fuzzy pass ([`super::fuzzy`]) may read near spellings as these terms.
    pub fuzzy: bool,
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
    ac: Option<Automaton>,
    /// Every pattern's terms, pattern by pattern (one flat table: the pack has ~90,000
    /// patterns, and one `Vec` each cost an allocation to build, to clone and to free).
    sources: Vec<Source>,
    /// Automaton pattern id → where its terms start in `sources` (one more entry at the end);
    /// a gate literal only has none.
    source_at: Vec<u32>,
    /// Automaton pattern id → the gate literal it also is (see [`Self::build_with_gate`]).
    gate: Vec<Option<u32>>,
    /// Per list, normalized allowlisted words.
    allow: Vec<HashSet<String>>,
    /// Longest automaton pattern, in bytes (how far back a later match may start).
    max_len: usize,
    /// Longest allowlisted word, in bytes.
    max_allow: usize,
}

impl WordlistSet {
    /// Compiles `lists`; terms are normalized with `normalizer` so they compare to normalized text.
    ///
    /// # Errors
    /// A term is empty after normalization, or the automaton cannot be built.
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Result<WordlistSet, String> {
        WordlistSet::build_with_gate(lists, normalizer, &[])
    }

    /// [`build`](Self::build), with `gate` literals in the same automaton: one scan of the
    /// normalized text finds the terms and the required literals of the regex patterns
    /// ([`super::regex::RegexRules::build_gated`]); [`Self::find_with_gate`] reports the latter
    /// by their index in `gate`.
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub fn build_with_gate(
        lists: &[ListSpec],
        normalizer: &Normalizer,
        gate: &[Vec<u8>],
    ) -> Result<WordlistSet, String> {
        TermTable::build(lists, normalizer)?.into_set(gate)
    }

    /// Number of distinct automaton patterns (terms times their variants).
    pub fn pattern_count(&self) -> usize {
        (0..self.gate.len()).filter(|&id| !self.sources_of(id).is_empty()).count()
    }

    /// True when `word` (normalized) is allowlisted for list `list`.
    pub fn allows(&self, list: usize, word: &str) -> bool {
        self.allow.get(list).is_some_and(|a| a.contains(word))
    }

    /// The terms automaton pattern `id` stands for.
    #[inline]
    fn sources_of(&self, id: usize) -> &[Source] {
        match (self.source_at.get(id), self.source_at.get(id + 1)) {
            (Some(&a), Some(&b)) => &self.sources[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Appends every hit in `haystack` (normalized text) to `out`, in order of position.
    ///
    /// Hits of one list never overlap (the longest wins); hits of different lists may.
    pub fn find(&self, haystack: &str, out: &mut Vec<WordHit>) {
        let mut scratch = FindScratch::default();
        self.find_with(haystack, &mut scratch, |h| out.push(h));
    }

    /// [`find`](Self::find), streaming: calls `emit` for every hit, in order of position, with
    /// reusable buffers. Time is linear in the haystack and the raw matches; memory is bounded by
    /// the hits of a window of one pattern's length, not by the haystack.
    pub fn find_with(&self, haystack: &str, scratch: &mut FindScratch, emit: impl FnMut(WordHit)) {
        self.find_with_gate(haystack, scratch, emit, |_, _, _| {});
    }

    /// [`find_with`](Self::find_with) that also calls `gate(literal, start, end)` for every
    /// occurrence of a gate literal, in the same pass.
    pub fn find_with_gate(
        &self,
        haystack: &str,
        scratch: &mut FindScratch,
        mut emit: impl FnMut(WordHit),
        mut gate: impl FnMut(usize, usize, usize),
    ) {
        let Some(ac) = &self.ac else { return };
        let FindScratch { pending, last_end, last_pushed, bounds } = scratch;
        pending.clear();
        last_end.clear();
        last_end.resize(self.allow.len(), 0);
        last_pushed.clear();
        last_pushed.resize(self.allow.len(), usize::MAX);
        *bounds = Bounds::default();
        // Raw matches come in order of their end and start at most `max_len` bytes before it;
        // a hit may start earlier, at the start of its word. So once the scan has passed `end`,
        // every later hit starts at or after the word start of `end - max_len`: pending hits
        // before that are final, and are reduced and emitted. `flush_at` doubles with what stays
        // pending, so each hit is sorted O(1) times on average.
        let mut flush_at = FLUSH_MIN;
        let (mut cursor, mut safe) = (0usize, 0usize);
        for (id, m_start, m_end) in ac.find_overlapping(haystack) {
            if let Some(Some(g)) = self.gate.get(id) {
                gate(*g as usize, m_start, m_end);
            }
            for src in self.sources_of(id) {
                if let Some((start, end)) = self.accept(haystack, m_start, m_end, src, bounds) {
                    let (list, term) = (src.list as usize, src.term as usize);
                    // Hits inside one long word all report that word: keep one (smallest term,
                    // as the reduction would), so pending stays small.
                    if let Some(prev) = pending.get_mut(last_pushed[list]) {
                        if (prev.start, prev.end) == (start, end) {
                            prev.term = prev.term.min(term);
                            continue;
                        }
                    }
                    last_pushed[list] = pending.len();
                    pending.push(WordHit { list, term, start, end });
                }
            }
            if pending.len() >= flush_at {
                let to = m_end.saturating_sub(self.max_len);
                while let Some(c) = haystack[cursor..].chars().next().filter(|c| cursor + c.len_utf8() <= to) {
                    cursor += c.len_utf8();
                    if is_boundary_before(haystack, cursor) {
                        safe = cursor;
                    }
                }
                reduce(pending, last_end, safe, &mut emit);
                last_pushed.iter_mut().for_each(|i| *i = usize::MAX);
                flush_at = (2 * pending.len()).max(FLUSH_MIN);
            }
        }
        reduce(pending, last_end, usize::MAX, &mut emit);
    }

    /// Boundary and allowlist checks for a raw match; the hit's span if it counts.
    fn accept(&self, h: &str, s: usize, e: usize, src: &Source, bounds: &mut Bounds) -> Option<(usize, usize)> {
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
            if spelled_continues(h, e) {
                if !open {
                    return None;
                }
                return Some((s, bounds.spelled_end(h, e)));
            }
            return Some((s, e));
        }
        if src.anchor == Anchor::Word {
            return Some((s, e));
        }
        let (ws, we) = (bounds.word_start(h, s), bounds.word_end(h, e));
        // No allowlisted word is longer than `max_allow`: a longer word needs no lookup (and
        // hashing a giant word once per hit inside it would be quadratic).
        if (ws, we) != (s, e) && we - ws <= self.max_allow && self.allow[src.list as usize].contains(&h[ws..we]) {
            return None;
        }
        Some((ws, we))
    }
}

/// Fewest pending hits before a reduction (small comments reduce once, at the end).
const FLUSH_MIN: usize = 1024;

/// Reusable buffers of [`WordlistSet::find_with`].
#[derive(Debug, Default)]
pub struct FindScratch {
    /// Accepted hits not yet reduced.
    pending: Vec<WordHit>,
    /// Per list, the end of the last hit kept.
    last_end: Vec<usize>,
    /// Per list, the index in `pending` of its last hit (usize::MAX: none since the last reduction).
    last_pushed: Vec<usize>,
    bounds: Bounds,
}

/// Sorts the pending hits and emits, per list, the leftmost-longest non-overlapping ones among
/// those starting before `safe`; the others stay pending.
fn reduce(pending: &mut Vec<WordHit>, last_end: &mut [usize], safe: usize, emit: &mut impl FnMut(WordHit)) {
    pending.sort_unstable_by(|a, b| {
        (a.start, std::cmp::Reverse(a.end), a.list, a.term).cmp(&(b.start, std::cmp::Reverse(b.end), b.list, b.term))
    });
    let done = pending.partition_point(|h| h.start < safe);
    for h in pending.drain(..done) {
        // Kept hits of a list are in start order, so "overlaps a kept one" is "starts before
        // the furthest end kept so far".
        if h.start >= last_end[h.list] {
            last_end[h.list] = h.end;
            emit(h);
        }
    }
}

/// Memoized word bounds for one scan. Raw matches arrive in order of their end, and start at
/// most a pattern's length before it, so remembering the last two words' known extents makes
/// every walk cover new text only: hits inside one long word cost O(1) each, not O(word).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// `(lo, hi)`: every position in `lo..=hi` has word start `lo` (current, previous word).
    starts: [(usize, usize); 2],
    /// `(lo, hi)`: every position in `lo..=hi` has word end `hi`.
    ends: [(usize, usize); 2],
    /// `(lo, hi)`: a spelled-out run continuing from any letter end in `lo..=hi` ends at `hi`.
    spelled: (usize, usize),
}

impl Default for Bounds {
    fn default() -> Self {
        const EMPTY: (usize, usize) = (usize::MAX, 0);
        Bounds { starts: [EMPTY; 2], ends: [EMPTY; 2], spelled: EMPTY }
    }
}

impl Bounds {
    /// Start of the word containing byte `s` (walks back until a boundary or known text).
    fn word_start(&mut self, h: &str, s: usize) -> usize {
        for &(lo, hi) in &self.starts {
            if lo <= s && s <= hi {
                return lo;
            }
        }
        let mut p = s;
        loop {
            if let Some(k) = self.starts.iter().position(|&(lo, hi)| lo <= p && p <= hi) {
                let lo = self.starts[k].0;
                self.starts[k].1 = self.starts[k].1.max(s);
                return lo;
            }
            if is_boundary_before(h, p) {
                self.starts = [(p, s), self.starts[0]];
                return p;
            }
            p -= h[..p].chars().next_back().map_or(1, char::len_utf8);
        }
    }

    /// End of the word containing byte `e` (walks forward until a boundary or known text).
    fn word_end(&mut self, h: &str, e: usize) -> usize {
        for &(lo, hi) in &self.ends {
            if lo <= e && e <= hi {
                return hi;
            }
        }
        let mut p = e;
        loop {
            if let Some(k) = self.ends.iter().position(|&(lo, hi)| lo <= p && p <= hi) {
                let hi = self.ends[k].1;
                self.ends[k].0 = self.ends[k].0.min(e);
                return hi;
            }
            if is_boundary_after(h, p) {
                self.ends = [(e, p), self.ends[0]];
                return p;
            }
            p += h[p..].chars().next().map_or(1, char::len_utf8);
        }
    }

    /// End of the spelled-out run that continues after letter end `e`.
    fn spelled_end(&mut self, h: &str, e: usize) -> usize {
        let (lo, hi) = self.spelled;
        if lo <= e && e <= hi {
            return hi;
        }
        let mut p = e;
        while spelled_continues(h, p) {
            p += 1 + h[p + 1..].chars().next().map_or(0, char::len_utf8);
        }
        self.spelled = (e, p);
        p
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

/// Does a spelled-out run go on after byte `e` (` x` followed by a space or the end)?
fn spelled_continues(h: &str, e: usize) -> bool {
    let mut it = h[e..].chars();
    it.next() == Some(' ') && it.next().is_some_and(is_word) && it.next().map_or(true, |c| c == ' ')
}
