//! Text a screen reader reads for an element that the page shows elsewhere or not at all:
//! the elements an `aria-labelledby` names, and the HTML document of an `<iframe srcdoc>`.
//!
//! An `aria-labelledby="a b"` makes the element's accessible name the text of the elements with
//! ids `a` and `b`, in that order, joined by a space: pieces from different sentences, each
//! harmless where it stands (and hidden ones judged at the end of their own sentence), read
//! aloud as one phrase (round 16: `<span id=a hidden>go kill</span>Nice article. Thanks.
//! <span id=b hidden>yourself</span><a aria-labelledby="a b">link</a>` was allowed). So the
//! named text is judged again at the referring element, out of line, as its `aria-label` is.

use std::collections::HashMap;
use std::ops::Range;

use super::html::{self, Tag};
use super::{bidi, Normalizer, Unit};

/// Where each `id`'s element holds its text, found in one pass over the body's tags.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    /// id → (the element's place in document order, the bytes of its text).
    map: HashMap<String, (usize, Range<usize>)>,
    /// Bytes of named text judged so far: a budget of the body's length keeps a body of many
    /// references to one long element linear (the text is judged in its place in any case).
    pub(crate) spent: usize,
}

impl Ids {
    /// Scans `body` for elements with an `id`: a start tag's content up to its matching end tag
    /// (counted by name, without the tree builder's implied ends: more text at worst), the rest
    /// of the body when it has none; a void element's `aria-label` or `alt`, an element's
    /// `aria-label` before its content, as the accessible name is computed. Linear: per-name
    /// counters and stacks, one step per tag.
    pub(crate) fn scan(body: &str) -> Ids {
        let b = body.as_bytes();
        let mut open: HashMap<String, (u32, Vec<Pending>)> = HashMap::new();
        let mut map: HashMap<String, (usize, Range<usize>)> = HashMap::new();
        let mut comments = html::CommentEnds::default();
        let (mut i, mut seq) = (0, 0);
        while let Some(p) = memchr::memchr(b'<', &b[i..]) {
            let at = i + p;
            if let Some(n) = comments.comment(body, at) {
                i = at + n;
                continue;
            }
            let mut eof = false;
            let Some(tag) = html::tag(&body[at..], &mut eof) else {
                if eof {
                    break;
                }
                i = at + 1;
                continue;
            };
            let content = at + tag.len;
            let attr = |r: &Option<Range<usize>>| r.as_ref().map(|r| at + r.start..at + r.end);
            if tag.end {
                if let Some((count, stack)) = open.get_mut(&tag.name) {
                    if stack.last().is_some_and(|&(level, ..)| level == *count) {
                        if let Some((_, s, id, from)) = stack.pop() {
                            keep(&mut map, id, s, from..at);
                        }
                    }
                    *count = count.saturating_sub(1);
                }
            } else if !tag.name.is_empty() {
                seq += 1;
                let id = tag.id.as_ref().map(|r| body[at + r.start..at + r.end].trim().to_string());
                let named = attr(&tag.label).or_else(|| if tag.name == "img" { attr(&tag.alt) } else { None });
                let void = html::VOID.contains(&tag.name.as_str());
                match (id.filter(|id| !id.is_empty()), named) {
                    (Some(id), Some(r)) => keep(&mut map, id, seq, r),
                    (Some(id), None) if !void => {
                        let (count, stack) = open.entry(tag.name.clone()).or_default();
                        stack.push((*count + 1, seq, id, content));
                    }
                    _ => {}
                }
                if !void {
                    open.entry(tag.name.clone()).or_default().0 += 1;
                }
            }
            i = content;
            if let Some(kind) = tag.raw_text() {
                i = html::raw_text_end(body, i, &tag.name, kind);
            }
        }
        for (_, stack) in open.into_values() {
            for (_, s, id, from) in stack {
                keep(&mut map, id, s, from..b.len());
            }
        }
        Ids { map, spent: 0 }
    }

    /// The text of the element with id `id`, if the body has one.
    pub(crate) fn get(&self, id: &str) -> Option<Range<usize>> {
        self.map.get(id).map(|(_, r)| r.clone())
    }
}

/// An open element with an id: how many elements of its name are open counting it, its place
/// in document order, its id, the byte its content starts at.
type Pending = (u32, usize, String, usize);

/// Keeps `r` as `id`'s text unless an element earlier in document order has that id.
fn keep(map: &mut HashMap<String, (usize, Range<usize>)>, id: String, seq: usize, r: Range<usize>) {
    let e = map.entry(id).or_insert((seq, r.clone()));
    if seq < e.0 {
        *e = (seq, r);
    }
}

impl Normalizer {
    /// The text an `aria-labelledby` on `tag` (at byte `i`) names, every unit mapped to the
    /// whole tag: each distinct id's text in the order given, a space between them, within the
    /// budget of [`Ids::spent`].
    pub(crate) fn push_labelledby(
        &self,
        tag: &Tag,
        body: &str,
        i: usize,
        ids: &mut Ids,
        units: &mut Vec<Unit>,
        seen: &mut bidi::Seen,
    ) {
        let Some(refs) = &tag.labelledby else { return };
        let (s, e) = (super::to_u32(i), super::to_u32(i + tag.len));
        let mut done: Vec<&str> = Vec::new();
        for id in body[i + refs.start..i + refs.end].split_ascii_whitespace() {
            if done.contains(&id) || done.len() >= 64 {
                continue;
            }
            done.push(id);
            let Some(r) = ids.get(id) else { continue };
            if ids.spent + r.len() > body.len() {
                return;
            }
            ids.spent += r.len();
            self.push_char(' ', s, e, units, seen);
            self.push_markup(&body[r], s, e, units, seen);
        }
    }

    /// The text `doc` shows as HTML, every unit mapped to `s..e`: entities decoded, tags and
    /// comments skipped (a separating tag reads as a space, as in the body), a `<` that starts
    /// no tag kept as text (round 16: `srcdoc="I <3 you, fucking idiot"` dropped everything
    /// after the `<`, as if it began a tag that never ended).
    pub(crate) fn push_markup(&self, doc: &str, s: u32, e: u32, units: &mut Vec<Unit>, seen: &mut bidi::Seen) {
        let mut comments = html::CommentEnds::default();
        let mut markup = true;
        let mut k = 0;
        while let Some(p) = memchr::memchr(b'<', &doc.as_bytes()[k..]).filter(|_| markup) {
            let at = k + p;
            self.push_attr(&doc[k..at], s, e, units, seen);
            if let Some(n) = comments.comment(doc, at) {
                k = at + n;
                continue;
            }
            let mut eof = false;
            match html::tag(&doc[at..], &mut eof) {
                Some(tag) => {
                    if tag.separates() {
                        self.push_char(' ', s, e, units, seen);
                    }
                    k = at + tag.len;
                }
                None => {
                    markup = !eof;
                    self.push_char('<', s, e, units, seen);
                    k = at + 1;
                }
            }
        }
        self.push_attr(&doc[k..], s, e, units, seen);
    }
}

#[cfg(test)]
mod tests {
    use super::Ids;

    fn text<'a>(body: &'a str, id: &str) -> Option<&'a str> {
        Ids::scan(body).get(id).map(|r| &body[r])
    }

    #[test]
    fn finds_each_ids_text() {
        let body =
            "<b id=a>x<b>y</b>z</b><i id=b>w<img id=c alt=\"q\"></i><span id=d aria-label=\"l\">n</span><p id=e>open";
        assert_eq!(text(body, "a"), Some("x<b>y</b>z"));
        assert_eq!(text(body, "b"), Some("w<img id=c alt=\"q\">"));
        assert_eq!(text(body, "c"), Some("q"));
        assert_eq!(text(body, "d"), Some("l"));
        assert_eq!(text(body, "e"), Some("open"));
        assert_eq!(text(body, "z"), None);
    }

    #[test]
    fn the_first_element_with_an_id_wins() {
        assert_eq!(text("<b id=a>outer<i id=a>inner</i></b>", "a"), Some("outer<i id=a>inner</i>"));
        assert_eq!(text("<i id=a>one</i><i id=a>two</i>", "a"), Some("one"));
    }

    #[test]
    fn raw_text_and_comments_hold_no_tags() {
        let body = "<textarea id=t><b id=x>no</b></textarea><!-- <b id=y>no</b> -->";
        assert_eq!(text(body, "t"), Some("<b id=x>no</b>"));
        assert_eq!(text(body, "x"), None);
        assert_eq!(text(body, "y"), None);
    }
}
