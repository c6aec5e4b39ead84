//! The id of a JSON Lines line too long to read (over [`super::jsonl::MAX_LINE`]): looked for in
//! the part of the line kept before the limit was hit, so the line's error record is named by
//! the id a site knows the comment by rather than `<stem>#<line>` (round 13; most exports write
//! the id before the body, as CSV exports do, see `csv::IdKeep`). One pass over that prefix
//! with a small JSON scanner that only follows strings and nesting: a top-level key that is an
//! id name gives its value when that is a string of at most [`MAX_ID`] bytes or an integer;
//! an id name given twice, or an id value cut by the limit, gives none.

use super::pick::{FieldTable, Slot};

/// The longest id kept, in bytes as written.
const MAX_ID: usize = 4096;

/// The id of the record whose line starts with `prefix` (a cut line), when its top-level
/// object names one before the cut.
pub(crate) fn id_in_prefix(prefix: &[u8], table: &FieldTable) -> Option<String> {
    let mut s = Scan { b: prefix, i: 0 };
    s.eat(b"\xEF\xBB\xBF");
    s.ws();
    if !s.eat(b"{") {
        return None;
    }
    // (rank of the id name, its value) of the best id name seen, and the id names seen.
    let mut best: Option<(u16, String)> = None;
    let mut names: Vec<String> = Vec::new();
    // Ends at the cut (or at the object's end, or at what is not JSON): what was found stands.
    let _ = (|| -> Option<()> {
        loop {
            s.ws();
            let key = s.string()?;
            s.ws();
            if !s.eat(b":") {
                return None;
            }
            s.ws();
            let key: Option<String> = serde_json::from_slice(key).ok();
            let rank = key.as_deref().and_then(|k| table.rank(k).filter(|(slot, _)| *slot == Slot::Id));
            match (key, rank) {
                (Some(key), Some((_, rank))) => {
                    names.push(key);
                    // The first listed id name present wins, as `pick` has it.
                    match (s.id_value()?, &best) {
                        (Some(_), Some((seen, _))) if *seen <= rank => {}
                        (Some(v), _) => best = Some((rank, v)),
                        (None, _) => {}
                    }
                }
                _ => s.skip_value()?,
            }
            s.ws();
            if !s.eat(b",") {
                return None;
            }
        }
    })();
    // An id name given twice: which one a site keeps is not known.
    let seen = names.len();
    names.sort_unstable();
    names.dedup();
    if names.len() < seen {
        return None;
    }
    best.map(|(_, v)| v)
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn eat(&mut self, lit: &[u8]) -> bool {
        let ok = self.b[self.i..].starts_with(lit);
        if ok {
            self.i += lit.len();
        }
        ok
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// A string token with its quotes; None when it is not one or is cut.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        if !self.eat(b"\"") {
            return None;
        }
        loop {
            let at = memchr::memchr2(b'"', b'\\', &self.b[self.i..])? + self.i;
            if self.b[at] == b'\\' {
                self.i = at + 2;
                if self.i > self.b.len() {
                    return None;
                }
            } else {
                self.i = at + 1;
                return Some(&self.b[start..self.i]);
            }
        }
    }

    /// An id's value: Some(Some(id)) for a short string or an integer, Some(None) for another
    /// value (skipped), None when the value is cut by the end of the prefix.
    fn id_value(&mut self) -> Option<Option<String>> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'"') {
            let tok = self.string()?;
            let id = (tok.len() <= MAX_ID + 2).then(|| serde_json::from_slice::<String>(tok).ok()).flatten();
            return Some(id.filter(|s| !s.trim().is_empty()));
        }
        self.skip_value()?;
        let tok = self.b[start..self.i].trim_ascii_end();
        let int = !tok.is_empty()
            && tok.len() <= MAX_ID
            && tok.iter().enumerate().all(|(k, c)| c.is_ascii_digit() || (k == 0 && *c == b'-'));
        Some(int.then(|| String::from_utf8_lossy(tok).into_owned()))
    }

    /// Skips one value (nested ones by counting brackets outside strings); None when cut.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                }
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    self.i += 1;
                }
                b',' | b'}' | b']' if depth == 0 => return Some(()),
                _ => self.i += 1,
            }
            if depth == 0 && matches!(self.b.get(self.i.wrapping_sub(1)), Some(b'"' | b'}' | b']')) {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::FieldMap;

    fn id(prefix: &str) -> Option<String> {
        id_in_prefix(prefix.as_bytes(), &FieldTable::new(&FieldMap::default()))
    }

    #[test]
    fn the_id_before_the_cut_names_the_line() {
        assert_eq!(id(r#"{"id":"c2","body":"aaaa"#), Some("c2".into()));
        assert_eq!(id("\u{feff} { \"id\" : 42 , \"body\":\"aaaa"), Some("42".into()));
        assert_eq!(id(r#"{"\u0069d":"c2","body":"aaaa"#), Some("c2".into()));
        assert_eq!(
            id(r#"{"meta":{"id":"x","a":[1,"]}"]},"author":"a\"b","id":"real","body":"aa"#),
            Some("real".into())
        );
        assert_eq!(id(r#"{"n":-1.5e3,"ok":true,"z":null,"id":"c2","body":"aa"#), Some("c2".into()));
    }

    #[test]
    fn no_id_when_it_is_cut_missing_twice_or_not_an_id() {
        assert_eq!(id(r#"{"body":"aaaa"#), None);
        assert_eq!(id(r#"{"id":"c2"#), None);
        assert_eq!(id(r#"{"id":"c2","id":"c3","body":"aa"#), None);
        assert_eq!(id(r#"{"id":1.5,"body":"aa"#), None);
        assert_eq!(id(r#"{"id":"  ","body":"aa"#), None);
        assert_eq!(id(r#"[{"id":"c2"}"#), None);
        assert_eq!(id(&format!(r#"{{"id":"{}","body":"aa"#, "k".repeat(MAX_ID + 1))), None);
        assert_eq!(id(r#"{"Id":"c2","body":"aa"#), None);
    }
}
