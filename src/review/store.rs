//! The queue database: SQLite (bundled), WAL, one file.
//!
//! Three tables hold the data (schema version 1), schema version 2 adds caches that keep
//! every page bounded on a million items (see [`list`]), and version 3 puts the status in the
//! author indexes and indexes the history by author alone, so what a page reads per author is
//! bounded ([`schema::MIGRATE_V3`]):
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
//! - items also carry their author's e-mail, URL, IP and reply-to parent (identity, for blocks
//!   that are not a display name), and a denormalized `status`/`version`/`last_seq` written in the
//!   same transaction as the decision that changes them, so listings use indexes instead of
//!   scanning the log. `counts` (kept by triggers) and `facets` (filled on insert) answer the
//!   header and the filter menus without a scan; `blocks` is the current block list, derived
//!   from the log in the same transaction as each block/unblock row.
//!
//! # Files
//! [`Store::create`] makes a missing file with mode 0600 (SQLite gives its `-wal`/`-shm` files
//! the same mode): moderators' data is nobody else's. [`Store::open`] wants an existing file (a
//! mistyped `--db` is an error, not an empty queue), and [`Store::open_read_only`] opens without
//! write access, so `list` and `export` work on a read-only copy.
//!
//! # Concurrency
//! [`Store::decide`] runs the version check and the insert in one `BEGIN IMMEDIATE` transaction:
//! SQLite takes the write lock before the check, so two deciders (two browser tabs through one
//! server, or the server and a `moderate review approve` script on the same file) are serialized
//! and the second sees the first's row and gets a conflict error instead of silently stacking a
//! decision on a state it never saw. Scripts that pass no expected version always append.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};

mod blocks;
mod list;

/// How many items one text-search page looks at (see [`Store::items`]).
pub fn list_search_window() -> usize {
    list::SEARCH_WINDOW
}
mod rows;
mod schema;
mod validate;

use blocks::block_for;
use rows::{read_decision, read_item};
use schema::{MIGRATE_V2, MIGRATE_V3, SCHEMA_V1};
use validate::{validate, validate_categories};

use super::identity::{Block, BlockKind, BlockList, Who};
pub use super::model::{
    AuthorRecord, Counts, DecisionRow, Direction, Filter, HistoryEntry, Item, ListPage, NewDecision, ReviewAction,
    Sort, Status, Target,
};
use super::Error;
use crate::comment::Comment;
use crate::verdict::Verdict;

/// The schema version written to `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 3;

/// The oldest version read-only commands read as they are (an older one needs a write command
/// to upgrade it): version 2 lacks only version 3's indexes.
const READABLE_SINCE: i64 = 2;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// How many characters of a comment the `history` table keeps.
const EXCERPT_CHARS: usize = 140;

/// How many characters of a body a listing carries (the page shows them; the rest is fetched on
/// demand from `/api/items/{id}`), so a page of 1 MB comments stays small.
pub const PREVIEW_CHARS: usize = 2_000;

/// The most items one listing returns.
pub const MAX_LIMIT: usize = 200;

/// The most items one (bulk) decision names.
pub const MAX_BULK: usize = 1_000;

/// How long a claim holds, in seconds.
pub const CLAIM_SECS: i64 = 300;

/// Longest note, in bytes.
pub(crate) const MAX_NOTE: usize = 2_000;

/// Longest edited body, in bytes.
pub(crate) const MAX_EDIT: usize = 1 << 20;

/// How long a connection waits for another process's lock on the database before it fails
/// ([`Error::is_busy`]): a `review approve` while `run --queue` writes, or the reverse.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The queue database. Not `Sync`: share it behind a `Mutex` (the server does).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    read_only: bool,
}

/// The columns [`read_item`] reads; `{body}` is the whole body or its preview.
const ITEM_COLUMNS: &str = "i.id, i.comment_id, {body}, i.author, i.kind, i.source, i.post_id, \
     i.created_at, i.record, i.score, i.categories, i.rules, i.queued_at, i.version, \
     latest.seq, latest.action, latest.categories, latest.reviewer, latest.decided_at, latest.via, \
     latest.note, latest.edited_body, latest.block_kind, latest.block_value, \
     i.author_email, i.author_url, i.ip, i.parent, length(i.body), i.claimed_by, i.claimed_until";

const LATEST_JOIN: &str = "LEFT JOIN decisions latest ON latest.seq = i.last_seq";

fn item_columns(preview: bool) -> String {
    if preview {
        ITEM_COLUMNS.replace("{body}", &format!("substr(i.body, 1, {PREVIEW_CHARS})"))
    } else {
        ITEM_COLUMNS.replace("{body}", "i.body")
    }
}

/// Seconds since the epoch (claims).
fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Creates `path` empty with mode 0600 when it does not exist (SQLite then fills it).
fn create_private(path: &Path) -> Result<(), Error> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// Opens the existing queue database at `path` for reading and writing (upgrading an older
    /// schema).
    ///
    /// # Errors
    /// The file does not exist (`moderate run --queue` creates it), cannot be opened, or is not
    /// a queue database of a known version.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, Error> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "{}: no such queue database (`moderate run --queue {}` creates one)",
                path.display(),
                path.display()
            )));
        }
        Store::open_rw(path)
    }

    /// Opens the queue database at `path`, creating it (mode 0600) when missing.
    ///
    /// # Errors
    /// As [`Store::open`], except a missing file.
    pub fn create(path: impl AsRef<Path>) -> Result<Store, Error> {
        create_private(path.as_ref())?;
        Store::open_rw(path.as_ref())
    }

    fn open_rw(path: &Path) -> Result<Store, Error> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::invalid(format!(
                "{}: queue schema version {version} is newer than this moderate ({SCHEMA_VERSION})",
                path.display()
            )));
        }
        if version < SCHEMA_VERSION {
            let tx = conn.unchecked_transaction()?;
            if version < 2 {
                tx.execute_batch(SCHEMA_V1)?;
                tx.execute_batch(MIGRATE_V2)?;
            }
            tx.execute_batch(MIGRATE_V3)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()?;
        }
        schema::no_foreign_code(&conn, path)?;
        Ok(Store { conn, read_only: false })
    }

    /// Opens the existing queue database at `path` without write access (list, export): works
    /// on a read-only file.
    ///
    /// # Errors
    /// The file does not exist or is not a queue database of this version (an older one is
    /// upgraded by any write command, or by `moderate review serve`).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store, Error> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "{}: no such queue database (`moderate run --queue {}` creates one)",
                path.display(),
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version = match conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
            Ok(v) => v,
            Err(first) => {
                // A WAL database whose directory or `-shm` we may not write: when no `-wal` file
                // holds unmerged changes, the main file is the whole database.
                let wal = PathBuf::from(format!("{}-wal", path.display()));
                if wal.metadata().is_ok_and(|m| m.len() > 0) {
                    return Err(first.into());
                }
                let uri = format!("file:{}?immutable=1", url_path(path));
                let conn = Connection::open_with_flags(uri, flags)?;
                let v = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?;
                return Store::checked_read_only(conn, v, path);
            }
        };
        Store::checked_read_only(conn, version, path)
    }

    fn checked_read_only(conn: Connection, version: i64, path: &Path) -> Result<Store, Error> {
        if !(READABLE_SINCE..=SCHEMA_VERSION).contains(&version) {
            return Err(Error::invalid(format!(
                "{}: queue schema version {version}, this moderate reads {READABLE_SINCE} to {SCHEMA_VERSION} \
                 (any write command, or `moderate review serve`, upgrades it)",
                path.display()
            )));
        }
        schema::no_foreign_code(&conn, path)?;
        Ok(Store { conn, read_only: true })
    }

    /// Sets how long a statement waits for another connection's lock before failing busy
    /// (default [`BUSY_TIMEOUT`]).
    ///
    /// # Errors
    /// SQLite refuses it.
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<(), Error> {
        self.conn.busy_timeout(timeout)?;
        Ok(())
    }

    /// Whether this store was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
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
        let cats = verdict.categories();
        let categories = serde_json::to_string(&cats)?;
        let mut rules: Vec<&str> = Vec::new();
        for r in &verdict.reasons {
            if !rules.contains(&r.rule.as_str()) {
                rules.push(&r.rule);
            }
        }
        let rules_json = serde_json::to_string(&rules)?;
        let record = serde_json::to_string(verdict)?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT OR IGNORE INTO items (comment_id, body_sha256, body, author, kind, source, \
             post_id, created_at, verdict, score, categories, rules, record, queued_at, \
             author_email, author_url, ip, parent, ctime) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, {NOW}, \
                     ?14, ?15, ?16, ?17, coalesce(?8, {NOW}))"
        ))?;
        let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
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
            rules_json,
            record,
            nonempty(&comment.author_email),
            nonempty(&comment.author_url),
            nonempty(&comment.ip),
            comment.parent,
        ])?;
        if n == 1 {
            let mut facet = self.conn.prepare_cached("INSERT OR IGNORE INTO facets (kind, value) VALUES (?1, ?2)")?;
            for c in &cats {
                facet.execute(params!["category", c])?;
            }
            for r in &rules {
                facet.execute(params!["rule", r])?;
            }
        }
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

    /// One item by its queue number, with its whole body.
    ///
    /// # Errors
    /// No such item, or database failure.
    pub fn item(&self, id: i64) -> Result<Item, Error> {
        let sql = format!("SELECT {} FROM items i {LATEST_JOIN} WHERE i.id = ?1", item_columns(false));
        let item = self.conn.query_row(&sql, [id], read_item).optional()?;
        let mut item = item.ok_or_else(|| Error::not_found(format!("no review item #{id}")))??;
        self.mark_blocked(std::slice::from_mut(&mut item))?;
        Ok(item)
    }

    /// One item with its body cut to a preview, as listings have it (state after a decision).
    ///
    /// # Errors
    /// No such item, or database failure.
    pub fn item_preview(&self, id: i64) -> Result<Item, Error> {
        let sql = format!("SELECT {} FROM items i {LATEST_JOIN} WHERE i.id = ?1", item_columns(true));
        let item = self.conn.query_row(&sql, [id], read_item).optional()?;
        let mut item = item.ok_or_else(|| Error::not_found(format!("no review item #{id}")))??;
        self.mark_blocked(std::slice::from_mut(&mut item))?;
        Ok(item)
    }

    /// Sets `author_blocked`/`blocked_as` of each item from the current block list.
    pub(crate) fn mark_blocked(&self, items: &mut [Item]) -> Result<(), Error> {
        let list = self.block_list()?;
        for item in items {
            let m = list.matches(&who(item));
            item.author_blocked = m.is_some();
            item.blocked_as = m.map(|(kind, value)| Block { kind, value });
        }
        Ok(())
    }

    /// The queue numbers of the items of one comment id (several if its body changed).
    ///
    /// # Errors
    /// Database failure.
    pub fn items_by_comment_id(&self, comment_id: &str) -> Result<Vec<i64>, Error> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM items WHERE comment_id = ?1 ORDER BY id LIMIT 1000")?;
        let rows = stmt.query_map([comment_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every decision about one item, oldest first.
    ///
    /// # Errors
    /// Database failure.
    pub fn decisions(&self, item: i64) -> Result<Vec<DecisionRow>, Error> {
        let mut stmt =
            self.conn.prepare_cached(&format!("{DECISION_SELECT} WHERE item_id = ?1 ORDER BY seq LIMIT 1000"))?;
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
    /// The item does not exist; the version changed since the caller looked, or another
    /// moderator holds a claim on it (conflict); the decision is invalid (empty reviewer,
    /// `unblock` on an item, `block` without an identity to block).
    pub fn decide(&mut self, item: i64, d: &NewDecision) -> Result<DecisionRow, Error> {
        let target = Target { id: item, expected_version: d.expected_version, categories: None };
        Ok(self.decide_many(&[target], d)?.remove(0))
    }

    /// Records the same decision on several items, all or nothing: if any item is missing,
    /// named twice, changed since its expected version or claimed by someone else, nothing is
    /// recorded. [`NewDecision::expected_version`] is ignored here: each [`Target`] carries its own.
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
        if items.len() > MAX_BULK {
            return Err(Error::invalid(format!("at most {MAX_BULK} items per decision")));
        }
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        for t in items {
            if !seen.insert(t.id) {
                return Err(Error::invalid(format!("item #{} is named twice; nothing was recorded", t.id)));
            }
        }
        if d.edited_body.is_some() && (d.action != ReviewAction::Approve || items.len() != 1) {
            return Err(Error::invalid("an edited text goes with approving one item"));
        }
        if d.block_kind.is_some() && d.action != ReviewAction::Block {
            return Err(Error::invalid("block_kind goes with the block action"));
        }
        let now = unix_now();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut conflicts = Vec::new();
        let mut seqs = Vec::new();
        for target in items {
            let id = target.id;
            validate_categories(target.categories.as_deref())?;
            let categories = match target.categories.as_ref().or(d.categories.as_ref()) {
                Some(c) if d.action != ReviewAction::Approve => Some(serde_json::to_string(c)?),
                _ => None,
            };
            type Row =
                (Option<String>, Option<String>, Option<String>, Option<String>, i64, Option<String>, Option<i64>);
            let row: Option<Row> = tx
                .query_row(
                    "SELECT author, author_email, author_url, ip, version, claimed_by, claimed_until \
                     FROM items WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .optional()?;
            let Some((author, email, url, ip, version, claimed_by, claimed_until)) = row else {
                return Err(Error::not_found(format!("no review item #{id}")));
            };
            if let Some(expected) = target.expected_version {
                if expected != version {
                    conflicts.push(format!("#{id} (you saw version {expected}, it is now {version})"));
                    continue;
                }
            }
            if let (Some(holder), Some(until)) = (claimed_by, claimed_until) {
                if until > now && holder != d.reviewer.trim() {
                    conflicts.push(format!("#{id} (held by {holder:?} for {} more s)", until - now));
                    continue;
                }
            }
            let block = if d.action == ReviewAction::Block {
                let who =
                    Who { name: author.as_deref(), email: email.as_deref(), url: url.as_deref(), ip: ip.as_deref() };
                Some(block_for(&who, d.block_kind).map_err(|e| Error::invalid(format!("item #{id}: {e}")))?)
            } else {
                None
            };
            tx.execute(
                &format!(
                    "INSERT INTO decisions (item_id, author, action, categories, reviewer, decided_at, via, \
                     note, edited_body, block_kind, block_value) \
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    id,
                    author,
                    d.action.as_str(),
                    categories,
                    d.reviewer.trim(),
                    d.via,
                    d.note,
                    d.edited_body,
                    block.as_ref().map(|b| b.kind.as_str()),
                    block.as_ref().map(|b| b.value.as_str())
                ],
            )?;
            let seq = tx.last_insert_rowid();
            let status = if d.action == ReviewAction::Approve { "approved" } else { "rejected" };
            tx.execute(
                "UPDATE items SET version = version + 1, last_seq = ?2, status = ?3, claimed_by = NULL, \
                 claimed_until = NULL WHERE id = ?1",
                params![id, seq, status],
            )?;
            if let Some(b) = &block {
                tx.execute(
                    "INSERT OR REPLACE INTO blocks (kind, value, seq) VALUES (?1, ?2, ?3)",
                    params![b.kind.as_str(), b.value, seq],
                )?;
            }
            seqs.push(seq);
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

    fn decision(&self, seq: i64) -> Result<DecisionRow, Error> {
        self.conn.query_row(&format!("{DECISION_SELECT} WHERE seq = ?1"), [seq], read_decision)?
    }
}

const DECISION_SELECT: &str = "SELECT seq, item_id, author, action, categories, reviewer, decided_at, via, \
     note, edited_body, block_kind, block_value FROM decisions";

/// The identity fields of an item.
pub fn who(item: &Item) -> Who<'_> {
    Who {
        name: item.author.as_deref(),
        email: item.author_email.as_deref(),
        url: item.author_url.as_deref(),
        ip: item.ip.as_deref(),
    }
}

/// A path as a `file:` URI path (percent-encoding what a URI would misread).
fn url_path(p: &Path) -> String {
    let mut out = String::new();
    for b in p.display().to_string().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
