//! Rule files: read once, cached, each term located (`file:line:col`) and checked.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use toml::Spanned;

use crate::config::diag::Diagnostics;
use crate::config::extends::Merge;
use crate::config::source::{line_col, FileSource, SourceFile};
use crate::config::RawConfig;
use crate::normalize::Normalizer;

/// A parsed list file: terms with the byte span of each in the file.
pub(super) struct TermFile {
    pub(super) file: usize,
    pub(super) terms: Vec<(String, Range<usize>)>,
}

pub(super) struct Loader {
    pub(super) source: FileSource,
    pub(super) diags: Diagnostics,
    pub(super) config_file: usize,
    pub(super) config_text: String,
    pub(super) term_files: HashMap<String, Option<TermFile>>,
    /// Term files whose terms were checked as match terms ([`Loader::check_terms`]).
    pub(super) checked: HashSet<String>,
    /// The config's normalizer (terms are checked as the text will be).
    pub(super) normalizer: Normalizer,
    /// With `extends = "builtin"`: the other config file (id and text) that rules come from,
    /// swapped with `config_file`/`config_text` while its rules are compiled.
    pub(super) other: Option<(usize, String)>,
    pub(super) in_builtin: bool,
    pub(super) merge: Merge,
    /// Bytes of `{list}` expansion handed to the regex parser so far (see
    /// [`super::patterns::MAX_EXPANDED_TOTAL`]).
    pub(super) expanded_bytes: usize,
    /// The estimated cost of the spellings generated for every match term so far (see
    /// [`MAX_SPELLING_COST`]).
    pub(super) spelling_cost: u64,
    /// The patterns this executable has checked before ([`super::memo`]).
    pub(super) memo: super::memo::Memo,
    /// Per list file named in a `{list}` slot, what the slot expands to (made once: the pack's
    /// patterns name the same lists many times).
    pub(super) slots: HashMap<String, Rc<Slot>>,
    /// Each slot's terms in alternation order, by [`Slot::id`]: the matcher parses a slot from
    /// them once instead of in every pattern's text ([`crate::matcher::regex::SlotTerms`]).
    pub(super) slot_terms: Vec<Vec<String>>,
}

/// What a `{list}` slot expands to.
pub(super) struct Slot {
    /// The list's terms as one alternation ([`super::lists::alternation`]).
    pub(super) alternation: String,
    /// Bytes the slot counts against the expansion limits (each term and a separator).
    pub(super) adds: usize,
    /// Number of terms.
    pub(super) terms: usize,
    /// Its index in [`Loader::slot_terms`].
    pub(super) id: usize,
}

/// The most estimated spelling bytes the match terms of a config may generate
/// ([`crate::matcher::variants::spelling_cost`] per term). The shipped pack costs about 0.35 M;
/// one 1,000-letter word would cost 10^9 (and took 4 GB before this bound), 2,000 words of 32
/// letters 65 M (2.4 GB).
pub(super) const MAX_SPELLING_COST: u64 = 1 << 25;

/// Parses a list file: one term per line, `#` starts a comment, blank lines ignored.
pub(super) fn parse_terms(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.split('#').next().unwrap_or("");
        let trimmed = content.trim();
        if !trimmed.is_empty() {
            let start = offset + (content.len() - content.trim_start().len());
            out.push((trimmed.to_string(), start..start + trimmed.len()));
        }
        offset += line.len();
    }
    out
}

impl Loader {
    /// What a `{list}` slot naming list file `rel` expands to; None when the file cannot be
    /// read (the error is reported).
    pub(super) fn slot(&mut self, rel: &str, at: Range<usize>) -> Option<Rc<Slot>> {
        if let Some(s) = self.slots.get(rel) {
            return Some(Rc::clone(s));
        }
        let tf = self.term_file(rel, at)?;
        let terms: Vec<String> = tf.terms.iter().map(|(t, _)| t.clone()).collect();
        let adds = terms.iter().map(|t| t.len() + 1).sum::<usize>();
        let sorted = super::lists::alternation_order(&terms);
        let alternation = super::lists::alternation_of(&sorted);
        let slot = Rc::new(Slot { alternation, adds, terms: terms.len(), id: self.slot_terms.len() });
        self.slot_terms.push(sorted);
        self.slots.insert(rel.to_string(), Rc::clone(&slot));
        Some(slot)
    }
    /// Makes `config_file`/`config_text` the built-in pack's config (`true`) or the site's,
    /// so spans of the rule being compiled are located in the file it was written in.
    pub(super) fn enter(&mut self, builtin: bool) {
        if builtin != self.in_builtin {
            if let Some((file, text)) = &mut self.other {
                std::mem::swap(file, &mut self.config_file);
                std::mem::swap(text, &mut self.config_text);
                self.in_builtin = builtin;
            }
        }
    }

    pub(super) fn span_of<T>(s: &Spanned<T>) -> Range<usize> {
        s.span()
    }

    /// Reads a rule file once (cached), reporting a missing file at `at` in config.toml.
    pub(super) fn term_file(&mut self, rel: &str, at: Range<usize>) -> Option<&TermFile> {
        if !self.term_files.contains_key(rel) {
            let loaded = match self.source.read(rel) {
                Ok(SourceFile { name, text }) => {
                    let file = self.diags.add_file(&name, &text);
                    let terms = parse_terms(&text);
                    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
                    for (t, span) in &terms {
                        let key = t.to_lowercase();
                        if let Some(first) = seen.get(&key) {
                            let (line, _) = line_col(&text, first.start);
                            self.diags.warning(
                                file,
                                span.clone(),
                                format!("term `{t}` is listed twice (first on line {line})"),
                            );
                        } else {
                            seen.insert(key, span.clone());
                        }
                    }
                    Some(TermFile { file, terms })
                }
                Err(msg) => {
                    self.diags.error(self.config_file, at, msg);
                    None
                }
            };
            self.term_files.insert(rel.to_string(), loaded);
        }
        self.term_files.get(rel).and_then(|t| t.as_ref())
    }

    /// Checks, once per file, that every term of list file `rel` can only match words: a term
    /// with no letter or digit once normalized (`-`, `?`, `*`) would hit punctuation in every
    /// comment. Each bad term is an error at its own `file:line:col`.
    pub(super) fn check_terms(&mut self, rel: &str) {
        if !self.checked.insert(rel.to_string()) {
            return;
        }
        let Some(Some(tf)) = self.term_files.get(rel) else { return };
        let normalizer = &self.normalizer;
        let mut bad: Vec<(usize, Range<usize>, String)> = Vec::new();
        let mut costly = None;
        for (t, span) in &tf.terms {
            let core = t.strip_prefix('*').unwrap_or(t);
            let core = core.strip_suffix('*').unwrap_or(core);
            let core = normalizer.normalize(core).text;
            if !core.chars().any(char::is_alphanumeric) {
                bad.push((tf.file, span.clone(), t.clone()));
            }
            let cost = crate::matcher::variants::spelling_cost(core.trim());
            if costly.is_none() && self.spelling_cost <= MAX_SPELLING_COST {
                self.spelling_cost = self.spelling_cost.saturating_add(cost);
                if self.spelling_cost > MAX_SPELLING_COST {
                    costly = Some((tf.file, span.clone(), t.chars().count(), cost > MAX_SPELLING_COST));
                }
            }
        }
        if let Some((file, span, chars, alone)) = costly {
            let why = if alone {
                format!("this term of {chars} characters alone")
            } else {
                "the match terms up to this one".to_string()
            };
            let d = self.diags.error(
                file,
                span,
                format!(
                    "{why} would generate more misspellings than the matcher builds ({} M bytes estimated; a \
                     long one-word term costs the cube of its length)",
                    MAX_SPELLING_COST >> 20
                ),
            );
            d.help("list whole words (the longest English word has 45 letters); spell a long phrase with spaces");
        }
        for (file, span, t) in bad {
            let d = self.diags.error(
                file,
                span,
                format!("term `{t}` has no letter or digit: it would match punctuation in any comment"),
            );
            d.help("a term is a word or phrase; `*` only marks where a word may go on (`fuck*`, `*hole`)");
        }
    }
}

pub(super) fn resolve_list<'a>(raw: &'a RawConfig, name: &'a str, used: &mut HashSet<&'a str>) -> &'a str {
    match raw.lists.get_key_value(name) {
        Some((k, path)) => {
            used.insert(k.as_str());
            path.get_ref().as_str()
        }
        None => name,
    }
}
