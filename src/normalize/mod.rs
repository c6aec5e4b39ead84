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

pub mod fold;
pub mod html;
pub mod offsets;
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
        out.text.clear();
        out.map.reset(body.len());
        out.units.clear();
        self.decode(body, &mut out.units);
        words::Words {
            units: &out.units,
            leet: self.opts.leet,
            text: &mut out.text,
            map: &mut out.map,
            scratch: &mut out.scratch,
            last_space: false,
        }
        .run();
    }

    /// Normalizes `body` into a fresh [`Normalized`].
    pub fn normalize(&self, body: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(body, &mut out);
        out
    }

    /// Pass 1: entities, tags and per-character folding into `units`.
    fn decode(&self, body: &str, units: &mut Vec<Unit>) {
        let bytes = body.as_bytes();
        units.reserve(bytes.len());
        let html = self.opts.html;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if html && b == b'&' {
                    if let Some((ent, n)) = html::entity(&body[i..]) {
                        let (s, e) = (to_u32(i), to_u32(i + n));
                        let mut push = |c: char| units.push(Unit { ch: c, start: s, end: e });
                        match ent {
                            html::Entity::Char(c) => self.folder.fold(c, &mut push),
                            html::Entity::Str(st) => st.chars().for_each(|c| self.folder.fold(c, &mut push)),
                        }
                        i += n;
                        continue;
                    }
                } else if html && b == b'<' {
                    if let Some((n, inline)) = html::tag(&body[i..]) {
                        if !inline {
                            units.push(Unit { ch: ' ', start: to_u32(i), end: to_u32(i + n) });
                        }
                        i += n;
                        continue;
                    }
                }
                let ch = match b {
                    b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => ' ',
                    b'`' => '\'', // typed for an apostrophe ("you`re"), as in `fold`
                    _ => b.to_ascii_lowercase() as char,
                };
                units.push(Unit { ch, start: to_u32(i), end: to_u32(i + 1) });
                i += 1;
            } else {
                let c = body[i..].chars().next().unwrap_or('\u{FFFD}');
                let n = c.len_utf8();
                let (s, e) = (to_u32(i), to_u32(i + n));
                self.folder.fold(c, |ch| units.push(Unit { ch, start: s, end: e }));
                i += n;
            }
        }
    }
}
