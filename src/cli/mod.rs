//! The command line: parses arguments and wires the stages together. The only module that
//! knows every stage.

pub mod review;

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
    /// Moderate review queue: store, list, decide, serve, export.
    Review(review::ReviewArgs),
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
    let result = match cli.command {
        Command::Review(args) => review::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError { status, message }) => {
            eprintln!("moderate: {message}");
            ExitCode::from(status.code())
        }
    }
}
