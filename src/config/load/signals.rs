//! Structural signals and author files.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::files::Loader;
use crate::comment::CommentKind;
use crate::config::{RawConfig, Signal, SignalAt};
use crate::decide::author::AuthorRules;
use crate::matcher::structural::{url_regex, CompiledSignal};
use crate::model::{Model, ModelRule};
use crate::review::identity::{is_json_lines, parse_block_lines, BlockList};

/// Compiles a structural signal; each problem is an error at the value that has it (`at`, the
/// rule's id, when the key is absent).
pub(super) fn compile_signal(l: &mut Loader, sig: &SignalAt, at: Range<usize>) -> Option<CompiledSignal> {
    Some(match &sig.signal {
        Signal::Kind { kinds, own_domains } => {
            let mut ks = Vec::new();
            for k in kinds {
                match k.as_str() {
                    "pingback" | "trackback" | "comment" => ks.push(CommentKind::parse(k)),
                    other => {
                        l.diags.error(
                            l.config_file,
                            sig.span("kinds", &at),
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
            let terms = l.term_file(deny, sig.span("deny", &at))?;
            let deny = terms.terms.iter().map(|(t, _)| t.trim_start_matches('.').to_ascii_lowercase()).collect();
            CompiledSignal::LinkDomain { deny, author_url: *author_url, url: url_regex() }
        }
        Signal::Caps { min_ratio, min_letters } => {
            // A share of the letters: above 1 (`70` meant as 70 %) the rule could never hit.
            if !(0.0..=1.0).contains(min_ratio) {
                l.diags.error(
                    l.config_file,
                    sig.span("min_ratio", &at),
                    format!(
                        "caps `min_ratio` is the share of capital letters, from 0 to 1 (0.7 for 70 %), not {min_ratio}"
                    ),
                );
            }
            CompiledSignal::Caps { min_ratio: *min_ratio, min_letters: *min_letters }
        }
        Signal::RepeatedChars { min_run } => CompiledSignal::RepeatedChars { min_run: (*min_run).max(2) },
        // Compiled by `compile_model`: the loader routes model rules there.
        Signal::Model { .. } => return None,
    })
}

/// A model file being decoded on a thread of its own, or the decode's result.
pub(super) enum Decoding {
    /// The decode runs; the file's name for a message.
    Running(String, std::thread::JoinHandle<Result<Model, String>>),
    /// Decoded (or failed, with the message).
    Done(Result<Arc<Model>, String>),
}

impl Decoding {
    /// The model, waiting for its decode; the message when the file is not a usable model.
    fn get(&mut self) -> Result<Arc<Model>, String> {
        let done = match std::mem::replace(self, Decoding::Done(Err(String::new()))) {
            Decoding::Running(name, handle) => {
                handle.join().unwrap_or_else(|_| Err(format!("{name}: the model decode failed"))).map(Arc::new)
            }
            Decoding::Done(done) => done,
        };
        *self = Decoding::Done(done.clone());
        done
    }
}

/// A model rule whose model is still being decoded: [`finish_model`] checks its label once the
/// decode is done.
pub(super) struct PendingModel {
    rule: usize,
    path: String,
    label: String,
    min: f64,
    /// The config file the rule is in (the built-in pack's or the site's): the load has left
    /// it by the time the decode is waited for.
    file: usize,
    /// Where the `path` value is written: a file that is no usable model is an error there.
    path_at: Range<usize>,
    /// Where the `label` value is written.
    label_at: Range<usize>,
}

/// A model rule, first half: checks `min`, reads the model file (once per file, `models` keeps
/// it) and starts its decode on a thread, so the decode (its SHA-256 and tables, 35 M
/// instructions of a warm start under callgrind) runs beside the rest of the load. Every
/// problem is an error located at the value that has it (`min`, `path`, `label`).
pub(super) fn start_model(
    l: &mut Loader,
    sig: &SignalAt,
    at: Range<usize>,
    rule: usize,
    models: &mut HashMap<String, Decoding>,
) -> Option<PendingModel> {
    let Signal::Model { path, label, min } = &sig.signal else { return None };
    if !(*min > 0.0 && *min <= 1.0) {
        l.diags.error(l.config_file, sig.span("min", &at), format!("model rule: `min` is {min}: it must be in (0, 1]"));
    }
    if !models.contains_key(path) {
        let decoding = match l.source.read_bytes(path, crate::model::format::MAX_FILE) {
            Ok((name, bytes)) => {
                let bytes = Arc::new(bytes);
                let decode = {
                    let (name, bytes) = (name.clone(), Arc::clone(&bytes));
                    move || {
                        crate::startup_trace::mark("model decode start");
                        let m = Model::decode(&bytes).map_err(|e| format!("{name}: not a usable model file: {e}"));
                        crate::startup_trace::mark("model decoded");
                        m
                    }
                };
                // Should no thread start, the decode runs here.
                match std::thread::Builder::new().name("model".into()).spawn(decode) {
                    Ok(handle) => Decoding::Running(name, handle),
                    Err(_) => Decoding::Done(
                        Model::decode(&bytes)
                            .map(Arc::new)
                            .map_err(|e| format!("{name}: not a usable model file: {e}")),
                    ),
                }
            }
            Err(msg) => Decoding::Done(Err(msg)),
        };
        models.insert(path.clone(), decoding);
    }
    Some(PendingModel {
        rule,
        path: path.clone(),
        label: label.clone(),
        min: *min,
        file: l.config_file,
        path_at: sig.span("path", &at),
        label_at: sig.span("label", &at),
    })
}

/// A model rule, second half: waits for its model's decode and checks the label.
pub(super) fn finish_model(
    l: &mut Loader,
    p: PendingModel,
    models: &mut HashMap<String, Decoding>,
) -> Option<ModelRule> {
    let model = match models.get_mut(&p.path).map(Decoding::get) {
        Some(Ok(m)) => m,
        Some(Err(msg)) => {
            l.diags.error(p.file, p.path_at, msg);
            return None;
        }
        None => return None,
    };
    let Some(index) = model.label(&p.label) else {
        let have: Vec<&str> = model.heads.iter().map(|h| h.name.as_str()).collect();
        let msg = format!("model rule: {} has no label `{}` (it has: {})", p.path, p.label, have.join(", "));
        l.diags.error(p.file, p.label_at, msg);
        return None;
    };
    Some(ModelRule { rule: p.rule, model, label: index, min: p.min })
}

pub(super) fn compile_authors(l: &mut Loader, raw: &RawConfig) -> AuthorRules {
    let a = &raw.authors;
    let (blocked, blocked_ids) = match &a.blocked {
        Some(f) => match l.source.read(f.get_ref()) {
            Ok(src) if is_json_lines(&src.text) => (HashSet::new(), block_lines(l, &src.name, &src.text)),
            Ok(src) => {
                let file = l.diags.add_file(&src.name, &src.text);
                l.diags.warning(
                    file,
                    0..0,
                    "plain block list: one name or e-mail per line, `#` starts a comment and case is ignored, so \
                     `Troll#1` blocks `Troll`; write one JSON object per line instead ({\"kind\": \
                     \"email\"|\"ip\"|\"domain\"|\"name\", \"value\": ...}), as `moderate review export \
                     --blocked-authors` does",
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

/// A plain list file's terms, lowercased; a file that cannot be read is an error at its value
/// in the config (it was at the config's first byte, whatever line the key was on).
fn names(l: &mut Loader, file: &Option<toml::Spanned<String>>) -> HashSet<String> {
    let Some(f) = file else { return HashSet::new() };
    match l.term_file(f.get_ref(), f.span()) {
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
