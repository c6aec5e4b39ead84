//! `worker`: one of many judges sharing the durable pull consumer.
//!
//! Per batch of delivered messages: judge each (with the config snapshot current when the
//! batch started, see [`crate::serve::reload`]), publish every verdict (pipelined), and ack an
//! input only once its verdict's publish is acked. So a worker that dies at any point loses
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

use async_nats::jetstream::{self, AckKind};
use async_nats::HeaderMap;
use futures_util::StreamExt;

use super::publish::publish_retrying;
use super::setup::{self, ConsumerLimits};
use super::wire::{self, Envelope, VerdictMsg};
use super::Names;
use crate::comment::SourcePos;
use crate::engine::Scratch;
use crate::read::RecordError;
use crate::serve::reload::Reloader;
use crate::verdict::Verdict;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The subjects.
    pub names: Names,
    /// The durable consumer's name (workers with the same name share the work).
    pub queue: String,
    /// The consumer's limits (used when this worker creates it).
    pub limits: ConsumerLimits,
    /// Messages pulled per request, and judged per batch.
    pub batch: usize,
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
}

/// A run name and index from a message's headers, when both are well-formed.
pub fn position_of(headers: Option<&HeaderMap>) -> Option<(String, u64)> {
    let h = headers?;
    let run = h.get(wire::RUN)?.as_str();
    super::check_run_name(run).ok()?;
    let index = h.get(wire::INDEX)?.as_str().parse().ok()?;
    Some((run.to_string(), index))
}

/// Header values must not hold line breaks; keep them short too.
fn header_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).take(500).collect()
}

/// Failed verdict publishes in a row (with none acked) after which the worker drops its
/// connection and makes a new one. After a server restart, a client that reconnected by itself
/// was seen to get no more publish acks (every verdict timed out); a fresh connection does.
const STALLED: u64 = 4;

/// Bytes of a message kept for its headers when checking it against the server's max_payload.
const HEADER_ROOM: usize = 1024;

/// Judges messages until `stop` turns true (the batch in hand is finished first).
///
/// # Errors
/// The server cannot be reached at first, or the streams or the consumer cannot be set up.
pub async fn work(
    url: &str,
    timeout: Duration,
    opts: &WorkerOptions,
    reloader: Arc<Reloader>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    stats: &mut WorkerStats,
) -> Result<(), String> {
    let names = &opts.names;
    let max_deliver = opts.limits.max_deliver.max(1);
    let batch = opts.batch.max(1);
    let mut scratch = Scratch::default();
    let mut first = true;
    'connect: while !*stop.borrow() {
        let setup = async {
            let js = jetstream::new(super::connect(url, timeout).await?);
            let stream = setup::input_stream(&js, names).await?;
            setup::verdict_stream(&js, names).await?;
            let consumer = setup::work_consumer(&stream, names, &opts.queue, opts.limits).await?;
            Ok::<_, String>((js, consumer))
        };
        let (js, consumer) = match setup.await {
            Ok(x) => x,
            Err(e) if first => return Err(e),
            Err(e) => {
                tracing::warn!("{e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        first = false;
        let mut failed_in_a_row = 0u64;
        'pull: loop {
            let messages = match consumer
                .stream()
                .max_messages_per_batch(batch)
                .heartbeat(Duration::from_secs(5))
                .expires(Duration::from_secs(30))
                .messages()
                .await
            {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("pulling from {}: {e}; reconnecting", names.input);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue 'connect;
                }
            };
            let mut chunks = messages.ready_chunks(batch);
            loop {
                let chunk = tokio::select! {
                    c = chunks.next() => c,
                    _ = stop.changed() => break 'connect,
                };
                let Some(chunk) = chunk else { continue 'pull };
                let mut msgs = Vec::with_capacity(chunk.len());
                for m in chunk {
                    match m {
                        Ok(m) => msgs.push(m),
                        Err(e) => tracing::warn!("pulling from {}: {e}", names.input),
                    }
                }
                let (acked, failed) = handle_batch(&js, names, msgs, &reloader, &mut scratch, max_deliver, stats).await;
                failed_in_a_row = if acked > 0 { 0 } else { failed_in_a_row + failed };
                if failed_in_a_row >= STALLED {
                    tracing::warn!("{failed_in_a_row} verdicts in a row not acked; reconnecting");
                    continue 'connect;
                }
            }
        }
    }
    Ok(())
}

/// What to do with one delivered message.
enum Plan {
    Publish(Box<VerdictMsg>, Option<Vec<u8>>),
    Fail(String),
    Dead(String),
}

async fn handle_batch(
    js: &jetstream::Context,
    names: &Names,
    msgs: Vec<jetstream::Message>,
    reloader: &Reloader,
    scratch: &mut Scratch,
    max_deliver: i64,
    stats: &mut WorkerStats,
) -> (u64, u64) {
    let (mut acked, mut failed) = (0, 0);
    let max_payload = js.client().server_info().max_payload;
    let snap = reloader.current();
    let mut sent = Vec::with_capacity(msgs.len());
    for msg in msgs {
        let (delivered, seq) = match msg.info() {
            Ok(i) => (i.delivered, i.stream_sequence),
            // Not a JetStream delivery: nothing to ack, nothing to judge.
            Err(_) => continue,
        };
        let pos = position_of(msg.headers.as_ref());
        let plan = match &pos {
            None => Plan::Dead(format!(
                "not a record from `moderate publish`: no valid {}/{} headers",
                wire::RUN,
                wire::INDEX
            )),
            Some(_) if delivered > max_deliver => Plan::Dead(format!(
                "delivered {delivered} times and never acked: each worker that took it died or timed out"
            )),
            Some((_, index)) => plan_for(&msg.payload, names, *index, seq, &snap.engine, scratch),
        };
        let plan = match plan {
            Plan::Publish(v, raw) => {
                let (run, index) = pos.as_ref().map(|(r, i)| (r.as_str(), *i)).unwrap_or(("", 0));
                match wire::frame(&v, raw.as_deref()) {
                    // The server closes a connection that sends more than max_payload: never send it.
                    Ok(payload) if payload.len() + HEADER_ROOM > max_payload => Plan::Fail(format!(
                        "the verdict message ({} bytes) is larger than the server's max_payload ({max_payload})",
                        payload.len()
                    )),
                    Ok(payload) => {
                        let mut h = HeaderMap::new();
                        h.insert(wire::MSG_ID, format!("{run}:{index}"));
                        h.insert(wire::RUN, run);
                        h.insert(wire::INDEX, index.to_string());
                        h.insert(wire::CONFIG, snap.hash.as_str());
                        let error = v.verdict.verdict == crate::verdict::Decision::Error;
                        match js.publish_with_headers(names.verdicts.clone(), h, payload.into()).await {
                            Ok(fut) => {
                                sent.push((msg, delivered, pos, Ok((fut, error))));
                                continue;
                            }
                            Err(e) => Plan::Fail(format!("publishing the verdict: {e}")),
                        }
                    }
                    Err(e) => Plan::Fail(format!("encoding the verdict: {e}")),
                }
            }
            other => other,
        };
        sent.push((msg, delivered, pos, Err(plan)));
    }
    for (msg, delivered, pos, outcome) in sent {
        let plan = match outcome {
            Ok((fut, error)) => match fut.await {
                Ok(_) => {
                    acked += 1;
                    stats.judged += 1;
                    stats.errors += u64::from(error);
                    if let Err(e) = msg.ack().await {
                        tracing::warn!("ack failed ({e}); the message will be judged again");
                    }
                    continue;
                }
                Err(e) => {
                    failed += 1;
                    Plan::Fail(format!("publishing the verdict: {e}"))
                }
            },
            Err(plan) => plan,
        };
        let reason = match plan {
            Plan::Dead(reason) => reason,
            Plan::Fail(reason) if delivered >= max_deliver => format!("failed {delivered} times; last: {reason}"),
            Plan::Fail(reason) => {
                tracing::warn!("delivery {delivered} of {max_deliver} failed: {reason}; retrying later");
                stats.retried += 1;
                let _ = msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                continue;
            }
            Plan::Publish(..) => continue,
        };
        match dead_letter(js, names, &msg, pos.as_ref(), &reason, delivered).await {
            Ok(()) => {
                stats.dead += 1;
                let _ = msg.ack_with(AckKind::Term).await;
            }
            Err(e) => {
                tracing::error!("dead-lettering failed ({e}); the message will come back");
                let _ = msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
            }
        }
    }
    (acked, failed)
}

/// Judges one message's record; an unreadable body is an `error` verdict, a panic a failure.
fn plan_for(
    payload: &[u8],
    names: &Names,
    index: u64,
    seq: u64,
    engine: &crate::engine::Engine,
    scratch: &mut Scratch,
) -> Plan {
    let (env, raw) = match wire::unframe::<Envelope>(payload) {
        Ok(x) => x,
        Err(e) => {
            let bad = RecordError {
                id: format!("{}#{index}", names.input),
                message: format!("message {seq} on {}: {e}", names.input),
                source: SourcePos { file: names.input.as_str().into(), line: 0 },
                raw: None,
            };
            let verdict = crate::pipeline::error_verdict(&bad);
            return Plan::Publish(Box::new(VerdictMsg { record: Envelope::of(&Err(bad)).0, verdict }), None);
        }
    };
    let record = env.clone().into_record(None);
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
                return Plan::Fail(format!("judging panicked: {}", header_text(&what)));
            }
        },
    };
    Plan::Publish(Box::new(VerdictMsg { record: env, verdict }), raw)
}

/// Sends `msg` to the dead-letter subject with `reason` (its body cut to fit, if need be).
async fn dead_letter(
    js: &jetstream::Context,
    names: &Names,
    msg: &jetstream::Message,
    pos: Option<&(String, u64)>,
    reason: &str,
    delivered: i64,
) -> Result<(), String> {
    let mut h = HeaderMap::new();
    match pos {
        Some((run, index)) => {
            h.insert(wire::MSG_ID, format!("{run}:{index}:dead"));
            h.insert(wire::RUN, run.as_str());
            h.insert(wire::INDEX, index.to_string());
        }
        None => {
            let seq = msg.info().map(|i| i.stream_sequence).unwrap_or(0);
            h.insert(wire::MSG_ID, format!("{}:{seq}:dead", names.input_stream()));
        }
    }
    h.insert(wire::REASON, header_text(reason));
    h.insert(wire::DELIVERIES, delivered.to_string());
    let room = js.client().server_info().max_payload.saturating_sub(HEADER_ROOM + 512);
    tracing::warn!(reason, "dead-lettering a message to {}", names.dead);
    publish_retrying(js, &names.dead, h, fit(&msg.payload, room)).await.map(|_| ())
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
