//! A second reading of the normalized text for the regex rules, with each word the fuzzy pass
//! read as a term written as that term.
//!
//! The fuzzy pass reads `m*ron`, `f🔥u🔥c🔥k`, `i d i o t` or `kcuf` as terms, but its hits are
//! word-list hits: a pattern such as "you are a {insult}" runs on the text as written and does
//! not see them, so `you're a m*ron` was held where `you're a moron` blocks. Here the text is
//! rewritten with the recovered terms ([`super::fuzzy::Fuzzy::term_read`]) and the patterns run
//! on it once more; a match counts only where it covers a rewritten word, and its span maps back
//! to the normalized text (a rewritten word maps to the whole word as written). Only a comment
//! with such a reading pays for it.

/// One piece of the rewritten text: `read` bytes of it stand for `norm` bytes of the normalized
/// text, `rewritten` when a term replaced a word there; `rewritten_upto` counts the rewritten
/// pieces up to and including this one (so a span's overlap is two lookups, not a walk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    read: (usize, usize),
    norm: (usize, usize),
    rewritten: bool,
    rewritten_upto: usize,
}

/// Drops from `terms` (sorted) every span read as two different terms (`f***ing`: fucking for
/// one list, fisting for another): which one was meant is unknown, so it is not rewritten.
pub(super) fn drop_ambiguous(terms: &mut Vec<(usize, usize, &str)>) {
    let mut kept = 0;
    let mut i = 0;
    while i < terms.len() {
        let span = (terms[i].0, terms[i].1);
        let mut j = i + 1;
        while j < terms.len() && (terms[j].0, terms[j].1) == span {
            j += 1;
        }
        if j == i + 1 {
            terms[kept] = terms[i];
            kept += 1;
        }
        i = j;
    }
    terms.truncate(kept);
}

/// Writes into `out` the normalized `text` with each reading `(start, end, term)` (sorted by
/// start; one overlapping an earlier one is dropped) in place of its span, and the pieces that
/// map `out` back into `pieces`. False when nothing was rewritten.
pub(super) fn rewrite(
    text: &str,
    readings: &[(usize, usize, &str)],
    out: &mut String,
    pieces: &mut Vec<Piece>,
) -> bool {
    out.clear();
    pieces.clear();
    let mut at = 0;
    for &(start, end, term) in readings {
        if start < at || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if text[start..end] == *term {
            continue;
        }
        push(out, pieces, &text[at..start], (at, start), false);
        push(out, pieces, term, (start, end), true);
        at = end;
    }
    if pieces.is_empty() {
        return false;
    }
    push(out, pieces, &text[at..], (at, text.len()), false);
    true
}

fn push(out: &mut String, pieces: &mut Vec<Piece>, s: &str, norm: (usize, usize), rewritten: bool) {
    if s.is_empty() && !rewritten {
        return;
    }
    let read = (out.len(), out.len() + s.len());
    out.push_str(s);
    let rewritten_upto = pieces.last().map_or(0, |p| p.rewritten_upto) + usize::from(rewritten);
    pieces.push(Piece { read, norm, rewritten, rewritten_upto });
}

/// The span of the normalized text that `start..end` of the rewritten text stands for, if it
/// covers a rewritten word (a match elsewhere was already found on the text as written).
pub(super) fn to_normalized(pieces: &[Piece], start: usize, end: usize) -> Option<(usize, usize)> {
    // The pieces holding the first and the last byte of the match (pieces are in order and
    // cover the rewritten text; an empty match is its start's).
    let first = pieces.partition_point(|p| p.read.1 <= start).min(pieces.len().checked_sub(1)?);
    let last = pieces.partition_point(|p| p.read.1 < end.max(start + 1)).min(pieces.len() - 1).max(first);
    let before = if first == 0 { 0 } else { pieces[first - 1].rewritten_upto };
    if pieces[last].rewritten_upto == before {
        return None;
    }
    let (s, e) = (&pieces[first], &pieces[last]);
    let norm_start = if s.rewritten { s.norm.0 } else { s.norm.0 + start.saturating_sub(s.read.0) };
    let norm_end = if e.rewritten { e.norm.1 } else { e.norm.0 + end.saturating_sub(e.read.0) };
    Some((norm_start, norm_end.max(norm_start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_word_maps_back_to_the_word_as_written() {
        let text = "you're a m*ron, ok";
        let (mut out, mut pieces) = (String::new(), Vec::new());
        assert!(rewrite(text, &[(9, 14, "moron")], &mut out, &mut pieces));
        assert_eq!(out, "you're a moron, ok");
        // "you're a moron" in the rewritten text is "you're a m*ron" in the normalized one.
        assert_eq!(to_normalized(&pieces, 0, 14), Some((0, 14)));
        // A match that does not cover the rewritten word does not count.
        assert_eq!(to_normalized(&pieces, 0, 6), None);
        assert_eq!(to_normalized(&pieces, 16, 18), None);
    }

    #[test]
    fn a_span_read_two_ways_is_dropped() {
        let mut terms = vec![(0, 7, "fisting"), (0, 7, "fucking"), (9, 14, "moron")];
        drop_ambiguous(&mut terms);
        assert_eq!(terms, vec![(9, 14, "moron")]);
    }

    #[test]
    fn terms_of_another_length_shift_what_follows() {
        let text = "go f u c k off now";
        let (mut out, mut pieces) = (String::new(), Vec::new());
        assert!(rewrite(text, &[(3, 10, "fuck")], &mut out, &mut pieces));
        assert_eq!(out, "go fuck off now");
        assert_eq!(to_normalized(&pieces, 3, 11), Some((3, 14)));
        assert_eq!(&text[3..14], "f u c k off");
        // Nothing to rewrite: the term is the word as written.
        assert!(!rewrite("fuck", &[(0, 4, "fuck")], &mut out, &mut pieces));
    }
}
