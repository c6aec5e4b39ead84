//! The literal automaton of [`super::WordlistSet`]: a double-array Aho-Corasick automaton
//! (`daachorse`) rather than `aho-corasick`'s, because it can be written to bytes and read back
//! (the start-up cache, [`crate::matcher::cache`]): building it over the pack's ~120,000
//! spellings was the largest serial part of start-up, and reading it back is a copy and a
//! bounds check. It also keeps every state in 12 contiguous bytes, so a scan stays in cache
//! (measured against `aho-corasick`'s contiguous NFA in docs/bench.md).

use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder, MatchKind};

/// An overlapping (`MatchKind::Standard`) automaton; each match's value is its pattern id.
#[derive(Clone)]
pub(super) struct Automaton(DoubleArrayAhoCorasick<u32>);

impl std::fmt::Debug for Automaton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Automaton").field("states", &self.0.num_states()).finish()
    }
}

impl Automaton {
    /// The automaton over `patterns` (distinct, non-empty), pattern `i` reported as id `i`.
    pub(super) fn build(patterns: &[Vec<u8>]) -> Result<Automaton, String> {
        let ids = u32::try_from(patterns.len()).map_err(|_| "too many automaton patterns".to_string())?;
        let b = DoubleArrayAhoCorasickBuilder::new().match_kind(MatchKind::Standard);
        b.build_with_values(patterns.iter().zip(0..ids)).map(Automaton).map_err(|e| e.to_string())
    }

    /// Every occurrence of every pattern in `haystack`, in order of its end: `(id, start, end)`.
    ///
    /// A match outside `haystack`'s character boundaries is skipped: it cannot come from an
    /// automaton this program built (its patterns are UTF-8), only from a forged cache file
    /// that passed the structural checks, and then it must not make the caller slice out of
    /// bounds.
    #[inline]
    pub(super) fn find_overlapping<'a>(
        &'a self,
        haystack: &'a str,
    ) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        self.0.find_overlapping_iter(haystack).filter_map(move |m| {
            let (s, e) = (m.start(), m.end());
            (s <= e && haystack.is_char_boundary(s) && haystack.is_char_boundary(e)).then_some((
                m.value() as usize,
                s,
                e,
            ))
        })
    }

    /// The automaton as bytes ([`Self::from_bytes`] reads them back).
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        self.0.serialize()
    }

    /// Reads [`Self::to_bytes`]'s output back, with daachorse's own bounds checks (every state,
    /// failure link and output index in range, so no read out of bounds) and the match kind
    /// the scan asserts; None when `bytes` is not such an automaton or has bytes left over.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<Automaton> {
        let (a, rest) = DoubleArrayAhoCorasick::<u32>::deserialize(bytes).ok()?;
        (rest.is_empty() && a.match_kind() == MatchKind::Standard).then_some(Automaton(a))
    }
}
