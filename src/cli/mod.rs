//! The command line: parses arguments and wires the stages together. The only module that
//! knows every stage. Each subcommand lives in its own file.

pub mod check;
#[cfg(feature = "nats")]
pub mod collect;
pub mod common;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod learn;
pub mod mine;
#[cfg(feature = "nats")]
pub mod publish;
pub mod replay;
pub mod review;
pub mod run;
pub mod serve;
pub mod sinks;
pub mod suggest;
#[cfg(feature = "nats")]
pub mod worker;

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
    /// Build the rule pack from scratch, without reading or writing the start-up cache in
    /// $XDG_CACHE_HOME/moderate (also MODERATE_CACHE=off).
    #[arg(long, global = true)]
    pub no_cache: bool,
}

// The end of each subcommand's `--help`: a few examples a newcomer can paste from a fresh
// clone, and the exit codes scripts rely on (the same table as the README and docs/design.md).

const RUN_HELP: &str = "\
Examples:
  moderate run seeds/                               judge the shipped sample threads
  moderate run export.wxr.xml -o verdicts.jsonl --split out/ --queue review.db
  tail -f live.jsonl | moderate run -               one verdict per line as it arrives

Exit codes:
  0  the run completed (whatever the verdicts, `error` records included)
  1  runtime failure (e.g. an output that cannot be written)
  2  usage or config error (nothing was run)";

const SUGGEST_HELP: &str = "\
Examples:
  moderate suggest examples/labeled.jsonl                       [thresholds] for block precision 0.98
  moderate suggest --block-precision 0.95 decisions.jsonl       on your moderators' decisions
  moderate suggest --json a.jsonl b.jsonl

Exit codes:
  0  done
  2  usage or config error, or a file that is not labeled JSONL";

const MINE_HELP: &str = "\
Examples:
  moderate mine examples/labeled.jsonl                 candidates and false-alarm terms
  moderate mine --top 50 --examples 2 decisions.jsonl

Exit codes:
  0  done
  2  usage or config error, or a file that is not labeled JSONL";

const CHECK_HELP: &str = "\
Examples:
  moderate check                                    the config in use (./config.toml or built-in)
  moderate check --fix                              add the lint's innocent words to the allowlists
  moderate check --config my.toml --strict          warnings fail too

Exit codes:
  0  the config is valid (warnings are printed)
  2  errors found (with --strict: warnings too)";

const EXPLAIN_HELP: &str = "\
Examples:
  moderate explain \"you are a complete idiot\"
  moderate explain --id '004_5dbd66a7762d451d#10' seeds/
  moderate explain --json \"what the f.u.c.k\"

Exit codes:
  0  explained
  2  usage or config error, or no comment with that id";

const EVAL_HELP: &str = "\
Examples:
  moderate eval examples/labeled.jsonl              the shipped labeled sample
  moderate eval --markdown a.jsonl b.jsonl          one table row per file
  moderate eval --json decisions.jsonl              the full report for scripts

Exit codes:
  0  measured
  1  the report could not be written
  2  usage or config error, or a file that is not labeled JSONL";

const DIFF_HELP: &str = "\
Examples:
  moderate diff --config config.toml --config new.toml examples/labeled.jsonl
  moderate diff -c a.toml -c b.toml --json seeds/

Exit codes:
  0  compared (whether or not verdicts changed)
  1  the report could not be written
  2  usage or config error, or an unreadable input";

const REVIEW_HELP: &str = "\
Examples:
  moderate run --queue review.db export.wxr.xml -o verdicts.jsonl
  moderate review serve                             prints the URL with its token
  moderate review export -o decisions.jsonl --blocked-authors blocked.jsonl

Exit codes:
  0  done
  1  runtime failure (database, network, output)
  2  usage error (unknown item, bad address, bad [review] section)";

const LEARN_HELP: &str = "\
Examples:
  moderate learn examples/labeled.jsonl -o my-model.bin     train, print cross-validated figures
  moderate learn --from-decisions review.db -o rules/model.bin --force
  moderate learn a.jsonl --train-only benign.jsonl --score-only other.jsonl -o m.bin

Exit codes:
  0  trained, measured and written
  1  runtime failure (an output that cannot be written, a queue that cannot be read)
  2  usage error, unreadable labeled file, or a better model in the way (--force)";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge comments: one verdict record (JSONL) per input comment, summary on stderr.
    #[command(after_help = RUN_HELP)]
    Run(run::RunArgs),
    /// Validate the config and every rule file; errors and warnings with file:line:col.
    #[command(after_help = CHECK_HELP)]
    Check(check::CheckArgs),
    /// Show how one text is judged: normalized text, hits, score arithmetic, verdict.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(explain::ExplainArgs),
    /// Measure the rules on labeled JSONL: precision / recall / F1 per label and per rule.
    #[command(after_help = EVAL_HELP)]
    Eval(eval::EvalArgs),
    /// Show which comments change verdict between two configs, grouped by rule.
    #[command(after_help = DIFF_HELP)]
    Diff(diff::DiffArgs),
    /// Thresholds that reach a target precision on labeled data, as TOML to paste.
    #[command(after_help = SUGGEST_HELP)]
    Suggest(suggest::SuggestArgs),
    /// Candidate terms from missed positives, and the listed terms causing most false alarms.
    #[command(after_help = MINE_HELP)]
    Mine(mine::MineArgs),
    /// Train the model that model rules read, from labeled JSONL or the queue's decisions;
    /// print cross-validated precision / recall, rules alone vs rules + model.
    #[command(after_help = LEARN_HELP)]
    Learn(learn::LearnArgs),
    /// Moderate the review queue: store, list, decide, serve, export.
    #[command(after_help = REVIEW_HELP)]
    Review(review::ReviewArgs),
    /// Run the pipeline as a live HTTP service: JSON API, Akismet-compatible endpoints, hot
    /// reload, metrics, ledger.
    Serve(serve::ServeArgs),
    /// Judge every entry of a verdict ledger again with the config it names; report differences.
    Replay(replay::ReplayArgs),
    /// Publish comments to a NATS JetStream stream for `moderate worker`s (docs/scale-out.md).
    #[cfg(feature = "nats")]
    #[command(after_help = NATS_HELP)]
    Publish(publish::PublishArgs),
    /// Judge comments from NATS JetStream; run as many as you like, on any machines.
    #[cfg(feature = "nats")]
    #[command(after_help = NATS_HELP)]
    Worker(worker::WorkerArgs),
    /// Write the workers' verdicts from NATS JetStream as `run` would, in input order.
    #[cfg(feature = "nats")]
    #[command(after_help = NATS_HELP)]
    Collect(collect::CollectArgs),
}

#[cfg(feature = "nats")]
const NATS_HELP: &str = "\
Examples (a NATS server with JetStream: nats-server -js):
  moderate publish export.wxr.xml --nats nats://127.0.0.1:4222
  moderate worker --nats nats://127.0.0.1:4222       as many as you like, on any machines
  moderate collect --nats nats://127.0.0.1:4222 -o verdicts.jsonl

Exit codes:
  0  done
  1  runtime failure (server unreachable, incomplete collect, output)
  2  usage or config error
  130 interrupted (publish: run it again to finish)";

/// `-j`/`--jobs`: 1 to 1024 threads. Unbounded, `-j 18446744073709551615` panicked sizing the
/// pipeline's channels ("capacity overflow") and `-j 100000` tried to start that many threads;
/// a bound makes both a usage error naming the flag (exit 2) before anything starts.
fn jobs_parser() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024)
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    ExitCode::from(main_code())
}

/// [`main`], returning the process's exit code as a number (the binary ends the process with
/// it without the C library's exit handlers).
pub fn main_code() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitStatus::Usage.code() } else { 0 };
        }
    };
    crate::startup_trace::mark("arguments parsed");
    if cli.no_cache {
        crate::matcher::cache::disable();
    }
    if let Command::Serve(args) = &cli.command {
        serve::init_logging(args.log_format);
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("MODERATE_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .with_writer(std::io::stderr)
            .with_ansi(crate::term::color_stderr())
            .event_format(CliLine)
            .init();
    }
    crate::startup_trace::mark("logging set up");
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Mine(args) => mine::run(args),
        Command::Learn(args) => learn::run(args),
        Command::Review(args) => review::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Replay(args) => replay::run(args),
        #[cfg(feature = "nats")]
        Command::Publish(args) => publish::run(args),
        #[cfg(feature = "nats")]
        Command::Worker(args) => worker::run(args),
        #[cfg(feature = "nats")]
        Command::Collect(args) => collect::run(args),
    };
    crate::startup_trace::mark("command done");
    match result {
        Ok(()) => 0,
        Err(CliError { status, message }) => {
            if !message.is_empty() {
                // Errors quote paths and values from inputs: shown, never obeyed by the terminal.
                eprintln!("moderate: {}", crate::term::sanitize(&message));
            }
            status.code()
        }
    }
}

/// How the commands other than `serve` print a warning: `moderate: warning: ...`, one line,
/// like their errors (`moderate: ...`), rather than a log line (` WARN ...`, padded for a level
/// column nobody reads in a command's output).
struct CliLine;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for CliLine
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut w: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let (label, style) = match *event.metadata().level() {
            tracing::Level::ERROR => ("error", "1;31"),
            tracing::Level::WARN => ("warning", "1;33"),
            tracing::Level::INFO => ("info", "1"),
            tracing::Level::DEBUG => ("debug", "2"),
            tracing::Level::TRACE => ("trace", "2"),
        };
        let color = w.has_ansi_escapes();
        write!(w, "moderate: {}: ", crate::term::paint(label, style, color))?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}
