//! The learned model's cost per comment (criterion): `cargo bench --features bench --bench model`.
//!
//! Times `ModelRules::apply` alone (the config's model rules on one comment's normalized text),
//! over `$MODERATE_BENCH_CORPUS` (any JSONL with `id` and `body`, e.g. the 24k-comment corpus of
//! `bench/corpus.py ../shared/data DIR 5`) or, without it, the shipped `examples/labeled.jsonl`.
//! The normalization and the rules' verdict are computed once beforehand, outside the timing.
//!
//! With `MODEL_BENCH_ONCE=1` it applies the model rules once to each comment and exits, for an
//! instruction count that a loaded machine does not disturb:
//!
//! ```text
//! MODEL_BENCH_ONCE=1 valgrind --tool=callgrind \
//!   --toggle-collect='moderate::model::ModelRules::apply' target/release/deps/model-HASH
//! ```
//! (instructions per comment = the collected total / the comments it prints).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, Criterion, Throughput};
use moderate::config::source::FileSource;
use moderate::model::{ModelRules, Scratch};
use moderate::normalize::Normalized;
use moderate::read::{self, Format, Input, ReadOptions};
use moderate::verdict::Verdict;
use moderate::{Comment, Engine};

fn load() -> Engine {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match moderate::config::load_from(FileSource::Disk(dir), "config.toml") {
        Ok(loaded) => loaded.engine,
        Err(d) => panic!("config.toml does not load:\n{}", d.render(false)),
    }
}

fn corpus() -> Vec<Comment> {
    let path = std::env::var_os("MODERATE_BENCH_CORPUS")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/labeled.jsonl"), PathBuf::from);
    let input = Input { path, format: Format::Jsonl };
    let records = read::open(&input, &ReadOptions::default()).expect("cannot open the bench corpus");
    records.filter_map(Result::ok).collect()
}

/// Each comment's body, normalized text and verdict of the rules without the model.
fn prepared(engine: &Engine) -> Vec<(String, Normalized, Verdict)> {
    let bare = engine.with_models(ModelRules::default());
    corpus().into_iter().map(|c| (c.body.clone(), engine.normalize(&c.body), bare.judge(&c))).collect()
}

fn run(engine: &Engine, set: &[(String, Normalized, Verdict)], verdicts: &mut [Verdict], scratch: &mut Scratch) {
    let (models, rules, t) = (engine.models(), engine.rules(), engine.thresholds());
    for ((body, norm, _), v) in set.iter().zip(verdicts) {
        models.apply(norm, body, rules, t, v, scratch);
    }
}

fn main() {
    let engine = load();
    assert!(!engine.models().is_empty(), "config.toml has no model rule");
    let set = prepared(&engine);
    let mut scratch = Scratch::default();
    if std::env::var_os("MODEL_BENCH_ONCE").is_some() {
        let mut verdicts: Vec<Verdict> = set.iter().map(|s| s.2.clone()).collect();
        run(&engine, &set, &mut verdicts, &mut scratch);
        let hits = verdicts.iter().zip(&set).filter(|(v, s)| v.reasons.len() > s.2.reasons.len()).count();
        println!("{} comments, {hits} with a model reason", set.len());
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("model");
    g.throughput(Throughput::Elements(set.len() as u64));
    g.bench_function("apply", |b| {
        b.iter_batched_ref(
            || set.iter().map(|s| s.2.clone()).collect::<Vec<_>>(),
            |vs| run(&engine, &set, black_box(vs), &mut scratch),
            BatchSize::LargeInput,
        )
    });
    g.finish();
    c.final_summary();
}
