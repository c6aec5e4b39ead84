//! Akismet-compatible endpoints, so a site whose comment form already calls Akismet can use
//! `moderate` by changing the host.
//!
//! | path | answer |
//! |---|---|
//! | `POST /1.1/verify-key` | `valid` / `invalid` (form fields `key`, `blog`) |
//! | `POST /1.1/comment-check` | `true` for flag or block (plus `X-akismet-pro-tip: discard` on block), `false` for allow |
//! | `POST /1.1/submit-spam`, `/1.1/submit-ham` | `Thanks for making the web a better place.`; the comment is appended to `--feedback FILE` as a moderator decision, a labeled JSONL record `moderate eval` reads |
//!
//! Form fields (`application/x-www-form-urlencoded`): `comment_content` → body,
//! `comment_author`, `comment_author_email`, `comment_author_url`, `user_ip`, `comment_type`
//! (`pingback` / `trackback` are kinds), `permalink` → post, `comment_date_gmt` → posting time;
//! `blog`, `user_agent`, `referrer`, `is_test` and the rest are accepted and ignored. The key is
//! `api_key` (or `key`); when the server has a token, the key must be that token, otherwise any
//! key is accepted (loopback only). Like `/v1/check`, a field sent twice is refused (400), and
//! so is a field of these in the query string (`?comment_content=...`: the fields go in the body).
//!
//! Field names are read as PHP files them ([`php_name`]), since Akismet's own server and the
//! sites that call it (WordPress) are PHP: PHP drops leading spaces and turns `.` and space
//! into `_` (and an unclosed `[` into `_`), so `comment.content` and `comment content` *are*
//! `comment_content` to them. Read literally, `comment_content=hello&comment.content=f*** you`
//! judged `hello` where a PHP receiver keeps the second copy and `comment.content=f*** you`
//! alone judged an empty comment (`false`, publish). Now a name is looked up by its PHP name,
//! two names that PHP files under the same field are a field sent twice (400, naming both), and
//! a control character in a name (PHP cuts a name at NUL) is refused.
//!
//! Comment-check is live traffic: the author policy, the review queue and the ledger see it as
//! they see `/v1/check`. Feedback labels follow `moderate review export`: spam confirms the
//! categories of the verdict's reasons (`spam` when there were none) and sets `toxic: true`;
//! ham sets those categories and `toxic` to false.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::api::{constant_time_eq, read_body, ApiError};
use super::input::BadInput;
use super::App;
use crate::comment::{Comment, CommentKind};
use crate::review::page::CATEGORIES;
use crate::verdict::Decision;

type Shared = Arc<App>;

/// What submit-spam and submit-ham answer (the Akismet text clients check for).
pub const THANKS: &str = "Thanks for making the web a better place.";

/// The name PHP gives a form field (`php_register_variable_ex`): leading spaces dropped, then
/// each `.` or space up to the first `[` turned into `_`; a `[` with a `]` after it starts an
/// array index (kept as sent), an unclosed one is turned into `_` and the rest is kept as it is.
/// Borrowed when nothing changes.
pub fn php_name(raw: &str) -> std::borrow::Cow<'_, str> {
    let s = raw.trim_start_matches(' ');
    let end = s.find(['.', ' ', '[']);
    let Some(end) = end else { return std::borrow::Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..end]);
    for (i, c) in s[end..].char_indices() {
        let i = end + i;
        match c {
            '.' | ' ' => out.push('_'),
            '[' if s[i + 1..].contains(']') => {
                out.push_str(&s[i..]);
                break;
            }
            '[' => {
                out.push('_');
                out.push_str(&s[i + 1..]);
                break;
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Decodes `application/x-www-form-urlencoded`. The names are kept as sent; look them up with
/// [`get`], which compares them as PHP names them ([`php_name`]).
///
/// # Errors
/// A field sent twice (also under two names PHP files as one), a control character in a name,
/// or a value that is not UTF-8 once decoded (400, naming the field).
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, BadInput> {
    let mut out: Vec<(String, String)> = Vec::new();
    // Names seen, as PHP would file them: `comment_content[]`, `comment_content[x]` and
    // `comment.content` are the field `comment_content` to a PHP site (WordPress), so they count
    // as sending it again. The value is the name as sent, to name both in the error.
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for pair in body.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let key = String::from_utf8(decode(k)).map_err(|_| BadInput::bad("a form field name is not UTF-8", None))?;
        let value = String::from_utf8(decode(v))
            .map_err(|_| BadInput::bad(format!("form field {key:?} is not UTF-8"), Some(&key)))?;
        if let Some(c) = key.chars().find(|c| c.is_control()) {
            return Err(BadInput::bad(
                format!(
                    "form field name {key:?} holds the control character U+{:04X} (PHP cuts a name at NUL, so a site \
                     may file it under another field)",
                    c as u32
                ),
                Some(&key),
            ));
        }
        let php = php_name(&key);
        let base = php.split('[').next().unwrap_or(&php).to_string();
        if let Some(first) = seen.get(&base) {
            let message = if *first == key {
                format!(
                    "form field {key:?} appears twice (which copy a site stores is not known, so nothing is judged)"
                )
            } else {
                format!(
                    "form fields {first:?} and {key:?} are the same field {base:?} to PHP (Akismet, WordPress), which \
                     turns `.` and spaces in names into `_`; which copy a site stores is not known, so nothing is judged"
                )
            };
            return Err(BadInput::bad(message, Some(&key)));
        }
        seen.insert(base, key.clone());
        out.push((key, value));
    }
    Ok(out)
}

/// Percent-decoding with `+` as space; a `%` not followed by two hex digits stays as it is.
fn decode(s: &[u8]) -> Vec<u8> {
    let hexval = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => match (s.get(i + 1).copied().and_then(hexval), s.get(i + 2).copied().and_then(hexval)) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The value of field `name` (a PHP name: `comment_content`), whichever way the form wrote it.
pub fn get<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| php_name(k) == name).map(|(_, v)| v.as_str())
}

/// The form fields these endpoints read (by their PHP names).
const READ: [&str; 11] = [
    "comment_content",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "user_ip",
    "comment_type",
    "permalink",
    "comment_date_gmt",
    "comment_id",
    "api_key",
    "key",
];

/// A field this server reads, sent in the query string: Akismet's fields go in the POST body,
/// and a query was never read, so `?comment_content=...` judged an empty comment (`false`,
/// publish) without a word. Other parameters (a cache buster) are still ignored.
fn query_field(query: Option<&str>) -> Result<(), BadInput> {
    for pair in query.unwrap_or("").split('&') {
        let raw = pair.split('=').next().unwrap_or("");
        let name = String::from_utf8_lossy(&decode(raw.as_bytes())).into_owned();
        let php = php_name(&name);
        let base = php.split('[').next().unwrap_or(&php);
        if READ.contains(&base) {
            return Err(BadInput::bad(
                format!(
                    "form field {name:?} is in the query string; Akismet fields go in the \
                     application/x-www-form-urlencoded POST body (a query is not read, so nothing is judged)"
                ),
                Some(&name),
            ));
        }
    }
    Ok(())
}

/// Reads and decodes the form of `req`, checking size limits and content type.
async fn form_of(app: &App, req: Request) -> Result<Vec<(String, String)>, ApiError> {
    let (parts, body) = req.into_parts();
    query_field(parts.uri.query())?;
    let ct = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if ct != "application/x-www-form-urlencoded" {
        return Err(ApiError::from(BadInput {
            status: 415,
            message: "Akismet endpoints take application/x-www-form-urlencoded".into(),
            field: None,
            index: None,
        }));
    }
    let bytes = read_body(body, &parts, app.limits.max_body, app.read_timeout).await?;
    Ok(parse_form(&bytes)?)
}

/// Whether the form's key is acceptable (see the module docs).
fn key_ok(app: &App, form: &[(String, String)]) -> bool {
    match &app.token {
        None => true,
        Some(t) => get(form, "api_key")
            .or_else(|| get(form, "key"))
            .is_some_and(|k| constant_time_eq(k.as_bytes(), t.as_bytes())),
    }
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn invalid_key() -> Response {
    let mut r = text(StatusCode::OK, "invalid");
    r.headers_mut().insert("x-akismet-debug-help", HeaderValue::from_static("the key must be this server's token"));
    r
}

/// The comment an Akismet form describes.
fn comment_of(app: &App, form: &[(String, String)]) -> Result<Comment, ApiError> {
    if let Some((k, _)) = form.iter().find(|(k, _)| php_name(k).contains('[')) {
        return Err(BadInput::bad(format!("form field {k:?}: arrays are not comment fields"), Some(k)).into());
    }
    for (k, v) in form {
        if let Some(e) = super::input::control_char(k, v) {
            return Err(e.into());
        }
    }
    let body = get(form, "comment_content").unwrap_or("").to_string();
    if body.len() > app.limits.max_comment {
        return Err(BadInput::too_large(
            format!("comment_content: {} bytes, more than the limit of {}", body.len(), app.limits.max_comment),
            Some("comment_content"),
        )
        .into());
    }
    let opt = |name: &str| get(form, name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    Ok(Comment {
        id: opt("comment_id").unwrap_or_else(|| format!("akismet-{}", app.next_id.fetch_add(1, Ordering::Relaxed) + 1)),
        body,
        author: opt("comment_author"),
        kind: get(form, "comment_type").map(CommentKind::parse).unwrap_or_default(),
        author_url: opt("comment_author_url"),
        author_email: opt("comment_author_email"),
        ip: opt("user_ip"),
        created_at: opt("comment_date_gmt"),
        post_id: opt("permalink"),
        ..Comment::default()
    })
}

/// `POST /1.1/verify-key`.
pub async fn verify_key(State(app): State<Shared>, req: Request) -> Result<Response, ApiError> {
    let form = form_of(&app, req).await?;
    Ok(if key_ok(&app, &form) { text(StatusCode::OK, "valid") } else { text(StatusCode::OK, "invalid") })
}

/// `POST /1.1/comment-check`.
pub async fn comment_check(State(app): State<Shared>, req: Request) -> Result<Response, ApiError> {
    let form = form_of(&app, req).await?;
    if !key_ok(&app, &form) {
        return Ok(invalid_key());
    }
    let comment = comment_of(&app, &form)?;
    let snap = app.reloader.current();
    let (_, verdicts) = app.live.judge(&snap, vec![comment]);
    let decision = verdicts.first().map_or(Decision::Allow, |v| v.verdict);
    let mut r = text(StatusCode::OK, if decision.is_deny() { "true" } else { "false" });
    let h = r.headers_mut();
    if decision == Decision::Block {
        h.insert("x-akismet-pro-tip", HeaderValue::from_static("discard"));
    }
    h.insert("x-moderate-verdict", HeaderValue::from_static(decision.as_str()));
    if let Ok(v) = HeaderValue::from_str(&snap.hash) {
        h.insert("x-moderate-config", v);
    }
    r.extensions_mut().insert(super::api::Judgement::of(&verdicts, &snap.hash));
    Ok(r)
}

/// `POST /1.1/submit-spam`.
pub async fn submit_spam(State(app): State<Shared>, req: Request) -> Result<Response, ApiError> {
    submit(app, req, true).await
}

/// `POST /1.1/submit-ham`.
pub async fn submit_ham(State(app): State<Shared>, req: Request) -> Result<Response, ApiError> {
    submit(app, req, false).await
}

async fn submit(app: Shared, req: Request, spam: bool) -> Result<Response, ApiError> {
    let form = form_of(&app, req).await?;
    if !key_ok(&app, &form) {
        return Ok(invalid_key());
    }
    let Some((path, file)) = &app.feedback else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "this server records submit-spam / submit-ham only when started with --feedback FILE",
        ));
    };
    let comment = comment_of(&app, &form)?;
    let snap = app.reloader.current();
    // What the rules say now, to know which categories the moderator confirms or denies.
    let verdict = snap.engine.judge(&comment);
    let record = labeled(&comment, &verdict, spam, &snap.hash, &form);
    let line = format!("{record}\n");
    let written = {
        let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(line.as_bytes()).and_then(|()| f.flush())
    };
    if let Err(e) = written {
        tracing::error!("feedback {}: {e}", path.display());
        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the feedback file cannot be written"));
    }
    app.metrics.feedback.fetch_add(1, Ordering::Relaxed);
    Ok(text(StatusCode::OK, THANKS))
}

/// The labeled record of a moderator's spam / ham decision (schema of `shared/data`).
fn labeled(c: &Comment, v: &crate::verdict::Verdict, spam: bool, config: &str, form: &[(String, String)]) -> Value {
    let cats: Vec<&str> = v.categories().into_iter().filter(|c| CATEGORIES.contains(c)).collect();
    let mut labels = Map::new();
    if spam {
        let confirmed = if cats.is_empty() { vec!["spam"] } else { cats.clone() };
        for c in &confirmed {
            labels.insert((*c).to_string(), Value::Bool(true));
        }
        labels.insert("toxic".into(), Value::Bool(true));
    } else {
        for c in &cats {
            labels.insert((*c).to_string(), Value::Bool(false));
        }
        labels.insert("toxic".into(), Value::Bool(false));
    }
    labels.insert(
        "raw".into(),
        json!({
            "decision": if spam { "spam" } else { "ham" },
            "via": "akismet",
            "decided_at": super::ledger::utc(super::reload::now_secs()),
            "verdict": v.verdict.as_str(),
            "rules": v.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>(),
            "config": config,
            "user_ip": get(form, "user_ip"),
            "permalink": get(form, "permalink"),
        }),
    );
    json!({
        "id": c.id,
        "author": c.author.clone().unwrap_or_default(),
        "body": c.body,
        "kind": c.kind.as_str(),
        "source": if spam { "akismet:submit-spam" } else { "akismet:submit-ham" },
        "labels": labels,
    })
}
