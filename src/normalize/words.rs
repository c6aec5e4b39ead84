//! Word-level folding: leetspeak, masked letters, stretched letters, spelled-out words, and the
//! text chunks (URLs, e-mail addresses) that must be left alone.
//!
//! After [`super::fold`] every unit is one lowercase character with its source range. This pass
//! groups them into *tokens* — maximal runs of letters, digits and the symbols evaders use as
//! letters (`@ $ ! * # %`) — and decides per token, never per character, what a digit or a
//! symbol means. That is what keeps the output readable English for the regex rules:
//!
//! - **Leetspeak** (`0→o 1→i 3→e 4→a 5→s 7→t $→s !→i @→a`) applies only inside a token that
//!   already contains a letter and whose digits are all leet digits: `sh1t`, `b0llocks`, `4ss`,
//!   `p15$` fold; `2010`, `100%`, `a1b2`, `covid19`, `$5` do not. A number followed by a unit or
//!   ordinal suffix (`1st`, `3rd`, `1970s`, `5am`, `100km`) is not leet either.
//! - **Masks**: inside such a token, `* # %` and a non-leading `@` become `*` (`f@ck`, `sh%t`,
//!   `d*uchebag` → `f*ck`, `sh*t`, `d*uchebag`). The wordlist compiles masked variants of its
//!   terms, so a mask stands for exactly the letters it hides. Masks at a token's edge are
//!   punctuation (`*emphasis*`, `#hashtag`, `f***` as polite self-censoring), as is `!` at an
//!   edge (`shit!`).
//! - **Stretching**: a run of three or more identical letters (or masks) inside a token that has
//!   other characters collapses to one: `fuuuuck`, `shiiiit`, `j@@@@ck`, `b111111tch` (after leet
//!   folding). Runs of two are kept, because English doubles letters (`ass`, `piss`, `class`): so
//!   `as` never becomes `ass`. The price is that a stretched double (`asssshole`) reads
//!   `ashole`; the wordlist compiles single-letter variants of doubled terms to catch it, and
//!   never for variants of four letters or fewer (`as`, `pis`, `hel`), which are where real words live.
//!   A token that is *only* one letter repeated (`zzz`, `iii`, `www`) is left alone.
//! - **`vv` for `w`** (`jevvs`, `vvhore`): one `w`, except between two vowels, where English
//!   writes it (`savvy`, `revving`).
//! - **Spelled-out words**: a run of at least three single-character tokens (letters, or leet
//!   digits), at least two of them letters, joined by the *same* separator each time, is a word
//!   spelled out. With a punctuation separator (`f.u.c.k`, `s-h-i-t`, `f_u_c_k`, `a . s . s`)
//!   the letters are joined (`fuck`); with plain spaces (`a s s h o l e`, `P I S S`) they stay
//!   spaced, one space apart, and the wordlist compiles spaced variants of its terms instead.
//!   Joining spaces would glue the article in `a b i t c h` onto the word; keeping them lets the
//!   ordinary word-boundary rule decide. Two single letters never form a run, so `a s soon as`
//!   and `I s hit the ball` are untouched, and a comma is not a separator (`a, b, c`).
//! - **Protected chunks**: a whitespace-delimited chunk that contains `://`, starts with `www.`,
//!   or looks like an e-mail address is copied as is (lowercased), so URL rules see real URLs.
//!
//! Every run of whitespace becomes one space. Nothing here allocates per character: output goes
//! straight into the caller's reused `String` and [`OffsetMap`], and one reused scratch vector
//! holds the token being folded.

use super::offsets::OffsetMap;
use super::Unit;

/// What a unit is, for tokenizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Letter,
    Digit,
    Sym,
    Space,
    Other,
}

#[inline]
fn kind(c: char) -> Kind {
    if c.is_ascii_lowercase() {
        Kind::Letter
    } else if c.is_ascii_digit() {
        Kind::Digit
    } else if c == ' ' {
        Kind::Space
    } else if matches!(
        c,
        '@' | '$'
            | '!'
            | '*'
            | '#'
            | '%'
            | '('
            | '^'
            | '<'
            | '>'
            | '+'
            | '\u{a2}'
            | '\u{a9}'
            | '\u{20ac}'
            | '\u{a1}'
            | '\u{a7}'
            | '\u{2020}'
    ) {
        Kind::Sym
    } else if c.is_ascii() {
        Kind::Other
    } else if c.is_alphabetic() {
        Kind::Letter
    } else if c.is_numeric() {
        Kind::Digit
    } else if c.is_whitespace() {
        Kind::Space
    } else {
        Kind::Other
    }
}

#[inline]
fn is_token(k: Kind) -> bool {
    matches!(k, Kind::Letter | Kind::Digit | Kind::Sym)
}

/// The letter a leet digit stands for.
#[inline]
fn leet_digit(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        _ => return None,
    })
}

/// Separator characters that may join spelled-out letters.
#[inline]
fn is_joiner(c: char) -> bool {
    matches!(c, ' ' | '.' | '_' | '-' | '~' | '|' | '/' | '\\' | '+' | '=' | ':' | '^')
}

/// [`is_joiner`] for a byte (the ASCII fast path's scan).
#[inline]
pub(crate) fn is_joiner_byte(b: u8) -> bool {
    b.is_ascii() && is_joiner(b as char)
}

/// Suffixes after a leading number that make it a quantity or ordinal, not leetspeak.
const NUMBER_SUFFIXES: &[&str] = &[
    "st", "nd", "rd", "th", "s", "am", "pm", "k", "m", "b", "d", "g", "x", "h", "p", "kg", "km", "mb", "gb", "tb",
    "kb", "mm", "cm", "ml", "mg", "px", "hz", "mph", "ft", "in", "lb", "lbs", "yr", "yrs", "mo", "min", "sec", "hrs",
    "hr", "pc", "mp", "fps", "mi", "oz",
];

/// The word-level pass: writes `units` as normalized text into `text` and `map`.
pub(crate) struct Words<'a> {
    pub(crate) units: &'a [Unit],
    pub(crate) leet: bool,
    pub(crate) text: &'a mut String,
    pub(crate) map: &'a mut OffsetMap,
    pub(crate) scratch: &'a mut Vec<Unit>,
    /// Whether the last emitted character is a space (for collapsing whitespace runs).
    pub(crate) last_space: bool,
    /// Units before this index are inside a run already found not to be a spelled-out word.
    pub(crate) no_spell_before: usize,
}

impl Words<'_> {
    /// Runs the pass over all units.
    pub(crate) fn run(mut self) {
        let units = self.units;
        let n = units.len();
        let mut i = 0;
        let mut chunk_start = true;
        while i < n {
            let k = kind(units[i].ch);
            if k == Kind::Space {
                self.emit(' ', units[i]);
                chunk_start = true;
                i += 1;
                continue;
            }
            if chunk_start {
                chunk_start = false;
                let end = self.chunk_end(i);
                if self.is_protected(i, end) {
                    for &u in &units[i..end] {
                        self.emit(u.ch, u);
                    }
                    i = end;
                    continue;
                }
            }
            if !is_token(k) {
                self.emit(units[i].ch, units[i]);
                i += 1;
                continue;
            }
            let j = self.token_end(i);
            if j == i + 1 && k != Kind::Sym {
                if let Some(next) = self.spelled_out(i) {
                    i = next;
                    continue;
                }
                if let Some(next) = self.split_initial(i) {
                    i = next;
                    continue;
                }
            }
            self.token(i, j);
            i = j;
        }
    }

    /// Emits one character mapped to `u`'s source range, collapsing whitespace runs.
    #[inline]
    fn emit(&mut self, c: char, u: Unit) {
        if c == ' ' {
            if self.last_space {
                self.map.extend_last(u.end);
                return;
            }
            self.last_space = true;
        } else {
            self.last_space = false;
        }
        self.text.push(c);
        self.map.push(c.len_utf8(), u.start, u.end);
    }

    fn chunk_end(&self, i: usize) -> usize {
        self.units[i..].iter().position(|u| kind(u.ch) == Kind::Space).map_or(self.units.len(), |p| i + p)
    }

    /// End of the token at `i`. A `()` between letters (`h()rny`) is an `o` and stays inside.
    fn token_end(&self, i: usize) -> usize {
        let units = self.units;
        let mut e = i;
        loop {
            e = units[e..].iter().position(|u| !is_token(kind(u.ch))).map_or(units.len(), |p| e + p);
            if e >= units.len() {
                return e;
            }
            // `f()()ker`: two pairs in a row between letters are an `oo`.
            let letter = |k: usize| units.get(k).is_some_and(|u| u.ch.is_alphabetic());
            let pair_then_letter = units.get(e + 1).is_some_and(|u| u.ch == '(')
                && units.get(e + 2).is_some_and(|u| u.ch == ')')
                && letter(e + 3);
            let paren = e > i + 1
                && units[e].ch == ')'
                && units[e - 1].ch == '('
                && ((letter(e - 2) && (letter(e + 1) || pair_then_letter))
                    || (e > i + 3 && units[e - 2].ch == ')' && letter(e - 4) && letter(e + 1)));
            // `f[_]cking`: a `[_]` between letters is drawn for a `u`.
            let cup = units[e].ch == '['
                && e > i
                && units[e - 1].ch.is_ascii_lowercase()
                && units.get(e + 1).is_some_and(|u| u.ch == '_')
                && units.get(e + 2).is_some_and(|u| u.ch == ']')
                && units.get(e + 3).is_some_and(|u| u.ch.is_ascii_lowercase());
            if cup {
                e += 3;
                continue;
            }
            if !paren && !self.amp_joins(i, e) {
                return e;
            }
            e += 1;
        }
    }

    /// Whether the `&` at `e` is a letter hidden inside the word that starts at `i` (`f*&k`,
    /// `f#&k`), not an ampersand between two words or initials (`rock&roll`, `AT&T`,
    /// `b&gt;`): it must sit between token characters and touch another symbol (a run of
    /// mixed masks). Then it is a mask ([`Self::token`]).
    fn amp_joins(&self, i: usize, e: usize) -> bool {
        let units = self.units;
        if units[e].ch != '&' || e == i || !units.get(e + 1).is_some_and(|u| is_token(kind(u.ch))) {
            return false;
        }
        let sym = |p: usize| kind(units[p].ch) == Kind::Sym;
        sym(e - 1) || sym(e + 1)
    }

    /// URLs and e-mail addresses are copied verbatim.
    fn is_protected(&self, a: usize, b: usize) -> bool {
        let c = &self.units[a..b];
        let at = |i: usize, ch: char| c.get(i).is_some_and(|u| u.ch == ch);
        if c.len() > 4 && at(0, 'w') && at(1, 'w') && at(2, 'w') && at(3, '.') {
            return true;
        }
        // "Is there a `.` / an ASCII letter after `i`": from the last of each, found once (a
        // chunk of `a@a@a@...` must not rescan its rest at every `@`).
        let last_dot = c.iter().rposition(|u| u.ch == '.');
        let last_alpha = c.iter().rposition(|u| u.ch.is_ascii_alphabetic());
        let after = |last: Option<usize>, i: usize| last.is_some_and(|l| l > i);
        for (i, u) in c.iter().enumerate() {
            match u.ch {
                ':' if at(i + 1, '/') && at(i + 2, '/') && i > 0 => return true,
                '@' if i > 0 && kind(c[i - 1].ch) == Kind::Letter && after(last_dot, i) && after(last_alpha, i) => {
                    return true
                }
                _ => {}
            }
        }
        false
    }

    /// If a spelled-out word starts at single-character token `i`, emits it and returns where
    /// it ends.
    ///
    /// Two shapes: the same separator every time (`f.u.c.k`, `a s s`: spaces stay, see the
    /// module docs), or separators that change from letter to letter (`f.u-c_k`, `F_u c_K`),
    /// each one a single joiner character (or up to three of the same), at least one of them not
    /// a space; those are joined. A run that turns out not to be a word is remembered, so a
    /// later start inside it is not scanned again (linear time on `1.1.1.1...`).
    fn spelled_out(&mut self, i: usize) -> Option<usize> {
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
    fn split_initial(&mut self, i: usize) -> Option<usize> {
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
    fn interleaved(&mut self, tok: &[Unit]) -> bool {
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

    /// Folds and emits token `a..b`.
    fn token(&mut self, a: usize, b: usize) {
        let units = self.units;
        // Edge symbols are punctuation, except a leading `@`/`$` and a trailing `$`.
        let mut lead = a;
        while lead < b && kind(units[lead].ch) == Kind::Sym && !matches!(units[lead].ch, '@' | '$' | '\u{2020}') {
            lead += 1;
        }
        let mut trail = b;
        while trail > lead && kind(units[trail - 1].ch) == Kind::Sym && units[trail - 1].ch != '$' {
            // One `+` or `<` closing a word of two letters or more that ends in a letter (or `!`,
            // a leet digit) draws a `t` or a `c` (`shi+`, `sh!+`, `fu<`); `C++`, `A+`, `<3` stay.
            let c = units[trail - 1].ch;
            let before = trail - 1;
            // Not markup shown as text (`&lt;b&gt;idiot&lt;/b&gt;`): a `<` before `/`, or in a
            // token that also holds a `>`, opens a tag, not a letter.
            let markup =
                c == '<' && (units.get(b).is_some_and(|u| u.ch == '/') || units[a..b].iter().any(|u| u.ch == '>'));
            if matches!(c, '+' | '<')
                && !markup
                && before >= lead + 2
                && (units[before - 1].ch.is_ascii_lowercase()
                    || units[before - 1].ch == '!'
                    || leet_digit(units[before - 1].ch).is_some())
                && units[lead..before].iter().filter(|u| u.ch.is_ascii_lowercase()).count() >= 2
            {
                break;
            }
            trail -= 1;
        }
        for &u in &units[a..lead] {
            self.emit(u.ch, u);
        }
        let tok = &units[lead..trail];
        if self.interleaved(tok) {
            for &u in &units[trail..b] {
                self.emit(u.ch, u);
            }
            return;
        }
        let mut has_letter = false;
        let mut has_fold = false;
        let mut all_leet = true;
        for u in tok {
            match kind(u.ch) {
                Kind::Letter => has_letter = true,
                Kind::Digit => {
                    has_fold = true;
                    all_leet &= leet_digit(u.ch).is_some();
                }
                _ => has_fold = true,
            }
        }
        // `@$$` has no letter but is unambiguous: both an `@` and a `$`.
        let money_at = tok.iter().any(|u| u.ch == '@') && tok.iter().any(|u| u.ch == '$');
        let fold = self.leet && (has_letter || money_at) && has_fold && all_leet && !is_quantity(tok);
        self.scratch.clear();
        let mut p = 0;
        while p < tok.len() {
            let u = tok[p];
            p += 1;
            if u.ch == '[' && tok.get(p).is_some_and(|v| v.ch == '_') && tok.get(p + 1).is_some_and(|v| v.ch == ']') {
                // `f[_]cking`: the cup draws a `u` (token_end only keeps it between letters).
                if fold {
                    self.scratch.push(Unit { ch: 'u', end: tok[p + 1].end, ..u });
                } else {
                    self.scratch.extend_from_slice(&tok[p - 1..p + 2]);
                }
                p += 2;
                continue;
            }
            if u.ch == '(' && tok.get(p).is_some_and(|v| v.ch == ')') {
                // `h()rny`: the pair draws an `o` (token_end only keeps it between letters).
                let end = tok[p].end;
                p += 1;
                self.scratch.push(Unit { ch: if fold { 'o' } else { '(' }, end: if fold { end } else { u.end }, ..u });
                if !fold {
                    self.scratch.push(tok[p - 1]);
                }
                continue;
            }
            let ch = if !fold {
                u.ch
            } else {
                match u.ch {
                    '$' | '\u{a7}' => 's',
                    '!' | '\u{a1}' => 'i',
                    '(' | '<' | '\u{a2}' | '\u{a9}' => 'c',
                    // The dagger is drawn as a `t` (`†its`).
                    '+' | '\u{2020}' => 't',
                    '\u{20ac}' => 'e',
                    '@' if p == 1 => 'a',
                    '@' | '*' | '#' | '%' | '^' | '>' | '&' => '*',
                    c => leet_digit(c).unwrap_or(c),
                }
            };
            self.scratch.push(Unit { ch, ..u });
        }
        if self.leet {
            self.double_v();
            self.leading_sharp_s();
        }
        self.stretch();
        for k in 0..self.scratch.len() {
            let u = self.scratch[k];
            self.emit(u.ch, u);
        }
        for &u in &units[trail..b] {
            self.emit(u.ch, u);
        }
    }

    /// `vv` drawn for a `w` (`jevvs`, `vvhore`, `tvvat`), read as one `w` so the regex rules see
    /// the word (the wordlist compiles `vv` spellings of its own terms). English writes `vv`
    /// only between two vowels (`savvy`, `revving`, `bovver`), and those stay as written; so
    /// does a token of `v`s alone.
    fn double_v(&mut self) {
        let s = &mut *self.scratch;
        let n = s.len();
        if n < 3 || s.iter().all(|u| u.ch == 'v') || !s.windows(2).any(|w| w[0].ch == 'v' && w[1].ch == 'v') {
            return;
        }
        let vowel = |u: Option<&Unit>| u.is_some_and(|u| matches!(u.ch, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'));
        let (mut w, mut r) = (0, 0);
        while r < n {
            // Exactly two: a longer run is a stretched `v` (`fvvvvck`), left to [`Self::stretch`].
            let pair = r + 1 < n
                && s[r].ch == 'v'
                && s[r + 1].ch == 'v'
                && s.get(r + 2).map_or(true, |u| u.ch != 'v')
                && (r == 0 || s[r - 1].ch != 'v');
            if pair && !(r > 0 && vowel(s.get(r - 1)) && vowel(s.get(r + 2))) {
                s[w] = Unit { ch: 'w', start: s[r].start, end: s[r + 1].end };
                r += 2;
            } else {
                s[w] = s[r];
                r += 1;
            }
            w += 1;
        }
        s.truncate(w);
    }

    /// `ß` opening a word is drawn for a `B` (`ßitch`): no German word starts with it, so the
    /// `ss` it folds to (two units of one source character) becomes one `b` there.
    fn leading_sharp_s(&mut self) {
        let s = &mut *self.scratch;
        if s.len() >= 4
            && s[0].ch == 's'
            && s[1].ch == 's'
            && (s[0].start, s[0].end) == (s[1].start, s[1].end)
            && s[2].ch.is_ascii_lowercase()
        {
            s[0].ch = 'b';
            s.remove(1);
        }
    }

    /// Collapses runs of three or more identical letters or masks in the scratch token, unless
    /// the run is the whole token.
    fn stretch(&mut self) {
        let s = &mut *self.scratch;
        let n = s.len();
        if n < 4 {
            return;
        }
        let mut w = 0;
        let mut r = 0;
        while r < n {
            let c = s[r].ch;
            let mut e = r + 1;
            while e < n && s[e].ch == c {
                e += 1;
            }
            let collapsible = (c == '*' || c.is_alphabetic()) && e - r >= 3 && e - r < n;
            if collapsible {
                s[w] = Unit { ch: c, start: s[r].start, end: s[e - 1].end };
                w += 1;
            } else {
                for k in r..e {
                    s[w] = s[k];
                    w += 1;
                }
            }
            r = e;
        }
        s.truncate(w);
    }
}

/// 1 if the unit is an ASCII letter.
#[inline]
fn vec_count(units: &[Unit], p: usize) -> usize {
    usize::from(units[p].ch.is_ascii_lowercase())
}

/// `1st`, `1970s`, `100km`: digits then a known unit/ordinal suffix.
fn is_quantity(tok: &[Unit]) -> bool {
    let digits = tok.iter().take_while(|u| u.ch.is_ascii_digit()).count();
    if digits == 0 || digits == tok.len() {
        return false;
    }
    let rest = &tok[digits..];
    if rest.len() > 3 || !rest.iter().all(|u| u.ch.is_ascii_lowercase()) {
        return false;
    }
    let mut buf = [0u8; 3];
    for (k, u) in rest.iter().enumerate() {
        buf[k] = u.ch as u8;
    }
    let suffix = std::str::from_utf8(&buf[..rest.len()]).unwrap_or("");
    NUMBER_SUFFIXES.contains(&suffix)
}
