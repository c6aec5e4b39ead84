//! Wordlist rules: list files (or `[lists]` names) into one [`ListSpec`] per rule.

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use super::files::{resolve_list, Loader};
use crate::config::{OneOrMany, RawConfig, RawRule};
use crate::matcher::wordlist::ListSpec;

/// `(?:longest|...|shortest)` with every term escaped.
pub(super) fn alternation(terms: &[String]) -> String {
    alternation_of(&alternation_order(terms))
}

/// The terms in the order [`alternation`] writes them: longest first (a longer term wins at
/// the same start), then alphabetical, each once.
pub(super) fn alternation_order(terms: &[String]) -> Vec<String> {
    let mut sorted: Vec<String> = terms.to_vec();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    sorted.dedup();
    sorted
}

/// `(?:a|b|...)` of terms already in [`alternation_order`], every term escaped.
pub(super) fn alternation_of(sorted: &[String]) -> String {
    let parts: Vec<String> = sorted.iter().map(|t| regex::escape(t)).collect();
    format!("(?:{})", parts.join("|"))
}

pub(super) fn compile_wordlist<'a>(
    l: &mut Loader,
    raw: &'a RawConfig,
    rule: &'a RawRule,
    files: &'a Spanned<OneOrMany<String>>,
    used: &mut HashSet<&'a str>,
) -> ListSpec {
    let at = files.span();
    let mut spec = ListSpec { terms: Vec::new(), mode: rule.mode.word_mode(), allow: Vec::new(), fuzzy: rule.fuzzy };
    let mut term_at: Vec<(usize, Range<usize>)> = Vec::new();
    for f in files.get_ref().to_vec() {
        let rel = resolve_list(raw, f, used);
        if l.term_file(rel, at.clone()).is_some() {
            l.check_terms(rel);
        }
        if let Some(tf) = l.term_file(rel, at.clone()) {
            for (t, span) in &tf.terms {
                spec.terms.push(t.clone());
                term_at.push((tf.file, span.clone()));
            }
        }
    }
    if let Some(allow) = &rule.allowlist {
        let at = allow.span();
        for f in allow.get_ref().to_vec() {
            let rel = resolve_list(raw, f, used);
            if let Some(tf) = l.term_file(rel, at.clone()) {
                spec.allow.extend(tf.terms.iter().map(|(t, _)| t.clone()));
            }
        }
        let allowed: HashSet<String> = spec.allow.iter().map(|a| a.to_lowercase()).collect();
        for (t, (file, span)) in spec.terms.iter().zip(&term_at) {
            if allowed.contains(&t.to_lowercase()) {
                l.diags.warning(
                    *file,
                    span.clone(),
                    format!("term `{t}` is also on the allowlist, so it can never hit"),
                );
            }
        }
    }
    spec
}
