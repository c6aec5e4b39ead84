//! The author policy: state across a run, applied in input order after the rules.
//!
//! "The site reserves the right to block users who violate any of our posting standards." This
//! component remembers, per author, what their comments earned, and adds reasons of its own:
//! `author.blocked` (on the block list), `author.repeat-offender` (blocked N times before),
//! `spam.duplicate` (the same normalized body posted again), `spam.flood` (too many comments in a
//! window, per author or IP). Trusted authors skip score-only rules.
//!
//! It runs on one thread in input order (the pipeline's writer side), so verdicts never depend
//! on how many threads judged the comments.
//!
//! # Bounded memory: what is forgotten, and when
//!
//! A stream may bring any number of authors, so the state is a window, not a ledger:
//! - **Authors** ([`AUTHOR_WINDOW`] = 100,000): per author the policy keeps the report row
//!   (counts, rules, blocked ids), the block count behind `author.repeat-offender` and the
//!   "previously approved" trust. Once 100,000 other authors have posted since an author's last
//!   comment, that state is forgotten: a returning author starts again from zero blocks and
//!   untrusted. Their report row is kept for `--authors` if it holds a flag or a block (the rows a
//!   moderator acts on; at most 100,000 of those, the most blocked first) and merged with any
//!   later row of the same author; a row with neither is dropped and counted.
//! - **Flood windows** (per author and per IP, the same 100,000 window): each keeps at most
//!   `2 * max + 1` timestamps, the neighbours `spam.flood` needs in a dump that runs forwards or
//!   backwards in time ([`super::flood`]).
//! - **Duplicate bodies** ([`DUPLICATE_WINDOW`] = 100,000): the last 100,000 distinct bodies;
//!   an older text posted again is not a duplicate any more.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::comment::Comment;
use crate::config::{Flood, Thresholds};
use crate::decide::flood::{parse_minutes, FloodWindow};
use crate::verdict::{Action, Decision, Reason, Verdict};

/// How many distinct recent bodies the duplicate check remembers (memory stays flat: ~100 bytes
/// each).
pub const DUPLICATE_WINDOW: usize = 100_000;

/// How many distinct authors (and, separately, flood keys) the policy remembers; see the
/// module docs for what is forgotten.
pub const AUTHOR_WINDOW: usize = 100_000;

/// A map that remembers at most `cap` keys, forgetting the least recently used one first.
/// Every touch is O(1) amortized: touches go on a queue, stale queue entries are skipped on
/// eviction and the queue is compacted when it grows past twice the map.
#[derive(Debug)]
struct Window<V> {
    cap: usize,
    map: HashMap<String, (u64, V)>,
    order: VecDeque<(u64, String)>,
    clock: u64,
}

impl<V> Window<V> {
    fn new(cap: usize) -> Window<V> {
        Window { cap: cap.max(1), map: HashMap::new(), order: VecDeque::new(), clock: 0 }
    }

    fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key).map(|(_, v)| v)
    }

    /// The value of `key` (made by `new` if absent), marked as just used; the values forgotten
    /// to make room go to `evicted`.
    fn touch(&mut self, key: &str, new: impl FnOnce() -> V, evicted: &mut impl FnMut(String, V)) -> &mut V {
        self.clock += 1;
        let now = self.clock;
        if !self.map.contains_key(key) {
            while self.map.len() >= self.cap {
                let Some((at, old)) = self.order.pop_front() else { break };
                if self.map.get(&old).is_some_and(|(last, _)| *last == at) {
                    if let Some((_, v)) = self.map.remove(&old) {
                        evicted(old, v);
                    }
                }
            }
        }
        self.order.push_back((now, key.to_string()));
        if self.order.len() > 2 * self.cap + 16 {
            let map = &self.map;
            self.order.retain(|(at, k)| map.get(k).is_some_and(|(last, _)| last == at) || *at == now);
        }
        let slot = self.map.entry(key.to_string()).or_insert_with(|| (now, new()));
        slot.0 = now;
        &mut slot.1
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn values(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter().map(|(k, (_, v))| (k, v))
    }
}

/// What the policy remembers about one author.
#[derive(Debug, Default)]
struct AuthorState {
    row: AuthorReport,
    approved_before: bool,
}

/// The compiled `[authors]` section.
#[derive(Debug, Clone, Default)]
pub struct AuthorRules {
    /// Blocks before an author becomes a repeat offender (0 = off).
    pub repeat_blocks: usize,
    /// Action for a repeat offender's later comments.
    pub repeat_action: Option<Action>,
    /// Lowercased names/e-mails always blocked (the old plain block-list format).
    pub blocked: HashSet<String>,
    /// Identities always blocked (the JSON-lines block-list format: e-mail, IP range, URL
    /// domain, exact name).
    pub blocked_ids: crate::review::identity::BlockList,
    /// Lowercased names/e-mails that skip score-only rules.
    pub trusted: HashSet<String>,
    /// Trust authors with an earlier approved comment in the dump.
    pub trust_previously_approved: bool,
    /// Action for a repeated body.
    pub duplicate: Option<Action>,
    /// Flood control.
    pub flood: Option<Flood>,
}

impl AuthorRules {
    /// Whether some authors may skip score-only rules (so a comment blocked by score may be
    /// allowed after all, and keeps its censored text until then).
    pub fn may_trust(&self) -> bool {
        !self.trusted.is_empty() || self.trust_previously_approved
    }

    /// Whether any part of the policy is switched on (if not, the stage is skipped).
    pub fn is_active(&self) -> bool {
        self.repeat_blocks > 0
            || !self.blocked.is_empty()
            || !self.blocked_ids.is_empty()
            || !self.trusted.is_empty()
            || self.trust_previously_approved
            || self.duplicate.is_some()
            || self.flood.is_some()
    }
}

/// What one author did in a run: the `--authors` report row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuthorReport {
    /// The author's name (or e-mail when there is no name).
    pub author: String,
    /// Comments seen.
    pub comments: usize,
    /// Allowed comments.
    pub allow: usize,
    /// Flagged comments.
    pub flag: usize,
    /// Blocked comments.
    pub block: usize,
    /// How often each rule hit this author's comments.
    pub rules: BTreeMap<String, usize>,
    /// Ids of the author's blocked comments (first 20).
    pub blocked_ids: Vec<String>,
}

/// Per-run author state, bounded (see the module docs).
#[derive(Debug)]
pub struct AuthorPolicy {
    rules: AuthorRules,
    thresholds: Thresholds,
    authors: Window<AuthorState>,
    seen_bodies: HashMap<u64, String>,
    body_order: VecDeque<u64>,
    windows: Window<FloodWindow>,
    /// Report rows of forgotten authors that hold a flag or a block, by author key.
    retired: Vec<(String, AuthorReport)>,
    /// Report rows dropped (forgotten without a flag or a block, or past the retired bound).
    dropped: u64,
}

impl Default for AuthorPolicy {
    fn default() -> Self {
        AuthorPolicy::new(AuthorRules::default(), Thresholds::default())
    }
}

fn key_of(c: &Comment) -> Option<String> {
    c.author
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .or(c.author_email.as_deref().filter(|e| !e.trim().is_empty()))
        .map(|a| a.trim().to_lowercase())
}

fn reason(rule: &str, category: &str, action: Action, message: String) -> Reason {
    Reason {
        rule: rule.into(),
        category: category.into(),
        action: Some(action),
        score: 0.0,
        message,
        matches: vec![],
        counted_by: None,
        match_count: None,
        shadow: None,
    }
}

/// The duplicate key of a body: its letters and digits, lowercased, hashed; `None` for a
/// body with fewer than 20 of them ("+1", "thanks" repeat innocently).
///
/// Cheap enough to run per comment on the judge threads (one pass, no allocation, no SipHash
/// per character): two independent 64-bit multiply-rotate lanes, so an accidental collision of
/// two different texts is out of reach (about 2^-128). It is not a cryptographic hash; a
/// crafted collision only makes its author's own later comment count as a duplicate.
pub fn body_hash(body: &str) -> Option<u64> {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3u64, 0x1319_8A2E_0370_7344u64);
    let mut n = 0u32;
    let mut feed = |c: char| {
        let c = u64::from(c);
        a = (a ^ c).wrapping_mul(K1).rotate_left(29);
        b = (b.rotate_left(17) ^ c).wrapping_mul(K2);
    };
    for ch in body.chars() {
        if ch.is_ascii() {
            if ch.is_ascii_alphanumeric() {
                feed(ch.to_ascii_lowercase());
                n += 1;
            }
        } else if ch.is_alphanumeric() {
            ch.to_lowercase().for_each(&mut feed);
            n += 1;
        }
    }
    (n >= 20).then(|| {
        let x = (a ^ b.rotate_left(32)).wrapping_mul(K2);
        x ^ (x >> 31)
    })
}

impl AuthorPolicy {
    /// A fresh policy state.
    pub fn new(rules: AuthorRules, thresholds: Thresholds) -> AuthorPolicy {
        AuthorPolicy::with_window(rules, thresholds, AUTHOR_WINDOW)
    }

    /// A fresh policy state remembering at most `window` authors (and flood keys).
    pub fn with_window(rules: AuthorRules, thresholds: Thresholds, window: usize) -> AuthorPolicy {
        AuthorPolicy {
            rules,
            thresholds,
            authors: Window::new(window),
            seen_bodies: HashMap::new(),
            body_order: VecDeque::new(),
            windows: Window::new(window),
            retired: Vec::new(),
            dropped: 0,
        }
    }

    /// How many authors and flood keys are remembered right now (bounded by the window).
    pub fn remembered(&self) -> usize {
        self.authors.len() + self.windows.len()
    }

    /// Takes `other`'s rules and thresholds and keeps this state (recent bodies, flood windows,
    /// per-author counts): how a live server carries the policy across a config reload.
    pub fn adopt_rules(&mut self, other: AuthorPolicy) {
        self.rules = other.rules;
        self.thresholds = other.thresholds;
    }

    /// Applies the policy to the next comment (in input order) and records it in the report.
    pub fn apply(&mut self, c: &Comment, v: &mut Verdict) {
        self.apply_hashed(c, v, body_hash(&c.body));
    }

    /// [`AuthorPolicy::apply`] with the comment's [`body_hash`] already computed (the pipeline
    /// computes it on the judge threads). Returns whether the verdict changed.
    pub fn apply_hashed(&mut self, c: &Comment, v: &mut Verdict, hash: Option<u64>) -> bool {
        if v.verdict == Decision::Error {
            return false;
        }
        let key = key_of(c);
        let changed = self.rules.is_active() && self.adjust(c, key.as_deref(), v, hash);
        // Block wins over censor, also when nothing above changed the verdict.
        let changed = crate::decide::censor::settle(v) || changed;
        if let Some(k) = key {
            let (retired, dropped) = (&mut self.retired, &mut self.dropped);
            let mut retire = |k: String, st: AuthorState| retire(retired, dropped, k, st.row);
            let state = self.authors.touch(&k, AuthorState::default, &mut retire);
            if c.approved == Some(true) {
                state.approved_before = true;
            }
            let row = &mut state.row;
            if row.comments == 0 {
                row.author = c.author.clone().or_else(|| c.author_email.clone()).unwrap_or_default();
            }
            row.comments += 1;
            match v.verdict {
                Decision::Allow => row.allow += 1,
                Decision::Flag => row.flag += 1,
                Decision::Block => {
                    row.block += 1;
                    if row.blocked_ids.len() < 20 {
                        row.blocked_ids.push(v.id.clone());
                    }
                }
                Decision::Error => {}
            }
            for r in &v.reasons {
                *row.rules.entry(r.rule.clone()).or_default() += 1;
            }
        }
        changed
    }

    /// Adds the policy's own reasons; returns whether the verdict changed.
    fn adjust(&mut self, c: &Comment, key: Option<&str>, v: &mut Verdict, hash: Option<u64>) -> bool {
        let r = &self.rules;
        let email = c.author_email.as_deref().map(|e| e.trim().to_lowercase());
        let listed = |set: &HashSet<String>| {
            key.is_some_and(|k| set.contains(k)) || email.as_ref().is_some_and(|e| set.contains(e))
        };
        let trusted = listed(&r.trusted)
            || (r.trust_previously_approved
                && key.and_then(|k| self.authors.get(k)).is_some_and(|st| st.approved_before));
        let mut changed = false;
        if trusted && v.reasons.iter().any(|x| x.action.is_none()) {
            v.reasons.retain(|x| x.action.is_some());
            changed = true;
        }
        let who = crate::review::identity::Who {
            name: c.author.as_deref(),
            email: c.author_email.as_deref(),
            url: c.author_url.as_deref(),
            ip: c.ip.as_deref(),
        };
        if listed(&r.blocked) {
            v.reasons.push(reason(
                "author.blocked",
                "author",
                Action::Block,
                "the author is on the site's block list".into(),
            ));
            changed = true;
        } else if let Some((kind, _)) = r.blocked_ids.matches(&who) {
            v.reasons.push(reason(
                "author.blocked",
                "author",
                Action::Block,
                format!("the author's {} is on the site's block list", kind.as_str()),
            ));
            changed = true;
        }
        if r.repeat_blocks > 0 {
            if let (Some(k), Some(action)) = (key, r.repeat_action) {
                let blocks = self.authors.get(k).map_or(0, |st| st.row.block);
                if blocks >= r.repeat_blocks {
                    v.reasons.push(reason(
                        "author.repeat-offender",
                        "author",
                        action,
                        format!("the author's comments were blocked {blocks} times before in this run"),
                    ));
                    changed = true;
                }
            }
        }
        if let Some(action) = r.duplicate {
            if let Some(h) = hash {
                match self.seen_bodies.get(&h) {
                    Some(first) => {
                        v.reasons.push(reason(
                            "spam.duplicate",
                            "spam",
                            action,
                            format!("the same text was posted before as {first}"),
                        ));
                        changed = true;
                    }
                    None => {
                        // A bounded window keeps memory flat on any dump size.
                        if self.body_order.len() >= DUPLICATE_WINDOW {
                            if let Some(old) = self.body_order.pop_front() {
                                self.seen_bodies.remove(&old);
                            }
                        }
                        self.seen_bodies.insert(h, c.id.clone());
                        self.body_order.push_back(h);
                    }
                }
            }
        }
        if let (Some(flood), Some(t)) = (r.flood, c.created_at.as_deref().and_then(parse_minutes)) {
            for who in
                [key.map(|k| format!("a:{k}")), c.ip.as_deref().filter(|i| !i.is_empty()).map(|i| format!("ip:{i}"))]
                    .into_iter()
                    .flatten()
            {
                let w = self.windows.touch(&who, FloodWindow::default, &mut |_, _| {});
                if w.add(t, flood.max, flood.minutes) {
                    let who = who.split_once(':').map_or("", |(_, x)| x);
                    v.reasons.push(reason(
                        "spam.flood",
                        "spam",
                        flood.action,
                        format!("{who} posted more than {} comments within {} minutes", flood.max, flood.minutes),
                    ));
                    changed = true;
                    break;
                }
            }
        }
        if changed {
            crate::decide::recompute(v, &self.thresholds);
        }
        changed
    }

    /// The per-author report, most blocked first: the remembered authors plus the kept rows of
    /// forgotten ones (merged by author).
    pub fn report(&self) -> Vec<AuthorReport> {
        let mut by_key: HashMap<&str, AuthorReport> = HashMap::new();
        let all = self.retired.iter().map(|(k, r)| (k, r)).chain(self.authors.values().map(|(k, st)| (k, &st.row)));
        for (k, row) in all {
            match by_key.get_mut(k.as_str()) {
                Some(acc) => merge(acc, row),
                None => {
                    by_key.insert(k, row.clone());
                }
            }
        }
        let mut rows: Vec<_> = by_key.into_values().collect();
        rows.sort_by(|a, b| (b.block, b.flag, &a.author).cmp(&(a.block, a.flag, &b.author)));
        rows
    }

    /// Report rows dropped because their authors were forgotten without a flag or a block.
    pub fn dropped_rows(&self) -> u64 {
        self.dropped
    }
}

/// Keeps a forgotten author's row if a moderator would act on it (a flag or a block), within
/// a bound of [`AUTHOR_WINDOW`] rows (the most blocked kept); counts what is dropped.
fn retire(retired: &mut Vec<(String, AuthorReport)>, dropped: &mut u64, key: String, row: AuthorReport) {
    if row.block == 0 && row.flag == 0 {
        *dropped += 1;
        return;
    }
    retired.push((key, row));
    if retired.len() >= 2 * AUTHOR_WINDOW {
        retired.sort_by_key(|(_, r)| std::cmp::Reverse((r.block, r.flag)));
        *dropped += (retired.len() - AUTHOR_WINDOW) as u64;
        retired.truncate(AUTHOR_WINDOW);
    }
}

/// Adds `row`'s counts into `acc` (the same author seen before and after being forgotten).
fn merge(acc: &mut AuthorReport, row: &AuthorReport) {
    acc.comments += row.comments;
    acc.allow += row.allow;
    acc.flag += row.flag;
    acc.block += row.block;
    for (rule, n) in &row.rules {
        *acc.rules.entry(rule.clone()).or_default() += n;
    }
    for id in &row.blocked_ids {
        if acc.blocked_ids.len() < 20 {
            acc.blocked_ids.push(id.clone());
        }
    }
}
