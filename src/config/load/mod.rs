//! Loading: `config.toml` + rule files → a compiled [`Engine`], or every error at once.
//!
//! This is the only module that reads rule files. Each problem becomes a located
//! [`Diagnostic`](super::diag::Diagnostic) (`file:line:column`, caret snippet): TOML syntax and
//! unknown keys (with "did you mean"), missing files, regex errors mapped back into the TOML
//! string, duplicate ids; plus warnings for dead lists, empty lists, terms listed twice, terms
//! shadowed by the allowlist, patterns that match the empty string, block rules without a
//! message, and rule `examples` that do not behave.
//!
//! Split along its seams: [`files`] reads and caches rule files (and checks their terms),
//! [`lists`] turns wordlist rules into list specs, [`patterns`] expands `{list}` names and
//! validates patterns, [`signals`] the structural signals and author files, [`lint`] the
//! checks only `moderate check` runs; this module sequences them into an [`Engine`].

mod cues;
mod files;
mod lint;
mod lists;
mod memo;
mod patterns;
pub mod scunthorpe;
mod signals;
mod visible;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use super::diag::Diagnostics;
use super::extends::{Extends, Merge};
use super::source::{FileSource, SourceFile};
use super::{RawConfig, TextMode};
use crate::engine::Engine;
use crate::matcher::regex as regex_rules;
use crate::matcher::structural::CompiledSignal;
use crate::matcher::wordlist::ListSpec;
use crate::matcher::{Matcher, MatcherParts};
use crate::normalize::Normalizer;
use crate::rule::{RuleKind, RuleMeta};
use cues::{Cue, Cues};
use files::Loader;
use lint::{check_examples, unknown_field_help};
use lists::{alternation, compile_wordlist};
use memo::{Kind, Memo};
use patterns::{check_size, compile_pattern, validate};
use signals::{compile_authors, compile_signal, finish_model, start_model};
use visible::visible_rule_text;

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
    /// Terms and patterns that match inside innocent words (only with [`load_linted`]).
    pub lint: Vec<scunthorpe::Finding>,
}

/// Loads the config the CLI should use: `path` if given, else `./config.toml` if it exists,
/// else the built-in pack.
///
/// # Errors
/// Every problem found, located.
pub fn load(path: Option<&Path>) -> Result<Loaded, Diagnostics> {
    load_at(path, &Checks::default())
}

/// What a load checks beyond validity (only `moderate check` asks).
#[derive(Debug, Default)]
struct Checks {
    /// Run every rule's `examples`.
    examples: bool,
    /// Run the Scunthorpe lint.
    lint: Option<scunthorpe::LintOptions>,
}

/// [`load`], and also runs every rule's `examples` (warnings for those that misbehave). Only
/// `moderate check` pays for this: it compiles rules a run may never need.
///
/// # Errors
/// Every problem found, located.
pub fn load_checked(path: Option<&Path>) -> Result<Loaded, Diagnostics> {
    load_at(path, &Checks { examples: true, lint: None })
}

/// [`load_checked`], and also the Scunthorpe lint ([`scunthorpe`]): warnings for every term
/// or pattern that matches inside an innocent word, and the findings in [`Loaded::lint`].
///
/// # Errors
/// Every problem found, located.
pub fn load_linted(path: Option<&Path>, opts: scunthorpe::LintOptions) -> Result<Loaded, Diagnostics> {
    load_at(path, &Checks { examples: true, lint: Some(opts) })
}

fn load_at(path: Option<&Path>, examples: &Checks) -> Result<Loaded, Diagnostics> {
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

/// Loads `config_rel` from `source` and compiles it.
///
/// # Errors
/// Every problem found, located.
pub fn load_from(source: FileSource, config_rel: &str) -> Result<Loaded, Diagnostics> {
    load_source(source, config_rel, &Checks::default())
}

fn load_source(source: FileSource, config_rel: &str, checks: &Checks) -> Result<Loaded, Diagnostics> {
    let mut diags = Diagnostics::default();
    let cfg = match source.read(config_rel) {
        Ok(f) => f,
        Err(msg) => {
            diags.error_nowhere(msg);
            return Err(diags);
        }
    };
    crate::startup_trace::mark("config file read");
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
    // Any string the config gives (a list's name, a `[review]` setting, a path) may be printed
    // later: one holding a control, bidi or invisible character is refused at its value.
    for h in visible::hidden_strings(&cfg.text) {
        diags.error(
            config_file,
            h.at,
            format!(
                "{} holds U+{:04X}, a control, bidi or invisible character: it would be printed as it is (to a \
                 terminal, a page, a log); write the value without it",
                h.key, h.ch as u32
            ),
        );
    }
    let (raw, merge, other, pack) = match resolve_extends(&source, &cfg, raw, config_file, &mut diags) {
        Some(r) => r,
        None => return Err(diags),
    };
    crate::startup_trace::mark("config parsed");
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
        expanded_bytes: 0,
        spelling_cost: 0,
        // `check` runs every check; other loads skip those this executable has passed.
        memo: Memo::open(!checks.examples && checks.lint.is_none()),
        slots: HashMap::new(),
        slot_terms: Vec::new(),
    };
    let engine = compile(&mut l, &raw, origin);
    std::mem::take(&mut l.memo).save();
    crate::startup_trace::mark("engine ready");
    match engine {
        Some(engine) if !l.diags.has_errors() => {
            if checks.examples {
                check_examples(&mut l, &raw, &engine);
            }
            let lint = match &checks.lint {
                Some(opts) => scunthorpe::lint(&mut l, &raw, opts),
                None => Vec::new(),
            };
            Ok(Loaded { engine, raw, diagnostics: l.diags, pack, lint })
        }
        _ => Err(l.diags),
    }
}

/// A config after `extends`: what to compile, how it was merged, the built-in config file (id,
/// text) when it was, and where its rules come from (for `check`).
type Resolved = (RawConfig, Merge, Option<(usize, String)>, String);

/// Applies the config's `extends`: the config to compile, how it was merged, the built-in
/// config file (id, text) when it was, and the `check` description of where rules come from.
/// `None` (with an error) for a config that would silently drop every rule.
fn resolve_extends(
    source: &FileSource,
    cfg: &SourceFile,
    raw: RawConfig,
    config_file: usize,
    diags: &mut Diagnostics,
) -> Option<Resolved> {
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

fn compile(l: &mut Loader, raw: &RawConfig, origin: String) -> Option<Engine> {
    let normalizer = l.normalizer.clone();
    if raw.limits.max_body_bytes == 0 {
        l.diags.error_nowhere("[limits] max_body_bytes is 0: every comment would be cut to nothing");
    }
    // TOML allows `nan` and `inf`; every comparison with NaN is false and an infinite score
    // renders as `null` in a verdict record, so a threshold must be a finite number.
    let t = &raw.thresholds;
    for (key, value) in [("flag", t.flag), ("block", t.block)] {
        if !value.is_finite() {
            let at = key_span(&l.config_text, "thresholds", key);
            l.diags.error(l.config_file, at, format!("[thresholds] {key} is {value}: it must be a finite number"));
        }
    }
    if let Some(c) = t.censor {
        let at = key_span(&l.config_text, "thresholds", "censor");
        if !c.is_finite() {
            l.diags.error(l.config_file, at, format!("[thresholds] censor is {c}: it must be a finite number"));
        } else if c > t.flag {
            let msg = format!(
                "[thresholds] censor ({c}) is above flag ({}): a comment that reaches it is flagged, never censored",
                t.flag
            );
            l.diags.error(l.config_file, at, msg);
        }
    }
    // Censoring masks matched words; the author policy's reasons have none.
    let a = &raw.authors;
    let censor = Some(crate::verdict::Action::Censor);
    for (table, key, action) in [
        ("authors", "repeat_action", Some(a.repeat_action)),
        ("authors", "duplicate", a.duplicate),
        ("authors.flood", "action", a.flood.map(|f| f.action)),
    ] {
        if action == censor {
            let at = key_span(&l.config_text, table, key);
            let msg =
                format!("[{table}] {key} = \"censor\": the author policy has no words to mask (use flag or block)");
            l.diags.error(l.config_file, at, msg);
        }
    }
    // `max = 0` flags every dated comment ("more than 0 comments") and `minutes = 0` never
    // flags one: either is a config that does not do what it says, so the run refuses it.
    if let Some(f) = a.flood {
        for (key, zero, what) in [
            ("max", f.max == 0, "every dated comment would be flagged as a flood"),
            ("minutes", f.minutes == 0, "no two comments are ever within 0 minutes, so it never acts"),
        ] {
            if zero {
                let at = match key_span(&l.config_text, "authors.flood", key) {
                    at if at.is_empty() => key_span(&l.config_text, "authors", "flood"),
                    at => at,
                };
                l.diags.error(l.config_file, at, format!("[authors] flood {key} is 0: {what}; it must be at least 1"));
            }
        }
    }
    if t.flag > t.block {
        let at = key_span(&l.config_text, "thresholds", "flag");
        l.diags.error(
            l.config_file,
            at,
            format!("[thresholds] flag ({}) is above block ({}): nothing could be flagged", t.flag, t.block),
        );
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
    // Per list: whether the fuzzy pass may read a changed first letter (`fuzzy_first_letter`).
    let mut first_letter: Vec<bool> = Vec::new();
    // Per list: the fewest letters of a term the fuzzy pass reads (`fuzzy_min_letters`).
    let mut fuzzy_min: Vec<usize> = Vec::new();
    // Per list: whether a first letter split off by a space joins (`fuzzy_split_letter`).
    let mut split_letter: Vec<bool> = Vec::new();
    let mut word_rule: Vec<usize> = Vec::new();
    let mut norm_patterns: Vec<regex_rules::Pattern> = Vec::new();
    let mut raw_patterns: Vec<regex_rules::Pattern> = Vec::new();
    // Per pattern (same order), where its text holds `{list}` slots.
    let mut norm_splices: Vec<Vec<regex_rules::Splice>> = Vec::new();
    let mut raw_splices: Vec<Vec<regex_rules::Splice>> = Vec::new();
    let mut signals: Vec<(usize, CompiledSignal)> = Vec::new();
    let mut cues = Cues::default();
    let mut models = crate::model::ModelRules::default();
    // Model files decode on threads of their own while the rest loads; their rules are
    // finished (labels checked) after the matcher is built.
    let mut model_files = HashMap::new();
    let mut pending_models = Vec::new();

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
        visible_rule_text(l, rule, &id_span);
        if let Some(score) = rule.score.filter(|s| !s.is_finite()) {
            l.diags.error(cf, id_span.clone(), format!("rule `{id}` has score {score}: it must be a finite number"));
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
        if rule.signal.is_some() && rule.action == Some(crate::verdict::Action::Censor) {
            l.diags.error(
                cf,
                id_span.clone(),
                format!("rule `{id}` is a signal with action `censor`: a signal has no words to mask"),
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
            shadow: rule.mode.is_shadow(),
        });

        if let Some(wl) = &rule.wordlist {
            let errors = l.diags.counts().0;
            let spec = compile_wordlist(l, raw, rule, wl, &mut used_lists);
            // A list that could not be read has said so; "empty" would only repeat it wrongly.
            if spec.terms.is_empty() && l.diags.counts().0 == errors {
                l.diags.warning(cf, id_span.clone(), format!("rule `{id}` has an empty wordlist: it can never hit"));
            }
            match rule.text {
                TextMode::Normalized => {
                    lists.push(spec);
                    word_rule.push(index);
                    first_letter.push(rule.fuzzy && rule.fuzzy_first_letter);
                    fuzzy_min.push(rule.fuzzy_min_letters);
                    split_letter.push(rule.fuzzy && rule.fuzzy_split_letter);
                }
                TextMode::Raw => {
                    if !spec.terms.is_empty() {
                        let alt = alternation(&spec.terms);
                        let pat = match rule.mode.word_mode() {
                            crate::matcher::wordlist::WordMode::Word => format!(r"(?i)\b{alt}\b"),
                            crate::matcher::wordlist::WordMode::Substring => format!("(?i){alt}"),
                        };
                        let digest = Memo::digest(Kind::RawList, &pat);
                        let checked = match l.memo.get(&digest) {
                            Some(_) => Ok(None),
                            None => validate(&pat).and_then(|hir| check_size(&pat, &hir).map(|()| Some(hir))),
                        };
                        match checked {
                            Ok(hir) => {
                                if hir.is_some() {
                                    l.memo.add(digest, 0);
                                }
                                raw_patterns.push((index, pat, hir));
                                raw_splices.push(Vec::new());
                            }
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
            if let Some(checked) = compile_pattern(l, raw, pat, &mut used_lists) {
                let (re, hir, splices) = (checked.text, checked.hir, checked.splices);
                if checked.matches_empty {
                    l.diags.warning(
                        cf,
                        Loader::span_of(pat),
                        "this pattern matches the empty string: it hits every comment",
                    );
                }
                match rule.text {
                    TextMode::Normalized => {
                        norm_patterns.push((index, re, hir));
                        norm_splices.push(splices);
                    }
                    TextMode::Raw => {
                        raw_patterns.push((index, re, hir));
                        raw_splices.push(splices);
                    }
                }
            }
        }
        let who = (index, id.as_str(), id_span.clone(), rule.signal.is_some());
        cues.add(l, raw, Cue::After, &rule.unless_after, who.clone(), &mut used_lists);
        cues.add(l, raw, Cue::Phrase, &rule.unless_phrase, who.clone(), &mut used_lists);
        cues.add(l, raw, Cue::Written, &rule.unless_written, who, &mut used_lists);
        if let Some(sig @ crate::config::SignalAt { signal: crate::config::Signal::Model { .. }, .. }) = &rule.signal {
            pending_models.extend(start_model(l, sig, id_span.clone(), index, &mut model_files));
        } else if let Some(sig) = &rule.signal {
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
        // Every problem at once: the model rules' too.
        for p in pending_models {
            finish_model(l, p, &mut model_files);
        }
        return None;
    }
    crate::startup_trace::mark("rules compiled, lists read");
    let parts = MatcherParts {
        normalizer,
        lists,
        first_letter,
        fuzzy_min,
        split_letter,
        word_rule,
        norm_patterns,
        raw_patterns,
        slots: regex_rules::SlotTerms::new(std::mem::take(&mut l.slot_terms)),
        norm_splices,
        raw_splices,
        signals,
        unless_after: cues.after,
        unless_phrase: cues.phrase,
        unless_written: cues.written,
        whole_phrase: rules
            .iter()
            .map(|r| r.action == Some(crate::verdict::Action::Block) || r.category == "threat")
            .collect(),
        rules: rules.len(),
    };
    let matcher = match Matcher::build(parts) {
        Ok(m) => m,
        Err(e) => {
            l.diags.error_nowhere(e);
            return None;
        }
    };
    crate::startup_trace::mark("matcher built");
    for p in pending_models {
        models.rules.extend(finish_model(l, p, &mut model_files));
    }
    crate::startup_trace::mark("models joined");
    if l.diags.has_errors() {
        return None;
    }
    Some(Engine::with_parts(rules, matcher, raw.thresholds, raw.limits, authors, origin, models))
}

/// Where `key` of table `[table]` is written in a config file's `text` (the line's key), for a
/// check made after parsing, when the parsed value no longer carries its span. Falls back to
/// the table's header, then to the start of the file.
fn key_span(text: &str, table: &str, key: &str) -> Range<usize> {
    let header = format!("[{table}]");
    let mut offset = 0;
    let mut in_table = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.starts_with('[') {
            if in_table.is_some() {
                break;
            }
            if trimmed.trim_end().starts_with(&header) {
                in_table = Some(offset + lead..offset + lead + header.len());
            }
        } else if in_table.is_some() {
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return offset + lead..offset + lead + key.len();
                }
            }
        }
        offset += line.len();
    }
    in_table.unwrap_or(0..0)
}
