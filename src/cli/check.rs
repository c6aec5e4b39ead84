//! `moderate check`: validate the config and every rule file without running anything.

use std::path::PathBuf;

use crate::config;
use crate::config::load::scunthorpe::{self, Finding, LintOptions};
use crate::error::{CliError, CliResult};

/// Arguments of `moderate check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Print the JSON Schema of config.toml instead (for editors; shipped as config.schema.json).
    #[arg(long)]
    pub schema: bool,
    /// Warnings count as errors (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Skip the Scunthorpe lint (every `*` term and unbounded pattern tried against English
    /// words, names, places and the innocent sample).
    #[arg(long)]
    pub no_lint: bool,
    /// Write the innocent words the lint finds into each rule's allowlist file (shown, then
    /// written; review the diff). Terms of rules without an allowlist get a suggestion instead.
    #[arg(long, conflicts_with = "no_lint")]
    pub fix: bool,
    /// More innocent words for the lint: one word per line, or labeled JSONL (its rows whose
    /// labels are all false). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub words: Vec<PathBuf>,
}

/// Runs `moderate check`.
pub fn run(args: CheckArgs) -> CliResult {
    if args.schema {
        let schema = schemars::schema_for!(config::RawConfig);
        super::common::print_out(
            &(serde_json::to_string_pretty(&schema).map_err(|e| CliError::failure(e.to_string()))? + "\n"),
        )?;
        return Ok(());
    }
    let color = crate::term::color_stderr();
    for w in &args.words {
        if !w.is_file() {
            return Err(CliError::usage(format!("--words {}: no such file", w.display())));
        }
    }
    let loaded = if args.no_lint {
        config::load_checked(args.config.as_deref())
    } else {
        config::load_linted(args.config.as_deref(), LintOptions { extra: args.words.clone() })
    };
    match loaded {
        Ok(loaded) => {
            eprint!("{}", loaded.diagnostics.render(color));
            let (_, warnings) = loaded.diagnostics.counts();
            let e = &loaded.engine;
            let failed = e.compile_all();
            if !failed.is_empty() {
                for (rule, why) in &failed {
                    eprintln!("error: {}: rule `{rule}`: a pattern does not compile: {why}", e.origin());
                }
                return Err(CliError::usage(format!("{} pattern(s) do not compile", failed.len())));
            }
            super::common::print_out(&format!(
                "{}: ok — {} rules ({}; {} wordlist, {} regex, {} signal), {} warning(s); thresholds flag {} / block {}\n",
                e.origin(),
                e.rules().len(),
                loaded.pack,
                e.rules().iter().filter(|r| r.kind == crate::rule::RuleKind::Wordlist).count(),
                e.rules().iter().filter(|r| r.kind == crate::rule::RuleKind::Regex).count(),
                e.rules().iter().filter(|r| r.kind == crate::rule::RuleKind::Signal).count(),
                warnings,
                e.thresholds().flag,
                e.thresholds().block,
            ))?;
            if args.fix {
                fix(&args, &loaded.lint)?;
            }
            if args.strict && warnings > 0 {
                return Err(CliError::usage("warnings present and --strict given"));
            }
            Ok(())
        }
        Err(diags) => {
            eprint!("{}", diags.render(color));
            let (errors, warnings) = diags.counts();
            Err(CliError::usage(format!("{errors} error(s), {warnings} warning(s)")))
        }
    }
}

/// `--fix`: writes the lint's innocent words into the allowlists beside the config.
fn fix(args: &CheckArgs, findings: &[Finding]) -> CliResult {
    let dir = match &args.config {
        Some(p) => p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new(".")).to_path_buf(),
        None if std::path::Path::new("config.toml").is_file() => PathBuf::from("."),
        None => {
            eprintln!("--fix: the built-in pack is compiled into the binary; copy it and pass --config to fix it");
            return Ok(());
        }
    };
    let written = scunthorpe::fix(&dir, findings).map_err(CliError::failure)?;
    for (file, n) in &written {
        eprintln!("--fix: {n} word(s) added to {}", dir.join(file).display());
    }
    for f in findings.iter().filter(|f| f.allowlist.is_none()) {
        eprintln!("--fix: {} ({}, rule `{}`): not fixed automatically; see the warning", f.location, f.term, f.rule);
    }
    if written.is_empty() && findings.is_empty() {
        eprintln!("--fix: nothing to fix");
    }
    Ok(())
}
