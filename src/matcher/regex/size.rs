//! A pattern's compiled size bounded from its parse alone, so the loader compiles at load only
//! the patterns that might exceed [`super::SIZE_LIMIT`].

use regex_syntax::hir::{Class, Hir, HirKind};

/// An upper bound, in bytes, of the compiled program of a pattern parsed as `hir`, from its
/// shape alone (microseconds, where compiling takes milliseconds): a pattern under
/// [`super::SIZE_LIMIT`] by this bound surely compiles, so only the others are compiled at load to
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
