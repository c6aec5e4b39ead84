//! The streams and the shared consumer, created when missing by whichever command comes first.
//!
//! - Input stream: work-queue retention (a record is gone once a worker acked its verdict),
//!   file storage (a restarted server still has it), a de-duplication window of
//!   [`DEDUPE_WINDOW`] on `Nats-Msg-Id` (a re-run `publish` adds nothing).
//! - Verdict stream: limits retention (kept until purged; `collect` may read it more than
//!   once), file storage, the same window (a verdict published twice by two workers, the first
//!   of which died before its ack, is stored once).
//! - Consumer: durable, pull, explicit ack; `ack_wait` until a dead worker's messages go to
//!   another; `max_deliver` = the worker's limit + 1, so the delivery after the last allowed
//!   one still reaches a worker, which dead-letters it (see [`super::worker`]).

use std::time::Duration;

use super::nats::{ConsumerConfig, Js, StreamConfig};
use super::Names;

/// How long `Nats-Msg-Id`s are remembered: a `publish` re-run within this time adds nothing.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(3600);

/// The shared consumer's limits.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerLimits {
    /// How long a worker may hold a message before it is given to another.
    pub ack_wait: Duration,
    /// Deliveries before a message is dead-lettered.
    pub max_deliver: i64,
    /// Messages delivered but not acked, over all workers.
    pub max_ack_pending: i64,
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("NATS: {what}: {e}")
}

/// The input stream (created if missing). A stream of its name that stores other subjects, or
/// keeps them with another retention, is refused, not used (see [`Js::get_or_create_stream`]).
///
/// # Errors
/// JetStream is not enabled, the stream exists with other subjects or another retention, or
/// another stream stores the subject (named).
pub async fn input_stream(js: &Js, names: &Names) -> Result<(), String> {
    js.get_or_create_stream(&StreamConfig {
        name: names.input_stream(),
        subjects: vec![names.input.clone()],
        retention: "workqueue",
        storage: "file",
        duplicate_window: DEDUPE_WINDOW.as_nanos() as u64,
        num_replicas: 1,
    })
    .await
    .map(|_| ())
    .map_err(|e| err(&format!("stream {} for {}", names.input_stream(), names.input), e))
}

/// The verdict stream (created if missing): verdicts, dead letters and run markers.
///
/// # Errors
/// JetStream is not enabled, the stream exists with other subjects or another retention, or a
/// subject is taken by another stream (named).
pub async fn verdict_stream(js: &Js, names: &Names) -> Result<(), String> {
    js.get_or_create_stream(&StreamConfig {
        name: names.verdict_stream(),
        subjects: vec![names.verdicts.clone(), names.runs(), names.dead.clone()],
        retention: "limits",
        storage: "file",
        duplicate_window: DEDUPE_WINDOW.as_nanos() as u64,
        num_replicas: 1,
    })
    .await
    .map(|_| ())
    .map_err(|e| err(&format!("stream {} for {}", names.verdict_stream(), names.verdicts), e))
}

/// The durable pull consumer all workers named `queue` share (created if missing; an existing
/// one keeps the limits it was created with).
///
/// # Errors
/// The consumer could not be created or read.
pub async fn work_consumer(js: &Js, names: &Names, queue: &str, limits: ConsumerLimits) -> Result<(), String> {
    js.get_or_create_durable(
        &names.input_stream(),
        &ConsumerConfig {
            durable_name: Some(queue.to_string()),
            filter_subject: Some(names.input.clone()),
            deliver_policy: "all",
            ack_policy: "explicit",
            ack_wait: Some(limits.ack_wait.as_nanos() as u64),
            max_deliver: Some(limits.max_deliver + 1),
            max_ack_pending: Some(limits.max_ack_pending),
            replay_policy: "instant",
            ..ConsumerConfig::default()
        },
    )
    .await
    .map_err(|e| err(&format!("consumer {queue}"), e))
}
