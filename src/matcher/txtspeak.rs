//! Txt-speak read into phrases: words written with a sound for letters, which the patterns read
//! again as the words they stand for ([`super::reread`]).
//!
//! - A digit `8` for the sound "ate" inside a word (`h8` hate, `h8ers` haters, `h8ful`): read
//!   only where the word is then one of `english.txt` (`sk8`, `l8r`, `gr8`, `m8` read `skate`,
//!   `later`, `grate`, `mate`, which no pattern wants), never a number (`8`, `a8`, `8ball`:
//!   `aate` and `ateball` are no words).
//! - `fk`, the f-word's two-letter shorthand, as a whole word: `go fk yourself` is `go fuck
//!   yourself` to the patterns. The word lists do not read it (they are not run on the second
//!   reading), so `fk` alone, a foreign key in a database comment, is what it was.
//!
//! - `2` and `4` as whole words between two words (`i want 2 kill u`, `go 2 hell`): `to` and
//!   `for`, as they sound. A number elsewhere (`2 of 10`, `page 4`) is a number.
//!
//! Only the patterns see these readings, so a phrase judges as the plain phrase does, never
//! more: `i h8 u` is allowed as `i hate u` is. A clean comment pays one byte search for `8`
//! and one for `fk`.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use super::fuzzy::dictionary;

/// Longest word read for an `8` (the dictionary's words are shorter).
const MAX_WORD: usize = 24;

/// Pushes `(start, end, reading)` for each txt-speak word of the normalized `text`, in order.
pub(super) fn readings(text: &str, out: &mut Vec<(usize, usize, String)>) {
    let b = text.as_bytes();
    static FK: OnceLock<Finder<'static>> = OnceLock::new();
    let eights = memchr::memchr(b'8', b).is_some();
    let numbers = memchr::memchr2(b'2', b'4', b).is_some();
    if !eights && !numbers && FK.get_or_init(|| Finder::new(b"fk")).find(b).is_none() {
        return;
    }
    let word = |c: &u8| c.is_ascii_alphanumeric() || !c.is_ascii();
    let mut i = 0;
    while i < b.len() {
        if !word(&b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word(&b[i]) {
            i += 1;
        }
        let w = &b[start..i];
        if w == b"fk" {
            out.push((start, i, "fuck".to_string()));
        } else if numbers && matches!(w, b"2" | b"4") && between_words(b, start, i) {
            out.push((start, i, if w == b"2" { "to" } else { "for" }.to_string()));
        } else if eights && w.len() <= MAX_WORD && w.contains(&b'8') {
            if let Some(r) = ate(w) {
                out.push((start, i, r));
            }
        }
    }
}

/// True when `start..end` of `b` stands between two words, one space apart (`want 2 kill`):
/// a `2` or `4` there is the word it sounds like; `2 of 10`, `4.5`, `page 2` are numbers.
fn between_words(b: &[u8], start: usize, end: usize) -> bool {
    start >= 2
        && b[start - 1] == b' '
        && b[start - 2].is_ascii_lowercase()
        && b.get(end) == Some(&b' ')
        && b.get(end + 1).is_some_and(u8::is_ascii_lowercase)
}

/// `w` with each `8` read as `ate` (`at` before an `e`), when that is an English word (or one with a plural `s`)
/// and `w` had a letter and no other digit.
fn ate(w: &[u8]) -> Option<String> {
    if !w.iter().all(|&c| c == b'8' || c.is_ascii_lowercase()) || !w.iter().any(u8::is_ascii_lowercase) {
        return None;
    }
    let mut r = String::with_capacity(w.len() + 4);
    for (k, &c) in w.iter().enumerate() {
        if c == b'8' {
            // Before an `e` the sound's own `e` is that one (`h8ers`, `l8er`).
            r.push_str(if w.get(k + 1) == Some(&b'e') { "at" } else { "ate" });
        } else {
            r.push(char::from(c));
        }
    }
    let english = |w: &str| dictionary().get(w).is_some_and(|&english| english);
    (english(&r) || r.strip_suffix('s').is_some_and(english)).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        readings(text, &mut out);
        out
    }

    #[test]
    fn an_eight_is_read_as_ate_only_into_english_words() {
        assert_eq!(read("i h8 u"), vec![(2, 4, "hate".to_string())]);
        assert_eq!(read("h8ers"), vec![(0, 5, "haters".to_string())]);
        assert_eq!(read("c u l8er"), vec![(4, 8, "later".to_string())]);
        assert!(read("8 of 10, the a8 and 8ball, 88").is_empty());
        assert_eq!(read("go fk yourself, fkk"), vec![(3, 5, "fuck".to_string())]);
        assert!(read("nothing here").is_empty());
    }
}
