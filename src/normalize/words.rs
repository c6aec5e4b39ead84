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

mod case;
mod glyphs;
mod spelled;

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
    /// The original body the units' ranges point into (for the case of a letter, which the
    /// units have lost: [`Self::caps_ll`]).
    pub(crate) body: &'a [u8],
    pub(crate) leet: bool,
    pub(crate) text: &'a mut String,
    pub(crate) map: &'a mut OffsetMap,
    pub(crate) scratch: &'a mut Vec<Unit>,
    /// Whether the last emitted character is a space (for collapsing whitespace runs).
    pub(crate) last_space: bool,
    /// Units before this index are inside a run already found not to be a spelled-out word.
    pub(crate) no_spell_before: usize,
    /// Emit a token that nothing would change as it is ([`plain_word`]); false only in the
    /// test that proves the shortcut equal to the token pass.
    pub(crate) plain_words: bool,
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
            // A letter drawn with several characters may open a word (`\/agina`).
            if !is_token(k) && self.glyph_in_word(i, i, false).is_none() {
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
            if !self.camel_case(i, j) {
                self.token(i, j);
            }
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

    /// End of the token at `i`. A `()` between letters (`h()rny`) is an `o` and stays inside, as
    /// does a letter drawn with several characters (`|_|`: [`glyphs`]).
    fn token_end(&self, i: usize) -> usize {
        let units = self.units;
        let mut e = i;
        // Where the last drawing kept in the word ends (two may follow each other: `|_||<`).
        let mut glyph_end = usize::MAX;
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
            // `ph|_|ck`, `f(_)ck`, `fu|<`: a letter drawn with several characters ([`glyphs`]).
            let g = if e > i && units[e - 1].ch == '(' { e - 1 } else { e };
            if let Some(len) = self.glyph_in_word(g, i, glyph_end == g) {
                e = g + len;
                glyph_end = e;
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
        // chunk of `a@a@a@...` must not rescan its rest at every `@`), and only at an `@` after
        // a letter (most chunks have none: two scans fewer per chunk).
        let mut lasts: Option<(Option<usize>, Option<usize>)> = None;
        let after = |last: Option<usize>, i: usize| last.is_some_and(|l| l > i);
        for (i, u) in c.iter().enumerate() {
            match u.ch {
                ':' if at(i + 1, '/') && at(i + 2, '/') && i > 0 => return true,
                // A URL with its slashes escaped (`http:\/\/`), as JSON writes them.
                ':' if at(i + 1, '\\') && at(i + 2, '/') && at(i + 3, '\\') && at(i + 4, '/') && i > 0 => return true,
                '@' if i > 0 && kind(c[i - 1].ch) == Kind::Letter => {
                    let (last_dot, last_alpha) = *lasts.get_or_insert_with(|| {
                        (c.iter().rposition(|u| u.ch == '.'), c.iter().rposition(|u| u.ch.is_ascii_alphabetic()))
                    });
                    if after(last_dot, i) && after(last_alpha, i) {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Folds and emits token `a..b`.
    fn token(&mut self, a: usize, b: usize) {
        let units = self.units;
        if self.plain_words && plain_word(&units[a..b], self.leet) {
            // Nothing below would change it: emitted as it is, without the scratch copy and
            // the passes over it (most tokens of the bodies the fast path refuses).
            self.last_space = false;
            self.text.extend(units[a..b].iter().map(|u| u.ch));
            self.map.push_units(&units[a..b]);
            return;
        }
        // Edge symbols are punctuation, except a leading `@`/`$` and a trailing `$`.
        let mut lead = a;
        while lead < b
            && kind(units[lead].ch) == Kind::Sym
            && !matches!(units[lead].ch, '@' | '$' | '\u{2020}')
            && glyphs::glyph_at(&units[..b], lead).is_none()
        {
            lead += 1;
        }
        let mut trail = b;
        while trail > lead
            && kind(units[trail - 1].ch) == Kind::Sym
            && units[trail - 1].ch != '$'
            && !glyphs::glyph_ends_at(units, lead, trail)
        {
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
        let mut p = 0;
        while p < tok.len() {
            let u = tok[p];
            p += 1;
            if let Some((len, _)) = glyphs::glyph_at(tok, p - 1) {
                // A drawn letter is a fold, whatever digit it is drawn with (`|3`).
                has_fold = true;
                p += len - 1;
                continue;
            }
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
            if let Some((len, letter)) = glyphs::glyph_at(tok, p - 1) {
                // `ph|_|ck`: the drawing is one letter (token_end keeps it only inside a word).
                let drawn = &tok[p - 1..p - 1 + len];
                if fold {
                    self.scratch.push(Unit { ch: letter, end: drawn[len - 1].end, ..u });
                } else {
                    self.scratch.extend_from_slice(drawn);
                }
                p += len - 1;
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
        self.caps_ll();
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

/// True when [`Words::token`] would emit the token `tok` unchanged: ASCII lowercase letters
/// only (no edge symbol, nothing to fold: no digit, symbol or `[_]`, `()` cup or pair; not
/// interleaved, whose separators are symbols), no three identical letters in a row (stretching)
/// and, with leet folding, no `vv` (a `w`) and not the two `s` of one `ß` opening it (a `B`);
/// no `ii` either (it may be a capital `II` drawn for `ll`: [`Words::caps_ll`]).
/// tests/speed.rs compares the token pass with and without this shortcut.
#[inline]
fn plain_word(tok: &[Unit], leet: bool) -> bool {
    let mut prev = ['\0'; 2];
    for u in tok {
        let c = u.ch;
        if !c.is_ascii_lowercase()
            || (c == prev[0] && c == prev[1])
            || (leet && c == 'v' && prev[0] == 'v')
            || (c == 'i' && prev[0] == 'i')
        {
            return false;
        }
        prev = [c, prev[0]];
    }
    !(leet
        && tok.len() >= 2
        && tok[0].ch == 's'
        && tok[1].ch == 's'
        && (tok[0].start, tok[0].end) == (tok[1].start, tok[1].end))
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
