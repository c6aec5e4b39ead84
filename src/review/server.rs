//! The review web server (axum): the queue page, its static script and style, and a JSON API.
//!
//! # Routes
//!
//! | method | path | what |
//! |---|---|---|
//! | GET | `/` | the queue page; `?status=&sort=score\|newest\|oldest&q=&author=&email=&ip=&post=&from=&to=&category=&rule=&source=&limit=&after=ID\|before=ID` |
//! | GET | `/static/app.js`, `/static/app.css` | the page's only script and style (no data, no token) |
//! | POST | `/api/session` | trades the token for this server's read cookie (the page does it) |
//! | GET | `/api/items` | one page of the listing as JSON (same query; bodies are previews) |
//! | GET | `/api/items/{id}` | one item: whole body (`body_html` highlighted), decision log, author record |
//! | POST | `/api/items/{id}/decision` | `{"action", "expected_version", "reviewer"?, "categories"?, "note"?, "edited_body"?, "block_kind"?}` |
//! | POST | `/api/decisions` | bulk: `{"action", "reviewer"?, "categories"?, "note"?, "items": [{"id", "expected_version", "categories"?}]}`, all or nothing |
//! | POST | `/api/items/{id}/reopen` | `{"expected_version", "reviewer"?}`: undo, the item is pending again (a block it made is lifted) |
//! | POST | `/api/items/{id}/claim`, `/api/items/{id}/release` | `{"reviewer"}`: hold an item for 5 minutes (409 names the holder) |
//! | GET, POST | `/api/blocks` | the block list; `{"kind", "value", "blocked": true\|false, "reviewer"?}` blocks or unblocks |
//! | GET | `/api/poll?since=ID` | counts, and how many pending items arrived after item ID |
//! | GET | `/api/fragment?after=ID` | `{"html", "newest"}`: the next 20 pending items queued after ID, as the page's HTML |
//!
//! A decision answers `200 {"decisions": [...], "items": [{"id", "version", "status"}]}`;
//! `409 {"error": ...}` when someone decided the item after `expected_version` or holds a claim on
//! it; `400` for a bad request (no `expected_version`, an id named twice, more than 1000 ids),
//! `404` for an unknown item.
//!
//! # Security model
//!
//! The server is for a moderator on their own machine and binds `127.0.0.1` by default.
//!
//! - **Everything but the static script and style needs the token**: reads too (a local process
//!   must not read moderators' data). API calls carry it as a header; the page trades it once
//!   (`POST /api/session`, token in the header) for an `HttpOnly; SameSite=Strict` cookie that
//!   allows reads only, so the server can render pages. Without it `/` is a page that asks for
//!   the token and nothing else.
//! - **Writes need the token**, as `Authorization: Bearer T` or `X-Moderate-Token: T` (`401`
//!   otherwise). The token is random per start unless configured; `moderate review serve` prints
//!   it inside the page URL's *fragment* (`http://127.0.0.1:8787/#token=T`). A fragment is never
//!   sent to a server, never logged, never in a `Referer`; the page's script moves it into
//!   `sessionStorage` (this tab only) and removes it from the address bar. Without it the page
//!   asks for the token once. The HTML never contains the token, so reading the page is not
//!   enough to write.
//! - **Writes must be same-origin**: when the browser sends `Origin` (or, failing that,
//!   `Referer`), it must be this server's own origin (`http[s]://` + the request's `Host`),
//!   else `403`. `Origin: null` and a doubled `Origin` or `Referer` are refused. Non-browser clients send neither and need only the
//!   token. JSON bodies also require `Content-Type: application/json`, which no HTML form can send.
//!   A read cookie never allows a write.
//! - **Host check** (DNS rebinding): when bound to a loopback address, requests whose `Host`
//!   is not that address (or `localhost:PORT`) are refused with `421`, reads included.
//! - **Headers on every response**: a strict `Content-Security-Policy` (no inline script or
//!   style, nothing from other origins, no framing), `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, `Cache-Control: no-store`.
//! - Every comment-derived string is HTML-escaped by [`page`](super::page).
//!
//! Reviewer names are self-declared (everyone with the token is trusted equally); the log
//! records them as given.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::distributions::{Alphanumeric, DistString};

use super::store::Store;
use super::Error;

mod api;

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const APP_JS: &str = include_str!("static/app.js");
const APP_CSS: &str = include_str!("static/app.css");

/// The server's shared state: the store (behind a mutex; SQLite calls run on the blocking pool),
/// the write token, the default reviewer name and the accepted `Host` values. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Store>,
    token: String,
    reviewer: String,
    allowed_hosts: Vec<String>,
    /// The read cookie's name and value, random per start (see [`api::session`]).
    cookie_name: String,
    cookie_value: String,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("reviewer", &self.inner.reviewer)
            .field("allowed_hosts", &self.inner.allowed_hosts)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for a server over `store` that accepts writes carrying `token`, recording
    /// `reviewer` when a decision names nobody. Any `Host` is accepted; see
    /// [`AppState::with_allowed_hosts`].
    ///
    /// # Panics
    /// If `token` is empty (a server must never accept an empty token).
    pub fn new(store: Store, token: impl Into<String>, reviewer: impl Into<String>) -> AppState {
        let token = token.into();
        assert!(!token.is_empty(), "the write token must not be empty");
        // A request waits this long for another process's lock, not the commands' 5 s.
        let _ = store.set_busy_timeout(STORE_BUSY);
        AppState {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                token,
                reviewer: reviewer.into(),
                allowed_hosts: Vec::new(),
                cookie_name: format!("moderate-review-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 8)),
                cookie_value: Alphanumeric.sample_string(&mut rand::thread_rng(), 32),
            }),
        }
    }

    /// Refuses requests whose `Host` header is not one of `hosts` (`host:port`, compared
    /// case-insensitively). Empty = accept any.
    ///
    /// # Panics
    /// If called after the state was cloned (call it right after [`AppState::new`]).
    pub fn with_allowed_hosts(self, hosts: Vec<String>) -> AppState {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|_| panic!("with_allowed_hosts before cloning"));
        AppState {
            inner: Arc::new(Inner {
                allowed_hosts: hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
                ..inner
            }),
        }
    }

    /// Whether the request carries this server's read cookie.
    fn has_read_cookie(&self, headers: &HeaderMap) -> bool {
        let want = self.inner.cookie_value.as_bytes();
        headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .any(|(k, val)| k == self.inner.cookie_name && constant_time_eq(val.as_bytes(), want))
        })
    }

    /// Runs `f` with the store on tokio's blocking pool. When another process holds the
    /// database, `f` fails busy after [`STORE_BUSY`] and the answer is a 503 with `Retry-After`;
    /// a request waiting behind one that waits so gives up after [`STORE_WAIT`] the same way, so
    /// a locked database makes no request hang (before: 500 after 5 s each, one after another).
    async fn with_store<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, Error> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + STORE_WAIT;
            let mut store = loop {
                match state.inner.store.try_lock() {
                    Ok(s) => break s,
                    Err(std::sync::TryLockError::Poisoned(_)) => return Err(ApiError::internal("store lock poisoned")),
                    Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() >= deadline => {
                        return Err(ApiError::busy());
                    }
                    Err(std::sync::TryLockError::WouldBlock) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            };
            f(&mut store).map_err(ApiError::from)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
    }
}

pub use crate::localhttp::loopback_hosts;

/// The application: every route, the write guard and the security headers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(api::queue_page))
        .route("/static/app.js", get(app_js))
        .route("/static/app.css", get(app_css))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/session", post(api::session))
        .route("/api/items", get(api::list_items))
        .route("/api/items/:id", get(api::get_item))
        .route("/api/items/:id/decision", post(api::decide_one))
        .route("/api/items/:id/reopen", post(api::reopen))
        .route("/api/items/:id/claim", post(api::claim))
        .route("/api/items/:id/release", post(api::release))
        .route("/api/decisions", post(api::decide_bulk))
        .route("/api/blocks", get(api::list_blocks).post(api::set_block))
        .route("/api/poll", get(api::poll))
        .route("/api/fragment", get(api::fragment))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::map_response(security_headers))
        .with_state(state)
}

/// How long one request's statement waits for another process's lock on the database.
pub const STORE_BUSY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a request waits for its turn at the store (behind a request that waits for a lock).
pub const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The `Retry-After` of a 503 for a locked database, in seconds.
const RETRY_AFTER_SECS: u32 = 2;

/// An error answer: status and a JSON `{"error": message}` (and `Retry-After` for a 503).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u32>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), retry_after: None }
    }

    /// 503: the database is locked by another process; nothing was changed.
    fn busy() -> ApiError {
        ApiError {
            retry_after: Some(RETRY_AFTER_SECS),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the review database is locked by another process (a `moderate review` or `run --queue` command, \
                 or a program holding a transaction); nothing was changed; try again in a moment",
            )
        }
    }

    fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        if e.is_busy() {
            return ApiError::busy();
        }
        let status = if e.is_conflict() {
            StatusCode::CONFLICT
        } else if e.is_not_found() {
            StatusCode::NOT_FOUND
        } else if e.is_invalid() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(serde_json::json!({ "error": self.message }))).into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Host check for every request; origin and token checks for every write.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let Some(host) = crate::localhttp::checked_host(req.uri(), headers, &state.inner.allowed_hosts) else {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "unexpected Host header; open the URL printed by `moderate review serve`",
        )
        .into_response();
    };
    let path = req.uri().path();
    let public = path.starts_with("/static/") || path == "/favicon.ico";
    if req.method() != Method::GET && req.method() != Method::HEAD {
        if let Err(e) = check_origin(headers, host.as_deref()) {
            return e.into_response();
        }
        if let Err(e) = check_token(headers, &state.inner.token) {
            return e.into_response();
        }
    } else if !public && !state.has_read_cookie(headers) {
        if let Err(e) = check_token(headers, &state.inner.token) {
            if path == "/" {
                // The page that asks for the token (and trades it for the read cookie).
                return (StatusCode::UNAUTHORIZED, Html(super::page::login_page())).into_response();
            }
            return e.into_response();
        }
    }
    next.run(req).await
}

fn check_origin(headers: &HeaderMap, host: Option<&str>) -> Result<(), ApiError> {
    let forbidden = |what: &str| ApiError::new(StatusCode::FORBIDDEN, format!("cross-origin write refused ({what})"));
    let same = |origin: &str| -> bool {
        let Some(host) = host else { return false };
        let origin = origin.to_ascii_lowercase();
        origin == format!("http://{host}") || origin == format!("https://{host}")
    };
    // A browser sends one of each; with two, which one a proxy or a check reads is a guess
    // (`get` read the first: `Origin: <this server>` then `Origin: <evil>` was let through).
    for name in [header::ORIGIN, header::REFERER] {
        if headers.get_all(&name).iter().nth(1).is_some() {
            return Err(forbidden(&format!("more than one {name} header")));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| forbidden("unreadable Origin"))?;
        return if same(origin) { Ok(()) } else { Err(forbidden("Origin is not this server")) };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        let referer = referer.to_str().map_err(|_| forbidden("unreadable Referer"))?;
        // The origin is everything before the first '/' after "scheme://".
        let origin = match referer.find("://") {
            Some(i) => match referer[i + 3..].find('/') {
                Some(j) => &referer[..i + 3 + j],
                None => referer,
            },
            None => return Err(forbidden("malformed Referer")),
        };
        return if same(origin) { Ok(()) } else { Err(forbidden("Referer is not this server")) };
    }
    Ok(())
}

fn check_token(headers: &HeaderMap, token: &str) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| headers.get("x-moderate-token").and_then(|v| v.to_str().ok()));
    match given {
        Some(t) if constant_time_eq(t.trim().as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong token")),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this needs the write token (Authorization: Bearer ... or X-Moderate-Token), printed by `moderate review serve`",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page")
}

async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], APP_JS)
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS)
}

/// The connection bounds of the review server. Any local process, and any web page the
/// moderator has open (a browser connects to 127.0.0.1 for it), can open connections: with
/// `axum::serve` one that sent nothing, or its headers a byte at a time, was held forever, and
/// a few thousand of them used up the process's file descriptors. The page needs few
/// connections and answers in milliseconds.
pub const CONN_LIMITS: crate::serve::listen::ConnLimits = crate::serve::listen::ConnLimits {
    max_connections: 128,
    header_timeout: std::time::Duration::from_secs(10),
    write_timeout: std::time::Duration::from_secs(30),
};

/// Serves `state` on `listener` until Ctrl-C (or SIGTERM), then finishes open requests; the
/// connections are bounded as [`CONN_LIMITS`] says.
///
/// # Errors
/// The listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    crate::serve::listen::serve(listener, router(state), CONN_LIMITS, crate::localhttp::shutdown_signal()).await
}
