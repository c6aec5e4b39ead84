//! Live judging: the same stages as `run`, one request at a time.
//!
//! ```text
//!  request ──► Engine::judge (request thread, no lock) ──► [lock] author policy, in arrival
//!                                                               order; ledger line; queue
//! ```
//!
//! Judging is pure and runs on whichever thread serves the request. Everything stateful runs
//! under one short lock, so the author policy sees comments in one order, the ledger records
//! them in that order (`seq`), and replaying the ledger reproduces the policy's verdicts. The
//! ledger and the review queue are written by their own threads ([`super::ledger::Ledger`],
//! [`QueueWriter`]) so no request waits for a disk.
//!
//! A comment without a posting time gets the arrival time (UTC), so flood control works on
//! live traffic and the ledger keeps the time the policy used.
//!
//! With `--queue`, authors blocked in `moderate review serve` are blocked live
//! ([`ReviewBlocks`]): a watcher thread looks at the queue's change counter every
//! [`BLOCKS_INTERVAL`] and reads the block list again only when the database changed. A comment
//! by a blocked author gets the reason [`REVIEW_BLOCKED_RULE`] (a block) before the author policy
//! runs, so the policy counts it like any other block; the ledger records the reason, and
//! `replay` gives it back to the comments that had it (the block list is not part of a config).

use std::cell::RefCell;
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use super::ledger::{render_tail, AuthorState, Ledger};
use super::metrics::Metrics;
use super::reload::Snapshot;
use crate::comment::Comment;
use crate::engine::Scratch;
use crate::review::{QueueSink, Store};
use crate::verdict::{Action, Decision, Reason, Verdict};
use crate::write::{Judged, Sink};

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Feeds judged comments to the review queue from its own thread (SQLite is blocking I/O).
#[derive(Debug)]
pub struct QueueWriter {
    tx: Mutex<Option<SyncSender<Judged>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl QueueWriter {
    /// Opens (creating) the queue database at `path` and starts its thread. Writes are
    /// committed whenever the stream pauses for 200 ms, and on [`QueueWriter::close`].
    ///
    /// # Errors
    /// The database cannot be opened.
    pub fn open(path: &Path) -> io::Result<QueueWriter> {
        let mut sink = QueueSink::open(path).map_err(io::Error::from)?;
        let (tx, rx) = mpsc::sync_channel::<Judged>(16_384);
        let name = path.display().to_string();
        let thread = std::thread::Builder::new().name("queue".into()).spawn(move || {
            let mut dirty = false;
            loop {
                match rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(j) => {
                        if let Err(e) = sink.write(&j) {
                            tracing::error!("review queue {name}: {e}");
                        }
                        dirty = true;
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if dirty {
                            if let Err(e) = sink.finish() {
                                tracing::error!("review queue {name}: {e}");
                            }
                            dirty = false;
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        if let Err(e) = sink.finish() {
                            tracing::error!("review queue {name}: {e}");
                        }
                        return;
                    }
                }
            }
        })?;
        Ok(QueueWriter { tx: Mutex::new(Some(tx)), thread: Mutex::new(Some(thread)) })
    }

    fn send(&self, j: Judged) {
        let tx = self.tx.lock().ok().and_then(|g| g.clone());
        if let Some(tx) = tx {
            if tx.send(j).is_err() {
                tracing::error!("review queue writer stopped; a comment was not queued");
            }
        }
    }

    /// Commits what was sent and stops the thread.
    pub fn close(&self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
        let t = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(t) = t {
            let _ = t.join();
        }
    }
}

/// The reason a comment by an author blocked in the review queue gets.
pub const REVIEW_BLOCKED_RULE: &str = "author.review-blocked";

/// How often the review queue's change counter is looked at.
pub const BLOCKS_INTERVAL: Duration = Duration::from_millis(500);

/// The authors blocked in the review queue, as the live server matches them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReviewBlocks {
    /// Trimmed, lowercased author names or e-mails.
    authors: HashSet<String>,
}

impl ReviewBlocks {
    /// What of `c` is blocked (its author name or e-mail), if anything.
    pub fn blocked(&self, c: &Comment) -> Option<String> {
        if self.authors.is_empty() {
            return None;
        }
        [&c.author, &c.author_email]
            .into_iter()
            .flatten()
            .map(|a| a.trim().to_lowercase())
            .find(|a| !a.is_empty() && self.authors.contains(a))
    }

    /// How many identities are blocked.
    pub fn len(&self) -> usize {
        self.authors.len()
    }

    /// No one is blocked.
    pub fn is_empty(&self) -> bool {
        self.authors.is_empty()
    }
}

/// The one place the live server reads the review queue's block list. (The queue's notion of
/// a blocked identity may grow: e-mail, IP, URL domain; adapt this function and
/// [`ReviewBlocks::blocked`], nothing else.)
///
/// # Errors
/// Database failure.
pub fn read_review_blocks(store: &Store) -> Result<ReviewBlocks, crate::review::Error> {
    let authors = store.blocked_authors()?.into_iter().map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty());
    Ok(ReviewBlocks { authors: authors.collect() })
}

/// Keeps [`ReviewBlocks`] current from the queue database, on its own thread.
#[derive(Debug)]
pub struct BlockWatcher {
    current: Arc<RwLock<Arc<ReviewBlocks>>>,
    stop: Mutex<Option<SyncSender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl BlockWatcher {
    /// Reads the block list of the queue at `path` now, then keeps it current every `interval`.
    ///
    /// # Errors
    /// The database cannot be opened or read.
    pub fn start(path: &Path, interval: Duration) -> io::Result<BlockWatcher> {
        let other = |e: crate::review::Error| io::Error::other(e.to_string());
        let store = Store::open(path).map_err(other)?;
        let counter = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(io::Error::other)?;
        let version = |c: &rusqlite::Connection| c.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)).ok();
        let mut seen = version(&counter);
        let first = read_review_blocks(&store).map_err(other)?;
        let current = Arc::new(RwLock::new(Arc::new(first)));
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        let shared = Arc::clone(&current);
        let name: PathBuf = path.to_path_buf();
        let thread = std::thread::Builder::new().name("review-blocks".into()).spawn(move || loop {
            match rx.recv_timeout(interval) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            let now = version(&counter);
            if now.is_some() && now == seen {
                continue;
            }
            seen = now;
            match read_review_blocks(&store) {
                Ok(b) => {
                    let mut g = shared.write().unwrap_or_else(|p| p.into_inner());
                    if **g != b {
                        tracing::info!(blocked = b.len(), "review queue: block list changed");
                        *g = Arc::new(b);
                    }
                }
                Err(e) => tracing::error!("review queue {}: reading the block list: {e}", name.display()),
            }
        })?;
        Ok(BlockWatcher { current, stop: Mutex::new(Some(tx)), thread: Mutex::new(Some(thread)) })
    }

    /// The block list now.
    pub fn current(&self) -> Arc<ReviewBlocks> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Stops the thread.
    pub fn close(&self) {
        if let Ok(mut g) = self.stop.lock() {
            g.take();
        }
        let t = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(t) = t {
            let _ = t.join();
        }
    }
}

const BLOCKED_PREFIX: &str = "the author (";
const BLOCKED_SUFFIX: &str = ") was blocked in the review queue";

/// Who a [`REVIEW_BLOCKED_RULE`] reason's message names.
pub fn review_blocked_who(message: &str) -> Option<&str> {
    message.strip_prefix(BLOCKED_PREFIX)?.strip_suffix(BLOCKED_SUFFIX)
}

/// Adds the review-queue block to `v` (a comment by `who`, blocked in the queue) and
/// recomputes it with `snap`'s thresholds.
pub fn add_review_block(snap: &Snapshot, v: &mut Verdict, who: &str) {
    if v.verdict == Decision::Error || v.reasons.iter().any(|r| r.rule == REVIEW_BLOCKED_RULE) {
        return;
    }
    v.reasons.push(Reason {
        rule: REVIEW_BLOCKED_RULE.to_string(),
        category: "author".to_string(),
        action: Some(Action::Block),
        score: 0.0,
        message: format!("{BLOCKED_PREFIX}{who}{BLOCKED_SUFFIX}"),
        matches: Vec::new(),
        counted_by: None,
        match_count: None,
        shadow: None,
    });
    crate::decide::recompute(v, snap.engine.thresholds());
}

/// The stateful half of live judging.
#[derive(Debug)]
pub struct Live {
    authors: Mutex<AuthorState>,
    /// The ledger, when `--ledger` is given.
    pub ledger: Option<Ledger>,
    /// The review queue, when `--queue` is given.
    pub queue: Option<QueueWriter>,
    /// The queue's block list, when `--queue` is given.
    pub blocks: Option<BlockWatcher>,
    metrics: Arc<Metrics>,
}

impl Live {
    /// Live judging with optional ledger and queue.
    pub fn new(ledger: Option<Ledger>, queue: Option<QueueWriter>, metrics: Arc<Metrics>) -> Live {
        Live { authors: Mutex::new(AuthorState::default()), ledger, queue, blocks: None, metrics }
    }

    /// Blocks the authors blocked in the review queue (see the module docs).
    pub fn with_review_blocks(mut self, blocks: BlockWatcher) -> Live {
        self.blocks = Some(blocks);
        self
    }

    /// Judges `comments` with `snap`, in order: rules, then the author policy, then the ledger
    /// and the queue. Returns one verdict per comment.
    pub fn judge(&self, snap: &Snapshot, mut comments: Vec<Comment>) -> (Vec<Comment>, Vec<Verdict>) {
        let now = super::ledger::utc(super::reload::now_secs());
        for c in &mut comments {
            if c.created_at.is_none() {
                c.created_at = Some(now.clone());
            }
        }
        let mut verdicts: Vec<Verdict> = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            comments.iter().map(|c| snap.engine.judge_with(c, &mut s)).collect()
        });
        let use_policy = snap.author_policy_active();
        let blocks = self.blocks.as_ref().map(BlockWatcher::current).filter(|b| !b.is_empty());
        if use_policy || self.ledger.is_some() || self.queue.is_some() {
            let mut authors = self.authors.lock().unwrap_or_else(|p| p.into_inner());
            for (c, v) in comments.iter().zip(verdicts.iter_mut()) {
                if let Some(who) = blocks.as_ref().and_then(|b| b.blocked(c)) {
                    add_review_block(snap, v, &who);
                }
                authors.apply(snap, c, v);
                if let Some(l) = &self.ledger {
                    l.append(&render_tail(l.session(), &snap.hash, c, v));
                    self.metrics.ledger_lines.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(q) = &self.queue {
                    if v.verdict == crate::verdict::Decision::Flag {
                        self.metrics.queued.fetch_add(1, Ordering::Relaxed);
                    }
                    if v.verdict == crate::verdict::Decision::Flag || c.author.is_some() {
                        q.send(Judged { record: Ok(c.clone()), verdict: v.clone() });
                    }
                }
            }
        }
        self.metrics.verdicts(&verdicts);
        (comments, verdicts)
    }

    /// Flushes and closes the ledger and the queue (graceful shutdown).
    pub fn close(&self) {
        if let Some(l) = &self.ledger {
            l.close();
        }
        if let Some(q) = &self.queue {
            q.close();
        }
        if let Some(b) = &self.blocks {
            b.close();
        }
    }
}
