//! Lengths and numbers in an inline style, read as CSS reads them, so that a size written as an
//! expression (`font-size:calc(0px)`, `min(0px, 1em)`) hides what the plain zero hides.

/// The number a CSS value starts with (sign, digits, fraction, exponent; a unit or `%` may
/// follow), if it starts with one.
pub(super) fn number(value: &str) -> Option<f64> {
    lead_number(value).map(|(n, _)| n)
}

/// [`number`] and how many bytes it took.
pub(super) fn lead_number(value: &str) -> Option<(f64, usize)> {
    let b = value.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    let mut any = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if digits(&mut j) {
            i = j;
        }
    }
    Some((value[..i].parse().ok()?, i))
}

/// A length in CSS pixels, for the sizes [`super::hides`] compares: absolute units converted, units
/// relative to the font as if it were 16px (a comment's text is near that size), `%` of that
/// font size, a unitless number as pixels, and `calc()`, `min()`, `max()`, `clamp()` of those
/// (`font-size:calc(0px)` is as invisible as `font-size:0`). `None` for a keyword or a unit it
/// cannot size (except zero of any unit).
pub(super) fn px(value: &str) -> Option<f64> {
    let mut p = Calc { s: value.as_bytes(), i: 0, depth: 0 };
    let n = p.sum()?;
    (p.i == p.s.len() && n.is_finite()).then_some(n)
}

/// A small recursive-descent reader of a length expression (see [`px`]); nesting is bounded.
struct Calc<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
}

impl Calc<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    fn sum(&mut self) -> Option<f64> {
        let mut v = self.product()?;
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'+') => {
                    self.i += 1;
                    v += self.product()?;
                }
                Some(b'-') => {
                    self.i += 1;
                    v -= self.product()?;
                }
                _ => return Some(v),
            }
        }
    }

    fn product(&mut self) -> Option<f64> {
        let mut v = self.term()?;
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'*') => {
                    self.i += 1;
                    v *= self.term()?;
                }
                Some(b'/') => {
                    self.i += 1;
                    let d = self.term()?;
                    v = if d == 0.0 { return None } else { v / d };
                }
                _ => return Some(v),
            }
        }
    }

    fn term(&mut self) -> Option<f64> {
        self.ws();
        let rest = std::str::from_utf8(&self.s[self.i..]).ok()?;
        let name_len = rest.bytes().take_while(|c| c.is_ascii_alphabetic()).count();
        if name_len > 0 || rest.starts_with('(') {
            let name = &rest[..name_len];
            if !rest[name_len..].starts_with('(') || !matches!(name, "" | "calc" | "min" | "max" | "clamp") {
                return None;
            }
            self.depth += 1;
            if self.depth > 16 {
                return None;
            }
            self.i += name_len + 1;
            let mut args = vec![self.sum()?];
            loop {
                self.ws();
                match self.s.get(self.i) {
                    Some(b',') => {
                        self.i += 1;
                        args.push(self.sum()?);
                    }
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
            self.depth -= 1;
            let fold = |f: fn(f64, f64) -> f64| args.iter().copied().reduce(f);
            return match (name, args.len()) {
                ("" | "calc", 1) => Some(args[0]),
                ("min", _) => fold(f64::min),
                ("max", _) => fold(f64::max),
                ("clamp", 3) => Some(args[1].min(args[2]).max(args[0])),
                _ => None,
            };
        }
        let (n, used) = lead_number(rest)?;
        let unit_len = rest[used..].bytes().take_while(|c| c.is_ascii_alphabetic() || *c == b'%').count();
        let unit = &rest[used..used + unit_len];
        self.i += used + unit_len;
        let scale = match unit {
            "" | "px" => 1.0,
            "pt" => 4.0 / 3.0,
            "pc" => 16.0,
            "in" => 96.0,
            "cm" => 96.0 / 2.54,
            "mm" => 9.6 / 2.54,
            "q" => 2.4 / 2.54,
            "em" | "rem" | "lh" | "rlh" => 16.0,
            "ex" | "ch" | "cap" | "ic" => 8.0,
            "%" => 0.16,
            _ if n == 0.0 => 0.0,
            _ => return None,
        };
        Some(n * scale)
    }
}
