//! Decisions out: labeled JSONL for `moderate eval`, and the blocked-authors list.
//!
//! Every decided item becomes one line in the schema of `shared/data` (see its SOURCES.md):
//!
//! ```json
//! {"id": "c-17", "author": "bob", "body": "...", "kind": "comment", "source": "dump.wxr",
//!  "labels": {"attack": true, "profanity": false, "toxic": true,
//!             "raw": {"decision": "reject", "reviewer": "ana", "decided_at": "...", ...}}}
//! ```
//!
//! - **approved** → every category of the item's reasons `false`, and `toxic: false`.
//! - **rejected** (or rejected by blocking the author) → `toxic: true`; the categories the
//!   moderator confirmed `true` (default: the categories of the item's reasons); the item's other
//!   categories `false`.
//! - pending items are skipped.
//!
//! Label keys are only the dataset's (`profanity`, `attack`, `identity`, `threat`, `spam`,
//! `toxic`); a site-specific category is kept under `labels.raw.categories` instead, so the
//! file stays a valid evaluation set. A key that is absent means "the moderator said nothing
//! about it", exactly as in `shared/data`. `source` is the input file the comment came from
//! (its position, `file:line`, is in `labels.raw.position`).

use std::io::Write;

use serde_json::{json, Map, Value};

use super::page::CATEGORIES;
use super::store::{Filter, Item, ReviewAction, Sort, Status, Store};
use super::Error;

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Approved items written.
    pub approved: usize,
    /// Rejected items written.
    pub rejected: usize,
    /// Pending items skipped.
    pub pending: usize,
}

/// The labeled record for a decided item; `None` while it is pending.
pub fn labeled_record(item: &Item) -> Option<Value> {
    let last = item.last.as_ref()?;
    let mut labels = Map::new();
    let confirmed: Vec<String> = match last.action {
        ReviewAction::Approve => {
            for c in &item.categories {
                if CATEGORIES.contains(&c.as_str()) {
                    labels.insert(c.clone(), Value::Bool(false));
                }
            }
            labels.insert("toxic".into(), Value::Bool(false));
            Vec::new()
        }
        ReviewAction::Reject | ReviewAction::Block => {
            let confirmed = last.categories.clone().unwrap_or_else(|| item.categories.clone());
            for c in item.categories.iter().chain(&confirmed) {
                if CATEGORIES.contains(&c.as_str()) {
                    labels.insert(c.clone(), Value::Bool(confirmed.contains(c)));
                }
            }
            labels.insert("toxic".into(), Value::Bool(true));
            confirmed
        }
        ReviewAction::Unblock => return None,
    };
    labels.insert(
        "raw".into(),
        json!({
            "decision": last.action.as_str(),
            "reviewer": last.reviewer,
            "decided_at": last.decided_at,
            "via": last.via,
            "item": item.id,
            "decisions": item.version,
            "categories": confirmed,
            "verdict": item.record.verdict.as_str(),
            "score": item.score,
            "rules": item.rules,
            "position": item.source,
        }),
    );
    Some(json!({
        "id": item.comment_id,
        "author": item.author.clone().unwrap_or_default(),
        "body": item.body,
        "kind": item.kind,
        "source": source_file(item.source.as_deref()),
        "labels": labels,
    }))
}

/// `dump.wxr:17` → `dump.wxr`; no position → `review`.
fn source_file(pos: Option<&str>) -> String {
    match pos {
        None => "review".to_string(),
        Some(p) => match p.rsplit_once(':') {
            Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => file.to_string(),
            _ => p.to_string(),
        },
    }
}

/// Writes every decided item as labeled JSONL, in queue order.
///
/// # Errors
/// Database or write failure.
pub fn export_labeled(store: &Store, mut out: impl Write) -> Result<ExportSummary, Error> {
    let (items, _) = store.items(&Filter { sort: Sort::Queued, ..Filter::default() })?;
    let mut summary = ExportSummary::default();
    for item in &items {
        match item.status() {
            Status::Pending => summary.pending += 1,
            Status::Approved => summary.approved += 1,
            Status::Rejected => summary.rejected += 1,
        }
        if let Some(record) = labeled_record(item) {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(summary)
}

/// Writes the currently blocked authors, one per line (the author policy's block-list format).
/// Returns how many. Authors containing a line break are skipped (they cannot be one line).
///
/// # Errors
/// Database or write failure.
pub fn write_blocked_authors(store: &Store, mut out: impl Write) -> Result<usize, Error> {
    let mut n = 0;
    for author in store.blocked_authors()? {
        if author.contains(['\n', '\r']) {
            continue;
        }
        writeln!(out, "{author}")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
