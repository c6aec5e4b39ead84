//! Character folding: one original character in, zero or more plain characters out.
//!
//! This is the Unicode half of normalization, applied to each non-ASCII character (ASCII only
//! needs lowercasing, which the caller does inline). In order:
//!
//! 1. **Invisible characters vanish**: zero-width space/joiners, word joiner, soft hyphen, BOM,
//!    bidi controls, variation selectors, tag characters, Hangul fillers, interlinear annotation
//!    marks (the annotation text itself stays), the null notehead U+1D159. They are the classic
//!    way to split a word the eye still reads whole (`f\u{200D}u\u{200D}c\u{200D}k`).
//! 2. **Combining marks vanish**, which strips diacritics written as separate code points and
//!    Zalgo stacks.
//! 3. **A few fixed folds** that keep punctuation readable for the regex rules: curly quotes and
//!    apostrophes (and a backtick or acute accent typed for one) to ASCII, dashes to `-`, the
//!    ellipsis to `...`, every space to ` `, `ß` to `ss`, Cyrillic `ф` to `f`, subset signs
//!    (`⊂`) to `c`.
//! 4. **NFKC** (the `unicode-normalization` crate) of the character: fullwidth `ｆ`, mathematical
//!    `𝐟`, ligatures `ﬁ`, circled `①`, superscripts: the compatibility forms Unicode itself
//!    declares equivalent.
//! 5. **Confusables** (the `decancer` crate) for each remaining letter or digit: Cyrillic and
//!    Greek look-alikes (`а`, `ѕ`, `υ`, `κ`), precomposed diacritics (`ü`, `ç`), and the long
//!    tail of "fancy text" letters, to their lowercase Latin skeleton.
//!
//! Why decancer rather than the raw Unicode `confusables.txt`: the Unicode table maps to a
//! *skeleton* meant for comparing two strings (`m` ↔ `rn`, mixed case, digits to letters), not
//! to the lowercase Latin letter a reader sees, and it does not strip diacritics. decancer's
//! table is built for exactly this job (it is what Discord-style bots use to un-fancy names),
//! handles diacritics and Greek/Cyrillic, and can be told to leave scripts alone that have no
//! Latin look-alikes (CJK, Arabic, Hebrew, Thai, emoji), so those pass through untouched. We
//! call it per character (`cure_char`), never on whole strings, so we keep our offset map and
//! decancer's own leetspeak and separator handling (which cannot report offsets) stay out.
//!
//! Everything is lowercased on the way out; uppercase only ever matters to the caps rule, which
//! reads the original body.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// decancer options: cure Latin look-alikes, leave scripts without them alone.
#[inline]
fn cure_options() -> decancer::Options {
    decancer::Options::default()
        .retain_chinese()
        .retain_japanese()
        .retain_korean()
        .retain_arabic()
        .retain_hebrew()
        .retain_thai()
        .retain_lao()
        .retain_devanagari()
        .retain_bengali()
        .retain_gujarati()
        .retain_tamil()
        .retain_burmese()
        .retain_khmer()
        .retain_mongolian()
        .retain_emojis()
        .retain_braille()
}

/// Characters that render as nothing (or nearly) and may sit between letters.
#[inline]
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0080}'..='\u{009F}' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D159}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Letters drawn as a Latin letter in a box or parentheses, which NFKC and decancer leave as
/// `(f)` or as an emoji: `⒡⒰⒞⒦`, `🄵`, `🅰🆂🆂` (🅰 🅱 🅾 🅿 are emoji; a reader still reads a letter).
#[inline]
fn boxed_letter(c: char) -> Option<char> {
    let (first, k) = match c as u32 {
        k @ 0x249C..=0x24B5 => (0x249C, k),    // ⒜ … ⒵ parenthesized small
        k @ 0x1F110..=0x1F129 => (0x1F110, k), // 🄐 … 🄩 parenthesized capital
        k @ 0x1F170..=0x1F189 => (0x1F170, k), // 🅰 … 🆉 negative squared capital
        0x1F18A => return Some('p'),           // 🆊 crossed negative squared P
        0x1F1A5 => return Some('d'),           // 🆥 squared small d
        _ => return None,
    };
    Some(char::from(b'a' + (k - first) as u8))
}

/// Latin letters whose look-alike decancer's table gets wrong (`ɗ` is not `e`), and a precomposed
/// Latin letter with diacritics, read as its base letter: decancer 3.3 reads `ó ô õ ǫ` as
/// `p q r q`, so `cóck` would be judged as `cpck`. The decomposition is Unicode's own (NFD),
/// so every accented Latin letter reads as the letter under its marks.
#[inline]
fn latin_base(d: char) -> Option<char> {
    match d {
        '\u{018A}' | '\u{0257}' => return Some('d'), // Ɗ ɗ: D with hook
        '\u{0273}' => return Some('n'),              // ɳ: n with retroflex hook
        _ => {}
    }
    let mut parts = std::iter::once(d).nfd();
    let base = parts.next().filter(char::is_ascii_alphanumeric)?;
    parts.all(is_combining_mark).then(|| base.to_ascii_lowercase())
}

/// A regional indicator symbol (🇦 … 🇿, the letters flags are made of) as its letter: a pair
/// with no flag shows as two boxed letters, so `🇫🇺🇨🇰` reads as `fuck`.
#[inline]
fn regional_indicator(c: char) -> Option<char> {
    let k = (c as u32).checked_sub(0x1F1E6)?;
    (k < 26).then(|| char::from(b'a' + k as u8))
}

/// Fixed folds applied before NFKC; `None` when the character needs the general path.
#[inline]
fn fixed(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2800}' => " ", // braille blank: drawn as an empty cell, a space to the reader
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{FF07}' | '\u{00B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' | '\u{FF02}' => "\"",
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => "-",
        '\u{2026}' => "...",
        // Subset signs drawn for a `c` inside a word (`⊂o⊂k`); alone they stay a one-letter word.
        '\u{2282}' | '\u{2284}' | '\u{2286}' | '\u{228A}' => "c",
        '\u{00DF}' | '\u{1E9E}' => "ss",
        // Cyrillic ef: decancer's table reads it as `o` (its ring), a reader sees `f` (`фuck`).
        '\u{0444}' | '\u{0424}' => "f",
        // Cyrillic palochka: drawn as a capital `I`, standing for an `l` (`heӏӏ`).
        '\u{04CF}' | '\u{04C0}' => "l",
        c if c.is_whitespace() => " ",
        _ => return None,
    })
}

/// Folds characters (stateless today; a type so per-normalizer tables can be added).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Folder;

impl Folder {
    /// Folds one character, handing each output character to `emit`.
    pub(crate) fn fold(&self, c: char, mut emit: impl FnMut(char)) {
        if c.is_ascii() {
            // Control characters other than whitespace show as nothing (an HTML parser drops
            // NUL; a browser draws no glyph for the rest), so `f\0uck` reads as `fuck`.
            if c.is_ascii_control() && !c.is_ascii_whitespace() && c != '\x0b' {
                return;
            }
            // A backtick typed for an apostrophe ("you`re") reads as one.
            emit(if c == '`' { '\'' } else { c.to_ascii_lowercase() });
            return;
        }
        if is_invisible(c) || is_combining_mark(c) {
            return;
        }
        if let Some(l) = regional_indicator(c).or_else(|| boxed_letter(c)) {
            emit(l);
            return;
        }
        if let Some(s) = fixed(c) {
            s.chars().for_each(emit);
            return;
        }
        for d in std::iter::once(c).nfkc() {
            if d.is_ascii() {
                emit(d.to_ascii_lowercase());
            } else if is_combining_mark(d) || is_invisible(d) {
                // dropped: diacritics left over from decomposition
            } else if d.is_alphanumeric() {
                self.cure(d, &mut emit);
            } else if let Some(s) = fixed(d) {
                s.chars().for_each(&mut emit);
            } else {
                d.to_lowercase().for_each(&mut emit);
            }
        }
    }

    /// Confusable folding of one letter or digit.
    fn cure(&self, d: char, emit: &mut impl FnMut(char)) {
        if let Some(b) = latin_base(d) {
            return emit(b);
        }
        match decancer::cure_char(d, cure_options()) {
            decancer::Translation::Character(x) => x.to_lowercase().for_each(emit),
            decancer::Translation::String(s) => s.chars().flat_map(char::to_lowercase).for_each(emit),
            decancer::Translation::None => {}
        }
    }
}
