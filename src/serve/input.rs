//! Request bodies → [`Comment`]s, strictly: every way a body can be wrong is a [`BadInput`]
//! naming the field (and, in a batch, the comment's index), never a panic and never a 500.
//!
//! A comment object has the fields of a JSONL record, found through the same `[input.fields]`
//! mapping as `moderate run` (`body` / `content` / `text` ..., `id`, `author`, ...); other keys
//! are ignored. Stricter than the bulk reader, because a live API should refuse what it cannot
//! judge unambiguously:
//!
//! Fields are picked by [`crate::read::pick`], the JSONL reader's own picker (one rule set, so
//! the two cannot drift), in its [`Strictness::Request`] mode:
//!
//! - **Duplicate keys** are refused (`{"body": "hi", "body": "f*** you"}`): a front end that
//!   keeps the last value would publish a text other than the one judged.
//! - **Two body fields with different text** are refused (`{"body": "hello", "content":
//!   "f*** you"}`), naming both: a site may show either.
//! - The body must be a string; the id a string or an integer; other mapped fields a string or
//!   null. A wrong type names the field.
//! - Sizes: the whole body, each comment's body and the number of comments in a batch have
//!   limits ([`Limits`]); above them the answer is 413.
//!
//! - **A byte-order mark** (U+FEFF, `EF BB BF`) opening the body is skipped, as `moderate run`
//!   skips one opening a file (RFC 8259 lets a parser ignore it; Windows tools and .NET's
//!   `UTF8Encoding(true)` write one); in NDJSON, one opening any line is skipped, as the JSON
//!   Lines reader skips it (where two files were concatenated). Anywhere else between JSON
//!   tokens (after white space, a second one, inside an array) it is refused with a 400 saying
//!   so; inside a string it is text like any other (the normalizer reads it as invisible, so it
//!   splits no word). A body opening with a UTF-16 mark is refused as UTF-16, not as bad UTF-8.
//!
//! Nesting depth is bounded by `serde_json`'s recursion limit (128), and the work is one pass
//! over the bytes, so time and memory stay linear in the body size.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::comment::{Comment, CommentKind};
use crate::read::pick::{FieldTable, Pick, Picked, Slot, Strictness};
use crate::read::FieldMap;

/// Size limits of `/v1/check` and the Akismet endpoints.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes in a request body.
    pub max_body: usize,
    /// Most bytes in one comment's text.
    pub max_comment: usize,
    /// Most comments in one request.
    pub max_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body: 4 << 20, max_comment: 64 << 10, max_batch: 1000 }
    }
}

/// Why a request body was refused: HTTP status, message, and the field (and index) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    /// 400, 413 or 415.
    pub status: u16,
    /// What is wrong, for a person.
    pub message: String,
    /// The field at fault, as the client named it.
    pub field: Option<String>,
    /// In a batch, the 0-based index of the comment at fault.
    pub index: Option<usize>,
}

impl BadInput {
    /// A 400 about `field`.
    pub fn bad(message: impl Into<String>, field: Option<&str>) -> BadInput {
        BadInput { status: 400, message: message.into(), field: field.map(str::to_string), index: None }
    }

    /// A 413.
    pub fn too_large(message: impl Into<String>, field: Option<&str>) -> BadInput {
        BadInput { status: 413, message: message.into(), field: field.map(str::to_string), index: None }
    }

    fn at(mut self, index: usize) -> BadInput {
        self.index = Some(index);
        self
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// How the request's comments were sent, and so how the answer is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One JSON object → one verdict object.
    One,
    /// A JSON array → an array of verdicts, same order.
    Array,
    /// NDJSON (one object per line) → NDJSON verdicts, same order.
    Ndjson,
}

/// The `[input.fields]` mapping, built once per config: the JSONL reader's own table, so a
/// request and a record with the same keys are read the same way ([`crate::read::pick`]).
#[derive(Debug)]
pub struct Fields(FieldTable);

impl Fields {
    /// The lookup for `map`.
    pub fn new(map: &FieldMap) -> Fields {
        Fields(FieldTable::new(map))
    }

    fn seed(&self) -> Pick<'_> {
        Pick { table: &self.0, strictness: Strictness::Request }
    }
}

/// The comment of one picked object, or why it cannot be judged (the first problem in this
/// order: a key twice, two different bodies, a wrong type, no body, a body above the limit).
fn comment_from(mut p: Picked, fields: &Fields, limits: Limits, default_id: String) -> Result<Comment, BadInput> {
    if let Some(key) = p.dup.take() {
        return Err(BadInput::bad(
            format!("field {key:?} appears twice (a front end that keeps the other copy would publish a text that was not judged)"),
            Some(&key),
        ));
    }
    if let Some((a, b)) = p.bodies.take() {
        return Err(BadInput::bad(
            format!(
                "fields {a:?} and {b:?} both hold a comment text, and they differ: a site may show either, so the \
                 comment is not judged (send one, or name it in the config's [input.fields] body)"
            ),
            Some(&a),
        ));
    }
    if let Some((key, expected, found)) = p.bad.take() {
        return Err(BadInput::bad(format!("field {key:?}: expected {expected}, found {found}"), Some(&key)));
    }
    let body_name = p.body_name.take().unwrap_or_else(|| "body".to_string());
    let Some(body) = p.take(Slot::Body) else {
        return Err(BadInput::bad(format!("no comment text (looked for {})", fields.0.body_names), Some("body")));
    };
    if body.len() > limits.max_comment {
        return Err(BadInput::too_large(
            format!("field {body_name:?}: {} bytes, more than the limit of {}", body.len(), limits.max_comment),
            Some(&body_name),
        ));
    }
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let c = Comment {
        id: nonempty(p.take(Slot::Id)).unwrap_or(default_id),
        body,
        author: nonempty(p.take(Slot::Author)),
        kind: p.take(Slot::Kind).map(|k| CommentKind::parse(&k)).unwrap_or_default(),
        author_url: nonempty(p.take(Slot::AuthorUrl)),
        author_email: nonempty(p.take(Slot::AuthorEmail)),
        ip: nonempty(p.take(Slot::Ip)),
        created_at: nonempty(p.take(Slot::CreatedAt)),
        post_id: nonempty(p.take(Slot::PostId)),
        parent: nonempty(p.take(Slot::Parent)),
        ..Comment::default()
    };
    // The body, and the fields the author policy and the review queue's blocks match on.
    let texts =
        [(body_name.as_str(), Some(&c.body)), ("author", c.author.as_ref()), ("author_email", c.author_email.as_ref())];
    for (name, v) in texts {
        if let Some(e) = v.and_then(|v| control_char(name, v)) {
            return Err(e);
        }
    }
    Ok(c)
}

/// A 400 when `value` (of field `name`) holds a control character other than tab, line feed
/// and carriage return. A browser does not show them (HTML drops U+0000; the others render as
/// nothing), so `f\u0000uck` reads as the word the rules look for but is not matched by them:
/// refusing is the only answer that cannot publish what was not judged.
pub fn control_char(name: &str, value: &str) -> Option<BadInput> {
    let (at, ch) = value.char_indices().find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    Some(BadInput::bad(
        format!(
            "field {name:?} holds the control character U+{:04X} at byte {at}; a page would not show it",
            ch as u32
        ),
        Some(name),
    ))
}

/// serde_json's message for a syntax error in `bytes`, as a 400; when they hold a byte-order
/// mark, saying where one may stand (serde_json's own message is only "expected value").
fn syntax(e: &serde_json::Error, bytes: &[u8]) -> BadInput {
    let hint = if memchr::memmem::find(bytes, BOM).is_some() {
        " (the body holds a byte-order mark, U+FEFF: one is allowed only as the first bytes of the body or of an \
         NDJSON line)"
    } else {
        ""
    };
    BadInput::bad(format!("invalid JSON: {e}{hint}"), None)
}

/// Which shape a content type announces: `Some(true)` NDJSON, `Some(false)` JSON, None neither.
fn ndjson_type(content_type: Option<&str>) -> Option<bool> {
    let ct = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    match ct.as_str() {
        "application/json" => Some(false),
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => Some(true),
        _ => None,
    }
}

/// Parses a `/v1/check` body. `next_id` makes an id for a comment that has none.
///
/// # Errors
/// 415 for a content type other than JSON / NDJSON, 413 above a limit, 400 for anything else.
pub fn parse_check(
    content_type: Option<&str>,
    body: &[u8],
    fields: &Fields,
    limits: Limits,
    next_id: &mut dyn FnMut() -> String,
) -> Result<(Shape, Vec<Comment>), BadInput> {
    let Some(ndjson) = ndjson_type(content_type) else {
        return Err(BadInput {
            status: 415,
            message: format!(
                "Content-Type must be application/json or application/x-ndjson, not {:?}",
                content_type.unwrap_or("(none)")
            ),
            field: None,
            index: None,
        });
    };
    if body.len() > limits.max_body {
        return Err(BadInput::too_large(format!("request body is larger than {} bytes", limits.max_body), None));
    }
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return Err(BadInput::bad("request body is UTF-16 (it opens with a UTF-16 byte-order mark); send UTF-8", None));
    }
    if let Err(e) = std::str::from_utf8(body) {
        return Err(BadInput::bad(format!("request body is not valid UTF-8 (at byte {})", e.valid_up_to()), None));
    }
    // One byte-order mark opening the body is not part of it (see the module doc).
    let body = body.strip_prefix(BOM).unwrap_or(body);
    if ndjson {
        let mut out = Vec::new();
        for line in body.split(|&b| b == b'\n') {
            let line = line.strip_prefix(BOM).unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let index = out.len();
            if index >= limits.max_batch {
                return Err(too_many(limits));
            }
            if opens_with_bom(line) {
                return Err(stray_bom().at(index));
            }
            let mut de = serde_json::Deserializer::from_slice(line);
            let picked = fields.seed().deserialize(&mut de).and_then(|p| de.end().map(|()| p));
            let picked = picked.map_err(|e| syntax(&e, line).at(index))?;
            out.push(comment_from(picked, fields, limits, next_id()).map_err(|e| e.at(index))?);
        }
        if out.is_empty() {
            return Err(BadInput::bad("no comments in the request body", None));
        }
        return Ok((Shape::Ndjson, out));
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let picked =
                fields.seed().deserialize(&mut de).and_then(|p| de.end().map(|()| p)).map_err(|e| syntax(&e, body))?;
            Ok((Shape::One, vec![comment_from(picked, fields, limits, next_id())?]))
        }
        Some(b'[') => {
            let index = Cell::new(0usize);
            let problem: Cell<Option<BadInput>> = Cell::new(None);
            let mut out = Vec::new();
            let mut de = serde_json::Deserializer::from_slice(body);
            let res = de
                .deserialize_seq(Batch { fields, limits, index: &index, problem: &problem, out: &mut out, next_id })
                .and_then(|()| de.end());
            if let Some(p) = problem.take() {
                return Err(p);
            }
            res.map_err(|e| syntax(&e, body).at(index.get()))?;
            if out.is_empty() {
                return Err(BadInput::bad("the array holds no comments", None));
            }
            Ok((Shape::Array, out))
        }
        _ if opens_with_bom(body) => Err(stray_bom()),
        _ => Err(BadInput::bad("expected a comment object or an array of comment objects", None)),
    }
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether `bytes`, past white space, open with a byte-order mark.
fn opens_with_bom(bytes: &[u8]) -> bool {
    bytes.iter().position(|b| !b.is_ascii_whitespace()).is_some_and(|i| bytes[i..].starts_with(BOM))
}

fn stray_bom() -> BadInput {
    BadInput::bad(
        "a byte-order mark (U+FEFF) is allowed only as the first bytes of the request body, not between JSON values",
        None,
    )
}

fn too_many(limits: Limits) -> BadInput {
    BadInput::too_large(format!("more than {} comments in one request", limits.max_batch), None)
}

/// Visits a top-level array of comments, stopping at the first problem.
struct Batch<'a, 'b> {
    fields: &'a Fields,
    limits: Limits,
    index: &'b Cell<usize>,
    problem: &'b Cell<Option<BadInput>>,
    out: &'b mut Vec<Comment>,
    next_id: &'b mut dyn FnMut() -> String,
}

impl<'de> Visitor<'de> for Batch<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of comment objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let i = self.out.len();
            self.index.set(i);
            if i >= self.limits.max_batch {
                self.problem.set(Some(too_many(self.limits)));
                return Err(de::Error::custom("too many comments"));
            }
            let Some(picked) = seq.next_element_seed(self.fields.seed())? else { return Ok(()) };
            match comment_from(picked, self.fields, self.limits, (self.next_id)()) {
                Ok(c) => self.out.push(c),
                Err(e) => {
                    self.problem.set(Some(e.at(i)));
                    return Err(de::Error::custom("bad comment"));
                }
            }
        }
    }
}
