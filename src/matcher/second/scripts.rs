//! Round 14's readings of the body as typed ([`super`]): letters and digits of scripts the
//! normalizer does not fold, read as the Latin letters or ASCII digits they are drawn as:
//!
//! - **look-alikes of Georgian and Ethiopic letters** (`იiუუer`: `ი` for `n`, `უ` and `ე` for
//!   `g`; `በነ` for `ni`), only in a token that also holds an ASCII letter: a word of those
//!   scripts alone is a word of its language, never bent into a term;
//! - **decimal digits of other scripts** (Arabic-Indic `١`, Persian `۱`, Devanagari `१`, Thai,
//!   Bengali...) glued to an ASCII letter (`sh١t`): the ASCII digit, which the normalizer then
//!   reads as leet; a number of those scripts alone (`٢٠٢٦`) stays a number;
//! - **Braille letters** (`⠋⠥⠉⠅`, the 26 cells of grade 1, in a run of cells);
//! - **`l3` and `13` drawn for `b`** at the start of a word (`l3itch`, as `|3itch` is read), unless
//!   the token read as leet is an English word (`l3ss`);
//! - **`&` for `a`** at the start of a word of lowercase letters (`&ss`); `R&B`, `AT&T`, `you & me`
//!   have none, nor has a character reference (`&ampx`, `&nbsp`: the browser shows those).
//!
//! A comment pays two byte searches (`3`, `&`) and one check (`is_ascii`, word at a time), and
//! when it is not ASCII one pass over its characters.

use super::{dictionary, Edit, MAX_TOKEN};

/// The lowercase letters as replacements.
#[rustfmt::skip]
const LETTERS: [&str; 26] = [
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z",
];

/// The ASCII digits as replacements.
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// The braille cells of grade 1's letters `a`..`z` (dots as bits of U+2800).
const BRAILLE: [u8; 26] = [
    0x01, 0x03, 0x09, 0x19, 0x11, 0x0B, 0x1B, 0x13, 0x0A, 0x1A, 0x05, 0x07, 0x0D, 0x1D, 0x15, 0x0F, 0x1F, 0x17, 0x0E,
    0x1E, 0x25, 0x27, 0x3A, 0x2D, 0x3D, 0x35,
];

/// The zeros of the decimal digits of other scripts (each followed by its 1..9).
const ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50,
    0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50,
    0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
];

/// The ASCII digit a decimal digit of another script stands for.
fn digit(c: char) -> Option<&'static str> {
    let u = c as u32;
    if u < 0x0660 || c.is_ascii() {
        return None;
    }
    ZEROS.iter().find(|&&z| (z..z + 10).contains(&u)).map(|&z| DIGITS[(u - z) as usize])
}

/// The Latin letter a Georgian or Ethiopic letter is drawn like (`ი` an `n`, `უ` a `g`); the
/// Georgian capitals (Mtavruli) as their small letters.
fn look_alike(c: char) -> Option<&'static str> {
    let u = c as u32;
    let u = if (0x1C90..=0x1CBF).contains(&u) { u - 0x1C90 + 0x10D0 } else { u };
    Some(match u {
        0x10D1 => "b", // ბ
        0x10D4 => "g", // ე
        0x10D8 => "n", // ი
        0x10DD => "m", // ო
        0x10E3 => "g", // უ
        0x10E7 => "y", // ყ
        0x10EB => "d", // ძ
        0x10EE => "b", // ხ
        0x10F0 => "h", // ჰ
        0x1200 => "u", // ሀ
        0x1220 => "w", // ሠ
        0x1260 => "n", // በ
        0x1290 => "i", // ነ
        0x12D0 => "o", // ዐ
        _ => return None,
    })
}

/// The letter a braille cell is, in every token.
fn always(c: char) -> Option<&'static str> {
    let u = c as u32;
    match u {
        0x2801..=0x283F => BRAILLE.iter().position(|&d| u32::from(d) == u - 0x2800).map(|i| LETTERS[i]),
        _ => None,
    }
}

/// Letters and digits of other scripts read as Latin ones (see the module's note).
pub(super) fn scripts(body: &str, edits: &mut Vec<Edit>) {
    let b = body.as_bytes();
    if memchr::memchr(b'3', b).is_some() {
        drawn_b(b, edits);
    }
    for p in memchr::memchr_iter(b'&', b) {
        // `&ss`: an `&` for the `a` at the start of a word of two letters or more; not a
        // character reference a browser decodes, even without its `;` (`&ampx` shows `&x`).
        let rest = b[p + 1..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        if rest >= 2
            && !p.checked_sub(1).is_some_and(|q| b[q].is_ascii_alphanumeric() || b[q] == b'&')
            && crate::normalize::entity::entity(&body[p..]).is_none()
        {
            edits.push((p, p + 1, "a"));
        }
    }
    if body.is_ascii() {
        return;
    }
    // Tokens: runs of alphanumeric characters and braille cells.
    let part = |c: char| c.is_alphanumeric() || ('\u{2801}'..='\u{283F}').contains(&c);
    let mut chars = body.char_indices().peekable();
    while let Some((s, c)) = chars.next() {
        if !part(c) {
            continue;
        }
        let mut e = s + c.len_utf8();
        let (mut latin, mut other) = (c.is_ascii_alphabetic(), !c.is_ascii());
        while let Some(&(i, d)) = chars.peek() {
            if !part(d) {
                break;
            }
            latin |= d.is_ascii_alphabetic();
            other |= !d.is_ascii();
            e = i + d.len_utf8();
            chars.next();
        }
        if !other {
            continue;
        }
        for (i, d) in body[s..e].char_indices() {
            let with = always(d).or_else(|| if latin { look_alike(d).or_else(|| digit(d)) } else { None });
            if let Some(with) = with {
                edits.push((s + i, s + i + d.len_utf8(), with));
            }
        }
    }
}

/// `l3` or `13` drawn for a `b` at the start of a word of letters (`l3itch`, `13itch`), unless
/// the word read as leet (`3` an `e`, `1` an `i`) is an English word (`l3ss`, `l3t`).
fn drawn_b(b: &[u8], edits: &mut Vec<Edit>) {
    for p in memchr::memchr_iter(b'3', b) {
        let Some(s) = p.checked_sub(1) else { continue };
        if !matches!(b[s], b'l' | b'1') || s.checked_sub(1).is_some_and(|q| b[q].is_ascii_alphanumeric()) {
            continue;
        }
        let rest = b[p + 1..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        if rest < 3 || rest + 2 > MAX_TOKEN || b.get(p + 1 + rest).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let mut read = [0u8; MAX_TOKEN];
        read[0] = if b[s] == b'l' { b'l' } else { b'i' };
        read[1] = b'e';
        read[2..rest + 2].copy_from_slice(&b[p + 1..p + 1 + rest]);
        if dictionary().contains_key(std::str::from_utf8(&read[..rest + 2]).unwrap_or("")) {
            continue;
        }
        edits.push((s, p + 1, "b"));
    }
}
