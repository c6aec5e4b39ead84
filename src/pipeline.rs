//! The pipeline: read → judge on all cores → author policy and sinks in input order.
//!
//! ```text
//!  reader thread ──records──► batcher ──batches──► N judge threads ──► this thread
//!  (formats,        (bounded)  (takes what is      (Engine::judge,     (reorders by batch
//!   any size)                   ready, ≤ BATCH)      pure)               number, author policy,
//!                                                                        sinks, progress)
//! ```
//!
//! Why plain threads and bounded `std::sync::mpsc` channels rather than tokio: every stage here
//! is CPU-bound or blocking file I/O, which an async runtime would only wrap in
//! `spawn_blocking`; tokio serves where the work is waiting on sockets (the review server).
//!
//! Guarantees:
//! - **Order and completeness**: every record read yields exactly one [`Judged`], delivered to
//!   the sinks in input order (batches carry a sequence number; the writer reorders).
//! - **Flat memory**: all channels are bounded, so at most a few batches are in flight
//!   whatever the input size.
//! - **Same output on 1 and N threads**: judging is pure; everything stateful (the author
//!   policy) runs here, on one thread, in input order.
//! - **Live input stays live**: the batcher never waits to fill a batch. It blocks for one
//!   record, then takes only what is already queued; and the sinks are flushed whenever no
//!   finished batch is waiting. A lone line on `tail -f | moderate run -` is judged and written
//!   at once.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::Mutex;
use std::time::Duration;

use crate::comment::SourcePos;
use crate::engine::{Engine, Scratch};
use crate::read::{self, Input, ReadOptions, Record, RecordError};
use crate::verdict::Verdict;
use crate::write::{Judged, Sink};

/// Most records per batch.
pub const BATCH: usize = 256;

/// How a run is executed.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Judge threads (≥ 1).
    pub jobs: usize,
    /// How inputs are read.
    pub read: ReadOptions,
    /// Run the author policy (repeat offenders, duplicates, floods, report).
    pub author_policy: bool,
}

/// Something told about progress after each batch is written.
pub trait Progress {
    /// `records` more records (with `body_bytes` bytes of body text) are done.
    fn advance(&mut self, records: u64, body_bytes: u64);
}

impl Progress for () {
    fn advance(&mut self, _: u64, _: u64) {}
}

/// What the run left behind besides its sink output.
#[derive(Debug, Default)]
pub struct RunResult {
    /// The author report, when the author policy ran.
    pub authors: Vec<crate::decide::author::AuthorReport>,
}

fn judge_batch(engine: &Engine, scratch: &mut Scratch, batch: Vec<Record>) -> Vec<Judged> {
    batch
        .into_iter()
        .map(|record| {
            let verdict = match &record {
                Ok(c) => engine.judge_with(c, scratch),
                Err(e) => error_verdict(e),
            };
            Judged { record, verdict }
        })
        .collect()
}

/// The `error` verdict record for a record that could not be read.
pub fn error_verdict(e: &RecordError) -> Verdict {
    Verdict::error(e.id.clone(), e.message.clone(), e.source.to_string())
}

fn read_all(inputs: Vec<Input>, opts: ReadOptions, tx: SyncSender<Record>, stop: &AtomicBool) {
    for input in inputs {
        match read::open(&input, &opts) {
            Ok(records) => {
                for r in records {
                    if stop.load(Ordering::Relaxed) || tx.send(r).is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                let file: std::sync::Arc<str> = input.path.display().to_string().into();
                let err = RecordError {
                    id: file.to_string(),
                    message: e.message,
                    source: SourcePos { file, line: 0 },
                    raw: None,
                };
                if tx.send(Err(err)).is_err() {
                    return;
                }
            }
        }
    }
}

fn batch_records(rx: Receiver<Record>, tx: SyncSender<(u64, Vec<Record>)>, stop: &AtomicBool) {
    let mut seq = 0;
    while let Ok(first) = rx.recv() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let mut batch = Vec::with_capacity(BATCH);
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        if tx.send((seq, batch)).is_err() {
            return;
        }
        seq += 1;
    }
}

/// Runs the pipeline over `inputs`, delivering every judged record to every sink in order.
///
/// # Errors
/// A sink failed to write (the run stops; a broken pipe is the caller's to treat as success).
pub fn run(
    engine: &Engine,
    inputs: Vec<Input>,
    opts: &RunOptions,
    sinks: &mut [&mut dyn Sink],
    progress: &mut dyn Progress,
) -> io::Result<RunResult> {
    let jobs = opts.jobs.max(1);
    let mut policy = opts.author_policy.then(|| engine.author_policy());
    let stop = AtomicBool::new(false);
    let (rec_tx, rec_rx) = mpsc::sync_channel::<Record>(BATCH * 4);
    let (batch_tx, batch_rx) = mpsc::sync_channel::<(u64, Vec<Record>)>(jobs * 2);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Vec<Judged>)>(jobs * 2);
    let batch_rx = Mutex::new(batch_rx);
    let result = std::thread::scope(|s| -> io::Result<()> {
        let (stop, batch_rx) = (&stop, &batch_rx);
        let read_opts = opts.read.clone();
        s.spawn(move || read_all(inputs, read_opts, rec_tx, stop));
        s.spawn(move || batch_records(rec_rx, batch_tx, stop));
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let engine = engine.clone();
            s.spawn(move || {
                let mut scratch = Scratch::default();
                loop {
                    let next = batch_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, batch))) = next else { return };
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    if done_tx.send((seq, judge_batch(&engine, &mut scratch, batch))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let written = write_in_order(&done_rx, sinks, policy.as_mut(), progress);
        if written.is_err() {
            // Let every thread see the stop and run dry, so the scope can end.
            stop.store(true, Ordering::Relaxed);
            while done_rx.recv().is_ok() {}
        }
        written
    });
    result?;
    for sink in sinks.iter_mut() {
        sink.finish()?;
    }
    Ok(RunResult { authors: policy.map(|p| p.report()).unwrap_or_default() })
}

fn write_in_order(
    done_rx: &Receiver<(u64, Vec<Judged>)>,
    sinks: &mut [&mut dyn Sink],
    mut policy: Option<&mut crate::decide::author::AuthorPolicy>,
    progress: &mut dyn Progress,
) -> io::Result<()> {
    let mut pending: BTreeMap<u64, Vec<Judged>> = BTreeMap::new();
    let mut next = 0u64;
    loop {
        // Wait for the next batch; flush the sinks while nothing is ready (live input).
        let msg = match done_rx.try_recv() {
            Ok(m) => Some(m),
            Err(TryRecvError::Empty) => {
                for sink in sinks.iter_mut() {
                    sink.flush()?;
                }
                loop {
                    match done_rx.recv_timeout(Duration::from_millis(500)) {
                        Ok(m) => break Some(m),
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => break None,
                    }
                }
            }
            Err(TryRecvError::Disconnected) => None,
        };
        let Some((seq, batch)) = msg else { break };
        pending.insert(seq, batch);
        while let Some(mut batch) = pending.remove(&next) {
            next += 1;
            let mut bytes = 0u64;
            for judged in &mut batch {
                if let (Some(p), Ok(c)) = (policy.as_deref_mut(), &judged.record) {
                    p.apply(c, &mut judged.verdict);
                }
                if let Ok(c) = &judged.record {
                    bytes += c.body.len() as u64;
                }
                for sink in sinks.iter_mut() {
                    sink.write(judged)?;
                }
            }
            progress.advance(batch.len() as u64, bytes);
        }
    }
    debug_assert!(pending.is_empty(), "every batch is written");
    Ok(())
}
