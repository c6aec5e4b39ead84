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
//! line that merely looks like a header stays in the body). A line indented no deeper than the
//! header ends the entry: after the last entry it and the rest of the page are the page footer,
//! not a comment; before another entry, it and the lines up to that entry are text a reader sees
//! under this one, so they are judged with it (round 12). When the page has a `Discussion
//! Policy` line at column 0, scanning starts after the last one, so neither the article nor the
//! policy can be mistaken for comments (an indented one is a comment's text: round 12).
//!
//! Bodies keep the entry's original text: the common indentation is stripped, the inner line
//! breaks are kept, leading and trailing blank lines are dropped. A pingback's body is the text
//! after `Pingback: `, and its author is the linking site when the title names one
//! (`title | site name | source site` → the last part). Ids are `<file stem>#<N>`; a number the
//! page gives again (two entries `1.`, a scrape that joined two pages) is `<file stem>#<N>.<k>`
//! for its k-th entry (`page#1.2`), so every record has its own id, the same on every run.
//!
//! A page is small, so it is read whole; a page without entries yields no records.

use std::io::Read;

use super::{chomp, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// A parsed entry header line.
#[derive(Debug, PartialEq)]
pub(crate) struct Header<'a> {
    /// Leading whitespace, in columns ([`columns`]).
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
    let indent = columns(line);
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

/// The bytes of `line`'s leading whitespace.
fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// How far `line`'s text stands from the margin as a reader sees it: a tab goes to the next
/// multiple of 8 columns, an ideographic space is two. Counted in bytes, a body line indented by
/// a tab (8 columns on the page) was 1, shallower than its header's 2 spaces: it ended the entry,
/// and under the last entry it was taken for the page footer, so `\tyou fucking idiot` was never
/// judged and the comment was an empty `allow` (round 15).
fn columns(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).fold(0, |col, c| match c {
        '\t' => (col / 8 + 1) * 8,
        '\u{3000}' => col + 2,
        _ => col + 1,
    })
}

/// Reads a whole thread page into records.
pub(crate) fn read_thread(mut src: Source, opts: &ReadOptions) -> Vec<Record> {
    let mut bytes = Vec::new();
    if let Err(e) = src.reader.read_to_end(&mut bytes) {
        let o = &src.origin;
        return vec![Err(RecordError::new(o, 1, o.make_id(1), format!("line 1: read error: {e}"), None))];
    }
    let records = parse_page(&src, &bytes, opts);
    if records.is_empty() && !bytes.iter().all(u8::is_ascii_whitespace) {
        // Not a record (a page may have no comments yet), but never silent: text read as a
        // page that holds none of its entries is likely comments in another layout.
        tracing::warn!(
            "{}: no comment entries (`N. Author said:`, `N. Pingback:`) in this page, so no records; if it holds \
             comments in another layout, give --format",
            src.origin.file
        );
    }
    records
}

struct Entry {
    header: usize,
    indent: usize,
    body: Vec<usize>,
    /// How many of `body` are the entry's own lines, once a line that is neither blank nor
    /// indented deeper than the header has ended it: the lines from there on are judged with
    /// the entry when another entry follows (a reader sees them under it), and are the page
    /// footer when none does.
    ended: Option<usize>,
}

/// The longest common prefix of two strings, cut at a character boundary.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let end = a.char_indices().zip(b.chars()).find(|((_, x), y)| x != y).map_or(a.len().min(b.len()), |((i, _), _)| i);
    // `end` is a boundary of `a`: a char index, or the length of the shorter string when
    // every char matched (then `a` holds `b`'s chars up to there).
    a.get(..end).unwrap_or("")
}

fn parse_page(src: &Source, bytes: &[u8], opts: &ReadOptions) -> Vec<Record> {
    let mut starts = Vec::new();
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    // LF and CRLF end a line; a lone CR does only in a page with no LF at all (a CR-only page
    // is lines, not one long line). Elsewhere it is inside a line (a body that kept a `\r`): as
    // a line end, the text after it began a line at column 0, which ended its entry, and in the
    // last entry was taken for the page footer and never judged.
    let cr_ends = memchr::memchr(b'\n', bytes).is_none();
    while at < bytes.len() {
        let len = if cr_ends {
            super::line_len(&bytes[at..])
        } else {
            memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len() - at, |i| i + 1)
        };
        let l = &bytes[at..at + len];
        starts.push(at);
        lines.push(chomp(l));
        at += l.len();
    }
    let page = Page { bytes, starts: &starts };
    let text: Vec<std::borrow::Cow<'_, str>> = lines.iter().map(|l| String::from_utf8_lossy(l)).collect();
    // The policy line is the page's, so it is not indented: a comment's body is, and a body line
    // `Discussion Policy` moved the start below its comment, and every entry above it vanished.
    let start = text.iter().rposition(|l| l.trim_end() == "Discussion Policy").map_or(0, |i| i + 1);
    let mut out = Vec::new();
    let mut cur: Option<Entry> = None;
    let mut seen = Numbers::default();
    for i in start..lines.len() {
        let t = &text[i];
        if let Some(h) = parse_header(t) {
            if cur.as_ref().map_or(true, |c| c.ended.is_some() || h.indent <= c.indent) {
                if let Some(e) = cur.take() {
                    out.push(entry_record(src, &page, &lines, &text, e, opts, &mut seen));
                }
                cur = Some(Entry { header: i, indent: h.indent, body: Vec::new(), ended: None });
                continue;
            }
        }
        if let Some(e) = cur.as_mut() {
            if e.ended.is_none() && !(t.trim().is_empty() || e.indent == 0 || columns(t) > e.indent) {
                e.ended = Some(e.body.len());
            }
            e.body.push(i);
        }
    }
    if let Some(mut e) = cur.take() {
        // After the last entry: the page footer, not a comment.
        if let Some(n) = e.ended.take() {
            e.body.truncate(n);
        }
        out.push(entry_record(src, &page, &lines, &text, e, opts, &mut seen));
    }
    out
}

/// How many entries of each number the page has given so far, for ids that stay unique when a
/// number comes again. Round 15 left two entries `1.` as two records `page#1`: `explain --id`
/// found only the first, and a site matching verdicts to comments by id gave both the first
/// one's verdict.
#[derive(Default)]
struct Numbers(std::collections::HashMap<u64, u32>);

impl Numbers {
    /// The id of the next entry numbered `n`: `<stem>#<n>`, then `<stem>#<n>.2`, `.3`...
    fn id(&mut self, o: &super::Origin, n: u64) -> String {
        let k = self.0.entry(n).or_insert(0);
        *k += 1;
        match *k {
            1 => o.make_id(n),
            k => format!("{}.{k}", o.make_id(n)),
        }
    }
}

/// The page's bytes and where each line starts (raw records are cut from them).
struct Page<'a> {
    bytes: &'a [u8],
    starts: &'a [usize],
}

fn entry_record(
    src: &Source,
    page: &Page<'_>,
    lines: &[&[u8]],
    text: &[std::borrow::Cow<'_, str>],
    mut e: Entry,
    opts: &ReadOptions,
    seen: &mut Numbers,
) -> Record {
    while e.body.last().is_some_and(|&i| text[i].trim().is_empty()) {
        e.body.pop();
    }
    let line_no = e.header as u64 + 1;
    let o = &src.origin;
    let Some(h) = parse_header(&text[e.header]) else {
        // Entries start at a header line by construction.
        let msg = format!("line {line_no}: not an entry header");
        return Err(RecordError::new(o, line_no, o.make_id(line_no), msg, None));
    };
    let id = seen.id(o, h.n);
    let last = e.body.last().copied().unwrap_or(e.header);
    // The entry's bytes as written, from its header to the end of its last line.
    let raw = opts.keep_raw.then(|| page.bytes[page.starts[e.header]..page.starts[last] + lines[last].len()].to_vec());
    if let Some(bad) = (e.header..=last).find(|&i| std::str::from_utf8(lines[i]).is_err()) {
        let pos = std::str::from_utf8(lines[bad]).err().map_or(0, |x| x.valid_up_to() + 1);
        let msg = format!(
            "line {}: invalid UTF-8 at byte {pos} (entry {} at line {line_no}){}",
            bad + 1,
            h.n,
            o.invalid_note()
        );
        return Err(RecordError { id, message: msg, source: o.pos(line_no), raw });
    }
    let own = e.ended.unwrap_or(e.body.len());
    let lead = e.body[..own].iter().take_while(|&&i| text[i].trim().is_empty()).count();
    let body_lines: Vec<&str> = e.body[lead..].iter().map(|&i| text[i].as_ref()).collect();
    // The common indentation is a common prefix of whitespace characters, so stripping it never
    // cuts a character (lines may mix spaces, tabs and wide Unicode spaces). It is taken over the
    // entry's own lines: the lines after the one that ended it lose their own indentation.
    let common = body_lines[..own - lead]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| &l[..indent_of(l)])
        .reduce(common_prefix)
        .unwrap_or("");
    let body_text = body_lines
        .iter()
        .map(|l| l.strip_prefix(common).unwrap_or_else(|| l.trim_start()).trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    let (kind, author, body) = match h.what {
        What::Said(a) => (CommentKind::Comment, (!a.is_empty()).then(|| a.to_string()), body_text),
        What::Ping(kind, t) => {
            let body = if body_text.is_empty() { t.to_string() } else { format!("{t}\n{body_text}") };
            (kind, ping_site(t), body)
        }
    };
    let offset = Some(page.starts[e.header] as u64);
    Ok(Comment { id, body, author, kind, source: Some(o.pos(line_no)), raw, offset, ..Comment::default() })
}
