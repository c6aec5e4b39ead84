//! The memo of pattern checks: which expanded patterns (and `unless_after` contexts) this
//! executable has already parsed, checked and found valid, so a later load skips the parse.
//!
//! What a check concludes — the pattern parses, its counted repetitions and compiled size are
//! within limits, whether it matches the empty string — is a function of the expanded text and
//! of the regex parser built into this executable alone, so the memo is keyed by the
//! executable ([`cache::Key::checks`]) and holds, per pattern that passed, the SHA-256 of its
//! text (with what kind of check it passed) and the empty-match flag. Parsing the shipped
//! pack's patterns was about half of a warm start's instructions (docs/bench.md).
//!
//! Only a pattern that passed is remembered, so a pattern with an error is parsed (and its
//! error reported, located) at every load. `moderate check` reads no memo: it runs every
//! check. A forged memo can only claim an invalid pattern valid; the matcher then parses it
//! at first use and a pattern that does not parse never matches (no panic).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::matcher::cache;

/// Most entries a memo file keeps (the shipped pack has about 200): past it, only the
/// entries of the load that writes it.
const MAX_ENTRIES: usize = 1 << 16;
/// Bytes per entry: digest and flags.
const ENTRY: usize = 33;

/// What kind of check a text passed (part of its digest, so one text can pass one and not
/// another).
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// A rule's pattern or `unless_after` cue: parse, repetition and size.
    Pattern,
    /// A raw-text wordlist's alternation: parse and size.
    RawList,
    /// An `unless_after` context: it compiles.
    Context,
}

/// The memo as read at the start of a load, and what the load adds.
#[derive(Debug, Default)]
pub(super) struct Memo {
    /// Digest → flags ([`EMPTY`]) of the entries read (none when reading is off).
    known: HashMap<[u8; 32], u8>,
    /// Entries this load looked up or added (what is written back).
    used: HashMap<[u8; 32], u8>,
    /// Checks answered by the memo, and checks made (for the debug log).
    hits: usize,
    made: usize,
    /// Whether an entry was added (only then is the file written).
    added: bool,
    /// Where the memo lives (None: no cache).
    dir: Option<PathBuf>,
}

/// Flag: the pattern matches the empty string.
pub(super) const EMPTY: u8 = 1;

impl Memo {
    /// The memo of this executable, read when `read` (not for `moderate check`) and the cache
    /// is on; it is written back by [`Self::save`] either way when the cache is on.
    pub(super) fn open(read: bool) -> Memo {
        let dir = cache::enabled().then(cache::dir).flatten();
        let known = match (&dir, read) {
            (Some(d), true) => cache::load(d, &cache::Key::checks()).map(|b| parse(&b)).unwrap_or_default(),
            _ => HashMap::new(),
        };
        Memo { known, dir, ..Memo::default() }
    }

    /// The digest of `text` checked as `kind`.
    pub(super) fn digest(kind: Kind, text: &str) -> [u8; 32] {
        cache::digest(&[&[kind as u8], text.as_bytes()])
    }

    /// The flags of `digest` when it passed before.
    pub(super) fn get(&mut self, digest: &[u8; 32]) -> Option<u8> {
        let flags = *self.known.get(digest)?;
        self.used.insert(*digest, flags);
        self.hits += 1;
        Some(flags)
    }

    /// Remembers that `digest` passed, with `flags`.
    pub(super) fn add(&mut self, digest: [u8; 32], flags: u8) {
        self.made += 1;
        if self.dir.is_some() && self.used.insert(digest, flags).is_none() {
            self.added = true;
        }
    }

    /// Writes the memo back when this load added to it: the entries read and this load's,
    /// or this load's alone past [`MAX_ENTRIES`].
    pub(super) fn save(self) {
        tracing::debug!("pattern checks: {} known from the memo, {} made", self.hits, self.made);
        let Some(dir) = self.dir.filter(|_| self.added) else { return };
        let mut all = self.used;
        if all.len() + self.known.len() <= MAX_ENTRIES {
            all.extend(self.known);
        }
        let mut entries: Vec<([u8; 32], u8)> = all.into_iter().take(MAX_ENTRIES).collect();
        entries.sort_unstable();
        let mut bytes = Vec::with_capacity(entries.len() * ENTRY);
        for (d, f) in entries {
            bytes.extend_from_slice(&d);
            bytes.push(f);
        }
        cache::store(&dir, &cache::Key::checks(), &bytes);
    }
}

/// A memo file's payload; empty when it is not whole entries with known flags.
fn parse(bytes: &[u8]) -> HashMap<[u8; 32], u8> {
    if bytes.len() % ENTRY != 0 || bytes.len() / ENTRY > MAX_ENTRIES {
        return HashMap::new();
    }
    let mut out = HashMap::with_capacity(bytes.len() / ENTRY);
    for e in bytes.chunks_exact(ENTRY) {
        let (d, f) = e.split_at(32);
        if f[0] & !EMPTY != 0 {
            return HashMap::new();
        }
        out.insert(d.try_into().unwrap_or([0; 32]), f[0]);
    }
    out
}
