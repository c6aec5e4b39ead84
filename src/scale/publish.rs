//! `publish`: every record of the inputs, in order, to the input stream: one message per
//! record, or with `--batch N` one message per up to N consecutive records of one input.
//!
//! A single-record message carries its run and its index in the run in headers and
//! `Nats-Msg-Id = run:index`; a batch message its run, its first index, its record count
//! (`Moderate-Batch`) and `Nats-Msg-Id = run:first-last`, its payload the records as
//! [`wire::push_batch_item`] items. Batches close at N records, at an input's end and before
//! the server's `max_payload`, and nowhere else, so the same inputs always make the same
//! batches: a publish interrupted and run again (same inputs, same run, same `--batch`) is
//! dropped by the server's de-duplication window for every message already stored, and
//! `collect` can restore the input order whatever order the verdicts come back in.
//!
//! Publishes are pipelined: up to [`IN_FLIGHT`] messages wait for their acks at once (one
//! round trip per message would bound the rate at 1/RTT). A publish whose ack fails (the
//! server restarting) is sent again, with the same id, until it is acked or
//! [`RETRY_FOR`] has passed: the id makes the retry safe.
//!
//! A run is framed by two markers on `<verdicts>.runs`: a start marker (the inputs, for
//! `collect --split`) before the first record, an end marker (the record count) after the last
//! ack. `collect` knows the run is complete from the end marker.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::nats::{Headers, Js, Pending};
use super::wire::{self, Envelope};
use super::Names;
use crate::read::{self, Format, Input, ReadOptions, Record, RecordError};

/// Messages published and not yet acked, at most.
pub const IN_FLIGHT: usize = 1024;

/// Bytes published and not yet acked, at most (batch messages are large).
const IN_FLIGHT_BYTES: usize = 16 << 20;

/// How long a message is retried when its ack fails, before `publish` gives up.
pub const RETRY_FOR: Duration = Duration::from_secs(120);

/// Bytes kept free under the server's `max_payload` for headers.
const HEADER_ROOM: usize = 1024;

/// Messages sent in one write.
const WRITE_BATCH: usize = 256;

/// How long a publish waits for its ack before it is sent again.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A publish waiting for its ack: what to send again if it does not come, and its record count.
type InFlight = (Headers, Vec<u8>, u64, Pending);

/// A run marker (start: `records` is None; end: the record count).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunMarker {
    /// The run's name.
    pub run: String,
    /// The inputs as given, with their formats (what `collect --split` writes back to).
    pub inputs: Vec<(String, Format)>,
    /// Whether records carry their original bytes.
    pub raw: bool,
    /// Records in the run (end marker only).
    #[serde(default)]
    pub records: Option<u64>,
    /// The start marker's stream sequence (end marker only): where `collect` starts reading.
    #[serde(default)]
    pub start_seq: Option<u64>,
}

/// What a publish did.
#[derive(Debug, Default)]
pub struct Published {
    /// Records published (new or already stored).
    pub records: u64,
    /// Of those, already in the stream (a re-run).
    pub duplicates: u64,
    /// Records that could not be read (published as error records; workers give them an
    /// `error` verdict).
    pub unreadable: u64,
    /// Stopped by an interrupt before the end marker.
    pub interrupted: bool,
}

/// What to publish as: the run's name and the records per message (`publish --batch`).
#[derive(Debug, Clone, Copy)]
pub struct RunSpec<'a> {
    /// The run's name.
    pub name: &'a str,
    /// Records per message, at most (1: one message per record).
    pub batch: usize,
}

/// Publishes `inputs` as run `spec.name`, up to `spec.batch` records per message. `advance` is
/// called with the records done so far.
///
/// # Errors
/// The streams cannot be created, or a message could not be stored within [`RETRY_FOR`].
pub async fn publish(
    js: &Js,
    names: &Names,
    inputs: Vec<Input>,
    read_opts: ReadOptions,
    spec: RunSpec<'_>,
    interrupt: &AtomicBool,
    advance: &mut dyn FnMut(u64),
) -> Result<Published, String> {
    let (run, batch) = (spec.name, spec.batch);
    super::setup::input_stream(js, names).await?;
    super::setup::verdict_stream(js, names).await?;
    let max_payload = js.client.max_payload().saturating_sub(HEADER_ROOM).max(HEADER_ROOM);
    let mut marker = RunMarker {
        run: run.to_string(),
        inputs: inputs.iter().map(|i| (i.path.display().to_string(), i.format)).collect(),
        raw: read_opts.keep_raw,
        records: None,
        start_seq: None,
    };
    let start = marker_payload(&marker)?;
    let start_seq = publish_retrying(js, &names.runs(), &marker_headers(run, "start"), &start).await?.0;

    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Record)>(4096);
    std::thread::spawn(move || read_inputs(inputs, &read_opts, &tx));
    let mut out = Published::default();
    let mut flight: VecDeque<InFlight> = VecDeque::with_capacity(IN_FLIGHT + WRITE_BATCH);
    let mut flight_bytes = 0usize;
    let mut open = Open::new(run, batch.max(1), max_payload);
    let mut ready: Vec<(Headers, Vec<u8>, u64)> = Vec::with_capacity(WRITE_BATCH);
    let mut ended = false;
    while !ended {
        // Wait for one record, then take what the reader has ready, up to a write's worth of
        // messages: one write for all of them.
        match rx.recv().await {
            Some((input, record)) => open.add(input, &record, &mut out, &mut ready)?,
            None => ended = true,
        }
        while !ended && ready.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok((input, record)) => open.add(input, &record, &mut out, &mut ready)?,
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => ended = true,
            }
        }
        if ended {
            open.close(&mut ready);
        }
        if !ready.is_empty() {
            let pending = js.publish_many(ready.iter().map(|(h, p, _)| (names.input.as_str(), h, p.as_slice())));
            flight_bytes += ready.iter().map(|m| m.1.len()).sum::<usize>();
            flight.extend(ready.drain(..).zip(pending).map(|((h, p, n), w)| (h, p, n, w)));
        }
        if flight.len() >= IN_FLIGHT || flight_bytes >= IN_FLIGHT_BYTES {
            settle(js, &names.input, &mut flight, &mut flight_bytes, IN_FLIGHT / 2, &mut out).await?;
            advance(out.records);
        }
        // An interrupt leaves the open batch unsent: the re-run makes it whole, with its id.
        if interrupt.load(Ordering::Relaxed) {
            out.interrupted = !ended;
            break;
        }
    }
    settle(js, &names.input, &mut flight, &mut flight_bytes, 0, &mut out).await?;
    advance(out.records);
    if out.interrupted {
        return Ok(out);
    }
    let index = open.next;
    marker.records = Some(index);
    marker.start_seq = Some(start_seq);
    publish_retrying(js, &names.runs(), &marker_headers(run, &format!("end:{index}")), &marker_payload(&marker)?)
        .await?;
    Ok(out)
}

/// Waits for acks until at most `keep` messages are in flight, re-sending failed ones.
async fn settle(
    js: &Js,
    subject: &str,
    flight: &mut VecDeque<InFlight>,
    flight_bytes: &mut usize,
    keep: usize,
    out: &mut Published,
) -> Result<(), String> {
    while flight.len() > keep || (*flight_bytes > IN_FLIGHT_BYTES / 2 && !flight.is_empty()) {
        let Some((headers, payload, records, pending)) = flight.pop_front() else { break };
        *flight_bytes -= payload.len();
        let duplicate = match js.pub_ack(pending, ACK_TIMEOUT).await {
            Ok(ack) => ack.duplicate,
            Err(e) => {
                tracing::warn!("publish not acked ({e}); sending again");
                publish_retrying(js, subject, &headers, &payload).await?.1
            }
        };
        out.records += records;
        out.duplicates += if duplicate { records } else { 0 };
    }
    Ok(())
}

/// Publishes one message and waits for its ack, retrying (same id) for up to [`RETRY_FOR`].
/// Returns the stream sequence and whether it was a duplicate.
///
/// # Errors
/// Not stored within [`RETRY_FOR`].
pub async fn publish_retrying(
    js: &Js,
    subject: &str,
    headers: &Headers,
    payload: &[u8],
) -> Result<(u64, bool), String> {
    let deadline = Instant::now() + RETRY_FOR;
    let mut pause = Duration::from_millis(100);
    loop {
        match js.publish(subject, headers, payload).await {
            Ok(ack) => return Ok((ack.seq, ack.duplicate)),
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("publishing to {subject}: not stored after {}s: {e}", RETRY_FOR.as_secs()))
            }
            Err(e) => {
                tracing::warn!("publishing to {subject}: {e}; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// The batch being filled: consecutive records of one input.
struct Open<'a> {
    run: &'a str,
    /// Records per message, at most.
    batch: usize,
    /// Payload bytes per message, at most.
    max_payload: usize,
    /// The input the records came from.
    input: usize,
    /// The first record's index and each record's frame.
    first: u64,
    frames: Vec<Vec<u8>>,
    bytes: usize,
    /// The next record's index in the run.
    next: u64,
}

/// Bytes of a batch item's header line (`<index> <length>\n`), at most.
const ITEM_HEAD: usize = 48;

impl<'a> Open<'a> {
    fn new(run: &'a str, batch: usize, max_payload: usize) -> Open<'a> {
        Open { run, batch, max_payload, input: 0, first: 0, frames: Vec::new(), bytes: 0, next: 0 }
    }

    /// Adds a record, first closing the batch when the record cannot join it (another input,
    /// the batch full, or too many bytes with it).
    fn add(
        &mut self,
        input: usize,
        record: &Record,
        out: &mut Published,
        ready: &mut Vec<(Headers, Vec<u8>, u64)>,
    ) -> Result<(), String> {
        out.unreadable += u64::from(record.is_err());
        let frame = payload_of(record, self.max_payload)?;
        if !self.frames.is_empty()
            && (input != self.input
                || self.frames.len() >= self.batch
                || self.bytes + frame.len() + ITEM_HEAD > self.max_payload)
        {
            self.close(ready);
        }
        if self.frames.is_empty() {
            self.input = input;
            self.first = self.next;
        }
        self.bytes += frame.len() + ITEM_HEAD;
        self.frames.push(frame);
        self.next += 1;
        if self.batch == 1 {
            self.close(ready);
        }
        Ok(())
    }

    /// Makes the message of the records held: a single-record message for one record (so
    /// `--batch 1` is the one-message-per-record contract), else a batch message.
    fn close(&mut self, ready: &mut Vec<(Headers, Vec<u8>, u64)>) {
        let n = self.frames.len() as u64;
        match n {
            0 => {}
            1 => ready.push((record_headers(self.run, self.first), self.frames.pop().unwrap_or_default(), 1)),
            _ => {
                let mut payload = Vec::with_capacity(self.bytes);
                for (i, f) in self.frames.drain(..).enumerate() {
                    wire::push_batch_item(&mut payload, self.first + i as u64, &f);
                }
                ready.push((batch_headers(self.run, self.first, n), payload, n));
            }
        }
        self.bytes = 0;
    }
}

/// Headers of a batch message: `Nats-Msg-Id = run:first-last`.
fn batch_headers(run: &str, first: u64, n: u64) -> Headers {
    let mut h = Headers::default();
    h.insert(wire::MSG_ID, format!("{run}:{first}-{}", first + n - 1));
    h.insert(wire::RUN, run);
    h.insert(wire::INDEX, first.to_string());
    h.insert(wire::BATCH, n.to_string());
    h
}

/// Headers of a single-record message: `Nats-Msg-Id = run:index` (also what a worker uses
/// when it splits a batch, so a repeated split dedupes).
pub fn record_headers(run: &str, index: u64) -> Headers {
    let mut h = Headers::default();
    h.insert(wire::MSG_ID, format!("{run}:{index}"));
    h.insert(wire::RUN, run);
    h.insert(wire::INDEX, index.to_string());
    h
}

fn marker_headers(run: &str, what: &str) -> Headers {
    let mut h = Headers::default();
    h.insert(wire::MSG_ID, format!("{run}:{what}"));
    h.insert(wire::RUN, run);
    h
}

fn marker_payload(m: &RunMarker) -> Result<Vec<u8>, String> {
    serde_json::to_vec(m).map_err(|e| format!("run marker: {e}"))
}

/// The message for one record. A record too big for the server becomes an error record
/// (a worker gives it an `error` verdict), so it still has its one line in the output.
fn payload_of(record: &Record, max_payload: usize) -> Result<Vec<u8>, String> {
    let (env, raw) = Envelope::of(record);
    let bytes = wire::frame(&env, raw).map_err(|e| format!("encoding a record: {e}"))?;
    if bytes.len() <= max_payload {
        return Ok(bytes);
    }
    let too_big = Envelope::of(&Err(RecordError {
        id: env.id.chars().take(1024).collect(),
        message: format!(
            "record of {} bytes is larger than the NATS server's max_payload ({max_payload} bytes usable)",
            bytes.len()
        ),
        source: match record {
            Ok(c) => c.source.clone().unwrap_or(crate::comment::SourcePos { file: "-".into(), line: 0 }),
            Err(e) => e.source.clone(),
        },
        raw: None,
    }))
    .0;
    wire::frame(&too_big, None).map_err(|e| format!("encoding a record: {e}"))
}

/// The reader thread: every record of every input, in order (an input that cannot be opened
/// is one error record, as in `run`).
fn read_inputs(inputs: Vec<Input>, opts: &ReadOptions, tx: &tokio::sync::mpsc::Sender<(usize, Record)>) {
    for (n, input) in inputs.into_iter().enumerate() {
        match read::open(&input, opts) {
            Ok(records) => {
                for r in records {
                    if tx.blocking_send((n, r)).is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                let file: std::sync::Arc<str> = input.path.display().to_string().into();
                let err = RecordError {
                    id: file.to_string(),
                    message: e.message,
                    source: crate::comment::SourcePos { file, line: 0 },
                    raw: None,
                };
                if tx.blocking_send((n, Err(err))).is_err() {
                    return;
                }
            }
        }
    }
}
