//! An element's inline `style` as a browser reads it, for the two questions the normalizer asks
//! of it: does it hide the element's text ([`super::html`]), does it set a direction
//! ([`super::dir`]).
//!
//! Matching the attribute's raw text against `display:none` let an attacker hide a letter from
//! the reader but not from the judge: `f<span style="display:/**/none">x</span>uck`,
//! `display:\6e one` (a CSS escape), `display:n&#111;ne` (a character reference) all hide the `x`
//! in a browser and were judged `fxuck`. So the value is read as the CSS tokenizer reads it:
//! character references decoded (it is an HTML attribute), comments dropped, escapes decoded, and
//! for each property the declaration that wins the cascade kept (the last one, an `!important`
//! one over any later plain one: `display:none;display:inline` shows the text).

use std::collections::HashMap;

use super::entity::{self, Entity};

/// The declarations of a `style` attribute value `raw` (as written in the tag) that take effect,
/// as `prop:value` joined by `;`: ASCII-lowercased, white space around names and values dropped
/// and inside values collapsed to one space, `!important` dropped. Linear in `raw`.
pub(crate) fn inline_style(raw: &str) -> String {
    let css = tokens(&decode_references(raw));
    // prop → (index in `decls`, important)
    let mut seen: HashMap<String, (usize, bool)> = HashMap::new();
    let mut decls: Vec<(String, String)> = Vec::new();
    for decl in css.split(';') {
        let Some((prop, value)) = decl.split_once(':') else { continue };
        let prop = prop.trim().to_ascii_lowercase();
        let mut value = value.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
        let important = match value.strip_suffix("important").map(str::trim_end) {
            Some(v) if v.ends_with('!') => {
                value = v[..v.len() - 1].trim_end().to_string();
                true
            }
            _ => false,
        };
        if prop.is_empty() || prop.contains(char::is_whitespace) || value.is_empty() {
            continue; // not a declaration a browser keeps
        }
        match seen.get(&prop) {
            Some(&(_, true)) if !important => {}
            Some(&(i, _)) => {
                decls[i].1 = value;
                seen.insert(prop, (i, important));
            }
            None => {
                seen.insert(prop.clone(), (decls.len(), important));
                decls.push((prop, value));
            }
        }
    }
    decls.iter().map(|(p, v)| format!("{p}:{v}")).collect::<Vec<_>>().join(";")
}

/// Whether declarations as [`inline_style`] gives them hide the element's text from a reader:
/// `display:none`, `visibility:hidden`/`collapse`, a font size of zero (also in the `font`
/// shorthand: `font:0/0 a`, the old image-replacement trick), an opacity of zero or less
/// (a negative one is clamped to zero), or a text colour with no alpha (`transparent`,
/// `rgba(…,0)`, `rgb(0 0 0 / 0%)`, `#0000`, `#ff000000`).
pub(crate) fn hides(style: &str) -> bool {
    style.split(';').any(|d| {
        let Some((prop, value)) = d.split_once(':') else { return false };
        match prop {
            "display" => value == "none",
            "visibility" => matches!(value, "hidden" | "collapse"),
            "font-size" => number(value).is_some_and(|n| n == 0.0),
            // The size is the token before an optional `/line-height`.
            "font" => value.split(' ').any(|t| number(t.split('/').next().unwrap_or(t)).is_some_and(|n| n == 0.0)),
            "opacity" => number(value).is_some_and(|n| n <= 0.0),
            "color" => no_alpha(value),
            _ => false,
        }
    })
}

/// The number a CSS value starts with (sign, digits, fraction, exponent; a unit or `%` may
/// follow), if it starts with one.
fn number(value: &str) -> Option<f64> {
    let b = value.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    let mut any = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if digits(&mut j) {
            i = j;
        }
    }
    value[..i].parse().ok()
}

/// Whether a colour value has an alpha of zero.
fn no_alpha(value: &str) -> bool {
    if value == "transparent" {
        return true;
    }
    if let Some(hex) = value.strip_prefix('#') {
        let alpha = match hex.len() {
            4 => &hex[3..],
            8 => &hex[6..],
            _ => return false,
        };
        return hex.bytes().all(|c| c.is_ascii_hexdigit()) && alpha.bytes().all(|c| c == b'0');
    }
    // rgba(r,g,b,a), hsla(...), rgb(r g b / a), and the like: the alpha is the fourth argument.
    let Some(args) = value.split_once('(').and_then(|(_, rest)| rest.strip_suffix(')')) else { return false };
    let args: Vec<&str> = args.split([',', ' ', '/']).filter(|a| !a.is_empty()).collect();
    args.len() == 4 && number(args[3]).is_some_and(|n| n <= 0.0)
}

/// `raw` with its character references decoded, as an attribute value is.
fn decode_references(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut k = 0;
    while let Some(c) = raw[k..].chars().next() {
        if c == '&' {
            if let Some((ent, n)) = entity::entity(&raw[k..]) {
                match ent {
                    Entity::Char(c) => out.push(c),
                    Entity::Str(s) => out.push_str(&s),
                }
                k += n;
                continue;
            }
        }
        out.push(c);
        k += c.len_utf8();
    }
    out
}

/// A character no keyword or delimiter the normalizer looks for holds: what an escape that
/// does not spell a letter becomes (`\3a` is part of a name, never the `:` of a declaration;
/// `\30` is part of a name, never the number 0).
const INERT: char = '\u{FFFD}';

/// CSS text with comments turned into a space (a comment separates tokens) and escapes decoded:
/// `\` and up to six hex digits (and one white space after them), or `\` and any other
/// character, which stands for itself. An escaped letter, `-` or `_` is that character; any
/// other escaped character is [`INERT`], since in a browser it is part of a name and never a
/// delimiter, white space or a digit of a number.
fn tokens(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '/' && css[i + 1..].starts_with('*') {
            // To the end of the comment, or of the text if it is never closed.
            let end = css[i + 2..].find("*/").map_or(css.len(), |j| i + 2 + j + 2);
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
            out.push(' ');
        } else if c == '\\' {
            let mut code = 0u32;
            let mut digits = 0;
            while digits < 6 {
                match chars.peek().and_then(|&(_, h)| h.to_digit(16)) {
                    Some(d) => {
                        code = code * 16 + d;
                        digits += 1;
                        chars.next();
                    }
                    None => break,
                }
            }
            let decoded = if digits > 0 {
                if chars.peek().is_some_and(|&(_, w)| w.is_ascii_whitespace()) {
                    chars.next();
                }
                char::from_u32(code).filter(|&c| c != '\0').unwrap_or(INERT)
            } else {
                match chars.next() {
                    Some((_, '\n' | '\r' | '\x0C')) | None => INERT,
                    Some((_, c)) => c,
                }
            };
            out.push(if decoded.is_alphabetic() || decoded == '-' || decoded == '_' { decoded } else { INERT });
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::inline_style;

    #[test]
    fn reads_a_style_as_a_browser_does() {
        for (raw, want) in [
            ("display:none", "display:none"),
            ("DISPLAY : NONE", "display:none"),
            ("display:/**/none", "display:none"),
            ("display:\\6e one", "display:none"),
            ("display:\\00006Eone", "display:none"),
            ("display:n\\one", "display:none"),
            ("\\64isplay:none", "display:none"),
            ("display:n&#111;ne", "display:none"),
            ("display:none ! important;display:inline", "display:none"),
            ("display:none;display:inline", "display:inline"),
            ("color:red;display:none;color:blue", "color:blue;display:none"),
            ("display\\3a none", ""),
            ("font-size:\\30", "font-size:\u{FFFD}"),
            ("dis/**/play:none", ""),
            ("display:none/* unclosed", "display:none"),
            ("direction: rtl; unicode-bidi: bidi-override", "direction:rtl;unicode-bidi:bidi-override"),
        ] {
            assert_eq!(inline_style(raw), want, "{raw}");
        }
    }

    #[test]
    fn hides_what_a_reader_cannot_see() {
        for (raw, hidden) in [
            ("display:none", true),
            ("display:inline", false),
            ("visibility:collapse", true),
            ("font-size:0", true),
            ("font-size:0.0em", true),
            ("font-size:1px", false),
            ("font-size:\\30", false),
            ("font:0/0 a", true),
            ("font:bold 12px/0 serif", false),
            ("opacity:0", true),
            ("opacity:-1", true),
            ("opacity:.5", false),
            ("opacity:1e-0", false),
            ("color:transparent", true),
            ("color:rgba(0, 0, 0, 0)", true),
            ("color:rgb(0 0 0 / 0%)", true),
            ("color:hsla(0,0%,0%,.0)", true),
            ("color:rgba(0,0,0,0.5)", false),
            ("color:#0000", true),
            ("color:#ff000000", true),
            ("color:#000", false),
            ("color:#ff0000ff", false),
            ("background-color:transparent", false),
        ] {
            assert_eq!(super::hides(&inline_style(raw)), hidden, "{raw}");
        }
    }
}
