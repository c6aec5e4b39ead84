//! The queue's vocabulary: items, decisions, states and filters, as plain data.
//!
//! These types are what [`Store`](super::Store) returns and takes, what the server serializes
//! and what the page renders. They hold no connection and do no I/O; the SQL lives in
//! [`store`](super::store), which re-exports them.

use serde::{Deserialize, Serialize};

use super::identity::{Block, BlockKind};
use crate::verdict::Verdict;

/// What a moderator can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReviewAction {
    /// Publish the comment.
    Approve,
    /// Do not publish it.
    Reject,
    /// Reject it and block its author (on an item), or block an author (alone).
    Block,
    /// Lift an author block (author-level only).
    Unblock,
}

impl ReviewAction {
    /// The lowercase name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Approve => "approve",
            ReviewAction::Reject => "reject",
            ReviewAction::Block => "block",
            ReviewAction::Unblock => "unblock",
        }
    }

    pub(super) fn parse(s: &str) -> Option<ReviewAction> {
        Some(match s {
            "approve" => ReviewAction::Approve,
            "reject" => ReviewAction::Reject,
            "block" => ReviewAction::Block,
            "unblock" => ReviewAction::Unblock,
            _ => return None,
        })
    }
}

/// An item's state, from its latest decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No decision yet.
    Pending,
    /// Latest decision: approve.
    Approved,
    /// Latest decision: reject or block.
    Rejected,
}

impl Status {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "pending" => Status::Pending,
            "approved" => Status::Approved,
            "rejected" => Status::Rejected,
            _ => return None,
        })
    }
}

/// Listing order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Highest score first (then newest queued).
    #[default]
    Score,
    /// Newest comment first (`created_at` when the dump has it, else queue time).
    Newest,
    /// Oldest comment first (`created_at`, else queue time).
    Oldest,
    /// Queue order, oldest first (exports, scripts).
    Queued,
}

/// Which items to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only items in this state; `None` = all.
    pub status: Option<Status>,
    /// Only items with a reason in this category.
    pub category: Option<String>,
    /// Only items with a reason from this rule.
    pub rule: Option<String>,
    /// Only this author's items (exact code points).
    pub author: Option<String>,
    /// Only items whose source position starts with this (e.g. a file name).
    pub source: Option<String>,
    /// Only this e-mail address (case-insensitive).
    pub email: Option<String>,
    /// Only this IP address.
    pub ip: Option<String>,
    /// Only this post.
    pub post: Option<String>,
    /// Only comments posted on or after this date/time (ISO 8601 prefix, e.g. `2024-05-01`).
    pub from: Option<String>,
    /// Only comments posted on or before this date (a date includes its whole day).
    pub to: Option<String>,
    /// Text search: in the body, author name, e-mail or IP (case-insensitive).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort,
    /// Keyset paging: only items after (`Next`) or before (`Prev`) this item in `sort` order.
    pub cursor: Option<(i64, Direction)>,
    /// At most this many items (capped at [`MAX_LIMIT`](super::store::MAX_LIMIT)).
    pub limit: Option<usize>,
}

/// Which side of the cursor a page is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The items after the cursor item.
    Next,
    /// The items before it.
    Prev,
}

/// One page of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    /// The items, in the filter's order.
    pub items: Vec<Item>,
    /// Whether items follow the last one.
    pub has_next: bool,
    /// Whether items precede the first one.
    pub has_prev: bool,
    /// The cursor of the next page (`after`): the last item shown, or for a text search that
    /// found less than a page, the last item it looked at.
    pub next_after: Option<i64>,
    /// The cursor of the previous page (`before`).
    pub prev_before: Option<i64>,
    /// For a text search: how many items of the order the page looked at (at most).
    pub scanned: Option<usize>,
    /// How many match in all, when known cheaply (a status filter alone: from the cached counts).
    pub total: Option<usize>,
}

/// One logged decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRow {
    /// Position in the log.
    pub seq: i64,
    /// The item decided, or `None` for an author-level block/unblock.
    pub item: Option<i64>,
    /// The author concerned (the item's author, or the blocked author).
    pub author: Option<String>,
    /// What was decided.
    pub action: ReviewAction,
    /// For rejections: the categories the moderator confirmed (`None` = the item's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Who decided.
    pub reviewer: String,
    /// When (UTC, ISO 8601).
    pub decided_at: String,
    /// Through what: `web` or `cli`.
    pub via: String,
    /// The moderator's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For an approval after editing: the text the moderator published (the original stays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_body: Option<String>,
    /// For block/unblock: the identity blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<Block>,
}

/// One queued comment with its state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The queue's number for the item (used in URLs and by `moderate review approve`).
    pub id: i64,
    /// The comment's id in the input.
    pub comment_id: String,
    /// The comment text, exactly as read; in listings only its first
    /// [`PREVIEW_CHARS`](super::store::PREVIEW_CHARS) characters (see `body_truncated`).
    pub body: String,
    /// The body's length in characters.
    pub body_chars: i64,
    /// Whether `body` is a preview (the whole text is at `/api/items/{id}`).
    pub body_truncated: bool,
    /// The author's display name.
    pub author: Option<String>,
    /// The author's e-mail address.
    pub author_email: Option<String>,
    /// The author's URL.
    pub author_url: Option<String>,
    /// The author's IP address.
    pub ip: Option<String>,
    /// The comment this one replies to.
    pub parent: Option<String>,
    /// comment / pingback / trackback.
    pub kind: String,
    /// `file:line` it was read from.
    pub source: Option<String>,
    /// The post it belongs to.
    pub post_id: Option<String>,
    /// When it was posted, as the input said.
    pub created_at: Option<String>,
    /// The verdict record (with reasons and byte-offset spans).
    pub record: Verdict,
    /// The verdict's score.
    pub score: f64,
    /// Categories of the reasons.
    pub categories: Vec<String>,
    /// Rule ids of the reasons.
    pub rules: Vec<String>,
    /// When it entered the queue.
    pub queued_at: String,
    /// How many decisions it has (the optimistic-concurrency version).
    pub version: i64,
    /// Its latest decision.
    pub last: Option<DecisionRow>,
    /// Whether its author is currently blocked (by any identity).
    pub author_blocked: bool,
    /// The block that matches the author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_as: Option<Block>,
    /// The moderator holding a claim on the item (and until when, UTC), if unexpired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
}

impl Item {
    /// The categories of the reasons that hit on their own (a rule with an action): what "Reject
    /// as" starts ticked with, and what a rejection without explicit categories confirms.
    /// Score-only contributions (a link, capitals) are not a moderator's judgement.
    pub fn hit_categories(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.record.reasons {
            if r.action.is_some() && !out.contains(&r.category) {
                out.push(r.category.clone());
            }
        }
        out
    }

    /// The state from the latest decision.
    pub fn status(&self) -> Status {
        match self.last.as_ref().map(|d| d.action) {
            None | Some(ReviewAction::Unblock) => Status::Pending,
            Some(ReviewAction::Approve) => Status::Approved,
            Some(ReviewAction::Reject | ReviewAction::Block) => Status::Rejected,
        }
    }
}

/// One of an author's judged comments (from the lightweight `history` table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The comment's id.
    pub comment_id: String,
    /// allow / flag / block.
    pub verdict: String,
    /// Rule ids that hit.
    pub rules: Vec<String>,
    /// The first characters of the body.
    pub excerpt: String,
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// What to do.
    pub action: ReviewAction,
    /// Who decides (non-empty).
    pub reviewer: String,
    /// For rejections: the confirmed categories; `None` = the item's own.
    pub categories: Option<Vec<String>>,
    /// The version the decider saw; `None` = append unconditionally (scripts).
    pub expected_version: Option<i64>,
    /// `web` or `cli`.
    pub via: &'static str,
    /// A note kept with the decision.
    pub note: Option<String>,
    /// Approve only: the text as the moderator edited it (stored beside the original).
    pub edited_body: Option<String>,
    /// Block only: which identity of the item's author to block (default: e-mail, else URL
    /// domain, else IP, else the exact name).
    pub block_kind: Option<BlockKind>,
}

impl NewDecision {
    /// A decision with no version check, note, edit or block kind.
    pub fn new(action: ReviewAction, reviewer: impl Into<String>, via: &'static str) -> NewDecision {
        NewDecision {
            action,
            reviewer: reviewer.into(),
            categories: None,
            expected_version: None,
            via,
            note: None,
            edited_body: None,
            block_kind: None,
        }
    }
}

/// An author's record with the moderators: how many of their queued items were decided how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuthorRecord {
    /// Pending items.
    pub pending: i64,
    /// Approved items.
    pub approved: i64,
    /// Rejected items.
    pub rejected: i64,
}

/// One item of a (bulk) decision: which item, the version the decider saw, and optionally
/// the categories confirmed for this item (overriding [`NewDecision::categories`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The item's queue number.
    pub id: i64,
    /// The version the decider saw; `None` = do not check.
    pub expected_version: Option<i64>,
    /// Categories confirmed for this item (reject/block only).
    pub categories: Option<Vec<String>>,
}

impl Target {
    /// A target without version check or categories (scripts).
    pub fn new(id: i64) -> Target {
        Target { id, expected_version: None, categories: None }
    }
}

/// Counts per state, for headers and `list`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Undecided items.
    pub pending: i64,
    /// Approved items.
    pub approved: i64,
    /// Rejected (or blocked) items.
    pub rejected: i64,
}
