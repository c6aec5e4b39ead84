//! Where config and rule files come from: the file system, or the default pack compiled into
//! the binary (so `moderate run` works anywhere, with no files beside it).

use std::path::{Path, PathBuf};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

/// A set of files rules can refer to, by path relative to the config file.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// Files on disk, relative to this directory (the config file's directory).
    Disk(PathBuf),
    /// The shipped pack compiled into the binary.
    Builtin,
}

/// Largest config or rule file read, in bytes: a rule file is written by hand or generated
/// from a word list, and 64 MiB of terms is far past any real one. Bigger is refused before
/// anything is compiled, so a mistaken path (a log, a disk image) cannot exhaust memory.
pub const MAX_TEXT_FILE: u64 = 64 * 1024 * 1024;

/// Reads `path` (named `name` in messages), which must be a regular file inside `dir` once
/// symlinks are resolved, of at most `max` bytes.
///
/// A config may be written by someone else (a site's editor, a hot-reloaded deployment):
/// `wordlist = "../../etc/passwd"`, an absolute path, or a symlink out of the config's
/// directory would read (and, through `check` and `explain`, show) files the config has no
/// business with; a FIFO would block the load forever and `/dev/zero` would fill memory.
fn open_inside(dir: &Path, path: &Path, name: &str, max: u64) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("{name}: cannot read: {e}");
    let real = path.canonicalize().map_err(cannot)?;
    let root = dir.canonicalize().map_err(|e| format!("{}: cannot read: {e}", dir.display()))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "{name}: outside the config file's directory ({}); rule files must be inside it",
            root.display()
        ));
    }
    let meta = std::fs::metadata(&real).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("{name}: not a regular file"));
    }
    if meta.len() > max {
        return Err(format!("{name}: larger than {max} bytes"));
    }
    let file = std::fs::File::open(&real).map_err(cannot)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), &mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(format!("{name}: larger than {max} bytes"));
    }
    Ok(bytes)
}

/// A text file as loaded: its display name and contents.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How messages name the file (`config.toml`, `rules/x.txt`, `<built-in>/config.toml`).
    pub name: String,
    /// The text.
    pub text: String,
}

impl FileSource {
    /// Reads `rel` (a path relative to the config file).
    ///
    /// # Errors
    /// The file does not exist, is not UTF-8, lies outside the config file's directory, is not
    /// a regular file or is over [`MAX_TEXT_FILE`]; the message names the file.
    pub fn read(&self, rel: &str) -> Result<SourceFile, String> {
        match self {
            FileSource::Disk(dir) => {
                if let Some(rest) = rel.strip_prefix(super::extends::BUILTIN_PREFIX) {
                    return FileSource::Builtin.read(rest);
                }
                let (path, name) = (dir.join(rel), dir.join(rel).display().to_string());
                match open_inside(dir, &path, &name, MAX_TEXT_FILE) {
                    Ok(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => Ok(SourceFile { name, text: lone_cr_to_lf(text.trim_start_matches('\u{feff}')) }),
                        Err(e) => {
                            // Located like every other config error: the line and column of
                            // the first byte that is not UTF-8.
                            let valid = e.utf8_error().valid_up_to();
                            let good = String::from_utf8_lossy(&e.as_bytes()[..valid]);
                            let (line, col) = line_col(&good, valid);
                            Err(format!("{name}:{line}:{col}: not valid UTF-8 (byte {valid})"))
                        }
                    },
                    Err(e) => Err(e),
                }
            }
            FileSource::Builtin => {
                let rel = rel.trim_start_matches("./");
                builtin::FILES
                    .iter()
                    .find(|(p, _)| *p == rel)
                    .map(|(p, t)| SourceFile { name: format!("<built-in>/{p}"), text: t.to_string() })
                    .ok_or_else(|| format!("<built-in>/{rel}: no such file in the built-in pack"))
            }
        }
    }

    /// Reads binary file `rel` (a model), refusing one over `max` bytes before reading it.
    /// Returns its display name and bytes.
    ///
    /// # Errors
    /// The file does not exist, cannot be read or is too large; the message names the file.
    pub fn read_bytes(&self, rel: &str, max: u64) -> Result<(String, Vec<u8>), String> {
        match self {
            FileSource::Disk(dir) => {
                if let Some(rest) = rel.strip_prefix(super::extends::BUILTIN_PREFIX) {
                    return FileSource::Builtin.read_bytes(rest, max);
                }
                let (path, name) = (dir.join(rel), dir.join(rel).display().to_string());
                let bytes = open_inside(dir, &path, &name, max)?;
                Ok((name, bytes))
            }
            FileSource::Builtin => {
                let rel = rel.trim_start_matches("./");
                builtin::BINARY
                    .iter()
                    .find(|(p, _)| *p == rel)
                    .map(|(p, b)| (format!("<built-in>/{p}"), b.to_vec()))
                    .ok_or_else(|| format!("<built-in>/{rel}: no such file in the built-in pack"))
            }
        }
    }

    /// Every file of the built-in pack (for tests and docs).
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        builtin::FILES
    }
}

/// `text` with every lone CR (a classic Mac line end, what some editors and spreadsheet exports
/// still write) made an LF. A list file split at LF alone would read a CR-only file as one term
/// that never hits, and `check` would call it fine. CRLF stays as it is, and a lone CR is never
/// part of valid TOML, so no valid file changes meaning. Byte for byte, so every span into the
/// text is a span into the file.
fn lone_cr_to_lf(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for i in memchr::memchr_iter(b'\r', text.as_bytes()) {
        if bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("ASCII replaced by ASCII")
}

/// 1-based line and column (in chars) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
