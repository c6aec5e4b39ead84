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

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::comment::Comment;
use crate::config::{Flood, Thresholds};
use crate::verdict::{Action, Decision, Reason, Verdict};

/// How many distinct recent bodies the duplicate check remembers (memory stays flat: ~100 bytes
/// each).
pub const DUPLICATE_WINDOW: usize = 100_000;

/// The compiled `[authors]` section.
#[derive(Debug, Clone, Default)]
pub struct AuthorRules {
    /// Blocks before an author becomes a repeat offender (0 = off).
    pub repeat_blocks: usize,
    /// Action for a repeat offender's later comments.
    pub repeat_action: Option<Action>,
    /// Lowercased names/e-mails always blocked.
    pub blocked: HashSet<String>,
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
    /// Whether any part of the policy is switched on (if not, the stage is skipped).
    pub fn is_active(&self) -> bool {
        self.repeat_blocks > 0
            || !self.blocked.is_empty()
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

/// Per-run author state.
#[derive(Debug, Default)]
pub struct AuthorPolicy {
    rules: AuthorRules,
    thresholds: Thresholds,
    approved_before: HashSet<String>,
    seen_bodies: HashMap<u64, String>,
    body_order: VecDeque<u64>,
    windows: HashMap<String, VecDeque<i64>>,
    report: HashMap<String, AuthorReport>,
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
    }
}

/// Minutes since 1970 of an ISO-8601-ish timestamp (`2013-11-07T06:20:48`, `2010-01-01 12:00`).
pub fn parse_minutes(ts: &str) -> Option<i64> {
    let b = ts.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { std::str::from_utf8(b.get(r)?).ok()?.parse().ok() };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm) = if b.len() >= 16 { (num(11..13)?, num(14..16)?) } else { (0, 0) };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 1440 + hh * 60 + mm)
}

fn body_hash(body: &str) -> Option<u64> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut n = 0;
    for ch in body.chars().filter(|c| c.is_alphanumeric()) {
        for l in ch.to_lowercase() {
            l.hash(&mut h);
        }
        n += 1;
    }
    // Very short bodies ("+1", "thanks") repeat innocently.
    (n >= 20).then(|| h.finish())
}

impl AuthorPolicy {
    /// A fresh policy state.
    pub fn new(rules: AuthorRules, thresholds: Thresholds) -> AuthorPolicy {
        AuthorPolicy { rules, thresholds, ..AuthorPolicy::default() }
    }

    /// Takes `other`'s rules and thresholds and keeps this state (recent bodies, flood windows,
    /// per-author counts): how a live server carries the policy across a config reload.
    pub fn adopt_rules(&mut self, other: AuthorPolicy) {
        self.rules = other.rules;
        self.thresholds = other.thresholds;
    }

    /// Applies the policy to the next comment (in input order) and records it in the report.
    pub fn apply(&mut self, c: &Comment, v: &mut Verdict) {
        if v.verdict == Decision::Error {
            return;
        }
        let key = key_of(c);
        if self.rules.is_active() {
            self.adjust(c, key.as_deref(), v);
        }
        if let Some(k) = key {
            let row = self.report.entry(k).or_insert_with(|| AuthorReport {
                author: c.author.clone().or_else(|| c.author_email.clone()).unwrap_or_default(),
                ..AuthorReport::default()
            });
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
    }

    fn adjust(&mut self, c: &Comment, key: Option<&str>, v: &mut Verdict) {
        let r = &self.rules;
        let email = c.author_email.as_deref().map(|e| e.trim().to_lowercase());
        let listed = |set: &HashSet<String>| {
            key.is_some_and(|k| set.contains(k)) || email.as_ref().is_some_and(|e| set.contains(e))
        };
        let trusted = listed(&r.trusted)
            || (r.trust_previously_approved && key.is_some_and(|k| self.approved_before.contains(k)));
        let mut changed = false;
        if trusted && v.reasons.iter().any(|x| x.action.is_none()) {
            v.reasons.retain(|x| x.action.is_some());
            changed = true;
        }
        if listed(&r.blocked) {
            v.reasons.push(reason(
                "author.blocked",
                "author",
                Action::Block,
                "the author is on the site's block list".into(),
            ));
            changed = true;
        }
        if r.repeat_blocks > 0 {
            if let (Some(k), Some(action)) = (key, r.repeat_action) {
                let blocks = self.report.get(k).map_or(0, |row| row.block);
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
            if let Some(h) = body_hash(&c.body) {
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
                let w = self.windows.entry(who.clone()).or_default();
                while w.front().is_some_and(|&s| s <= t - flood.minutes as i64) {
                    w.pop_front();
                }
                w.push_back(t);
                if w.len() > flood.max {
                    let who = who.split_once(':').map_or("", |(_, x)| x);
                    v.reasons.push(reason(
                        "spam.flood",
                        "spam",
                        flood.action,
                        format!("{who} posted {} comments within {} minutes", w.len(), flood.minutes),
                    ));
                    changed = true;
                    break;
                }
            }
        }
        if changed {
            crate::decide::recompute(v, &self.thresholds);
        }
        if c.approved == Some(true) {
            if let Some(k) = key {
                self.approved_before.insert(k.to_string());
            }
        }
    }

    /// The per-author report, most blocked first.
    pub fn report(&self) -> Vec<AuthorReport> {
        let mut rows: Vec<_> = self.report.values().cloned().collect();
        rows.sort_by(|a, b| (b.block, b.flag, &a.author).cmp(&(a.block, a.flag, &b.author)));
        rows
    }
}
