//! Structural signals and author files.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::files::Loader;
use crate::comment::CommentKind;
use crate::config::{RawConfig, Signal};
use crate::decide::author::AuthorRules;
use crate::matcher::structural::{url_regex, CompiledSignal};
use crate::model::{Model, ModelRule};
use crate::review::identity::{is_json_lines, parse_block_lines, BlockList};

pub(super) fn compile_signal(l: &mut Loader, sig: &Signal, at: Range<usize>) -> Option<CompiledSignal> {
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
        // Compiled by `compile_model`: the loader routes model rules there.
        Signal::Model { .. } => return None,
    })
}

/// A model rule: reads (once per file, `models` caches it) and checks the model file, its
/// label and `min`. Every problem is an error located at the rule.
pub(super) fn compile_model(
    l: &mut Loader,
    sig: &Signal,
    at: Range<usize>,
    rule: usize,
    models: &mut HashMap<String, Arc<Model>>,
) -> Option<ModelRule> {
    let Signal::Model { path, label, min } = sig else { return None };
    if !(*min > 0.0 && *min <= 1.0) {
        l.diags.error(l.config_file, at.clone(), format!("model rule: `min` is {min}: it must be in (0, 1]"));
    }
    let model = match models.get(path) {
        Some(m) => Arc::clone(m),
        None => {
            let decoded = l.source.read_bytes(path, crate::model::format::MAX_FILE).and_then(|(name, bytes)| {
                Model::decode(&bytes).map_err(|e| format!("{name}: not a usable model file: {e}"))
            });
            match decoded {
                Ok(m) => {
                    let m = Arc::new(m);
                    models.insert(path.clone(), Arc::clone(&m));
                    m
                }
                Err(msg) => {
                    l.diags.error(l.config_file, at, msg);
                    return None;
                }
            }
        }
    };
    let Some(index) = model.label(label) else {
        let have: Vec<&str> = model.heads.iter().map(|h| h.name.as_str()).collect();
        l.diags.error(
            l.config_file,
            at,
            format!("model rule: {path} has no label `{label}` (it has: {})", have.join(", ")),
        );
        return None;
    };
    Some(ModelRule { rule, model, label: index, min: *min })
}

pub(super) fn compile_authors(l: &mut Loader, raw: &RawConfig) -> AuthorRules {
    let a = &raw.authors;
    let (blocked, blocked_ids) = match &a.blocked {
        Some(f) => match l.source.read(f) {
            Ok(src) if is_json_lines(&src.text) => (HashSet::new(), block_lines(l, &src.name, &src.text)),
            Ok(src) => {
                let file = l.diags.add_file(&src.name, &src.text);
                l.diags.warning(
                    file,
                    0..0,
                    "plain block list: one name or e-mail per line, `#` starts a comment and case is                      ignored, so `Troll#1` blocks `Troll`; write one JSON object per line instead                      ({\"kind\": \"email\"|\"ip\"|\"domain\"|\"name\", \"value\": ...}), as                      `moderate review export --blocked-authors` does",
                );
                (names(l, &a.blocked), BlockList::default())
            }
            Err(_) => (names(l, &a.blocked), BlockList::default()),
        },
        None => (HashSet::new(), BlockList::default()),
    };
    let trusted = names(l, &a.trusted);
    AuthorRules {
        repeat_blocks: a.repeat_blocks,
        repeat_action: Some(a.repeat_action),
        blocked,
        blocked_ids,
        trusted,
        trust_previously_approved: a.trust_previously_approved,
        duplicate: a.duplicate,
        flood: a.flood,
    }
}

/// A plain list file's terms, lowercased.
fn names(l: &mut Loader, file: &Option<String>) -> HashSet<String> {
    let Some(f) = file else { return HashSet::new() };
    match l.term_file(f, 0..0) {
        Some(tf) => tf.terms.iter().map(|(t, _)| t.to_lowercase()).collect(),
        None => HashSet::new(),
    }
}

/// A JSON-lines block list (`{"kind": ..., "value": ...}` per line); a bad line is an error at
/// its `file:line`.
fn block_lines(l: &mut Loader, name: &str, text: &str) -> BlockList {
    match parse_block_lines(text) {
        Ok(blocks) => BlockList::new(blocks.iter().map(|(_, b)| b)),
        Err((line, msg)) => {
            let file = l.diags.add_file(name, text);
            let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
            let len = text[start..].find('\n').unwrap_or(text.len() - start);
            l.diags.error(file, start..start + len, msg);
            BlockList::default()
        }
    }
}
