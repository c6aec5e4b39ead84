//! Blocks and claims: the identity block list derived from the log, and short claims on items.

use rusqlite::{params, OptionalExtension};

use super::{
    unix_now, validate, Block, BlockKind, BlockList, DecisionRow, Error, NewDecision, ReviewAction, Store, Who,
    CLAIM_SECS, NOW,
};
use crate::review::identity::url_host;

impl Store {
    /// Blocks (or with `blocked = false`, unblocks) one identity, whether or not it has queued
    /// items.
    ///
    /// # Errors
    /// Empty reviewer; database failure.
    pub fn set_blocked(
        &mut self,
        block: &Block,
        blocked: bool,
        reviewer: &str,
        via: &'static str,
    ) -> Result<DecisionRow, Error> {
        let action = if blocked { ReviewAction::Block } else { ReviewAction::Unblock };
        validate(&NewDecision::new(action, reviewer, via))?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let author = (block.kind == BlockKind::Name).then_some(block.value.as_str());
        tx.execute(
            &format!(
                "INSERT INTO decisions (item_id, author, action, categories, reviewer, decided_at, via, \
                 block_kind, block_value) VALUES (NULL, ?1, ?2, NULL, ?3, {NOW}, ?4, ?5, ?6)"
            ),
            params![author, action.as_str(), reviewer.trim(), via, block.kind.as_str(), block.value],
        )?;
        let seq = tx.last_insert_rowid();
        if blocked {
            tx.execute(
                "INSERT OR REPLACE INTO blocks (kind, value, seq) VALUES (?1, ?2, ?3)",
                params![block.kind.as_str(), block.value, seq],
            )?;
        } else {
            tx.execute("DELETE FROM blocks WHERE kind = ?1 AND value = ?2", params![block.kind.as_str(), block.value])?;
        }
        tx.commit()?;
        self.decision(seq)
    }

    /// Blocks or unblocks a display name, exactly as written (see [`Store::set_blocked`]).
    ///
    /// # Errors
    /// Empty author or reviewer; database failure.
    pub fn set_author_blocked(
        &mut self,
        author: &str,
        blocked: bool,
        reviewer: &str,
        via: &'static str,
    ) -> Result<DecisionRow, Error> {
        let block = Block::new(BlockKind::Name, author).map_err(Error::invalid)?;
        self.set_blocked(&block, blocked, reviewer, via)
    }

    /// Whether a display name is blocked now (by a `name` block).
    ///
    /// # Errors
    /// Database failure.
    pub fn is_blocked(&self, author: &str) -> Result<bool, Error> {
        let n: i64 =
            self.conn
                .query_row("SELECT count(*) FROM blocks WHERE kind = 'name' AND value = ?1", [author], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// The current block list, every kind, sorted by kind then value. This is what a server
    /// applying moderators' blocks live should read (through [`Store::block_list`] to match).
    ///
    /// # Errors
    /// Database failure.
    pub fn blocks(&self) -> Result<Vec<Block>, Error> {
        let mut stmt = self.conn.prepare_cached("SELECT kind, value FROM blocks ORDER BY kind, value")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, value) = row?;
            if let Some(kind) = BlockKind::parse(&kind) {
                out.push(Block { kind, value });
            }
        }
        out.sort();
        Ok(out)
    }

    /// The current block list, compiled for matching comments.
    ///
    /// # Errors
    /// Database failure.
    pub fn block_list(&self) -> Result<BlockList, Error> {
        Ok(BlockList::new(&self.blocks()?))
    }

    /// The display names blocked now (`name` blocks only), sorted. Other kinds: [`Store::blocks`].
    ///
    /// # Errors
    /// Database failure.
    pub fn blocked_authors(&self) -> Result<Vec<String>, Error> {
        Ok(self.blocks()?.into_iter().filter(|b| b.kind == BlockKind::Name).map(|b| b.value).collect())
    }

    /// Claims an item for `reviewer` for [`CLAIM_SECS`], so nobody else decides it meanwhile.
    /// Claiming again extends one's own claim. Returns the claim's end (unix seconds).
    ///
    /// # Errors
    /// Someone else holds an unexpired claim (conflict, naming them); no such item.
    pub fn claim(&mut self, id: i64, reviewer: &str) -> Result<i64, Error> {
        validate(&NewDecision::new(ReviewAction::Approve, reviewer, "web"))?;
        let now = unix_now();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(Option<String>, Option<i64>)> = tx
            .query_row("SELECT claimed_by, claimed_until FROM items WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((holder, until)) = row else {
            return Err(Error::not_found(format!("no review item #{id}")));
        };
        if let (Some(holder), Some(until)) = (holder, until) {
            if until > now && holder != reviewer.trim() {
                return Err(Error::conflict(format!("#{id} is claimed by {holder:?} for {} more s", until - now)));
            }
        }
        let until = now + CLAIM_SECS;
        tx.execute(
            "UPDATE items SET claimed_by = ?2, claimed_until = ?3 WHERE id = ?1",
            params![id, reviewer.trim(), until],
        )?;
        tx.commit()?;
        Ok(until)
    }

    /// Reopens a decided item (the page's undo): appends an item-level `unblock` row, which
    /// makes the item pending again and, when the decision it undoes blocked an identity that is
    /// still blocked by that very decision, lifts that block. Nothing is deleted.
    ///
    /// # Errors
    /// No such item; the item is pending; the version changed since `expected_version`.
    pub fn reopen(
        &mut self,
        id: i64,
        expected_version: Option<i64>,
        reviewer: &str,
        via: &'static str,
    ) -> Result<DecisionRow, Error> {
        validate(&NewDecision::new(ReviewAction::Unblock, reviewer, via))?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, Option<i64>, String, Option<String>)> = tx
            .query_row("SELECT version, last_seq, status, author FROM items WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((version, last_seq, status, author)) = row else {
            return Err(Error::not_found(format!("no review item #{id}")));
        };
        if expected_version.is_some_and(|v| v != version) {
            return Err(Error::conflict(format!(
                "someone else decided #{id} since (it is now version {version}); nothing was undone"
            )));
        }
        if status == "pending" {
            return Err(Error::invalid(format!("#{id} is not decided; nothing to undo")));
        }
        let lifted: Option<(String, String)> = match last_seq {
            Some(seq) => tx
                .query_row(
                    "SELECT b.kind, b.value FROM decisions d JOIN blocks b                      ON b.kind = d.block_kind AND b.value = d.block_value AND b.seq = d.seq                      WHERE d.seq = ?1 AND d.action = 'block'",
                    [seq],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?,
            None => None,
        };
        if let Some((kind, value)) = &lifted {
            tx.execute("DELETE FROM blocks WHERE kind = ?1 AND value = ?2", params![kind, value])?;
        }
        tx.execute(
            &format!(
                "INSERT INTO decisions (item_id, author, action, categories, reviewer, decided_at, via,                  block_kind, block_value) VALUES (?1, ?2, 'unblock', NULL, ?3, {NOW}, ?4, ?5, ?6)"
            ),
            params![
                id,
                author,
                reviewer.trim(),
                via,
                lifted.as_ref().map(|l| l.0.as_str()),
                lifted.as_ref().map(|l| l.1.as_str())
            ],
        )?;
        let seq = tx.last_insert_rowid();
        tx.execute(
            "UPDATE items SET version = version + 1, last_seq = ?2, status = 'pending' WHERE id = ?1",
            params![id, seq],
        )?;
        tx.commit()?;
        self.decision(seq)
    }

    /// Releases `reviewer`'s claim on an item (no-op when they hold none).
    ///
    /// # Errors
    /// Database failure.
    pub fn release(&mut self, id: i64, reviewer: &str) -> Result<(), Error> {
        self.conn.execute(
            "UPDATE items SET claimed_by = NULL, claimed_until = NULL WHERE id = ?1 AND claimed_by = ?2",
            params![id, reviewer.trim()],
        )?;
        Ok(())
    }
}

/// The block for an item's author: the asked kind, else the first of e-mail, URL domain, IP
/// and (last) the exact name that the item has.
pub(super) fn block_for(who: &Who<'_>, kind: Option<BlockKind>) -> Result<Block, String> {
    let value = |k: BlockKind| -> Option<String> {
        let v = match k {
            BlockKind::Email => who.email.map(str::to_string),
            BlockKind::Domain => who.url.and_then(url_host),
            BlockKind::Ip => who.ip.map(str::to_string),
            BlockKind::Name => who.name.map(str::to_string),
        };
        v.filter(|v| !v.trim().is_empty())
    };
    let order = match kind {
        Some(k) => vec![k],
        None => vec![BlockKind::Email, BlockKind::Domain, BlockKind::Ip, BlockKind::Name],
    };
    for k in order {
        if let Some(v) = value(k) {
            return Block::new(k, &v);
        }
    }
    Err(match kind {
        Some(k) => format!("the author has no {} to block", k.as_str()),
        None => "the author has no name, e-mail, URL or IP to block; reject it instead".to_string(),
    })
}
