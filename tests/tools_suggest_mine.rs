//! `moderate suggest` returns thresholds that reach the asked precision on the data it was
//! given (checked by running the suggested config), and `moderate mine` surfaces a planted
//! separating term with its spans.

mod common;

use std::path::PathBuf;

use common::{moderate, records, root, stderr, stdout};
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moderate-tools-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the config at `config` over `input` and measures precision of block and of deny
/// against "any label true", from the verdict records and the file's labels.
fn measured(config: &str, input: &str) -> (f64, f64, u64, u64) {
    let o = moderate(&["run", "-q", "--config", config, input]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels: Vec<bool> = std::fs::read_to_string(input)
        .expect("input")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("labeled row");
            v["labels"].as_object().is_some_and(|m| m.values().any(|x| x == true))
        })
        .collect();
    let verdicts: Vec<String> = records(&o).iter().map(|r| r["verdict"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(labels.len(), verdicts.len());
    let (mut btp, mut bn, mut dtp, mut dn) = (0u64, 0u64, 0u64, 0u64);
    for (l, v) in labels.iter().zip(&verdicts) {
        if v == "block" {
            bn += 1;
            btp += u64::from(*l);
        }
        if v == "block" || v == "flag" {
            dn += 1;
            dtp += u64::from(*l);
        }
    }
    let p = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (p(btp, bn), p(dtp, dn), bn, dn)
}

#[test]
fn suggested_thresholds_reach_the_asked_precision_on_the_data() {
    let sample = root().join("examples/labeled.jsonl");
    let sample = sample.to_str().unwrap();
    let dir = scratch("suggest");
    for (block_p, flag_p) in [(0.98, 0.8), (0.95, 0.97), (1.0, 0.9)] {
        let o = moderate(&[
            "suggest",
            "--json",
            "--block-precision",
            &block_p.to_string(),
            "--flag-precision",
            &flag_p.to_string(),
            sample,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s: Value = serde_json::from_str(&stdout(&o)).expect("suggest --json");
        let (flag, block) = (s["suggested"]["flag"].as_f64().unwrap(), s["suggested"]["block"].as_f64().unwrap());
        assert!(flag <= block, "{s}");
        let config = dir.join(format!("t-{block_p}-{flag_p}.toml"));
        std::fs::write(&config, format!("extends = \"builtin\"\n\n[thresholds]\nflag = {flag}\nblock = {block}\n"))
            .expect("config");
        let (bp, dp, blocked, denied) = measured(config.to_str().unwrap(), sample);
        let notes = s["notes"].as_array().map_or(0, Vec::len);
        // Either the target is reached on the data, or suggest said it cannot be.
        assert!(bp >= block_p || notes > 0, "block precision {bp} < {block_p} with {flag}/{block}: {s}");
        assert!(dp >= flag_p || notes > 0, "deny precision {dp} < {flag_p} with {flag}/{block}: {s}");
        // What suggest reports is what the run gives.
        assert_eq!(
            s["suggested"]["blocked"]["tp"].as_u64().unwrap() + s["suggested"]["blocked"]["fp"].as_u64().unwrap(),
            blocked
        );
        assert_eq!(
            s["suggested"]["deny"]["tp"].as_u64().unwrap() + s["suggested"]["deny"]["fp"].as_u64().unwrap(),
            denied
        );
    }
    // The human form is TOML to paste (comments and one [thresholds] table).
    let o = moderate(&["suggest", sample]);
    let text = stdout(&o);
    let table: toml::Table = toml::from_str(&text).expect("suggest prints valid TOML");
    assert!(
        table["thresholds"]["block"]
            .as_float()
            .or(table["thresholds"]["block"].as_integer().map(|i| i as f64))
            .is_some(),
        "{text}"
    );
    assert!(text.contains("queue/10k"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mine_surfaces_a_planted_separating_term() {
    let dir = scratch("mine");
    let file = dir.join("planted.jsonl");
    let mut lines = Vec::new();
    let row = |id: String, body: &str, toxic: bool| {
        serde_json::json!({"id": id, "body": body, "labels": {"toxic": toxic}}).to_string()
    };
    let misses = [
        "honestly you are so glorptastic today",
        "Glorptastic people like you should log off",
        "what a glorptastic take, as usual",
        "only a GLORPTASTIC mind writes this",
        "go away, glorptastic",
        "stay glorptastic, everyone can see it",
    ];
    for (i, b) in misses.iter().enumerate() {
        lines.push(row(format!("m{i}"), b, true));
    }
    let innocent = [
        "the council meets on tuesday to discuss the budget",
        "I think you are right about the bridge",
        "what a good take on the housing question",
        "people like you and me pay for this",
        "the mind boggles at the cost of the tram",
        "everyone can see the road needs fixing",
        "go to the library, it is open late today",
        "honestly the article is fair",
    ];
    for r in 0..4 {
        for (i, b) in innocent.iter().enumerate() {
            lines.push(row(format!("n{r}-{i}"), b, false));
        }
    }
    // Caught positives (the rules deny them): not misses.
    lines.push(row("c1".into(), "you are a complete idiot", true));
    std::fs::write(&file, lines.join("\n") + "\n").expect("fixture");
    let o = moderate(&["mine", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).expect("mine --json");
    assert_eq!(r["misses"], 6, "{r}");
    let first = &r["candidates"][0];
    assert_eq!(first["term"], "glorptastic", "{r}");
    assert_eq!(first["misses"], 6);
    assert_eq!(first["negatives"], 0);
    let examples = first["examples"].as_array().expect("examples");
    assert_eq!(examples.len(), 3, "{first}");
    for e in examples {
        let span = &e["spans"][0];
        assert_eq!(span["text"].as_str().unwrap().to_lowercase(), "glorptastic", "{e}");
    }
    // No candidate is something a rule already matches on its own ("idiot").
    assert!(!r["candidates"].as_array().unwrap().iter().any(|c| c["term"].as_str().unwrap_or("").contains("idiot")));
    let text = stdout(&moderate(&["mine", file.to_str().unwrap()]));
    assert!(text.contains("glorptastic") && text.contains("\"glorptastic\"@"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mine_lists_the_listed_terms_causing_false_alarms() {
    let dir = scratch("mine-fa");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[[rule]]\nid = \"attack.words\"\ncategory = \"attack\"\naction = \"flag\"\nmessage = \"m\"\n\
         patterns = ['\\b(?:budget|idiot|moron)\\b']\n",
    )
    .expect("config");
    let file = dir.join("labeled.jsonl");
    let row = |id: &str, body: &str, toxic: bool| {
        serde_json::json!({"id": id, "body": body, "labels": {"toxic": toxic}}).to_string()
    };
    let rows = [
        row("a", "The Budget is late again", false),
        row("b", "a budget for the library, at last", false),
        row("c", "the budget, the budget, always the budget", false),
        row("d", "you moron", false),
        row("e", "you idiot, the budget is a lie", true),
        row("f", "what an idiot", true),
    ];
    std::fs::write(&file, rows.join("\n") + "\n").expect("fixture");
    let o = moderate(&["mine", "--json", "--config", config.to_str().unwrap(), file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).expect("mine --json");
    let fas = r["false_alarms"].as_array().expect("false_alarms");
    assert_eq!(fas.len(), 2, "{r}");
    // Most false alarms first, counted once per comment, with what allowlisting would cost.
    assert_eq!(
        (fas[0]["text"].as_str(), fas[0]["negatives"].as_u64(), fas[0]["positives"].as_u64()),
        (Some("budget"), Some(3), Some(1))
    );
    assert_eq!((fas[1]["text"].as_str(), fas[1]["negatives"].as_u64()), (Some("moron"), Some(1)));
    let examples = fas[0]["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 3);
    let budget_row = examples.iter().find(|e| e["id"] == "c").expect("row c");
    assert_eq!(budget_row["spans"].as_array().unwrap().len(), 3, "every span of the term in that comment");
    for e in examples {
        assert_eq!(e["spans"][0]["text"].as_str().unwrap().to_lowercase(), "budget", "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Moderators' decisions (`review export`) are labeled data: `suggest` and `mine` read them.
#[test]
fn suggest_and_mine_read_review_export_output() {
    let dir = scratch("export");
    let sample = root().join("examples/labeled.jsonl");
    let db = dir.join("review.db");
    let (db_s, sample_s) = (db.to_str().unwrap(), sample.to_str().unwrap());
    let o = moderate(&["run", "-q", "--queue", db_s, sample_s]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = moderate(&["review", "list", "--db", db_s]);
    let ids: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(|s| s.trim_start_matches('#').to_string())
        .collect();
    assert!(ids.len() >= 6, "{}", stdout(&o));
    let mut reject = vec!["review", "reject", "--db", db_s];
    reject.extend(ids[..4].iter().map(String::as_str));
    assert!(moderate(&reject).status.success());
    let mut approve = vec!["review", "approve", "--db", db_s];
    approve.extend(ids[4..6].iter().map(String::as_str));
    assert!(moderate(&approve).status.success());
    let export = dir.join("decisions.jsonl");
    let o = moderate(&["review", "export", "--db", db_s, "-o", export.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = moderate(&["suggest", "--json", export.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_str(&stdout(&o)).expect("suggest --json");
    assert_eq!((s["rows"].as_u64(), s["labeled"].as_u64()), (Some(6), Some(6)), "{s}");
    assert_eq!(s["current"]["deny"]["tp"].as_u64().unwrap() + s["current"]["deny"]["fn_"].as_u64().unwrap(), 4, "{s}");
    let o = moderate(&["mine", "--json", export.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m: Value = serde_json::from_str(&stdout(&o)).expect("mine --json");
    assert_eq!((m["rows"].as_u64(), m["negatives"].as_u64()), (Some(6), Some(2)), "{m}");
    let _ = std::fs::remove_dir_all(&dir);
}
