//! What each compiled pattern costs (memory and compile time, in both forms), for measuring
//! the pack (`tests/pattern_costs.rs`, docs/bench.md): nothing on a judging path calls it.

use std::time::Instant;

use regex_automata::util::iter::Searcher;
use regex_automata::Input;

use super::{ascii_only, compile_hir, RegexRules, SIZE_LIMIT};

/// One pattern's costs.
#[derive(Debug, Clone)]
pub struct PatternCost {
    /// Index of the pattern in its rule set.
    pub index: usize,
    /// The rule it belongs to.
    pub rule: usize,
    /// Bytes of the expanded pattern text.
    pub text_bytes: usize,
    /// Whether the ASCII form is the same program as the full form (no Unicode class, no
    /// Unicode word boundary).
    pub same_forms: bool,
    /// Per form (full, ASCII): compile time in microseconds (parse included, as first use does),
    /// the fastest of three.
    pub compile_us: [u128; 2],
    /// Per form: `meta::Regex::memory_usage()`.
    pub regex_bytes: [usize; 2],
    /// Per form: a fresh search cache's bytes, then after searching `sample`.
    pub cache_bytes: [usize; 2],
    /// Per form: the cache's bytes after searching every sample text.
    pub cache_used_bytes: [usize; 2],
}

impl RegexRules {
    /// Compiles every pattern anew in both forms and measures each (the rule set's own lazily
    /// compiled patterns are left alone); `samples` are searched with each form's cache (the
    /// ASCII form only on ASCII samples).
    pub fn pattern_costs(&self, samples: &[&str]) -> Vec<PatternCost> {
        (0..self.patterns.len())
            .map(|i| {
                let text = &self.patterns[i];
                let mut compile_us = [0; 2];
                let mut regex_bytes = [0; 2];
                let mut cache_bytes = [0; 2];
                let mut cache_used_bytes = [0; 2];
                let mut same_forms = false;
                for form in 0..2 {
                    // The fastest of three compiles: the others carry the machine's load.
                    let mut compiled = None;
                    for _ in 0..3 {
                        let t0 = Instant::now();
                        let Ok(hir) = regex_syntax::parse(text) else { break };
                        let hir = if form == 1 {
                            let a = ascii_only(&hir);
                            same_forms = a == hir;
                            a
                        } else {
                            hir
                        };
                        let Ok(re) = compile_hir(&hir, Some(SIZE_LIMIT)) else { break };
                        let us = t0.elapsed().as_micros();
                        compile_us[form] = if compiled.is_none() { us } else { us.min(compile_us[form]) };
                        compiled = Some(re);
                    }
                    let Some(re) = compiled else { continue };
                    regex_bytes[form] = re.memory_usage();
                    let mut cache = re.create_cache();
                    cache_bytes[form] = cache.memory_usage();
                    for s in samples.iter().filter(|s| form == 0 || s.is_ascii()) {
                        let mut it = Searcher::new(Input::new(*s));
                        while it.advance(|input| Ok(re.search_with(&mut cache, input))).is_some() {}
                    }
                    cache_used_bytes[form] = cache.memory_usage();
                }
                PatternCost {
                    index: i,
                    rule: self.rule_of[i],
                    text_bytes: text.len(),
                    same_forms,
                    compile_us,
                    regex_bytes,
                    cache_bytes,
                    cache_used_bytes,
                }
            })
            .collect()
    }

    /// Pattern `i` as expanded, if there is one.
    pub fn pattern_checked(&self, i: usize) -> Option<&str> {
        self.patterns.get(i).map(String::as_str)
    }
}
