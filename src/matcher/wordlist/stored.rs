//! A [`WordlistSet`] as bytes, for the start-up cache ([`crate::matcher::cache`]): the
//! automaton and the spelling → term table, which depend only on the lists, the normalizer and
//! the gate literals, and cost most of start-up to build.
//!
//! Reading never trusts the bytes: every count is checked against the bytes left, every term
//! and gate index against the lists and literals of this build, and the automaton with
//! daachorse's bounds checks; anything off gives None (the caller rebuilds). The allowlists
//! are not stored: they are few, and normalizing them again keeps them out of the format.

use super::{allow_sets, Anchor, Automaton, ListSpec, Source, WordlistSet};
use crate::normalize::Normalizer;

/// No gate literal (in the stored `gate` column).
const NO_GATE: u32 = u32::MAX;

impl WordlistSet {
    /// The set as bytes ([`Self::from_bytes`] reads them back).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let ac = self.ac.as_ref().map(Automaton::to_bytes).unwrap_or_default();
        let mut out = Vec::with_capacity(16 + 9 * self.sources.len() + 8 * self.gate.len() + ac.len());
        put_u32(&mut out, self.sources.len());
        for s in &self.sources {
            out.extend_from_slice(&s.list.to_le_bytes());
            out.extend_from_slice(&s.term.to_le_bytes());
            let anchor = match s.anchor {
                Anchor::Word => 0u8,
                Anchor::Prefix => 1,
                Anchor::Suffix => 2,
                Anchor::Inside => 3,
            };
            out.push(anchor | (u8::from(s.spaced) << 2));
        }
        put_u32(&mut out, self.source_at.len());
        for &a in &self.source_at {
            out.extend_from_slice(&a.to_le_bytes());
        }
        put_u32(&mut out, self.gate.len());
        for g in &self.gate {
            out.extend_from_slice(&g.unwrap_or(NO_GATE).to_le_bytes());
        }
        out.extend_from_slice(&(self.max_len as u64).to_le_bytes());
        out.push(u8::from(self.ac.is_some()));
        out.extend_from_slice(&ac);
        out
    }

    /// Reads [`Self::to_bytes`]'s output for `lists` (normalized with `normalizer`) and `gates`
    /// gate literals; None when the bytes are not a consistent set for them.
    pub(crate) fn from_bytes(
        bytes: &[u8],
        lists: &[ListSpec],
        normalizer: &Normalizer,
        gates: usize,
    ) -> Option<WordlistSet> {
        let mut r = Reader(bytes);
        let n = r.count(9)?;
        let mut sources = Vec::with_capacity(n);
        for _ in 0..n {
            let (list, term, flags) = (r.u32()?, r.u32()?, r.byte()?);
            let spec = lists.get(list as usize)?;
            if term as usize >= spec.terms.len() || flags > 7 {
                return None;
            }
            let anchor = [Anchor::Word, Anchor::Prefix, Anchor::Suffix, Anchor::Inside][usize::from(flags & 3)];
            sources.push(Source { list, term, anchor, spaced: flags & 4 != 0 });
        }
        let n = r.count(4)?;
        let source_at = (0..n).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?;
        let n = r.count(4)?;
        let mut gate = Vec::with_capacity(n);
        for _ in 0..n {
            gate.push(match r.u32()? {
                NO_GATE => None,
                g if (g as usize) < gates => Some(g),
                _ => return None,
            });
        }
        // `source_at` runs from 0 to the end of `sources` without going back, one entry per
        // pattern and one more: every `sources_of` slice is in bounds.
        let ordered = source_at.first() == Some(&0)
            && source_at.windows(2).all(|w| w[0] <= w[1])
            && source_at.last().is_some_and(|&l| l as usize == sources.len())
            && source_at.len() == gate.len() + 1;
        if !ordered {
            return None;
        }
        let max_len = usize::try_from(u64::from_le_bytes(r.take(8)?.try_into().ok()?)).ok()?;
        let ac = match r.byte()? {
            0 if r.0.is_empty() => None,
            1 => Some(Automaton::from_bytes(r.0)?),
            _ => return None,
        };
        let allow = allow_sets(lists, normalizer);
        let max_allow = allow.iter().flatten().map(String::len).max().unwrap_or(0);
        Some(WordlistSet { ac, sources, source_at, gate, allow, max_len, max_allow })
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    // Counts fit: the ids are u32 already.
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Reads little-endian fields off the front of a slice; None past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    /// A count of items of `size` bytes each, which the bytes left can hold (so a forged count
    /// cannot make the reader allocate more than the file's size).
    fn count(&mut self, size: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(size)? <= self.0.len()).then_some(n)
    }
}
