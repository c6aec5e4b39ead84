//! The Disqus export reader: every `<post>` element is one record.
//!
//! A Disqus export (`<disqus xmlns="http://disqus.com">`) lists categories, threads and posts as
//! siblings; posts refer to their thread by `<thread dsq:id="…"/>`. Only posts are comments:
//!
//! | Disqus | comment field |
//! |---|---|
//! | `post/@dsq:id` (else `post/id`, else `<stem>#<line>`) | `id` |
//! | `message` (CDATA, HTML kept as is) | `body` (required) |
//! | `author/name`, else `author/username` | `author` |
//! | `author/email` | `author_email` |
//! | `ipAddress` | `ip` |
//! | `createdAt` | `created_at` |
//! | `thread/@dsq:id` | `post_id` |
//! | `parent/@dsq:id` | `parent` |
//! | `isSpam` / `isDeleted` | `approved`: `Some(false)` if either is `true`, `Some(true)` if both are present and `false`, else `None` |
//!
//! The record's line is the line of its `<post>` tag. A `<message>` or `<post>` below the
//! post's direct children makes it an error record (which body an importer keeps is not known).

use std::io::BufRead;

use quick_xml::events::Event;

use super::wxr::{fail_record, outside_record};
use super::xml::{self, attrs, bounded_reader, collect_watching, read_event, text, XmlReader};
use super::{Origin, ReadOptions, Record, RecordError, Source};
use crate::comment::Comment;

/// Streams the posts of a Disqus export.
pub(crate) struct DisqusReader {
    xml: XmlReader<Box<dyn BufRead + Send>>,
    origin: Origin,
    buf: Vec<u8>,
    done: bool,
}

impl DisqusReader {
    pub(crate) fn new(src: Source, _opts: &ReadOptions) -> DisqusReader {
        DisqusReader {
            xml: bounded_reader(src.reader, xml::MAX_EVENT),
            origin: src.origin,
            buf: Vec::new(),
            done: false,
        }
    }
}

/// The elements a post is read from: one of each at most, or the record is ambiguous.
const FIELDS: [&str; 11] = [
    "id",
    "message",
    "author",
    "author/name",
    "author/username",
    "author/email",
    "ipAddress",
    "createdAt",
    "thread",
    "parent",
    "isSpam",
];

fn build(o: &Origin, line: u64, dsq_id: Option<String>, nodes: &[xml::Node]) -> Record {
    let get = |p: &str| text(nodes, p);
    let dup = xml::duplicated(nodes, &FIELDS).or_else(|| xml::duplicated(nodes, &["isDeleted"]));
    // A blank id (`dsq:id=""`, found by fuzzing) is no id: it would give every such post one id.
    let named = |s: &String| !s.trim().is_empty();
    let id = dsq_id.filter(named).or_else(|| get("id").ok().flatten().filter(named)).unwrap_or_else(|| o.make_id(line));
    let attr = |p: &str| xml::node(nodes, p).and_then(|n| n.attr("dsq:id")).map(str::to_string).filter(named);
    let fields = (|| -> Result<Comment, String> {
        if let Some(Err(e)) = nodes.first().map(|n| &n.text) {
            return Err(format!("line {line}: <post>: {e}"));
        }
        if let Some(d) = dup {
            return Err(format!("line {line}: <{d}> appears twice; the post is ambiguous and is not judged"));
        }
        let Some(message) = xml::node(nodes, "message") else {
            return Err(format!("line {line}: no body field (looked for \"message\")"));
        };
        if xml::has_children(nodes, "message") {
            return Err(format!(
                "line {line}: <message> holds elements (not CDATA); its text is ambiguous and is not judged"
            ));
        }
        let body = message.text.clone().map_err(|e| format!("line {line}: field \"message\": {e}"))?;
        let at = |r: Result<Option<String>, String>| r.map_err(|e| format!("line {line}: {e}"));
        let flag =
            |p: &str| -> Result<Option<bool>, String> { Ok(at(get(p))?.map(|v| v.eq_ignore_ascii_case("true"))) };
        let approved = match (flag("isSpam")?, flag("isDeleted")?) {
            (Some(true), _) | (_, Some(true)) => Some(false),
            (Some(false), Some(false)) => Some(true),
            _ => None,
        };
        Ok(Comment {
            id: id.clone(),
            body,
            author: match at(get("author/name"))? {
                Some(a) => Some(a),
                None => at(get("author/username"))?,
            },
            author_email: at(get("author/email"))?,
            ip: at(get("ipAddress"))?,
            created_at: at(get("createdAt"))?,
            post_id: attr("thread"),
            parent: attr("parent"),
            approved,
            source: Some(o.pos(line)),
            ..Comment::default()
        })
    })();
    fields.map_err(|message| RecordError::new(o, line, id.clone(), o.noted(message), None))
}

/// The declaration of `e` that binds the Disqus namespace (`http://disqus.com`) to a prefix
/// (`xmlns:d`). A namespace-aware importer reads `<d:post>` as a post like `<post>`; this reader
/// matches the names as written and would skip it: a post published unjudged, and the counts
/// short of the export's. (`xmlns:dsq`, the internals namespace, is another URI.)
fn prefixed_disqus_binding(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let value = a.unescape_value().ok()?;
        (key.starts_with(b"xmlns:") && value.trim() == "http://disqus.com")
            .then(|| String::from_utf8_lossy(key).into_owned())
    })
}

/// A namespace declaration inside a post that changes which elements are Disqus fields:
/// `<x:message xmlns:x="http://disqus.com">` (a namespace-aware importer reads it as the
/// `message` it is, this reader matched names as written and judged the unprefixed one beside
/// it, round 15), or a default namespace other than Disqus's. The post is an error record.
fn spoils(event: &Event<'_>, line: u64) -> Option<String> {
    let (Event::Start(e) | Event::Empty(e)) = event else { return None };
    let default_elsewhere = || {
        e.attributes().flatten().find_map(|a| {
            let value = a.unescape_value().ok()?;
            (a.key.as_ref() == b"xmlns" && value.trim() != "http://disqus.com").then(|| "xmlns".to_string())
        })
    };
    let key = prefixed_disqus_binding(e).or_else(default_elsewhere)?;
    Some(format!(
        "`{key}` at line {line} changes which elements are Disqus fields inside the post (an importer reads them by \
         namespace, this reader by name); the text is ambiguous and is not judged"
    ))
}

impl Iterator for DisqusReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            let line = self.xml.get_ref().line();
            let pos = self.xml.get_ref().position();
            let start = self.xml.get_ref().event_start();
            let (dsq_id, empty) = match read_event(&mut self.xml, &mut self.buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if prefixed_disqus_binding(&e).is_some() => {
                    let key = prefixed_disqus_binding(&e).unwrap_or_default();
                    self.done = true;
                    let o = &self.origin;
                    let message = format!(
                        "line {line}: `{key}` binds the Disqus namespace to a prefix; an importer reads the posts \
                         written with it, this reader only unprefixed `post` elements, so the rest of the file is \
                         not judged"
                    );
                    return Some(Err(RecordError::new(o, line, o.make_id(line), message, None)));
                }
                Ok(Event::Start(e)) if e.name().as_ref() == b"post" => (attrs(&e), false),
                Ok(Event::Empty(e)) if e.name().as_ref() == b"post" => (attrs(&e), true),
                Ok(Event::Eof) => {
                    self.done = true;
                    continue;
                }
                Ok(_) => continue,
                Err(e) => {
                    let at = self.xml.get_ref().line();
                    let stuck = self.xml.get_ref().position() == pos;
                    return Some(Err(outside_record(&self.origin, &mut self.done, at, stuck, e)));
                }
            };
            let o = &self.origin;
            let dsq_id = dsq_id.map(|a| a.into_iter().find(|(k, _)| k == "dsq:id").map(|(_, v)| v));
            let nodes = if empty {
                Ok(Vec::new())
            } else {
                collect_watching(&mut self.xml, &mut self.buf, &["message", "post"], Some(spoils))
            };
            let at = self.xml.get_ref().line();
            return Some(match (dsq_id, nodes) {
                (Ok(id), Ok(nodes)) => build(o, line, id, &nodes).map(|c| Comment { offset: Some(start), ..c }),
                (Err(f), _) | (_, Err(f)) => Err(fail_record(o, &mut self.done, line, at, f, "post")),
            });
        }
        None
    }
}
