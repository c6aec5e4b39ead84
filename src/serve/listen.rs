//! Accepting connections, with the bounds a public socket needs.
//!
//! Why not `axum::serve`: it gives hyper no timer, so hyper's header read timeout never runs.
//! A client that trickles its request headers a byte at a time (slowloris), or connects and
//! sends nothing, held its socket forever, and a few thousand of them exhaust the process's
//! file descriptors; nor does it bound the number of connections. Here:
//!
//! - **Headers** (and, on a keep-alive connection, the wait for the next request) must arrive
//!   within `header_timeout`, or the connection is closed (hyper's `header_read_timeout`).
//! - **Bodies** must arrive within `--read-timeout` (408, in [`super::api::read_body`]), and a
//!   request must be answered within `--request-timeout` (503).
//! - **Writes**: a client that stops reading its answer (a batch's verdicts) is dropped once a
//!   write has made no progress for `write_timeout` ([`Stall`]).
//! - **Connections**: at most `max_connections` at once. A connection accepted beyond that
//!   closes the oldest connection that has had no request in flight for [`QUIET`] (an idle
//!   keep-alive, a socket that sent nothing, a slowloris still trickling its headers) and takes
//!   its place; until one frees or can be closed, it waits (queued, not refused). The [`QUIET`]
//!   time keeps a connection just accepted, whose request is in its socket but not read yet, from
//!   being the one closed (round 10: a burst of 2,000 clients against 4 places had 384 of them
//!   reset or closed unanswered, each by one accepted after it before its request was read).
//!   So holding idle sockets (the cheapest attack: no bytes, only file descriptors) cannot keep
//!   real requests out for the header timeout times the sockets held (round 4: 300 idle sockets
//!   against `--max-connections 16 --read-timeout 3` delayed a request 24 s; now it is answered
//!   within about [`QUIET`]). When every connection is busy, the request whose **body** has been arriving for
//!   [`GRACE`] at under [`MIN_RATE`] (a body dripped a byte at a time holds its place until
//!   `--read-timeout`, round 6b: a real request waited 2.7 s behind 8 of them with 3 s; with the
//!   default 10 s, 10 s) is answered 408 and gives its place, the slowest first ([`BodyWatch`]);
//!   a request already read is never cut, and neither is a body arriving at a usable rate.
//!
//! Shutdown is graceful: stop accepting, let every connection finish the request in flight
//! (idle keep-alive connections close at once), then return.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;

/// The bounds of [`serve`].
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest wait for a request's headers (from the connection's start or the previous answer).
    pub header_timeout: Duration,
    /// Longest a write may make no progress.
    pub write_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes the requests in flight.
///
/// # Errors
/// None today (accept errors are logged and retried); kept for the caller's `?`.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let open = Arc::new(Open::default());
    let (close_tx, close_rx) = tokio::sync::watch::channel(false);
    // Every connection task holds a sender; when all are gone, every connection has ended.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    // EMFILE and the like: wait a little rather than spin.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                // Full: an idle connection gives its place to this one, else the slowest body
                // once it has had its grace (see the module doc); looked for again while waiting.
                let waited = loop {
                    if !open.evict_idle() {
                        open.cut_slowest_body();
                    }
                    tokio::select! {
                        p = Arc::clone(&permits).acquire_owned() => break p.ok(),
                        () = tokio::time::sleep(RETRY) => {}
                        () = &mut shutdown => break None,
                    }
                };
                match waited {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Stall::new(stream, limits.write_timeout));
        let entry = open.add();
        let service = Counted {
            inner: TowerToHyperService::new(router.clone()),
            busy: Arc::clone(&entry.busy),
            body: Arc::clone(&entry.body),
        };
        let mut close = close_rx.clone();
        let done = done_tx.clone();
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            let _permit = permit;
            let _done = done;
            let _open = Registered { open: &open, id: entry.id };
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(io, service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                // Evicted while idle: dropping the connection closes the socket.
                () = entry.evict.notified() => return,
                _ = close.changed() => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = close_tx.send(true);
    drop(done_tx);
    let _ = done_rx.recv().await;
    Ok(())
}

/// The open connections, oldest first, so that a full server can close an idle one.
#[derive(Default)]
struct Open {
    inner: Mutex<OpenInner>,
}

#[derive(Default)]
struct OpenInner {
    next: u64,
    conns: BTreeMap<u64, Entry>,
}

/// One open connection: how many of its requests are in flight, the body it is receiving, and
/// how to close it.
#[derive(Clone)]
struct Entry {
    id: u64,
    busy: Arc<Activity>,
    body: Arc<BodyWatch>,
    evict: Arc<tokio::sync::Notify>,
}

/// How long a body may arrive slowly before a full server may cut it.
pub const GRACE: Duration = Duration::from_secs(2);

/// The rate (bytes a second, averaged since the body began) under which a body that has had its
/// [`GRACE`] gives its place to a new connection when the server is full. A client on a 2G
/// mobile link sends several times this.
pub const MIN_RATE: u64 = 1024;

/// How often a connection waiting for a place looks again for one to free.
const RETRY: Duration = Duration::from_millis(250);

/// How long a connection must have had no request in flight (since it was accepted, or since
/// its last answer was sent) before a full server may close it for a new one. Shorter, and a
/// burst of clients closes its own connections before their requests are read; an attacker's
/// idle sockets still give way within about this time.
pub const QUIET: Duration = Duration::from_secs(1);

/// A connection's requests in flight, and since when it has had none.
#[derive(Debug)]
struct Activity {
    busy: AtomicUsize,
    /// [`clock`] when the count last fell to 0 (or the connection was accepted).
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity { busy: AtomicUsize::new(0), idle_since: AtomicU64::new(clock()) }
    }

    /// No request in flight, for at least [`QUIET`].
    fn quiet(&self, now: u64) -> bool {
        let quiet = u64::try_from(QUIET.as_millis()).unwrap_or(u64::MAX);
        self.busy.load(Ordering::Acquire) == 0 && now.saturating_sub(self.idle_since.load(Ordering::Acquire)) >= quiet
    }
}

/// A connection's request body as it arrives ([`super::api::read_body`] reports it, through the
/// request's extensions), so that a full server can cut the slowest one.
#[derive(Debug, Default)]
pub struct BodyWatch {
    /// When the body began (milliseconds since [`clock`]'s start, plus one); 0 when none is
    /// being read.
    since: AtomicU64,
    bytes: AtomicU64,
    cut: tokio::sync::Notify,
}

/// Milliseconds since the first call (a monotonic clock shared by every connection).
fn clock() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    u64::try_from(START.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl BodyWatch {
    /// A body begins to arrive.
    pub fn start(&self) {
        self.bytes.store(0, Ordering::Release);
        self.since.store(clock() + 1, Ordering::Release);
    }

    /// `n` more bytes of it arrived.
    pub fn add(&self, n: usize) {
        self.bytes.fetch_add(n as u64, Ordering::AcqRel);
    }

    /// The body is read (or given up).
    pub fn end(&self) {
        self.since.store(0, Ordering::Release);
    }

    /// Resolves when a full server cuts this body.
    pub async fn cut(&self) {
        self.cut.notified().await;
    }

    /// Bytes a second since the body began, once it has had its [`GRACE`]; `None` before, or when
    /// no body is being read.
    fn rate(&self, now: u64) -> Option<u64> {
        let since = self.since.load(Ordering::Acquire);
        let age = now.checked_sub(since.checked_sub(1)?)?;
        let grace = u64::try_from(GRACE.as_millis()).unwrap_or(u64::MAX);
        (age >= grace).then(|| self.bytes.load(Ordering::Acquire).saturating_mul(1000) / age.max(1))
    }
}

impl Open {
    fn add(&self) -> Entry {
        let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let id = g.next;
        g.next += 1;
        let e = Entry {
            id,
            busy: Arc::new(Activity::new()),
            body: Arc::default(),
            evict: Arc::new(tokio::sync::Notify::new()),
        };
        g.conns.insert(id, e.clone());
        e
    }

    /// Closes the oldest connection that has had no request in flight for [`QUIET`], if there is
    /// one.
    fn evict_idle(&self) -> bool {
        let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = clock();
        let idle = g.conns.iter().find(|(_, e)| e.busy.quiet(now)).map(|(id, _)| *id);
        match idle.and_then(|id| g.conns.remove(&id)) {
            Some(e) => {
                // `notify_one` keeps the wake-up for a task not yet waiting.
                e.evict.notify_one();
                true
            }
            None => false,
        }
    }

    /// Cuts the slowest body under [`MIN_RATE`] that has had its [`GRACE`], if there is one
    /// (its request is answered 408, and the connection closes).
    fn cut_slowest_body(&self) {
        let g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = clock();
        let slowest = g
            .conns
            .values()
            .filter_map(|e| e.body.rate(now).filter(|&r| r < MIN_RATE).map(|r| (r, e)))
            .min_by_key(|&(r, _)| r);
        if let Some((_, e)) = slowest {
            // Only a body being read now: no wake-up is kept for a later one.
            e.body.cut.notify_waiters();
        }
    }
}

/// Takes a connection off [`Open`] when its task ends, however it ends.
struct Registered<'a> {
    open: &'a Open,
    id: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut g = self.open.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        g.conns.remove(&self.id);
    }
}

/// The connection's service, counting its requests in flight (from complete headers to the
/// last byte of the answer's body) so that [`Open::evict_idle`] never closes a connection
/// mid-request or mid-answer.
struct Counted<S> {
    inner: S,
    busy: Arc<Activity>,
    body: Arc<BodyWatch>,
}

impl<S, RB, B> hyper::service::Service<hyper::Request<RB>> for Counted<S>
where
    S: hyper::service::Service<hyper::Request<RB>, Response = hyper::Response<B>>,
{
    type Response = hyper::Response<Guarded<B>>;
    type Error = S::Error;
    type Future = InFlight<S::Future>;

    fn call(&self, mut req: hyper::Request<RB>) -> Self::Future {
        req.extensions_mut().insert(Arc::clone(&self.body));
        InFlight { fut: Box::pin(self.inner.call(req)), busy: Some(Busy::new(&self.busy)) }
    }
}

/// One request in flight on a connection, counted until dropped.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(count: &Arc<Activity>) -> Busy {
        count.busy.fetch_add(1, Ordering::AcqRel);
        Busy(Arc::clone(count))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        // Stamped before the count falls, so a full server never sees 0 with an old stamp.
        self.0.idle_since.store(clock(), Ordering::Release);
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request's answer being made; its [`Busy`] passes to the answer's body.
struct InFlight<F> {
    fut: Pin<Box<F>>,
    busy: Option<Busy>,
}

impl<F, B, E> Future for InFlight<F>
where
    F: Future<Output = Result<hyper::Response<B>, E>>,
{
    type Output = Result<hyper::Response<Guarded<B>>, E>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                let busy = self.busy.take();
                Poll::Ready(r.map(|res| res.map(|inner| Guarded { inner, _busy: busy })))
            }
        }
    }
}

/// An answer's body that keeps its connection counted as busy until it is sent (or dropped).
struct Guarded<B> {
    inner: B,
    _busy: Option<Busy>,
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for Guarded<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// A stream whose writes fail (`TimedOut`) once one has been pending for longer than its
/// timeout: a client that stops reading cannot hold a connection forever.
struct Stall<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write is pending; reset by any progress.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Stall<S> {
    fn new(inner: S, timeout: Duration) -> Stall<S> {
        Stall { inner, timeout, deadline: None }
    }

    /// After a pending write: arms the deadline (once) and fails when it has passed.
    fn pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let timeout = self.timeout;
        let d = self.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match d.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stall<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stall<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Pending => self.pending(cx).map(|r| r.map(|()| 0)),
            done => {
                self.deadline = None;
                done
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.pending(cx).map(|r| r.map(|()| 0)),
            done => {
                self.deadline = None;
                done
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => self.pending(cx),
            done => {
                self.deadline = None;
                done
            }
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
