//! Request bodies → [`Comment`]s, strictly: every way a body can be wrong is a [`BadInput`]
//! naming the field (and, in a batch, the comment's index), never a panic and never a 500.
//!
//! A comment object has the fields of a JSONL record, found through the same `[input.fields]`
//! mapping as `moderate run` (`body` / `content` / `text` ..., `id`, `author`, ...); other keys
//! are ignored. Stricter than the bulk reader, because a live API should refuse what it cannot
//! judge unambiguously:
//!
//! - **Duplicate keys** are refused (`{"body": "hi", "body": "f*** you"}`): a front end that
//!   keeps the last value would publish a text other than the one judged.
//! - The body must be a string; the id a string or an integer; other mapped fields a string or
//!   null. A wrong type names the field.
//! - Sizes: the whole body, each comment's body and the number of comments in a batch have
//!   limits ([`Limits`]); above them the answer is 413.
//!
//! Nesting depth is bounded by `serde_json`'s recursion limit (128), and the work is one pass
//! over the bytes, so time and memory stay linear in the body size.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::comment::{Comment, CommentKind};
use crate::read::{FieldMap, FieldValue};

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

/// The comment fields a request can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Id,
    Body,
    Author,
    Kind,
    AuthorUrl,
    AuthorEmail,
    Ip,
    CreatedAt,
    PostId,
    Parent,
}

const SLOTS: usize = 10;

/// Field name → (slot, rank in that slot's list): the `[input.fields]` mapping, built once per
/// config.
#[derive(Debug, Clone)]
pub struct Fields {
    names: HashMap<String, (Slot, usize)>,
    body_names: String,
}

impl Fields {
    /// The lookup for `map`.
    pub fn new(map: &FieldMap) -> Fields {
        let lists: [(Slot, &Vec<String>); SLOTS] = [
            (Slot::Id, &map.id),
            (Slot::Body, &map.body),
            (Slot::Author, &map.author),
            (Slot::Kind, &map.kind),
            (Slot::AuthorUrl, &map.author_url),
            (Slot::AuthorEmail, &map.author_email),
            (Slot::Ip, &map.ip),
            (Slot::CreatedAt, &map.created_at),
            (Slot::PostId, &map.post_id),
            (Slot::Parent, &map.parent),
        ];
        let mut names = HashMap::new();
        for (slot, list) in lists {
            for (rank, n) in list.iter().enumerate() {
                names.entry(n.clone()).or_insert((slot, rank));
            }
        }
        let body_names = map.body.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
        Fields { names, body_names }
    }
}

/// The values picked from one object, and the first problem seen.
#[derive(Default)]
struct Picked {
    vals: [Option<(usize, String)>; SLOTS],
    problem: Option<BadInput>,
}

/// Deserializes one comment object.
struct CommentSeed<'a> {
    fields: &'a Fields,
    limits: Limits,
}

impl<'de> DeserializeSeed<'de> for CommentSeed<'_> {
    type Value = Picked;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Picked, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CommentSeed<'_> {
    type Value = Picked;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a comment object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked, A::Error> {
        let mut out = Picked::default();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.problem.is_some() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let mapped = self.fields.names.get(&key).copied();
            if seen.contains(&key) {
                out.problem = Some(BadInput::bad(format!("field {key:?} appears twice"), Some(&key)));
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let Some((slot, rank)) = mapped else {
                seen.insert(key);
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let value = map.next_value::<FieldValue>()?;
            let expected = match slot {
                Slot::Body => "a string",
                Slot::Id => "a string or an integer",
                _ => "a string or null",
            };
            let text = match (slot, value) {
                (_, FieldValue::Str(s)) => Some(s),
                (Slot::Id, FieldValue::Int(s)) => Some(s),
                (Slot::Body, FieldValue::Null) => {
                    out.problem =
                        Some(BadInput::bad(format!("field {key:?}: expected {expected}, found null"), Some(&key)));
                    None
                }
                (_, FieldValue::Null) => None,
                (_, FieldValue::Int(_)) => {
                    out.problem = Some(BadInput::bad(
                        format!("field {key:?}: expected {expected}, found an integer"),
                        Some(&key),
                    ));
                    None
                }
                (_, other) => {
                    let what = match other {
                        FieldValue::Float(_) => "a number",
                        FieldValue::Bool(_) => "a boolean",
                        FieldValue::Nested(what) => what,
                        _ => "another value",
                    };
                    out.problem =
                        Some(BadInput::bad(format!("field {key:?}: expected {expected}, found {what}"), Some(&key)));
                    None
                }
            };
            if let Some(text) = text {
                if slot == Slot::Body && text.len() > self.limits.max_comment {
                    out.problem = Some(BadInput::too_large(
                        format!(
                            "field {key:?}: {} bytes, more than the limit of {}",
                            text.len(),
                            self.limits.max_comment
                        ),
                        Some(&key),
                    ));
                }
                let cur = &mut out.vals[slot as usize];
                if !cur.as_ref().is_some_and(|(r, _)| *r <= rank) {
                    *cur = Some((rank, text));
                }
            }
            seen.insert(key);
        }
        Ok(out)
    }
}

fn comment_from(mut p: Picked, fields: &Fields, default_id: String) -> Result<Comment, BadInput> {
    if let Some(problem) = p.problem.take() {
        return Err(problem);
    }
    let mut take = |s: Slot| p.vals[s as usize].take().map(|(_, v)| v);
    let Some(body) = take(Slot::Body) else {
        return Err(BadInput::bad(format!("no comment text (looked for {})", fields.body_names), Some("body")));
    };
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(Comment {
        id: nonempty(take(Slot::Id)).unwrap_or(default_id),
        body,
        author: nonempty(take(Slot::Author)),
        kind: take(Slot::Kind).map(|k| CommentKind::parse(&k)).unwrap_or_default(),
        author_url: nonempty(take(Slot::AuthorUrl)),
        author_email: nonempty(take(Slot::AuthorEmail)),
        ip: nonempty(take(Slot::Ip)),
        created_at: nonempty(take(Slot::CreatedAt)),
        post_id: nonempty(take(Slot::PostId)),
        parent: nonempty(take(Slot::Parent)),
        ..Comment::default()
    })
}

/// serde_json's message for a syntax error, as a 400.
fn syntax(e: &serde_json::Error) -> BadInput {
    BadInput::bad(format!("invalid JSON: {e}"), None)
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
    if let Err(e) = std::str::from_utf8(body) {
        return Err(BadInput::bad(format!("request body is not valid UTF-8 (at byte {})", e.valid_up_to()), None));
    }
    let seed = || CommentSeed { fields, limits };
    if ndjson {
        let mut out = Vec::new();
        for line in body.split(|&b| b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let index = out.len();
            if index >= limits.max_batch {
                return Err(too_many(limits));
            }
            let mut de = serde_json::Deserializer::from_slice(line);
            let picked = seed().deserialize(&mut de).and_then(|p| de.end().map(|()| p));
            let picked = picked.map_err(|e| syntax(&e).at(index))?;
            out.push(comment_from(picked, fields, next_id()).map_err(|e| e.at(index))?);
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
            let picked = seed().deserialize(&mut de).and_then(|p| de.end().map(|()| p)).map_err(|e| syntax(&e))?;
            Ok((Shape::One, vec![comment_from(picked, fields, next_id())?]))
        }
        Some(b'[') => {
            let index = Cell::new(0usize);
            let problem: Cell<Option<BadInput>> = Cell::new(None);
            let mut out = Vec::new();
            let mut de = serde_json::Deserializer::from_slice(body);
            let res = de
                .deserialize_seq(Batch {
                    seed: seed(),
                    fields,
                    index: &index,
                    problem: &problem,
                    out: &mut out,
                    next_id,
                })
                .and_then(|()| de.end());
            if let Some(p) = problem.take() {
                return Err(p);
            }
            res.map_err(|e| syntax(&e).at(index.get()))?;
            if out.is_empty() {
                return Err(BadInput::bad("the array holds no comments", None));
            }
            Ok((Shape::Array, out))
        }
        _ => Err(BadInput::bad("expected a comment object or an array of comment objects", None)),
    }
}

fn too_many(limits: Limits) -> BadInput {
    BadInput::too_large(format!("more than {} comments in one request", limits.max_batch), None)
}

/// Visits a top-level array of comments, stopping at the first problem.
struct Batch<'a, 'b> {
    seed: CommentSeed<'a>,
    fields: &'a Fields,
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
            if i >= self.seed.limits.max_batch {
                self.problem.set(Some(too_many(self.seed.limits)));
                return Err(de::Error::custom("too many comments"));
            }
            let seed = CommentSeed { fields: self.seed.fields, limits: self.seed.limits };
            let Some(picked) = seq.next_element_seed(seed)? else { return Ok(()) };
            match comment_from(picked, self.fields, (self.next_id)()) {
                Ok(c) => self.out.push(c),
                Err(e) => {
                    self.problem.set(Some(e.at(i)));
                    return Err(de::Error::custom("bad comment"));
                }
            }
        }
    }
}
