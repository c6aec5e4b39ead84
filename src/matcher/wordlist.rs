//! Wordlist matching: Aho-Corasick automata over normalized text, Scunthorpe-safe.
//!
//! (normalize helper: essay to be written)

use crate::normalize::Normalizer;

/// How a list's terms may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WordMode {
    /// Only as a whole word (the default): "ass" never hits "class".
    #[default]
    Word,
    /// Anywhere, even inside a longer word, unless that word is allowlisted.
    Substring,
}

/// One list to compile: its terms (one per entry, as written in the rule file), how they match,
/// and the allowlisted words in which a hit does not count.
#[derive(Debug, Clone, Default)]
pub struct ListSpec {
    /// The terms as written in the list file.
    pub terms: Vec<String>,
    /// Whole-word or substring.
    pub mode: WordMode,
    /// Words that contain a term but are innocent ("scunthorpe", "cocktail").
    pub allow: Vec<String>,
}

/// A hit of list `list` at normalized byte offsets `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordHit {
    /// Index of the list in the slice given to [`WordlistSet::build`].
    pub list: usize,
    /// Index of the matched term within that list.
    pub term: usize,
    /// Start byte in the haystack.
    pub start: usize,
    /// End byte (exclusive) in the haystack.
    pub end: usize,
}

/// All lists compiled together.
#[derive(Debug, Clone)]
pub struct WordlistSet {
    ac: Option<aho_corasick::AhoCorasick>,
    ids: Vec<(usize, usize)>,
}

impl WordlistSet {
    /// Compiles `lists`; terms are normalized with `normalizer` so they compare to normalized text.
    ///
    /// # Errors
    /// The automaton cannot be built.
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Result<WordlistSet, String> {
        // TEMPORARY whole-word-only matcher until the normalize stage lands.
        let mut pats = Vec::new();
        let mut ids = Vec::new();
        for (li, l) in lists.iter().enumerate() {
            for (ti, t) in l.terms.iter().enumerate() {
                pats.push(normalizer.normalize(t).text);
                ids.push((li, ti));
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&pats)
            .map_err(|e| e.to_string())?;
        Ok(WordlistSet { ac: Some(ac), ids })
    }

    /// Appends every hit in `haystack` (normalized text) to `out`, in order of position.
    pub fn find(&self, haystack: &str, out: &mut Vec<WordHit>) {
        let Some(ac) = &self.ac else { return };
        let b = haystack.as_bytes();
        for m in ac.find_iter(haystack) {
            let before = m.start() > 0 && b[m.start() - 1].is_ascii_alphanumeric();
            let after = m.end() < b.len() && b[m.end()].is_ascii_alphanumeric();
            if before || after {
                continue;
            }
            let (list, term) = self.ids[m.pattern().as_usize()];
            out.push(WordHit { list, term, start: m.start(), end: m.end() });
        }
    }
}
