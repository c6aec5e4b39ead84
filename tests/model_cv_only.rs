//! `moderate learn --cv-only FILE`: a file trained on in the cross-validation folds and
//! reported, but left out of the written model (issue 22: how a site that owns its labels
//! measures `learn`, on data the shipped model may not be trained on).

mod common;
use common::*;

use std::path::Path;

/// Writes `name`: sentences where the phrase `bad` marks an attack and a benign twin does not.
fn planted(dir: &Path, name: &str, bad: &str) {
    let subjects = ["you are", "honestly you are", "frankly he is", "she is", "they are", "my neighbour is"];
    let tails = ["today", "again", "as usual", "and everyone knows it", "in every thread", "for sure"];
    let mut text = String::new();
    for (i, s) in subjects.iter().enumerate() {
        for (j, t) in tails.iter().enumerate() {
            let n = i * 10 + j;
            let rows = [
                serde_json::json!({"id": format!("{name}-p{n}"), "body": format!("{s} such a {bad} {t}"),
                    "labels": {"attack": true, "toxic": true}}),
                serde_json::json!({"id": format!("{name}-n{n}"), "body": format!("{s} such a keen gardener {t}"),
                    "labels": {"attack": false, "toxic": false}}),
            ];
            for r in rows {
                text.push_str(&format!("{r}\n"));
            }
        }
    }
    std::fs::write(dir.join(name), text).unwrap();
}

fn config(dir: &Path, model: &str) {
    let toml = format!(
        "extends = \"builtin\"\n\n[[rule]]\nid = \"model.planted\"\ncategory = \"attack\"\nscore = 1.0\n\
         message = \"the planted model reads this as an attack\"\n\
         signal = {{ type = \"model\", path = \"{model}\", label = \"attack\", min = 0.7 }}\n"
    );
    std::fs::write(dir.join("site.toml"), toml).unwrap();
}

fn flagged_by_model(dir: &Path, body: &str) -> bool {
    let o = moderate_in(dir, &["explain", "--json", "--config", "site.toml", body], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    out["verdict"]["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r["rule"] == "model.planted"))
}

#[test]
fn a_cv_only_file_is_reported_but_never_trained_into_the_written_model() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    planted(d, "licensed.jsonl", "zorblax grumfle");
    planted(d, "owned.jsonl", "quibbit snorfle");
    let learn = |args: &[&str]| {
        let mut all = vec!["learn", "--folds", "3", "--bits", "12"];
        all.extend_from_slice(args);
        moderate_in(d, &all, "")
    };
    let o = learn(&["licensed.jsonl", "--cv-only", "owned.jsonl", "-o", "cv.bin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = stdout(&o);
    // Reported, cross-validated: the folds learned its phrase, so its attacks are found.
    let row = report.lines().find(|l| l.starts_with("| owned.jsonl | attack |")).unwrap_or_else(|| panic!("{report}"));
    let with_model = row.split('|').nth(4).unwrap().trim();
    let recall: f64 = with_model.split(" / ").nth(1).unwrap().parse().unwrap();
    assert!(recall >= 0.5, "the folds trained on owned.jsonl: {row}");

    // The written model never saw its rows: its phrase weighs nothing, the licensed one does.
    config(d, "cv.bin");
    assert!(flagged_by_model(d, "Well you are a total Z0RBLAX grumfle"));
    assert!(!flagged_by_model(d, "Well you are a total quibbit snorfle"));
    // The same file trained normally does teach the written model its phrase.
    let o = learn(&["licensed.jsonl", "owned.jsonl", "-o", "both.bin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    config(d, "both.bin");
    assert!(flagged_by_model(d, "Well you are a total quibbit snorfle"));

    // Every training file --cv-only: nothing to write, a usage error.
    let o = learn(&["--cv-only", "owned.jsonl", "-o", "none.bin"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!d.join("none.bin").exists());
}
