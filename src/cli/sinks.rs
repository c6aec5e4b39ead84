//! Optional sinks of `moderate run`: `--split` and `--queue`.

use crate::config::RawConfig;
use crate::error::{CliError, CliResult};
use crate::read::Input;
use crate::write::Sink;

/// Builds the sinks the flags ask for.
pub fn extra_sinks(args: &super::run::RunArgs, inputs: &[Input], raw: &RawConfig) -> CliResult<Vec<Box<dyn Sink>>> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    let _ = (inputs, raw);
    if let Some(dir) = &args.split {
        let split = crate::write::split::SplitSink::new(dir, inputs)
            .map_err(|e| CliError::usage(format!("--split {}: {e}", dir.display())))?;
        let split = if args.split_censored { split.with_censored(&raw.input.fields.body) } else { split };
        sinks.push(Box::new(split));
    }
    if let Some(db) = &args.queue {
        let queue = crate::review::QueueSink::open(db)
            .map_err(|e| CliError::usage(format!("--queue {}: {e}", db.display())))?;
        sinks.push(Box::new(queue));
    }
    Ok(sinks)
}
