//! `moderate publish`: inputs → the NATS input stream (docs/scale-out.md).

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{CliError, CliResult, ExitStatus};
use crate::read::{self, Format, ReadOptions};
use crate::scale::{self, Names};

/// Where the NATS commands meet: the server and the subjects (the same on every command of a
/// deployment).
#[derive(Debug, Clone, clap::Args)]
pub struct NatsArgs {
    /// NATS server URL (JetStream enabled); several comma-separated for a cluster.
    #[arg(long, env = "MODERATE_NATS", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// Subject of the input records.
    #[arg(long, default_value = "comments.in")]
    pub subject: String,
    /// Subject of the verdict records.
    #[arg(long, default_value = "comments.verdicts")]
    pub verdicts: String,
    /// Subject of messages no worker could judge (with the reason in a header).
    #[arg(long, default_value = "comments.dead")]
    pub dead: String,
    /// Seconds to wait for the first connection (1 to 86,400).
    #[arg(long, default_value_t = 5, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub connect_timeout: u64,
}

impl NatsArgs {
    /// The subject names, checked: plain tokens only (no wildcards, no spaces).
    pub fn names(&self) -> CliResult<Names> {
        for (flag, s) in [("--subject", &self.subject), ("--verdicts", &self.verdicts), ("--dead", &self.dead)] {
            let ok = !s.is_empty()
                && s.len() <= 200
                && s.split('.')
                    .all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic() && b != b'*' && b != b'>'));
            if !ok {
                return Err(CliError::usage(format!(
                    "{flag} {s:?}: not a plain NATS subject (tokens separated by '.')"
                )));
            }
        }
        let names = Names::new(&self.subject, &self.verdicts, &self.dead);
        if names.input == names.verdicts || names.input == names.dead || names.verdicts == names.dead {
            return Err(CliError::usage("--subject, --verdicts and --dead must differ"));
        }
        Ok(names)
    }

    /// Connects (see [`scale::connect`]).
    pub async fn connect(&self) -> CliResult<scale::nats::Js> {
        scale::connect(&self.nats, Duration::from_secs(self.connect_timeout.max(1))).await.map_err(CliError::failure)
    }
}

/// Arguments of `moderate publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Files or directories to read; `-` (or nothing) reads stdin.
    pub inputs: Vec<PathBuf>,
    /// The server and the subjects.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Config file, for its `[input.fields]` mapping (default: ./config.toml, else built-in).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Input format, overriding detection from extension and content.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Name of the run (default: a hash of the inputs' paths, sizes and times, so publishing
    /// the same files again after a crash adds nothing). Letters, digits, '-', '_'.
    #[arg(long)]
    pub run: Option<String>,
    /// Send each record's original bytes too, so `collect --split` writes them back byte for
    /// byte (otherwise split records are rebuilt from their fields).
    #[arg(long)]
    pub raw: bool,
    /// Records per message: up to N consecutive records of one input travel together
    /// (`Nats-Msg-Id = run:first-last`), which halves the server's work per record; 1 sends
    /// one message per record (`Nats-Msg-Id = run:index`). Re-publish with the same N to dedupe.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub batch: u32,
    /// No summary, no progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs `moderate publish`.
pub fn run(args: PublishArgs) -> CliResult {
    let names = args.nats.names()?;
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let paths = if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    let inputs = read::resolve_inputs(&paths, args.format).map_err(|e| CliError::usage(e.to_string()))?;
    let run = match &args.run {
        Some(r) => {
            scale::check_run_name(r).map_err(CliError::usage)?;
            r.clone()
        }
        None => scale::run_id(&inputs),
    };
    let read_opts = ReadOptions { fields: loaded.raw.input.fields.clone(), keep_raw: args.raw, bytes_read: None };
    let rt = scale::runtime().map_err(|e| CliError::failure(format!("starting: {e}")))?;
    let interrupt = Arc::new(AtomicBool::new(false));
    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let started = Instant::now();
    let result = rt.block_on(async {
        let js = args.nats.connect().await?;
        let flag = Arc::clone(&interrupt);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
            }
        });
        let mut advance = |n: u64| {
            if let Some(b) = &bar {
                b.set_message(format!("{n} records published"));
            }
        };
        scale::publish::publish(
            &js,
            &names,
            inputs,
            read_opts,
            scale::publish::RunSpec { name: &run, batch: args.batch as usize },
            &interrupt,
            &mut advance,
        )
        .await
        .map_err(CliError::failure)
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let out = result?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "published {} records to {} as run {run} in {secs:.1}s ({:.0} records/s); {} already there (re-run), {} unreadable (error records)",
            out.records,
            names.input,
            out.records as f64 / secs.max(1e-9),
            out.duplicates,
            out.unreadable
        );
    }
    if out.interrupted {
        eprintln!("moderate: interrupted; run the same command again to publish the rest (records already stored are not duplicated)");
        return Err(CliError { status: ExitStatus::Interrupted, message: String::new() });
    }
    Ok(())
}
