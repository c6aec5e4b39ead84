//! `moderate eval`: precision / recall / F1 of the rules on labeled JSONL.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::{CliError, CliResult};
use crate::eval::{self, Counts, Report, LABELS};
use crate::term::sanitize;

use super::common::one_line;

/// Arguments of `moderate eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labeled JSONL files (`{"id", "body", "labels": {"toxic": true, ...}}`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Config file (default: ./config.toml, else the built-in pack).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Print the full report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print only the summary table, in Markdown (one row per file plus pooled).
    #[arg(long)]
    pub markdown: bool,
    /// Examples of false alarms per rule and of misses to show.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
}

fn prf(c: &Counts) -> String {
    if c.n() == 0 {
        return "–".into();
    }
    if c.positives() == 0 {
        // Only negatives (e.g. the innocent probes): P/R/F1 mean nothing; the false alarms do.
        return format!("{} of {} negatives denied", c.fp, c.n());
    }
    format!("{:.2} / {:.2} / **{:.2}**", c.precision(), c.recall(), c.f1())
}

/// The Markdown summary table: deny vs each label, and block precision, per file and pooled.
pub fn markdown(reports: &[Report]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| file | rows | toxic P / R / F1 | profanity | attack | identity | threat | spam | block precision (vs toxic) |");
    let _ = writeln!(s, "|---|---:|---|---|---|---|---|---|---|");
    for r in reports {
        let cell = |l: &str| r.deny.get(l).map_or("–".to_string(), prf);
        let block = if r.block.tp + r.block.fp == 0 {
            "–".to_string()
        } else {
            format!("{:.3} ({} blocked)", r.block.precision(), r.block.tp + r.block.fp)
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            sanitize(&r.name),
            r.rows,
            cell("toxic"),
            cell("profanity"),
            cell("attack"),
            cell("identity"),
            cell("threat"),
            cell("spam"),
            block
        );
    }
    s
}

fn human(rep: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "== {} ({} rows)", sanitize(&rep.name), rep.rows);
    let _ = writeln!(
        s,
        "  {:<14} {:>6} {:>6} {:>6} {:>6}  {:>5} {:>5} {:>5}   category-only P/R/F1",
        "label", "n", "pos", "tp", "fp", "P", "R", "F1"
    );
    for l in LABELS {
        let Some(c) = rep.deny.get(l) else { continue };
        let cat = rep
            .category
            .get(l)
            .map_or(String::new(), |k| format!("{:.2} / {:.2} / {:.2}", k.precision(), k.recall(), k.f1()));
        let _ = writeln!(
            s,
            "  {:<14} {:>6} {:>6} {:>6} {:>6}  {:>5.2} {:>5.2} {:>5.2}   {}",
            format!("deny~{l}"),
            c.n(),
            c.positives(),
            c.tp,
            c.fp,
            c.precision(),
            c.recall(),
            c.f1(),
            cat
        );
    }
    if rep.block.n() > 0 && rep.block.tp + rep.block.fp == 0 {
        // A precision of nothing is not 0.000: say what happened.
        let _ = writeln!(s, "  block vs toxic: no row blocked, recall 0.00");
    } else if rep.block.n() > 0 {
        let _ = writeln!(
            s,
            "  block vs toxic: precision {:.3} ({} of {} blocked rows are toxic), recall {:.2}",
            rep.block.precision(),
            rep.block.tp,
            rep.block.tp + rep.block.fp,
            rep.block.recall()
        );
    }
    if !rep.sources.is_empty() {
        let _ = writeln!(s, "  by source (deny vs toxic):                     rows   denied  share");
        for (src, c) in &rep.sources {
            let _ = writeln!(
                s,
                "    {:<44} {:>6} {:>8} {:>5.1}%",
                sanitize(src),
                c.n(),
                c.tp + c.fp,
                100.0 * (c.tp + c.fp) as f64 / c.n().max(1) as f64
            );
        }
    }
    let _ = writeln!(s, "  verdict × toxic label:   toxic  not-toxic  unlabeled");
    for v in ["allow", "flag", "block", "error"] {
        if let Some(c) = rep.confusion.get(v) {
            let _ = writeln!(s, "    {:<8} {:>14} {:>10} {:>10}", v, c[0], c[1], c[2]);
        }
    }
    if !rep.shadow.is_empty() {
        let _ = writeln!(s, "  shadow rules, if enforced (P / R now → enforced):");
        for (id, se) in &rep.shadow {
            let pr = |c: &[Counts; 2]| {
                format!(
                    "{:.2} / {:.2} → {:.2} / {:.2}",
                    c[0].precision(),
                    c[0].recall(),
                    c[1].precision(),
                    c[1].recall()
                )
            };
            let _ = writeln!(
                s,
                "    {id}: {} hits, {} verdicts would change; deny~toxic {}; deny~{} {}; block precision {:.3} → {:.3}",
                se.hits,
                se.would_change,
                pr(&se.toxic),
                se.category,
                pr(&se.label),
                se.block[0].precision(),
                se.block[1].precision()
            );
        }
    }
    if !verbose {
        return s;
    }
    let _ = writeln!(s, "  per rule:                             hits     tp     fp  unlab     P     R");
    let mut rules: Vec<_> = rep.rules.iter().collect();
    rules.sort_by(|a, b| b.1.hits.cmp(&a.1.hits).then(a.0.cmp(b.0)));
    for (id, r) in rules {
        let _ = writeln!(
            s,
            "    {:<36} {:>6} {:>6} {:>6} {:>6} {:>5.2} {:>5.2}",
            id,
            r.hits,
            r.tp,
            r.fp,
            r.unlabeled,
            r.precision(),
            r.recall()
        );
    }
    let dead: Vec<&str> = rep.rules.iter().filter(|(_, r)| r.dead()).map(|(id, _)| id.as_str()).collect();
    let redundant: Vec<String> = rep
        .rules
        .iter()
        .filter_map(|(id, r)| {
            r.redundant().map(|by| format!("{id} (all {} hits also hit {by} or a stronger rule)", r.hits))
        })
        .collect();
    let _ = writeln!(s, "  rule health:");
    let _ = writeln!(
        s,
        "    dead (no hit on this data): {}",
        if dead.is_empty() { "none".to_string() } else { dead.join(", ") }
    );
    let _ = writeln!(
        s,
        "    redundant (every hit also hit by a higher-scoring rule): {}",
        if redundant.is_empty() { "none".to_string() } else { redundant.join("; ") }
    );
    for (rule, examples) in &rep.false_alarms {
        if examples.is_empty() {
            continue;
        }
        let _ = writeln!(s, "  false alarms of {rule}:");
        for e in examples {
            let spans: Vec<String> = e
                .verdict
                .reasons
                .iter()
                .filter(|r| &r.rule == rule)
                .flat_map(|r| r.matches.iter().map(|m| format!("{:?}@{}..{}", sanitize(&m.text), m.start, m.end)))
                .collect();
            let _ = writeln!(
                s,
                "    [{}] {} {}: {}",
                e.verdict.verdict.as_str(),
                sanitize(&e.id),
                spans.join(" "),
                one_line(&e.body)
            );
        }
    }
    if !rep.misses.is_empty() {
        let _ = writeln!(s, "  misses (toxic, allowed):");
        for e in &rep.misses {
            let _ = writeln!(s, "    {}: {}", sanitize(&e.id), one_line(&e.body));
        }
    }
    s
}

/// Runs `moderate eval`.
pub fn run(args: EvalArgs) -> CliResult {
    let loaded = super::common::load_config(args.config.as_deref(), false)?;
    let engine = &loaded.engine;
    let mut reports = Vec::new();
    let mut pooled = Report { name: "pooled".into(), ..Report::default() };
    for path in &args.files {
        let rows = eval::read_labeled(path).map_err(CliError::usage)?;
        let verdicts = eval::judge_all(engine, &rows);
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let rep = eval::score(&name, &rows, &verdicts, engine, args.examples);
        eval::merge(&mut pooled, &rep, args.examples);
        reports.push(rep);
    }
    if reports.len() > 1 {
        reports.push(pooled);
    }
    if args.json {
        super::common::print_out(
            &(serde_json::to_string_pretty(&reports).map_err(|e| CliError::failure(e.to_string()))? + "\n"),
        )?;
    } else if args.markdown {
        super::common::print_out(&markdown(&reports))?;
    } else {
        let last = reports.len().saturating_sub(1);
        let text: String = reports.iter().enumerate().map(|(i, r)| human(r, i == last)).collect();
        super::common::print_out(&text)?;
    }
    Ok(())
}
