//! Words read from what was **typed**, not only from what the normalizer made of it: the
//! normalizer folds a symbol out of context (`$` → `s`, `!` → `i`, `+` → `t`) and writes a run
//! of one character once (`***` → `*`, `ggg` → `g`), which is right for most text and loses
//! what a reader of an evasion still sees:
//!
//! - **a symbol hiding a letter** (`f$ck`, `sh?t`, `c~nt`, `ni++er`, `wh.re`): an ASCII symbol
//!   typed between letters may stand for *any* letter, not only the one it looks like;
//! - **the length of a run of symbols** (`f***ing`, `ni***rs`, `c###s`): each symbol typed
//!   hides one letter, counted in the original characters;
//! - **a mask at one end** (`mother******`, `sh**`, `**ck`): `*`, `#` or `%` typed for the
//!   rest or the start of a term;
//! - **a letter typed three times or more for a doubled one** (`niggg`): the run read as the
//!   letter twice.
//!
//! Only a term (or its inflection) that fits **exactly**, at that length, makes a hit, and it
//! only adds hits: the folded reading keeps what the other passes found. What keeps innocent
//! text innocent:
//!
//! - at least as many letters shown as hidden (`C++`, `g++`, `f***`, `****ing` read nothing)
//!   and never a mask at both ends (`**bold**`);
//! - a symbol that also parts words (`.`, `/`, `,`, `(`, `?`, `+`, …) between two English
//!   words of three letters or more is that parting (`end.the`), as a hyphen is in
//!   [`super::masked`]; a folded reading that is itself an English word is meant (`p@ss`);
//! - a word with a digit is left to [`super::masked`] (`$5`, `<3`), and sentence punctuation
//!   around a word is not part of it (`shit!`, `(what)`).
//!
//! A comment is looked at only when its bytes hold such a shape (one scan with a table, so a
//! clean comment pays little), and a word only when its own typed text does; a word is compared
//! with the terms that share its first letter and its length (every first letter for a head
//! mask): linear in the text.

use super::{dictionary, is_english, Inner, MAX_TOKEN, STEM_ENDINGS};
use crate::matcher::scan::Explained;
use crate::normalize::offsets::OffsetMap;

/// Most letters one run of symbols hides (`mother******`).
const MAX_RUN: usize = 8;

/// Most runs of a letter typed three times a word is read with (each read once or twice).
const MAX_LETTER_RUNS: usize = 3;

/// Wildcard in a pattern: a letter hidden by a symbol.
const ANY: u8 = 0;

/// ASCII symbols that may hide a letter between two letters. Not `-`, `'` and `_`: they join
/// words, and [`super::masked`] reads them with English's rules for them.
const fn is_symbol(c: u8) -> bool {
    c.is_ascii_punctuation() && !matches!(c, b'-' | b'\'' | b'_')
}

/// Symbols that hide letters at the start of a word (`**ck`); `#` and `@` there open a hashtag
/// or a handle.
const fn masks_head(c: u8) -> bool {
    matches!(c, b'*' | b'%')
}

/// Symbols that hide letters at the end of a word (`mother******`, `sh##`).
const fn masks_tail(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'%')
}

/// Symbols that are only masks: between two English words they are still no parting.
fn only_mask(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'%' | b'$' | b'@' | b'&')
}

/// Sentence punctuation around a word, not part of it.
const fn is_wrapping(c: u8) -> bool {
    matches!(c, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'"' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'\'')
}

/// One normalized byte of a word as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A letter typed as such (in any script or spelling the normalizer reads).
    Letter(u8),
    /// `n` of the same ASCII symbol, or one symbol the normalizer folded to a letter.
    Hidden { symbol: u8, n: u8 },
    /// A letter typed three times or more.
    Run(u8),
}

/// The slots of normalized bytes `start..end` (a word of ASCII bytes) into `out`, and the
/// normalized byte each came from into `at`; false when a byte is neither a letter nor a symbol
/// typed as such (a digit, another script's symbol).
fn classify(
    text: &[u8],
    map: &OffsetMap,
    body: &str,
    (start, end): (usize, usize),
    out: &mut Vec<Slot>,
    at: &mut Vec<usize>,
) -> bool {
    out.clear();
    at.clear();
    let mut last = usize::MAX..usize::MAX;
    for (i, &c) in text.iter().enumerate().take(end).skip(start) {
        let src = map.source_of(i);
        if src == last {
            // A character that became several bytes (`ﬁ`) is several letters; a symbol, one run.
            if c.is_ascii_lowercase() && !matches!(out.last(), Some(Slot::Hidden { .. })) {
                out.push(Slot::Letter(c));
                at.push(i);
                continue;
            }
            return false;
        }
        last = src.clone();
        let typed = body.as_bytes().get(src.clone()).unwrap_or(&[]);
        let one = |b: &[u8]| b.first().filter(|&&f| b.iter().all(|&x| x == f)).copied();
        // Several characters typed for one letter, not all the same (`$ss` → `s`): each is read
        // as typed, a symbol hiding a letter, a letter as itself.
        if c.is_ascii_lowercase()
            && typed.len() > 1
            && one(typed).is_none()
            && typed.iter().all(|&t| t.is_ascii_alphabetic() || is_symbol(t))
            && typed.iter().any(|t| t.eq_ignore_ascii_case(&c))
        {
            for &t in typed {
                at.push(i);
                out.push(if is_symbol(t) {
                    Slot::Hidden { symbol: t, n: 1 }
                } else {
                    Slot::Letter(t.to_ascii_lowercase())
                });
            }
            continue;
        }
        let slot = match (one(typed), typed.len()) {
            (Some(s), n)
                if is_symbol(s)
                    && (1..=MAX_RUN).contains(&n)
                    && (c.is_ascii_punctuation() || c.is_ascii_lowercase()) =>
            {
                Slot::Hidden { symbol: s, n: n as u8 }
            }
            (Some(s), n) if n >= 3 && c.is_ascii_lowercase() && s.to_ascii_lowercase() == c => Slot::Run(c),
            _ if c.is_ascii_lowercase() => Slot::Letter(c),
            _ => return false,
        };
        out.push(slot);
        at.push(i);
    }
    true
}

/// Byte classes for [`may_hide`].
const LETTER: u8 = 1;
const SYMBOL: u8 = 2;
const WRAPPING: u8 = 4;
const HEAD: u8 = 8;
const TAIL: u8 = 16;

/// [`LETTER`], [`SYMBOL`], … of each byte.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() { LETTER } else { 0 }
            | if is_symbol(b) { SYMBOL } else { 0 }
            | if is_wrapping(b) { WRAPPING } else { 0 }
            | if masks_head(b) { HEAD } else { 0 }
            | if masks_tail(b) { TAIL } else { 0 };
        c += 1;
    }
    t
};

/// True when `typed` has anything this pass reads: a symbol typed between ASCII letters (or
/// before another symbol after a letter), a mask at a word's end or start, a letter typed three
/// times. One pass over the bytes with a table: most comments have none of these and pay only
/// this; it also picks the words worth classifying.
fn may_hide(typed: &[u8]) -> bool {
    let class = |c: u8| CLASS[c as usize];
    let (mut prev, mut prev2) = (b' ', b' ');
    for (i, &c) in typed.iter().enumerate() {
        let k = class(c);
        if k & SYMBOL != 0 {
            let next = typed.get(i + 1).copied().unwrap_or(b' ');
            let (kp, kn) = (class(prev), class(next));
            // `&#…;` is an entity, read by the normalizer; `://` opens a link.
            let entity_or_link = (c == b'&' && next == b'#') || (c == b':' && next == b'/');
            if !entity_or_link
                && (kp & LETTER != 0 && (kn & LETTER != 0 || (kn & SYMBOL != 0 && k & WRAPPING == 0))
                    || k & TAIL != 0 && kp & LETTER != 0
                    || k & HEAD != 0 && kn & LETTER != 0 && !prev.is_ascii_alphanumeric())
            {
                return true;
            }
        } else if c == prev && c == prev2 && k & LETTER != 0 {
            return true;
        }
        prev2 = prev;
        prev = c;
    }
    false
}

/// True when the original text of the normalized word `start..end` may hide letters
/// ([`may_hide`]) and is no link.
///
/// A word whose original is far longer than the word has no typing of its own to read: text
/// judged out of line maps every unit of its sentence to the whole sentence
/// (`normalize::out_of_line`), and reading that sentence once per word was quadratic (round 16:
/// a 1 MiB body of `<span style="display:none">a</span>b` took 17 s).
fn worth_reading(map: &OffsetMap, body: &str, start: usize, end: usize) -> bool {
    let range = map.original_range(start, end);
    if range.len() > MAX_TYPED_PER_BYTE * (end - start) + MAX_TYPED_SLACK {
        return false;
    }
    let typed = body.as_bytes().get(range).unwrap_or(&[]);
    may_hide(typed) && !typed.windows(3).any(|w| w == b"://")
}

/// Most original bytes per normalized byte (plus [`MAX_TYPED_SLACK`]) a word is read as typed
/// from: an entity or a symbol run typed for a letter is a few bytes, tags inside a word a few
/// dozen.
const MAX_TYPED_PER_BYTE: usize = 16;
/// See [`MAX_TYPED_PER_BYTE`].
const MAX_TYPED_SLACK: usize = 64;

impl Inner {
    /// Reports the words of the normalized `text` that are a term as typed (see the module docs):
    /// `map` and `body` give what each normalized byte was typed as. Skips the ranges the
    /// automaton explained and those `skip` rules out.
    pub(super) fn typed_words(
        &self,
        text: &str,
        map: &OffsetMap,
        body: &str,
        explained: &[(usize, usize)],
        skip: &impl Fn(usize, usize) -> bool,
        hit: &mut impl FnMut(usize, usize, usize),
    ) {
        if self.by_len.is_empty() || map.len() != text.len() || !may_hide(body.as_bytes()) {
            return;
        }
        let b = text.as_bytes();
        let (mut slots, mut at, mut pattern) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = Explained::new(explained);
        let mut stars = Stars::default();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b' ' || b[i] >= 0x80 {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i] != b' ' && b[i] < 0x80 {
                i += 1;
            }
            // A word glued to another script is part of a longer one.
            if i < b.len() && b[i] >= 0x80 || start > 0 && b[start - 1] >= 0x80 {
                continue;
            }
            let end = i;
            if end - start > 2 * MAX_TOKEN || !worth_reading(map, body, start, end) {
                continue;
            }
            if !classify(b, map, body, (start, end), &mut slots, &mut at) {
                continue;
            }
            // Sentence punctuation typed around the word is not part of it.
            let wrap = |s: &Slot| matches!(s, Slot::Hidden { symbol, n: 1 } if is_wrapping(*symbol));
            let lead = slots.iter().take_while(|s| wrap(s) && !masks_head(symbol_of(s))).count();
            let trail = slots[lead..].iter().rev().take_while(|s| wrap(s) && !masks_tail(symbol_of(s))).count();
            let word = &slots[lead..slots.len() - trail];
            if word.is_empty() {
                continue;
            }
            let (ws, we) = (at[lead], at[slots.len() - trail - 1] + 1);
            if seen.overlaps(ws, we) {
                continue;
            }
            if !self.reads_as_typed(word, &text[ws..we]) || stars.emphasis(word, b, ws, we) || skip(ws, we) {
                continue;
            }
            self.typed_terms(word, &mut pattern, |term| {
                for &l in self.stems.get(term).into_iter().flatten() {
                    if !self.allow[l as usize].contains(term) {
                        hit(l as usize, ws, we);
                    }
                }
            });
        }
    }

    /// The rules of the module docs that a word's slots must meet before it is compared.
    fn reads_as_typed(&self, word: &[Slot], folded: &str) -> bool {
        let hidden: usize = word.iter().map(|s| if let Slot::Hidden { n, .. } = s { *n as usize } else { 0 }).sum();
        let runs = word.iter().filter(|s| matches!(s, Slot::Run(_))).count();
        let shown = word.len() - word.iter().filter(|s| matches!(s, Slot::Hidden { .. })).count();
        if (hidden == 0 && runs == 0) || shown < hidden || shown < 2 || runs > MAX_LETTER_RUNS {
            return false;
        }
        // `...`, `?!`: sentence punctuation typed twice is punctuation, not two hidden letters.
        let doubled = |k: usize| match word[k] {
            Slot::Hidden { symbol, n } if is_wrapping(symbol) => {
                n > 1 || matches!(word.get(k + 1), Some(Slot::Hidden { symbol: next, .. }) if is_wrapping(*next))
            }
            _ => false,
        };
        if (0..word.len()).any(doubled) {
            return false;
        }
        let head = matches!(word.first(), Some(Slot::Hidden { .. }));
        let tail = matches!(word.last(), Some(Slot::Hidden { .. }));
        if head && tail {
            return false;
        }
        if head && !masks_head(symbol_of(&word[0])) || tail && !masks_tail(symbol_of(&word[word.len() - 1])) {
            return false;
        }
        // A folded reading that is an English word is what was meant (`p@ss`, `wh@t`); a name
        // is not (`cint`).
        if folded.len() == word.len()
            && folded.bytes().all(|c| c.is_ascii_lowercase())
            && dictionary().get(folded) == Some(&true)
        {
            return false;
        }
        // A parting symbol between two English words of three letters or more parts them.
        for (k, s) in word.iter().enumerate() {
            if let Slot::Hidden { symbol, .. } = *s {
                if only_mask(symbol) {
                    continue;
                }
                let left = letters_around(&word[..k], true);
                let right = letters_around(&word[k + 1..], false);
                if left.len() >= 3 && right.len() >= 3 && is_english(&left) && is_english(&right) {
                    return false;
                }
            }
        }
        true
    }

    /// Calls `found` with each term that `word` spells with its hidden letters filled in and
    /// its letter runs read once or twice (at least one run twice when nothing is hidden), as
    /// written or less an ending typed in letters (`f***ing`).
    fn typed_terms(&self, word: &[Slot], pattern: &mut Vec<u8>, mut found: impl FnMut(&str)) {
        let runs = word.iter().filter(|s| matches!(s, Slot::Run(_))).count();
        let hides = word.iter().any(|s| matches!(s, Slot::Hidden { .. }));
        for choice in 0u32..1 << runs {
            if choice == 0 && !hides {
                continue;
            }
            pattern.clear();
            let mut r = 0;
            for s in word {
                match *s {
                    Slot::Letter(c) => pattern.push(c),
                    Slot::Hidden { n, .. } => pattern.extend(std::iter::repeat(ANY).take(n as usize)),
                    Slot::Run(c) => {
                        pattern.push(c);
                        if choice >> r & 1 == 1 {
                            pattern.push(c);
                        }
                        r += 1;
                    }
                }
            }
            if pattern.len() > MAX_TOKEN {
                continue;
            }
            let cuts = std::iter::once(0).chain(
                STEM_ENDINGS
                    .iter()
                    .filter(|end| pattern.ends_with(end.as_bytes()) && pattern.len() >= end.len() + 4)
                    .map(|end| end.len()),
            );
            for cut in cuts {
                let stem = &pattern[..pattern.len() - cut];
                let firsts = if stem[0] == ANY { b'a'..=b'z' } else { stem[0]..=stem[0] };
                for f in firsts {
                    for t in self.by_len.get(&(f, stem.len())).into_iter().flatten() {
                        // A term listed as a plural takes no other ending (`f***ing` is not `fags`).
                        if (cut == 0 || !t.ends_with('s'))
                            && t.bytes().zip(stem.iter()).all(|(a, &p)| p == ANY || p == a)
                        {
                            found(t);
                        }
                    }
                }
            }
        }
    }
}

/// Where `*` closes and opens words in the normalized `b`, found once per text on first use, so
/// [`Stars::emphasis`] is O(1) however many words a comment has.
#[derive(Default)]
struct Stars {
    /// The last `*` that ends a word, and the first that starts one.
    found: Option<(Option<usize>, Option<usize>)>,
}

impl Stars {
    /// True when the one `*` opening or closing the word at `start..end` of `b` is markdown
    /// emphasis or an action (`*hits blunt*`): a `*` after it ends a word, or one before it
    /// starts a word.
    fn emphasis(&mut self, word: &[Slot], b: &[u8], start: usize, end: usize) -> bool {
        let star = |s: Option<&Slot>| matches!(s, Some(Slot::Hidden { symbol: b'*', n: 1 }));
        let (head, tail) = (star(word.first()), star(word.last()));
        if !head && !tail {
            return false;
        }
        let (last_close, first_open) = *self.found.get_or_insert_with(|| {
            let closes = |i: usize| b[i] == b'*' && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
            let opens = |i: usize| b[i] == b'*' && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
            ((0..b.len()).rev().find(|&i| closes(i)), (0..b.len()).find(|&i| opens(i)))
        });
        (head && last_close.is_some_and(|i| i >= end)) || (tail && first_open.is_some_and(|i| i < start))
    }
}

/// The symbol of a hidden slot (0 for any other).
fn symbol_of(s: &Slot) -> u8 {
    if let Slot::Hidden { symbol, .. } = s {
        *symbol
    } else {
        0
    }
}

/// The letters typed as such next to a symbol: the end of `slots` (`from_end`) or its start,
/// up to the next hidden letter.
fn letters_around(slots: &[Slot], from_end: bool) -> String {
    let letter = |s: &Slot| match *s {
        Slot::Letter(c) | Slot::Run(c) => Some(c as char),
        Slot::Hidden { .. } => None,
    };
    if from_end {
        let mut v: Vec<char> = slots.iter().rev().map_while(letter).collect();
        v.reverse();
        v.into_iter().collect()
    } else {
        slots.iter().map_while(letter).collect()
    }
}
