//! `moderate replay LEDGER`: judge every ledger entry again with the config it names and report
//! each verdict that differs (the audit a site needs when a commenter asks why).

use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::serve::ledger::{self, Configs};
use crate::serve::reload;

/// Arguments of `moderate replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The ledger written by `moderate serve --ledger` or `moderate run --ledger`.
    pub ledger: PathBuf,
    /// Also try this config when the ledger's own copy of a config is missing (default:
    /// ./config.toml when present); the built-in pack is always tried. A config is used only
    /// when its hash is the one the entry names.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs `moderate replay`: one JSON line per differing verdict on stdout (`session`, `seq`,
/// `id`, `config`, `was`, `now`), a summary on stderr. Exit 0 when it could replay (whatever
/// it found), 1 when the ledger cannot be read.
pub fn run(args: ReplayArgs) -> CliResult {
    let mut candidates = Vec::new();
    if let Some(p) = reload::resolve_config(args.config.as_deref()) {
        match reload::load(Some(&p)) {
            Ok((s, _)) => candidates.push(s),
            Err(e) => tracing::warn!("{}: not usable for replay:\n{e}", p.display()),
        }
    }
    if let Ok((s, _)) = reload::load(None) {
        candidates.push(s);
    }
    let mut configs = Configs::new(&args.ledger, candidates);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut write = |d: &ledger::Difference| -> io::Result<()> {
        serde_json::to_writer(&mut out, d)?;
        out.write_all(b"\n")
    };
    let report = match ledger::replay(&args.ledger, &mut configs, &mut write) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(CliError::failure(format!("{}: {e}", args.ledger.display()))),
    };
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(CliError::failure(e.to_string())),
        _ => {}
    }
    if !args.quiet {
        eprintln!(
            "replay: {} entries, {} judged again: {} same, {} differ",
            report.entries, report.rejudged, report.same, report.differ
        );
        // A ledger's `config` values are the file's, not ours: shown inert, and at most ten of
        // them (most entries first), however many distinct ones it holds.
        let mut unavailable: Vec<(&String, &u64)> = report.unavailable.iter().collect();
        unavailable.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (hash, n) in unavailable.iter().take(10) {
            eprintln!("replay: {n} entries not judged again: config {} is not available", crate::term::sanitize(hash));
        }
        if unavailable.len() > 10 {
            let rest: u64 = unavailable[10..].iter().map(|(_, n)| **n).sum();
            eprintln!(
                "replay: {rest} entries not judged again: {} more configs are not available",
                unavailable.len() - 10
            );
        }
        if !report.mismatched.is_empty() {
            let shown: Vec<String> = report.mismatched.iter().take(10).map(u64::to_string).collect();
            eprintln!(
                "replay: {} entries not judged again: their comment is not the one their input_hash was taken of \
                 (changed after it was written; lines {})",
                report.mismatched.len(),
                shown.join(", ")
            );
        }
        if !report.bad_lines.is_empty() {
            let shown: Vec<String> = report.bad_lines.iter().take(10).map(u64::to_string).collect();
            eprintln!("replay: {} lines are not ledger entries (lines {})", report.bad_lines.len(), shown.join(", "));
        }
    }
    Ok(())
}
