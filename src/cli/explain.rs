//! `moderate explain`: why one text (or one comment of an input) gets its verdict.

use std::path::PathBuf;

use crate::comment::Comment;
use crate::error::{CliError, CliResult};
use crate::read::{self, Format, ReadOptions};

/// Arguments of `moderate explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The text to judge (or, with --id, the input files to find the comment in).
    #[arg(required = true)]
    pub text: Vec<String>,
    /// Explain the comment with this id from the inputs given instead of a text.
    #[arg(long)]
    pub id: Option<String>,
    /// Input format for --id (default: detected).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Print JSON: normalized text and the verdict record.
    #[arg(long)]
    pub json: bool,
}

/// Runs `moderate explain`.
pub fn run(args: ExplainArgs) -> CliResult {
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let comment = match &args.id {
        None => Comment::new("explain", args.text.join(" ")),
        Some(id) => find_comment(&args.text, id, args.format, &loaded.raw.input.fields)?,
    };
    let engine = &loaded.engine;
    let ex = engine.explain(&comment);
    crate::startup_trace::mark("explain: judged");
    if args.json {
        let not_counted: Vec<serde_json::Value> = ex
            .reported
            .iter()
            .filter_map(|h| {
                let span = h.span.clone()?;
                let text = comment.body.get(span.clone()).unwrap_or("");
                let rule = &engine.rules().get(h.rule)?.id;
                Some(serde_json::json!({"rule": rule, "start": span.start, "end": span.end, "text": text}))
            })
            .collect();
        let out = serde_json::json!({
            "id": comment.id,
            "body": comment.body,
            "normalized": ex.normalized,
            "verdict": ex.verdict,
            "not_counted": not_counted,
            "thresholds": {"flag": engine.thresholds().flag, "block": engine.thresholds().block},
        });
        super::common::print_out(
            &(serde_json::to_string_pretty(&out).map_err(|e| CliError::failure(e.to_string()))? + "\n"),
        )?;
    } else {
        let mut text = String::new();
        if args.id.is_some() {
            text = format!("id:         {}\n", crate::term::sanitize(&comment.id));
        }
        text.push_str(&crate::explain::render(
            &comment.body,
            &ex,
            engine.rules(),
            engine.thresholds(),
            crate::term::color_stdout(),
        ));
        super::common::print_out(&text)?;
    }
    crate::startup_trace::mark("explain: printed");
    super::common::leave_to_exit(loaded);
    Ok(())
}

fn find_comment(inputs: &[String], id: &str, format: Option<Format>, fields: &read::FieldMap) -> CliResult<Comment> {
    let paths: Vec<PathBuf> = inputs.iter().map(PathBuf::from).collect();
    let inputs = read::resolve_inputs(&paths, format).map_err(|e| CliError::usage(e.to_string()))?;
    let opts = ReadOptions { fields: fields.clone(), ..ReadOptions::default() };
    for input in &inputs {
        let records = read::open(input, &opts).map_err(|e| CliError::usage(e.to_string()))?;
        for c in records.flatten() {
            if c.id == id {
                return Ok(c);
            }
        }
    }
    Err(CliError::usage(format!("no comment with id {id:?} in the inputs")))
}
