//! A second reading of the body as typed, for the characters an evader types that the
//! normalizer reads one way only.
//!
//! The normalizer gives each leet symbol one letter (`1`, `|` and `!` are `i`), reads a symbol
//! with a space beside it as punctuation, and reads an emoji as no word. A reader sees more:
//!
//! - **a digit or a stroke for an `l`** (`ki11`, `kil1`, `s|ut`, `1oser`, `we11`) and a `9` for a
//!   `g` (`9ay`, `fa99ot`): a token of letters with such a character is read with every `1`, `|`
//!   and `!` as `l` (all of them, one reading, never 2^n), unless the token read with `i` is an
//!   English word (`1ll`, `w1ll`, `s1lly`, `k1ll` are `ill`, `will`, `silly`, `kill`: read as
//!   typed already), and every `9` as `g`;
//! - **a symbol split off by one space** (`< unt`, `fu <k`, `sh !t`): the space is dropped, so
//!   the normalizer reads `<unt`, `fu<k`, `sh!t` as it reads them typed together;
//! - **an emoji for a word**: a duck for the f-word glued to letters (`f🦆`, `🦆ing`) or before
//!   an object (`🦆 you`, `🦆 off`, not after an article: `the 🦆 in the pond`), and a knife
//!   for `stab` before an object (`i will 🔪 you`): the phrase then judges as the words do;
//!   the pistol, the bomb and the axe the same (`shoot`, `bomb`, `axe`);
//! - **round 13** ([`more`]): strokes mixed in a token (`k1l1`: the mix of `i` and `l` that is
//!   an English word), `/\` and `\/` drawn for `a` and `v`, a `+` joining two words, emoji
//!   for a noun (`you 🐷`, `they are 🐒`), upside-down letters left in reading order, and a
//!   stutter (`k-k-kill`).
//! - **round 15** ([`marked`], [`coded`]): markdown emphasis and brackets inside a word
//!   (`f**u**ck`, `c(u)nt`), letters joined by commas (`f,u,c,k`), `§` `∑` `¢` `Я` for
//!   letters, pig latin (`uckfay`), `unalive` for `kill`, `yourself` misspelled
//!   (`yourslef`), and a `|` beside an `l` read `i` (`k|ll`).
//!
//! The matcher scans this text as it scans the body, and a hit counts only where it covers a
//! character this reading changed (what the body's own reading found is not counted twice), its
//! span mapped back to the bytes typed. A comment without the bytes of a reading pays a few
//! SIMD byte searches; one with such a byte but no reading a pass over its words or the words
//! beside the symbol; only a comment with a reading is scanned again (linear: one more pass).

use std::ops::Range;

use super::fuzzy::dictionary;

mod coded;
mod marked;
mod more;
mod scripts;

/// An edit of the body: its bytes `start..end` read as the replacement.
type Edit = (usize, usize, &'static str);

/// `body` with `edits` (one pass's, not overlapping) applied: what a pass's unit tests compare.
#[cfg(test)]
fn applied(body: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_unstable_by_key(|e| e.0);
    let mut out = String::new();
    let mut at = 0;
    for (s, e, with) in edits {
        out.push_str(&body[at..s]);
        out.push_str(with);
        at = e;
    }
    out.push_str(&body[at..]);
    out
}

/// Longest token read with `l` for its strokes.
const MAX_TOKEN: usize = 24;

/// The duck (U+1F986).
const DUCK: &str = "\u{1F986}";

/// Emoji for a verb before an object: the kitchen knife, the pistol, the bomb, the axe.
const VERBS: &[(&str, &str)] =
    &[("\u{1F52A}", "stab"), ("\u{1F52B}", "shoot"), ("\u{1F4A3}", "bomb"), ("\u{1FA93}", "axe")];

/// Words an emoji verb takes as its object (`🦆 you`, `🔪 him`).
#[rustfmt::skip]
const OBJECTS: &[&str] = &[
    "you", "u", "ya", "yu", "yourself", "urself", "off", "him", "her", "them", "em", "me", "everyone", "everybody",
    "this", "that", "it", "all", "ur", "your",
];

/// Words after which an emoji is a thing named, not a verb (`the 🦆 in the pond`).
#[rustfmt::skip]
const ARTICLES: &[&str] = &["the", "a", "an", "this", "that", "my", "your", "his", "her", "our", "their", "its", "one"];

/// The second reading: its text and, per byte, the bytes of the body it stands for.
#[derive(Debug, Default)]
pub(super) struct Second {
    text: String,
    /// Per byte of `text`: the body's bytes of the character that produced it.
    from: Vec<(u32, u32)>,
    /// The body's byte ranges this reading changed, in order.
    changed: Vec<(u32, u32)>,
    /// Scratch: the edits found, `(start, end, replacement)` of the body, in order.
    edits: Vec<Edit>,
}

impl Second {
    /// The text of the reading.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// The body's span that `span` of [`Self::text`] stands for, when it covers a change.
    pub(super) fn original(&self, span: Range<usize>) -> Option<Range<usize>> {
        if span.start >= span.end || span.end > self.from.len() {
            return None;
        }
        let (s, e) = (self.from[span.start].0, self.from[span.end - 1].1);
        let i = self.changed.partition_point(|c| c.1 <= s);
        self.changed.get(i).is_some_and(|c| c.0 < e).then_some(s as usize..e as usize)
    }
}

/// Writes into `out` the second reading of `body`; false when there is none (nothing changed).
pub(super) fn reading(body: &str, out: &mut Second) -> bool {
    let b = body.as_bytes();
    out.edits.clear();
    // Each reading is looked for only where its bytes are (SIMD byte searches: a clean comment
    // pays a few of them).
    if memchr::memchr3(b'1', b'9', b'|', b).is_some()
        || memchr::memchr_iter(b'!', b).any(|p| b.get(p + 1).is_some_and(u8::is_ascii_lowercase))
    {
        strokes(b, &mut out.edits);
    }
    split_symbols(b, &mut out.edits);
    if memchr::memchr(0xF0, b).is_some() {
        emoji(body, &mut out.edits);
        more::nouns(body, &mut out.edits);
    }
    if memchr::memchr(b'\\', b).is_some() {
        more::slashes(b, &mut out.edits);
    }
    more::plus(b, &mut out.edits);
    if memchr::memchr3(0xC7, 0xC9, 0xCA, b).is_some() {
        more::turned_words(body, &mut out.edits);
    }
    more::stutter(b, &mut out.edits);
    scripts::scripts(body, &mut out.edits);
    marked::marked(body, &mut out.edits);
    coded::coded(b, &mut out.edits);
    if out.edits.is_empty() {
        return false;
    }
    // The longer of two edits at one place first (`13itch`: `b` for `13`, not `l` for `1`).
    out.edits.sort_unstable_by_key(|e| (e.0, std::cmp::Reverse(e.1)));
    out.text.clear();
    out.from.clear();
    out.changed.clear();
    let mut at = 0;
    for k in 0..out.edits.len() {
        let (s, e, with) = out.edits[k];
        if s < at {
            continue;
        }
        copy(body, at, s, out);
        out.text.push_str(with);
        out.from.extend(std::iter::repeat((s as u32, e as u32)).take(with.len()));
        out.changed.push((s as u32, e as u32));
        at = e;
    }
    copy(body, at, body.len(), out);
    true
}

/// Copies `body[s..e]` into the reading unchanged.
fn copy(body: &str, s: usize, e: usize, out: &mut Second) {
    out.text.push_str(&body[s..e]);
    for (i, c) in body[s..e].char_indices() {
        let r = ((s + i) as u32, (s + i + c.len_utf8()) as u32);
        out.from.extend(std::iter::repeat(r).take(c.len_utf8()));
    }
}

/// A character that may be a letter drawn: a stroke or a digit.
fn stroke(c: u8) -> bool {
    matches!(c, b'1' | b'|' | b'!' | b'9')
}

/// The letter a leet digit is read as in the `i` reading.
fn leet(c: u8) -> Option<u8> {
    Some(match c {
        b'0' => b'o',
        b'1' | b'|' | b'!' => b'i',
        b'3' => b'e',
        b'4' => b'a',
        b'5' => b's',
        b'7' => b't',
        b'9' => b'g',
        c if c.is_ascii_alphabetic() => c.to_ascii_lowercase(),
        _ => return None,
    })
}

/// Tokens of letters with a `1`, `|`, `!` (read as `l`) or a `9` (read as `g`).
fn strokes(b: &[u8], edits: &mut Vec<Edit>) {
    let part = |c: u8| c.is_ascii_alphanumeric() || c == b'|' || c == b'!';
    let mut i = 0;
    while i < b.len() {
        if !part(b[i]) {
            i += 1;
            continue;
        }
        let mut s = i;
        // A `!` before a capital ends a sentence typed without its space (`leftist!Thats`).
        while i < b.len() && part(b[i]) && !(b[i] == b'!' && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)) {
            i += 1;
        }
        i = i.max(s + 1);
        let mut e = i;
        // A `!` at an edge is punctuation (`wow!`, `!important`).
        while s < e && b[s] == b'!' {
            s += 1;
        }
        while e > s && b[e - 1] == b'!' {
            e -= 1;
        }
        let t = &b[s..e];
        if t.len() < 3 || t.len() > MAX_TOKEN || !t.iter().copied().any(stroke) {
            continue;
        }
        // Every character a letter or a leet digit, two letters at least; or one letter and
        // three strokes that mix into an English word (`k1||` is `kill`): code and serials
        // (`a||b`, `x1|`) have two letters or fewer strokes.
        let letters = t.iter().filter(|c| c.is_ascii_alphabetic()).count();
        let lines = t.iter().filter(|&&c| matches!(c, b'1' | b'|' | b'!')).count();
        if t.iter().any(|&c| leet(c).is_none()) || letters == 0 || (letters == 1 && lines < 3) {
            continue;
        }
        // A `|` beside another stroke character draws a letter of its own (`|<`, `|-|`, `|_|`,
        // `|3`, `|)`): the normalizer reads those.
        let drawn = |k: usize| {
            b[k] == b'|'
                && (b.get(k + 1).is_some_and(|n| b"<-_)(/\\>][3".contains(n))
                    || (k > 0 && b"-_)(/\\]".contains(&b[k - 1])))
        };
        if (s..e).any(drawn) {
            continue;
        }
        let mut read = [0u8; MAX_TOKEN];
        for (k, &c) in t.iter().enumerate() {
            read[k] = leet(c).unwrap_or(c);
        }
        let as_i = std::str::from_utf8(&read[..t.len()]).unwrap_or("");
        let l_too = dictionary().get(as_i) != Some(&true) && t.iter().any(|&c| matches!(c, b'1' | b'|' | b'!'));
        // Which strokes read `l`: all of them, or the mix that makes an English word.
        let as_l = if l_too { mix(t, &mut read) } else { 0 };
        if letters == 1 && !(l_too && mixed_word(t, as_l)) {
            continue;
        }
        if !l_too {
            // Round 15: the normalizer keeps a `|` beside an `l` as typed (`k|ll`); the English
            // `i` reading is read here.
            for k in s..e {
                if b[k] == b'|' && (b.get(k + 1) == Some(&b'l') || k.checked_sub(1).is_some_and(|q| b[q] == b'l')) {
                    edits.push((k, k + 1, "i"));
                }
            }
        }
        let mut m = 0;
        for (k, &c) in t.iter().enumerate() {
            match c {
                b'1' | b'|' | b'!' => {
                    if as_l >> m & 1 == 1 {
                        edits.push((s + k, s + k + 1, "l"));
                    } else if letters == 1 && c != b'1' {
                        // The normalizer keeps a run of bars as typed (`||` is code's "or").
                        edits.push((s + k, s + k + 1, "i"));
                    }
                    m += 1;
                }
                b'9' => edits.push((s + k, s + k + 1, "g")),
                _ => {}
            }
        }
    }
}

/// Most strokes of a token whose mixes of `i` and `l` are tried (2^4 - 2 dictionary lookups).
const MAX_MIX: u32 = 4;

/// The strokes (`1`, `|`, `!`, in order: bit `m` for the `m`-th) of token `t` that read `l`:
/// every one, unless that is no English word and some mix of `i` and `l` is (`k1l1` is
/// `kill`, `k!1l` too; a name or a place is not, `kili`): then that mix, the first in bit order. `read` holds `t` read with `i`
/// (leet folded); it is left as it was. Bounded: at most [`MAX_MIX`] strokes are mixed.
fn mix(t: &[u8], read: &mut [u8; MAX_TOKEN]) -> u32 {
    let at: Vec<usize> = (0..t.len()).filter(|&k| matches!(t[k], b'1' | b'|' | b'!')).collect();
    let n = at.len() as u32;
    let all = if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
    if !(2..=MAX_MIX).contains(&n) {
        return all;
    }
    let len = t.len();
    let word = |mask: u32, read: &mut [u8; MAX_TOKEN]| {
        for (m, &k) in at.iter().enumerate() {
            read[k] = if mask >> m & 1 == 1 { b'l' } else { b'i' };
        }
        // A word of English, not only a name (`kili`).
        dictionary().get(std::str::from_utf8(&read[..len]).unwrap_or("")) == Some(&true)
    };
    let found = if word(all, read) { all } else { (1..all).find(|&mask| word(mask, read)).unwrap_or(all) };
    for &k in &at {
        read[k] = b'i';
    }
    found
}

/// True when token `t` read with the strokes of `as_l` as `l` (the others `i`, leet folded)
/// is an English word.
fn mixed_word(t: &[u8], as_l: u32) -> bool {
    let mut read = [0u8; MAX_TOKEN];
    let mut m = 0;
    for (k, &c) in t.iter().enumerate() {
        read[k] = if matches!(c, b'1' | b'|' | b'!') {
            m += 1;
            if as_l >> (m - 1) & 1 == 1 {
                b'l'
            } else {
                b'i'
            }
        } else {
            leet(c).unwrap_or(c)
        };
    }
    dictionary().get(std::str::from_utf8(&read[..t.len()]).unwrap_or("")) == Some(&true)
}

/// One space between a letter and a symbol an evader types for a letter (`< unt`, `fu <k`,
/// `sh !t`, `fu< k`): dropped.
fn split_symbols(b: &[u8], edits: &mut Vec<Edit>) {
    let letters = |w: &[u8]| !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic);
    // Symbols that open a word's part after the space (`<k`, `!t`); not `@`, a handle, nor
    // `|`, an `l` of its own word ([`strokes`]: `a |oser`).
    let opens = |c: u8| matches!(c, b'<' | b'!' | b'$' | b'+' | b'(');
    // Symbols that close one before it (`fu<`); not `!` or `(`, sentence punctuation.
    let closes = |c: u8| matches!(c, b'<' | b'$' | b'+' | b'@');
    // The spaces beside such a symbol (one a symbol opens after it, one it closes before it).
    let spaces = memchr::memchr3_iter(b'<', b'!', b'$', b)
        .chain(memchr::memchr3_iter(b'+', b'(', b'@', b))
        .flat_map(|p| [p.checked_sub(1), Some(p + 1)])
        .flatten();
    for i in spaces {
        if i == 0 || i + 1 >= b.len() || b[i] != b' ' || b[i - 1] == b' ' || b[i + 1] == b' ' {
            continue;
        }
        let ls = b[..i].iter().rposition(|c| c.is_ascii_whitespace()).map_or(0, |p| p + 1);
        let re = b[i + 1..].iter().position(|c| c.is_ascii_whitespace()).map_or(b.len(), |p| i + 1 + p);
        let (l, r) = (&b[ls..i], &b[i + 1..re]);
        let fits = (letters(l) && r.len() >= 2 && opens(r[0]) && letters(&r[1..]))
            || (l.len() == 1 && opens(l[0]) && r.len() >= 2 && letters(r))
            || (l.len() >= 2 && closes(l[l.len() - 1]) && letters(&l[..l.len() - 1]) && letters(r));
        if fits && l.iter().chain(r).filter(|c| c.is_ascii_alphabetic()).count() >= 3 {
            edits.push((i, i + 1, ""));
        }
    }
}

/// The word after byte `at` of `body` past one space, lowercased into `buf`.
fn word_after<'a>(body: &str, at: usize, buf: &'a mut [u8; 12]) -> &'a str {
    let rest = body[at..].strip_prefix(' ').unwrap_or("");
    let w = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    word_buf(w, buf)
}

/// The word before byte `at` of `body` past one space, lowercased into `buf`.
fn word_before<'a>(body: &str, at: usize, buf: &'a mut [u8; 12]) -> &'a str {
    let head = body[..at].strip_suffix(' ').unwrap_or("");
    let w = head.rsplit(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    word_buf(w, buf)
}

fn word_buf<'a>(w: &str, buf: &'a mut [u8; 12]) -> &'a str {
    if w.len() > buf.len() {
        return "";
    }
    for (k, c) in w.bytes().enumerate() {
        buf[k] = c.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..w.len()]).unwrap_or("")
}

/// A duck for the f-word, a knife for `stab`.
fn emoji(body: &str, edits: &mut Vec<Edit>) {
    let b = body.as_bytes();
    let letter = |k: Option<&u8>| k.is_some_and(u8::is_ascii_alphabetic);
    let (mut x, mut y) = ([0u8; 12], [0u8; 12]);
    for (s, _) in body.match_indices(DUCK) {
        let e = s + DUCK.len();
        if s > 0 && b[s - 1].eq_ignore_ascii_case(&b'f') && !letter(s.checked_sub(2).and_then(|p| b.get(p))) {
            // `f🦆`: the duck is the rest of the word.
            edits.push((s, e, "uck"));
        } else if letter(s.checked_sub(1).and_then(|p| b.get(p)))
            || letter(b.get(e))
            || (OBJECTS.contains(&word_after(body, e, &mut x)) && !ARTICLES.contains(&word_before(body, s, &mut y)))
        {
            // Glued to letters (`🦆ing`), or before an object and after no article (`🦆 you`).
            edits.push((s, e, "fuck"));
        }
    }
    for &(emoji, verb) in VERBS {
        for (s, _) in body.match_indices(emoji) {
            let e = s + emoji.len();
            if OBJECTS.contains(&word_after(body, e, &mut x)) && !ARTICLES.contains(&word_before(body, s, &mut y)) {
                edits.push((s, e, verb));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Option<String> {
        let mut out = Second::default();
        reading(body, &mut out).then(|| out.text.clone())
    }

    #[test]
    fn strokes_are_read_as_l_unless_the_i_reading_is_a_word() {
        assert_eq!(read("ki11 yourself").as_deref(), Some("kill yourself"));
        assert_eq!(read("kil1 urself").as_deref(), Some("kill urself"));
        assert_eq!(read("you s|ut").as_deref(), Some("you slut"));
        assert_eq!(read("9ay").as_deref(), Some("gay"));
        assert_eq!(read("w1ll you, 1ll, s1lly k1ll"), None);
        assert_eq!(read("wow! great (really) 2011"), None);
        assert_eq!(read("you |<unt"), None);
    }

    #[test]
    fn a_symbol_split_off_by_a_space_is_joined() {
        assert_eq!(read("< unt").as_deref(), Some("<unt"));
        assert_eq!(read("fu <k off").as_deref(), Some("fu<k off"));
        assert_eq!(read("sh !t").as_deref(), Some("sh!t"));
        assert_eq!(read("a < b, i <3 u, wow! so"), None);
    }

    #[test]
    fn a_duck_and_a_knife_are_read_as_verbs_only_before_an_object() {
        assert_eq!(read("f\u{1F986} you").as_deref(), Some("fuck you"));
        assert_eq!(read("\u{1F986} off").as_deref(), Some("fuck off"));
        assert_eq!(read("i will \u{1F52A} you").as_deref(), Some("i will stab you"));
        assert_eq!(read("look at the \u{1F986} in the pond"), None);
        assert_eq!(read("feed the \u{1F986} it"), None);
    }

    #[test]
    fn a_span_maps_back_only_over_a_change() {
        let mut out = Second::default();
        assert!(reading("ok f\u{1F986} you", &mut out));
        assert_eq!(out.text, "ok fuck you");
        assert_eq!(out.original(3..11), Some(3..12));
        assert_eq!(out.original(0..2), None);
    }
}
