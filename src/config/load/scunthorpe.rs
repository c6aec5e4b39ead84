//! The Scunthorpe lint of `moderate check`: every term that may match inside a longer word
//! (`*cum*`, `shit*`, every term of a `mode = "substring"` list) and every pattern that is not
//! bounded by `\b` on both sides is tried against words known to be innocent, and each that
//! matches inside one is a warning at the term's own `file:line:col`.
//!
//! Why: the most common complaint about every word filter is the false alarm inside an
//! ordinary word ("cialis" in "specialist", "Scunthorpe"). Rule authors should learn about it
//! from `check`, before the rule ships, not from a commenter.
//!
//! The innocent words are (1) an English word list and (2) a list of first names, surnames and
//! place names, both bundled in the binary (`rules/lint/`, SCOWL-derived; licence in
//! `rules/lint/README.md`), (3) the words of the innocent rows (every label false) of
//! `examples/labeled.jsonl` beside the config, and (4) any file given with `--words`. Words in
//! `rules/lint/meant.txt` are dictionary entries the pack denies on purpose (obscenities,
//! slurs) and are never reported.
//!
//! # Performance
//! The words are joined into one newline-separated haystack (1.3 MB) and the starred terms are
//! compiled into one [`WordlistSet`] (with their allowlists and generated spellings, exactly as
//! a run would), so the lint is one automaton scan, not terms × words. Patterns bounded by
//! `\b` at both ends can only match whole words and are skipped without compiling.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex_syntax::hir::{Hir, HirKind, Look};
use serde::Serialize;

use super::files::{resolve_list, Loader};
use super::patterns::compile_pattern;
use crate::config::source::{line_col, FileSource};
use crate::config::RawConfig;
use crate::matcher::wordlist::{ListSpec, WordMode, WordlistSet};

/// Words shown in a warning before "…".
const SHOWN: usize = 8;

/// Where an innocent word comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WordSource {
    /// The bundled English word list.
    Dictionary,
    /// The bundled first names, surnames and places.
    Names,
    /// The innocent rows of the labeled sample beside the config.
    Sample,
    /// A file given with `--words`.
    Extra,
}

/// What `check` is asked to lint with, beyond the bundled lists.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// More innocent words: a file of one word per line, or labeled JSONL (its innocent rows).
    pub extra: Vec<PathBuf>,
}

/// One term or pattern that matches inside innocent words.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule the term or pattern belongs to.
    pub rule: String,
    /// The term or pattern as written.
    pub term: String,
    /// `file:line:col` of the term (or pattern).
    pub location: String,
    /// The innocent words it matches inside, sorted, with where each comes from.
    pub words: Vec<(String, WordSource)>,
    /// For a wordlist term: the rule's first allowlist file (path relative to the config) when
    /// it is on disk, where `check --fix` writes the words. `None` for patterns and for rules
    /// without an allowlist (or one inside the built-in pack).
    pub allowlist: Option<PathBuf>,
}

/// The innocent words, in one haystack.
struct Words {
    /// `word\nword\n…`.
    text: String,
    /// Start of each word in `text`.
    starts: Vec<usize>,
    source: Vec<WordSource>,
}

impl Words {
    fn build(lists: Vec<(WordSource, Vec<String>)>, meant: &HashSet<String>) -> Words {
        let mut seen: HashSet<String> = HashSet::new();
        let mut w = Words { text: String::new(), starts: Vec::new(), source: Vec::new() };
        for (src, words) in lists {
            for word in words {
                if word.is_empty() || meant.contains(&word) || !seen.insert(word.clone()) {
                    continue;
                }
                w.starts.push(w.text.len());
                w.text.push_str(&word);
                w.text.push('\n');
                w.source.push(src);
            }
        }
        w
    }

    /// The word that byte `at` of the haystack lies in: (index, its range).
    fn at(&self, at: usize) -> (usize, Range<usize>) {
        let i = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        let start = self.starts.get(i).copied().unwrap_or(0);
        // Every word is followed by its '\n'.
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len()).saturating_sub(1).max(start);
        (i, start..end)
    }
}

/// Entries of a bundled or given word file: one per line, `#` comments, lowercased.
fn entries(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_once('#').map_or(l, |(a, _)| a).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn bundled(rel: &str) -> Vec<String> {
    FileSource::Builtin.read(rel).map(|f| entries(&f.text)).unwrap_or_default()
}

/// The words of the innocent rows (every boolean label false) of a labeled JSONL text, as the
/// rules see them (normalized), letters only.
fn sample_words(text: &str, l: &Loader) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(labels) = v.get("labels").and_then(|l| l.as_object()) else { continue };
        if labels.is_empty() || labels.values().any(|x| x.as_bool() != Some(false)) {
            continue;
        }
        let Some(body) = v.get("body").and_then(|b| b.as_str()) else { continue };
        let norm = l.normalizer.normalize(body).text;
        out.extend(
            norm.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2 && w.chars().all(char::is_alphabetic))
                .map(str::to_string),
        );
    }
    out
}

/// Reads a `--words` file: labeled JSONL (by extension) or one word per line.
fn extra_words(path: &Path, l: &Loader) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if path.extension().is_some_and(|e| e == "jsonl" || e == "json") {
        Ok(sample_words(&text, l))
    } else {
        Ok(entries(&text))
    }
}

/// Does every match of `hir` start at a word boundary (`true` for `start`), or end at one?
fn bounded(hir: &Hir, start: bool) -> bool {
    match hir.kind() {
        HirKind::Look(look) => matches!(
            look,
            Look::WordAscii
                | Look::WordUnicode
                | Look::WordStartAscii
                | Look::WordEndAscii
                | Look::WordStartUnicode
                | Look::WordEndUnicode
                | Look::WordStartHalfAscii
                | Look::WordEndHalfAscii
                | Look::WordStartHalfUnicode
                | Look::WordEndHalfUnicode
        ),
        HirKind::Concat(parts) => {
            let edge = if start { parts.first() } else { parts.last() };
            edge.is_some_and(|h| bounded(h, start))
        }
        HirKind::Capture(c) => bounded(&c.sub, start),
        HirKind::Alternation(alts) => alts.iter().all(|h| bounded(h, start)),
        _ => false,
    }
}

/// One term to try: its rule, where it is written, and the rule's allowlist file.
struct TermAt {
    rule: usize,
    term: String,
    file: usize,
    span: Range<usize>,
}

/// Runs the lint: warnings into `l.diags`, and the findings (for `--fix` and `--json`).
pub(super) fn lint(l: &mut Loader, raw: &RawConfig, opts: &LintOptions) -> Vec<Finding> {
    let meant: HashSet<String> = bundled("rules/lint/meant.txt").into_iter().collect();
    let mut lists = vec![
        (WordSource::Dictionary, bundled("rules/lint/english.txt")),
        (WordSource::Names, bundled("rules/lint/names.txt")),
        (WordSource::Names, bundled("rules/lint/places.txt")),
    ];
    if let Ok(f) = l.source.read("examples/labeled.jsonl") {
        lists.push((WordSource::Sample, sample_words(&f.text, l)));
    }
    for p in &opts.extra {
        match extra_words(p, l) {
            Ok(w) => lists.push((WordSource::Extra, w)),
            // The CLI checked the file exists; one that vanished since adds no words.
            Err(_) => continue,
        }
    }
    let words = Words::build(lists, &meant);
    let disk_dir = match &l.source {
        FileSource::Disk(d) => Some(d.clone()),
        FileSource::Builtin => None,
    };

    // Wordlist terms that can match inside a word: one list spec per rule.
    let mut specs: Vec<ListSpec> = Vec::new();
    let mut terms: Vec<Vec<TermAt>> = Vec::new();
    let mut allow_file: Vec<Option<PathBuf>> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut used = HashSet::new();
    for (ri, rule) in raw.rules.iter().enumerate() {
        l.enter(l.merge.from_builtin.get(ri).copied().unwrap_or(false));
        let (Some(wl), true) = (&rule.wordlist, rule.enabled) else { continue };
        let li = specs.len();
        let mut spec =
            ListSpec { terms: Vec::new(), mode: rule.mode.word_mode(), allow: Vec::new(), fuzzy: rule.fuzzy };
        let mut at = Vec::new();
        for f in wl.get_ref().to_vec() {
            let rel = resolve_list(raw, f, &mut used);
            let Some(tf) = l.term_file(rel, wl.span()) else { continue };
            for (t, span) in &tf.terms {
                let open = t.starts_with('*') || t.ends_with('*') || spec.mode == WordMode::Substring;
                if open {
                    spec.terms.push(t.clone());
                    at.push(TermAt { rule: li, term: t.clone(), file: tf.file, span: span.clone() });
                }
            }
        }
        let mut first_allow = None;
        if let Some(allow) = &rule.allowlist {
            for f in allow.get_ref().to_vec() {
                let rel = resolve_list(raw, f, &mut used).to_string();
                if let Some(tf) = l.term_file(&rel, allow.span()) {
                    spec.allow.extend(tf.terms.iter().map(|(t, _)| t.clone()));
                }
                let on_disk = !rel.starts_with(crate::config::extends::BUILTIN_PREFIX) && !l.in_builtin;
                if first_allow.is_none() && on_disk {
                    first_allow = disk_dir.as_ref().map(|_| PathBuf::from(&rel));
                }
            }
        }
        specs.push(spec);
        terms.push(at);
        allow_file.push(first_allow);
        rule_ids.push(rule.id.get_ref().trim().to_string());
    }
    l.enter(false);

    // (rule list, term) → words it hits inside.
    let mut hits: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    if let Ok(set) = WordlistSet::build(&specs, &l.normalizer) {
        let mut found = Vec::new();
        set.find(&words.text, &mut found);
        for h in found {
            let (wi, range) = words.at(h.start);
            let word = &words.text[range];
            let core = specs[h.list].terms[h.term].trim_matches('*');
            // The term itself is not a false alarm; neither is a hit that spans two lines.
            if h.end > words.text.len() || words.text[h.start..h.end].contains('\n') || word == core {
                continue;
            }
            hits.entry((h.list, h.term)).or_default().push(wi);
        }
    }

    let mut findings = Vec::new();
    let name_of = |l: &Loader, file: usize, span: &Range<usize>| -> String {
        let (name, text) = l.diags.files().nth(file).unwrap_or(("", ""));
        let (line, col) = line_col(text, span.start);
        format!("{name}:{line}:{col}")
    };
    for ((li, ti), wis) in hits {
        let t = &terms[li][ti];
        let mut ws: Vec<(String, WordSource)> =
            wis.iter().map(|&i| (words.text[words.at(words.starts[i]).1].to_string(), words.source[i])).collect();
        ws.sort();
        ws.dedup();
        let finding = Finding {
            rule: rule_ids[t.rule].clone(),
            term: t.term.clone(),
            location: name_of(l, t.file, &t.span),
            words: ws,
            allowlist: allow_file[t.rule].clone(),
        };
        warn(l, t.file, t.span.clone(), &finding, true);
        findings.push(finding);
    }

    // Patterns that can match inside a word.
    for (ri, rule) in raw.rules.iter().enumerate() {
        if !rule.enabled || rule.patterns.is_empty() {
            continue;
        }
        l.enter(l.merge.from_builtin.get(ri).copied().unwrap_or(false));
        for pat in &rule.patterns {
            let mut dummy = HashSet::new();
            let Some(checked) = compile_pattern(l, raw, pat, &mut dummy) else { continue };
            let re = &checked.text;
            let hir = crate::matcher::regex::parse_valid(re, checked.hir.as_ref());
            if bounded(&hir, true) && bounded(&hir, false) {
                continue;
            }
            let Ok(re) = crate::matcher::regex::compile(re) else { continue };
            let mut inside: Vec<(String, WordSource)> = Vec::new();
            for m in re.find_iter(&words.text) {
                if m.is_empty() || m.as_str().contains('\n') {
                    continue;
                }
                let (wi, range) = words.at(m.start());
                if range != (m.start()..m.end()) {
                    inside.push((words.text[range].to_string(), words.source[wi]));
                }
            }
            if inside.is_empty() {
                continue;
            }
            inside.sort();
            inside.dedup();
            let span = Loader::span_of(pat);
            let finding = Finding {
                rule: rule.id.get_ref().trim().to_string(),
                term: pat.get_ref().clone(),
                location: name_of(l, l.config_file, &span),
                words: inside,
                allowlist: None,
            };
            let file = l.config_file;
            warn(l, file, span, &finding, false);
            findings.push(finding);
        }
    }
    l.enter(false);
    findings
}

/// Up to [`SHOWN`] words for the message: the shortest first, one per 4-letter start where
/// possible, so "accumulate, accumulated, accumulates" does not hide "cucumber".
fn shown_words(words: &[(String, WordSource)]) -> Vec<&str> {
    let mut by_len: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    by_len.sort_by_key(|w| (w.len(), *w));
    let mut shown: Vec<&str> = Vec::new();
    let mut starts: HashSet<&str> = HashSet::new();
    for w in &by_len {
        let start = w.get(..4).unwrap_or(w);
        if shown.len() < SHOWN && starts.insert(start) {
            shown.push(w);
        }
    }
    for w in by_len {
        if shown.len() >= SHOWN {
            break;
        }
        if !shown.contains(&w) {
            shown.push(w);
        }
    }
    shown
}

fn warn(l: &mut Loader, file: usize, span: Range<usize>, f: &Finding, term: bool) {
    let shown = shown_words(&f.words);
    let more = if f.words.len() > SHOWN { ", …" } else { "" };
    let what = if term { format!("{:?}", f.term) } else { "this pattern".to_string() };
    let n = f.words.len();
    let mut by: BTreeMap<WordSource, usize> = BTreeMap::new();
    for (_, s) in &f.words {
        *by.entry(*s).or_default() += 1;
    }
    let from: Vec<String> = by
        .iter()
        .map(|(s, c)| match s {
            WordSource::Dictionary => format!("{c} English"),
            WordSource::Names => format!("{c} names/places"),
            WordSource::Sample => format!("{c} from the innocent sample"),
            WordSource::Extra => format!("{c} from --words"),
        })
        .collect();
    let msg = format!(
        "{what} matches inside {n} dictionary word{}: {}{more} ({})",
        if n == 1 { "" } else { "s" },
        shown.join(", "),
        from.join(", ")
    );
    let help = if !term {
        "bound the pattern with `\\b` on both sides, or make it need more than one word".to_string()
    } else if let Some(a) = &f.allowlist {
        format!(
            "`check --fix` adds them to {}; or drop the `*` (whole words only); a word meant to be \
             denied goes in rules/lint/meant.txt",
            a.display()
        )
    } else {
        format!("give rule `{}` an `allowlist` file with these words, or drop the `*` for whole-word matching", f.rule)
    };
    l.diags.warning(file, span, msg).help(help);
}

/// Appends each finding's words to its allowlist file (under `dir`, the config's directory),
/// below a comment naming the term; returns (file, words written) per file. Findings without
/// an allowlist on disk are left out (the warning says what to do instead).
///
/// # Errors
/// An allowlist file cannot be read or written.
pub fn fix(dir: &Path, findings: &[Finding]) -> Result<Vec<(PathBuf, usize)>, String> {
    let mut by_file: BTreeMap<PathBuf, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        if let Some(a) = &f.allowlist {
            by_file.entry(a.clone()).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for (rel, fs) in by_file {
        let path = dir.join(&rel);
        let mut text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let present: HashSet<String> = entries(&text).into_iter().collect();
        let mut added = 0;
        for f in fs {
            let new: Vec<&str> = f.words.iter().map(|(w, _)| w.as_str()).filter(|w| !present.contains(*w)).collect();
            if new.is_empty() {
                continue;
            }
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("# {}: innocent words that contain it (moderate check --fix)\n", f.term));
            for w in &new {
                text.push_str(w);
                text.push('\n');
            }
            added += new.len();
        }
        if added > 0 {
            std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push((rel, added));
        }
    }
    Ok(out)
}
