//! Building a [`WordlistSet`]: the term table (every spelling of every term, generated once),
//! then the automaton over it and the regex gate's literals.
//!
//! The two steps are apart so the matcher can build the table while another thread analyses
//! the regex patterns (whose required literals the automaton also needs): the table is most of
//! the CPU time of start-up that does not depend on the patterns.

use std::collections::{HashMap, HashSet};

use super::{parse_anchor, Anchor, Automaton, ListSpec, Source, WordlistSet};
use crate::matcher::fasthash::{FastMap, FastSet};
use crate::matcher::variants::{anchored_variants, term_variants};
use crate::normalize::Normalizer;

/// Per list, its allowlisted words normalized like the text (empty ones dropped).
pub(super) fn allow_sets(lists: &[ListSpec], normalizer: &Normalizer) -> Vec<HashSet<String>> {
    let normalize = |w: &String| normalizer.normalize(w).text.trim().to_string();
    lists.iter().map(|l| l.allow.iter().map(normalize).filter(|w| !w.is_empty()).collect()).collect()
}

/// Every distinct spelling of every term, with the (list, term, shape) behind each.
#[derive(Debug, Default)]
pub struct TermTable {
    /// The spellings, in the order first generated (their automaton pattern ids).
    patterns: Vec<Vec<u8>>,
    /// The terms of every spelling, spelling by spelling, in generation order.
    sources: Vec<Source>,
    /// Spelling id → where its terms start in `sources` (one more entry at the end).
    source_at: Vec<u32>,
    /// Per list, normalized allowlisted words.
    allow: Vec<HashSet<String>>,
}

impl TermTable {
    /// Normalizes every term of `lists` and generates its spellings ([`term_variants`],
    /// [`anchored_variants`]).
    ///
    /// # Errors
    /// A term is empty after normalization.
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Result<TermTable, String> {
        let mut ids: FastMap<String, u32> = FastMap::default();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        // (spelling id, term): sorted by id below, stably, so each spelling keeps its terms in
        // the order they were generated.
        let mut pairs: Vec<(u32, Source)> = Vec::new();
        let mut allow = Vec::with_capacity(lists.len());
        let mut variants = Vec::new();
        let mut whole = Vec::new();
        for ((li, list), allowed) in lists.iter().enumerate().zip(allow_sets(lists, normalizer)) {
            for (ti, raw) in list.terms.iter().enumerate() {
                let (core, anchor) = parse_anchor(raw.trim(), list.mode);
                let core = normalizer.normalize(core).text.trim().to_string();
                if core.is_empty() {
                    return Err(format!("list {li}, term {ti} ({raw:?}) is empty after normalization"));
                }
                variants.clear();
                term_variants(&core, anchor == Anchor::Word, &allowed, &mut variants);
                let open = variants.len();
                if anchor != Anchor::Word {
                    // Short or bent spellings of a starred term count only as whole words.
                    whole.clear();
                    anchored_variants(&core, &allowed, &mut whole);
                    let have: FastSet<&str> = variants.iter().map(|(v, _)| v.as_str()).collect();
                    whole.retain(|w| !have.contains(w.as_str()));
                    variants.extend(whole.drain(..).map(|w| (w, false)));
                }
                for (idx, (text, spaced)) in variants.drain(..).enumerate() {
                    let anchor = if idx < open { anchor } else { Anchor::Word };
                    let next = u32::try_from(patterns.len()).map_err(|_| "too many term spellings".to_string())?;
                    let id = *ids.entry(text).or_insert_with_key(|k| {
                        patterns.push(k.clone().into_bytes());
                        next
                    });
                    pairs.push((id, Source { list: li as u32, term: ti as u32, anchor, spaced }));
                }
            }
            allow.push(allowed);
        }
        drop(ids);
        // Counting sort by spelling id (stable).
        let mut source_at = vec![0u32; patterns.len() + 1];
        for (id, _) in &pairs {
            source_at[*id as usize + 1] += 1;
        }
        for i in 1..source_at.len() {
            source_at[i] += source_at[i - 1];
        }
        let mut fill = source_at.clone();
        let placeholder = Source { list: 0, term: 0, anchor: Anchor::Word, spaced: false };
        let mut sources = vec![placeholder; pairs.len()];
        for (id, src) in pairs {
            let at = &mut fill[id as usize];
            sources[*at as usize] = src;
            *at += 1;
        }
        Ok(TermTable { patterns, sources, source_at, allow })
    }

    /// The automaton over the spellings and the `gate` literals (a literal that is also a
    /// spelling shares its pattern id; [`WordlistSet::find_with_gate`] reports it by its index
    /// in `gate`).
    ///
    /// # Errors
    /// The automaton cannot be built.
    pub fn into_set(self, gate: &[Vec<u8>]) -> Result<WordlistSet, String> {
        let TermTable { mut patterns, sources, mut source_at, allow } = self;
        let max_len = patterns.iter().map(Vec::len).max().unwrap_or(0);
        let max_allow = allow.iter().flatten().map(String::len).max().unwrap_or(0);
        let mut gate_of: Vec<Option<u32>> = vec![None; patterns.len()];
        let mut extra: Vec<Vec<u8>> = Vec::new();
        {
            let mut by_bytes: HashMap<&[u8], usize> = HashMap::with_capacity(patterns.len());
            for (id, b) in patterns.iter().enumerate() {
                by_bytes.insert(b.as_slice(), id);
            }
            for (g, lit) in gate.iter().enumerate() {
                let g = u32::try_from(g).map_err(|_| "too many regex literals".to_string())?;
                match by_bytes.get(lit.as_slice()) {
                    Some(&id) if gate_of[id].is_none() => gate_of[id] = Some(g),
                    _ => {
                        extra.push(lit.clone());
                        gate_of.push(Some(g));
                    }
                }
            }
        }
        patterns.extend(extra);
        let end = source_at.last().copied().unwrap_or(0);
        source_at.resize(patterns.len() + 1, end);
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(Automaton::build(&patterns).map_err(|e| format!("cannot build the wordlist automaton: {e}"))?)
        };
        drop(patterns);
        Ok(WordlistSet { ac, sources, source_at, gate: gate_of, allow, max_len, max_allow })
    }
}
