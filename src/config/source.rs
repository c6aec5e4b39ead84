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
    /// The file does not exist or is not UTF-8; the message names the file.
    pub fn read(&self, rel: &str) -> Result<SourceFile, String> {
        match self {
            FileSource::Disk(dir) => {
                if let Some(rest) = rel.strip_prefix(super::extends::BUILTIN_PREFIX) {
                    return FileSource::Builtin.read(rest);
                }
                let path = if Path::new(rel).is_absolute() { PathBuf::from(rel) } else { dir.join(rel) };
                let name = path.display().to_string();
                match std::fs::read(&path) {
                    Ok(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => Ok(SourceFile { name, text: text.trim_start_matches('\u{feff}').to_string() }),
                        Err(e) => {
                            // Located like every other config error: the line and column of
                            // the first byte that is not UTF-8.
                            let valid = e.utf8_error().valid_up_to();
                            let good = String::from_utf8_lossy(&e.as_bytes()[..valid]);
                            let (line, col) = line_col(&good, valid);
                            Err(format!("{name}:{line}:{col}: not valid UTF-8 (byte {valid})"))
                        }
                    },
                    Err(e) => Err(format!("{name}: cannot read: {e}")),
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
                let path = if Path::new(rel).is_absolute() { PathBuf::from(rel) } else { dir.join(rel) };
                let name = path.display().to_string();
                let file = std::fs::File::open(&path).map_err(|e| format!("{name}: cannot read: {e}"))?;
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), &mut bytes)
                    .map_err(|e| format!("{name}: cannot read: {e}"))?;
                if bytes.len() as u64 > max {
                    return Err(format!("{name}: larger than {max} bytes"));
                }
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
