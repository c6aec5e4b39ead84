//! `run --profile-rules`: where the match stage spends its time, per stage and per rule.
//!
//! Off by default (the counters cost a clock read per pattern run). When on, every judge
//! thread adds into one shared [`RuleProfile`] with relaxed atomics: the totals are exact,
//! only their interleaving is unordered. Regex rules are timed per pattern run; wordlist rules
//! share one automaton pass, which is timed as a stage (the per-rule row counts their hits).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::rule::RuleMeta;

/// The stages of one comment's judgement that are timed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The normalizer (fast path or full).
    Normalize = 0,
    /// The literal automaton over the normalized text: wordlist terms and regex gates.
    Literals = 1,
    /// Regex patterns on the normalized text (also timed per rule).
    NormRegex = 2,
    /// Regex patterns on the raw body, with their own literal gate.
    RawRegex = 3,
    /// Structural signals (links, caps, metadata).
    Signals = 4,
    /// Hits to a verdict.
    Decide = 5,
}

const STAGES: [(&str, Stage); 6] = [
    ("normalize", Stage::Normalize),
    ("literal automaton (wordlists + regex gates)", Stage::Literals),
    ("regex patterns, normalized text", Stage::NormRegex),
    ("regex patterns, raw body (with their gate)", Stage::RawRegex),
    ("structural signals", Stage::Signals),
    ("decide", Stage::Decide),
];

/// Per-rule and per-stage counters shared by all judge threads of a run.
#[derive(Debug)]
pub struct RuleProfile {
    /// Per rule: nanoseconds in its regex patterns.
    nanos: Vec<AtomicU64>,
    /// Per rule: pattern runs (one per comment whose gate woke a pattern of the rule).
    runs: Vec<AtomicU64>,
    /// Per rule: hits kept.
    hits: Vec<AtomicU64>,
    /// Per stage: nanoseconds.
    stages: [AtomicU64; 6],
    /// Comments judged.
    comments: AtomicU64,
}

/// One line of the table, in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProfileRow {
    /// Rule id (or stage name).
    pub name: String,
    /// Nanoseconds spent.
    pub nanos: u64,
    /// Pattern runs (rules only).
    pub runs: u64,
    /// Hits (rules only).
    pub hits: u64,
}

impl RuleProfile {
    /// Zeroed counters for `rules` rules.
    pub fn new(rules: usize) -> RuleProfile {
        let zeros = || (0..rules).map(|_| AtomicU64::new(0)).collect();
        RuleProfile {
            nanos: zeros(),
            runs: zeros(),
            hits: zeros(),
            stages: Default::default(),
            comments: AtomicU64::new(0),
        }
    }

    /// Adds `d` to `stage`.
    pub fn stage(&self, stage: Stage, d: Duration) {
        self.stages[stage as usize].fetch_add(nanos(d), Ordering::Relaxed);
    }

    /// Adds one run of a pattern of `rule` that took `d`.
    pub fn rule_run(&self, rule: usize, d: Duration) {
        if let (Some(n), Some(r)) = (self.nanos.get(rule), self.runs.get(rule)) {
            n.fetch_add(nanos(d), Ordering::Relaxed);
            r.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many times the patterns of `rule` ran (the gate let them).
    pub fn runs_of(&self, rule: usize) -> u64 {
        self.runs.get(rule).map_or(0, |r| r.load(Ordering::Relaxed))
    }

    /// Adds one hit of `rule`.
    pub fn hit(&self, rule: usize) {
        if let Some(h) = self.hits.get(rule) {
            h.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one comment.
    pub fn comment(&self) {
        self.comments.fetch_add(1, Ordering::Relaxed);
    }

    /// The stage rows, in pipeline order.
    pub fn stage_rows(&self) -> Vec<ProfileRow> {
        STAGES
            .iter()
            .map(|&(name, s)| ProfileRow {
                name: name.to_string(),
                nanos: self.stages[s as usize].load(Ordering::Relaxed),
                runs: 0,
                hits: 0,
            })
            .collect()
    }

    /// The rule rows with any time or hit, most time first (ties: rule order).
    pub fn rule_rows(&self, rules: &[RuleMeta]) -> Vec<ProfileRow> {
        let mut rows: Vec<ProfileRow> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| ProfileRow {
                name: r.id.clone(),
                nanos: self.nanos.get(i).map_or(0, |a| a.load(Ordering::Relaxed)),
                runs: self.runs.get(i).map_or(0, |a| a.load(Ordering::Relaxed)),
                hits: self.hits.get(i).map_or(0, |a| a.load(Ordering::Relaxed)),
            })
            .filter(|r| r.nanos > 0 || r.hits > 0)
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.nanos));
        rows
    }

    /// The table `run --profile-rules` prints: stages, then rules by time, with each one's
    /// share of the match stage's total time.
    pub fn render(&self, rules: &[RuleMeta]) -> String {
        use std::fmt::Write;
        let stages = self.stage_rows();
        let total: u64 = stages.iter().map(|r| r.nanos).sum::<u64>().max(1);
        let comments = self.comments.load(Ordering::Relaxed);
        let mut out = String::new();
        let pct = |n: u64| 100.0 * n as f64 / total as f64;
        let ms = |n: u64| n as f64 / 1e6;
        let _ = writeln!(
            out,
            "rule profile: {comments} comments, {:.1} ms judging (CPU time of all judge threads)",
            ms(total)
        );
        let _ = writeln!(out, "{:<48} {:>10} {:>7}", "stage", "ms", "share");
        for r in &stages {
            let _ = writeln!(out, "{:<48} {:>10.1} {:>6.1}%", r.name, ms(r.nanos), pct(r.nanos));
        }
        let _ = writeln!(
            out,
            "{:<48} {:>10} {:>7} {:>9} {:>8}",
            "rule (regex search; wordlists: hits only)", "ms", "share", "runs", "hits"
        );
        for r in self.rule_rows(rules) {
            let _ = writeln!(
                out,
                "{:<48} {:>10.1} {:>6.1}% {:>9} {:>8}",
                r.name,
                ms(r.nanos),
                pct(r.nanos),
                r.runs,
                r.hits
            );
        }
        out
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A stopwatch that does nothing when no profile is kept.
pub(crate) struct Watch<'a> {
    profile: Option<&'a RuleProfile>,
    at: Option<Instant>,
}

impl<'a> Watch<'a> {
    /// Starts timing when `profile` is on.
    #[inline]
    pub(crate) fn start(profile: Option<&'a RuleProfile>) -> Watch<'a> {
        Watch { profile, at: profile.map(|_| Instant::now()) }
    }

    /// Adds the time since the start (or the last lap) to `stage` and restarts.
    #[inline]
    pub(crate) fn lap(&mut self, stage: Stage) {
        if let (Some(p), Some(at)) = (self.profile, self.at) {
            let now = Instant::now();
            p.stage(stage, now - at);
            self.at = Some(now);
        }
    }
}
