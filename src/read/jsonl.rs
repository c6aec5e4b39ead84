//! The JSONL reader: one JSON object per line, fields found through the [`FieldMap`].
//!
//! This is the hot path of bulk runs, so the reader never builds a `serde_json::Value` for the
//! whole object: fields are picked by [`super::pick`], the picker `moderate serve` uses for its
//! requests too (which name wins, duplicated keys, two body fields with different text). Lines
//! are read into one reused buffer, so memory is constant in the input size (one line at a time;
//! a 2 MB comment is one 2 MB line).
//!
//! # Performance
//!
//! About 180 MB/s on one core (release build, 105 MB of 270-byte comments with six fields and a
//! nested object, records built and dropped: `cargo test --release --test all -- read:: --ignored`).
//!
//! A line ends at LF, CRLF or a lone CR (the "universal newlines" of Python's and Node's line
//! readers, which is how a site's own tools split such a file: a CR-only export is one record
//! per CR there, so it is one record per CR here, not one error for the whole file). A lone CR is
//! never inside a valid JSON value (strings must escape it), so no valid record is split by it.
//!
//! Blank lines are skipped (they are not records), and so is a UTF-8 byte order mark at the
//! start of any line (concatenated files). Every other line is exactly one record: a
//! line that is not valid UTF-8 or not a JSON object, or that has no body, becomes a
//! [`RecordError`] naming the line (and the field), and reading goes on with the next line.
//! So does a line longer than [`MAX_LINE`]: its bytes are skipped, not buffered, so one line
//! with no end (an export written without line ends, `/dev/zero`) cannot take the memory; its
//! record is named by its top-level id, looked for in the whole line as it is read past, with
//! bounded memory ([`super::overlong`]).

use serde::de::DeserializeSeed;

use std::io::BufRead;
use std::sync::Arc;

use super::overlong::IdScan;
use super::pick::{FieldTable, Pick, Slot, Strictness};
use super::{chomp, line_len, Origin, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// Longest line read as a record, in bytes with its line end. Far above any comment the engine
/// judges (`[limits] max_body_bytes` is 1 MiB by default, and a longer body is judged on its
/// start and flagged), this is what bounds the memory one line can take.
pub(crate) const MAX_LINE: usize = 64 << 20;

/// Streams records from a JSONL input.
pub(crate) struct JsonlReader {
    src: Source,
    parser: LineParser,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

/// Turns one line of one input into a record: the part of reading that the pipeline can run on
/// the judge threads (see [`JsonlChunks`]).
pub(crate) struct LineParser {
    table: FieldTable,
    keep_raw: bool,
    origin: Origin,
    /// [`MAX_LINE`], smaller in tests.
    max_line: usize,
}

impl JsonlReader {
    pub(crate) fn new(src: Source, opts: &ReadOptions) -> JsonlReader {
        let parser = LineParser::new(&src.origin, opts);
        JsonlReader { src, parser, line: 0, buf: Vec::with_capacity(64 * 1024), done: false }
    }
}

/// The error record of line `line`, `len` bytes long without an end in sight past the limit,
/// named by `id` (found in the line as it was read past, [`super::overlong::IdScan`]) when it
/// has one.
fn overlong(origin: &Origin, line: u64, len: u64, max: usize, id: Option<String>) -> RecordError {
    let msg =
        format!("line {line}: {len} bytes long, over the limit of {} MiB for one line; skipped, not judged", max >> 20);
    RecordError::new(origin, line, id.unwrap_or_else(|| origin.make_id(line)), msg, None)
}

impl LineParser {
    /// A parser as the readers make it, for the generated-line tests of `IdScan`.
    #[cfg(test)]
    pub(super) fn for_tests(origin: &Origin, opts: &ReadOptions) -> LineParser {
        LineParser::new(origin, opts)
    }

    fn new(origin: &Origin, opts: &ReadOptions) -> LineParser {
        LineParser {
            table: FieldTable::new(&opts.fields),
            keep_raw: opts.keep_raw,
            origin: Origin { file: Arc::clone(&origin.file), stem: origin.stem.clone(), decoded: origin.decoded },
            max_line: MAX_LINE,
        }
    }

    /// The record of line number `line`, whose bytes (with the line end, if any) are `full`;
    /// None for a blank line.
    #[inline]
    pub(super) fn line(&self, line: u64, full: &[u8]) -> Option<Record> {
        // A byte order mark at the start of a line is where two files were concatenated
        // (`cat a.jsonl b.jsonl`): invisible, and not part of the record.
        let bytes = chomp(full);
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(self.record(line, bytes, full))
        }
    }

    /// `bytes` is the line without its end, `full` with it (kept as the raw record, so that
    /// `--split` writes back `\r\n` and invalid UTF-8 exactly as they came).
    fn record(&self, line: u64, bytes: &[u8], full: &[u8]) -> Record {
        let src = &self.origin;
        let raw = || self.keep_raw.then(|| full.to_vec());
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("line {line}: invalid UTF-8 at byte {}{}", e.valid_up_to() + 1, src.invalid_note());
                return Err(RecordError::new(src, line, src.make_id(line), msg, raw()));
            }
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let pick = Pick { table: &self.table, strictness: Strictness::Record };
        let picked = pick.deserialize(&mut de).and_then(|p| de.end().map(|()| p));
        let mut picked = match picked {
            Ok(p) => p,
            Err(e) => {
                let msg = format!("line {line}: invalid JSON: {}{}", json_message(&e), array_hint(text));
                return Err(RecordError::new(src, line, src.make_id(line), msg, raw()));
            }
        };
        let id = picked.take(Slot::Id).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| src.make_id(line));
        if let Some(key) = picked.dup.take() {
            // Parsers disagree on which copy counts (Python and Node keep the last, this reader
            // the first-listed name): judging either could judge another text than the site
            // shows. A duplicated id name makes the id itself doubtful.
            let id = if picked.id_twice { src.make_id(line) } else { id };
            let msg = format!("line {line}: key {key:?} appears twice; the record is ambiguous and is not judged");
            return Err(RecordError::new(src, line, id, msg, raw()));
        }
        if let Some((a, b)) = picked.bodies.take() {
            // A site shows one of them, and which one is not known here: judging the other
            // could let a different text through than the one readers see.
            let msg = format!(
                "line {line}: fields {a:?} and {b:?} both hold a body, with different text; the record is \
                 ambiguous and is not judged (name the one the site shows with [input.fields] body)"
            );
            return Err(RecordError::new(src, line, id, msg, raw()));
        }
        if let Some((field, expected, what)) = picked.bad.take() {
            let msg = format!("line {line}: field {field:?}: expected {expected}, found {what}");
            return Err(RecordError::new(src, line, id, msg, raw()));
        }
        let Some(body) = picked.take(Slot::Body) else {
            let msg = format!("line {line}: no body field (looked for {})", self.table.body_names);
            return Err(RecordError::new(src, line, id, msg, raw()));
        };
        let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(Comment {
            id,
            body,
            author: nonempty(picked.take(Slot::Author)),
            kind: picked.take(Slot::Kind).map(|k| CommentKind::parse(&k)).unwrap_or_default(),
            author_url: nonempty(picked.take(Slot::AuthorUrl)),
            author_email: nonempty(picked.take(Slot::AuthorEmail)),
            ip: nonempty(picked.take(Slot::Ip)),
            created_at: nonempty(picked.take(Slot::CreatedAt)),
            post_id: nonempty(picked.take(Slot::PostId)),
            parent: nonempty(picked.take(Slot::Parent)),
            approved: None,
            source: Some(src.pos(line)),
            raw: raw(),
            offset: None,
        })
    }
}

/// A hint for a line that is a piece of a JSON array (`[`, `{...},`, `]`): the commonest
/// "JSON" export is one array, which JSON Lines is not; every such line is an error record, and
/// the message says how to turn the file into lines. A line of plain text (`echo TEXT |
/// moderate run` reads JSON Lines) gets the shape of a record and the command for one text.
fn array_hint(text: &str) -> &'static str {
    let t = text.trim();
    if t.starts_with('[') || t.ends_with(',') || t.starts_with(']') {
        " (a JSON array? JSON Lines holds one object per line: `jq -c '.[]' FILE` writes them so)"
    } else if !t.starts_with(['{', '"']) {
        " (plain text? JSON Lines holds one object per line, such as {\"id\": \"1\", \"body\": \"...\"}; \
         to judge one text, `moderate explain TEXT`)"
    } else {
        ""
    }
}

/// serde_json's message without its ` at line 1 column N` tail (every line is line 1 to it),
/// with the column kept.
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &s[..i], e.column()),
        None => s,
    }
}

impl Iterator for JsonlReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            self.buf.clear();
            let max = self.parser.max_line;
            let (table, mut scan) = (&self.parser.table, IdScan::default());
            match read_line(&mut self.src.reader, &mut self.buf, max, &mut |b| scan.feed(b, table)) {
                Ok(0) => self.done = true,
                Ok(n) if self.buf.len() < n => {
                    self.line += 1;
                    return Some(Err(overlong(&self.src.origin, self.line, n as u64, max, scan.finish())));
                }
                Ok(_) => {
                    self.line += 1;
                    let rec = self.parser.line(self.line, &self.buf);
                    if rec.is_some() {
                        return rec;
                    }
                }
                Err(e) => {
                    self.done = true;
                    let line = self.line + 1;
                    let msg = format!("line {line}: read error: {e}");
                    return Some(Err(RecordError::new(
                        &self.src.origin,
                        line,
                        self.src.origin.make_id(line),
                        msg,
                        None,
                    )));
                }
            }
        }
        None
    }
}

/// Most bytes of whole lines a [`JsonlChunk`] takes when more input is already buffered (a
/// longer line is one chunk of its own).
const CHUNK: usize = 64 * 1024;

/// A run of whole lines of one JSONL input, cut by the reading thread; [`JsonlChunk::parse`]
/// turns it into records on whichever thread has time (the judge threads, in the pipeline).
pub struct JsonlChunk {
    parser: Arc<LineParser>,
    /// Line number of the first line of `data`, minus one.
    line: u64,
    data: Vec<u8>,
}

impl JsonlChunk {
    /// Appends the chunk's records to `out`, in order (blank lines are not records).
    pub fn parse(&self, out: &mut Vec<Record>) {
        let mut line = self.line;
        let mut rest = &self.data[..];
        while !rest.is_empty() {
            let end = line_len(rest);
            line += 1;
            if end > self.parser.max_line {
                // Whole, but longer than a line read alone may be (it came in one read).
                let id = super::overlong::id_in_prefix(&rest[..end], &self.parser.table);
                out.push(Err(overlong(&self.parser.origin, line, end as u64, self.parser.max_line, id)));
            } else if let Some(r) = self.parser.line(line, &rest[..end]) {
                out.push(r);
            }
            rest = &rest[end..];
        }
    }

    /// Bytes of input in the chunk.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the chunk holds no bytes (never true of a chunk [`JsonlChunks`] yields).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Cuts a JSONL input into [`JsonlChunk`]s of whole lines without parsing them.
///
/// A chunk is handed out as soon as it holds at least one whole line and no more input is
/// buffered, so a lone line on a live pipe is passed on at once; under bulk input chunks grow to
/// about [`CHUNK`] bytes. A read error ends the input with an error record for the next line,
/// as [`JsonlReader`] does.
pub struct JsonlChunks {
    src: Source,
    parser: Arc<LineParser>,
    /// Lines handed out so far.
    line: u64,
    /// The start of a line not yet complete.
    partial: Vec<u8>,
    error: Option<RecordError>,
    done: bool,
    /// Bytes of a line past `max_line` seen so far while its rest is skipped (0: not skipping).
    skipping: u64,
    /// The id looked for in the line being skipped, fed all of it.
    skip_id: IdScan,
}

impl JsonlChunks {
    pub(crate) fn new(src: Source, opts: &ReadOptions) -> JsonlChunks {
        let parser = Arc::new(LineParser::new(&src.origin, opts));
        JsonlChunks {
            src,
            parser,
            line: 0,
            partial: Vec::new(),
            error: None,
            done: false,
            skipping: 0,
            skip_id: IdScan::default(),
        }
    }

    /// Reads past the rest of a line longer than `max_line` (LF, CRLF, a lone CR or the end of
    /// the input ends it; [`read_line`] keeping nothing) and gives its error record.
    fn skip_line(&mut self) -> RecordError {
        let before = std::mem::take(&mut self.skipping);
        let (table, scan) = (&self.parser.table, &mut self.skip_id);
        let rest = match read_line(&mut self.src.reader, &mut Vec::new(), 0, &mut |b| scan.feed(b, table)) {
            Ok(n) => n as u64,
            Err(_) => {
                // The read error ends the input; the long line's record says what it was.
                self.done = true;
                0
            }
        };
        self.line += 1;
        let id = std::mem::take(&mut self.skip_id).finish();
        overlong(&self.src.origin, self.line, before + rest, self.parser.max_line, id)
    }

    fn chunk(&mut self, data: Vec<u8>) -> JsonlChunk {
        let first = self.line;
        self.line += line_ends(&data);
        JsonlChunk { parser: Arc::clone(&self.parser), line: first, data }
    }
}

impl Iterator for JsonlChunks {
    type Item = Result<JsonlChunk, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        if self.skipping > 0 {
            return Some(Err(self.skip_line()));
        }
        if self.done {
            return None;
        }
        let mut data = std::mem::take(&mut self.partial);
        // End of the last whole line in `data` (the partial line carried over has none).
        let mut whole: Option<usize> = None;
        loop {
            let buf = match self.src.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Whole lines already taken go out first; the partial line is lost.
                    self.done = true;
                    data.truncate(whole.unwrap_or(0));
                    let line = self.line + line_ends(&data) + 1;
                    let src = &self.src.origin;
                    let err =
                        RecordError::new(src, line, src.make_id(line), format!("line {line}: read error: {e}"), None);
                    if data.is_empty() {
                        return Some(Err(err));
                    }
                    self.error = Some(err);
                    return Some(Ok(self.chunk(data)));
                }
            };
            if buf.is_empty() {
                // End of input; the last line may lack its line end (or end in a lone CR).
                self.done = true;
                return (!data.is_empty()).then(|| Ok(self.chunk(data)));
            }
            let take = if data.len() < CHUNK { buf.len().min(CHUNK - data.len()) } else { buf.len() };
            // Taking all that is buffered means the next read may block (a live pipe): then the
            // whole lines we have go out now.
            let drained = take == buf.len();
            let from = data.len();
            data.extend_from_slice(&buf[..take]);
            self.src.reader.consume(take);
            // A CR at the very end may be the first half of a CRLF: not a line end yet.
            if let Some(end) = last_line_end(&data[from.saturating_sub(1)..]) {
                whole = Some(from.saturating_sub(1) + end);
            }
            let open = data.len() - whole.unwrap_or(0);
            if open > self.parser.max_line {
                // The whole lines before it go out first; the long line is skipped, not kept.
                self.skip_id = IdScan::default();
                self.skip_id.feed(&data[whole.unwrap_or(0)..], &self.parser.table);
                data.truncate(whole.unwrap_or(0));
                self.skipping = open as u64;
                if data.is_empty() {
                    return Some(Err(self.skip_line()));
                }
                return Some(Ok(self.chunk(data)));
            }
            if let Some(end) = whole {
                if data.len() >= CHUNK || drained {
                    self.partial = data.split_off(end);
                    return Some(Ok(self.chunk(data)));
                }
            }
        }
    }
}

/// Number of line ends (LF, CRLF, lone CR) in `data`; a CR as its last byte counts.
fn line_ends(data: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', data).count();
    let lone_cr = memchr::memchr_iter(b'\r', data).filter(|&i| data.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

/// Where the last whole line of `data` ends: after its last LF, or after its last CR when a byte
/// follows it (a CR as the last byte may be half of a CRLF still to come: the line before it).
fn last_line_end(data: &[u8]) -> Option<usize> {
    let i = memchr::memrchr2(b'\n', b'\r', data)?;
    if data[i] == b'\n' || i + 1 < data.len() {
        return Some(i + 1);
    }
    memchr::memrchr2(b'\n', b'\r', &data[..i]).map(|j| j + 1)
}

/// Reads one line with its line end (LF, CRLF or a lone CR) into `buf`, as `read_until` does
/// for LF: the number of bytes read, 0 at the end of the input. Past `max` bytes the rest of
/// the line is read but not kept, so `buf` holds fewer bytes than the count returned; then the
/// whole line goes to `past` as it is read (what `buf` kept, then each piece read past it).
fn read_line<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    past: &mut dyn FnMut(&[u8]),
) -> std::io::Result<usize> {
    let mut total = 0;
    let mut cut = false;
    // Past `max`, nothing more is kept: the caller sees `buf` shorter than the count.
    let mut keep = |buf: &mut Vec<u8>, total: usize, bytes: &[u8]| {
        if !cut && total + bytes.len() <= max {
            buf.extend_from_slice(bytes);
        } else {
            if !cut {
                cut = true;
                past(buf);
            }
            past(bytes);
        }
    };
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(total);
        }
        match memchr::memchr2(b'\n', b'\r', avail) {
            Some(i) if avail[i] == b'\r' => {
                keep(buf, total, &avail[..=i]);
                r.consume(i + 1);
                total += i + 1;
                // A CRLF: take its LF too (it may be in the next buffer).
                loop {
                    match r.fill_buf() {
                        Ok(next) => {
                            if next.first() == Some(&b'\n') {
                                keep(buf, total, b"\n");
                                r.consume(1);
                                total += 1;
                            }
                            return Ok(total);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Some(i) => {
                keep(buf, total, &avail[..=i]);
                r.consume(i + 1);
                return Ok(total + i + 1);
            }
            None => {
                let n = avail.len();
                keep(buf, total, avail);
                r.consume(n);
                total += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bytes: &'static [u8], buf: usize) -> Source {
        // A small buffer makes the long line cross many reads, as a real one does.
        let reader = Box::new(std::io::BufReader::with_capacity(buf, bytes));
        Source { reader, origin: Origin { file: Arc::from("in.jsonl"), stem: "in".into(), decoded: None } }
    }

    /// (line, Ok(body) or Err(message)) of every record, through both readers.
    fn both(bytes: &'static [u8], max_line: usize, buf: usize) -> [Vec<(String, Result<String, String>)>; 2] {
        let opts = ReadOptions::default();
        let show = |r: Record| match r {
            Ok(c) => (c.source.unwrap().line.to_string(), Ok(c.body)),
            Err(e) => (e.source.line.to_string(), Err(e.message)),
        };
        let mut serial = JsonlReader::new(source(bytes, buf), &opts);
        serial.parser.max_line = max_line;
        let mut chunks = JsonlChunks::new(source(bytes, buf), &opts);
        Arc::get_mut(&mut chunks.parser).unwrap().max_line = max_line;
        let mut chunked = Vec::new();
        for c in chunks {
            match c {
                Ok(c) => c.parse(&mut chunked),
                Err(e) => chunked.push(Err(e)),
            }
        }
        [serial.map(show).collect(), chunked.into_iter().map(show).collect()]
    }

    #[test]
    fn a_line_over_the_limit_is_one_error_record_and_reading_goes_on() {
        let long = b"{\"body\":\"a\"}\n{\"body\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\r\n{\"body\":\"b\"}\n";
        for buf in [4, 7, 64] {
            for got in both(long, 20, buf) {
                assert_eq!(got.len(), 3, "{got:?}");
                assert_eq!(got[0], ("1".into(), Ok("a".into())));
                assert_eq!(got[1].0, "2");
                let msg = got[1].1.as_ref().unwrap_err();
                assert!(msg.starts_with("line 2: 55 bytes long, over the limit"), "{msg}");
                assert_eq!(got[2], ("3".into(), Ok("b".into())), "buf {buf}");
            }
        }
    }

    #[test]
    fn a_long_last_line_without_an_end_and_lone_crs_keep_their_numbers() {
        let text = b"{\"body\":\"a\"}\r{\"body\":\"b\"}\r0123456789012345678901234567890123456789";
        for buf in [3, 64] {
            for got in both(text, 20, buf) {
                let lines: Vec<_> = got.iter().map(|(l, r)| (l.as_str(), r.is_ok())).collect();
                assert_eq!(lines, [("1", true), ("2", true), ("3", false)], "buf {buf}: {got:?}");
            }
        }
    }

    #[test]
    fn a_line_at_the_limit_is_read() {
        let line = b"{\"body\":\"0123456\"}\n";
        for got in both(line, line.len(), 5) {
            assert_eq!(got, [("1".into(), Ok("0123456".into()))]);
        }
        for got in both(line, line.len() - 1, 5) {
            assert!(got[0].1.is_err(), "{got:?}");
        }
    }
}
