//! The run summary: counts per verdict, per category and per rule, errors, time and rate.
//!
//! The counts are of records written, so they always add up: allow + flag + block + error =
//! records = the number of input comments.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Judged, Sink};
use crate::term::sanitize;
use crate::verdict::Decision;

/// Counts gathered over a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Records written (= input comments, readable or not).
    pub records: u64,
    /// Allowed.
    pub allow: u64,
    /// Flagged.
    pub flag: u64,
    /// Blocked.
    pub block: u64,
    /// Unreadable records.
    pub error: u64,
    /// Denied comments per category (a comment counts once per category).
    pub categories: BTreeMap<String, u64>,
    /// Comments hit per rule.
    pub rules: BTreeMap<String, u64>,
    /// Bytes of body text judged.
    pub body_bytes: u64,
    /// First few error messages with their source.
    pub first_errors: Vec<String>,
    /// Per shadow rule (`mode = "shadow"`): comments hit, and what they would have become.
    pub shadow: BTreeMap<String, ShadowCount>,
}

/// What a shadow rule saw over a run: the "would have" column of the summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShadowCount {
    /// Comments the rule hit.
    pub hits: u64,
    /// Of those, comments that would have been flagged instead of allowed.
    pub would_flag: u64,
    /// Of those, comments that would have been blocked instead of allowed or flagged.
    pub would_block: u64,
}

impl Summary {
    /// Adds one judged record.
    pub fn add(&mut self, j: &Judged) {
        self.records += 1;
        let v = &j.verdict;
        match v.verdict {
            Decision::Allow => self.allow += 1,
            Decision::Flag => self.flag += 1,
            Decision::Block => self.block += 1,
            Decision::Error => {
                self.error += 1;
                if self.first_errors.len() < 5 {
                    let source = v.source.as_deref().unwrap_or("?");
                    let error = v.error.as_deref().unwrap_or("");
                    self.first_errors.push(format!("{source}: {}", without_repeated_line(source, error)));
                }
            }
        }
        if let Ok(c) = &j.record {
            self.body_bytes += c.body.len() as u64;
        }
        if v.verdict.is_deny() {
            for cat in v.categories() {
                count(&mut self.categories, cat);
            }
        }
        for r in &v.reasons {
            let Some(shadow) = &r.shadow else {
                count(&mut self.rules, &r.rule);
                continue;
            };
            let c = self.shadow.entry(r.rule.clone()).or_default();
            c.hits += 1;
            // Enforcing a rule only adds evidence: the verdict it would have had is the stronger.
            match shadow.verdict.max(v.verdict) {
                d if d == v.verdict => {}
                Decision::Flag => c.would_flag += 1,
                Decision::Block => c.would_block += 1,
                _ => {}
            }
        }
    }

    /// The human summary printed on stderr.
    pub fn render(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "moderate: {} comments: {} allow, {} flag, {} block, {} error",
            self.records, self.allow, self.flag, self.block, self.error
        );
        if !self.categories.is_empty() {
            // Names come from verdicts, which `collect` reads off NATS (any client can write
            // them): shown inert.
            let cats: Vec<String> = self.categories.iter().map(|(k, v)| format!("{} {v}", sanitize(k))).collect();
            let _ = writeln!(s, "  denied by category: {}", cats.join(", "));
        }
        if !self.rules.is_empty() {
            let mut rules: Vec<(&String, &u64)> = self.rules.iter().collect();
            rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let top: Vec<String> = rules.iter().take(8).map(|(k, v)| format!("{} {v}", sanitize(k))).collect();
            let _ = writeln!(s, "  top rules: {}", top.join(", "));
        }
        if !self.shadow.is_empty() {
            let _ = writeln!(s, "  shadow rules (never enforced)          hits   would have: flagged  blocked");
            for (rule, c) in &self.shadow {
                let _ =
                    writeln!(s, "    {:<36} {:>6} {:>20} {:>8}", sanitize(rule), c.hits, c.would_flag, c.would_block);
            }
        }
        for e in &self.first_errors {
            let _ = writeln!(s, "  error: {}", sanitize(e));
        }
        if self.error as usize > self.first_errors.len() {
            let _ = writeln!(
                s,
                "  ... and {} more errors (see the \"error\" records)",
                self.error as usize - self.first_errors.len()
            );
        }
        let _ = writeln!(
            s,
            "  {:.3}s, {:.0} comments/s, {:.1} MB/s of body text",
            secs,
            self.records as f64 / secs,
            self.body_bytes as f64 / 1e6 / secs
        );
        s
    }
}

/// A sink that only counts.
#[derive(Debug)]
pub struct SummarySink {
    /// The counts so far.
    pub summary: Summary,
    started: Instant,
}

impl Default for SummarySink {
    fn default() -> Self {
        SummarySink { summary: Summary::default(), started: Instant::now() }
    }
}

impl SummarySink {
    /// Time since the sink was made (the run's start).
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Adds one to `key`'s count, allocating the key only the first time it is seen: this runs on
/// the pipeline's one writer thread, once per reason of every record.
fn count(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

impl Sink for SummarySink {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        self.summary.add(judged);
        Ok(())
    }
}

/// The error text without its leading `line N: ` when the source already ends in `:N`, so the
/// summary says `file.csv:5: expected 3 fields`, not `file.csv:5: line 5: expected 3 fields`
/// (the record's own `error` field keeps the line: it is read without its `source`).
fn without_repeated_line<'a>(source: &str, error: &'a str) -> &'a str {
    let Some(rest) = error.strip_prefix("line ") else { return error };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (number, after) = rest.split_at(digits);
    match after.strip_prefix(": ") {
        Some(message) if digits > 0 && source.strip_suffix(number).is_some_and(|s| s.ends_with(':')) => message,
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::{without_repeated_line, Summary};

    /// `collect` builds its summary from verdicts read off NATS, which any client of the server
    /// can write: a rule or category name holding `\x1b[2J` reached the terminal as it was
    /// (the config's own names are refused at load, round 12). The summary shows them inert.
    #[test]
    fn names_from_verdicts_are_shown_inert() {
        let mut s = Summary::default();
        s.categories.insert("attack\x1b[2J".into(), 1);
        s.rules.insert("x\u{202e}y\x1b]8;;http://evil\x1b\\".into(), 2);
        s.shadow.insert("sh\x1b[31m".into(), Default::default());
        let out = s.render(std::time::Duration::from_secs(1));
        assert!(!out.contains('\x1b') && !out.contains('\u{202e}'), "{out:?}");
        assert!(out.contains("attack\\u{1b}[2J 1") && out.contains("sh\\u{1b}[31m"), "{out}");
    }

    #[test]
    fn a_line_number_the_source_already_names_is_said_once() {
        assert_eq!(without_repeated_line("a.csv:5", "line 5: expected 3 fields"), "expected 3 fields");
        // another line (a quote opened earlier), no line, or no source line: kept whole
        assert_eq!(without_repeated_line("a.csv:5", "line 4: a quote"), "line 4: a quote");
        assert_eq!(without_repeated_line("a.csv:15", "line 5: x"), "line 5: x");
        assert_eq!(without_repeated_line("a.csv", "line 5: x"), "line 5: x");
        assert_eq!(without_repeated_line("a.csv:5", "no body field"), "no body field");
        assert_eq!(without_repeated_line("a.csv:5", "line : x"), "line : x");
    }
}
