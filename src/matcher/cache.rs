//! The start-up cache: the compiled literal automaton and its term table
//! ([`super::wordlist::WordlistSet`]) written to a file keyed by a hash of everything they are
//! built from, so `run`, `explain` and `check` read them back instead of rebuilding them (the
//! largest serial part of start-up, docs/bench.md).
//!
//! - **Where**: `$XDG_CACHE_HOME/moderate`, else `~/.cache/moderate`; one file per key
//!   (`<key>.pack`), the oldest removed past [`KEEP`] files. The config loader's memo of
//!   pattern checks (`<key>.checks`, keyed by the executable) is written the same way.
//! - **Off**: `--no-cache` or `MODERATE_CACHE=off`. A cache that cannot be read or written is
//!   not an error: the pack is built as without it.
//! - **Key**: SHA-256 of the file format, the program's version and the identity of its
//!   executable (size and modification time: a rebuilt binary may generate other spellings),
//!   the normalizer's options, every list's terms, mode and allowlist, and every normalized
//!   pattern (the gate literals are a function of them).
//! - **Trust**: a file is used only when its magic, format, key, length and checksum of the
//!   payload and key ([`seal`]) all match (a fast 64-bit [`checksum`]: it catches a torn or damaged file; a
//!   forged one is the reader's checks' job, and SHA-256 of the 12 MB payload cost more than
//!   the rest of a warm start under callgrind); the payload is then read with bounds checks on every index
//!   ([`super::wordlist::WordlistSet::from_bytes`]). A corrupt, truncated or foreign file is
//!   rebuilt and overwritten, never read into a panic or out of bounds.
//! - **Whose**: the checksum is no seal, so a file is read only where no one but this user
//!   could have written it (round 14: another config's payload with this key's 32 bytes written
//!   into its header was read, and judged with the other config's lists). On Unix the
//!   directory must be a directory (not a symlink) owned by this user and writable by no one
//!   else, and the file a regular file (not a symlink) owned by this user and writable by no one
//!   else; otherwise the cache is neither read nor written ([`private`]). The directory is made
//!   `0700` and files `0600`, whatever the umask, so a group-writable umask does not turn it off.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use super::wordlist::ListSpec;
use crate::normalize::Normalizer;

/// Bumped whenever the payload's layout or what the key covers changes.
const FORMAT: u32 = 2;
/// The first bytes of a cache file.
const MAGIC: &[u8; 8] = b"MODPACK\0";
/// Header: magic, format, key, payload length, payload checksum.
pub const HEADER: usize = 8 + 4 + 32 + 8 + 8;
/// Most cache files kept (one per config in use).
const KEEP: usize = 4;

static DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns the cache off for this process (`--no-cache`).
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// Whether the cache is on: not `--no-cache`, not `MODERATE_CACHE=off` (or `0`, `false`).
pub fn enabled() -> bool {
    let off = std::env::var("MODERATE_CACHE").is_ok_and(|v| matches!(v.trim(), "off" | "0" | "false" | "no"));
    !(off || DISABLED.load(Ordering::Relaxed))
}

/// The cache directory, when the environment names one.
pub fn dir() -> Option<PathBuf> {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = nonempty("XDG_CACHE_HOME").or_else(|| nonempty("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("moderate"))
}

/// What a cache file is for: the hash of every input of the cached parts, and the kind of
/// file (its extension: `pack` for the automaton, `checks` for [`crate::config`]'s memo of
/// pattern checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key([u8; 32], &'static str);

impl Key {
    /// The key of the automaton built from `lists` and the normalized patterns `patterns`.
    pub fn new<'a>(normalizer: &Normalizer, lists: &[ListSpec], patterns: impl Iterator<Item = &'a str>) -> Key {
        let mut h = Hasher(Sha256::new());
        h.bytes(&FORMAT.to_le_bytes());
        h.str(env!("CARGO_PKG_VERSION"));
        h.str(&exe_identity());
        h.str(&format!("{:?}", normalizer.options()));
        h.usize(lists.len());
        // The ~137,000 terms are framed into one buffer and hashed in one call: one small
        // `update` per field cost ~3 ms of a warm start, the same bytes at once ~1 ms
        // (docs/bench.md tenth session). The key is unchanged.
        let mut buf = Vec::new();
        for l in lists {
            h.str(&format!("{:?} {}", l.mode, l.fuzzy));
            frame(&mut buf, &l.terms);
            frame(&mut buf, &l.allow);
            h.bytes(&buf);
            buf.clear();
        }
        for p in patterns {
            h.str(p);
        }
        Key(h.0.finalize().into(), "pack")
    }

    /// The key of the pattern-check memo of this executable (what a check concludes depends
    /// on the pattern's text and the regex parser built in, nothing else).
    pub fn checks() -> Key {
        let mut h = Hasher(Sha256::new());
        h.bytes(&FORMAT.to_le_bytes());
        h.str("checks");
        h.str(env!("CARGO_PKG_VERSION"));
        h.str(&exe_identity());
        Key(h.0.finalize().into(), "checks")
    }

    fn file_name(&self) -> String {
        let hex: String = self.0[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{hex}.{}", self.1)
    }
}

/// Appends `items` to `buf` as [`Hasher`] would hash them: the count, then each item's length
/// and bytes.
fn frame(buf: &mut Vec<u8>, items: &[String]) {
    buf.reserve(8 + items.iter().map(|t| 8 + t.len()).sum::<usize>());
    buf.extend_from_slice(&(items.len() as u64).to_le_bytes());
    for t in items {
        buf.extend_from_slice(&(t.len() as u64).to_le_bytes());
        buf.extend_from_slice(t.as_bytes());
    }
}

/// The SHA-256 of `parts`, each length-prefixed (so two parts never hash like one).
pub fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Hasher(Sha256::new());
    for p in parts {
        h.usize(p.len());
        h.bytes(p);
    }
    h.0.finalize().into()
}

/// A SHA-256 with length-prefixed fields (so two lists never hash like one).
struct Hasher(Sha256);

impl Hasher {
    fn bytes(&mut self, b: &[u8]) {
        self.0.update(b);
    }
    fn usize(&mut self, n: usize) {
        self.0.update((n as u64).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.0.update(s.as_bytes());
    }
}

/// The running executable's size and modification time (empty when unknown: the version alone
/// then tells builds apart).
fn exe_identity() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    let Ok(meta) = meta else { return String::new() };
    let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    format!("{} {}", meta.len(), mtime.map_or(0, |d| d.as_nanos()))
}

/// The payload stored under `key` in `dir`, when a file is there and is whole, current and
/// this key's.
///
/// The header is read first and the payload into a buffer of exactly its stated length: reading
/// the whole file and cutting the header off moved the 12.7 MB payload once more at every start
/// (about 3 % of a warm `run seeds/`'s samples, docs/bench.md).
pub fn load(dir: &Path, key: &Key) -> Option<Vec<u8>> {
    use std::io::Read;
    let path = dir.join(key.file_name());
    if !path.exists() {
        return None;
    }
    if let Err(why) = private(dir, true).and_then(|()| private(&path, false)) {
        tracing::debug!("start-up cache not used: {why}");
        return None;
    }
    let mut file = std::fs::File::open(&path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut head = [0u8; HEADER];
    let read = file.read_exact(&mut head).ok().and_then(|()| {
        let len = check_head(&head, key)?;
        // The stated length must be the file's: a short or padded file is not read.
        (size.checked_sub(HEADER as u64) == Some(len)).then_some(())?;
        let mut payload = Vec::with_capacity(usize::try_from(len).ok()?);
        file.take(len).read_to_end(&mut payload).ok()?;
        let sum = u64::from_le_bytes(head[HEADER - 8..].try_into().ok()?);
        (payload.len() as u64 == len && seal(&key.0, &payload) == sum).then_some(payload)
    });
    match read {
        Some(payload) => {
            tracing::debug!("start-up cache file read: {}", path.display());
            Some(payload)
        }
        None => {
            tracing::debug!("start-up cache file {} is not usable: rebuilt", path.display());
            None
        }
    }
}

/// Checks a cache file's header against `key`: the payload length it states when magic,
/// format and key match.
fn check_head(head: &[u8; HEADER], key: &Key) -> Option<u64> {
    let (magic, rest) = head.split_at(8);
    let (format, rest) = rest.split_at(4);
    let (k, rest) = rest.split_at(32);
    let (len, _sum) = rest.split_at(8);
    let ok = magic == MAGIC && format == FORMAT.to_le_bytes() && k == key.0;
    ok.then(|| u64::from_le_bytes(len.try_into().unwrap_or_default()))
}

/// The payload's checksum: four interleaved multiply-rotate lanes over 8-byte words (FxHash's
/// step, as in `fasthash`), folded with the length. Not a defence against a forger.
pub fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut lanes = [1u64, 2, 3, 4];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap_or_default());
            *lane = step(*lane, w);
        }
    }
    let mut h = step(0, bytes.len() as u64);
    for lane in lanes {
        h = step(h, lane);
    }
    for c in blocks.remainder() {
        h = step(h, u64::from(*c));
    }
    h
}

/// The header's checksum field: the payload's [`checksum`] bound to the key it is stored under
/// (format 2, round 14), so another key's file with this key written into its header is not
/// read as this key's. Still no seal against a forger (see the module docs, "Whose").
pub fn seal(key: &[u8], payload: &[u8]) -> u64 {
    checksum(payload) ^ checksum(key).rotate_left(29)
}

/// Writes `payload` under `key` in `dir` (through a temporary file and a rename, so a reader
/// never sees half a file) and removes the oldest files past [`KEEP`]. Failures are logged at
/// debug level and otherwise ignored.
pub fn store(dir: &Path, key: &Key, payload: &[u8]) {
    if let Err(e) = try_store(dir, key, payload) {
        tracing::debug!("start-up cache not written to {}: {e}", dir.display());
    }
}

fn try_store(dir: &Path, key: &Key, payload: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut made = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut made, 0o700);
    if let Err(e) = made.create(dir) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(e);
        }
    }
    // A directory of this user's made group-writable by a umask of 002 (before round 14): made
    // private again (each file in it must still pass [`private`] to be read).
    #[cfg(unix)]
    if let Ok(m) = std::fs::symlink_metadata(dir) {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if m.is_dir() && own_uid().is_some_and(|me| me == m.uid()) && m.mode() & 0o022 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    private(dir, true).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(HEADER + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    bytes.extend_from_slice(&key.0);
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&seal(&key.0, payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    let path = dir.join(key.file_name());
    let tmp = dir.join(format!("{}.{}.tmp", key.file_name(), std::process::id()));
    // A new file (never through a link left at that name), writable by this user alone.
    let _ = std::fs::remove_file(&tmp);
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    std::io::Write::write_all(&mut open.open(&tmp)?, &bytes)?;
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    prune(dir, &path, key.1);
    Ok(())
}

/// Whether `path` (a directory when `dir`, else a regular file) may be trusted with the cache:
/// not a symlink, owned by this user and writable by no one else (Unix; elsewhere only its
/// type is checked). The reason otherwise.
fn private(path: &Path, dir: bool) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let kind = meta.file_type();
    if kind.is_symlink() || (dir && !kind.is_dir()) || (!dir && !kind.is_file()) {
        let want = if dir { "a directory" } else { "a regular file" };
        return Err(format!("{} is not {want} (a symlink is not followed)", path.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o022 != 0 {
            return Err(format!("{} is writable by others (mode {:o})", path.display(), meta.mode() & 0o7777));
        }
        if let Some(me) = own_uid() {
            if meta.uid() != me {
                return Err(format!("{} belongs to user {}, not to this user ({me})", path.display(), meta.uid()));
            }
        }
    }
    Ok(())
}

/// This process's effective user id: the owner of `/proc/self` (Linux). None elsewhere: the
/// mode check stands alone there.
#[cfg(unix)]
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Removes the oldest files of extension `ext` past [`KEEP`] (never `keep`, the one just
/// written).
fn prune(dir: &Path, keep: &Path, ext: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut packs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext) && p != keep)
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    if packs.len() < KEEP {
        return;
    }
    packs.sort();
    for (_, p) in &packs[..packs.len() + 1 - KEEP] {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`frame`] writes exactly the bytes [`Hasher`] hashes field by field, so batching the
    /// terms did not change any key (a stored pack stays valid).
    #[test]
    fn framed_terms_hash_like_fields() {
        let items: Vec<String> = ["", "ab", "a b", "ünï", "x"].iter().map(|s| s.to_string()).collect();
        let mut by_field = Hasher(Sha256::new());
        by_field.usize(items.len());
        items.iter().for_each(|t| by_field.str(t));
        let mut framed = Vec::new();
        frame(&mut framed, &items);
        let mut at_once = Hasher(Sha256::new());
        at_once.bytes(&framed);
        assert_eq!(by_field.0.finalize(), at_once.0.finalize());
        // Moving a byte from one item to the next changes the framing.
        let shifted: Vec<String> = ["", "a", "ba b", "ünï", "x"].iter().map(|s| s.to_string()).collect();
        let mut other = Vec::new();
        frame(&mut other, &shifted);
        assert_ne!(framed, other);
    }
}
