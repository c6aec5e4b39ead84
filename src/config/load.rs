//! Loading: `config.toml` + rule files → a compiled [`Engine`], or every error at once.
//!
//! This is the only module that reads rule files. Each problem becomes a located
//! [`Diagnostic`](super::diag::Diagnostic) (`file:line:column`, caret snippet): TOML syntax and
//! unknown keys (with "did you mean"), missing files, regex errors mapped back into the TOML
//! string, duplicate ids; plus warnings for dead lists, empty lists, terms listed twice, terms
//! shadowed by the allowlist, patterns that match the empty string, block rules without a
//! message, and rule `examples` that do not behave.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use regex::Regex;
use regex_syntax::hir::Hir;
use toml::Spanned;

use super::diag::{did_you_mean, Diagnostics};
use super::extends::{Extends, Merge};
use super::source::{FileSource, SourceFile};
use super::{OneOrMany, RawConfig, RawRule, Signal, TextMode};
use crate::comment::{Comment, CommentKind};
use crate::decide::author::AuthorRules;
use crate::engine::Engine;
use crate::matcher::regex::{self as regex_rules, RegexRules};
use crate::matcher::structural::{url_regex, CompiledSignal};
use crate::matcher::wordlist::{ListSpec, WordlistSet};
use crate::matcher::Matcher;
use crate::normalize::Normalizer;
use crate::rule::{RuleKind, RuleMeta};

/// A successfully loaded config: the engine, the raw config, and any warnings.
#[derive(Debug)]
pub struct Loaded {
    /// The compiled engine.
    pub engine: Engine,
    /// The config as written (for sections other stages read, e.g. `[review]`, `[input]`).
    pub raw: RawConfig,
    /// Warnings (never errors: a load with errors returns `Err`).
    pub diagnostics: Diagnostics,
    /// Where the rules come from, for `check`: "built-in pack", "built-in pack + 2 from
    /// ./config.toml", "12 from ./site.toml, replacing the built-in pack".
    pub pack: String,
}

/// Loads the config the CLI should use: `path` if given, else `./config.toml` if it exists,
/// else the built-in pack.
///
/// # Errors
/// Every problem found, located.
pub fn load(path: Option<&Path>) -> Result<Loaded, Diagnostics> {
    load_at(path, false)
}

/// [`load`], and also runs every rule's `examples` (warnings for those that misbehave). Only
/// `moderate check` pays for this: it compiles rules a run may never need.
///
/// # Errors
/// Every problem found, located.
pub fn load_checked(path: Option<&Path>) -> Result<Loaded, Diagnostics> {
    load_at(path, true)
}

fn load_at(path: Option<&Path>, examples: bool) -> Result<Loaded, Diagnostics> {
    let path = match path {
        Some(p) => Some(p.to_path_buf()),
        None => Some(Path::new("config.toml").to_path_buf()).filter(|p| p.is_file()),
    };
    match path {
        Some(p) => {
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !p.is_file() {
                let mut d = Diagnostics::default();
                d.error_nowhere(format!("{}: config file not found", p.display()));
                return Err(d);
            }
            load_source(FileSource::Disk(dir), &name, examples)
        }
        None => load_source(FileSource::Builtin, "config.toml", examples),
    }
}

/// A parsed list file: terms with the byte span of each in the file.
struct TermFile {
    file: usize,
    terms: Vec<(String, Range<usize>)>,
}

struct Loader {
    source: FileSource,
    diags: Diagnostics,
    config_file: usize,
    config_text: String,
    term_files: HashMap<String, Option<TermFile>>,
    /// Term files whose terms were checked as match terms ([`Loader::check_terms`]).
    checked: HashSet<String>,
    /// The config's normalizer (terms are checked as the text will be).
    normalizer: Normalizer,
    /// With `extends = "builtin"`: the other config file (id and text) that rules come from,
    /// swapped with `config_file`/`config_text` while its rules are compiled.
    other: Option<(usize, String)>,
    in_builtin: bool,
    merge: Merge,
}

/// Parses a list file: one term per line, `#` starts a comment, blank lines ignored.
fn parse_terms(text: &str) -> Vec<(String, Range<usize>)> {
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
    /// Makes `config_file`/`config_text` the built-in pack's config (`true`) or the site's,
    /// so spans of the rule being compiled are located in the file it was written in.
    fn enter(&mut self, builtin: bool) {
        if builtin != self.in_builtin {
            if let Some((file, text)) = &mut self.other {
                std::mem::swap(file, &mut self.config_file);
                std::mem::swap(text, &mut self.config_text);
                self.in_builtin = builtin;
            }
        }
    }

    fn span_of<T>(s: &Spanned<T>) -> Range<usize> {
        s.span()
    }

    /// Reads a rule file once (cached), reporting a missing file at `at` in config.toml.
    fn term_file(&mut self, rel: &str, at: Range<usize>) -> Option<&TermFile> {
        if !self.term_files.contains_key(rel) {
            let loaded = match self.source.read(rel) {
                Ok(SourceFile { name, text }) => {
                    let file = self.diags.add_file(&name, &text);
                    let terms = parse_terms(&text);
                    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
                    for (t, span) in &terms {
                        let key = t.to_lowercase();
                        if let Some(first) = seen.get(&key) {
                            let (line, _) = super::source::line_col(&text, first.start);
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
    fn check_terms(&mut self, rel: &str) {
        if !self.checked.insert(rel.to_string()) {
            return;
        }
        let Some(Some(tf)) = self.term_files.get(rel) else { return };
        let normalizer = &self.normalizer;
        let bad: Vec<(usize, Range<usize>, String)> = tf
            .terms
            .iter()
            .filter(|(t, _)| {
                let core = t.strip_prefix('*').unwrap_or(t);
                let core = core.strip_suffix('*').unwrap_or(core);
                !normalizer.normalize(core).text.chars().any(char::is_alphanumeric)
            })
            .map(|(t, span)| (tf.file, span.clone(), t.clone()))
            .collect();
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

/// Loads `config_rel` from `source` and compiles it.
///
/// # Errors
/// Every problem found, located.
pub fn load_from(source: FileSource, config_rel: &str) -> Result<Loaded, Diagnostics> {
    load_source(source, config_rel, false)
}

fn load_source(source: FileSource, config_rel: &str, examples: bool) -> Result<Loaded, Diagnostics> {
    let mut diags = Diagnostics::default();
    let cfg = match source.read(config_rel) {
        Ok(f) => f,
        Err(msg) => {
            diags.error_nowhere(msg);
            return Err(diags);
        }
    };
    let config_file = diags.add_file(&cfg.name, &cfg.text);
    let raw: RawConfig = match toml::from_str(&cfg.text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            let d = diags.error(config_file, span, msg.clone());
            if let Some(help) = unknown_field_help(&msg) {
                d.help(help);
            }
            return Err(diags);
        }
    };
    let (raw, merge, other, pack) = match resolve_extends(&source, &cfg, raw, config_file, &mut diags) {
        Some(r) => r,
        None => return Err(diags),
    };
    let origin = match &source {
        FileSource::Builtin => "built-in pack".to_string(),
        FileSource::Disk(_) => cfg.name.clone(),
    };
    let mut l = Loader {
        source,
        diags,
        config_file,
        config_text: cfg.text.clone(),
        term_files: HashMap::new(),
        checked: HashSet::new(),
        normalizer: Normalizer::new(&raw.normalize),
        other,
        in_builtin: false,
        merge,
    };
    let engine = compile(&mut l, &raw, origin);
    match engine {
        Some(engine) if !l.diags.has_errors() => {
            if examples {
                check_examples(&mut l, &raw, &engine);
            }
            Ok(Loaded { engine, raw, diagnostics: l.diags, pack })
        }
        _ => Err(l.diags),
    }
}

/// Applies the config's `extends`: the config to compile, how it was merged, the built-in
/// config file (id, text) when it was, and the `check` description of where rules come from.
/// `None` (with an error) for a config that would silently drop every rule.
fn resolve_extends(
    source: &FileSource,
    cfg: &SourceFile,
    raw: RawConfig,
    config_file: usize,
    diags: &mut Diagnostics,
) -> Option<(RawConfig, Merge, Option<(usize, String)>, String)> {
    if matches!(source, FileSource::Builtin) {
        let pack = "built-in pack".to_string();
        return Some((raw, Merge::default(), None, pack));
    }
    let n = raw.rules.len();
    match raw.extends {
        Some(Extends::Builtin) => {
            let base_file = FileSource::Builtin.read("config.toml").ok()?;
            let base: RawConfig = toml::from_str(&base_file.text).ok()?;
            let present: toml::Table = toml::from_str(&cfg.text).unwrap_or_default();
            let (merged, m) = super::extends::merge(raw, &present, base);
            let mut pack = format!("built-in pack + {} from {}", m.added, cfg.name);
            if m.overridden > 0 {
                pack.push_str(&format!(", {} built-in rule(s) replaced", m.overridden));
            }
            let file = diags.add_file(&base_file.name, &base_file.text);
            Some((merged, m, Some((file, base_file.text)), pack))
        }
        Some(Extends::None) => {
            if n == 0 {
                diags.warning(config_file, 0..0, "`extends = \"none\"` and no [[rule]]: every comment is allowed");
            }
            Some((raw, Merge::default(), None, format!("{n} from {}, replacing the built-in pack", cfg.name)))
        }
        None if n == 0 => {
            let d = diags.error(
                config_file,
                0..0,
                "this config defines no [[rule]], so it would replace the built-in pack with nothing \
                 and allow every comment",
            );
            d.help("add `extends = \"builtin\"` at the top to keep the built-in rules and change only what this file says, or `extends = \"none\"` to really run without rules");
            None
        }
        None => Some((raw, Merge::default(), None, format!("{n} from {}, replacing the built-in pack", cfg.name))),
    }
}

/// "unknown field `x`, expected one of `a`, `b`" → "did you mean `a`?".
fn unknown_field_help(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let best = did_you_mean(field, expected.iter().copied())?;
    Some(format!("did you mean `{best}`?"))
}

fn compile(l: &mut Loader, raw: &RawConfig, origin: String) -> Option<Engine> {
    let normalizer = l.normalizer.clone();
    if raw.limits.max_body_bytes == 0 {
        l.diags.error_nowhere("[limits] max_body_bytes is 0: every comment would be cut to nothing");
    }
    if raw.thresholds.flag > raw.thresholds.block {
        l.diags.error_nowhere(format!(
            "[thresholds] flag ({}) is above block ({}): nothing could be flagged",
            raw.thresholds.flag, raw.thresholds.block
        ));
    }
    // [lists]: check every file exists now; remember which are used.
    let mut used_lists: HashSet<&str> = HashSet::new();
    for (name, path) in &raw.lists {
        let _ = l.term_file(path.get_ref(), Loader::span_of(path));
        let _ = name;
    }

    let mut rules: Vec<RuleMeta> = Vec::new();
    let mut ids: HashMap<String, Range<usize>> = HashMap::new();
    let mut lists: Vec<ListSpec> = Vec::new();
    let mut word_rule: Vec<usize> = Vec::new();
    let mut norm_patterns: Vec<(usize, String, Hir)> = Vec::new();
    let mut raw_patterns: Vec<(usize, String, Hir)> = Vec::new();
    let mut signals: Vec<(usize, CompiledSignal)> = Vec::new();
    let mut unless_after: Vec<(usize, Regex)> = Vec::new();

    for (ri, rule) in raw.rules.iter().enumerate() {
        l.enter(l.merge.from_builtin.get(ri).copied().unwrap_or(false));
        let cf = l.config_file;
        let id = rule.id.get_ref().trim().to_string();
        let id_span = Loader::span_of(&rule.id);
        if id.is_empty() {
            l.diags.error(cf, id_span.clone(), "rule id is empty");
        }
        if let Some(first) = ids.get(&id) {
            let (line, _) = super::source::line_col(&l.config_text, first.start);
            l.diags.error(cf, id_span.clone(), format!("rule id `{id}` is used twice (first on line {line})"));
        }
        ids.insert(id.clone(), id_span.clone());
        if rule.category.get_ref().trim().is_empty() {
            l.diags.error(cf, Loader::span_of(&rule.category), "rule category is empty");
        }
        if rule.action.is_none() && rule.score.is_none() {
            l.diags.error(
                cf,
                id_span.clone(),
                format!("rule `{id}` has neither `action` nor `score`: it could never change a verdict"),
            );
        }
        let message = rule.message.as_ref().map(|m| m.get_ref().trim().to_string()).unwrap_or_default();
        if message.is_empty() && rule.action == Some(crate::verdict::Action::Block) {
            l.diags.warning(
                cf,
                id_span.clone(),
                format!("block rule `{id}` has no `message`: the commenter will not learn why"),
            );
        }
        let sources = usize::from(rule.wordlist.is_some())
            + usize::from(!rule.patterns.is_empty())
            + usize::from(rule.signal.is_some());
        if sources != 1 {
            l.diags.error(
                cf,
                id_span.clone(),
                format!("rule `{id}` needs exactly one of `wordlist`, `patterns` or `signal` (it has {sources})"),
            );
            continue;
        }
        if !rule.enabled {
            continue;
        }
        let index = rules.len();
        let kind = if rule.wordlist.is_some() {
            RuleKind::Wordlist
        } else if rule.signal.is_some() {
            RuleKind::Signal
        } else {
            RuleKind::Regex
        };
        rules.push(RuleMeta {
            id: id.clone(),
            category: rule.category.get_ref().trim().to_string(),
            action: rule.action,
            score: rule.score.unwrap_or(0.0),
            message: if message.is_empty() { id.clone() } else { message },
            explanation: rule.explanation.clone(),
            kind,
            text: rule.text,
        });

        if let Some(wl) = &rule.wordlist {
            let spec = compile_wordlist(l, raw, rule, wl, &mut used_lists);
            if spec.terms.is_empty() {
                l.diags.warning(cf, id_span.clone(), format!("rule `{id}` has an empty wordlist: it can never hit"));
            }
            match rule.text {
                TextMode::Normalized => {
                    lists.push(spec);
                    word_rule.push(index);
                }
                TextMode::Raw => {
                    if !spec.terms.is_empty() {
                        let alt = alternation(&spec.terms);
                        let pat = match rule.mode {
                            crate::matcher::wordlist::WordMode::Word => format!(r"(?i)\b{alt}\b"),
                            crate::matcher::wordlist::WordMode::Substring => format!("(?i){alt}"),
                        };
                        match validate(&pat).and_then(|hir| check_size(&pat, &hir).map(|()| hir)) {
                            Ok(hir) => raw_patterns.push((index, pat, hir)),
                            Err(e) => {
                                l.diags.error(
                                    cf,
                                    id_span.clone(),
                                    format!("rule `{id}`: wordlist too large for a raw-text rule: {e}"),
                                );
                            }
                        }
                    }
                }
            }
        }
        for pat in &rule.patterns {
            if let Some((re, hir)) = compile_pattern(l, raw, pat, &mut used_lists) {
                // Only a pattern that can match zero characters needs compiling to tell.
                let may_be_empty = hir.properties().minimum_len() == Some(0);
                if may_be_empty && matches!(regex_rules::compile(&re), Ok(r) if r.is_match("")) {
                    l.diags.warning(
                        cf,
                        Loader::span_of(pat),
                        "this pattern matches the empty string: it hits every comment",
                    );
                }
                match rule.text {
                    TextMode::Normalized => norm_patterns.push((index, re, hir)),
                    TextMode::Raw => raw_patterns.push((index, re, hir)),
                }
            }
        }
        if !rule.unless_after.is_empty() {
            if rule.signal.is_some() {
                l.diags.error(cf, id_span.clone(), format!("rule `{id}`: `unless_after` needs a wordlist or patterns"));
            }
            let mut alts = Vec::new();
            for pat in &rule.unless_after {
                if let Some((re, _)) = compile_pattern(l, raw, pat, &mut used_lists) {
                    alts.push(format!("(?:{re})"));
                }
            }
            if alts.len() == rule.unless_after.len() {
                // The cue, then the rest of its sentence up to the match.
                let context = format!(r"(?:{})[^.!?\n]*$", alts.join("|"));
                match regex_rules::compile(&context) {
                    Ok(re) => unless_after.push((index, re)),
                    Err(e) => {
                        l.diags.error(cf, id_span.clone(), format!("rule `{id}`: `unless_after`: {e}"));
                    }
                }
            }
        }
        if let Some(sig) = &rule.signal {
            if let Some(s) = compile_signal(l, sig, id_span.clone()) {
                signals.push((index, s));
            }
        }
    }
    for (name, path) in &raw.lists {
        l.enter(l.merge.builtin_lists.contains(name));
        let cf = l.config_file;
        if !used_lists.contains(name.as_str()) {
            l.diags.warning(cf, Loader::span_of(path), format!("list `{name}` is never used by a rule"));
        }
    }
    l.enter(false);
    let authors = compile_authors(l, raw);
    if l.diags.has_errors() {
        return None;
    }
    let words = match WordlistSet::build(&lists, &normalizer) {
        Ok(w) => w,
        Err(e) => {
            l.diags.error_nowhere(format!("cannot compile the wordlists: {e}"));
            return None;
        }
    };
    let norm_regex = RegexRules::build(norm_patterns)
        .map_err(|e| l.diags.error_nowhere(format!("regex set: {e}")).message.clone())
        .ok()?;
    let raw_regex = RegexRules::build(raw_patterns)
        .map_err(|e| l.diags.error_nowhere(format!("regex set: {e}")).message.clone())
        .ok()?;
    let mut context = vec![None; rules.len()];
    for (rule, re) in unless_after {
        context[rule] = Some(re);
    }
    let matcher = Matcher { normalizer, words, word_rule, norm_regex, raw_regex, signals, unless_after: context };
    Some(Engine::new(rules, matcher, raw.thresholds, raw.limits, authors, origin))
}

/// `(?:longest|...|shortest)` with every term escaped.
fn alternation(terms: &[String]) -> String {
    let mut sorted: Vec<&String> = terms.iter().collect();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    sorted.dedup();
    let parts: Vec<String> = sorted.iter().map(|t| regex::escape(t)).collect();
    format!("(?:{})", parts.join("|"))
}

fn resolve_list<'a>(raw: &'a RawConfig, name: &'a str, used: &mut HashSet<&'a str>) -> &'a str {
    match raw.lists.get_key_value(name) {
        Some((k, path)) => {
            used.insert(k.as_str());
            path.get_ref().as_str()
        }
        None => name,
    }
}

fn compile_wordlist<'a>(
    l: &mut Loader,
    raw: &'a RawConfig,
    rule: &'a RawRule,
    files: &'a Spanned<OneOrMany<String>>,
    used: &mut HashSet<&'a str>,
) -> ListSpec {
    let at = files.span();
    let mut spec = ListSpec { terms: Vec::new(), mode: rule.mode, allow: Vec::new() };
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

/// Replaces each `{name}` of a known list; returns the expanded pattern and a same-length
/// placeholder version (for mapping syntax errors back to the TOML string).
fn expand_lists(
    l: &mut Loader,
    raw: &RawConfig,
    pat: &str,
    at: Range<usize>,
    used: &mut HashSet<String>,
) -> Option<(String, String)> {
    let name_re = Regex::new(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}").expect("static regex");
    let mut expanded = String::new();
    let mut placeholder = String::new();
    let mut last = 0;
    let mut ok = true;
    for caps in name_re.captures_iter(pat) {
        let m = caps.get(0).unwrap();
        let name = &caps[1];
        expanded.push_str(&pat[last..m.start()]);
        placeholder.push_str(&pat[last..m.start()]);
        last = m.end();
        let Some(path) = raw.lists.get(name) else {
            let names: Vec<&str> = raw.lists.keys().map(|k| k.as_str()).collect();
            let d = l.diags.error(
                l.config_file,
                at.clone(),
                format!("pattern uses `{{{name}}}`, but there is no list `{name}` in [lists]"),
            );
            if let Some(best) = did_you_mean(name, names) {
                d.help(format!("did you mean `{{{best}}}`?"));
            }
            ok = false;
            continue;
        };
        used.insert(name.to_string());
        if l.term_file(path.get_ref(), Loader::span_of(path)).is_some() {
            l.check_terms(path.get_ref());
        }
        let terms: Vec<String> = match l.term_file(path.get_ref(), Loader::span_of(path)) {
            Some(tf) => tf.terms.iter().map(|(t, _)| t.clone()).collect(),
            None => {
                ok = false;
                continue;
            }
        };
        expanded.push_str(&alternation(&terms));
        let width = m.len();
        placeholder.push_str(&if width >= 4 { format!("(?:{})", "x".repeat(width - 4)) } else { "(x)".to_string() });
    }
    expanded.push_str(&pat[last..]);
    placeholder.push_str(&pat[last..]);
    ok.then_some((expanded, placeholder))
}

fn compile_pattern<'a>(
    l: &mut Loader,
    raw: &'a RawConfig,
    pat: &Spanned<String>,
    used_lists: &mut HashSet<&'a str>,
) -> Option<(String, Hir)> {
    let at = Loader::span_of(pat);
    let mut used = HashSet::new();
    let (expanded, placeholder) = expand_lists(l, raw, pat.get_ref(), at.clone(), &mut used)?;
    for name in used {
        if let Some((k, _)) = raw.lists.get_key_value(&name) {
            used_lists.insert(k.as_str());
        }
    }
    // Syntax errors are located on the placeholder form, whose offsets equal the written ones.
    if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&placeholder) {
        let pos = e.span().start.offset;
        let span =
            map_into_toml_string(&l.config_text, at.clone(), pat.get_ref(), pos, e.span().end.offset.max(pos + 1));
        l.diags.error(l.config_file, span, format!("invalid regex: {}", e.kind()));
        return None;
    }
    match validate(&expanded) {
        Ok(hir) => match check_size(&expanded, &hir) {
            Ok(()) => Some((expanded, hir)),
            Err(e) => {
                l.diags.error(l.config_file, at, e);
                None
            }
        },
        Err(e) => {
            l.diags.error(l.config_file, at, format!("invalid regex: {e}"));
            None
        }
    }
}

/// Makes sure `pattern` compiles within the size limit before any comment is read: a pattern
/// whose [`regex_rules::size_bound`] is under the limit surely does; any other is compiled now
/// (a start-up cost only such patterns pay).
fn check_size(pattern: &str, hir: &Hir) -> Result<(), String> {
    if regex_rules::size_bound(hir) <= regex_rules::SIZE_LIMIT as u64 {
        return Ok(());
    }
    match regex_rules::compile(pattern) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "pattern too large to compile (over {} MiB once `{{list}}` names and repetitions are expanded): {}",
            regex_rules::SIZE_LIMIT >> 20,
            e.to_string().lines().last().unwrap_or("").trim()
        )),
    }
}

/// Parses a pattern the way the regex crate will (syntax and Unicode classes), without compiling
/// it: compiling waits until a comment needs the rule (`moderate check` compiles all of them).
fn validate(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new().build().parse(pattern).map_err(|e| {
        let text = e.to_string();
        text.lines().last().unwrap_or("").trim().to_string()
    })
}

/// Maps byte range `pos..end` of a pattern to the TOML source, when the string literal holds
/// the pattern verbatim (literal `'...'` strings, or basic strings without escapes).
fn map_into_toml_string(toml_text: &str, at: Range<usize>, pattern: &str, pos: usize, end: usize) -> Range<usize> {
    let lit = toml_text.get(at.clone()).unwrap_or("");
    for q in ["'''", "\"\"\"", "'", "\""] {
        if lit.starts_with(q) && lit.len() >= 2 * q.len() && &lit[q.len()..lit.len() - q.len()] == pattern {
            let base = at.start + q.len();
            return base + pos..base + end.min(pattern.len()).max(pos);
        }
    }
    at
}

fn compile_signal(l: &mut Loader, sig: &Signal, at: Range<usize>) -> Option<CompiledSignal> {
    Some(match sig {
        Signal::Kind { kinds, own_domains } => {
            let mut ks = Vec::new();
            for k in kinds {
                match k.as_str() {
                    "pingback" | "trackback" | "comment" => ks.push(CommentKind::parse(k)),
                    other => {
                        l.diags.error(
                            l.config_file,
                            at.clone(),
                            format!("unknown kind `{other}` (expected pingback, trackback or comment)"),
                        );
                    }
                }
            }
            CompiledSignal::Kind {
                kinds: ks,
                own_domains: own_domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            }
        }
        Signal::Links { min } => CompiledSignal::Links { min: (*min).max(1), url: url_regex() },
        Signal::LinkDomain { deny, author_url } => {
            let terms = l.term_file(deny, at.clone())?;
            let deny = terms.terms.iter().map(|(t, _)| t.trim_start_matches('.').to_ascii_lowercase()).collect();
            CompiledSignal::LinkDomain { deny, author_url: *author_url, url: url_regex() }
        }
        Signal::Caps { min_ratio, min_letters } => {
            CompiledSignal::Caps { min_ratio: *min_ratio, min_letters: *min_letters }
        }
        Signal::RepeatedChars { min_run } => CompiledSignal::RepeatedChars { min_run: (*min_run).max(2) },
    })
}

fn compile_authors(l: &mut Loader, raw: &RawConfig) -> AuthorRules {
    let a = &raw.authors;
    let mut names = |file: &Option<String>| -> HashSet<String> {
        let Some(f) = file else { return HashSet::new() };
        match l.term_file(f, 0..0) {
            Some(tf) => tf.terms.iter().map(|(t, _)| t.to_lowercase()).collect(),
            None => HashSet::new(),
        }
    };
    let blocked = names(&a.blocked);
    let trusted = names(&a.trusted);
    AuthorRules {
        repeat_blocks: a.repeat_blocks,
        repeat_action: Some(a.repeat_action),
        blocked,
        trusted,
        trust_previously_approved: a.trust_previously_approved,
        duplicate: a.duplicate,
        flood: a.flood,
    }
}

/// Runs every rule's `examples`: a `match` example the rule misses, or a `no_match` example it
/// hits, is a warning at the rule.
fn check_examples(l: &mut Loader, raw: &RawConfig, engine: &Engine) {
    let index: BTreeMap<&str, usize> = engine.rules().iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    for (ri, rule) in raw.rules.iter().enumerate() {
        l.enter(l.merge.from_builtin.get(ri).copied().unwrap_or(false));
        let Some(&i) = index.get(rule.id.get_ref().trim()) else { continue };
        for (text, should) in
            rule.examples.matches.iter().map(|t| (t, true)).chain(rule.examples.no_match.iter().map(|t| (t, false)))
        {
            let ex = engine.explain(&Comment::new("example", text.as_str()));
            let hit = ex.hits.iter().any(|h| h.rule == i);
            if hit != should {
                let what = if should { "does not match" } else { "matches" };
                let not = if should { "match" } else { "no_match" };
                l.diags.warning(
                    l.config_file,
                    rule.id.span(),
                    format!("rule `{}` {what} its `{not}` example {text:?}", rule.id.get_ref()),
                );
            }
        }
    }
}
