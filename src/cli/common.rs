//! Pieces every subcommand shares: loading the config with diagnostics on stderr.

use std::io::Write;
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

/// An example comment on one line of a report (`eval`, `diff`, `mine`): its line breaks and
/// indentation read as one space, so a multi-line comment does not break the list it is in;
/// control and invisible characters are made visible ([`crate::term::sanitize`]).
pub fn one_line(body: &str) -> String {
    crate::term::sanitize(&body.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Hands `value` to the process's exit instead of dropping it: a command that ends the process
/// right after (`run`, `explain`) need not walk and free every table of the engine, which cost
/// more than judging a comment (9 M instructions after a warm `run seeds/`, docs/bench.md ninth
/// session). Only for values whose drop has no effect beyond memory.
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Writes a command's output to stdout. A closed pipe (`moderate ... | head`) ends the command
/// quietly with exit 0; any other failure (a full disk) is one message and exit 1. Never
/// panics, unlike `println!`.
///
/// # Errors
/// The output could not be written (see [`write_error`]).
pub fn print_out(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(write_error)
}

/// The error that ends a command whose output failed: quiet success for a closed pipe (the
/// reader has all it wanted), a runtime failure (exit 1) otherwise.
pub fn write_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::closed_pipe()
    } else {
        CliError::failure(format!("writing output: {e}"))
    }
}

/// A writer that remembers whether its reader went away, for writers whose errors reach the
/// CLI through another error type (the review export).
pub struct Output<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Output<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Output<W> {
        Output { inner, closed: false }
    }

    /// The CLI error for a failed write through this writer (`what` names the output).
    pub fn error(&self, e: impl std::fmt::Display, what: &impl std::fmt::Display) -> CliError {
        if self.closed {
            CliError::closed_pipe()
        } else {
            CliError::failure(format!("{what}: {e}"))
        }
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.closed |= r.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.closed |= r.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        r
    }
}

/// Refuses outputs that are also inputs (`run x.jsonl -o x.jsonl`, a split file that is an
/// input, a symlink or hard link to one, or stdout redirected into one): writing would destroy
/// or feed back into what is being read. Compared by device and inode, so every path spelling
/// is caught. `outputs` are `(flag, path)`; stdout counts as an output unless `-o` is given.
///
/// # Errors
/// Exit 2, naming the flag and the input; nothing has been run or created.
pub fn refuse_outputs_that_are_inputs(
    inputs: &[crate::read::Input],
    outputs: &[(&str, &Path)],
    stdout_is_output: bool,
) -> CliResult {
    let ids: Vec<((u64, u64), &Path)> =
        inputs.iter().filter_map(|i| Some((file_id(&std::fs::metadata(&i.path).ok()?)?, i.path.as_path()))).collect();
    let input_of = |id: Option<(u64, u64)>| id.and_then(|id| ids.iter().find(|(x, _)| *x == id).map(|(_, p)| *p));
    for (flag, path) in outputs {
        if let Some(input) = input_of(std::fs::metadata(path).ok().as_ref().and_then(file_id)) {
            return Err(CliError::usage(format!(
                "{flag} {} is also an input ({}); refusing to overwrite what is being read",
                path.display(),
                input.display()
            )));
        }
    }
    if stdout_is_output {
        if let Some(input) = input_of(stdout_id()) {
            return Err(CliError::usage(format!(
                "stdout is redirected into an input ({}); refusing to write into what is being read",
                input.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    // Only regular files: a pipe or a terminal shared by two names is not a conflict.
    m.is_file().then(|| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The file stdout writes to, when it is a regular file.
fn stdout_id() -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
        let file = std::fs::File::from(fd);
        file_id(&file.metadata().ok()?)
    }
    #[cfg(not(unix))]
    {
        None
    }
}
