//! `moderate serve`: the pipeline as a live HTTP service (see [`crate::serve`] and docs/serve.md).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{CliError, CliResult};
use crate::serve::input::Limits;
use crate::serve::{reload, App, ServeOptions};

/// Arguments of `moderate serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (a port of 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8788", value_name = "HOST:PORT")]
    pub addr: String,
    /// Config file (default: ./config.toml, else the built-in pack). Reloaded on SIGHUP and
    /// when it or a rule file changes.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Store flagged comments in this review-queue database (SQLite), for `moderate review serve`.
    #[arg(long, value_name = "FILE")]
    pub queue: Option<PathBuf>,
    /// Append one JSONL line per verdict (input, config hash, version) to FILE; see `moderate replay`.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Append Akismet submit-spam / submit-ham decisions to FILE as labeled JSONL (for `moderate eval`).
    #[arg(long, value_name = "FILE")]
    pub feedback: Option<PathBuf>,
    /// Token every request must carry (Authorization: Bearer T; Akismet `key`). Required when
    /// not listening on loopback.
    #[arg(long, env = "MODERATE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Most bytes in a request body (413 above).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Most bytes in one comment's text (413 above).
    #[arg(long, default_value_t = 64 << 10, value_name = "BYTES")]
    pub max_comment: usize,
    /// Most comments in one request (413 above).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_batch: usize,
    /// Seconds a client may take to send a request's headers (the connection is closed after;
    /// on a keep-alive connection this is also how long it may stay idle), its body (408
    /// after), or to take a write of the answer.
    /// 1 to 86400 (a day).
    // Bounded: `Instant + u64::MAX seconds` panicked on the first request.
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub read_timeout: u64,
    /// Most connections open at once; at the limit a new one closes the oldest idle connection,
    /// else cuts (408) a request body arriving under 1 KiB/s for 2 s, else waits in the backlog.
    /// 1 to 65536.
    // Bounded: `usize::MAX` panicked sizing the connection semaphore.
    #[arg(long, default_value_t = 512, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65_536))]
    pub max_connections: usize,
    /// Seconds a request may take in all (503 after).
    /// 1 to 86400 (a day).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub request_timeout: u64,
    /// How often to look for changed config or rule files, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub watch_interval: u64,
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_parser = super::jobs_parser())]
    pub jobs: Option<usize>,
    /// Log lines on stderr as text or as JSON objects (one per line). At the default level
    /// (`info`; `MODERATE_LOG` overrides) one line per request: route, status, latency,
    /// verdicts and config hash, never a comment's text.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-12-02T07:00:00Z INFO request method=POST path=/v1/check status=200 ...`
    Text,
    /// `{"timestamp":"...","level":"INFO","message":"request","method":"POST",...}`
    Json,
}

/// Sets up `tracing` for the server: level from `MODERATE_LOG` (default `info`), on stderr.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MODERATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    match format {
        LogFormat::Text => builder.with_ansi(crate::term::color_stderr()).init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
    }
}

/// Runs `moderate serve`.
pub fn run(args: ServeArgs) -> CliResult {
    let addr: SocketAddr = args
        .addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| CliError::usage(format!("--addr {}: not a HOST:PORT address", args.addr)))?;
    let token = args.token.clone().filter(|t| !t.trim().is_empty());
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(CliError::usage(format!(
            "--addr {addr} is not a loopback address: give a --token (or MODERATE_TOKEN) so strangers cannot use the service"
        )));
    }
    let json_logs = args.log_format == LogFormat::Json;
    let config = reload::resolve_config(args.config.as_deref());
    // Load once with the CLI's diagnostics (errors with carets, exit 2), on the thread that
    // will load every reload too (one malloc arena for every config; see ConfigThread).
    let thread = reload::ConfigThread::spawn().map_err(|e| CliError::failure(format!("cannot start a thread: {e}")))?;
    let path = config.clone();
    let first = thread
        .call(move || {
            let loaded = super::common::load_config(path.as_deref(), false)?;
            Ok::<_, CliError>(reload::Snapshot::new(loaded, path.as_deref()))
        })
        .ok_or_else(|| CliError::failure("the config thread stopped"))??;
    let opts = ServeOptions {
        addr,
        config,
        queue: args.queue,
        ledger: args.ledger,
        feedback: args.feedback,
        token,
        limits: Limits { max_body: args.max_body, max_comment: args.max_comment, max_batch: args.max_batch.max(1) },
        read_timeout: Duration::from_secs(args.read_timeout.max(1)),
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        watch_interval: Duration::from_millis(args.watch_interval.max(50)),
        max_connections: args.max_connections.max(1),
        threads: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.threads)
        .enable_all()
        .build()
        .map_err(|e| CliError::failure(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let hash = first.hash.clone();
        let rules = first.engine.rules().len();
        let origin = first.engine.origin().to_string();
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|e| CliError::failure(format!("cannot listen on {}: {e}", opts.addr)))?;
        let local = listener.local_addr().map_err(|e| CliError::failure(e.to_string()))?;
        let app = Arc::new(App::new(&opts, first, thread, local).map_err(|e| CliError::usage(e.to_string()))?);
        let ready = format!("listening on http://{local} ({origin}, {rules} rules, config {hash})");
        if json_logs {
            tracing::info!("{ready}");
        } else {
            eprintln!("moderate serve: {ready}");
        }
        let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        crate::serve::serve(listener, app, opts.request_timeout, stop_rx)
            .await
            .map_err(|e| CliError::failure(format!("server: {e}")))?;
        if json_logs {
            tracing::info!("stopped; ledger and queue flushed");
        } else {
            eprintln!("moderate serve: stopped; ledger and queue flushed");
        }
        Ok(())
    })
}
