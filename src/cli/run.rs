//! `moderate run`: the whole pipeline over files, directories or stdin.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{CliError, CliResult};
use crate::pipeline::{self, Progress, RunOptions};
use crate::read::{self, Format, ReadOptions};
use crate::write::jsonl::JsonlSink;
use crate::write::summary::SummarySink;
use crate::write::Sink;

use super::sinks::{Named, OutputFailed};

/// Arguments of `moderate run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Files or directories to read; `-` (or nothing) reads stdin.
    pub inputs: Vec<PathBuf>,
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Input format, overriding detection from extension and content.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Write verdict records here instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write the original records into allowed / flagged / blocked files in DIR.
    #[arg(long)]
    pub split: Option<PathBuf>,
    /// With --split: write a censored comment (the `censor` action) with its masked text as
    /// its body, so the allowed file can be published as it is.
    #[arg(long, requires = "split")]
    pub split_censored: bool,
    /// Store flagged comments in this review-queue database (SQLite).
    #[arg(long)]
    pub queue: Option<PathBuf>,
    /// Append one JSONL line per verdict (input, config hash, version) to FILE, fsynced in
    /// batches; `moderate replay FILE` judges them again.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Write a per-author report (JSONL: comments, verdicts, rules hit) to FILE.
    #[arg(long)]
    pub authors: Option<PathBuf>,
    /// Judge threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_parser = super::jobs_parser())]
    pub jobs: Option<usize>,
    /// No summary, no progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Time the match stage per stage and per rule, and print the table to stderr at the end
    /// (judging is a little slower while it counts).
    #[arg(long)]
    pub profile_rules: bool,
}

/// The terminal progress bar: comments, MB read, rate, and an ETA when the input size is known.
struct Bar {
    bar: indicatif::ProgressBar,
    comments: u64,
    read: Arc<AtomicU64>,
}

impl Progress for Bar {
    fn advance(&mut self, records: u64, _body_bytes: u64) {
        self.comments += records;
        self.bar.set_position(self.read.load(Ordering::Relaxed));
        self.bar.set_message(format!("{} comments", self.comments));
    }
}

fn progress_bar(inputs: &[read::Input], read: Arc<AtomicU64>) -> Bar {
    let sizes: Option<u64> = inputs
        .iter()
        .map(|i| if read::is_stream(&i.path) { None } else { std::fs::metadata(&i.path).ok().map(|m| m.len()) })
        .sum();
    let (bar, template) = match sizes {
        Some(total) => (
            indicatif::ProgressBar::new(total),
            "{spinner} {msg}  [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
        ),
        None => (indicatif::ProgressBar::new_spinner(), "{spinner} {msg}  {bytes}  {bytes_per_sec}  {elapsed}"),
    };
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("static template").progress_chars("=> "));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Bar { bar, comments: 0, read }
}

/// Runs `moderate run`.
pub fn run(args: RunArgs) -> CliResult {
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let engine = if args.profile_rules { loaded.engine.profiled() } else { loaded.engine };
    let inputs = if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    if inputs.iter().any(|p| p.as_os_str() == "-") && io::stdin().is_terminal() {
        eprintln!("reading comments from stdin; Ctrl-D to end");
    }
    let inputs = read::resolve_inputs(&inputs, args.format).map_err(|e| CliError::usage(e.to_string()))?;
    if inputs.is_empty() {
        tracing::warn!("no comment files found in the given inputs");
    }
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    let planned = args.split.as_deref().map(|d| crate::write::split::SplitSink::planned_files(d, &inputs));
    for (flag, p) in [("-o", &args.output), ("--authors", &args.authors), ("--queue", &args.queue)] {
        if let Some(p) = p {
            outputs.push((flag, p.as_path()));
        }
    }
    for p in planned.iter().flatten() {
        outputs.push(("--split", p.as_path()));
    }
    super::common::refuse_outputs_that_are_inputs(&inputs, &outputs, args.output.is_none())?;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);

    // Every output that can be refused as a usage error (exit 2: "nothing was run") is opened
    // before `-o` is created, so such a refusal leaves an existing verdict file as it was; and
    // `--authors`, written after the run, is created now, so an unwritable one fails before any
    // comment is judged rather than after all of them.
    let mut extra = super::sinks::extra_sinks(&args, &inputs, &loaded.raw)?;
    if let Some(path) = &args.ledger {
        let config = crate::serve::reload::resolve_config(args.config.as_deref());
        let config = crate::serve::reload::describe(&loaded.diagnostics, &loaded.raw, config.as_deref());
        let sink = crate::serve::ledger::LedgerSink::open(path, &config)
            .map_err(|e| CliError::usage(format!("--ledger {}: {e}", path.display())))?;
        extra.push((format!("--ledger {}", path.display()), Box::new(sink)));
    }
    let authors_file = match &args.authors {
        Some(p) => Some(File::create(p).map_err(|e| CliError::failure(format!("--authors {}: {e}", p.display())))?),
        None => None,
    };
    let stdout = io::stdout();
    // With other outputs open, a reader of stdout that goes away (`| head`) no longer stops the
    // run: the files the user asked for get every comment (round 15: they held the first 208 of
    // 200,000, the queue none, `--authors` was left empty, exit 0 with no word).
    let stdout_closed = Arc::new(AtomicBool::new(false));
    let mut others: Vec<String> = extra.iter().map(|(name, _)| name.clone()).collect();
    others.extend(args.authors.as_ref().map(|p| format!("--authors {}", p.display())));
    let others_open = !others.is_empty();
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(File::create(p).map_err(|e| CliError::failure(format!("-o {}: {e}", p.display())))?),
        None if others_open => Box::new(OnceClosed { inner: stdout.lock(), closed: Arc::clone(&stdout_closed) }),
        None => Box::new(stdout.lock()),
    };
    let mut verdicts = JsonlSink::new(BufWriter::with_capacity(1 << 16, out));
    let mut summary = SummarySink::default();
    let verdicts_name = args.output.as_ref().map_or_else(|| "stdout".to_string(), |p| format!("-o {}", p.display()));
    let mut named = vec![Named::new(&mut verdicts, verdicts_name)];
    for (name, s) in extra.iter_mut() {
        named.push(Named::new(s.as_mut(), std::mem::take(name)));
    }
    let (first, rest) = named.split_at_mut(1);
    let mut sinks: Vec<&mut dyn Sink> = vec![&mut first[0], &mut summary];
    for n in rest {
        sinks.push(n);
    }

    let show_progress = !args.quiet && io::stderr().is_terminal();
    let counter = show_progress.then(|| Arc::new(AtomicU64::new(0)));
    let mut bar = counter.clone().map(|c| progress_bar(&inputs, c));
    let opts = RunOptions {
        jobs,
        read: ReadOptions {
            fields: loaded.raw.input.fields.clone(),
            keep_raw: args.split.is_some(),
            bytes_read: counter,
        },
        author_policy: args.authors.is_some() || engine_has_author_policy(&loaded.raw),
    };
    let progress: &mut dyn Progress = match bar.as_mut() {
        Some(b) => b,
        None => &mut (),
    };
    let interrupt = Arc::new(AtomicBool::new(false));
    watch_signals(Arc::clone(&interrupt));
    let result = pipeline::run_until(&engine, inputs, &opts, &mut sinks, progress, &interrupt);
    if let Some(b) = &bar {
        b.bar.finish_and_clear();
    }
    drop(sinks);
    let result = match result {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) if e.get_ref().is_some_and(|inner| inner.is::<OutputFailed>()) => {
            return Err(CliError::failure(e.to_string()))
        }
        Err(e) => return Err(CliError::failure(format!("writing output: {e}"))),
    };
    if let (Some(path), Some(file)) = (&args.authors, authors_file) {
        let failed = |e: io::Error| CliError::failure(format!("--authors {}: {e}", path.display()));
        let mut w = BufWriter::new(file);
        for row in &result.authors {
            serde_json::to_writer(&mut w, row).map_err(|e| failed(e.into()))?;
            w.write_all(b"\n").map_err(failed)?;
        }
        w.flush().map_err(failed)?;
    }
    if stdout_closed.load(Ordering::Relaxed) {
        let others = others.join(", ");
        note(format_args!(
            "moderate: warning: stdout was closed by its reader before the run ended; the run went on for the other \
             outputs ({others}), which hold all {} records (`-o FILE` keeps verdicts off stdout)\n",
            summary.summary.records
        ));
    }
    if !args.quiet {
        note(format_args!("{}", summary.summary.render(summary.elapsed())));
        for line in extra.iter().filter_map(|(_, sink)| sink.report()) {
            note(format_args!("  {line}\n"));
        }
    }
    if let Some(profile) = engine.rule_profile() {
        note(format_args!("{}", profile.render(engine.rules())));
    }
    super::common::leave_to_exit(engine);
    if result.interrupted {
        note(format_args!(
            "moderate: interrupted after {} records (every output holds exactly these)\n",
            summary.summary.records
        ));
        return Err(CliError { status: crate::error::ExitStatus::Interrupted, message: String::new() });
    }
    Ok(())
}

/// Writes to stderr without panicking (`eprint!` panics when stderr fails): after a SIGHUP
/// the terminal may be gone, and the outputs are already complete.
fn note(args: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Turns the first SIGINT, SIGTERM or SIGHUP into a request to stop consistently (see
/// [`pipeline::run_until`]); a second one ends the process at once. The handlers are installed
/// before this returns, on a small runtime thread of their own.
fn watch_signals(flag: Arc<AtomicBool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        let streams = {
            let _guard = rt.enter();
            // SIGHUP (the terminal or the ssh session closed) too: its default, ending the
            // process at once, left the verdict file and the split files holding different
            // records, 89,573 and 89,527, and no summary (round 15).
            signal(SignalKind::interrupt())
                .and_then(|i| Ok((i, signal(SignalKind::terminate())?, signal(SignalKind::hangup())?)))
        };
        let Ok((mut int, mut term, mut hup)) = streams else { return };
        std::thread::spawn(move || {
            rt.block_on(async move {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
                flag.store(true, Ordering::Relaxed);
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
                std::process::exit(i32::from(crate::error::ExitStatus::Interrupted.code()));
            })
        });
    }
    #[cfg(not(unix))]
    let _ = flag;
}

fn engine_has_author_policy(raw: &crate::config::RawConfig) -> bool {
    let a = &raw.authors;
    a.repeat_blocks > 0
        || a.blocked.is_some()
        || a.trusted.is_some()
        || a.trust_previously_approved
        || a.duplicate.is_some()
        || a.flood.is_some()
}

/// stdout once its reader is gone: the first broken pipe is noted and every write after it is
/// dropped, so a run with other outputs judges its input to the end.
struct OnceClosed<W> {
    inner: W,
    closed: Arc<AtomicBool>,
}

impl<W: Write> OnceClosed<W> {
    fn absorb<T>(&self, r: io::Result<T>, ok: T) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::Relaxed);
                Ok(ok)
            }
            r => r,
        }
    }
}

impl<W: Write> Write for OnceClosed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.absorb(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let r = self.inner.flush();
        self.absorb(r, ())
    }
}
