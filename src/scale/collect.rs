//! `collect`: the verdict stream back into `run`'s outputs, one record per input, in input
//! order, with the author policy applied as `run` applies it.
//!
//! Verdicts arrive in the order workers finished them; `collect` restores the order of the
//! run's index (`publish`'s read order) and drops any index it has already written (a
//! verdict published twice by a worker that died before its ack).
//!
//! # Bounded reordering
//!
//! Only indexes in `[next, next + window)` are held (`next` = the first index not yet
//! written); a verdict beyond the window is not kept but re-read later: `collect` remembers the
//! stream sequence of the first one it passed over and, once the window has moved far enough
//! to take it, reads the stream again from there (the stream is on the server's disk; what was
//! already written or held is skipped). So memory is at most `window` records whatever the
//! run size or how late a verdict comes (a worker killed holding `next`: its redelivery comes
//! `ack_wait` later, while the others go on). The price of a verdict later than `window`
//! records is one re-read of the stream from the first record passed over.

use std::collections::BTreeMap;
use std::time::Duration;

use super::nats::{ConsumerConfig, Js, JsMsg, Puller};
use super::publish::RunMarker;
use super::wire::{self, Envelope, VerdictMsg};
use super::Names;
use crate::comment::{Comment, SourcePos};
use crate::decide::author::AuthorPolicy;
use crate::pipeline::Progress;
use crate::read::{Record, RecordError};
use crate::verdict::Verdict;
use crate::write::summary::SummarySink;
use crate::write::{Judged, Sink};

/// Where the collected records go.
pub struct Outputs<'a> {
    /// The verdict JSONL sink: it gets each worker's verdict line as it came (no decoding, no
    /// encoding) unless the author policy changed the verdict.
    pub verdicts: &'a mut dyn Sink,
    /// The summary (it reads a verdict without its rule messages and matches).
    pub summary: &'a mut SummarySink,
    /// Any other sink (`--split`, `--queue`): each record with its whole verdict. They need
    /// the records, which workers send back only with `--records`.
    pub others: Vec<&'a mut dyn Sink>,
}

impl Outputs<'_> {
    fn each(&mut self, mut f: impl FnMut(&mut dyn Sink) -> std::io::Result<()>) -> Result<(), String> {
        f(&mut *self.verdicts).and_then(|()| f(&mut *self.summary)).map_err(|e| format!("writing output: {e}"))?;
        for s in self.others.iter_mut() {
            f(&mut **s).map_err(|e| format!("writing output: {e}"))?;
        }
        Ok(())
    }
}

/// How `collect` runs.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The subjects.
    pub names: Names,
    /// Most records held for reordering.
    pub window: usize,
    /// Give up when nothing arrives for this long (None: wait until the run is complete).
    pub idle: Option<Duration>,
}

/// The run to collect and where its messages start in the verdict stream.
#[derive(Debug, Clone)]
pub struct RunStart {
    /// The latest run marker.
    pub marker: RunMarker,
    /// The stream sequence of the run's start marker.
    pub start_seq: u64,
}

/// What `collect` did.
#[derive(Debug, Default)]
pub struct Collected {
    /// Records written.
    pub records: u64,
    /// The run's record count, once its end marker was seen.
    pub total: Option<u64>,
    /// Records that came as dead letters (written as `error` verdicts).
    pub dead: u64,
    /// Verdicts dropped as already written or held.
    pub duplicates: u64,
    /// Verdicts dropped for an index at or past the run's record count: not from the run's
    /// `publish` (a message put on the input subject by hand, under the run's name).
    pub past_end: u64,
    /// Times the stream was read again to fetch verdicts passed over (see the module docs).
    pub rereads: u64,
    /// Config hashes the workers reported (more than one: the config changed mid-run).
    pub configs: Vec<String>,
    /// Stopped by an interrupt.
    pub interrupted: bool,
}

impl Collected {
    /// Every record of the run is written (the end marker seen and `next` reached its count).
    fn complete(&self, next: u64) -> bool {
        self.total.is_some_and(|total| next >= total)
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("NATS: {what}: {e}")
}

/// The latest run published on these subjects.
///
/// # Errors
/// No run was ever published (or the server cannot be asked).
pub async fn latest_run(js: &Js, names: &Names) -> Result<RunStart, String> {
    super::setup::verdict_stream(js, names).await?;
    let msg = js
        .get_msg(&names.verdict_stream(), &names.runs(), None)
        .await
        .map_err(|e| err("reading the run markers", e))?
        .ok_or_else(|| format!("NATS: no run found on {} (run `moderate publish` first)", names.runs()))?;
    let marker: RunMarker =
        serde_json::from_slice(&msg.payload).map_err(|e| err(&format!("run marker {}", msg.seq), e))?;
    let start_seq = marker.start_seq.unwrap_or(msg.seq);
    Ok(RunStart { marker, start_seq })
}

/// Messages pulled per request from the verdict stream.
const PULL_BATCH: usize = 256;

/// Bytes pulled per request from the verdict stream (two requests are open at a time): a
/// verdict message holds a whole worker batch, so 256 of them could be 256 MiB.
const PULL_BYTES: usize = 16 << 20;

/// Writes the run's verdicts to `sinks` in input order until the run is complete (or idle,
/// or stopped).
///
/// The stream is read through an ephemeral pull consumer without acks, from a start sequence.
/// It has no subject filter, so stream sequences arrive one after the other: a gap (messages
/// lost with a dropped connection) or a consumer that stops answering (a server restart)
/// makes a new consumer from the first sequence not yet seen.
///
/// # Errors
/// A sink failed, or the verdict stream cannot be read.
#[allow(clippy::too_many_arguments)]
pub async fn collect(
    js: &Js,
    opts: &CollectOptions,
    run: &RunStart,
    sinks: &mut Outputs<'_>,
    mut policy: Option<&mut AuthorPolicy>,
    progress: &mut dyn Progress,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Collected, String> {
    let names = &opts.names;
    let window = opts.window.max(1) as u64;
    super::setup::verdict_stream(js, names).await?;
    let stream = names.verdict_stream();
    let mut out = Collected { total: run.marker.records, ..Collected::default() };
    let mut held: BTreeMap<u64, Held> = BTreeMap::new();
    let mut next = 0u64;
    let mut from = run.start_seq;
    let mut idle = Duration::ZERO;
    let mut failures = 0u32;
    const TICK: Duration = Duration::from_millis(500);
    'read: loop {
        if out.complete(next) {
            break;
        }
        let config = ConsumerConfig {
            deliver_policy: "by_start_sequence",
            opt_start_seq: Some(from),
            ack_policy: "none",
            inactive_threshold: Some(Duration::from_secs(60).as_nanos() as u64),
            mem_storage: true,
            replay_policy: "instant",
            ..ConsumerConfig::default()
        };
        let consumer = match js.create_ephemeral(&stream, &config).await {
            Ok(c) => c,
            Err(e) => {
                failures += 1;
                if failures > 60 {
                    return Err(err("reading the verdict stream", e));
                }
                tracing::warn!("reading the verdict stream: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        failures = 0;
        let mut puller = Puller::new(js, &stream, &consumer, PULL_BATCH, Duration::from_secs(5));
        puller.set_max_bytes(PULL_BYTES);
        // The next stream sequence expected (a gap means lost deliveries).
        let mut expect = from;
        // (stream sequence, index) of the first verdict passed over, and the lowest index.
        let mut passed: Option<(u64, u64)> = None;
        loop {
            let got = tokio::select! {
                m = puller.next(4 * PULL_BATCH, TICK) => m,
                _ = stop.changed() => { out.interrupted = true; break 'read; }
            };
            let msgs = match got {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("reading the verdict stream: {e}; reading again from {expect}");
                    from = expect;
                    continue 'read;
                }
            };
            if msgs.is_empty() {
                sinks.each(|s| s.flush())?;
                idle += TICK;
                if opts.idle.is_some_and(|limit| idle >= limit) {
                    break 'read;
                }
                continue;
            }
            idle = Duration::ZERO;
            for msg in msgs {
                let seq = msg.info.stream_seq;
                if seq < expect {
                    continue;
                }
                if seq > expect {
                    tracing::warn!("verdict stream: expected sequence {expect}, got {seq}; reading again");
                    from = expect;
                    js.delete_consumer(&stream, &consumer).await;
                    continue 'read;
                }
                expect = seq + 1;
                take(
                    &msg,
                    names,
                    run,
                    window,
                    &mut next,
                    &mut held,
                    &mut passed,
                    &mut out,
                    &mut policy,
                    sinks,
                    progress,
                )?;
                if out.complete(next) {
                    break 'read;
                }
            }
            if let Some((s, lowest)) = passed {
                if lowest < next.saturating_add(window) {
                    out.rereads += 1;
                    from = s;
                    js.delete_consumer(&stream, &consumer).await;
                    continue 'read;
                }
            }
        }
    }
    sinks.each(|s| s.finish())?;
    Ok(out)
}

/// Takes one message of the verdict stream: a run marker, a verdict or a dead letter; holds
/// it in the window (or passes over it) and writes what is now in order.
#[allow(clippy::too_many_arguments)]
fn take(
    msg: &JsMsg,
    names: &Names,
    run: &RunStart,
    window: u64,
    next: &mut u64,
    held: &mut BTreeMap<u64, Held>,
    passed: &mut Option<(u64, u64)>,
    out: &mut Collected,
    policy: &mut Option<&mut AuthorPolicy>,
    sinks: &mut Outputs<'_>,
    progress: &mut dyn Progress,
) -> Result<(), String> {
    let seq = msg.info.stream_seq;
    let subject = msg.msg.subject.as_str();
    if subject == names.runs() {
        if let Ok(m) = serde_json::from_slice::<RunMarker>(&msg.msg.payload) {
            if let (true, Some(total)) = (m.run == run.marker.run, m.records) {
                out.total = Some(total);
                let before = held.len();
                held.retain(|&index, _| index < total);
                out.past_end += (before - held.len()) as u64;
            }
        }
        return Ok(());
    }
    let headers = &msg.msg.headers;
    if headers.get(wire::RUN) != Some(run.marker.run.as_str()) {
        return Ok(());
    }
    let dead = subject == names.dead;
    if !dead {
        if let Some(h) = headers.get(wire::CONFIG) {
            if !out.configs.iter().any(|c| c == h) {
                out.configs.push(h.to_string());
            }
        }
    }
    let records = !sinks.others.is_empty();
    let mut place = |index: u64, item: &dyn Fn() -> Result<Item, String>| -> Result<(), String> {
        // A verdict replaces a dead letter still held for the same record (a worker can
        // dead-letter a record whose verdict another worker stored just before).
        let replaces = !dead && held.get(&index).is_some_and(|j| j.dead);
        if index < *next || (held.contains_key(&index) && !replaces) {
            out.duplicates += 1;
            return Ok(());
        }
        // `publish` numbers a run's records 0..count: a higher index is someone else's
        // message, and writing it would give the output more lines than the run has records
        // (and the run would never be complete).
        if out.total.is_some_and(|total| index >= total) {
            out.past_end += 1;
            return Ok(());
        }
        if index >= next.saturating_add(window) {
            *passed = Some(match *passed {
                None => (seq, index),
                Some((s, i)) => (s, i.min(index)),
            });
            return Ok(());
        }
        out.dead -= u64::from(replaces);
        out.dead += u64::from(dead);
        held.insert(index, Held { item: item()?, dead });
        while let Some(Held { item, .. }) = held.remove(next) {
            let bytes = write_item(item, policy.as_deref_mut(), sinks)?;
            progress.advance(1, bytes);
            *next += 1;
            out.records += 1;
        }
        Ok(())
    };
    if !dead && headers.get(wire::BATCH).is_some() {
        let format = headers.get(wire::FORMAT);
        let compact = format == Some(wire::FORMAT_COMPACT);
        let lines = format == Some(wire::FORMAT_LINE);
        let mut rest = msg.msg.payload.as_slice();
        loop {
            match wire::batch_item(rest) {
                Ok(Some((index, frame, tail))) if lines => {
                    place(index, &|| line_of(frame, records, names, &run.marker.run, index))?;
                    rest = tail;
                }
                Ok(Some((index, frame, tail))) => {
                    place(index, &|| Ok(Item::Judged(verdict_of(frame, compact, names, &run.marker.run, index))))?;
                    rest = tail;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("verdict message {seq} on {} is not a batch: {e}", names.verdicts);
                    break;
                }
            }
        }
        return Ok(());
    }
    let Some((r, index)) = super::worker::position_of(headers) else { return Ok(()) };
    place(index, &|| Ok(Item::Judged(judged_of(msg, names, &r, index, dead))))
}

/// A record waiting for its turn.
struct Held {
    item: Item,
    /// It came as a dead letter (a verdict for it, if one comes, is preferred).
    dead: bool,
}

/// A record as it came: whole, or (from a worker's verdict item) as its verdict line with
/// what the author policy and the summary read of it. Most records are the larger `Line`;
/// boxing it would cost an allocation per record for nothing.
#[allow(clippy::large_enum_variant)]
enum Item {
    Judged(Judged),
    Line {
        /// The verdict line, written as is unless the author policy changes the verdict.
        line: Vec<u8>,
        /// The line's [`wire::skeleton`].
        skeleton: Verdict,
        /// The comment without its body ([`wire::AuthorFields::into_comment`]).
        comment: Comment,
        hash: Option<u64>,
        body_len: u64,
        /// The record, when the worker sent it and a sink needs it.
        record: Option<Record>,
    },
}

/// The [`Item`] of a [`wire::push_author_fields`] item; an error when a sink needs the record
/// and the worker did not send it.
fn line_of(frame: &[u8], records: bool, names: &Names, run: &str, index: u64) -> Result<Item, String> {
    let unreadable = |e: String| {
        let e = RecordError {
            id: format!("{run}#{index}"),
            message: format!("verdict message on {} not readable: {e}", names.verdicts),
            source: SourcePos { file: names.input.as_str().into(), line: 0 },
            raw: None,
        };
        Item::Judged(Judged { verdict: crate::pipeline::error_verdict(&e), record: Err(e) })
    };
    let (line, fields, frame) = match wire::read_line_item(frame) {
        Ok(parts) => parts,
        Err(e) => return Ok(unreadable(e)),
    };
    let record = match (records, frame) {
        (false, _) => None,
        (true, Some(f)) => match wire::unframe::<Envelope>(f) {
            Ok((env, raw)) => Some(env.into_record(raw)),
            Err(e) => return Ok(unreadable(e)),
        },
        (true, None) => {
            return Err(format!(
                "the verdicts on {} carry no records, which --split and --queue need: start the \
                 workers with --records (and publish again), or collect without those",
                names.verdicts
            ))
        }
    };
    let skeleton = match wire::skeleton(&line[..line.len() - 1]) {
        Ok(v) => v,
        Err(e) => return Ok(unreadable(e)),
    };
    let (hash, body_len) = (fields.hash, fields.body_len);
    let comment = fields.into_comment(skeleton.id.clone());
    Ok(Item::Line { line: line.to_vec(), skeleton, comment, hash, body_len, record })
}

/// Applies the author policy to the next record in order and writes it to every sink; returns
/// its body's length. A verdict line the policy leaves alone goes to the verdict file as the
/// worker wrote it; the whole verdict is decoded only when the policy changes it or a sink
/// other than the verdict file and the summary needs it.
fn write_item(item: Item, policy: Option<&mut AuthorPolicy>, sinks: &mut Outputs<'_>) -> Result<u64, String> {
    let (mut skeleton, comment, hash, body_len, line, record) = match item {
        Item::Judged(mut j) => {
            if let (Some(p), Ok(c)) = (policy, &j.record) {
                p.apply(c, &mut j.verdict);
            }
            sinks.each(|s| s.write(&j))?;
            return Ok(j.record.as_ref().map_or(0, |c| c.body.len() as u64));
        }
        Item::Line { line, skeleton, comment, hash, body_len, record } => {
            (skeleton, comment, hash, body_len, line, record)
        }
    };
    let changed = policy.is_some_and(|p| p.apply_hashed(&comment, &mut skeleton, hash));
    let io = |e: std::io::Error| format!("writing output: {e}");
    if !changed && sinks.others.is_empty() {
        let j = Judged { record: Ok(comment), verdict: skeleton };
        sinks.verdicts.write_rendered(&j, &line).map_err(io)?;
        sinks.summary.write(&j).map_err(io)?;
        sinks.summary.summary.body_bytes += body_len;
        return Ok(body_len);
    }
    let verdict = match serde_json::from_slice::<Verdict>(&line[..line.len() - 1]) {
        Ok(mut full) => {
            if changed {
                wire::merge_policy(&mut full, skeleton);
            }
            full
        }
        // Cannot happen for a line whose skeleton read; the skeleton is the best there is.
        Err(_) => skeleton,
    };
    let lite = record.is_none();
    let j = Judged { record: record.unwrap_or(Ok(comment)), verdict };
    if changed {
        sinks.verdicts.write(&j).map_err(io)?;
    } else {
        sinks.verdicts.write_rendered(&j, &line).map_err(io)?;
    }
    sinks.summary.write(&j).map_err(io)?;
    if lite {
        sinks.summary.summary.body_bytes += body_len;
    }
    for s in sinks.others.iter_mut() {
        s.write(&j).map_err(io)?;
    }
    Ok(body_len)
}

/// The judged record a verdict message (or a dead letter) stands for.
fn judged_of(msg: &JsMsg, names: &Names, run: &str, index: u64, dead: bool) -> Judged {
    let fallback = |message: String| {
        let e = RecordError {
            id: format!("{run}#{index}"),
            message,
            source: SourcePos { file: names.input.as_str().into(), line: 0 },
            raw: None,
        };
        Judged { verdict: crate::pipeline::error_verdict(&e), record: Err(e) }
    };
    if dead {
        let reason = msg.msg.headers.get(wire::REASON).unwrap_or("");
        let message = format!("dead-lettered on {}: {reason}", names.dead);
        return match wire::unframe::<Envelope>(&msg.msg.payload) {
            Ok((env, _)) => {
                let mut e = match env.into_record(None) {
                    Ok(c) => RecordError {
                        id: c.id,
                        message: String::new(),
                        source: c.source.unwrap_or(SourcePos { file: "-".into(), line: 0 }),
                        raw: c.raw,
                    },
                    Err(e) => e,
                };
                e.message = message;
                Judged { verdict: crate::pipeline::error_verdict(&e), record: Err(e) }
            }
            Err(_) => fallback(message),
        };
    }
    verdict_of(&msg.msg.payload, false, names, run, index)
}

/// The judged record of one verdict frame, a [`wire::verdict_item`] when `compact` (an
/// `error` record when it does not read).
fn verdict_of(frame: &[u8], compact: bool, names: &Names, run: &str, index: u64) -> Judged {
    let read = if compact {
        wire::read_verdict_item(frame)
    } else {
        wire::unframe::<VerdictMsg>(frame).map(|(v, raw)| (v.verdict, v.record, raw))
    };
    match read {
        Ok((verdict, record, raw)) => Judged { record: record.into_record(raw), verdict },
        Err(e) => {
            let e = RecordError {
                id: format!("{run}#{index}"),
                message: format!("verdict message on {} not readable: {e}", names.verdicts),
                source: SourcePos { file: names.input.as_str().into(), line: 0 },
                raw: None,
            };
            Judged { verdict: crate::pipeline::error_verdict(&e), record: Err(e) }
        }
    }
}
