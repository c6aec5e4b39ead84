//! The verdict ledger: an append-only JSONL audit trail, one line per verdict.
//!
//! ```json
//! {"seq":1,"session":"2026-12-02T05:00:00Z#4711","at":"2026-12-02T05:00:01Z","version":"0.1.0",
//!  "config":"sha256:…","input_hash":"sha256:…",
//!  "comment":{"id":"c-1","body":"…","author":"ann",…},
//!  "verdict":{"id":"c-1","verdict":"flag","score":2.0,"reasons":[…]}}
//! ```
//!
//! - `verdict` is the record exactly as `run` writes it; `comment` is the input as judged (with
//!   the arrival time a live server stamps when the client sent none), so the entry can be
//!   judged again; `input_hash` is SHA-256 of `comment` as written here.
//! - `session` names one process (start time and pid); `seq` counts within it. The author
//!   policy (duplicates, floods, repeat offenders) starts fresh with each session and sees the
//!   session's comments in `seq` order, which is how [`replay`] reproduces it.
//! - Lines are appended by one writer thread and made durable with `fsync` in batches (at most
//!   [`SYNC_EVERY`] lines or [`SYNC_AFTER`] after the first unsynced line); closing the ledger
//!   syncs what is left. A crash loses at most the last batch; a torn last line is skipped
//!   (and counted) by `replay`.
//! - Each config a ledger names is copied once into `LEDGER.configs/<hex>/` (config file and
//!   rule files, with a `MANIFEST`), so `moderate replay` can rebuild it after the files changed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::reload::hex;
use crate::comment::{Comment, CommentKind};
use crate::verdict::Verdict;
use crate::write::{Judged, Sink};

mod replay;
pub use replay::{replay, AuthorState, Configs, Difference, ReplayReport};

/// Most lines between two fsyncs.
pub const SYNC_EVERY: usize = 512;
/// Most lines waiting for the writer thread (about 1.5 KB each: a bound of ~12 MB).
pub const BACKLOG: usize = 8192;
/// Longest time a line waits for its fsync.
pub const SYNC_AFTER: Duration = Duration::from_millis(50);

/// The input of one ledger entry: the comment fields a verdict depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerComment {
    /// The comment's id.
    pub id: String,
    /// The text judged.
    pub body: String,
    /// Author name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// comment / pingback / trackback.
    #[serde(default)]
    pub kind: CommentKind,
    /// Author URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// Author e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    /// Author IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Posting time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Post / thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// Parent comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The site's earlier approval, if the input carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
}

impl LedgerComment {
    /// The ledger form of `c`.
    pub fn of(c: &Comment) -> LedgerComment {
        LedgerComment {
            id: c.id.clone(),
            body: c.body.clone(),
            author: c.author.clone(),
            kind: c.kind,
            author_url: c.author_url.clone(),
            author_email: c.author_email.clone(),
            ip: c.ip.clone(),
            created_at: c.created_at.clone(),
            post_id: c.post_id.clone(),
            parent: c.parent.clone(),
            approved: c.approved,
        }
    }

    /// Back to a comment, for judging again.
    pub fn to_comment(&self) -> Comment {
        Comment {
            id: self.id.clone(),
            body: self.body.clone(),
            author: self.author.clone(),
            kind: self.kind,
            author_url: self.author_url.clone(),
            author_email: self.author_email.clone(),
            ip: self.ip.clone(),
            created_at: self.created_at.clone(),
            post_id: self.post_id.clone(),
            parent: self.parent.clone(),
            approved: self.approved,
            ..Comment::default()
        }
    }
}

/// One ledger line, as read back.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    /// Position within the session.
    pub seq: u64,
    /// The process that wrote it.
    pub session: String,
    /// When it was written (UTC).
    #[serde(default)]
    pub at: String,
    /// Program version.
    #[serde(default)]
    pub version: String,
    /// Config hash.
    pub config: String,
    /// SHA-256 of `comment`.
    #[serde(default)]
    pub input_hash: String,
    /// The input.
    pub comment: LedgerComment,
    /// The verdict record as given.
    pub verdict: serde_json::Value,
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `secs` since 1970 (UTC).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A fresh session name: start time and process id.
pub fn new_session() -> String {
    format!("{}#{}", utc(super::reload::now_secs()), std::process::id())
}

/// Renders the ledger line of `comment` judged `verdict` under config `config` (without the
/// leading `{"seq":N,`, which the writer adds in order: see [`Ledger::append`]).
pub fn render_tail(session: &str, config: &str, comment: &Comment, verdict: &Verdict) -> Vec<u8> {
    let lc = LedgerComment::of(comment);
    let comment_json = serde_json::to_vec(&lc).unwrap_or_default();
    let input_hash = format!("sha256:{}", hex(&Sha256::digest(&comment_json)));
    let mut out = Vec::with_capacity(comment_json.len() + 256);
    let _ = write!(
        out,
        "\"session\":{},\"at\":\"{}\",\"version\":\"{}\",\"config\":{},\"input_hash\":\"{input_hash}\",\"comment\":",
        serde_json::Value::from(session),
        utc(super::reload::now_secs()),
        env!("CARGO_PKG_VERSION"),
        serde_json::Value::from(config),
    );
    out.extend_from_slice(&comment_json);
    out.extend_from_slice(b",\"verdict\":");
    let _ = serde_json::to_writer(&mut out, verdict);
    out.extend_from_slice(b"}\n");
    out
}

/// Copies the files of `snap` into `LEDGER.configs/<hex>/` unless already there.
///
/// # Errors
/// The directory cannot be written. A file outside the config directory (an absolute path or
/// `..`) is not copied; replay then finds the copy incomplete and says so.
pub fn remember_config(ledger: &Path, hash: &str, files: &[(String, String)]) -> io::Result<()> {
    remember_config_with(ledger, hash, files, &[])
}

/// [`remember_config`] plus the binary files the config reads (its models, which the loader
/// does not list among the files it read: without them a stored copy would not load).
///
/// # Errors
/// A file cannot be written.
pub fn remember_config_with(
    ledger: &Path,
    hash: &str,
    files: &[(String, String)],
    binaries: &[(String, Vec<u8>)],
) -> io::Result<()> {
    let dir = configs_dir(ledger).join(hash_dir(hash));
    if dir.join("MANIFEST").is_file() {
        return Ok(());
    }
    let tmp = configs_dir(ledger).join(format!(".tmp-{}-{}", hash_dir(hash), std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp)?;
    let mut manifest = String::new();
    for (i, (rel, text)) in files.iter().enumerate() {
        let p = Path::new(rel);
        let safe = p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !safe {
            manifest.push_str(&format!("skipped\t{rel}\n"));
            continue;
        }
        let target = tmp.join(p);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, text)?;
        manifest.push_str(&format!("{}\t{rel}\n", if i == 0 { "config" } else { "file" }));
    }
    for (rel, bytes) in binaries {
        let p = Path::new(rel);
        if !p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
            manifest.push_str(&format!("skipped\t{rel}\n"));
            continue;
        }
        let target = tmp.join(p);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, bytes)?;
        manifest.push_str(&format!("binary\t{rel}\n"));
    }
    fs::write(tmp.join("MANIFEST"), format!("hash\t{hash}\n{manifest}"))?;
    match fs::rename(&tmp, &dir) {
        Ok(()) => Ok(()),
        // Someone else stored it first.
        Err(_) if dir.join("MANIFEST").is_file() => fs::remove_dir_all(&tmp),
        Err(e) => Err(e),
    }
}

/// `LEDGER.configs`.
pub fn configs_dir(ledger: &Path) -> PathBuf {
    let mut name = ledger.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".configs");
    ledger.with_file_name(name)
}

fn hash_dir(hash: &str) -> String {
    hash.strip_prefix("sha256:").unwrap_or(hash).chars().filter(char::is_ascii_hexdigit).collect()
}

/// The config file of a stored copy, if `hash` was stored beside `ledger`.
pub fn stored_config(ledger: &Path, hash: &str) -> Option<PathBuf> {
    let dir = configs_dir(ledger).join(hash_dir(hash));
    let manifest = fs::read_to_string(dir.join("MANIFEST")).ok()?;
    let rel = manifest.lines().find_map(|l| l.strip_prefix("config\t"))?;
    Some(dir.join(rel))
}

/// The ledger of a live server: lines go to a writer thread that appends and fsyncs in batches.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    session: String,
    seq: AtomicU64,
    tx: Mutex<Option<SyncSender<Vec<u8>>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    written: Arc<AtomicU64>,
}

impl Ledger {
    /// Opens `path` for appending (created when missing) and starts the writer thread.
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn open(path: &Path) -> io::Result<Ledger> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(BACKLOG);
        let written = Arc::new(AtomicU64::new(0));
        let w = Arc::clone(&written);
        let name = path.display().to_string();
        let thread = std::thread::Builder::new().name("ledger".into()).spawn(move || {
            let mut out = BufWriter::with_capacity(1 << 16, &file);
            let mut pending = 0usize;
            let mut since: Option<Instant> = None;
            let sync = |out: &mut BufWriter<&File>, pending: &mut usize| {
                let r = out.flush().and_then(|()| out.get_ref().sync_data());
                if let Err(e) = r {
                    tracing::error!("ledger {name}: {e}");
                }
                w.fetch_add(*pending as u64, Ordering::Relaxed);
                *pending = 0;
            };
            loop {
                let wait = since.map_or(Duration::from_secs(3600), |s| SYNC_AFTER.saturating_sub(s.elapsed()));
                match rx.recv_timeout(wait) {
                    Ok(line) => {
                        if let Err(e) = out.write_all(&line) {
                            tracing::error!("ledger {name}: {e}");
                        }
                        pending += 1;
                        since.get_or_insert_with(Instant::now);
                        if pending >= SYNC_EVERY {
                            sync(&mut out, &mut pending);
                            since = None;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if pending > 0 {
                            sync(&mut out, &mut pending);
                        }
                        since = None;
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        sync(&mut out, &mut pending);
                        let _ = file.sync_all();
                        return;
                    }
                }
            }
        })?;
        Ok(Ledger {
            path: path.to_path_buf(),
            session: new_session(),
            seq: AtomicU64::new(0),
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            written,
        })
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This process's session name.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Lines made durable so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Appends one entry made by [`render_tail`]. Call in verdict order (the caller holds the
    /// lock that orders the author policy). Waits when the writer is [`BACKLOG`] lines behind (back pressure instead of memory).
    pub fn append(&self, tail: &[u8]) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut line = Vec::with_capacity(tail.len() + 24);
        let _ = write!(line, "{{\"seq\":{seq},");
        line.extend_from_slice(tail);
        let tx = self.tx.lock().ok().and_then(|g| g.clone());
        match tx {
            Some(tx) => {
                if tx.send(line).is_err() {
                    tracing::error!("ledger {}: writer stopped; a verdict was not recorded", self.path.display());
                }
            }
            None => tracing::error!("ledger {}: closed; a verdict was not recorded", self.path.display()),
        }
    }

    /// Stops the writer after everything sent so far is written and synced.
    pub fn close(&self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
        let t = self.thread.lock().ok().and_then(|mut g| g.take());
        if let Some(t) = t {
            let _ = t.join();
        }
    }
}

/// `moderate run --ledger FILE`: the same lines from the write stage, synced in batches and at
/// the end.
pub struct LedgerSink {
    out: BufWriter<File>,
    session: String,
    config: String,
    seq: u64,
    unsynced: usize,
}

impl LedgerSink {
    /// Appends to `path`, naming the config by its hash (and storing a copy of its files and
    /// model files beside the ledger; see [`super::reload::describe`]).
    ///
    /// # Errors
    /// The file or the config copy cannot be written.
    pub fn open(path: &Path, config: &crate::serve::reload::ConfigFiles) -> io::Result<LedgerSink> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        remember_config_with(path, &config.hash, &config.files, &config.binaries)?;
        let hash = config.hash.as_str();
        Ok(LedgerSink {
            out: BufWriter::with_capacity(1 << 16, file),
            session: new_session(),
            config: hash.to_string(),
            seq: 0,
            unsynced: 0,
        })
    }

    fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_data()?;
        self.unsynced = 0;
        Ok(())
    }
}

impl Sink for LedgerSink {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        let Ok(c) = &judged.record else { return Ok(()) };
        self.seq += 1;
        write!(self.out, "{{\"seq\":{},", self.seq)?;
        self.out.write_all(&render_tail(&self.session, &self.config, c, &judged.verdict))?;
        self.unsynced += 1;
        if self.unsynced >= SYNC_EVERY * 8 {
            self.sync()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sync()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sync()
    }
}
