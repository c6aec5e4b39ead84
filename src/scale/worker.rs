//! `worker`: one of many judges sharing the durable pull consumer.
//!
//! Per batch of delivered messages: judge each record (with the config snapshot current when
//! the batch started, see [`crate::serve::reload`]), publish the verdicts, and ack an input
//! only once its verdicts' publish is acked. A message may hold a batch of records
//! (`publish --batch`): each is judged alone, and poison stays isolated per record: a batch
//! delivered a second time (its worker died or timed out) is not judged but sent back to the
//! input subject as single-record messages (`Nats-Msg-Id = run:index`, so a repeated split
//! dedupes), as is a record of a batch whose judging fails; those then follow the
//! single-record path below. So a worker that dies at any point loses
//! nothing: what it did not ack is delivered again after `ack_wait`, and a verdict it had
//! already published is dropped by the verdict stream's de-duplication (and by `collect`).
//!
//! What never blocks the stream:
//! - A message that is not a record (no `Moderate-Run`/`Moderate-Index` headers: not from
//!   `publish`) goes to the dead-letter subject at once, with the reason.
//! - A message with the headers whose body is not a record gets an `error` verdict, as `run`
//!   gives an unreadable line.
//! - A message that fails (its judging panics, its verdict cannot be stored) is negatively
//!   acked and retried; on its `max_deliver`-th delivery the failure goes to the dead-letter
//!   subject instead. One delivered once more than that (every worker that took it died, so
//!   nobody could say why) is dead-lettered without being judged again.
//!
//! `collect` turns a dead letter of a run into that record's `error` verdict, so the output
//! still has one line per input.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use super::nats::{Ack, Headers, Js, JsMsg, Puller};
use super::publish::publish_retrying;
use super::setup::{self, ConsumerLimits};
use super::wire::{self, Envelope};
use super::Names;
use crate::comment::SourcePos;
use crate::engine::Scratch;
use crate::read::RecordError;
use crate::serve::reload::Reloader;
use crate::verdict::Verdict;
use crate::write::{Judged, Sink};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The subjects.
    pub names: Names,
    /// The durable consumer's name (workers with the same name share the work).
    pub queue: String,
    /// The consumer's limits (used when this worker creates it).
    pub limits: ConsumerLimits,
    /// Messages judged per batch (pulled up to 256 per request, two requests ahead).
    pub batch: usize,
    /// Send each record back with its verdict (`collect --split`/`--queue` need it; the
    /// verdict file, the summary and the author policy do not).
    pub records: bool,
}

/// What a worker did.
#[derive(Debug, Default, Clone, Copy)]
pub struct WorkerStats {
    /// Verdicts published and inputs acked.
    pub judged: u64,
    /// Of those, `error` verdicts (unreadable records).
    pub errors: u64,
    /// Messages sent to the dead-letter subject.
    pub dead: u64,
    /// Messages handed back for another try.
    pub retried: u64,
    /// Batch messages delivered again (a worker died or timed out on them), sent back as
    /// single records unjudged.
    pub split_batches: u64,
    /// Records of batches sent back alone (those of split batches, and records that failed).
    pub split_records: u64,
}

/// A run name and index from a message's headers, when both are well-formed.
pub fn position_of(headers: &Headers) -> Option<(String, u64)> {
    let run = headers.get(wire::RUN)?;
    super::check_run_name(run).ok()?;
    let index = headers.get(wire::INDEX)?.parse().ok()?;
    Some((run.to_string(), index))
}

/// Records a delivered message says it holds (1 unless it is a batch).
fn records_in(headers: &Headers) -> usize {
    headers.get(wire::BATCH).and_then(|n| n.parse::<usize>().ok()).unwrap_or(1).clamp(1, 1 << 16)
}

/// Header values must not hold line breaks; keep them short too.
fn header_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).take(500).collect()
}

/// Bytes of a message kept for its headers when checking it against the server's max_payload.
const HEADER_ROOM: usize = 1024;

/// How long a pull request stays open on the server.
const PULL_EXPIRES: Duration = Duration::from_secs(5);

/// How long a batch of verdict publishes waits for its acks.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// Judges messages from the connected `js` until `stop` turns true (the batch in hand is
/// finished first). `ready` is called once, when the streams and the consumer are set up: a
/// record published after it is stored and will be judged (the start line is printed there, so
/// that a script that publishes once it sees it loses nothing).
///
/// # Errors
/// The streams or the consumer cannot be set up at first.
pub async fn work(
    js: Js,
    opts: &WorkerOptions,
    reloader: Arc<Reloader>,
    stop: tokio::sync::watch::Receiver<bool>,
    stats: &mut WorkerStats,
    ready: impl FnOnce(),
) -> Result<(), String> {
    let mut ready = Some(ready);
    let names = &opts.names;
    let max_deliver = opts.limits.max_deliver.max(1);
    let batch = opts.batch.max(1);
    let mut scratch = Scratch::default();
    let mut first = true;
    while !*stop.borrow() {
        let setup = async {
            setup::input_stream(&js, names).await?;
            setup::verdict_stream(&js, names).await?;
            setup::work_consumer(&js, names, &opts.queue, opts.limits).await
        };
        match setup.await {
            Ok(()) => {}
            Err(e) if first => return Err(e),
            Err(e) => {
                tracing::warn!("{e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        }
        first = false;
        if let Some(ready) = ready.take() {
            ready();
        }
        let mut puller = Puller::new(&js, &names.input_stream(), &opts.queue, batch, PULL_EXPIRES);
        let mut per_pull = batch;
        while !*stop.borrow() {
            let msgs = match puller.next(per_pull, Duration::from_millis(500)).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("pulling from {}: {e}; setting up again", names.input);
                    break;
                }
            };
            if !msgs.is_empty() {
                // `batch` counts records: pull fewer messages when they carry several each.
                let records: usize = msgs.iter().map(|m| records_in(&m.msg.headers)).sum();
                per_pull = (batch * msgs.len() / records.max(1)).clamp(1, batch);
                puller.set_batch(per_pull);
                handle_batch(&js, opts, msgs, &reloader, &mut scratch, max_deliver, stats).await;
            }
        }
    }
    // One round trip after the last acks: the server answers in order, so they were written
    // before the process exits (else they would come back after ack_wait).
    let _ = js.stream_state(&names.input_stream()).await;
    Ok(())
}

/// What comes of one delivered message.
enum Plan {
    /// Its verdicts went into these verdict messages (indexes into the outgoing chunks) and
    /// these records go back to the input subject one by one (indexes into the splits): it is
    /// acked once all of them are stored.
    Done { chunks: Vec<usize>, splits: Vec<usize>, judged: u64, errors: u64 },
    /// Judging or storing failed: retried, or dead-lettered at the last delivery.
    Fail(String),
    /// Dead-lettered at once.
    Dead(String),
}

/// A record of a batch sent back to the input subject as a message of its own.
struct Split {
    headers: Headers,
    frame: Vec<u8>,
}

/// Verdict messages being filled: one per run (a batch may mix runs), a new one when the size
/// limit is reached.
#[derive(Default)]
struct Batches {
    chunks: Vec<Chunk>,
}

struct Chunk {
    run: String,
    indexes: Vec<u64>,
    payload: Vec<u8>,
}

impl Batches {
    /// Adds a record's frame; returns the chunk it went into.
    fn add(&mut self, run: &str, index: u64, frame: &[u8], limit: usize) -> usize {
        let fits = |c: &Chunk| c.run == run && c.payload.len() + frame.len() + 48 <= limit;
        let at = match self.chunks.iter().rposition(|c| c.run == run) {
            Some(i) if fits(&self.chunks[i]) => i,
            _ => {
                self.chunks.push(Chunk { run: run.to_string(), indexes: Vec::new(), payload: Vec::new() });
                self.chunks.len() - 1
            }
        };
        let c = &mut self.chunks[at];
        c.indexes.push(index);
        wire::push_batch_item(&mut c.payload, index, frame);
        at
    }
}

impl Chunk {
    /// The message: its id is the run and a hash of the indexes it holds, so the same records
    /// published again (a retry) are stored once, and a different mix is a new message that
    /// `collect` dedupes record by record.
    fn finish(self, config: &str) -> (Headers, Vec<u8>) {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for i in &self.indexes {
            hash.update(i.to_le_bytes());
        }
        let mut h = Headers::default();
        h.insert(wire::MSG_ID, format!("{}:b:{}", self.run, crate::serve::reload::hex(&hash.finalize()[..12])));
        h.insert(wire::RUN, &self.run);
        h.insert(wire::BATCH, self.indexes.len().to_string());
        h.insert(wire::FORMAT, wire::FORMAT_LINE);
        h.insert(wire::CONFIG, config);
        (h, self.payload)
    }
}

/// What a batch is judged with and into.
struct Judging<'a> {
    names: &'a Names,
    engine: &'a crate::engine::Engine,
    scratch: &'a mut Scratch,
    max_payload: usize,
    batches: Batches,
    splits: Vec<Split>,
    /// Send the records back ([`WorkerOptions::records`]).
    records: bool,
    /// The verdict line, as `collect`'s verdict file has it.
    render: crate::write::Renderer,
    /// Reused for each item.
    item: Vec<u8>,
}

impl Judging<'_> {
    /// Judges one record frame into a verdict chunk. Returns the chunk and whether the verdict
    /// is `error`, or why it failed.
    fn judge(&mut self, run: &str, index: u64, frame: &[u8], seq: u64) -> Result<(usize, bool), String> {
        let (judged, bad) = plan_for(frame, self.names, index, seq, self.engine, self.scratch)?;
        let error = judged.verdict.verdict == crate::verdict::Decision::Error;
        let out = &mut self.item;
        out.clear();
        (self.render)(&judged, out).map_err(|e| format!("encoding the verdict: {e}"))?;
        let record = self.records.then(|| bad.as_deref().unwrap_or(frame));
        wire::push_author_fields(out, &wire::AuthorFields::of(judged.record), record)
            .map_err(|e| format!("encoding the verdict: {e}"))?;
        let out = &self.item;
        // The server closes a connection that sends more than max_payload: never send it.
        if out.len() + HEADER_ROOM > self.max_payload {
            return Err(format!(
                "the verdict message ({} bytes) is larger than the server's max_payload ({})",
                out.len(),
                self.max_payload
            ));
        }
        let chunk = self.batches.add(run, index, out, self.max_payload - HEADER_ROOM);
        Ok((chunk, error))
    }

    /// Queues a record of a batch to go back to the input subject alone.
    fn split(&mut self, run: &str, index: u64, frame: &[u8]) -> usize {
        self.splits.push(Split { headers: super::publish::record_headers(run, index), frame: frame.to_vec() });
        self.splits.len() - 1
    }

    /// The plan for one delivered message.
    fn plan(&mut self, msg: &JsMsg, pos: Option<&(String, u64)>, max_deliver: i64, stats: &mut WorkerStats) -> Plan {
        let delivered = msg.info.delivered;
        let Some((run, index)) = pos else {
            return Plan::Dead(format!(
                "not a record from `moderate publish`: no valid {}/{} headers",
                wire::RUN,
                wire::INDEX
            ));
        };
        if msg.msg.headers.get(wire::BATCH).is_some() {
            return self.plan_batch(msg, run, stats);
        }
        if delivered > max_deliver {
            return Plan::Dead(format!(
                "delivered {delivered} times and never acked: each worker that took it died or timed out"
            ));
        }
        match self.judge(run, *index, &msg.msg.payload, msg.info.stream_seq) {
            Ok((chunk, error)) => {
                Plan::Done { chunks: vec![chunk], splits: vec![], judged: 1, errors: u64::from(error) }
            }
            Err(reason) => Plan::Fail(reason),
        }
    }

    /// A batch message: on its first delivery each record is judged, and a record that fails
    /// goes back alone (so it alone is retried and dead-lettered); on a later delivery (a
    /// worker died or timed out on it) nothing is judged: every record goes back alone.
    fn plan_batch(&mut self, msg: &JsMsg, run: &str, stats: &mut WorkerStats) -> Plan {
        let items = match batch_items(&msg.msg.payload) {
            Ok(items) => items,
            Err(e) => return Plan::Dead(format!("not a batch of records: {e}")),
        };
        let whole = msg.info.delivered > 1;
        stats.split_batches += u64::from(whole);
        let (mut chunks, mut splits, mut judged, mut errors) = (Vec::new(), Vec::new(), 0, 0);
        for (index, frame) in items {
            let judged_ok = if whole { None } else { self.judge(run, index, frame, msg.info.stream_seq).ok() };
            match judged_ok {
                Some((chunk, error)) => {
                    if !chunks.contains(&chunk) {
                        chunks.push(chunk);
                    }
                    judged += 1;
                    errors += u64::from(error);
                }
                None => {
                    stats.split_records += 1;
                    splits.push(self.split(run, index, frame));
                }
            }
        }
        Plan::Done { chunks, splits, judged, errors }
    }
}

/// The items of a batch message, checked before anything is judged.
fn batch_items(payload: &[u8]) -> Result<Vec<(u64, &[u8])>, String> {
    let mut items = Vec::new();
    let mut rest = payload;
    while let Some((index, frame, tail)) = wire::batch_item(rest)? {
        items.push((index, frame));
        rest = tail;
    }
    if items.is_empty() {
        return Err("no records in it".into());
    }
    Ok(items)
}

/// Judges a batch of delivered messages, publishes the verdicts (one message per run of the
/// batch) and the records of split batches in one write, waits for their acks together, then
/// acks the inputs whose verdicts and splits are all stored, in one write. Failures are
/// retried or dead-lettered one by one (rare).
async fn handle_batch(
    js: &Js,
    opts: &WorkerOptions,
    msgs: Vec<JsMsg>,
    reloader: &Reloader,
    scratch: &mut Scratch,
    max_deliver: i64,
    stats: &mut WorkerStats,
) {
    let (names, records) = (&opts.names, opts.records);
    let snap = reloader.current();
    let mut judging = Judging {
        names,
        engine: &snap.engine,
        scratch,
        max_payload: js.client.max_payload(),
        batches: Batches::default(),
        splits: Vec::new(),
        records,
        render: crate::write::jsonl::JsonlSink::new(std::io::sink()).renderer().unwrap_or(render_line),
        item: Vec::with_capacity(1024),
    };
    // Judge everything first.
    let mut planned = Vec::with_capacity(msgs.len());
    for msg in msgs {
        let pos = position_of(&msg.msg.headers);
        let plan = judging.plan(&msg, pos.as_ref(), max_deliver, stats);
        planned.push((msg, pos, plan));
    }
    let (batches, splits) = (judging.batches, judging.splits);
    let outgoing: Vec<(Headers, Vec<u8>)> = batches.chunks.into_iter().map(|c| c.finish(&snap.hash)).collect();
    let pending = js.publish_many(
        outgoing
            .iter()
            .map(|(h, p)| (names.verdicts.as_str(), h, p.as_slice()))
            .chain(splits.iter().map(|s| (names.input.as_str(), &s.headers, s.frame.as_slice()))),
    );
    let deadline = tokio::time::Instant::now() + ACK_TIMEOUT;
    let mut stored = Vec::with_capacity(pending.len());
    for p in pending {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        stored.push(js.pub_ack(p, left.max(Duration::from_millis(1))).await.map_err(|e| e.to_string()));
    }
    let (chunk_stored, split_stored) = stored.split_at(outgoing.len());
    let mut acks = Vec::with_capacity(planned.len() * 64);
    let mut failed = Vec::new();
    for (msg, pos, plan) in planned {
        let plan = match plan {
            Plan::Done { chunks, splits, judged, errors } => {
                let missing = chunks
                    .iter()
                    .filter_map(|&c| chunk_stored[c].as_ref().err())
                    .map(|e| format!("publishing the verdict: {e}"))
                    .chain(
                        splits
                            .iter()
                            .filter_map(|&s| split_stored[s].as_ref().err())
                            .map(|e| format!("splitting the batch: {e}")),
                    )
                    .next();
                match missing {
                    None => {
                        stats.judged += judged;
                        stats.errors += errors;
                        msg.encode_ack(Ack::Ack, &mut acks);
                        continue;
                    }
                    Some(reason) => Plan::Fail(reason),
                }
            }
            other => other,
        };
        failed.push((msg, pos, plan));
    }
    js.client.send_raw(acks);
    for (msg, pos, plan) in failed {
        let delivered = msg.info.delivered;
        let batch = msg.msg.headers.get(wire::BATCH).is_some();
        let reason = match plan {
            Plan::Dead(reason) => reason,
            // A batch is never dead-lettered whole for a failure: it comes back and is split.
            Plan::Fail(reason) if delivered >= max_deliver && !batch => {
                format!("failed {delivered} times; last: {reason}")
            }
            Plan::Fail(reason) => {
                tracing::warn!("delivery {delivered} of {max_deliver} failed: {reason}; retrying later");
                stats.retried += 1;
                let mut b = Vec::new();
                msg.encode_ack(Ack::Nak(Duration::from_secs(1)), &mut b);
                js.client.send_raw(b);
                continue;
            }
            Plan::Done { .. } => continue,
        };
        let mut b = Vec::new();
        match dead_letter(js, names, &msg, pos.as_ref(), &reason, delivered).await {
            Ok(()) => {
                stats.dead += 1;
                msg.encode_ack(Ack::Term, &mut b);
            }
            Err(e) => {
                tracing::error!("dead-lettering failed ({e}); the message will come back");
                msg.encode_ack(Ack::Nak(Duration::from_secs(1)), &mut b);
            }
        }
        js.client.send_raw(b);
    }
}

/// The verdict line as the JSONL sink renders it (used should that sink stop rendering).
fn render_line(j: &Judged, out: &mut Vec<u8>) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &j.verdict)?;
    out.push(b'\n');
    Ok(())
}

/// Judges one record frame; an unreadable frame is an `error` verdict, a panic a failure.
/// Returns the record with its verdict and, when the frame was not a record, the error
/// record's frame to send in its place.
fn plan_for(
    payload: &[u8],
    names: &Names,
    index: u64,
    seq: u64,
    engine: &crate::engine::Engine,
    scratch: &mut Scratch,
) -> Result<(Judged, Option<Vec<u8>>), String> {
    let env = match wire::unframe_record(payload) {
        Ok(env) => env,
        Err(e) => {
            let bad = RecordError {
                id: format!("{}#{index}", names.input),
                message: format!("message {seq} on {}: {e}", names.input),
                source: SourcePos { file: names.input.as_str().into(), line: 0 },
                raw: None,
            };
            let verdict = crate::pipeline::error_verdict(&bad);
            let record = Err(bad);
            let frame = wire::frame(&Envelope::of(&record).0, None).map_err(|e| format!("encoding: {e}"))?;
            return Ok((Judged { record, verdict }, Some(frame)));
        }
    };
    let record = env.into_record(None);
    let verdict: Verdict = match &record {
        Err(e) => crate::pipeline::error_verdict(e),
        Ok(c) => match catch_unwind(AssertUnwindSafe(|| engine.judge_with(c, scratch))) {
            Ok(v) => v,
            Err(panic) => {
                *scratch = Scratch::default();
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                return Err(format!("judging panicked: {}", header_text(&what)));
            }
        },
    };
    Ok((Judged { record, verdict }, None))
}

/// Sends `msg` to the dead-letter subject with `reason` (its body cut to fit, if need be).
async fn dead_letter(
    js: &Js,
    names: &Names,
    msg: &JsMsg,
    pos: Option<&(String, u64)>,
    reason: &str,
    delivered: i64,
) -> Result<(), String> {
    let mut h = Headers::default();
    match pos {
        Some((run, index)) => {
            h.insert(wire::MSG_ID, format!("{run}:{index}:dead"));
            h.insert(wire::RUN, run.as_str());
            h.insert(wire::INDEX, index.to_string());
        }
        None => {
            h.insert(wire::MSG_ID, format!("{}:{}:dead", names.input_stream(), msg.info.stream_seq));
        }
    }
    h.insert(wire::REASON, header_text(reason));
    h.insert(wire::DELIVERIES, delivered.to_string());
    let room = js.client.max_payload().saturating_sub(HEADER_ROOM + 512);
    tracing::warn!(reason, "dead-lettering a message to {}", names.dead);
    publish_retrying(js, &names.dead, &h, &fit(&msg.msg.payload, room)).await.map(|_| ())
}

/// `payload`, or when longer than `room`, the record with its body and raw bytes cut so that
/// it fits (so the dead letter still names the record); bytes cut blindly if it is no record.
fn fit(payload: &[u8], room: usize) -> Vec<u8> {
    if payload.len() <= room {
        return payload.to_vec();
    }
    if let Ok((mut env, _)) = wire::unframe::<Envelope>(payload) {
        let keep = room.saturating_sub(payload.len() - env.body.len() + 64).min(env.body.len());
        let mut cut = keep;
        while !env.body.is_char_boundary(cut) {
            cut -= 1;
        }
        env.body.truncate(cut);
        if let Ok(bytes) = wire::frame(&env, None) {
            if bytes.len() <= room {
                return bytes;
            }
        }
    }
    payload[..room].to_vec()
}
