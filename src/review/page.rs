//! Server-side HTML for the review page.
//!
//! Comment text is hostile input. Every string that reaches the page from a comment, an author,
//! a source, a rule or a category goes through [`esc`] (HTML-escaping `& < > " ' /`, so it is
//! safe both as text and inside a quoted attribute), and nothing is ever put in an unquoted
//! attribute, a URL without [`url_component`], a `<script>` or a `style`. The page has no inline
//! script or style at all: behaviour is `/static/app.js`, looks are `/static/app.css`, and the
//! server's Content-Security-Policy forbids anything else. Bidi and control characters are
//! contained with `unicode-bidi: isolate` on every user-supplied span.
//!
//! Highlights come from the verdict's spans, which are byte offsets into the original body.
//! [`highlight`] clamps them to the body, snaps them outward to character boundaries (a bad
//! offset can never split a UTF-8 sequence or panic), merges overlaps, and escapes each piece.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Deserialize;

use super::identity::visible;
mod item;

use item::item_html;

use super::store::{AuthorRecord, Counts, Direction, Filter, HistoryEntry, Item, Sort, Status};
use crate::verdict::Verdict;

/// The categories offered as "reject as" checkboxes on every item (docs/design.md §6), in addition
/// to any other category the item's reasons carry.
pub const CATEGORIES: [&str; 5] = ["profanity", "attack", "identity", "threat", "spam"];

/// HTML-escapes text for element content or a double-quoted attribute.
pub fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
}

/// Escapes comment text for element content, neutralising bidi controls: each embedding,
/// override or isolate character is shown as a small `[U+202E]` marker instead of reordering
/// what follows (so a name or comment cannot display reversed or disguised).
pub fn esc_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}') {
            out.push_str(&esc(&s[plain..i]));
            let _ = write!(out, "<span class=\"cp\">[U+{:04X}]</span>", c as u32);
            plain = i + c.len_utf8();
        }
    }
    out.push_str(&esc(&s[plain..]));
    out
}

/// A name for display: invisible and mixed-script characters made visible ([`visible`]), cut
/// to 120 characters (the length is said), escaped.
pub fn esc_name(s: &str) -> String {
    let shown = visible(s);
    let n = shown.chars().count();
    if n > 120 {
        let cut: String = shown.chars().take(120).collect();
        format!("{}… ({} characters)", esc(&cut), s.chars().count())
    } else {
        esc(&shown).into_owned()
    }
}

/// Percent-encodes a query-string component (RFC 3986 unreserved characters kept).
pub fn url_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The page's query string (every field optional; see the server's route table).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PageQuery {
    /// `pending` (default), `approved`, `rejected` or `all`.
    pub status: Option<String>,
    /// `score` (default), `newest` or `oldest`.
    pub sort: Option<String>,
    /// Text search (body, author, e-mail, IP).
    pub q: Option<String>,
    /// Only this e-mail.
    pub email: Option<String>,
    /// Only this IP.
    pub ip: Option<String>,
    /// Only this post.
    pub post: Option<String>,
    /// Posted on or after (ISO date).
    pub from: Option<String>,
    /// Posted on or before (ISO date, whole day).
    pub to: Option<String>,
    /// The page after this item.
    pub after: Option<i64>,
    /// The page before this item.
    pub before: Option<i64>,
    /// Only items with this category.
    pub category: Option<String>,
    /// Only items with this rule.
    pub rule: Option<String>,
    /// Only this author's items.
    pub author: Option<String>,
    /// Only items whose source starts with this.
    pub source: Option<String>,
    /// Items per page (default 50, at most 200).
    pub limit: Option<usize>,
}

impl PageQuery {
    /// The store filter this query asks for. Unknown values fall back to the defaults.
    pub fn to_filter(&self) -> Filter {
        let status = match self.status.as_deref() {
            Some("all") => None,
            Some("approved") => Some(Status::Approved),
            Some("rejected") => Some(Status::Rejected),
            _ => Some(Status::Pending),
        };
        let sort = match self.sort.as_deref() {
            Some("newest") => Sort::Newest,
            Some("oldest") => Sort::Oldest,
            _ => Sort::Score,
        };
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        let cursor = match (self.after, self.before) {
            (Some(id), _) => Some((id, Direction::Next)),
            (None, Some(id)) => Some((id, Direction::Prev)),
            (None, None) => None,
        };
        Filter {
            status,
            category: nonempty(&self.category),
            rule: nonempty(&self.rule),
            author: nonempty(&self.author),
            source: nonempty(&self.source),
            email: nonempty(&self.email),
            ip: nonempty(&self.ip),
            post: nonempty(&self.post),
            from: nonempty(&self.from),
            to: nonempty(&self.to),
            q: nonempty(&self.q),
            sort,
            cursor,
            limit: self.limit,
        }
    }

    /// This query as a URL query string, without paging, plus `extra` (`after=12`).
    pub fn href(&self, extra: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        let fields: [(&str, &Option<String>); 13] = [
            ("status", &self.status),
            ("sort", &self.sort),
            ("q", &self.q),
            ("category", &self.category),
            ("rule", &self.rule),
            ("author", &self.author),
            ("email", &self.email),
            ("ip", &self.ip),
            ("post", &self.post),
            ("source", &self.source),
            ("from", &self.from),
            ("to", &self.to),
            ("limit", &self.limit.map(|l| l.to_string())),
        ];
        for (k, v) in fields {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", url_component(v)));
            }
        }
        if !extra.is_empty() {
            parts.push(extra.to_string());
        }
        format!("/?{}", parts.join("&"))
    }
}

/// One listed item with what the page shows beside it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The item (body is a preview).
    pub item: Item,
    /// The author's other judged comments.
    pub history: Vec<HistoryEntry>,
    /// Moderators' decisions on the author's items.
    pub record: Option<AuthorRecord>,
}

/// Everything the queue page shows.
#[derive(Debug)]
pub struct PageData<'a> {
    /// The items on this page, each with its author's other comments and record.
    pub items: &'a [Listed],
    /// How many items match the filter in all, when known.
    pub total: Option<usize>,
    /// The next page's cursor, if there is one.
    pub next_after: Option<i64>,
    /// The previous page's cursor, if there is one.
    pub prev_before: Option<i64>,
    /// For a text search: how many items the page looked at.
    pub scanned: Option<usize>,
    /// Items per state, over the whole queue.
    pub counts: Counts,
    /// Every category in the queue (filter menu).
    pub categories: &'a [String],
    /// Every rule id in the queue (filter menu).
    pub rules: &'a [String],
    /// The query that produced this page.
    pub query: &'a PageQuery,
    /// The reviewer name to prefill.
    pub reviewer: &'a str,
    /// The newest item number in the queue when the page was made.
    pub newest: i64,
}

/// The body with every matched span in `<mark>`, escaped.
pub fn highlight(body: &str, verdict: &Verdict) -> String {
    let mut spans: Vec<(usize, usize, Vec<&str>)> = Vec::new();
    for reason in &verdict.reasons {
        for m in &reason.matches {
            let start = floor_boundary(body, m.start.min(body.len()));
            let end = ceil_boundary(body, m.end.min(body.len()));
            if start < end {
                spans.push((start, end, vec![reason.rule.as_str()]));
            }
        }
    }
    spans.sort_by_key(|s| (s.0, s.1));
    let mut merged: Vec<(usize, usize, Vec<&str>)> = Vec::new();
    for (s, e, rules) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => {
                last.1 = last.1.max(e);
                for r in rules {
                    if !last.2.contains(&r) {
                        last.2.push(r);
                    }
                }
            }
            _ => merged.push((s, e, rules)),
        }
    }
    let mut out = String::with_capacity(body.len() + merged.len() * 32);
    let mut pos = 0;
    for (s, e, rules) in merged {
        out.push_str(&esc_text(&body[pos..s]));
        let _ = write!(out, "<mark title=\"{}\">{}</mark>", esc(&rules.join(", ")), esc_text(&body[s..e]));
        pos = e;
    }
    out.push_str(&esc_text(&body[pos..]));
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn fmt_score(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn option(out: &mut String, value: &str, label: &str, selected: bool) {
    let sel = if selected { " selected" } else { "" };
    let _ = write!(out, "<option value=\"{}\"{sel}>{}</option>", esc(value), esc(label));
}

fn select(out: &mut String, name: &str, label: &str, current: Option<&str>, values: &[(String, String)]) {
    let _ = write!(out, "<label>{label} <select name=\"{name}\">");
    for (v, l) in values {
        option(out, v, l, current.unwrap_or("") == v);
    }
    out.push_str("</select></label>");
}

/// The page served without the token: it asks for it (the script trades it for the read
/// cookie and reloads). It shows nothing of the queue.
pub fn login_page() -> String {
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
     <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
     <title>Review queue · moderate</title><link rel=\"stylesheet\" href=\"/static/app.css\">\
     <script src=\"/static/app.js\" defer></script></head>\
     <body data-login=\"1\"><header><h1>Review queue</h1>\
     <div id=\"token-bar\" class=\"token-bar\">\
     <label>Token <input id=\"token-input\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" \
     placeholder=\"printed by moderate review serve\"></label> \
     <button type=\"button\" id=\"token-save\">Open the queue</button>\
     <p class=\"hint\">Reading and deciding need the token printed by <code>moderate review serve</code>; \
     it stays in this tab.</p></div><div id=\"status\" class=\"status\" role=\"status\"></div></header></body></html>\n"
        .to_string()
}

/// The whole queue page.
pub fn queue_page(data: &PageData<'_>) -> String {
    let q = data.query;
    let c = data.counts;
    let mut out = String::with_capacity(16 * 1024 + data.items.len() * 4096);
    let newest = data.newest;
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Review queue ({} pending) · moderate</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\">\
         <script src=\"/static/app.js\" defer></script></head>\
         <body data-reviewer=\"{}\" data-newest=\"{newest}\">\n<header>\
         <div class=\"title\"><h1>Review queue</h1>\
         <p class=\"counts\"><a href=\"/?status=pending\"><span id=\"count-pending\">{}</span> pending</a> · \
         <a href=\"/?status=approved\"><span id=\"count-approved\">{}</span> approved</a> · \
         <a href=\"/?status=rejected\"><span id=\"count-rejected\">{}</span> rejected</a> · \
         <a href=\"/?status=all&amp;sort=newest\">all</a></p>\
         <p id=\"new-items\" class=\"new-items\" hidden></p></div>",
        c.pending,
        esc(data.reviewer),
        c.pending,
        c.approved,
        c.rejected
    );
    out.push_str(
        "<div id=\"token-bar\" class=\"token-bar\" hidden>\
         <label>Write token <input id=\"token-input\" type=\"password\" autocomplete=\"off\" \
         spellcheck=\"false\" placeholder=\"printed by moderate review serve\"></label>\
         <button type=\"button\" id=\"token-save\">Use token</button>\
         <span class=\"hint\">Decisions need the token; it stays in this tab only.</span></div>",
    );

    // Filters: a plain GET form, works without script.
    out.push_str("<form class=\"filters\" method=\"get\" action=\"/\">");
    let _ = write!(
        out,
        "<label>Search <input name=\"q\" id=\"search\" type=\"search\" value=\"{}\" size=\"18\" \
         placeholder=\"text, author, e-mail, IP\"></label>",
        esc(q.q.as_deref().unwrap_or(""))
    );
    let status_values: Vec<(String, String)> =
        ["pending", "approved", "rejected", "all"].iter().map(|s| (s.to_string(), s.to_string())).collect();
    select(&mut out, "status", "Status", Some(q.status.as_deref().unwrap_or("pending")), &status_values);
    let sort_values = vec![
        ("score".to_string(), "highest score".to_string()),
        ("newest".to_string(), "newest".to_string()),
        ("oldest".to_string(), "oldest".to_string()),
    ];
    select(&mut out, "sort", "Sort", Some(q.sort.as_deref().unwrap_or("score")), &sort_values);
    let mut cat_values = vec![(String::new(), "any".to_string())];
    cat_values.extend(data.categories.iter().map(|c| (c.clone(), c.clone())));
    select(&mut out, "category", "Category", q.category.as_deref(), &cat_values);
    let mut rule_values = vec![(String::new(), "any".to_string())];
    rule_values.extend(data.rules.iter().map(|r| (r.clone(), r.clone())));
    select(&mut out, "rule", "Rule", q.rule.as_deref(), &rule_values);
    let field = |out: &mut String, name: &str, label: &str, v: &Option<String>, extra: &str| {
        let _ = write!(
            out,
            "<label>{label} <input name=\"{name}\" value=\"{}\" size=\"10\"{extra}></label>",
            esc(v.as_deref().unwrap_or(""))
        );
    };
    field(&mut out, "author", "Author", &q.author, "");
    field(&mut out, "email", "E-mail", &q.email, "");
    field(&mut out, "ip", "IP", &q.ip, "");
    field(&mut out, "post", "Post", &q.post, "");
    field(&mut out, "from", "From", &q.from, " placeholder=\"2024-05-01\"");
    field(&mut out, "to", "To", &q.to, " placeholder=\"2024-05-31\"");
    field(&mut out, "source", "Source", &q.source, " placeholder=\"file prefix\"");
    out.push_str("<button type=\"submit\">Filter</button> <a href=\"/\">Reset</a></form></header>");

    let _ = writeln!(
        out,
        "<div class=\"toolbar\" id=\"toolbar\">\
         <label>Reviewer <input id=\"reviewer\" value=\"{}\" size=\"12\" autocomplete=\"off\"></label>\
         <label>Note <input id=\"note\" size=\"16\" maxlength=\"2000\" autocomplete=\"off\" \
         placeholder=\"kept with the next decision\"></label>\
         <span id=\"selection-count\">0 selected</span>\
         <button type=\"button\" data-bulk=\"approve\">Approve selected</button>\
         <button type=\"button\" data-bulk=\"reject\">Reject selected</button>\
         <span class=\"keys\"><kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · \
         <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>b</kbd> block · <kbd>z</kbd> undo · \
         <kbd>?</kbd> all keys</span>\
         <div id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></div></div>",
        esc(data.reviewer)
    );
    out.push_str(HELP);
    out.push_str("<main id=\"items\">");
    if data.items.is_empty() {
        out.push_str("<p class=\"empty\">Nothing to review here.</p>");
    }
    for l in data.items {
        item_html(&mut out, l);
    }
    out.push_str("</main>\n<footer><nav class=\"pager\">");
    match data.prev_before {
        Some(id) => {
            let _ = write!(
                out,
                "<a id=\"prev-page\" rel=\"prev\" href=\"{}\">← previous</a>",
                esc(&q.href(&format!("before={id}")))
            );
        }
        None => out.push_str("<span class=\"off\">← previous</span>"),
    }
    let _ = write!(out, " <span>{} item{} shown", data.items.len(), if data.items.len() == 1 { "" } else { "s" });
    if let Some(t) = data.total {
        let _ = write!(out, " of {t}");
    }
    if let (Some(n), Some(_)) = (data.scanned, data.next_after) {
        let _ = write!(out, "; the search looked at the next {n} items of this order, next goes on");
    }
    out.push_str("</span> ");
    match data.next_after {
        Some(id) => {
            let _ = write!(
                out,
                "<a id=\"next-page\" rel=\"next\" href=\"{}\">next →</a>",
                esc(&q.href(&format!("after={id}")))
            );
        }
        None => out.push_str("<span class=\"off\">next →</span>"),
    }
    out.push_str("</nav></footer></body></html>\n");
    out
}

/// The articles of `items` alone (new items the page appends while open).
pub fn items_html(items: &[Listed]) -> String {
    let mut out = String::with_capacity(items.len() * 4096);
    for l in items {
        item_html(&mut out, l);
    }
    out
}

/// The keyboard help (`?`).
const HELP: &str =
    "<div id=\"help\" class=\"help\" hidden role=\"dialog\" aria-label=\"Keyboard\"><h2>Keys</h2><table>\
     <tr><td><kbd>j</kbd> / <kbd>k</kbd></td><td>next / previous item</td></tr>\
     <tr><td><kbd>x</kbd> / <kbd>X</kbd></td><td>select the item / select all (again: none)</td></tr>\
     <tr><td><kbd>a</kbd></td><td>approve (the selection, else the current item)</td></tr>\
     <tr><td><kbd>r</kbd></td><td>reject with the ticked <i>Reject as</i> categories</td></tr>\
     <tr><td><kbd>b</kbd></td><td>block the author (asks which identity; <kbd>Enter</kbd> confirms)</td></tr>\
     <tr><td><kbd>e</kbd></td><td>edit the text, then approve the edited text</td></tr>\
     <tr><td><kbd>n</kbd></td><td>write a note for the next decision</td></tr>\
     <tr><td><kbd>o</kbd></td><td>show the whole comment</td></tr>\
     <tr><td><kbd>z</kbd></td><td>undo your last decision (this session)</td></tr>\
     <tr><td><kbd>/</kbd></td><td>search</td></tr>\
     <tr><td><kbd>Esc</kbd></td><td>leave a field, close this</td></tr>\
     <tr><td><kbd>?</kbd></td><td>this help</td></tr></table>\
     <p class=\"hint\">Holding a key down decides once: repeats are ignored.</p></div>";

/// A category or verdict name reduced to `[a-z0-9-]`, for a class name.
fn css_ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
