//! [`QueueSink`]: the write-stage sink that fills the review queue during a run.
//!
//! Every judged record passes through; the sink keeps two things:
//!
//! - every **flagged** comment becomes a queue item (blocked comments were decided by a rule
//!   and allowed ones need nobody; error records have nothing to review). An item already queued
//!   with the same id and body is skipped, so re-running a dump adds nothing.
//! - every judged comment *with an author* adds one small `history` row (id, verdict, rule ids,
//!   a 140-character excerpt), so a moderator sees the author's other comments next to an item.
//!
//! Inserts are batched: one transaction per [`BATCH`] records, committed on [`Sink::finish`]
//! (and, best effort, on drop). A million-comment dump costs a few seconds, not a fsync per row.

use std::io;
use std::path::Path;

use super::{Error, Store};
use crate::verdict::Decision;
use crate::write::{Judged, Sink};

/// Records per transaction.
pub const BATCH: usize = 5_000;

/// A [`Sink`] that stores flagged comments in the review queue database.
///
/// # Example
/// ```no_run
/// use moderate::review::QueueSink;
/// use moderate::write::Sink;
/// let mut sink = QueueSink::open("review.db")?;
/// // for judged in pipeline { sink.write(&judged)?; }
/// sink.finish()?;
/// println!("{} new items", sink.queued());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct QueueSink {
    store: Store,
    in_batch: usize,
    open_tx: bool,
    queued: u64,
    duplicates: u64,
    /// As given, for the run's report.
    path: std::path::PathBuf,
}

impl QueueSink {
    /// Opens (creating when missing, mode 0600) the queue database at `path`.
    ///
    /// # Errors
    /// The database cannot be opened or has an unknown schema.
    pub fn open(path: impl AsRef<Path>) -> Result<QueueSink, Error> {
        let path = path.as_ref().to_path_buf();
        Ok(QueueSink { store: Store::create(&path)?, in_batch: 0, open_tx: false, queued: 0, duplicates: 0, path })
    }

    /// How many new items this sink queued so far.
    pub fn queued(&self) -> u64 {
        self.queued
    }

    /// How many flagged comments were already queued (same id and body) and skipped.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    fn commit(&mut self) -> Result<(), Error> {
        if self.open_tx {
            self.open_tx = false;
            self.in_batch = 0;
            self.store.commit_batch()?;
        }
        Ok(())
    }

    fn write_inner(&mut self, judged: &Judged) -> Result<(), Error> {
        let Ok(comment) = &judged.record else {
            return Ok(());
        };
        if judged.verdict.verdict == Decision::Error {
            return Ok(());
        }
        if !self.open_tx {
            self.store.begin_batch()?;
            self.open_tx = true;
        }
        self.store.insert_history(comment, &judged.verdict)?;
        if judged.verdict.verdict == Decision::Flag {
            if self.store.insert_item(comment, &judged.verdict)? {
                self.queued += 1;
            } else {
                self.duplicates += 1;
            }
        }
        self.in_batch += 1;
        if self.in_batch >= BATCH {
            self.commit()?;
        }
        Ok(())
    }
}

impl Sink for QueueSink {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        self.write_inner(judged).map_err(io::Error::from)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.commit().map_err(io::Error::from)
    }

    fn report(&self) -> Option<String> {
        Some(format!(
            "review queue {}: {} flagged comment{} queued, {} already there (`moderate review list --db {}`)",
            self.path.display(),
            self.queued,
            if self.queued == 1 { "" } else { "s" },
            self.duplicates,
            self.path.display()
        ))
    }
}

impl Drop for QueueSink {
    fn drop(&mut self) {
        // Best effort: a sink dropped without `finish` (an early error elsewhere) keeps what it
        // has written rather than losing the open batch.
        let _ = self.commit();
    }
}
