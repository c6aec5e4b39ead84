//! The read stage: format readers turn an input into a stream of [`Record`]s.
//!
//! Every reader is streaming (constant memory in the input size) and knows the source position of
//! each record, so a record that cannot be read becomes a [`RecordError`] naming `file:line` and
//! the field, and the run goes on: every input comment yields exactly one record, in order.
//! Readers know formats but no rules.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::comment::{Comment, SourcePos};

mod csv;
mod decode;
pub(crate) use self::decode::{
    declared_encoding, encode as encode_text, read_utf8, sniff_encoding, Encoding, DECLARATION_HEAD,
};
pub mod detect;
pub(crate) use self::csv::{cells as csv_cells, first_row as csv_first_row};
mod disqus;
#[cfg(test)]
mod idscan_props;
mod jsonl;
mod overlong;
pub(crate) mod pick;
pub use jsonl::{JsonlChunk, JsonlChunks};
mod thread;
mod wxr;
pub mod xml;

/// A record as read: a comment, or the reason it could not be read.
pub type Record = Result<Comment, RecordError>;

/// A record that could not be read. It still becomes exactly one output line (`"verdict": "error"`).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// The best id that could be recovered (the input's id, or `<stem>#<N>`/`<file>:<line>`).
    pub id: String,
    /// What is wrong, naming the field where one is to blame (e.g. `line 17: field "body": missing`).
    pub message: String,
    /// Where the bad record is.
    pub source: SourcePos,
    /// The record's original bytes, if any could be kept (for `--split`'s error file).
    pub raw: Option<Vec<u8>>,
}

/// The input formats `moderate` reads (docs/design.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// A scraped article page with numbered `N. Author said:` comments.
    Thread,
    /// WordPress export (WXR).
    Wxr,
    /// Disqus XML export.
    Disqus,
}

/// Which input field names map to which comment field. Each list is tried in order; the first
/// field present wins. Configurable under `[input.fields]` in config.toml.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// Field names for the comment id.
    pub id: Vec<String>,
    /// Field names for the comment text.
    pub body: Vec<String>,
    /// Field names for the author's display name.
    pub author: Vec<String>,
    /// Field names for the kind (comment / pingback / trackback).
    pub kind: Vec<String>,
    /// Field names for the author's URL.
    pub author_url: Vec<String>,
    /// Field names for the author's e-mail.
    pub author_email: Vec<String>,
    /// Field names for the author's IP address.
    pub ip: Vec<String>,
    /// Field names for the posting time.
    pub created_at: Vec<String>,
    /// Field names for the post/thread id.
    pub post_id: Vec<String>,
    /// Field names for the parent comment id.
    pub parent: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        fn v(names: &[&str]) -> Vec<String> {
            names.iter().map(|s| s.to_string()).collect()
        }
        FieldMap {
            id: v(&["id", "comment_id", "_id"]),
            body: v(&["body", "content", "text", "comment_text", "comment", "message"]),
            author: v(&["author", "author_name", "user", "username", "name"]),
            kind: v(&["kind", "type", "comment_type"]),
            author_url: v(&["author_url", "url"]),
            author_email: v(&["author_email", "email"]),
            ip: v(&["ip", "author_ip"]),
            created_at: v(&["created_at", "date", "timestamp", "time"]),
            post_id: v(&["post_id", "thread", "thread_id", "article"]),
            parent: v(&["parent", "parent_id"]),
        }
    }
}

/// How to read: the field mapping, and whether to keep each record's original text.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Field names to look for.
    pub fields: FieldMap,
    /// Keep [`Comment::raw`] (needed by `--split`; costs a copy per record otherwise).
    pub keep_raw: bool,
    /// Counts the input bytes read so far, across inputs (for a progress bar with an ETA).
    pub bytes_read: Option<Arc<AtomicU64>>,
}

/// A reader that adds the bytes it reads to a shared counter.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// One input to read: a path (or `-` for stdin) with its resolved format.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The file, or `-` for stdin.
    pub path: PathBuf,
    /// The format to read it as.
    pub format: Format,
}

/// An input that cannot be opened at all (missing file, unreadable directory). Stops the run
/// before it starts (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct OpenError {
    /// The path the user gave.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Whether `path` is read as a stream that can be read only once: stdin (`-`), a pipe, a FIFO,
/// a socket or a device (process substitution `<(...)` gives a pipe). Such an input is never
/// opened twice: its format is sniffed from a head that is kept and read again ([`Source`]),
/// and `--split` cannot re-read it to rewrite it.
pub fn is_stream(path: &Path) -> bool {
    path.as_os_str() == "-" || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Streams opened while resolving inputs (to sniff their format), with the head that sniffing
/// read: [`Source::open`] takes them from here instead of opening the path again, which on a
/// pipe would lose the head and on a FIFO would wait for a second writer. `Input` stays a plain
/// value (a path and a format); this is the one place that holds the open stream meanwhile.
static OPENED: std::sync::Mutex<Vec<(PathBuf, Box<dyn Read + Send>)>> = std::sync::Mutex::new(Vec::new());

/// Opens a stream input once, sniffs its format from a head read into a buffer that is kept, and
/// parks the stream (head first) in [`OPENED`]. `None`: the format cannot be told.
fn sniff_stream(path: &Path) -> Result<Option<Format>, OpenError> {
    let mut raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| OpenError::io(path, &e))?)
    };
    let mut head = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let format = loop {
        let n = match raw.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(OpenError::io(path, &e)),
        };
        head.extend_from_slice(&chunk[..n]);
        if let Some(f) = detect::sniff_enough(&head, n == 0) {
            break f;
        }
    };
    let stream: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(raw));
    if let Ok(mut opened) = OPENED.lock() {
        opened.push((path.to_path_buf(), stream));
    }
    Ok(format)
}

/// The stream [`sniff_stream`] parked for `path`, if any.
fn take_opened(path: &Path) -> Option<Box<dyn Read + Send>> {
    let mut opened = OPENED.lock().ok()?;
    let i = opened.iter().position(|(p, _)| p == path)?;
    Some(opened.remove(i).1)
}

/// Expands the user's inputs: directories become the readable files inside them (sorted, so runs
/// are reproducible), formats are detected from extension and content unless `forced`.
///
/// Directories are walked recursively; hidden entries (name starting with `.`) are skipped and
/// only files with a recognized extension (`.jsonl .ndjson .json .csv .txt .xml .wxr`) whose
/// format can be told are kept, so a directory without comment files yields an empty list (the
/// CLI warns). A directory reached again through a symlink (a loop, or two links to one place)
/// is skipped with a warning and a file is read once however many links lead to it; a
/// subdirectory that cannot be read is kept as an input whose opening fails, so it becomes an
/// error record like an unreadable file. Pipes, FIFOs and devices inside a directory are skipped
/// (reading one could wait forever). A file named explicitly is always kept: an unknown
/// extension is sniffed (see [`detect`]). `-` (stdin) and named pipes/FIFOs are sniffed from a
/// head that is kept for reading (see [`is_stream`]).
///
/// # Errors
/// A path that does not exist, or an explicitly named `.xml` file that is neither a WordPress
/// export nor a Disqus export (and no `forced` format).
pub fn resolve_inputs(paths: &[PathBuf], forced: Option<Format>) -> Result<Vec<Input>, OpenError> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let format = match forced {
                Some(f) => f,
                // Empty or unreadable stdin: JSONL (zero records, or one read error).
                None => sniff_stream(path).ok().flatten().unwrap_or(Format::Jsonl),
            };
            out.push(Input { path: path.clone(), format });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| OpenError::io(path, &e))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files, &mut seen);
            for (file, readable) in files {
                let format = match forced {
                    Some(f) if detect::recognized_extension(&file) || !readable => Some(f),
                    Some(_) => None,
                    // Opening fails at run time and becomes the error record.
                    None if !readable => Some(Format::Jsonl),
                    None => match detect::detect_path(&file, false) {
                        Ok(f) => f,
                        // An unreadable file: kept, its opening fails again at run time.
                        Err(_) => Some(detect::by_extension(&file).unwrap_or(Format::Jsonl)),
                    },
                };
                if let Some(format) = format {
                    out.push(Input { path: file, format });
                }
            }
        } else if !meta.is_file() {
            let format = match forced.or_else(|| detect::by_extension(path)) {
                Some(f) => f,
                None => sniff_stream(path)?.ok_or_else(|| OpenError {
                    path: path.display().to_string(),
                    message: "cannot tell the input format; use --format".into(),
                })?,
            };
            out.push(Input { path: path.clone(), format });
        } else {
            let format = match forced {
                Some(f) => f,
                None => detect::detect_path(path, true)?.ok_or_else(|| OpenError {
                    path: path.display().to_string(),
                    message: "cannot tell the input format; use --format".into(),
                })?,
            };
            out.push(Input { path: path.clone(), format });
        }
    }
    Ok(out)
}

/// Directories and files already reached by a walk, by device and inode.
#[derive(Default)]
struct Seen {
    dirs: std::collections::HashSet<(u64, u64)>,
    files: std::collections::HashSet<(u64, u64)>,
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Collects the files below `dir`, sorted by name at every level, hidden entries skipped, each
/// with whether it can be listed/opened (`false`: a directory that cannot be read, kept so that
/// it becomes an error record). Each directory and file is visited once, so symlink loops end.
fn walk(dir: &Path, out: &mut Vec<(PathBuf, bool)>, seen: &mut Seen) {
    if let Some(id) = std::fs::metadata(dir).ok().as_ref().and_then(file_id) {
        if !seen.dirs.insert(id) {
            tracing::warn!("{}: directory already read (a symlink loop?); skipped", dir.display());
            return;
        }
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(_) => {
            out.push((dir.to_path_buf(), false));
            return;
        }
    };
    let mut entries = Vec::new();
    for entry in rd {
        let Ok(entry) = entry else {
            out.push((dir.to_path_buf(), false));
            return;
        };
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        entries.push(entry.path());
    }
    entries.sort();
    for p in entries {
        let meta = std::fs::metadata(&p);
        if meta.as_ref().is_ok_and(|m| m.is_dir()) {
            walk(&p, out, seen);
        } else if detect::recognized_extension(&p) {
            match &meta {
                Ok(m) if !m.is_file() => {
                    tracing::warn!("{}: not a regular file (a pipe or a device); skipped", p.display());
                }
                Ok(m) => {
                    // A file reached twice (through links) is read once.
                    let fresh = match file_id(m) {
                        Some(id) => seen.files.insert(id),
                        None => true,
                    };
                    if fresh {
                        out.push((p, true));
                    }
                }
                // A dangling symlink: opening fails at run time and becomes an error record.
                Err(_) => out.push((p, true)),
            }
        }
    }
}

/// Opens one input as a stream of records.
///
/// The stream yields exactly one [`Record`] per input comment, in input order; a record that
/// cannot be read is an `Err(RecordError)` naming `file:line` (and the field where one is to
/// blame), and the stream goes on with the next record.
///
/// # Errors
/// The file cannot be opened.
pub fn open(input: &Input, opts: &ReadOptions) -> Result<Box<dyn Iterator<Item = Record> + Send>, OpenError> {
    let src = Source::open(&input.path, opts.bytes_read.clone(), input.format)?;
    Ok(match input.format {
        Format::Jsonl => Box::new(jsonl::JsonlReader::new(src, opts)),
        Format::Csv => Box::new(csv::CsvReader::new(src, opts)),
        Format::Thread => Box::new(thread::read_thread(src, opts).into_iter()),
        Format::Wxr => Box::new(wxr::WxrReader::new(src, opts)),
        Format::Disqus => Box::new(disqus::DisqusReader::new(src, opts)),
    })
}

/// An opened input as the pipeline reads it.
pub enum Stream {
    /// Records parsed on the reading thread (every format but JSONL).
    Records(Box<dyn Iterator<Item = Record> + Send>),
    /// JSONL cut into chunks of whole lines, to be parsed where there is time
    /// ([`JsonlChunk::parse`]); the records are exactly those [`open`] yields.
    Jsonl(Box<JsonlChunks>),
}

/// Opens one input for the pipeline: like [`open`], except that a JSONL input is handed out as
/// unparsed chunks of lines, so that parsing can run on the judge threads.
///
/// # Errors
/// The file cannot be opened.
pub fn open_stream(input: &Input, opts: &ReadOptions) -> Result<Stream, OpenError> {
    if input.format == Format::Jsonl {
        let src = Source::open(&input.path, opts.bytes_read.clone(), input.format)?;
        return Ok(Stream::Jsonl(Box::new(JsonlChunks::new(src, opts))));
    }
    open(input, opts).map(Stream::Records)
}

/// Convenience for tests and `explain --id`: all records of a path.
pub fn read_all(path: &Path, forced: Option<Format>, opts: &ReadOptions) -> Result<Vec<Record>, OpenError> {
    let mut out = Vec::new();
    for input in resolve_inputs(&[path.to_path_buf()], forced)? {
        out.extend(open(&input, opts)?);
    }
    Ok(out)
}

impl OpenError {
    fn io(path: &Path, e: &std::io::Error) -> OpenError {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        OpenError { path: path.display().to_string(), message }
    }
}

impl RecordError {
    /// An error record at `src.file:line`.
    pub(crate) fn new(src: &Origin, line: u64, id: String, message: String, raw: Option<Vec<u8>>) -> RecordError {
        RecordError { id, message, source: src.pos(line), raw }
    }
}

/// A reader that fails once more than `max` bytes came without a line end (LF or CR; in
/// UTF-16 and UTF-32 those bytes are still there). The thread reader holds a whole page, so an
/// input with no line ends (`/dev/zero`, a file of NULs) would take all memory. It now ends in
/// an error record naming the file and line instead. (CSV was bounded here too until round 12;
/// its reader now bounds a row itself and reads on after it: [`csv::MAX_ROW`].)
struct LineBound<R> {
    inner: R,
    /// Bytes since the last line end.
    run: usize,
    max: usize,
    /// Once over, every read fails: a reader must not go on from the middle of the long line.
    tripped: bool,
}

impl<R: Read> Read for LineBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.tripped {
            let n = self.inner.read(buf)?;
            // One read may hold a whole long line and the next line end (`read_to_end` asks
            // for more each time), so every line in it is measured, not only the last.
            let (mut run, mut longest, mut from) = (self.run, 0, 0);
            for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
                longest = longest.max(run + i - from);
                run = 0;
                from = i + 1;
            }
            self.run = run + n - from;
            self.tripped = longest.max(self.run) > self.max;
            if !self.tripped {
                return Ok(n);
            }
        }
        let message = format!("a line longer than {} MiB; the rest of the input is not read", self.max >> 20);
        Err(std::io::Error::new(std::io::ErrorKind::InvalidData, message))
    }
}

/// Size of the read buffer of every reader (large reads keep the parse loop hot).
const BUF_SIZE: usize = 256 * 1024;

/// One opened input: the byte stream (BOM already skipped) and where it came from.
pub(crate) struct Source {
    /// The bytes, buffered; a leading UTF-8 byte order mark has been consumed.
    pub(crate) reader: Box<dyn BufRead + Send>,
    /// The names used in records.
    pub(crate) origin: Origin,
}

/// The names an input's records carry.
pub(crate) struct Origin {
    /// The path as the user gave it, shared by every record's [`SourcePos`].
    pub(crate) file: Arc<str>,
    /// The stem used to make ids (`<stem>#<N>`), see [`id_stem`].
    pub(crate) stem: String,
    /// The encoding the input was decoded from, if not UTF-8 ([`decode`]).
    pub(crate) decoded: Option<&'static str>,
}

impl Source {
    /// Opens `path`, UTF-16/32 decoded, and an XML export from the legacy encoding its
    /// declaration names ([`decode`]).
    fn open(path: &Path, counter: Option<Arc<AtomicU64>>, format: Format) -> Result<Source, OpenError> {
        let mut raw: Box<dyn Read + Send> = if let Some(opened) = take_opened(path) {
            opened
        } else if path.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                // A directory kept by the walk because it cannot be read: its error is the record.
                let message = match std::fs::read_dir(path) {
                    Err(e) => return Err(OpenError::io(path, &e)),
                    Ok(_) => "is a directory".to_string(),
                };
                return Err(OpenError { path: path.display().to_string(), message });
            }
            Box::new(File::open(path).map_err(|e| OpenError::io(path, &e))?)
        };
        if let Some(count) = counter {
            raw = Box::new(Counting { inner: raw, count });
        }
        // A CSV row is bounded by the reader itself ([`csv::MAX_ROW`]), which reads on after it.
        if format == Format::Thread {
            raw = Box::new(LineBound { inner: raw, run: 0, max: jsonl::MAX_LINE, tripped: false });
        }
        let mut reader = BufReader::with_capacity(BUF_SIZE, raw);
        let head = reader.fill_buf().unwrap_or_default();
        let (mut enc, bom) = decode::sniff_encoding(head);
        if matches!(format, Format::Wxr | Format::Disqus) && (enc, bom) == (decode::Encoding::Utf8, 0) {
            let head = &head[..head.len().min(decode::DECLARATION_HEAD)];
            enc = decode::declared_encoding(head).unwrap_or(enc);
            if let Some(label) = decode::declared_label(head).filter(|l| encoding_rs::Encoding::for_label(l).is_none())
            {
                tracing::warn!(
                    "{}: the XML declaration names encoding {:?}, which is not known; read as UTF-8 (a comment \
                     with other bytes is an error record)",
                    path.display(),
                    String::from_utf8_lossy(label)
                );
            }
        }
        reader.consume(bom);
        let mut reader: Box<dyn BufRead + Send> = Box::new(reader);
        if enc != decode::Encoding::Utf8 {
            reader = Box::new(BufReader::with_capacity(BUF_SIZE, decode::Transcode::new(reader, enc)));
        }
        let decoded = (enc != decode::Encoding::Utf8).then(|| enc.name());
        let origin = Origin { file: Arc::from(path.display().to_string()), stem: id_stem(path), decoded };
        Ok(Source { reader, origin })
    }
}

impl Origin {
    /// A [`SourcePos`] in this input.
    pub(crate) fn pos(&self, line: u64) -> SourcePos {
        SourcePos { file: Arc::clone(&self.file), line }
    }

    /// What an "invalid UTF-8" message adds for an input decoded from another encoding, where
    /// the bad byte stands for what that encoding could not decode: an unpaired surrogate or a
    /// truncated character of UTF-16/32, or bytes that are no character of the encoding an XML
    /// declaration names (a lone Shift_JIS lead byte), so the message names that encoding.
    pub(crate) fn invalid_note(&self) -> String {
        match self.decoded {
            Some(enc) if enc.starts_with("UTF-") => {
                format!(" (the file is {enc}: an unpaired surrogate or a truncated character)")
            }
            Some(enc) => format!(
                " (the file declares encoding {enc}, and these bytes are no {enc} character: a damaged \
                 byte, or a declaration that does not match the file)"
            ),
            None => String::new(),
        }
    }

    /// `message` with [`Self::invalid_note`] when it is about invalid UTF-8 (the XML parser's
    /// words for a byte its decoder could not read).
    pub(crate) fn noted(&self, message: String) -> String {
        if message.to_ascii_lowercase().contains("utf-8") {
            format!("{message}{}", self.invalid_note())
        } else {
            message
        }
    }

    /// The stable id made for a record that has none: `<stem>#<n>`.
    pub(crate) fn make_id(&self, n: u64) -> String {
        format!("{}#{}", self.stem, n)
    }
}

/// Consumes a UTF-8 byte order mark at the start of `r`, if there is one.
pub(crate) fn skip_bom<R: BufRead>(r: &mut R) {
    if let Ok(buf) = r.fill_buf() {
        if buf.starts_with(b"\xEF\xBB\xBF") {
            r.consume(3);
        }
    }
}

/// The verdict suffixes `--split` adds to file stems; [`id_stem`] strips them again so that a
/// split file's made-up ids (`<stem>#<N>`) are those of the original input.
pub const SPLIT_SUFFIXES: [&str; 5] = [".allowed", ".flagged", ".blocked", ".errors", ".moderated"];

/// The stem used in made-up ids: the file name without its extension and without a `--split`
/// suffix (`000_x.allowed.txt` → `000_x`); `stdin` for `-`.
pub fn id_stem(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "stdin".to_string();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    for suffix in SPLIT_SUFFIXES {
        if let Some(base) = stem.strip_suffix(suffix) {
            if !base.is_empty() {
                return base.to_string();
            }
        }
    }
    stem
}

/// Strips one trailing `\n` or `\r\n` from a line.
pub(crate) fn chomp(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Length of the first line of `data` with its line end (LF, CRLF or a lone CR, as Python's and
/// Node's line readers end lines), or all of `data` when it holds no line end.
pub(crate) fn line_len(data: &[u8]) -> usize {
    match memchr::memchr2(b'\n', b'\r', data) {
        None => data.len(),
        Some(i) if data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') => i + 2,
        Some(i) => i + 1,
    }
}

/// `"body", "content", ...`: the names a field was looked for under, for error messages.
pub(crate) fn looked_for(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}
