//! The JetStream calls `moderate` makes, as JSON requests on `$JS.API.*` (docs.nats.io,
//! "JetStream API Reference"): stream info and create, consumer info and create (durable and
//! ephemeral), message get, publish with a PubAck, and the acks sent back on each delivery's
//! reply subject. Pulls are in [`super::pull`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::conn::{Client, Pending};
use super::proto::{Headers, Msg};

/// How long a JetStream API call or a publish waits for its answer.
pub const API_TIMEOUT: Duration = Duration::from_secs(5);

/// An error from the JetStream API (`{"error": {...}}`) or from getting an answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsError {
    /// The API answered with an error.
    Api {
        /// HTTP-like code (404: not found).
        code: u16,
        /// JetStream's own error code.
        err_code: u32,
        /// What went wrong.
        description: String,
    },
    /// No answer (timeout, connection lost, no responders) or an answer that is not JSON.
    Other(String),
}

impl std::fmt::Display for JsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsError::Api { code, err_code, description } => write!(f, "{description} ({code}, {err_code})"),
            JsError::Other(s) => f.write_str(s),
        }
    }
}

impl JsError {
    fn not_found(&self) -> bool {
        matches!(self, JsError::Api { code: 404, .. })
    }
}

#[derive(Deserialize)]
struct ApiErrorBody {
    #[serde(default)]
    code: u16,
    #[serde(default)]
    err_code: u32,
    #[serde(default)]
    description: String,
}

/// A stream's configuration (the fields we set).
#[derive(Debug, Clone, Serialize)]
pub struct StreamConfig {
    /// Name.
    pub name: String,
    /// Subjects it stores.
    pub subjects: Vec<String>,
    /// `workqueue` or `limits`.
    pub retention: &'static str,
    /// `file` or `memory`.
    pub storage: &'static str,
    /// Nanoseconds `Nats-Msg-Id`s are remembered.
    pub duplicate_window: u64,
    /// Replicas.
    pub num_replicas: u32,
}

/// A stream's info: what [`Js::get_or_create_stream`] checks of an existing stream.
#[derive(Deserialize)]
struct StreamInfo {
    #[serde(default)]
    state: StreamState,
    #[serde(default)]
    config: ExistingConfig,
}

/// The part of an existing stream's configuration that must be ours.
#[derive(Debug, Default, Deserialize)]
struct ExistingConfig {
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    retention: String,
}

impl ExistingConfig {
    /// The same subjects (in any order) and retention as `cfg`, or an error naming both.
    fn matches(&self, cfg: &StreamConfig) -> Result<(), JsError> {
        let mut have: Vec<&str> = self.subjects.iter().map(String::as_str).collect();
        let mut want: Vec<&str> = cfg.subjects.iter().map(String::as_str).collect();
        have.sort_unstable();
        want.sort_unstable();
        if have == want && self.retention.eq_ignore_ascii_case(cfg.retention) {
            return Ok(());
        }
        Err(JsError::Other(format!(
            "a stream named {} already exists with subjects {:?} and {} retention, not moderate's {:?} with {} \
             retention: it is another program's stream, or moderate's for other subjects with the same name in \
             capitals; refusing to use it (use other subjects: --subject / --verdicts / --dead, or remove that stream)",
            cfg.name,
            self.subjects,
            if self.retention.is_empty() { "unknown" } else { &self.retention },
            cfg.subjects,
            cfg.retention
        )))
    }
}

/// A stream's state (from its info).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StreamState {
    /// Messages stored.
    #[serde(default)]
    pub messages: u64,
    /// Lowest sequence stored.
    #[serde(default)]
    pub first_seq: u64,
    /// Highest sequence stored.
    #[serde(default)]
    pub last_seq: u64,
}

/// A consumer's configuration (the fields we set).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsumerConfig {
    /// Durable name (None: ephemeral).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub durable_name: Option<String>,
    /// Only these subjects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_subject: Option<String>,
    /// `all` or `by_start_sequence`.
    pub deliver_policy: &'static str,
    /// With `by_start_sequence`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_start_seq: Option<u64>,
    /// `explicit` or `none`.
    pub ack_policy: &'static str,
    /// Nanoseconds before an unacked delivery is delivered again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_wait: Option<u64>,
    /// Deliveries at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_deliver: Option<i64>,
    /// Unacked deliveries at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ack_pending: Option<i64>,
    /// Nanoseconds without a pull after which an ephemeral consumer is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inactive_threshold: Option<u64>,
    /// Keep the consumer's state in memory.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mem_storage: bool,
    /// `instant`.
    pub replay_policy: &'static str,
}

/// The answer to a publish.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PubAck {
    /// The stream sequence it got (or had, when a duplicate).
    #[serde(default)]
    pub seq: u64,
    /// Dropped as a duplicate of a `Nats-Msg-Id` within the window.
    #[serde(default)]
    pub duplicate: bool,
}

/// A stored message read back by sequence or subject.
#[derive(Debug, Clone)]
pub struct StoredMsg {
    /// Its subject.
    pub subject: String,
    /// Its stream sequence.
    pub seq: u64,
    /// Its headers.
    pub headers: Headers,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// Where a delivery stands, from its reply subject (`$JS.ACK.<stream>.<consumer>.<delivered>.
/// <stream seq>.<consumer seq>.<time>.<pending>`, with `<domain>.<account hash>.` before the
/// stream in newer servers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryInfo {
    /// Times delivered (1 the first time).
    pub delivered: i64,
    /// Sequence in the stream.
    pub stream_seq: u64,
    /// Messages still pending for the consumer.
    pub pending: u64,
}

impl DeliveryInfo {
    /// Parses a reply subject; None when it is not a JetStream ack subject.
    pub fn parse(reply: &str) -> Option<DeliveryInfo> {
        let t: Vec<&str> = reply.split('.').collect();
        if t.len() < 9 || t[0] != "$JS" || t[1] != "ACK" {
            return None;
        }
        let o = if t.len() == 9 { 4 } else { 6 };
        if t.len() < o + 5 {
            return None;
        }
        Some(DeliveryInfo {
            delivered: t[o].parse().ok()?,
            stream_seq: t[o + 1].parse().ok()?,
            pending: t[o + 4].parse().ok()?,
        })
    }
}

/// A JetStream message delivered by a pull.
#[derive(Debug, Clone)]
pub struct JsMsg {
    /// The message (its reply subject is the ack subject).
    pub msg: Msg,
    /// Its delivery metadata.
    pub info: DeliveryInfo,
}

impl JsMsg {
    /// Appends this delivery's ack (`+ACK`, `-NAK {"delay": ns}`, `+TERM`) to `out`, to be sent
    /// with others in one write ([`Client::send_raw`]).
    pub fn encode_ack(&self, kind: Ack, out: &mut Vec<u8>) {
        let Some(reply) = self.msg.reply.as_deref() else { return };
        let body = match kind {
            Ack::Ack => "+ACK".to_string(),
            Ack::Nak(delay) => format!("-NAK {{\"delay\":{}}}", delay.as_nanos()),
            Ack::Term => "+TERM".to_string(),
        };
        super::proto::encode_pub(out, reply, None, &Headers::default(), body.as_bytes());
    }
}

/// How a delivery is acknowledged.
#[derive(Debug, Clone, Copy)]
pub enum Ack {
    /// Done: never deliver again.
    Ack,
    /// Failed: deliver again after the delay.
    Nak(Duration),
    /// Never deliver again (dead-lettered).
    Term,
}

/// JetStream on a connection.
#[derive(Debug, Clone)]
pub struct Js {
    /// The connection.
    pub client: Client,
}

impl Js {
    /// JetStream over `client`.
    pub fn new(client: Client) -> Js {
        Js { client }
    }

    async fn api<T: for<'de> Deserialize<'de>>(&self, subject: &str, body: &[u8]) -> Result<T, JsError> {
        let m = self.client.request(subject, &Headers::default(), body, API_TIMEOUT).await.map_err(JsError::Other)?;
        answer(&m.payload, subject)
    }

    /// The state of stream `name` (None when it does not exist).
    ///
    /// # Errors
    /// The API did not answer.
    pub async fn stream_state(&self, name: &str) -> Result<Option<StreamState>, JsError> {
        #[derive(Deserialize)]
        struct Info {
            #[serde(default)]
            state: StreamState,
        }
        match self.api::<Info>(&format!("$JS.API.STREAM.INFO.{name}"), b"").await {
            Ok(i) => Ok(Some(i.state)),
            Err(e) if e.not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stream `name`'s subjects and retention (None when it does not exist).
    async fn stream_config(&self, name: &str) -> Result<Option<(StreamState, ExistingConfig)>, JsError> {
        match self.api::<StreamInfo>(&format!("$JS.API.STREAM.INFO.{name}"), b"").await {
            Ok(i) => Ok(Some((i.state, i.config))),
            Err(e) if e.not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates the stream unless it exists. An existing stream of that name is used only when it
    /// stores exactly `cfg`'s subjects with `cfg`'s retention: one with other subjects is
    /// another program's stream, or ours for other subjects whose name is the same once
    /// capitalised (`comments.in` and `comments_in` are both `COMMENTS_IN`), and using it would
    /// store the records where no worker reads them, or read another program's messages.
    ///
    /// # Errors
    /// JetStream is off; a stream of that name stores other subjects or has another retention;
    /// the stream cannot be created (its subjects are stored by another stream, which is named).
    pub async fn get_or_create_stream(&self, cfg: &StreamConfig) -> Result<StreamState, JsError> {
        if let Some((state, existing)) = self.stream_config(&cfg.name).await? {
            return existing.matches(cfg).map(|()| state);
        }
        let body = serde_json::to_vec(cfg).map_err(|e| JsError::Other(e.to_string()))?;
        match self.api::<StreamInfo>(&format!("$JS.API.STREAM.CREATE.{}", cfg.name), &body).await {
            Ok(i) => Ok(i.state),
            // Created meanwhile by another command (or another program).
            Err(JsError::Api { err_code: 10058, .. }) => {
                let (state, existing) =
                    self.stream_config(&cfg.name).await?.ok_or_else(|| JsError::Other("stream vanished".into()))?;
                existing.matches(cfg).map(|()| state)
            }
            // Subjects overlap with an existing stream: say which one holds them.
            Err(e @ JsError::Api { err_code: 10065, .. }) => Err(self.overlap(cfg, &e).await),
            Err(e) => Err(e),
        }
    }

    /// The streams that store `cfg`'s subjects, named with their subjects, as an error.
    async fn overlap(&self, cfg: &StreamConfig, e: &JsError) -> JsError {
        #[derive(Deserialize)]
        struct Names {
            #[serde(default)]
            streams: Option<Vec<String>>,
        }
        let mut holders: Vec<String> = Vec::new();
        for subject in &cfg.subjects {
            let body = serde_json::json!({ "subject": subject }).to_string();
            let Ok(found) = self.api::<Names>("$JS.API.STREAM.NAMES", body.as_bytes()).await else { continue };
            for name in found.streams.unwrap_or_default() {
                if holders.iter().any(|h| h.starts_with(&format!("{name} "))) || name == cfg.name {
                    continue;
                }
                let subjects = match self.stream_config(&name).await {
                    Ok(Some((_, c))) => format!("{:?}", c.subjects),
                    _ => "(unknown)".to_string(),
                };
                holders.push(format!("{name} (subjects {subjects}, which take {subject:?})"));
            }
        }
        if holders.is_empty() {
            return JsError::Other(format!("cannot create it for subjects {:?}: {e}", cfg.subjects));
        }
        JsError::Other(format!(
            "cannot create it for subjects {:?}: another stream already stores them: {}; moderate will not share a \
             subject with another stream (use other subjects: --subject / --verdicts / --dead, or remove that stream)",
            cfg.subjects,
            holders.join(", ")
        ))
    }

    /// Creates the durable consumer unless it exists (an existing one keeps its config).
    ///
    /// # Errors
    /// The consumer cannot be read or created.
    pub async fn get_or_create_durable(&self, stream: &str, cfg: &ConsumerConfig) -> Result<(), JsError> {
        let name = cfg.durable_name.as_deref().ok_or_else(|| JsError::Other("durable without a name".into()))?;
        match self.api::<serde_json::Value>(&format!("$JS.API.CONSUMER.INFO.{stream}.{name}"), b"").await {
            Ok(_) => return Ok(()),
            Err(e) if e.not_found() => {}
            Err(e) => return Err(e),
        }
        let body = serde_json::to_vec(&serde_json::json!({"stream_name": stream, "config": cfg}))
            .map_err(|e| JsError::Other(e.to_string()))?;
        self.api::<serde_json::Value>(&format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}"), &body)
            .await
            .map(|_| ())
    }

    /// Creates an ephemeral consumer and returns its name.
    ///
    /// # Errors
    /// It cannot be created.
    pub async fn create_ephemeral(&self, stream: &str, cfg: &ConsumerConfig) -> Result<String, JsError> {
        #[derive(Deserialize)]
        struct Created {
            name: String,
        }
        let body = serde_json::to_vec(&serde_json::json!({"stream_name": stream, "config": cfg}))
            .map_err(|e| JsError::Other(e.to_string()))?;
        Ok(self.api::<Created>(&format!("$JS.API.CONSUMER.CREATE.{stream}"), &body).await?.name)
    }

    /// Deletes a consumer (best effort: an ephemeral one also goes by itself when idle).
    pub async fn delete_consumer(&self, stream: &str, name: &str) {
        let _ = self.api::<serde_json::Value>(&format!("$JS.API.CONSUMER.DELETE.{stream}.{name}"), b"").await;
    }

    /// Reads a stored message: the last on `subject`, or the first on `subject` from `seq` on.
    /// None when there is none.
    ///
    /// # Errors
    /// The API did not answer, or the answer is malformed.
    pub async fn get_msg(
        &self,
        stream: &str,
        subject: &str,
        from_seq: Option<u64>,
    ) -> Result<Option<StoredMsg>, JsError> {
        #[derive(Deserialize)]
        struct Raw {
            subject: String,
            seq: u64,
            #[serde(default)]
            hdrs: Option<String>,
            #[serde(default)]
            data: Option<String>,
        }
        #[derive(Deserialize)]
        struct Got {
            message: Raw,
        }
        let body = match from_seq {
            None => serde_json::json!({"last_by_subj": subject}),
            Some(seq) => serde_json::json!({"seq": seq, "next_by_subj": subject}),
        };
        let got = match self.api::<Got>(&format!("$JS.API.STREAM.MSG.GET.{stream}"), body.to_string().as_bytes()).await
        {
            Ok(g) => g.message,
            Err(e) if e.not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let bad = |what: &str| JsError::Other(format!("stored message {}: {what} is not base64", got.seq));
        let headers = match &got.hdrs {
            Some(h) => {
                let block = base64_decode(h).map_err(|_| bad("hdrs"))?;
                Headers::parse(&block).map_err(|e| JsError::Other(e.to_string()))?
            }
            None => Headers::default(),
        };
        let payload = match &got.data {
            Some(d) => base64_decode(d).map_err(|_| bad("data"))?,
            None => Vec::new(),
        };
        Ok(Some(StoredMsg { subject: got.subject, seq: got.seq, headers, payload }))
    }

    /// Publishes messages in one write; wait for each one's ack with [`Js::pub_ack`].
    pub fn publish_many<'a>(&self, msgs: impl IntoIterator<Item = (&'a str, &'a Headers, &'a [u8])>) -> Vec<Pending> {
        self.client.send_requests(msgs)
    }

    /// The ack of a publish sent by [`Js::publish_many`].
    ///
    /// # Errors
    /// No ack within `timeout`, or the stream refused the message.
    pub async fn pub_ack(&self, p: Pending, timeout: Duration) -> Result<PubAck, JsError> {
        let m = self.client.wait(p, timeout).await.map_err(JsError::Other)?;
        answer(&m.payload, "publish ack")
    }

    /// Publishes one message and waits for its ack.
    ///
    /// # Errors
    /// See [`Js::pub_ack`].
    pub async fn publish(&self, subject: &str, headers: &Headers, payload: &[u8]) -> Result<PubAck, JsError> {
        let p = self.publish_many([(subject, headers, payload)]).pop().expect("one publish");
        self.pub_ack(p, API_TIMEOUT).await
    }
}

/// Standard base64, padded or not, as the server writes a stored message's headers and data.
fn base64_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    STANDARD_ANY_PADDING.decode(s)
}

/// A JetStream answer (API reply or publish ack) as `T`, or its `error` object as
/// [`JsError::Api`]; `what` names the call in the other errors.
fn answer<T: for<'de> Deserialize<'de>>(payload: &[u8], what: &str) -> Result<T, JsError> {
    let v: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| JsError::Other(format!("{what}: answer is not JSON: {e}")))?;
    if let Some(err) = v.get("error") {
        let e: ApiErrorBody = serde_json::from_value(err.clone()).unwrap_or(ApiErrorBody {
            code: 0,
            err_code: 0,
            description: err.to_string(),
        });
        return Err(JsError::Api { code: e.code, err_code: e.err_code, description: e.description });
    }
    serde_json::from_value(v).map_err(|e| JsError::Other(format!("{what}: unexpected answer: {e}")))
}
