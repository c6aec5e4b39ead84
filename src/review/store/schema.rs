//! The queue's SQL schema: version 1 (the data) and the one-time upgrades to versions 2 and 3;
//! and the check that a queue runs no code this program did not write ([`no_foreign_code`]).

use std::path::Path;

use rusqlite::Connection;

use crate::review::Error;

/// Version 1: the data.
pub(super) const SCHEMA_V1: &str = r#"
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

/// Version 2: identity columns, notes/edits/blocks in the log, and the caches that bound pages.
/// Runs once, in one transaction, on a version-1 file (new or old).
pub(super) const MIGRATE_V2: &str = r#"
ALTER TABLE items ADD COLUMN author_email TEXT;
ALTER TABLE items ADD COLUMN author_url TEXT;
ALTER TABLE items ADD COLUMN ip TEXT;
ALTER TABLE items ADD COLUMN parent TEXT;
ALTER TABLE items ADD COLUMN ctime TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE items ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN last_seq INTEGER;
ALTER TABLE items ADD COLUMN claimed_by TEXT;
ALTER TABLE items ADD COLUMN claimed_until INTEGER;
ALTER TABLE decisions ADD COLUMN note TEXT;
ALTER TABLE decisions ADD COLUMN edited_body TEXT;
ALTER TABLE decisions ADD COLUMN block_kind TEXT;
ALTER TABLE decisions ADD COLUMN block_value TEXT;
UPDATE items SET ctime = coalesce(created_at, queued_at),
    version = (SELECT count(*) FROM decisions d WHERE d.item_id = items.id),
    last_seq = (SELECT max(seq) FROM decisions d WHERE d.item_id = items.id);
UPDATE items SET status = CASE (SELECT action FROM decisions d WHERE d.seq = items.last_seq)
    WHEN 'approve' THEN 'approved' WHEN 'reject' THEN 'rejected' WHEN 'block' THEN 'rejected' ELSE 'pending' END;
CREATE TABLE blocks (kind TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,
                     PRIMARY KEY (kind, value)) WITHOUT ROWID;
INSERT INTO blocks SELECT 'name', d.author, d.seq FROM decisions d
    WHERE d.action = 'block' AND d.author IS NOT NULL AND d.author <> ''
      AND d.seq = (SELECT max(seq) FROM decisions e WHERE e.author = d.author AND e.action IN ('block', 'unblock'));
CREATE TABLE counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counts SELECT s, (SELECT count(*) FROM items WHERE status = s)
    FROM (SELECT 'pending' AS s UNION ALL SELECT 'approved' UNION ALL SELECT 'rejected');
CREATE TABLE facets (kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, value)) WITHOUT ROWID;
INSERT OR IGNORE INTO facets SELECT 'category', j.value FROM items, json_each(items.categories) j;
INSERT OR IGNORE INTO facets SELECT 'rule', j.value FROM items, json_each(items.rules) j;
CREATE TRIGGER items_count_insert AFTER INSERT ON items
BEGIN UPDATE counts SET n = n + 1 WHERE status = NEW.status; END;
CREATE TRIGGER items_count_status AFTER UPDATE OF status ON items WHEN OLD.status <> NEW.status
BEGIN UPDATE counts SET n = n - 1 WHERE status = OLD.status; UPDATE counts SET n = n + 1 WHERE status = NEW.status; END;
DROP INDEX IF EXISTS items_score;
CREATE INDEX items_status_score ON items (status, score, id);
CREATE INDEX items_status_ctime ON items (status, ctime, id);
CREATE INDEX items_status_id ON items (status, id);
CREATE INDEX items_score_id ON items (score, id);
CREATE INDEX items_ctime ON items (ctime, id);
CREATE INDEX items_email ON items (author_email COLLATE NOCASE);
CREATE INDEX items_ip ON items (ip);
CREATE INDEX items_post ON items (post_id);
"#;

/// Version 3: what a review page reads for each item's author costs the same for an author of
/// 10 comments and one of 10^6 (round 14's "Left"; round 15: a page of 50 items by 50 flooders
/// of 10,000 comments each took 3.9 s). The author indexes carry the status, so an author's
/// record is counted from the index alone (same names: the filters' `INDEXED BY` hints walk
/// them as before, their equality being the first column); and `history_author` walks an
/// author's latest comments by rowid, where the unique `(author, comment_id)` index read and
/// sorted all of them for each item. Version-2 queues still open read-only without it (slower
/// pages, the same answers).
pub(super) const MIGRATE_V3: &str = r#"
DROP INDEX IF EXISTS items_email;
CREATE INDEX items_email ON items (author_email COLLATE NOCASE, status);
DROP INDEX IF EXISTS items_author;
CREATE INDEX items_author ON items (author, status);
CREATE INDEX IF NOT EXISTS history_author ON history (author);
"#;

/// Refuses a queue database holding a trigger or a view that this program did not create, or
/// one of its own triggers with another body: a trigger runs inside every write (one added to a
/// queue handed to a moderator rewrote another item's comment id when `review approve`
/// approved item 1, round 14). Compared by name and SQL text with the schema this build writes.
pub(super) fn no_foreign_code(conn: &Connection, path: &Path) -> Result<(), Error> {
    let ours = {
        let fresh = Connection::open_in_memory()?;
        fresh.execute_batch(SCHEMA_V1)?;
        fresh.execute_batch(MIGRATE_V2)?;
        fresh.execute_batch(MIGRATE_V3)?;
        code(&fresh)?
    };
    for (kind, name, sql) in code(conn)? {
        if !ours.iter().any(|(k, n, s)| *k == kind && *n == name && *s == sql) {
            return Err(Error::corrupt(format!(
                "the queue holds a {kind} {:?} that this program did not create, or changed; it would run \
                 inside every write, so the queue is not opened (see it with `sqlite3 {} .schema`)",
                crate::term::sanitize(&name),
                path.display()
            )));
        }
    }
    Ok(())
}

/// (type, name, SQL) of every trigger and view of `conn`'s main database.
fn code(conn: &Connection) -> Result<Vec<(String, String, String)>, Error> {
    let mut stmt = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
