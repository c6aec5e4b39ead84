//! HTML character references, decoded the way a browser decodes them in text.
//!
//! What a reader sees is what the rules must judge, so this follows the WHATWG tokenizer rather
//! than the tidy form: `f&#117;ck`, `f&#117ck` (no `;`), `&#x66uck`, `&#0000000117;` (any
//! number of digits) and `fu&shyck` (a legacy name without `;`) all show `fuck` in a browser,
//! and all read `fuck` here. A `&` that starts no reference is ordinary text.
//!
//! - **Numeric** (`&#DDD`, `&#xHH`, `;` optional): as many digits as follow; NUL, surrogates and
//!   code points past U+10FFFF read U+FFFD, and 0x80–0x9F read their Windows-1252 character
//!   (`&#150;` is `–`), as browsers do. A reference is consumed whole, so a run of digits costs
//!   time linear in its length, however long.
//! - **Named with `;`**: looked up in the WHATWG table through the `html-escape` crate, so we do
//!   not keep our own copy of its 2,000 names.
//! - **Named without `;`**: only the 106 legacy names browsers still accept bare (the Latin-1
//!   set plus `amp`, `lt`, `gt`, `quot` and a few capitals), longest match first: `&notit;`
//!   reads `¬it;`, `&ampx` reads `&x`.

/// Longest `;`-terminated named reference we look up, in bytes (`&CounterClockwiseContourIntegral;` is 33).
const MAX_NAMED: usize = 40;

/// What a reference decodes to.
pub(crate) enum Entity {
    /// A single character (all numeric and most named references).
    Char(char),
    /// A few named references decode to two characters.
    Str(String),
}

/// If `s` (which starts with `&`) starts with a character reference, what it decodes to and its
/// length in bytes.
pub(crate) fn entity(s: &str) -> Option<(Entity, usize)> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'&'));
    if b.get(1) == Some(&b'#') {
        return numeric(b).map(|(c, n)| (Entity::Char(c), n));
    }
    named(s)
}

/// `&#...`: decimal or hexadecimal, `;` optional, any number of digits.
fn numeric(b: &[u8]) -> Option<(char, usize)> {
    let hex = matches!(b.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let mut i = start;
    let mut code: u32 = 0;
    while let Some(&c) = b.get(i) {
        let d = if hex { (c as char).to_digit(16) } else { (c as char).to_digit(10) };
        let Some(d) = d else { break };
        // Saturates past U+10FFFF (an out-of-range reference reads U+FFFD).
        code = code.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d).min(0x0011_0000);
        i += 1;
    }
    if i == start {
        return None; // `&#`, `&#x` without digits: text
    }
    if b.get(i) == Some(&b';') {
        i += 1;
    }
    Some((numeric_char(code), i))
}

/// The character a numeric reference stands for, with the browser's replacements.
fn numeric_char(code: u32) -> char {
    if (0x80..=0x9F).contains(&code) {
        return WINDOWS_1252[(code - 0x80) as usize];
    }
    char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}')
}

/// 0x80–0x9F as Windows-1252 (what browsers show for `&#128;`...`&#159;`); the five undefined
/// positions stay the C1 control they name.
const WINDOWS_1252: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
    '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}',
    '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
    '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

/// `&name;` from the full table, else the longest legacy name without `;`.
fn named(s: &str) -> Option<(Entity, usize)> {
    let b = s.as_bytes();
    let limit = b.len().min(MAX_NAMED);
    let alnum = b[1..limit].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if alnum == 0 {
        return None;
    }
    if b.get(1 + alnum) == Some(&b';') {
        let len = alnum + 2;
        let decoded = html_escape::decode_html_entities(&s[..len]);
        if decoded != s[..len] {
            let mut chars = decoded.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Some((Entity::Char(c), len)),
                (Some(_), Some(_)) => Some((Entity::Str(decoded.into_owned()), len)),
                _ => None,
            };
        }
    }
    legacy(&s[1..1 + alnum]).map(|(c, n)| (Entity::Char(c), n + 1))
}

/// The longest legacy name `name` starts with: its character and the name's length.
fn legacy(name: &str) -> Option<(char, usize)> {
    (2..=name.len().min(6)).rev().find_map(|n| {
        let prefix = &name[..n];
        if let Some(k) = LATIN1.iter().position(|&l| l == prefix) {
            return char::from_u32(0xA0 + k as u32).map(|c| (c, n));
        }
        let c = match prefix {
            "amp" | "AMP" => '&',
            "lt" | "LT" => '<',
            "gt" | "GT" => '>',
            "quot" | "QUOT" => '"',
            "COPY" => '\u{A9}',
            "REG" => '\u{AE}',
            _ => return None,
        };
        Some((c, n))
    })
}

/// The legacy names of U+00A0..=U+00FF, in code point order (HTML 4's Latin-1 set).
const LATIN1: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not", "shy",
    "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1", "ordm",
    "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
    "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve",
    "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN",
    "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc",
    "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
    "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
];

/// The legacy table agrees with the WHATWG one (through `html-escape`) for every name.
#[doc(hidden)]
pub fn legacy_table_agrees() -> Result<(), String> {
    for (k, name) in LATIN1.iter().enumerate() {
        let want = char::from_u32(0xA0 + k as u32).map(String::from).unwrap_or_default();
        let got = html_escape::decode_html_entities(&format!("&{name};")).into_owned();
        if got != want {
            return Err(format!("&{name}; is {got:?}, the table says {want:?}"));
        }
    }
    Ok(())
}
