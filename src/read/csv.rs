//! The CSV reader: a header row, then one comment per row, fields found through the
//! [`FieldMap`](super::FieldMap).
//!
//! The header is matched once: for each comment field, the first listed name that equals a
//! header cell (trimmed, ASCII case-insensitive) picks the column. Rows are parsed by the `csv`
//! crate as byte records (so quoted multi-line fields work and memory stays at one row), and
//! each row is checked here: a row whose field count differs from the header's, a row without a
//! body column, or a cell that is not valid UTF-8 becomes a [`RecordError`] naming the row's
//! start line, and reading goes on. An empty file, or a header alone, is zero records.

use ::csv::{ByteRecord, ReaderBuilder, WriterBuilder};

use super::jsonl::{slot_names, Slot, SLOTS};
use super::{looked_for, Origin, ReadOptions, Record, RecordError, Source};
use crate::comment::{Comment, CommentKind};

/// Streams records from a CSV input.
pub(crate) struct CsvReader {
    src: Origin,
    rdr: ::csv::Reader<Box<dyn std::io::BufRead + Send>>,
    /// Column of each slot, `None` when the header has no such column.
    cols: [Option<usize>; SLOTS],
    /// Header names per slot, for messages.
    names: [String; SLOTS],
    body_names: String,
    width: Option<usize>,
    keep_raw: bool,
    rec: ByteRecord,
    done: bool,
}

impl CsvReader {
    pub(crate) fn new(src: Source, opts: &ReadOptions) -> CsvReader {
        let rdr = ReaderBuilder::new().has_headers(false).flexible(true).from_reader(src.reader);
        let mut me = CsvReader {
            src: src.origin,
            rdr,
            cols: [None; SLOTS],
            names: Default::default(),
            body_names: looked_for(&opts.fields.body),
            width: None,
            keep_raw: opts.keep_raw,
            rec: ByteRecord::new(),
            done: false,
        };
        let mut header = ByteRecord::new();
        match me.rdr.read_byte_record(&mut header) {
            Ok(true) => {
                let cells: Vec<String> =
                    header.iter().map(|c| String::from_utf8_lossy(c).trim().to_ascii_lowercase()).collect();
                for (slot, list) in slot_names(&opts.fields) {
                    let found = list.iter().find_map(|name| {
                        let name = name.to_ascii_lowercase();
                        cells.iter().position(|c| *c == name).map(|i| (i, name))
                    });
                    if let Some((i, name)) = found {
                        me.cols[slot as usize] = Some(i);
                        me.names[slot as usize] = name;
                    }
                }
                me.width = Some(header.len());
            }
            // Empty file: no header, no records. A broken first row is reported by `next`.
            Ok(false) | Err(_) => me.done = true,
        }
        me
    }

    fn row(&self, line: u64) -> Record {
        let src = &self.src;
        let rec = &self.rec;
        let raw = || self.keep_raw.then(|| reserialize(rec));
        let cell = |slot: Slot| self.cols[slot as usize].and_then(|i| rec.get(i));
        let id = cell(Slot::Id)
            .and_then(|c| std::str::from_utf8(c).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map_or_else(|| src.make_id(line), str::to_owned);
        let width = self.width.unwrap_or(0);
        if rec.len() != width {
            let msg = format!("line {line}: expected {width} fields, found {}", rec.len());
            return Err(RecordError::new(src, line, id, msg, raw()));
        }
        let mut vals: [Option<String>; SLOTS] = Default::default();
        for (slot, val) in vals.iter_mut().enumerate() {
            if let Some(bytes) = self.cols[slot].and_then(|i| rec.get(i)) {
                match std::str::from_utf8(bytes) {
                    Ok(s) => *val = Some(s.to_owned()),
                    Err(e) => {
                        let msg = format!(
                            "line {line}: field {:?}: invalid UTF-8 at byte {}",
                            self.names[slot],
                            e.valid_up_to() + 1
                        );
                        return Err(RecordError::new(src, line, id, msg, raw()));
                    }
                }
            }
        }
        let Some(body) = vals[Slot::Body as usize].take() else {
            let msg = format!("line {line}: no body field (looked for {})", self.body_names);
            return Err(RecordError::new(src, line, id, msg, raw()));
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
            raw: raw(),
        })
    }
}

/// A row written back as CSV text (quoted as needed, no line terminator).
pub(crate) fn reserialize(rec: &ByteRecord) -> String {
    let mut w = WriterBuilder::new().flexible(true).from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_byte_record(rec);
    let bytes = w.into_inner().unwrap_or_default();
    let mut s = String::from_utf8_lossy(&bytes).into_owned();
    while s.ends_with(['\n', '\r']) {
        s.pop();
    }
    s
}

impl Iterator for CsvReader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {
                let line = self.rec.position().map_or(0, |p| p.line());
                Some(self.row(line))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                let src = &self.src;
                let line = e.position().map_or(self.rdr.position().line(), |p| p.line());
                let msg = format!("line {line}: unreadable CSV: {e}");
                Some(Err(RecordError::new(src, line, src.make_id(line), msg, None)))
            }
        }
    }
}
