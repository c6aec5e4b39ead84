//! `check`, `eval`, `diff` and `explain` on small fixtures: the tuning loop of a moderator.

mod common;
use common::*;

fn check_first_line(fixture: &str) -> (i32, String) {
    let o = moderate(&["check", "--config", &format!("tests/fixtures/check/{fixture}")]);
    let err = stderr(&o);
    let line = err.lines().find(|l| l.starts_with("error:") || l.starts_with("warning:")).unwrap_or("").to_string();
    (o.status.code().unwrap(), line)
}

#[test]
fn check_locates_a_regex_error_inside_the_toml_string() {
    let (code, line) = check_first_line("bad-regex.toml");
    assert_eq!(code, 2);
    assert_eq!(line, "error: tests/fixtures/check/bad-regex.toml:10:20: invalid regex: unclosed group");
}

#[test]
fn check_names_unknown_keys_and_suggests_the_right_one() {
    let o = moderate(&["check", "--config", "tests/fixtures/check/unknown-key.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown-key.toml:3:1: unknown field `blok`"), "{err}");
    assert!(err.contains("did you mean `block`?"), "{err}");
}

#[test]
fn check_locates_toml_syntax_errors() {
    let (code, line) = check_first_line("syntax.toml");
    assert_eq!(code, 2);
    assert!(line.starts_with("error: tests/fixtures/check/syntax.toml:3:9:"), "{line}");
}

#[test]
fn check_names_a_missing_rule_file_where_the_config_refers_to_it() {
    let (code, line) = check_first_line("missing-file.toml");
    assert_eq!(code, 2);
    assert!(line.starts_with("error: tests/fixtures/check/missing-file.toml:6:12: "), "{line}");
    assert!(line.contains("no-such-list.txt"), "{line}");
}

#[test]
fn check_rejects_duplicate_rule_ids() {
    let (code, line) = check_first_line("dup-id.toml");
    assert_eq!(code, 2);
    assert_eq!(
        line,
        "error: tests/fixtures/check/dup-id.toml:9:6: rule id `test.same` is used twice (first on line 2)"
    );
}

#[test]
fn check_warns_about_dead_lists_duplicates_empty_matches_and_silent_blocks() {
    let o = moderate(&["check", "--config", "tests/fixtures/check/warnings.toml"]);
    assert_eq!(o.status.code(), Some(0), "warnings do not fail check");
    let err = stderr(&o);
    for want in [
        "words.txt:4:1: warning: term `badword` is listed twice (first on line 2)",
        "warnings.toml:5:6: warning: block rule `test.words` has no `message`",
        "warnings.toml:15:13: warning: this pattern matches the empty string",
        "warnings.toml:2:10: warning: list `unused` is never used by a rule",
    ] {
        let (loc, msg) = want.split_once(": warning: ").unwrap();
        assert!(
            err.lines().any(|l| l.starts_with("warning:") && l.contains(loc) && l.contains(msg)),
            "missing {want:?} in\n{err}"
        );
    }
    let strict = moderate(&["check", "--strict", "--config", "tests/fixtures/check/warnings.toml"]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn run_refuses_to_start_on_a_broken_config() {
    let o = moderate(&["run", "--config", "tests/fixtures/check/bad-regex.toml", "seeds/"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("bad-regex.toml:10:20"));
}

#[test]
fn the_shipped_config_and_the_built_in_pack_check_clean() {
    let o = moderate(&["check", "--strict"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let elsewhere = std::env::temp_dir();
    let o = moderate_in(&elsewhere, &["check", "--strict"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("built-in pack: ok"), "{}", stdout(&o));
}

#[test]
fn the_shipped_schema_is_current() {
    let o = moderate(&["check", "--schema"]);
    let shipped = std::fs::read_to_string(root().join("config.schema.json")).expect("config.schema.json is shipped");
    assert_eq!(stdout(&o).trim(), shipped.trim(), "regenerate with: moderate check --schema > config.schema.json");
}

#[test]
fn eval_counts_exactly() {
    let o = moderate(&[
        "eval",
        "--json",
        "--config",
        "tests/fixtures/eval/config.toml",
        "tests/fixtures/eval/labeled.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reports: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r = &reports[0];
    assert_eq!(r["rows"], 6);
    // deny vs toxic: e1, e2 tp; e4 fp; e5 fn; e3 tn (e6 has no toxic key).
    let t = &r["deny"]["toxic"];
    assert_eq!(
        (t["tp"].as_u64(), t["fp"].as_u64(), t["fn_"].as_u64(), t["tn"].as_u64()),
        (Some(2), Some(1), Some(1), Some(1))
    );
    // profanity label present on e1 (T), e3 (F), e4 (F), e5 (T).
    let p = &r["deny"]["profanity"];
    assert_eq!(
        (p["tp"].as_u64(), p["fp"].as_u64(), p["fn_"].as_u64(), p["tn"].as_u64()),
        (Some(1), Some(1), Some(1), Some(1))
    );
    let rule = &r["rules"]["profanity.test"];
    assert_eq!(
        (rule["hits"].as_u64(), rule["tp"].as_u64(), rule["fp"].as_u64(), rule["unlabeled"].as_u64()),
        (Some(3), Some(1), Some(1), Some(1))
    );
    let block = &r["block"];
    assert_eq!((block["tp"].as_u64(), block["fp"].as_u64()), (Some(1), Some(1)));
    assert_eq!(r["confusion"]["flag"], serde_json::json!([1, 0, 0]));
    assert_eq!(r["false_alarms"]["profanity.test"][0]["id"], "e4");
    assert_eq!(r["misses"][0]["id"], "e5");
}

#[test]
fn diff_lists_the_comments_whose_verdict_changes_with_fix_or_regression() {
    let o = moderate(&[
        "diff",
        "--json",
        "--config",
        "tests/fixtures/diff/a.toml",
        "--config",
        "tests/fixtures/diff/b.toml",
        "tests/fixtures/eval/labeled.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["compared"], 6);
    let mut changed: Vec<(String, String)> = Vec::new();
    for (_, group) in r["groups"].as_object().unwrap() {
        for c in group.as_array().unwrap() {
            changed.push((c["id"].as_str().unwrap().into(), c["effect"].as_str().unwrap_or("-").into()));
        }
    }
    changed.sort();
    let want: Vec<(String, String)> = [("e1", "regression"), ("e2", "fix"), ("e4", "fix"), ("e6", "-")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(changed, want);
    assert!(r["groups"].as_object().unwrap().contains_key("allow → flag by +attack.test"));
}

#[test]
fn explain_shows_the_span_the_score_and_the_verdict() {
    let o = moderate(&["explain", "--config", "tests/fixtures/eval/config.toml", "well you idiot, look"]);
    let out = stdout(&o);
    assert!(out.contains("«you idiot»"), "{out}");
    assert!(out.contains("5..14"), "{out}");
    assert!(out.contains("verdict:    flag (action of attack.test)"), "{out}");
    let j = moderate(&["explain", "--json", "--config", "tests/fixtures/eval/config.toml", "well you idiot, look"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&j)).unwrap();
    assert_eq!(v["verdict"]["verdict"], "flag");
    assert_eq!(v["verdict"]["reasons"][0]["matches"][0]["text"], "you idiot");
}

#[test]
fn unless_after_keeps_reported_speech_from_blocking_but_not_from_review() {
    let cfg = "tests/fixtures/unless/config.toml";
    let input = [
        r#"{"id":"said","body":"Well, you are an idiot."}"#,
        r#"{"id":"reported","body":"Some guy called me, like, you idiot, at work"}"#,
        r#"{"id":"word","body":"Is the word 'you idiot' allowed here?"}"#,
        r#"{"id":"next-sentence","body":"He called me names. You idiot, he was right."}"#,
    ]
    .join("\n");
    let o = moderate_in(&root(), &["run", "--config", cfg, "-"], &input);
    let got = id_verdicts(&o);
    let want = [("said", "block"), ("reported", "flag"), ("word", "flag"), ("next-sentence", "block")];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want, "{}", stderr(&o));
    // explain says what did not count and why.
    let e = moderate(&["explain", "--config", cfg, "Some guy called me, like, you idiot"]);
    let out = stdout(&e);
    assert!(out.contains("not counted: attack.aimed 26..35 \"you idiot\""), "{out}");
    let j = moderate(&["explain", "--json", "--config", cfg, "Some guy called me, like, you idiot"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&j)).unwrap();
    assert_eq!(v["not_counted"][0]["rule"], "attack.aimed");
    assert_eq!(v["not_counted"][0]["text"], "you idiot");
}

#[test]
fn check_locates_a_regex_error_in_unless_after() {
    let (code, line) = check_first_line("bad-unless.toml");
    assert_eq!(code, 2);
    assert_eq!(line, "error: tests/fixtures/check/bad-unless.toml:11:27: invalid regex: unclosed group");
}

#[test]
fn unless_phrase_keeps_an_idiom_from_counting_but_not_the_word_elsewhere() {
    let cfg = "tests/fixtures/phrase/config.toml";
    let input = [
        r#"{"id":"idiom","body":"There is a chink in his armor."}"#,
        r#"{"id":"clean","body":"Spic and span, the kitchen was."}"#,
        r#"{"id":"slur","body":"those chinks again"}"#,
        r#"{"id":"both","body":"a chink in the armour, said the chink"}"#,
    ]
    .join("\n");
    let o = moderate_in(&root(), &["run", "--config", cfg, "-"], &input);
    let got = id_verdicts(&o);
    let want = [("idiom", "allow"), ("clean", "allow"), ("slur", "flag"), ("both", "flag")];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want, "{}", stderr(&o));
    // The second "chink" of "both" is the one that counts.
    let both = &records(&o)[3];
    assert_eq!(both["reasons"][0]["matches"][0]["start"], 32, "{both}");
    let e = moderate(&["explain", "--config", cfg, "There is a chink in his armor."]);
    let out = stdout(&e);
    assert!(out.contains("not counted: identity.slur 11..16 \"chink\""), "{out}");
    assert!(out.contains("`unless_phrase`"), "{out}");
}

#[test]
fn check_locates_a_regex_error_in_unless_phrase() {
    let (code, line) = check_first_line("bad-phrase.toml");
    assert_eq!(code, 2);
    assert_eq!(line, "error: tests/fixtures/check/bad-phrase.toml:11:25: invalid regex: unclosed group");
}

/// `unless_written` reads the hit as it was typed: `çok` (Turkish, "very") folds to the same
/// `cok` as an evasion typed with a plain c, and only the first is innocent.
#[test]
fn unless_written_keeps_a_spelling_from_counting_but_not_its_folded_twin() {
    let cfg = "tests/fixtures/written/config.toml";
    let input = [
        r#"{"id":"turkish","body":"bu film çok güzel"}"#,
        r#"{"id":"upper","body":"ÇOK İYİ"}"#,
        r#"{"id":"plain","body":"nice cok"}"#,
        r#"{"id":"both","body":"çok güzel, nice cok"}"#,
    ]
    .join("\n");
    let o = moderate_in(&root(), &["run", "--config", cfg, "-"], &input);
    let got = id_verdicts(&o);
    let want = [("turkish", "allow"), ("upper", "allow"), ("plain", "flag"), ("both", "flag")];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want, "{}", stderr(&o));
    let both = &records(&o)[3];
    assert_eq!(both["reasons"][0]["matches"][0]["text"], "cok", "{both}");
    let e = moderate(&["explain", "--config", cfg, "çok güzel"]);
    let out = stdout(&e);
    assert!(out.contains("not counted: profanity.crude 0..4 \"çok\""), "{out}");
    assert!(out.contains("`unless_written`"), "{out}");
}

#[test]
fn check_locates_a_regex_error_in_unless_written() {
    let (code, line) = check_first_line("bad-written.toml");
    assert_eq!(code, 2);
    assert_eq!(line, "error: tests/fixtures/check/bad-written.toml:11:26: invalid regex: unclosed group");
}

/// `(id, verdict)` of each record of a run, in order.
fn id_verdicts(o: &std::process::Output) -> Vec<(String, String)> {
    records(o)
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["verdict"].as_str().unwrap().to_string()))
        .collect()
}
