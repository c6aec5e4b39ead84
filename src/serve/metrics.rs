//! Counters for `GET /metrics`, in the Prometheus text format (version 0.0.4).
//!
//! Hot counters are atomics; the per-rule and per-category tables sit behind one mutex taken
//! once per request (not per comment). Rule ids come from the config, never from requests, so
//! the number of series is bounded by the rules ever loaded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::verdict::{Decision, Verdict};

/// Upper bounds (seconds) of the request latency histogram.
pub const BUCKETS: [f64; 14] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// The routes the latency histogram tells apart (others are counted as `other`).
pub const ROUTES: [&str; 4] = ["check", "akismet", "status", "other"];

#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

#[derive(Debug, Default)]
struct Tables {
    /// (decision, category) → verdicts.
    categories: BTreeMap<(&'static str, String), u64>,
    /// rule id → reasons.
    rules: BTreeMap<String, u64>,
    /// (route, status) → responses.
    responses: BTreeMap<(&'static str, u16), u64>,
}

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub struct Metrics {
    verdicts: [AtomicU64; 4],
    latency: [Histogram; ROUTES.len()],
    tables: Mutex<Tables>,
    /// Comments sent to the review queue.
    pub queued: AtomicU64,
    /// Lines appended to the ledger.
    pub ledger_lines: AtomicU64,
    /// Moderator feedback records written (Akismet submit-spam / submit-ham).
    pub feedback: AtomicU64,
    /// Verdicts that carry masked text (the censor action).
    censored: AtomicU64,
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Allow => 0,
        Decision::Flag => 1,
        Decision::Block => 2,
        Decision::Error => 3,
    }
}

const DECISIONS: [Decision; 4] = [Decision::Allow, Decision::Flag, Decision::Block, Decision::Error];

impl Metrics {
    /// Counts the verdicts of one request.
    pub fn verdicts(&self, verdicts: &[Verdict]) {
        for v in verdicts {
            self.verdicts[decision_index(v.verdict)].fetch_add(1, Ordering::Relaxed);
            if v.censored.is_some() {
                self.censored.fetch_add(1, Ordering::Relaxed);
            }
        }
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        for v in verdicts {
            for c in v.categories() {
                *t.categories.entry((v.verdict.as_str(), c.to_string())).or_default() += 1;
            }
            for r in &v.reasons {
                match t.rules.get_mut(r.rule.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        t.rules.insert(r.rule.clone(), 1);
                    }
                }
            }
        }
    }

    /// Counts one response of `route` (an index into [`ROUTES`]) that took `took`.
    pub fn response(&self, route: usize, status: u16, took: Duration) {
        let route = route.min(ROUTES.len() - 1);
        let h = &self.latency[route];
        let secs = took.as_secs_f64();
        for (i, &b) in BUCKETS.iter().enumerate() {
            if secs <= b {
                h.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        h.sum_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        *t.responses.entry((ROUTES[route], status)).or_default() += 1;
    }

    /// Verdicts so far with this decision.
    pub fn count(&self, d: Decision) -> u64 {
        self.verdicts[decision_index(d)].load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition. `reloads`/`failed` come from the reloader, `uptime` and
    /// `rules` from the server.
    pub fn render(&self, reloads: u64, failed: u64, rules: usize, uptime: f64) -> String {
        let mut o = String::with_capacity(4096);
        let t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        o.push_str("# HELP moderate_verdicts_total Verdicts given, by decision.\n");
        o.push_str("# TYPE moderate_verdicts_total counter\n");
        for d in DECISIONS {
            let _ = writeln!(o, "moderate_verdicts_total{{decision=\"{}\"}} {}", d.as_str(), self.count(d));
        }
        o.push_str("# HELP moderate_censored_total Verdicts with masked text (the censor action).\n");
        o.push_str("# TYPE moderate_censored_total counter\n");
        let _ = writeln!(o, "moderate_censored_total {}", self.censored.load(Ordering::Relaxed));
        o.push_str("# HELP moderate_verdict_categories_total Verdicts with a reason of this category, by decision.\n");
        o.push_str("# TYPE moderate_verdict_categories_total counter\n");
        for ((d, c), n) in &t.categories {
            let _ = writeln!(o, "moderate_verdict_categories_total{{decision=\"{d}\",category=\"{}\"}} {n}", esc(c));
        }
        o.push_str("# HELP moderate_rule_hits_total Reasons given by each rule.\n");
        o.push_str("# TYPE moderate_rule_hits_total counter\n");
        for (r, n) in &t.rules {
            let _ = writeln!(o, "moderate_rule_hits_total{{rule=\"{}\"}} {n}", esc(r));
        }
        o.push_str("# HELP moderate_responses_total HTTP responses, by route and status.\n");
        o.push_str("# TYPE moderate_responses_total counter\n");
        for ((r, s), n) in &t.responses {
            let _ = writeln!(o, "moderate_responses_total{{route=\"{r}\",status=\"{s}\"}} {n}");
        }
        drop(t);
        o.push_str("# HELP moderate_request_duration_seconds Time from request to response, by route.\n");
        o.push_str("# TYPE moderate_request_duration_seconds histogram\n");
        for (route, h) in ROUTES.iter().zip(&self.latency) {
            for (b, n) in BUCKETS.iter().zip(&h.buckets) {
                let _ = writeln!(
                    o,
                    "moderate_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                    n.load(Ordering::Relaxed)
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let _ = writeln!(o, "moderate_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}");
            let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(o, "moderate_request_duration_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(o, "moderate_request_duration_seconds_count{{route=\"{route}\"}} {count}");
        }
        let gauge = |o: &mut String, name: &str, kind: &str, help: &str, v: String| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        };
        gauge(&mut o, "moderate_reloads_total", "counter", "Successful config reloads.", reloads.to_string());
        gauge(
            &mut o,
            "moderate_reload_failures_total",
            "counter",
            "Config reloads refused (the previous config kept serving).",
            failed.to_string(),
        );
        gauge(&mut o, "moderate_rules", "gauge", "Rules in the config now serving.", rules.to_string());
        gauge(
            &mut o,
            "moderate_queued_total",
            "counter",
            "Flagged comments sent to the review queue.",
            self.queued.load(Ordering::Relaxed).to_string(),
        );
        gauge(
            &mut o,
            "moderate_ledger_lines_total",
            "counter",
            "Verdict lines handed to the ledger.",
            self.ledger_lines.load(Ordering::Relaxed).to_string(),
        );
        gauge(
            &mut o,
            "moderate_feedback_total",
            "counter",
            "Moderator feedback records written (submit-spam / submit-ham).",
            self.feedback.load(Ordering::Relaxed).to_string(),
        );
        gauge(&mut o, "moderate_uptime_seconds", "gauge", "Seconds since the server started.", format!("{uptime:.3}"));
        o
    }
}

/// Escapes a label value (backslash, quote, newline).
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
