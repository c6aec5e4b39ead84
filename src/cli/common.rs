//! Pieces every subcommand shares: loading the config with diagnostics on stderr.

use std::path::Path;

use crate::config::{self, Loaded};
use crate::error::{CliError, CliResult};

/// Loads the config (`--config`, `./config.toml`, or the built-in pack). Errors are rendered
/// with file:line:col and carets and end the command with exit 2; warnings are summarized
/// unless `show_warnings` (then printed in full).
pub fn load_config(path: Option<&Path>, show_warnings: bool) -> CliResult<Loaded> {
    match config::load(path) {
        Ok(loaded) => {
            let (_, warnings) = loaded.diagnostics.counts();
            if warnings > 0 {
                if show_warnings {
                    eprint!("{}", loaded.diagnostics.render(crate::term::color_stderr()));
                } else {
                    tracing::warn!("{warnings} config warning(s); `moderate check` shows them");
                }
            }
            Ok(loaded)
        }
        Err(diags) => {
            let (errors, _) = diags.counts();
            eprint!("{}", diags.render(crate::term::color_stderr()));
            Err(CliError::usage(format!("config has {errors} error(s); refusing to start")))
        }
    }
}
