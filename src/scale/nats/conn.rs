//! A NATS connection on tokio: connect, buffered writes, a reader that routes messages to
//! subscriptions and replies to waiting requests, and reconnection with backoff.
//!
//! One task owns the socket. Callers hand it encoded bytes through a channel; the writer takes
//! everything queued at that moment and writes it at once, so a batch of publishes or acks
//! built by the caller costs one write. When the connection drops, the task reconnects (100 ms
//! doubling to 2 s, forever once the first connection succeeded), subscribes again with the
//! same ids, and sends what was queued meanwhile. Requests waiting for a reply when it dropped
//! fail at once ("connection lost"); their callers retry (JetStream publishes carry a
//! `Nats-Msg-Id`, so a retry is never stored twice). A server that stops answering PINGs is
//! treated as gone.
//!
//! No TLS: a server that requires it is refused with a message saying so (docs/scale-out.md:
//! use a TLS tunnel or a leaf node on the private network).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use super::proto::{self, Headers, Msg, ServerInfo, ServerOp};

/// How often the client PINGs an idle server, and how many unanswered PINGs mean it is gone.
const PING_EVERY: Duration = Duration::from_secs(10);
const PINGS_OUT: u64 = 2;
/// Bytes read from the socket at once.
const READ_CHUNK: usize = 64 * 1024;
/// Bytes a delivered message may exceed `max_payload` by (headers added by the server).
const HEADER_SLACK: usize = 64 * 1024;
/// Most bytes the writer gathers into one write.
const WRITE_GATHER: usize = 1 << 20;

/// A connection to a NATS server (cheap to clone; all clones share it).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("inbox", &self.inner.inbox).finish()
    }
}

struct Inner {
    out: mpsc::UnboundedSender<Vec<u8>>,
    subs: Mutex<HashMap<u64, Sub>>,
    replies: Mutex<HashMap<u64, oneshot::Sender<Msg>>>,
    next_sid: AtomicU64,
    next_token: AtomicU64,
    /// `_INBOX.<random>`: replies come to `<inbox>.<token>` (one subscription, sid 1).
    inbox: String,
    info: Mutex<ServerInfo>,
    /// Connections made so far (1 after the first; more after reconnects).
    connections: AtomicU64,
}

struct Sub {
    subject: String,
    tx: mpsc::Sender<Msg>,
}

const INBOX_SID: u64 = 1;

/// Where to connect: host:port and optional credentials, from `nats://[user:pass@]host[:port]`.
#[derive(Debug, Clone)]
struct Addr {
    host_port: String,
    user: Option<String>,
    pass: Option<String>,
}

fn parse_urls(urls: &str) -> Result<Vec<Addr>, String> {
    let mut out = Vec::new();
    for url in urls.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        let rest = if let Some(r) = url.strip_prefix("nats://") {
            r
        } else if url.starts_with("tls://") || url.starts_with("wss://") || url.starts_with("ws://") {
            return Err(format!("{url}: only nats:// URLs (no TLS, no websocket; see docs/scale-out.md)"));
        } else if url.contains("://") {
            return Err(format!("{url}: not a nats:// URL"));
        } else {
            url
        };
        let rest = rest.trim_end_matches('/');
        let (creds, host) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, rest),
        };
        let (user, pass) = match creds.map(|c| c.split_once(':').unwrap_or((c, ""))) {
            Some((u, p)) => (Some(u.to_string()), (!p.is_empty()).then(|| p.to_string())),
            None => (None, None),
        };
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        let host_port = if host.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
            host.to_string()
        } else {
            format!("{host}:4222")
        };
        out.push(Addr { host_port, user, pass });
    }
    if out.is_empty() {
        return Err("no server URL given".into());
    }
    Ok(out)
}

/// A subscription's messages (bounded: when the reader finds it full, messages are dropped
/// with a warning, as a NATS server drops a slow consumer's).
pub struct Subscription {
    /// The subscription's id.
    pub sid: u64,
    rx: mpsc::Receiver<Msg>,
    client: Client,
}

impl Subscription {
    /// The next message (None: the client is gone).
    pub async fn next(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }

    /// A message if one is waiting.
    pub fn try_next(&mut self) -> Option<Msg> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.client.inner.subs.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.sid);
        let mut b = Vec::new();
        proto::encode_unsub(&mut b, self.sid);
        let _ = self.client.inner.out.send(b);
    }
}

/// A reply awaited: see [`Client::send_requests`].
#[derive(Debug)]
pub struct Pending {
    token: u64,
    rx: oneshot::Receiver<Msg>,
}

impl Client {
    /// Connects to one of `urls` (comma-separated `nats://[user:pass@]host[:port]`), trying
    /// them in turn until `timeout`; from then on the connection is kept up (see the module
    /// docs).
    ///
    /// # Errors
    /// A URL is not `nats://`, or no server completed the handshake within `timeout`.
    pub async fn connect(urls: &str, timeout: Duration) -> Result<Client, String> {
        let addrs = parse_urls(urls)?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last = String::from("timed out");
        let mut i = 0usize;
        let (conn, info) = loop {
            let addr = &addrs[i % addrs.len()];
            i += 1;
            match tokio::time::timeout_at(deadline, handshake(addr)).await {
                Ok(Ok(x)) => break x,
                Ok(Err(e)) if e.fatal => return Err(format!("{}: {}", addr.host_port, e.message)),
                Ok(Err(e)) => last = format!("{}: {}", addr.host_port, e.message),
                Err(_) => return Err(last),
            }
            if tokio::time::Instant::now() + Duration::from_millis(200) >= deadline {
                return Err(last);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let (out, rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            out,
            subs: Mutex::new(HashMap::new()),
            replies: Mutex::new(HashMap::new()),
            next_sid: AtomicU64::new(INBOX_SID + 1),
            next_token: AtomicU64::new(1),
            inbox: format!("_INBOX.{}", random_token()),
            info: Mutex::new(info),
            connections: AtomicU64::new(1),
        });
        tokio::spawn(run(Arc::downgrade(&inner), addrs, conn, rx));
        Ok(Client { inner })
    }

    /// The server's INFO (the latest one).
    pub fn info(&self) -> ServerInfo {
        self.inner.info.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The server's `max_payload`, capped at [`proto::MAX_PAYLOAD_CAP`].
    pub fn max_payload(&self) -> usize {
        self.info().max_payload.min(proto::MAX_PAYLOAD_CAP)
    }

    /// Connections made so far: grows by one on each reconnect.
    pub fn connections(&self) -> u64 {
        self.inner.connections.load(Ordering::Relaxed)
    }

    /// A fresh inbox subject prefix of our own, for a wildcard subscription.
    pub fn new_inbox(&self) -> String {
        format!("{}.{}", self.inner.inbox, self.inner.next_sid.fetch_add(1, Ordering::Relaxed))
    }

    /// Sends bytes already encoded with [`proto`] (one write with whatever else is queued).
    pub fn send_raw(&self, bytes: Vec<u8>) {
        let _ = self.inner.out.send(bytes);
    }

    /// Publishes one message (no reply expected).
    pub fn publish(&self, subject: &str, headers: &Headers, payload: &[u8]) {
        let mut b = Vec::with_capacity(payload.len() + 64);
        proto::encode_pub(&mut b, subject, None, headers, payload);
        self.send_raw(b);
    }

    /// Subscribes to `subject`; at most `capacity` messages wait unread.
    pub fn subscribe(&self, subject: &str, capacity: usize) -> Subscription {
        let sid = self.inner.next_sid.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(capacity.max(1));
        self.inner.subs.lock().unwrap_or_else(|e| e.into_inner()).insert(sid, Sub { subject: subject.to_string(), tx });
        let mut b = Vec::new();
        proto::encode_sub(&mut b, subject, sid);
        self.send_raw(b);
        Subscription { sid, rx, client: self.clone() }
    }

    /// Publishes each `(subject, headers, payload)` with a reply subject of its own, all in
    /// one write, and returns what to wait on for each reply, in order.
    pub fn send_requests<'a>(&self, msgs: impl IntoIterator<Item = (&'a str, &'a Headers, &'a [u8])>) -> Vec<Pending> {
        let mut buf = Vec::new();
        let mut out = Vec::new();
        {
            let mut replies = self.inner.replies.lock().unwrap_or_else(|e| e.into_inner());
            for (subject, headers, payload) in msgs {
                let token = self.inner.next_token.fetch_add(1, Ordering::Relaxed);
                let (tx, rx) = oneshot::channel();
                replies.insert(token, tx);
                let reply = format!("{}.{token}", self.inner.inbox);
                proto::encode_pub(&mut buf, subject, Some(&reply), headers, payload);
                out.push(Pending { token, rx });
            }
        }
        self.send_raw(buf);
        out
    }

    /// Waits for a reply until `timeout`.
    ///
    /// # Errors
    /// No reply in time, the connection was lost meanwhile, or nobody listens on the subject
    /// (status 503).
    pub async fn wait(&self, p: Pending, timeout: Duration) -> Result<Msg, String> {
        let token = p.token;
        let got = tokio::time::timeout(timeout, p.rx).await;
        self.inner.replies.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
        match got {
            Ok(Ok(m)) if m.headers.status == Some(503) => Err("no responders (is JetStream enabled?)".into()),
            Ok(Ok(m)) => Ok(m),
            Ok(Err(_)) => Err("connection lost before the reply".into()),
            Err(_) => Err(format!("no reply within {:.1}s", timeout.as_secs_f64())),
        }
    }

    /// One request and its reply.
    ///
    /// # Errors
    /// See [`Client::wait`].
    pub async fn request(
        &self,
        subject: &str,
        headers: &Headers,
        payload: &[u8],
        timeout: Duration,
    ) -> Result<Msg, String> {
        let p = self.send_requests([(subject, headers, payload)]).pop().expect("one request");
        self.wait(p, timeout).await
    }
}

fn random_token() -> String {
    use rand::Rng;
    let mut r = rand::thread_rng();
    (0..22)
        .map(|_| char::from(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[r.gen_range(0..62)]))
        .collect()
}

struct ConnectError {
    message: String,
    /// Trying again will not help (TLS required, credentials refused).
    fatal: bool,
}

impl ConnectError {
    fn retry(message: impl Into<String>) -> ConnectError {
        ConnectError { message: message.into(), fatal: false }
    }
}

/// TCP connect, INFO, CONNECT, PING, and PONG back: the server accepted us.
async fn handshake(addr: &Addr) -> Result<(TcpStream, ServerInfo), ConnectError> {
    let mut s =
        TcpStream::connect(&addr.host_port).await.map_err(|e| ConnectError::retry(format!("cannot connect: {e}")))?;
    let _ = s.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let info = match read_op(&mut s, &mut buf, 0).await? {
        ServerOp::Info(i) => *i,
        other => return Err(ConnectError::retry(format!("expected INFO, got {other:?}"))),
    };
    if info.tls_required {
        let message = "the server requires TLS, which moderate's NATS client does not speak (docs/scale-out.md: use a TLS tunnel or a leaf node)";
        return Err(ConnectError { message: message.into(), fatal: true });
    }
    let mut hello = Vec::new();
    proto::encode_connect(&mut hello, "moderate", addr.user.as_deref(), addr.pass.as_deref());
    hello.extend_from_slice(b"PING\r\n");
    s.write_all(&hello).await.map_err(|e| ConnectError::retry(format!("writing CONNECT: {e}")))?;
    loop {
        match read_op(&mut s, &mut buf, 0).await? {
            ServerOp::Pong => break,
            ServerOp::Err(e) => {
                let fatal = e.to_ascii_lowercase().contains("authoriz") || e.to_ascii_lowercase().contains("auth");
                return Err(ConnectError { message: format!("server refused the connection: {e}"), fatal });
            }
            ServerOp::Ping => s.write_all(b"PONG\r\n").await.map_err(|e| ConnectError::retry(e.to_string()))?,
            _ => {}
        }
    }
    if !buf.is_empty() {
        return Err(ConnectError::retry("unexpected bytes after the handshake"));
    }
    Ok((s, info))
}

/// Reads one operation during the handshake (no messages expected: payload limit 0).
async fn read_op(s: &mut TcpStream, buf: &mut Vec<u8>, max_payload: usize) -> Result<ServerOp, ConnectError> {
    loop {
        match proto::parse(buf, max_payload) {
            Ok(Some((op, used))) => {
                buf.drain(..used);
                return Ok(op);
            }
            Ok(None) => {}
            Err(e) => return Err(ConnectError::retry(e.to_string())),
        }
        let mut chunk = [0u8; 4096];
        let n = s.read(&mut chunk).await.map_err(|e| ConnectError::retry(format!("reading: {e}")))?;
        if n == 0 {
            return Err(ConnectError::retry("the server closed the connection"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The connection task: serves one connection until it fails, then reconnects; ends when every
/// [`Client`] is dropped.
async fn run(
    weak: std::sync::Weak<Inner>,
    addrs: Vec<Addr>,
    first: TcpStream,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let mut conn = Some(first);
    let mut next_addr = 0usize;
    loop {
        let stream = match conn.take() {
            Some(s) => s,
            None => {
                let mut pause = Duration::from_millis(100);
                loop {
                    if weak.strong_count() == 0 {
                        return;
                    }
                    let addr = &addrs[next_addr % addrs.len()];
                    next_addr += 1;
                    match tokio::time::timeout(Duration::from_secs(5), handshake(addr)).await {
                        Ok(Ok((s, info))) => {
                            let Some(inner) = weak.upgrade() else { return };
                            *inner.info.lock().unwrap_or_else(|e| e.into_inner()) = info;
                            inner.connections.fetch_add(1, Ordering::Relaxed);
                            break s;
                        }
                        Ok(Err(e)) => tracing::warn!("NATS {}: {}; retrying in {pause:?}", addr.host_port, e.message),
                        Err(_) => tracing::warn!("NATS {}: handshake timed out; retrying", addr.host_port),
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        };
        let Some(inner) = weak.upgrade() else { return };
        // Subscribe again (the server forgot us): the inbox and every live subscription.
        let mut hello = Vec::new();
        proto::encode_sub(&mut hello, &format!("{}.*", inner.inbox), INBOX_SID);
        for (sid, sub) in inner.subs.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            proto::encode_sub(&mut hello, &sub.subject, *sid);
        }
        drop(inner);
        let why = serve(&weak, stream, hello, &mut rx).await;
        let Some(inner) = weak.upgrade() else { return };
        tracing::warn!("NATS connection lost ({why}); reconnecting");
        // Replies to requests sent on the lost connection will never come.
        inner.replies.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Serves one connection: writes what callers queue, reads and routes what the server sends.
/// Returns why it ended (or when every client is gone).
async fn serve(
    weak: &std::sync::Weak<Inner>,
    stream: TcpStream,
    hello: Vec<u8>,
    rx: &mut mpsc::UnboundedReceiver<Vec<u8>>,
) -> String {
    let (mut rd, mut wr) = stream.into_split();
    let pongs_owed = AtomicU64::new(0);
    let (pong_tx, mut pong_rx) = mpsc::unbounded_channel::<()>();
    let writer = async {
        let mut buf = hello;
        let mut ping = tokio::time::interval(PING_EVERY);
        // After a long judging batch (the runtime busy), one tick, not a burst.
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        loop {
            if !buf.is_empty() {
                if let Err(e) = wr.write_all(&buf).await {
                    return format!("writing: {e}");
                }
                buf.clear();
            }
            tokio::select! {
                got = rx.recv() => match got {
                    Some(b) => buf = b,
                    None => return "client dropped".to_string(),
                },
                _ = pong_rx.recv() => buf.extend_from_slice(b"PONG\r\n"),
                _ = ping.tick() => {
                    if pongs_owed.fetch_add(1, Ordering::Relaxed) >= PINGS_OUT {
                        return "the server stopped answering PINGs".to_string();
                    }
                    buf.extend_from_slice(b"PING\r\n");
                }
            }
            while buf.len() < WRITE_GATHER {
                match rx.try_recv() {
                    Ok(b) => buf.extend_from_slice(&b),
                    Err(_) => break,
                }
            }
        }
    };
    let reader = async {
        let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
        let mut start = 0usize;
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            let Some(inner) = weak.upgrade() else { return "client dropped".to_string() };
            let max_payload =
                inner.info.lock().unwrap_or_else(|e| e.into_inner()).max_payload.min(proto::MAX_PAYLOAD_CAP);
            // A stored message read back through the API comes base64-encoded in JSON (4/3 of
            // its size and more), and the server adds headers: twice the limit is still a bound.
            let limit = 2 * max_payload + HEADER_SLACK;
            loop {
                match proto::parse(&buf[start..], limit) {
                    Ok(Some((op, used))) => {
                        start += used;
                        match op {
                            ServerOp::Msg(m) => route(&inner, m),
                            ServerOp::Ping => {
                                let _ = pong_tx.send(());
                            }
                            ServerOp::Pong => pongs_owed.store(0, Ordering::Relaxed),
                            ServerOp::Ok => {}
                            ServerOp::Info(i) => *inner.info.lock().unwrap_or_else(|e| e.into_inner()) = *i,
                            ServerOp::Err(e) => {
                                let lower = e.to_ascii_lowercase();
                                // Permission and subject errors keep the connection; others close it.
                                if lower.contains("permissions violation") || lower.contains("invalid subject") {
                                    tracing::warn!("NATS server: {e}");
                                } else {
                                    return format!("server error: {e}");
                                }
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return e.to_string(),
                }
            }
            drop(inner);
            buf.drain(..start);
            start = 0;
            match rd.read(&mut chunk).await {
                Ok(0) => return "the server closed the connection".to_string(),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) => return format!("reading: {e}"),
            }
        }
    };
    tokio::select! {
        why = writer => why,
        why = reader => why,
    }
}

/// Hands a message to the request waiting for it or to its subscription.
fn route(inner: &Inner, m: Msg) {
    if m.sid == INBOX_SID {
        let token = m.subject.rsplit('.').next().and_then(|t| t.parse::<u64>().ok());
        if let Some(tx) = token.and_then(|t| inner.replies.lock().unwrap_or_else(|e| e.into_inner()).remove(&t)) {
            let _ = tx.send(m);
        }
        return;
    }
    let subs = inner.subs.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(sub) = subs.get(&m.sid) {
        if let Err(mpsc::error::TrySendError::Full(m)) = sub.tx.try_send(m) {
            tracing::warn!("subscription {} is full; dropped a message on {}", sub.subject, m.subject);
        }
    }
}
