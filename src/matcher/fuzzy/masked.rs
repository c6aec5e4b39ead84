//! Terms with letters hidden or drawn by symbols the normalizer leaves as punctuation, because
//! out of context they are punctuation:
//!
//! - **a run of one symbol hiding one letter each** between the two ends of a word (`f---ing`,
//!   `f__kin`, `f'ck`, `fu&kin`): read only when the letters shown and the number hidden fit one
//!   term (or its inflection) exactly, at its length (`f---ing` is `f` + three letters + `ing`).
//!   The normalizer cannot do it: a hyphen or an apostrophe between letters is how English
//!   joins words (`e-mail`, `don't`), and only the term decides. A hyphen or an apostrophe
//!   between two English words of three letters or more is such a join, never a mask, and so
//!   is an apostrophe before an ending (`illegal's`, `they'd`);
//! - **a run of one symbol the normalizer keeps (an emoji, `★`, `•`) hiding one letter each**
//!   (`f★ck`, `sh💩t`), under the same rule, counted in characters: only the term decides, so
//!   an emoji between two words (`no😂pussy`) reads nothing more, and what the other passes
//!   found there stays;
//! - **a digit that is no leet digit, or a run of `x`, inside a word** (`f8ck`, `dxxkhead`),
//!   hiding one letter each, under the same rule (the word must not be English for `x`);
//! - **`<` opening a word, drawn for a `c`** (`<unt`, `<oon`): read only when `c` and the word
//!   are a term as written or inflected, never before a `>` or a `/` (markup shown as text).
//!
//! Both look at each word once and compare it only with the terms that share its first letter
//! and its length: linear in the text.

use super::{is_english, Inner, STEM_ENDINGS};
use crate::matcher::scan::{runs, Explained};

/// Most letters one run of symbols stands for (`f---ing`).
const MAX_HIDDEN: usize = 3;

/// The symbols that hide letters, one letter each.
fn is_mask(c: u8) -> bool {
    matches!(c, b'-' | b'_' | b'\'' | b'*' | b'&')
}

/// A character drawn for a letter though it is none: a symbol or pictograph outside ASCII
/// (`★`, `•`, `💩`). Letters, digits, spaces, quotes and the invisible characters are not (the
/// normalizer reads or removes those), nor what only dresses a pictograph ([`is_dressing`]).
pub(super) fn is_drawn_mask(c: char) -> bool {
    !c.is_ascii()
        && !c.is_alphanumeric()
        && !c.is_whitespace()
        && !is_dressing(c)
        && !matches!(c, '\u{300}'..='\u{36f}' | '\u{200b}'..='\u{200f}' | '\u{2018}'..='\u{201f}' | '\u{2028}'..='\u{206f}')
}

/// A variation selector or a skin-tone modifier: part of the pictograph before it (`❤️` is
/// U+2764 U+FE0F), not a character of its own.
pub(super) fn is_dressing(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{1f3fb}'..='\u{1f3ff}')
}

/// How many letters the gap between two words hides, if it is a run of one mask: one to
/// [`MAX_HIDDEN`] of the same ASCII mask byte or of the same drawn symbol ([`is_drawn_mask`],
/// counted in characters), or one digit that is no leet digit (`f8ck`: the normalizer keeps a
/// word that mixes letters with such digits as written, `a1b2`, `mp3`).
fn hidden_letters(gap: &str) -> Option<usize> {
    let b = gap.as_bytes();
    let &lead = b.first()?;
    if lead.is_ascii() {
        if b.len() == 1 && lead.is_ascii_digit() {
            return Some(1);
        }
        return (is_mask(lead) && b.len() <= MAX_HIDDEN && b.iter().all(|&c| c == lead)).then_some(b.len());
    }
    let first = gap.chars().next()?;
    if !is_drawn_mask(first) {
        return None;
    }
    let mut n = 0;
    for c in gap.chars().filter(|&c| !is_dressing(c)) {
        if c != first || n == MAX_HIDDEN {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// A word of letters with one run of one to [`MAX_HIDDEN`] `x` strictly inside and between two
/// consonants (`dxxkhead`):
/// the letters before, the number of `x`, the letters after. None for a word of the dictionary
/// (`taxi`, `maxed`) or one with another `x` further on.
fn x_masked(word: &str) -> Option<(&str, usize, &str)> {
    let b = word.as_bytes();
    let i = b.iter().position(|&c| c == b'x')?;
    let j = i + b[i..].iter().take_while(|&&c| c == b'x').count();
    // Between two consonants (`dxxk`, `sxxt`) an `x` cannot be said: after or before a vowel
    // it is an `x` (`doxxing`, `mixxed`, `moxo`).
    let consonant = |c: u8| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if i == 0
        || j == b.len()
        || j - i > MAX_HIDDEN
        || b[j..].contains(&b'x')
        || b.len() < 4
        || !consonant(b[i - 1])
        || !consonant(b[j])
        || is_english(word)
    {
        return None;
    }
    Some((&word[..i], j - i, &word[j..]))
}

impl Inner {
    /// Adds to `out` the lists of the terms the word `letters` is with a run of `x` hiding
    /// letters ([`x_masked`]; called by the fuzzy pass for a word nothing else read).
    pub(super) fn x_masked_lists(&self, letters: &str, out: &mut Vec<u32>) {
        if let Some((prefix, hidden, suffix)) = x_masked(letters) {
            self.masked_terms(prefix, hidden, suffix, |term| {
                if let Some(lists) = self.stems.get(term) {
                    self.add_unallowed(lists, term, out);
                }
            });
        }
    }

    /// Reports the masked words and the `<`-opened words of the normalized `text` (see the
    /// module docs), skipping the ranges the automaton explained and those `skip` rules out.
    pub(super) fn masked_words(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: &impl Fn(usize, usize) -> bool,
        hit: &mut impl FnMut(usize, usize, usize),
    ) {
        let b = text.as_bytes();
        // Every shape needs a `<` before a run, or a mask or a digit between two: most comments
        // have none, and one pass over the bytes is cheaper than the runs below.
        if self.by_len.is_empty() || !b.iter().any(|&c| c == b'<' || is_mask(c) || c.is_ascii_digit() || c >= 0x80) {
            return;
        }
        let word_start = |s: usize| s == 0 || !(b[s - 1].is_ascii_alphanumeric() || is_mask(b[s - 1]));
        // Every range asked about starts at the run before this one or later (`lower`), so the
        // explained ranges are walked forward once: a scan of all of them per candidate was
        // quadratic in a text of many hits and masked words (`fuck f*ck` repeated).
        let mut seen = Explained::new(explained);
        let mut covered = |lower: usize, s: usize, e: usize| seen.overlaps_after(lower, s, e) || skip(s, e);
        let mut prev: Option<(usize, usize)> = None;
        let mut joined = String::new();
        for (start, end) in runs(b, u8::is_ascii_lowercase) {
            let lower = prev.map_or(start.saturating_sub(1), |(ps, _)| ps);
            let word_end = b.get(end).map_or(true, |c| !(c.is_ascii_alphanumeric() || is_mask(*c)));
            // `<unt`: a `<` glued to the start of a word, itself at the start of a chunk.
            if start >= 1
                && b[start - 1] == b'<'
                && (start == 1 || b[start - 2] == b' ')
                && !matches!(b.get(end), Some(b'>' | b'/'))
                && !covered(lower, start - 1, end)
            {
                joined.clear();
                joined.push('c');
                joined.push_str(&text[start..end]);
                if let Some(lists) = self.term_lists(&joined) {
                    for &l in lists {
                        if !self.allow[l as usize].contains(joined.as_str()) {
                            hit(l as usize, start - 1, end);
                        }
                    }
                }
            }
            if let Some((ps, pe)) = prev {
                let gap = &b[pe..start];
                let hidden = hidden_letters(&text[pe..start]).unwrap_or(0);
                if hidden > 0 && word_start(ps) && word_end && !covered(lower, ps, end) {
                    let (prefix, suffix) = (&text[ps..pe], &text[start..end]);
                    // `illegal's`, `white's`, `they'd`: an apostrophe before an ending of
                    // English's is a possessive or a contraction, not a hidden letter.
                    let ending = gap[0] == b'\''
                        && hidden == 1
                        && matches!(suffix, "s" | "t" | "d" | "ll" | "re" | "ve" | "m" | "nt");
                    let join = ending
                        || ((matches!(gap[0], b'-' | b'\'') || gap[0] >= 0x80)
                            && prefix.len() >= 3
                            && suffix.len() >= 3
                            && is_english(prefix)
                            && is_english(suffix));
                    if !join {
                        // Every term that fits counts (`f--k` hides `fuck` as well as `feck`).
                        self.masked_terms(prefix, hidden, suffix, |term| {
                            for &l in self.stems.get(term).into_iter().flatten() {
                                if !self.allow[l as usize].contains(term) {
                                    hit(l as usize, ps, end);
                                }
                            }
                        });
                    }
                }
            }
            prev = Some((start, end));
        }
    }

    /// Calls `found` with each term that is `prefix`, `hidden` letters and `suffix` (or
    /// `suffix` less an ending: `f---ers`), at exactly that length.
    fn masked_terms(&self, prefix: &str, hidden: usize, suffix: &str, mut found: impl FnMut(&str)) {
        let Some(&first) = prefix.as_bytes().first() else { return };
        let tails = std::iter::once(suffix).chain(STEM_ENDINGS.iter().filter_map(|end| suffix.strip_suffix(end)));
        for tail in tails {
            let len = prefix.len() + hidden + tail.len();
            for t in self.by_len.get(&(first, len)).into_iter().flatten() {
                if t.starts_with(prefix) && t.ends_with(tail) {
                    found(t);
                }
            }
        }
    }
}
