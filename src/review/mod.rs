//! The review queue: flagged comments stored for humans to decide.
//!
//! A `flag` verdict means "a human decides". This module is the place where that happens, in the
//! spirit of Discourse's review queue or Coral's moderation queue:
//!
//! ```text
//!  moderate run --queue review.db ──► QueueSink ──► review.db (SQLite, WAL)
//!                                                     │  items      one row per flagged comment
//!                                                     │  history    one small row per judged comment with an author
//!                                                     │  decisions  append-only log: who decided what, when
//!                                                     ▼
//!  moderate review serve  (web page, JSON API)  /  moderate review approve|reject|block (scripts)
//!                                                     ▼
//!  moderate review export -o decisions.jsonl ──► moderate eval decisions.jsonl
//! ```
//!
//! - [`store`] owns the database: the schema, the dedupe key `(comment id, sha256 of body)`, and
//!   the one rule everything else relies on: **decisions are never updated or deleted**. An item's
//!   state is its latest decision; its *version* is how many decisions it has. A decision carries
//!   the version its author saw and is checked and inserted in one `IMMEDIATE` transaction, so of
//!   two moderators deciding the same item at once one wins and the other is told so (HTTP 409).
//! - [`identity`] is who wrote a comment: blocks by e-mail, IP range, URL domain or exact name
//!   (never a look-alike display name), the JSON-lines block-list file, and names shown with
//!   their invisible characters visible.
//! - [`model`] is the vocabulary (items, decisions, states, filters) as plain data.
//! - [`sink`] is the write-stage [`Sink`](crate::write::Sink) that fills the queue from a run.
//! - [`page`] renders the HTML. Comment text is hostile input: every string that came from a
//!   comment, an author or a rule is HTML-escaped, and highlights are computed from the verdict's
//!   byte offsets snapped to character boundaries.
//! - [`server`] is the axum app: the page, `/static/app.js` + `/static/app.css` (no inline script
//!   or style, so the Content-Security-Policy can forbid both), and a JSON API whose writes need
//!   the token *and* a same-origin `Origin`/`Referer` when the browser sends one.
//! - [`export`] turns decisions into labeled JSONL in the schema of `shared/data`, so a review
//!   session becomes an evaluation set, and writes the blocked-authors list.
//!
//! The review queue sits beside the pipeline, not inside it: it knows comments and verdict
//! records, never rules.

pub mod export;
pub mod identity;
pub mod model;
pub mod page;
pub mod server;
pub mod sink;
pub mod store;

use std::fmt;
use std::path::PathBuf;

pub use sink::QueueSink;
pub use store::Store;

/// The `[review]` section of `config.toml`.
///
/// ```toml
/// [review]
/// db = "review.db"
/// addr = "127.0.0.1:8787"
/// # token = "a-long-random-string"   # fixed write token; random per start when absent
/// reviewer = "moderator"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// Path of the SQLite queue database (created when missing). Default `review.db`.
    pub db: PathBuf,
    /// Address `moderate review serve` listens on. Default `127.0.0.1:8787` (loopback only);
    /// anything else exposes the read-only page to the network.
    pub addr: String,
    /// A fixed write token for the web page and API. When absent, a random token is made at each
    /// start and printed with the URL.
    pub token: Option<String>,
    /// The reviewer name recorded with decisions when none is given. Default `moderator`.
    pub reviewer: String,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            db: PathBuf::from("review.db"),
            addr: "127.0.0.1:8787".to_string(),
            token: None,
            reviewer: "moderator".to_string(),
        }
    }
}

/// An error of the review queue. Opaque: ask [`Error::is_conflict`] / [`Error::is_not_found`].
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Debug)]
enum ErrorKind {
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    Json(serde_json::Error),
    /// A stored value this program did not write (a damaged or edited database), located.
    Corrupt(String),
    NotFound(String),
    Conflict(String),
    Invalid(String),
}

impl Error {
    /// A stored value that cannot be read, with where it is (item, column).
    pub(crate) fn corrupt(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Corrupt(msg.into()) }
    }

    pub(crate) fn not_found(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::NotFound(msg.into()) }
    }

    pub(crate) fn conflict(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Conflict(msg.into()) }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Invalid(msg.into()) }
    }

    /// Someone else decided the item since the caller looked at it (optimistic check failed).
    pub fn is_conflict(&self) -> bool {
        matches!(self.kind, ErrorKind::Conflict(_))
    }

    /// The item (or author) does not exist in the queue.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NotFound(_))
    }

    /// The request itself is wrong (unknown action, empty reviewer, ...).
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, ErrorKind::Invalid(_))
    }

    /// A read or write of a file other than the database failed (the output being written).
    pub fn is_io(&self) -> bool {
        matches!(self.kind, ErrorKind::Io(_))
    }

    /// The database is locked by another connection (another process writing, or holding an
    /// exclusive transaction) past the busy timeout: nothing was changed, and trying again
    /// later may work.
    pub fn is_busy(&self) -> bool {
        match &self.kind {
            ErrorKind::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Sqlite(e) => write!(f, "review database: {e}"),
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Json(e) => write!(f, "review database: bad JSON: {e}"),
            ErrorKind::Corrupt(m) => write!(f, "review database: {m}"),
            ErrorKind::NotFound(m) | ErrorKind::Conflict(m) | ErrorKind::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Sqlite(e) => Some(e),
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error { kind: ErrorKind::Sqlite(e) }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error { kind: ErrorKind::Io(e) }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error { kind: ErrorKind::Json(e) }
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e.kind {
            ErrorKind::Io(e) => e,
            _ => std::io::Error::other(e.to_string()),
        }
    }
}
