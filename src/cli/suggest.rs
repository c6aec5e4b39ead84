//! `moderate suggest LABELED...`: the thresholds that reach a target precision, as TOML.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::eval;
use crate::tune::suggest::{suggest, Outcome, Suggestion};

/// Arguments of `moderate suggest`.
#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// Labeled JSONL files (`{"id", "body", "labels": {"toxic": true, ...}}`, or `review export`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Share of blocked comments that must be labeled toxic.
    #[arg(long, default_value_t = 0.98)]
    pub block_precision: f64,
    /// Share of denied (flagged or blocked) comments that must be labeled toxic.
    #[arg(long, default_value_t = 0.8)]
    pub flag_precision: f64,
    /// Print the suggestion as JSON.
    #[arg(long)]
    pub json: bool,
}

fn row(name: &str, o: &Outcome) -> String {
    format!(
        "# {:<10} {:>7} {:>7}   {:.3} / {:.3}   {:.3} / {:.3}   {:>8.0}   {:>8.0}\n",
        name,
        o.flag,
        o.block,
        o.deny.precision(),
        o.deny.recall(),
        o.blocked.precision(),
        o.blocked.recall(),
        o.queue_per_10k,
        o.blocked_per_10k
    )
}

/// The human form: comments with the numbers, then the `[thresholds]` table to paste.
pub fn render(s: &Suggestion, files: &str) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "# moderate suggest {files}: {} rows, {} labeled (positive = any label true)", s.rows, s.labeled);
    let _ = writeln!(
        out,
        "# targets: block precision >= {}, deny (flag or block) precision >= {}",
        s.block_precision, s.flag_precision
    );
    let _ = writeln!(out, "#               flag   block   deny P / R      block P / R     queue/10k  blocked/10k");
    out.push_str(&row("current", &s.current));
    out.push_str(&row("suggested", &s.suggested));
    for n in &s.notes {
        let _ = writeln!(out, "# note: {n}");
    }
    let _ = writeln!(out, "[thresholds]\nflag = {}\nblock = {}", s.suggested.flag, s.suggested.block);
    if !s.categories.is_empty() {
        let _ = writeln!(
            out,
            "# per category (advice; thresholds are global): the category score at which denying reaches \
             precision {} against its label",
            s.block_precision
        );
        for c in &s.categories {
            let cut = match c.cut.threshold {
                Some(t) => format!(">= {t}: precision {:.3}, recall {:.3}", c.cut.precision, c.cut.recall),
                None => format!("not reachable (its actions alone: precision {:.3})", c.cut.precision),
            };
            let _ =
                writeln!(out, "#   {:<10} {:>6} labeled, {:>6} positive; {cut}", c.category, c.labeled, c.positives);
        }
    }
    out
}

/// Runs `moderate suggest`.
pub fn run(args: SuggestArgs) -> CliResult {
    for (name, p) in [("--block-precision", args.block_precision), ("--flag-precision", args.flag_precision)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(CliError::usage(format!("{name} {p}: must be between 0 and 1")));
        }
    }
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let mut rows = Vec::new();
    for path in &args.files {
        rows.extend(eval::read_labeled(path).map_err(CliError::usage)?);
    }
    let verdicts = eval::judge_all(&loaded.engine, &rows);
    let s = suggest(&rows, &verdicts, *loaded.engine.thresholds(), args.flag_precision, args.block_precision);
    if args.json {
        let text = serde_json::to_string_pretty(&s).map_err(|e| CliError::failure(e.to_string()))?;
        return super::common::print_out(&(text + "\n"));
    }
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    super::common::print_out(&render(&s, &crate::term::sanitize(&names.join(" "))))
}
