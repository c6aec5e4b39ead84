//! The CSV reader: a header row, then one comment per row, fields found through the
//! [`FieldMap`](super::FieldMap).
//!
//! Rows are cut by a small scanner of this module's own ([`RowScanner`]) rather than by the
//! `csv` crate, because the reader must know more than the cells: the row's exact bytes (so
//! `--split` writes back `\r\n` and invalid UTF-8 as they came), its byte offset, and where a
//! quote that never closes was opened. The grammar is the `csv` crate's default: `,` between
//! fields, `"` opens a quoted field at the start of a field, `""` inside quotes is a quote,
//! `\n`, `\r\n` or `\r` ends a row, blank rows are skipped, text after a closing quote is kept.
//! One pass, one row in memory.
//!
//! The header is matched once: for each comment field, the first listed name that equals a
//! header cell (trimmed, ASCII case-insensitive) picks the column. Checks, each an error record
//! naming the row's start line, after which reading goes on:
//! - a header that names no body column is taken for a missing header: the first row is an
//!   error record (it is not silently eaten as a header), and so is every later row;
//! - a header naming a field's column twice makes every row ambiguous (which cell would a site
//!   show?): every row is an error record naming the column;
//! - a row whose field count differs from the header's, a row without a body column, a mapped
//!   cell that is not valid UTF-8;
//! - two body columns (say `text` and `comment`) whose cells hold different text: a site shows
//!   one of them, which one is not known here, so the row is not judged (an empty cell is no
//!   text; the first body column with text is the body). `[input.fields] body` naming one
//!   column settles it;
//! - a quote that is still open at the end of the input: the row where it opened becomes an
//!   error record naming the quote's line, and reading resumes on the next line (once; a second
//!   unclosed quote in the resumed part makes the rest of the input one error record, so no
//!   input is scanned more than twice);
//! - a row longer than [`MAX_ROW`] (64 MiB, on one line or over many): read past keeping
//!   nothing but the scan's state, so memory stays bounded and its end is where a CSV parser
//!   finds it; it is one error record and the rows after it are read (round 12; before, a line
//!   that long ended the input, and a long quoted field was held whole). An unclosed quote in
//!   such a row ends the input, as its bytes were not kept to be scanned again. The row's id
//!   cell is kept while it is at most [`MAX_ID`] bytes, wherever it stands in the row, so the
//!   error record is named by the id (round 13; before, `<stem>#<line>`).
//!
//! An empty file, or a header alone, is zero records.

use std::io::BufRead;

use super::pick::{slot_names, Slot, SLOTS};
use super::{looked_for, Origin, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// One row as cut from the input.
#[derive(Debug, Default)]
pub(crate) struct Row {
    /// The row's bytes, with its line end.
    pub(crate) raw: Vec<u8>,
    /// The decoded cells.
    pub(crate) cells: Vec<Vec<u8>>,
    /// 1-based line of the row's first byte.
    pub(crate) line: u64,
    /// Byte offset of the row's first byte.
    pub(crate) offset: u64,
    /// Line where a quote opened that the input never closed.
    pub(crate) open_quote: Option<u64>,
    /// The row's length in bytes when it ran past [`MAX_ROW`]: its bytes and cells were not
    /// kept (`raw` and `cells` are empty), only its end was found.
    pub(crate) too_long: Option<u64>,
    /// For a row past [`MAX_ROW`]: the cell of the scanner's [`RowScanner::id_col`], when it
    /// was no longer than [`MAX_ID`] (so the error record is named by the row's id).
    pub(crate) id_cell: Option<Vec<u8>>,
}

/// The longest id cell kept for a row past [`MAX_ROW`]; a longer one is no id (the record is
/// named `<stem>#<line>`).
pub(crate) const MAX_ID: usize = 4096;

/// Keeps the id cell of a row past [`MAX_ROW`] while the rest of it is read past.
struct IdKeep {
    /// The id column.
    col: Option<usize>,
    /// Cells completed before the current buffer.
    done: usize,
    /// The id cell was kept, or was longer than [`MAX_ID`]: nothing more to keep.
    settled: bool,
}

impl IdKeep {
    /// After each buffer: keeps the id cell among the cells completed in it (`cells`, or `cur`
    /// when the row ended), or its start in `cur` when it is the cell being read, while it is at
    /// most [`MAX_ID`] bytes; drops every other cell.
    fn keep(&mut self, id_cell: &mut Option<Vec<u8>>, cells: &mut Vec<Vec<u8>>, cur: &mut Vec<u8>, row_done: bool) {
        let at = self.done + cells.len();
        match self.col.filter(|_| !self.settled) {
            // Completed in this buffer (its start, if any, was carried in `cur` before).
            Some(col) if col < at => {
                let cell = std::mem::take(&mut cells[col - self.done]);
                *id_cell = (cell.len() <= MAX_ID).then_some(cell);
                self.settled = true;
            }
            // Being read: carried to the next buffer while short; kept if the row ended.
            Some(col) if col == at && (row_done || cur.len() > MAX_ID) => {
                *id_cell = (cur.len() <= MAX_ID).then(|| cur.clone());
                self.settled = true;
            }
            _ => {}
        }
        self.done = at;
        cells.clear();
        if self.settled || self.col != Some(at) {
            cur.clear();
        }
    }
}

/// The most bytes one row may have and be judged: as one JSON Lines line
/// ([`super::jsonl::MAX_LINE`]). A row past it is read past keeping nothing, to its end (its
/// quotes followed), and is one error record; the rows after it are read as usual.
pub(crate) const MAX_ROW: usize = super::jsonl::MAX_LINE;

#[derive(Clone, Copy, PartialEq)]
enum St {
    /// At the start of a field.
    Start,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: `"` again is an escaped quote, else the quotes closed.
    QuoteInQuoted,
    /// After a `\r` that ended the row: a following `\n` belongs to the same line end.
    Cr,
}

/// Cuts CSV rows out of a byte stream (see the module docs), with a replay buffer in front of
/// the stream for resuming after an unclosed quote.
pub(crate) struct RowScanner<R> {
    reader: R,
    replay: Vec<u8>,
    replay_at: usize,
    /// Whether a resume already happened (then an unclosed quote takes the rest of the input).
    resumed: bool,
    line: u64,
    offset: u64,
    eof: bool,
    /// A read error, reported once as the end of the input.
    pub(crate) error: Option<std::io::Error>,
    /// The id column (0-based), once the header is read: a row past [`MAX_ROW`] keeps this
    /// cell while it is short (round 13; before, such a row lost its id).
    pub(crate) id_col: Option<usize>,
}

impl<R: BufRead> RowScanner<R> {
    pub(crate) fn new(reader: R) -> RowScanner<R> {
        RowScanner {
            reader,
            replay: Vec::new(),
            replay_at: 0,
            resumed: false,
            line: 1,
            offset: 0,
            eof: false,
            error: None,
            id_col: None,
        }
    }

    /// The next row that is not blank, or None at the end of the input.
    pub(crate) fn next_row(&mut self) -> Option<Row> {
        loop {
            let mut row = self.scan()?;
            // A byte order mark at the start of a row is where two files were concatenated
            // (`cat a.csv b.csv`): invisible, and not part of the first cell (the id), as the
            // JSONL reader skips one at the start of a line.
            if let Some(first) = row.cells.first_mut().filter(|c| c.starts_with(b"\xEF\xBB\xBF")) {
                first.drain(..3);
            }
            let blank =
                row.open_quote.is_none() && row.too_long.is_none() && row.cells.len() == 1 && row.cells[0].is_empty();
            if !blank {
                return Some(row);
            }
        }
    }

    /// Scans one row (possibly blank).
    fn scan(&mut self) -> Option<Row> {
        let mut row = Row { line: self.line, offset: self.offset, ..Row::default() };
        let mut cur = Vec::new();
        let mut st = St::Start;
        let mut quote_line = 0;
        let mut id = IdKeep { col: self.id_col, done: 0, settled: false };
        loop {
            let from_replay = self.replay_at < self.replay.len();
            let buf: &[u8] = if from_replay {
                &self.replay[self.replay_at..]
            } else if self.eof {
                &[]
            } else {
                match self.reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.error = Some(e);
                        self.eof = true;
                        &[]
                    }
                }
            };
            if buf.is_empty() {
                self.eof = true;
                // A read error cut the row short: its error record stands for it, and the
                // part read is not judged as if it were the row.
                if (row.raw.is_empty() && row.too_long.is_none()) || self.error.is_some() {
                    return None;
                }
                if st == St::Quoted {
                    return Some(self.unclosed(row, quote_line));
                }
                if row.too_long.is_some() {
                    id.keep(&mut row.id_cell, &mut row.cells, &mut cur, true);
                }
                row.cells.push(cur);
                return Some(row);
            }
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                if st == St::Cr {
                    // CRLF, or a lone CR (old Mac files): either way one line end, counted once.
                    if b == b'\n' {
                        used += 1;
                    }
                    self.line += 1;
                    done = true;
                    break;
                }
                used += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                match (st, b) {
                    (St::Quoted, b'"') => st = St::QuoteInQuoted,
                    (St::Quoted, _) => cur.push(b),
                    (St::QuoteInQuoted, b'"') => {
                        cur.push(b'"');
                        st = St::Quoted;
                    }
                    (St::Start, b'"') => {
                        st = St::Quoted;
                        quote_line = self.line;
                    }
                    (_, b',') => {
                        row.cells.push(std::mem::take(&mut cur));
                        st = St::Start;
                    }
                    (_, b'\n') => {
                        done = true;
                        break;
                    }
                    (_, b'\r') => st = St::Cr,
                    (_, _) => {
                        cur.push(b);
                        st = St::Unquoted;
                    }
                }
            }
            if row.too_long.is_none() && row.raw.len() + used > MAX_ROW {
                // Past the bound: nothing more of the row is kept (not even what was) but its
                // id cell, only the scan's state, so its end is still found where a CSV parser
                // finds it.
                row.too_long = Some(row.raw.len() as u64);
                row.raw = Vec::new();
            }
            match row.too_long.as_mut() {
                Some(n) => {
                    *n += used as u64;
                    // At most one buffer's cells since the last clear, and the id cell.
                    id.keep(&mut row.id_cell, &mut row.cells, &mut cur, done);
                }
                None => row.raw.extend_from_slice(&buf[..used]),
            }
            self.offset += used as u64;
            if from_replay {
                self.replay_at += used;
            } else {
                self.reader.consume(used);
            }
            if done {
                row.cells.push(cur);
                return Some(row);
            }
        }
    }

    /// The row whose quote (opened at `quote_line`) runs to the end of the input: an error row
    /// holding the row up to the end of the quote's line; the rest is scanned again from the
    /// next line, once.
    fn unclosed(&mut self, mut row: Row, quote_line: u64) -> Row {
        row.open_quote = Some(quote_line);
        row.cells.clear();
        // A row past the bound kept no bytes to scan again: it ends the input.
        if self.resumed || row.too_long.is_some() {
            return row;
        }
        self.resumed = true;
        // The end of the quote's line inside the row's bytes.
        let lines_in = (quote_line - row.line) as usize;
        let mut cut = row.raw.len();
        let mut seen = 0;
        for (i, &b) in row.raw.iter().enumerate() {
            if b == b'\n' {
                if seen == lines_in {
                    cut = i + 1;
                    break;
                }
                seen += 1;
            }
        }
        let mut rest = row.raw.split_off(cut);
        rest.extend_from_slice(&self.replay[self.replay_at..]);
        // The reader is at its end; `scan` reads the replay buffer first.
        self.replay = rest;
        self.replay_at = 0;
        self.line = quote_line + 1;
        self.offset = row.offset + row.raw.len() as u64;
        row
    }
}

/// Streams records from a CSV input.
pub(crate) struct CsvReader {
    src: Origin,
    rows: RowScanner<Box<dyn BufRead + Send>>,
    /// Column of each slot, `None` when the header has no such column.
    cols: [Option<usize>; SLOTS],
    /// Header names per slot, for messages.
    names: [String; SLOTS],
    body_names: String,
    /// Header width, once the header is read.
    width: Option<usize>,
    /// A field's name that the header gives twice.
    dup: Option<String>,
    /// Every body column the header has, in the order of `[input.fields] body`: (column, name).
    bodies: Vec<(usize, String)>,
    keep_raw: bool,
    fields: super::FieldMap,
    done: bool,
    /// The header row ran past [`MAX_ROW`]: every later row is an error record.
    header_lost: bool,
}

impl CsvReader {
    pub(crate) fn new(src: Source, opts: &ReadOptions) -> CsvReader {
        CsvReader {
            src: src.origin,
            rows: RowScanner::new(src.reader),
            cols: [None; SLOTS],
            names: Default::default(),
            body_names: looked_for(&opts.fields.body),
            width: None,
            dup: None,
            bodies: Vec::new(),
            keep_raw: opts.keep_raw,
            fields: opts.fields.clone(),
            done: false,
            header_lost: false,
        }
    }

    /// Takes `row` as the header. Returns the error record for it when it is not a header.
    fn header(&mut self, row: &Row) -> Option<RecordError> {
        // A byte order mark or zero-width character around a name (two files pasted together
        // in an editor: `id,\u{feff}body`) is not part of it, as white space is not.
        let invisible = |c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}');
        let cells: Vec<String> =
            row.cells.iter().map(|c| String::from_utf8_lossy(c).trim_matches(invisible).to_ascii_lowercase()).collect();
        for (slot, list) in slot_names(&self.fields) {
            let found = list.iter().find_map(|name| {
                let name = name.to_ascii_lowercase();
                cells.iter().position(|c| *c == name).map(|i| (i, name))
            });
            if let Some((i, name)) = found {
                if self.dup.is_none() && cells.iter().filter(|c| **c == name).count() > 1 {
                    self.dup = Some(name.clone());
                }
                self.cols[slot as usize] = Some(i);
                self.names[slot as usize] = name;
            }
        }
        for name in &self.fields.body {
            let name = name.to_ascii_lowercase();
            if let Some(i) = cells.iter().position(|c| *c == name) {
                if !self.bodies.iter().any(|(j, _)| *j == i) {
                    self.bodies.push((i, name));
                }
            }
        }
        self.width = Some(row.cells.len());
        if self.cols[Slot::Body as usize].is_some() {
            return None;
        }
        let line = row.line;
        let msg = format!(
            "line {line}: the first row names no body column (looked for {}); is the header row missing?",
            self.body_names
        );
        Some(RecordError::new(&self.src, line, self.src.make_id(line), msg, self.keep_raw.then(|| row.raw.clone())))
    }

    fn row(&self, row: Row) -> Record {
        let src = &self.src;
        let line = row.line;
        let raw = self.keep_raw.then_some(row.raw);
        let rec = &row.cells;
        let cell = |slot: Slot| self.cols[slot as usize].and_then(|i| rec.get(i));
        let id = row_id(cell(Slot::Id).map(Vec::as_slice)).unwrap_or_else(|| src.make_id(line));
        if let Some(name) = &self.dup {
            let msg =
                format!("line {line}: the header has two {name:?} columns; the row is ambiguous and is not judged");
            return Err(RecordError::new(src, line, id, msg, raw));
        }
        let width = self.width.unwrap_or(0);
        if rec.len() != width {
            let msg = format!("line {line}: expected {width} fields, found {}", rec.len());
            return Err(RecordError::new(src, line, id, msg, raw));
        }
        let mut vals: [Option<String>; SLOTS] = Default::default();
        for (slot, val) in vals.iter_mut().enumerate() {
            if let Some(bytes) = self.cols[slot].and_then(|i| rec.get(i)) {
                match std::str::from_utf8(bytes) {
                    Ok(s) => *val = Some(s.to_owned()),
                    Err(e) => {
                        let msg = format!(
                            "line {line}: field {:?}: invalid UTF-8 at byte {}{}",
                            self.names[slot],
                            e.valid_up_to() + 1,
                            src.invalid_note()
                        );
                        return Err(RecordError::new(src, line, id, msg, raw));
                    }
                }
            }
        }
        // Several body columns (`text` and `comment`): a site shows one of them, so two that
        // hold different text make the row ambiguous. An empty cell is no text (CSV has no
        // null); the first body column with text is the body.
        let mut with_text = self.bodies.iter().filter_map(|(i, name)| {
            let cell = rec.get(*i)?;
            (!cell.iter().all(u8::is_ascii_whitespace)).then_some((cell, name))
        });
        if let Some((first, first_name)) = with_text.next() {
            if let Some((_, other)) = with_text.find(|(c, _)| c != &first) {
                let msg = format!(
                    "line {line}: columns {first_name:?} and {other:?} both hold a body, with different text; the row is \
                     ambiguous and is not judged (name the one the site shows with [input.fields] body)"
                );
                return Err(RecordError::new(src, line, id, msg, raw));
            }
            match std::str::from_utf8(first) {
                Ok(t) => vals[Slot::Body as usize] = Some(t.to_owned()),
                Err(e) => {
                    let msg = format!(
                        "line {line}: field {first_name:?}: invalid UTF-8 at byte {}{}",
                        e.valid_up_to() + 1,
                        src.invalid_note()
                    );
                    return Err(RecordError::new(src, line, id, msg, raw));
                }
            }
        }
        let Some(body) = vals[Slot::Body as usize].take() else {
            let msg = format!("line {line}: no body field (looked for {})", self.body_names);
            return Err(RecordError::new(src, line, id, msg, raw));
        };
        let mut take = |slot: Slot| vals[slot as usize].take().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Comment {
            id,
            body,
            author: take(Slot::Author),
            kind: take(Slot::Kind).map(|k| CommentKind::parse(&k)).unwrap_or_default(),
            author_url: take(Slot::AuthorUrl),
            author_email: take(Slot::AuthorEmail),
            ip: take(Slot::Ip),
            created_at: take(Slot::CreatedAt),
            post_id: take(Slot::PostId),
            parent: take(Slot::Parent),
            approved: None,
            source: Some(src.pos(line)),
            raw,
            offset: Some(row.offset),
        })
    }
}

impl Iterator for CsvReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.done {
            let Some(row) = self.rows.next_row() else {
                self.done = true;
                if let Some(e) = self.rows.error.take() {
                    let line = self.rows.line;
                    let msg = format!("line {line}: read error: {e}");
                    return Some(Err(RecordError::new(&self.src, line, self.src.make_id(line), msg, None)));
                }
                return None;
            };
            let line = row.line;
            if let Some(q) = row.open_quote {
                let mut msg = if q == line {
                    format!("line {line}: a quote opened on this line is never closed")
                } else {
                    format!("line {q}: a quote opened on this line (row of line {line}) is never closed")
                };
                if row.too_long.is_some() {
                    msg.push_str(&format!(
                        "; its row runs past {} MiB to the end of the input, which is not read again",
                        MAX_ROW >> 20
                    ));
                }
                let raw = self.keep_raw.then_some(row.raw);
                let id = row_id(row.id_cell.as_deref()).unwrap_or_else(|| self.src.make_id(line));
                return Some(Err(RecordError::new(&self.src, line, id, msg, raw)));
            }
            if let Some(n) = row.too_long {
                let msg = if self.width.is_none() {
                    // No header to read the rows by: each later row says so.
                    self.header_lost = true;
                    self.width = Some(0);
                    format!(
                        "line {line}: the header row is {n} bytes long, over the limit of {} MiB for one row; no row of \
                         this input is judged",
                        MAX_ROW >> 20
                    )
                } else {
                    format!(
                        "line {line}: {n} bytes long, over the limit of {} MiB for one row; skipped, not judged",
                        MAX_ROW >> 20
                    )
                };
                let id = row_id(row.id_cell.as_deref()).unwrap_or_else(|| self.src.make_id(line));
                return Some(Err(RecordError::new(&self.src, line, id, msg, None)));
            }
            if self.header_lost {
                let msg = format!("line {line}: the header row was too long to read; the row is not judged");
                let raw = self.keep_raw.then_some(row.raw);
                return Some(Err(RecordError::new(&self.src, line, self.src.make_id(line), msg, raw)));
            }
            if self.width.is_none() {
                match self.header(&row) {
                    Some(e) => return Some(Err(e)),
                    None => {
                        self.rows.id_col = self.cols[Slot::Id as usize];
                        continue;
                    }
                }
            }
            return Some(self.row(row));
        }
        None
    }
}

/// A row's id from its id cell: valid UTF-8, trimmed, not empty.
fn row_id(cell: Option<&[u8]>) -> Option<String> {
    cell.and_then(|c| std::str::from_utf8(c).ok()).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The first row of a CSV input, byte for byte (`--split` starts every file with it).
pub(crate) fn first_row<R: BufRead>(r: R) -> std::io::Result<Vec<u8>> {
    let mut rows = RowScanner::new(r);
    let row = rows.next_row();
    if let Some(e) = rows.error.take() {
        return Err(e);
    }
    Ok(row.filter(|r| r.open_quote.is_none()).map(|r| r.raw).unwrap_or_default())
}

/// The cells of one row's bytes.
pub(crate) fn cells(row: &[u8]) -> Vec<Vec<u8>> {
    RowScanner::new(row).next_row().map(|r| r.cells).unwrap_or_default()
}
