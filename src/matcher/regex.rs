//! Regex rules: a literal prefilter tells which patterns can hit; only those run, for spans.
//!
//! The `regex` crate is linear-time, so no pattern can be a ReDoS. Patterns are parsed (and so
//! validated) at load, unless the loader's memo of checks knows them, and parsed again and
//! compiled on first use: most comments touch few rules, and compiling
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
//! (small automata, each with its own prefilter, compiled from the parsed pattern:
//! [`compile_hir`]). Patterns without a usable required set always
//! run. The result is exactly the set's: a skipped pattern provably has no match, and the
//! candidates run in pattern order, as before.

mod costs;
mod gate;
mod size;
mod splice;

use std::ops::Range;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::iter::Searcher;
use regex_automata::Input;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::literals::{word_boundary, Edges};
use super::profile::RuleProfile;
pub use costs::PatternCost;
pub use gate::GateAnalysis;
pub use size::size_bound;
pub use splice::{SlotTerms, Splice};

/// Patterns of several rules compiled together.
#[derive(Debug, Clone, Default)]
pub struct RegexRules {
    /// The patterns as written (after `{list}` expansion).
    patterns: Vec<String>,
    /// Each pattern compiled on first use ([`compile_hir`], after parsing the text again:
    /// keeping every parsed pattern cost 3.7 MB, and at a start-up cache hit the loader does
    /// not parse them at all).
    regexes: Vec<OnceLock<meta::Regex>>,
    /// Each pattern's form for ASCII text ([`ascii_only`]) compiled on first use: what runs on
    /// an ASCII haystack (most comments).
    ascii_regexes: Vec<OnceLock<meta::Regex>>,
    rule_of: Vec<usize>,
    /// The required-literal automaton (None when no pattern has required literals).
    prefilter: Option<AhoCorasick>,
    /// Automaton pattern id → the regex indexes that need it, each with the group of the
    /// pattern it belongs to and the word boundaries ([`Edges`]) its occurrence must sit on.
    needed_by: Vec<Vec<Need>>,
    /// Per pattern, the bits of all its groups ([`literals::required_groups`]): it runs once
    /// an occurrence of each group has been seen (0: it runs on every text).
    full: Vec<u8>,
    /// Which compiled patterns these are, for the [`Caches`] searches use.
    id: RulesId,
    /// The lists that fill the patterns' `{list}` slots, and per pattern where its text holds
    /// them: a first compile parses a slot's terms once, not in every pattern ([`splice`]).
    slots: Arc<SlotTerms>,
    splices: Vec<Vec<Splice>>,
}

/// A [`RegexRules`]' identity, new for every value, a clone too (whose patterns compile on
/// their own): a thread's [`Caches`] made for one set of compiled patterns are never used with
/// another (a cache used with another regex than its own may give wrong matches).
#[derive(Debug)]
struct RulesId(u64);

impl Default for RulesId {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        RulesId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl Clone for RulesId {
    fn clone(&self) -> Self {
        RulesId::default()
    }
}

/// Most bytes of search caches one thread keeps for one [`RegexRules`] ([`Caches`]).
/// 8 MiB: on the 100 MB bench corpus one thread's caches grow to 17.5 MB without a bound; at
/// 8 MiB 3 % of searches find their cache dropped (+2 % instructions), at 4 MiB far more.
pub const CACHE_BUDGET: usize = 8 << 20;

/// One thread's search caches (lazy DFA states, NFA simulation sets) for the patterns of one
/// [`RegexRules`], one per pattern and form, made on first use.
///
/// The `regex` crate keeps a cache per regex and thread for as long as the regex lives, each up
/// to [`DFA_SIZE_LIMIT`] per direction plus sets sized by its NFA: over the shipped pack's
/// patterns in two forms that was most of the judge threads' memory, growing with the variety
/// of the input and multiplied by `-j` (docs/bench.md). Here the caches of one thread share
/// [`CACHE_BUDGET`]: past it, the least recently used are dropped (and made again when
/// needed). What a search finds does not depend on its cache, only how fast it runs.
#[derive(Debug)]
pub struct Caches {
    /// Most bytes kept ([`CACHE_BUDGET`] unless made [`with_budget`](Self::with_budget)).
    budget: usize,
    /// The [`RulesId`] the slots belong to (0: none yet).
    rules: u64,
    /// Per pattern `i`, slot `2 i` for its full form and `2 i + 1` for its ASCII form.
    slots: Vec<Slot>,
    /// Bytes of all slots' caches, as last measured.
    bytes: usize,
    /// Searches made, for the least recently used slot.
    clock: u64,
}

#[derive(Debug, Default)]
struct Slot {
    cache: Option<meta::Cache>,
    bytes: usize,
    used: u64,
}

impl Default for Caches {
    fn default() -> Self {
        Caches::with_budget(CACHE_BUDGET)
    }
}

impl Caches {
    /// Caches that keep at most `budget` bytes (beyond the one cache in use).
    pub fn with_budget(budget: usize) -> Caches {
        Caches { budget, rules: 0, slots: Vec::new(), bytes: 0, clock: 0 }
    }

    /// Makes the slots fit `rules`, dropping caches made for other rules.
    fn prepare(&mut self, rules: &RegexRules) {
        if self.rules != rules.id.0 || self.slots.len() != 2 * rules.patterns.len() {
            self.slots.clear();
            self.slots.resize_with(2 * rules.patterns.len(), Slot::default);
            self.bytes = 0;
            self.rules = rules.id.0;
        }
    }

    /// Slot `k`'s cache for `re` (its regex), made if absent.
    fn get(&mut self, k: usize, re: &meta::Regex) -> &mut meta::Cache {
        self.clock += 1;
        let slot = &mut self.slots[k];
        slot.used = self.clock;
        slot.cache.get_or_insert_with(|| re.create_cache())
    }

    /// Slot `k` was just searched with: counts what its cache holds now, and drops the least
    /// recently used other caches while the total is over the budget.
    fn settle(&mut self, k: usize) {
        let now = self.slots[k].cache.as_ref().map_or(0, meta::Cache::memory_usage);
        self.bytes = self.bytes - self.slots[k].bytes + now;
        self.slots[k].bytes = now;
        while self.bytes > self.budget {
            let lru = (self.slots.iter().enumerate())
                .filter(|&(j, s)| j != k && s.cache.is_some())
                .min_by_key(|(_, s)| s.used)
                .map(|(j, _)| j);
            let Some(j) = lru else { break };
            let slot = &mut self.slots[j];
            slot.cache = None;
            self.bytes -= slot.bytes;
            slot.bytes = 0;
        }
    }

    /// Bytes of caches held now (as measured after their last search).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Number of caches held now.
    pub fn held(&self) -> usize {
        self.slots.iter().filter(|s| s.cache.is_some()).count()
    }
}

/// One pattern needing one literal: pattern index, group bit, boundaries.
#[derive(Debug, Clone, Copy)]
struct Need {
    pattern: u32,
    group: u8,
    edges: Edges,
}

/// A pattern to prepare: its rule, its text and its parse, when the loader parsed it (None
/// when its memo of checks said the text is valid: it is parsed here only if needed).
pub type Pattern = (usize, String, Option<Hir>);

/// The parse of a pattern the loader found valid (or its memo says so); should it not parse
/// (a forged memo), the empty pattern: no required literal, so it runs, and its first-use
/// compile, which parses again, falls back to a pattern that never matches.
pub fn parse_valid<'a>(text: &str, hir: Option<&'a Hir>) -> std::borrow::Cow<'a, Hir> {
    match hir {
        Some(h) => std::borrow::Cow::Borrowed(h),
        None => std::borrow::Cow::Owned(regex_syntax::parse(text).unwrap_or_else(|_| Hir::empty())),
    }
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

/// Compiles a pattern from the HIR the loader already parsed, as the `regex` crate would compile
/// its text (leftmost-first, no empty match inside a UTF-8 character, the same limits), minus
/// what a span search never reads:
///
/// - no second parse of the pattern text when the caller kept the HIR (the ASCII forms: most of
///   the 276 M instructions of parsing in first-use compiles on 8,000 comments, docs/bench.md);
/// - no capture groups beyond the match itself (`WhichCaptures::Implicit`): a smaller NFA;
/// - no one-pass DFA: the meta regex builds one for a pattern with a Unicode `\b` (most full
///   forms), but only an anchored search uses it, and a span search is anchored only for a
///   pattern that starts with `^`, where the backtracker or the PikeVM find the same match.
///   It was 2.8 of the 11.6 MB of the shipped pack's full forms (docs/bench.md, eleventh
///   session);
/// - no lazy DFA (nor the full DFA this build does not have, so no reverse NFA, which the meta
///   regex builds for either) and no lazy-DFA caches for a pattern with a Unicode word
///   boundary: that DFA gives up at the first non-ASCII byte it meets, and such a form runs
///   only on a haystack with one (the ASCII form, with an ASCII `\b`, keeps its DFA); the
///   backtracker or the PikeVM find the same matches, and a run took fewer instructions
///   without the DFA's failed starts (docs/bench.md, eleventh session).
///
/// The crate's own literal prefilter stays, although the gate already saw the literals: it
/// lets the search skip to them, and without it each run scanned the whole comment from its
/// start (+2.9 k instructions per comment measured, against 200 M saved once per run).
/// Captures do not change which match a leftmost-first search reports
/// (tests/unit_regex_compile.rs, tests/slot_gate.rs and tests/verdict_identity.rs check it).
pub fn compile_hir(hir: &Hir, size_limit: Option<usize>) -> Result<meta::Regex, String> {
    let word_unicode = hir.properties().look_set().contains_word_unicode();
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(size_limit)
        .hybrid_cache_capacity(DFA_SIZE_LIMIT)
        .which_captures(WhichCaptures::Implicit)
        .onepass(false)
        .hybrid(!word_unicode)
        .dfa(!word_unicode);
    meta::Builder::new().configure(config).build_from_hir(hir).map_err(|e| e.to_string())
}

impl RegexRules {
    /// Prepares `(rule index, pattern)` pairs (patterns already parsed one by one), with their
    /// own required-literal automaton.
    ///
    /// # Errors
    /// The required-literal automaton cannot be built.
    pub fn build(patterns: Vec<(usize, String, Hir)>) -> Result<RegexRules, String> {
        RegexRules::build_lazy(patterns.into_iter().map(|(r, p, h)| (r, p, Some(h))).collect())
    }

    /// [`build`](Self::build) of patterns the loader may not have parsed.
    ///
    /// # Errors
    /// The required-literal automaton cannot be built.
    pub fn build_lazy(patterns: Vec<Pattern>) -> Result<RegexRules, String> {
        let gate = GateAnalysis::of(&patterns);
        let (mut rules, lits) = RegexRules::build_with_gate(patterns, gate);
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
        let patterns: Vec<Pattern> = patterns.into_iter().map(|(r, p, h)| (r, p, Some(h))).collect();
        let gate = GateAnalysis::of(&patterns);
        RegexRules::build_with_gate(patterns, gate)
    }

    /// The rules over `patterns` with their gate (`needed_by`, `full`) already analysed.
    /// The parses are dropped here: each form is parsed again when first compiled.
    fn assemble(patterns: Vec<Pattern>, needed_by: Vec<Vec<Need>>, full: Vec<u8>) -> RegexRules {
        let (rule_of, patterns): (Vec<usize>, Vec<String>) = patterns.into_iter().map(|(r, p, _)| (r, p)).unzip();
        let regexes = patterns.iter().map(|_| OnceLock::new()).collect();
        let ascii_regexes = patterns.iter().map(|_| OnceLock::new()).collect();
        RegexRules {
            patterns,
            regexes,
            ascii_regexes,
            rule_of,
            prefilter: None,
            needed_by,
            full,
            id: RulesId::default(),
            slots: Arc::default(),
            splices: Vec::new(),
        }
    }

    /// Pattern `i`, compiled the first time it is needed (by whichever thread gets there first).
    ///
    /// The loader compiled every pattern whose [`size_bound`] exceeds [`SIZE_LIMIT`], so this
    /// compile cannot fail; should the bound ever be wrong, the pattern is compiled without the
    /// limit rather than panicking in a worker thread.
    fn regex(&self, i: usize) -> &meta::Regex {
        self.regexes[i].get_or_init(|| {
            let hir = self.parse(i);
            hir.and_then(|hir| compile_hir(&hir, Some(SIZE_LIMIT)).or_else(|_| compile_hir(&hir, None)).ok())
                .or_else(|| meta::Regex::new(r"[^\s\S]").ok())
                .unwrap_or_else(|| unreachable!("a static, valid pattern"))
        })
    }

    /// Pattern `i` for an ASCII haystack, compiled the first time it is needed; the pattern
    /// itself should that form not compile (it is never larger, so it always does).
    fn ascii_regex(&self, i: usize) -> &meta::Regex {
        self.ascii_regexes[i].get_or_init(|| {
            let hir = self.parse(i);
            hir.and_then(|hir| compile_hir(&ascii_only(&hir), Some(SIZE_LIMIT)).ok())
                .unwrap_or_else(|| self.regex(i).clone())
        })
    }

    /// Compiles the patterns `cand` wakes that are not compiled yet for this form, on two
    /// threads when there are two or more: a start-up's first comments wake dozens of patterns
    /// whose first-use compiles were most of a short run's time, and the second core was idle
    /// (docs/bench.md, ninth session). Each pattern still compiles once (`OnceLock`); a thread
    /// that cannot be started leaves the rest to this one.
    fn compile_woken(&self, cand: &[u8], ascii: bool) {
        let cells = if ascii { &self.ascii_regexes } else { &self.regexes };
        let mut pending = cand
            .iter()
            .zip(&self.full)
            .enumerate()
            .filter(|&(i, (&seen, &full))| seen == full && cells[i].get().is_none())
            .map(|(i, _)| i);
        let (Some(first), Some(_)) = (pending.next(), pending.next()) else { return };
        if !second_core() {
            return;
        }
        let pending: Vec<usize> = cand
            .iter()
            .zip(&self.full)
            .enumerate()
            .skip(first)
            .filter(|&(i, (&seen, &full))| seen == full && cells[i].get().is_none())
            .map(|(i, _)| i)
            .collect();
        tracing::debug!("first-use compiles: {} patterns on two threads", pending.len());
        let next = AtomicUsize::new(0);
        let work = || {
            while let Some(&i) = pending.get(next.fetch_add(1, Ordering::Relaxed)) {
                if ascii {
                    self.ascii_regex(i);
                } else {
                    self.regex(i);
                }
            }
        };
        crate::startup_trace::mark(&format!("first-use compiles of {} patterns", pending.len()));
        std::thread::scope(|s| {
            // The helper takes patterns from the same queue; should it not start, this thread
            // compiles them all.
            let _helper = std::thread::Builder::new().name("compile".into()).spawn_scoped(s, work);
            work();
        });
        crate::startup_trace::mark("first-use compiles done");
    }

    /// Compiles every pattern now; the rule index and error of each that fails (in the words of
    /// the `regex` crate, which `check` users know).
    pub fn compile_all(&self) -> Vec<(usize, String)> {
        let mut failed = Vec::new();
        for (i, cell) in self.regexes.iter().enumerate() {
            let compiled = regex_syntax::parse(&self.patterns[i])
                .map_err(|e| e.to_string())
                .and_then(|hir| compile_hir(&hir, Some(SIZE_LIMIT)));
            match compiled {
                Ok(re) => {
                    let _ = cell.set(re);
                }
                Err(e) => {
                    let why = compile(&self.patterns[i]).err().map_or(e, |e| e.to_string());
                    failed.push((self.rule_of[i], why.lines().last().unwrap_or("").trim().to_string()));
                }
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
        self.full.iter().filter(|&&f| f == 0).count()
    }

    /// Calls `f(rule, range)` for every match of every pattern that hits `haystack`, pattern by
    /// pattern in order. `cand` is a reusable buffer.
    pub fn scan(&self, haystack: &str, cand: &mut Vec<u8>, f: impl FnMut(usize, Range<usize>)) {
        self.scan_profiled(haystack, cand, None, f);
    }

    /// [`scan`](Self::scan), timing each pattern run into `profile` when it is on.
    pub fn scan_profiled(
        &self,
        haystack: &str,
        cand: &mut Vec<u8>,
        profile: Option<&RuleProfile>,
        f: impl FnMut(usize, Range<usize>),
    ) {
        self.scan_with(haystack, cand, &mut Caches::default(), profile, f);
    }

    /// [`scan_profiled`](Self::scan_profiled) with this thread's `caches`.
    pub fn scan_with(
        &self,
        haystack: &str,
        cand: &mut Vec<u8>,
        caches: &mut Caches,
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
        self.run_with(haystack, cand, caches, profile, f);
    }

    /// Starts a scan: `cand` holds, per pattern, the groups seen so far (none yet).
    pub fn begin(&self, cand: &mut Vec<u8>) {
        cand.clear();
        cand.resize(self.patterns.len(), 0);
    }

    /// Required literal `lit` occurs at `start..end` of `haystack`: marks in `cand` the
    /// groups it satisfies (of the patterns for which it sits on the word boundaries their
    /// match needs).
    #[inline]
    pub fn wake(&self, lit: usize, haystack: &str, start: usize, end: usize, cand: &mut [u8]) {
        let Some(needers) = self.needed_by.get(lit) else { return };
        // Boundaries are looked at only when a needer asks, once per occurrence.
        let (mut at_start, mut at_end) = (None, None);
        for &Need { pattern, group, edges } in needers {
            if edges.start && !*at_start.get_or_insert_with(|| word_boundary(haystack, start)) {
                continue;
            }
            if edges.end && !*at_end.get_or_insert_with(|| word_boundary(haystack, end)) {
                continue;
            }
            if let Some(seen) = cand.get_mut(pattern as usize) {
                *seen |= group;
            }
        }
    }

    /// Runs every pattern whose groups `cand` has all seen, in pattern order, calling
    /// `f(rule, range)` for each non-empty match.
    pub fn run(&self, haystack: &str, cand: &[u8], f: impl FnMut(usize, Range<usize>)) {
        self.run_profiled(haystack, cand, None, f);
    }

    /// [`run`](Self::run), timing each pattern run into `profile` when it is on.
    pub fn run_profiled(
        &self,
        haystack: &str,
        cand: &[u8],
        profile: Option<&RuleProfile>,
        f: impl FnMut(usize, Range<usize>),
    ) {
        self.run_with(haystack, cand, &mut Caches::default(), profile, f);
    }

    /// [`run_profiled`](Self::run_profiled) with this thread's `caches` (what the matcher
    /// uses; the others make caches for the one call).
    pub fn run_with(
        &self,
        haystack: &str,
        cand: &[u8],
        caches: &mut Caches,
        profile: Option<&RuleProfile>,
        mut f: impl FnMut(usize, Range<usize>),
    ) {
        caches.prepare(self);
        let ascii = haystack.is_ascii();
        self.compile_woken(cand, ascii);
        for (i, (&seen, &full)) in cand.iter().zip(&self.full).enumerate() {
            if seen != full {
                continue;
            }
            // First-use compilation is not the rule's search time (the stage's time has it).
            let re = if ascii { self.ascii_regex(i) } else { self.regex(i) };
            let t0 = profile.map(|_| Instant::now());
            // `meta::Regex::find_iter`'s loop, with this thread's cache instead of the regex's
            // own pool.
            let k = 2 * i + usize::from(ascii);
            let cache = caches.get(k, re);
            let mut it = Searcher::new(Input::new(haystack));
            while let Some(m) = it.advance(|input| Ok(re.search_with(cache, input))) {
                if m.start() < m.end() {
                    f(self.rule_of[i], m.range());
                }
            }
            caches.settle(k);
            if let (Some(p), Some(t0)) = (profile, t0) {
                p.rule_run(self.rule_of[i], t0.elapsed());
            }
        }
    }
}

/// Whether a second core is there to compile on (asked once per process).
fn second_core() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) > 1
}

/// `hir` as it behaves on ASCII text: every class cut to its ASCII part and every Unicode word
/// boundary made an ASCII one. On a haystack that is all ASCII the two match exactly the same
/// spans (an ASCII character is in a class iff it is in its ASCII part, and it is a Unicode word
/// character iff it is an ASCII one), with the same preferences (the shape is unchanged). The
/// ASCII form has no UTF-8 automata for `\w`, `[^...]` or `.`, so its lazy DFA has small states:
/// with the list-expanded patterns the Unicode form kept rebuilding states per comment
/// (docs/bench.md), and compiled ten times slower.
pub fn ascii_only(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, ClassUnicode, ClassUnicodeRange, Look, Repetition};
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(Class::Bytes(_)) => hir.clone(),
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            // `(?-u:\B)` is refused in a UTF-8 regex; the Unicode `\B` is the same on ASCII.
            other => *other,
        }),
        HirKind::Repetition(r) => {
            Hir::repetition(Repetition { min: r.min, max: r.max, greedy: r.greedy, sub: Box::new(ascii_only(&r.sub)) })
        }
        HirKind::Capture(c) => {
            Hir::capture(Capture { index: c.index, name: c.name.clone(), sub: Box::new(ascii_only(&c.sub)) })
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_only).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_only).collect()),
    }
}
