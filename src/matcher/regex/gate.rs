//! The gate analysis of the normalized patterns (their required literals, which pattern needs
//! which, [`super::super::literals::required_groups`]), apart from the rest of
//! [`RegexRules::build_gated`] so the start-up cache ([`crate::matcher::cache`]) can store it:
//! on the shipped pack it is the largest part of start-up after the automaton (docs/bench.md).

use std::collections::HashMap;

use super::{parse_valid, Need, Pattern, RegexRules, SlotTerms, Splice};
use crate::matcher::literals::{self, Edges};

/// The required literals of a list of patterns and who needs each.
#[derive(Debug, Clone, Default)]
pub struct GateAnalysis {
    /// The literals (gate id `i` is `lits[i]`).
    pub(super) lits: Vec<Vec<u8>>,
    /// Literal → the patterns that need it, with group bit and boundaries.
    pub(super) needed_by: Vec<Vec<Need>>,
    /// Per pattern, the bits of all its groups (0: it runs on every text).
    pub(super) full: Vec<u8>,
}

impl GateAnalysis {
    /// Analyses `patterns` (parsing those the loader did not).
    pub fn of(patterns: &[Pattern]) -> GateAnalysis {
        GateAnalysis::of_slots(patterns, &SlotTerms::default(), &[])
    }

    /// [`Self::of`], parsing a pattern the loader did not parse with its `{list}` slots filled
    /// from `slots` (`splices[i]`: where pattern `i` holds them) instead of from its text.
    pub fn of_slots(patterns: &[Pattern], slots: &SlotTerms, splices: &[Vec<Splice>]) -> GateAnalysis {
        let mut full = vec![0u8; patterns.len()];
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut needed_by: Vec<Vec<Need>> = Vec::new();
        for (i, (_, text, hir)) in patterns.iter().enumerate() {
            let spliced = match (hir, splices.get(i)) {
                (None, Some(at)) => slots.parse(text, at),
                _ => None,
            };
            let hir = parse_valid(text, hir.as_ref().or(spliced.as_ref()));
            for (g, set) in literals::required_groups(&hir).into_iter().enumerate() {
                full[i] |= 1 << g;
                for s in set {
                    let id = *ids.entry(s.bytes).or_insert_with_key(|k| {
                        lits.push(k.clone());
                        needed_by.push(Vec::new());
                        lits.len() - 1
                    });
                    needed_by[id].push(Need { pattern: i as u32, group: 1 << g, edges: s.edges });
                }
            }
        }
        GateAnalysis { lits, needed_by, full }
    }

    /// The literals, by gate id.
    pub fn lits(&self) -> &[Vec<u8>] {
        &self.lits
    }

    /// The analysis as bytes ([`Self::from_bytes`] reads them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put(&mut out, self.full.len());
        out.extend_from_slice(&self.full);
        put(&mut out, self.lits.len());
        for (lit, needs) in self.lits.iter().zip(&self.needed_by) {
            put(&mut out, lit.len());
            out.extend_from_slice(lit);
            put(&mut out, needs.len());
            for n in needs {
                out.extend_from_slice(&n.pattern.to_le_bytes());
                out.push(n.group);
                out.push(u8::from(n.edges.start) | (u8::from(n.edges.end) << 1));
            }
        }
        out
    }

    /// How many literals [`Self::from_bytes`] would read from `bytes` (the count its header
    /// states), without reading them: what the stored automaton's gate ids are checked
    /// against while the analysis itself is read on another thread. Only a full read that
    /// succeeds makes the count true; the caller drops what it checked against it otherwise.
    pub fn stated_lits(bytes: &[u8], patterns: usize) -> Option<usize> {
        let mut r = bytes;
        let n = count(&mut r, 1)?;
        take(&mut r, n)?;
        (n == patterns).then(|| count(&mut r, 8)).flatten()
    }

    /// Reads [`Self::to_bytes`]'s output for `patterns` patterns; None when the bytes are not
    /// an analysis of that many patterns (a count past the bytes left, a pattern index out of
    /// range, bytes left over).
    pub fn from_bytes(bytes: &[u8], patterns: usize) -> Option<GateAnalysis> {
        let mut r = bytes;
        let n = count(&mut r, 1)?;
        if n != patterns {
            return None;
        }
        let full = take(&mut r, n)?.to_vec();
        let n = count(&mut r, 8)?;
        let (mut lits, mut needed_by) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let len = count(&mut r, 1)?;
            lits.push(take(&mut r, len)?.to_vec());
            let k = count(&mut r, 6)?;
            let mut needs = Vec::with_capacity(k);
            for _ in 0..k {
                let f = take(&mut r, 6)?;
                let pattern = u32::from_le_bytes([f[0], f[1], f[2], f[3]]);
                if pattern as usize >= patterns || f[5] > 3 {
                    return None;
                }
                needs.push(Need { pattern, group: f[4], edges: Edges { start: f[5] & 1 != 0, end: f[5] & 2 != 0 } });
            }
            needed_by.push(needs);
        }
        r.is_empty().then_some(GateAnalysis { lits, needed_by, full })
    }
}

impl RegexRules {
    /// [`build_gated`](Self::build_gated) with the gate analysis already made (or read from the
    /// start-up cache) for these `patterns`.
    pub fn build_with_gate(patterns: Vec<Pattern>, gate: GateAnalysis) -> (RegexRules, Vec<Vec<u8>>) {
        let GateAnalysis { lits, needed_by, full } = gate;
        (RegexRules::assemble(patterns, needed_by, full), lits)
    }
}

fn put(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if n > r.len() {
        return None;
    }
    let (head, rest) = r.split_at(n);
    *r = rest;
    Some(head)
}

/// A count of items at least `size` bytes each, which the bytes left can hold.
fn count(r: &mut &[u8], size: usize) -> Option<usize> {
    let f = take(r, 4)?;
    let n = u32::from_le_bytes([f[0], f[1], f[2], f[3]]) as usize;
    (n.checked_mul(size)? <= r.len()).then_some(n)
}
