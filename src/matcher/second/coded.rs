//! Round 15's readings of words written in a code ([`super`]):
//!
//! - **pig latin** (`uckfay ouyay`, `itchbay`, `assway`): a word of letters ending in `ay`, not
//!   in the dictionary, whose onset moved back (one to three consonants before the `ay`, the
//!   longest that makes a word first) or, for a word opening with a vowel, whose `way`, `yay`
//!   or `hay` dropped, is an English word: that word (`itshay` is `shit`, not `hits`). A word
//!   of another language ending in `ay` (`bahay`, `kolay`) makes no English word so;
//! - **`unalive`**, the word a platform's own filter taught for `kill` (`i'll unalive you`):
//!   read as `kill` (`unalived` `killed`, `unaliving` `killing`), so the sentence judges as
//!   the plain one; talk about the word (`they say unalive`) makes no pattern;
//! - **`yourself` misspelled** (`yourslef`, `youself`, `yurself`, `urslf`, `yrslf`): a word of
//!   five to ten letters, not in the dictionary, one edit (a letter changed, added, dropped
//!   or two swapped) from `yourself` or `urself`, or either without some of its vowels, is
//!   `yourself` (the wish patterns read `kill yourself`, never the word alone).
//!
//! A comment pays one pass over its `y`s and `u`s (a byte search): a word opening with one is
//! measured (most are short: `you`, `up`), one ending in `ay` looked up.

use super::marked::letter;
use super::{dictionary, Edit};

/// Most letters of a pig-latin word read.
const MAX_PIG: usize = 16;

/// The vowels (a `y` opening a word's onset is a consonant: `ouyay` is `you`).
fn vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether `w` is in the dictionary, and then whether it is English (not only a name). One call
/// site for round 15's lookups: more sites of the dictionary's `get` had the compiler stop
/// inlining it into the fuzzy pass (+0.3 % of the judging instructions).
#[inline(never)]
pub(super) fn lookup(w: &[u8]) -> Option<bool> {
    std::str::from_utf8(w).ok().and_then(|w| dictionary().get(w).copied())
}

/// An English word of the dictionary (not only a name).
fn english(w: &[u8]) -> bool {
    lookup(w) == Some(true)
}

/// All of round 15's coded words (see the module's note): one pass over the `y`s and `u`s.
pub(super) fn coded(b: &[u8], edits: &mut Vec<Edit>) {
    for p in memchr::memchr2_iter(b'y', b'u', b).chain(memchr::memchr2_iter(b'Y', b'U', b)) {
        if p == 0 || !b[p - 1].is_ascii_alphanumeric() {
            // A word opening with `u` or `y`: `unalive`, `yourself` misspelled.
            if b.get(p + 1..p + 6).is_some_and(|w| w.eq_ignore_ascii_case(b"naliv")) {
                unalive(b, p + 1, edits);
            } else {
                yourself(b, p, edits);
            }
        } else if b[p - 1] | 0x20 == b'a' && b[p] | 0x20 == b'y' && !b.get(p + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            pig_latin(b, p - 1, edits);
        }
    }
}

/// The pig-latin word ending with the `ay` at `p` (`uckfay`).
fn pig_latin(b: &[u8], p: usize, edits: &mut Vec<Edit>) {
    if b.get(p + 2).is_some_and(u8::is_ascii_alphanumeric) {
        return;
    }
    let s = p - b[..p].iter().rev().take(MAX_PIG).take_while(|c| c.is_ascii_alphabetic()).count();
    let stem_len = p - s;
    if !(3..MAX_PIG).contains(&stem_len) || s.checked_sub(1).is_some_and(|q| b[q].is_ascii_alphanumeric()) {
        return;
    }
    // Lowercase (`UCKFAY` too; `Uckfay` opens a sentence).
    let mut w = [0u8; MAX_PIG + 2];
    for (k, &c) in b[s..p + 2].iter().enumerate() {
        w[k] = c.to_ascii_lowercase();
    }
    if lookup(&w[..stem_len + 2]).is_some() {
        return;
    }
    let stem = &w[..stem_len];
    let mut read = [0u8; MAX_PIG];
    // The onset moved back: the longest run of one to three consonants that makes a word.
    let onset = (1..=3.min(stem_len - 1)).rev().find(|&n| {
        let (rest, moved) = stem.split_at(stem_len - n);
        if moved.iter().any(|&c| vowel(c) || !c.is_ascii_alphabetic()) || !rest.first().copied().is_some_and(vowel) {
            return false;
        }
        read[..n].copy_from_slice(moved);
        read[n..stem_len].copy_from_slice(rest);
        english(&read[..stem_len])
    });
    let word = if onset.is_some() {
        read
    } else if matches!(stem[stem_len - 1], b'w' | b'y' | b'h') && vowel(stem[0]) && english(&stem[..stem_len - 1]) {
        read[..stem_len - 1].copy_from_slice(&stem[..stem_len - 1]);
        read[stem_len - 1] = 0;
        read
    } else {
        return;
    };
    // Written back a letter over each letter typed (the bytes stay where they were typed), the
    // rest of the word dropped.
    for (k, &c) in word[..stem_len].iter().enumerate() {
        let with = if c == 0 { "" } else { letter(c) };
        edits.push((s + k, s + k + 1, with));
    }
    edits.push((p, p + 2, ""));
}

/// `unalive` for `kill` (`p` at its `naliv`).
fn unalive(b: &[u8], p: usize, edits: &mut Vec<Edit>) {
    let Some(s) = p.checked_sub(1) else { return };
    if !matches!(b[s], b'u' | b'U') || s.checked_sub(1).is_some_and(|q| b[q].is_ascii_alphanumeric()) {
        return;
    }
    let end = p + 5 + b[p + 5..].iter().take(4).take_while(|c| c.is_ascii_alphabetic()).count();
    if b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return;
    }
    let with = match b[p + 5..end].to_ascii_lowercase().as_slice() {
        b"e" => "kill",
        b"es" => "kills",
        b"ed" => "killed",
        b"ing" => "killing",
        _ => return,
    };
    edits.push((s, end, with));
}

/// The spellings read as `yourself`, and the shortest word looked at.
const SELF: [&[u8]; 2] = [b"yourself", b"urself"];

/// `yourself` misspelled (`yourslef`, `urslf`): the word opening at `p`.
fn yourself(b: &[u8], p: usize, edits: &mut Vec<Edit>) {
    let len = b[p..].iter().take(11).take_while(|c| c.is_ascii_alphabetic()).count();
    if !(5..=10).contains(&len) || b.get(p + len).is_some_and(u8::is_ascii_alphanumeric) {
        return;
    }
    let mut w = [0u8; 10];
    for (k, &c) in b[p..p + len].iter().enumerate() {
        w[k] = c.to_ascii_lowercase();
    }
    let t = &w[..len];
    if SELF.contains(&t) || !SELF.iter().any(|&x| one_edit(t, x) || vowels_dropped(t, x)) {
        return;
    }
    if lookup(t).is_some() {
        return;
    }
    edits.push((p, p + len, "yourself"));
}

/// `t` is `x` with one letter changed, added or dropped, or two beside each other swapped.
fn one_edit(t: &[u8], x: &[u8]) -> bool {
    let pre = t.iter().zip(x).take_while(|(a, b)| a == b).count();
    let (t, x) = (&t[pre..], &x[pre..]);
    if t.is_empty() || x.is_empty() {
        return t.len() + x.len() == 1;
    }
    match t.len() as isize - x.len() as isize {
        0 => t[1..] == x[1..] || (t.len() >= 2 && t[0] == x[1] && t[1] == x[0] && t[2..] == x[2..]),
        1 => t[1..] == *x,
        -1 => *t == x[1..],
        _ => false,
    }
}

/// `t` is `x` without some of its vowels (one at least), five letters at least.
fn vowels_dropped(t: &[u8], x: &[u8]) -> bool {
    if t.len() >= x.len() || t.len() < 5 {
        return false;
    }
    let mut k = 0;
    for &c in x {
        if k < t.len() && t[k] == c {
            k += 1;
        } else if !vowel(c) {
            return false;
        }
    }
    k == t.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> String {
        let mut edits = Vec::new();
        coded(body.as_bytes(), &mut edits);
        super::super::applied(body, edits)
    }

    #[test]
    fn coded_words_are_read() {
        assert_eq!(read("uckfay ouyay"), "fuck you");
        assert_eq!(read("itshay, itchbay"), "shit, bitch");
        assert_eq!(read("assway"), "ass");
        assert_eq!(read("i'll unalive you, UNALIVED"), "i'll kill you, killed");
        assert_eq!(read("kill yourslef, kill youself, kill urslf"), "kill yourself, kill yourself, kill yourself");
    }

    #[test]
    fn ordinary_words_are_kept() {
        for text in [
            "today we play okay, Murray and Mackay, bahay kolay",
            "unalivened unaliveness, yourself urself yourselves Yousef",
            "your selfie, you're, yours truly",
        ] {
            assert_eq!(read(text), text, "{text}");
        }
    }
}
