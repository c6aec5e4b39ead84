//! The normalize stage: turns a comment body into the text the rules see, with a map back to
//! byte offsets of the original body.
//!
//! Rules are written once, in plain lowercase English (`fuck`, `you are an idiot`), and
//! evaders write anything but: `ｆｕｃｋ`, `𝐟𝐮𝐜𝐤`, `fυcκ`, `f&#117;ck`, `<b>fu</b>ck`,
//! `f.u.c.k`, `fuuuuck`, `f@ck`, `fvck`. This module's job is to make all of those *read* the
//! same way to the matchers while keeping the text readable English (regex rules run on it too),
//! and to remember, for every byte it produces, which bytes of the original produced it — so a
//! hit is reported as the `f.u.c.k` the user typed, not as a `fuck` they never wrote.
//!
//! It runs in two passes over reused buffers:
//!
//! 1. **Decode and fold characters** (this file, [`html`], [`fold`]): HTML entities and tags are
//!    recognized in place; every other character is folded on its own (invisible characters
//!    dropped, NFKC, confusables, diacritics, lowercase). The result is a vector of *units*: one
//!    output character plus the original byte range it came from. ASCII takes a fast path: one
//!    byte, one unit, lowercased inline.
//! 2. **Fold words** ([`words`]): tokenize the units and apply the decisions that need context —
//!    leetspeak only inside words that mix letters with leet digits, masks, stretched letters,
//!    spelled-out words, URLs left alone, whitespace collapsed. This pass writes the final text
//!    and the [`offsets::OffsetMap`].
//!
//! What normalization deliberately does *not* do — decide what is a whole word, or which words
//! are innocent — lives in the matcher ([`crate::matcher::wordlist`]), because it depends on the
//! terms. The normalizer only promises that it never glues two innocent words together and
//! never turns a common word into another one (it keeps doubled letters, leaves numbers alone,
//! and joins separated letters only in runs of three or more).

mod bidi;
mod css;
mod dir;
pub mod entity;
pub mod fold;
pub mod html;
mod native;
pub mod offsets;
mod out_of_line;
pub(crate) mod turned;
pub mod words;

use std::ops::Range;

use offsets::{to_u32, OffsetMap};

/// Options for the normalizer, from `[normalize]` in config.toml.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeOptions {
    /// Fold leetspeak digits and symbols (`sh1t`, `@ss`) into letters.
    pub leet: bool,
    /// Decode HTML entities and drop tags.
    pub html: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions { leet: true, html: true }
    }
}

/// One character of the decoded text and the original bytes that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) ch: char,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// A normalized text and its offset map.
///
/// Reuse one per thread with [`Normalizer::normalize_into`]: its buffers are kept between
/// comments, so steady-state normalization does not allocate.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The folded text the rules match on.
    pub text: String,
    /// Normalized byte → original byte range.
    map: OffsetMap,
    /// Scratch: decoded units of the current body.
    units: Vec<Unit>,
    /// Scratch: the token being folded.
    scratch: Vec<Unit>,
}

impl Normalized {
    /// The byte range of the original body that produced normalized bytes `start..end`.
    ///
    /// The range starts at the first byte of the original character (or entity, or tag-free
    /// run) that produced `text[start]` and ends after the last one that produced
    /// `text[end - 1]`, so it covers the evasive form as written (`f.u.c.k`, `f&#117;ck`) and
    /// nothing around it. It always lies on char boundaries of the original. An empty or
    /// out-of-range request gives an empty range.
    pub fn original_range(&self, start: usize, end: usize) -> Range<usize> {
        self.map.original_range(start, end)
    }

    /// The offset map itself, for callers that want per-byte detail.
    pub fn offsets(&self) -> &OffsetMap {
        &self.map
    }
}

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

/// The compiled normalizer; cheap to share across threads.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    opts: NormalizeOptions,
    folder: fold::Folder,
}

impl Normalizer {
    /// A normalizer with these options.
    pub fn new(opts: &NormalizeOptions) -> Normalizer {
        Normalizer { opts: opts.clone(), folder: fold::Folder }
    }

    /// The options this normalizer was built with.
    pub fn options(&self) -> &NormalizeOptions {
        &self.opts
    }

    /// Normalizes `body` into `out`, reusing its buffers.
    pub fn normalize_into(&self, body: &str, out: &mut Normalized) {
        let how = plain(body, self.opts.leet);
        if how == Plain::No {
            self.full_into(body, out);
            return;
        }
        // Fast path: nothing to fold; the text is the body lowercased (mentions' `@` read as
        // `a`, a newline as a space), byte for byte, so the map is the identity.
        out.text.clear();
        out.text.push_str(body);
        out.text.make_ascii_lowercase();
        if how == Plain::Replace {
            let mut from = 0;
            while let Some(k) = out.text[from..].find(['@', '\n']) {
                let at = from + k;
                let by = if out.text.as_bytes()[at] == b'@' { "a" } else { " " };
                out.text.replace_range(at..at + 1, by);
                from = at + 1;
            }
        }
        out.map.set_identity(body.len());
        out.units.clear();
    }

    /// The two passes, whatever the body: what [`Self::normalize_into`] does when the fast path
    /// does not apply.
    fn full_into(&self, body: &str, out: &mut Normalized) {
        self.full_with(body, out, true);
    }

    /// [`Self::full_into`]; `plain_words` is false only in the test that proves the word
    /// pass's shortcut for plain words ([`words::Words::plain_words`]) changes nothing.
    fn full_with(&self, body: &str, out: &mut Normalized, plain_words: bool) {
        out.text.clear();
        out.map.reset(body.len());
        out.units.clear();
        self.decode(body, &mut out.units, &mut out.scratch);
        words::Words {
            units: &out.units,
            body: body.as_bytes(),
            leet: self.opts.leet,
            text: &mut out.text,
            map: &mut out.map,
            scratch: &mut out.scratch,
            last_space: false,
            no_spell_before: 0,
            plain_words,
        }
        .run();
    }

    /// The full normalizer without the fast path, for the tests that prove the two equal.
    #[doc(hidden)]
    pub fn normalize_full(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        self.full_into(body, &mut out);
        out
    }

    /// The full normalizer without the fast path and without the word pass's shortcut for
    /// plain words, for the test that proves the shortcut changes nothing.
    #[doc(hidden)]
    pub fn normalize_full_every_token(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        self.full_with(body, &mut out, false);
        out
    }

    /// Whether `body` takes the ASCII fast path with the default options (leet folding on), for
    /// the same tests and the benches.
    #[doc(hidden)]
    pub fn takes_fast_path(body: &str) -> bool {
        plain(body, true) != Plain::No
    }

    /// Normalizes `body` into a fresh [`Normalized`].
    pub fn normalize(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(body, &mut out);
        out
    }

    /// Pass 1: entities, tags and per-character folding into `units`; then, if the body has
    /// explicit bidi controls, the units in the order a reader sees them ([`bidi`]).
    fn decode(&self, body: &str, units: &mut Vec<Unit>, scratch: &mut Vec<Unit>) {
        let bytes = body.as_bytes();
        units.reserve(bytes.len());
        let html = self.opts.html;
        let mut comments = html::CommentEnds::default();
        // False once a tag runs to the end of the body: the rest is text (see [`html`]).
        let mut markup = html;
        // The content of a raw text element (`<script>`, `<textarea>`...) ends at this byte.
        let mut raw: Option<(usize, html::RawText)> = None;
        let mut dirs = dir::Dirs::default();
        let mut seen = bidi::Seen::default();
        let mut out_of_line = out_of_line::OutOfLine::default();
        let mut blocks = html::Blocks::default();
        let mut i = 0;
        while i < bytes.len() {
            if raw.is_some_and(|(end, _)| i >= end) {
                raw = None;
            }
            if raw.is_none() {
                // A run of printable ASCII but `&`, `<` and a backtick: one lowercased unit per
                // byte, what the branch below makes of each, without its tests per byte.
                while let Some(&b) =
                    bytes.get(i).filter(|&&b| (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'`'))
                {
                    units.push(Unit { ch: b.to_ascii_lowercase() as char, start: to_u32(i), end: to_u32(i + 1) });
                    i += 1;
                }
                if i == bytes.len() {
                    break;
                }
            }
            let b = bytes[i];
            let entities = html && raw.map_or(true, |(_, k)| k == html::RawText::Rcdata);
            if b < 0x80 {
                if entities && b == b'&' {
                    if let Some((ent, n)) = entity::entity(&body[i..]) {
                        self.push_entity(ent, to_u32(i), to_u32(i + n), units, &mut seen);
                        i += n;
                        continue;
                    }
                } else if markup && raw.is_none() && b == b'<' {
                    // A comment renders as nothing, so it vanishes: `f<!-- -->uck` shows `fuck`.
                    if let Some(n) = comments.comment(body, i) {
                        i += n;
                        continue;
                    }
                    let mut eof = false;
                    if let Some(tag) = html::tag(&body[i..], &mut eof) {
                        let before = units.len();
                        let separates = blocks.separates(&tag);
                        self.push_tag(&tag, separates, body, i, units, &mut dirs, &mut seen);
                        out_of_line.tag(&tag, before, units.len());
                        // A tooltip is shown on hover, an `aria-label` read aloud: judged, out
                        // of line (neither may split the word or phrase its element sits in).
                        for t in [&tag.title, &tag.label].into_iter().flatten().filter(|_| !tag.end) {
                            let from = units.len();
                            self.push_attr(
                                &body[i + t.start..i + t.end],
                                to_u32(i),
                                to_u32(i + tag.len),
                                units,
                                &mut seen,
                            );
                            out_of_line.region(from, units.len());
                        }
                        i += tag.len;
                        if let Some(kind) = tag.raw_text() {
                            raw = Some((html::raw_text_end(body, i, &tag.name, kind), kind));
                        }
                        continue;
                    }
                    markup = !eof;
                    if body[i..].starts_with("<!") || body[i..].starts_with("<?") {
                        // An unclosed comment or declaration: a browser hides the rest of the
                        // body, we judge it (see [`html`]), but apart from the word before it,
                        // so `fuck you<![CDATA[` still reads `fuck you`, not `you<![cdata[`. (A
                        // lone `<` before a letter may stand for a `c`: `fu<king`.)
                        units.push(Unit { ch: ' ', start: to_u32(i), end: to_u32(i) });
                    }
                }
                if b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                    // NUL and the other control bytes show as nothing (`f\0uck`): dropped, as
                    // `fold` drops them.
                    i += 1;
                    continue;
                }
                let (s, e) = (to_u32(i), to_u32(i + 1));
                let ch = match b {
                    b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => ' ',
                    b'`' => '\'', // typed for an apostrophe ("you`re"), as in `fold`
                    _ => b.to_ascii_lowercase() as char,
                };
                units.push(Unit { ch, start: s, end: e });
                if matches!(b, b'\n' | b'\r') {
                    dirs.reopen(e, units, &mut seen);
                }
                i += 1;
            } else {
                let c = body[i..].chars().next().unwrap_or('\u{FFFD}');
                let n = c.len_utf8();
                self.push_char(c, to_u32(i), to_u32(i + n), units, &mut seen);
                i += n;
            }
        }
        if out_of_line.any() {
            out_of_line.move_out(units, scratch);
        }
        if seen.turned {
            turned::read(body, units, scratch);
        }
        if seen.native {
            native::keep(body, units, scratch);
        }
        if seen.controls {
            bidi::reorder(body, units, scratch);
        } else if seen.marks {
            bidi::drop_marks(units);
        }
    }

    /// Folds one decoded character into units; an explicit bidi control or mark is kept as a
    /// unit of its own for [`bidi::reorder`] (which drops it), a turned letter as typed.
    #[inline]
    fn push_char(&self, c: char, s: u32, e: u32, units: &mut Vec<Unit>, seen: &mut bidi::Seen) {
        // A line break or tab by reference (`fuc&#x0d;k`, `&Tab;`) is white space on the page,
        // as the raw byte is (it reached the matcher as a control character).
        if matches!(c, '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
            units.push(Unit { ch: ' ', start: s, end: e });
            return;
        }
        // A turned letter too, until its word is known to be upside down or not ([`turned`]).
        let turned = turned::upright(c).is_some();
        if turned || bidi::is_control(c) || bidi::is_mark(c) {
            seen.controls |= bidi::is_control(c);
            seen.marks |= !turned;
            seen.turned |= turned;
            units.push(Unit { ch: c, start: s, end: e });
            return;
        }
        seen.native |= native::native_only(c);
        let before = units.len();
        self.folder.fold(c, |ch| units.push(Unit { ch, start: s, end: e }));
        // A combining mark is drawn on the character before it: the unit of that character
        // takes it in, so a match ending there covers the whole glyph (`fuck\u{308}`) and a
        // censor never leaves a mark dangling on its mask.
        if units.len() == before && unicode_normalization::char::is_combining_mark(c) {
            if let Some(last) = units.last_mut().filter(|u| u.end == s) {
                last.end = e;
            }
        }
    }

    /// The characters of a decoded entity, each mapped to the whole entity `s..e`.
    fn push_entity(&self, ent: entity::Entity, s: u32, e: u32, units: &mut Vec<Unit>, seen: &mut bidi::Seen) {
        match ent {
            entity::Entity::Char(c) => self.push_char(c, s, e, units, seen),
            entity::Entity::Str(st) => st.chars().for_each(|c| self.push_char(c, s, e, units, seen)),
        }
    }

    /// What a tag at byte `i` adds: a space if it separates ([`html::Blocks`]), its `alt` text
    /// (`<img>`), the bidi controls its `dir` stands for.
    #[allow(clippy::too_many_arguments)]
    fn push_tag(
        &self,
        tag: &html::Tag,
        separates: bool,
        body: &str,
        i: usize,
        units: &mut Vec<Unit>,
        dirs: &mut dir::Dirs,
        seen: &mut bidi::Seen,
    ) {
        let (s, e) = (to_u32(i), to_u32(i + tag.len));
        if tag.end {
            dirs.close(&tag.name, s, e, units);
        } else {
            dirs.implied_close(&tag.name, tag.closes_p(), s, units);
        }
        if separates {
            units.push(Unit { ch: ' ', start: s, end: e });
            dirs.reopen(e, units, seen);
        }
        if let (Some(alt), "img" | "input") = (&tag.alt, tag.name.as_str()) {
            // The alt text shows in the image's place when it does not load, an input's value
            // in its box: it is judged, mapped to the whole tag, entities decoded.
            self.push_attr(&body[i + alt.start..i + alt.end], s, e, units, seen);
        }
        if let (Some(doc), "iframe") = (&tag.alt, tag.name.as_str()) {
            // An `<iframe srcdoc="...">` shows that HTML in its frame: its text is judged
            // (tags written in it skipped: an inline one joins the text around it, any other
            // separates it), mapped to the whole tag. Round 15: `<iframe srcdoc="you fucking
            // idiot">` was allowed unread.
            const INLINE: [&str; 14] =
                ["a", "b", "i", "u", "s", "em", "strong", "span", "small", "sub", "sup", "mark", "font", "code"];
            let doc = &body[i + doc.start..i + doc.end];
            let mut rest = doc;
            while let Some(open) = rest.find('<') {
                self.push_attr(&rest[..open], s, e, units, seen);
                let inner = rest[open + 1..].trim_start_matches('/');
                let name_len = inner.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(inner.len());
                if !INLINE.iter().any(|n| n.eq_ignore_ascii_case(&inner[..name_len])) {
                    self.push_char(' ', s, e, units, seen);
                }
                rest = rest[open..].find('>').map_or("", |close| &rest[open + close + 1..]);
            }
            self.push_attr(rest, s, e, units, seen);
        }
        if !tag.end {
            dirs.open(tag, s, e, units, seen);
        }
    }

    /// The text of an attribute value shown on the page, entities decoded, every unit mapped to
    /// the whole tag `s..e`.
    fn push_attr(&self, text: &str, s: u32, e: u32, units: &mut Vec<Unit>, seen: &mut bidi::Seen) {
        let mut k = 0;
        while k < text.len() {
            if text.as_bytes()[k] == b'&' {
                if let Some((ent, n)) = entity::entity(&text[k..]) {
                    self.push_entity(ent, s, e, units, seen);
                    k += n;
                    continue;
                }
            }
            let c = text[k..].chars().next().unwrap_or('\u{FFFD}');
            self.push_char(c, s, e, units, seen);
            k += c.len_utf8();
        }
    }
}
