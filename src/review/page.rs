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

use super::store::{Counts, Filter, HistoryEntry, Item, Sort, Status};
use crate::verdict::Verdict;

/// The categories offered as "reject as" checkboxes on every item (docs/design.md §6), in addition
/// to any other category the item's reasons carry.
pub const CATEGORIES: [&str; 5] = ["profanity", "attack", "identity", "threat", "spam"];

/// Default and maximum number of items on one page.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// HTML-escapes text for element content or a double-quoted attribute.
pub fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_safe(s)
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

/// The page's query string: `?status=&sort=&category=&rule=&author=&source=&limit=`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// `pending` (default), `approved`, `rejected` or `all`.
    pub status: Option<String>,
    /// `score` (default) or `newest`.
    pub sort: Option<String>,
    /// Only items with this category.
    pub category: Option<String>,
    /// Only items with this rule.
    pub rule: Option<String>,
    /// Only this author's items.
    pub author: Option<String>,
    /// Only items whose source starts with this.
    pub source: Option<String>,
    /// Items per page (default 100, at most 1000).
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
            _ => Sort::Score,
        };
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        Filter {
            status,
            category: nonempty(&self.category),
            rule: nonempty(&self.rule),
            author: nonempty(&self.author),
            source: nonempty(&self.source),
            sort,
            limit: Some(self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)),
        }
    }
}

/// Everything the queue page shows.
#[derive(Debug)]
pub struct PageData<'a> {
    /// The items on this page, each with its author's other comments.
    pub items: &'a [(Item, Vec<HistoryEntry>)],
    /// How many items match the filter in all.
    pub total: usize,
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
        out.push_str(&esc(&body[pos..s]));
        let _ = write!(out, "<mark title=\"{}\">{}</mark>", esc(&rules.join(", ")), esc(&body[s..e]));
        pos = e;
    }
    out.push_str(&esc(&body[pos..]));
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

/// The whole queue page.
pub fn queue_page(data: &PageData<'_>) -> String {
    let q = data.query;
    let c = data.counts;
    let mut out = String::with_capacity(16 * 1024 + data.items.len() * 2048);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Review queue ({} pending) · moderate</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\">\
         <script src=\"/static/app.js\" defer></script></head>\
         <body data-reviewer=\"{}\">\n<header>\
         <div class=\"title\"><h1>Review queue</h1>\
         <p class=\"counts\"><a href=\"/?status=pending\"><span id=\"count-pending\">{}</span> pending</a> · \
         <a href=\"/?status=approved\"><span id=\"count-approved\">{}</span> approved</a> · \
         <a href=\"/?status=rejected\"><span id=\"count-rejected\">{}</span> rejected</a></p></div>",
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
    let status_values: Vec<(String, String)> =
        ["pending", "approved", "rejected", "all"].iter().map(|s| (s.to_string(), s.to_string())).collect();
    select(&mut out, "status", "Status", Some(q.status.as_deref().unwrap_or("pending")), &status_values);
    let sort_values =
        vec![("score".to_string(), "highest score".to_string()), ("newest".to_string(), "newest".to_string())];
    select(&mut out, "sort", "Sort", Some(q.sort.as_deref().unwrap_or("score")), &sort_values);
    let mut cat_values = vec![(String::new(), "any".to_string())];
    cat_values.extend(data.categories.iter().map(|c| (c.clone(), c.clone())));
    select(&mut out, "category", "Category", q.category.as_deref(), &cat_values);
    let mut rule_values = vec![(String::new(), "any".to_string())];
    rule_values.extend(data.rules.iter().map(|r| (r.clone(), r.clone())));
    select(&mut out, "rule", "Rule", q.rule.as_deref(), &rule_values);
    let _ = write!(
        out,
        "<label>Author <input name=\"author\" value=\"{}\" size=\"12\"></label>\
         <label>Source <input name=\"source\" value=\"{}\" size=\"12\" placeholder=\"file prefix\"></label>\
         <button type=\"submit\">Filter</button> <a href=\"/\">Reset</a></form></header>",
        esc(q.author.as_deref().unwrap_or("")),
        esc(q.source.as_deref().unwrap_or(""))
    );

    let _ = write!(
        out,
        "<div class=\"toolbar\">\
         <label>Reviewer <input id=\"reviewer\" value=\"{}\" size=\"12\" autocomplete=\"off\"></label>\
         <span id=\"selection-count\">0 selected</span>\
         <button type=\"button\" data-bulk=\"approve\">Approve selected</button>\
         <button type=\"button\" data-bulk=\"reject\">Reject selected</button>\
         <button type=\"button\" data-bulk=\"block\">Block authors of selected</button>\
         <span class=\"keys\"><kbd>j</kbd>/<kbd>k</kbd> move · <kbd>x</kbd> select · \
         <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>b</kbd> block author</span>\
         <div id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\"></div></div>\n<main id=\"items\">",
        esc(data.reviewer)
    );

    if data.items.is_empty() {
        out.push_str("<p class=\"empty\">Nothing to review here.</p>");
    }
    for (item, history) in data.items {
        item_html(&mut out, item, history);
    }
    let _ = write!(
        out,
        "</main>\n<footer>Showing {} of {} matching item{}.</footer></body></html>\n",
        data.items.len(),
        data.total,
        if data.total == 1 { "" } else { "s" }
    );
    out
}

fn item_html(out: &mut String, item: &Item, history: &[HistoryEntry]) {
    let status = item.status();
    let _ = write!(
        out,
        "<article class=\"item {status}\" id=\"item-{id}\" data-id=\"{id}\" data-version=\"{version}\" \
         data-status=\"{status}\" data-author=\"{author}\" tabindex=\"-1\"><div class=\"item-head\">\
         <input type=\"checkbox\" class=\"select\" aria-label=\"Select item {id}\">\
         <span class=\"score\" title=\"score\">{score}</span> <span class=\"verdict\">{verdict}</span> ",
        id = item.id,
        version = item.version,
        status = status.as_str(),
        score = esc(&fmt_score(item.score)),
        verdict = esc(item.record.verdict.as_str()),
        author = esc(item.author.as_deref().unwrap_or("")),
    );
    match item.author.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            let _ = write!(
                out,
                "<a class=\"author\" href=\"/?status=all&amp;author={}\" title=\"all items by this author\">{}</a>",
                esc(&url_component(a)),
                esc(a)
            );
        }
        None => out.push_str("<span class=\"author none\">(no author)</span>"),
    }
    if item.author_blocked {
        out.push_str(" <span class=\"badge blocked\">author blocked</span>");
    }
    let _ = write!(out, " <span class=\"meta\">#{} · <span class=\"u\">{}</span>", item.id, esc(&item.comment_id));
    if item.kind != "comment" {
        let _ = write!(out, " · {}", esc(&item.kind));
    }
    if let Some(s) = &item.source {
        let _ = write!(out, " · <span class=\"u\">{}</span>", esc(s));
    }
    if let Some(p) = &item.post_id {
        let _ = write!(out, " · post <span class=\"u\">{}</span>", esc(p));
    }
    if let Some(t) = &item.created_at {
        let _ = write!(out, " · <span class=\"u\">{}</span>", esc(t));
    }
    let _ = write!(out, "</span> <span class=\"state\">{}</span></div>", status.as_str());

    let _ = write!(out, "<div class=\"body\">{}</div>", highlight(&item.body, &item.record));

    out.push_str("<ul class=\"reasons\">");
    for r in &item.record.reasons {
        let _ = write!(
            out,
            "<li><span class=\"cat cat-{}\">{}</span> <code>{}</code> <span class=\"u\">{}</span>",
            esc(&css_ident(&r.category)),
            esc(&r.category),
            esc(&r.rule),
            esc(&r.message)
        );
        if r.score != 0.0 {
            let _ = write!(out, " <span class=\"plus\">+{}</span>", esc(&fmt_score(r.score)));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");

    if !history.is_empty() {
        let who = item.author.as_deref().unwrap_or("");
        let flagged = history.iter().filter(|h| h.verdict != "allow").count();
        let _ = write!(
            out,
            "<details class=\"history\"><summary>{} other comment{} by <span class=\"u\">{}</span> \
             ({} flagged or blocked)</summary><ul>",
            history.len(),
            if history.len() == 1 { "" } else { "s" },
            esc(who),
            flagged
        );
        for h in history {
            let _ = write!(
                out,
                "<li><span class=\"v v-{}\">{}</span> <code class=\"u\">{}</code> <span class=\"u\">{}</span>",
                esc(&css_ident(&h.verdict)),
                esc(&h.verdict),
                esc(&h.comment_id),
                esc(&h.excerpt)
            );
            if !h.rules.is_empty() {
                let _ = write!(out, " <code>{}</code>", esc(&h.rules.join(", ")));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></details>");
    }

    out.push_str("<div class=\"actions\"><span class=\"cats\" title=\"categories recorded when rejecting\">Reject as:");
    let mut cats: Vec<&str> = CATEGORIES.to_vec();
    for c in &item.categories {
        if !cats.contains(&c.as_str()) {
            cats.push(c);
        }
    }
    for c in cats {
        let checked = if item.categories.iter().any(|x| x == c) { " checked" } else { "" };
        let _ = write!(
            out,
            " <label><input type=\"checkbox\" class=\"cat-box\" value=\"{}\"{checked}>{}</label>",
            esc(c),
            esc(c)
        );
    }
    out.push_str(
        "</span><span class=\"buttons\">\
         <button type=\"button\" class=\"approve\" data-action=\"approve\">Approve <kbd>a</kbd></button>\
         <button type=\"button\" class=\"reject\" data-action=\"reject\">Reject <kbd>r</kbd></button>\
         <button type=\"button\" class=\"block\" data-action=\"block\">Block author <kbd>b</kbd></button>\
         </span></div>",
    );
    out.push_str("<p class=\"last\">");
    if let Some(d) = &item.last {
        let _ = write!(
            out,
            "{} by <span class=\"u\">{}</span> at {} (via {})",
            esc(d.action.as_str()),
            esc(&d.reviewer),
            esc(&d.decided_at),
            esc(&d.via)
        );
        if item.version > 1 {
            let _ = write!(out, "; {} decisions in all", item.version);
        }
    }
    out.push_str("</p></article>\n");
}

/// A category or verdict name reduced to `[a-z0-9-]`, for a class name.
fn css_ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Decision, Reason, Span};

    fn verdict(spans: &[(usize, usize)]) -> Verdict {
        Verdict {
            id: "x".into(),
            verdict: Decision::Flag,
            score: 1.0,
            reasons: vec![Reason {
                rule: "r.one".into(),
                category: "attack".into(),
                action: None,
                score: 1.0,
                message: "m".into(),
                matches: spans.iter().map(|&(start, end)| Span { start, end, text: String::new() }).collect(),
                counted_by: None,
                match_count: None,
            }],
            censored: None,
            error: None,
            source: None,
        }
    }

    macro_rules! t {
        ($name:ident, $body:expr, $spans:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(highlight($body, &verdict(&$spans)), $want);
            }
        };
    }

    t!(plain, "you idiot", [(4, 9)], "you <mark title=\"r.one\">idiot</mark>");
    t!(escaped, "<b>x</b>", [(3, 4)], "&lt;b&gt;<mark title=\"r.one\">x</mark>&lt;&#x2F;b&gt;");
    t!(overlap_merged, "abcdef", [(0, 3), (2, 5)], "<mark title=\"r.one\">abcde</mark>f");
    t!(out_of_range_clamped, "abc", [(1, 99)], "a<mark title=\"r.one\">bc</mark>");
    t!(mid_char_snapped_out, "é!", [(1, 2)], "<mark title=\"r.one\">é</mark>!");
    t!(empty_skipped, "abc", [(2, 2), (5, 9)], "abc");
    t!(multibyte, "ça va, crétin", [(8, 15)], "ça va, <mark title=\"r.one\">crétin</mark>");

    #[test]
    fn url_component_encodes() {
        assert_eq!(url_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
