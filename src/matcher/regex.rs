//! Regex rules: a literal prefilter tells which patterns can hit; only those run, for spans.
//!
//! The `regex` crate is linear-time, so no pattern can be a ReDoS. Patterns are parsed (and so
//! validated) at load but compiled on first use: most comments touch few rules, and compiling
//! every `{list}` expansion up front made start-up ten times slower than judging the seeds.
//! `moderate check` compiles them all ([`RegexRules::compile_all`]), with a size limit, so a
//! huge expansion fails loudly there.
//!
//! # Why not a `RegexSet`
//!
//! The shipped pack expands word lists into its patterns (`{insult}`, `{group}`), so one set of
//! all patterns is a very large NFA. Its lazy DFA keeps building new states on new text (the
//! overlapping search cannot stop early), thrashes its cache, grows memory up to the DFA size
//! limit per thread, and gives up to the PikeVM on any non-ASCII haystack (Unicode `\b`): about
//! 55 % of a run's time went there (`perf`, see docs/bench.md).
//!
//! Instead, each pattern is analysed once for **required literals**: a set of strings at least
//! one of which occurs in every match (`\byour (?:a|an) \w+ {insult}\b` needs one of the
//! `{insult}` terms; `\bkill (?:yourself|urself)\b` needs `kill yourself` or `kill urself`).
//! One Aho-Corasick automaton over all those strings runs over the haystack; a pattern whose
//! required strings do not occur cannot match and is skipped; the others run on their own
//! (small automata, each with its own prefilter). Patterns without a usable required set always
//! run. The result is exactly the set's: a skipped pattern provably has no match, and the
//! candidates run in pattern order, as before.

use std::collections::HashMap;
use std::ops::Range;

use std::sync::OnceLock;
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};

use super::profile::RuleProfile;

/// Patterns of several rules compiled together.
#[derive(Debug, Clone, Default)]
pub struct RegexRules {
    /// The patterns as written (after `{list}` expansion).
    patterns: Vec<String>,
    /// Each pattern compiled on first use.
    regexes: Vec<OnceLock<Regex>>,
    rule_of: Vec<usize>,
    /// The required-literal automaton (None when no pattern has required literals).
    prefilter: Option<AhoCorasick>,
    /// Automaton pattern id → the regex indexes that need it, each with the word boundaries
    /// ([`Edges`]) its occurrence must sit on to count.
    needed_by: Vec<Vec<(u32, Edges)>>,
    /// Bitset (one bit per regex) of the patterns that always run.
    always: Vec<u64>,
}

/// Size limit per compiled pattern (bytes of compiled program).
pub const SIZE_LIMIT: usize = 64 << 20;
/// Lazy-DFA cache per pattern and thread: the default (2 MiB) let the caches of ~60 patterns grow
/// peak memory with the input; comments are short, so a small cache costs little.
pub const DFA_SIZE_LIMIT: usize = 256 << 10;

/// Compiles one pattern with the limits every rule gets.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).dfa_size_limit(DFA_SIZE_LIMIT).build()
}

/// An upper bound, in bytes, of the compiled program of a pattern parsed as `hir`, from its
/// shape alone (microseconds, where compiling takes milliseconds): a pattern under
/// [`SIZE_LIMIT`] by this bound surely compiles, so only the others are compiled at load to
/// find out. Each node is charged as many NFA states as it can need, a Unicode class range
/// as many as its longest UTF-8 expansion, and a state [`STATE_BYTES`]; a test checks the bound
/// against real NFA sizes of the shipped pack.
pub fn size_bound(hir: &Hir) -> u64 {
    units(hir).saturating_mul(STATE_BYTES)
}

/// Bytes charged per NFA state (with its transitions).
const STATE_BYTES: u64 = 64;

fn units(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(l) => l.0.len() as u64 + 1,
        HirKind::Class(Class::Unicode(c)) => (c.ranges().len() as u64).saturating_mul(64).saturating_add(1),
        HirKind::Class(Class::Bytes(c)) => c.ranges().len() as u64 + 1,
        HirKind::Capture(c) => units(&c.sub).saturating_add(2),
        HirKind::Repetition(r) => {
            let copies = u64::from(r.max.unwrap_or(r.min.saturating_add(1)).max(1));
            units(&r.sub).saturating_add(2).saturating_mul(copies).saturating_add(1)
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().fold(subs.len() as u64 + 1, |acc, s| acc.saturating_add(units(s)))
        }
    }
}

/// Most strings a required-literal set may hold (larger sets give up: the pattern always runs).
const MAX_SET: usize = 4096;
/// Largest set from which superstrings are removed.
const DEDUP_MAX: usize = 64;
/// A required literal this long is selective enough: beyond it, fewer literals win.
const SELECTIVE_LEN: usize = 5;
/// Most characters of a class expanded into literals (`(?i)a` is `[Aa]`: two).
const MAX_CLASS: usize = 8;

impl RegexRules {
    /// Prepares `(rule index, pattern)` pairs (patterns already parsed one by one), with their
    /// own required-literal automaton.
    ///
    /// # Errors
    /// The required-literal automaton cannot be built.
    pub fn build(patterns: Vec<(usize, String, Hir)>) -> Result<RegexRules, String> {
        let (mut rules, lits) = RegexRules::build_gated(patterns);
        if !lits.is_empty() {
            rules.prefilter = Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&lits)
                    .map_err(|e| format!("cannot build the regex prefilter: {e}"))?,
            );
        }
        Ok(rules)
    }

    /// Prepares the patterns without an automaton of their own: the caller scans for the
    /// returned required literals (literal `i` is gate id `i`) and reports every occurrence to
    /// [`Self::wake`], then calls [`Self::run`]. This is how the matcher folds these literals
    /// into the wordlists' automaton, so the normalized text is scanned for literals once.
    pub fn build_gated(patterns: Vec<(usize, String, Hir)>) -> (RegexRules, Vec<Vec<u8>>) {
        let words = patterns.len().div_ceil(64);
        let mut always = vec![0u64; words];
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut needed_by: Vec<Vec<(u32, Edges)>> = Vec::new();
        for (i, (_, _, hir)) in patterns.iter().enumerate() {
            match required(hir) {
                Some(set) => {
                    for s in set {
                        let id = *ids.entry(s.bytes).or_insert_with_key(|k| {
                            lits.push(k.clone());
                            needed_by.push(Vec::new());
                            lits.len() - 1
                        });
                        needed_by[id].push((i as u32, s.edges));
                    }
                }
                None => always[i / 64] |= 1 << (i % 64),
            }
        }
        let (rule_of, patterns): (Vec<usize>, Vec<String>) = patterns.into_iter().map(|(r, p, _)| (r, p)).unzip();
        let regexes = patterns.iter().map(|_| OnceLock::new()).collect();
        (RegexRules { patterns, regexes, rule_of, prefilter: None, needed_by, always }, lits)
    }

    /// Pattern `i`, compiled the first time it is needed (by whichever thread gets there first).
    ///
    /// The loader compiled every pattern whose [`size_bound`] exceeds [`SIZE_LIMIT`], so this
    /// compile cannot fail; should the bound ever be wrong, the pattern is compiled without the
    /// limit rather than panicking in a worker thread.
    fn regex(&self, i: usize) -> &Regex {
        self.regexes[i].get_or_init(|| {
            let p = &self.patterns[i];
            compile(p)
                .or_else(|_| RegexBuilder::new(p).size_limit(usize::MAX).dfa_size_limit(DFA_SIZE_LIMIT).build())
                .or_else(|_| Regex::new(r"[^\s\S]"))
                .unwrap_or_else(|_| unreachable!("a static, valid pattern"))
        })
    }

    /// Stores the already compiled pattern `i` (the loader compiled it to check its size).
    pub fn set_compiled(&self, i: usize, re: Regex) {
        let _ = self.regexes[i].set(re);
    }

    /// Compiles every pattern now; the rule index and error of each that fails.
    pub fn compile_all(&self) -> Vec<(usize, String)> {
        let mut failed = Vec::new();
        for (i, cell) in self.regexes.iter().enumerate() {
            match compile(&self.patterns[i]) {
                Ok(re) => {
                    let _ = cell.set(re);
                }
                Err(e) => failed.push((self.rule_of[i], e.to_string().lines().last().unwrap_or("").trim().to_string())),
            }
        }
        failed
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Number of patterns that run on every haystack (no required literal found).
    pub fn unfiltered(&self) -> usize {
        self.always.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Calls `f(rule, range)` for every match of every pattern that hits `haystack`, pattern by
    /// pattern in order. `cand` is a reusable buffer.
    pub fn scan(&self, haystack: &str, cand: &mut Vec<u64>, f: impl FnMut(usize, Range<usize>)) {
        self.scan_profiled(haystack, cand, None, f);
    }

    /// [`scan`](Self::scan), timing each pattern run into `profile` when it is on.
    pub fn scan_profiled(
        &self,
        haystack: &str,
        cand: &mut Vec<u64>,
        profile: Option<&RuleProfile>,
        f: impl FnMut(usize, Range<usize>),
    ) {
        if self.patterns.is_empty() {
            return;
        }
        self.begin(cand);
        if let Some(ac) = &self.prefilter {
            for m in ac.find_overlapping_iter(haystack) {
                self.wake(m.pattern().as_usize(), haystack, m.start(), m.end(), cand);
            }
        }
        self.run_profiled(haystack, cand, profile, f);
    }

    /// Starts a scan: `cand` holds the patterns that always run.
    pub fn begin(&self, cand: &mut Vec<u64>) {
        cand.clear();
        cand.extend_from_slice(&self.always);
    }

    /// Required literal `lit` occurs at `start..end` of `haystack`: marks in `cand` the
    /// patterns it wakes (those for which it sits on the word boundaries their match needs).
    #[inline]
    pub fn wake(&self, lit: usize, haystack: &str, start: usize, end: usize, cand: &mut [u64]) {
        let Some(needers) = self.needed_by.get(lit) else { return };
        // Boundaries are looked at only when a needer asks, once per occurrence.
        let (mut at_start, mut at_end) = (None, None);
        for &(i, edges) in needers {
            if edges.start && !*at_start.get_or_insert_with(|| word_boundary(haystack, start)) {
                continue;
            }
            if edges.end && !*at_end.get_or_insert_with(|| word_boundary(haystack, end)) {
                continue;
            }
            if let Some(w) = cand.get_mut(i as usize / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }

    /// Runs every pattern marked in `cand`, in pattern order, calling `f(rule, range)` for each
    /// non-empty match.
    pub fn run(&self, haystack: &str, cand: &[u64], f: impl FnMut(usize, Range<usize>)) {
        self.run_profiled(haystack, cand, None, f);
    }

    /// [`run`](Self::run), timing each pattern run into `profile` when it is on.
    pub fn run_profiled(
        &self,
        haystack: &str,
        cand: &[u64],
        profile: Option<&RuleProfile>,
        mut f: impl FnMut(usize, Range<usize>),
    ) {
        for (w, &bits) in cand.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if i >= self.patterns.len() {
                    break;
                }
                // First-use compilation is not the rule's search time (the stage's time has it).
                let re = self.regex(i);
                let t0 = profile.map(|_| Instant::now());
                for m in re.find_iter(haystack) {
                    if m.start() < m.end() {
                        f(self.rule_of[i], m.range());
                    }
                }
                if let (Some(p), Some(t0)) = (profile, t0) {
                    p.rule_run(self.rule_of[i], t0.elapsed());
                }
            }
        }
    }
}

/// Where an occurrence of a required literal must sit: on a (Unicode, `\b`) word boundary at
/// its start and/or its end. `\bho\b` needs `ho` as a word, so `ho` inside `those` does not wake
/// the pattern: short literals of `{list}` alternations stop being common substrings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Edges {
    start: bool,
    end: bool,
}

/// A literal of a required set, with the boundaries every occurrence in a match has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Lit {
    bytes: Vec<u8>,
    edges: Edges,
}

impl Lit {
    fn plain(bytes: Vec<u8>) -> Lit {
        Lit { bytes, edges: Edges::default() }
    }

    /// `a` then `b`: a boundary of an empty side carries over to the other side's edge; a
    /// boundary that ends up inside the string is dropped (only edges are checked).
    fn concat(a: &Lit, b: &Lit) -> Lit {
        let mut bytes = a.bytes.clone();
        bytes.extend_from_slice(&b.bytes);
        let start = if a.bytes.is_empty() { a.edges.start || b.edges.start } else { a.edges.start };
        let end = if b.bytes.is_empty() { b.edges.end || a.edges.end } else { b.edges.end };
        Lit { bytes, edges: Edges { start, end } }
    }
}

/// Is there a Unicode word boundary (`\b` as the regex crate means it) at byte `at`?
fn word_boundary(h: &str, at: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| regex_syntax::try_is_word_character(c).unwrap_or(true));
    let (before, after) = (h.get(..at), h.get(at..));
    match (before, after) {
        (Some(b), Some(a)) => word(b.chars().next_back()) != word(a.chars().next()),
        _ => true, // not a char boundary: claim nothing (always sound)
    }
}

/// A set of strings at least one of which occurs in every match of `pattern`; `None` when no
/// useful set is found (or the pattern does not parse the way the regex crate parses it).
fn required(hir: &Hir) -> Option<Vec<Lit>> {
    let mut set = req(hir)?;
    if set.iter().any(|l| l.bytes.is_empty()) {
        return None;
    }
    // One entry per string: the same string needed with and without a boundary needs none.
    set.sort_unstable();
    let mut merged: Vec<Lit> = Vec::with_capacity(set.len());
    for l in set {
        match merged.last_mut() {
            Some(m) if m.bytes == l.bytes => {
                m.edges.start &= l.edges.start;
                m.edges.end &= l.edges.end;
            }
            _ => merged.push(l),
        }
    }
    let set = merged;
    if set.len() > DEDUP_MAX {
        return Some(set);
    }
    // A string containing another of the set (one without boundary conditions) adds nothing:
    // drop it (small sets only: this is quadratic, and it runs at startup).
    let mut set = set;
    set.sort_by_key(|l| l.bytes.len());
    let mut kept: Vec<Lit> = Vec::with_capacity(set.len());
    for s in set {
        let covered =
            kept.iter().any(|k| k.edges == Edges::default() && memchr::memmem::find(&s.bytes, &k.bytes).is_some());
        if !covered {
            kept.push(s);
        }
    }
    Some(kept)
}

/// Every string `hir` can match, when that is a small finite set.
fn exact(hir: &Hir) -> Option<Vec<Lit>> {
    use regex_syntax::hir::Look;
    match hir.kind() {
        HirKind::Look(Look::WordUnicode | Look::WordStartUnicode | Look::WordEndUnicode) => {
            Some(vec![Lit { bytes: Vec::new(), edges: Edges { start: true, end: true } }])
        }
        HirKind::Empty | HirKind::Look(_) => Some(vec![Lit::plain(Vec::new())]),
        HirKind::Literal(l) => Some(vec![Lit::plain(l.0.to_vec())]),
        HirKind::Class(Class::Unicode(c)) => {
            let n: usize = c.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum();
            if n > MAX_CLASS {
                return None;
            }
            let mut out = Vec::with_capacity(n);
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    out.push(Lit::plain(ch.to_string().into_bytes()));
                }
            }
            Some(out)
        }
        HirKind::Class(Class::Bytes(c)) => {
            let n: usize = c.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum();
            if n > MAX_CLASS {
                return None;
            }
            Some(c.ranges().iter().flat_map(|r| (r.start()..=r.end()).map(|b| Lit::plain(vec![b]))).collect())
        }
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Repetition(r) => match (r.min, r.max) {
            (1, Some(1)) => exact(&r.sub),
            (0, Some(1)) => {
                let mut v = exact(&r.sub)?;
                v.push(Lit::plain(Vec::new()));
                Some(v)
            }
            _ => None,
        },
        HirKind::Concat(subs) => {
            let mut acc = vec![Lit::plain(Vec::new())];
            for s in subs {
                acc = product(&acc, &exact(s)?)?;
            }
            Some(acc)
        }
        HirKind::Alternation(subs) => union(subs, exact),
    }
}

/// The strings of every branch of an alternation (`set` of each), or None when one branch has
/// none or there would be too many.
fn union(subs: &[Hir], set: fn(&Hir) -> Option<Vec<Lit>>) -> Option<Vec<Lit>> {
    let mut out = Vec::new();
    for s in subs {
        out.extend(set(s)?);
        if out.len() > MAX_SET {
            return None;
        }
    }
    Some(out)
}

/// All concatenations `a + b`, or None when there would be too many.
fn product(a: &[Lit], b: &[Lit]) -> Option<Vec<Lit>> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push(Lit::concat(x, y));
        }
    }
    Some(out)
}

/// How selective a required set is: longer shortest string first, then fewer strings.
///
/// (Ranking sets made only of common words, `you ` or `,`, below the others was measured and
/// dropped: the slots it preferred instead woke their patterns more often, see docs/bench.md.)
fn quality(set: &[Lit]) -> (usize, std::cmp::Reverse<usize>) {
    // Past a few bytes a longer literal is hardly rarer in comments, while products of list
    // expansions grow the set (and the start-up time of the automaton) a hundredfold.
    (set.iter().map(|l| l.bytes.len()).min().unwrap_or(0).min(SELECTIVE_LEN), std::cmp::Reverse(set.len()))
}

/// A required set of `hir` (every match contains one of the strings), or None.
fn req(hir: &Hir) -> Option<Vec<Lit>> {
    if let Some(set) = exact(hir) {
        return (!set.iter().any(|l| l.bytes.is_empty())).then_some(set);
    }
    req_inexact(hir)
}

/// [`req`] of a node already known to have no small exact set (so it is not computed again:
/// over a list-expanded pattern, recomputing it at every level cost more than the rest of the
/// analysis).
fn req_inexact(hir: &Hir) -> Option<Vec<Lit>> {
    match hir.kind() {
        HirKind::Capture(c) => req_inexact(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => req(&r.sub),
        HirKind::Alternation(subs) => union(subs, req),
        HirKind::Concat(subs) => {
            // Runs of exactly-known children form cross-products; every other child offers its
            // own required set. Any one candidate is sound: keep the most selective.
            let mut best: Option<Vec<Lit>> = None;
            let mut offer = |set: Vec<Lit>| {
                if set.is_empty() || set.iter().any(|l| l.bytes.is_empty()) {
                    return;
                }
                if best.as_ref().map_or(true, |b| quality(&set) > quality(b)) {
                    best = Some(set);
                }
            };
            let empty = || vec![Lit::plain(Vec::new())];
            let mut run: Vec<Lit> = empty();
            // Where the current run began (its literals follow `subs[..from]`).
            let mut from = 0;
            for (i, s) in subs.iter().enumerate() {
                match exact(s) {
                    Some(e) => match product(&run, &e) {
                        Some(p) => run = p,
                        None => {
                            offer(with_edges(std::mem::replace(&mut run, empty()), &subs[..from], &subs[i..]));
                            match product(&run, &e) {
                                Some(p) => {
                                    run = p;
                                    from = i;
                                }
                                None => {
                                    offer(with_edges(e, &subs[..i], &subs[i + 1..]));
                                    from = i + 1;
                                }
                            }
                        }
                    },
                    None => {
                        offer(with_edges(std::mem::replace(&mut run, empty()), &subs[..from], &subs[i..]));
                        from = i + 1;
                        if let Some(r) = req_inexact(s) {
                            offer(r);
                        }
                    }
                }
            }
            let run = with_edges(run, &subs[..from], &[]);
            offer(run);
            best
        }
        _ => None,
    }
}

/// Adds the word boundaries a run's context implies: a literal that starts with a word
/// character right after text that always ends in a non-word character (or at the start of the
/// text) starts on a boundary, and likewise at its end. `before` and `after` are the siblings
/// around the run in its concatenation; empty means "unknown", which claims nothing.
fn with_edges(mut set: Vec<Lit>, before: &[Hir], after: &[Hir]) -> Vec<Lit> {
    let (pre, post) = (ends_nonword(before), starts_nonword(after));
    if !(pre || post) {
        return set;
    }
    for l in &mut set {
        let Ok(text) = std::str::from_utf8(&l.bytes) else { continue };
        if pre && text.chars().next().is_some_and(is_word_char) {
            l.edges.start = true;
        }
        if post && text.chars().next_back().is_some_and(is_word_char) {
            l.edges.end = true;
        }
    }
    set
}

fn is_word_char(c: char) -> bool {
    regex_syntax::try_is_word_character(c).unwrap_or(true)
}

/// Most characters of a class examined for [`starts_nonword`] / [`ends_nonword`].
const MAX_CLASS_SCAN: u32 = 4096;

/// Every character `hir`'s class can match is a non-word character.
fn class_nonword(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let n: u32 = c.ranges().iter().map(|r| r.end() as u32 - r.start() as u32 + 1).sum();
            n <= MAX_CLASS_SCAN && c.ranges().iter().all(|r| (r.start()..=r.end()).all(|ch| !is_word_char(ch)))
        }
        HirKind::Class(Class::Bytes(c)) => {
            c.ranges().iter().all(|r| (r.start()..=r.end()).all(|b| b < 0x80 && !is_word_char(char::from(b))))
        }
        _ => false,
    }
}

/// Whether every match of the concatenation `seq` begins with a non-word character or sits at
/// the end of the text (what follows a word character then is a boundary). False when unsure.
fn starts_nonword(seq: &[Hir]) -> bool {
    starts_nw(&seq.iter().collect::<Vec<_>>())
}

/// Whether every match of `seq` ends with a non-word character or sits at the start of the
/// text. False when unsure.
fn ends_nonword(seq: &[Hir]) -> bool {
    ends_nw(&seq.iter().collect::<Vec<_>>())
}

fn starts_nw<'a>(seq: &[&'a Hir]) -> bool {
    use regex_syntax::hir::Look;
    let Some((h, rest)) = seq.split_first() else { return false };
    let with = |first: &'a Hir| -> Vec<&'a Hir> { std::iter::once(first).chain(rest.iter().copied()).collect() };
    match h.kind() {
        HirKind::Empty => starts_nw(rest),
        HirKind::Literal(l) => {
            std::str::from_utf8(&l.0).ok().and_then(|t| t.chars().next()).is_some_and(|c| !is_word_char(c))
        }
        HirKind::Class(_) => class_nonword(h),
        // `$` is the end; a boundary right after a word character means a non-word one follows.
        HirKind::Look(Look::End | Look::WordUnicode | Look::WordEndUnicode) => true,
        HirKind::Look(_) => false,
        HirKind::Capture(c) => starts_nw(&with(&c.sub)),
        HirKind::Repetition(r) => starts_nw(&[&*r.sub]) && (r.min >= 1 || starts_nw(rest)),
        HirKind::Concat(subs) => starts_nw(&subs.iter().chain(rest.iter().copied()).collect::<Vec<_>>()),
        HirKind::Alternation(alts) => alts.iter().all(|a| starts_nw(&with(a))),
    }
}

fn ends_nw<'a>(seq: &[&'a Hir]) -> bool {
    use regex_syntax::hir::Look;
    let Some((h, rest)) = seq.split_last() else { return false };
    let with = |last: &'a Hir| -> Vec<&'a Hir> { rest.iter().copied().chain(std::iter::once(last)).collect() };
    match h.kind() {
        HirKind::Empty => ends_nw(rest),
        HirKind::Literal(l) => {
            std::str::from_utf8(&l.0).ok().and_then(|t| t.chars().next_back()).is_some_and(|c| !is_word_char(c))
        }
        HirKind::Class(_) => class_nonword(h),
        HirKind::Look(Look::Start | Look::WordUnicode | Look::WordStartUnicode) => true,
        HirKind::Look(_) => false,
        HirKind::Capture(c) => ends_nw(&with(&c.sub)),
        HirKind::Repetition(r) => ends_nw(&[&*r.sub]) && (r.min >= 1 || ends_nw(rest)),
        HirKind::Concat(subs) => ends_nw(&rest.iter().copied().chain(subs.iter()).collect::<Vec<_>>()),
        HirKind::Alternation(alts) => alts.iter().all(|a| ends_nw(&with(a))),
    }
}
