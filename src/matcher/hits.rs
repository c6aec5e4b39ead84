//! The hits of one scan, bounded whatever the comment holds ([`Hits`]).

use super::Hit;

/// Most hits kept per rule ([`Hits`]); decide reports the first [`MAX_MATCHES`] of them.
pub const KEEP_PER_RULE: usize = 2 * MAX_MATCHES;
/// Most matches a reason lists; the rest are counted (`match_count`).
pub const MAX_MATCHES: usize = 32;

/// The hits of one scan, bounded whatever the comment holds: when the buffer grows past a
/// threshold it is compacted to the first [`KEEP_PER_RULE`] hits of each rule in decide's
/// order (rule, start, end), and the others are only counted. "The first k" composes, so the
/// hits kept are exactly the first k of all of them, and decide's greedy overlap filter over
/// them reports exactly the first matches it would have reported over all.
#[derive(Debug, Default)]
pub struct Hits {
    /// The hits kept (unordered until compacted or decided).
    pub list: Vec<Hit>,
    /// Per rule that lost hits to compaction, in rule order: (rule, how many were dropped).
    pub dropped: Vec<(usize, usize)>,
    compact_at: usize,
}

impl Hits {
    /// Empties the buffer (keeping its allocation).
    pub fn clear(&mut self) {
        self.list.clear();
        self.dropped.clear();
        self.compact_at = 0;
    }

    /// Adds one hit.
    pub fn push(&mut self, hit: Hit) {
        self.list.push(hit);
        if self.list.len() >= self.compact_at.max(COMPACT_MIN) {
            self.compact();
            self.compact_at = 2 * self.list.len();
        }
    }

    /// Sorts the hits in decide's order.
    pub fn sort(&mut self) {
        self.list.sort_by(|a, b| {
            (a.rule, a.span.as_ref().map(|s| (s.start, s.end)))
                .cmp(&(b.rule, b.span.as_ref().map(|s| (s.start, s.end))))
        });
    }

    /// How many hits of `rule` were dropped by compaction.
    pub fn dropped_of(&self, rule: usize) -> usize {
        self.dropped.binary_search_by_key(&rule, |d| d.0).map_or(0, |i| self.dropped[i].1)
    }

    fn compact(&mut self) {
        self.sort();
        let (mut keep, mut run, mut prev) = (0, 0, usize::MAX);
        for i in 0..self.list.len() {
            let rule = self.list[i].rule;
            if rule != prev {
                (prev, run) = (rule, 0);
            }
            run += 1;
            if run > KEEP_PER_RULE {
                match self.dropped.binary_search_by_key(&rule, |d| d.0) {
                    Ok(j) => self.dropped[j].1 += 1,
                    Err(j) => self.dropped.insert(j, (rule, 1)),
                }
                continue;
            }
            self.list.swap(keep, i);
            keep += 1;
        }
        self.list.truncate(keep);
    }
}

/// Fewest hits before a compaction (a normal comment never reaches it).
const COMPACT_MIN: usize = 4096;
