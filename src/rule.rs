//! Compiled rule metadata: what every reason and every report says about a rule.

use serde::{Deserialize, Serialize};

use crate::verdict::Action;

/// Which text a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextMode {
    /// The normalized text (evasions folded): the default.
    #[default]
    Normalized,
    /// The body exactly as written (for case, punctuation or URL-sensitive patterns).
    Raw,
}

/// What a rule matches with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// Aho-Corasick wordlists.
    Wordlist,
    /// Regular expressions (a literal prefilter, then the candidate patterns for spans).
    Regex,
    /// A structural signal (kind, links, caps, ...).
    Signal,
}

/// One compiled rule's metadata. Rules are referred to by index in [`crate::Engine::rules`].
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// Stable id (`profanity.strong`).
    pub id: String,
    /// Category (`profanity`, `attack`, ...).
    pub category: String,
    /// Direct action, if any.
    pub action: Option<Action>,
    /// Score added when the rule hits.
    pub score: f64,
    /// Human message.
    pub message: String,
    /// Longer explanation, if given.
    pub explanation: Option<String>,
    /// Wordlist, regex or signal.
    pub kind: RuleKind,
    /// Normalized or raw text.
    pub text: TextMode,
    /// `mode = "shadow"`: reported, never enforced (its reasons add no score and no action).
    pub shadow: bool,
}
