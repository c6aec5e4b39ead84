//! Judging a ledger again: every entry with the config it names, the author policy replayed
//! per session in `seq` order, and the entries whose verdict is not what was recorded.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::Digest;

use super::{stored_config, Entry};
use crate::comment::Comment;
use crate::decide::author::AuthorPolicy;
use crate::serve::live;
use crate::serve::reload::{self, Snapshot};
use crate::verdict::Verdict;

/// The author policy across a stream that may change config: one state, whose rules follow
/// the config of each comment. Used by the live server and by [`replay`], so both apply the
/// policy the same way.
#[derive(Debug, Default)]
pub struct AuthorState {
    policy: Option<AuthorPolicy>,
    config: String,
}

impl AuthorState {
    /// Applies the policy of `snap` (if it has one) to the next comment, in order.
    pub fn apply(&mut self, snap: &Snapshot, c: &Comment, v: &mut Verdict) {
        if !snap.author_policy_active() {
            return;
        }
        match &mut self.policy {
            None => self.policy = Some(snap.engine.author_policy()),
            Some(p) if self.config != snap.hash => p.adopt_rules(snap.engine.author_policy()),
            Some(_) => {}
        }
        self.config.clone_from(&snap.hash);
        if let Some(p) = &mut self.policy {
            p.apply(c, v);
        }
    }
}

/// One entry whose verdict is not what it was.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The entry's session and seq.
    pub session: String,
    /// Position in the session.
    pub seq: u64,
    /// The comment id.
    pub id: String,
    /// The config it was judged with.
    pub config: String,
    /// The verdict recorded.
    pub was: serde_json::Value,
    /// The verdict now.
    pub now: serde_json::Value,
}

/// What a replay found.
#[derive(Debug, Default, Serialize)]
pub struct ReplayReport {
    /// Entries read.
    pub entries: u64,
    /// Entries judged again.
    pub rejudged: u64,
    /// Entries whose verdict is the same.
    pub same: u64,
    /// Entries whose verdict differs.
    pub differ: u64,
    /// Entries not judged again because their config is not available, by config hash.
    pub unavailable: HashMap<String, u64>,
    /// Lines that are not ledger entries (e.g. a line torn by a crash), by line number.
    pub bad_lines: Vec<u64>,
    /// Entries whose `comment` is not the one their `input_hash` was taken of (changed after it
    /// was written), by line number: not judged again, since a difference found on another
    /// text would be blamed on the config.
    pub mismatched: Vec<u64>,
}

/// Where replay looks for a config by hash: the copies beside the ledger, then these
/// candidates (the current config, the built-in pack) when their hash matches.
pub struct Configs {
    ledger: PathBuf,
    candidates: Vec<Arc<Snapshot>>,
    cache: HashMap<String, Option<Arc<Snapshot>>>,
}

impl Configs {
    /// Looks beside `ledger`, then among `candidates`.
    pub fn new(ledger: &Path, candidates: Vec<Snapshot>) -> Configs {
        Configs {
            ledger: ledger.to_path_buf(),
            candidates: candidates.into_iter().map(Arc::new).collect(),
            cache: HashMap::new(),
        }
    }

    /// The compiled config with this hash, if it can be had.
    pub fn get(&mut self, hash: &str) -> Option<Arc<Snapshot>> {
        if let Some(s) = self.cache.get(hash) {
            return s.clone();
        }
        let found = stored_config(&self.ledger, hash)
            .and_then(|p| reload::load(Some(&p)).ok())
            .map(|(s, _)| Arc::new(s))
            .filter(|s| s.hash == hash)
            .or_else(|| self.candidates.iter().find(|s| s.hash == hash).cloned());
        self.cache.insert(hash.to_string(), found.clone());
        found
    }
}

/// Judges every entry of `ledger` again with the config it names and calls `differ` for each
/// verdict that is not what was recorded.
///
/// # Errors
/// The ledger cannot be read, or `differ` fails.
pub fn replay(
    ledger: &Path,
    configs: &mut Configs,
    differ: &mut dyn FnMut(&Difference) -> io::Result<()>,
) -> io::Result<ReplayReport> {
    let file = File::open(ledger)?;
    let mut report = ReplayReport::default();
    let mut session = String::new();
    let mut authors = AuthorState::default();
    let mut line_no = 0u64;
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        line_no += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(entry) = serde_json::from_slice::<Entry>(&line) else {
            report.bad_lines.push(line_no);
            continue;
        };
        report.entries += 1;
        if !input_matches(&entry, &line) {
            report.mismatched.push(line_no);
            continue;
        }
        if entry.session != session {
            session.clone_from(&entry.session);
            authors = AuthorState::default();
        }
        let Some(snap) = configs.get(&entry.config) else {
            *report.unavailable.entry(entry.config.clone()).or_default() += 1;
            continue;
        };
        let comment = entry.comment.to_comment();
        let mut verdict = snap.engine.judge(&comment);
        // A block from the review queue is a fact of the moment, not of the config: give it back.
        if let Some(r) =
            entry.verdict["reasons"].as_array().into_iter().flatten().find(|r| r["rule"] == live::REVIEW_BLOCKED_RULE)
        {
            let who = r["message"].as_str().and_then(live::review_blocked_who).unwrap_or_default();
            live::add_review_block(&snap, &mut verdict, who);
        }
        authors.apply(&snap, &comment, &mut verdict);
        report.rejudged += 1;
        let now = serde_json::to_value(&verdict).unwrap_or_default();
        if same_json(&now, &entry.verdict) {
            report.same += 1;
        } else {
            report.differ += 1;
            differ(&Difference {
                session: entry.session,
                seq: entry.seq,
                id: entry.comment.id,
                config: entry.config,
                was: entry.verdict,
                now,
            })?;
        }
    }
    Ok(report)
}

/// Whether the entry's comment is the one its `input_hash` was taken of: the ledger writes the
/// hash of the comment's JSON and then those bytes, so the hash is checked on the bytes of the
/// line (a version that wrote the comment otherwise still matches) or on the comment written
/// again as this version writes it (a line a JSON tool reformatted still matches). An entry
/// without a hash (an older ledger) is taken as it is.
fn input_matches(entry: &Entry, line: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        comment: &'a serde_json::value::RawValue,
    }
    if entry.input_hash.is_empty() {
        return true;
    }
    let hash = |bytes: &[u8]| format!("sha256:{}", reload::hex(&sha2::Sha256::digest(bytes)));
    let raw = serde_json::from_slice::<Raw<'_>>(line).ok().map(|r| hash(r.comment.get().as_bytes()));
    raw.as_deref() == Some(entry.input_hash.as_str())
        || serde_json::to_vec(&entry.comment).is_ok_and(|j| hash(&j) == entry.input_hash)
}

/// JSON equality with numbers compared to 1e-9 (a float read back from text may differ from
/// the one written in its last bit).
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
            _ => x == y,
        },
        (V::Array(x), V::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same_json(a, b)))
        }
        _ => a == b,
    }
}
