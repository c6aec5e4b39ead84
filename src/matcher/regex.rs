//! Regex rules: one `RegexSet` pass tells which patterns hit; only those run again for spans.
//!
//! The `regex` crate is linear-time, so no pattern can be a ReDoS; every pattern is compiled
//! with a size limit so a huge `{list}` expansion fails loudly at load, not slowly at run.

use std::ops::Range;

use regex::{Regex, RegexSet};

/// Patterns of several rules compiled together.
#[derive(Debug, Clone)]
pub struct RegexRules {
    set: RegexSet,
    regexes: Vec<Regex>,
    rule_of: Vec<usize>,
}

/// Size limit per compiled pattern (bytes of compiled program).
pub const SIZE_LIMIT: usize = 64 << 20;

impl Default for RegexRules {
    fn default() -> Self {
        RegexRules { set: RegexSet::empty(), regexes: Vec::new(), rule_of: Vec::new() }
    }
}

impl RegexRules {
    /// Compiles `(rule index, pattern)` pairs (patterns already validated one by one).
    ///
    /// # Errors
    /// The combined set is too large.
    pub fn build(patterns: Vec<(usize, Regex)>) -> Result<RegexRules, String> {
        let set = regex::RegexSetBuilder::new(patterns.iter().map(|(_, r)| r.as_str()))
            .size_limit(SIZE_LIMIT * 4)
            .dfa_size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| e.to_string())?;
        let (rule_of, regexes) = patterns.into_iter().unzip();
        Ok(RegexRules { set, regexes, rule_of })
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }

    /// Calls `f(rule, range)` for every match of every pattern that hits `haystack`.
    pub fn scan(&self, haystack: &str, mut f: impl FnMut(usize, Range<usize>)) {
        if self.regexes.is_empty() {
            return;
        }
        for i in self.set.matches(haystack).iter() {
            for m in self.regexes[i].find_iter(haystack) {
                if m.start() < m.end() {
                    f(self.rule_of[i], m.range());
                }
            }
        }
    }
}
