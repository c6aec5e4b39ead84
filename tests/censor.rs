//! The censor action (`action = "censor"`, `[thresholds] censor`): the verdict stays `allow` and
//! the record carries the original body with every matched span masked, markup and entities
//! intact. Hostile spans: entities, markup inside the word, combining marks, emoji, overlapping
//! spans, many matches; then the same through `moderate run` and `--split`.

mod common;

use std::path::Path;

use moderate::comment::Comment;
use moderate::verdict::Decision;
use moderate::Engine;

/// A standalone config (no built-in pack) with one censor wordlist, one censor pattern that
/// overlaps it, a score-only rule, a flag rule and a block rule.
fn write_config(dir: &Path, extra: &str) {
    std::fs::write(dir.join("censor.txt"), "fuck\nshit\nmotherfucker\n").unwrap();
    std::fs::write(dir.join("mild.txt"), "crap\n").unwrap();
    std::fs::write(dir.join("insult.txt"), "idiot\n").unwrap();
    std::fs::write(dir.join("threat.txt"), "kill you\n").unwrap();
    let config = format!(
        r#"{extra}
[[rule]]
id = "profanity.censored"
category = "profanity"
action = "censor"
message = "masked"
wordlist = "censor.txt"

[[rule]]
id = "profanity.phrase"
category = "profanity"
action = "censor"
message = "masked phrase"
patterns = ["shit ?head", "mother\\s?fuck"]

[[rule]]
id = "profanity.mild"
category = "profanity"
score = 0.5
message = "mild"
wordlist = "mild.txt"

[[rule]]
id = "attack.insult"
category = "attack"
action = "flag"
message = "insult"
wordlist = "insult.txt"

[[rule]]
id = "threat.kill"
category = "threat"
action = "block"
message = "threat"
wordlist = "threat.txt"
"#
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
}

fn engine(extra: &str) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), extra);
    let loaded = moderate::config::load(Some(&dir.path().join("config.toml")))
        .unwrap_or_else(|d| panic!("config does not load: {d:?}"));
    (dir, loaded.engine)
}

fn censored(e: &Engine, body: &str) -> (Decision, Option<String>) {
    let v = e.judge(&Comment::new("c", body));
    (v.verdict, v.censored)
}

#[track_caller]
fn masks(e: &Engine, body: &str, want: &str) {
    let (d, c) = censored(e, body);
    assert_eq!(d, Decision::Allow, "{body:?}");
    assert_eq!(c.as_deref(), Some(want), "{body:?}");
    assert!(want.len() <= body.len(), "masking never makes a body longer");
}

#[test]
fn evasive_spellings_are_masked_in_the_original_text() {
    let (_d, e) = engine("");
    masks(&e, "f.u.c.k off", "f*** off");
    masks(&e, "fuck off", "f*** off");
    masks(&e, "FUCK off", "F*** off");
    masks(&e, "sh1t", "s***");
    masks(&e, "fuuuuuuck", "f***");
    masks(&e, "ｆｕｃｋ this", "ｆ*** this");
    masks(&e, "well, f u c k", "well, f***");
}

#[test]
fn a_clean_comment_has_no_censored_text() {
    let (_d, e) = engine("");
    let (d, c) = censored(&e, "a perfectly polite comment about Scunthorpe");
    assert_eq!(d, Decision::Allow);
    assert_eq!(c, None);
}

#[test]
fn entities_are_never_split() {
    let (_d, e) = engine("");
    // The entity is one unit: it becomes one `*`, never `&#1**;`.
    masks(&e, "f&#117;ck off", "f*** off");
    masks(&e, "&#102;uck off", "&#102;*** off");
    masks(&e, "fu&#x63;k", "f***");
    // Entities outside the span stay as they are.
    masks(&e, "fish &amp; chips, fuck", "fish &amp; chips, f***");
}

#[test]
fn markup_inside_the_word_is_kept() {
    let (_d, e) = engine("");
    masks(&e, "f<b>u</b>ck you", "f<b>*</b>** you");
    masks(&e, "<i>fuck</i> off", "<i>f***</i> off");
    masks(&e, "f<!-- x > y -->uck", "f<!-- x > y -->***");
    masks(&e, "f<span class=\"a\">uc</span>k", "f<span class=\"a\">**</span>*");
}

#[test]
fn combining_marks_and_emoji() {
    let (_d, e) = engine("");
    // Combining marks on the masked letters go with them; no mark is left on a `*`.
    let (_, c) = censored(&e, "fu\u{301}ck\u{301} off");
    let c = c.expect("masked");
    assert!(c.starts_with("f***"), "{c:?}");
    assert!(!c.contains('\u{301}') || c.starts_with("f\u{301}"), "{c:?}");
    // Emoji around and inside a match: the emoji outside survive whole, the result is UTF-8.
    masks(&e, "what the 🤬 fuck 🤬", "what the 🤬 f*** 🤬");
    let (_, c) = censored(&e, "f🤬u🤬c🤬k 👍🏽");
    if let Some(c) = c {
        assert!(c.ends_with(" 👍🏽"), "{c:?}");
        assert!(c.starts_with('f') && !c.contains("uck"), "{c:?}");
    }
}

#[test]
fn overlapping_spans_are_masked_once() {
    let (_d, e) = engine("");
    // `motherfucker` (wordlist) overlaps `motherfuck` (pattern); `shit head` (pattern) overlaps `shit`.
    masks(&e, "you motherfucker", "you m***********");
    masks(&e, "shit head", "s*** h***");
    masks(&e, "shithead and shit", "s******* and s***");
}

#[test]
fn block_wins_flag_keeps_the_masked_text() {
    let (_d, e) = engine("");
    let (d, c) = censored(&e, "fuck, I will kill you");
    assert_eq!(d, Decision::Block);
    assert_eq!(c, None, "a blocked comment is not published: no censored text");
    let (d, c) = censored(&e, "fuck off, idiot");
    assert_eq!(d, Decision::Flag);
    assert_eq!(c.as_deref(), Some("f*** off, idiot"), "flag keeps it for the moderator who approves");
}

#[test]
fn the_censor_threshold_masks_score_only_rules() {
    let (_d, e) = engine("[thresholds]\nflag = 1.0\nblock = 3.0\ncensor = 0.5\n");
    masks(&e, "what crap", "what c***");
    // Without the threshold a score-only rule below flag is just allowed, unmasked.
    let (_d2, e2) = engine("");
    assert_eq!(censored(&e2, "what crap"), (Decision::Allow, None));
}

#[test]
fn more_matches_than_kept_are_held_not_half_masked() {
    let (_d, e) = engine("");
    let body = "fuck ".repeat(5000);
    let v = e.judge(&Comment::new("c", body.as_str()));
    assert_eq!(v.verdict, Decision::Flag);
    assert!(v.reasons.iter().any(|r| r.rule == "censor.incomplete"), "{:?}", v.reasons);
    assert_eq!(v.censored, None);
    // Up to the kept number every match is masked.
    let body = "fuck ".repeat(500);
    let (d, c) = censored(&e, &body);
    assert_eq!(d, Decision::Allow);
    assert!(!c.unwrap().contains("fuck"));
}

#[test]
fn config_errors_for_censor_where_nothing_can_be_masked() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "[thresholds]\ncensor = 2.0\n");
    let out = common::moderate_in(dir.path(), &["check"], "");
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("config.toml:2:1"), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("censor (2) is above flag"), "{}", common::stderr(&out));

    write_config(dir.path(), "[authors]\nduplicate = \"censor\"\n");
    let out = common::moderate_in(dir.path(), &["check"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("no words to mask"), "{}", common::stderr(&out));

    write_config(dir.path(), "");
    let mut text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    text.push_str("\n[[rule]]\nid = \"spam.links\"\ncategory = \"spam\"\naction = \"censor\"\nsignal = { type = \"links\", min = 2 }\n");
    std::fs::write(dir.path().join("config.toml"), text).unwrap();
    let out = common::moderate_in(dir.path(), &["check"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("a signal has no words to mask"), "{}", common::stderr(&out));
}

#[test]
fn run_writes_censored_records_and_split_can_publish_the_masked_text() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    let input = concat!(
        r#"{"id":"a","body":"f.u.c.k off","author":"ann","extra":1}"#,
        "\n",
        r#"{"id":"b","body":"nice article"}"#,
        "\n",
        r#"{"id":"c","body":"I will kill you, shit"}"#,
        "\n"
    );
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let out = common::moderate_in(dir.path(), &["run", "in.jsonl"], "");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let recs = common::records(&out);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["verdict"], "allow");
    assert_eq!(recs[0]["censored"], "f*** off");
    assert_eq!(recs[0]["reasons"][0]["action"], "censor");
    assert!(recs[1].get("censored").is_none());
    assert_eq!(recs[2]["verdict"], "block");
    assert!(recs[2].get("censored").is_none());

    // --split keeps the original record; --split-censored publishes the masked body instead.
    let out = common::moderate_in(dir.path(), &["run", "-q", "in.jsonl", "--split", "plain", "-o", "v1.jsonl"], "");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let allowed = std::fs::read_to_string(dir.path().join("plain/in.allowed.jsonl")).unwrap();
    assert!(allowed.contains("f.u.c.k off"), "{allowed}");
    let out = common::moderate_in(
        dir.path(),
        &["run", "-q", "in.jsonl", "--split", "masked", "--split-censored", "-o", "v2.jsonl"],
        "",
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let allowed = std::fs::read_to_string(dir.path().join("masked/in.allowed.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = allowed.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["body"], "f*** off");
    assert_eq!(lines[0]["author"], "ann");
    assert_eq!(lines[0]["extra"], 1, "other fields are kept");
    assert_eq!(lines[1]["body"], "nice article");
    let blocked = std::fs::read_to_string(dir.path().join("masked/in.blocked.jsonl")).unwrap();
    assert!(blocked.contains("kill you, shit"), "blocked records are written as they were");
}
