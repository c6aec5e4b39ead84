//! Round 15's readings of marks typed inside a word ([`super`]):
//!
//! - **markdown emphasis inside a word** (`f**u**ck`, `**f**uck`, `f__u__ck`, `sh~~i~~t`): a
//!   page shows the letters only, in bold, italic or struck. Runs of `*`, `_` or `~` (`*` two
//!   or three, one is a mask the normalizer reads; `~` one to three) in a token of letters, in pairs of the same
//!   run, one of them between two letters, are dropped (a word in bold, `**bold**`, has none
//!   between letters and is left);
//! - **a bracket pair around letters glued to a word** (`f[u]ck`, `c(u)nt`, `kill your[self]`):
//!   the brackets are dropped, so the word is read whole (`friend(s)`, `(s)he`, `arr[i]` read
//!   `friends`, `she`, `arri`: no term);
//! - **single letters joined by commas or semicolons** (`f,u,c,k`, `c;u;n;t`): the normalizer
//!   joins letters split by `.` `-` `_`, not by list punctuation; here three letters or more,
//!   each alone, the same mark between each two and no space, are read joined (`x,y,z` reads
//!   `xyz`: no term);
//! - **symbols for letters** the normalizer keeps: `§` for `s`, `∑` for `e`, `¢` opening a word
//!   for `c` (`¢unt`; inside a word it is read already), and the Cyrillic `Я` for `r`
//!   (`fuЯk`), each glued to an ASCII letter in a token with two ASCII letters at least: a
//!   price (`50¢`), a section (`§ 3`, `§12a`) or a Russian word (`Я`, `ЯНДЕКС`) has none;
//! - **a vertical bar drawn with another character beside an `l`** (`k│ll`): `i` where the
//!   word so read is English, else `l`; between letters only (a table's `│ a │` is left);
//!
//! A comment pays byte searches for `*`, `_`, `~`, the brackets, `,` and `;` and, when it
//! is not ASCII, one for each lead byte of the symbols; a token with one of them is looked at.

use super::coded::lookup;
use super::{Edit, MAX_TOKEN};

/// ASCII letters, each a `&'static str` slice for an edit's replacement.
const ALPHA: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The replacement that is the ASCII letter `c` itself.
pub(super) fn letter(c: u8) -> &'static str {
    let i = if c.is_ascii_uppercase() { c - b'A' } else { c - b'a' + 26 } as usize;
    &ALPHA[i..i + 1]
}

/// Byte `k` of `b` is an ASCII letter.
fn letter_at(b: &[u8], k: Option<usize>) -> bool {
    k.and_then(|k| b.get(k)).is_some_and(u8::is_ascii_alphabetic)
}

/// The token of `b` around byte `p`: the run of bytes that are not ASCII whitespace.
fn token(b: &[u8], p: usize) -> (usize, usize) {
    let s = b[..p].iter().rposition(u8::is_ascii_whitespace).map_or(0, |k| k + 1);
    let e = b[p..].iter().position(u8::is_ascii_whitespace).map_or(b.len(), |k| p + k);
    (s, e)
}

/// All of round 15's mark readings (see the module's note).
pub(super) fn marked(body: &str, edits: &mut Vec<Edit>) {
    let b = body.as_bytes();
    if memchr::memchr3(b'*', b'_', b'~', b).is_some() {
        emphasis(b, edits);
    }
    if memchr::memchr3(b'(', b'[', b'{', b).is_some() {
        brackets(b, edits);
    }
    if memchr::memchr2(b',', b';', b).is_some() {
        listed_letters(b, edits);
    }
    if !body.is_ascii() && (memchr::memchr3(0xC2, 0xD0, 0xD1, b).is_some() || memchr::memchr2(0xE2, 0xEF, b).is_some())
    {
        symbols(body, edits);
    }
}

/// Markdown emphasis typed inside a word (`f**u**ck`).
fn emphasis(b: &[u8], edits: &mut Vec<Edit>) {
    let mark = |c: u8| matches!(c, b'*' | b'_' | b'~');
    let mut done = 0;
    for p in memchr::memchr3_iter(b'*', b'_', b'~', b) {
        if p < done {
            continue;
        }
        let (s, e) = token(b, p);
        done = e;
        let t = &b[s..e];
        // Letters and marks only (an edge of sentence punctuation allowed), three letters.
        let word = |c: &u8| c.is_ascii_alphabetic() || mark(*c);
        let Some(from) = t.iter().position(word) else { continue };
        let core = t.iter().rposition(word).map_or(0, |k| k + 1);
        let (s, t) = (s + from, &t[from..core]);
        if t.len() > 64
            || t.iter().any(|&c| !c.is_ascii_alphabetic() && !mark(c))
            || t.iter().filter(|c| c.is_ascii_alphabetic()).count() < 3
        {
            continue;
        }
        // The runs of marks: (start, end) in the token.
        let mut runs = [(0usize, 0usize); 8];
        let (mut n, mut k) = (0, 0);
        while k < t.len() {
            if !mark(t[k]) {
                k += 1;
                continue;
            }
            let r = k;
            while k < t.len() && t[k] == t[r] {
                k += 1;
            }
            if n == runs.len() {
                n += 1;
                break;
            }
            runs[n] = (r, k);
            n += 1;
        }
        if n < 2 || n > runs.len() || n % 2 == 1 {
            continue;
        }
        // Pairs of the same run (`**`..`**`), one `*` being a mask; one run inside the word.
        let same = runs[..n].chunks(2).all(|w| t[w[0].0..w[0].1] == t[w[1].0..w[1].1]);
        let sized = runs[..n].iter().all(|&(r, q)| {
            let len = q - r;
            len <= 3 && (t[r] == b'~' || len >= 2)
        });
        let inside = runs[..n].iter().any(|&(r, q)| letter_at(t, r.checked_sub(1)) && letter_at(t, Some(q)));
        if !(same && sized && inside) {
            continue;
        }
        for &(r, q) in &runs[..n] {
            edits.push((s + r, s + q, ""));
        }
    }
}

/// A bracket pair around one to six letters glued to a word (`f[u]ck`), four letters in all
/// (`f(x)` is a function).
fn brackets(b: &[u8], edits: &mut Vec<Edit>) {
    for p in memchr::memchr3_iter(b'(', b'[', b'{', b) {
        let close = match b[p] {
            b'(' => b')',
            b'[' => b']',
            _ => b'}',
        };
        let inner = b[p + 1..].iter().take(7).take_while(|c| c.is_ascii_alphabetic()).count();
        let q = p + 1 + inner;
        if !(1..=6).contains(&inner) || b.get(q) != Some(&close) {
            continue;
        }
        let before = b[..p].iter().rev().take(4).take_while(|c| c.is_ascii_alphabetic()).count();
        let after = b[q + 1..].iter().take(4).take_while(|c| c.is_ascii_alphabetic()).count();
        if (before > 0 || after > 0) && before + inner + after >= 4 {
            edits.push((p, p + 1, ""));
            edits.push((q, q + 1, ""));
        }
    }
}

/// Three single letters or more joined by the same `,` or `;` (`f,u,c,k`).
fn listed_letters(b: &[u8], edits: &mut Vec<Edit>) {
    let mut done = 0;
    for p in memchr::memchr2_iter(b',', b';', b) {
        if p < done || p == 0 || !b[p - 1].is_ascii_alphabetic() || (p >= 2 && b[p - 2].is_ascii_alphanumeric()) {
            continue;
        }
        // From the letter before `p`: letter, mark, letter, mark, ... letter.
        let sep = b[p];
        let mut k = p;
        let mut letters = 1;
        while k + 1 < b.len() && b[k] == sep && b[k + 1].is_ascii_alphabetic() && !letter_at(b, Some(k + 2)) {
            letters += 1;
            k += 2;
        }
        done = k;
        if letters < 3 || b.get(k).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        for m in (p..k).step_by(2) {
            edits.push((m, m + 1, ""));
        }
    }
}

/// The letter a symbol glued to an ASCII letter stands for (`§hit`, `¢unt`, `fuЯk`).
fn symbols(body: &str, edits: &mut Vec<Edit>) {
    let b = body.as_bytes();
    for (p, c) in body.char_indices() {
        let with = match c {
            '\u{A7}' => "s",
            '\u{2211}' => "e",
            '\u{A2}' => "c",
            '\u{42F}' | '\u{44F}' => "r",
            '\u{2502}' | '\u{2503}' | '\u{2223}' | '\u{2758}' | '\u{FFE8}' | '\u{23AE}' | '\u{23D0}' | '\u{FE31}' => {
                bar(b, p, p + c.len_utf8(), edits);
                continue;
            }
            _ => continue,
        };
        let e = p + c.len_utf8();
        let (before, after) = (letter_at(b, p.checked_sub(1)), letter_at(b, Some(e)));
        // `¢` inside a word is the normalizer's already; opening one, it needs a letter after.
        let glued = if c == '\u{A2}' { after && !before } else { after || before };
        if !glued {
            continue;
        }
        let (s, t) = token(b, p);
        if b[s..t].iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2 {
            edits.push((p, e, with));
        }
    }
}

/// A vertical bar drawn with another character (`│`, `∣`, `❘`...) between ASCII letters and
/// beside an `l` (`k│ll`): the normalizer reads such a bar alone (`sh│t`) but keeps it as typed
/// beside an `l`. Read `i` when the word so read is English (`kill`), else `l` (`he│l`).
fn bar(b: &[u8], p: usize, e: usize, edits: &mut Vec<Edit>) {
    let left = b[..p].iter().rev().take(MAX_TOKEN).take_while(|c| c.is_ascii_alphabetic()).count();
    let right = b[e..].iter().take(MAX_TOKEN).take_while(|c| c.is_ascii_alphabetic()).count();
    let beside_l =
        b[p - left.min(1)..p].eq_ignore_ascii_case(b"l") || b[e..e + right.min(1)].eq_ignore_ascii_case(b"l");
    if left == 0 || right == 0 || left + right + 1 > MAX_TOKEN || !beside_l {
        return;
    }
    let mut w = [0u8; MAX_TOKEN];
    for (k, &c) in b[p - left..p].iter().chain(b"i").chain(&b[e..e + right]).enumerate() {
        w[k] = c.to_ascii_lowercase();
    }
    edits.push((p, e, if lookup(&w[..left + right + 1]) == Some(true) { "i" } else { "l" }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> String {
        let mut edits = Vec::new();
        marked(body, &mut edits);
        super::super::applied(body, edits)
    }

    #[test]
    fn marks_inside_a_word_are_dropped() {
        assert_eq!(read("f**u**ck you"), "fuck you");
        assert_eq!(read("**f**uck f**uck**"), "fuck fuck");
        assert_eq!(read("f__u__ck, sh~~i~~t"), "fuck, shit");
        assert_eq!(read("f[u]ck c(u)nt your[self]"), "fuck cunt yourself");
        assert_eq!(read("f,u,c,k and c;u;n;t"), "fuck and cunt");
        assert_eq!(read("\u{A7}hit \u{A2}unt fu\u{42F}k"), "shit cunt furk");
        assert_eq!(read("k\u{2502}ll he\u{2223}l"), "kill hell");
    }

    #[test]
    fn marks_of_ordinary_text_are_kept() {
        for text in [
            "**bold** and _italic_ and ~~struck~~",
            "snake_case_name and __init__",
            "f(x) = 2, see (a) and [1]",
            "x, y, z and 1,2,3 and ab,cd,ef",
            "50\u{A2} a piece, \u{A7} 3, \u{42F} \u{43B}\u{44E}\u{431}\u{43B}\u{44E}",
            "a*b*c and 2**10",
            "C# and #1 and &#35;",
        ] {
            assert_eq!(read(text), text, "{text}");
        }
    }
}
