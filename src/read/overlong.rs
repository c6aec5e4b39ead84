//! The id of a JSON Lines line too long to read (over [`super::jsonl::MAX_LINE`]), so the line's
//! error record is named by the id a site knows the comment by rather than `<stem>#<line>`
//! (round 13; round 14: wherever the id stands in the line, also after the first 64 MiB, as the
//! CSV reader's `csv::IdKeep` has it). [`IdScan`] is fed the line piece by piece as it is read
//! past, and keeps only the key or id value being read (at most [`MAX_KEY`] / [`MAX_ID`] bytes)
//! and the id names seen: memory is bounded whatever the line's length, time linear in it. A
//! small JSON scanner that only follows strings and nesting: a top-level key that is an id name
//! gives its value when that is a string of at most [`MAX_ID`] bytes, a number or a boolean (as
//! the record reader takes them, as written); an id name
//! given twice, or an id value cut by the end of the input, gives none.

use super::pick::{FieldTable, Slot};

/// The longest id kept, in bytes as written.
const MAX_ID: usize = 4096;

/// The longest key read as a possible id name, in bytes as written (a longer one is skipped).
const MAX_KEY: usize = 1024;

/// The id of the record whose line is `line` (whole or cut), when its top-level object names one.
pub(crate) fn id_in_prefix(line: &[u8], table: &FieldTable) -> Option<String> {
    let mut s = IdScan::default();
    s.feed(line, table);
    s.finish()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the line's start: a byte order mark may come (`bom` bytes of it seen).
    #[default]
    Start,
    /// Before the object's `{`.
    Open,
    /// Before a key (or the object's end).
    Key,
    /// In a key's string.
    InKey,
    /// After a key, before its `:`.
    Colon,
    /// After the `:`, before the value.
    Value,
    /// In an id's string value.
    IdString,
    /// In an id's value that is not a string (a number, if it is an id).
    IdBare,
    /// Past a value that is not an id (or past an id's value), up to the `,` or `}` ending it.
    Skip,
    /// The object ended, or what came is not JSON: what was found stands.
    Done,
}

/// `tok` is a JSON number (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`): the record reader
/// takes any number as the id, as written (`pick::id_value`), so `{"id":1.5}` is `1.5` to both
/// (round 15: the scanner took integers only, found by the generated lines of `idscan_props`).
fn is_json_number(tok: &[u8]) -> bool {
    let digits = |t: &[u8]| t.iter().take_while(|c| c.is_ascii_digit()).count();
    let t = tok.strip_prefix(b"-").unwrap_or(tok);
    let int = digits(t);
    if int == 0 || (int > 1 && t[0] == b'0') {
        return false;
    }
    let mut t = &t[int..];
    if let Some(frac) = t.strip_prefix(b".") {
        let n = digits(frac);
        if n == 0 {
            return false;
        }
        t = &frac[n..];
    }
    if let Some(exp) = t.strip_prefix(b"e").or_else(|| t.strip_prefix(b"E")) {
        let exp = exp.strip_prefix(b"+").or_else(|| exp.strip_prefix(b"-")).unwrap_or(exp);
        let n = digits(exp);
        if n == 0 {
            return false;
        }
        t = &exp[n..];
    }
    t.is_empty()
}

/// A top-level id looked for in a line fed piece by piece ([`IdScan::feed`]).
#[derive(Debug, Default)]
pub(crate) struct IdScan {
    state: State,
    bom: usize,
    /// The key or id value being read, as written (quotes kept), while short enough.
    tok: Vec<u8>,
    /// `tok` outgrew its bound: not an id name, or not an id.
    over: bool,
    /// In a string, the last byte was a backslash.
    esc: bool,
    /// In [`State::Skip`]: inside a string, and the nesting depth.
    in_str: bool,
    depth: usize,
    /// The rank of the id name whose value comes (None: another key).
    rank: Option<u16>,
    /// (rank of the id name, its value if usable) of the best-ranked id name seen.
    best: Option<(u16, Option<String>)>,
    /// The id names seen (a few: each is a configured name).
    names: Vec<String>,
    /// An id name came twice: which one a site keeps is not known.
    twice: bool,
}

impl IdScan {
    /// Reads the next piece of the line.
    pub(crate) fn feed(&mut self, b: &[u8], table: &FieldTable) {
        let mut i = 0;
        while i < b.len() && self.state != State::Done {
            let c = b[i];
            let ws = matches!(c, b' ' | b'\t' | b'\n' | b'\r');
            match self.state {
                State::Start => {
                    const BOM: &[u8] = b"\xEF\xBB\xBF";
                    if self.bom < BOM.len() && c == BOM[self.bom] {
                        self.bom += 1;
                        i += 1;
                    } else {
                        self.state = if self.bom == 0 || self.bom == BOM.len() { State::Open } else { State::Done };
                    }
                    continue;
                }
                State::Open if !ws => self.state = if c == b'{' { State::Key } else { State::Done },
                State::Key if !ws => {
                    self.start_token();
                    self.state = if c == b'"' { State::InKey } else { State::Done };
                }
                State::InKey | State::IdString => {
                    let key = self.state == State::InKey;
                    let (next, closed) = self.string_piece(b, i, if key { MAX_KEY } else { MAX_ID } + 2);
                    i = next;
                    if closed && key {
                        self.state = State::Colon;
                    } else if closed {
                        let id = if self.over { None } else { serde_json::from_slice::<String>(&self.tok).ok() };
                        // A blank id stands as the name's value and gives none, as in the reader.
                        self.found(id.filter(|s| !s.trim().is_empty()));
                        self.skip_value();
                    }
                    continue;
                }
                State::Colon if !ws => self.state = if c == b':' { self.key_done(table) } else { State::Done },
                State::Value if !ws => {
                    match (self.rank, c) {
                        (Some(_), b'"') => {
                            self.start_token();
                            self.state = State::IdString;
                            i += 1;
                        }
                        (Some(_), b'{' | b'[') | (None, _) => self.skip_value(),
                        (Some(_), _) => {
                            self.tok.clear();
                            self.over = false;
                            self.state = State::IdBare;
                        }
                    }
                    continue;
                }
                State::IdBare => {
                    if ws || c == b',' || c == b'}' {
                        // `true` / `false` too: the reader turns them into text ("true").
                        let number =
                            !self.over && (is_json_number(&self.tok) || self.tok == b"true" || self.tok == b"false");
                        let id = number.then(|| String::from_utf8_lossy(&self.tok).into_owned());
                        // `null` is no value: the reader goes on to the next id name.
                        if self.tok != b"null" {
                            self.found(id);
                        }
                        self.skip_value();
                        continue;
                    }
                    self.push(&[c], MAX_ID);
                }
                State::Skip if self.in_str => {
                    if self.esc {
                        self.esc = false;
                        i += 1;
                        continue;
                    }
                    // The bulk of a long line is one string (the body): passed at memchr's pace.
                    let Some(k) = memchr::memchr2(b'"', b'\\', &b[i..]) else { return };
                    if b[i + k] == b'\\' {
                        self.esc = true;
                    } else {
                        self.in_str = false;
                    }
                    i += k + 1;
                    continue;
                }
                State::Skip => match c {
                    b'"' => self.in_str = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' if self.depth > 0 => self.depth -= 1,
                    b',' if self.depth == 0 => self.state = State::Key,
                    b'}' | b']' => self.state = State::Done,
                    _ => {}
                },
                _ => {}
            }
            i += 1;
        }
    }

    /// The id found: None when there is none, its value was cut, or an id name came twice.
    pub(crate) fn finish(self) -> Option<String> {
        if self.twice {
            return None;
        }
        self.best.and_then(|(_, v)| v)
    }

    /// A string token begins (its opening quote read).
    fn start_token(&mut self) {
        self.tok.clear();
        self.tok.push(b'"');
        self.over = false;
        self.esc = false;
    }

    /// Keeps `bytes` of the token while it is under `bound` bytes.
    fn push(&mut self, bytes: &[u8], bound: usize) {
        let room = bound.saturating_sub(self.tok.len()).min(bytes.len());
        self.tok.extend_from_slice(&bytes[..room]);
        self.over |= room < bytes.len();
    }

    /// Reads a string's bytes from `b[i..]` up to its closing quote (or the piece's end),
    /// keeping at most `bound` bytes of the token: the index after what was read, and whether
    /// the string closed.
    fn string_piece(&mut self, b: &[u8], mut i: usize, bound: usize) -> (usize, bool) {
        while i < b.len() {
            if self.esc {
                self.esc = false;
                self.push(&b[i..=i], bound);
                i += 1;
                continue;
            }
            let Some(k) = memchr::memchr2(b'"', b'\\', &b[i..]) else {
                self.push(&b[i..], bound);
                return (b.len(), false);
            };
            self.push(&b[i..=i + k], bound);
            i += k + 1;
            if b[i - 1] == b'"' {
                return (i, true);
            }
            self.esc = true;
        }
        (i, false)
    }

    /// A key was read and its `:` seen: whether it is an id name (one seen before spoils the id).
    fn key_done(&mut self, table: &FieldTable) -> State {
        self.rank = None;
        if self.over {
            return State::Value;
        }
        // Most keys have no escape: looked up as written, without decoding (a line of millions
        // of short keys is read at a steady pace).
        let inner = &self.tok[1..self.tok.len() - 1];
        let key: Option<std::borrow::Cow<str>> = if inner.contains(&b'\\') {
            serde_json::from_slice::<String>(&self.tok).ok().map(Into::into)
        } else {
            std::str::from_utf8(inner).ok().map(Into::into)
        };
        if let Some((key, (Slot::Id, rank))) = key.and_then(|k| table.rank(&k).map(|r| (k, r))) {
            if self.names.iter().any(|n| *n == key) {
                self.twice = true;
                return State::Done;
            }
            self.names.push(key.into_owned());
            self.rank = Some(rank);
        }
        State::Value
    }

    /// The value of the current id name was read: `id` when it is one. The first listed id
    /// name present wins, as `pick` has it.
    /// The value of the id name being read: `None` when it is one the reader does not name a
    /// record by (blank, too long, not a number), which still outranks the names after it.
    fn found(&mut self, id: Option<String>) {
        if let Some(rank) = self.rank {
            if !self.best.as_ref().is_some_and(|(seen, _)| *seen <= rank) {
                self.best = Some((rank, id));
            }
        }
    }

    /// Past the value that begins here, up to the `,` or `}` after it.
    fn skip_value(&mut self) {
        self.state = State::Skip;
        self.in_str = false;
        self.esc = false;
        self.depth = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::FieldMap;

    fn id(prefix: &str) -> Option<String> {
        id_in_prefix(prefix.as_bytes(), &FieldTable::new(&FieldMap::default()))
    }

    /// The id of `line` fed in pieces of `n` bytes.
    fn id_in_pieces(line: &[u8], n: usize) -> Option<String> {
        let table = FieldTable::new(&FieldMap::default());
        let mut s = IdScan::default();
        for piece in line.chunks(n) {
            s.feed(piece, &table);
        }
        s.finish()
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
        assert_eq!(id(r#"{"id":1.5,"body":"aa"#), Some("1.5".into()));
        assert_eq!(id(r#"{"id":01,"body":"aa"#), None);
        assert_eq!(id(r#"{"id":-,"body":"aa"#), None);
        assert_eq!(id(r#"{"id":1e,"body":"aa"#), None);
        assert_eq!(id(r#"{"id":"  ","body":"aa"#), None);
        assert_eq!(id(r#"[{"id":"c2"}"#), None);
        assert_eq!(id(&format!(r#"{{"id":"{}","body":"aa"#, "k".repeat(MAX_ID + 1))), None);
        assert_eq!(id(r#"{"Id":"c2","body":"aa"#), None);
    }

    /// Round 14: the id after the body is found however the line is cut into pieces (a
    /// backslash, a quote or the id itself split between two reads), and only the top level's.
    #[test]
    fn the_id_after_the_body_is_found_in_any_pieces() {
        let body = "a\\\"b\\\\".repeat(50) + "\\u0022x";
        let cases: [(String, Option<&str>); 7] = [
            (format!(r#"{{"body":"{body}","id":"c2"}}"#), Some("c2")),
            (format!(r#"{{"body":"{body}","meta":{{"id":"x"}},"id" : 7 }}"#), Some("7")),
            (format!(r#"{{"body":"{body}","id":"c2","id":"c3"}}"#), None),
            (format!(r#"{{"id":"c1","body":"{body}","id":"c1"}}"#), None),
            (format!(r#"{{"body":"{body}","comment_id":"b","id":"a"}}"#), Some("a")),
            (format!(r#"{{"body":"{body}","{}":"x","id":"c2"}}"#, "k".repeat(MAX_KEY + 5)), Some("c2")),
            (format!(r#"{{"body":"{body}","id":"c2""#), Some("c2")),
        ];
        for (line, want) in &cases {
            for n in [1, 2, 3, 7, 64, 1 << 20] {
                assert_eq!(id_in_pieces(line.as_bytes(), n).as_deref(), *want, "pieces of {n}: {line}");
            }
        }
    }

    /// Any object line (id names written plainly or escaped, given once or twice, with string,
    /// integer, float, nested and blank values, bodies full of quotes and backslashes), cut into
    /// any pieces: the scanner finds the id the record reader's rules give.
    mod any_line {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Val {
            Str(String),
            Int(i64),
            Float,
            Nested,
            Blank,
        }

        fn val() -> impl Strategy<Value = Val> {
            prop_oneof![
                "[a-z0-9 \"\\\\/é]{0,12}".prop_map(Val::Str),
                any::<i64>().prop_map(Val::Int),
                Just(Val::Float),
                Just(Val::Nested),
                Just(Val::Blank),
            ]
        }

        /// (name as decoded, as written in the line)
        fn key() -> impl Strategy<Value = (&'static str, &'static str)> {
            prop::sample::select(vec![
                ("id", "\"id\""),
                ("id", "\"\\u0069d\""),
                ("comment_id", "\"comment_id\""),
                ("_id", "\"_id\""),
                ("body", "\"body\""),
                ("meta", "\"meta\""),
                ("i\"d", "\"i\\\"d\""),
            ])
        }

        fn written(v: &Val) -> String {
            match v {
                Val::Str(s) => serde_json::to_string(s).unwrap(),
                Val::Int(n) => n.to_string(),
                Val::Float => "1.5e3".into(),
                Val::Nested => r#"{"id":"inner","a":[1,"]}\"",{"b":null}]}"#.into(),
                Val::Blank => "\"  \"".into(),
            }
        }

        /// The id the rules give: the first listed id name present wins (a blank value of it
        /// gives none, as in the record reader; a nested one is passed over); an id name
        /// twice, none.
        fn expected(fields: &[((&str, &str), Val)]) -> Option<String> {
            let rank = |k: &str| ["id", "comment_id", "_id"].iter().position(|n| *n == k);
            let mut seen: Vec<&str> = Vec::new();
            let mut best: Option<(usize, Option<String>)> = None;
            for ((name, _), v) in fields {
                let Some(r) = rank(name) else { continue };
                if seen.contains(name) {
                    return None;
                }
                seen.push(name);
                let id = match v {
                    Val::Str(s) if !s.trim().is_empty() => Some(s.clone()),
                    Val::Int(n) => Some(n.to_string()),
                    // Any number, as written, as the record reader takes it (round 15).
                    Val::Float => Some("1.5e3".to_string()),
                    Val::Str(_) | Val::Blank => None,
                    Val::Nested => continue,
                };
                if best.as_ref().map_or(true, |(seen, _)| r < *seen) {
                    best = Some((r, id));
                }
            }
            best.and_then(|(_, v)| v)
        }

        proptest! {
            #[test]
            fn pieces_give_the_id_of_the_rules(
                fields in prop::collection::vec((key(), val()), 0..6),
                cut in 1usize..40,
                ws in prop::sample::select(vec!["", " ", "\t\r\n"]),
            ) {
                let body: Vec<String> = fields.iter().map(|((_, k), v)| format!("{k}{ws}:{ws}{}", written(v))).collect();
                let line = format!("\u{feff}{ws}{{{ws}{}{ws}}}\n", body.join(&format!("{ws},{ws}")));
                let want = expected(&fields);
                prop_assert_eq!(id_in_pieces(line.as_bytes(), cut), want.clone(), "{}", line);
                prop_assert_eq!(id(&line), want, "{}", line);
            }
        }
    }
}
