//! Letters written apart (see the module docs of [`super`]): a word spelled out with
//! separators (`f.u.c.k`, `a s s`, `F_u c_K`), one letter split off a word (`w.ank`), letters
//! kept apart by one repeated symbol inside a token (`f*u*c*k`).

use super::{is_joiner, is_token, kind, leet_digit, vec_count, Kind, Words};
use crate::normalize::Unit;

impl Words<'_> {
    /// If a spelled-out word starts at single-character token `i`, emits it and returns where
    /// it ends.
    ///
    /// Two shapes: the same separator every time (`f.u.c.k`, `a s s`: spaces stay, see the
    /// module docs), or separators that change from letter to letter (`f.u-c_k`, `F_u c_K`),
    /// each one a single joiner character (or up to three of the same), at least one of them not
    /// a space; those are joined. A run that turns out not to be a word is remembered, so a
    /// later start inside it is not scanned again (linear time on `1.1.1.1...`).
    pub(super) fn spelled_out(&mut self, i: usize) -> Option<usize> {
        if i < self.no_spell_before {
            return None;
        }
        let units = self.units;
        let n = units.len();
        let single = |p: usize| -> bool {
            p < n
                && units[p].ch.is_ascii()
                && (units[p].ch.is_ascii_lowercase() || leet_digit(units[p].ch).is_some())
                && (p + 1 >= n || !is_token(kind(units[p + 1].ch)))
        };
        if !single(i) || (i > 0 && is_token(kind(units[i - 1].ch))) {
            return None;
        }
        // The separator is whatever lies between the first two letters: 1-3 joiner characters.
        let mut g = i + 1;
        while g < n && g - i <= 3 && is_joiner(units[g].ch) {
            g += 1;
        }
        let gap = i + 1..g;
        if gap.is_empty() || gap.len() > 3 || !single(g) {
            return None;
        }
        let same_gap = |p: usize| -> bool {
            // Does the gap starting at `p` equal `gap` and end at a single-char token?
            let len = gap.len();
            p + len <= n && (0..len).all(|k| units[p + k].ch == units[gap.start + k].ch) && single(p + len)
        };
        let mut letters = vec_count(units, i);
        let mut count = 1;
        let mut p = i;
        let spaced_gap = units[gap.clone()].iter().all(|u| u.ch == ' ');
        while same_gap(p + 1) {
            // `x y b.o.l.l.o.c.k.s`: a letter followed by a marked separator starts its own run.
            let next = p + 1 + gap.len();
            if spaced_gap && units.get(next + 1).is_some_and(|u| is_joiner(u.ch) && u.ch != ' ') && single(next + 2) {
                break;
            }
            p += 1 + gap.len();
            count += 1;
            letters += vec_count(units, p);
        }
        if count >= 3 && letters >= 2 {
            let spaced = units[gap.clone()].iter().all(|u| u.ch == ' ');
            let mut q = i;
            loop {
                let u = units[q];
                self.emit(leet_digit(u.ch).unwrap_or(u.ch), u);
                if q == p {
                    break;
                }
                if spaced {
                    self.emit(' ', units[q + 1]);
                }
                q += 1 + gap.len();
            }
            return Some(p + 1);
        }
        // Mixed separators: each gap uniform (one joiner character, up to three times).
        let uniform_gap = |p: usize| -> Option<usize> {
            let c = units.get(p)?.ch;
            if !is_joiner(c) {
                return None;
            }
            let mut e = p + 1;
            while e < n && e - p < 3 && units[e].ch == c {
                e += 1;
            }
            (single(e)).then_some(e - p)
        };
        // A space may separate two letters only between two marked gaps (`F_u c_K`), never at
        // the start or the end of the run, so `a j-e-r-k` keeps its article apart.
        let (mut q, mut count, mut letters, mut pending_space) = (i, 1, vec_count(units, i), false);
        let mut good = (i, 1, letters);
        while let Some(len) = uniform_gap(q + 1) {
            let space = units[q + 1].ch == ' ';
            if space && (pending_space || q == i) {
                break;
            }
            pending_space = space;
            q += 1 + len;
            count += 1;
            letters += vec_count(units, q);
            if !space {
                good = (q, count, letters);
            }
        }
        let (end, count, letters) = good;
        if count < 3 || letters < 2 || end <= p {
            self.no_spell_before = self.no_spell_before.max(p.max(end));
            return None;
        }
        let mut q = i;
        loop {
            let u = units[q];
            self.emit(leet_digit(u.ch).unwrap_or(u.ch), u);
            if q == end {
                break;
            }
            q += 1 + uniform_gap(q + 1).unwrap_or(0);
        }
        Some(end + 1)
    }

    /// `w.ank`, `c_unt`, `a.rse`: one letter split off a word by a single `.` or `_`. The
    /// letter and the word are joined when the word has three letters or more, so initials
    /// (`e.g.`, `U.S.`, `J.K. Rowling`) stay as written. Returns where the word ends.
    pub(super) fn split_initial(&mut self, i: usize) -> Option<usize> {
        let units = self.units;
        let u = units[i];
        if !u.ch.is_ascii_lowercase() || (i > 0 && !matches!(units[i - 1].ch, ' ' | '"' | '\'' | '(')) {
            return None;
        }
        if !matches!(units.get(i + 1)?.ch, '.' | '_') || !units.get(i + 2)?.ch.is_ascii_lowercase() {
            return None;
        }
        let j = self.token_end(i + 2);
        if j - (i + 2) < 3 || !units[i + 2..j].iter().all(|u| u.ch.is_ascii_lowercase()) {
            return None;
        }
        self.emit(u.ch, u);
        self.token(i + 2, j);
        Some(j)
    }

    /// Letters kept apart by one repeated symbol inside a token (`f*u*c*k`, `f!u!c!k`,
    /// `s^h^i^t`): at least three letters or leet digits, at least two of them letters. Emits the
    /// letters joined and returns true, or returns false and emits nothing.
    pub(super) fn interleaved(&mut self, tok: &[Unit]) -> bool {
        let n = tok.len();
        if n < 5 || n % 2 == 0 {
            return false;
        }
        let sep = tok[1].ch;
        let is_single = |c: char| c.is_ascii_lowercase() || leet_digit(c).is_some();
        let ok = tok.iter().enumerate().all(|(p, u)| if p % 2 == 0 { is_single(u.ch) } else { u.ch == sep })
            && kind(sep) == Kind::Sym
            && tok.iter().step_by(2).filter(|u| u.ch.is_ascii_lowercase()).count() >= 2;
        if !ok {
            return false;
        }
        for u in tok.iter().step_by(2) {
            let c = if self.leet { leet_digit(u.ch).unwrap_or(u.ch) } else { u.ch };
            self.emit(c, *u);
        }
        true
    }
}
