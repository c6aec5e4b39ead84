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

/// The ASCII fast path's test: true when the full normalizer would only lowercase `body`.
///
/// One pass over the bytes, conservative on purpose (a `false` only costs the full path, while
/// a wrong `true` changes a verdict). It accepts a body only when every byte is one the full
/// normalizer provably leaves alone apart from lowercasing, in a place where no context rule
/// applies:
///
/// - ASCII letters, but never three identical ones in a row (stretching);
/// - single spaces (whitespace runs collapse; tabs and newlines become spaces);
/// - [`PLAIN_PUNCT`], a short allowlist of punctuation that is neither a leet symbol, a mask,
///   an entity or tag start, nor an apostrophe look-alike;
/// - and no two one-letter words with only joiners (the separators of spelled-out words,
///   [`words::is_joiner_byte`]) between them, however many: the start of a possible
///   spelled-out word, `f.u.c.k` or `a s s`.
///
/// Everything else (digits, `@ $ ! * # % ( & <`, a backtick, control bytes, non-ASCII) goes to
/// the full path. `tests/speed.rs` proves the two paths equal on arbitrary ASCII and on every
/// shipped fixture, so a later change to the full normalizer that breaks the promise fails there.
pub(crate) fn is_plain(body: &str) -> bool {
    let b = body.as_bytes();
    let mut prev = 0u8;
    // Length of the current run of letters, and of identical letters.
    let mut word = 0usize;
    let mut same = 0usize;
    // A one-letter word ended and no longer word came since.
    let mut single = false;
    for &c in b {
        if c.is_ascii_alphabetic() {
            let l = c | 0x20;
            same = if word > 0 && (prev | 0x20) == l { same + 1 } else { 1 };
            if same >= 3 {
                return false;
            }
            word += 1;
        } else {
            if !(c == b' ' && prev != b' ' || PLAIN_PUNCT.contains(&c)) {
                return false;
            }
            // `w.ank`: a one-letter word split off by `.` may be joined to what follows.
            if c == b'.' && word == 1 {
                return false;
            }
            if word == 1 {
                if single {
                    return false;
                }
                single = true;
            } else if word > 1 {
                single = false;
            }
            if !words::is_joiner_byte(c) {
                // Only joiners make a run: `a, b` is two letters, not a word.
                single = false;
            }
            word = 0;
            same = 0;
        }
        prev = c;
    }
    !(word == 1 && single)
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
        if is_plain(body) {
            // Fast path: nothing to fold; the text is the body lowercased, the map the identity.
            out.text.clear();
            out.text.push_str(body);
            out.text.make_ascii_lowercase();
            out.map.set_identity(body.len());
            out.units.clear();
            return;
        }
        self.full_into(body, out);
    }

    /// The two passes, whatever the body: what [`Self::normalize_into`] does when the fast path
    /// does not apply.
    fn full_into(&self, body: &str, out: &mut Normalized) {
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
            no_spell_before: 0,
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

    /// Whether `body` takes the ASCII fast path (for the same tests and the benches).
    #[doc(hidden)]
    pub fn takes_fast_path(body: &str) -> bool {
        is_plain(body)
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
        let mut comments = html::CommentEnds::default();
        // An open right-to-left override: (index of its first unit, byte where it starts).
        let mut rlo: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if rlo.is_some() && (b == b'\n' || b == b'\r') {
                close_override(units, &mut rlo, i);
            }
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
                    // A comment renders as nothing, so it vanishes: `f<!-- -->uck` shows `fuck`.
                    if let Some(n) = comments.comment(body, i) {
                        i += n;
                        continue;
                    }
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
                match c {
                    RLO if rlo.is_none() => rlo = Some((units.len(), i)),
                    PDF | PDI if rlo.is_some() => close_override(units, &mut rlo, i + n),
                    _ => {}
                }
                let (s, e) = (to_u32(i), to_u32(i + n));
                self.folder.fold(c, |ch| units.push(Unit { ch, start: s, end: e }));
                i += n;
            }
        }
        close_override(units, &mut rlo, bytes.len());
    }
}

/// RIGHT-TO-LEFT OVERRIDE: a browser shows what follows it, up to a [`PDF`], a [`PDI`] or the end
/// of the paragraph, in reverse order (`\u{202E}kcuf` is shown as `fuck`).
const RLO: char = '\u{202E}';
/// POP DIRECTIONAL FORMATTING: ends an override.
const PDF: char = '\u{202C}';
/// POP DIRECTIONAL ISOLATE: also ends the override it closes around.
const PDI: char = '\u{2069}';

/// Ends an open right-to-left override at byte `end`: its units are reversed into the order a
/// reader sees, and each maps to the whole override (`start..end` of the original), so the
/// offset map stays monotonic and a match inside points at what the reader saw reversed.
fn close_override(units: &mut [Unit], rlo: &mut Option<(usize, usize)>, end: usize) {
    let Some((first, start)) = rlo.take() else { return };
    let Some(run) = units.get_mut(first..) else { return };
    run.reverse();
    let (s, e) = (to_u32(start), to_u32(end));
    for u in run {
        u.start = s;
        u.end = e;
    }
}
