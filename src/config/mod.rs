//! Configuration: the TOML a moderator edits, in two stages (as ripgrep's LowArgs/HiArgs and
//! ruff's Options → Settings).
//!
//! 1. [`RawConfig`]: serde structs that mirror `config.toml` one to one. Unknown keys are
//!    errors, and every field is documented here: this file *is* the config reference (and the
//!    source of the shipped JSON Schema, `config.schema.json`).
//! 2. [`load`] turns a raw config into a compiled [`Engine`](crate::Engine): it reads the rule
//!    files (the only place that does), compiles wordlists into automata and patterns behind a
//!    literal prefilter, and collects *every* error with `file:line:column` ([`diag`]) before refusing.
//!
//! Where the config comes from (docs/design.md §5): `--config PATH`, else `./config.toml`, else the
//! built-in default pack, which is the shipped `config.toml` + `rules/` compiled into the binary.

pub mod diag;
pub mod extends;
pub mod load;
mod signal_at;
pub mod source;

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::matcher::wordlist::WordMode;
use crate::normalize::NormalizeOptions;
use crate::read::FieldMap;
use crate::verdict::Action;

pub use load::{load, load_checked, load_from, load_linted, Loaded};
pub use signal_at::SignalAt;
// Runtime types live in the stage that uses them (config → engine → decide is one way); the
// config reads them as they are and re-exports them where rule authors look for them.
pub use crate::decide::Thresholds;
pub use crate::rule::TextMode;

/// The whole `config.toml`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// `"builtin"`: add to the built-in pack (same rule id replaces, new ids are added, a
    /// missing section is the pack's). `"none"`: replace it. Without it, a config's rules
    /// replace the pack's, and a config with no rules is an error.
    #[serde(default)]
    pub extends: Option<extends::Extends>,
    /// Score thresholds that turn the total score into a verdict.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// How comment text is normalized before rules see it.
    #[serde(default)]
    pub normalize: NormalizeOptions,
    /// How input records are read.
    #[serde(default)]
    pub input: InputConfig,
    /// Named wordlists (`name = "rules/file.txt"`): a wordlist rule may name them instead of a
    /// path, and a regex pattern may use `{name}` to mean "any term of that list".
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub lists: BTreeMap<String, Spanned<String>>,
    /// The rules, in the order their reasons are reported.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RawRule>,
    /// Per-author policy: repeat offenders, trusted and blocked authors.
    #[serde(default)]
    pub authors: AuthorConfig,
    /// The review queue (`moderate run --queue`, `moderate review`).
    #[serde(default)]
    pub review: crate::review::ReviewConfig,
    /// Bounds on the work one comment may cause.
    #[serde(default)]
    pub limits: crate::engine::Limits,
}

/// `[input]`: reading options.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Which record fields hold the id, body, author, ... (first name present wins).
    #[serde(default)]
    pub fields: FieldMap,
}

/// One or several values (`wordlist = "a.txt"` or `wordlist = ["a.txt", "b.txt"]`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list of values.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a slice-like vector.
    pub fn to_vec(&self) -> Vec<&T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v.iter().collect(),
        }
    }
}

/// `[[rule]]`: one rule. Exactly one of `wordlist`, `patterns` or `signal` says what it matches.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Stable id, `category.name` (e.g. `attack.second-person-insult`). Shown in every reason.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// `profanity`, `attack`, `identity`, `threat`, `spam`, or a site-specific category.
    #[schemars(with = "String")]
    pub category: Spanned<String>,
    /// `flag` or `block`: applied whatever the score.
    #[serde(default)]
    pub action: Option<Action>,
    /// Added to the comment's score when the rule hits (once per rule, however many matches).
    #[serde(default)]
    pub score: Option<f64>,
    /// What a moderator and a commenter read: why this is not allowed.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub message: Option<Spanned<String>>,
    /// Longer explanation shown by `moderate explain`.
    #[serde(default)]
    pub explanation: Option<String>,
    /// Wordlist files (relative to the config file) or names from `[lists]`.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub wordlist: Option<Spanned<OneOrMany<String>>>,
    /// Files of innocent words that contain a listed term (for `mode = "substring"`).
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub allowlist: Option<Spanned<OneOrMany<String>>>,
    /// `word` (default: whole words only), `substring`, or `shadow`: evaluated and reported
    /// (`"shadow"` in the reason, a "would have" count in the summary, eval and diff) but never
    /// changes a verdict or a score; deleting the line enforces the rule. A shadow wordlist
    /// matches whole words (use `*term*` for a substring).
    #[serde(default)]
    pub mode: RuleMode,
    /// Set to false to keep the fuzzy pass (near spellings no generated variant foresaw:
    /// `nlgger`, `fuwck`) away from this wordlist: for words of other languages or vocabulary
    /// whose near spellings are ordinary words elsewhere (`puto` → `putoffs`, `verga` →
    /// `verglas`). Generated variants (leet, separators, inflections) still apply.
    #[serde(default = "yes")]
    pub fuzzy: bool,
    /// Set to true to let the fuzzy pass also read a word whose **first** letter was swapped
    /// for another consonant (`higger`, `ligger`) as one of this wordlist's terms. Off by
    /// default: English is dense there (`noobs`, `bigger`). Meant for lists of long, rare terms
    /// (slurs): only terms of five letters or more whose rest holds a doubled consonant (`gg`),
    /// the rest of the word exactly the term's, and never a word the dictionary knows.
    #[serde(default)]
    pub fuzzy_first_letter: bool,
    /// The fuzzy pass reads near spellings of this wordlist's terms of at least this many
    /// letters only (0, the default: every term). For vocabulary whose short terms have rare
    /// English neighbours (`pedo` → Phaedo) but whose long ones do not (`cunillingus`,
    /// `mastrbate`).
    #[serde(default)]
    pub fuzzy_min_letters: usize,
    /// The fuzzy pass reads a term of this wordlist typed with its first letter split off by a
    /// space (`s hit`, `c unt`) even where the rest is an English word: for words strong enough
    /// that a reader reads the join, not an initial and a word.
    #[serde(default)]
    pub fuzzy_split_letter: bool,
    /// Regular expressions (Rust `regex` syntax, linear time). `{name}` means any term of list
    /// `name` from `[lists]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub patterns: Vec<Spanned<String>>,
    /// Regular expressions for reported speech and mentions ("called me", "told me to", "the
    /// word"): a match that comes after one of them in the same sentence does not count for this
    /// rule, so quoting an insult is not blocked as if it were one (flag rules still see it).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub unless_after: Vec<Spanned<String>>,
    /// Regular expressions for innocent phrases that contain this rule's words ("spic and span",
    /// "a chink in the armor", "coon dog"): a hit where one of them matches, starting at the
    /// hit's first character, does not count for this rule. The phrase-level allowlist.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub unless_phrase: Vec<Spanned<String>>,
    /// Regular expressions for a hit's whole text as it was typed, before normalizing
    /// (case-insensitive): a hit written as one of them does not count for this rule. The
    /// letters the normalizer folds can name a language: Turkish `çok` ("very") is not `cok`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub unless_written: Vec<Spanned<String>>,
    /// A structural signal read from the parsed comment (kind, links, caps, ...).
    #[serde(default)]
    #[schemars(with = "Option<Signal>")]
    pub signal: Option<SignalAt>,
    /// `normalized` (default) or `raw`.
    #[serde(default)]
    pub text: TextMode,
    /// Set to false to switch the rule off without deleting it.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Texts the rule must / must not hit; `moderate check` runs them.
    #[serde(default)]
    pub examples: Examples,
}

/// `mode` of a rule: how a wordlist matches, or whether the rule only watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleMode {
    /// Whole words only (the default).
    #[default]
    Word,
    /// Anywhere, even inside a longer word, unless that word is allowlisted.
    Substring,
    /// Evaluated and reported, never enforced (whole words, like `word`).
    Shadow,
}

impl RuleMode {
    /// How the rule's wordlist terms match.
    pub fn word_mode(self) -> WordMode {
        match self {
            RuleMode::Substring => WordMode::Substring,
            RuleMode::Word | RuleMode::Shadow => WordMode::Word,
        }
    }

    /// A shadow rule: reported, never enforced.
    pub fn is_shadow(self) -> bool {
        self == RuleMode::Shadow
    }
}

fn yes() -> bool {
    true
}

/// `examples = { match = [...], no_match = [...] }`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts this rule must hit.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Texts this rule must not hit.
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// A structural signal: facts about the comment rather than words in it.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Signal {
    /// The entry is of one of these kinds (`pingback`, `trackback`).
    Kind {
        /// Kinds that hit.
        kinds: Vec<String>,
        /// The site's own domains: a pingback from these is not a hit.
        #[serde(default)]
        own_domains: Vec<String>,
    },
    /// The body holds at least `min` links.
    Links {
        /// Minimum number of links.
        min: usize,
    },
    /// A link in the body (or the author URL) points to a domain on this list.
    LinkDomain {
        /// File of domains, one per line (subdomains match too).
        deny: String,
        /// Also look at the author's URL field.
        #[serde(default)]
        author_url: bool,
    },
    /// Mostly capital letters.
    Caps {
        /// Share of letters that are capitals, 0..1.
        min_ratio: f64,
        /// Only judge bodies with at least this many letters.
        #[serde(default = "twenty")]
        min_letters: usize,
    },
    /// The same character repeated many times in a row ("!!!!!!!!!!!!").
    RepeatedChars {
        /// Run length that hits.
        min_run: usize,
    },
    /// A learned model (`moderate learn`) scores the normalized words: hits when the
    /// probability of `label` reaches `min`. The reason lists the words that pushed it most.
    Model {
        /// The model file (relative to the config file), e.g. `rules/model.bin`.
        path: String,
        /// Which of the model's labels (`toxic`, `profanity`, `attack`, `identity`, `spam`).
        label: String,
        /// Probability at or above which the rule hits, in (0, 1].
        min: f64,
    },
}

fn twenty() -> usize {
    20
}

/// `[authors]`: per-author state across a run. Verdicts never depend on thread scheduling: the
/// author policy runs in input order after the rules.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuthorConfig {
    /// After this many blocked comments, an author's later comments get `repeat_action`
    /// (0 = off).
    pub repeat_blocks: usize,
    /// What happens to a repeat offender's later comments.
    pub repeat_action: Action,
    /// File of author names (or e-mails) whose comments are always blocked.
    #[schemars(with = "Option<String>")]
    pub blocked: Option<Spanned<String>>,
    /// File of trusted author names (or e-mails): score-only rules do not apply to them.
    #[schemars(with = "Option<String>")]
    pub trusted: Option<Spanned<String>>,
    /// Trust authors the site approved before (a dump's approved flag), as WordPress does.
    pub trust_previously_approved: bool,
    /// Flag a body posted again (after normalization) within the run.
    pub duplicate: Option<Action>,
    /// Flood control: more than `max` comments by one author or IP within `minutes`.
    pub flood: Option<Flood>,
}

impl Default for AuthorConfig {
    fn default() -> Self {
        AuthorConfig {
            repeat_blocks: 0,
            repeat_action: Action::Flag,
            blocked: None,
            trusted: None,
            trust_previously_approved: false,
            duplicate: None,
            flood: None,
        }
    }
}

/// `[authors.flood]`.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    /// Most comments allowed in the window.
    pub max: usize,
    /// Window length in minutes.
    pub minutes: u64,
    /// What happens to the comments over the limit.
    #[serde(default = "flag")]
    pub action: Action,
}

fn flag() -> Action {
    Action::Flag
}
