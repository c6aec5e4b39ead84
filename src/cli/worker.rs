//! `moderate worker`: judge records from the NATS input stream (docs/scale-out.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{CliError, CliResult};
use crate::scale::{self, setup::ConsumerLimits, worker::WorkerOptions};
use crate::serve::reload::{self, Reloader, Snapshot};

/// Arguments of `moderate worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The server and the subjects.
    #[command(flatten)]
    pub nats: super::publish::NatsArgs,
    /// Config file (default: ./config.toml, else the built-in pack). Reloaded on SIGHUP and
    /// when a file it reads changes.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Name of the work queue (the durable consumer): workers with the same name share the
    /// records, each judged by one of them.
    #[arg(long, default_value = "moderate")]
    pub queue: String,
    /// Seconds a worker may hold a message unacked before it goes to another worker (a batch
    /// of records that comes back is split into single records: keep this well above the time
    /// to judge one worker batch).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub ack_wait: u64,
    /// Deliveries of a failing record before it goes to the dead-letter subject.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_deliver: u16,
    /// Messages (records, or batches of them from `publish --batch`) delivered and not yet
    /// acked, over all workers of the queue.
    #[arg(long, default_value_t = 4096)]
    pub max_ack_pending: u32,
    /// Records pulled (and judged) per batch (fewer messages are pulled when each holds a
    /// batch of records).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub batch: u16,
    /// Send each record back with its verdict: needed by `collect --split` and
    /// `collect --queue` (the verdict file, the summary and `--authors` do without).
    #[arg(long)]
    pub records: bool,
    /// No summary at exit.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs `moderate worker` until SIGINT or SIGTERM.
pub fn run(args: WorkerArgs) -> CliResult {
    let names = args.nats.names()?;
    if args.queue.is_empty()
        || args.queue.len() > 64
        || !args.queue.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(CliError::usage(format!("--queue {:?}: use 1 to 64 letters, digits, '-' or '_'", args.queue)));
    }
    let path = reload::resolve_config(args.config.as_deref());
    // Loaded on the thread that loads every reload (see serve's ConfigThread).
    let thread = reload::ConfigThread::spawn().map_err(|e| CliError::failure(format!("cannot start a thread: {e}")))?;
    let p = path.clone();
    let first = thread
        .call(move || super::common::load_config(p.as_deref(), false).map(|l| Snapshot::new(l, p.as_deref())))
        .ok_or_else(|| CliError::failure("the config thread stopped"))??;
    // Watching stays in `watch` below (None here).
    let reloader = Reloader::new(first, path, thread, None, None);
    let opts = WorkerOptions {
        names,
        queue: args.queue.clone(),
        limits: ConsumerLimits {
            ack_wait: Duration::from_secs(args.ack_wait.max(1)),
            max_deliver: i64::from(args.max_deliver.max(1)),
            max_ack_pending: i64::from(args.max_ack_pending.max(1)),
        },
        batch: usize::from(args.batch.max(1)),
        records: args.records,
    };
    let rt = scale::runtime().map_err(|e| CliError::failure(format!("starting: {e}")))?;
    let mut stats = scale::worker::WorkerStats::default();
    // Connected before anything is said: a worker that never ran reports its error alone, not
    // a start line and a "stopped: 0 verdicts" summary before it.
    let js = rt.block_on(args.nats.connect())?;
    let result = rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(false);
        watch(Arc::clone(&reloader), tx)?;
        // Said once the streams and the consumer exist: a record published after this line is
        // stored (before, it was said first, and a record published at once could be lost).
        let start_line = format!(
            "worker on {} (queue {}), config {}; Ctrl-C or SIGTERM to stop",
            opts.names.input,
            opts.queue,
            reloader.current().hash
        );
        scale::worker::work(js, &opts, reloader, rx, &mut stats, || eprintln!("{start_line}"))
            .await
            .map_err(CliError::failure)
    });
    // A worker that failed before it judged anything (no JetStream) says only why.
    if !args.quiet && (result.is_ok() || stats.judged > 0 || stats.dead > 0) {
        eprintln!(
            "worker stopped: {} verdicts published ({} error records), {} dead-lettered, {} retried, {} batches split ({} records sent back alone)",
            stats.judged, stats.errors, stats.dead, stats.retried, stats.split_batches, stats.split_records
        );
    }
    result
}

/// SIGINT/SIGTERM stop the worker (after the batch in hand); SIGHUP or a changed config file
/// reloads the config (polled each second, as `serve` does).
fn watch(reloader: Arc<Reloader>, stop: tokio::sync::watch::Sender<bool>) -> CliResult {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let failed = |e: std::io::Error| CliError::failure(format!("installing signal handlers: {e}"));
        let mut int = signal(SignalKind::interrupt()).map_err(failed)?;
        let mut term = signal(SignalKind::terminate()).map_err(failed)?;
        let mut hup = signal(SignalKind::hangup()).map_err(failed)?;
        tokio::spawn(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            let _ = stop.send(true);
        });
        tokio::spawn(async move {
            let mut seen = None;
            loop {
                let why = tokio::select! {
                    _ = hup.recv() => "SIGHUP",
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {
                        if !reloader.changed_and_settled(&mut seen) { continue; }
                        "config file changed"
                    }
                };
                let _ = reloader.reload(why).await;
            }
        });
    }
    #[cfg(not(unix))]
    {
        let _ = reloader;
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop.send(true);
            }
        });
    }
    Ok(())
}
