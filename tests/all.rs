//! The integration tests, one binary. Each tests/NAME.rs used to be its own test binary, and each
//! one linked the whole program: about two dozen links after `cargo run --release` had already
//! built everything (docs/build.md). Here every file is a module of this one crate and keeps its
//! own `mod common;` (a file named by `#[path]` resolves its submodules from tests/, so
//! tests/common/ is found as before). Test names are `FILE::test`: run one file with
//! `cargo test --release --test all -- spans::`.
//!
//! Cargo.toml has `autotests = false`, so a new tests/NAME.rs is compiled only once it is listed
//! below (or is a `[[test]]` of its own in Cargo.toml); `every_test_file_is_built` fails until it
//! is, so a new file cannot be skipped silently.

// Every file keeps its own `mod common;` (so a test file reads the same as before and a new one
// works as written); each is a small copy of the helpers in its own module.
#![allow(clippy::duplicate_mod)]

/// Declares one module per test file and keeps the list for the check below.
macro_rules! test_files {
    ($($module:ident = $file:literal,)*) => {
        $(#[path = $file] mod $module;)*
        /// The files this binary is built from.
        const FILES: &[&str] = &[$($file),*];
    };
}

test_files! {
    startup_cache = "startup_cache.rs",
    compile_woken = "compile_woken.rs",
    pattern_costs = "pattern_costs.rs",
    check_memo = "check_memo.rs",
    fuzzy_dictionary = "fuzzy_dictionary.rs",
    authors = "authors.rs",
    breadth = "breadth.rs",
    breadth_frames = "breadth_frames.rs",
    compounds = "compounds.rs",
    censor = "censor.rs",
    dumps = "dumps.rs",
    engine_limits = "engine_limits.rs",
    pattern_expansion = "pattern_expansion.rs",
    fuzzy_switch = "fuzzy_switch.rs",
    eval_recall = "eval_recall.rs",
    evasion_families = "evasion_families.rs",
    evasion_round3 = "evasion_round3.rs",
    evasion_round4 = "evasion_round4.rs",
    evasion_round5 = "evasion_round5.rs",
    evasions_matcher = "evasions_matcher.rs",
    fuzz_regressions = "fuzz_regressions.rs",
    hostile_html = "hostile_html.rs",
    fuzzy = "fuzzy.rs",
    lists_round4 = "lists_round4.rs",
    hostile_io = "hostile_io.rs",
    hostile_outputs = "hostile_outputs.rs",
    hostile_more = "hostile_more.rs",
    hostile_round2 = "hostile_round2.rs",
    hostile_round3 = "hostile_round3.rs",
    hostile_round4 = "hostile_round4.rs",
    hostile_round5 = "hostile_round5.rs",
    hostile_round6 = "hostile_round6.rs",
    hostile_round7 = "hostile_round7.rs",
    hostile_round8 = "hostile_round8.rs",
    hostile_round9 = "hostile_round9.rs",
    hostile_round10 = "hostile_round10.rs",
    hostile_round11 = "hostile_round11.rs",
    hostile_round12 = "hostile_round12.rs",
    hostile_round13 = "hostile_round13.rs",
    hostile_round14 = "hostile_round14.rs",
    hostile_round15 = "hostile_round15.rs",
    hostile_round16 = "hostile_round16.rs",
    evasions_round8 = "evasions_round8.rs",
    evasions_round9 = "evasions_round9.rs",
    evasions_round10 = "evasions_round10.rs",
    evasions_round11 = "evasions_round11.rs",
    evasions_round12 = "evasions_round12.rs",
    evasions_round13 = "evasions_round13.rs",
    evasions_round14 = "evasions_round14.rs",
    evasions_round15 = "evasions_round15.rs",
    evasions_round16 = "evasions_round16.rs",
    model = "model.rs",
    model_safety = "model_safety.rs",
    model_cv_only = "model_cv_only.rs",
    model_extras = "model_extras.rs",
    nats = "nats.rs",
    nats_batch = "nats_batch.rs",
    nats_proto = "nats_proto.rs",
    nats_records = "nats_records.rs",
    newuser = "newuser.rs",
    normalize = "normalize.rs",
    promises = "promises.rs",
    properties = "properties.rs",
    read = "read.rs",
    review_browser = "review_browser.rs",
    review_identity = "review_identity.rs",
    review_queue = "review_queue.rs",
    run = "run.rs",
    sentences = "sentences.rs",
    sentences_threats = "sentences_threats.rs",
    sentences_round15 = "sentences_round15.rs",
    sentences_round16 = "sentences_round16.rs",
    serve = "serve.rs",
    serve_harness = "serve_harness.rs",
    serve_hostile = "serve_hostile.rs",
    serve_reload = "serve_reload.rs",
    slot_gate = "slot_gate.rs",
    spans = "spans.rs",
    speed = "speed.rs",
    split = "split.rs",
    split_encodings = "split_encodings.rs",
    tools_health = "tools_health.rs",
    tools_lint = "tools_lint.rs",
    tools_shadow = "tools_shadow.rs",
    tools_suggest_mine = "tools_suggest_mine.rs",
    tuning = "tuning.rs",
    unit_model = "unit_model.rs",
    unit_model_fast = "unit_model_fast.rs",
    unit_model_text = "unit_model_text.rs",
    unit_normalize = "unit_normalize.rs",
    unit_reload = "unit_reload.rs",
    unit_read = "unit_read.rs",
    unit_regex = "unit_regex.rs",
    regex_caches = "regex_caches.rs",
    unit_regex_compile = "unit_regex_compile.rs",
    unit_regex_splice = "unit_regex_splice.rs",
    unit_review = "unit_review.rs",
    unit_scale = "unit_scale.rs",
    unit_serve = "unit_serve.rs",
    unit_term_table = "unit_term_table.rs",
    verdict_identity = "verdict_identity.rs",
}

/// Every tests/*.rs is either a module here or a `[[test]]` target of its own in Cargo.toml
/// (this file and tests/zz_skipped.rs are). With `autotests = false` cargo would otherwise not
/// build a new file at all, and its tests would never run.
#[test]
fn every_test_file_is_built() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("read Cargo.toml");
    let manifest: toml::Table = manifest.parse().expect("Cargo.toml is TOML");
    // `[[test]]` targets: their `path`, or tests/NAME.rs by default.
    let targets: Vec<String> = manifest
        .get("test")
        .and_then(|t| t.as_array())
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| {
                    let path =
                        t.get("path").and_then(|p| p.as_str()).map(|p| p.trim_start_matches("tests/").to_string());
                    path.or_else(|| t.get("name").and_then(|n| n.as_str()).map(|n| format!("{n}.rs")))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut missing: Vec<String> = std::fs::read_dir(root.join("tests"))
        .expect("read tests/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .filter(|name| !FILES.contains(&name.as_str()) && !targets.contains(name))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "tests/{} not built by any test target: add `NAME = \"NAME.rs\",` to the list in tests/all.rs",
        missing.join(", tests/")
    );
}
