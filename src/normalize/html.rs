//! HTML entities and tags, recognized in place so the offset map can point at them.
//!
//! Comment bodies arrive as HTML more often than not (WordPress, Disqus exports), and evaders use
//! it on purpose: `f&#117;ck`, `sh&#x69;t`, `<b>fu</b>ck`. We do not parse HTML into a tree; we
//! recognize two lexical forms at the byte where they start and report how many bytes they
//! span, so the caller can map whatever they decode to the *whole* entity or tag:
//!
//! - **Entities**: `&#DDD;`, `&#xHH;` and named entities (`&amp;`, `&eacute;`...). Named entities
//!   are looked up with the `html-escape` crate (its table is the WHATWG one), so we do not keep
//!   our own copy. A `&` that does not start a well-formed entity is ordinary text.
//! - **Tags**: `<name ...>`, `</name>`, `<!-- ... -->` (vanishes, as a browser shows it), `<!DOCTYPE ...>`. Inline formatting tags
//!   (`b`, `i`, `em`, `span`, `a`, ...) vanish, so `<b>fu</b>ck` reads `fuck`; every other tag
//!   (`<br />`, `<p>`, `<div>`) reads as a space, so `hello<br>world` does not glue into one
//!   word. A `<` that does not start a tag (`a < b`, `<3`) is ordinary text.
//!
//! Only one level of decoding is done: `&amp;#117;` reads `&#117;`, as a browser would show it.

/// Longest tag we recognize, in bytes; longer `<...` runs are text (and cannot make us scan
/// far ahead on hostile input).
const MAX_TAG: usize = 512;
/// Longest entity we recognize, in bytes (`&CounterClockwiseContourIntegral;` is 33).
const MAX_ENTITY: usize = 40;

/// What an entity decodes to.
pub(crate) enum Entity {
    /// A single character (all numeric and most named entities).
    Char(char),
    /// A few named entities decode to two characters.
    Str(String),
}

/// If `s` starts with a well-formed entity, what it decodes to and its length in bytes.
pub(crate) fn entity(s: &str) -> Option<(Entity, usize)> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'&'));
    let limit = b.len().min(MAX_ENTITY);
    let semi = b[1..limit].iter().position(|&c| c == b';')? + 1;
    let body = &s[1..semi];
    let len = semi + 1;
    if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        };
        // NUL, surrogates and out-of-range code points decode to U+FFFD, as browsers do.
        let c = char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}');
        return Some((Entity::Char(c), len));
    }
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let decoded = html_escape::decode_html_entities(&s[..len]);
    if decoded == s[..len] {
        return None; // unknown name: leave it as text
    }
    let mut chars = decoded.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some((Entity::Char(c), len)),
        (Some(_), Some(_)) => Some((Entity::Str(decoded.into_owned()), len)),
        _ => None,
    }
}

/// If `s` starts with a tag, its length in bytes and whether it is an inline tag (which
/// vanishes) rather than a block one (which reads as a space).
pub(crate) fn tag(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'<'));
    if s.starts_with("<!--") {
        return None; // comments need to know where the next `-->` is: see [`CommentEnds`]
    }
    let limit = b.len().min(MAX_TAG);
    let mut i = 1;
    if i < limit && (b[i] == b'/' || b[i] == b'!') {
        i += 1;
    }
    let name_start = i;
    while i < limit && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = &s[name_start..i];
    // After the name: whitespace, `/` or `>`; then attributes up to the closing `>`.
    if i < limit && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>') {
        return None;
    }
    let close = b[i..limit].iter().position(|&c| c == b'>' || c == b'<')? + i;
    if b[close] != b'>' {
        return None;
    }
    // A one-letter tag that is not HTML (`fu<v>ck`, `FUC<M>KERS`) is a word-splitting trick:
    // it vanishes like an inline tag instead of reading as a space. `<p>` still separates.
    let fake = name.len() == 1 && !name.eq_ignore_ascii_case("p");
    Some((close + 1, fake || is_inline(name)))
}

/// Where HTML comments end, found with one forward scan shared by every `<!--` of a body.
///
/// A body of `<!--<!--<!--...` with no `-->` must not make each opener search to the end (that
/// is quadratic in the body). The next `-->` after a position is found once and remembered; a
/// later opener before it reuses the answer, one after it searches on from there, and once
/// there is no `-->` left, no opener searches again.
#[derive(Debug, Default)]
pub(crate) struct CommentEnds {
    /// Byte offset of the `-->` found last, with the position its search started from.
    found: Option<(usize, usize)>,
    /// No `-->` at or after this offset.
    none_after: Option<usize>,
}

impl CommentEnds {
    /// If `body[i..]` starts an HTML comment that is closed, its length in bytes.
    pub(crate) fn comment(&mut self, body: &str, i: usize) -> Option<usize> {
        if !body[i..].starts_with("<!--") {
            return None;
        }
        let from = i + 4;
        if self.none_after.is_some_and(|p| from >= p) {
            return None;
        }
        let close = match self.found {
            Some((searched_from, at)) if searched_from <= from && at >= from => at,
            _ => match body[from..].find("-->") {
                Some(p) => {
                    self.found = Some((from, from + p));
                    from + p
                }
                None => {
                    self.none_after = Some(from);
                    return None;
                }
            },
        };
        Some(close + 3 - i)
    }
}

/// Inline (phrasing) elements whose tags do not separate words.
fn is_inline(name: &str) -> bool {
    const INLINE: &[&str] = &[
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark",
        "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var", "wbr",
    ];
    INLINE.iter().any(|t| t.eq_ignore_ascii_case(name))
}
