//! What the case a word was typed in tells, which the units (lowercased) have lost; read from
//! the original body through each unit's range.

use super::Words;
use crate::normalize::Unit;

/// The byte a unit was typed as, when it is one ASCII byte of the body.
#[inline]
fn typed(body: &[u8], u: &Unit) -> Option<u8> {
    let (a, b) = (u.start as usize, u.end as usize);
    (b == a + 1).then(|| body.get(a).copied()).flatten().filter(u8::is_ascii)
}

/// Whether a new capitalized word starts at `k` of `units` (typed as `body`): a capital after a
/// lowercase letter (`kill|Yourself`), or the last capital of a run before a lowercase letter
/// (`U|Are`, `I|Hate`). `II` drawn for `ll` is no word start ([`Words::caps_ll`]). The ASCII fast
/// path counts the same two shapes (`super::super::plain`), so what it accepts is never split.
/// A word of CamelCase that is a capital alone is one of English's one-letter words (or `U`).
fn one_letter_word(body: &[u8], seg: &[Unit]) -> bool {
    seg.len() != 1 || matches!(typed(body, &seg[0]), Some(b'I' | b'U' | b'A' | b'a' | b'i' | b'u'))
}

#[inline]
fn word_start(body: &[u8], units: &[Unit], k: usize) -> bool {
    let at = |p: usize| units.get(p).and_then(|u| typed(body, u)).unwrap_or(0);
    let (before, c, after) = (at(k.wrapping_sub(1)), at(k), at(k + 1));
    if k == 0 || !c.is_ascii_uppercase() {
        return false;
    }
    if c == b'I' && (after == b'I' || before == b'I') {
        return false;
    }
    before.is_ascii_lowercase() || (before.is_ascii_uppercase() && after.is_ascii_lowercase())
}

impl Words<'_> {
    /// `UAreAnIdiot`, `GoKillYourself`, `IHateThem`: a sentence run together in CamelCase, read
    /// as its words, each folded as a token of its own, with a space of no width between them
    /// (so a span still covers only what was typed). Returns false, having emitted nothing, when
    /// the token is not such a run ([`Self::camel_words`]).
    pub(super) fn camel_case(&mut self, a: usize, b: usize) -> bool {
        if b - a < 5 || !self.camel_words(a, b) {
            return false;
        }
        let (body, units) = (self.body, self.units);
        let mut s = a;
        for k in a + 1..b {
            if word_start(body, &units[a..b], k - a) {
                self.token(s, k);
                let at = units[k].start;
                self.emit(' ', Unit { ch: ' ', start: at, end: at });
                s = k;
            }
        }
        self.token(s, b);
        true
    }

    /// Whether token `a..b` is a sentence run together: three words or more, each a capital and
    /// no other (the first may be lowercase), a word of one capital only `I`, `U` or `A` (`IAmAn`,
    /// `UAre`), and one word with three lowercase letters in a row. So two words stay whole (a
    /// name or brand, `YouTube`, `McDonald`, `PayPal`, or a compound a list may hold,
    /// `DumbAss`), as do alternating case (`aSsHoLe`: no three lowercase letters), acronyms
    /// (`HTTPServer`), random ids (`vtaRGgvGtWQ`), a mention or hashtag (`@KingOfTheHill`,
    /// `#BuildTheWall`: a name and a topic, not a sentence addressed to anyone) and a token glued
    /// to other text (`?v=…`, `a/BigRedDog`).
    fn camel_words(&self, a: usize, b: usize) -> bool {
        let (body, units) = (self.body, self.units);
        // Most tokens have no two capitals typed after their first unit, and three words need
        // two ([`word_start`]): one pass over the token's own units. (Not over the body from
        // the first unit's start to the last one's end: a turned or reordered run maps every
        // unit to the whole run, and that span per token was quadratic in a one-line body.)
        let typed_caps =
            units[a + 1..b].iter().filter(|u| typed(body, u).is_some_and(|c| c.is_ascii_uppercase())).count();
        if typed_caps < 2 {
            return false;
        }
        if matches!(units[a].ch, '@' | '#') || a > 0 && !matches!(units[a - 1].ch, ' ' | '"' | '\'' | '(') {
            return false;
        }
        if units.get(b).is_some_and(|u| !matches!(u.ch, ' ' | '.' | ',' | '!' | '?' | '"' | '\'' | ')' | ':' | ';')) {
            return false;
        }
        let tok = &units[a..b];
        let mut words = 1;
        let mut seg = 0;
        let (mut run, mut long_run) = (0, false);
        for k in 0..tok.len() {
            let c = typed(body, &tok[k]).unwrap_or(0);
            if k > 0 && word_start(body, tok, k) {
                if !one_letter_word(body, &tok[seg..k]) {
                    return false;
                }
                words += 1;
                seg = k;
            } else if c.is_ascii_uppercase() && k > seg {
                return false;
            }
            run = if c.is_ascii_lowercase() { run + 1 } else { 0 };
            long_run |= run >= 3;
        }
        words >= 3 && long_run && one_letter_word(body, &tok[seg..])
    }

    /// `heII`, `buIIshit`: two capital `I` drawn for `ll` in a word otherwise written in lowercase
    /// (its first letter may be a capital). English never doubles a capital `I` inside a
    /// lowercase word, and in a sans-serif font `I` and `l` are the same stroke; a single `I`
    /// is left alone (`FuckIng`, `ShIt` are mixed case, not an `l`). Roman numerals (`III`),
    /// acronyms (`IIRC`) and mixed-case names (`WiFi`, `iPhone`) have no such run.
    pub(super) fn caps_ll(&mut self) {
        let s = &mut *self.scratch;
        if s.len() < 3 || !s.windows(2).any(|w| w[0].ch == 'i' && w[1].ch == 'i') {
            return;
        }
        let body = self.body;
        let typed = |u: &Unit| typed(body, u);
        let mut lower = false;
        for (k, u) in s.iter().enumerate() {
            match typed(u) {
                Some(c) if c.is_ascii_lowercase() => lower = true,
                Some(c) if c.is_ascii_uppercase() && c != b'I' && k > 0 => return,
                _ => {}
            }
        }
        if !lower {
            return;
        }
        let cap_i = |u: &Unit| typed(u) == Some(b'I');
        let mut k = 1;
        while k + 1 < s.len() {
            let pair = cap_i(&s[k])
                && cap_i(&s[k + 1])
                && typed(&s[k - 1]).is_some_and(|c| c.is_ascii_lowercase())
                && !s.get(k + 2).is_some_and(cap_i);
            if pair {
                s[k].ch = 'l';
                s[k + 1].ch = 'l';
                k += 2;
            } else {
                k += 1;
            }
        }
    }
}
