//! Picking a comment's fields out of one JSON object: the one picker that the JSONL reader and
//! `moderate serve`'s request parser (`crate::serve::input`) share, so that a record and a
//! request with the same keys are read the same way and the two cannot drift.
//!
//! A [`FieldTable`] built once maps every configured field name ([`FieldMap`]) to its comment
//! field ([`Slot`]) and its rank in that field's list; [`Pick`] walks the object's keys (borrowed
//! from the input when they have no escapes), deserializes only the values of known names and
//! skips the rest with `IgnoredAny`, so it never builds a `serde_json::Value`. The rules:
//!
//! - The first-listed name that is present (and not `null`) wins.
//! - A configured name present twice (after unescaping: `"b\u006fdy"` is `"body"`) makes the
//!   object ambiguous ([`Picked::dup`]): parsers disagree on which copy counts (Python and Node
//!   keep the last), so judging either could judge a text other than the one a site shows.
//! - Two body names with different text (`body` "hello", `content` "f*** you") make it ambiguous
//!   too ([`Picked::bodies`]): a site may show either. `[input.fields] body` naming one settles it.
//! - The id and the body must be plain values; an object or array there is [`Picked::bad`].
//!
//! [`Strictness::Request`] (the server) is stricter on top, never looser: every duplicated key
//! is refused (not only configured ones), and values must have their field's type (the body a
//! string, the id a string or an integer, the rest strings or null), where the bulk reader turns
//! numbers and booleans into text.
//!
//! Why not the id and author as well as the body: their candidates legitimately differ in real
//! exports (WordPress's REST API has `author` = a user number and `author_name` = the name;
//! Reddit's `name` is the comment's fullname `t1_…`), and neither decides what text is published.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{looked_for, FieldMap};

/// The comment fields a [`FieldMap`] can fill, in `FieldMap` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
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

/// Number of [`Slot`]s.
pub(crate) const SLOTS: usize = 10;

/// Every slot with its list of names.
pub(crate) fn slot_names(map: &FieldMap) -> [(Slot, &[String]); SLOTS] {
    [
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
    ]
}

/// FNV-1a: keys are short field names, so a simple hasher beats SipHash on the hot path (the
/// table's names come from config, not from the input, so flooding is not a concern).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Field name → (slot, rank in the slot's list, the name's own number). Built once per config.
pub(crate) struct FieldTable {
    names: HashMap<Box<str>, (Slot, u16, u16), std::hash::BuildHasherDefault<Fnv>>,
    /// The body names, quoted, for "no body field (looked for ...)".
    pub(crate) body_names: String,
}

impl fmt::Debug for FieldTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldTable").field("names", &self.names.len()).finish_non_exhaustive()
    }
}

impl FieldTable {
    /// The table of `map`.
    pub(crate) fn new(map: &FieldMap) -> FieldTable {
        let mut names = HashMap::default();
        for (slot, list) in slot_names(map) {
            for (rank, name) in list.iter().enumerate() {
                // A name listed for two fields goes to the first; later duplicates lose.
                let n = names.len() as u16;
                names.entry(name.as_str().into()).or_insert((slot, rank as u16, n));
            }
        }
        FieldTable { names, body_names: looked_for(&map.body) }
    }

    /// The slot `name` fills and its rank among that slot's names (0: listed first).
    pub(crate) fn rank(&self, name: &str) -> Option<(Slot, u16)> {
        self.names.get(name).map(|t| (t.0, t.1))
    }
}

/// How strict [`Pick`] is (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Bulk input: numbers and booleans become text; only configured names must be unique.
    Record,
    /// A live request: every key unique, every mapped value of its field's type.
    Request,
}

/// The values picked out of one object: per slot, the best-ranked value seen so far, and the
/// problems seen (each the first of its kind).
#[derive(Default)]
pub(crate) struct Picked {
    vals: [Option<(u16, String)>; SLOTS],
    /// A field whose value had the wrong type: (field name, what was expected, what was found).
    pub(crate) bad: Option<(String, &'static str, &'static str)>,
    /// Which configured names were seen (bit n = name number n; names past 128 in `more`).
    seen: u128,
    more: Vec<u16>,
    /// Every key seen ([`Strictness::Request`] only).
    keys: HashSet<String>,
    /// A key present twice (the first such).
    pub(crate) dup: Option<String>,
    /// An id name present twice, wherever it came among the duplicates: the id is doubtful even
    /// when another key's duplicate came first (round 15, found by `idscan_props`).
    pub(crate) id_twice: bool,
    /// The name the body was taken from.
    pub(crate) body_name: Option<String>,
    /// Two body names with different text, in the order they came.
    pub(crate) bodies: Option<(String, String)>,
}

impl Picked {
    /// Marks name number `n` as seen; false if it was seen before.
    fn first_sight(&mut self, n: u16) -> bool {
        if n < 128 {
            let bit = 1u128 << n;
            let fresh = self.seen & bit == 0;
            self.seen |= bit;
            fresh
        } else if self.more.contains(&n) {
            false
        } else {
            self.more.push(n);
            true
        }
    }

    /// Takes the value picked for `slot`.
    pub(crate) fn take(&mut self, slot: Slot) -> Option<String> {
        self.vals[slot as usize].take().map(|(_, v)| v)
    }
}

/// A JSON value as a comment field sees it: its text, or what kind of value it is.
pub(crate) enum FieldValue {
    /// A string.
    Str(String),
    /// An integer, as text.
    Int(String),
    /// Any other number, as text.
    Float(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An object or an array (skipped whole): which.
    Nested(&'static str),
}

impl<'de> de::Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldValue, D::Error> {
        d.deserialize_any(FieldValueVisitor)
    }
}

struct FieldValueVisitor;

impl<'de> Visitor<'de> for FieldValueVisitor {
    type Value = FieldValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Str(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<FieldValue, E> {
        Ok(FieldValue::Int(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Int(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<FieldValue, E> {
        Ok(FieldValue::Float(v.to_string()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Bool(v))
    }
    fn visit_unit<E>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }
    fn visit_none<E>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldValue, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Nested("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Nested("an array"))
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// What a value of `slot` must be under [`Strictness::Request`], and whether `v` is that.
fn request_type(slot: Slot, v: &FieldValue) -> Result<(), &'static str> {
    let ok = match (slot, v) {
        (_, FieldValue::Str(_)) => true,
        (Slot::Id, FieldValue::Int(_)) => true,
        (Slot::Body | Slot::Id, FieldValue::Null) => false,
        (_, FieldValue::Null) => true,
        _ => false,
    };
    match (ok, slot) {
        (true, _) => Ok(()),
        (false, Slot::Body) => Err("a string"),
        (false, Slot::Id) => Err("a string or an integer"),
        (false, _) => Err("a string or null"),
    }
}

/// What kind of value `v` is, for messages.
fn found(v: &FieldValue) -> &'static str {
    match v {
        FieldValue::Str(_) => "a string",
        FieldValue::Int(_) => "an integer",
        FieldValue::Float(_) => "a number",
        FieldValue::Bool(_) => "a boolean",
        FieldValue::Null => "null",
        FieldValue::Nested(what) => what,
    }
}

/// The value of an id field (the id, the parent's, the post's). A number is taken as written:
/// through serde's number types, `123456789012345678901` came out `123456789012345680000` and
/// `1.50` `1.5`, so the verdict named another id than the site's (and two ids could become one).
/// An integer literal is [`FieldValue::Int`], any other number [`FieldValue::Float`].
fn id_value(raw: &RawValue) -> Result<FieldValue, serde_json::Error> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') if text.bytes().all(|b| b == b'-' || b.is_ascii_digit()) => {
            Ok(FieldValue::Int(text.to_owned()))
        }
        Some(b'-' | b'0'..=b'9') => Ok(FieldValue::Float(text.to_owned())),
        _ => serde_json::from_str(text),
    }
}

/// Deserializes one object into [`Picked`], touching only the configured names.
pub(crate) struct Pick<'t> {
    /// The configured names.
    pub(crate) table: &'t FieldTable,
    /// How strict to be.
    pub(crate) strictness: Strictness,
}

impl<'de> DeserializeSeed<'de> for Pick<'_> {
    type Value = Picked;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Picked, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Pick<'_> {
    type Value = Picked;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked, A::Error> {
        let strict = self.strictness == Strictness::Request;
        let mut out = Picked::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if strict && !out.keys.insert(key.0.to_string()) && out.dup.is_none() {
                out.dup = Some(key.0.to_string());
            }
            let Some(&(slot, rank, n)) = self.table.names.get(key.0.as_ref()) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if !out.first_sight(n) {
                out.id_twice |= slot == Slot::Id;
                if out.dup.is_none() {
                    out.dup = Some(key.0.to_string());
                }
            }
            let i = slot as usize;
            let better_seen = out.vals[i].as_ref().is_some_and(|(r, _)| *r <= rank);
            // Every body candidate is read, to compare it with the others; in a request every
            // mapped value is read, to check its type.
            if better_seen && slot != Slot::Body && !strict {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = if matches!(slot, Slot::Id | Slot::Parent | Slot::PostId) {
                id_value(map.next_value::<&'de RawValue>()?).map_err(de::Error::custom)?
            } else {
                map.next_value::<FieldValue>()?
            };
            if strict {
                if let Err(expected) = request_type(slot, &value) {
                    if out.bad.is_none() {
                        out.bad = Some((key.0.to_string(), expected, found(&value)));
                    }
                    continue;
                }
            }
            let value = match value {
                FieldValue::Str(v) | FieldValue::Int(v) | FieldValue::Float(v) => Some(v),
                FieldValue::Bool(b) => Some(b.to_string()),
                FieldValue::Null => None,
                FieldValue::Nested(what) => {
                    // Nested metadata (e.g. `"author": {...}`) is ignored; the id and the body
                    // must be plain values.
                    if matches!(slot, Slot::Id | Slot::Body) && out.bad.is_none() {
                        out.bad = Some((key.0.to_string(), "a string or number", what));
                    }
                    None
                }
            };
            let Some(v) = value else { continue };
            if slot == Slot::Body {
                if let (Some((_, have)), Some(name)) = (&out.vals[i], &out.body_name) {
                    if *have != v && out.bodies.is_none() {
                        out.bodies = Some((name.clone(), key.0.to_string()));
                    }
                }
            }
            if better_seen {
                continue;
            }
            if slot == Slot::Body {
                out.body_name = Some(key.0.to_string());
            }
            out.vals[i] = Some((rank, v));
        }
        Ok(out)
    }
}
