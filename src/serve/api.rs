//! The HTTP API: routes, the guard (Host and token), timeouts, metrics, JSON errors.
//!
//! | method | path | what |
//! |---|---|---|
//! | POST | `/v1/check` | one comment object → one verdict record; a JSON array or NDJSON → one verdict per comment, in order |
//! | GET | `/healthz` | `{"status":"ok"}` (no token needed) |
//! | GET | `/v1/status` | config hash, origin, rule count, uptime, last reload and its error |
//! | GET | `/v1/openapi.json` | the OpenAPI 3.0 description of this API |
//! | GET | `/metrics` | Prometheus text |
//! | POST | `/1.1/verify-key`, `/1.1/comment-check`, `/1.1/submit-spam`, `/1.1/submit-ham` | Akismet-compatible ([`super::akismet`]) |
//!
//! Every answer that is not a success is `{"error": message, "field": name-or-null}` (plus
//! `"index"` for a comment of a batch): 400 bad input, 401 token, 404 route, 405 method, 408 a
//! body that takes too long, 413 above a limit, 415 content type, 421 Host, 503 timeout.
//! Nothing a client sends can make a 500: handlers return errors as values, and a panic would
//! be a bug (there is none on these paths; axum would answer 500 and the server keep running).
//!
//! Each verdict response carries `X-Moderate-Config: sha256:…`, the config it was judged with
//! (one snapshot per request, so one hash for the whole batch).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;

use super::input::{self, BadInput, Shape};
use super::listen::{BodyWatch, GRACE, MIN_RATE};
use super::metrics::ROUTES;
use super::App;
use crate::write::Judged;

/// An error answer: `{"error", "field", "index"?}` with a status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    field: Option<String>,
    index: Option<usize>,
}

impl ApiError {
    /// An error with no field.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), field: None, index: None }
    }
}

impl From<BadInput> for ApiError {
    fn from(b: BadInput) -> Self {
        ApiError {
            status: StatusCode::from_u16(b.status).unwrap_or(StatusCode::BAD_REQUEST),
            message: b.message,
            field: b.field,
            index: b.index,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut v = serde_json::json!({ "error": self.message, "field": self.field });
        if let (Some(i), Some(m)) = (self.index, v.as_object_mut()) {
            m.insert("index".into(), i.into());
        }
        (self.status, [(header::CONTENT_TYPE, "application/json")], format!("{v}\n")).into_response()
    }
}

type Shared = Arc<App>;

/// The application.
pub fn router(app: Shared, request_timeout: Duration) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/check", post(check))
        .route("/v1/status", get(status))
        .route("/v1/openapi.json", get(openapi))
        .route("/metrics", get(metrics))
        .route("/1.1/verify-key", post(super::akismet::verify_key))
        .route("/1.1/comment-check", post(super::akismet::comment_check))
        .route("/1.1/submit-spam", post(super::akismet::submit_spam))
        .route("/1.1/submit-ham", post(super::akismet::submit_ham))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .layer(middleware::from_fn_with_state((Arc::clone(&app), request_timeout), observe))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such route; see /v1/openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route")
}

fn route_index(path: &str) -> usize {
    if path == "/v1/check" {
        0
    } else if path.starts_with("/1.1/") {
        1
    } else if path == "/v1/status" || path == "/healthz" || path == "/metrics" {
        2
    } else {
        ROUTES.len() - 1
    }
}

/// What a judging handler tells the request log (a response extension): how many comments got
/// which verdict, and the config that judged them.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// Comments judged: allow, flag, block.
    pub counts: [usize; 3],
    /// The config hash.
    pub config: String,
}

impl Judgement {
    /// The summary of `verdicts`, judged with config `hash`.
    pub fn of(verdicts: &[crate::verdict::Verdict], hash: &str) -> Judgement {
        let mut counts = [0; 3];
        for v in verdicts {
            match v.verdict {
                crate::verdict::Decision::Allow => counts[0] += 1,
                crate::verdict::Decision::Flag => counts[1] += 1,
                crate::verdict::Decision::Block => counts[2] += 1,
                crate::verdict::Decision::Error => {}
            }
        }
        Judgement { counts, config: hash.to_string() }
    }

    /// The decision of a one-comment request, else `batch` (or `-` when nothing was judged).
    fn decision(&self) -> &'static str {
        match self.counts {
            [1, 0, 0] => "allow",
            [0, 1, 0] => "flag",
            [0, 0, 1] => "block",
            [0, 0, 0] => "-",
            _ => "batch",
        }
    }
}

/// Times every request, counts its status, bounds how long it may take, and logs one line for
/// it (no comment text: ids and bodies stay out of the log).
async fn observe(State((app, timeout)): State<(Shared, Duration)>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = route_index(req.uri().path());
    let method = req.method().clone();
    let path = req.uri().path().chars().take(64).collect::<String>();
    let res = match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the request took too long").into_response(),
    };
    let elapsed = start.elapsed();
    app.metrics.response(route, res.status().as_u16(), elapsed);
    if tracing::enabled!(tracing::Level::INFO) {
        let j = res.extensions().get::<Judgement>().cloned().unwrap_or_default();
        tracing::info!(
            method = %method,
            path = %path,
            status = res.status().as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            decision = j.decision(),
            allow = j.counts[0],
            flag = j.counts[1],
            block = j.counts[2],
            config = %j.config,
            "request"
        );
    }
    res
}

/// Host check (DNS rebinding) on loopback; the token on everything but `/healthz` and the
/// Akismet routes (which check the Akismet `key` / `api_key` field instead).
async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if crate::localhttp::checked_host(req.uri(), headers, &app.allowed_hosts).is_none() {
        return ApiError::new(StatusCode::MISDIRECTED_REQUEST, "unexpected Host header for a loopback server")
            .into_response();
    }
    let path = req.uri().path();
    if path != "/healthz" && !path.starts_with("/1.1/") {
        if let Some(token) = &app.token {
            if !token_ok(headers, token) {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "this server needs its token: Authorization: Bearer TOKEN (or X-Moderate-Token)",
                )
                .into_response();
            }
        }
    }
    next.run(req).await
}

fn token_ok(headers: &HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| headers.get("x-moderate-token").and_then(|v| v.to_str().ok()));
    given.is_some_and(|g| constant_time_eq(g.trim().as_bytes(), token.as_bytes()))
}

/// Compares without an early exit on the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads a request body: 413 above `max` bytes (by `Content-Length` before reading, or while
/// reading), 408 when it takes longer than `timeout`, or when a full server cuts it for arriving
/// too slowly (reported to the connection's [`BodyWatch`], from the request's extensions).
pub async fn read_body(
    body: Body,
    parts: &axum::http::request::Parts,
    max: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let headers = &parts.headers;
    framing(headers)?;
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body is larger than {max} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let watch: Arc<BodyWatch> = parts.extensions.get::<Arc<BodyWatch>>().cloned().unwrap_or_default();
    watch.start();
    let counter = Arc::clone(&watch);
    let body = body.map_frame(move |f| {
        if let Some(d) = f.data_ref() {
            counter.add(d.len());
        }
        f
    });
    let limited = http_body_util::Limited::new(body, max);
    let read = tokio::select! {
        r = tokio::time::timeout(timeout, limited.collect()) => Some(r),
        () = watch.cut() => None,
    };
    watch.end();
    let Some(read) = read else {
        return Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the server is full and this request body was arriving too slowly (under {MIN_RATE} bytes a second \
                 after {} s); send it again at once",
                GRACE.as_secs()
            ),
        ));
    };
    match read {
        Err(_) => Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, "the request body took too long to arrive")),
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(e)) => Err(ApiError::new(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}"))),
    }
}

/// Refuses a body whose bytes are not certainly the text the client means: a content coding
/// this server does not decode (`Content-Encoding: gzip` over plain bytes was judged as sent,
/// gzip bytes as "not UTF-8"), a transfer coding other than one `chunked` (hyper decodes only
/// `chunked` and passed `gzip, chunked` through undecoded). (`Content-Length` beside
/// `Transfer-Encoding` never gets here: hyper goes by the chunks, drops the length and closes
/// the connection after the answer, so nothing smuggled behind the body is read.)
fn framing(headers: &HeaderMap) -> Result<(), ApiError> {
    let codings = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split(',')
                    .map(|c| c.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|c| !c.is_empty())
            .collect()
    };
    let content = codings(header::CONTENT_ENCODING);
    if content.iter().any(|c| c != "identity") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Encoding {:?} is not supported: send the body uncompressed", content.join(", ")),
        ));
    }
    if headers.contains_key(header::TRANSFER_ENCODING) {
        let transfer = codings(header::TRANSFER_ENCODING);
        if transfer != ["chunked"] {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                format!("Transfer-Encoding {:?} is not supported: only a single \"chunked\"", transfer.join(", ")),
            ));
        }
    }
    Ok(())
}

async fn healthz() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], "{\"status\":\"ok\"}\n").into_response()
}

fn config_header(hash: &str) -> HeaderValue {
    HeaderValue::from_str(hash).unwrap_or(HeaderValue::from_static("unknown"))
}

async fn check(State(app): State<Shared>, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(body, &parts, app.limits.max_body, app.read_timeout).await?;
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let snap = app.reloader.current();
    let mut next_id = || format!("live-{}", app.next_id.fetch_add(1, Ordering::Relaxed) + 1);
    let (shape, comments) = input::parse_check(content_type, &bytes, &snap.fields, app.limits, &mut next_id)?;
    // Judging is CPU work and runs right here: the runtime has one worker per core, so a
    // batch keeps one core busy for its few milliseconds and no thread pool grows.
    let (comments, verdicts) = app.live.judge(&snap, comments);
    let judgement = Judgement::of(&verdicts, &snap.hash);
    let mut out = Vec::with_capacity(verdicts.len() * 128 + 2);
    let n = verdicts.len();
    if shape == Shape::Array {
        out.push(b'[');
    }
    for (i, (c, v)) in comments.into_iter().zip(verdicts).enumerate() {
        let start = out.len();
        let judged = Judged { record: Ok(c), verdict: v };
        if (app.render)(&judged, &mut out).is_err() {
            out.truncate(start);
            continue;
        }
        if shape == Shape::Array {
            // `run`'s line without its newline, comma-separated.
            if out.last() == Some(&b'\n') {
                out.pop();
            }
            if i + 1 < n {
                out.push(b',');
            }
        }
    }
    if shape == Shape::Array {
        out.extend_from_slice(b"]\n");
    }
    let ct = if shape == Shape::Ndjson { "application/x-ndjson" } else { "application/json" };
    let mut res = (StatusCode::OK, [(header::CONTENT_TYPE, ct)], out).into_response();
    res.headers_mut().insert("x-moderate-config", config_header(&snap.hash));
    res.extensions_mut().insert(judgement);
    Ok(res)
}

async fn status(State(app): State<Shared>) -> Response {
    let snap = app.reloader.current();
    let reload = app.reloader.status();
    let ledger = app.live.ledger.as_ref().map(|l| {
        serde_json::json!({"path": l.path().display().to_string(), "session": l.session(), "synced_lines": l.written()})
    });
    let v = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "config": {
            "hash": snap.hash,
            "origin": snap.engine.origin(),
            "rules": snap.engine.rules().len(),
            "loaded_at": super::ledger::utc(snap.loaded_at),
        },
        "started_at": super::ledger::utc(app.started_at),
        "uptime_seconds": app.started.elapsed().as_secs_f64(),
        "last_reload": {
            "at": reload.at.map(super::ledger::utc),
            "ok": reload.ok,
            "error": reload.error,
            "reloads": reload.reloads,
            "failed": reload.failed,
            "retired_in_use": reload.retired_in_use,
        },
        "verdicts": {
            "allow": app.metrics.count(crate::verdict::Decision::Allow),
            "flag": app.metrics.count(crate::verdict::Decision::Flag),
            "block": app.metrics.count(crate::verdict::Decision::Block),
        },
        "ledger": ledger,
        "queue": app.live.queue.is_some(),
        "limits": {
            "max_body_bytes": app.limits.max_body,
            "max_comment_bytes": app.limits.max_comment,
            "max_batch": app.limits.max_batch,
        },
    });
    ([(header::CONTENT_TYPE, "application/json")], format!("{v}\n")).into_response()
}

async fn metrics(State(app): State<Shared>) -> Response {
    let snap = app.reloader.current();
    let r = app.reloader.status();
    let text = app.metrics.render(r.reloads, r.failed, snap.engine.rules().len(), app.started.elapsed().as_secs_f64());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], format!("{}\n", super::openapi::document())).into_response()
}
