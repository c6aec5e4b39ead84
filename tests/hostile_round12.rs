//! Hostile input, round 12 (inputs and surfaces): text between two thread-page entries after an
//! unindented line, a model rule's file error located at its `path`, and what the moderator's
//! own tools show. Real binary; every fixture is written here.

mod common;

use std::path::PathBuf;

use common::{moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile12-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `id=verdict` per record.
fn verdicts(o: &std::process::Output) -> Vec<String> {
    records(o).iter().map(|r| format!("{}={}", r["id"].as_str().unwrap_or("?"), r["verdict"].as_str().unwrap())).collect()
}

/// A thread page where an unindented line (`Reply`, or the insult itself) ends an entry, and
/// more text follows before the next entry. A reader sees that text under the first entry, so it
/// is judged with it; before, everything from the unindented line to the next header belonged
/// to no entry and was never judged (round 11's "Left"). After the last entry the same
/// stretch is the page footer and stays unjudged.
#[test]
fn text_between_thread_entries_after_an_unindented_line_is_judged() {
    let dir = tmp("thread-between");
    let insult = "you are a fucking idiot";
    let pages = [
        format!("Discussion Policy\n\n  1. Ann said:\n\n    nice post\n\nReply\n    {insult}\n\n  2. Bob said:\n\n    hello there\n\nLeave a Reply\n    footer text\n"),
        format!("Discussion Policy\n\n  1. Ann said:\n\n    nice post\n{insult}\n  2. Bob said:\n\n    hello there\n"),
        // Ended by a line at the header's own indentation, no page chrome at all.
        format!("  1. Ann said:\n\n    nice post\n\n  {insult}\n\n  3. Cy said:\n\n    ok\n"),
    ];
    for (k, page) in pages.iter().enumerate() {
        std::fs::write(dir.join(format!("p{k}.txt")), page).unwrap();
        let o = moderate_in(&dir, &["run", "-q", "--format", "thread", &format!("p{k}.txt")], "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v = verdicts(&o);
        let want: Vec<String> = match k {
            0 => vec!["p0#1=block".into(), "p0#2=allow".into()],
            1 => vec!["p1#1=block".into(), "p1#2=allow".into()],
            _ => vec!["p2#1=block".into(), "p2#3=allow".into()],
        };
        assert_eq!(v, want, "page {k}:\n{page}");
    }
    // The footer after the last entry is still not a comment.
    let page = "  1. Ann said:\n\n    nice post\n\nLeave a Reply\n    you are a fucking idiot\n";
    std::fs::write(dir.join("f.txt"), page).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "--format", "thread", "f.txt"], "");
    assert_eq!(verdicts(&o), ["f#1=allow"]);
    // --split writes the joined text with its entry.
    let o = moderate_in(&dir, &["run", "-q", "--format", "thread", "p0.txt", "--split", "out"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let blocked = std::fs::read_to_string(dir.join("out/p0.blocked.txt")).unwrap();
    assert!(blocked.contains("1. Ann said:") && blocked.contains(insult), "{blocked}");
    let allowed = std::fs::read_to_string(dir.join("out/p0.allowed.txt")).unwrap();
    assert!(!allowed.contains(insult), "{allowed}");
}

/// A model rule's file that is missing, a directory, cut short, or the wrong label: the error
/// was located at the rule's `id` (`config.toml:8:6`) whatever line the `signal` was on (round
/// 11's "Left": the `signal` table carried no span). Now each is at its value: the file at
/// `path`, the label at `label`, an out-of-range `min` at `min`, inline or as a `[rule.signal]`
/// table, and the run refuses to start. An unknown `type` stays at its value, unknown keys at the
/// table, as before.
#[test]
fn model_rule_errors_are_located_at_their_value() {
    let dir = tmp("model-at");
    std::fs::create_dir_all(dir.join("rules/dir")).unwrap();
    let model = std::fs::read(common::root().join("rules/model.bin")).unwrap();
    std::fs::write(dir.join("rules/model.bin"), &model).unwrap();
    std::fs::write(dir.join("rules/cut.bin"), &model[..100]).unwrap();
    let base = "extends = \"none\"\n\n[thresholds]\nflag = 1.0\nblock = 3.0\n\n[[rule]]\nid = \"m.x\"\ncategory = \"attack\"\naction = \"flag\"\n";
    for (sig, want) in [
        (
            "signal = { type = \"model\", path = \"rules/missing.bin\", label = \"attack\", min = 0.5 }",
            "config.toml:11:35: ./rules/missing.bin: cannot read",
        ),
        (
            "signal = { type = \"model\",   path = \"rules/cut.bin\", label = \"attack\", min = 0.5 }",
            "config.toml:11:37: ./rules/cut.bin: not a usable model file",
        ),
        (
            "signal = { type = \"model\", path = \"rules/model.bin\", label = \"nope\", min = 0.5 }",
            "config.toml:11:62: model rule: rules/model.bin has no label `nope`",
        ),
        ("signal = { type = \"model\", path = \"rules/model.bin\", label = \"attack\", min = 5 }", "config.toml:11:78: model rule: `min` is 5"),
        ("[rule.signal]\ntype = \"model\"\nlabel = \"attack\"\n\npath = \"rules/dir\"\nmin = 0.5", "config.toml:15:8: ./rules/dir: not a regular file"),
        ("signal = { type = \"modl\", path = \"rules/model.bin\" }", "config.toml:11:19: unknown variant `modl`"),
        (
            "signal = { type = \"model\", path = \"rules/model.bin\", label = \"attack\", min = 0.5, x = 1 }",
            "config.toml:11:10: unknown field `x`, expected one of `path`, `label`, `min`",
        ),
        ("signal = { type = \"caps\", min_ratio = 70 }", "config.toml:11:39: caps `min_ratio` is the share"),
    ] {
        std::fs::write(dir.join("config.toml"), format!("{base}{sig}\n")).unwrap();
        let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
        assert_eq!(o.status.code(), Some(2), "{sig}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{sig}: want {want:?} in:\n{}", stderr(&o));
        let o = moderate_in(&dir, &["run", "-q", "--config", "config.toml"], "{\"body\":\"hi\"}\n");
        assert_eq!(o.status.code(), Some(2), "{sig}: {}", stderr(&o));
        assert!(common::stdout(&o).is_empty(), "{sig}: the run must not start");
    }
}
