//! Shadow rules (`mode = "shadow"`): evaluated and reported, never enforced. A shadow rule
//! never changes a verdict or a score (on the whole shipped sample, and on the dev sets of
//! `../shared` when present); `eval` says what enforcing it would do, and that prediction equals
//! what the same config with the `mode` line deleted measures.

mod common;

use std::path::{Path, PathBuf};

use common::{moderate, records, shared, stderr, stdout};
use serde_json::Value;

/// The shipped pack plus two strong rules, shadowed (or enforced: `mode` line left out).
fn config(name: &str, shadow: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moderate-shadow-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mode = if shadow { "mode = \"shadow\"\n" } else { "" };
    let text = format!(
        r#"extends = "builtin"

[[rule]]
id = "attack.watch-harsh"
category = "attack"
action = "block"
score = 3.0
{mode}message = "harsh words, watched"
patterns = ['\b(?:stupid|idiot\w*|liar|pathetic|terrible|hate|ugly)\b']

[[rule]]
id = "spam.watch-common"
category = "spam"
score = 1.0
{mode}message = "very common words, watched"
patterns = ['\b(?:the|you|is)\b']
"#
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config");
    path
}

/// `(id, verdict, score, reasons)` of one record.
type Record = (String, String, f64, Vec<Value>);

/// `(id, verdict, score, non-shadow reasons)` of every record, and the shadow reasons.
fn judged(config: &Path, input: &Path) -> (Vec<Record>, Vec<Value>) {
    let o = moderate(&["run", "-q", "--config", config.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut shadows = Vec::new();
    let out = records(&o)
        .into_iter()
        .map(|r| {
            let reasons = r["reasons"].as_array().cloned().unwrap_or_default();
            let (sh, plain): (Vec<Value>, Vec<Value>) = reasons.into_iter().partition(|x| x.get("shadow").is_some());
            shadows.extend(sh);
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                r["verdict"].as_str().unwrap_or_default().to_string(),
                r["score"].as_f64().unwrap_or(f64::NAN),
                plain,
            )
        })
        .collect();
    (out, shadows)
}

fn never_changes_a_verdict(input: &Path) {
    // One directory per input: the two tests run at once and each removes its own at the end.
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("input");
    let shadowed = config(&format!("never-{stem}"), true);
    let base = moderate(&["run", "-q", input.to_str().unwrap()]);
    assert!(base.status.success(), "{}", stderr(&base));
    let base: Vec<Record> = records(&base)
        .into_iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                r["verdict"].as_str().unwrap_or_default().to_string(),
                r["score"].as_f64().unwrap_or(f64::NAN),
                // The pack's own shadow rules (the model rules) report in both runs alike.
                r["reasons"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|x| x.get("shadow").is_none())
                    .collect(),
            )
        })
        .collect();
    let (with, shadows) = judged(&shadowed, input);
    assert_eq!(base.len(), with.len(), "{}: one record per comment", input.display());
    let mut differ = Vec::new();
    for (b, w) in base.iter().zip(&with) {
        if b != w {
            differ.push(format!("{} {} {} → {} {}", b.0, b.1, b.2, w.1, w.2));
        }
    }
    assert!(
        differ.is_empty(),
        "{}: shadow rules changed {} records:\n{}",
        input.display(),
        differ.len(),
        differ.join("\n")
    );
    // They did hit, and say so: no score, no action, what they would have done.
    let own = shadows.iter().filter(|s| s["rule"].as_str().is_some_and(|r| r.contains(".watch-"))).count();
    assert!(own > 10, "{}: the shadow rules should hit: {own}", input.display());
    for s in &shadows {
        assert!(s.get("action").is_none() && s.get("score").is_none(), "{s}");
        if !s["rule"].as_str().is_some_and(|r| r.contains(".watch-")) {
            continue; // the pack's own shadow rules (the model rules: flag, no score)
        }
        let would = &s["shadow"];
        assert!(would["score"].as_f64().is_some_and(|x| x > 0.0), "{s}");
        if s["rule"] == "attack.watch-harsh" {
            assert_eq!(would["verdict"], "block", "{s}");
            assert_eq!(would["action"], "block", "{s}");
        }
    }
    let _ = std::fs::remove_dir_all(shadowed.parent().unwrap());
}

#[test]
fn a_shadow_rule_never_changes_a_verdict_on_the_shipped_sample() {
    never_changes_a_verdict(&common::root().join("examples/labeled.jsonl"));
}

#[test]
fn a_shadow_rule_never_changes_a_verdict_on_the_dev_sets() {
    let Some(data) = shared("data") else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".dev.jsonl")).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no *.dev.jsonl in {}", data.display());
    for f in files {
        never_changes_a_verdict(&f);
    }
}

#[test]
fn eval_predicts_what_enforcing_the_shadow_rule_measures() {
    let sample = common::root().join("examples/labeled.jsonl");
    // One shadow rule at a time, so "enforced" means exactly the config without its `mode` line.
    let dir = std::env::temp_dir().join(format!("moderate-shadow-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, mode: &str| {
        let p = dir.join(name);
        let text = format!(
            "extends = \"builtin\"\n\n[[rule]]\nid = \"attack.watch-harsh\"\ncategory = \"attack\"\naction = \"block\"\n\
             score = 3.0\n{mode}message = \"harsh words\"\npatterns = ['\\b(?:stupid|idiot\\w*|liar|pathetic|terrible|hate|ugly)\\b']\n"
        );
        std::fs::write(&p, text).expect("config");
        p
    };
    let shadow = write("shadow.toml", "mode = \"shadow\"\n");
    let enforced = write("enforced.toml", "");
    let eval = |c: &Path| -> Value {
        let o = moderate(&["eval", "--json", "--config", c.to_str().unwrap(), sample.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).expect("eval --json")
    };
    let (s, e) = (eval(&shadow), eval(&enforced));
    let se = &s[0]["shadow"]["attack.watch-harsh"];
    assert!(se["hits"].as_u64().is_some_and(|h| h > 0), "{se}");
    // "now" is the report's own deny~toxic; "enforced" is what the enforced config measures.
    assert_eq!(se["toxic"][0], s[0]["deny"]["toxic"], "{se}");
    assert_eq!(se["toxic"][1], e[0]["deny"]["toxic"], "{se}");
    assert_eq!(se["block"][1], e[0]["block"], "{se}");
    assert!(e[0]["shadow"].as_object().is_some_and(|m| !m.contains_key("attack.watch-harsh")));
    // The human report shows the what-if line.
    let o = moderate(&["eval", "--config", shadow.to_str().unwrap(), sample.to_str().unwrap()]);
    assert!(stdout(&o).contains("shadow rules, if enforced"), "{}", stdout(&o));
    // The summary of a run has the "would have" column; diff counts the shadow hits.
    let o = moderate(&["run", "--config", shadow.to_str().unwrap(), sample.to_str().unwrap()]);
    let err = stderr(&o);
    let line = err.lines().find(|l| l.trim_start().starts_with("attack.watch-harsh")).unwrap_or_default();
    assert!(err.contains("would have: flagged  blocked") && !line.is_empty(), "{err}");
    let o = moderate(&[
        "diff",
        "--config",
        shadow.to_str().unwrap(),
        "--config",
        enforced.to_str().unwrap(),
        sample.to_str().unwrap(),
    ]);
    let text = stdout(&o);
    assert!(text.contains("+attack.watch-harsh -attack.watch-harsh (shadow)"), "{text}");
    assert!(text.lines().any(|l| l.trim_start().starts_with("attack.watch-harsh")), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
