//! A rule's cues, read where a hit is found: `unless_after` (reported speech before it),
//! `unless_phrase` (an idiom that starts at it) and `unless_written` (the hit as it was typed).
//! Each rule's cues are one regex ([`Context`]), compiled on first use.

use std::sync::OnceLock;

use super::{regex, Hit, Matcher};

/// A rule's cue (`unless_after` or `unless_phrase`) as one regex, compiled on first use: the
/// loader made sure it compiles (or its memo of checks says so), and most runs never need most
/// contexts.
#[derive(Debug)]
pub struct Context {
    text: String,
    re: OnceLock<::regex::Regex>,
}

impl Context {
    /// A context to compile when first needed.
    pub fn new(text: String) -> Context {
        Context { text, re: OnceLock::new() }
    }

    /// A context already compiled.
    pub fn compiled(text: String, re: ::regex::Regex) -> Context {
        Context { text, re: OnceLock::from(re) }
    }

    /// The compiled context; one that never matches should it not compile (only a forged memo
    /// of checks gets here).
    fn regex(&self) -> &::regex::Regex {
        self.re.get_or_init(|| {
            regex::compile(&self.text)
                .or_else(|_| ::regex::Regex::new(r"[^\s\S]"))
                .unwrap_or_else(|_| unreachable!("a static, valid pattern"))
        })
    }
}

/// How far back `unless_after` looks: a sentence's worth of text before the match.
const CONTEXT_BYTES: usize = 120;

impl Matcher {
    /// True when `hit`'s rule has an `unless_written` spelling and the hit is typed that way in
    /// `body`: the normalizer folds `ç` to `c`, so Turkish `çok` reads as `cok`.
    pub(super) fn is_written_innocent(&self, rule: usize, body: &str, hit: &Hit) -> bool {
        let Some(Some(written)) = self.unless_written.get(rule) else { return false };
        hit.span.as_ref().and_then(|s| body.get(s.clone())).is_some_and(|t| written.regex().is_match(t))
    }

    /// True when `rule` has an `unless_after` context and the text just before `start` (same
    /// sentence) ends in it: "they called me a …" reports an insult rather than making one; or
    /// an `unless_phrase` that matches from `start`: "spic and span" is an idiom.
    pub(super) fn is_cancelled(&self, rule: usize, text: &str, start: usize) -> bool {
        if let Some(Some(phrase)) = self.unless_phrase.get(rule) {
            // The phrase starts at the hit; a sentence's worth of text is enough to read it.
            let mut to = (start + CONTEXT_BYTES).min(text.len());
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            if text.get(start..to).is_some_and(|t| phrase.regex().is_match(t)) {
                return true;
            }
        }
        let Some(Some(context)) = self.unless_after.get(rule) else { return false };
        let re = context.regex();
        let mut from = start.saturating_sub(CONTEXT_BYTES);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        re.is_match(&text[from..start])
    }
}
