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

/// A config is written by an attacker too. A line of it holding raw escape sequences (an ESC
/// inside a string is a TOML error, and the error's snippet quoted the line as it was) cleared
/// the moderator's screen and planted a link (OSC 8) from `check`'s output. Now the snippet
/// shows such characters as `?` (same width, so the carets stay under the value), and the
/// message, the file name and the notes as `\u{1b}`.
#[test]
fn config_diagnostics_show_no_escape_sequences_from_the_config() {
    let dir = tmp("diag-esc");
    let head = "extends = \"none\"\n\n[thresholds]\nflag = 1.0\nblock = 3.0\n\n[[rule]]\n";
    let tail = "category = \"attack\"\naction = \"flag\"\npatterns = [\"x\"]\n";
    for (id, at, shown) in [
        ("id = \"m.x\x1b[2J\x1b]8;;http://evil\x1b\\\"\n", "config.toml:8:10", "id = \"m.x?[2J?]8;;http://evil?\\\""),
        // A C1 CSI and a bidi override in a comment on a line an error quotes (one `?` a byte).
        ("id = \"\" # a\u{9b}2J b\u{202e}c d\n", "config.toml:8:6", "id = \"\" # a??2J b???c d"),
    ] {
        std::fs::write(dir.join("config.toml"), format!("{head}{id}{tail}")).unwrap();
        let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(at), "{err}");
        for bad in ['\x1b', '\u{9b}', '\u{202e}'] {
            assert!(!err.contains(bad), "{bad:?} reached the terminal:\n{err}");
        }
        assert!(err.contains(shown), "want {shown:?} in:\n{err}");
    }
}

/// Rule ids, categories, messages and explanations are printed by `run`'s summary, `explain`,
/// `eval` and `check` as they are. TOML's `\u001b` escape put an ESC (and `\u202e`, a bidi
/// override) into them: `explain` and the summary's "top rules" line then drove the terminal.
/// Now a config whose rule text holds a control, bidi or invisible character is refused at
/// the value (a message or explanation may hold line breaks and tabs).
#[test]
fn rule_text_with_control_or_bidi_characters_is_refused() {
    let dir = tmp("rule-esc");
    let base = "extends = \"none\"\n\n[thresholds]\nflag = 1.0\nblock = 3.0\n\n[[rule]]\n";
    for (rule, want) in [
        ("id = \"m.x\\u001b[2J\"\ncategory = \"attack\"\n", "config.toml:8:6: rule id holds U+001B"),
        ("id = \"m.x\\u202e\"\ncategory = \"attack\"\n", "config.toml:8:6: rule id holds U+202E"),
        ("id = \"m.x\"\ncategory = \"attack\\u001b[31m\"\n", "config.toml:9:12: rule category holds U+001B"),
        ("id = \"m.x\"\ncategory = \"attack\"\nmessage = \"msg\\u009b5m\"\n", "config.toml:10:11: rule message holds U+009B"),
        ("id = \"m.x\"\ncategory = \"attack\"\nexplanation = \"a\\u001b]8;;http://evil\\u001b\\\\\"\n", "config.toml:8:6: rule explanation holds U+001B"),
    ] {
        std::fs::write(dir.join("config.toml"), format!("{base}{rule}action = \"flag\"\npatterns = [\"\\\\bidiot\\\\b\"]\n")).unwrap();
        let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
        assert_eq!(o.status.code(), Some(2), "{rule}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{rule}: want {want:?} in:\n{}", stderr(&o));
    }
    // Line breaks and tabs in a message or explanation are text.
    let ok = "id = \"m.x\"\ncategory = \"attack\"\nmessage = \"one\\ntwo\\tthree\"\nexplanation = \"\"\"\nwhy:\n\tbecause\"\"\"\n";
    std::fs::write(dir.join("config.toml"), format!("{base}{ok}action = \"flag\"\npatterns = [\"\\\\bidiot\\\\b\"]\n")).unwrap();
    let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `explain` printed a comment's line breaks as they were, so a body `nice post\nverdict:
/// allow` put a `verdict:` line of its own above the real one. Now every line of the text after
/// its first is indented under `text:`, so no line of the body can start a line of the report.
#[test]
fn explain_indents_the_lines_of_a_comment_under_its_label() {
    let dir = tmp("explain-lines");
    let body = "you are an idiot\nhits:       none\nscore:      0\nverdict:    allow\n";
    let o = moderate_in(&dir, &["explain", body], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = common::stdout(&o);
    let verdicts: Vec<&str> = out.lines().filter(|l| l.starts_with("verdict:")).collect();
    assert_eq!(verdicts.len(), 1, "{out}");
    assert!(!verdicts[0].contains("allow"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("hits:")).count(), 1, "{out}");
    assert!(out.contains("\n            verdict:    allow"), "{out}");
}

/// A command's error quotes what it was given (a path, an id, a value read from a file): an
/// input named `no\x1b[2Jfile` printed `moderate: no<ESC>[2Jfile: no such file or directory`, and
/// the terminal cleared. Now the error shows `\u{1b}`.
#[test]
fn command_errors_show_no_escape_sequences() {
    let dir = tmp("error-esc");
    let o = moderate_in(&dir, &["run", "-q", "no\x1b[2J\u{202e}file.jsonl"], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains('\x1b') && !err.contains('\u{202e}'), "{err:?}");
    assert!(err.contains("no\\u{1b}[2J\\u{202e}file.jsonl"), "{err}");
}

/// A ledger is a file anyone with write access to it can change. `replay` printed each config
/// hash it had no copy of as it was read: a `config` of `sha256:…\x1b[2J` cleared the screen,
/// and a ledger of many distinct hashes printed a line for every one. Now the hash is shown
/// with `\u{1b}` and at most ten are named, with a count of the rest.
#[test]
fn replay_shows_a_ledgers_config_names_inert_and_few() {
    let dir = tmp("replay-esc");
    std::fs::write(dir.join("in.jsonl"), "{\"id\":\"a\",\"body\":\"hello there\"}\n").unwrap();
    let o = moderate_in(&dir, &["run", "-q", "in.jsonl", "--ledger", "l.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line: serde_json::Value = serde_json::from_str(std::fs::read_to_string(dir.join("l.jsonl")).unwrap().lines().next().unwrap()).unwrap();
    let mut ledger = String::new();
    for i in 0..25 {
        let mut l = line.clone();
        l["seq"] = serde_json::json!(i + 1);
        l["config"] = serde_json::json!(format!("sha256:{i:064x}\x1b[2J\u{202e}"));
        ledger.push_str(&format!("{l}\n"));
    }
    std::fs::write(dir.join("hostile.jsonl"), ledger).unwrap();
    let o = moderate_in(&dir, &["replay", "hostile.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains('\x1b') && !err.contains('\u{202e}'), "{err:?}");
    assert_eq!(err.lines().filter(|l| l.contains("is not available")).count(), 10, "{err}");
    assert!(err.contains("\\u{1b}[2J\\u{202e} is not available"), "{err}");
    assert!(err.contains("15 more configs"), "{err}");
}

/// A CSV row over 64 MiB, on one line or as a quoted field over many short lines. On one line
/// it ended the input: one error record, and every later row (an insult among them) was never
/// judged nor written anywhere. Over many lines it was held whole (about 3.5 bytes of memory a
/// byte: a 1 GB field took over 3 GB). Now a row past 64 MiB is read past without keeping its
/// bytes (its quotes still followed, so its end is found), it is one error record naming its
/// line, and the rows after it are judged, as JSON Lines does with a line past the limit.
#[test]
fn a_csv_row_too_long_to_hold_is_one_error_record_and_the_rows_after_it_are_judged() {
    use std::io::Write;
    let dir = tmp("csv-long-row");
    let line = [b'a'; 1 << 16];
    for (name, quoted) in [("one-line.csv", false), ("many-lines.csv", true)] {
        let path = dir.join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"id,body\n1,hello there\n2,").unwrap();
        if quoted {
            f.write_all(b"\"x \"\"quoted\"\", y").unwrap();
        }
        for _ in 0..(65 << 4) {
            f.write_all(&line[..line.len() - 1]).unwrap();
            f.write_all(if quoted { b"\n" } else { b"a" }).unwrap();
        }
        if quoted {
            f.write_all(b"\"").unwrap();
        }
        f.write_all(b"\n3,you are a fucking idiot\n4,have a nice day\n").unwrap();
        drop(f);
        let o = moderate_in(&dir, &["run", "-q", name], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let recs = records(&o);
        let v = verdicts(&o);
        // Named by its id since round 13 (`hostile_round13::a_csv_row_too_long_to_hold_keeps_its_id`).
        assert_eq!(v, ["1=allow", "2=error", "3=block", "4=allow"], "{name}");
        let e = recs[1]["error"].as_str().unwrap();
        assert!(e.contains("line 3:") && e.contains("over the limit of 64 MiB"), "{name}: {e}");
    }
}

/// A lone CR inside a line of a thread page whose lines end in LF (a comment body keeping a
/// `\r`): the reader took it for a line end, so the text after it started a line of its own at
/// column 0, which ended the entry; in the last entry that text was the page footer and was
/// never judged. A reader sees it in the comment (a terminal even prints it over the line). Now
/// a lone CR ends a line only in a page with no LF at all (an old Mac page, round 5), and is
/// white space inside a line elsewhere.
#[test]
fn a_lone_cr_inside_a_thread_line_does_not_end_the_entry() {
    let dir = tmp("thread-cr");
    for (name, page, want) in [
        ("lf", "  1. Ann said:\n\n    nice post\n\n  2. Bob said:\n\n    hello there\ryou are a fucking idiot\n", ["lf#1=allow", "lf#2=block"]),
        ("crlf", "  1. Ann said:\r\n\r\n    nice post\r\n\r\n  2. Bob said:\r\n\r\n    hello\rthere you are a fucking idiot\r\n", ["crlf#1=allow", "crlf#2=block"]),
        ("cr", "  1. Ann said:\r\r    nice post\r\r  2. Bob said:\r\r    you are a fucking idiot\r", ["cr#1=allow", "cr#2=block"]),
    ] {
        std::fs::write(dir.join(format!("{name}.txt")), page).unwrap();
        let o = moderate_in(&dir, &["run", "-q", "--format", "thread", &format!("{name}.txt")], "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(verdicts(&o), want, "{name}");
    }
}

/// A thread page's entries are looked for after its `Discussion Policy` line, the last one, so
/// that the article and the policy are never comments. A comment whose body holds a line
/// `Discussion Policy` moved that start below itself: every entry before it, its own insult
/// included, vanished (no record, no error; `1 comments` for a page of 3). Now the policy line
/// is one at column 0, as the page writes it; a comment's lines are indented. An article that
/// names the policy on a line of its own before the policy still starts the scan at the last.
#[test]
fn a_discussion_policy_line_inside_a_comment_does_not_hide_the_entries_above_it() {
    let dir = tmp("thread-policy");
    let page = "Article text\n\nDiscussion Policy\n\nComments are welcomed.\n\n  1. Ann said:\n\n    nice post\n\n  2. Eve said:\n\n    you are a fucking idiot\n\n    Discussion Policy\n\n  3. Bob said:\n\n    hello\n";
    std::fs::write(dir.join("p.txt"), page).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "p.txt"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o), ["p#1=allow", "p#2=block", "p#3=allow"]);
    // The article names the policy, then numbers a quote like an entry, then the policy itself.
    let page = "Our rules: see the Discussion Policy below.\nDiscussion Policy\n\n  1. He said:\n\n    a quote in the article, you idiot\n\nDiscussion Policy\n\nBe kind.\n\n  1. Ann said:\n\n    nice post\n";
    std::fs::write(dir.join("a.txt"), page).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "a.txt"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o), ["a#1=allow"]);
}
