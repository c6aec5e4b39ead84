//! Listings that stay fast on a million items: keyset pages over indexes, cached counts.
//!
//! A page is "the `limit` items after (or before) item N in this order". Every order ends in the
//! item id, so `(sort key, id)` is unique and the condition `(key, id) < (key of N, N)` walks an
//! index (`items_status_score`, `items_status_ctime`, ...) from the cursor: a page costs the
//! same on page 1 and page 10,000, unlike `OFFSET`. The header counts come from the `counts`
//! table (kept by triggers) and the filter menus from `facets`, never from a scan. Filters
//! on e-mail, IP, name or post walk their own index and sort the matches. Text search has no
//! index: a page looks at the next [`SEARCH_WINDOW`] items of the order and says where it
//! stopped (the next page goes on from there), so no request scans the whole queue. Category and
//! rule filters are applied while walking the order's index (a rare category costs a longer
//! walk). docs/review.md has the measurements.

use rusqlite::{params_from_iter, OptionalExtension};

use super::{
    item_columns, read_item, AuthorRecord, Counts, Direction, Error, Filter, HistoryEntry, Item, ListPage, Sort,
    Status, Store, LATEST_JOIN, MAX_LIMIT,
};

/// Default items per page.
pub const DEFAULT_LIMIT: usize = 50;

/// The most items an author's record counts (an author with more shows "10000+").
pub const RECORD_CAP: i64 = 10_000;

impl Store {
    /// One page of the items matching `filter`, in its order.
    ///
    /// # Errors
    /// Database failure.
    pub fn items(&self, filter: &Filter) -> Result<ListPage, Error> {
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let (wheres, args) = conditions(filter)?;
        let (key, desc) = match filter.sort {
            Sort::Score => ("i.score", true),
            Sort::Newest => ("i.ctime", true),
            Sort::Oldest => ("i.ctime", false),
            Sort::Queued => ("i.id", false),
        };
        let hint = index_hint(filter);
        // Walking backwards (previous page) flips the order and the comparison.
        let backwards = matches!(filter.cursor, Some((_, Direction::Prev)));
        let forward_desc = desc != backwards;
        let mut page_where = wheres.clone();
        let mut page_args = args.clone();
        if let Some((id, _)) = filter.cursor {
            page_where.push(cursor_cond(key, forward_desc, page_args.len() + 1));
            page_args.push(id.to_string());
        }
        let dir = if forward_desc { "DESC" } else { "ASC" };
        let order = if key == "i.id" { format!("i.id {dir}") } else { format!("{key} {dir}, i.id {dir}") };
        let q = filter.q.as_deref().map(|q| q.trim().to_ascii_lowercase()).filter(|q| !q.is_empty());
        // Text search has no index: it looks at the next SEARCH_WINDOW items of the order (one
        // index walk) and reports where it stopped, so each page stays bounded.
        let mut window_end = None;
        let sql = match &q {
            None => format!(
                "SELECT {} FROM items i {hint} {LATEST_JOIN} {} ORDER BY {order} LIMIT {}",
                item_columns(true),
                where_sql(&page_where),
                limit + 1
            ),
            Some(q) => {
                let window = format!(
                    "SELECT i.id FROM items i {hint} {} ORDER BY {order} LIMIT {SEARCH_WINDOW}",
                    where_sql(&page_where)
                );
                let end_sql = format!("SELECT id FROM ({window}) LIMIT 1 OFFSET {}", SEARCH_WINDOW - 1);
                window_end = self
                    .conn
                    .prepare_cached(&end_sql)?
                    .query_row(params_from_iter(page_args.iter()), |r| r.get::<_, i64>(0))
                    .optional()?;
                page_args.push(q.clone());
                let n = page_args.len();
                format!(
                    "SELECT {} FROM ({window}) w CROSS JOIN items i ON i.id = w.id {LATEST_JOIN} \
                     WHERE {} ORDER BY {order} LIMIT {}",
                    item_columns(true),
                    SEARCH_COND.replace('?', &format!("?{n}")),
                    limit + 1
                )
            }
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(page_args.iter()), read_item)?;
        let mut items = Vec::with_capacity(limit + 1);
        for row in rows {
            items.push(row??);
        }
        let more = items.len() > limit;
        items.truncate(limit);
        // Where the walk continues in its own direction: after the last item shown, or (a search
        // that found fewer than a page) after the last item it looked at.
        let onward = match items.last() {
            Some(last) if more => Some(last.id),
            _ => window_end,
        };
        if backwards {
            items.reverse();
        }
        // The other side: is there anything before the first (after the last) item shown?
        let beyond = |edge: Option<&Item>, d: bool| -> Result<Option<i64>, Error> {
            if filter.cursor.is_none() {
                return Ok(None);
            }
            let Some(edge) = edge else {
                return Ok(filter.cursor.map(|c| c.0));
            };
            if q.is_some() {
                return Ok(Some(edge.id)); // a search came from there; no unbounded re-check
            }
            Ok(self.any_beyond(&wheres, &args, key, d, Some(edge))?.then_some(edge.id))
        };
        let (prev_before, next_after) =
            if backwards { (onward, beyond(items.last(), desc)?) } else { (beyond(items.first(), !desc)?, onward) };
        let (has_prev, has_next) = (prev_before.is_some(), next_after.is_some());
        let scanned = q.as_ref().map(|_| SEARCH_WINDOW);
        self.mark_blocked(&mut items)?;
        let only_status = filter.category.is_none()
            && filter.rule.is_none()
            && [
                &filter.author,
                &filter.source,
                &filter.email,
                &filter.ip,
                &filter.post,
                &filter.from,
                &filter.to,
                &filter.q,
            ]
            .iter()
            .all(|f| f.as_deref().map_or(true, str::is_empty));
        let total = if only_status {
            let c = self.counts()?;
            Some(match filter.status {
                Some(Status::Pending) => c.pending,
                Some(Status::Approved) => c.approved,
                Some(Status::Rejected) => c.rejected,
                None => c.pending + c.approved + c.rejected,
            } as usize)
        } else {
            None
        };
        Ok(ListPage { items, has_next, has_prev, next_after, prev_before, scanned, total })
    }

    /// Whether an item matching the conditions lies beyond `edge` in the given direction.
    fn any_beyond(
        &self,
        wheres: &[String],
        args: &[String],
        key: &str,
        desc: bool,
        edge: Option<&Item>,
    ) -> Result<bool, Error> {
        let Some(edge) = edge else { return Ok(false) };
        let mut w = wheres.to_vec();
        let mut a = args.to_vec();
        w.push(cursor_cond(key, desc, a.len() + 1));
        a.push(edge.id.to_string());
        let sql = format!("SELECT EXISTS (SELECT 1 FROM items i {} {})", index_hint_for(&w), where_sql(&w));
        Ok(self.conn.prepare_cached(&sql)?.query_row(params_from_iter(a.iter()), |r| r.get(0))?)
    }

    /// The newest item number (0 for an empty queue): what "new since this page" counts from.
    ///
    /// # Errors
    /// Database failure.
    pub fn max_id(&self) -> Result<i64, Error> {
        Ok(self.conn.prepare_cached("SELECT coalesce(max(id), 0) FROM items")?.query_row([], |r| r.get(0))?)
    }

    /// How many pending items were queued after item `id` (at most 1000): "new since you loaded".
    ///
    /// # Errors
    /// Database failure.
    pub fn pending_after(&self, id: i64) -> Result<i64, Error> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM items WHERE id > ?1 AND status = 'pending' LIMIT 1000)",
            )?
            .query_row([id], |r| r.get(0))?)
    }

    /// How many items are in each state (from the cached counts).
    ///
    /// # Errors
    /// Database failure.
    pub fn counts(&self) -> Result<Counts, Error> {
        let mut c = Counts::default();
        let mut stmt = self.conn.prepare_cached("SELECT status, n FROM counts")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (status, n) = row?;
            match Status::parse(&status) {
                Some(Status::Pending) => c.pending = n,
                Some(Status::Approved) => c.approved = n,
                Some(Status::Rejected) => c.rejected = n,
                None => {}
            }
        }
        Ok(c)
    }

    /// Every category and every rule id that occurs in the queue, sorted (for filter menus; at
    /// most 500 of each).
    ///
    /// # Errors
    /// Database failure.
    pub fn facets(&self) -> Result<(Vec<String>, Vec<String>), Error> {
        let q = |kind: &str| -> Result<Vec<String>, Error> {
            let mut stmt =
                self.conn.prepare_cached("SELECT value FROM facets WHERE kind = ?1 ORDER BY value LIMIT 500")?;
            let rows = stmt.query_map([kind], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok((q("category")?, q("rule")?))
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
        let rows = stmt.query_map(rusqlite::params![author, except, limit as i64], |r| {
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

    /// What moderators decided on the queued items of this item's author (same e-mail when the
    /// item has one, else the same exact name), counting at most [`RECORD_CAP`] items.
    ///
    /// # Errors
    /// Database failure.
    pub fn author_record(&self, item: &Item) -> Result<Option<AuthorRecord>, Error> {
        let (sql, key) = if let Some(e) = item.author_email.as_deref() {
            ("SELECT status, count(*) FROM (SELECT status FROM items WHERE author_email = ?1 COLLATE NOCASE LIMIT ?2) GROUP BY status", e)
        } else if let Some(a) = item.author.as_deref().filter(|a| !a.is_empty()) {
            ("SELECT status, count(*) FROM (SELECT status FROM items WHERE author = ?1 LIMIT ?2) GROUP BY status", a)
        } else {
            return Ok(None);
        };
        let mut rec = AuthorRecord::default();
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows =
            stmt.query_map(rusqlite::params![key, RECORD_CAP], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (status, n) = row?;
            match Status::parse(&status) {
                Some(Status::Pending) => rec.pending = n,
                Some(Status::Approved) => rec.approved = n,
                Some(Status::Rejected) => rec.rejected = n,
                None => {}
            }
        }
        Ok(Some(rec))
    }
}

/// How many items of the order one text-search page looks at.
pub const SEARCH_WINDOW: usize = 5_000;

/// The text search: body, name, e-mail or IP contains the (lowercased) text.
const SEARCH_COND: &str = "(instr(lower(i.body), ?) > 0 OR instr(lower(coalesce(i.author, '')), ?) > 0 \
     OR instr(lower(coalesce(i.author_email, '')), ?) > 0 OR instr(coalesce(i.ip, ''), ?) > 0)";

/// A selective equality filter walks its own index (then sorts its few rows) instead of the
/// order's index filtering every row.
fn index_hint(filter: &Filter) -> &'static str {
    let set = |f: &Option<String>| f.as_deref().is_some_and(|v| !v.trim().is_empty());
    if set(&filter.email) {
        "INDEXED BY items_email"
    } else if set(&filter.ip) {
        "INDEXED BY items_ip"
    } else if set(&filter.author) {
        "INDEXED BY items_author"
    } else if set(&filter.post) {
        "INDEXED BY items_post"
    } else {
        ""
    }
}

/// [`index_hint`] from already built conditions.
fn index_hint_for(wheres: &[String]) -> &'static str {
    let has = |p: &str| wheres.iter().any(|w| w.starts_with(p));
    if has("i.author_email =") {
        "INDEXED BY items_email"
    } else if has("i.ip =") {
        "INDEXED BY items_ip"
    } else if has("i.author =") {
        "INDEXED BY items_author"
    } else if has("i.post_id =") {
        "INDEXED BY items_post"
    } else {
        ""
    }
}

/// `(key, id) < (key of item ?N, ?N)` (or `>`), as one row-value comparison SQLite can answer
/// from the order's index.
fn cursor_cond(key: &str, desc: bool, n: usize) -> String {
    let op = if desc { "<" } else { ">" };
    if key == "i.id" {
        format!("i.id {op} ?{n}")
    } else {
        let col = key.trim_start_matches("i.");
        format!("({key}, i.id) {op} (SELECT c.{col}, c.id FROM items c WHERE c.id = ?{n})")
    }
}

fn where_sql(wheres: &[String]) -> String {
    if wheres.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", wheres.join(" AND "))
    }
}

/// The filter as SQL conditions over `items i` and their arguments (all bound, never spliced).
fn conditions(filter: &Filter) -> Result<(Vec<String>, Vec<String>), Error> {
    let mut wheres: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut add = |cond: &str, val: Option<String>| {
        if let Some(v) = val.filter(|v| !v.is_empty()) {
            args.push(v);
            wheres.push(cond.replace('?', &format!("?{}", args.len())));
        }
    };
    add("i.status = ?", filter.status.map(|s| s.as_str().to_string()));
    add("EXISTS (SELECT 1 FROM json_each(i.categories) WHERE value = ?)", filter.category.clone());
    add("EXISTS (SELECT 1 FROM json_each(i.rules) WHERE value = ?)", filter.rule.clone());
    add("i.author = ?", filter.author.clone());
    add("substr(i.source, 1, length(?)) = ?", filter.source.clone());
    add("i.author_email = ? COLLATE NOCASE", filter.email.as_deref().map(|e| e.trim().to_string()));
    add("i.ip = ?", filter.ip.as_deref().map(|e| e.trim().to_string()));
    add("i.post_id = ?", filter.post.clone());
    add("i.ctime >= ?", filter.from.as_deref().map(|d| day("from", d)).transpose()?);
    // "to 2024-05-01" includes that whole day: everything that starts with it sorts below this.
    add("i.ctime <= ?", filter.to.as_deref().map(|d| day("to", d)).transpose()?.map(|d| format!("{d}\u{10FFFF}")));
    Ok((wheres, args))
}

/// A `from`/`to` date as the stored times sort: `YYYY-MM-DD`, zero-padded. The dates are
/// compared as text, so `2024-5-1` compared as written sorted after every December date (a
/// filter "from May" showed nothing from December) and `garbage` after every date (an empty
/// queue): a value that is not a date is refused, naming the field, and `2024-5-1` is padded.
fn day(field: &str, given: &str) -> Result<String, Error> {
    let given = given.trim();
    let bad = || Error::invalid(format!("{field}: {given:?} is not a date; write it as 2024-05-01"));
    let mut parts = given.split('-');
    let mut num = |max: u32, len: std::ops::RangeInclusive<usize>| -> Result<u32, Error> {
        let p = parts.next().ok_or_else(bad)?;
        if !len.contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(bad)
    };
    let (y, m, d) = (num(9999, 4..=4)?, num(12, 1..=2)?, num(31, 1..=2)?);
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}
