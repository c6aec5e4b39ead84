//! Config text that is printed for people must be visible text: no control, bidi or invisible
//! character (TOML's `\u001b` escape writes an ESC, `\u202e` reverses a line). A rule's id,
//! category, message and explanation are checked with the rule (round 12); every other string
//! of the config, keys included (list names, `[review]` settings, `[authors]` files, field
//! names, paths, patterns), is checked here, at its own `file:line:col` (round 13). Only a rule's
//! `examples` are left as written: they are comment texts, which may hold what an evader types,
//! and are shown escaped.

use std::ops::Range;

use toml_edit::{Item, Key, Value};

use super::Loader;

/// A rule's id, category, message and explanation are printed for people as they are (`run`'s
/// summary, `explain`, `eval`, `check`), so a control, bidi or invisible character in one (TOML's
/// `\u001b` escape writes an ESC) is an error at its value: it would drive the moderator's
/// terminal, or show one id and be another. A message or explanation may hold line breaks and
/// tabs.
pub(super) fn visible_rule_text(l: &mut Loader, rule: &crate::config::RawRule, id_span: &Range<usize>) {
    let cf = l.config_file;
    let texts = [
        ("id", Some(rule.id.get_ref().as_str()), id_span.clone(), false),
        ("category", Some(rule.category.get_ref().as_str()), Loader::span_of(&rule.category), false),
        (
            "message",
            rule.message.as_ref().map(|m| m.get_ref().as_str()),
            rule.message.as_ref().map_or(id_span.clone(), Loader::span_of),
            true,
        ),
        ("explanation", rule.explanation.as_deref(), id_span.clone(), true),
    ];
    for (what, text, at, lines) in texts {
        if let Some(ch) = text.and_then(|t| crate::term::first_hidden(t, lines)) {
            l.diags.error(
                cf,
                at,
                format!(
                    "rule {what} holds U+{:04X}, a control, bidi or invisible character: it would be printed to a \
                     moderator's terminal as it is; write the text without it",
                    ch as u32
                ),
            );
        }
    }
}

/// A string of the config that holds a hidden character: where, which key, which character.
pub(super) struct Hidden {
    pub(super) at: Range<usize>,
    pub(super) key: String,
    pub(super) ch: char,
}

/// Every string and key of the config `text` that holds a control, bidi or invisible character,
/// but a rule's id, category, message and explanation ([`visible_rule_text`]) and its
/// `examples`; a pattern may hold line breaks and tabs. A text that is not TOML gives nothing (the loader has reported it). Read with
/// `toml_edit`'s spans: serde's `Spanned` cannot be had for a table without a header of its own
/// (`input` of `[input.fields]`), which would hide every string below it.
pub(super) fn hidden_strings(text: &str) -> Vec<Hidden> {
    let mut out = Vec::new();
    if let Ok(doc) = toml_edit::ImDocument::parse(text) {
        let root = doc.as_table();
        let entries = root.iter().filter_map(|(k, _)| root.get_key_value(k));
        walk_table(entries, "", &mut out);
    }
    out
}

fn walk_table<'a>(entries: impl Iterator<Item = (&'a Key, &'a Item)>, path: &str, out: &mut Vec<Hidden>) {
    for (k, item) in entries {
        let name = k.get();
        let key = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        if let Some(ch) = crate::term::first_hidden(name, false) {
            out.push(Hidden { at: k.span().unwrap_or(0..0), key: key.clone(), ch });
        }
        if path == "rule" && matches!(name, "id" | "category" | "message" | "explanation" | "examples") {
            continue;
        }
        walk_item(item, &key, out);
    }
}

fn walk_item(item: &Item, key: &str, out: &mut Vec<Hidden>) {
    match item {
        Item::Value(v) => walk_value(v, key, out),
        Item::Table(t) => walk_table(t.iter().filter_map(|(k, _)| t.get_key_value(k)), key, out),
        // The tables of `[[rule]]` keep their list's key.
        Item::ArrayOfTables(list) => {
            for t in list.iter() {
                walk_table(t.iter().filter_map(|(k, _)| t.get_key_value(k)), key, out);
            }
        }
        Item::None => {}
    }
}

fn walk_value(v: &Value, key: &str, out: &mut Vec<Hidden>) {
    match v {
        Value::String(s) => {
            // A pattern may span lines (`(?x)` with comments, a multi-line string in a CRLF file).
            let lines =
                matches!(key, "rule.patterns" | "rule.unless_after" | "rule.unless_phrase" | "rule.unless_written");
            let text = if lines { s.value().replace("\r\n", "\n") } else { s.value().clone() };
            if let Some(ch) = crate::term::first_hidden(&text, lines) {
                out.push(Hidden { at: v.span().unwrap_or(0..0), key: key.to_string(), ch });
            }
        }
        Value::Array(items) => items.iter().for_each(|item| walk_value(item, key, out)),
        Value::InlineTable(t) => walk_table(t.iter().filter_map(|(k, _)| t.get_key_value(k)), key, out),
        _ => {}
    }
}
