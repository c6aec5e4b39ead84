//! Round 13's readings of the body as typed ([`super`]): `/\` and `\/` drawn for `a` and `v`,
//! a `+` joining two words, emoji standing for a noun, upside-down letters left in reading
//! order, and a stutter before a word. Each pushes `(start, end, replacement)` edits of the
//! body; a comment without their bytes pays a byte search each.

use super::{word_before, Edit};
use crate::normalize::turned;

/// The lowercase letters as replacements (a stutter is read as its word's first letter).
#[rustfmt::skip]
const LETTERS: [&str; 26] = [
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z",
];

/// The letter `c` (ASCII, either case) as a replacement.
fn letter(c: u8) -> Option<&'static str> {
    c.is_ascii_alphabetic().then(|| LETTERS[usize::from(c.to_ascii_lowercase() - b'a')])
}

/// `/\` drawn for an `a` and `\/` for a `v` beside letters (`/\sshole`, `\/ile`); not in a run
/// of slashes (`/\/\/\`, ASCII art) or beside a stroke (`|\|`, an `n`).
pub(super) fn slashes(b: &[u8], edits: &mut Vec<Edit>) {
    let slash = |c: Option<&u8>| c.is_some_and(|c| matches!(c, b'/' | b'\\' | b'|'));
    for p in memchr::memchr_iter(b'\\', b) {
        let (s, with) = match (p.checked_sub(1).map(|q| b[q]), b.get(p + 1)) {
            (Some(b'/'), _) => (p - 1, "a"),
            (_, Some(b'/')) => (p, "v"),
            _ => continue,
        };
        let e = s + 2;
        if slash(s.checked_sub(1).and_then(|q| b.get(q))) || slash(b.get(e)) {
            continue;
        }
        // Letters after it (two at least), or one letter on each side: a word drawn.
        let after = b[e..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let before = b[..s].iter().rev().take_while(|c| c.is_ascii_alphabetic()).count();
        if after >= 2 || (after >= 1 && before >= 1) {
            edits.push((s, e, with));
        }
    }
}

/// A `+` between two words of three letters or more (`kill+yourself`): a space. (The
/// normalizer reads a `+` as a `t`, `s+upid`; a hit counts only where it covers the `+`.)
pub(super) fn plus(b: &[u8], edits: &mut Vec<Edit>) {
    for p in memchr::memchr_iter(b'+', b) {
        let after = b[p + 1..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let before = b[..p].iter().rev().take_while(|c| c.is_ascii_alphabetic()).count();
        if after >= 3 && before >= 3 {
            edits.push((p, p + 1, " "));
        }
    }
}

/// Emoji that stand for a noun: the animal or the clown a person is called.
const NOUNS: &[(&str, &str, &str)] = &[
    ("\u{1F437}", "pig", "pigs"),
    ("\u{1F416}", "pig", "pigs"),
    ("\u{1F400}", "rat", "rats"),
    ("\u{1F412}", "monkey", "monkeys"),
    ("\u{1F435}", "monkey", "monkeys"),
    ("\u{1F98D}", "ape", "apes"),
    ("\u{1F921}", "clown", "clowns"),
];

/// Words after which a noun is read plural (`they are 🐒`).
const PLURAL_AFTER: &[&str] = &["are", "r", "all", "those", "these", "like", "them", "such"];

/// An emoji standing alone for a noun (`you 🐷`, `you are a 🤡`, `they are 🐒`) is the word, so
/// the sentence judges as the words do (`the 🐒 at the zoo` as `the monkey at the zoo`). Alone:
/// no letter or digit glued to it, one emoji, not a run (`🐷🐷🐷`).
pub(super) fn nouns(body: &str, edits: &mut Vec<Edit>) {
    let b = body.as_bytes();
    let apart = |c: Option<&u8>| c.map_or(true, |c| c.is_ascii() && !c.is_ascii_alphanumeric());
    let mut buf = [0u8; 12];
    for &(emoji, one, many) in NOUNS {
        for (s, _) in body.match_indices(emoji) {
            let mut e = s + emoji.len();
            // A variation selector after it (U+FE0F) is part of the emoji.
            if body[e..].starts_with('\u{FE0F}') {
                e += 3;
            }
            if apart(s.checked_sub(1).map(|q| &b[q])) && apart(b.get(e)) {
                let plural = PLURAL_AFTER.contains(&word_before(body, s, &mut buf));
                edits.push((s, e, if plural { many } else { one }));
            }
        }
    }
}

/// Dotless `ı`, which [`turned::upright`] leaves out (Turkish writes it upright), reads `i` in a
/// word with another turned letter.
const DOTLESS_I: char = '\u{131}';

/// Upside-down letters left in reading order (`ʞıll ʎonɹsǝlɟ`: each letter turned, the words
/// not reversed as a flip-text generator reverses them, which the normalizer reads): each word
/// of turned letters and letters that read either way up, with one turned letter at least, is
/// read upright in place.
pub(super) fn turned_words(body: &str, edits: &mut Vec<Edit>) {
    let mut start = 0;
    for word in body.split(|c: char| c.is_whitespace()) {
        let s = start;
        start += word.len() + 1;
        let mut any = false;
        let fits = word.chars().all(|c| {
            any |= turned::upright(c).is_some();
            turned::upright(c).is_some() || turned::turns(c).is_some() || c == DOTLESS_I || c.is_ascii_punctuation()
        });
        if !any || !fits {
            continue;
        }
        for (k, c) in word.char_indices() {
            let up = turned::upright(c).or_else(|| turned::turns(c)).or((c == DOTLESS_I).then_some('i'));
            if let Some(up) = up.filter(|&u| u != c) {
                if let Some(with) = u8::try_from(up).ok().and_then(letter) {
                    edits.push((s + k, s + k + c.len_utf8(), with));
                }
            }
        }
    }
}

/// Most letters of a stuttered piece (`st-st-stupid`).
const STUTTER: usize = 3;

/// A stutter before a word: the same one to three letters and a hyphen once or more, or one
/// letter and a space twice or more, before a word of three letters or more that starts with
/// them (`k-k-kill`, `st-st-stupid`, `k k kill`), is the word. The edit covers the stutter and
/// the word's first letter (a hit on the word then covers it). A comment pays a byte search for
/// `-` and a pass of two bytes a step for a letter repeated between two spaces ([`spaced_twice`]).
pub(super) fn stutter(b: &[u8], edits: &mut Vec<Edit>) {
    if spaced_twice(b) {
        stutter_at(b, memchr::memchr2_iter(b'-', b' ', b), edits);
    } else if memchr::memchr(b'-', b).is_some() {
        stutter_at(b, memchr::memchr_iter(b'-', b), edits);
    }
}

/// Whether `b` holds a letter, a space, the same letter and a space (`k k `).
fn spaced_twice(b: &[u8]) -> bool {
    crate::matcher::phrases::any_space_two_a_step(b, 3, |at| {
        at > 0
            && b.get(at + 2) == Some(&b' ')
            && b[at + 1].is_ascii_alphabetic()
            && b[at - 1].eq_ignore_ascii_case(&b[at + 1])
    })
}

/// [`stutter`] at the separators `at` (in order).
fn stutter_at(b: &[u8], at: impl Iterator<Item = usize>, edits: &mut Vec<Edit>) {
    let mut next = 0;
    for p in at {
        // `p` ends the first piece: letters from a word start (at most one more than a piece).
        let len = b[..p].iter().rev().take(STUTTER + 1).take_while(|c| c.is_ascii_alphabetic()).count();
        let s = p - len;
        if p < next || len == 0 || len > STUTTER || (s > 0 && !matches!(b[s - 1], b' ' | b'\n' | b'\t' | b'"' | b'(')) {
            continue;
        }
        let sep = b[p];
        if sep == b' ' && len > 1 {
            continue;
        }
        let piece = &b[s..p];
        let same = |q: usize| q + len <= b.len() && b[q..q + len].eq_ignore_ascii_case(piece);
        // More pieces, then the word.
        let (mut q, mut n) = (p + 1, 1);
        while same(q) && b.get(q + len) == Some(&sep) {
            q += len + 1;
            n += 1;
        }
        let word = b[q..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
        if n < if sep == b' ' { 2 } else { 1 } || word < 3 || word < len + 2 || !same(q) {
            continue;
        }
        if let Some(with) = letter(b[q]) {
            edits.push((s, q + 1, with));
            next = q + word;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(f: fn(&[u8], &mut Vec<Edit>), body: &str) -> Vec<Edit> {
        let mut out = Vec::new();
        f(body.as_bytes(), &mut out);
        out
    }

    #[test]
    fn drawn_slashes_and_stutters() {
        assert_eq!(edits(slashes, "you /\\sshole"), vec![(4, 6, "a")]);
        assert_eq!(edits(slashes, "\\/ile"), vec![(0, 2, "v")]);
        assert!(edits(slashes, "/\\/\\/\\ a /\\ b |\\|").is_empty());
        assert_eq!(edits(stutter, "k-k-kill you"), vec![(0, 5, "k")]);
        assert_eq!(edits(stutter, "k k kill you"), vec![(0, 5, "k")]);
        assert_eq!(edits(stutter, "st-st-stupid"), vec![(0, 7, "s")]);
        assert!(edits(stutter, "I-I-I know, a apple, t-shirt").is_empty());
        assert_eq!(edits(plus, "kill+yourself s+upid"), vec![(4, 5, " ")]);
    }
}
