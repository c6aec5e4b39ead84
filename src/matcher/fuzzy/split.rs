//! Words split into pieces (`wa nker`, `f uc k`, `m.otherf.ucker`): the pieces run together are
//! a term or an inflection of one. Split from the fuzzy pass ([`super`]), which calls it once
//! per text after reading the whole words.

use super::{is_english, Inner, MAX_TOKEN, STEM_ENDINGS};
use crate::matcher::scan::{glued, runs};

/// Most pieces a split word is read from (`f uc k`, `wan k ers`).
const MAX_PIECES: usize = 3;

/// True when `piece` of a split word reads as a word of its own: an English word, a name or a
/// place, but of the single letters only `a` and `i` (`s`, `t`, `w` are not words).
fn is_word_piece(piece: &str) -> bool {
    if piece.len() == 1 {
        return matches!(piece, "a" | "i");
    }
    is_english(piece)
}

impl Inner {
    /// Words split by one space, `.` or `_` into two or three pieces (`s hit`, `tw at`,
    /// `wa nker`, `f uc k`, `wan k ers`, `m.otherf.ucker`): the pieces run together are a term
    /// or an inflection of one, as written (no near spelling), and one piece of one or two
    /// letters is not a word, or no piece is. Two words never join (`pen is`, `as sign`), nor does
    /// a phrase that starts with `a` or `i` (`i diot`), nor a run that starts with a letter
    /// after a one-letter word (`I s hit the ball`), nor one letter and a word (`s hit`, `chin k`).
    pub(super) fn split_words(
        &self,
        text: &str,
        explained: &[(usize, usize)],
        skip: &impl Fn(usize, usize) -> bool,
        hit: &mut impl FnMut(usize, usize, usize),
    ) {
        let b = text.as_bytes();
        // The last pieces seen: (start, end) of runs of ASCII letters, each separated from the
        // one before by one joiner; a run of digits or a longer gap starts over.
        let mut pieces: [(usize, usize); MAX_PIECES] = [(0, 0); MAX_PIECES];
        let mut count = 0;
        let mut joined = String::new();
        for (start, end) in runs(b, u8::is_ascii_alphanumeric) {
            if !b[start..end].iter().all(u8::is_ascii_lowercase) {
                count = 0;
                continue;
            }
            let joins = count > 0 && {
                let prev = pieces[count - 1].1;
                start == prev + 1 && matches!(b[prev], b' ' | b'.' | b'_')
            };
            if !joins {
                count = 0;
            }
            if count == MAX_PIECES {
                pieces.copy_within(1.., 0);
                count -= 1;
            }
            pieces[count] = (start, end);
            count += 1;
            // Each run of pieces ending here, shortest first.
            for k in 2..=count {
                let run = &pieces[count - k..count];
                let (s, e) = (run[0].0, end);
                // `I s hit the ball`: a letter after a one-letter word is a typo, not a stub.
                let after_letter = k < count && run[0].1 - s == 1 && {
                    let (ps, pe) = pieces[count - k - 1];
                    pe - ps == 1
                };
                if !after_letter
                    && self.split_word(text, run, &mut joined)
                    && !glued(b, s, e, b"*'_.")
                    && !explained.iter().any(|&(x, y)| x < e && s < y)
                    && !skip(s, e)
                {
                    self.report_joined(&joined, s, e, hit);
                    count = 0;
                    break;
                }
            }
        }
    }

    /// Whether the pieces `run` of `text` form a split word (see [`Self::split_words`]); leaves
    /// them run together in `joined`.
    fn split_word(&self, text: &str, run: &[(usize, usize)], joined: &mut String) -> bool {
        let piece = |&(s, e): &(usize, usize)| &text[s..e];
        let first = piece(&run[0]);
        if matches!(first, "a" | "i") {
            return false;
        }
        let len: usize = run.iter().map(|r| r.1 - r.0).sum();
        if !(4..=MAX_TOKEN).contains(&len) {
            return false;
        }
        // A term, as written or inflected, is a stem of four letters or more or starts with
        // one (below): most runs of words start otherwise, and cost no copy and no lookup.
        let (mut head, mut k) = ([0u8; 4], 0);
        'fill: for &(s, e) in run {
            for &c in &text.as_bytes()[s..e] {
                head[k] = c;
                k += 1;
                if k == head.len() {
                    break 'fill;
                }
            }
        }
        if !self.heads.contains(&u32::from_le_bytes(head)) {
            return false;
        }
        joined.clear();
        run.iter().for_each(|r| joined.push_str(piece(r)));
        // A stub of three letters beside a word is too often a word the dictionary lacks
        // (`pak is`); of one or two, a piece cut off (`tw at`).
        let short_stub = run.iter().any(|r| piece(r).len() <= 2 && !is_word_piece(piece(r)));
        let no_word = run.iter().all(|r| !is_word_piece(piece(r)));
        if !(short_stub || no_word) {
            return false;
        }
        // One letter and a word (`it's` split: `s hit`; `chin k`) are a typo or an initial.
        if run.len() == 2 && run.iter().any(|r| r.1 - r.0 == 1) && run.iter().any(|r| is_word_piece(piece(r))) {
            return false;
        }
        // A term as written (`shit` is English too); inflected, only when the run is not an
        // English word (`co cker`: `cocker` is a spaniel, not `cock` + `er`) and the ending is
        // not part of a word piece (`pak is` is not `paki` + `s`).
        if self.stems.contains_key(joined.as_str()) {
            return true;
        }
        let Some(stem) = STEM_ENDINGS
            .iter()
            .filter_map(|end| joined.strip_suffix(end))
            .find(|s| s.len() >= 4 && self.stems.contains_key(*s))
            .map(str::len)
        else {
            return false;
        };
        let mut at = 0;
        !is_english(joined)
            && run.iter().all(|r| {
                at += r.1 - r.0;
                at <= stem || !is_word_piece(piece(r))
            })
    }

    /// The lists of the term `word` is, as written or inflected (`wankers`, `fuckin`).
    pub(super) fn term_lists(&self, word: &str) -> Option<&Vec<u32>> {
        self.stems.get(word).or_else(|| {
            STEM_ENDINGS
                .iter()
                .find_map(|end| word.strip_suffix(end).filter(|s| s.len() >= 4).and_then(|s| self.stems.get(s)))
        })
    }

    /// Reports the split word `joined` at `s..e` for each of its lists that does not allow it.
    fn report_joined(&self, joined: &str, s: usize, e: usize, hit: &mut impl FnMut(usize, usize, usize)) {
        if let Some(lists) = self.term_lists(joined) {
            for &l in lists {
                if !self.allow[l as usize].contains(joined) {
                    hit(l as usize, s, e);
                }
            }
        }
    }
}
