//! `moderate review ...` (review helper).

use crate::error::CliResult;

/// Arguments of `moderate review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {}

/// Runs `moderate review`.
pub fn run(args: ReviewArgs) -> CliResult {
    let _ = args;
    Err(crate::error::CliError::usage("review: not built yet"))
}
