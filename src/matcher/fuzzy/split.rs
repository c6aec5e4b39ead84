//! Split words: a term written in two or three pieces (`s hit`, `wan k ers`, `m.otherf.ucker`),
//! read after the automaton and the near spellings of [`super::Fuzzy::find`]. Each piece is
//! looked at once per run of pieces it starts, and only a run whose first four letters start a
//! stem is copied and looked up: linear in the text.

use std::sync::Arc;

use super::{is_english, Fuzzy, Inner, MAX_TOKEN, STEM_ENDINGS};
use crate::matcher::scan::{glued, runs, Explained};

impl Fuzzy {
    /// Sets, per list, whether a first letter split off by a space joins the word after it
    /// (`s hit`; the rule's `fuzzy_split_letter`, missing entries false). Called once, on the
    /// freshly built matcher.
    pub fn with_split_letter(mut self, split: &[bool]) -> Fuzzy {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.split_letter = split.to_vec();
        }
        self
    }
}

/// Whether the letter at `s` of `b` belongs to the text before it: after an apostrophe
/// (`it' s hit`), a digit (`2 d ago`) or a dot (`J. S hit`), with or without a space between;
/// or a clitic whose apostrophe was lost, after the word it leans on: `s` or `d` after any
/// word (`what s hit`, `he d rather`), `t` after a word ending in `n` (`don t`), `m` after `i`.
fn letter_belongs_before(b: &[u8], s: usize) -> bool {
    let spaced = b[..s].strip_suffix(b" ");
    let before = spaced.unwrap_or(&b[..s]);
    if before.last().is_some_and(|&c| matches!(c, b'\'' | b'.' | b'&' | b'0'..=b'9')) {
        return true;
    }
    let Some(word) = spaced.filter(|w| w.last().is_some_and(u8::is_ascii_alphabetic)) else { return false };
    match b[s] {
        b's' | b'd' => true,
        b't' => word.ends_with(b"n"),
        b'm' => word == b"i" || word.ends_with(b" i"),
        _ => false,
    }
}

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
    /// after a one-letter word (`I s hit the ball`), nor one letter and a word (`chin k`) but
    /// for a first letter and a word of a list with `fuzzy_split_letter` (`s hit`), not after
    /// an apostrophe, a digit or a dot (`it' s hit`, `2 d ago`, `J. S hit`).
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
        // Per piece, whether the letters from it on start like a stem ([`Inner::heads`]); None
        // while they are fewer than four. The first four letters of a run of pieces of four
        // letters or more are those of its first piece and what follows, whichever piece the
        // run ends at, so each starting piece is tested once, not once per run (37 runs per
        // comment on the bench corpus), and a run whose head is no stem's is not looked at.
        let mut head_ok: [Option<bool>; MAX_PIECES] = [None; MAX_PIECES];
        let mut count = 0;
        let mut joined = String::new();
        // The oldest piece held (`pieces[0]`) only moves forward, and every run asked about
        // starts there or later: the explained ranges are walked forward once (a scan of all of
        // them per run was quadratic in a text of many hits and split words).
        let mut seen = Explained::new(explained);
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
                head_ok.copy_within(1.., 0);
                count -= 1;
            }
            pieces[count] = (start, end);
            head_ok[count] = None;
            count += 1;
            for i in 0..count {
                if head_ok[i].is_none() {
                    head_ok[i] = self.head_of(b, &pieces[i..count]);
                }
            }
            // A stub of two letters whose last letter the next piece repeats (`sh hit`, `bi itch`).
            // (Two bytes compared first: most pairs of words stop there.)
            if count >= 2 && pieces[count - 2].1 - pieces[count - 2].0 == 2 && b[pieces[count - 2].1 - 1] == b[start] {
                let run = [pieces[count - 2], pieces[count - 1]];
                if self.repeated_joint(text, &run, &mut joined)
                    && !glued(b, run[0].0, end, b"*'_.")
                    && !seen.overlaps_after(pieces[0].0, run[0].0, end)
                    && !skip(run[0].0, end)
                {
                    self.report_joined(&joined, false, run[0].0, end, hit);
                    count = 0;
                    continue;
                }
            }
            // Each run of pieces ending here, shortest first.
            for k in 2..=count {
                // Fewer than four letters, or a head no stem has: `split_word` says no.
                if head_ok[count - k] != Some(true) {
                    continue;
                }
                let run = &pieces[count - k..count];
                let (s, e) = (run[0].0, end);
                // `I s hit the ball`: a letter after a one-letter word is a typo, not a stub.
                let after_letter = k < count && run[0].1 - s == 1 && {
                    let (ps, pe) = pieces[count - k - 1];
                    pe - ps == 1
                };
                if after_letter {
                    continue;
                }
                let Some(letter) = self.split_word(text, run, &mut joined) else { continue };
                if (!letter || !letter_belongs_before(b, s))
                    && !glued(b, s, e, b"*'_.")
                    && !seen.overlaps_after(pieces[0].0, s, e)
                    && !skip(s, e)
                {
                    self.report_joined(&joined, letter, s, e, hit);
                    count = 0;
                    break;
                }
            }
        }
    }

    /// Whether the letters of the pieces `run` of `b`, run together, start with the first four
    /// bytes of a stem ([`Inner::heads`]); None when they are fewer than four. A term, as
    /// written or inflected, is a stem of four letters or more or starts with one (see
    /// [`Self::split_word`]): most runs of words start otherwise, and cost no copy and no lookup.
    fn head_of(&self, b: &[u8], run: &[(usize, usize)]) -> Option<bool> {
        let (mut head, mut k) = ([0u8; 4], 0);
        for &(s, e) in run {
            for &c in &b[s..e] {
                head[k] = c;
                k += 1;
                if k == head.len() {
                    return Some(self.heads.contains(&u32::from_le_bytes(head)));
                }
            }
        }
        None
    }

    /// Whether the pieces `run` of `text` form a split word (see [`Self::split_words`]); leaves
    /// them run together in `joined`. Only asked for a run whose head is a stem's
    /// ([`Self::head_of`]). `Some(true)`: a first letter and a word, which only the lists with
    /// `fuzzy_split_letter` read ([`Self::split_letter`]).
    fn split_word(&self, text: &str, run: &[(usize, usize)], joined: &mut String) -> Option<bool> {
        let piece = |&(s, e): &(usize, usize)| &text[s..e];
        let first = piece(&run[0]);
        if matches!(first, "a" | "i") {
            return None;
        }
        let len: usize = run.iter().map(|r| r.1 - r.0).sum();
        if !(4..=MAX_TOKEN).contains(&len) {
            return None;
        }
        joined.clear();
        run.iter().for_each(|r| joined.push_str(piece(r)));
        // A stub of three letters beside a word is too often a word the dictionary lacks
        // (`pak is`); of one or two, a piece cut off (`tw at`).
        let short_stub = run.iter().any(|r| piece(r).len() <= 2 && !is_word_piece(piece(r)));
        let no_word = run.iter().all(|r| !is_word_piece(piece(r)));
        if !(short_stub || no_word) {
            return None;
        }
        // One letter and a word (`it's` split: `s hit`; `chin k`) are a typo or an initial,
        // unless the letter comes first and the join is a word of a list strong enough that a
        // reader reads the join (`s hit`, `t wat`, as written or inflected).
        if run.len() == 2 && run.iter().any(|r| r.1 - r.0 == 1) && run.iter().any(|r| is_word_piece(piece(r))) {
            let letter_first = run[0].1 - run[0].0 == 1;
            return (letter_first && self.split_letter(joined)).then_some(true);
        }
        // A term as written (`shit` is English too); inflected, only when the run is not an
        // English word (`co cker`: `cocker` is a spaniel, not `cock` + `er`) and the ending is
        // not part of a word piece (`pak is` is not `paki` + `s`).
        if self.stems.contains_key(joined.as_str()) {
            return Some(false);
        }
        let stem = STEM_ENDINGS
            .iter()
            .filter_map(|end| joined.strip_suffix(end))
            .find(|s| s.len() >= 4 && self.stems.contains_key(*s))
            .map(str::len)?;
        let mut at = 0;
        (!is_english(joined)
            && run.iter().all(|r| {
                at += r.1 - r.0;
                at <= stem || !is_word_piece(piece(r))
            }))
        .then_some(false)
    }

    /// Whether the two pieces `run` of `text` are a stub of two letters and a piece that repeats
    /// its last letter (`sh hit`, `bi itch`, `cu unt`), and the two with that letter written once
    /// are a term of four letters or more of a list with `fuzzy_split_letter` (strong enough that
    /// a reader joins them), left in `joined`. The pieces as typed together are no English word;
    /// `ah` is an interjection before a word (`ah hole`). Two words of three letters or more never
    /// join so (`dumb bass`, `who ore`): one piece must be the stub.
    fn repeated_joint(&self, text: &str, run: &[(usize, usize); 2], joined: &mut String) -> bool {
        let (a, z) = (&text[run[0].0..run[0].1], &text[run[1].0..run[1].1]);
        if a.len() != 2 || z.len() < 3 || a.as_bytes()[1] != z.as_bytes()[0] || a == "ah" || run[1].0 != run[0].1 + 1 {
            return false;
        }
        if text.as_bytes()[run[0].1] != b' ' {
            return false;
        }
        joined.clear();
        joined.push_str(a);
        joined.push_str(&z[1..]);
        if joined.len() > MAX_TOKEN || !self.split_letter(joined) {
            return false;
        }
        let mut typed = String::with_capacity(a.len() + z.len());
        typed.push_str(a);
        typed.push_str(z);
        !is_english(&typed)
    }

    /// Whether `word` is a term, as written or inflected, of a list with `fuzzy_split_letter`.
    fn split_letter(&self, word: &str) -> bool {
        self.letter_lists(word).next().is_some()
    }

    /// The lists with `fuzzy_split_letter` that hold `word` as written or inflected (`twats` is
    /// listed as written by one list and is `twat` + `s` of another).
    fn letter_lists<'a>(&'a self, word: &'a str) -> impl Iterator<Item = u32> + 'a {
        let inflected = STEM_ENDINGS
            .iter()
            .filter_map(move |end| word.strip_suffix(end).filter(|s| s.len() >= 4).and_then(|s| self.stems.get(s)));
        self.stems
            .get(word)
            .into_iter()
            .chain(inflected)
            .flatten()
            .copied()
            .filter(|&l| self.split_letter.get(l as usize).copied().unwrap_or(false))
    }

    /// The lists of the term `word` is, as written or inflected (`wankers`, `fuckin`).
    pub(super) fn term_lists(&self, word: &str) -> Option<&Vec<u32>> {
        self.stems.get(word).or_else(|| {
            STEM_ENDINGS
                .iter()
                .find_map(|end| word.strip_suffix(end).filter(|s| s.len() >= 4).and_then(|s| self.stems.get(s)))
        })
    }

    /// Adds to `out` each of `lists` that does not allow `word` and is not there yet.
    pub(super) fn add_unallowed(&self, lists: &[u32], word: &str, out: &mut Vec<u32>) {
        for &l in lists {
            if !self.allow[l as usize].contains(word) && !out.contains(&l) {
                out.push(l);
            }
        }
    }

    /// Reports the split word `joined` at `s..e` for each of its lists that does not allow it
    /// (with `letter`, a letter split off: the lists with `fuzzy_split_letter`, once each).
    fn report_joined(&self, joined: &str, letter: bool, s: usize, e: usize, hit: &mut impl FnMut(usize, usize, usize)) {
        if letter {
            let mut done: Vec<u32> = Vec::new();
            for l in self.letter_lists(joined) {
                if !done.contains(&l) && !self.allow[l as usize].contains(joined) {
                    done.push(l);
                    hit(l as usize, s, e);
                }
            }
            return;
        }
        if let Some(lists) = self.term_lists(joined) {
            for &l in lists {
                if !self.allow[l as usize].contains(joined) {
                    hit(l as usize, s, e);
                }
            }
        }
    }
}
