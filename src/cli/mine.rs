//! `moderate mine LABELED...`: candidate terms from the misses, and the listed terms that cause
//! the most false alarms. Shown, never applied.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::eval;
use crate::term::sanitize;
use crate::tune::mine::{mine, MineExample, MineOptions, MineReport};

/// Arguments of `moderate mine`.
#[derive(Debug, clap::Args)]
pub struct MineArgs {
    /// Labeled JSONL files (`{"id", "body", "labels": {"toxic": true, ...}}`, or `review export`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Candidates and false-alarm terms to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Example comments per entry.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
    /// Fewest missed comments a candidate must appear in.
    #[arg(long, default_value_t = 2)]
    pub min_count: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn examples(out: &mut String, ex: &[MineExample]) {
    for e in ex {
        let spans: Vec<String> =
            e.spans.iter().map(|s| format!("{:?}@{}..{}", sanitize(&s.text), s.start, s.end)).collect();
        let _ = writeln!(out, "      {} {}: {}", sanitize(&e.id), spans.join(" "), super::common::one_line(&e.excerpt));
    }
}

/// The human report.
pub fn render(r: &MineReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} rows: {} missed positives (a label true, allowed), {} negatives (every label false)",
        r.rows, r.misses, r.negatives
    );
    let _ = writeln!(out, "\ncandidate terms (in misses more than in negatives; no rule matches them alone):");
    let _ = writeln!(out, "  {:<32} {:>7} {:>9} {:>8} {:>6}", "term", "misses", "negatives", "log-odds", "z");
    if r.candidates.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for c in &r.candidates {
        let _ = writeln!(
            out,
            "  {:<32} {:>7} {:>9} {:>8.2} {:>6.2}",
            sanitize(&c.term),
            c.misses,
            c.negatives,
            c.log_odds,
            c.z
        );
        examples(&mut out, &c.examples);
    }
    let _ = writeln!(out, "\nlisted terms causing the most false alarms (denied negatives):");
    let _ = writeln!(out, "  {:<32} {:<32} {:>9} {:>9}", "rule", "match", "negatives", "positives");
    if r.false_alarms.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for f in &r.false_alarms {
        let _ = writeln!(out, "  {:<32} {:<32} {:>9} {:>9}", f.rule, sanitize(&f.text), f.negatives, f.positives);
        examples(&mut out, &f.examples);
    }
    out
}

/// Runs `moderate mine`.
pub fn run(args: MineArgs) -> CliResult {
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let mut rows = Vec::new();
    for path in &args.files {
        rows.extend(eval::read_labeled(path).map_err(CliError::usage)?);
    }
    let verdicts = eval::judge_all(&loaded.engine, &rows);
    let opts = MineOptions { top: args.top, examples: args.examples, min_count: args.min_count.max(1) };
    let report = mine(&loaded.engine, &rows, &verdicts, opts);
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::failure(e.to_string()))?;
        return super::common::print_out(&(text + "\n"));
    }
    super::common::print_out(&render(&report))
}
