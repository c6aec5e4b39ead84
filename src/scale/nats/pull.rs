//! A pull consumer (`$JS.API.CONSUMER.MSG.NEXT`) read in batches: the request bookkeeping that
//! keeps a batch ready for `worker` and `collect`, apart from the API calls in [`super::jetstream`].

use std::time::{Duration, Instant};

use super::conn::{Client, Subscription};
use super::jetstream::{DeliveryInfo, Js, JsMsg};
use super::proto::{Headers, Msg};

/// A pull consumer read in batches: keeps enough pull requests open that a batch is ready when
/// the caller asks (two batches requested ahead), each with its own reply subject, so an
/// end-of-pull status (404, 408, 409, sent to that subject) closes exactly the request it
/// belongs to. Deliveries carry their own subject, not the request's: they count against the
/// oldest open request (the server fills waiting requests in order).
pub struct Puller {
    client: Client,
    next_subject: String,
    sub: Subscription,
    prefix: String,
    /// Open requests by token (in the order sent): (messages still due, expiry, when sent).
    open: std::collections::BTreeMap<u64, (usize, Instant, Instant)>,
    token: u64,
    batch: usize,
    /// Bytes one request may bring (0: no limit); see [`Puller::set_max_bytes`].
    max_bytes: usize,
    expires: Duration,
    /// When the server last sent anything for this puller.
    heard: Instant,
    /// Requests in a row that expired with nothing heard since they were sent.
    silent: u32,
    connections: u64,
}

impl Puller {
    /// Pulls from `consumer` of `stream`, `batch` messages per request (at most 256), each
    /// request open for `expires`.
    pub fn new(js: &Js, stream: &str, consumer: &str, batch: usize, expires: Duration) -> Puller {
        let prefix = js.client.new_inbox();
        let batch = batch.clamp(1, 256);
        let sub = js.client.subscribe(&format!("{prefix}.*"), 4 * batch + 64);
        Puller {
            client: js.client.clone(),
            next_subject: format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"),
            sub,
            prefix,
            open: std::collections::BTreeMap::new(),
            token: 0,
            batch,
            max_bytes: 0,
            expires,
            heard: Instant::now(),
            silent: 0,
            connections: js.client.connections(),
        }
    }

    /// Messages per request from now on (at most 256); requests already open keep theirs.
    pub fn set_batch(&mut self, batch: usize) {
        self.batch = batch.clamp(1, 256);
    }

    /// Caps the bytes each request brings (kept above the server's max_payload, so any one
    /// message still comes). Two requests are open at a time, so this bounds what the server
    /// holds for a slow reader: without it 512 batch messages (up to 1 MiB each) could be due at
    /// once, past the server's 64 MiB slow-consumer limit, and the server closed the connection
    /// of a `collect` starved of CPU (seen in bench/scale-out.sh on a loaded machine).
    pub fn set_max_bytes(&mut self, max_bytes: usize) {
        self.max_bytes = max_bytes.max(2 * self.client.max_payload() + 4096);
    }

    fn top_up(&mut self) {
        let now = Instant::now();
        if self.client.connections() != self.connections {
            // Reconnected: the server forgot our open requests.
            self.connections = self.client.connections();
            self.open.clear();
        }
        let (silent, heard) = (&mut self.silent, self.heard);
        self.open.retain(|_, (_, deadline, sent)| {
            if *deadline > now {
                return true;
            }
            *silent = if heard >= *sent { 0 } else { *silent + 1 };
            false
        });
        while self.open.values().map(|o| o.0).sum::<usize>() < 2 * self.batch {
            self.token += 1;
            let mut body = serde_json::json!({"batch": self.batch, "expires": self.expires.as_nanos() as u64});
            if self.max_bytes > 0 {
                body["max_bytes"] = self.max_bytes.into();
            }
            let reply = format!("{}.{}", self.prefix, self.token);
            let mut b = Vec::with_capacity(160);
            super::proto::encode_pub(
                &mut b,
                &self.next_subject,
                Some(&reply),
                &Headers::default(),
                body.to_string().as_bytes(),
            );
            self.client.send_raw(b);
            self.open.insert(self.token, (self.batch, now + self.expires + Duration::from_secs(2), now));
        }
    }

    /// Takes one delivered message or status, updating the open requests. Returns the message
    /// when it is a delivery.
    fn account(&mut self, m: Msg) -> Result<Option<JsMsg>, String> {
        self.heard = Instant::now();
        self.silent = 0;
        if let Some(status) = m.headers.status {
            let token = m.subject.rsplit('.').next().and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
            match status {
                100 => {}
                503 => return Err(format!("no consumer answers on {} (deleted?)", self.next_subject)),
                409 if m.headers.description.to_ascii_lowercase().contains("deleted") => {
                    return Err(format!("consumer deleted: {}", self.next_subject));
                }
                _ => {
                    self.open.remove(&token);
                }
            }
            return Ok(None);
        }
        let Some(info) = m.reply.as_deref().and_then(DeliveryInfo::parse) else {
            return Ok(None);
        };
        if let Some(mut first) = self.open.first_entry() {
            first.get_mut().0 -= 1;
            if first.get().0 == 0 {
                first.remove();
            }
        }
        Ok(Some(JsMsg { msg: m, info }))
    }

    /// Up to `max` delivered messages: waits up to `wait` for the first, then takes what has
    /// arrived. Empty when nothing came in `wait`.
    ///
    /// # Errors
    /// The consumer is gone, or two requests in a row expired with no answer at all (the
    /// server lost them): make a new consumer or puller.
    pub async fn next(&mut self, max: usize, wait: Duration) -> Result<Vec<JsMsg>, String> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        loop {
            self.top_up();
            if self.silent >= 2 {
                self.silent = 0;
                return Err(format!("no answer to pull requests on {}", self.next_subject));
            }
            let m = match self.sub.try_next() {
                Some(m) => m,
                None if !out.is_empty() => return Ok(out),
                None => {
                    let step = deadline.min(tokio::time::Instant::now() + Duration::from_millis(500));
                    match tokio::time::timeout_at(step, self.sub.next()).await {
                        Ok(Some(m)) => m,
                        Ok(None) => return Err("connection closed".into()),
                        Err(_) if tokio::time::Instant::now() >= deadline => return Ok(out),
                        Err(_) => continue,
                    }
                }
            };
            if let Some(jm) = self.account(m)? {
                out.push(jm);
                if out.len() >= max {
                    return Ok(out);
                }
            }
        }
    }
}
