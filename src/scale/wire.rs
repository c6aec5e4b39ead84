//! What travels on the subjects: one record per message, framed so nothing is lost on the way.
//!
//! A payload is one JSON object, a `\n`, then the record's original bytes ([`Comment::raw`],
//! when `publish --raw` kept them) verbatim. JSON escapes every newline inside strings, so the
//! first `\n` always ends the object, and the raw bytes (invalid UTF-8, `\r\n` and all) need no
//! encoding. The order of a run is carried in headers, not in stream sequences, so a
//! re-published record (same run, same index) dedupes and sorts the same.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::comment::{Comment, CommentKind, SourcePos};
use crate::read::{Record, RecordError};
use crate::verdict::Verdict;

/// Header: the run a record belongs to (see [`super::run_id`]).
pub const RUN: &str = "Moderate-Run";
/// Header: the record's 0-based position in its run: the order `collect` restores.
pub const INDEX: &str = "Moderate-Index";
/// Header: the config hash a verdict was judged with.
pub const CONFIG: &str = "Moderate-Config";
/// Header: why a message was dead-lettered.
pub const REASON: &str = "Moderate-Reason";
/// Header: the deliveries a dead-lettered message had.
pub const DELIVERIES: &str = "Moderate-Deliveries";
/// Header: a verdict message holding several records (their count); see [`batch_item`].
pub const BATCH: &str = "Moderate-Batch";
/// Header: how a verdict batch's items are encoded: [`FORMAT_COMPACT`], or absent for
/// [`VerdictMsg`] frames (workers before it).
pub const FORMAT: &str = "Moderate-Format";
/// The verdict item of [`verdict_item`].
pub const FORMAT_COMPACT: &str = "verdict+record";
/// Header: JetStream's de-duplication id.
pub const MSG_ID: &str = "Nats-Msg-Id";

/// A record's fields as sent (a [`Comment`], or a [`RecordError`] when `error` is set).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Envelope {
    /// The comment's id (or the error record's best id).
    pub id: String,
    /// The text to judge.
    #[serde(default)]
    pub body: String,
    /// Set when the record could not be read: the reader's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(default)]
    kind: CommentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approved: Option<bool>,
    /// The input file as given to `publish`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default)]
    line: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
}

impl Envelope {
    /// The envelope of a record as read, and its raw bytes (when kept).
    pub fn of(record: &Record) -> (Envelope, Option<&[u8]>) {
        match record {
            Ok(c) => (
                Envelope {
                    id: c.id.clone(),
                    body: c.body.clone(),
                    error: None,
                    author: c.author.clone(),
                    kind: c.kind,
                    author_url: c.author_url.clone(),
                    author_email: c.author_email.clone(),
                    ip: c.ip.clone(),
                    created_at: c.created_at.clone(),
                    post_id: c.post_id.clone(),
                    parent: c.parent.clone(),
                    approved: c.approved,
                    file: c.source.as_ref().map(|s| s.file.to_string()),
                    line: c.source.as_ref().map_or(0, |s| s.line),
                    offset: c.offset,
                },
                c.raw.as_deref(),
            ),
            Err(e) => (
                Envelope {
                    id: e.id.clone(),
                    error: Some(e.message.clone()),
                    file: Some(e.source.file.to_string()),
                    line: e.source.line,
                    ..Envelope::default()
                },
                e.raw.as_deref(),
            ),
        }
    }

    /// The record again, with its raw bytes.
    pub fn into_record(self, raw: Option<Vec<u8>>) -> Record {
        let source = SourcePos { file: Arc::from(self.file.as_deref().unwrap_or("-")), line: self.line };
        match self.error {
            Some(message) => Err(RecordError { id: self.id, message, source, raw }),
            None => Ok(Comment {
                id: self.id,
                body: self.body,
                author: self.author,
                kind: self.kind,
                author_url: self.author_url,
                author_email: self.author_email,
                ip: self.ip,
                created_at: self.created_at,
                post_id: self.post_id,
                parent: self.parent,
                approved: self.approved,
                source: Some(source),
                raw,
                offset: self.offset,
            }),
        }
    }
}

/// A judged record as a worker sends it to `collect`.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerdictMsg {
    /// The record (collect needs the comment for the author policy and the outputs).
    pub record: Envelope,
    /// The worker's verdict, before the author policy.
    pub verdict: Verdict,
}

/// A verdict item: the verdict's JSON, `\n`, then the record's frame exactly as the worker
/// received it (so the record is not decoded and encoded again on the way back).
///
/// # Errors
/// The verdict does not serialize.
pub fn verdict_item(verdict: &Verdict, record_frame: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(record_frame.len() + 256);
    serde_json::to_writer(&mut out, verdict)?;
    out.push(b'\n');
    out.extend_from_slice(record_frame);
    Ok(out)
}

/// Splits a [`verdict_item`] into the verdict and the record with its raw bytes.
///
/// # Errors
/// Either part is not what a worker writes.
pub fn read_verdict_item(item: &[u8]) -> Result<(Verdict, Envelope, Option<Vec<u8>>), String> {
    let nl = memchr::memchr(b'\n', item).ok_or("verdict item without a record")?;
    let verdict = serde_json::from_slice(&item[..nl]).map_err(|e| format!("not a verdict: {e}"))?;
    let (env, raw) = unframe::<Envelope>(&item[nl + 1..])?;
    Ok((verdict, env, raw))
}

/// The record of a frame without its raw bytes (what judging needs).
///
/// # Errors
/// The JSON part is not a record.
pub fn unframe_record(payload: &[u8]) -> Result<Envelope, String> {
    let json = memchr::memchr(b'\n', payload).map_or(payload, |i| &payload[..i]);
    serde_json::from_slice(json).map_err(|e| format!("not a moderate record: {e}"))
}

/// `json` + `\n` + `raw`.
pub fn frame(json: &impl Serialize, raw: Option<&[u8]>) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = serde_json::to_vec(json)?;
    out.push(b'\n');
    if let Some(raw) = raw {
        out.extend_from_slice(raw);
    }
    Ok(out)
}

/// Splits a payload into its JSON object and its raw bytes (None when there are none).
///
/// # Errors
/// The JSON part is not a valid `T` (a message not written by `moderate`).
pub fn unframe<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<(T, Option<Vec<u8>>), String> {
    let (json, raw) = match memchr::memchr(b'\n', payload) {
        Some(i) => (&payload[..i], &payload[i + 1..]),
        None => (payload, &[][..]),
    };
    let value = serde_json::from_slice(json).map_err(|e| format!("not a moderate record: {e}"))?;
    Ok((value, (!raw.is_empty()).then(|| raw.to_vec())))
}

/// Appends one record of a verdict batch: `<index> <length>\n` then the record's frame
/// ([`frame`]). Raw bytes may hold anything, so each item is sized, not delimited.
pub fn push_batch_item(out: &mut Vec<u8>, index: u64, frame: &[u8]) {
    out.extend_from_slice(format!("{index} {}\n", frame.len()).as_bytes());
    out.extend_from_slice(frame);
}

/// One item of a verdict batch: its index, its frame, and the bytes after it.
pub type BatchItem<'a> = (u64, &'a [u8], &'a [u8]);

/// Splits the next item off a verdict batch: its index, its frame and the rest. None at the
/// end; an error when the bytes are not a batch (sizes are checked against what is there).
///
/// # Errors
/// A malformed item header or a length past the end.
pub fn batch_item(payload: &[u8]) -> Result<Option<BatchItem<'_>>, String> {
    if payload.is_empty() {
        return Ok(None);
    }
    let nl = memchr::memchr(b'\n', &payload[..payload.len().min(48)]).ok_or("batch item without a header line")?;
    let head = std::str::from_utf8(&payload[..nl]).map_err(|_| "batch item header is not text")?;
    let (index, len) = head.split_once(' ').ok_or("batch item header without a length")?;
    let index: u64 = index.parse().map_err(|_| format!("batch item index {index:?}"))?;
    let len: usize = len.parse().map_err(|_| format!("batch item length {len:?}"))?;
    let rest = &payload[nl + 1..];
    if len > rest.len() {
        return Err(format!("batch item of {len} bytes, {} left", rest.len()));
    }
    Ok(Some((index, &rest[..len], &rest[len..])))
}

/// The verdict item of [`push_author_fields`]: the verdict as `collect` writes it, the author policy's
/// fields, and the record only when the worker runs with `--records`.
pub const FORMAT_LINE: &str = "line+author";

/// What the author policy and the summary need of a comment, without its body: sent with each
/// verdict so `collect` needs neither the record nor the body (short keys: it is per comment).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorFields {
    /// [`Comment::author`].
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// [`Comment::author_email`].
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    /// [`Comment::author_url`].
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// [`Comment::ip`].
    #[serde(rename = "ip", default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// [`Comment::created_at`].
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// [`Comment::approved`].
    #[serde(rename = "ok", default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
    /// The body's [`crate::decide::author::body_hash`] (the duplicate rule's key).
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<u64>,
    /// The body's length in bytes (the summary's byte count).
    #[serde(rename = "n", default)]
    pub body_len: u64,
}

impl AuthorFields {
    /// The fields of a comment (an error record has none).
    pub fn of(record: Record) -> AuthorFields {
        match record {
            Ok(c) => AuthorFields {
                hash: crate::decide::author::body_hash(&c.body),
                body_len: c.body.len() as u64,
                author: c.author,
                author_email: c.author_email,
                author_url: c.author_url,
                ip: c.ip,
                created_at: c.created_at,
                approved: c.approved,
            },
            Err(_) => AuthorFields::default(),
        }
    }

    /// A comment with these fields, its id and an empty body: what the author policy reads.
    pub fn into_comment(self, id: String) -> Comment {
        Comment {
            id,
            body: String::new(),
            author: self.author,
            kind: CommentKind::default(),
            author_url: self.author_url,
            author_email: self.author_email,
            ip: self.ip,
            created_at: self.created_at,
            post_id: None,
            parent: None,
            approved: self.approved,
            source: None,
            raw: None,
            offset: None,
        }
    }
}

/// Completes a verdict item whose verdict line (the verdict's JSON and `\n`, exactly as
/// `collect` writes it: [`crate::write::jsonl::JsonlSink`]'s renderer) is already in `out`:
/// appends the [`AuthorFields`] as JSON and `\n`, then the record's frame when `record` is
/// given (`collect --split`/`--queue` need it; the verdict file does not).
///
/// # Errors
/// The fields do not serialize.
pub fn push_author_fields(
    out: &mut Vec<u8>,
    fields: &AuthorFields,
    record: Option<&[u8]>,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut *out, fields)?;
    out.push(b'\n');
    if let Some(frame) = record {
        out.extend_from_slice(frame);
    }
    Ok(())
}

/// The parts of a [`push_author_fields`] item: the verdict line (with its `\n`), the fields, and the
/// record's frame (None when the worker did not send it).
pub type LineParts<'a> = (&'a [u8], AuthorFields, Option<&'a [u8]>);

/// Splits a [`push_author_fields`] item.
///
/// # Errors
/// A part is missing or the fields are not what a worker writes.
pub fn read_line_item(item: &[u8]) -> Result<LineParts<'_>, String> {
    let nl = memchr::memchr(b'\n', item).ok_or("verdict item without its line")?;
    let (line, rest) = item.split_at(nl + 1);
    let nl = memchr::memchr(b'\n', rest).ok_or("verdict item without the author fields")?;
    let fields = serde_json::from_slice(&rest[..nl]).map_err(|e| format!("not the author fields: {e}"))?;
    let record = &rest[nl + 1..];
    Ok((line, fields, (!record.is_empty()).then_some(record)))
}

/// What the author policy and the summary read of a verdict, decoded from its line without
/// the rule messages and match texts (serde skips them without allocating).
#[derive(Debug, Deserialize)]
struct LiteVerdict {
    id: String,
    verdict: crate::verdict::Decision,
    #[serde(default)]
    score: f64,
    #[serde(default)]
    reasons: Vec<LiteReason>,
    #[serde(default)]
    censored: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LiteReason {
    rule: String,
    category: String,
    #[serde(default)]
    action: Option<crate::verdict::Action>,
    #[serde(default)]
    score: f64,
    #[serde(default)]
    shadow: Option<crate::verdict::Shadow>,
}

/// The verdict of a line with every reason's `message`, `matches`, `counted_by` and
/// `match_count` left out and `censored` (when present) empty: enough for the author policy
/// and the summary, which read neither. [`merge_policy`] puts the rest back when the policy
/// changed it.
///
/// # Errors
/// The line is not a verdict.
pub fn skeleton(line: &[u8]) -> Result<Verdict, String> {
    let v: LiteVerdict = serde_json::from_slice(line).map_err(|e| format!("not a verdict: {e}"))?;
    Ok(Verdict {
        id: v.id,
        verdict: v.verdict,
        score: v.score,
        reasons: v
            .reasons
            .into_iter()
            .map(|r| crate::verdict::Reason {
                rule: r.rule,
                category: r.category,
                action: r.action,
                score: r.score,
                message: String::new(),
                matches: Vec::new(),
                counted_by: None,
                match_count: None,
                shadow: r.shadow,
            })
            .collect(),
        censored: v.censored.map(|_| String::new()),
        error: v.error,
        source: v.source,
    })
}

/// `full` (the line's whole verdict) as the author policy left its [`skeleton`]: the policy
/// only drops reasons (keeping the order), appends its own (always with a message), sets the
/// score and the decision, and drops `censored`. So a reason of `skel` with an empty message
/// is one of `full`'s, found by its rule id (one reason per rule); any other is the policy's.
pub fn merge_policy(full: &mut Verdict, skel: Verdict) {
    let mut old = std::mem::take(&mut full.reasons).into_iter().map(Some).collect::<Vec<_>>();
    let mut at = 0;
    full.reasons = skel
        .reasons
        .into_iter()
        .map(|r| {
            if !r.message.is_empty() {
                return r;
            }
            let found = (at..old.len()).find(|&i| old[i].as_ref().is_some_and(|o| o.rule == r.rule));
            match found.and_then(|i| {
                at = i + 1;
                old[i].take()
            }) {
                Some(o) => o,
                None => r,
            }
        })
        .collect();
    full.verdict = skel.verdict;
    full.score = skel.score;
    if skel.censored.is_none() {
        full.censored = None;
    }
}
