//! Style sheets written in the body: `<style>.x{display:none}</style>` hides every element of
//! class `x` as a `style` attribute would, wherever the element stands (round 16: `you fu<span
//! class=x>zz</span>cking idiot` showed `you fucking idiot` and was judged `fuzzcking`, a flag).
//!
//! Only what is sure is read: top-level rules (none inside `@media`, `@supports` or any other
//! at-rule, which may not apply) whose selector is a compound of a type, classes and an id
//! (`span`, `.x`, `b.x#y`, `*`), no combinators, pseudo-classes or attributes. Hiding text a page
//! shows would split a word the reader sees whole, so a selector not understood hides nothing.
//! A matching element takes the rule's declarations before its own `style` attribute, which
//! wins the cascade over them ([`super::css::inline_style`] keeps the last declaration).

use super::html::{self, Tag};

/// One rule: the compound selector's parts, and the declarations as `style` would hold them.
#[derive(Debug)]
struct Rule {
    name: Option<String>,
    classes: Vec<String>,
    id: Option<String>,
    decls: String,
}

/// The rules of every `<style>` element of a body.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    rules: Vec<Rule>,
}

impl Sheet {
    /// The rules of `body`'s `<style>` elements, or `None` when it has none (the usual case).
    /// Linear: each element's content is read once.
    pub(crate) fn scan(body: &str) -> Option<Sheet> {
        let b = body.as_bytes();
        let mut rules = Vec::new();
        let mut i = 0;
        while let Some(p) = memchr::memchr(b'<', &b[i..]) {
            let at = i + p;
            i = at + 1;
            if !b.get(at + 1..at + 6).is_some_and(|t| t.eq_ignore_ascii_case(b"style")) {
                continue;
            }
            let mut eof = false;
            let Some(tag) = html::tag(&body[at..], &mut eof) else {
                if eof {
                    break; // a tag that runs to the end: nothing after it is markup
                }
                continue;
            };
            let Some(kind) = tag.raw_text().filter(|_| tag.name == "style") else { continue };
            let from = at + tag.len;
            let end = html::raw_text_end(body, from, "style", kind);
            read_rules(&body[from..end], &mut rules);
            i = end;
        }
        (!rules.is_empty()).then_some(Sheet { rules })
    }

    /// The declarations the sheet gives the element of start tag `tag` (`text` is the tag as
    /// written), joined with its own `style` after them; `None` when no rule matches.
    pub(crate) fn style_for(&self, tag: &Tag, text: &str) -> Option<String> {
        if tag.end || tag.name.is_empty() {
            return None;
        }
        let attr = |r: &Option<std::ops::Range<usize>>| r.as_ref().map_or("", |r| &text[r.clone()]);
        let (id, classes) = (attr(&tag.id).trim(), attr(&tag.class));
        let mut decls = String::new();
        for r in &self.rules {
            let name_ok = r.name.as_deref().map_or(true, |n| n == tag.name);
            let id_ok = r.id.as_deref().map_or(true, |x| x == id);
            let class_ok = r.classes.iter().all(|c| classes.split_ascii_whitespace().any(|k| k == c));
            if name_ok && id_ok && class_ok {
                decls.push_str(&r.decls);
                decls.push(';');
            }
        }
        if decls.is_empty() {
            return None;
        }
        decls.push_str(tag.style.as_deref().unwrap_or(""));
        Some(super::css::inline_style(&decls))
    }
}

/// At most this many rules are kept, each of declarations at most [`MAX_DECLS`] bytes, and only
/// rules that hide by themselves: every start tag is checked against each, so the bounds keep a
/// body of many rules and many tags linear. Past them a hidden piece is judged in place, as
/// before this reader (a split word, a flag where the page would block).
const MAX_RULES: usize = 32;
/// See [`MAX_RULES`].
const MAX_DECLS: usize = 512;

/// Appends the top-level rules of style sheet text `css` whose selectors are understood.
fn read_rules(css: &str, rules: &mut Vec<Rule>) {
    let css = strip_comments(css);
    if rules.len() >= MAX_RULES {
        return;
    }
    let (mut depth, mut start, mut at_rule) = (0u32, 0, false);
    let mut selector = "";
    for (k, c) in css.char_indices() {
        match c {
            '{' => {
                if depth == 0 {
                    selector = css[start..k].trim();
                    at_rule = selector.starts_with('@');
                }
                depth += 1;
                start = k + 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                let decls = &css[start..k];
                let hides = decls.len() <= MAX_DECLS && {
                    let style = super::css::inline_style(decls);
                    super::css::hides(&style, true) || super::css::hides(&style, false)
                };
                if depth == 0 && !at_rule && hides {
                    for sel in selector.split(',').take(MAX_RULES - rules.len().min(MAX_RULES)) {
                        if let Some(mut r) = compound(sel.trim()) {
                            r.decls = decls.to_string();
                            rules.push(r);
                        }
                    }
                }
                start = k + 1;
            }
            ';' if depth == 0 => start = k + 1, // `@import ...;` and other statements
            _ => {}
        }
    }
}

/// `/* ... */` dropped (an unclosed one runs to the end).
fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(p) = rest.find("/*") {
        out.push_str(&rest[..p]);
        rest = rest[p + 2..].find("*/").map_or("", |q| &rest[p + 2 + q + 2..]);
    }
    out.push_str(rest);
    out
}

/// A compound selector `name.class#id` (any order after the name), or `None` for anything else.
fn compound(sel: &str) -> Option<Rule> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if sel.is_empty() || !sel.chars().all(|c| ok(c) || matches!(c, '.' | '#' | '*')) {
        return None;
    }
    let mut r = Rule { name: None, classes: Vec::new(), id: None, decls: String::new() };
    let first = sel.find(['.', '#']).unwrap_or(sel.len());
    match &sel[..first] {
        "" | "*" => {}
        n if n.chars().all(ok) => r.name = Some(n.to_ascii_lowercase()),
        _ => return None,
    }
    let mut rest = &sel[first..];
    while let Some(kind) = rest.chars().next() {
        let body = &rest[1..];
        let len = body.find(['.', '#']).unwrap_or(body.len());
        let part = &body[..len];
        if part.is_empty() || !part.chars().all(ok) {
            return None;
        }
        match kind {
            '.' => r.classes.push(part.to_string()),
            _ if r.id.is_none() => r.id = Some(part.to_string()),
            _ => return None,
        }
        rest = &body[len..];
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::{compound, read_rules};

    #[test]
    fn reads_top_level_compound_selectors_only() {
        let mut rules = Vec::new();
        read_rules(
            "@import url(x.css); .a, b.c#d {display:none} /* .z{display:none} */ @media print { .m { display:none } } .p:hover {display:none} .q .r {display:none} i{visibility:hidden} u{color:red}",
            &mut rules,
        );
        let sel: Vec<String> = rules.iter().map(|r| format!("{:?}{:?}{:?}", r.name, r.classes, r.id)).collect();
        assert_eq!(sel, ["None[\"a\"]None", "Some(\"b\")[\"c\"]Some(\"d\")", "Some(\"i\")[]None"]);
        assert_eq!(rules[0].decls, "display:none");
        assert!(compound("a>b").is_none() && compound("#a#b").is_none() && compound("[x]").is_none());
    }
}
