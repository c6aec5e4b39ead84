//! The NATS client protocol, the part `moderate` speaks: server operations parsed from a byte
//! buffer (INFO, MSG, HMSG, PING, PONG, +OK, -ERR) and client operations encoded into one
//! (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG). Text protocol, `\r\n`-terminated control lines,
//! sized payloads (docs.nats.io, "Client Protocol").
//!
//! The parser trusts nothing the server sends: a control line longer than [`MAX_LINE`] (an INFO
//! longer than [`MAX_INFO`]), a payload larger than the limit it was given, a size that does
//! not parse, an unknown operation or a malformed header block is an error, never a panic or
//! an unbounded buffer. So the bytes a connection holds are at most one control line plus one
//! payload plus one read.

use serde::Deserialize;

/// Longest control line accepted from the server (NATS' own default `max_control_line`).
pub const MAX_LINE: usize = 4096;
/// Longest INFO line accepted (a cluster's INFO lists its servers' URLs).
pub const MAX_INFO: usize = 64 * 1024;
/// The largest `max_payload` believed from a server's INFO (NATS' own upper limit is 64 MiB).
pub const MAX_PAYLOAD_CAP: usize = 64 << 20;

/// What the server says about itself in INFO (the fields we use).
#[derive(Debug, Clone, Deserialize)]
pub struct ServerInfo {
    /// The server's id.
    #[serde(default)]
    pub server_id: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// The largest payload (headers included) it accepts from a client.
    #[serde(default = "default_max_payload")]
    pub max_payload: usize,
    /// Whether it understands HPUB/HMSG.
    #[serde(default)]
    pub headers: bool,
    /// Whether it insists on TLS (which this client does not speak).
    #[serde(default)]
    pub tls_required: bool,
    /// Whether it wants credentials.
    #[serde(default)]
    pub auth_required: bool,
}

fn default_max_payload() -> usize {
    1 << 20
}

impl Default for ServerInfo {
    fn default() -> ServerInfo {
        ServerInfo {
            server_id: String::new(),
            version: String::new(),
            max_payload: default_max_payload(),
            headers: false,
            tls_required: false,
            auth_required: false,
        }
    }
}

/// Message headers: the status line (`NATS/1.0 404 No Messages`) and `Name: value` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// The status code, for status messages (100 heartbeat, 404/408/409 pull ends, 503 no
    /// responders).
    pub status: Option<u16>,
    /// The status description.
    pub description: String,
    /// The headers in order (names as sent; looked up case-insensitively).
    pub entries: Vec<(String, String)>,
}

impl Headers {
    /// The first value of `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Adds a header. Line breaks and other control characters in a value would end the header
    /// block early: they become spaces.
    pub fn insert(&mut self, name: &str, value: impl AsRef<str>) {
        let clean = |s: &str| s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
        let name: String = clean(name).chars().filter(|c| *c != ':' && *c != ' ').collect();
        self.entries.push((name, clean(value.as_ref())));
    }

    /// Whether there is nothing to send (no status, no entries).
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.entries.is_empty()
    }

    /// The header block as sent in HPUB: `NATS/1.0\r\n` + `Name: value\r\n`... + `\r\n`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"NATS/1.0\r\n");
        for (k, v) in &self.entries {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Parses a header block of an HMSG.
    ///
    /// # Errors
    /// It does not start with `NATS/1.0`, a line has no `:`, or it is not UTF-8.
    pub fn parse(block: &[u8]) -> Result<Headers, ProtoError> {
        let text = std::str::from_utf8(block).map_err(|_| ProtoError::new("header block is not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let first = lines.next().unwrap_or("");
        let rest = first.strip_prefix("NATS/1.0").ok_or_else(|| ProtoError::new("header block without NATS/1.0"))?;
        let mut h = Headers::default();
        let rest = rest.trim();
        if !rest.is_empty() {
            let (code, desc) = rest.split_once(' ').unwrap_or((rest, ""));
            h.status = Some(code.parse().map_err(|_| ProtoError::new("header status is not a number"))?);
            h.description = desc.trim().to_string();
        }
        for line in lines {
            if line.is_empty() {
                continue;
            }
            let (k, v) = line.split_once(':').ok_or_else(|| ProtoError::new("header line without ':'"))?;
            h.entries.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(h)
    }
}

/// A message delivered to one of our subscriptions.
#[derive(Debug, Clone, Default)]
pub struct Msg {
    /// The subject it was published to.
    pub subject: String,
    /// Our subscription id.
    pub sid: u64,
    /// Where to reply (JetStream: the ack subject, with the delivery's metadata).
    pub reply: Option<String>,
    /// Its headers (empty for MSG).
    pub headers: Headers,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// One operation from the server.
#[derive(Debug)]
pub enum ServerOp {
    /// INFO (also sent again later, e.g. when a cluster changes).
    Info(Box<ServerInfo>),
    /// MSG or HMSG.
    Msg(Msg),
    /// PING: answer PONG.
    Ping,
    /// PONG: the answer to our PING.
    Pong,
    /// +OK (verbose mode only; ignored).
    Ok,
    /// -ERR with the server's text.
    Err(String),
}

/// A protocol violation by the server: the connection cannot be trusted any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoError(pub String);

impl ProtoError {
    fn new(what: &str) -> ProtoError {
        ProtoError(what.to_string())
    }
}

impl std::fmt::Display for ProtoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "protocol error from the server: {}", self.0)
    }
}

impl std::error::Error for ProtoError {}

/// Parses one server operation from the front of `buf`. `max_payload` bounds a message's
/// size (headers and payload). Returns the operation and the bytes it took, or `None` when
/// `buf` does not hold a whole operation yet.
///
/// # Errors
/// The bytes are not the NATS protocol, or exceed a limit (see the module docs).
pub fn parse(buf: &[u8], max_payload: usize) -> Result<Option<(ServerOp, usize)>, ProtoError> {
    let limit = if buf.len() >= 4 && buf[..4].eq_ignore_ascii_case(b"INFO") { MAX_INFO } else { MAX_LINE };
    let Some(end) = memchr::memmem::find(&buf[..buf.len().min(limit + 2)], b"\r\n") else {
        if buf.len() > limit {
            return Err(ProtoError(format!("control line longer than {limit} bytes")));
        }
        return Ok(None);
    };
    let line = std::str::from_utf8(&buf[..end]).map_err(|_| ProtoError::new("control line is not UTF-8"))?;
    let after = end + 2;
    let (op, args) = line.split_once([' ', '\t']).unwrap_or((line, ""));
    let args = args.trim();
    let simple = |op| Ok(Some((op, after)));
    match op.to_ascii_uppercase().as_str() {
        "PING" => simple(ServerOp::Ping),
        "PONG" => simple(ServerOp::Pong),
        "+OK" => simple(ServerOp::Ok),
        "-ERR" => simple(ServerOp::Err(args.trim_matches('\'').to_string())),
        "INFO" => {
            let info: ServerInfo =
                serde_json::from_str(args).map_err(|e| ProtoError(format!("INFO is not valid JSON: {e}")))?;
            simple(ServerOp::Info(Box::new(info)))
        }
        "MSG" | "HMSG" => {
            let with_headers = op.eq_ignore_ascii_case("HMSG");
            let parts: Vec<&str> = args.split_ascii_whitespace().collect();
            // MSG subject sid [reply] size; HMSG subject sid [reply] hdr_size total_size
            let sizes = if with_headers { 2 } else { 1 };
            let reply = match parts.len().checked_sub(2 + sizes) {
                Some(0) => None,
                Some(1) => Some(parts[2].to_string()),
                _ => return Err(ProtoError(format!("{op} with {} arguments", parts.len()))),
            };
            let number = |s: &str, what: &str| {
                s.parse::<usize>().map_err(|_| ProtoError(format!("{op}: {what} {s:?} is not a number")))
            };
            let sid =
                parts[1].parse::<u64>().map_err(|_| ProtoError(format!("{op}: sid {:?} is not a number", parts[1])))?;
            let total = number(parts[parts.len() - 1], "size")?;
            let hdr = if with_headers { number(parts[parts.len() - 2], "header size")? } else { 0 };
            if hdr > total {
                return Err(ProtoError(format!("{op}: header size {hdr} larger than total size {total}")));
            }
            if total > max_payload {
                return Err(ProtoError(format!("{op} of {total} bytes, over the limit of {max_payload}")));
            }
            let need = after + total + 2;
            if buf.len() < need {
                return Ok(None);
            }
            if &buf[after + total..need] != b"\r\n" {
                return Err(ProtoError(format!("{op}: payload of {total} bytes not followed by CRLF")));
            }
            let headers = if with_headers { Headers::parse(&buf[after..after + hdr])? } else { Headers::default() };
            let msg = Msg {
                subject: parts[0].to_string(),
                sid,
                reply,
                headers,
                payload: buf[after + hdr..after + total].to_vec(),
            };
            Ok(Some((ServerOp::Msg(msg), need)))
        }
        _ => Err(ProtoError(format!("unknown operation {:?}", op.chars().take(16).collect::<String>()))),
    }
}

/// A subject or reply we send: non-empty, no whitespace or control characters (they would
/// split the control line).
pub fn valid_subject(s: &str) -> bool {
    !s.is_empty() && s.len() <= 1024 && s.bytes().all(|b| b.is_ascii_graphic() || b >= 0x80)
}

/// Appends PUB or HPUB (when `headers` is not empty).
pub fn encode_pub(out: &mut Vec<u8>, subject: &str, reply: Option<&str>, headers: &Headers, payload: &[u8]) {
    use std::io::Write;
    let reply = reply.map(|r| format!(" {r}")).unwrap_or_default();
    if headers.is_empty() {
        let _ = write!(out, "PUB {subject}{reply} {}\r\n", payload.len());
        out.extend_from_slice(payload);
    } else {
        let mut block = Vec::with_capacity(128);
        headers.encode(&mut block);
        let _ = write!(out, "HPUB {subject}{reply} {} {}\r\n", block.len(), block.len() + payload.len());
        out.extend_from_slice(&block);
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends SUB.
pub fn encode_sub(out: &mut Vec<u8>, subject: &str, sid: u64) {
    out.extend_from_slice(format!("SUB {subject} {sid}\r\n").as_bytes());
}

/// Appends UNSUB.
pub fn encode_unsub(out: &mut Vec<u8>, sid: u64) {
    out.extend_from_slice(format!("UNSUB {sid}\r\n").as_bytes());
}

/// The CONNECT line: no echo of our own messages, headers and no-responders on, optional
/// user and password (from the URL).
pub fn encode_connect(out: &mut Vec<u8>, name: &str, user: Option<&str>, pass: Option<&str>) {
    let mut c = serde_json::json!({
        "verbose": false, "pedantic": false, "tls_required": false, "name": name,
        "lang": "rust-moderate", "version": env!("CARGO_PKG_VERSION"), "protocol": 1,
        "headers": true, "no_responders": true, "echo": false,
    });
    if let Some(u) = user {
        c["user"] = u.into();
    }
    if let Some(p) = pass {
        c["pass"] = p.into();
    }
    out.extend_from_slice(b"CONNECT ");
    out.extend_from_slice(c.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}
