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
pub struct WordlistSet {}

impl WordlistSet {
    /// Compiles `lists`; terms are normalized with `normalizer` so they compare to normalized text.
    ///
    /// # Errors
    /// The automaton cannot be built.
    pub fn build(lists: &[ListSpec], normalizer: &Normalizer) -> Result<WordlistSet, String> {
        let _ = (lists, normalizer);
        todo!("normalize helper")
    }

    /// Appends every hit in `haystack` (normalized text) to `out`, in order of position.
    pub fn find(&self, haystack: &str, out: &mut Vec<WordHit>) {
        let _ = (haystack, out);
        todo!("normalize helper")
    }
}
