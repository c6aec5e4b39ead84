//! The offset map: for every byte of the normalized text, the byte range of the original body
//! that produced it.
//!
//! Everything downstream relies on one invariant: a hit found in the normalized text can be
//! reported *where the user wrote it*. The normalizer deletes (tags, zero-width characters,
//! separators between spelled-out letters), expands (`ﬁ` → `fi`, `&amp;` → `&`) and merges
//! (`uuuu` → `u`) text, so positions drift in both directions. Rather than recording edits and
//! replaying them, we record for each normalized byte the *source unit* it came from: the
//! half-open byte range of the original that was consumed to produce it (one character, one
//! whole entity, one whole run of stretched letters, one run of whitespace).
//!
//! Representation: two parallel `Vec<u32>` (`starts`, `ends`), one entry per normalized byte.
//! Every byte of a multi-byte normalized character carries the same entry, so a lookup at any
//! index yields a range on char boundaries of the original. Units are emitted in source order,
//! so both vectors are non-decreasing (the property tests check this), and a span
//! `start..end` maps to `starts[start]..ends[end - 1]`: from the first unit's first byte to the
//! last unit's last byte. Anything that was dropped *between* two kept units (the dots in
//! `f.u.c.k`, the `</b>` in `<b>fu</b>ck`) lies inside that range and is reported, which is the
//! point; anything dropped *outside* the first and last unit never is, so a hit never spills
//! into neighbouring spaces or punctuation.
//!
//! Eight bytes per normalized byte is more than a run-length encoding would take, but the map is
//! reused across comments (no allocation in steady state), filled with plain `push`es on the hot
//! path and read in O(1); comments are small, so the simple form wins.
//!
//! **Identity maps.** Most comments are plain ASCII with nothing to fold (the normalizer's fast
//! path decides that with one byte scan): their normalized text is the body lowercased, byte for
//! byte, and the map is the identity. Then nothing is stored; lookups answer from the position.

use std::ops::Range;

/// The normalized-byte → original-byte map (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// Length of the original body, for empty ranges at the end.
    source_len: u32,
    /// Normalized byte `i` is original byte `i` (nothing stored; see the module docs).
    identity: bool,
}

impl OffsetMap {
    /// Empties the map (keeping its buffers) for a body of `source_len` bytes.
    pub(crate) fn reset(&mut self, source_len: usize) {
        self.starts.clear();
        self.ends.clear();
        self.source_len = to_u32(source_len);
        self.identity = false;
    }

    /// Makes this the identity map of a body of `source_len` bytes (its normalized text is the
    /// body itself, lowercased ASCII).
    pub(crate) fn set_identity(&mut self, source_len: usize) {
        self.reset(source_len);
        self.identity = true;
    }

    /// Records that the next `n` normalized bytes come from original bytes `start..end`.
    #[inline]
    pub(crate) fn push(&mut self, n: usize, start: u32, end: u32) {
        for _ in 0..n {
            self.starts.push(start);
            self.ends.push(end);
        }
    }

    /// Records one normalized byte per unit of `units` (each an ASCII character).
    #[inline]
    pub(crate) fn push_units(&mut self, units: &[super::Unit]) {
        self.starts.extend(units.iter().map(|u| u.start));
        self.ends.extend(units.iter().map(|u| u.end));
    }

    /// Extends the source range of the last normalized byte to end at `end` (used when a run of
    /// whitespace collapses into one space).
    #[inline]
    pub(crate) fn extend_last(&mut self, end: u32) {
        if let Some(last) = self.ends.last_mut() {
            *last = end;
        }
    }

    /// Number of normalized bytes mapped.
    pub fn len(&self) -> usize {
        if self.identity {
            self.source_len as usize
        } else {
            self.starts.len()
        }
    }

    /// True when no byte is mapped.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The original source range of normalized byte `i` (which may be inside a multi-byte char).
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn source_of(&self, i: usize) -> Range<usize> {
        if self.identity {
            assert!(i < self.len(), "offset {i} out of range");
            return i..i + 1;
        }
        self.starts[i] as usize..self.ends[i] as usize
    }

    /// The original byte range that produced normalized bytes `start..end`.
    ///
    /// Out-of-range or empty input yields an empty range at the nearest mapped position, so
    /// the result is always a valid slice of the original body.
    pub fn original_range(&self, start: usize, end: usize) -> Range<usize> {
        if self.identity {
            let n = self.source_len as usize;
            let (s, e) = (start.min(n), end.min(n));
            return if s >= e { s..s } else { s..e };
        }
        let n = self.starts.len();
        let end = end.min(n);
        if start >= end {
            let p = if start < n { self.starts[start] } else { self.source_len } as usize;
            return p..p;
        }
        self.starts[start] as usize..self.ends[end - 1] as usize
    }
}

/// Offsets are stored as `u32`: bodies over 4 GiB are not comments. Saturate rather than wrap so
/// a pathological input can only produce a too-wide (still in-bounds after clamping) range.
#[inline]
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
