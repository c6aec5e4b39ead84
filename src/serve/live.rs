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

use std::cell::RefCell;
use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::ledger::{render_tail, AuthorState, Ledger};
use super::metrics::Metrics;
use super::reload::Snapshot;
use crate::comment::Comment;
use crate::engine::Scratch;
use crate::review::QueueSink;
use crate::verdict::Verdict;
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

/// The stateful half of live judging.
#[derive(Debug)]
pub struct Live {
    authors: Mutex<AuthorState>,
    /// The ledger, when `--ledger` is given.
    pub ledger: Option<Ledger>,
    /// The review queue, when `--queue` is given.
    pub queue: Option<QueueWriter>,
    metrics: Arc<Metrics>,
}

impl Live {
    /// Live judging with optional ledger and queue.
    pub fn new(ledger: Option<Ledger>, queue: Option<QueueWriter>, metrics: Arc<Metrics>) -> Live {
        Live { authors: Mutex::new(AuthorState::default()), ledger, queue, metrics }
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
        if use_policy || self.ledger.is_some() || self.queue.is_some() {
            let mut authors = self.authors.lock().unwrap_or_else(|p| p.into_inner());
            for (c, v) in comments.iter().zip(verdicts.iter_mut()) {
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
    }
}
