//! Cues that cancel a rule's hit, compiled once per distinct set: `unless_after` (reported
//! speech earlier in the sentence: "they called me a …") and `unless_phrase` (an innocent
//! phrase that starts at the hit: "spic and span", "a chink in the armor") read on the normalized
//! text, and `unless_written` (the hit as it was typed: Turkish `çok` is not an evasion of a
//! word). Each rule's cues become one regex; rules with the same cues share it (the pack's
//! `\b{reported}\b`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::files::Loader;
use super::memo::{Kind, Memo};
use super::patterns::compile_pattern;
use crate::config::RawConfig;
use crate::matcher::regex as regex_rules;
use crate::matcher::Context;

/// Which cue a rule field holds.
#[derive(Clone, Copy)]
pub(super) enum Cue {
    /// `unless_after`: a cue, then the rest of its sentence up to the hit.
    After,
    /// `unless_phrase`: a phrase read from the hit's first character.
    Phrase,
    /// `unless_written`: the hit's whole text in the original body, case-insensitive.
    Written,
}

impl Cue {
    fn field(self) -> &'static str {
        match self {
            Cue::After => "unless_after",
            Cue::Phrase => "unless_phrase",
            Cue::Written => "unless_written",
        }
    }

    /// The one regex of a rule's alternatives.
    fn regex(self, alts: &[String]) -> String {
        match self {
            Cue::After => format!(r"(?:{})[^.!?\n]*$", alts.join("|")),
            Cue::Phrase => format!(r"^(?:{})", alts.join("|")),
            Cue::Written => format!(r"(?i)^(?:{})$", alts.join("|")),
        }
    }
}

/// The compiled cues of every rule so far.
#[derive(Default)]
pub(super) struct Cues {
    shared: HashMap<String, Arc<Context>>,
    /// `(rule index, context)` per rule with `unless_after`.
    pub(super) after: Vec<(usize, Arc<Context>)>,
    /// `(rule index, phrases)` per rule with `unless_phrase`.
    pub(super) phrase: Vec<(usize, Arc<Context>)>,
    /// `(rule index, spellings)` per rule with `unless_written`.
    pub(super) written: Vec<(usize, Arc<Context>)>,
}

impl Cues {
    /// Compiles rule `index`'s `pats` for `cue` (nothing when empty). A rule that is a signal
    /// cannot have cues, and a cue that does not compile is an error at the rule's id.
    pub(super) fn add<'a>(
        &mut self,
        l: &mut Loader,
        raw: &'a RawConfig,
        cue: Cue,
        pats: &[Spanned<String>],
        (index, id, id_span, is_signal): (usize, &str, Range<usize>, bool),
        used_lists: &mut HashSet<&'a str>,
    ) {
        if pats.is_empty() {
            return;
        }
        let cf = l.config_file;
        let field = cue.field();
        if is_signal {
            l.diags.error(cf, id_span.clone(), format!("rule `{id}`: `{field}` needs a wordlist or patterns"));
        }
        let alts: Vec<String> = pats
            .iter()
            .filter_map(|pat| compile_pattern(l, raw, pat, used_lists).map(|c| format!("(?:{})", c.text)))
            .collect();
        if alts.len() != pats.len() {
            return;
        }
        // Compiled now only when the memo of checks does not know it (and then kept);
        // otherwise on first use.
        let context = cue.regex(&alts);
        let digest = Memo::digest(Kind::Context, &context);
        let compiled = match self.shared.get(&context) {
            Some(c) => Ok(Arc::clone(c)),
            None if l.memo.get(&digest).is_some() => Ok(Arc::new(Context::new(context.clone()))),
            None => regex_rules::compile(&context).map(|re| {
                l.memo.add(digest, 0);
                Arc::new(Context::compiled(context.clone(), re))
            }),
        };
        match compiled {
            Ok(c) => {
                self.shared.insert(context, Arc::clone(&c));
                match cue {
                    Cue::After => self.after.push((index, c)),
                    Cue::Phrase => self.phrase.push((index, c)),
                    Cue::Written => self.written.push((index, c)),
                }
            }
            Err(e) => {
                l.diags.error(cf, id_span, format!("rule `{id}`: `{field}`: {e}"));
            }
        }
    }
}
