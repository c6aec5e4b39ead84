//! Phrases written as one token or letter by letter, read again with their words for the
//! patterns ([`super::reread`]).
//!
//! The word lists read `you_are_an_idiot` and `Y O U  A R E  A N  I D I O T` for the term in
//! them (`idiot`), but a phrase pattern ("you are an {insult}") needs the words, and the
//! normalizer keeps a separator between words (it joins single letters only) and writes a run
//! of spaces once. Here:
//!
//! - **words joined by one separator** (`you_are_an_idiot`, `go-kill-yourself`,
//!   `you.are.an.idiot`): two words or more of letters joined by `_`, or three or more joined
//!   by the same `-` or `.` each time (two are a compound, `shut-up`, or a domain), are read
//!   with spaces;
//! - **letters spaced out** (`k i l l  y o u r s e l f`): a run of four single letters or more,
//!   with a wider gap typed between some of them, is read as the words the gaps part; with
//!   even gaps, as the letters run together split into words by the run-together splitter
//!   ([`super::compounds`]), when it splits.
//!
//! - **a long phrase run together** (`youareanidiot`, `gokillyourself`) that a word list read a
//!   term in, which keeps the run-together splitter away from it: split the same way.
//!
//! Only the patterns see these readings (the word lists have read the words already), and a
//! match counts only where it covers a word read here; so `kill_process` or `@killjoy_fan` is
//! what `kill process` is (nothing). A comment pays a byte search for `_`, `-` and `.` between
//! two letters and for a single letter between spaces.

use crate::normalize::offsets::OffsetMap;

/// Fewest single letters of a spaced-out run.
const MIN_LETTERS: usize = 4;
/// Most letters of a spaced-out run read (longer is not a phrase).
const MAX_LETTERS: usize = 40;

/// Pushes `(start, end, reading)` for each phrase of the normalized `text` written as one token
/// or spaced out; `map` maps `text` to the `body` typed; `split(letters, out)` writes the
/// run-together `letters` as words when they split.
pub(super) fn readings(
    text: &str,
    map: &OffsetMap,
    explained: &[(usize, usize)],
    split: impl Fn(&str, &mut String) -> bool,
    out: &mut Vec<(usize, usize, String)>,
) {
    joined(text, out);
    pairs(text, explained, out);
    spaced(text, map, &split, out);
    if !explained.is_empty() {
        long_tokens(text, explained, &split, out);
    }
}

/// Fewest letters of a run-together token read here: the splitter ([`super::compounds`]) reads
/// shorter ones, and leaves a token alone where a word list has read a term in it
/// (`youareanidiot` holds `idiot`), which a pattern should still read as a phrase.
const LONG_TOKEN: usize = 12;

/// Long run-together tokens a word list read a term in (`explained`: the automaton's hits,
/// sorted), split into words; the others are the splitter's own.
fn long_tokens(
    text: &str,
    explained: &[(usize, usize)],
    split: impl Fn(&str, &mut String) -> bool,
    out: &mut Vec<(usize, usize, String)>,
) {
    let b = text.as_bytes();
    let mut words = String::new();
    // The run of letters around each explained range, once (the ranges are sorted).
    let mut done = 0;
    for &(hs, he) in explained {
        if hs < done || he > b.len() || !b[hs..he].iter().all(u8::is_ascii_lowercase) {
            continue;
        }
        let s = b[..hs].iter().rposition(|c| !c.is_ascii_lowercase()).map_or(0, |p| p + 1);
        let e = b[he..].iter().position(|c| !c.is_ascii_lowercase()).map_or(b.len(), |p| he + p);
        done = e;
        if e - s >= LONG_TOKEN && !super::scan::glued(b, s, e, b"*'_@#") && split(&text[s..e], &mut words) {
            out.push((s, e, words.clone()));
        }
    }
}

/// Words joined by one separator.
fn joined(text: &str, out: &mut Vec<(usize, usize, String)>) {
    let b = text.as_bytes();
    let sep = |c: u8| matches!(c, b'_' | b'-' | b'.');
    // Only around a separator between two letters (a byte search finds them).
    let mut i = 0;
    for p in memchr::memchr3_iter(b'_', b'-', b'.', b) {
        if p < i || p == 0 || !b[p - 1].is_ascii_lowercase() || !b.get(p + 1).is_some_and(u8::is_ascii_lowercase) {
            continue;
        }
        // The chunk of letters and separators around it, starting at a letter after a
        // non-letter.
        let mut s = p;
        while s > 0 && (b[s - 1].is_ascii_lowercase() || sep(b[s - 1])) {
            s -= 1;
        }
        while s < p && !b[s].is_ascii_lowercase() {
            s += 1;
        }
        i = s;
        if s > 0 && b[s - 1].is_ascii_alphanumeric() {
            // Glued to a digit before it: a name or code; skip the chunk.
            while i < b.len() && (b[i].is_ascii_lowercase() || sep(b[i])) {
                i += 1;
            }
            continue;
        }
        while i < b.len() && (b[i].is_ascii_lowercase() || sep(b[i])) {
            i += 1;
        }
        let mut e = i;
        // A chunk glued to a digit, a mask or another script is a name or code.
        if b.get(e).is_some_and(|c| c.is_ascii_digit() || *c >= 0x80 || matches!(c, b'*' | b'@' | b'/')) {
            continue;
        }
        while e > s && sep(b[e - 1]) {
            e -= 1;
        }
        let chunk = &b[s..e];
        let Some(&kind) = chunk.iter().find(|&&c| sep(c)) else { continue };
        let parts = chunk.split(|&c| c == kind);
        let mut n = 0;
        let mut ok = true;
        for p in parts {
            ok &= !p.is_empty() && p.iter().all(u8::is_ascii_lowercase);
            n += 1;
        }
        // Two words joined by a hyphen or a dot are English's compounds (`shut-up`, `well-known`)
        // or a domain (`example.com`): three or more are a phrase; an underscore joins no English.
        if !ok || n < if kind == b'_' { 2 } else { 3 } {
            continue;
        }
        let reading: String = chunk.iter().map(|&c| if c == kind { ' ' } else { char::from(c) }).collect();
        out.push((s, e, reading));
    }
}

/// Words that make a pair joined by one hyphen or slash a phrase (`kill-yourself`, `f-off`),
/// beside a term a word list read (`stupid-idiot`).
const PAIR_WORDS: &[&[u8]] = &[b"you", b"u", b"ya", b"ur", b"yourself", b"urself", b"yourselves", b"off"];

/// Two words joined by one `-` or `/` (not a chain of three, [`joined`]'s; not glued to a
/// digit, a mask or another script) where one is the second person, `off`, or a term a word
/// list read (`explained`, sorted): read with a space. An ordinary compound (`well-known`,
/// `kill-switch`, `self-harm`, `shut-up` the participle) has no such word and is left alone.
fn pairs(text: &str, explained: &[(usize, usize)], out: &mut Vec<(usize, usize, String)>) {
    let b = text.as_bytes();
    let edge =
        |c: Option<&u8>| c.map_or(true, |c| !(c.is_ascii_alphanumeric() || *c >= 0x80 || b"-/_.*@'".contains(c)));
    for p in memchr::memchr2_iter(b'-', b'/', b) {
        if p == 0 || !b[p - 1].is_ascii_lowercase() || !b.get(p + 1).is_some_and(u8::is_ascii_lowercase) {
            continue;
        }
        let s = p - b[..p].iter().rev().take_while(|c| c.is_ascii_lowercase()).count();
        let e = p + 1 + b[p + 1..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        if !edge(s.checked_sub(1).map(|q| &b[q])) || !edge(b.get(e)) {
            continue;
        }
        // A term read in the word starts in it (the ranges are sorted by their start).
        let term = |from: usize, to: usize| {
            let i = explained.partition_point(|x| x.0 < from);
            explained.get(i).is_some_and(|x| x.0 < to)
        };
        let loaded = |from: usize, to: usize| PAIR_WORDS.contains(&&b[from..to]) || term(from, to);
        if loaded(s, p) || loaded(p + 1, e) {
            let mut reading = text[s..e].to_string();
            reading.replace_range(p - s..p - s + 1, " ");
            out.push((s, e, reading));
        }
    }
}

/// Whether `b` holds three spaces two bytes apart (as four single letters in a row do).
fn has_spaced_letters(b: &[u8]) -> bool {
    any_space_two_a_step(b, 5, |at| b.get(at + 2) == Some(&b' ') && b.get(at + 4) == Some(&b' '))
}

/// Whether `hit` holds at some space of `b`, looked for two bytes a step (one of each two
/// neighbours in a run of single letters between spaces is a space, so the gates that look for
/// such runs read half the bytes), up to `tail` bytes before the end.
pub(crate) fn any_space_two_a_step(b: &[u8], tail: usize, hit: impl Fn(usize) -> bool) -> bool {
    let mut k = 0;
    while k + tail.max(1) < b.len() {
        let at = if b[k] == b' ' {
            k
        } else if b[k + 1] == b' ' {
            k + 1
        } else {
            k += 2;
            continue;
        };
        if hit(at) {
            return true;
        }
        k += 2;
    }
    false
}

/// Letters spaced out, with wider gaps between words or split by the run-together splitter.
fn spaced(
    text: &str,
    map: &OffsetMap,
    split: impl Fn(&str, &mut String) -> bool,
    out: &mut Vec<(usize, usize, String)>,
) {
    let b = text.as_bytes();
    let single = |k: usize| {
        b[k].is_ascii_lowercase()
            && (k == 0 || b[k - 1] == b' ')
            && b.get(k + 1).map_or(true, |&c| c == b' ' || matches!(c, b'.' | b',' | b'!' | b'?'))
    };
    if !has_spaced_letters(b) {
        return;
    }
    let mut letters = String::new();
    let mut words = String::new();
    let mut k = 0;
    while k < b.len() {
        if !single(k) {
            k += 1;
            continue;
        }
        let s = k;
        letters.clear();
        words.clear();
        let mut gaps = false;
        let mut e = k;
        loop {
            letters.push(char::from(b[e]));
            words.push(char::from(b[e]));
            let next = e + 2;
            if b.get(e + 1) != Some(&b' ') || next >= b.len() || !single(next) || letters.len() >= MAX_LETTERS {
                break;
            }
            // The space between two letters typed wider (two spaces, a tab) parts two words.
            let typed = map.source_of(e + 1);
            if typed.end - typed.start > 1 {
                gaps = true;
                words.push(' ');
            }
            e = next;
        }
        k = e + 1;
        if letters.len() < MIN_LETTERS {
            continue;
        }
        if gaps || split(&letters, &mut words) {
            out.push((s, e + 1, words.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        joined(text, &mut out);
        out.into_iter().map(|(_, _, r)| r).collect()
    }

    #[test]
    fn words_joined_by_one_separator_are_read_with_spaces() {
        assert_eq!(read("you_are_an_idiot"), vec!["you are an idiot"]);
        assert_eq!(read("ok go-kill-yourself."), vec!["go kill yourself"]);
        assert_eq!(read("you.are.an.idiot"), vec!["you are an idiot"]);
        assert!(read("see example.com, e.g. this, v1_final, a_b-c").is_empty());
    }

    #[test]
    fn a_loaded_pair_is_read_with_a_space() {
        let read = |text: &str, explained: &[(usize, usize)]| {
            let mut out = Vec::new();
            pairs(text, explained, &mut out);
            out.into_iter().map(|(_, _, r)| r).collect::<Vec<_>>()
        };
        assert_eq!(read("go kill-yourself", &[]), vec!["kill yourself"]);
        assert_eq!(read("kill/yourself", &[]), vec!["kill yourself"]);
        assert_eq!(read("you stupid-idiot", &[(11, 16)]), vec!["stupid idiot"]);
        assert!(read("well-known kill-switch, shut-up, self-harm, and/or, a-b-you", &[]).is_empty());
    }
}
