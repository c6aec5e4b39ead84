//! The ASCII fast path's test: whether a body needs the full normalizer at all. Nearly half of
//! all comments are plain ASCII that the full path would only lowercase; for those the text is
//! the lowercase body and the offset map the identity ([`super::Normalizer`] decides with
//! [`plain`]).

use super::words;

/// What the ASCII fast path's test found (see [`plain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// The full normalizer is needed.
    No,
    /// The full normalizer would only lowercase the body.
    Lower,
    /// It would also replace bytes one for one: every `@` read as `a` (mentions: `@user` →
    /// `auser`), every newline as a space.
    Replace,
}

/// The ASCII fast path's test: whether the full normalizer would only lowercase `body` (and,
/// with `leet`, read a mention's `@` as `a`), byte for byte, so that the offset map is the
/// identity.
///
/// One pass over the bytes, conservative on purpose (a `No` only costs the full path, while
/// a wrong answer changes a verdict). It accepts a body only when every byte is one the full
/// normalizer provably leaves alone apart from lowercasing, in a place where no context rule
/// applies:
///
/// - ASCII letters, but never three identical ones in a row (stretching), nor `vv` with
///   `leet` (read as a `w`);
/// - single spaces or newlines (whitespace runs collapse; a newline becomes a space, one byte
///   for one; tabs and carriage returns go to the full path);
/// - a run of `!` after a word of two letters or more, before a space, the end of the body or
///   [`PLAIN_PUNCT`]: the full path treats a `!` at a token's edge as punctuation;
/// - [`PLAIN_PUNCT`], a short allowlist of punctuation that is neither a leet symbol, a mask,
///   an entity or tag start, nor an apostrophe look-alike;
/// - with `leet`, an `@` at the start of the body or after a space or newline, before a letter: a
///   token with a letter, no digit and the `@` at its start is leetspeak, so the full path
///   writes `a` (`@user` → `auser`, one byte for one); the `@` counts as that letter for the
///   stretching rule (`@aab` folds to `ab`, so it is refused);
/// - a `#` at the start of the body or after a space or newline, before a letter (a hashtag):
///   the full path emits a token's leading symbols other than `@` and `$` as punctuation,
///   unchanged, and reads the word after it as a word of its own;
/// - a number of digits only, at the start of the body or after a space or newline, ended by the
///   end, a space, a newline, `,` or `?`: a token with no letter is never folded (`2`, `1000`);
///   a letter right after it (`4get`, `1st`), a digit after a letter (`h3llo`) and any other
///   end (`1.5`, `2-face`, `10!`) go to the full path. A number counts as a word of its
///   length for the rule below, so a lone digit is a one-letter word (`f 4 g`);
/// - and no two one-letter words with only joiners (the separators of spelled-out words,
///   [`words::is_joiner_byte`]) between them, however many: the start of a possible
///   spelled-out word, `f.u.c.k` or `a s s`;
/// - no `II` after a lowercase letter (`heII`: `ll`) and no word of three capitalized words run together
///   (`UAreAnIdiot`), which the full path reads apart ([`words`]).
///
/// Everything else (other digits, any other `@`, `#` or `!`, `$ * % ( & <`, a backtick, tabs and other
/// control bytes, non-ASCII) goes to the full path. `tests/speed.rs` proves the two paths equal on arbitrary
/// ASCII, on generated prose with mentions and on every shipped fixture, so a later change to
/// the full normalizer that breaks the promise fails there.
pub(crate) fn plain(body: &str, leet: bool) -> Plain {
    let b = body.as_bytes();
    let mut prev = 0u8;
    // Capitalized words started inside the current word (`words::case`'s count), and whether
    // a capital inside it starts none (then it is not split).
    let mut camel = 0usize;
    let mut not_camel = false;
    // Whether the word of letters `w` may be split as CamelCase: checked at a word's end, and
    // only then scanned for three lowercase letters in a row (rare: most words have no capital
    // inside).
    let camel_word = |w: &[u8]| w.windows(3).any(|t| t.iter().all(u8::is_ascii_lowercase));
    // The letter the previous byte reads as (an `@` reads `a`); 0 after a non-letter.
    let mut prev_letter = 0u8;
    // Length of the current run of letters, and of identical letters.
    let mut word = 0usize;
    let mut same = 0usize;
    // A one-letter word ended and no longer word came since.
    let mut single = false;
    let mut mentions = false;
    let mut newlines = false;
    // In a number that started a token (see above).
    let mut number = false;
    for (i, &c) in b.iter().enumerate() {
        let letter = if c.is_ascii_alphabetic() {
            c | 0x20
        } else if c == b'@'
            && leet
            && (prev == 0 || is_space(prev))
            && b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
        {
            mentions = true;
            b'a'
        } else {
            0
        };
        if letter != 0 {
            // `4get`, `1st`: leet or a quantity, the full path decides.
            if number {
                return Plain::No;
            }
            // Capitals inside a word are rare: one range check keeps them off a lowercase
            // letter's path.
            if word > 0 && c.is_ascii_uppercase() {
                // `II` after a lowercase letter may be `ll` (`words::Words::caps_ll`): the full
                // path decides.
                if c == b'I' && prev == b'I' && word >= 2 && b[i - 2].is_ascii_lowercase() {
                    return Plain::No;
                }
                // CamelCase the full path splits (`words::case`), decided at the word's end: a
                // capital inside a word starts a word after a lowercase letter, or before one
                // after a capital (`IHate`), as there; any other capital inside (`HTTPServer`,
                // `aBCd`) means no split.
                let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                let ii = c == b'I' && (prev == b'I' || b.get(i + 1) == Some(&b'I'));
                if !ii && (prev.is_ascii_lowercase() || prev.is_ascii_uppercase() && next_lower) {
                    camel += 1;
                } else {
                    not_camel = true;
                }
            }
            // `vv` may be a `w` (`words::Words::double_v`): the full path decides.
            if leet && letter == b'v' && word > 0 && prev_letter == b'v' {
                return Plain::No;
            }
            same = if word > 0 && prev_letter == letter { same + 1 } else { 1 };
            if same >= 3 {
                return Plain::No;
            }
            word += 1;
        } else if c.is_ascii_digit() {
            if !(number || (word == 0 && (prev == 0 || is_space(prev)))) {
                return Plain::No;
            }
            number = true;
            word += 1;
            same = 0;
        } else {
            if camel >= 2 && !not_camel && camel_word(&b[i - word..i]) {
                return Plain::No;
            }
            if number && !matches!(c, b' ' | b'\n' | b',' | b'?') {
                return Plain::No;
            }
            number = false;
            if c == b'!' {
                // `wow!`, `no!!!`: a run of `!` closing a word of two letters or more, before a
                // space, the end or plain punctuation, is punctuation at the token's edge (`f!ck`,
                // `omg!!1` and `u!` are not).
                let after = b.get(i + 1).copied();
                let closes = after.map_or(true, |n| n == b'!' || n == b' ' || PLAIN_PUNCT.contains(&n));
                if !(closes && (word >= 2 || prev == b'!')) {
                    return Plain::No;
                }
            } else if !(is_space(c) && !is_space(prev)
                || PLAIN_PUNCT.contains(&c)
                || c == b'#' && (prev == 0 || is_space(prev)) && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
            {
                return Plain::No;
            }
            newlines |= c == b'\n';
            // `w.ank`: a one-letter word split off by `.` may be joined to what follows.
            if c == b'.' && word == 1 {
                return Plain::No;
            }
            if word == 1 {
                if single {
                    return Plain::No;
                }
                single = true;
            } else if word > 1 {
                single = false;
            }
            if !(words::is_joiner_byte(c) || c == b'\n') {
                // Only joiners make a run: `a, b` is two letters, not a word.
                single = false;
            }
            word = 0;
            same = 0;
            camel = 0;
            not_camel = false;
        }
        prev = c;
        prev_letter = letter;
    }
    if word == 1 && single || camel >= 2 && !not_camel && camel_word(&b[b.len() - word..]) {
        Plain::No
    } else if mentions || newlines {
        Plain::Replace
    } else {
        Plain::Lower
    }
}

/// A single space or newline (a run of them collapses, which the fast path leaves to the full
/// path; a newline alone becomes one space, byte for byte).
#[inline]
fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\n'
}

/// Punctuation the fast path accepts (see [`is_plain`]).
const PLAIN_PUNCT: &[u8] = b".,'\"?:;-";
