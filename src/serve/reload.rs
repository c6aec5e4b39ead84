//! Hot reload: the compiled config as one immutable [`Snapshot`], swapped whole.
//!
//! A request takes the current `Arc<Snapshot>` once (a read lock held for one `Arc` clone) and
//! judges everything it carries with it, so no request ever sees half a config and every
//! response can name the config it was judged with ([`Snapshot::hash`]).
//!
//! A reload (SIGHUP, or a change of `config.toml` or any file it read) loads and compiles the
//! new config on one long-lived thread ([`ConfigThread`]), off the request path, and only then
//! swaps the pointer. The replaced snapshot is dropped on that same thread once the last
//! request in flight that holds it has finished, so a config's memory is allocated and freed
//! in one malloc arena and no request pays for freeing it. A
//! config with errors keeps the old snapshot serving; its `file:line:col` diagnostics are
//! logged and shown in `/v1/status` until a good edit replaces them.
//!
//! Change detection polls the (modification time, length) of every file the last load read,
//! once per `interval` (default 1 s). Why polling rather than inotify (`notify`): a config is a
//! handful of files, so a poll costs a few `stat`s per second; it sees editors that save by
//! renaming a new file over the old one, and files on network or container mounts where
//! inotify is silent; and it needs no extra dependency. A change is loaded once the files held
//! still for one look (a file caught mid-write is not loaded), so reload latency is at most two
//! intervals.
//!
//! The config hash is SHA-256 over every file the load read (config first, then rule files in
//! load order), each as its path relative to the config's directory, a NUL, its length and its
//! text. The built-in pack and an identical copy on disk hash the same.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use crate::config::{self, Loaded};
use crate::engine::Engine;

/// One compiled config, immutable once built.
#[derive(Debug)]
pub struct Snapshot {
    /// The compiled engine.
    pub engine: Engine,
    /// The config as written (field mapping, author policy switches).
    pub raw: config::RawConfig,
    /// `sha256:` + hex of the files read (see the module docs).
    pub hash: String,
    /// Every file read, as (path relative to the config directory, text): what a ledger
    /// snapshot stores so `moderate replay` can rebuild this exact config.
    pub files: Vec<(String, String)>,
    /// The binary files (models) the config reads, relative to its directory, with their
    /// bytes: stored beside a ledger with `files` and watched (the loader does not list them
    /// among the files it read, so they are not in the hash: the built-in pack and its files
    /// on disk hash the same).
    pub binaries: Vec<(String, Vec<u8>)>,
    /// Files on disk to watch (empty for the built-in pack).
    pub watch: Vec<PathBuf>,
    /// When this snapshot was loaded (seconds since 1970).
    pub loaded_at: u64,
    /// The `[input.fields]` mapping, ready for request bodies.
    pub fields: super::input::Fields,
}

impl Snapshot {
    /// Builds a snapshot from a successful load of the config at `path` (None: built-in).
    /// Every regex pattern is compiled here (they are otherwise compiled on first use), so
    /// the first requests after a reload do not pay for it.
    pub fn new(loaded: Loaded, path: Option<&Path>) -> Snapshot {
        let dir = config_dir(path);
        let files = relative_files(&loaded.diagnostics, dir.as_deref());
        for (rule, e) in loaded.engine.compile_all() {
            tracing::warn!("rule {rule}: pattern does not compile: {e}");
        }
        let binaries = binary_files(&loaded.raw, dir.as_deref());
        let watch = match &dir {
            Some(d) => loaded
                .diagnostics
                .files()
                .map(|(n, _)| PathBuf::from(n))
                .chain(binaries.iter().map(|(n, _)| d.join(n)))
                .collect(),
            None => Vec::new(),
        };
        Snapshot {
            hash: hash_files(&files),
            binaries,
            fields: super::input::Fields::new(&loaded.raw.input.fields),
            engine: loaded.engine,
            raw: loaded.raw,
            files,
            watch,
            loaded_at: now_secs(),
        }
    }

    /// Whether the author policy has anything to do under this config.
    pub fn author_policy_active(&self) -> bool {
        let a = &self.raw.authors;
        a.repeat_blocks > 0
            || a.blocked.is_some()
            || a.trusted.is_some()
            || a.trust_previously_approved
            || a.duplicate.is_some()
            || a.flood.is_some()
    }
}

/// The model files the rules of `raw` read (relative to the config directory `dir`; None: the
/// built-in pack), with their bytes. Files of the built-in pack itself are left out: replay
/// finds them in the binary.
fn binary_files(raw: &config::RawConfig, dir: Option<&Path>) -> Vec<(String, Vec<u8>)> {
    let source = match dir {
        Some(d) => config::source::FileSource::Disk(d.to_path_buf()),
        None => return Vec::new(),
    };
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for rule in &raw.rules {
        let Some(config::Signal::Model { path, .. }) = rule.signal.as_ref().map(|s| &s.signal) else { continue };
        if path.starts_with(config::extends::BUILTIN_PREFIX) || out.iter().any(|(p, _)| p == path) {
            continue;
        }
        if let Ok((_, bytes)) = source.read_bytes(path, crate::model::format::MAX_FILE) {
            out.push((path.clone(), bytes));
        }
    }
    out
}

/// What `run --ledger` records of a load of the config at `path` (None: built-in), without
/// taking it apart: its hash, the files read (relative names; the diagnostics know them) and
/// the model files its rules read.
pub fn describe(diagnostics: &config::diag::Diagnostics, raw: &config::RawConfig, path: Option<&Path>) -> ConfigFiles {
    let dir = config_dir(path);
    let files = relative_files(diagnostics, dir.as_deref());
    let binaries = binary_files(raw, dir.as_deref());
    ConfigFiles { hash: hash_files(&files), files, binaries }
}

/// A config as a ledger stores it (see [`describe`]).
pub struct ConfigFiles {
    /// `sha256:` + hex over the files ([`hash_files`]).
    pub hash: String,
    /// (relative name, text) of every file read.
    pub files: Vec<(String, String)>,
    /// (relative name, bytes) of every model file.
    pub binaries: Vec<(String, Vec<u8>)>,
}

/// The config file the CLI would use: `path`, else `./config.toml` if present, else None (the
/// built-in pack). Resolved once so reloads read the same file.
pub fn resolve_config(path: Option<&Path>) -> Option<PathBuf> {
    match path {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from("config.toml")).filter(|p| p.is_file()),
    }
}

fn config_dir(path: Option<&Path>) -> Option<PathBuf> {
    let p = path?;
    Some(p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf())
}

/// The files of a load, named relative to the config directory (built-in names lose their
/// `<built-in>/` prefix).
fn relative_files(d: &config::diag::Diagnostics, dir: Option<&Path>) -> Vec<(String, String)> {
    d.files()
        .map(|(name, text)| {
            let rel = match dir {
                Some(dir) => Path::new(name)
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().into_owned())
                    .unwrap_or_else(|_| name.to_string()),
                None => name.strip_prefix("<built-in>/").unwrap_or(name).to_string(),
            };
            (rel, text.to_string())
        })
        .collect()
}

/// SHA-256 over `(name, text)` pairs in order, as `sha256:HEX`.
pub fn hash_files(files: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    format!("sha256:{}", hex(&h.finalize()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Seconds since 1970.
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Loads and compiles the config at `path` (None: the built-in pack).
///
/// # Errors
/// Every diagnostic, one `file:line:col: error: message` per line.
pub fn load(path: Option<&Path>) -> Result<(Snapshot, usize), String> {
    // `config::load(None)` would pick up ./config.toml; None here means the built-in pack.
    let loaded = match path {
        Some(p) => config::load(Some(p)),
        None => config::load_from(config::source::FileSource::Builtin, "config.toml"),
    };
    match loaded {
        Ok(loaded) => {
            let (_, warnings) = loaded.diagnostics.counts();
            Ok((Snapshot::new(loaded, path), warnings))
        }
        Err(d) => Err(d.short().trim_end().to_string()),
    }
}

/// The outcome of the last reload attempt, for `/v1/status`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReloadStatus {
    /// When the last attempt finished (seconds since 1970), if any.
    pub at: Option<u64>,
    /// Whether it succeeded.
    pub ok: Option<bool>,
    /// Its diagnostics when it failed (one `file:line:col: error: ...` per line).
    pub error: Option<String>,
    /// Successful reloads since start.
    pub reloads: u64,
    /// Failed reloads since start.
    pub failed: u64,
    /// Replaced configs still held by requests in flight (freed on the config thread when the
    /// last of them finishes; 0 on a quiet server).
    pub retired_in_use: usize,
}

/// A piece of work for the config thread.
type Job = Box<dyn FnOnce() + Send>;

enum Msg {
    Job(Job),
    /// Runs the closure every interval (it replaces any earlier ticker).
    Ticker(Duration, Box<dyn FnMut() + Send>),
}

/// The one long-lived thread that loads, compiles, swaps and frees configs.
///
/// Why one thread: compiling a config allocates a lot (tens of MB of automata and garbage), and
/// glibc's malloc gives each new thread an arena of its own that keeps its pages after the
/// thread is gone. Compiling each reload on a fresh pool thread spread configs and their
/// garbage over up to 8 arenas per core, and RSS grew with every reload (docs/serve.md, *Soak
/// run*). On one thread every load reuses the same arena, and an old config is dropped here
/// too (never on a request thread, where freeing tens of MB would show as latency).
pub struct ConfigThread {
    tx: Mutex<Option<mpsc::Sender<Msg>>>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for ConfigThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigThread").finish_non_exhaustive()
    }
}

impl ConfigThread {
    /// Starts the thread (named `config`).
    ///
    /// # Errors
    /// The thread cannot be spawned.
    pub fn spawn() -> std::io::Result<ConfigThread> {
        let (tx, rx) = mpsc::channel::<Msg>();
        let handle = std::thread::Builder::new().name("config".into()).spawn(move || {
            let mut ticker: Option<(Duration, Box<dyn FnMut() + Send>)> = None;
            let mut next = Instant::now();
            loop {
                let msg = match &ticker {
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    Some(_) => rx.recv_timeout(next.saturating_duration_since(Instant::now())),
                };
                match msg {
                    Ok(Msg::Job(job)) => job(),
                    Ok(Msg::Ticker(every, f)) => {
                        ticker = Some((every, f));
                        next = Instant::now() + every;
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if let Some((every, f)) = &mut ticker {
                            f();
                            next = Instant::now() + *every;
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })?;
        Ok(ConfigThread { tx: Mutex::new(Some(tx)), handle: Mutex::new(Some(handle)) })
    }

    fn send(&self, msg: Msg) -> bool {
        let tx = self.tx.lock().ok().and_then(|g| g.clone());
        tx.is_some_and(|tx| tx.send(msg).is_ok())
    }

    /// Runs `f` on the thread and waits for its result (None: the thread has stopped).
    pub fn call<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        if !self.send(Msg::Job(Box::new(move || {
            let _ = tx.send(f());
        }))) {
            return None;
        }
        rx.recv().ok()
    }

    /// [`ConfigThread::call`] for async callers: the runtime thread is not blocked.
    pub async fn call_async<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if !self.send(Msg::Job(Box::new(move || {
            let _ = tx.send(f());
        }))) {
            return None;
        }
        rx.await.ok()
    }

    /// Runs `f` on the thread every `every` (replacing any earlier ticker).
    fn tick(&self, every: Duration, f: impl FnMut() + Send + 'static) {
        self.send(Msg::Ticker(every, Box::new(f)));
    }

    /// Stops the thread once the work sent so far is done, and waits for it.
    pub fn stop(&self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
        let h = self.handle.lock().ok().and_then(|mut g| g.take());
        if let Some(h) = h {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }
}

impl Drop for ConfigThread {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Called on the config thread with a new snapshot before it is swapped in (e.g. to store
/// the config beside the ledger before any ledger line names it).
pub type BeforeSwap = Box<dyn Fn(&Snapshot) + Send + Sync>;

/// The current snapshot and what reloading needs.
pub struct Reloader {
    current: RwLock<Arc<Snapshot>>,
    path: Option<PathBuf>,
    status: Mutex<ReloadStatus>,
    /// (path, mtime, len) of every watched file when last looked at.
    stamps: Mutex<Vec<(PathBuf, Stamp)>>,
    /// Replaced snapshots that requests in flight may still hold; only the config thread
    /// touches this list, and drops an entry once it holds the last reference.
    retired: Mutex<Vec<Arc<Snapshot>>>,
    before_swap: Option<BeforeSwap>,
    thread: ConfigThread,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").field("path", &self.path).finish_non_exhaustive()
    }
}

/// A file's (modification time, length), or None when it cannot be read.
pub type Stamp = Option<(SystemTime, u64)>;

fn stamp(p: &Path) -> Stamp {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// The watcher's decision: the files differ from what the last load read (`loaded`) and look
/// now as they looked at the previous look (`seen`, updated here).
pub fn settled_change(loaded: &[Stamp], now: Vec<Stamp>, seen: &mut Option<Vec<Stamp>>) -> bool {
    if loaded == now.as_slice() {
        *seen = None;
        return false;
    }
    let settled = seen.as_ref() == Some(&now);
    *seen = if settled { None } else { Some(now) };
    settled
}

/// How often the config thread looks for replaced configs no request holds any more.
const FREE_EVERY: Duration = Duration::from_millis(250);

impl Reloader {
    /// Starts with `first`, loaded from `path` (None: built-in pack), on `thread` (which
    /// should have loaded `first` too, so that every config lives in one arena). The thread
    /// looks at the watched files every `watch` (None: only [`Reloader::reload`] reloads).
    pub fn new(
        first: Snapshot,
        path: Option<PathBuf>,
        thread: ConfigThread,
        watch: Option<Duration>,
        before_swap: Option<BeforeSwap>,
    ) -> Arc<Reloader> {
        let stamps = Self::stamps_for(&first.watch, path.as_deref());
        let watching = path.is_some();
        let r = Arc::new(Reloader {
            current: RwLock::new(Arc::new(first)),
            path,
            status: Mutex::new(ReloadStatus::default()),
            stamps: Mutex::new(stamps),
            retired: Mutex::new(Vec::new()),
            before_swap,
            thread,
        });
        // The ticker holds a weak reference: the Reloader owns the thread, not the other way.
        let weak = Arc::downgrade(&r);
        let watch = watch.filter(|_| watching);
        let every = watch.map_or(FREE_EVERY, |w| w.min(FREE_EVERY));
        let mut last_look = Instant::now();
        let mut seen = None;
        r.thread.tick(every, move || {
            let Some(r) = weak.upgrade() else { return };
            if let Some(w) = watch {
                if last_look.elapsed() >= w {
                    last_look = Instant::now();
                    if r.changed_and_settled(&mut seen) {
                        let _ = r.reload_here("a config file changed");
                    }
                }
            }
            r.free_retired();
        });
        r
    }

    fn stamps_for(watch: &[PathBuf], config: Option<&Path>) -> Vec<(PathBuf, Stamp)> {
        let mut paths: Vec<PathBuf> = watch.to_vec();
        if let Some(c) = config {
            if !paths.iter().any(|p| p == c) {
                paths.insert(0, c.to_path_buf());
            }
        }
        paths.into_iter().map(|p| (stamp(&p), p)).map(|(s, p)| (p, s)).collect()
    }

    /// The snapshot requests should use now.
    pub fn current(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The outcome of the last reload.
    pub fn status(&self) -> ReloadStatus {
        let mut s = self.status.lock().map(|s| s.clone()).unwrap_or_default();
        s.retired_in_use = self.retired.lock().map_or(0, |r| r.len());
        s
    }

    /// Whether a watched file changed since the last load *and* has held still since the
    /// previous look (`seen` carries what that look saw). A file caught mid-write (truncated,
    /// half copied, `std::fs::write` of a rule list) is not loaded as it is then: it is loaded
    /// one look later, once its (mtime, length) stopped moving, so a reload costs at most two
    /// intervals and a half-written list is never swapped in by the watcher.
    pub fn changed_and_settled(&self, seen: &mut Option<Vec<Stamp>>) -> bool {
        let Ok(stamps) = self.stamps.lock() else { return false };
        let now: Vec<Stamp> = stamps.iter().map(|(p, _)| stamp(p)).collect();
        let loaded: Vec<Stamp> = stamps.iter().map(|(_, s)| *s).collect();
        settled_change(&loaded, now, seen)
    }

    /// Loads the config again (on the config thread) and swaps it in when it compiles.
    /// Returns the new hash, or the diagnostics of a failed load (the old config stays).
    /// Reloads are serialized by the thread: a SIGHUP during a file-change reload waits.
    pub async fn reload(self: &Arc<Self>, why: &str) -> Result<String, String> {
        let me = Arc::clone(self);
        let why = why.to_string();
        self.thread
            .call_async(move || me.reload_here(&why))
            .await
            .unwrap_or_else(|| Err("the config thread has stopped".to_string()))
    }

    /// The reload itself; runs on the config thread.
    fn reload_here(&self, why: &str) -> Result<String, String> {
        // Look at the files before reading them: an edit during the load is seen next time.
        let before = Self::stamps_for(&self.current().watch, self.path.as_deref());
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(self.path.as_deref())))
            .unwrap_or_else(|_| Err("config load panicked".to_string()));
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status.at = Some(now_secs());
        match loaded {
            Ok((snap, warnings)) => {
                if let Some(f) = &self.before_swap {
                    f(&snap);
                }
                let hash = snap.hash.clone();
                let stamps = Self::stamps_for(&snap.watch, self.path.as_deref());
                let old =
                    std::mem::replace(&mut *self.current.write().unwrap_or_else(|p| p.into_inner()), Arc::new(snap));
                self.retired.lock().unwrap_or_else(|p| p.into_inner()).push(old);
                *self.stamps.lock().unwrap_or_else(|p| p.into_inner()) = stamps;
                status.ok = Some(true);
                status.error = None;
                status.reloads += 1;
                drop(status);
                tracing::info!(%hash, warnings, why, "config reloaded");
                self.free_retired();
                Ok(hash)
            }
            Err(diags) => {
                // Keep watching what the broken load saw, so fixing it triggers a reload.
                *self.stamps.lock().unwrap_or_else(|p| p.into_inner()) = before;
                status.ok = Some(false);
                status.error = Some(diags.clone());
                status.failed += 1;
                tracing::error!(why, "config reload failed; still serving the previous config:\n{diags}");
                Err(diags)
            }
        }
    }

    /// Drops, here on the config thread, every replaced snapshot no request holds any more.
    /// Nothing else can take a new reference to one: [`Reloader::current`] only hands out the
    /// snapshot now serving.
    fn free_retired(&self) {
        let done: Vec<Arc<Snapshot>> = {
            let mut retired = self.retired.lock().unwrap_or_else(|p| p.into_inner());
            let (done, held) = std::mem::take(&mut *retired).into_iter().partition(|s| Arc::strong_count(s) == 1);
            *retired = held;
            done
        };
        drop(done);
    }

    /// The config file reloads read (None: the built-in pack, nothing to watch).
    pub fn watched_path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Stops the config thread (after the reload in progress, if any). For shutdown.
    pub fn close(&self) {
        self.thread.stop();
    }
}
