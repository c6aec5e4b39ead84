//! The queue database: SQLite (bundled), WAL, one file.
//!
//! Three tables:
//!
//! - `items`: one row per flagged comment, keyed by `(comment_id, body_sha256)` so that judging
//!   the same dump again adds nothing. It keeps what a moderator needs without the dump: body,
//!   author, kind, source position, post, the whole verdict record (with spans), score,
//!   categories and rule ids (the last two as JSON arrays, for filtering with `json_each`).
//! - `history`: one small row per judged comment that has an author (id, verdict, rule ids, a
//!   short excerpt), so the page can show "this author's other comments" cheaply.
//! - `decisions`: the append-only log. A row is `(item or author, action, categories, reviewer,
//!   time, via)`. Triggers refuse `UPDATE` and `DELETE`, so changing one's mind is a new row. An
//!   item's state is its latest decision, its *version* the number of its decisions; an author is
//!   blocked when their latest `block`/`unblock` row is `block`.
//!
//! # Concurrency
//! [`Store::decide`] runs the version check and the insert in one `BEGIN IMMEDIATE` transaction:
//! SQLite takes the write lock before the check, so two deciders (two browser tabs through one
//! server, or the server and a `moderate review approve` script on the same file) are serialized
//! and the second sees the first's row and gets a conflict error instead of silently stacking a
//! decision on a state it never saw. Scripts that pass no expected version always append.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};

pub use super::model::{
    Counts, DecisionRow, Filter, HistoryEntry, Item, NewDecision, ReviewAction, Sort, Status, Target,
};
use super::Error;
use crate::comment::Comment;
use crate::verdict::Verdict;

/// The schema version written to `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS items (
    id          INTEGER PRIMARY KEY,
    comment_id  TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body        TEXT NOT NULL,
    author      TEXT,
    kind        TEXT NOT NULL,
    source      TEXT,
    post_id     TEXT,
    created_at  TEXT,
    verdict     TEXT NOT NULL,
    score       REAL NOT NULL,
    categories  TEXT NOT NULL,
    rules       TEXT NOT NULL,
    record      TEXT NOT NULL,
    queued_at   TEXT NOT NULL,
    UNIQUE (comment_id, body_sha256)
);
CREATE INDEX IF NOT EXISTS items_author ON items (author);
CREATE INDEX IF NOT EXISTS items_score ON items (score);

CREATE TABLE IF NOT EXISTS history (
    author      TEXT NOT NULL,
    comment_id  TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    rules       TEXT NOT NULL,
    excerpt     TEXT NOT NULL,
    UNIQUE (author, comment_id)
);

CREATE TABLE IF NOT EXISTS decisions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER REFERENCES items (id),
    author      TEXT,
    action      TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'block', 'unblock')),
    categories  TEXT,
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    via         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_item ON decisions (item_id, seq);
CREATE INDEX IF NOT EXISTS decisions_author ON decisions (author, seq);

CREATE TRIGGER IF NOT EXISTS decisions_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"#;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// How many characters of a comment the `history` table keeps.
const EXCERPT_CHARS: usize = 140;

/// The queue database. Not `Sync`: share it behind a `Mutex` (the server does).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

const ITEM_COLUMNS: &str = "i.id, i.comment_id, i.body, i.author, i.kind, i.source, i.post_id, \
     i.created_at, i.record, i.score, i.categories, i.rules, i.queued_at, \
     (SELECT count(*) FROM decisions d WHERE d.item_id = i.id) AS version, \
     latest.seq, latest.action, latest.categories, latest.reviewer, latest.decided_at, latest.via";

const LATEST_JOIN: &str = "LEFT JOIN decisions latest ON latest.seq = \
     (SELECT max(seq) FROM decisions d WHERE d.item_id = i.id)";

impl Store {
    /// Opens (creating when missing) the queue database at `path`, in WAL mode.
    ///
    /// # Errors
    /// The file cannot be opened or is not a queue database of a known version.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, Error> {
        let conn = Connection::open(path.as_ref())?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::invalid(format!(
                "{}: queue schema version {version} is newer than this moderate ({SCHEMA_VERSION})",
                path.as_ref().display()
            )));
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Store { conn })
    }

    /// Starts a batch (an open transaction) for bulk inserts; see [`Store::commit_batch`].
    pub(crate) fn begin_batch(&self) -> Result<(), Error> {
        self.conn.execute_batch("BEGIN")?;
        Ok(())
    }

    /// Commits a batch started by [`Store::begin_batch`].
    pub(crate) fn commit_batch(&self) -> Result<(), Error> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Queues a judged comment. Returns `false` when the same `(id, body)` is already queued.
    ///
    /// # Errors
    /// Database failure.
    pub fn insert_item(&self, comment: &Comment, verdict: &Verdict) -> Result<bool, Error> {
        let categories = serde_json::to_string(&verdict.categories())?;
        let mut rules: Vec<&str> = Vec::new();
        for r in &verdict.reasons {
            if !rules.contains(&r.rule.as_str()) {
                rules.push(&r.rule);
            }
        }
        let rules = serde_json::to_string(&rules)?;
        let record = serde_json::to_string(verdict)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT OR IGNORE INTO items (comment_id, body_sha256, body, author, kind, source, \
             post_id, created_at, verdict, score, categories, rules, record, queued_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, {NOW})"
        ))?;
        let n = stmt.execute(params![
            comment.id,
            body_sha256(&comment.body),
            comment.body,
            comment.author,
            comment.kind.as_str(),
            comment.source.as_ref().map(|s| s.to_string()),
            comment.post_id,
            comment.created_at,
            verdict.verdict.as_str(),
            verdict.score,
            categories,
            rules,
            record,
        ])?;
        Ok(n == 1)
    }

    /// Records one judged comment in its author's history (no-op without an author).
    ///
    /// # Errors
    /// Database failure.
    pub fn insert_history(&self, comment: &Comment, verdict: &Verdict) -> Result<(), Error> {
        let Some(author) = comment.author.as_deref().filter(|a| !a.is_empty()) else {
            return Ok(());
        };
        let rules: Vec<&str> = verdict.reasons.iter().map(|r| r.rule.as_str()).collect();
        let excerpt: String = comment.body.chars().take(EXCERPT_CHARS).collect();
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO history (author, comment_id, verdict, rules, excerpt) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        stmt.execute(params![author, comment.id, verdict.verdict.as_str(), serde_json::to_string(&rules)?, excerpt])?;
        Ok(())
    }

    /// One item by its queue number.
    ///
    /// # Errors
    /// No such item, or database failure.
    pub fn item(&self, id: i64) -> Result<Item, Error> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items i {LATEST_JOIN} WHERE i.id = ?1");
        let item = self.conn.query_row(&sql, [id], read_item).optional()?;
        let mut item = item.ok_or_else(|| Error::not_found(format!("no review item #{id}")))??;
        item.author_blocked = match &item.author {
            Some(a) => self.is_blocked(a)?,
            None => false,
        };
        Ok(item)
    }

    /// The queue numbers of the items of one comment id (several if its body changed).
    ///
    /// # Errors
    /// Database failure.
    pub fn items_by_comment_id(&self, comment_id: &str) -> Result<Vec<i64>, Error> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM items WHERE comment_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([comment_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The items matching `filter`, in its order, and how many match in all (ignoring `limit`).
    ///
    /// # Errors
    /// Database failure.
    pub fn items(&self, filter: &Filter) -> Result<(Vec<Item>, usize), Error> {
        let mut wheres: Vec<String> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = filter.status {
            wheres.push(s.sql().to_string());
        }
        let mut add = |cond: &str, val: &Option<String>| {
            if let Some(v) = val.as_ref().filter(|v| !v.is_empty()) {
                args.push(v.clone());
                wheres.push(cond.replace('?', &format!("?{}", args.len())));
            }
        };
        add("EXISTS (SELECT 1 FROM json_each(i.categories) WHERE value = ?)", &filter.category);
        add("EXISTS (SELECT 1 FROM json_each(i.rules) WHERE value = ?)", &filter.rule);
        add("i.author = ?", &filter.author);
        add("substr(i.source, 1, length(?)) = ?", &filter.source);
        let where_sql = if wheres.is_empty() { String::new() } else { format!("WHERE {}", wheres.join(" AND ")) };
        let order = match filter.sort {
            Sort::Score => "i.score DESC, i.id DESC",
            Sort::Newest => "i.created_at IS NULL, i.created_at DESC, i.id DESC",
            Sort::Queued => "i.id",
        };
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM items i {LATEST_JOIN} {where_sql}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM items i {LATEST_JOIN} {where_sql} ORDER BY {order} LIMIT {limit}");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), read_item)?;
        let mut items = Vec::new();
        for row in rows {
            items.push(row??);
        }
        let blocked = self.blocked_authors()?;
        for item in &mut items {
            item.author_blocked = item.author.as_ref().is_some_and(|a| blocked.contains(a));
        }
        Ok((items, total as usize))
    }

    /// How many items are in each state.
    ///
    /// # Errors
    /// Database failure.
    pub fn counts(&self) -> Result<Counts, Error> {
        let sql = format!(
            "SELECT coalesce(sum({}), 0), coalesce(sum({}), 0), coalesce(sum({}), 0) FROM items i {LATEST_JOIN}",
            Status::Pending.sql(),
            Status::Approved.sql(),
            Status::Rejected.sql()
        );
        Ok(self
            .conn
            .query_row(&sql, [], |r| Ok(Counts { pending: r.get(0)?, approved: r.get(1)?, rejected: r.get(2)? }))?)
    }

    /// Every category and every rule id that occurs in the queue, sorted (for filter menus).
    ///
    /// # Errors
    /// Database failure.
    pub fn facets(&self) -> Result<(Vec<String>, Vec<String>), Error> {
        let q = |col: &str| -> Result<Vec<String>, Error> {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT DISTINCT j.value FROM items, json_each(items.{col}) j ORDER BY 1"))?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok((q("categories")?, q("rules")?))
    }

    /// An author's judged comments other than `except` (newest rows first, at most `limit`).
    ///
    /// # Errors
    /// Database failure.
    pub fn history(&self, author: &str, except: &str, limit: usize) -> Result<Vec<HistoryEntry>, Error> {
        // INSERT OR REPLACE gives a re-judged comment a new rowid: rowid order is recency.
        let mut stmt = self.conn.prepare_cached(
            "SELECT comment_id, verdict, rules, excerpt FROM history \
             WHERE author = ?1 AND comment_id <> ?2 ORDER BY rowid DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![author, except, limit as i64], |r| {
            let rules: String = r.get(2)?;
            Ok(HistoryEntry {
                comment_id: r.get(0)?,
                verdict: r.get(1)?,
                rules: serde_json::from_str(&rules).unwrap_or_default(),
                excerpt: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every decision about one item, oldest first.
    ///
    /// # Errors
    /// Database failure.
    pub fn decisions(&self, item: i64) -> Result<Vec<DecisionRow>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, item_id, author, action, categories, reviewer, decided_at, via \
             FROM decisions WHERE item_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([item], read_decision)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r??);
        }
        Ok(out)
    }

    /// Records a decision on one item: checks `expected_version` and appends, atomically.
    ///
    /// # Errors
    /// The item does not exist; the version changed since the caller looked (conflict); the
    /// decision is invalid (empty reviewer, `unblock` on an item, `block` without an author).
    pub fn decide(&mut self, item: i64, d: &NewDecision) -> Result<DecisionRow, Error> {
        let target = Target { id: item, expected_version: d.expected_version, categories: None };
        Ok(self.decide_many(&[target], d)?.remove(0))
    }

    /// Records the same decision on several items, all or nothing: if any item is missing or
    /// changed since its expected version, nothing is recorded. [`NewDecision::expected_version`]
    /// is ignored here: each [`Target`] carries its own.
    ///
    /// # Errors
    /// As [`Store::decide`]; a conflict names every item that changed.
    pub fn decide_many(&mut self, items: &[Target], d: &NewDecision) -> Result<Vec<DecisionRow>, Error> {
        validate(d)?;
        if d.action == ReviewAction::Unblock {
            return Err(Error::invalid("unblock applies to authors, not items"));
        }
        if items.is_empty() {
            return Err(Error::invalid("no items to decide"));
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut conflicts = Vec::new();
        let mut seqs = Vec::new();
        for target in items {
            let (id, expected) = (target.id, target.expected_version);
            validate_categories(target.categories.as_deref())?;
            let categories = match target.categories.as_ref().or(d.categories.as_ref()) {
                Some(c) if d.action != ReviewAction::Approve => Some(serde_json::to_string(c)?),
                _ => None,
            };
            let row: Option<(Option<String>, i64)> = tx
                .query_row(
                    "SELECT author, (SELECT count(*) FROM decisions d WHERE d.item_id = items.id) \
                     FROM items WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((author, version)) = row else {
                return Err(Error::not_found(format!("no review item #{id}")));
            };
            if let Some(expected) = expected {
                if expected != version {
                    conflicts.push(format!("#{id} (you saw version {expected}, it is now {version})"));
                    continue;
                }
            }
            if d.action == ReviewAction::Block && author.as_deref().filter(|a| !a.is_empty()).is_none() {
                return Err(Error::invalid(format!("item #{id} has no author to block; reject it instead")));
            }
            tx.execute(
                &format!(
                    "INSERT INTO decisions (item_id, author, action, categories, reviewer, decided_at, via) \
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, ?6)"
                ),
                params![id, author, d.action.as_str(), categories, d.reviewer, d.via],
            )?;
            seqs.push(tx.last_insert_rowid());
        }
        if !conflicts.is_empty() {
            // Dropping `tx` rolls back: all or nothing.
            return Err(Error::conflict(format!(
                "someone else decided {} since you loaded the page; nothing was recorded. Reload to see the latest state.",
                conflicts.join(", ")
            )));
        }
        tx.commit()?;
        seqs.into_iter().map(|s| self.decision(s)).collect()
    }

    /// Blocks (or with [`ReviewAction::Unblock`], unblocks) an author, whether or not they have
    /// queued items.
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
        let action = if blocked { ReviewAction::Block } else { ReviewAction::Unblock };
        validate(&NewDecision {
            action,
            reviewer: reviewer.to_string(),
            categories: None,
            expected_version: None,
            via,
        })?;
        if author.is_empty() {
            return Err(Error::invalid("author must not be empty"));
        }
        self.conn.execute(
            &format!(
                "INSERT INTO decisions (item_id, author, action, categories, reviewer, decided_at, via) \
                 VALUES (NULL, ?1, ?2, NULL, ?3, {NOW}, ?4)"
            ),
            params![author, action.as_str(), reviewer, via],
        )?;
        let seq = self.conn.last_insert_rowid();
        self.decision(seq)
    }

    /// Whether an author is blocked now (their latest block/unblock is a block).
    ///
    /// # Errors
    /// Database failure.
    pub fn is_blocked(&self, author: &str) -> Result<bool, Error> {
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT action FROM decisions WHERE author = ?1 AND action IN ('block', 'unblock') \
                 ORDER BY seq DESC LIMIT 1",
                [author],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last.as_deref() == Some("block"))
    }

    /// Every author blocked now, sorted.
    ///
    /// # Errors
    /// Database failure.
    pub fn blocked_authors(&self) -> Result<Vec<String>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.author FROM decisions d WHERE d.action = 'block' AND d.author IS NOT NULL \
             AND d.seq = (SELECT max(seq) FROM decisions e WHERE e.author = d.author \
                          AND e.action IN ('block', 'unblock')) ORDER BY d.author",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn decision(&self, seq: i64) -> Result<DecisionRow, Error> {
        self.conn.query_row(
            "SELECT seq, item_id, author, action, categories, reviewer, decided_at, via FROM decisions WHERE seq = ?1",
            [seq],
            read_decision,
        )?
    }
}

fn validate(d: &NewDecision) -> Result<(), Error> {
    let reviewer = d.reviewer.trim();
    if reviewer.is_empty() || reviewer.len() > 100 || reviewer.chars().any(char::is_control) {
        return Err(Error::invalid("reviewer must be a name of 1 to 100 printable characters"));
    }
    validate_categories(d.categories.as_deref())
}

fn validate_categories(cats: Option<&[String]>) -> Result<(), Error> {
    if let Some(cats) = cats {
        if cats.len() > 32 || cats.iter().any(|c| c.is_empty() || c.len() > 64 || c.chars().any(char::is_control)) {
            return Err(Error::invalid("categories must be at most 32 names of 1 to 64 printable characters"));
        }
    }
    Ok(())
}

/// Hex sha256 of a body: the second half of the dedupe key.
pub fn body_sha256(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Reads an item row; the outer `Result` is SQLite's, the inner one a bad stored record.
fn read_item(r: &Row<'_>) -> rusqlite::Result<Result<Item, Error>> {
    let record: String = r.get(8)?;
    let record: Verdict = match serde_json::from_str(&record) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e.into())),
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
            })
        }
    };
    let categories: String = r.get(10)?;
    let rules: String = r.get(11)?;
    Ok(Ok(Item {
        id: r.get(0)?,
        comment_id: r.get(1)?,
        body: r.get(2)?,
        author: r.get(3)?,
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
    }))
}

fn read_decision(r: &Row<'_>) -> rusqlite::Result<Result<DecisionRow, Error>> {
    let action: String = r.get(3)?;
    let Some(action) = ReviewAction::parse(&action) else {
        return Ok(Err(Error::invalid(format!("unknown action {action:?} in decisions"))));
    };
    let cats: Option<String> = r.get(4)?;
    Ok(Ok(DecisionRow {
        seq: r.get(0)?,
        item: r.get(1)?,
        author: r.get(2)?,
        action,
        categories: cats.as_deref().map(json_list),
        reviewer: r.get(5)?,
        decided_at: r.get(6)?,
        via: r.get(7)?,
    }))
}
