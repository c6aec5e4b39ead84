//! Errors that end a command, and the exit codes they map to (docs/design.md §5).

use std::fmt;

/// How the process ends: 0 done (whatever the verdicts), 1 runtime or input failure, 2 usage or
/// config error, 130 interrupted (SIGINT/SIGTERM; the outputs hold what was done, consistently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did its job.
    Success,
    /// Something failed while running (I/O, an input that broke mid-way).
    Failure,
    /// The command line or the config is wrong; nothing was run.
    Usage,
    /// Stopped by SIGINT/SIGTERM after writing what was done (128 + SIGINT, as shells report).
    Interrupted,
}

impl ExitStatus {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

/// An error that ends a command, with the exit status it calls for. The message is complete
/// (file, line, column where known) and is printed as is.
#[derive(Debug)]
pub struct CliError {
    /// Exit status to end with.
    pub status: ExitStatus,
    /// The message shown to the user.
    pub message: String,
}

impl CliError {
    /// A usage or config error (exit 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError { status: ExitStatus::Usage, message: message.into() }
    }

    /// The output's reader went away (a closed pipe): stop quietly with exit 0.
    pub fn closed_pipe() -> CliError {
        CliError { status: ExitStatus::Success, message: String::new() }
    }

    /// A runtime failure (exit 1).
    pub fn failure(message: impl Into<String>) -> CliError {
        CliError { status: ExitStatus::Failure, message: message.into() }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failure(e.to_string())
    }
}

/// Result of a CLI command.
pub type CliResult<T = ()> = Result<T, CliError>;
