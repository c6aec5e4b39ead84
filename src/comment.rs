//! The unit that flows through every stage: a [`Comment`] and where it came from.
//!
//! Readers build comments; no later stage knows which format a comment was read from. The
//! fields follow docs/design.md §4: `body` is mandatory, everything else is optional metadata that
//! structural rules and the author policy may read.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What kind of entry a comment is. Pingbacks and trackbacks are machine-made link notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    /// An ordinary comment written by a person.
    #[default]
    Comment,
    /// A WordPress-style pingback ("Pingback: ...").
    Pingback,
    /// A trackback notice.
    Trackback,
}

impl CommentKind {
    /// Parses the usual spellings of a kind field; anything unknown is an ordinary comment.
    pub fn parse(s: &str) -> CommentKind {
        match s.trim().to_ascii_lowercase().as_str() {
            "pingback" => CommentKind::Pingback,
            "trackback" => CommentKind::Trackback,
            _ => CommentKind::Comment,
        }
    }

    /// The lowercase name used in records and config.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Pingback => "pingback",
            CommentKind::Trackback => "trackback",
        }
    }
}

/// Where a record was read from: the file (or `-` for stdin) and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePos {
    /// The input path as the user gave it; shared by every record of that input.
    pub file: Arc<str>,
    /// 1-based line of the record's start.
    pub line: u64,
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One comment as read from an input, before any judgement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comment {
    /// The input's id, or a stable one made by the reader (`<file stem>#<N>`).
    pub id: String,
    /// The text to judge, exactly as it was in the input (after format unescaping).
    pub body: String,
    /// Display name of the author, if the format has one.
    pub author: Option<String>,
    /// Comment, pingback or trackback.
    pub kind: CommentKind,
    /// The author's website.
    pub author_url: Option<String>,
    /// The author's e-mail address.
    pub author_email: Option<String>,
    /// The author's IP address.
    pub ip: Option<String>,
    /// When the comment was posted, as written in the input (ISO 8601 preferred).
    pub created_at: Option<String>,
    /// The post/thread/article the comment belongs to.
    pub post_id: Option<String>,
    /// The id of the comment this one replies to.
    pub parent: Option<String>,
    /// The site's own earlier judgement, if the dump carries one (WordPress `comment_approved`,
    /// Disqus `isSpam`): `Some(true)` = approved. Used by the author policy's "previously
    /// approved" trust.
    pub approved: Option<bool>,
    /// Where the record came from, for messages.
    pub source: Option<SourcePos>,
    /// The record's original bytes in its input format (a JSONL line or a CSV row with its line
    /// end, a thread entry), kept only when a reader is asked to: `--split` writes them back
    /// byte for byte, invalid UTF-8 and `\r\n` included.
    pub raw: Option<Vec<u8>>,
    /// Byte offset of the record's start in its input: its identity in a file where several
    /// records share a line (minified XML), used by `--split` to rewrite the right element.
    pub offset: Option<u64>,
}

impl Comment {
    /// A comment with just an id and a body (tests, `explain`).
    pub fn new(id: impl Into<String>, body: impl Into<String>) -> Comment {
        Comment { id: id.into(), body: body.into(), ..Comment::default() }
    }
}
