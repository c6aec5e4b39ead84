//! The author policy: repeat offenders, block and trust lists, duplicates, floods — in input
//! order, the same on any thread count — and the `--authors` report.

mod common;
use common::*;

fn run(jobs: &str, report: Option<&str>) -> std::process::Output {
    let mut args = vec!["run", "-q", "-j", jobs, "--config", "tests/fixtures/authors/config.toml"];
    if let Some(r) = report {
        args.extend(["--authors", r]);
    }
    args.push("tests/fixtures/authors/comments.jsonl");
    moderate(&args)
}

#[test]
fn author_policy_adds_reasons_in_input_order() {
    let o = run("1", None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let verdict = |id: &str| recs.iter().find(|r| r["id"] == id).unwrap().clone();
    let rules = |id: &str| -> Vec<String> {
        verdict(id)["reasons"]
            .as_array()
            .map_or(vec![], |a| a.iter().map(|x| x["rule"].as_str().unwrap().to_string()).collect())
    };
    assert_eq!(verdict("3")["verdict"], "block", "two blocks before: repeat offender");
    assert_eq!(rules("3"), vec!["author.repeat-offender"]);
    assert_eq!(rules("4"), vec!["author.blocked"]);
    assert_eq!(verdict("4")["verdict"], "block");
    assert_eq!(verdict("5")["verdict"], "allow", "trusted authors skip score-only rules");
    assert_eq!(verdict("6")["verdict"], "flag");
    assert_eq!(verdict("7")["verdict"], "allow");
    assert_eq!(rules("8"), vec!["spam.duplicate"], "same text after normalization");
    assert_eq!(verdict("8")["verdict"], "flag");
    for id in ["9", "10", "11", "13"] {
        assert_eq!(verdict(id)["verdict"], "allow", "{id}");
    }
    assert_eq!(rules("12"), vec!["spam.flood"], "the fourth comment within 10 minutes");
}

#[test]
fn author_policy_is_the_same_on_one_and_many_threads() {
    let one = run("1", None);
    let many = run("16", None);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(many.status.code(), Some(0), "{}", stderr(&many));
    let recs = records(&one);
    assert_eq!(recs.len(), 13, "one record per comment");
    assert!(recs.iter().any(|r| r["reasons"].as_array().is_some_and(|a| a.iter().any(|x| x["rule"] == "spam.flood"))));
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn authors_report_lists_each_author_most_blocked_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("authors.jsonl");
    let o = run("2", Some(path.to_str().unwrap()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["author"], "mallory");
    assert_eq!((rows[0]["comments"].as_u64(), rows[0]["block"].as_u64()), (Some(3), Some(3)));
    assert_eq!(rows[0]["rules"]["profanity.test"], 2);
    let total: u64 = rows.iter().map(|r| r["comments"].as_u64().unwrap()).sum();
    assert_eq!(total, 13);
}
