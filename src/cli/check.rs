//! `moderate check`: validate the config and every rule file without running anything.

use std::path::PathBuf;

use crate::config;
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
    match config::load_checked(args.config.as_deref()) {
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
                "{}: ok — {} rules ({}; {} wordlist, {} regex, {} signal), {} warning(s); thresholds flag {} / block {}",
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
