//! `moderate collect`: the verdict stream → `run`'s outputs, in input order (docs/scale-out.md).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{CliError, CliResult, ExitStatus};
use crate::pipeline::Progress;
use crate::read::Input;
use crate::scale::{self, collect::CollectOptions};
use crate::write::jsonl::JsonlSink;
use crate::write::summary::SummarySink;
use crate::write::Sink;

/// Arguments of `moderate collect`.
#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    /// The server and the subjects.
    #[command(flatten)]
    pub nats: super::publish::NatsArgs,
    /// Config file, for the author policy (use the workers' config).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Write verdict records here instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write the records into allowed / flagged / blocked files in DIR, as `run --split`
    /// (CSV and XML inputs are read again from the paths given to `publish`).
    #[arg(long)]
    pub split: Option<PathBuf>,
    /// Store flagged comments in this review-queue database (SQLite), as `run --queue`.
    #[arg(long)]
    pub queue: Option<PathBuf>,
    /// Write a per-author report (JSONL) to FILE, as `run --authors`.
    #[arg(long)]
    pub authors: Option<PathBuf>,
    /// Most verdicts held at once to restore the input order (later ones are read again; 1 to
    /// 16,777,216).
    #[arg(long, default_value_t = 65536, value_parser = clap::value_parser!(u32).range(1..=1 << 24))]
    pub window: u32,
    /// Give up (exit 1, saying how many records are missing) once no new verdict has arrived
    /// for SECS seconds in a row: checked every half second, the clock restarts at each verdict,
    /// so a slow but steady run never trips it (0: give up at the first half second without
    /// one). Default: wait until the run is complete, however long. Keep it above the workers'
    /// --ack-wait (default 30 s): the records a stopped or killed worker held are delivered to
    /// another only after that, and no verdict arrives for them meanwhile. Running collect again
    /// reads the run from its start.
    #[arg(long, value_name = "SECS")]
    pub idle: Option<u64>,
    /// No summary, no progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

struct Bar(Option<indicatif::ProgressBar>, u64);

impl Progress for Bar {
    fn advance(&mut self, records: u64, _: u64) {
        self.1 += records;
        if let Some(b) = &self.0 {
            if self.1 % 256 == 0 {
                b.set_message(format!("{} verdicts collected", self.1));
            }
        }
    }
}

/// Runs `moderate collect`.
pub fn run(args: CollectArgs) -> CliResult {
    let names = args.nats.names()?;
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    // Every output is opened before the server is asked anything, so a bad path is said at
    // once, not after a connection (or its timeout); the files are truncated only once the run
    // to collect is found, so a refused collect leaves them as they were.
    let mut extra: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(db) = &args.queue {
        let queue = crate::review::QueueSink::open(db)
            .map_err(|e| CliError::usage(format!("--queue {}: {e}", db.display())))?;
        extra.push(Box::new(queue));
    }
    if let Some(dir) = &args.split {
        std::fs::create_dir_all(dir).map_err(|e| CliError::usage(format!("--split {}: {e}", dir.display())))?;
    }
    let out_file = args.output.as_deref().map(|p| open_kept("-o", p)).transpose()?;
    let authors_file = args.authors.as_deref().map(|p| open_kept("--authors", p)).transpose()?;
    let rt = scale::runtime().map_err(|e| CliError::failure(format!("starting: {e}")))?;
    let js = rt.block_on(args.nats.connect())?;
    let run = rt.block_on(scale::collect::latest_run(&js, &names)).map_err(CliError::failure)?;

    let out: Box<dyn Write> = match (out_file, &args.output) {
        (Some(f), Some(p)) => Box::new(truncate("-o", p, f)?),
        _ => Box::new(io::stdout().lock()),
    };
    let mut verdicts = JsonlSink::new(BufWriter::with_capacity(1 << 16, out));
    let mut summary = SummarySink::default();
    if let Some(dir) = &args.split {
        let inputs: Vec<Input> =
            run.marker.inputs.iter().map(|(p, f)| Input { path: PathBuf::from(p), format: *f }).collect();
        let split = crate::write::split::SplitSink::new(dir, &inputs)
            .map_err(|e| CliError::usage(format!("--split {}: {e}", dir.display())))?;
        extra.push(Box::new(split));
    }
    let mut sinks = scale::collect::Outputs {
        verdicts: &mut verdicts,
        summary: &mut summary,
        others: extra.iter_mut().map(|s| s.as_mut() as &mut dyn Sink).collect(),
    };
    let a = &loaded.raw.authors;
    let policy_on = args.authors.is_some()
        || a.repeat_blocks > 0
        || a.blocked.is_some()
        || a.trusted.is_some()
        || a.trust_previously_approved
        || a.duplicate.is_some()
        || a.flood.is_some();
    let mut policy = policy_on.then(|| loaded.engine.author_policy());
    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(Duration::from_millis(120));
        b
    });
    let mut progress = Bar(bar, 0);
    let opts = CollectOptions { names, window: args.window as usize, idle: args.idle.map(Duration::from_secs) };
    let result = rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
        });
        scale::collect::collect(&js, &opts, &run, &mut sinks, policy.as_mut(), &mut progress, rx).await
    });
    if let Some(b) = &progress.0 {
        b.finish_and_clear();
    }
    drop(sinks);
    let got = result.map_err(CliError::failure)?;
    if let (Some(path), Some(p), Some(f)) = (&args.authors, &policy, authors_file) {
        let mut w = BufWriter::new(truncate("--authors", path, f)?);
        for row in &p.report() {
            serde_json::to_writer(&mut w, row).map_err(|e| CliError::failure(e.to_string()))?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    if !args.quiet {
        eprint!("{}", summary.summary.render(summary.elapsed()));
        eprintln!(
            "run {}: {} of {} records collected; {} dead-lettered, {} duplicate verdicts dropped, {} re-reads",
            // The marker is a NATS message like any other: its run name is shown inert.
            crate::term::sanitize(&run.marker.run),
            got.records,
            got.total.map_or_else(|| "?".to_string(), |t| t.to_string()),
            got.dead,
            got.duplicates,
            got.rereads
        );
        if got.past_end > 0 {
            eprintln!(
                "note: {} verdicts for records past the run's end dropped (not from its publish: put on the input subject by hand)",
                got.past_end
            );
        }
        if got.configs.len() > 1 {
            eprintln!("note: workers judged with {} different configs (a reload mid-run)", got.configs.len());
        }
    }
    if got.interrupted {
        return Err(CliError { status: ExitStatus::Interrupted, message: String::new() });
    }
    if let Some(total) = got.total.filter(|&t| got.records > t) {
        return Err(CliError::failure(format!(
            "the output holds {} records for a run of {total}: verdicts for records past its end (not from its publish) came before its end marker",
            got.records
        )));
    }
    if got.total != Some(got.records) {
        return Err(CliError::failure(format!(
            "incomplete: {} of {} records after {}s without a verdict (are workers running? is publish finished?)",
            got.records,
            got.total.map_or_else(|| "?".to_string(), |t| t.to_string()),
            args.idle.unwrap_or(0)
        )));
    }
    Ok(())
}

/// `path` opened for writing (created if missing) but not yet truncated, so that a collect
/// refused before it starts leaves an existing file as it was.
fn open_kept(flag: &str, path: &Path) -> CliResult<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| CliError::failure(format!("{flag} {}: {e}", path.display())))
}

/// `f` emptied now that it is to be written (a pipe or a device has nothing to empty).
fn truncate(flag: &str, path: &Path, f: File) -> CliResult<File> {
    if f.metadata().is_ok_and(|m| m.is_file()) {
        f.set_len(0).map_err(|e| CliError::failure(format!("{flag} {}: {e}", path.display())))?;
    }
    Ok(f)
}
