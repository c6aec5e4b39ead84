//! HTML tags and comments, recognized in place so the offset map can point at them.
//!
//! Comment bodies arrive as HTML more often than not (WordPress, Disqus exports), and evaders use
//! it on purpose: `<b>fu</b>ck`, `fu<!-- -->ck`. We do not build a tree; we recognize tags and
//! comments at the byte where they start, as the WHATWG tokenizer does, and report how many
//! bytes they span. The rule that keeps this honest: **we hide only what a browser hides**.
//! Where we cannot be sure, the text is judged (over-judging hidden text costs a false alarm at
//! worst; hiding shown text would let it through).
//!
//! - **Tags**: `<` or `</` and an ASCII letter, a name up to whitespace, `/` or `>` (any other
//!   character belongs to the name: `<my-tag>` is a tag), then attributes, whose quoted values
//!   may hold `>` and `<`. Elements that a browser lays out as blocks, line breaks, cells or
//!   widgets (`<p>`, `<br>`, `<div>`, `<td>`, `<input>`) read as a space; every other tag
//!   vanishes (`<b>`, `<span>`, `<my-tag>`, `<v>`: unknown elements are inline), so
//!   `f<span>u</span>ck` reads `fuck`. An `<img>` shows its `alt` text in its place.
//! - **Comments**: `<!--` up to `-->` or `--!>`; `<!-->` and `<!--->` are empty comments.
//! - **Raw text**: the content of `<script>`, `<style>`, `<xmp>`, `<textarea>`, `<title>`,
//!   `<iframe>`, `<noembed>`, `<noframes>`, `<noscript>` and everything after `<plaintext>` is
//!   not parsed for tags or comments (a browser does not, so `<style><!--</style>fuck-->` shows
//!   `fuck`); it is judged as text.
//! - **Unfinished**: a tag that runs to the end of the body is text, and so is every `<` after it
//!   (a browser shows none of it; judging it keeps the scan linear).

/// A tag found at some byte of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Length in bytes, `<` to `>` inclusive.
    pub(crate) len: usize,
    /// `</name>` rather than `<name>`.
    pub(crate) end: bool,
    /// The element name, ASCII-lowercased (empty for `<!...>` declarations).
    pub(crate) name: String,
    /// The `dir` attribute's value, if any (trimmed, ASCII-lowercased).
    pub(crate) dir: Option<String>,
    /// The text the element shows in its place, as a byte range of the tag: an `<img>`'s `alt`,
    /// an `<input>`'s `value` or `placeholder`, an `<iframe>`'s `srcdoc`.
    pub(crate) alt: Option<std::ops::Range<usize>>,
    /// The `style` attribute's declarations that take effect, read as a browser reads them
    /// ([`super::css::inline_style`]: `prop:value;…`).
    pub(crate) style: Option<String>,
    /// A `hidden` attribute (any value).
    pub(crate) hidden: bool,
    /// The `title` attribute's value, as a byte range of the tag: a tooltip the page shows on
    /// hover, judged out of line ([`super::out_of_line::OutOfLine`]).
    pub(crate) title: Option<std::ops::Range<usize>>,
    /// The `aria-label` attribute's value, as a byte range of the tag: what a screen reader
    /// reads for the element, judged out of line as a tooltip is (round 15: unjudged).
    pub(crate) label: Option<std::ops::Range<usize>>,
    /// The `aria-description` attribute's value, as a byte range of the tag: read aloud after
    /// the element's name, judged as `aria-label` is (round 16: unjudged).
    pub(crate) description: Option<std::ops::Range<usize>>,
    /// The `aria-labelledby` attribute's value (id references), as a byte range of the tag: a
    /// screen reader reads the text of those elements, in that order, as the element's name.
    pub(crate) labelledby: Option<std::ops::Range<usize>>,
    /// The `id` attribute's value, as a byte range of the tag (what `aria-labelledby` names).
    pub(crate) id: Option<std::ops::Range<usize>>,
    /// The `class` attribute's value, as a byte range of the tag (what a `<style>` sheet's
    /// `.x` selects: [`super::sheet`]).
    pub(crate) class: Option<std::ops::Range<usize>>,
}

impl Tag {
    /// Whether the tag reads as a space (a block, a line break, a cell, a widget) rather than
    /// vanishing.
    pub(crate) fn separates(&self) -> bool {
        BLOCK.contains(&self.name.as_str())
    }

    /// Whether this start tag closes an open `<p>` (HTML's implied end tag).
    pub(crate) fn closes_p(&self) -> bool {
        CLOSES_P.contains(&self.name.as_str())
    }

    /// For a start tag whose content is raw text: whether entities in it are decoded.
    pub(crate) fn raw_text(&self) -> Option<RawText> {
        if self.end {
            return None;
        }
        Some(match self.name.as_str() {
            "script" => RawText::Script,
            "textarea" | "title" => RawText::Rcdata,
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => RawText::Rawtext,
            "plaintext" => RawText::Plaintext,
            _ => return None,
        })
    }
}

/// The kinds of element content the tokenizer does not parse for tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawText {
    /// `<script>`: ends at `</script`, except inside `<!--<script>` ... `</script>` escapes.
    Script,
    /// Entities are decoded, tags are text (`<textarea>`, `<title>`).
    Rcdata,
    /// Nothing is decoded (`<style>`, `<xmp>`, ...).
    Rawtext,
    /// The rest of the body is text.
    Plaintext,
}

/// Elements that do not run into their neighbours' text: display block, list item, table cells,
/// line breaks, form widgets with their own text. Everything else (including unknown names) is
/// inline (a `<button>`'s label is in the line: `bit<button>ch</button>` shows `bitch`), and so are
/// (round 4, told by Chromium's `innerText`): `<html>`, `<body>`, `<head>`, `<frameset>`,
/// `<frame>` inside a comment (the parser drops them), `<table>`, `<tr>`, `<tbody>`... (text
/// straight inside them is moved before the table, next to the text before it: `ass<table>hole`
/// shows `asshole`; cells still separate), and the replaced elements `<embed>`, `<canvas>`,
/// `<video>`, `<audio>`, `<iframe>` (a box in the line, like an `<img>`; their fallback content
/// is not shown, see [`OUT_OF_LINE`]).
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "input",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "meter",
    "nav",
    "object",
    "ol",
    "optgroup",
    "option",
    "p",
    "plaintext",
    "pre",
    "progress",
    "rp",
    "rt",
    "search",
    "section",
    "select",
    "summary",
    "td",
    "textarea",
    "th",
    "title",
    "ul",
    "xmp",
];

/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "plaintext",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "ul",
    "xmp",
];

/// Which separating elements are open, so that an end tag with none open (`ass</div>hole`,
/// `you i</table>diot`) vanishes as the parser drops it, instead of splitting the word a reader
/// sees whole. `</p>` and `</br>` with none open still separate (the parser makes an empty
/// paragraph, a line break). Counts by name, without scope: an end tag whose element is open
/// anywhere separates (a false split at worst where a browser would also ignore it).
/// A cell or caption tag outside a `<table>` is dropped by the parser too (`ass<td>hole` shows
/// `asshole`).
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    open: Vec<(String, u32)>,
    tables: u32,
}

impl Blocks {
    /// Whether `tag` reads as a space, counting it in or out of the open elements.
    pub(crate) fn separates(&mut self, tag: &Tag) -> bool {
        if tag.name == "table" {
            if tag.end {
                self.tables = self.tables.saturating_sub(1);
            } else {
                self.tables += 1;
            }
        }
        if !tag.separates() || (self.tables == 0 && matches!(tag.name.as_str(), "td" | "th" | "caption")) {
            return false;
        }
        if VOID.contains(&tag.name.as_str()) {
            return true;
        }
        let at = self.open.iter().position(|(n, _)| *n == tag.name);
        if !tag.end {
            match at {
                Some(k) => self.open[k].1 += 1,
                None => self.open.push((tag.name.clone(), 1)),
            }
            return true;
        }
        match at {
            Some(k) if self.open[k].1 > 0 => {
                self.open[k].1 -= 1;
                true
            }
            _ => matches!(tag.name.as_str(), "p" | "br"),
        }
    }
}

/// Whitespace as the HTML tokenizer knows it (CR is a line end too).
#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// If `s` (which starts with `<`) starts a tag or a `<!x ...>` declaration, the tag. `None`
/// when it is text: no letter after `<`/`</`, a comment (see [`CommentEnds`]), or no `>`
/// before the end of `s` (then `eof` is set: nothing later can be trusted to be a tag).
pub(crate) fn tag(s: &str, eof: &mut bool) -> Option<Tag> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'<'));
    if s.starts_with("<!--") {
        return None;
    }
    let (end, decl) = match b.get(1) {
        Some(b'/') => (true, false),
        Some(b'!') => (false, true),
        _ => (false, false),
    };
    let name_start = if end || decl { 2 } else { 1 };
    let letter = b.get(name_start).is_some_and(u8::is_ascii_alphabetic);
    // A bogus comment, which the tokenizer hides up to the first `>`: `<?...>`, `<!` not
    // followed by `--` (`<![CDATA[x]]>` outside SVG/MathML), `</` not followed by a letter
    // (`</ x>`, `</>`). So `fu<?x>ck` and `fu</ >ck` read `fuck`.
    let bogus = b.get(1) == Some(&b'?') || decl || (end && b.get(2).is_some_and(|&c| !c.is_ascii_alphabetic()));
    if !letter && !bogus {
        return None;
    }
    if decl || bogus {
        // `<!DOCTYPE html>`, other declarations and bogus comments: up to the first `>` (no
        // quoting).
        let Some(close) = memchr::memchr(b'>', b) else {
            *eof = true;
            return None;
        };
        return Some(Tag {
            len: close + 1,
            end: false,
            name: String::new(),
            dir: None,
            alt: None,
            style: None,
            hidden: false,
            title: None,
            label: None,
            description: None,
            labelledby: None,
            id: None,
            class: None,
        });
    }
    let mut i = name_start;
    while i < b.len() && !is_ws(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let (mut dir, mut alt, mut style, mut hidden, mut title, mut label) = (None, None, None, false, None, None);
    let (mut description, mut labelledby, mut id, mut class) = (None, None, None, None);
    // `<input>` shows its `value` (a box's text, a button's label), else its `placeholder`.
    let (mut value_attr, mut placeholder, mut typ) = (None, None, None);
    // Attributes, as the tokenizer reads them: `name`, `name=value`, `name="v"`, `name='v'`.
    loop {
        while i < b.len() && (is_ws(b[i]) || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => break,
            Some(b'>') => {
                if name == "input" && typ != Some(true) {
                    alt = value_attr.or(placeholder);
                }
                return Some(Tag {
                    len: i + 1,
                    end,
                    name,
                    dir,
                    alt,
                    style,
                    hidden,
                    title,
                    label,
                    description,
                    labelledby,
                    id,
                    class,
                });
            }
            Some(_) => {}
        }
        let an = i;
        i += 1; // the first character is part of the name, even `=`
        while i < b.len() && !is_ws(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = &s[an..i];
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        if attr.eq_ignore_ascii_case("hidden") {
            hidden = true;
        }
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let Some(close) = memchr::memchr(q, &b[i + 1..]) else { break };
                let v = i + 1..i + 1 + close;
                i = v.end + 1;
                v
            }
            _ => {
                let v = i;
                while i < b.len() && !is_ws(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                v..i
            }
        };
        // A repeated attribute is dropped by the tokenizer: the first one counts.
        if attr.eq_ignore_ascii_case("dir") {
            dir = dir.or_else(|| Some(s[value.clone()].trim().to_ascii_lowercase()));
        } else if attr.eq_ignore_ascii_case("title") {
            title = title.or(Some(value));
        } else if attr.eq_ignore_ascii_case("aria-label") {
            label = label.or(Some(value));
        } else if attr.eq_ignore_ascii_case("aria-description") {
            description = description.or(Some(value));
        } else if attr.eq_ignore_ascii_case("aria-labelledby") {
            labelledby = labelledby.or(Some(value));
        } else if attr.eq_ignore_ascii_case("id") {
            id = id.or(Some(value));
        } else if attr.eq_ignore_ascii_case("class") {
            class = class.or(Some(value));
        } else if attr.eq_ignore_ascii_case("alt") {
            alt = alt.or(Some(value));
        } else if attr.eq_ignore_ascii_case("value") {
            value_attr = value_attr.or(Some(value));
        } else if attr.eq_ignore_ascii_case("placeholder") {
            placeholder = placeholder.or(Some(value));
        } else if attr.eq_ignore_ascii_case("srcdoc") && name == "iframe" {
            // The document an `<iframe srcdoc>` shows in its frame (round 15: unjudged).
            alt = alt.or(Some(value));
        } else if attr.eq_ignore_ascii_case("type") && typ.is_none() {
            typ = Some(s[value].trim().eq_ignore_ascii_case("hidden"));
        } else if attr.eq_ignore_ascii_case("style") {
            style = style.or_else(|| Some(super::css::inline_style(&s[value])));
        }
    }
    *eof = true;
    None
}

/// Where the raw text content that starts at `from` ends (the byte of its closing `</name`),
/// or the end of `body`. `name` is the element's lowercase name.
pub(crate) fn raw_text_end(body: &str, from: usize, name: &str, kind: RawText) -> usize {
    let b = body.as_bytes();
    if kind == RawText::Plaintext {
        return b.len();
    }
    let closes = |p: usize, tag: &str| -> bool {
        // `</` + name (any case) + whitespace, `/` or `>`.
        let n = p + 2 + tag.len();
        b[p..].starts_with(b"</")
            && b.get(p + 2..n).is_some_and(|t| t.eq_ignore_ascii_case(tag.as_bytes()))
            && b.get(n).is_some_and(|&c| is_ws(c) || c == b'/' || c == b'>')
    };
    let opens = |p: usize| -> bool {
        let n = p + 7;
        b[p..].starts_with(b"<")
            && b.get(p + 1..n).is_some_and(|t| t.eq_ignore_ascii_case(b"script"))
            && b.get(n).is_some_and(|&c| is_ws(c) || c == b'/' || c == b'>')
    };
    // Script data states: plain, escaped (after `<!--`), double escaped (after `<script` in it).
    #[derive(PartialEq)]
    enum St {
        Data,
        Escaped,
        Double,
    }
    let mut st = St::Data;
    let mut i = from;
    while let Some(p) = memchr::memchr2(b'<', b'-', &b[i..]) {
        let p = i + p;
        if b[p] == b'-' {
            if st != St::Data && b[p..].starts_with(b"-->") {
                st = St::Data;
                i = p + 3;
            } else {
                i = p + 1;
            }
            continue;
        }
        if kind != RawText::Script {
            if closes(p, name) {
                return p;
            }
        } else if b[p..].starts_with(b"<!--") && st == St::Data {
            st = St::Escaped;
            // `<!-->` closes at once: the dashes count for both.
            i = p + 2;
            continue;
        } else if closes(p, "script") {
            match st {
                St::Double => st = St::Escaped,
                _ => return p,
            }
        } else if st == St::Escaped && opens(p) {
            st = St::Double;
        }
        i = p + 1;
    }
    b.len()
}

/// Where HTML comments end, found with one forward scan shared by every `<!--` of a body.
///
/// A body of `<!--<!--<!--...` with no closer must not make each opener search to the end (that
/// is quadratic in the body). The next closer after a position is found once and remembered; a
/// later opener before it reuses the answer, one after it searches on from there, and once
/// there is no closer left, no opener searches again.
#[derive(Debug, Default)]
pub(crate) struct CommentEnds {
    /// The closer found last (offset, length), with the position its search started from.
    found: Option<(usize, usize, usize)>,
    /// No closer at or after this offset.
    none_after: Option<usize>,
}

impl CommentEnds {
    /// If `body[i..]` starts an HTML comment that is closed, its length in bytes.
    pub(crate) fn comment(&mut self, body: &str, i: usize) -> Option<usize> {
        let b = body.as_bytes();
        if !b[i..].starts_with(b"<!--") {
            return None;
        }
        // `<!-->` and `<!--->` are whole (empty) comments.
        if b.get(i + 4) == Some(&b'>') {
            return Some(5);
        }
        if b[i + 4..].starts_with(b"->") {
            return Some(6);
        }
        let from = i + 4;
        if self.none_after.is_some_and(|p| from >= p) {
            return None;
        }
        let (at, len) = match self.found {
            Some((searched_from, at, len)) if searched_from <= from && at >= from => (at, len),
            _ => match closer(&body[from..]) {
                Some((p, len)) => {
                    self.found = Some((from, from + p, len));
                    (from + p, len)
                }
                None => {
                    self.none_after = Some(from);
                    return None;
                }
            },
        };
        Some(at + len - i)
    }
}

/// The first `-->` or `--!>` in `s`: its offset and length.
fn closer(s: &str) -> Option<(usize, usize)> {
    let plain = s.find("-->").map(|p| (p, 3));
    // `--!>` can only come first if it starts before the first `-->`.
    let bang = s[..plain.map_or(s.len(), |(p, _)| p)].find("--!>").map(|p| (p, 4));
    bang.or(plain)
}

/// Elements without content (a start tag is all there is).
pub(crate) const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];
