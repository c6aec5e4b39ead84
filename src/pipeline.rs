//! The pipeline: read → judge on all cores → author policy and sinks in input order.
//!
//! ```text
//!  reader thread ──records──► batcher ──batches──► N judge threads ──► this thread
//!  (formats,        or JSONL   (takes what is      (parse JSONL,       (reorders by batch
//!   any size)       chunks     ready, ≤ BATCH)      Engine::judge,      number, author policy,
//!                  (bounded)                        render output)      sinks, progress)
//! ```
//!
//! Only what must be serial runs outside the judge threads. JSONL, the bulk format, is not
//! parsed by the reader: it cuts the input into chunks of whole lines
//! ([`read::JsonlChunk`]) and the judge threads parse them. The judge threads also render each
//! sink's output ([`Sink::renderer`]) and hash each body for the author policy's duplicate
//! check ([`author::body_hash`]), so this thread only applies the policy and copies bytes out
//! in order; the few records whose verdict the policy changes are rendered again here, and the
//! written batches go back to the judge threads to be freed. On a
//! 2-core machine that is what lets two judge threads run twice as fast as one
//! (docs/bench.md).
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
//! - **Interrupted runs stop consistently** ([`run_until`]): when the interrupt flag is set
//!   (SIGINT/SIGTERM in the CLI) the batcher stops taking records, the judge threads finish the
//!   batches they were given, and every one of those reaches every sink, in order; then the
//!   sinks are finished. So all outputs hold the same records, and [`RunResult::interrupted`]
//!   says the run was cut short. The reader thread is detached: it may be blocked in a read
//!   that never returns (a FIFO kept open), which must not keep the run from ending.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::comment::SourcePos;
use crate::decide::author;
use crate::engine::{Engine, Scratch};
use crate::read::{self, Input, JsonlChunk, ReadOptions, Record, RecordError, Stream};
use crate::verdict::Verdict;
use crate::write::{Judged, Renderer, Sink};

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
    /// The run was interrupted: the sinks hold the records judged until then (all the same).
    pub interrupted: bool,
}

/// What the reader hands on: a record parsed on the reading thread, or a chunk of JSONL lines.
// Records are the frequent item (every format but JSONL): boxing them would cost an allocation
// per record to save queue space.
#[allow(clippy::large_enum_variant)]
enum Item {
    Record(Record),
    Chunk(JsonlChunk),
}

/// A unit of work for the judge threads.
enum Work {
    Records(Vec<Record>),
    Chunk(JsonlChunk),
}

/// A judged batch, in input order, with the sinks' output rendered when that was possible.
struct Done {
    judged: Vec<Judged>,
    /// Per record, per rendering sink: the end of its bytes in `bytes` (starts at the previous
    /// end). Empty when nothing was rendered.
    ends: Vec<usize>,
    bytes: Vec<u8>,
    /// Per record, its [`author::body_hash`] (empty when no author policy runs).
    hashes: Vec<Option<u64>>,
}

fn judge_batch(engine: &Engine, scratch: &mut Scratch, work: Work, renderers: &[Renderer], hash: bool) -> Done {
    let records = match work {
        Work::Records(v) => v,
        Work::Chunk(chunk) => {
            let mut v = Vec::with_capacity(chunk.len() / 128 + 1);
            chunk.parse(&mut v);
            v
        }
    };
    let judged: Vec<Judged> = records
        .into_iter()
        .map(|record| {
            let verdict = match &record {
                Ok(c) => engine.judge_with(c, scratch),
                Err(e) => error_verdict(e),
            };
            Judged { record, verdict }
        })
        .collect();
    let hashes = if hash {
        judged.iter().map(|j| j.record.as_ref().ok().and_then(|c| author::body_hash(&c.body))).collect()
    } else {
        Vec::new()
    };
    let mut done = Done { judged, ends: Vec::new(), bytes: Vec::new(), hashes };
    if !renderers.is_empty() {
        done.ends.reserve(done.judged.len() * renderers.len());
        done.bytes.reserve(done.judged.len() * 96);
        for j in &done.judged {
            for render in renderers {
                let start = done.bytes.len();
                if render(j, &mut done.bytes).is_err() {
                    // Cannot happen with a Vec; fall back to the sinks' own `write`.
                    done.bytes.truncate(start);
                    done.ends.clear();
                    done.bytes.clear();
                    return done;
                }
                done.ends.push(done.bytes.len());
            }
        }
    }
    done
}

/// The `error` verdict record for a record that could not be read.
pub fn error_verdict(e: &RecordError) -> Verdict {
    Verdict::error(e.id.clone(), e.message.clone(), e.source.to_string())
}

fn read_all(inputs: Vec<Input>, opts: ReadOptions, tx: SyncSender<Item>, stop: Arc<AtomicBool>) {
    let stop = &*stop;
    for input in inputs {
        let sent = match read::open_stream(&input, &opts) {
            Ok(Stream::Records(records)) => records.map(Item::Record).try_for_each(|r| send(&tx, r, stop)),
            Ok(Stream::Jsonl(chunks)) => chunks
                .map(|c| match c {
                    Ok(c) => Item::Chunk(c),
                    Err(e) => Item::Record(Err(e)),
                })
                .try_for_each(|r| send(&tx, r, stop)),
            Err(e) => {
                let file: std::sync::Arc<str> = input.path.display().to_string().into();
                let err = RecordError {
                    id: file.to_string(),
                    message: e.message,
                    source: SourcePos { file, line: 0 },
                    raw: None,
                };
                send(&tx, Item::Record(Err(err)), stop)
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

/// Sends `item` on, unless the run is stopping or the other end is gone (`Err`).
fn send(tx: &SyncSender<Item>, item: Item, stop: &AtomicBool) -> Result<(), ()> {
    if stop.load(Ordering::Relaxed) {
        return Err(());
    }
    tx.send(item).map_err(|_| ())
}

/// Waits for the next item, giving up when the run stops or is interrupted.
fn recv(rx: &Receiver<Item>, stop: &AtomicBool, interrupt: &AtomicBool) -> Option<Item> {
    loop {
        if stop.load(Ordering::Relaxed) || interrupt.load(Ordering::Relaxed) {
            return None;
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(item) => return Some(item),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

fn batch_records(rx: Receiver<Item>, tx: SyncSender<(u64, Work)>, stop: &AtomicBool, interrupt: &AtomicBool) {
    let mut seq = 0;
    let mut send = |work: Work| {
        let ok = tx.send((seq, work)).is_ok();
        seq += 1;
        ok
    };
    let mut next = recv(&rx, stop, interrupt);
    while let Some(first) = next.take() {
        if stop.load(Ordering::Relaxed) || interrupt.load(Ordering::Relaxed) {
            return;
        }
        let mut batch = match first {
            Item::Chunk(c) => {
                if !send(Work::Chunk(c)) {
                    return;
                }
                next = recv(&rx, stop, interrupt);
                continue;
            }
            Item::Record(r) => {
                let mut b = Vec::with_capacity(BATCH);
                b.push(r);
                b
            }
        };
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(Item::Record(r)) => batch.push(r),
                Ok(chunk) => {
                    next = Some(chunk);
                    break;
                }
                Err(_) => break,
            }
        }
        if !send(Work::Records(batch)) {
            return;
        }
        if next.is_none() {
            next = recv(&rx, stop, interrupt);
        }
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
    run_until(engine, inputs, opts, sinks, progress, &AtomicBool::new(false))
}

/// [`run`], stopping early and consistently once `interrupt` is set (see the module docs).
///
/// # Errors
/// A sink failed to write.
pub fn run_until(
    engine: &Engine,
    inputs: Vec<Input>,
    opts: &RunOptions,
    sinks: &mut [&mut dyn Sink],
    progress: &mut dyn Progress,
    interrupt: &AtomicBool,
) -> io::Result<RunResult> {
    let jobs = opts.jobs.max(1);
    let mut policy = opts.author_policy.then(|| engine.author_policy());
    let stop = Arc::new(AtomicBool::new(false));
    // Records are small and are batched from this queue; JSONL chunks are big and go on whole.
    let all_jsonl = inputs.iter().all(|i| i.format == read::Format::Jsonl);
    let (rec_tx, rec_rx) = mpsc::sync_channel::<Item>(if all_jsonl { jobs + 1 } else { BATCH * 4 });
    let (batch_tx, batch_rx) = mpsc::sync_channel::<(u64, Work)>(jobs * 2);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Done)>(jobs * 2);
    // Written batches go back to the judge threads to be freed there: freeing a batch's
    // records (bodies, verdicts, rendered bytes) was 40 % of this thread's work, and this thread
    // is the one part of the run that does not scale with `-j` (docs/bench.md). With one judge
    // thread, this thread has a core of its own and frees them itself.
    let (spent_tx, spent_rx) = mpsc::sync_channel::<Done>(jobs * 2);
    let spent_tx = (jobs > 1).then_some(spent_tx);
    let spent_rx = Mutex::new(spent_rx);
    // Output is rendered on the judge threads; what the author policy changes is rendered again.
    let renderers: Vec<Renderer> = sinks.iter().filter_map(|s| s.renderer()).collect();
    let renderers = &renderers[..];
    let hash = policy.is_some();
    let batch_rx = Mutex::new(batch_rx);
    // Detached: a read that never returns must not keep an interrupted run from ending.
    let read_opts = opts.read.clone();
    let reader_stop = Arc::clone(&stop);
    crate::startup_trace::mark("pipeline start");
    std::thread::spawn(move || read_all(inputs, read_opts, rec_tx, reader_stop));
    let result = std::thread::scope(|s| -> io::Result<()> {
        let (stop, batch_rx, spent_rx) = (&*stop, &batch_rx, &spent_rx);
        s.spawn(move || batch_records(rec_rx, batch_tx, stop, interrupt));
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let engine = engine.clone();
            s.spawn(move || {
                let mut scratch = Scratch::default();
                loop {
                    free_spent(spent_rx);
                    let next = batch_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, work))) = next else { return };
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    crate::startup_trace::mark("judge: batch received");
                    let done = judge_batch(&engine, &mut scratch, work, renderers, hash);
                    crate::startup_trace::mark("judge: batch judged");
                    if done_tx.send((seq, done)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let written =
            write_in_order(&done_rx, spent_tx.as_ref(), sinks, policy.as_mut(), progress, !renderers.is_empty());
        drop(spent_tx);
        if written.is_err() {
            // Let every thread see the stop and run dry, so the scope can end.
            stop.store(true, Ordering::Relaxed);
            while done_rx.recv().is_ok() {}
        }
        written
    });
    result?;
    crate::startup_trace::mark("pipeline threads joined");
    for sink in sinks.iter_mut() {
        sink.finish()?;
    }
    crate::startup_trace::mark("sinks finished");
    Ok(RunResult {
        authors: policy.map(|p| p.report()).unwrap_or_default(),
        interrupted: interrupt.load(Ordering::Relaxed),
    })
}

/// Frees the batches the writer is done with, if another judge thread is not already at it.
fn free_spent(spent: &Mutex<Receiver<Done>>) {
    if let Ok(rx) = spent.try_lock() {
        while let Ok(done) = rx.try_recv() {
            drop(done);
        }
    }
}

fn write_in_order(
    done_rx: &Receiver<(u64, Done)>,
    spent: Option<&SyncSender<Done>>,
    sinks: &mut [&mut dyn Sink],
    mut policy: Option<&mut crate::decide::author::AuthorPolicy>,
    progress: &mut dyn Progress,
    rendering: bool,
) -> io::Result<()> {
    // Which sinks have a renderer, in the order the judge threads rendered them.
    let rendered: Vec<bool> = sinks.iter().map(|s| rendering && s.renderer().is_some()).collect();
    let per_record = rendered.iter().filter(|&&r| r).count();
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
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
        while let Some(mut done) = pending.remove(&next) {
            next += 1;
            let mut bytes = 0u64;
            let has_bytes = !done.ends.is_empty();
            let mut k = 0;
            let mut start = 0;
            for (i, judged) in done.judged.iter_mut().enumerate() {
                let mut changed = false;
                if let (Some(p), Ok(c)) = (policy.as_deref_mut(), &judged.record) {
                    let hash = match done.hashes.get(i) {
                        Some(h) => *h,
                        None => author::body_hash(&c.body),
                    };
                    changed = p.apply_hashed(c, &mut judged.verdict, hash);
                }
                if let Ok(c) = &judged.record {
                    bytes += c.body.len() as u64;
                }
                for (sink, &r) in sinks.iter_mut().zip(&rendered) {
                    if r && has_bytes {
                        let end = done.ends[k];
                        if changed {
                            sink.write(judged)?;
                        } else {
                            sink.write_rendered(judged, &done.bytes[start..end])?;
                        }
                        start = end;
                        k += 1;
                    } else {
                        sink.write(judged)?;
                    }
                }
            }
            debug_assert!(!has_bytes || k == done.judged.len() * per_record);
            progress.advance(done.judged.len() as u64, bytes);
            // Freed on a judge thread; here only when they are all busy with a full queue.
            if let Some(spent) = spent {
                let _ = spent.try_send(done);
            }
        }
    }
    debug_assert!(pending.is_empty(), "every batch is written");
    Ok(())
}
