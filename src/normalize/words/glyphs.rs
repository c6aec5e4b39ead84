//! Letters drawn with several ASCII characters (`|_|` for `u`, `\/` for `v`, `|<` for `k`):
//! `ph|_|ck`, `\/agina`, `|\|igga`. A reader sees one letter where the tokenizer sees a letter
//! and punctuation, so the word would be cut in two and never match.
//!
//! Only the shape of a word decides, never the punctuation around one: a drawing is a letter
//! when it sits between letters of one word (`b|_|tt`), closes a word of two letters or more
//! before a space or the end (`fu|<`), or opens one after a space, a quote or the start, with
//! two letters after it (`\/agina`). So `(the)`, `a|b`, `and/or`, `yes\no`, `:-|` and
//! `c:\/dir` stay as written. The letter is one unit spanning the whole drawing, so a hit
//! covers what was typed.

use super::{is_token, kind, Words};
use crate::normalize::Unit;

/// Letters drawn with several characters; at one start the longest comes first.
const GLYPHS: &[(&str, char)] = &[
    ("|\\/|", 'm'),
    ("/\\/\\", 'm'),
    ("\\/\\/", 'w'),
    ("|\\|", 'n'),
    ("/\\/", 'n'),
    ("|_|", 'u'),
    ("(_)", 'u'),
    ("[_]", 'u'),
    ("|-|", 'h'),
    ("]-[", 'h'),
    ("\\/", 'v'),
    ("|3", 'b'),
    ("|<", 'k'),
    ("|)", 'd'),
];

/// The drawing that starts at `units[p]`: its length in units and its letter.
#[inline]
pub(super) fn glyph_at(units: &[Unit], p: usize) -> Option<(usize, char)> {
    // Every drawing starts with one of these: most units are refused on this test alone.
    if !matches!(units.get(p)?.ch, '|' | '/' | '\\' | '(' | '[' | ']') {
        return None;
    }
    GLYPHS
        .iter()
        .find(|(g, _)| g.chars().enumerate().all(|(k, c)| units.get(p + k).is_some_and(|u| u.ch == c)))
        .map(|&(g, c)| (g.len(), c))
}

/// Whether a drawing ends at `end` (exclusive) and starts at or after `from`.
pub(super) fn glyph_ends_at(units: &[Unit], from: usize, end: usize) -> bool {
    let within = &units[from..end];
    (2..=4).any(|len| within.len() >= len && glyph_at(within, within.len() - len).is_some_and(|(l, _)| l == len))
}

impl Words<'_> {
    /// The length of the drawing at `p` when it is a letter of the word that starts at
    /// `word_start` (see the module docs); `after_glyph` when a drawing kept in the word ends
    /// right before `p`.
    pub(super) fn glyph_in_word(&self, p: usize, word_start: usize, after_glyph: bool) -> Option<usize> {
        let units = self.units;
        let (len, _) = glyph_at(units, p)?;
        let letter = |k: usize| units.get(k).is_some_and(|u| u.ch.is_ascii_lowercase());
        let after = p + len;
        let letter_next = letter(after) || glyph_at(units, after).is_some_and(|(l, _)| letter(after + l));
        if p > word_start {
            if !(letter(p - 1) || after_glyph) {
                return None;
            }
            // Closing a word: two letters before, nothing of a word after (`fu|<`, not `a|)`).
            let closes = p >= word_start + 2
                && letter(p - 1)
                && letter(p - 2)
                && units.get(after).map_or(true, |u| !is_token(kind(u.ch)) && glyph_at(units, after).is_none());
            (letter_next || closes).then_some(len)
        } else {
            let opens = p == 0 || matches!(units[p - 1].ch, ' ' | '"' | '\'');
            (opens && letter(after) && letter(after + 1)).then_some(len)
        }
    }
}
