//! Rows to values: items and decisions as the queries return them.

use rusqlite::Row;

use super::{json_list, unix_now, Block, BlockKind, DecisionRow, Error, Item, ReviewAction, Verdict};

/// Reads an item row (the columns of [`ITEM_COLUMNS`]); the outer `Result` is SQLite's, the inner
/// one a bad stored record.
pub(super) fn read_item(r: &Row<'_>) -> rusqlite::Result<Result<Item, Error>> {
    let record: String = r.get(8)?;
    let record: Verdict = match serde_json::from_str(&record) {
        Ok(v) => v,
        Err(e) => {
            // Named by item and column (round 14: "bad JSON: invalid type ..." alone named
            // neither); the comment id as a terminal may show it.
            let (id, comment): (i64, String) = (r.get(0)?, r.get(1)?);
            let comment = crate::term::sanitize(&comment);
            let msg = format!("item #{id} (comment {comment:?}), column \"record\": not a verdict record: {e}");
            return Ok(Err(Error::corrupt(msg)));
        }
    };
    let last = match r.get::<_, Option<i64>>(14)? {
        None => None,
        Some(seq) => {
            let action: String = r.get(15)?;
            let Some(action) = ReviewAction::parse(&action) else {
                return Ok(Err(Error::invalid(format!("unknown action {action:?} in decisions"))));
            };
            let cats: Option<String> = r.get(16)?;
            Some(DecisionRow {
                seq,
                item: Some(r.get(0)?),
                author: r.get(3)?,
                action,
                categories: cats.as_deref().map(json_list),
                reviewer: r.get(17)?,
                decided_at: r.get(18)?,
                via: r.get(19)?,
                note: r.get(20)?,
                edited_body: r.get(21)?,
                block: read_block(r.get(22)?, r.get(23)?),
            })
        }
    };
    let categories: String = r.get(10)?;
    let rules: String = r.get(11)?;
    let body: String = r.get(2)?;
    let body_chars: i64 = r.get(28)?;
    let claimed_until: Option<i64> = r.get(30)?;
    let claimed_by: Option<String> =
        r.get::<_, Option<String>>(29)?.filter(|_| claimed_until.is_some_and(|u| u > unix_now()));
    Ok(Ok(Item {
        id: r.get(0)?,
        comment_id: r.get(1)?,
        body_truncated: (body.chars().count() as i64) < body_chars,
        body,
        body_chars,
        author: r.get(3)?,
        author_email: r.get(24)?,
        author_url: r.get(25)?,
        ip: r.get(26)?,
        parent: r.get(27)?,
        kind: r.get(4)?,
        source: r.get(5)?,
        post_id: r.get(6)?,
        created_at: r.get(7)?,
        record,
        score: r.get(9)?,
        categories: json_list(&categories),
        rules: json_list(&rules),
        queued_at: r.get(12)?,
        version: r.get(13)?,
        last,
        author_blocked: false,
        blocked_as: None,
        claimed_by,
    }))
}

fn read_block(kind: Option<String>, value: Option<String>) -> Option<Block> {
    Some(Block { kind: BlockKind::parse(&kind?)?, value: value? })
}

pub(super) fn read_decision(r: &Row<'_>) -> rusqlite::Result<Result<DecisionRow, Error>> {
    let action: String = r.get(3)?;
    let Some(action) = ReviewAction::parse(&action) else {
        return Ok(Err(Error::invalid(format!("unknown action {action:?} in decisions"))));
    };
    let cats: Option<String> = r.get(4)?;
    let author: Option<String> = r.get(2)?;
    let item: Option<i64> = r.get(1)?;
    // A version-1 author-level block has no kind: it was a name block.
    let block = read_block(r.get(10)?, r.get(11)?).or_else(|| {
        let legacy = item.is_none() && matches!(action, ReviewAction::Block | ReviewAction::Unblock);
        author.clone().filter(|_| legacy).map(|value| Block { kind: BlockKind::Name, value })
    });
    Ok(Ok(DecisionRow {
        seq: r.get(0)?,
        item,
        author,
        action,
        categories: cats.as_deref().map(json_list),
        reviewer: r.get(5)?,
        decided_at: r.get(6)?,
        via: r.get(7)?,
        note: r.get(8)?,
        edited_body: r.get(9)?,
        block,
    }))
}
