//! The command line: parses arguments and wires the stages together. The only module that
//! knows every stage. Each subcommand lives in its own file.

pub mod check;
pub mod common;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod replay;
pub mod review;
pub mod run;
pub mod serve;
pub mod sinks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{CliError, ExitStatus};

/// moderate: apply a comment policy (profanity, personal attacks, identity attacks, threats,
/// spam) to comments at scale, with an allow / flag / block verdict and reasons for each.
#[derive(Debug, Parser)]
#[command(name = "moderate", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge comments: one verdict record (JSONL) per input comment, summary on stderr.
    Run(run::RunArgs),
    /// Validate the config and every rule file; errors and warnings with file:line:col.
    Check(check::CheckArgs),
    /// Show how one text is judged: normalized text, hits, score arithmetic, verdict.
    Explain(explain::ExplainArgs),
    /// Measure the rules on labeled JSONL: precision / recall / F1 per label and per rule.
    Eval(eval::EvalArgs),
    /// Show which comments change verdict between two configs, grouped by rule.
    Diff(diff::DiffArgs),
    /// Moderate the review queue: store, list, decide, serve, export.
    Review(review::ReviewArgs),
    /// Run the pipeline as a live HTTP service: JSON API, Akismet-compatible endpoints, hot
    /// reload, metrics, ledger.
    Serve(serve::ServeArgs),
    /// Judge every entry of a verdict ledger again with the config it names; report differences.
    Replay(replay::ReplayArgs),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { ExitStatus::Usage.code() } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MODERATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(crate::term::color_stderr())
        .without_time()
        .init();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Review(args) => review::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Replay(args) => replay::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError { status, message }) => {
            if !message.is_empty() {
                eprintln!("moderate: {message}");
            }
            ExitCode::from(status.code())
        }
    }
}
