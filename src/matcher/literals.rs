//! Required literals of a regex pattern: sets of strings that every match contains, found
//! from the pattern's HIR, with the word boundaries (`Edges`) each occurrence must sit on.
//!
//! A pattern needs one literal of **each** of its groups (a conjunction): in
//! `\b(?:you|u) (?:[a-z-]+ ){0,3}?(?:{insult})\s*$` a match holds `you`/`u` *and* one insult
//! term, so the pattern wakes only where both occurred: a `{list}` slot is matched through the
//! literal automaton's hits of its terms, and `you` alone (a third of all comments) no longer
//! runs it.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a required-literal set may hold (larger sets give up: the pattern always runs).
const MAX_SET: usize = 4096;
/// Largest set from which superstrings are removed.
const DEDUP_MAX: usize = 64;
/// A required literal this long is selective enough: beyond it, fewer literals win.
const SELECTIVE_LEN: usize = 5;
/// Most characters of a class expanded into literals (`(?i)a` is `[Aa]`: two).
const MAX_CLASS: usize = 8;

/// Where an occurrence of a required literal must sit: on a (Unicode, `\b`) word boundary at
/// its start and/or its end. `\bho\b` needs `ho` as a word, so `ho` inside `those` does not wake
/// the pattern: short literals of `{list}` alternations stop being common substrings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Edges {
    pub(super) start: bool,
    pub(super) end: bool,
}

/// A literal of a required set, with the boundaries every occurrence in a match has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Lit {
    pub(super) bytes: Vec<u8>,
    pub(super) edges: Edges,
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
pub(super) fn word_boundary(h: &str, at: usize) -> bool {
    // ASCII on both sides (most text): `\w` there is `[0-9A-Za-z_]`, no table lookup.
    let b = h.as_bytes();
    let ascii_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    match (at.checked_sub(1).map(|i| b.get(i)), b.get(at)) {
        (Some(Some(&x)), Some(&y)) if x < 0x80 && y < 0x80 => return ascii_word(x) != ascii_word(y),
        (None, Some(&y)) if y < 0x80 => return ascii_word(y),
        (Some(Some(&x)), None) if x < 0x80 && at == b.len() => return ascii_word(x),
        _ => {}
    }
    let word = |c: Option<char>| c.is_some_and(|c| regex_syntax::try_is_word_character(c).unwrap_or(true));
    let (before, after) = (h.get(..at), h.get(at..));
    match (before, after) {
        (Some(b), Some(a)) => word(b.chars().next_back()) != word(a.chars().next()),
        _ => true, // not a char boundary: claim nothing (always sound)
    }
}

/// Most groups a pattern's gate checks (the bits of a `u8`).
pub(super) const MAX_GROUPS: usize = 8;

/// Every required set of `hir` worth scanning for, the most selective first: a match holds a
/// literal of each. A set beyond the first is kept only
/// when its literals are rare enough that checking it saves more pattern runs than its
/// occurrences cost: 3 bytes, or 2 with a word boundary at one end, or a whole word (`u`).
/// Empty when the pattern has no required set (it then runs on every text).
pub(super) fn required_groups(hir: &Hir) -> Vec<Vec<Lit>> {
    let groups = req_all(hir);
    let Some(first) = best(groups.clone()) else { return Vec::new() };
    let Some(first) = tidy(first.clone()).map(|t| (first, t)) else { return Vec::new() };
    let mut out = vec![first.1];
    let both = Edges { start: true, end: true };
    for set in groups {
        if out.len() == MAX_GROUPS {
            break;
        }
        if set == first.0 {
            continue;
        }
        let set: Vec<Lit> = set.into_iter().map(trim_nonword).collect();
        let rare = set
            .iter()
            .all(|l| l.bytes.len() >= 3 || l.edges == both || (l.bytes.len() == 2 && (l.edges.start || l.edges.end)));
        if let Some(t) = rare.then(|| tidy(set)).flatten() {
            out.push(t);
        }
    }
    out
}

/// `l` without the ASCII non-word bytes at its ends (` idiot` → `idiot`), with a boundary
/// claimed on a side where a non-word byte was cut next to a word character: weaker than `l`
/// (wherever `l` occurs, the result does), and most often a string the automaton already holds
/// as a wordlist term, so an extra group adds few states (memory, start-up).
fn trim_nonword(mut l: Lit) -> Lit {
    let nonword = |b: u8| b.is_ascii() && !is_word_char(char::from(b));
    let word_at = |bytes: &[u8], i: usize| std::str::from_utf8(&bytes[i..]).ok().and_then(|t| t.chars().next());
    let lead = l.bytes.iter().take_while(|&&b| nonword(b)).count();
    let trail = l.bytes[lead..].iter().rev().take_while(|&&b| nonword(b)).count();
    if lead + trail == 0 || lead + trail == l.bytes.len() {
        return l;
    }
    let end = l.bytes.len() - trail;
    if lead > 0 {
        l.edges.start = word_at(&l.bytes, lead).is_some_and(is_word_char);
    }
    if trail > 0 {
        let last = std::str::from_utf8(&l.bytes[lead..end]).ok().and_then(|t| t.chars().next_back());
        l.edges.end = last.is_some_and(is_word_char);
    }
    l.bytes = l.bytes[lead..end].to_vec();
    l
}

/// A required set with one entry per string and no string containing another, or None when it
/// holds the empty string.
fn tidy(mut set: Vec<Lit>) -> Option<Vec<Lit>> {
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

/// A required set of `hir` (every match contains one of the strings), or None: the most
/// selective of its [`req_all`] groups.
fn req(hir: &Hir) -> Option<Vec<Lit>> {
    if let Some(set) = exact(hir) {
        return (!set.iter().any(|l| l.bytes.is_empty())).then_some(set);
    }
    best(req_inexact(hir))
}

/// Every required set of `hir` found (each must occur in every match), in pattern order.
fn req_all(hir: &Hir) -> Vec<Vec<Lit>> {
    if let Some(set) = exact(hir) {
        return if set.iter().any(|l| l.bytes.is_empty()) { Vec::new() } else { vec![set] };
    }
    req_inexact(hir)
}

/// The first most selective set of `groups`.
fn best(groups: Vec<Vec<Lit>>) -> Option<Vec<Lit>> {
    let mut best: Option<Vec<Lit>> = None;
    for set in groups {
        if best.as_ref().map_or(true, |b| quality(&set) > quality(b)) {
            best = Some(set);
        }
    }
    best
}

/// [`req_all`] of a node already known to have no small exact set (so it is not computed
/// again: over a list-expanded pattern, recomputing it at every level cost more than the rest
/// of the analysis).
fn req_inexact(hir: &Hir) -> Vec<Vec<Lit>> {
    match hir.kind() {
        HirKind::Capture(c) => req_inexact(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => req_all(&r.sub),
        // One set: each branch's most selective.
        HirKind::Alternation(subs) => union(subs, req).into_iter().collect(),
        HirKind::Concat(subs) => {
            // Runs of exactly-known children form cross-products; every other child offers its
            // own required sets. The children match disjoint parts of the text, so every set
            // offered is required, all at once.
            let mut all: Vec<Vec<Lit>> = Vec::new();
            let mut offer = |set: Vec<Lit>| {
                if !(set.is_empty() || set.iter().any(|l| l.bytes.is_empty())) {
                    all.push(set);
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
                        req_inexact(s).into_iter().for_each(&mut offer);
                    }
                }
            }
            let run = with_edges(run, &subs[..from], &[]);
            offer(run);
            all
        }
        _ => Vec::new(),
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
