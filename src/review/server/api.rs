//! The route handlers: the page, the JSON API, blocks, claims and polling.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState};
use crate::review::identity::{Block, BlockKind};
use crate::review::page::{self, Listed, PageData, PageQuery};
use crate::review::store::{
    AuthorRecord, DecisionRow, Direction, Filter, HistoryEntry, Item, ListPage, NewDecision, ReviewAction, Sort,
    Status, Store, Target, MAX_BULK,
};
use crate::review::Error;

/// How many of an author's other comments an item shows.
const HISTORY_LIMIT: usize = 20;

/// An item id from the path, refused as JSON `{"error": …}` like every other answer
/// (axum's own refusal, for `/api/items/abc/decision`, is plain text).
pub(super) struct ItemId(i64);

#[axum::async_trait]
impl<S: Send + Sync> FromRequestParts<S> for ItemId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<i64>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(ItemId(id)),
            Err(e) => Err(ApiError::new(e.status(), e.body_text())),
        }
    }
}

/// A query string, refused as JSON like [`ItemId`] (`?limit=-1`, `?after=abc`).
pub(super) struct Params<T>(T);

#[axum::async_trait]
impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(q)) => Ok(Params(q)),
            Err(e) => Err(ApiError::new(e.status(), e.body_text())),
        }
    }
}

/// A JSON body, or a 400 that says what is wrong with it (axum's default would be a 422).
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))
}

fn listing(store: &Store, q: &PageQuery) -> Result<(Vec<Listed>, ListPage), Error> {
    let mut page = store.items(&q.to_filter())?;
    let items = std::mem::take(&mut page.items);
    Ok((listed(store, items)?, page))
}

/// Each item with its author's history and record. An author's record is counted once per
/// page, not once per item: a page of one flooder's 50 comments counted up to
/// 10,000 rows (`RECORD_CAP`) 50 times (2 s a page on a queue of 10^6 items by
/// one author, round 14; 0.1 s now).
fn listed(store: &Store, items: Vec<Item>) -> Result<Vec<Listed>, Error> {
    let mut out = Vec::with_capacity(items.len());
    let mut records: std::collections::HashMap<(bool, String), Option<AuthorRecord>> = Default::default();
    for item in items {
        let history = match item.author.as_deref().filter(|a| !a.is_empty()) {
            Some(a) => store.history(a, &item.comment_id, HISTORY_LIMIT)?,
            None => Vec::new(),
        };
        // The key `author_record` counts by: the e-mail (ASCII case ignored, as NOCASE), else
        // the exact name.
        let key = match (item.author_email.as_deref(), item.author.as_deref()) {
            (Some(e), _) => (true, e.to_ascii_lowercase()),
            (None, a) => (false, a.unwrap_or_default().to_string()),
        };
        let record = match records.get(&key) {
            Some(r) => *r,
            None => {
                let r = store.author_record(&item)?;
                records.insert(key, r);
                r
            }
        };
        out.push(Listed { item, history, record });
    }
    Ok(out)
}

pub(super) async fn queue_page(
    State(state): State<AppState>,
    Params(q): Params<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let reviewer = state.inner.reviewer.clone();
    state
        .with_store(move |store| {
            let (items, meta) = listing(store, &q)?;
            let counts = store.counts()?;
            let (categories, rules) = store.facets()?;
            Ok(Html(page::queue_page(&PageData {
                items: &items,
                total: meta.total,
                next_after: meta.next_after,
                prev_before: meta.prev_before,
                scanned: meta.scanned,
                counts,
                categories: &categories,
                rules: &rules,
                query: &q,
                reviewer: &reviewer,
                newest: store.max_id()?,
            })))
        })
        .await
}

/// `POST /api/session`: the guard checked the token; answer with the read cookie.
pub(super) async fn session(State(state): State<AppState>) -> Response {
    let cookie = format!("{}={}; HttpOnly; SameSite=Strict; Path=/", state.inner.cookie_name, state.inner.cookie_value);
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Serialize)]
struct ItemJson {
    #[serde(flatten)]
    item: Item,
    status: Status,
    history: Vec<HistoryEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_record: Option<AuthorRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<Vec<DecisionRow>>,
    /// The highlighted, escaped body (whole items only), for the page's "show all".
    #[serde(skip_serializing_if = "Option::is_none")]
    body_html: Option<String>,
}

pub(super) async fn list_items(
    State(state): State<AppState>,
    Params(q): Params<PageQuery>,
) -> Result<Response, ApiError> {
    state
        .with_store(move |store| {
            let (items, meta) = listing(store, &q)?;
            let items: Vec<ItemJson> = items
                .into_iter()
                .map(|l| ItemJson {
                    status: l.item.status(),
                    item: l.item,
                    history: l.history,
                    author_record: l.record,
                    decisions: None,
                    body_html: None,
                })
                .collect();
            Ok(Json(serde_json::json!({
                "total": meta.total, "items": items, "next_after": meta.next_after,
                "prev_before": meta.prev_before, "scanned": meta.scanned,
            }))
            .into_response())
        })
        .await
}

pub(super) async fn get_item(State(state): State<AppState>, ItemId(id): ItemId) -> Result<Response, ApiError> {
    state
        .with_store(move |store| {
            let item = store.item(id)?;
            let history = match item.author.as_deref().filter(|a| !a.is_empty()) {
                Some(a) => store.history(a, &item.comment_id, HISTORY_LIMIT)?,
                None => Vec::new(),
            };
            let author_record = store.author_record(&item)?;
            let decisions = Some(store.decisions(id)?);
            let body_html = Some(page::highlight(&item.body, &item.record));
            Ok(Json(ItemJson { status: item.status(), item, history, author_record, decisions, body_html })
                .into_response())
        })
        .await
}

/// Body of `POST /api/items/{id}/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// approve / reject / block.
    pub action: ReviewAction,
    /// The item version the client saw (required: a page must not decide blind).
    pub expected_version: i64,
    /// Who decides; the server's default reviewer when absent.
    #[serde(default)]
    pub reviewer: Option<String>,
    /// For reject/block: the categories the moderator ticked; absent = the defaults.
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// A note kept with the decision.
    #[serde(default)]
    pub note: Option<String>,
    /// Approve only: the text as the moderator edited it.
    #[serde(default)]
    pub edited_body: Option<String>,
    /// Block only: which identity to block (email, domain, ip, name).
    #[serde(default)]
    pub block_kind: Option<BlockKind>,
}

/// One item of a bulk decision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkItem {
    /// The item's queue number.
    pub id: i64,
    /// The version the client saw (required).
    pub expected_version: i64,
    /// Categories confirmed for this item (overrides the request's `categories`).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
}

/// Body of `POST /api/decisions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// approve / reject / block.
    pub action: ReviewAction,
    /// Who decides.
    #[serde(default)]
    pub reviewer: Option<String>,
    /// For reject/block: the confirmed categories, applied to every item (default: each item's).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// A note kept with each decision.
    #[serde(default)]
    pub note: Option<String>,
    /// Block only: which identity to block.
    #[serde(default)]
    pub block_kind: Option<BlockKind>,
    /// The items.
    pub items: Vec<BulkItem>,
}

#[derive(Serialize)]
struct ItemState {
    id: i64,
    version: i64,
    status: Status,
    author_blocked: bool,
}

fn reviewer_or_default(state: &AppState, r: Option<String>) -> String {
    r.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).unwrap_or_else(|| state.inner.reviewer.clone())
}

async fn record(state: AppState, d: NewDecision, items: Vec<Target>) -> Result<Response, ApiError> {
    state
        .with_store(move |store| {
            let decisions = store.decide_many(&items, &d)?;
            let mut states = Vec::with_capacity(items.len());
            for target in &items {
                let item = store.item_preview(target.id)?;
                states.push(ItemState {
                    id: item.id,
                    version: item.version,
                    status: item.status(),
                    author_blocked: item.author_blocked,
                });
            }
            Ok(Json(serde_json::json!({ "decisions": decisions, "items": states })).into_response())
        })
        .await
}

pub(super) async fn decide_one(
    State(state): State<AppState>,
    ItemId(id): ItemId,
    b: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let target = Target { id, expected_version: Some(b.expected_version), categories: None };
    let d = NewDecision {
        action: b.action,
        reviewer: reviewer_or_default(&state, b.reviewer),
        categories: b.categories,
        expected_version: None,
        via: "web",
        note: b.note.filter(|n| !n.trim().is_empty()),
        edited_body: b.edited_body,
        block_kind: b.block_kind,
    };
    record(state, d, vec![target]).await
}

pub(super) async fn decide_bulk(
    State(state): State<AppState>,
    b: Result<Json<BulkBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    if b.items.len() > MAX_BULK {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("at most {MAX_BULK} items per request")));
    }
    let items = b
        .items
        .into_iter()
        .map(|i| Target { id: i.id, expected_version: Some(i.expected_version), categories: i.categories })
        .collect();
    let d = NewDecision {
        action: b.action,
        reviewer: reviewer_or_default(&state, b.reviewer),
        categories: b.categories,
        expected_version: None,
        via: "web",
        note: b.note.filter(|n| !n.trim().is_empty()),
        edited_body: None,
        block_kind: b.block_kind,
    };
    record(state, d, items).await
}

/// Body of `POST /api/items/{id}/reopen`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    /// The version the client saw (its own decision's).
    pub expected_version: i64,
    /// Who undoes.
    #[serde(default)]
    pub reviewer: Option<String>,
}

pub(super) async fn reopen(
    State(state): State<AppState>,
    ItemId(id): ItemId,
    b: Result<Json<ReopenBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let reviewer = reviewer_or_default(&state, b.reviewer);
    state
        .with_store(move |store| {
            let row = store.reopen(id, Some(b.expected_version), &reviewer, "web")?;
            let item = store.item_preview(id)?;
            let st =
                ItemState { id, version: item.version, status: item.status(), author_blocked: item.author_blocked };
            Ok(Json(serde_json::json!({ "decisions": [row], "items": [st] })).into_response())
        })
        .await
}

/// Body of claim / release.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// Who holds the item.
    #[serde(default)]
    pub reviewer: Option<String>,
}

pub(super) async fn claim(
    State(state): State<AppState>,
    ItemId(id): ItemId,
    b: Result<Json<ClaimBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let reviewer = reviewer_or_default(&state, body(b)?.reviewer);
    state
        .with_store(move |store| {
            let until = store.claim(id, &reviewer)?;
            Ok(Json(serde_json::json!({ "id": id, "claimed_by": reviewer, "until": until })).into_response())
        })
        .await
}

pub(super) async fn release(
    State(state): State<AppState>,
    ItemId(id): ItemId,
    b: Result<Json<ClaimBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let reviewer = reviewer_or_default(&state, body(b)?.reviewer);
    state
        .with_store(move |store| {
            store.release(id, &reviewer)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        })
        .await
}

pub(super) async fn list_blocks(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.with_store(|store| Ok(Json(serde_json::json!({ "blocks": store.blocks()? })).into_response())).await
}

/// Body of `POST /api/blocks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockBody {
    /// email / ip / domain / name.
    pub kind: BlockKind,
    /// The address, range, domain or exact name.
    pub value: String,
    /// `true` blocks, `false` unblocks.
    pub blocked: bool,
    /// Who decides.
    #[serde(default)]
    pub reviewer: Option<String>,
}

pub(super) async fn set_block(
    State(state): State<AppState>,
    b: Result<Json<BlockBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let block = Block::new(b.kind, &b.value).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let reviewer = reviewer_or_default(&state, b.reviewer);
    state
        .with_store(move |store| {
            let row = store.set_blocked(&block, b.blocked, &reviewer, "web")?;
            Ok(Json(serde_json::json!({ "decision": row, "blocks": store.blocks()? })).into_response())
        })
        .await
}

/// Query of `GET /api/poll`.
#[derive(Debug, Deserialize)]
pub struct PollQuery {
    /// The newest item id the page has.
    #[serde(default)]
    pub since: i64,
}

pub(super) async fn poll(State(state): State<AppState>, Params(q): Params<PollQuery>) -> Result<Response, ApiError> {
    state
        .with_store(move |store| {
            let counts = store.counts()?;
            let new = store.pending_after(q.since)?;
            Ok(Json(serde_json::json!({ "counts": counts, "new": new })).into_response())
        })
        .await
}

/// Query of `GET /api/fragment`.
#[derive(Debug, Deserialize)]
pub struct FragmentQuery {
    /// The newest item id the page has.
    #[serde(default)]
    pub after: i64,
}

/// The pending items queued after `after` (at most 20), rendered as the page renders them, so
/// the open page can append them without a reload.
pub(super) async fn fragment(
    State(state): State<AppState>,
    Params(q): Params<FragmentQuery>,
) -> Result<Response, ApiError> {
    state
        .with_store(move |store| {
            let filter = Filter {
                status: Some(Status::Pending),
                sort: Sort::Queued,
                cursor: Some((q.after, Direction::Next)),
                limit: Some(20),
                ..Filter::default()
            };
            let page = store.items(&filter)?;
            let listed = listed(store, page.items)?;
            let newest = listed.iter().map(|l| l.item.id).max().unwrap_or(q.after);
            Ok(Json(serde_json::json!({ "html": page::items_html(&listed), "newest": newest })).into_response())
        })
        .await
}
