//! Hostile input against the match stage (issue 14, engine half): one comment cannot stall a
//! run or blow its memory, a huge body is judged on its start and flagged, and a config that
//! cannot work is refused at start with the place to fix it.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{moderate_in, records, stderr, stdout};
use moderate::comment::Comment;
use moderate::config;
use moderate::verdict::Verdict;
use moderate::Engine;

/// The built-in pack with `[limits]` from `limits` (a temporary config that extends it).
fn pack_with(dir: &Path, limits: &str) -> Engine {
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("extends = \"builtin\"\n[limits]\n{limits}\n")).unwrap();
    match config::load(Some(&cfg)) {
        Ok(l) => l.engine,
        Err(d) => panic!("{}", d.render(false)),
    }
}

/// Fastest of five judgements of `body`, in CPU time of this thread (a wall time on a loaded
/// machine measures the load: 4x the text took 8-24x the wall time at load average 30).
fn judge_time(e: &Engine, body: &str) -> (Duration, Verdict) {
    let mut best = Duration::MAX;
    let mut v = None;
    for _ in 0..5 {
        let c = Comment::new("big", body);
        let t = common::thread_cpu_time();
        let verdict = e.judge(&c);
        best = best.min(common::thread_cpu_time().saturating_sub(t));
        v = Some(verdict);
    }
    (best, v.unwrap())
}

/// Time grows linearly: 4x the text may cost ~4x (allow 8x for a noisy machine), never the
/// 16x of a quadratic scan. A shared machine can stall one measurement, so up to three attempts
/// (a quadratic scan fails all of them). Also checks the bounded reasons.
fn assert_linear(unit: &str, small_reps: usize) {
    let dir = tempfile::tempdir().unwrap();
    let e = pack_with(dir.path(), "max_body_bytes = 100000000");
    let small = unit.repeat(small_reps);
    let large = unit.repeat(small_reps * 4);
    let mut tries = Vec::new();
    let mut best = f64::MAX;
    let mut v = None;
    while tries.len() < 3 && best >= 8.0 {
        let (t1, _) = judge_time(&e, &small);
        let (t4, verdict) = judge_time(&e, &large);
        let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
        best = best.min(ratio);
        tries.push(format!("{t1:?} -> {t4:?} (x{ratio:.1})"));
        v = Some(verdict);
    }
    assert!(best < 8.0, "{unit:?}: {} bytes, then 4x that: {tries:?}", small.len());
    let v = v.expect("judged at least once");
    assert!(v.verdict.is_deny(), "{unit:?} is judged: {v:?}");
    for r in &v.reasons {
        assert!(r.matches.len() <= 32, "{}: {} matches listed", r.rule, r.matches.len());
        for m in &r.matches {
            assert_eq!(m.text, large[m.start..m.end]);
        }
    }
}

#[test]
fn many_insults_cost_linear_time() {
    assert_linear("hello world you idiot ", 10_000);
}

#[test]
fn one_giant_word_costs_linear_time() {
    // Every `fuck` inside one word is a hit of the substring terms (`*fuck*`), each of which
    // used to walk the whole word to find its bounds.
    assert_linear("fuck", 40_000);
    assert_linear("asshole", 20_000);
}

#[test]
fn spelled_out_runs_cost_linear_time() {
    assert_linear("f u c k ", 20_000);
}

#[test]
fn a_reason_lists_32_matches_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let e = pack_with(dir.path(), "");
    let body = "you idiot. ".repeat(100);
    let v = e.judge(&Comment::new("x", body.as_str()));
    let r = v.reasons.iter().find(|r| r.rule == "attack.insult-word").expect("insult word");
    assert_eq!(r.matches.len(), 32);
    assert_eq!(r.match_count, Some(100));
    assert_eq!((r.matches[0].start, r.matches[31].start), (4, 31 * 11 + 4), "the first ones, in order");
    // A handful of matches: no count, the record is as before.
    let v = e.judge(&Comment::new("x", "you idiot, you idiot"));
    assert!(v.reasons.iter().all(|r| r.match_count.is_none()), "{v:?}");
    let json = serde_json::to_string(&v).unwrap();
    assert!(!json.contains("match_count"), "{json}");
}

#[test]
fn a_body_over_the_limit_is_judged_on_its_start_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let e = pack_with(dir.path(), "max_body_bytes = 64");
    // Clean but long: flagged, never allowed unseen.
    let v = e.judge(&Comment::new("a", "a perfectly pleasant remark about the weather ".repeat(4)));
    assert_eq!(v.verdict.as_str(), "flag", "{v:?}");
    assert_eq!(v.reasons.last().map(|r| r.rule.as_str()), Some("input.too-long"));
    // An insult in the judged part still blocks; one after the cut is not looked at.
    let v = e.judge(&Comment::new("b", format!("you are an idiot {}", "x".repeat(100))));
    assert_eq!(v.verdict.as_str(), "block", "{v:?}");
    let v = e.judge(&Comment::new("c", format!("{} you are an idiot", "lorem ipsum ".repeat(10))));
    assert_eq!(v.verdict.as_str(), "flag", "{v:?}");
    // The cut lands inside a multi-byte character: moved back to a boundary, no panic.
    let body = format!("{}ééééé idiot", "a".repeat(61));
    let v = e.judge(&Comment::new("d", body.as_str()));
    assert!(v.reasons.iter().any(|r| r.rule == "input.too-long"), "{v:?}");
    assert!(v.reasons.iter().flat_map(|r| &r.matches).all(|m| m.end <= 64));
    // At the limit exactly: judged whole, no reason added.
    let v = e.judge(&Comment::new("e", "x".repeat(64)));
    assert_eq!(v.verdict.as_str(), "allow", "{v:?}");
}

#[test]
fn the_default_limit_is_one_mebibyte() {
    let e = config::load_from(config::source::FileSource::Builtin, "config.toml").unwrap().engine;
    assert_eq!(e.limits().max_body_bytes, 1 << 20);
    let v = e.judge(&Comment::new("x", "fine words ".repeat(100_000)));
    assert_eq!(v.verdict.as_str(), "flag");
    assert!(v.reasons.iter().any(|r| r.rule == "input.too-long" && r.message.contains("1048576")), "{v:?}");
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_pattern_too_large_to_compile_stops_the_start_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.toml",
        "extends = \"none\"\n[[rule]]\nid = \"x.big\"\ncategory = \"x\"\nscore = 1.0\npatterns = ['\\w{100}{100}']\n",
    );
    let o = moderate_in(dir.path(), &["run", "-"], "{\"id\":\"1\",\"body\":\"hello\"}\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing was judged: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("config.toml:6:13") && err.contains("too large"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_term_without_a_letter_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.toml",
        "extends = \"none\"\n[[rule]]\nid = \"x.words\"\ncategory = \"x\"\nscore = 1.0\nwordlist = \"w.txt\"\n",
    );
    write(dir.path(), "w.txt", "# terms\nwidget\n  -\n?\n*\nok*\n**\n");
    let o = moderate_in(dir.path(), &["check"], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for at in ["w.txt:3:3", "w.txt:4:1", "w.txt:5:1", "w.txt:7:1"] {
        assert!(err.contains(at), "{at} in {err}");
    }
    assert!(!err.contains("w.txt:2:") && !err.contains("w.txt:6:"), "{err}");
    assert!(!err.contains("list 0"), "{err}");
}

#[test]
fn a_config_without_rules_is_refused_not_silently_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "config.toml", "[review]\nreviewer = \"sam\"\n");
    for args in [&["check"][..], &["run", "-"][..]] {
        let o = moderate_in(dir.path(), args, "{\"id\":\"1\",\"body\":\"you are a fucking idiot\"}\n");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("extends = \"builtin\""), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn extends_builtin_keeps_the_pack_and_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.toml",
        "extends = \"builtin\"\n[review]\nreviewer = \"sam\"\n[[rule]]\nid = \"site.widgets\"\ncategory = \"spam\"\n\
         action = \"flag\"\nwordlist = \"w.txt\"\n",
    );
    write(dir.path(), "w.txt", "widget\n");
    let o = moderate_in(dir.path(), &["check"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("built-in pack + 1 from ./config.toml"), "{}", stdout(&o));
    let input = "{\"id\":\"1\",\"body\":\"you are a fucking idiot\"}\n{\"id\":\"2\",\"body\":\"buy a widget\"}\n";
    let o = moderate_in(dir.path(), &["run", "-"], input);
    let recs = records(&o);
    assert_eq!(recs[0]["verdict"], "block", "{recs:?}");
    assert_eq!(recs[1]["verdict"], "flag", "{recs:?}");
    assert_eq!(recs[1]["reasons"][0]["rule"], "site.widgets");
    // The same id replaces the pack's rule.
    write(
        dir.path(),
        "config.toml",
        "extends = \"builtin\"\n[thresholds]\nflag = 1.0\nblock = 3.0\n[[rule]]\nid = \"attack.second-person-insult\"\n\
         category = \"attack\"\nscore = 0.5\nwordlist = \"w.txt\"\n",
    );
    let o = moderate_in(dir.path(), &["check"], "");
    assert!(stdout(&o).contains("+ 0 from ./config.toml, 1 built-in rule(s) replaced"), "{}", stdout(&o));
}

#[test]
fn a_counted_repetition_of_a_million_is_refused_at_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.toml",
        "extends = \"none\"\n[[rule]]\nid = \"x.rep\"\ncategory = \"x\"\nscore = 1.0\npatterns = ['a{1000}{1000}']\n",
    );
    let o = moderate_in(dir.path(), &["check"], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("config.toml:6:13") && err.contains("repeats 1000000 times"), "{err}");
}

/// The largest repetition allowed stays linear, with a small constant, on a long body made of
/// the repeated letter (the lazy DFA's cache holds its states; no fallback to a slow simulation).
#[test]
fn the_largest_allowed_repetition_judges_a_long_body_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "extends = \"none\"\n[limits]\nmax_body_bytes = 100000000\n[[rule]]\nid = \"x.rep\"\ncategory = \"x\"\n\
         score = 1.0\npatterns = ['b a{1000} b', '(?:\\w+ ){0,40}z']\n",
    )
    .unwrap();
    let e = match config::load(Some(&cfg)) {
        Ok(l) => l.engine,
        Err(d) => panic!("{}", d.render(false)),
    };
    // Both sizes past the CPU caches (a 256 KiB body fits in L2 and made the ratio 8 on a
    // linear scan).
    let small = "a".repeat(1 << 20);
    let large = "a".repeat(1 << 22);
    let (t1, _) = judge_time(&e, &small);
    let (t4, v) = judge_time(&e, &large);
    assert!(!v.verdict.is_deny(), "nothing matches: {v:?}");
    let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
    // Linear is 4; quadratic would be 16. The bound leaves room for the other core's tests
    // sharing the memory bus (a CI run measured 21 ms -> 182 ms, 8.6, with the test passing
    // at ~4 alone).
    assert!(ratio < 11.0 && t4 < Duration::from_secs(20), "{t1:?} -> {t4:?}");
}
