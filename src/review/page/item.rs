//! One queue item as HTML: who wrote it (every identity, visible), the highlighted body or its
//! preview, the reasons, the author's history and record, and the decision controls.

use std::fmt::Write as _;

use crate::review::identity::url_host;
use crate::review::store::ReviewAction;

use super::{css_ident, esc, esc_name, esc_text, fmt_score, highlight, url_component, Listed, CATEGORIES};

fn filter_link(out: &mut String, key: &str, value: &str, label: &str) {
    let _ = write!(
        out,
        "<a class=\"u idf\" href=\"/?status=all&amp;{key}={}\" title=\"all items with this {key}\">{}</a> \
         <button type=\"button\" class=\"copy\" data-copy=\"{}\" title=\"copy to the clipboard\">copy</button>",
        esc(&url_component(value)),
        label,
        esc(value)
    );
}

pub(super) fn item_html(out: &mut String, l: &Listed) {
    let item = &l.item;
    let status = item.status();
    let hits = item.hit_categories();
    let mut kinds: Vec<&str> = Vec::new();
    if item.author_email.is_some() {
        kinds.push("email");
    }
    if item.author_url.as_deref().and_then(url_host).is_some() {
        kinds.push("domain");
    }
    if item.ip.is_some() {
        kinds.push("ip");
    }
    if item.author.as_deref().is_some_and(|a| !a.is_empty()) {
        kinds.push("name");
    }
    let _ = write!(
        out,
        "<article class=\"item {status}\" id=\"item-{id}\" data-id=\"{id}\" data-version=\"{version}\" \
         data-status=\"{status}\" data-cats=\"{cats}\" data-block-kinds=\"{kinds}\" tabindex=\"-1\"><div class=\"item-head\">\
         <input type=\"checkbox\" class=\"select\" aria-label=\"Select item {id}\">\
         <span class=\"score\" title=\"score\">{score}</span> <span class=\"verdict\">{verdict}</span> ",
        id = item.id,
        version = item.version,
        status = status.as_str(),
        cats = esc(&hits.join(",")),
        kinds = kinds.join(","),
        score = esc(&fmt_score(item.score)),
        verdict = esc(item.record.verdict.as_str()),
    );
    match item.author.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            let _ = write!(
                out,
                "<a class=\"author\" href=\"/?status=all&amp;author={}\" title=\"all items with exactly this name\">{}</a>",
                esc(&url_component(a)),
                esc_name(a)
            );
        }
        None => out.push_str("<span class=\"author none\">(no name)</span>"),
    }
    if let Some(b) = &item.blocked_as {
        let _ = write!(
            out,
            " <button type=\"button\" class=\"badge blocked unblock\" data-kind=\"{}\" data-value=\"{}\" \
             title=\"blocked by {} {}; click to unblock\">blocked: {} ✕</button>",
            b.kind.as_str(),
            esc(&b.value),
            b.kind.as_str(),
            esc(&b.value),
            b.kind.as_str()
        );
    }
    if let Some(h) = &item.claimed_by {
        let _ = write!(out, " <span class=\"badge claimed\">held by <span class=\"u\">{}</span></span>", esc_name(h));
    }
    let _ = write!(out, " <span class=\"meta\">#{} · <span class=\"u\">{}</span>", item.id, esc_text(&item.comment_id));
    if item.kind != "comment" {
        let _ = write!(out, " · {}", esc(&item.kind));
    }
    if let Some(t) = &item.created_at {
        let _ = write!(out, " · <span class=\"u\">{}</span>", esc_text(t));
    }
    let _ = write!(out, "</span> <span class=\"state\">{}</span></div>", status.as_str());

    // Who: every identity the dump gave, each a filter link with a copy button.
    out.push_str("<div class=\"who\">");
    if let Some(e) = &item.author_email {
        out.push_str("<span>e-mail ");
        filter_link(out, "email", e, &esc_name(e));
        out.push_str("</span>");
    }
    if let Some(u) = &item.author_url {
        let _ = write!(out, "<span>url <span class=\"u\">{}</span></span>", esc_name(u));
    }
    if let Some(ip) = &item.ip {
        out.push_str("<span>IP ");
        filter_link(out, "ip", ip, &esc_name(ip));
        out.push_str("</span>");
    }
    if let Some(p) = &item.post_id {
        out.push_str("<span>post ");
        filter_link(out, "post", p, &esc_name(p));
        out.push_str("</span>");
    }
    if let Some(p) = &item.parent {
        let _ = write!(out, "<span>reply to <span class=\"u\">{}</span></span>", esc_name(p));
    }
    if let Some(s) = &item.source {
        let _ = write!(out, "<span>from <span class=\"u\">{}</span></span>", esc_text(s));
    }
    if let Some(r) = l.record {
        let (key, value) = match (&item.author_email, &item.author) {
            (Some(e), _) => ("email", e.as_str()),
            (None, Some(a)) => ("author", a.as_str()),
            _ => ("", ""),
        };
        let _ = write!(
            out,
            "<span class=\"record\">moderators: <a href=\"/?status=all&amp;{key}={}\">{} approved · {} rejected · {} pending</a></span>",
            esc(&url_component(value)),
            r.approved,
            r.rejected,
            r.pending
        );
    }
    out.push_str("</div>");

    let _ = write!(out, "<div class=\"body\">{}</div>", highlight(&item.body, &item.record));
    if item.body_truncated {
        let _ = write!(
            out,
            "<p class=\"more\">Showing {} of {} characters. <button type=\"button\" class=\"expand\">Show all <kbd>o</kbd></button></p>",
            item.body.chars().count(),
            item.body_chars
        );
    }

    out.push_str("<ul class=\"reasons\">");
    for r in &item.record.reasons {
        let _ = write!(
            out,
            "<li><span class=\"cat cat-{}\">{}</span> <code>{}</code> <span class=\"u\">{}</span>",
            esc(&css_ident(&r.category)),
            esc(&r.category),
            esc(&r.rule),
            esc_text(&r.message)
        );
        if r.score != 0.0 {
            let _ = write!(out, " <span class=\"plus\">+{}</span>", esc(&fmt_score(r.score)));
        }
        if r.action.is_none() {
            out.push_str(" <span class=\"hint\">(score only)</span>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");

    if !l.history.is_empty() {
        let who = item.author.as_deref().unwrap_or("");
        let flagged = l.history.iter().filter(|h| h.verdict != "allow").count();
        let _ = write!(
            out,
            "<details class=\"history\"><summary>{} other comment{} by <span class=\"u\">{}</span> \
             ({} flagged or blocked)</summary><ul>",
            l.history.len(),
            if l.history.len() == 1 { "" } else { "s" },
            esc_name(who),
            flagged
        );
        for h in &l.history {
            let _ = write!(
                out,
                "<li><span class=\"v v-{}\">{}</span> <code class=\"u\">{}</code> <span class=\"u\">{}</span>",
                esc(&css_ident(&h.verdict)),
                esc(&h.verdict),
                esc_text(&h.comment_id),
                esc_text(&h.excerpt)
            );
            if !h.rules.is_empty() {
                let _ = write!(out, " <code>{}</code>", esc(&h.rules.join(", ")));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></details>");
    }

    out.push_str(
        "<div class=\"actions\"><span class=\"cats\" title=\"categories recorded when rejecting; \
         ticked only where a rule of that category hit\">Reject as:",
    );
    let mut cats: Vec<&str> = CATEGORIES.to_vec();
    for c in &item.categories {
        if !cats.contains(&c.as_str()) {
            cats.push(c);
        }
    }
    for c in cats {
        let checked = if hits.iter().any(|x| x == c) { " checked" } else { "" };
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
         <button type=\"button\" class=\"edit\" data-action=\"edit\">Edit &amp; approve <kbd>e</kbd></button>\
         <button type=\"button\" class=\"reject\" data-action=\"reject\">Reject <kbd>r</kbd></button>\
         <button type=\"button\" class=\"block\" data-action=\"block\">Block <kbd>b</kbd></button>\
         </span></div>",
    );
    out.push_str("<p class=\"last\">");
    if let Some(d) = &item.last {
        let what = if d.action == ReviewAction::Unblock { "reopened" } else { d.action.as_str() };
        let _ = write!(
            out,
            "{} by <span class=\"u\">{}</span> at {} (via {})",
            esc(what),
            esc_name(&d.reviewer),
            esc(&d.decided_at),
            esc(&d.via)
        );
        if let Some(b) = &d.block {
            let _ = write!(out, "; blocked {} <span class=\"u\">{}</span>", b.kind.as_str(), esc_name(&b.value));
        }
        if d.edited_body.is_some() {
            out.push_str("; published with edits");
        }
        if let Some(n) = &d.note {
            let _ = write!(out, "; note: <span class=\"u\">{}</span>", esc_text(n));
        }
        if item.version > 1 {
            let _ = write!(out, "; {} decisions in all", item.version);
        }
    }
    out.push_str("</p></article>\n");
}
