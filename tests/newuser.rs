//! A new user's walk through the README: the places where following it step by step stumbled
//! (an output failure that did not say which output, a check line without its line end, a
//! multi-line comment breaking a report's list, help that showed a stray `=`). Each test runs
//! the real binary on input written here, in seconds, without `../shared`.
mod common;

use std::path::PathBuf;

use common::{moderate, moderate_in, stderr, stdout};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("newuser").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn check_ends_its_ok_line_with_a_line_end() {
    let out = moderate(&["check", "--no-lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(": ok — "), "{text}");
    assert!(text.ends_with('\n'), "the shell prompt would follow on the same line: {text:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_output_is_named_in_the_error() {
    let out = moderate(&["run", "-q", "seeds/", "-o", "/dev/full"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("writing -o /dev/full: "), "{}", stderr(&out));

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["run", "-q", "seeds/"])
        .current_dir(common::root())
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("writing stdout: "), "{}", stderr(&out));
}

#[test]
fn a_warning_reads_like_the_errors_one_line_with_the_program_name() {
    let dir = scratch("warning");
    std::fs::write(dir.join("page.txt"), "An article with no comment entries at all.\n").unwrap();
    let out = moderate_in(&dir, &["run", "-q", "page.txt"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err.lines().find(|l| l.contains("page.txt")).unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(line.starts_with("moderate: warning: page.txt: no comment entries"), "{line:?}");
}

#[test]
fn review_list_shows_each_item_on_one_line() {
    let dir = scratch("review-list");
    let comments = concat!(
        r#"{"id":"m1","author":"Ann","body":"What a fool\n\tthat referee was,\n\nhonestly."}"#,
        "\n",
        r#"{"id":"m2","author":"Bob","body":"That clown of a mayor\r\nagain."}"#,
        "\n",
    );
    let run = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "-"], comments);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let flagged = common::records(&run).iter().filter(|r| r["verdict"] == "flag").count();
    assert!(flagged >= 1, "{}", stdout(&run));

    let out = moderate_in(&dir, &["review", "--db", "q.db", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("\\u{"), "line breaks shown as escapes: {text}");
    let items: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(items.len(), flagged, "{text}");
    assert_eq!(text.lines().count(), flagged + 1, "one line per item and the count: {text}");
    assert!(text.contains("What a fool that referee was, honestly."), "{text}");
}

/// Labeled rows written for this test: a multi-line innocent comment the pack holds anyway (a
/// false alarm), a plain innocent one, and a toxic one; nothing is blocked.
const LABELED: &str = concat!(
    r#"{"id":"f1","body":"What a fool\nthat referee was,\n\thonestly.","labels":{"toxic":false,"attack":false,"profanity":false}}"#,
    "\n",
    r#"{"id":"f2","body":"The bus was late again today.","labels":{"toxic":false,"attack":false,"profanity":false}}"#,
    "\n",
    r#"{"id":"f3","body":"what a moron","labels":{"toxic":true,"attack":true,"profanity":false}}"#,
    "\n",
);

#[test]
fn eval_keeps_examples_on_one_line_columns_aligned_and_says_when_nothing_was_blocked() {
    let dir = scratch("eval");
    std::fs::write(dir.join("labeled.jsonl"), LABELED).unwrap();
    let out = moderate_in(&dir, &["eval", "labeled.jsonl"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // The false alarm's body continues on the line of its id, not at the start of the next.
    assert!(text.contains("f1 "), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("that referee") || l.trim_start().starts_with("honestly")),
        "{text}"
    );
    // Nothing was blocked: no "precision 0.000 (0 of 0 ...)".
    assert!(!text.contains("0 of 0 blocked"), "{text}");
    // Every `deny~LABEL` row puts its numbers under the header's columns, however long LABEL.
    let end_of_f1 = |l: &str| {
        let mut fields = 0;
        let mut in_field = false;
        for (i, c) in l.char_indices() {
            if c == ' ' {
                if in_field && fields == 8 {
                    return i;
                }
                in_field = false;
            } else if !in_field {
                in_field = true;
                fields += 1;
            }
        }
        l.len()
    };
    let header = text.lines().find(|l| l.trim_start().starts_with("label ")).expect("header");
    let rows: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("deny~")).collect();
    assert!(rows.iter().any(|r| r.contains("deny~profanity")), "{text}");
    for row in rows {
        assert_eq!(end_of_f1(row), end_of_f1(header), "{header}\n{row}");
    }
}

#[test]
fn review_help_shows_no_stray_equals_sign_after_an_unset_variable() {
    let out = moderate(&["review", "approve", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("MODERATE_REVIEWER"), "{text}");
    assert!(!text.contains("MODERATE_REVIEWER="), "{text}");
}

/// A WordPress export as a site has it: an approved comment, one its filter marked spam and one
/// a moderator trashed (both innocent to the rules), one pending, and one approved attack.
const WXR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<item>
  <wp:post_id>7</wp:post_id>
  <wp:comment>
    <wp:comment_id>31</wp:comment_id>
    <wp:comment_content>Thanks for the clear write-up on the bridge repairs.</wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
  </wp:comment>
  <wp:comment>
    <wp:comment_id>32</wp:comment_id>
    <wp:comment_content>Lovely photos of the harbour in this article.</wp:comment_content>
    <wp:comment_approved>spam</wp:comment_approved>
  </wp:comment>
  <wp:comment>
    <wp:comment_id>33</wp:comment_id>
    <wp:comment_content>The mayor spoke at nine.</wp:comment_content>
    <wp:comment_approved> <![CDATA[trash]]> </wp:comment_approved>
  </wp:comment>
  <wp:comment>
    <wp:comment_id>34</wp:comment_id>
    <wp:comment_content>When does the bridge open again?</wp:comment_content>
    <wp:comment_approved>0</wp:comment_approved>
  </wp:comment>
  <wp:comment>
    <wp:comment_id>35</wp:comment_id>
    <wp:comment_content>you are an idiot</wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
  </wp:comment>
</item>
</channel>
</rss>
"#;

/// The `wp:comment_approved` values of a WXR text, in order.
fn approved_values(xml: &str) -> Vec<String> {
    xml.split("<wp:comment_approved>")
        .skip(1)
        .map(|v| v.split("</wp:comment_approved>").next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_moderated_copy_never_publishes_what_the_site_removed() {
    let dir = scratch("wxr-removed");
    std::fs::write(dir.join("site.wxr.xml"), WXR).unwrap();
    let out = moderate_in(&dir, &["run", "-q", "site.wxr.xml", "--split", "out"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verdicts: Vec<String> =
        common::records(&out).iter().map(|r| r["verdict"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(verdicts, ["allow", "allow", "allow", "allow", "block"], "the rules' verdicts");
    let copy = std::fs::read_to_string(dir.join("out/site.wxr.moderated.xml")).unwrap();
    // Allowed and pending → approved; spam and trash stay removed; the attack becomes spam.
    assert_eq!(approved_values(&copy), ["1", "spam", " <![CDATA[trash]]> ", "1", "spam"], "{copy}");
    // Nothing else changed.
    let strip = |s: &str| s.lines().filter(|l| !l.contains("comment_approved")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&copy), strip(WXR));
}

#[test]
fn the_moderated_disqus_copy_keeps_a_post_marked_spam() {
    let dir = scratch("disqus-removed");
    let xml = r#"<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="t9"><id>story-9</id></thread>
  <post dsq:id="a1">
    <message>Good reporting, thank you.</message>
    <isSpam>true</isSpam>
    <author><name>Kim</name></author>
    <thread dsq:id="t9"/>
  </post>
  <post dsq:id="a2">
    <message>Good point about the tram line.</message>
    <isSpam>false</isSpam>
    <author><name>Lee</name></author>
    <thread dsq:id="t9"/>
  </post>
</disqus>
"#;
    std::fs::write(dir.join("site.xml"), xml).unwrap();
    let out = moderate_in(&dir, &["run", "-q", "site.xml", "--split", "out"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(common::records(&out).iter().all(|r| r["verdict"] == "allow"), "{}", stdout(&out));
    let copy = std::fs::read_to_string(dir.join("out/site.moderated.xml")).unwrap();
    assert_eq!(copy, xml, "an allowed post the export had as spam stays spam");
}

#[test]
fn eval_on_a_file_that_is_not_labeled_says_what_it_expected() {
    let dir = scratch("eval-not-labeled");
    std::fs::write(dir.join("comments.csv"), "id,body\n1,hello there\n").unwrap();
    std::fs::write(dir.join("verdicts.jsonl"), "{\"id\":\"1\",\"verdict\":\"allow\",\"score\":0.0}\n").unwrap();
    for (file, line) in [("comments.csv", "comments.csv:1: "), ("verdicts.jsonl", "verdicts.jsonl:1: ")] {
        let out = moderate_in(&dir, &["eval", file], "");
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(line), "{err}");
        assert!(err.contains(r#"labeled JSONL is one object per line: {"id", "body", "labels""#), "{err}");
    }
}

#[test]
fn review_list_without_a_queue_says_how_to_make_one() {
    let dir = scratch("no-queue");
    let out = moderate_in(&dir, &["review", "list"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("`moderate run --queue review.db` creates one"), "{}", stderr(&out));
}

/// A site config adding one rule to the built-in pack, written as the README's *Writing a rule*
/// shows.
fn one_rule(body: &str) -> String {
    format!("extends = \"builtin\"\n\n[[rule]]\nid = \"site.try\"\ncategory = \"spam\"\nscore = 1.0\nmessage = \"trying\"\n{body}\n")
}

#[test]
fn a_caps_ratio_meant_as_a_percentage_is_refused_at_its_place() {
    let dir = scratch("caps-ratio");
    std::fs::write(dir.join("site.toml"), one_rule("signal = { type = \"caps\", min_ratio = 70.0 }")).unwrap();
    let out = moderate_in(&dir, &["check", "--no-lint", "--config", "site.toml"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    // At the value (`min_ratio = 70.0`); before round 12 every signal error was at the rule's id.
    assert!(err.contains("site.toml:8:39: ") && err.contains("from 0 to 1"), "{err}");

    std::fs::write(dir.join("site.toml"), one_rule("signal = { type = \"caps\", min_ratio = 0.7 }")).unwrap();
    let out = moderate_in(&dir, &["check", "--no-lint", "--config", "site.toml"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_missing_wordlist_is_one_error_not_also_an_empty_list_warning() {
    let dir = scratch("missing-list");
    std::fs::write(dir.join("site.toml"), one_rule("wordlist = \"rules/not-there.txt\"")).unwrap();
    let out = moderate_in(&dir, &["check", "--no-lint", "--config", "site.toml"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("site.toml:8:12: ") && err.contains("not-there.txt"), "{err}");
    assert!(err.contains("1 error(s), 0 warning(s)"), "{err}");
}

#[test]
fn review_list_after_every_item_is_decided_points_at_the_decided_ones() {
    let dir = scratch("review-done");
    let run = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "-"], "{\"id\":\"d1\",\"body\":\"What a fool.\"}\n");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let approve = moderate_in(&dir, &["review", "--db", "q.db", "approve", "1"], "");
    assert_eq!(approve.status.code(), Some(0), "{}", stderr(&approve));
    let out = moderate_in(&dir, &["review", "--db", "q.db", "list"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 of 0 item(s) pending (`--status all` lists the decided ones too)"), "{}", stdout(&out));
    let all = moderate_in(&dir, &["review", "--db", "q.db", "list", "--status", "all"], "");
    assert!(stdout(&all).contains("approved") && !stdout(&all).contains("--status all"), "{}", stdout(&all));
}

#[test]
fn run_with_a_queue_says_how_many_comments_it_queued() {
    let dir = scratch("queue-report");
    let comments = concat!(
        "{\"id\":\"1\",\"body\":\"Thanks for the article.\"}\n",
        "{\"id\":\"2\",\"body\":\"you suck\"}\n",
        "{\"id\":\"3\",\"body\":\"what a moron\"}\n",
    );
    std::fs::write(dir.join("c.jsonl"), comments).unwrap();
    let run = || moderate_in(&dir, &["run", "--no-cache", "c.jsonl", "--queue", "q.db", "-o", "v.jsonl"], "");
    let flagged = |out: &std::process::Output| {
        let v = std::fs::read_to_string(dir.join("v.jsonl")).unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
        v.lines().filter(|l| l.contains("\"verdict\":\"flag\"")).count()
    };
    let first = run();
    let n = flagged(&first);
    assert!(n > 0, "the fixture should flag something");
    let want = format!("review queue q.db: {n} flagged comment{} queued, 0 already there", if n == 1 { "" } else { "s" });
    assert!(stderr(&first).contains(&want), "{}", stderr(&first));
    let again = run();
    assert!(stderr(&again).contains(&format!("0 flagged comments queued, {n} already there")), "{}", stderr(&again));
}

/// `learn` on a handful of rows writes the model it was asked for, but a model whose held-back
/// score is 0 would never fire as a rule: the run says so instead of letting it ship unnoticed.
#[test]
fn learn_warns_when_the_model_it_wrote_finds_nothing() {
    let dir = scratch("learn_tiny");
    let rows = [
        r#"{"id":"1","body":"you are a clown","labels":{"toxic":true,"attack":true}}"#,
        r#"{"id":"2","body":"nice article, thanks","labels":{"toxic":false,"attack":false}}"#,
        r#"{"id":"3","body":"what a clown you are","labels":{"toxic":true,"attack":true}}"#,
    ];
    std::fs::write(dir.join("tiny.jsonl"), rows.join("\n") + "\n").unwrap();
    let out = moderate_in(&dir, &["learn", "tiny.jsonl", "-o", "tiny-model.bin"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("tiny-model.bin").exists());
    let err = stderr(&out);
    assert!(err.contains("moderate: warning: tiny-model.bin: score 0") && err.contains("3 rows"), "{err}");
}
