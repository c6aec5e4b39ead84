//! The read stage: format readers turn an input into a stream of [`Record`]s.
//!
//! Every reader is streaming (constant memory in the input size) and knows the source position of
//! each record, so a record that cannot be read becomes a [`RecordError`] naming `file:line` and
//! the field, and the run goes on: every input comment yields exactly one record, in order.
//! Readers know formats but no rules.

use std::path::{Path, PathBuf};

use crate::comment::{Comment, SourcePos};

/// A record as read: a comment, or the reason it could not be read.
pub type Record = Result<Comment, RecordError>;

/// A record that could not be read. It still becomes exactly one output line (`"verdict": "error"`).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// The best id that could be recovered (the input's id, or `<stem>#<N>`/`<file>:<line>`).
    pub id: String,
    /// What is wrong, naming the field where one is to blame (e.g. `line 17: field "body": missing`).
    pub message: String,
    /// Where the bad record is.
    pub source: SourcePos,
    /// The record's original text, if any could be kept (for `--split`'s error file).
    pub raw: Option<String>,
}

/// The input formats `moderate` reads (DESIGN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// A scraped article page with numbered `N. Author said:` comments.
    Thread,
    /// WordPress export (WXR).
    Wxr,
    /// Disqus XML export.
    Disqus,
}

/// Which input field names map to which comment field. Each list is tried in order; the first
/// field present wins. Configurable under `[input.fields]` in config.toml.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// Field names for the comment id.
    pub id: Vec<String>,
    /// Field names for the comment text.
    pub body: Vec<String>,
    /// Field names for the author's display name.
    pub author: Vec<String>,
    /// Field names for the kind (comment / pingback / trackback).
    pub kind: Vec<String>,
    /// Field names for the author's URL.
    pub author_url: Vec<String>,
    /// Field names for the author's e-mail.
    pub author_email: Vec<String>,
    /// Field names for the author's IP address.
    pub ip: Vec<String>,
    /// Field names for the posting time.
    pub created_at: Vec<String>,
    /// Field names for the post/thread id.
    pub post_id: Vec<String>,
    /// Field names for the parent comment id.
    pub parent: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        fn v(names: &[&str]) -> Vec<String> {
            names.iter().map(|s| s.to_string()).collect()
        }
        FieldMap {
            id: v(&["id", "comment_id", "_id"]),
            body: v(&["body", "content", "text", "comment_text", "comment", "message"]),
            author: v(&["author", "author_name", "user", "username", "name"]),
            kind: v(&["kind", "type", "comment_type"]),
            author_url: v(&["author_url", "url"]),
            author_email: v(&["author_email", "email"]),
            ip: v(&["ip", "author_ip"]),
            created_at: v(&["created_at", "date", "timestamp", "time"]),
            post_id: v(&["post_id", "thread", "thread_id", "article"]),
            parent: v(&["parent", "parent_id"]),
        }
    }
}

/// How to read: the field mapping, and whether to keep each record's original text.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Field names to look for.
    pub fields: FieldMap,
    /// Keep [`Comment::raw`] (needed by `--split`; costs a copy per record otherwise).
    pub keep_raw: bool,
}

/// One input to read: a path (or `-` for stdin) with its resolved format.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The file, or `-` for stdin.
    pub path: PathBuf,
    /// The format to read it as.
    pub format: Format,
}

/// An input that cannot be opened at all (missing file, unreadable directory). Stops the run
/// before it starts (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct OpenError {
    /// The path the user gave.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Expands the user's inputs: directories become the readable files inside them (sorted, so runs
/// are reproducible), formats are detected from extension and content unless `forced`.
///
/// # Errors
/// A path that does not exist or cannot be read.
pub fn resolve_inputs(paths: &[PathBuf], forced: Option<Format>) -> Result<Vec<Input>, OpenError> {
    let _ = (paths, forced);
    todo!("read helper")
}

/// Opens one input as a stream of records.
///
/// # Errors
/// The file cannot be opened.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<Box<dyn Iterator<Item = Record> + Send>, OpenError> {
    let _ = (input, opts);
    todo!("read helper")
}

/// Convenience for tests and `explain --id`: all records of a path.
pub fn read_all(path: &Path, forced: Option<Format>, opts: &ReadOptions) -> Result<Vec<Record>, OpenError> {
    let mut out = Vec::new();
    for input in resolve_inputs(&[path.to_path_buf()], forced)? {
        out.extend(open(&input, opts)?);
    }
    Ok(out)
}
