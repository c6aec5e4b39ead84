//! The WordPress export (WXR) reader: every `<wp:comment>` is one record.
//!
//! The export is an RSS feed whose `<item>`s (posts, pages, attachments) carry their comments
//! as `<wp:comment>` children. The reader streams events and only stops at three start tags:
//! `<item>` (a new post begins), `<wp:post_id>` (the post's id, given to the comments that
//! follow it) and `<wp:comment>` (collected whole and mapped):
//!
//! | WXR element | comment field |
//! |---|---|
//! | `wp:comment_id` | `id` (else `<stem>#<line>`) |
//! | `wp:comment_content` | `body` (CDATA; required) |
//! | `wp:comment_author`, `_email`, `_url`, `_IP` | `author`, `author_email`, `author_url`, `ip` |
//! | `wp:comment_date_gmt`, else `wp:comment_date` | `created_at` |
//! | `wp:comment_type` `pingback` / `trackback` | `kind` |
//! | `wp:comment_approved` `1` / `0`, `spam`, `trash` / empty | `approved` `Some(true)` / `Some(false)` / `None` |
//! | `wp:comment_parent` (`0` = none) | `parent` |
//! | the item's `wp:post_id` | `post_id` |
//!
//! The record's line is the line of its `<wp:comment>` tag. Comment metadata
//! (`wp:commentmeta`) is skipped. A `<wp:comment_content>` (or `<wp:comment>`) anywhere below
//! the comment's direct children makes it an error record: WordPress's importers disagree on
//! which body such a comment has (SimpleXML keeps the direct child, the regex parser the first
//! in the text, the `xml_parser` one the last, and it files a nested comment as one of its own).
//! So does a look-alike of the body tag for the regex parser ([`look_alike`], round 13).

use std::io::BufRead;

use quick_xml::events::Event;

use super::xml::{self, bounded_reader, collect, collect_watching, read_event, text, Fail, XmlReader};
use super::{Origin, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// Streams the comments of a WXR export.
pub(crate) struct WxrReader {
    xml: XmlReader<Box<dyn BufRead + Send>>,
    origin: Origin,
    buf: Vec<u8>,
    post_id: Option<String>,
    done: bool,
}

impl WxrReader {
    pub(crate) fn new(src: Source, _opts: &ReadOptions) -> WxrReader {
        WxrReader {
            xml: bounded_reader(src.reader, xml::MAX_EVENT),
            origin: src.origin,
            buf: Vec::new(),
            post_id: None,
            done: false,
        }
    }

    fn comment(&mut self, line: u64, offset: u64) -> Option<Record> {
        let o = &self.origin;
        let nodes =
            match collect_watching(&mut self.xml, &mut self.buf, &["wp:comment_content", "wp:comment"], Some(spoils)) {
                Ok(n) => n,
                Err(f) => {
                    return Some(Err(fail_record(o, &mut self.done, line, self.xml.get_ref().line(), f, "wp:comment")))
                }
            };
        Some(build(o, line, &nodes, self.post_id.clone()).map(|c| Comment { offset: Some(offset), ..c }))
    }
}

/// Why `event` spoils a comment whose body is the element `tag` (`wp:comment_content`), for an importer that finds the
/// body in the raw text: WordPress's fallback parser (`WXR_Parser_Regex::get_tag`) takes the
/// first match of `<tag.*?>(.*?)</tag>`, case-insensitive. An element whose name starts with
/// `tag` in any case but is not `tag` (`<wp:comment_content_x>`, `<WP:Comment_Content>`), or
/// `<tag` written raw in a CDATA section or an XML comment, opens the body there for it and
/// nowhere for a parser of XML (round 13).
pub(crate) fn look_alike(event: &Event<'_>, line: u64) -> Option<String> {
    let tag = "wp:comment_content";
    let starts_ci =
        |hay: &[u8], at: usize| hay.get(at..at + tag.len()).is_some_and(|h| h.eq_ignore_ascii_case(tag.as_bytes()));
    let raw: &[u8] = match event {
        Event::Start(e) | Event::Empty(e) => {
            let name = e.name();
            let name = name.as_ref();
            if name == tag.as_bytes() || !starts_ci(name, 0) {
                return None;
            }
            let name = String::from_utf8_lossy(name);
            return Some(format!(
                "<{name}> at line {line} is <{tag}> to an importer that matches the raw text (WordPress's regex \
                 parser takes the first name starting with it, in any case); the text is ambiguous and is not judged"
            ));
        }
        Event::CData(c) => c,
        Event::Comment(c) => c,
        _ => return None,
    };
    let found = raw.iter().enumerate().any(|(i, &b)| b == b'<' && starts_ci(raw, i + 1));
    found.then(|| {
        format!(
            "a <{tag}> tag in a CDATA section or an XML comment at line {line} is the body to an importer that \
             matches the raw text (WordPress's regex parser); the text is ambiguous and is not judged"
        )
    })
}

/// What makes a comment's text ambiguous while it is read: a [`look_alike`] of the body tag, or
/// a namespace declaration on an element inside the comment that binds the WordPress export
/// namespace to another prefix (`<x:comment_content xmlns:x="http://wordpress.org/export/1.2/">`)
/// or `wp` to another namespace. WordPress's SimpleXML importer reads the fields by namespace,
/// so the `x:` body before `<wp:comment_content>nice</wp:comment_content>` was the one it
/// published while this reader, matching names as written, judged `nice` (round 15). The same
/// declaration outside a comment stops the file ([`foreign_wp_binding`]).
pub(crate) fn spoils(event: &Event<'_>, line: u64) -> Option<String> {
    if let Event::Start(e) | Event::Empty(e) = event {
        let rebinds_wp = || {
            e.attributes().flatten().find_map(|a| {
                let value = a.unescape_value().ok()?;
                (a.key.as_ref() == b"xmlns:wp" && !is_wp_namespace(value.trim())).then(|| "xmlns:wp".to_string())
            })
        };
        if let Some(key) = foreign_wp_binding(e).or_else(rebinds_wp) {
            return Some(format!(
                "`{key}` at line {line} changes which elements are WordPress fields inside the comment (an importer \
                 reads fields by namespace, this reader by the `wp:` prefix); the text is ambiguous and is not judged"
            ));
        }
    }
    look_alike(event, line)
}

/// Turns a failure inside a record element into its error record (and stops on fatal ones).
pub(crate) fn fail_record(o: &Origin, done: &mut bool, line: u64, at: u64, f: Fail, elem: &str) -> RecordError {
    let id = o.make_id(line);
    let message = match f {
        Fail::Record(m) => format!("line {at}: {m} (in <{elem}> at line {line})"),
        Fail::Fatal(m) => {
            *done = true;
            format!("line {at}: {m} (in <{elem}> at line {line}); the rest of the file is skipped")
        }
        Fail::Eof => {
            *done = true;
            format!("line {line}: <{elem}> is not closed before the end of the file")
        }
    };
    RecordError::new(o, line, id, o.noted(message), None)
}

/// The elements a comment is read from: one of each at most, or the record is ambiguous.
const FIELDS: [&str; 11] = [
    "wp:comment_id",
    "wp:comment_content",
    "wp:comment_author",
    "wp:comment_author_email",
    "wp:comment_author_url",
    "wp:comment_author_IP",
    "wp:comment_date_gmt",
    "wp:comment_date",
    "wp:comment_type",
    "wp:comment_approved",
    "wp:comment_parent",
];

fn build(o: &Origin, line: u64, nodes: &[xml::Node], post_id: Option<String>) -> Record {
    let get = |p: &str| text(nodes, p);
    let dup = xml::duplicated(nodes, &FIELDS);
    let id = get("wp:comment_id").ok().flatten().filter(|_| dup != Some(FIELDS[0])).unwrap_or_else(|| o.make_id(line));
    let fields = (|| -> Result<Comment, String> {
        if let Some(Err(e)) = nodes.first().map(|n| &n.text) {
            return Err(format!("line {line}: <wp:comment>: {e}"));
        }
        if let Some(d) = dup {
            return Err(format!("line {line}: <{d}> appears twice; the comment is ambiguous and is not judged"));
        }
        let Some(content) = xml::node(nodes, "wp:comment_content") else {
            return Err(format!("line {line}: no body field (looked for \"wp:comment_content\")"));
        };
        if xml::has_children(nodes, "wp:comment_content") {
            return Err(format!(
                "line {line}: <wp:comment_content> holds elements (not CDATA); its text is ambiguous and is not judged"
            ));
        }
        let body = content.text.clone().map_err(|e| format!("line {line}: field \"wp:comment_content\": {e}"))?;
        let at = |r: Result<Option<String>, String>| r.map_err(|e| format!("line {line}: {e}"));
        let date = at(get("wp:comment_date_gmt"))?.filter(|d| !d.starts_with("0000-00-00"));
        let approved = at(get("wp:comment_approved"))?;
        Ok(Comment {
            id: id.clone(),
            body,
            author: at(get("wp:comment_author"))?,
            kind: at(get("wp:comment_type"))?.map(|k| CommentKind::parse(&k)).unwrap_or_default(),
            author_url: at(get("wp:comment_author_url"))?,
            author_email: at(get("wp:comment_author_email"))?,
            ip: at(get("wp:comment_author_IP"))?,
            created_at: match date {
                Some(d) => Some(d),
                None => at(get("wp:comment_date"))?,
            },
            post_id,
            parent: at(get("wp:comment_parent"))?.filter(|p| p != "0"),
            approved: approved.as_deref().and_then(parse_approved),
            source: Some(o.pos(line)),
            raw: None,
            offset: None,
        })
    })();
    fields.map_err(|message| RecordError::new(o, line, id.clone(), o.noted(message), None))
}

/// The error record for malformed XML outside any comment element: reading goes on after an
/// ill-formed tag, and stops after a syntax error (or when the parser does not advance).
pub(crate) fn outside_record(o: &Origin, done: &mut bool, at: u64, stuck: bool, e: quick_xml::Error) -> RecordError {
    let f = match Fail::from(e) {
        Fail::Record(m) if stuck => Fail::Fatal(m),
        f => f,
    };
    let message = match f {
        Fail::Record(m) => format!("line {at}: {m}"),
        Fail::Fatal(m) => {
            *done = true;
            format!("line {at}: {m}; the rest of the file is skipped")
        }
        Fail::Eof => unreachable!("read errors are never Eof"),
    };
    RecordError::new(o, at, o.make_id(at), o.noted(message), None)
}

/// The namespace declaration of `e` (`xmlns:x` or `xmlns`) that binds a WordPress export
/// namespace (`http://wordpress.org/export/1.2/`) under another name than `wp`. WordPress's
/// importer finds comments by namespace (`children($namespaces['wp'])`), so `<x:comment>` with
/// `x` bound to it is a comment there; this reader matches the names as written, and would skip
/// it: every such comment published unjudged, and left as it was by `--split`.
fn foreign_wp_binding(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let declares = key == b"xmlns" || (key.starts_with(b"xmlns:") && key != b"xmlns:wp");
        let value = a.unescape_value().ok()?;
        (declares && is_wp_namespace(value.trim())).then(|| String::from_utf8_lossy(key).into_owned())
    })
}

/// `http://wordpress.org/export/N.N/` (the `excerpt` namespace, `.../1.2/excerpt/`, is not).
fn is_wp_namespace(uri: &str) -> bool {
    let rest = uri.strip_prefix("http://").or_else(|| uri.strip_prefix("https://"));
    let Some(version) = rest.and_then(|r| r.strip_prefix("wordpress.org/export/")) else { return false };
    let version = version.strip_suffix('/').unwrap_or(version);
    let mut parts = version.split('.');
    let digits = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

/// WordPress `comment_approved`: `1` → approved, `0`/`spam`/`trash` → not, anything else unknown.
fn parse_approved(v: &str) -> Option<bool> {
    match v {
        "1" | "approve" | "approved" => Some(true),
        "0" | "spam" | "trash" | "hold" => Some(false),
        _ => None,
    }
}

impl Iterator for WxrReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            let line = self.xml.get_ref().line();
            let pos = self.xml.get_ref().position();
            let start = self.xml.get_ref().event_start();
            match read_event(&mut self.xml, &mut self.buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if foreign_wp_binding(&e).is_some() => {
                    let key = foreign_wp_binding(&e).unwrap_or_default();
                    self.done = true;
                    let o = &self.origin;
                    let message = format!(
                        "line {line}: `{key}` binds the WordPress export namespace to another prefix than `wp:`; an \
                         importer reads the comments written with it, this reader only `wp:` elements, so the rest \
                         of the file is not judged"
                    );
                    return Some(Err(RecordError::new(o, line, o.make_id(line), message, None)));
                }
                Ok(Event::Start(e)) => match e.name().as_ref() {
                    b"item" => self.post_id = None,
                    b"wp:post_id" => {
                        if let Ok(nodes) = collect(&mut self.xml, &mut self.buf) {
                            self.post_id = text(&nodes, "").ok().flatten();
                        }
                    }
                    b"wp:comment" => return self.comment(line, start),
                    _ => {}
                },
                // `<wp:comment/>` is a comment element too (an importer iterates it like any
                // other): one record, an error for its missing body, never skipped silently.
                Ok(Event::Empty(e)) if e.name().as_ref() == b"wp:comment" => {
                    return Some(build(&self.origin, line, &[xml::Node::root()], self.post_id.clone()));
                }
                Ok(Event::Eof) => self.done = true,
                Ok(_) => {}
                Err(e) => {
                    let at = self.xml.get_ref().line();
                    let stuck = self.xml.get_ref().position() == pos;
                    return Some(Err(outside_record(&self.origin, &mut self.done, at, stuck, e)));
                }
            }
        }
        None
    }
}
