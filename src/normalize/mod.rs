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
mod labelledby;
mod native;
pub mod offsets;
mod out_of_line;
mod plain;
mod sheet;
pub(crate) mod turned;
pub mod words;

use std::ops::Range;

use offsets::{to_u32, OffsetMap};
use plain::{plain, Plain};

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
        let mut ids: Option<labelledby::Ids> = None;
        // Rules of `<style>` elements in the body, which hide elements as `style` does.
        let sheet = if html { sheet::Sheet::scan(body) } else { None };
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
                    if let Some(mut tag) = html::tag(&body[i..], &mut eof) {
                        if let Some(style) = sheet.as_ref().and_then(|sh| sh.style_for(&tag, &body[i..i + tag.len])) {
                            tag.style = Some(style);
                        }
                        let before = units.len();
                        let separates = blocks.separates(&tag);
                        self.push_tag(&tag, separates, body, i, units, &mut dirs, &mut seen);
                        out_of_line.tag(&tag, before, units.len());
                        // A tooltip is shown on hover, an `aria-label` or `aria-description`
                        // read aloud: judged, out of line (none may split the word or phrase
                        // its element sits in).
                        for t in [&tag.title, &tag.label, &tag.description].into_iter().flatten().filter(|_| !tag.end) {
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
                        if tag.labelledby.is_some() && !tag.end {
                            // What the elements it names hold, read as its name: the body's
                            // ids are found once, at the first such tag.
                            let from = units.len();
                            let ids = ids.get_or_insert_with(|| labelledby::Ids::scan(body));
                            self.push_labelledby(&tag, body, i, ids, units, &mut seen);
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
            // An `<iframe srcdoc="...">` shows that HTML in its frame: its text is judged,
            // mapped to the whole tag. The attribute's references are decoded first, then the
            // document is read as HTML (round 15: `<iframe srcdoc="you fucking idiot">` was
            // allowed unread; round 16: `fu&lt;b&gt;&lt;/b&gt;ck` kept its tags as text).
            let mut doc_text = String::new();
            let mut rest = &body[i + doc.start..i + doc.end];
            while let Some(amp) = rest.find('&') {
                doc_text.push_str(&rest[..amp]);
                match entity::entity(&rest[amp..]) {
                    Some((entity::Entity::Char(c), n)) => {
                        doc_text.push(c);
                        rest = &rest[amp + n..];
                    }
                    Some((entity::Entity::Str(st), n)) => {
                        doc_text.push_str(&st);
                        rest = &rest[amp + n..];
                    }
                    None => {
                        doc_text.push('&');
                        rest = &rest[amp + 1..];
                    }
                }
            }
            doc_text.push_str(rest);
            self.push_markup(&doc_text, s, e, units, seen);
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
