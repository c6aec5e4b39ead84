//! `moderate eval`'s per-rule table: recall is the share of the positives of the label the
//! rule's category maps to (its own label when the file has it, else `toxic`), so it never
//! exceeds 1 and is not 0 when the rule catches positives (issue "Tools for rule authors").

mod common;

use common::{moderate, stdout};
use serde_json::Value;

#[test]
fn per_rule_recall_uses_the_mapped_label() {
    let out = moderate(&["eval", "--json", "tests/fixtures/breadth/eval-recall.jsonl"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reports: Value = serde_json::from_str(&stdout(&out)).expect("eval --json");
    let rules = &reports[0]["rules"];
    let stat = |rule: &str, key: &str| rules[rule][key].as_u64().unwrap_or(u64::MAX);
    // The file carries `profanity` (on r1 and r4), so profanity rules are scored against it:
    // r1 is its one positive, r4 its negative; r2, r3, r5 say nothing about profanity.
    // profanity.strong hits r1 (tp) and r3 (unlabeled for profanity): recall 1/1, not 2/4.
    assert_eq!(stat("profanity.strong", "tp"), 1);
    assert_eq!(stat("profanity.strong", "unlabeled"), 1);
    assert_eq!(stat("profanity.strong", "positives"), 1);
    // An attack rule on a file with no `attack` label is measured against `toxic`.
    assert_eq!(stat("attack.second-person-insult", "tp"), 1);
    assert_eq!(stat("attack.second-person-insult", "positives"), 4);
    for (id, r) in rules.as_object().expect("rules object") {
        let (tp, pos) = (r["tp"].as_u64().unwrap_or(0), r["positives"].as_u64().unwrap_or(0));
        assert!(tp <= pos, "{id}: tp {tp} > positives {pos}: recall above 1");
    }
}

#[test]
fn eval_breaks_down_by_source() {
    let dir = std::env::temp_dir().join(format!("moderate-eval-src-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("probes.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"a","body":"what the fuck","source":"deny:clear","labels":{"toxic":true}}"#,
            "\n",
            r#"{"id":"b","body":"fcuk this","source":"deny:evasive","labels":{"toxic":true}}"#,
            "\n",
            r#"{"id":"c","body":"please assess it","source":"allow","labels":{"toxic":false}}"#,
            "\n"
        ),
    )
    .expect("write fixture");
    let out = moderate(&["eval", file.to_str().unwrap_or_default()]);
    let text = stdout(&out);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(text.contains("by source"), "{text}");
    for (src, denied) in [("deny:clear", 1), ("deny:evasive", 1), ("allow", 0)] {
        let line = text.lines().find(|l| l.trim_start().starts_with(src)).unwrap_or_default();
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.get(2).copied(), Some(denied.to_string().as_str()), "{src}: {line}");
    }
}

/// On the lexicon probes of `../shared` (where the issue saw R 1.69 and R 0.00): every rule's
/// recall is at most 1, and a rule with true positives has recall above 0.
#[test]
fn per_rule_recall_on_the_lexicon_probes() {
    let Some(probes) = common::shared("data/lexicon.probes.jsonl") else { return };
    let out = moderate(&["eval", "--json", probes.to_str().unwrap_or_default()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reports: Value = serde_json::from_str(&stdout(&out)).expect("eval --json");
    let rules = reports[0]["rules"].as_object().expect("rules");
    let strong = &rules["profanity.strong"];
    assert!(strong["tp"].as_u64().unwrap_or(0) > 0, "{strong}");
    for (id, r) in rules {
        let (tp, pos) = (r["tp"].as_u64().unwrap_or(0), r["positives"].as_u64().unwrap_or(0));
        assert!(tp <= pos, "{id}: tp {tp} > positives {pos}");
        assert!(tp == 0 || pos > 0, "{id}: {tp} true positives but recall 0");
    }
}
