//! Optional sinks of `moderate run`: `--split` and `--queue`.

use crate::config::RawConfig;
use crate::error::{CliError, CliResult};
use crate::read::Input;
use crate::write::Sink;

/// Builds the sinks the flags ask for, each with the flag and path that name it.
pub fn extra_sinks(
    args: &super::run::RunArgs,
    inputs: &[Input],
    raw: &RawConfig,
) -> CliResult<Vec<(String, Box<dyn Sink>)>> {
    let mut sinks: Vec<(String, Box<dyn Sink>)> = Vec::new();
    let _ = (inputs, raw);
    if let Some(dir) = &args.split {
        let split = crate::write::split::SplitSink::new(dir, inputs)
            .map_err(|e| CliError::usage(format!("--split {}: {e}", dir.display())))?;
        let split = if args.split_censored { split.with_censored(&raw.input.fields.body) } else { split };
        sinks.push((format!("--split {}", dir.display()), Box::new(split)));
    }
    if let Some(db) = &args.queue {
        let queue = crate::review::QueueSink::open(db)
            .map_err(|e| CliError::usage(format!("--queue {}: {e}", db.display())))?;
        sinks.push((format!("--queue {}", db.display()), Box::new(queue)));
    }
    Ok(sinks)
}

/// A sink whose failures name the output they came from (`writing -o verdicts.jsonl: No space
/// left on device`): a run writes up to five outputs, and "writing output" alone leaves the
/// user to guess which one is full or gone. The error keeps its kind (a closed pipe is still
/// one).
pub struct Named<'a> {
    inner: &'a mut dyn Sink,
    name: String,
}

impl<'a> Named<'a> {
    /// Wraps `inner`; `name` is how the command line named it (`-o FILE`, `--split DIR`, `stdout`).
    pub fn new(inner: &'a mut dyn Sink, name: String) -> Named<'a> {
        Named { inner, name }
    }

    fn named(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(e.kind(), OutputFailed(format!("writing {}: {e}", self.name)))
    }
}

/// The message of an output's failure, already naming the output (see [`Named`]).
#[derive(Debug)]
pub struct OutputFailed(pub String);

impl std::fmt::Display for OutputFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutputFailed {}

impl Sink for Named<'_> {
    fn write(&mut self, judged: &crate::write::Judged) -> std::io::Result<()> {
        self.inner.write(judged).map_err(|e| self.named(e))
    }

    fn renderer(&self) -> Option<crate::write::Renderer> {
        self.inner.renderer()
    }

    fn write_rendered(&mut self, judged: &crate::write::Judged, rendered: &[u8]) -> std::io::Result<()> {
        self.inner.write_rendered(judged, rendered).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| self.named(e))
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.inner.finish().map_err(|e| self.named(e))
    }
}
