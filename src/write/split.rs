//! `--split DIR`: every judged record goes back out in its own input format, one file per input
//! and verdict, so allowed, flagged and blocked comments can be re-imported where they came from.
//!
//! # Layout
//!
//! For an input with stem `S` (the file name without its extension; `stdin` for `-`; a second
//! input with the same stem gets `S-2`, then `S-3`, ...):
//!
//! | input format | files in `DIR` |
//! |---|---|
//! | JSONL | `S.allowed.jsonl`, `S.flagged.jsonl`, `S.blocked.jsonl`, `S.errors.jsonl` |
//! | CSV | `S.allowed.csv`, `S.flagged.csv`, `S.blocked.csv`, `S.errors.csv`, each starting with the input's header row |
//! | thread | `S.allowed.txt`, `S.flagged.txt`, `S.blocked.txt`, `S.errors.txt`: `  N. Author said:` entries |
//! | WXR | `S.moderated.xml`: the export byte for byte, except each judged comment's `wp:comment_approved` |
//! | Disqus | `S.moderated.xml`: the export byte for byte, except each judged post's `isSpam` |
//!
//! All four verdict files of a JSONL, CSV or thread input exist after the run, possibly empty.
//! Each line (row, entry) is the record's original text ([`Comment::raw`], so readers must run
//! with `keep_raw`); a record without one is rebuilt from its fields. The files are re-readable
//! by the same reader with the same counts, and a thread entry keeps its number, so the ids
//! (`S#N`) survive the round trip (the reader drops the `.allowed`-style suffix from stems).
//!
//! JSONL and CSV records are written back byte for byte as read (line ends, invalid UTF-8 and
//! all), a missing final line end added.
//!
//! The XML exports are rewritten once, on [`Sink::finish`]: during the run only a map from each
//! judged comment's identity (the byte offset of its start tag, so several comments on one line
//! of a minified export stay apart) to its decision is kept, then the original file is streamed once
//! more and only the verdict values are spliced in (WXR: allow → `1`, flag → `0`, block → `spam`;
//! Disqus: allow → `false`, block → `true`, flag left as it was, since Disqus has no "pending"
//! flag). A comment the export already had as removed (WXR `spam`, `trash`, `post-trashed`;
//! Disqus `isSpam` true) keeps that value: the copy never publishes again what the site took
//! down. A well-formed WordPress comment that was not judged (an error record: two bodies, an
//! undeclared entity) is held (`0`), so the copy never imports it approved; Disqus ones are left
//! as they were. A missing `wp:comment_approved` is inserted before `</wp:comment>`. XML read from
//! stdin, a pipe or a FIFO cannot be read twice, so its records go to JSONL verdict files
//! instead, as does CSV from a stream (under a header of the default field names).
//!
//! Records are routed by `source.file`, which readers set to the input path as given. Records
//! arrive in input order, so only the current input's files are open at a time.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{Judged, Sink};
use crate::comment::{Comment, CommentKind};
use crate::read::{id_stem, skip_bom, Format, Input, RecordError};
use crate::verdict::Decision;

mod xml;

/// The verdict part of split file names, in [`slot`] order.
const VERDICT_NAMES: [&str; 4] = ["allowed", "flagged", "blocked", "errors"];

/// The column names used when a CSV header cannot be read back (stdin).
const DEFAULT_COLUMNS: [&str; 10] =
    ["id", "body", "author", "kind", "author_url", "author_email", "ip", "created_at", "post_id", "parent"];

fn slot(d: Decision) -> usize {
    match d {
        Decision::Allow => 0,
        Decision::Flag => 1,
        Decision::Block => 2,
        Decision::Error => 3,
    }
}

/// How one input is written.
enum Mode {
    /// JSONL lines (also XML and CSV from stdin, rebuilt from fields when `synth`).
    Jsonl,
    /// CSV rows under `header` (written as `header_raw` when read from the input);
    /// `synth` = rows are rebuilt from fields (a stream).
    Csv { header: Vec<String>, header_raw: Option<Vec<u8>>, synth: bool },
    /// Thread entries.
    Thread,
    /// A rewritten copy of an XML export, made on finish from `decisions` (start offset → verdict).
    Xml { format: Format, decisions: HashMap<u64, Decision> },
}

struct Out {
    path: PathBuf,
    stem: String,
    mode: Mode,
    files: Option<Vec<BufWriter<File>>>,
    started: bool,
    entries: u64,
}

/// Writes each judged record into per-input, per-verdict files in the input's own format (see
/// the module docs for the layout).
pub struct SplitSink {
    dir: PathBuf,
    outs: Vec<Out>,
    by_path: HashMap<String, usize>,
    current: Option<usize>,
    /// `--split-censored`: the names of the body field, to publish a record's `censored` text.
    censored: Option<Vec<String>>,
}

impl SplitSink {
    /// Prepares `dir` (created if missing) for the given inputs. Nothing is written yet except
    /// the directory; a CSV input's header row is read here.
    ///
    /// # Errors
    /// The directory cannot be created or a CSV input's header cannot be read.
    pub fn new(dir: &Path, inputs: &[Input]) -> io::Result<SplitSink> {
        std::fs::create_dir_all(dir)?;
        let mut outs = Vec::new();
        let mut by_path = HashMap::new();
        for (i, (input, stem)) in inputs.iter().zip(stems(inputs)).enumerate() {
            let stream = crate::read::is_stream(&input.path);
            let mode = match input.format {
                Format::Jsonl => Mode::Jsonl,
                Format::Thread => Mode::Thread,
                Format::Csv if stream => Mode::Csv {
                    header: DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect(),
                    header_raw: None,
                    synth: true,
                },
                Format::Csv => {
                    let raw = csv_header(&input.path)?;
                    let header = crate::read::csv_cells(&raw)
                        .into_iter()
                        .map(|c| String::from_utf8_lossy(&c).into_owned())
                        .collect();
                    Mode::Csv { header, header_raw: Some(raw), synth: false }
                }
                Format::Wxr | Format::Disqus if stream => Mode::Jsonl,
                f @ (Format::Wxr | Format::Disqus) => Mode::Xml { format: f, decisions: HashMap::new() },
            };
            by_path.insert(input.path.display().to_string(), i);
            outs.push(Out { path: input.path.clone(), stem, mode, files: None, started: false, entries: 0 });
        }
        Ok(SplitSink { dir: dir.to_path_buf(), outs, by_path, current: None, censored: None })
    }

    /// `--split-censored`: a record whose verdict carries `censored` text (the censor action) is
    /// written with that text as its body, so the allowed file can be published as it is. JSONL
    /// records keep their other fields (keys in sorted order), CSV rows their other cells; the
    /// XML copies keep the original text (only the verdict is spliced in). `body_fields` are
    /// the names `[input.fields] body` reads.
    pub fn with_censored(mut self, body_fields: &[String]) -> SplitSink {
        self.censored = Some(body_fields.to_vec());
        self
    }

    /// The files this sink writes (or has written) for input number `i`, in verdict order
    /// (allowed, flagged, blocked, errors), or the one moderated copy for an XML export.
    pub fn files_for(&self, i: usize) -> Vec<PathBuf> {
        let out = &self.outs[i];
        let ext = match &out.mode {
            Mode::Xml { .. } => None,
            Mode::Csv { .. } => Some("csv"),
            Mode::Thread => Some("txt"),
            Mode::Jsonl => Some("jsonl"),
        };
        files_in(&self.dir, &out.stem, ext)
    }

    /// Every file a split of `inputs` into `dir` would write, without touching anything (so a
    /// run can refuse to start when one of them is an input).
    pub fn planned_files(dir: &Path, inputs: &[Input]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (input, stem) in inputs.iter().zip(stems(inputs)) {
            let stream = crate::read::is_stream(&input.path);
            let ext = match input.format {
                Format::Wxr | Format::Disqus if !stream => None,
                Format::Csv => Some("csv"),
                Format::Thread => Some("txt"),
                _ => Some("jsonl"),
            };
            out.extend(files_in(dir, &stem, ext));
        }
        out
    }

    /// Opens input `i`'s four verdict files (creating them, or appending when the input was
    /// already started), closing the previous input's.
    fn switch_to(&mut self, i: usize) -> io::Result<()> {
        if self.current == Some(i) {
            return Ok(());
        }
        if let Some(prev) = self.current.take() {
            close(&mut self.outs[prev])?;
        }
        if !matches!(self.outs[i].mode, Mode::Xml { .. }) {
            let paths = self.files_for(i);
            let out = &mut self.outs[i];
            let mut files = Vec::with_capacity(4);
            for p in paths {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(out.started)
                    .write(true)
                    .truncate(!out.started)
                    .open(&p)?;
                let mut w = BufWriter::with_capacity(64 * 1024, f);
                if !out.started {
                    match &out.mode {
                        Mode::Csv { header_raw: Some(raw), .. } => write_line(&mut w, raw)?,
                        Mode::Csv { header, .. } => write_csv_row(&mut w, header)?,
                        _ => {}
                    }
                }
                files.push(w);
            }
            out.files = Some(files);
            out.started = true;
        }
        self.current = Some(i);
        Ok(())
    }

    fn route(&self, judged: &Judged) -> usize {
        let file = match &judged.record {
            Ok(c) => c.source.as_ref().map(|s| &*s.file),
            Err(e) => Some(&*e.source.file),
        };
        file.and_then(|f| self.by_path.get(f).copied()).or(self.current).unwrap_or(0)
    }
}

/// The stem of each input's files: its id stem, `-2`, `-3`, ... when two inputs share one.
fn stems(inputs: &[Input]) -> Vec<String> {
    let mut seen = HashSet::new();
    inputs
        .iter()
        .map(|input| {
            let base = id_stem(&input.path);
            let mut stem = base.clone();
            let mut n = 2;
            while !seen.insert(stem.clone()) {
                stem = format!("{base}-{n}");
                n += 1;
            }
            stem
        })
        .collect()
}

/// The verdict files of a stem with extension `ext`, or its moderated XML copy (`None`).
fn files_in(dir: &Path, stem: &str, ext: Option<&str>) -> Vec<PathBuf> {
    match ext {
        None => vec![dir.join(format!("{stem}.moderated.xml"))],
        Some(ext) => VERDICT_NAMES.iter().map(|v| dir.join(format!("{stem}.{v}.{ext}"))).collect(),
    }
}

fn close(out: &mut Out) -> io::Result<()> {
    if let Some(files) = out.files.take() {
        for mut f in files {
            f.flush()?;
        }
    }
    Ok(())
}

impl Sink for SplitSink {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        if self.outs.is_empty() {
            return Ok(());
        }
        let i = self.route(judged);
        let decision = judged.verdict.verdict;
        if let Mode::Xml { decisions, .. } = &mut self.outs[i].mode {
            if let Ok(Comment { offset: Some(at), .. }) = &judged.record {
                decisions.insert(*at, decision);
            }
            return Ok(());
        }
        self.switch_to(i)?;
        let out = &mut self.outs[i];
        out.entries += 1;
        let n = out.entries;
        let Some(w) = out.files.as_mut().and_then(|f| f.get_mut(slot(decision))) else {
            return Err(io::Error::other("split files are not open"));
        };
        if let (Some(fields), Some(text), Ok(c)) = (&self.censored, &judged.verdict.censored, &judged.record) {
            return write_censored(w, &out.mode, fields, c, text, n);
        }
        match (&out.mode, &judged.record) {
            (Mode::Jsonl, Ok(c)) => match &c.raw {
                Some(raw) => write_line(w, raw),
                None => writeln!(w, "{}", comment_json(c)),
            },
            (Mode::Jsonl, Err(e)) => match &e.raw {
                Some(raw) => write_line(w, raw),
                None => writeln!(w, "{}", error_json(e)),
            },
            (Mode::Csv { synth: false, .. }, Ok(Comment { raw: Some(raw), .. }))
            | (Mode::Csv { synth: false, .. }, Err(RecordError { raw: Some(raw), .. })) => write_line(w, raw),
            (Mode::Csv { header, .. }, Ok(c)) => write_csv_row(w, &csv_cells(header, c)),
            (Mode::Csv { header, .. }, Err(e)) => {
                let c = Comment::new(e.id.clone(), String::new());
                write_csv_row(w, &csv_cells(header, &c))
            }
            (Mode::Thread, Ok(c)) => match &c.raw {
                Some(raw) => w.write_all(raw).and_then(|()| w.write_all(b"\n\n")),
                None => write!(w, "{}\n\n", thread_entry(c, n)),
            },
            (Mode::Thread, Err(e)) => match &e.raw {
                Some(raw) => w.write_all(raw).and_then(|()| w.write_all(b"\n\n")),
                None => write!(w, "{}\n\n", thread_entry(&Comment::new(e.id.clone(), e.message.clone()), n)),
            },
            (Mode::Xml { .. }, _) => Ok(()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(prev) = self.current.take() {
            close(&mut self.outs[prev])?;
        }
        for i in 0..self.outs.len() {
            if let Mode::Xml { format, decisions } = &self.outs[i].mode {
                let dst = self.files_for(i).remove(0);
                xml::rewrite_xml(&self.outs[i].path, &dst, *format, decisions)?;
            } else if !self.outs[i].started {
                // An input without records still gets its (empty) files.
                self.switch_to(i)?;
                if let Some(prev) = self.current.take() {
                    close(&mut self.outs[prev])?;
                }
            }
        }
        Ok(())
    }
}

/// The header row of a CSV file, byte for byte with its line end (BOM skipped).
fn csv_header(path: &Path) -> io::Result<Vec<u8>> {
    let mut r = BufReader::new(File::open(path)?);
    skip_bom(&mut r);
    crate::read::csv_first_row(r)
}

/// Writes a record's original bytes, adding a line end if the input's last line had none.
fn write_line<W: Write>(w: &mut W, raw: &[u8]) -> io::Result<()> {
    w.write_all(raw)?;
    if raw.last() != Some(&b'\n') {
        w.write_all(b"\n")?;
    }
    Ok(())
}

fn write_csv_row<W: Write>(w: &mut W, cells: &[String]) -> io::Result<()> {
    if cells.is_empty() {
        return Ok(());
    }
    let mut cw =
        ::csv::WriterBuilder::new().flexible(true).terminator(::csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    cw.write_record(cells).map_err(io::Error::other)?;
    w.write_all(&cw.into_inner().map_err(|e| io::Error::other(e.to_string()))?)
}

/// Writes comment `c` with `text` (its masked body) in place of its body (`--split-censored`).
fn write_censored<W: Write>(
    w: &mut W,
    mode: &Mode,
    fields: &[String],
    c: &Comment,
    text: &str,
    n: u64,
) -> io::Result<()> {
    let is_body = |k: &str| fields.iter().any(|f| f == k);
    match mode {
        Mode::Jsonl => {
            let parsed = c.raw.as_deref().and_then(|raw| serde_json::from_slice::<serde_json::Value>(raw).ok());
            match parsed {
                Some(serde_json::Value::Object(mut m)) => {
                    // The first body field present is the one the reader took (as `[input.fields]`).
                    if let Some(k) = fields.iter().find(|f| m.get(f.as_str()).is_some_and(|v| v.is_string())) {
                        m.insert(k.clone(), text.into());
                    }
                    writeln!(w, "{}", serde_json::Value::Object(m))
                }
                _ => {
                    let masked = Comment { body: text.to_string(), raw: None, ..c.clone() };
                    writeln!(w, "{}", comment_json(&masked))
                }
            }
        }
        Mode::Csv { header, synth, .. } => {
            let mut cells: Vec<String> = match (&c.raw, synth) {
                (Some(raw), false) => {
                    crate::read::csv_cells(raw).iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()
                }
                _ => csv_cells(header, c),
            };
            if let Some(i) = header.iter().position(|h| is_body(h.trim())).or_else(|| {
                let defaults = crate::read::FieldMap::default();
                header.iter().position(|h| defaults.body.iter().any(|b| b.eq_ignore_ascii_case(h.trim())))
            }) {
                if let Some(cell) = cells.get_mut(i) {
                    *cell = text.to_string();
                }
            }
            write_csv_row(w, &cells)
        }
        Mode::Thread => {
            let masked = Comment { body: text.to_string(), raw: None, ..c.clone() };
            write!(w, "{}\n\n", thread_entry(&masked, n))
        }
        Mode::Xml { .. } => Ok(()),
    }
}

/// A comment's fields under a header's columns, matched by the default field names.
fn csv_cells(header: &[String], c: &Comment) -> Vec<String> {
    let defaults = crate::read::FieldMap::default();
    let is = |col: &str, names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(col.trim()));
    header
        .iter()
        .map(|col| {
            let v: Option<&str> = if is(col, &defaults.id) {
                Some(&c.id)
            } else if is(col, &defaults.body) {
                Some(&c.body)
            } else if is(col, &defaults.author) {
                c.author.as_deref()
            } else if is(col, &defaults.kind) {
                Some(c.kind.as_str())
            } else if is(col, &defaults.author_url) {
                c.author_url.as_deref()
            } else if is(col, &defaults.author_email) {
                c.author_email.as_deref()
            } else if is(col, &defaults.ip) {
                c.ip.as_deref()
            } else if is(col, &defaults.created_at) {
                c.created_at.as_deref()
            } else if is(col, &defaults.post_id) {
                c.post_id.as_deref()
            } else if is(col, &defaults.parent) {
                c.parent.as_deref()
            } else {
                None
            };
            v.unwrap_or_default().to_string()
        })
        .collect()
}

/// A comment as one JSON object under the default field names (no `raw`, no `source`).
pub fn comment_json(c: &Comment) -> String {
    let mut m = serde_json::Map::new();
    m.insert("id".into(), c.id.clone().into());
    m.insert("body".into(), c.body.clone().into());
    let opt = [
        ("author", &c.author),
        ("author_url", &c.author_url),
        ("author_email", &c.author_email),
        ("ip", &c.ip),
        ("created_at", &c.created_at),
        ("post_id", &c.post_id),
        ("parent", &c.parent),
    ];
    for (k, v) in opt {
        if let Some(v) = v {
            m.insert(k.into(), v.clone().into());
        }
    }
    if c.kind != CommentKind::Comment {
        m.insert("kind".into(), c.kind.as_str().into());
    }
    if let Some(a) = c.approved {
        m.insert("approved".into(), a.into());
    }
    serde_json::Value::Object(m).to_string()
}

fn error_json(e: &RecordError) -> String {
    serde_json::json!({"id": e.id, "error": e.message, "source": e.source.to_string()}).to_string()
}

/// A thread entry rebuilt from a comment: `  N. Author said:` and the body indented by four.
fn thread_entry(c: &Comment, fallback_n: u64) -> String {
    // `page#3`, or `page#3.2` for the second entry numbered 3 (the thread reader's ids).
    let n = c.id.rsplit_once('#').and_then(|(_, n)| n.split('.').next()?.parse::<u64>().ok()).unwrap_or(fallback_n);
    match c.kind {
        CommentKind::Pingback | CommentKind::Trackback => {
            let label = if c.kind == CommentKind::Pingback { "Pingback" } else { "Trackback" };
            let mut lines = c.body.lines();
            let mut s = format!("  {n}. {label}: {}", lines.next().unwrap_or_default());
            for l in lines {
                s.push_str(&format!("\n    {l}"));
            }
            s
        }
        CommentKind::Comment => {
            let author = c.author.as_deref().unwrap_or_default();
            let mut s = if author.is_empty() { format!("  {n}. said:\n") } else { format!("  {n}. {author} said:\n") };
            for l in c.body.lines() {
                s.push('\n');
                if !l.trim().is_empty() {
                    s.push_str("    ");
                    s.push_str(l);
                }
            }
            s
        }
    }
}
