//! Direction set by markup: `<bdo dir="rtl">`, `<bdi>`, a `dir` attribute, or a `style` with
//! `direction: rtl` / `unicode-bidi: bidi-override`, turned into the bidi controls a browser
//! applies (`<bdo dir=rtl>kcuf</bdo>` shows `fuck`), so [`super::bidi`] orders them like typed
//! ones.
//!
//! The open elements that set a direction are kept on a small stack (no tree is built): an end
//! tag closes its element and everything opened inside it; a block start tag closes an open
//! `<p>` and an `<li>`, `<dd>`, `<dt>`, `<tr>`, `<td>`, `<th>` or `<option>` closes one of its
//! own kind, as HTML's implied end tags do. A paragraph break (a line end, a block tag) ends
//! typed controls in the bidi algorithm but not an element's direction, so after each break the
//! open directions are opened again.

use super::html::Tag;
use super::Unit;

/// Deeper than this, directions are ignored (the bidi algorithm stops at 125 levels anyway).
const MAX_DEPTH: usize = 125;

/// One open element with a direction: its name and the control that opened it.
#[derive(Debug)]
struct Open {
    name: String,
    control: char,
}

/// The open elements that set a direction, innermost last.
#[derive(Debug, Default)]
pub(crate) struct Dirs(Vec<Open>);

/// Elements without content (a start tag is all there is).
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

impl Dirs {
    /// A start tag: if it sets a direction, its opening control (a unit mapped to the tag
    /// `s..e`) and a stack entry.
    pub(crate) fn open(&mut self, tag: &Tag, s: u32, e: u32, units: &mut Vec<Unit>, seen: &mut super::bidi::Seen) {
        if VOID.contains(&tag.name.as_str()) || self.0.len() >= MAX_DEPTH {
            return;
        }
        let Some(control) = control_for(tag) else { return };
        seen.controls = true;
        units.push(Unit { ch: control, start: s, end: e });
        self.0.push(Open { name: tag.name.clone(), control });
    }

    /// An end tag `</name>` at `s..e`: closes that element and every one opened inside it.
    pub(crate) fn close(&mut self, name: &str, s: u32, e: u32, units: &mut Vec<Unit>) {
        if let Some(k) = self.0.iter().rposition(|o| o.name == name) {
            self.pop_to(k, s, e, units);
        }
    }

    /// A start tag `<name>` at byte `s`: closes what HTML closes implicitly before it.
    pub(crate) fn implied_close(&mut self, name: &str, closes_p: bool, s: u32, units: &mut Vec<Unit>) {
        let own = matches!(name, "li" | "dd" | "dt" | "tr" | "td" | "th" | "option" | "p");
        let k = self.0.iter().rposition(|o| (own && o.name == name) || (closes_p && o.name == "p"));
        if let Some(k) = k {
            self.pop_to(k, s, s, units);
        }
    }

    /// After a paragraph break ending at byte `e`: the open directions again, innermost last.
    pub(crate) fn reopen(&self, e: u32, units: &mut Vec<Unit>, seen: &mut super::bidi::Seen) {
        for o in &self.0 {
            seen.controls = true;
            units.push(Unit { ch: o.control, start: e, end: e });
        }
    }

    /// Pops entries `k..`, each closing with PDF (an override or embedding) or PDI (an isolate).
    fn pop_to(&mut self, k: usize, s: u32, e: u32, units: &mut Vec<Unit>) {
        for o in self.0.drain(k..).rev() {
            let pop = if matches!(o.control, '\u{202D}' | '\u{202E}') { '\u{202C}' } else { '\u{2069}' };
            units.push(Unit { ch: pop, start: s, end: e });
        }
    }
}

/// The control a start tag stands for: `<bdo dir>` overrides (LRO, RLO); `<bdi>` and any other
/// `dir` isolate (LRI, RLI, FSI for `auto`); a `style` with `bidi-override` overrides.
fn control_for(tag: &Tag) -> Option<char> {
    let style = tag.style.as_deref().unwrap_or("");
    let style_rtl = style.contains("rtl");
    let dir = match tag.dir.as_deref() {
        Some("rtl") => Some(true),
        Some("ltr") => Some(false),
        Some("auto") => None,
        _ if style.contains("direction") => Some(style_rtl),
        _ if tag.name == "bdi" || tag.name == "bdo" => None,
        _ => return None,
    };
    let overrides = tag.name == "bdo" || style.contains("override");
    Some(match (overrides, dir) {
        (true, Some(true)) => '\u{202E}',
        (true, Some(false)) => '\u{202D}',
        (false, Some(true)) => '\u{2067}',
        (false, Some(false)) => '\u{2066}',
        (_, None) => '\u{2068}',
    })
}
