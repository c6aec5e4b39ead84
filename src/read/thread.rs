//! The thread reader: a scraped article page whose comments are numbered entries.
//!
//! The pages look like `seeds/*.txt`: the article, a "Discussion Policy" paragraph, then
//! entries like
//!
//! ```text
//!   1. Avetis said:
//!
//!     Putin the Great for president… in Armenia!!!
//!
//!   4. Pingback: Tweets that mention Russia Tells Turkey … | Asbarez Armenian News --
//! ```
//!
//! An entry header is a line `N. <author> said:` or `N. Pingback: <text>` /
//! `N. Trackback: <text>`; its body is every following line that is blank or indented deeper
//! than the header, up to the next header at the same or a shallower indentation (so a body
//! line that merely looks like a header stays in the body). A non-indented line ends the entry
//! (the page footer is not a comment). When the page has a `Discussion Policy` line, scanning
//! starts after it, so neither the article nor the policy can be mistaken for comments.
//!
//! Bodies keep the entry's original text: the common indentation is stripped, the inner line
//! breaks are kept, leading and trailing blank lines are dropped. A pingback's body is the text
//! after `Pingback: `, and its author is the linking site when the title names one
//! (`title | site name | source site` → the last part). Ids are `<file stem>#<N>`.
//!
//! A page is small, so it is read whole; a page without entries yields no records.

use std::io::Read;

use super::{chomp, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// A parsed entry header line.
#[derive(Debug, PartialEq)]
pub(crate) struct Header<'a> {
    /// Leading whitespace, in characters.
    pub(crate) indent: usize,
    /// The entry number.
    pub(crate) n: u64,
    /// Comment with its author, or a ping with its kind and text.
    pub(crate) what: What<'a>,
}

/// What an entry header announces.
#[derive(Debug, PartialEq)]
pub(crate) enum What<'a> {
    /// `N. Author said:` (the author may be empty).
    Said(&'a str),
    /// `N. Pingback: text` or `N. Trackback: text`.
    Ping(CommentKind, &'a str),
}

/// Parses `  N. Author said:` / `  N. Pingback: ...` / `  N. Trackback: ...`.
pub(crate) fn parse_header(line: &str) -> Option<Header<'_>> {
    let line = line.trim_end();
    let rest = line.trim_start();
    let indent = line.len() - rest.len();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let n = rest[..digits].parse().ok()?;
    let after = rest[digits..].strip_prefix('.')?;
    let text = after.trim_start();
    if text.len() == after.len() {
        return None; // `N.` must be followed by whitespace
    }
    for (prefix, kind) in [("Pingback:", CommentKind::Pingback), ("Trackback:", CommentKind::Trackback)] {
        if let Some(t) = text.strip_prefix(prefix) {
            return Some(Header { indent, n, what: What::Ping(kind, t.trim()) });
        }
    }
    if text == "said:" {
        return Some(Header { indent, n, what: What::Said("") });
    }
    let author = text.strip_suffix(" said:")?;
    Some(Header { indent, n, what: What::Said(author.trim()) })
}

/// The linking site of a pingback title `Post title | Blog name | Site`, when there is one.
fn ping_site(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(" | ").collect();
    if parts.len() < 3 {
        return None;
    }
    let site = parts[parts.len() - 1].trim().trim_end_matches(['-', '…', '.']).trim();
    (!site.is_empty()).then(|| site.to_string())
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Reads a whole thread page into records.
pub(crate) fn read_thread(mut src: Source, opts: &ReadOptions) -> Vec<Record> {
    let mut bytes = Vec::new();
    if let Err(e) = src.reader.read_to_end(&mut bytes) {
        let o = &src.origin;
        return vec![Err(RecordError::new(o, 1, o.make_id(1), format!("line 1: read error: {e}"), None))];
    }
    parse_page(&src, &bytes, opts)
}

struct Entry {
    header: usize,
    indent: usize,
    body: Vec<usize>,
}

fn parse_page(src: &Source, bytes: &[u8], opts: &ReadOptions) -> Vec<Record> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').map(chomp).collect();
    let text: Vec<std::borrow::Cow<'_, str>> = lines.iter().map(|l| String::from_utf8_lossy(l)).collect();
    let start = text.iter().rposition(|l| l.trim() == "Discussion Policy").map_or(0, |i| i + 1);
    let mut out = Vec::new();
    let mut cur: Option<Entry> = None;
    for i in start..lines.len() {
        let t = &text[i];
        if let Some(h) = parse_header(t) {
            if cur.as_ref().map_or(true, |c| h.indent <= c.indent) {
                if let Some(e) = cur.take() {
                    out.push(entry_record(src, &lines, &text, e, opts));
                }
                cur = Some(Entry { header: i, indent: h.indent, body: Vec::new() });
                continue;
            }
        }
        if let Some(e) = cur.as_mut() {
            if t.trim().is_empty() || e.indent == 0 || indent_of(t) > e.indent {
                e.body.push(i);
            } else {
                let e = cur.take().expect("checked");
                out.push(entry_record(src, &lines, &text, e, opts));
            }
        }
    }
    if let Some(e) = cur.take() {
        out.push(entry_record(src, &lines, &text, e, opts));
    }
    out
}

fn entry_record(
    src: &Source,
    lines: &[&[u8]],
    text: &[std::borrow::Cow<'_, str>],
    mut e: Entry,
    opts: &ReadOptions,
) -> Record {
    while e.body.last().is_some_and(|&i| text[i].trim().is_empty()) {
        e.body.pop();
    }
    let line_no = e.header as u64 + 1;
    let h = parse_header(&text[e.header]).expect("entry starts at a header");
    let o = &src.origin;
    let id = o.make_id(h.n);
    let last = e.body.last().copied().unwrap_or(e.header);
    let raw = opts.keep_raw.then(|| text[e.header..=last].join("\n"));
    if let Some(bad) = (e.header..=last).find(|&i| std::str::from_utf8(lines[i]).is_err()) {
        let pos = std::str::from_utf8(lines[bad]).err().map_or(0, |x| x.valid_up_to() + 1);
        let msg = format!("line {}: invalid UTF-8 at byte {pos} (entry {} at line {line_no})", bad + 1, h.n);
        return Err(RecordError { id, message: msg, source: o.pos(line_no), raw });
    }
    let body_lines: Vec<&str> = e.body.iter().map(|&i| text[i].as_ref()).skip_while(|l| l.trim().is_empty()).collect();
    let common = body_lines.iter().filter(|l| !l.trim().is_empty()).map(|l| indent_of(l)).min().unwrap_or(0);
    let body_text = body_lines
        .iter()
        .map(|l| if l.len() >= common { l[common..].trim_end() } else { "" })
        .collect::<Vec<_>>()
        .join("\n");
    let (kind, author, body) = match h.what {
        What::Said(a) => (CommentKind::Comment, (!a.is_empty()).then(|| a.to_string()), body_text),
        What::Ping(kind, t) => {
            let body = if body_text.is_empty() { t.to_string() } else { format!("{t}\n{body_text}") };
            (kind, ping_site(t), body)
        }
    };
    Ok(Comment { id, body, author, kind, source: Some(o.pos(line_no)), raw, ..Comment::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = parse_header("  8. Genocide denierInvestigator said:").unwrap();
        assert_eq!((h.indent, h.n, h.what), (2, 8, What::Said("Genocide denierInvestigator")));
        let h = parse_header("  4. Pingback: Tweets | x").unwrap();
        assert_eq!(h.what, What::Ping(CommentKind::Pingback, "Tweets | x"));
        assert!(parse_header("1.5 said:").is_none());
        assert!(parse_header("In 2010. He said: yes").is_none());
        assert!(parse_header("Discussion Policy").is_none());
    }

    #[test]
    fn ping_sites() {
        assert_eq!(ping_site("Differences | Asbarez … | azerbaijantoday").as_deref(), Some("azerbaijantoday"));
        assert_eq!(ping_site("Tweets that mention X | Asbarez Armenian News --"), None);
    }
}
