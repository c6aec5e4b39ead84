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
//! - **rejected** (or rejected by blocking the author) → `toxic: true`. When the moderator ticked
//!   categories (*Reject as*, `--category`), those are `true` and the item's other categories
//!   `false`; when they did not, the categories of the rules that hit on their own are `true` and
//!   nothing else is said. `labels.raw.labels_set_by` is `moderator` or `default` accordingly, so
//!   an evaluation can keep only the labels a human set.
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
use super::store::{Direction, Filter, Item, ReviewAction, Sort, Status, Store, MAX_LIMIT};
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
            let confirmed = match &last.categories {
                Some(set) => {
                    for c in &item.categories {
                        if CATEGORIES.contains(&c.as_str()) {
                            labels.insert(c.clone(), Value::Bool(false));
                        }
                    }
                    set.clone()
                }
                None => item.hit_categories(),
            };
            for c in &confirmed {
                if CATEGORIES.contains(&c.as_str()) {
                    labels.insert(c.clone(), Value::Bool(true));
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
            "labels_set_by": if last.categories.is_some() || last.action == ReviewAction::Approve { "moderator" } else { "default" },
            "default_categories": item.hit_categories(),
            "note": last.note,
            "edited_body": last.edited_body,
            "block": last.block,
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
    let mut summary = ExportSummary::default();
    let mut cursor = None;
    loop {
        // Page by page (bodies are previews in listings: each decided item is read whole).
        let filter = Filter { sort: Sort::Queued, cursor, limit: Some(MAX_LIMIT), ..Filter::default() };
        let page = store.items(&filter)?;
        for listed in &page.items {
            if listed.status() == Status::Pending {
                summary.pending += 1;
                continue;
            }
            let item = if listed.body_truncated { store.item(listed.id)? } else { listed.clone() };
            write_one(&item, &mut summary, &mut out)?;
        }
        match page.next_after {
            Some(id) => cursor = Some((id, Direction::Next)),
            None => break,
        }
    }
    out.flush()?;
    Ok(summary)
}

fn write_one(item: &Item, summary: &mut ExportSummary, mut out: impl Write) -> Result<(), Error> {
    match item.status() {
        Status::Pending => summary.pending += 1,
        Status::Approved => summary.approved += 1,
        Status::Rejected => summary.rejected += 1,
    }
    if let Some(record) = labeled_record(item) {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the current block list, one JSON object per line (`{"kind":"email","value":...}`),
/// the format `[authors] blocked` reads. Returns how many.
///
/// # Errors
/// Database or write failure.
pub fn write_blocked_authors(store: &Store, mut out: impl Write) -> Result<usize, Error> {
    let blocks = store.blocks()?;
    for b in &blocks {
        writeln!(out, "{}", b.to_line())?;
    }
    out.flush()?;
    Ok(blocks.len())
}
