//! Scale-out on NATS JetStream: `publish` → N `worker`s → `collect` (docs/scale-out.md).
//!
//! ```text
//!  publish ──► stream <IN> (work queue) ──► worker × N ──► stream <VERDICTS> ──► collect
//!  (records,    comments.in, file storage,   (shared durable    comments.verdicts   (orders by run
//!   Nats-Msg-Id  dedupe window)               pull consumer;     comments.dead       index, author
//!   run:index)                                judge, publish,    <verdicts>.runs     policy, sinks)
//!                                             then ack)
//! ```
//!
//! Judging is pure, so workers judge each comment alone; everything stateful (the author
//! policy) runs in `collect`, on one thread, in the order `publish` read the records, exactly
//! as `run`'s writer does. So 1 or N workers, killed and restarted or not, give the verdicts
//! `run` gives.
//!
//! Only built with the `nats` feature; nothing here runs unless a NATS command is used.

pub mod collect;
pub mod nats;
pub mod publish;
pub mod setup;
pub mod wire;
pub mod worker;

use std::time::Duration;

/// The subjects and streams of one deployment, derived from the command-line flags.
#[derive(Debug, Clone)]
pub struct Names {
    /// Input records (`comments.in`).
    pub input: String,
    /// Verdict records (`comments.verdicts`).
    pub verdicts: String,
    /// Dead letters (`comments.dead`).
    pub dead: String,
}

impl Names {
    /// The names for these subjects.
    pub fn new(input: &str, verdicts: &str, dead: &str) -> Names {
        Names { input: input.to_string(), verdicts: verdicts.to_string(), dead: dead.to_string() }
    }

    /// The subject of the run markers `publish` writes (in the verdict stream, so `collect`
    /// reads one stream).
    pub fn runs(&self) -> String {
        format!("{}.runs", self.verdicts)
    }

    /// The input stream's name: the input subject in capitals, `.`/`*`/`>` as `_`.
    pub fn input_stream(&self) -> String {
        stream_name(&self.input)
    }

    /// The verdict stream's name (holds verdicts, dead letters and run markers).
    pub fn verdict_stream(&self) -> String {
        stream_name(&self.verdicts)
    }
}

fn stream_name(subject: &str) -> String {
    subject.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// Connects to NATS. Reconnects forever once connected (a restarted server is waited for);
/// the first connection gets `timeout` before the command fails with a clear message.
///
/// # Errors
/// No server answered at `url`.
pub async fn connect(url: &str, timeout: Duration) -> Result<nats::Js, String> {
    nats::Client::connect(url, timeout)
        .await
        .map(nats::Js::new)
        .map_err(|e| format!("--nats {url}: cannot connect: {e}"))
}

/// A runtime for a NATS command: one thread is plenty for I/O; workers judge on it too.
///
/// # Errors
/// The OS refused a thread or an event loop.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// A short, stable name of a run: SHA-256 over each input as given, its length and its
/// modification time, so publishing the same files again (after a crash) dedupes and
/// publishing changed files is a new run. Input from stdin or a pipe makes a new run each time.
pub fn run_id(inputs: &[crate::read::Input]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for i in inputs {
        // A stream (stdin, a pipe) cannot be published twice the same: every run is new.
        if crate::read::is_stream(&i.path) {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            h.update(now.as_nanos().to_le_bytes());
        }
        h.update(i.path.to_string_lossy().as_bytes());
        h.update([0]);
        if let Ok(m) = std::fs::metadata(&i.path) {
            h.update(m.len().to_le_bytes());
            if let Ok(t) = m.modified().map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default()) {
                h.update(t.as_nanos().to_le_bytes());
            }
        }
    }
    crate::serve::reload::hex(&h.finalize()[..8])
}

/// A run name given on the command line is used in headers and message ids: keep it to
/// letters, digits, `-` and `_`.
///
/// # Errors
/// The name is empty, longer than 64 bytes, or holds another character.
pub fn check_run_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!("--run {name:?}: use 1 to 64 letters, digits, '-' or '_'"));
    }
    Ok(())
}
