//! Bidirectional text: the rules read a body in the order a browser shows it.
//!
//! Explicit bidi controls change what a reader sees without changing a letter: `\u{202E}kcuf`
//! (right-to-left override) shows `fuck`, and an embedding or isolate with one right-to-left mark
//! swaps words (`\u{2067}idiot\u{200F} you\u{2069}` shows `you idiot`). The same controls can
//! come from an entity (`&#x202E;`), from `<bdo dir="rtl">` or from a `dir="rtl"` attribute. When
//! a body has any of them, the decoded units are put in visual order with the Unicode
//! Bidirectional Algorithm (the `unicode-bidi` crate: UAX #9 is long and subtle, and that crate is
//! the implementation browsers' URL and IDNA code already share), on a left-to-right page, one
//! paragraph per line or block tag. Bodies without explicit controls are left in logical order:
//! there, Latin letters never move.
//!
//! Offsets: a reordered stretch (the smallest run of units that maps onto itself) maps every unit
//! to the whole stretch of the original, so the offset map stays monotone and a match inside
//! points at the text the reader saw reordered, controls included.

use unicode_bidi::{BidiInfo, Level};

use super::Unit;

/// Explicit embedding, override and isolate controls (LRE RLE PDF LRO RLO, LRI RLI FSI PDI):
/// a body with one of them is reordered.
#[inline]
pub(crate) fn is_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible marks with a direction (LRM, RLM, ALM): they move words only inside an embedding,
/// so they are kept as units until the reordering (and dropped with the controls).
#[inline]
pub(crate) fn is_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// What decoding met that needs this pass.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// An explicit control (typed, from an entity, or from markup): reorder.
    pub(crate) controls: bool,
    /// A mark or control unit was kept: drop them if nothing is reordered.
    pub(crate) marks: bool,
    /// A turned letter (`ɟ`, `ʞ`): look for upside-down words ([`super::turned`]).
    pub(crate) turned: bool,
    /// A letter only Cyrillic or Greek text writes: keep such words ([`super::native`]).
    pub(crate) native: bool,
}

/// Removes the marks kept for [`reorder`] from a body that needed no reordering.
pub(crate) fn drop_marks(units: &mut Vec<Unit>) {
    units.retain(|u| !is_mark(u.ch));
}

/// A space unit that ends a bidi paragraph: a line end or a block tag of `body`.
fn is_break(body: &str, u: &Unit) -> bool {
    u.ch == ' '
        && body
            .get(u.start as usize..)
            .and_then(|t| t.chars().next())
            .is_some_and(|c| matches!(c, '\n' | '\r' | '<' | '\u{1C}'..='\u{1E}' | '\u{85}' | '\u{2029}'))
}

/// Puts `units` of `body` (which hold explicit controls as units of their own) in visual order
/// and drops the controls. `scratch` is reused between calls.
pub(crate) fn reorder(body: &str, units: &mut Vec<Unit>, scratch: &mut Vec<Unit>) {
    // What the algorithm reads: the units' characters, with paragraph separators.
    let disp: String = units.iter().map(|u| if is_break(body, u) { '\u{2029}' } else { u.ch }).collect();
    let info = BidiInfo::new(&disp, Some(Level::ltr()));
    // Char index of each unit's first byte in `disp`.
    let mut byte_of = Vec::with_capacity(units.len());
    let mut b = 0;
    for u in units.iter() {
        byte_of.push(b);
        b += if is_break(body, u) { '\u{2029}'.len_utf8() } else { u.ch.len_utf8() };
    }
    scratch.clear();
    let mut first = 0; // first unit of the current paragraph
    for para in &info.paragraphs {
        let mut last = first;
        while last < units.len() && byte_of[last] < para.range.end {
            last += 1;
        }
        // Resolved levels (rule L1, which only moves trailing whitespace, is left out: asking
        // the crate for it copies the levels of the whole text once per paragraph).
        let mut levels: Vec<Level> = (first..last).map(|k| info.levels[byte_of[k]]).collect();
        control_levels(&units[first..last], &mut levels);
        let visual = BidiInfo::reorder_visual(&levels);
        push_visual(&units[first..last], &visual, scratch);
        first = last;
    }
    // Any units past the last paragraph (none expected) keep their order.
    scratch.extend(units[first..].iter().filter(|u| !is_control(u.ch) && !is_mark(u.ch)));
    std::mem::swap(units, scratch);
}

/// Gives each control the higher level of the nearest other units around it, so it is reordered
/// with the text it governs (and lands inside that text's span) without changing the order of
/// any other unit.
fn control_levels(line: &[Unit], levels: &mut [Level]) {
    let mut prev = Level::ltr();
    let mut before = vec![Level::ltr(); line.len()];
    for (k, u) in line.iter().enumerate() {
        before[k] = prev;
        if !is_control(u.ch) {
            prev = levels[k];
        }
    }
    let mut next = Level::ltr();
    for k in (0..line.len()).rev() {
        if is_control(line[k].ch) {
            levels[k] = before[k].max(next);
        } else {
            next = levels[k];
        }
    }
}

/// Appends `line` in the order `visual` (visual position → index in `line`), dropping controls;
/// units of a reordered stretch all map to the stretch's whole source range.
fn push_visual(line: &[Unit], visual: &[usize], out: &mut Vec<Unit>) {
    let mut k = 0;
    while k < visual.len() {
        // The stretch ends at the first visual position whose prefix holds exactly the indices
        // 0..=j: then visual[k..=j] is a permutation of k..=j.
        let mut max = visual[k];
        let mut j = k;
        while max > j {
            j += 1;
            max = max.max(visual[j]);
        }
        let stretch = &visual[k..=j];
        let (start, end) = (line[k].start, line[j].end);
        let moved = j > k;
        for &v in stretch {
            let u = line[v];
            if is_control(u.ch) || is_mark(u.ch) {
                continue;
            }
            out.push(if moved { Unit { ch: u.ch, start, end } } else { u });
        }
        k = j + 1;
    }
}
