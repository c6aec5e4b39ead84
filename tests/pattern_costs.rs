//! What each compiled pattern of the shipped pack costs, in memory and first-use compile time,
//! in both forms (`matcher::regex::PatternCost`). The table is printed by the ignored test
//! (`cargo test --release --test all -- pattern_costs:: --ignored --nocapture`, docs/bench.md);
//! the other test checks what the measure itself promises.

mod common;

use moderate::matcher::regex::PatternCost;

/// Bodies of the project's labeled examples, raw and normalized.
fn samples(engine: &moderate::Engine) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(common::root().join("examples/labeled.jsonl")).expect("examples");
    let raw: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["body"].as_str().map(str::to_string))
        .collect();
    let norm = raw.iter().map(|b| engine.normalize(b).text).collect();
    (raw, norm)
}

/// Per rule set (normalized, raw), every pattern's costs.
fn costs() -> (moderate::Engine, Vec<(&'static str, Vec<PatternCost>)>) {
    let engine = common::builtin_engine();
    let (raw, norm) = samples(&engine);
    let [n, r] = engine.matcher().regex_rules();
    let norm: Vec<&str> = norm.iter().map(String::as_str).collect();
    let raw: Vec<&str> = raw.iter().map(String::as_str).collect();
    let out = vec![("norm", n.pattern_costs(&norm)), ("raw", r.pattern_costs(&raw))];
    (engine, out)
}

#[test]
fn a_pattern_without_unicode_parts_costs_the_same_in_both_forms() {
    let (_, sets) = costs();
    let mut same = 0;
    for (_, costs) in &sets {
        for c in costs {
            assert!(c.regex_bytes[0] > 0 && c.regex_bytes[1] > 0, "pattern {} did not compile", c.index);
            if c.same_forms {
                same += 1;
                assert_eq!(c.regex_bytes[0], c.regex_bytes[1], "{c:?}");
            }
        }
    }
    assert!(same > 0, "some shipped pattern has no Unicode part");
}

#[test]
#[ignore = "prints the per-pattern table"]
fn print_pattern_costs() {
    let (engine, sets) = costs();
    println!("set\tidx\trule\tnth\tbytes\tsame\tfull_us\tascii_us\tfull_mem\tascii_mem\tfull_cache0\tascii_cache0\tfull_cache\tascii_cache");
    for (set, costs) in &sets {
        let mut nth = std::collections::HashMap::new();
        for c in costs {
            let k = nth.entry(c.rule).or_insert(0);
            *k += 1;
            println!(
                "{set}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                c.index,
                engine.rules()[c.rule].id,
                k,
                c.text_bytes,
                c.same_forms,
                c.compile_us[0],
                c.compile_us[1],
                c.regex_bytes[0],
                c.regex_bytes[1],
                c.cache_bytes[0],
                c.cache_bytes[1],
                c.cache_used_bytes[0],
                c.cache_used_bytes[1]
            );
        }
    }
}

#[test]
#[ignore = "prints the NFA sizes of each pattern's full form"]
fn print_nfa_parts() {
    use regex_automata::nfa::thompson::{Compiler, Config, WhichCaptures};
    let (engine, _) = (common::builtin_engine(), ());
    let [n, r] = engine.matcher().regex_rules();
    println!("set\tidx\tfwd\trev\trev_shrunk\tfull_meta\tascii_fwd\tascii_rev\tascii_rev_shrunk");
    for (set, rules) in [("norm", n), ("raw", r)] {
        let mut i = 0;
        while let Some(text) = (i < 10_000).then(|| rules.pattern_checked(i)).flatten() {
            let hir = regex_syntax::parse(text).unwrap();
            let ascii = moderate::matcher::regex::ascii_only(&hir);
            let size = |h: &regex_syntax::hir::Hir, rev: bool, shrink: bool| {
                let c = Config::new().which_captures(WhichCaptures::None).reverse(rev).shrink(shrink);
                Compiler::new().configure(c).build_from_hir(h).map_or(0, |n| n.memory_usage())
            };
            let meta = moderate::matcher::regex::compile_hir(&hir, None).unwrap().memory_usage();
            println!(
                "{set}\t{i}\t{}\t{}\t{}\t{meta}\t{}\t{}\t{}",
                size(&hir, false, false),
                size(&hir, true, false),
                size(&hir, true, true),
                size(&ascii, false, false),
                size(&ascii, true, false),
                size(&ascii, true, true)
            );
            i += 1;
        }
    }
}

#[test]
#[ignore = "prints each pattern's memory under engine knobs"]
fn print_knobs() {
    use regex_automata::{meta, nfa::thompson::WhichCaptures, MatchKind};
    let engine = common::builtin_engine();
    let [n, r] = engine.matcher().regex_rules();
    let base = || {
        meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .hybrid_cache_capacity(256 << 10)
            .which_captures(WhichCaptures::Implicit)
    };
    let knobs: Vec<(&str, meta::Config)> = vec![
        ("base", base()),
        ("no_onepass", base().onepass(false)),
        ("no_backtrack", base().backtrack(false)),
        ("no_pre", base().auto_prefilter(false)),
        ("no_hybrid", base().hybrid(false)),
        ("no_dfa", base().dfa(false)),
        ("none_caps", base().which_captures(WhichCaptures::None)),
    ];
    print!("set\tidx\tform");
    for (k, _) in &knobs {
        print!("\t{k}");
    }
    println!();
    for (set, rules) in [("norm", n), ("raw", r)] {
        let mut i = 0;
        while let Some(text) = rules.pattern_checked(i) {
            let hir = regex_syntax::parse(text).unwrap();
            for (form, h) in [("full", hir.clone()), ("ascii", moderate::matcher::regex::ascii_only(&hir))] {
                print!("{set}\t{i}\t{form}");
                for (_, c) in &knobs {
                    let re = meta::Builder::new().configure(c.clone()).build_from_hir(&h);
                    print!("\t{}", re.map_or(0, |re| re.memory_usage()));
                }
                println!();
            }
            i += 1;
        }
    }
}

#[test]
#[ignore = "prints first-use compile time with and without the one-pass DFA"]
fn print_onepass_compile_time() {
    use regex_automata::{meta, nfa::thompson::WhichCaptures, MatchKind};
    let engine = common::builtin_engine();
    let [n, r] = engine.matcher().regex_rules();
    let config = |onepass: bool| {
        meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .hybrid_cache_capacity(256 << 10)
            .which_captures(WhichCaptures::Implicit)
            .onepass(onepass)
    };
    let mut total = [0u128; 2];
    for (set, rules) in [("norm", n), ("raw", r)] {
        let mut i = 0;
        while let Some(text) = rules.pattern_checked(i) {
            for (form, ascii) in [("full", false), ("ascii", true)] {
                let mut best = [u128::MAX; 2];
                // Alternating, the fastest of three each: the machine is shared.
                for _ in 0..3 {
                    for (k, onepass) in [true, false].into_iter().enumerate() {
                        let t0 = std::time::Instant::now();
                        let hir = regex_syntax::parse(text).unwrap();
                        let hir = if ascii { moderate::matcher::regex::ascii_only(&hir) } else { hir };
                        let re = meta::Builder::new().configure(config(onepass)).build_from_hir(&hir).unwrap();
                        best[k] = best[k].min(t0.elapsed().as_micros());
                        drop(re);
                    }
                }
                println!("{set}\t{i}\t{form}\t{}\t{}", best[0], best[1]);
                total[0] += best[0];
                total[1] += best[1];
            }
            i += 1;
        }
    }
    println!("total_us\twith_onepass {}\twithout {}", total[0], total[1]);
}

#[test]
#[ignore = "prints the search caches' bytes with and without the backtracker"]
fn print_cache_knobs() {
    use regex_automata::util::iter::Searcher;
    use regex_automata::{meta, nfa::thompson::WhichCaptures, Input, MatchKind};
    let engine = common::builtin_engine();
    let (raw, norm) = samples(&engine);
    let [n, r] = engine.matcher().regex_rules();
    let config = |backtrack: bool| {
        meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .hybrid_cache_capacity(256 << 10)
            .which_captures(WhichCaptures::Implicit)
            .onepass(false)
            .backtrack(backtrack)
    };
    let mut total = [[0usize; 2]; 2];
    for (rules, texts) in [(n, &norm), (r, &raw)] {
        let mut i = 0;
        while let Some(text) = rules.pattern_checked(i) {
            let hir = regex_syntax::parse(text).unwrap();
            for (f, h) in [hir.clone(), moderate::matcher::regex::ascii_only(&hir)].iter().enumerate() {
                let mut found = Vec::new();
                for (k, backtrack) in [true, false].into_iter().enumerate() {
                    let re = meta::Builder::new().configure(config(backtrack)).build_from_hir(h).unwrap();
                    let mut cache = re.create_cache();
                    let mut spans = Vec::new();
                    for t in texts.iter().filter(|t| f == 0 || t.is_ascii()) {
                        let mut it = Searcher::new(Input::new(t.as_str()));
                        while let Some(m) = it.advance(|input| Ok(re.search_with(&mut cache, input))) {
                            spans.push(m.range());
                        }
                    }
                    total[f][k] += cache.memory_usage();
                    found.push(spans);
                }
                assert_eq!(found[0], found[1], "pattern {i}");
            }
            i += 1;
        }
    }
    println!("cache bytes full: with backtracker {} without {}", total[0][0], total[0][1]);
    println!("cache bytes ascii: with backtracker {} without {}", total[1][0], total[1][1]);
}
