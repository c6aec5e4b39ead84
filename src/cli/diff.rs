//! `moderate diff --config A --config B INPUT...`: verdict changes between two configs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::diff::DiffReport;
use crate::error::{CliError, CliResult};
use crate::read::{self, Format, ReadOptions};
use crate::term::sanitize;

/// Arguments of `moderate diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The two configs: `--config A.toml --config B.toml` (before, after).
    #[arg(long, short = 'c', num_args = 1, required = true)]
    pub config: Vec<PathBuf>,
    /// Inputs (any format `run` reads; labeled JSONL adds fix/regression).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Input format, overriding detection.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Examples shown per group.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `labels.toxic` of every labeled JSONL row among the inputs, by id.
///
/// A file whose labels cannot be read is said so (before, every label of it was dropped
/// silently and no change counted as a fix or a regression), and an id labeled both ways (the
/// same id twice, one row toxic, one not) has no label: whichever row came last used to decide.
fn toxic_labels(inputs: &[read::Input]) -> HashMap<String, bool> {
    let mut out: HashMap<String, Option<bool>> = HashMap::new();
    // A stream (stdin, a pipe, a FIFO) can be read only once: by the diff itself.
    for input in inputs.iter().filter(|i| i.format == Format::Jsonl && !read::is_stream(&i.path)) {
        match crate::eval::read_labeled(&input.path) {
            Ok(rows) => {
                for r in rows {
                    if let Some(&t) = r.labels.get("toxic") {
                        let label = out.entry(r.comment.id).or_insert(Some(t));
                        if *label != Some(t) {
                            *label = None;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!("labels not read, so no change in this file is a fix or a regression: {e}"),
        }
    }
    let ambiguous = out.values().filter(|l| l.is_none()).count();
    if ambiguous > 0 {
        tracing::warn!(
            "{ambiguous} id(s) labeled both toxic and not (the same id on two rows): their changes are neither fixes nor regressions"
        );
    }
    out.into_iter().filter_map(|(id, l)| Some((id, l?))).collect()
}

/// Runs `moderate diff`.
pub fn run(args: DiffArgs) -> CliResult {
    if args.config.len() != 2 {
        return Err(CliError::usage("diff needs exactly two configs: --config A.toml --config B.toml"));
    }
    let a = super::common::load_config(Some(&args.config[0]), false)?;
    let b = super::common::load_config(Some(&args.config[1]), false)?;
    let inputs = read::resolve_inputs(&args.inputs, args.format).map_err(|e| CliError::usage(e.to_string()))?;
    let labels = toxic_labels(&inputs);
    let opts = ReadOptions { fields: a.raw.input.fields.clone(), ..ReadOptions::default() };
    let mut report = DiffReport::default();
    let mut first_error = None;
    for input in &inputs {
        for record in read::open(input, &opts).map_err(|e| CliError::usage(e.to_string()))? {
            let c = match record {
                Ok(c) => c,
                Err(e) => {
                    report.unreadable += 1;
                    if report.unreadable == 1 {
                        first_error = Some(format!("{}: {}", e.source, e.message));
                    }
                    continue;
                }
            };
            let (va, vb) = (a.engine.judge(&c), b.engine.judge(&c));
            report.add(&va, &vb, labels.get(&c.id).copied(), &c.body);
        }
    }
    if args.json {
        super::common::print_out(
            &(serde_json::to_string_pretty(&report).map_err(|e| CliError::failure(e.to_string()))? + "\n"),
        )?;
        return Ok(());
    }
    let mut s = String::new();
    let _ = writeln!(s, "{} compared, {} changed verdict", comments(report.compared), report.changed);
    if let Some(first) = &first_error {
        let _ = writeln!(
            s,
            "{} unreadable record(s) not compared (error records under either config), the first: {}",
            report.unreadable,
            sanitize(first)
        );
    }
    if report.fixes + report.regressions > 0 {
        let _ = writeln!(s, "with labels: {} fixes, {} regressions", report.fixes, report.regressions);
    }
    if !report.shadow.is_empty() {
        let _ = writeln!(s, "shadow rules (never enforced):   hits A   hits B   would change A   would change B");
        for (rule, c) in &report.shadow {
            let _ = writeln!(
                s,
                "  {:<30} {:>6} {:>8} {:>16} {:>16}",
                rule, c.hits[0], c.hits[1], c.would_change[0], c.would_change[1]
            );
        }
    }
    let mut groups: Vec<_> = report.groups.iter().collect();
    groups.sort_by(|x, y| y.1.len().cmp(&x.1.len()).then(x.0.cmp(y.0)));
    for (key, changes) in groups {
        let fixes = changes.iter().filter(|c| c.effect == Some("fix")).count();
        let regs = changes.iter().filter(|c| c.effect == Some("regression")).count();
        let tally = if fixes + regs > 0 { format!(" ({fixes} fixes, {regs} regressions)") } else { String::new() };
        let _ = writeln!(s, "\n{}: {}{tally}", key, comments(changes.len() as u64));
        for c in changes.iter().take(args.examples) {
            let eff = c.effect.map_or(String::new(), |e| format!(" [{e}]"));
            let _ = writeln!(s, "  {}{eff}: {}", sanitize(&c.id), super::common::one_line(&c.body));
        }
    }
    super::common::print_out(&s)?;
    Ok(())
}

/// "1 comment", "2 comments".
fn comments(n: u64) -> String {
    format!("{n} comment{}", if n == 1 { "" } else { "s" })
}
