//! Words **decorated** to break the match, read after the other passes of [`super::Fuzzy::find`]:
//!
//! - **a run of symbols or pictographs between every letter** (`f🔥u🔥c🔥k`, `f**u**c**k`,
//!   `s..h..i..t`): four letters or more, one letter each between runs of up to [`MAX_RUN`]
//!   symbols (the normalizer already joins letters parted by one ASCII symbol, `f*u*c*k`);
//! - **one emphasis mark or one pictograph inside a word** (`f*uc*k`, `fu_ck_`, `f"uck"`,
//!   `fu'ck`, `fu🔥ck`): `*`, `_`, `"`, `'`, `~` or `` ` `` (markdown and quotes), at most
//!   three of them. An apostrophe before an ending of English's is a contraction or a
//!   possessive (`he'll`, `don't`, `cock's` are not joined), and an apostrophe or a pictograph
//!   between two English words of three letters or more joins them as words (`rock'n'roll`),
//!   as in [`super::masked`];
//! - **one filler letter between every letter** (`fxuxcxk`): a word of seven letters or more
//!   whose every other letter is the same one;
//! - **a word written backwards** (`kcuf`, `reggin`, `tihs`, `sreggin`): the word reversed is
//!   a term of four letters or more, or its plural;
//! - **inner letters shuffled** (`fkuc`, `btich`): the first letter kept and the rest a
//!   reordering of the term's, only when the word opens with two consonants no English word
//!   opens with ([`english_opening`]: `fk`, `bt`), a shape no reader takes for a word, and
//!   ends with the term's last letter or, when that moved (`fkuc`), with a consonant.
//!
//! The letters read must be a term (or its inflection) **exactly**: no near spelling on top of a
//! decoration. The last three readings are of whole words that are not English and that no other
//! pass read (the fuzzy pass's own dictionary guard: `stressed`, `desserts`, `reknits`, `tips`
//! stay words), and a word written backwards keeps the rule that the first and last letters are
//! the term's (its last and first). A shuffled word keeps the first letter; its rare opening
//! is the guard. Words of a larger dictionary these readings still reach are on the rules'
//! allowlists (`esra`, `knaw`, `parc`: scripts/pack-dictionary-audit.py).
//!
//! A range the automaton explained hides a decorated word only when it covers all of it: a
//! part read by a list (`c**k` of `f**u**c**k`) is a reading of less than the word.
//!
//! Cost: a clean comment pays a table test per byte (one scan, [`SCAN`]); a word of letters
//! pays a few byte comparisons, made only for words the fuzzy pass already looked up and found
//! not English. Each token is read once, and the explained ranges are walked forward: linear
//! in the text.

use super::dict::english_opening;
use super::masked::{is_drawn_mask, is_dressing};
use super::{is_english, Inner, MAX_TOKEN};
use crate::matcher::scan::Explained;

/// Most symbols (or pictographs) in one run between two letters.
const MAX_RUN: usize = 3;

/// Longest token (bytes) looked at: [`MAX_TOKEN`] letters and runs of pictographs between them.
const MAX_TOKEN_BYTES: usize = 8 * MAX_TOKEN;

/// Most separators inside a word that is not spaced out letter by letter (`f*uc*k`: two).
const MAX_EMPHASIS: usize = 3;

/// A byte that may stand between every letter of a spaced word (`f**u**c**k`, `s..h..i..t`).
const SPACER: u8 = 1;
/// An emphasis mark or a quote that may stand inside a word (`f*uc*k`, `fu_ck_`, `f"uck"`).
const EMPHASIS: u8 = 2;

/// [`SPACER`] and [`EMPHASIS`] of each byte. Not the symbols of links, handles, markup and
/// entities (`/ : @ # & < >`), nor sentence punctuation (`, ; ! ? ( )`), nor `$` and `%`, which
/// the normalizer and [`super::typed`] read as letters or masks.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let spacers = b"*_\"'~`^+=|.-";
    let mut i = 0;
    while i < spacers.len() {
        t[spacers[i] as usize] = SPACER;
        i += 1;
    }
    let emphasis = b"*_\"'~`";
    let mut i = 0;
    while i < emphasis.len() {
        t[emphasis[i] as usize] |= EMPHASIS;
        i += 1;
    }
    t
};

/// One run between two letters of a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sep {
    /// The ASCII byte repeated, or 0 for pictographs.
    byte: u8,
    /// How many symbols (pictographs counted as characters, their dressing not).
    n: usize,
}

/// Byte classes of the one scan of [`Inner::decorated_words`].
const LOWER: u8 = 1;
const SPACE: u8 = 2;
const DECOR: u8 = 4;

/// [`LOWER`], [`SPACE`] and [`DECOR`] (a [`CLASS`] symbol or a byte of another script) of each
/// byte.
static SCAN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_lowercase() {
            LOWER
        } else if b.is_ascii_whitespace() {
            SPACE
        } else if CLASS[c] != 0 || b >= 0x80 {
            DECOR
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Endings an apostrophe opens in English: a contraction or a possessive (`he'll`, `cock's`).
fn english_ending(piece: &str) -> bool {
    matches!(piece, "s" | "t" | "d" | "ll" | "re" | "ve" | "m" | "nt")
}

/// Whether the lowercase ASCII letter `c` is a consonant (`y` counts as a vowel).
fn consonant(c: u8) -> bool {
    c.is_ascii_lowercase() && !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The index of the three letters `w` opens with in a 26³ bit set (None unless they are ASCII
/// lowercase).
fn head3(w: &[u8]) -> Option<usize> {
    match w {
        [a, b, c, ..] if a.is_ascii_lowercase() && b.is_ascii_lowercase() && c.is_ascii_lowercase() => {
            Some((usize::from(a - b'a') * 26 + usize::from(b - b'a')) * 26 + usize::from(c - b'a'))
        }
        _ => None,
    }
}

/// The key of a shuffled word or term: its first letter, then the rest sorted.
pub(super) fn shuffle_key(w: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(w);
    if let Some(rest) = out.get_mut(1..) {
        rest.sort_unstable();
    }
}

/// What a term written backwards may end with before it is reversed (`sreggin`): nothing or a
/// plural. Other endings reach words of a larger dictionary (`reagin`: `niga` + `er`).
const BACKWARD_ENDINGS: &[&str] = &["", "s", "es"];

/// The bit set of [`head3`] of every stem written backwards, as written and with each ending
/// of [`BACKWARD_ENDINGS`]: the gate of the backward reading.
pub(super) fn backward_heads<'a>(stems: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut bits = vec![0u64; (26 * 26 * 26_usize).div_ceil(64)];
    for stem in stems {
        for end in BACKWARD_ENDINGS {
            let w: Vec<u8> = stem.bytes().chain(end.bytes()).rev().collect();
            if let Some(h) = head3(&w) {
                bits[h / 64] |= 1 << (h % 64);
            }
        }
    }
    bits
}

impl Inner {
    /// Adds to `out` the lists of the terms the whole word `w` (letters, not English, read by no
    /// other pass) spells with a filler letter between every letter, backwards, or with its inner
    /// letters shuffled behind a rare opening (see the module docs).
    pub(super) fn reread_lists(&self, w: &str, key: &mut Vec<u8>, out: &mut Vec<u32>) {
        let b = w.as_bytes();
        if !(4..=MAX_TOKEN).contains(&b.len()) || !b.iter().all(u8::is_ascii_lowercase) {
            return;
        }
        let mut buf = [0u8; MAX_TOKEN];
        // `fxuxcxk`: every other letter the same.
        if b.len() >= 7 && b.len() % 2 == 1 && b.iter().skip(1).step_by(2).all(|&c| c == b[1]) {
            let n = b.len().div_ceil(2);
            for (slot, &c) in buf.iter_mut().zip(b.iter().step_by(2)) {
                *slot = c;
            }
            self.add_term(&buf[..n], out);
        }
        // `kcuf`, `reggin`, `sreggin`: the word reversed is a term, or its plural.
        if head3(b).is_some_and(|h| self.backward.get(h / 64).is_some_and(|bits| bits >> (h % 64) & 1 == 1)) {
            for (slot, &c) in buf.iter_mut().zip(b.iter().rev()) {
                *slot = c;
            }
            let rev = std::str::from_utf8(&buf[..b.len()]).unwrap_or("");
            let stem = BACKWARD_ENDINGS
                .iter()
                .filter_map(|end| rev.strip_suffix(end))
                .find(|s| s.len() >= 4 && self.stems.contains_key(*s));
            if let Some(stem) = stem {
                self.add_term(stem.as_bytes(), out);
            }
        }
        // `fkuc`, `btich`: a rare opening, the rest reordered.
        if consonant(b[0]) && consonant(b[1]) && !english_opening(b[0], b[1]) {
            shuffle_key(b, key);
            let last = b[b.len() - 1];
            for (term, lists) in self.shuffled.get(key.as_slice()).into_iter().flatten() {
                // The term's last letter moved (`fkuc`) only where the word still ends in a
                // consonant: `vlei` (`vile`) and `fgsa` (`fags`) are words of a larger
                // dictionary (scripts/pack-dictionary-audit.py).
                if term.as_bytes().last() != Some(&last) && !consonant(last) {
                    continue;
                }
                self.add_unallowed(lists, term, out);
            }
        }
    }

    /// Adds to `out` the lists of the term `letters` is, as written or inflected, that do not
    /// allow it.
    fn add_term(&self, letters: &[u8], out: &mut Vec<u32>) {
        let Ok(word) = std::str::from_utf8(letters) else { return };
        if let Some(lists) = self.term_lists(word) {
            self.add_unallowed(lists, word, out);
        }
    }

    /// Reports the tokens of the normalized `text` that are a term with symbols or pictographs
    /// between its letters (see the module docs), skipping the ranges the automaton explained
    /// and those `skip` rules out. The span covers the letters and the marks between them, and
    /// a mark closing the word that also stands inside it (`fu_ck_`, `f"uck"`).
    pub(super) fn decorated_words(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: &impl Fn(usize, usize) -> bool,
        hit: &mut impl FnMut(usize, usize, usize),
    ) {
        let b = text.as_bytes();
        if self.by_len.is_empty() {
            return;
        }
        let mut seen = Explained::new(explained);
        let (mut pieces, mut seps) = (Vec::new(), Vec::new());
        let class = |i: usize| SCAN[b[i] as usize];
        // One scan with a table for the marks: a token is read only where a letter, a run of
        // marks and a letter follow one another in it; an apostrophe before an ending of
        // English's (`don't`, `it's`), the most common such run, is passed over at once. The
        // token is then found around the run (back to a space at most [`MAX_TOKEN_BYTES`]
        // away) and the scan goes on after it: each byte is looked at a bounded number of times.
        let mut i = 0;
        while let Some(p) = b[i..].iter().position(|&c| SCAN[c as usize] & DECOR != 0) {
            let at = i + p;
            i = at + 1;
            if at == 0 || class(at - 1) & LOWER == 0 {
                continue;
            }
            let mut j = at + 1;
            while j < b.len() && class(j) & (LOWER | SPACE) == 0 {
                j += 1;
            }
            if j == b.len() || class(j) & LOWER == 0 {
                i = j;
                continue;
            }
            let mut after = j;
            while after < b.len() && class(after) & LOWER != 0 {
                after += 1;
            }
            if j == at + 1 && b[at] == b'\'' && english_ending(&text[j..after]) {
                i = after;
                continue;
            }
            let mut start = at;
            while start > 0 && class(start - 1) & SPACE == 0 && at - start <= MAX_TOKEN_BYTES {
                start -= 1;
            }
            let mut end = after;
            while end < b.len() && class(end) & SPACE == 0 {
                end += 1;
            }
            i = end;
            if end - start > MAX_TOKEN_BYTES {
                continue;
            }
            // The word from its first letter to its last.
            let Some(first) = b[start..end].iter().position(u8::is_ascii_lowercase) else { continue };
            let Some(last) = b[start..end].iter().rposition(u8::is_ascii_lowercase) else { continue };
            let (s, e) = (start + first, start + last + 1);
            let mut joined = [0u8; MAX_TOKEN];
            let Some(n) = decorated_word(text, s, e, &mut pieces, &mut seps, &mut joined) else { continue };
            let Ok(word) = std::str::from_utf8(&joined[..n]) else { continue };
            let Some(lists) = self.term_lists(word) else { continue };
            // A closing mark that also stands inside the word is part of it (`fu_ck_`).
            let inside = |c: u8| seps.iter().any(|sep| sep.byte == c && c != 0);
            let close = e + b[e..end].iter().take(MAX_RUN).take_while(|&&c| inside(c)).count();
            // A part the automaton read (`c**k` of `f**u**c**k`) does not hide the whole word.
            if seen.covers(s, close) || skip(s, close) {
                continue;
            }
            for &l in lists {
                if !self.allow[l as usize].contains(word) {
                    hit(l as usize, s, close);
                }
            }
        }
    }
}

/// The letters of the word `s..e` of `text` (ASCII letters at both ends) run together into
/// `joined`, and how many, when it is decorated as the module docs say (None otherwise); its
/// runs of letters and the runs between them are left in `pieces` and `seps`.
fn decorated_word(
    text: &str,
    s: usize,
    e: usize,
    pieces: &mut Vec<(usize, usize)>,
    seps: &mut Vec<Sep>,
    joined: &mut [u8; MAX_TOKEN],
) -> Option<usize> {
    let b = text.as_bytes();
    pieces.clear();
    seps.clear();
    let mut i = s;
    while i < e {
        if b[i].is_ascii_lowercase() {
            let at = i;
            while i < e && b[i].is_ascii_lowercase() {
                i += 1;
            }
            pieces.push((at, i));
            continue;
        }
        let at = i;
        let sep = if b[i] < 0x80 {
            let c = b[i];
            if CLASS[c as usize] == 0 {
                return None;
            }
            while i < e && b[i] == c {
                i += 1;
            }
            Sep { byte: c, n: i - at }
        } else {
            let mut n = 0;
            for c in text[i..e].chars() {
                if c.is_ascii() {
                    break;
                }
                if !is_dressing(c) {
                    if !is_drawn_mask(c) {
                        return None;
                    }
                    n += 1;
                }
                i += c.len_utf8();
            }
            Sep { byte: 0, n }
        };
        // Two kinds of mark in one run (`*🔥`), or a run of dressing alone.
        if sep.n == 0 || sep.n > MAX_RUN || i < e && !b[i].is_ascii_lowercase() {
            return None;
        }
        seps.push(sep);
        if seps.len() >= MAX_TOKEN {
            return None;
        }
    }
    if seps.is_empty() {
        return None;
    }
    let letters: usize = pieces.iter().map(|p| p.1 - p.0).sum();
    if !(4..=MAX_TOKEN).contains(&letters) {
        return None;
    }
    let spaced = pieces.iter().all(|p| p.1 - p.0 == 1);
    if spaced {
        // `f**u**c**k`, `f🔥u🔥c🔥k`.
        if !seps.iter().all(|sep| sep.byte == 0 || CLASS[sep.byte as usize] & SPACER != 0) {
            return None;
        }
    } else {
        // `f*uc*k`, `fu'ck`, `fu🔥ck`: one mark at a time.
        if seps.len() > MAX_EMPHASIS
            || !seps.iter().all(|sep| sep.n == 1 && (sep.byte == 0 || CLASS[sep.byte as usize] & EMPHASIS != 0))
        {
            return None;
        }
        for (k, sep) in seps.iter().enumerate() {
            let (before, after) = (&text[pieces[k].0..pieces[k].1], &text[pieces[k + 1].0..pieces[k + 1].1]);
            if sep.byte == b'\'' && english_ending(after) {
                return None;
            }
            if (sep.byte == b'\'' || sep.byte == 0)
                && before.len() >= 3
                && after.len() >= 3
                && is_english(before)
                && is_english(after)
            {
                return None;
            }
        }
    }
    let mut n = 0;
    for &(ps, pe) in pieces.iter() {
        joined[n..n + pe - ps].copy_from_slice(&b[ps..pe]);
        n += pe - ps;
    }
    Some(n)
}
