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

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;

use super::publish::RunMarker;
use super::wire::{self, Envelope, VerdictMsg};
use super::Names;
use crate::comment::SourcePos;
use crate::decide::author::AuthorPolicy;
use crate::pipeline::Progress;
use crate::read::RecordError;
use crate::write::{Judged, Sink};

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
    /// Times the stream was read again to fetch verdicts passed over (see the module docs).
    pub rereads: u64,
    /// Config hashes the workers reported (more than one: the config changed mid-run).
    pub configs: Vec<String>,
    /// Stopped by an interrupt.
    pub interrupted: bool,
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("NATS: {what}: {e}")
}

/// The latest run published on these subjects.
///
/// # Errors
/// No run was ever published (or the server cannot be asked).
pub async fn latest_run(js: &jetstream::Context, names: &Names) -> Result<RunStart, String> {
    let stream = super::setup::verdict_stream(js, names).await?;
    let msg = stream
        .get_last_raw_message_by_subject(&names.runs())
        .await
        .map_err(|e| err(&format!("no run found on {} (run `moderate publish` first)", names.runs()), e))?;
    let marker: RunMarker =
        serde_json::from_slice(&msg.payload).map_err(|e| err(&format!("run marker {}", msg.sequence), e))?;
    let start_seq = marker.start_seq.unwrap_or(msg.sequence);
    Ok(RunStart { marker, start_seq })
}

/// Writes the run's verdicts to `sinks` in input order until the run is complete (or idle,
/// or stopped).
///
/// # Errors
/// A sink failed, or the verdict stream cannot be read.
#[allow(clippy::too_many_arguments)]
pub async fn collect(
    js: &jetstream::Context,
    opts: &CollectOptions,
    run: &RunStart,
    sinks: &mut [&mut dyn Sink],
    mut policy: Option<&mut AuthorPolicy>,
    progress: &mut dyn Progress,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Collected, String> {
    let names = &opts.names;
    let window = opts.window.max(1) as u64;
    let stream = super::setup::verdict_stream(js, names).await?;
    let mut out = Collected { total: run.marker.records, ..Collected::default() };
    let mut held: BTreeMap<u64, Held> = BTreeMap::new();
    let mut next = 0u64;
    let mut from = run.start_seq;
    let mut idle = Duration::ZERO;
    const TICK: Duration = Duration::from_millis(500);
    'read: loop {
        if out.total == Some(next) {
            break;
        }
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence { start_sequence: from },
                ..Default::default()
            })
            .await
            .map_err(|e| err("reading the verdict stream", e))?;
        let mut msgs = consumer.messages().await.map_err(|e| err("reading the verdict stream", e))?;
        // (stream sequence, index) of the first verdict passed over, and the lowest index.
        let mut passed: Option<(u64, u64)> = None;
        loop {
            let got = tokio::select! {
                m = tokio::time::timeout(TICK, msgs.next()) => m,
                _ = stop.changed() => { out.interrupted = true; break 'read; }
            };
            let msg = match got {
                Err(_) => {
                    for s in sinks.iter_mut() {
                        s.flush().map_err(|e| format!("writing output: {e}"))?;
                    }
                    idle += TICK;
                    if opts.idle.is_some_and(|limit| idle >= limit) {
                        break 'read;
                    }
                    continue;
                }
                Ok(None) => continue 'read,
                Ok(Some(Err(e))) => {
                    tracing::warn!("reading the verdict stream: {e}");
                    continue;
                }
                Ok(Some(Ok(m))) => m,
            };
            idle = Duration::ZERO;
            let Ok(seq) = msg.info().map(|i| i.stream_sequence) else { continue };
            let subject = msg.subject.as_str();
            if subject == names.runs() {
                if let Ok(m) = serde_json::from_slice::<RunMarker>(&msg.payload) {
                    if m.run == run.marker.run && m.records.is_some() {
                        out.total = m.records;
                    }
                }
            } else if let Some((r, index)) = super::worker::position_of(msg.headers.as_ref()) {
                if r != run.marker.run {
                    continue;
                }
                let dead = subject == names.dead;
                // A verdict replaces a dead letter still held for the same record (a worker
                // can dead-letter a record whose verdict another worker stored just before).
                let replaces = !dead && held.get(&index).is_some_and(|j| j.dead);
                if index < next || (held.contains_key(&index) && !replaces) {
                    out.duplicates += 1;
                    continue;
                }
                out.dead -= u64::from(replaces);
                if index >= next + window {
                    passed = Some(match passed {
                        None => (seq, index),
                        Some((s, i)) => (s, i.min(index)),
                    });
                    continue;
                }
                out.dead += u64::from(dead);
                if !dead {
                    if let Some(h) = msg.headers.as_ref().and_then(|h| h.get(wire::CONFIG)) {
                        if !out.configs.iter().any(|c| c == h.as_str()) {
                            out.configs.push(h.as_str().to_string());
                        }
                    }
                }
                held.insert(index, Held { judged: judged_of(&msg, names, &r, index, dead), dead });
                while let Some(Held { judged: mut j, .. }) = held.remove(&next) {
                    if let (Some(p), Ok(c)) = (policy.as_deref_mut(), &j.record) {
                        p.apply(c, &mut j.verdict);
                    }
                    for s in sinks.iter_mut() {
                        s.write(&j).map_err(|e| format!("writing output: {e}"))?;
                    }
                    progress.advance(1, j.record.as_ref().map_or(0, |c| c.body.len() as u64));
                    next += 1;
                    out.records += 1;
                }
            }
            if out.total == Some(next) {
                break 'read;
            }
            if let Some((s, lowest)) = passed {
                if lowest < next + window {
                    out.rereads += 1;
                    from = s;
                    continue 'read;
                }
            }
        }
    }
    for s in sinks.iter_mut() {
        s.finish().map_err(|e| format!("writing output: {e}"))?;
    }
    Ok(out)
}

/// A record waiting for its turn.
struct Held {
    judged: Judged,
    /// It came as a dead letter (a verdict for it, if one comes, is preferred).
    dead: bool,
}

/// The judged record a verdict message (or a dead letter) stands for.
fn judged_of(msg: &jetstream::Message, names: &Names, run: &str, index: u64, dead: bool) -> Judged {
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
        let h = msg.headers.as_ref();
        let reason = h.and_then(|h| h.get(wire::REASON)).map_or("", |v| v.as_str());
        let message = format!("dead-lettered on {}: {reason}", names.dead);
        return match wire::unframe::<Envelope>(&msg.payload) {
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
    match wire::unframe::<VerdictMsg>(&msg.payload) {
        Ok((v, raw)) => Judged { record: v.record.into_record(raw), verdict: v.verdict },
        Err(e) => fallback(format!("verdict message on {} not readable: {e}", names.verdicts)),
    }
}
