//! Rule health in `moderate eval`: dead rules (no hit on the data) and redundant rules (every
//! hit also hit by a higher-scoring rule with at least as strong an action).

mod common;

use common::{moderate, stderr, stdout};
use serde_json::Value;

#[test]
fn eval_names_dead_and_redundant_rules() {
    let dir = std::env::temp_dir().join(format!("moderate-health-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        r#"[[rule]]
id = "attack.strong"
category = "attack"
action = "block"
score = 3.0
message = "m"
patterns = ['\b(?:idiot|moron)\b']

[[rule]]
id = "attack.weak-copy"
category = "attack"
score = 1.0
message = "m"
patterns = ['\bidiot\b']

[[rule]]
id = "attack.own-evidence"
category = "attack"
score = 1.0
message = "m"
patterns = ['\bfool\b']

[[rule]]
id = "attack.never"
category = "attack"
score = 1.0
message = "m"
patterns = ['\bzzqxv\b']
"#,
    )
    .expect("config");
    let file = dir.join("labeled.jsonl");
    let rows = [
        (r#"you idiot"#, true),
        (r#"what an idiot, a fool"#, true),
        (r#"you fool"#, true),
        (r#"moron"#, true),
        (r#"a fine day"#, false),
    ];
    let text: String = rows
        .iter()
        .enumerate()
        .map(|(i, (b, t))| {
            serde_json::json!({"id": i.to_string(), "body": b, "labels": {"toxic": t}}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&file, text).expect("fixture");
    let (c, f) = (config.to_str().unwrap(), file.to_str().unwrap());
    let o = moderate(&["eval", "--json", "--config", c, f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rep: Value = serde_json::from_str(&stdout(&o)).expect("eval --json");
    let rules = &rep[0]["rules"];
    assert_eq!(
        (rules["attack.weak-copy"]["hits"].as_u64(), rules["attack.weak-copy"]["covered"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(rules["attack.weak-copy"]["covered_by"]["attack.strong"], 2);
    // "a fool" is covered on one row (with "idiot"), not on "you fool": not redundant.
    assert_eq!(
        (rules["attack.own-evidence"]["hits"].as_u64(), rules["attack.own-evidence"]["covered"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(rules["attack.never"]["hits"], 0);
    let text = stdout(&moderate(&["eval", "--config", c, f]));
    let dead = text.lines().find(|l| l.contains("dead (no hit")).unwrap_or_default();
    let redundant = text.lines().find(|l| l.contains("redundant (every hit")).unwrap_or_default();
    assert!(dead.ends_with(": attack.never"), "{text}");
    assert!(redundant.contains("attack.weak-copy (all 2 hits also hit attack.strong"), "{text}");
    assert!(!redundant.contains("attack.own-evidence") && !redundant.contains("attack.strong ("), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
