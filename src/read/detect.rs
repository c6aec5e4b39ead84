//! Format detection: which reader an input needs, from its extension and its first bytes.
//!
//! The extension decides when it is unambiguous (`.jsonl`/`.ndjson` → JSONL, `.csv` → CSV,
//! `.txt` → thread, `.wxr` → WordPress). `.xml` is shared by two exports, so its head is sniffed:
//! `<disqus` → Disqus, `<rss` with the `wp:` namespace → WXR. Stdin and unknown extensions are
//! sniffed the same way from the first bytes: `{` (or a JSON array's `[`) → JSONL, `<` → the
//! XML sniff, a page with `N. Author said:` (or `N. Pingback:`) entries → thread, a first line
//! with a comma → CSV, a line that is a JSON object → JSONL, and prose otherwise → thread, unless the input ended
//! within the sniffed head (then nothing tells its format: see [`sniff`]). Sniffing never loses
//! input: regular files are read twice; stdin, pipes and FIFOs are read once, their head kept in
//! a buffer that the reader reads first (see [`sniff_enough`]). `--format` overrides all of this.

use std::io::Read;
use std::path::Path;

use super::{Format, OpenError};

/// How many bytes of a file are looked at when sniffing (a WXR file opens with a long comment).
const SNIFF_LEN: usize = 64 * 1024;

/// Extensions the directory walk keeps.
const EXTENSIONS: [&str; 7] = ["jsonl", "ndjson", "json", "csv", "txt", "xml", "wxr"];

/// Whether `path` has one of the extensions a directory walk picks up.
pub fn recognized_extension(path: &Path) -> bool {
    extension(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// Detects the format of a file. `explicit` is whether the user named the file (then an
/// unrecognized extension is sniffed and an unknown XML dialect is an error); files found by a
/// directory walk are skipped (`Ok(None)`) when their format cannot be told.
///
/// # Errors
/// The file cannot be read, or it is an explicitly named XML file of an unknown dialect.
pub fn detect_path(path: &Path, explicit: bool) -> Result<Option<Format>, OpenError> {
    let ext = extension(path);
    if let Some(f) = by_extension(path) {
        return Ok(Some(f));
    }
    if !explicit && !recognized_extension(path) {
        return Ok(None);
    }
    let head = read_head(path)?;
    let sniffed = sniff(&head);
    match (ext.as_deref(), sniffed) {
        (Some("xml"), Some(f @ (Format::Wxr | Format::Disqus))) => Ok(Some(f)),
        (Some("xml"), _) if explicit => Err(OpenError {
            path: path.display().to_string(),
            message: "not a WordPress export (WXR) nor a Disqus export; use --format".into(),
        }),
        (_, None) if explicit => Err(OpenError {
            path: path.display().to_string(),
            message: "cannot tell the input format (no JSON object, XML root, CSV header with a comma, nor \
                      `N. Author said:` entry); use --format"
                .into(),
        }),
        (Some("xml"), _) => Ok(None),
        (_, f) => Ok(f),
    }
}

/// The format an extension alone decides (`.jsonl .ndjson .csv .txt .wxr`).
pub fn by_extension(path: &Path) -> Option<Format> {
    match extension(path).as_deref() {
        Some("jsonl" | "ndjson") => Some(Format::Jsonl),
        Some("csv") => Some(Format::Csv),
        Some("txt") => Some(Format::Thread),
        Some("wxr") => Some(Format::Wxr),
        _ => None,
    }
}

fn read_head(path: &Path) -> Result<Vec<u8>, OpenError> {
    let file = std::fs::File::open(path).map_err(|e| OpenError::io(path, &e))?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    file.take(SNIFF_LEN as u64).read_to_end(&mut head).map_err(|e| OpenError::io(path, &e))?;
    Ok(head)
}

/// Sniffing of a stream that is read once: `Some` when `head` (the bytes read so far; `eof`:
/// there are no more) is enough to decide, with the format (`None` inside: cannot be told).
///
/// A live stream must not wait for more than it needs: `{` decides at once (JSONL, the live
/// format), XML as soon as its root is seen, other text once its first line is complete and
/// shows an entry header or a comma, else at [`SNIFF_LEN`] bytes or the end.
pub fn sniff_enough(head: &[u8], eof: bool) -> Option<Option<Format>> {
    if eof || head.len() >= SNIFF_LEN {
        return Some(sniff(head));
    }
    let head = &super::decode::utf8_head(head)[..];
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = body.iter().position(|b| !b.is_ascii_whitespace()).map(|i| body[i])?;
    match first {
        b'{' | b'[' => Some(Some(Format::Jsonl)),
        b'<' => sniff_xml(body).map(Some),
        _ => {
            let line_end = memchr::memchr2(b'\n', b'\r', body)?;
            if has_thread_entries(body) {
                Some(Some(Format::Thread))
            } else if body[..line_end].contains(&b',') {
                Some(Some(Format::Csv))
            } else {
                None
            }
        }
    }
}

/// Guesses a format from the first bytes of an input. `None` for XML of an unknown dialect, and
/// for a whole input (shorter than [`SNIFF_LEN`]) that shows no format at all.
///
/// Prose falls back to a thread page only while entries may still follow (a long article
/// before the comments): the thread reader finds no entry in text it has seen whole, so taking
/// such an input for a page would yield no record and no error. A JSON array (`[`), and a head
/// with a line that is a JSON object (`junk\n{"body":...}`), are JSON Lines: their reader gives
/// every line that is not one object an error record naming it, so no comment is lost silently.
pub fn sniff(head: &[u8]) -> Option<Format> {
    let complete = head.len() < SNIFF_LEN;
    // A UTF-16/32 head is sniffed as the text it encodes.
    let head = &super::decode::utf8_head(head)[..];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().position(|b| !b.is_ascii_whitespace()).map(|i| head[i]);
    let lines = || head.split(|&b| b == b'\n' || b == b'\r');
    match first {
        None | Some(b'{' | b'[') => Some(Format::Jsonl),
        Some(b'<') => sniff_xml(head),
        _ if has_thread_entries(head) => Some(Format::Thread),
        _ if lines().next().unwrap_or_default().contains(&b',') => Some(Format::Csv),
        _ if lines().any(|l| l.trim_ascii_start().starts_with(b"{")) => Some(Format::Jsonl),
        _ if complete => None,
        _ => Some(Format::Thread),
    }
}

/// `<disqus` → Disqus; `<rss` plus the `wp:` namespace → WXR.
pub fn sniff_xml(head: &[u8]) -> Option<Format> {
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    if has(b"<disqus") {
        Some(Format::Disqus)
    } else if has(b"<rss") && (has(b"xmlns:wp=") || has(b"<wp:")) {
        Some(Format::Wxr)
    } else {
        None
    }
}

fn has_thread_entries(head: &[u8]) -> bool {
    String::from_utf8_lossy(head).split(['\n', '\r']).any(|l| super::thread::parse_header(l).is_some())
}
