//! Patterns: `{list}` expansion, validation located in the TOML string, and the size check that
//! keeps a too-large pattern from reaching a worker thread.

use std::collections::HashSet;
use std::ops::Range;

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};
use toml::Spanned;

use super::files::Loader;
use super::memo::{Kind, Memo, EMPTY};
use crate::config::diag::did_you_mean;
use crate::config::RawConfig;
use crate::matcher::regex as regex_rules;
use crate::matcher::regex::Splice;

/// Most bytes one pattern may have once its `{list}` names are expanded. The pack's largest is
/// about 4 KiB; a list of tens of thousands of terms belongs in a wordlist rule.
pub(super) const MAX_EXPANDED_PATTERN: usize = 256 << 10;

/// Most bytes of `{list}` expansion in one config, all patterns together: bounds start-up time
/// and memory whatever the config holds (the pack uses about 0.3 MiB).
pub(super) const MAX_EXPANDED_TOTAL: usize = 4 << 20;

/// Replaces each `{name}` of a known list; returns the expanded pattern and a same-length
/// placeholder version (for mapping syntax errors back to the TOML string).
pub(super) fn expand_lists(
    l: &mut Loader,
    raw: &RawConfig,
    pat: &str,
    at: Range<usize>,
    used: &mut HashSet<String>,
) -> Option<(String, String, Vec<Splice>)> {
    // Compiled once per process: compiling it for each of the pack's ~150 patterns was 3 % of
    // start-up (callgrind, docs/bench.md).
    static NAME: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let name_re = NAME.get_or_init(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}").expect("static regex"));
    let mut expanded = String::new();
    let mut placeholder = String::new();
    let mut splices: Vec<Splice> = Vec::new();
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
        let Some(slot) = l.slot(path.get_ref(), Loader::span_of(path)) else {
            ok = false;
            continue;
        };
        // Checked before the expansion is added: parsing an expansion costs microseconds per
        // byte, so a huge list named many times would hold the start for minutes.
        let (adds, count) = (slot.adds, slot.terms);
        let pattern_bytes = expanded.len() + adds + (pat.len() - last);
        if pattern_bytes > MAX_EXPANDED_PATTERN || l.expanded_bytes + adds > MAX_EXPANDED_TOTAL {
            let (limit, what) = if pattern_bytes > MAX_EXPANDED_PATTERN {
                (MAX_EXPANDED_PATTERN, "this pattern")
            } else {
                (MAX_EXPANDED_TOTAL, "all patterns together")
            };
            l.diags.error(
                l.config_file,
                at.clone(),
                format!(
                    "pattern too large once `{{list}}` names are expanded: {what} would exceed {} KiB \
                     (`{{{name}}}` adds {} terms); use a wordlist rule for a long list",
                    limit >> 10,
                    count
                ),
            );
            return None;
        }
        l.expanded_bytes += adds;
        splices.push((expanded.len()..expanded.len() + slot.alternation.len(), slot.id));
        expanded.push_str(&slot.alternation);
        let width = m.len();
        placeholder.push_str(&if width >= 4 { format!("(?:{})", "x".repeat(width - 4)) } else { "(x)".to_string() });
    }
    expanded.push_str(&pat[last..]);
    placeholder.push_str(&pat[last..]);
    ok.then_some((expanded, placeholder, splices))
}

/// A pattern that passed every check: its expanded text, its parse (None when the memo of
/// checks said it passes: [`super::memo`]), whether it matches the empty string, and where its
/// text holds `{list}` slots.
pub(super) struct Checked {
    pub(super) text: String,
    pub(super) hir: Option<Hir>,
    pub(super) matches_empty: bool,
    pub(super) splices: Vec<Splice>,
}

pub(super) fn compile_pattern<'a>(
    l: &mut Loader,
    raw: &'a RawConfig,
    pat: &Spanned<String>,
    used_lists: &mut HashSet<&'a str>,
) -> Option<Checked> {
    let at = Loader::span_of(pat);
    let mut used = HashSet::new();
    let (expanded, placeholder, splices) = expand_lists(l, raw, pat.get_ref(), at.clone(), &mut used)?;
    for name in used {
        if let Some((k, _)) = raw.lists.get_key_value(&name) {
            used_lists.insert(k.as_str());
        }
    }
    let digest = Memo::digest(Kind::Pattern, &expanded);
    if let Some(flags) = l.memo.get(&digest) {
        return Some(Checked { text: expanded, hir: None, matches_empty: flags & EMPTY != 0, splices });
    }
    let parsed = validate(&expanded);
    // Syntax errors are located on the placeholder form, whose offsets equal the written ones.
    // It is parsed only when the pattern is invalid: a list slot is a group in both forms, so
    // the two parse alike, and a second parse of every valid pattern was 5 % of start-up.
    if parsed.is_err() {
        if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&placeholder) {
            let pos = e.span().start.offset;
            let span =
                map_into_toml_string(&l.config_text, at.clone(), pat.get_ref(), pos, e.span().end.offset.max(pos + 1));
            l.diags.error(l.config_file, span, format!("invalid regex: {}", e.kind()));
            return None;
        }
    }
    match parsed {
        Ok(hir) => match check_repetition(&hir).and_then(|()| check_size(&expanded, &hir)) {
            Ok(()) => {
                // Only a pattern that can match zero characters needs compiling to tell.
                let may_be_empty = hir.properties().minimum_len() == Some(0);
                let matches_empty = may_be_empty && matches!(regex_rules::compile(&expanded), Ok(r) if r.is_match(""));
                l.memo.add(digest, if matches_empty { EMPTY } else { 0 });
                Some(Checked { text: expanded, hir: Some(hir), matches_empty, splices })
            }
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

/// Most times a counted repetition may repeat its part, nested repetitions multiplied
/// (`a{1000}{1000}` repeats `a` a million times). Over it, the regex's lazy DFA runs out of
/// cache on a long body and falls back to a simulation whose cost per byte grows with the
/// repeated program: judging one long comment could take minutes. RE2 has the same limit.
pub(super) const MAX_REPETITION: u64 = 1000;

/// Refuses counted repetitions that repeat more than [`MAX_REPETITION`] times in all.
pub(super) fn check_repetition(hir: &Hir) -> Result<(), String> {
    let worst = repetition_product(hir);
    if worst > MAX_REPETITION {
        return Err(format!(
            "counted repetition too large: a part of this pattern repeats {worst} times (nested counts multiply); \
             at most {MAX_REPETITION} keeps judging a long comment fast. Use `+`/`*`, or a wordlist rule"
        ));
    }
    Ok(())
}

/// The largest product of counted-repetition bounds along any path of `hir` (`x{n,}` counts
/// `n`, `*` and `+` count 1: they do not copy their part).
fn repetition_product(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Repetition(r) => {
            let copies = u64::from(r.max.unwrap_or(r.min).max(1));
            copies.saturating_mul(repetition_product(&r.sub))
        }
        HirKind::Capture(c) => repetition_product(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().map(repetition_product).max().unwrap_or(1),
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => 1,
    }
}

/// Makes sure `pattern` compiles within the size limit before any comment is read: a pattern
/// whose [`regex_rules::size_bound`] is under the limit surely does; any other is compiled now
/// (a start-up cost only such patterns pay).
pub(super) fn check_size(pattern: &str, hir: &Hir) -> Result<(), String> {
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
pub(super) fn validate(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new().build().parse(pattern).map_err(|e| {
        let text = e.to_string();
        text.lines().last().unwrap_or("").trim().to_string()
    })
}

/// Maps byte range `pos..end` of a pattern to the TOML source, when the string literal holds
/// the pattern verbatim (literal `'...'` strings, or basic strings without escapes).
pub(super) fn map_into_toml_string(
    toml_text: &str,
    at: Range<usize>,
    pattern: &str,
    pos: usize,
    end: usize,
) -> Range<usize> {
    let lit = toml_text.get(at.clone()).unwrap_or("");
    for q in ["'''", "\"\"\"", "'", "\""] {
        if lit.starts_with(q) && lit.len() >= 2 * q.len() && &lit[q.len()..lit.len() - q.len()] == pattern {
            let base = at.start + q.len();
            return base + pos..base + end.min(pattern.len()).max(pos);
        }
    }
    at
}
