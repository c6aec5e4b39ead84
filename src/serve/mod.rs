//! `moderate serve`: the pipeline as a live HTTP service in front of a comment form.
//!
//! ```text
//!            ┌──────────── reload (SIGHUP, file change) ──► Reloader: Arc<Snapshot> swapped whole
//!            ▼
//!  HTTP ──► api / akismet ──► input (strict parse) ──► live: Engine::judge, then under one lock
//!   │                                                   the author policy, ledger line, queue
//!   └──► /metrics, /v1/status, /healthz, /v1/openapi.json
//! ```
//!
//! One module per concern: [`api`] (routes, guard, errors), [`input`] (request bodies →
//! comments), [`akismet`] (the Akismet-compatible endpoints), [`reload`] (snapshots and hot
//! reload, on one config thread), [`live`] (judging with state: author policy, review queue),
//! [`ledger`] (the audit trail and `replay`), [`metrics`] (Prometheus counters), [`listen`]
//! (accepting connections: header and idle timeouts, stalled writes, a connection limit). The server only wires stages that
//! `run` also uses: the engine, the author policy, the verdict record's rendering, the review
//! queue's sink; it re-implements none of them.
//!
//! Safe by default: binds `127.0.0.1`; a token is required to listen anywhere else; bodies,
//! comments and batches have size limits; reading a body and answering have timeouts; SIGTERM
//! or SIGINT stop accepting, finish the requests in flight, then flush the ledger and the
//! queue before the process exits.

pub mod akismet;
pub mod api;
pub mod input;
pub mod ledger;
pub mod listen;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod reload;

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use self::input::Limits;
use self::live::Live;
use self::metrics::Metrics;
use self::reload::Reloader;
use crate::write::Renderer;

/// How the server runs (resolved from the command line).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The config file (None: the built-in pack).
    pub config: Option<PathBuf>,
    /// Review queue database for flagged comments.
    pub queue: Option<PathBuf>,
    /// Verdict ledger.
    pub ledger: Option<PathBuf>,
    /// Labeled JSONL for Akismet submit-spam / submit-ham feedback.
    pub feedback: Option<PathBuf>,
    /// The API token (required when `addr` is not loopback).
    pub token: Option<String>,
    /// Size limits.
    pub limits: Limits,
    /// Longest time to read a request body.
    pub read_timeout: Duration,
    /// Longest time to answer a request.
    pub request_timeout: Duration,
    /// How often to look for config changes.
    pub watch_interval: Duration,
    /// Judge threads (tokio workers).
    pub threads: usize,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// Everything a request handler can reach. One per server.
pub struct App {
    /// The config now serving, and reloading.
    pub reloader: Arc<Reloader>,
    /// Author policy, ledger, queue.
    pub live: Live,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Size limits.
    pub limits: Limits,
    /// Required token, if any.
    pub token: Option<String>,
    /// `Host` values accepted (empty: any).
    pub allowed_hosts: Vec<String>,
    /// Longest time to read a body.
    pub read_timeout: Duration,
    /// Connection bounds (headers, stalled writes, how many).
    pub conn_limits: listen::ConnLimits,
    /// Server start.
    pub started: Instant,
    /// Server start, seconds since 1970.
    pub started_at: u64,
    /// Counter for ids of comments sent without one.
    pub next_id: AtomicU64,
    /// `run`'s verdict rendering.
    pub render: Renderer,
    /// Akismet feedback file.
    pub feedback: Option<(PathBuf, Mutex<BufWriter<File>>)>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl App {
    /// Builds the state: loads nothing (the caller passes the first snapshot), opens ledger,
    /// queue and feedback files.
    ///
    /// # Errors
    /// A file cannot be opened.
    /// `local` is the address actually bound (the port `--addr …:0` picked): on loopback, the
    /// `Host` header must name it.
    /// `thread` is the config thread that loaded `first` ([`reload::ConfigThread`]); every
    /// reload runs on it.
    pub fn new(
        opts: &ServeOptions,
        first: reload::Snapshot,
        thread: reload::ConfigThread,
        local: SocketAddr,
    ) -> io::Result<App> {
        let metrics = Arc::new(Metrics::default());
        let ledger = match &opts.ledger {
            Some(p) => {
                ledger::remember_config_with(p, &first.hash, &first.files, &first.binaries)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: storing the config: {e}", p.display())))?;
                Some(ledger::Ledger::open(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?)
            }
            None => None,
        };
        let queue = match &opts.queue {
            Some(p) => Some(
                live::QueueWriter::open(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        let blocks = match &opts.queue {
            Some(p) => Some(
                live::BlockWatcher::start(p, live::BLOCKS_INTERVAL)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        let feedback = match &opts.feedback {
            Some(p) => {
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
                Some((p.clone(), Mutex::new(BufWriter::new(f))))
            }
            None => None,
        };
        let allowed_hosts = crate::localhttp::loopback_hosts(local);
        let render = crate::write::Sink::renderer(&crate::write::jsonl::JsonlSink::new(io::sink()))
            .ok_or_else(|| io::Error::other("the JSONL sink has no renderer"))?;
        // A config is stored beside the ledger before it is swapped in, so no ledger line
        // names a config that is not stored.
        let before_swap: Option<reload::BeforeSwap> = opts.ledger.clone().map(|path| {
            Box::new(move |snap: &reload::Snapshot| {
                if let Err(e) = ledger::remember_config_with(&path, &snap.hash, &snap.files, &snap.binaries) {
                    tracing::error!("ledger: cannot store config {}: {e}", snap.hash);
                }
            }) as reload::BeforeSwap
        });
        let watch = Some(opts.watch_interval);
        Ok(App {
            reloader: Reloader::new(first, opts.config.clone(), thread, watch, before_swap),
            live: match blocks {
                Some(b) => Live::new(ledger, queue, Arc::clone(&metrics)).with_review_blocks(b),
                None => Live::new(ledger, queue, Arc::clone(&metrics)),
            },
            metrics,
            limits: opts.limits,
            token: opts.token.clone().filter(|t| !t.is_empty()),
            allowed_hosts,
            read_timeout: opts.read_timeout,
            conn_limits: listen::ConnLimits {
                max_connections: opts.max_connections,
                header_timeout: opts.read_timeout,
                write_timeout: opts.read_timeout,
            },
            started: Instant::now(),
            started_at: reload::now_secs(),
            next_id: AtomicU64::new(0),
            render,
            feedback,
        })
    }

    /// Reloads the config (on the config thread; a good one is stored beside the ledger first).
    pub async fn reload(self: &Arc<Self>, why: &str) {
        let _ = self.reloader.reload(why).await;
    }
}

/// Runs the server on `listener` until SIGTERM / SIGINT (or `stop` turns true), then finishes
/// the requests in flight and flushes the ledger and the queue.
///
/// # Errors
/// The listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    request_timeout: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> io::Result<()> {
    let (quit_tx, quit_rx) = tokio::sync::watch::channel(false);
    // SIGHUP reloads.
    #[cfg(unix)]
    let hup = {
        let app = Arc::clone(&app);
        let mut quit = quit_rx.clone();
        tokio::spawn(async move {
            let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
            loop {
                tokio::select! {
                    r = s.recv() => if r.is_none() { return },
                    _ = quit.changed() => return,
                }
                app.reload("SIGHUP").await;
            }
        })
    };
    let shutdown = async move {
        let signal = crate::localhttp::shutdown_signal();
        let stopped = async {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            () = signal => {},
            () = stopped => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    };
    let router = api::router(Arc::clone(&app), request_timeout);
    let served = listen::serve(listener, router, app.conn_limits, shutdown).await;
    let _ = quit_tx.send(true);
    #[cfg(unix)]
    let _ = hup.await;
    // Every request has been answered: make what they recorded durable.
    let app2 = Arc::clone(&app);
    let _ = tokio::task::spawn_blocking(move || {
        app2.reloader.close();
        app2.live.close();
        if let Some((_, f)) = &app2.feedback {
            if let Ok(mut f) = f.lock() {
                let _ = std::io::Write::flush(&mut *f);
                let _ = f.get_ref().sync_all();
            }
        }
    })
    .await;
    served
}
