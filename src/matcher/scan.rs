//! Token scanning shared by the passes that read normalized text word by word after the
//! automaton (the fuzzy pass, split words, run-together words): the runs of word bytes, whether
//! a run is glued to something that makes it part of a longer word, and whether the automaton
//! already explained it.

/// The maximal runs `(start, end)` of bytes of `b` for which `is_word` holds, in order.
pub(crate) fn runs(b: &[u8], is_word: fn(&u8) -> bool) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !is_word(&b[i]) {
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && is_word(&b[i]) {
            i += 1;
        }
        Some((start, i))
    })
}

/// True when the run `start..end` of `b` touches, on either side, a non-ASCII byte (another
/// script) or one of `marks` (a mask, an apostrophe...): it is then part of a longer word.
pub(crate) fn glued(b: &[u8], start: usize, end: usize, marks: &[u8]) -> bool {
    let at = |p: Option<&u8>| matches!(p, Some(c) if *c >= 0x80 || marks.contains(c));
    at(start.checked_sub(1).map(|s| &b[s])) || at(b.get(end))
}

/// The normalized ranges the automaton explained, sorted, walked forward with the runs.
pub(crate) struct Explained<'a> {
    spans: &'a [(usize, usize)],
    next: usize,
}

impl<'a> Explained<'a> {
    pub(crate) fn new(spans: &'a [(usize, usize)]) -> Self {
        Explained { spans, next: 0 }
    }

    /// Whether an explained range overlaps `start..end`; runs must come in increasing order.
    pub(crate) fn overlaps(&mut self, start: usize, end: usize) -> bool {
        while self.next < self.spans.len() && self.spans[self.next].1 <= start {
            self.next += 1;
        }
        self.spans.get(self.next).is_some_and(|&(s, _)| s < end)
    }

    /// Whether one explained range covers all of `start..end`; queries in increasing order.
    pub(crate) fn covers(&mut self, start: usize, end: usize) -> bool {
        while self.next < self.spans.len() && self.spans[self.next].1 <= start {
            self.next += 1;
        }
        self.spans[self.next..].iter().take_while(|&&(s, _)| s <= start).any(|&(_, e)| e >= end)
    }

    /// Whether an explained range overlaps `start..end`, for queries that do not come in
    /// increasing order but never start before `lower`, which must not decrease from one call to
    /// the next (the oldest piece a pass still holds). Each range is passed once for good, and
    /// only those between `lower` and `end` are looked at: linear, where a scan of every range
    /// per query was quadratic in a text of many hits and candidates (`fuck wa nker` repeated).
    pub(crate) fn overlaps_after(&mut self, lower: usize, start: usize, end: usize) -> bool {
        debug_assert!(lower <= start);
        while self.next < self.spans.len() && self.spans[self.next].1 <= lower {
            self.next += 1;
        }
        self.spans[self.next..].iter().take_while(|&&(s, _)| s < end).any(|&(_, e)| e > start)
    }
}
