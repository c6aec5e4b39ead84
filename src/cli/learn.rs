//! `moderate learn`: train the model that `signal = { type = "model" }` rules read, from labeled
//! JSONL or from the review queue's decisions, and print what it adds (cross-validated).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult};
use crate::eval::{self, Counts, Report};
use crate::model::format::{Model, MAX_FILE};
use crate::model::learn::{learn, recorded_score, Input, Outcome, Role, CURVE, TARGET_PRECISION};
use crate::model::train::Options;

/// Arguments of `moderate learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    /// Labeled JSONL files to train on and report (cross-validated).
    pub files: Vec<PathBuf>,
    /// Labeled JSONL files to train on without reporting them (benign text, data whose
    /// figures would mislead).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub train_only: Vec<PathBuf>,
    /// Labeled JSONL files to report without training on them (e.g. data whose licence does
    /// not allow training).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub score_only: Vec<PathBuf>,
    /// Labeled JSONL files trained on in the cross-validation folds and reported, but left out
    /// of the written model: how a site that owns these labels would measure `learn`, on data
    /// the shipped model may not be trained on. The written model's weights never see them (its
    /// calibration and recorded figures are measured with them in the folds).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub cv_only: Vec<PathBuf>,
    /// A review queue: its moderators' decisions (as `review export` writes them) are trained
    /// on and reported.
    #[arg(long, value_name = "DB")]
    pub from_decisions: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Overwrite a model whose recorded cross-validated score is better (or a file that is
    /// not a model).
    #[arg(long)]
    pub force: bool,
    /// Cross-validation folds (2 to 100).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// log2 of the most features the model keeps (8 to 22; 17 = 131,072): bounds the file.
    #[arg(long, default_value_t = Options::default().bits)]
    pub bits: u8,
    /// Fewest training rows a word or pair must occur in to get a weight.
    #[arg(long, default_value_t = Options::default().min_support)]
    pub min_support: u32,
    /// Passes over the training rows.
    #[arg(long, default_value_t = Options::default().epochs)]
    pub epochs: usize,
    /// L2 penalty.
    #[arg(long, default_value_t = Options::default().l2)]
    pub l2: f64,
    /// Largest positive weight of one word or pair (logit units).
    #[arg(long, default_value_t = Options::default().max_weight)]
    pub max_weight: f64,
    /// Do not use the rules that hit a row as features (by default the model learns what the
    /// rules miss from them).
    #[arg(long)]
    pub no_rule_features: bool,
    /// Read character n-grams inside words too (3 to 5 bytes of the word padded with boundary
    /// marks; never one whose letters spell a word of the training text).
    #[arg(long)]
    pub char_ngrams: bool,
    /// Read context features too: a word within 3 words after "you"/"your"/... or a negation
    /// ("not", "never", ...) is also a feature in that context.
    #[arg(long)]
    pub context: bool,
    /// Train only on the rows the rules alone allow (the only ones where a flag-only model
    /// changes a verdict).
    #[arg(long)]
    pub residual: bool,
    /// Also print what a second stage over the model's score and the rules' evidence would
    /// add (cross-validated; a measurement, nothing of it is written to the model).
    #[arg(long)]
    pub stack_report: bool,
    /// Config file (default: ./config.toml, else the built-in pack): its rules are "rules
    /// alone", its model rules (if any) say how the model is graded.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
}

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn read(path: &Path, role: Role) -> CliResult<Input> {
    let rows = eval::read_labeled(path).map_err(CliError::usage)?;
    Ok(Input { name: name_of(path), rows, role })
}

/// The queue's decided items as labeled rows, through the review export.
fn decisions(db: &Path) -> CliResult<Input> {
    if !db.is_file() {
        return Err(CliError::usage(format!("{}: no such review queue", db.display())));
    }
    let store = crate::review::Store::open(db).map_err(|e| CliError::failure(format!("{}: {e}", db.display())))?;
    let mut buf = Vec::new();
    crate::review::export::export_labeled(&store, &mut buf)
        .map_err(|e| CliError::failure(format!("{}: {e}", db.display())))?;
    let tmp = std::env::temp_dir().join(format!("moderate-learn-{}.jsonl", std::process::id()));
    std::fs::write(&tmp, &buf).map_err(|e| CliError::failure(format!("{}: {e}", tmp.display())))?;
    let rows = eval::read_labeled(&tmp);
    let _ = std::fs::remove_file(&tmp);
    let rows = rows.map_err(CliError::failure)?;
    Ok(Input { name: name_of(db), rows, role: Role::Both })
}

fn prf(c: Option<&Counts>) -> String {
    match c {
        Some(c) if c.positives() > 0 => format!("{:.2} / {:.2} / {:.2}", c.precision(), c.recall(), c.f1()),
        Some(c) if c.n() > 0 => format!("{} of {} negatives denied", c.fp, c.n()),
        _ => "–".into(),
    }
}

fn block(r: &Report) -> String {
    if r.block.tp + r.block.fp == 0 {
        "–".into()
    } else {
        format!("{:.3} ({} blocked)", r.block.precision(), r.block.tp + r.block.fp)
    }
}

/// The report `learn` prints: per file and pooled, per label, rules alone vs rules + model;
/// then the model alone at each threshold.
pub fn render(out: &Outcome) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "cross-validated (each row scored by a model trained without it): deny P / R / F1");
    let _ = writeln!(s, "| file | label | rules alone | rules + model |");
    let _ = writeln!(s, "|---|---|---|---|");
    for (a, m) in out.alone.iter().zip(&out.with_model) {
        for label in eval::LABELS {
            if a.deny.get(label).map_or(true, |c| c.n() == 0) {
                continue;
            }
            let _ = writeln!(s, "| {} | {label} | {} | {} |", a.name, prf(a.deny.get(label)), prf(m.deny.get(label)));
        }
        let _ = writeln!(s, "| {} | block precision | {} | {} |", a.name, block(a), block(m));
    }
    let _ = writeln!(
        s,
        "\nmodel alone (reported rows with the label, {}+ words), precision / recall by `min`:",
        super::super::model::MIN_WORDS
    );
    let header: Vec<String> = CURVE.iter().map(|t| format!("{t}")).collect();
    let _ = writeln!(s, "| label | {} |", header.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(CURVE.len()));
    for (name, c) in &out.curves {
        let cells: Vec<String> = c.iter().map(|c| format!("{:.2} / {:.2}", c.precision(), c.recall())).collect();
        let _ = writeln!(s, "| {name} | {} |", cells.join(" | "));
    }
    let _ = writeln!(
        s,
        "\nlowest `min` with model-alone precision ≥ {TARGET_PRECISION} on held-back folds (reported rows):"
    );
    for (name, at) in &out.suggested {
        match at {
            Some((th, recall)) => {
                let _ = writeln!(s, "- {name}: min = {th:.2} (recall {recall:.2})");
            }
            None => {
                let _ = writeln!(s, "- {name}: none reaches it");
            }
        }
    }
    let _ = writeln!(s, "\nscore (mean over labels of the best model-alone F1): {:.4}", out.score);
    s
}

/// Runs `moderate learn`.
pub fn run(args: LearnArgs) -> CliResult {
    if !(8..=22).contains(&args.bits) {
        return Err(CliError::usage(format!("--bits {}: must be 8 to 22", args.bits)));
    }
    // Each fold is a model of `2^bits` weights trained on nearly every row: 10^8 folds took
    // 9.5 GB in a minute on 336 rows, and 2^64 - 1 panicked allocating them.
    if !(2..=100).contains(&args.folds) {
        return Err(CliError::usage(format!("--folds {}: must be 2 to 100", args.folds)));
    }
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let mut inputs = Vec::new();
    for f in &args.files {
        inputs.push(read(f, Role::Both)?);
    }
    if let Some(db) = &args.from_decisions {
        inputs.push(decisions(db)?);
    }
    for f in &args.train_only {
        inputs.push(read(f, Role::TrainOnly)?);
    }
    for f in &args.score_only {
        inputs.push(read(f, Role::ScoreOnly)?);
    }
    for f in &args.cv_only {
        inputs.push(read(f, Role::CvOnly)?);
    }
    if !inputs.iter().any(|i| matches!(i.role, Role::Both | Role::TrainOnly) && !i.rows.is_empty()) {
        return Err(CliError::usage("nothing to train on: give labeled files or --from-decisions with decided items"));
    }
    let ok = (1..=100).contains(&args.epochs)
        && (0.0..1.0).contains(&args.l2)
        && args.max_weight > 0.0
        && args.max_weight <= 100.0;
    if !ok {
        return Err(CliError::usage("--epochs must be 1 to 100, --l2 in [0, 1), --max-weight in (0, 100]"));
    }
    let opts = Options {
        bits: args.bits,
        min_support: args.min_support.max(1),
        epochs: args.epochs,
        l2: args.l2,
        max_weight: args.max_weight,
        rule_features: !args.no_rule_features,
        char_ngrams: args.char_ngrams,
        context: args.context,
        residual: args.residual,
        ..Options::default()
    };
    let outcome = learn(&loaded.engine, &inputs, &opts, args.folds).map_err(CliError::usage)?;
    super::common::print_out(&render(&outcome))?;
    if args.stack_report {
        super::common::print_out(&crate::model::stack::report(&outcome.stack, &outcome.heads, outcome.folds))?;
    }
    let old = existing(&args.output)?;
    match old {
        Some(Err(e)) if !args.force => {
            return Err(CliError::usage(format!(
                "{}: exists and is not a model ({e}); not overwritten (--force to replace it)",
                args.output.display()
            )))
        }
        Some(Ok(Some(was))) if was > outcome.score && !args.force => {
            return Err(CliError::usage(format!(
                "{}: its recorded score {was:.4} is better than this model's {:.4}; not overwritten (--force to replace it)",
                args.output.display(),
                outcome.score
            )))
        }
        _ => {}
    }
    let bytes = outcome.model.encode();
    let tmp = args.output.with_extension("bin.tmp");
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, &args.output))
        .map_err(|e| CliError::failure(format!("{}: {e}", args.output.display())))?;
    eprintln!("wrote {} ({} bytes, score {:.4})", args.output.display(), bytes.len(), outcome.score);
    if outcome.score <= 0.0 {
        // A model from a handful of rows is written (it is what was asked for), but a rule
        // using it would never fire: say so rather than let a moderator ship it unknowingly.
        let rows: usize = inputs.iter().map(|i| i.rows.len()).sum();
        tracing::warn!(
            "{}: score 0: on held-back folds the model alone finds none of the {rows} rows' labeled comments; a useful model needs hundreds of labeled rows per label (docs/model.md)",
            args.output.display()
        );
    }
    Ok(())
}

/// The model already at `path`: none, its recorded score, or why it is not a model.
fn existing(path: &Path) -> CliResult<Option<Result<Option<f64>, String>>> {
    if !path.exists() {
        return Ok(None);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let source = crate::config::source::FileSource::Disk(dir);
    let rel = name_of(path);
    Ok(Some(
        source
            .read_bytes(&rel, MAX_FILE)
            .and_then(|(_, b)| Model::decode(&b).map_err(|e| e.to_string()))
            .map(|m| recorded_score(&m)),
    ))
}
