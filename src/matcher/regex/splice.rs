//! Parsing a list-expanded pattern without parsing its lists again.
//!
//! A `{list}` slot expands to the list's terms as one alternation, so the expanded text of the
//! shipped pack's patterns is mostly list terms, and the same lists fill many patterns. Parsing
//! that text at first use was the largest part of a first compile (`regex_syntax` parse 50 M of
//! the 397 M instructions of `run seeds/`, docs/bench.md seventeenth session). Here a pattern is
//! parsed with each slot written as a two-character marker group, and each list's alternation,
//! built once per process from its terms, takes the marker's place in the parse.
//!
//! The result is the parse of the expanded text: the marker group is a group exactly where the
//! slot's group was (checked on the syntax tree: a marker anywhere else, or any flag that would
//! change how the terms read, and the expanded text is parsed as before), and the tree around
//! it is rebuilt with the same constructors the parser uses, which merge literals, flatten and
//! factor alternations the same way whatever stood in the slot. `tests/unit_regex_splice.rs`
//! compares the two parses of every shipped pattern.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};

use super::RegexRules;

/// Where a pattern's text holds a slot: the bytes of its alternation and which list fills it.
pub type Splice = (Range<usize>, usize);

/// The lists that fill `{list}` slots: each list's terms in alternation order, and its parse,
/// made the first time a pattern needs it.
#[derive(Debug, Default)]
pub struct SlotTerms {
    terms: Vec<Vec<String>>,
    hirs: Vec<OnceLock<Hir>>,
}

/// The second character of every marker: a noncharacter, which no list term or pattern the
/// loader accepts holds (a pattern holding one is parsed as before).
const MARK_END: char = '\u{10FFFF}';
/// The first character of marker `k` is `MARK_BASE + k`: distinct first characters keep two
/// markers in one alternation from sharing a prefix.
const MARK_BASE: u32 = 0xF0000;
/// Most slots a pattern may have for this path (the rest parse as before).
const MAX_SLOTS: usize = 0xFFFD;
/// [`MARK_END`] in UTF-8.
const MARK_END_UTF8: [u8; 4] = [0xF4, 0x8F, 0xBF, 0xBF];

/// Whether `c` is a character markers are made of.
fn is_marker_char(c: char) -> bool {
    c == MARK_END || (MARK_BASE..MARK_BASE + MAX_SLOTS as u32).contains(&(c as u32))
}

impl SlotTerms {
    /// Slots from each list's terms, already in alternation order (the order of the text the
    /// loader expands them to).
    pub fn new(terms: Vec<Vec<String>>) -> SlotTerms {
        let hirs = terms.iter().map(|_| OnceLock::new()).collect();
        SlotTerms { terms, hirs }
    }

    /// The parse of slot `k`'s alternation: what the parser makes of `(?:t1|t2|...)` with
    /// every term escaped (one literal per term, then the alternation's own simplifications).
    fn hir(&self, k: usize) -> &Hir {
        self.hirs[k]
            .get_or_init(|| Hir::alternation(self.terms[k].iter().map(|t| Hir::literal(t.as_bytes())).collect()))
    }

    /// The parse of `text` whose `splices` hold list alternations; None when the short path
    /// does not apply (the caller parses `text`).
    pub fn parse(&self, text: &str, splices: &[Splice]) -> Option<Hir> {
        if splices.is_empty() || splices.len() > MAX_SLOTS || splices.iter().any(|(_, k)| *k >= self.terms.len()) {
            return None;
        }
        let marked = marked_text(text, splices)?;
        let tree = ast::parse::Parser::new().parse(&marked).ok()?;
        let mut found = vec![false; splices.len()];
        if !markers_in_place(&tree, &mut found) || found.contains(&false) {
            return None;
        }
        let hir = regex_syntax::hir::translate::Translator::new().translate(&marked, &tree).ok()?;
        let fill: Vec<&Hir> = splices.iter().map(|(_, k)| self.hir(*k)).collect();
        Some(substitute(hir, &fill))
    }
}

impl RegexRules {
    /// These rules with the lists that fill their `{list}` slots and, per pattern, where its
    /// text holds them (left without when the count does not match the patterns').
    pub fn with_slots(mut self, slots: Arc<SlotTerms>, splices: Vec<Vec<Splice>>) -> RegexRules {
        if splices.len() == self.patterns.len() {
            self.slots = slots;
            self.splices = splices;
        }
        self
    }

    /// The parse of pattern `i` (valid: the loader checked it), its slots filled from their
    /// lists' parses when they can be.
    pub(super) fn parse(&self, i: usize) -> Option<Hir> {
        self.spliced_parse(i).or_else(|| regex_syntax::parse(self.patterns.get(i)?).ok())
    }

    /// Pattern `i`'s parse with its `{list}` slots filled from their lists' parses; None when
    /// it has no slot or that path does not apply (then its text is parsed).
    pub fn spliced_parse(&self, i: usize) -> Option<Hir> {
        self.slots.parse(self.patterns.get(i)?, self.splices.get(i)?)
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }
}

/// `text` with slot `i` written as `(?:` + marker `i` + `)`; None when `text` already holds a
/// marker character or a splice is not a group of the text.
fn marked_text(text: &str, splices: &[Splice]) -> Option<String> {
    if text.chars().any(is_marker_char) {
        return None;
    }
    let mut out = String::with_capacity(text.len().min(1 << 16));
    let mut last = 0;
    for (i, (at, _)) in splices.iter().enumerate() {
        let slot = text.get(at.clone())?;
        if at.start < last || !slot.starts_with("(?:") || !slot.ends_with(')') {
            return None;
        }
        out.push_str(&text[last..at.start]);
        out.push_str("(?:");
        out.push(marker_first(i)?);
        out.push(MARK_END);
        out.push(')');
        last = at.end;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn marker_first(i: usize) -> Option<char> {
    char::from_u32(MARK_BASE + u32::try_from(i).ok()?)
}

/// Whether every marker character in `tree` sits in a group of its own, `(?:` marker `)`, with
/// no flag anywhere in the pattern (a flag could change how a slot's terms read: `(?i)` folds
/// case, `(?x)` drops their spaces); marks each marker found.
fn markers_in_place(tree: &Ast, found: &mut [bool]) -> bool {
    match tree {
        Ast::Flags(_) => false,
        Ast::Empty(_) | Ast::Dot(_) | Ast::Assertion(_) | Ast::ClassPerl(_) => true,
        Ast::Literal(lit) => !is_marker_char(lit.c),
        Ast::ClassUnicode(_) => true,
        Ast::ClassBracketed(class) => !class_holds(&class.kind),
        Ast::Repetition(rep) => markers_in_place(&rep.ast, found),
        Ast::Group(group) => {
            if let ast::GroupKind::NonCapturing(flags) = &group.kind {
                if !flags.items.is_empty() {
                    return false;
                }
                if let Some(i) = marker_group(&group.ast) {
                    return match found.get_mut(i) {
                        Some(seen) if !*seen => {
                            *seen = true;
                            true
                        }
                        _ => false,
                    };
                }
            }
            markers_in_place(&group.ast, found)
        }
        Ast::Alternation(alt) => alt.asts.iter().all(|a| markers_in_place(a, found)),
        Ast::Concat(concat) => concat.asts.iter().all(|a| markers_in_place(a, found)),
    }
}

/// The slot index of a group body that is exactly one marker.
fn marker_group(body: &Ast) -> Option<usize> {
    let Ast::Concat(concat) = body else { return None };
    let [Ast::Literal(first), Ast::Literal(second)] = concat.asts.as_slice() else { return None };
    let plain = |l: &ast::Literal| l.kind == ast::LiteralKind::Verbatim;
    if !plain(first) || !plain(second) || second.c != MARK_END {
        return None;
    }
    let i = (first.c as u32).checked_sub(MARK_BASE)? as usize;
    (i < MAX_SLOTS).then_some(i)
}

/// Whether a bracketed class names a marker character (then the marker is no slot).
fn class_holds(set: &ast::ClassSet) -> bool {
    use ast::{ClassSet, ClassSetItem};
    fn item_holds(item: &ClassSetItem) -> bool {
        match item {
            ClassSetItem::Literal(l) => is_marker_char(l.c),
            ClassSetItem::Range(r) => is_marker_char(r.start.c) || is_marker_char(r.end.c),
            ClassSetItem::Bracketed(b) => class_holds(&b.kind),
            ClassSetItem::Union(u) => u.items.iter().any(item_holds),
            ClassSetItem::Empty(_) | ClassSetItem::Ascii(_) | ClassSetItem::Unicode(_) | ClassSetItem::Perl(_) => false,
        }
    }
    match set {
        ClassSet::Item(item) => item_holds(item),
        ClassSet::BinaryOp(op) => class_holds(&op.lhs) || class_holds(&op.rhs),
    }
}

/// The UTF-8 bytes of marker `i`.
fn marker_bytes(i: usize) -> Vec<u8> {
    let mut s = String::new();
    s.extend(marker_first(i));
    s.push(MARK_END);
    s.into_bytes()
}

/// `hir` with every marker replaced by its slot's parse, every node above one rebuilt with the
/// parser's own constructors.
fn substitute(hir: Hir, fill: &[&Hir]) -> Hir {
    if !holds_marker(&hir) {
        return hir;
    }
    match hir.into_kind() {
        HirKind::Literal(lit) => Hir::concat(split_literal(&lit.0, fill)),
        HirKind::Concat(subs) => {
            let mut out = Vec::with_capacity(subs.len() + 2);
            for sub in subs {
                match sub.kind() {
                    HirKind::Literal(lit) if holds_marker(&sub) => out.extend(split_literal(&lit.0, fill)),
                    _ => out.push(substitute(sub, fill)),
                }
            }
            Hir::concat(out)
        }
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(|s| substitute(s, fill)).collect()),
        HirKind::Repetition(r) => Hir::repetition(Repetition { sub: Box::new(substitute(*r.sub, fill)), ..r }),
        HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(substitute(*c.sub, fill)), ..c }),
        // Only literals hold markers ([`holds_marker`]): these kinds are never reached.
        HirKind::Empty => Hir::empty(),
        HirKind::Class(c) => Hir::class(c),
        HirKind::Look(l) => Hir::look(l),
    }
}

/// A literal's bytes cut at its markers: the literal pieces between them and each marker's
/// slot parse, in order (the items the parser concatenated before it merged the literals).
fn split_literal(bytes: &[u8], fill: &[&Hir]) -> Vec<Hir> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some((at, i, len)) = next_marker(rest, fill.len()) {
        if at > 0 {
            out.push(Hir::literal(&rest[..at]));
        }
        out.push(fill[i].clone());
        rest = &rest[at + len..];
    }
    if !rest.is_empty() {
        out.push(Hir::literal(rest));
    }
    out
}

/// The first marker in `bytes`: its offset, slot index and length.
fn next_marker(bytes: &[u8], slots: usize) -> Option<(usize, usize, usize)> {
    let end = MARK_END_UTF8;
    let at_end = bytes.windows(end.len()).position(|w| w == end)?;
    // The first character of a marker is a 4-byte character of plane 15 or 16.
    let start = at_end.checked_sub(4)?;
    let first = std::str::from_utf8(&bytes[start..at_end]).ok()?.chars().next()?;
    let i = (first as u32).checked_sub(MARK_BASE)? as usize;
    (i < slots && marker_bytes(i) == bytes[start..at_end + end.len()]).then_some((start, i, at_end + end.len() - start))
}

/// Whether a marker's last character occurs in any literal of `hir`.
fn holds_marker(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => lit.0.windows(MARK_END_UTF8.len()).any(|w| w == MARK_END_UTF8),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(holds_marker),
        HirKind::Repetition(r) => holds_marker(&r.sub),
        HirKind::Capture(c) => holds_marker(&c.sub),
        HirKind::Empty | HirKind::Class(_) | HirKind::Look(_) => false,
    }
}
