//! The README's promises that had no test: each spam signal, "the same words count once",
//! `trust_previously_approved`, flood per IP, exit code 1, `run -o/--split/--queue` through the
//! CLI, substring lists, `check`'s warnings, and the decide and engine stages called directly.
//! Each test builds a small config of its own in a temporary directory, so it states exactly
//! which rule must hit and fails when the promise breaks.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};

/// A temporary project: `config.toml` plus any files, and a way to run `moderate` in it.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(config: &str, files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.toml"), config).expect("write config");
        for (name, text) in files {
            let p = dir.path().join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write file");
        }
        Project { dir }
    }

    /// `moderate run --config config.toml -q --format jsonl -` over `rows`; the records by id.
    fn judge(&self, rows: &[Value]) -> BTreeMap<String, Value> {
        let input: String = rows.iter().map(|r| r.to_string() + "\n").collect();
        let o =
            moderate_in(self.dir.path(), &["run", "-q", "--config", "config.toml", "--format", "jsonl", "-"], &input);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let recs = records(&o);
        assert_eq!(recs.len(), rows.len(), "one record per comment");
        recs.into_iter().map(|r| (r["id"].as_str().expect("id").to_string(), r)).collect()
    }
}

/// The rule ids of a record's reasons, in record order.
fn rules(r: &Value) -> Vec<&str> {
    r["reasons"].as_array().map_or(vec![], |a| a.iter().map(|x| x["rule"].as_str().expect("rule")).collect())
}

fn reason<'a>(r: &'a Value, rule: &str) -> &'a Value {
    r["reasons"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["rule"] == rule))
        .unwrap_or_else(|| panic!("no reason {rule} in {r}"))
}

// ---------------------------------------------------------------------------------------------
// Spam signals: each one hits what the README says, and only that.

const SIGNALS: &str = r#"
[thresholds]
flag = 1.0
block = 3.0

[[rule]]
id = "s.kind"
category = "spam"
action = "block"
message = "pingback"
signal = { type = "kind", kinds = ["pingback", "trackback"], own_domains = ["mysite.example"] }

[[rule]]
id = "s.links"
category = "spam"
score = 1.0
message = "many links"
signal = { type = "links", min = 3 }

[[rule]]
id = "s.domain"
category = "spam"
score = 1.0
message = "deny-listed domain"
signal = { type = "link-domain", deny = "deny.txt", author_url = true }

[[rule]]
id = "s.caps"
category = "spam"
score = 1.0
message = "shouting"
signal = { type = "caps", min_ratio = 0.8, min_letters = 10 }

[[rule]]
id = "s.repeat"
category = "spam"
score = 1.0
message = "repeated characters"
signal = { type = "repeated-chars", min_run = 6 }
"#;

#[test]
fn every_spam_signal_hits_what_it_promises_and_nothing_else() {
    let p = Project::new(SIGNALS, &[("deny.txt", "# shorteners\nbit.ly\nspam.example\n")]);
    let r = p.judge(&[
        json!({"id": "pingback", "kind": "pingback", "author_url": "http://other.example/post", "body": "Nice post, linked from my blog"}),
        json!({"id": "trackback", "kind": "trackback", "body": "Roundup of the week"}),
        json!({"id": "own-pingback", "kind": "pingback", "author_url": "https://blog.mysite.example/a", "body": "Our follow-up"}),
        json!({"id": "comment-kind", "kind": "comment", "body": "Nice post, linked from my blog"}),
        json!({"id": "three-links", "body": "see http://a.example/1 and http://b.example/2 and http://c.example/3"}),
        json!({"id": "two-links", "body": "see http://a.example/1 and http://b.example/2"}),
        json!({"id": "short", "body": "read this http://bit.ly/xyz"}),
        json!({"id": "subdomain", "body": "cheap at https://www.spam.example/deal"}),
        json!({"id": "author-url", "author_url": "http://spam.example", "body": "hello there"}),
        json!({"id": "clean-domain", "body": "the report is at https://gov.example/report"}),
        json!({"id": "caps", "body": "THIS IS A VERY LOUD COMMENT ABOUT TAXES"}),
        json!({"id": "caps-short", "body": "OK FINE"}),
        json!({"id": "caps-mixed", "body": "This Is Title Case And Not Shouting At All"}),
        json!({"id": "repeat", "body": "wow!!!!!!!! amazing"}),
        json!({"id": "repeat-short", "body": "wow!!!!! amazing"}),
        json!({"id": "repeat-spaces", "body": "a          b"}),
    ]);
    assert_eq!(rules(&r["pingback"]), ["s.kind"]);
    assert_eq!(r["pingback"]["verdict"], "block");
    assert_eq!(rules(&r["trackback"]), ["s.kind"]);
    assert_eq!(rules(&r["own-pingback"]), Vec::<&str>::new(), "own_domains are exempt, subdomains too");
    assert_eq!(rules(&r["comment-kind"]), Vec::<&str>::new(), "only the listed kinds");
    assert_eq!(rules(&r["three-links"]), ["s.links"]);
    assert_eq!(reason(&r["three-links"], "s.links")["matches"].as_array().unwrap().len(), 3, "one span per link");
    assert_eq!(rules(&r["two-links"]), Vec::<&str>::new(), "below min");
    assert_eq!(rules(&r["short"]), ["s.domain"]);
    assert_eq!(reason(&r["short"], "s.domain")["matches"][0]["text"], "http://bit.ly/xyz");
    assert_eq!(rules(&r["subdomain"]), ["s.domain"], "a subdomain of a listed domain");
    assert_eq!(rules(&r["author-url"]), ["s.domain"], "author_url = true reads the author's URL");
    assert_eq!(rules(&r["clean-domain"]), Vec::<&str>::new());
    assert_eq!(rules(&r["caps"]), ["s.caps"]);
    assert_eq!(r["caps"]["verdict"], "flag");
    assert_eq!(rules(&r["caps-short"]), Vec::<&str>::new(), "fewer than min_letters");
    assert_eq!(rules(&r["caps-mixed"]), Vec::<&str>::new());
    assert_eq!(rules(&r["repeat"]), ["s.repeat"]);
    assert_eq!(reason(&r["repeat"], "s.repeat")["matches"][0]["text"], "!!!!!!!!");
    assert_eq!(rules(&r["repeat-short"]), Vec::<&str>::new(), "a run below min_run");
    assert_eq!(rules(&r["repeat-spaces"]), Vec::<&str>::new(), "whitespace runs do not count");
}

// ---------------------------------------------------------------------------------------------
// The same words count once.

const OVERLAP: &str = r#"
[thresholds]
flag = 1.0
block = 3.0

[[rule]]
id = "a.strong"
category = "attack"
score = 2.0
message = "strong"
patterns = ['\byou idiot\b']

[[rule]]
id = "a.word"
category = "attack"
score = 1.5
message = "insult word"
wordlist = "words.txt"

[[rule]]
id = "p.other"
category = "profanity"
score = 1.0
message = "other word"
patterns = ['\bdarn\b']
"#;

#[test]
fn the_same_words_count_once_and_say_which_rule_counted_them() {
    let p = Project::new(OVERLAP, &[("words.txt", "idiot\n")]);
    let r = p.judge(&[
        json!({"id": "overlap", "body": "you idiot"}),
        json!({"id": "separate", "body": "you idiot, what a darn mess"}),
        json!({"id": "two-places", "body": "you idiot, and another idiot"}),
        json!({"id": "alone", "body": "what an idiot"}),
    ]);
    let o = &r["overlap"];
    assert_eq!(rules(o), ["a.strong", "a.word"]);
    let zero = reason(o, "a.word")["score"].as_f64().unwrap_or(0.0);
    assert_eq!(zero, 0.0, "its only match lies on words a.strong counted");
    assert_eq!(reason(o, "a.word")["counted_by"], "a.strong");
    assert!(reason(o, "a.strong")["counted_by"].is_null(), "the rule that counted the words");
    assert_eq!(o["score"], 2.0, "2.0 + 0, not 3.5");
    assert_eq!(o["verdict"], "flag", "3.5 would have blocked");
    // Different words add up.
    assert_eq!(r["separate"]["score"], 3.0);
    assert_eq!(r["separate"]["verdict"], "block");
    // A rule with one match on new words counts in full.
    assert_eq!(reason(&r["two-places"], "a.word")["score"], 1.5);
    assert_eq!(r["two-places"]["score"], 3.5);
    assert_eq!(r["alone"]["score"], 1.5);
}

// ---------------------------------------------------------------------------------------------
// Author policy: trust_previously_approved and flood per IP.

const SOFT: &str = r#"
[thresholds]
flag = 1.0
block = 3.0

[[rule]]
id = "a.soft"
category = "attack"
score = 1.0
message = "mildly rude"
patterns = ['\bsilly\b']
"#;

fn wxr_comment(id: u32, author: &str, approved: &str, body: &str) -> String {
    format!(
        "  <wp:comment>\n    <wp:comment_id>{id}</wp:comment_id>\n    <wp:comment_author>{author}</wp:comment_author>\n    \
         <wp:comment_date>2024-05-0{id} 10:00:00</wp:comment_date>\n    <wp:comment_content>{body}</wp:comment_content>\n    \
         <wp:comment_approved>{approved}</wp:comment_approved>\n    <wp:comment_type></wp:comment_type>\n  </wp:comment>\n"
    )
}

/// A WordPress export with one post holding `comments`.
fn wxr(comments: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n\
         <channel>\n<item>\n  <wp:post_id>7</wp:post_id>\n{}</item>\n</channel>\n</rss>\n",
        comments.concat()
    )
}

#[test]
fn trust_previously_approved_skips_score_only_rules_for_authors_approved_before() {
    let wxr = wxr(&[
        wxr_comment(1, "ann", "1", "A fine article."),
        wxr_comment(2, "ann", "0", "What a silly idea."),
        wxr_comment(3, "bob", "0", "What a silly idea."),
        wxr_comment(4, "cid", "0", "What a silly idea."),
        wxr_comment(5, "cid", "1", "Thanks for the update."),
    ]);
    let trusting = format!("{SOFT}\n[authors]\ntrust_previously_approved = true\n");
    for (config, ann_trusted) in [(trusting.as_str(), true), (SOFT, false)] {
        let p = Project::new(config, &[("export.wxr.xml", &wxr)]);
        let o = moderate_in(p.dir.path(), &["run", "-q", "--config", "config.toml", "export.wxr.xml"], "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let recs = records(&o);
        let verdicts: Vec<&str> = recs.iter().map(|r| r["verdict"].as_str().unwrap()).collect();
        let ann = if ann_trusted { "allow" } else { "flag" };
        // bob was never approved; cid's approval comes after the comment, in input order.
        assert_eq!(verdicts, ["allow", ann, "flag", "flag", "allow"], "trust_previously_approved = {ann_trusted}");
    }
}

#[test]
fn flood_counts_per_ip_as_well_as_per_author() {
    let config = format!("{SOFT}\n[authors]\nflood = {{ max = 2, minutes = 10 }}\n");
    let p = Project::new(&config, &[]);
    let row = |id: &str, author: &str, ip: &str, at: &str| json!({"id": id, "author": author, "ip": ip, "created_at": format!("2024-03-01T10:{at}:00"), "body": "hello"});
    let r = p.judge(&[
        row("1", "u1", "10.0.0.9", "00"),
        row("2", "u2", "10.0.0.9", "01"),
        row("3", "u3", "10.0.0.9", "02"),
        row("4", "u4", "10.0.0.7", "03"),
        row("5", "u5", "10.0.0.9", "30"),
    ]);
    assert_eq!(rules(&r["1"]), Vec::<&str>::new());
    assert_eq!(rules(&r["2"]), Vec::<&str>::new());
    assert_eq!(rules(&r["3"]), ["spam.flood"], "a third comment from one IP within 10 minutes, three authors");
    assert_eq!(r["3"]["verdict"], "flag");
    assert!(reason(&r["3"], "spam.flood")["message"].as_str().unwrap().contains("10.0.0.9"));
    assert_eq!(rules(&r["4"]), Vec::<&str>::new(), "another IP");
    assert_eq!(rules(&r["5"]), Vec::<&str>::new(), "outside the window");
}

// ---------------------------------------------------------------------------------------------
// Substring lists.

#[test]
fn substring_lists_match_inside_words_and_whole_word_lists_do_not() {
    let config = r#"
[[rule]]
id = "w.word"
category = "profanity"
score = 1.0
message = "whole word"
wordlist = "words.txt"

[[rule]]
id = "w.sub"
category = "profanity"
score = 1.0
message = "anywhere"
mode = "substring"
wordlist = "words.txt"
allowlist = "allow.txt"
"#;
    let p = Project::new(config, &[("words.txt", "zork\n"), ("allow.txt", "zorkmid\n")]);
    let r = p.judge(&[
        json!({"id": "word", "body": "a zork here"}),
        json!({"id": "inside", "body": "the bigzorks are back"}),
        json!({"id": "allowed", "body": "one zorkmid please"}),
        json!({"id": "none", "body": "nothing to see"}),
    ]);
    assert_eq!(rules(&r["word"]), ["w.word", "w.sub"]);
    assert_eq!(rules(&r["inside"]), ["w.sub"], "substring mode finds the term inside a word");
    assert_eq!(reason(&r["inside"], "w.sub")["matches"][0]["text"], "bigzorks", "reported as the word it is in");
    assert_eq!(rules(&r["allowed"]), Vec::<&str>::new(), "the allowlist protects words containing the term");
    assert_eq!(rules(&r["none"]), Vec::<&str>::new());
}

// ---------------------------------------------------------------------------------------------
// Exit codes and outputs through the CLI.

#[test]
fn an_output_that_cannot_be_written_is_exit_1_and_a_bad_flag_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/dir/verdicts.jsonl");
    let o = moderate(&["run", "-q", "-o", out.to_str().unwrap(), "seeds/"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("verdicts.jsonl"), "names the file: {}", stderr(&o));
    let o = moderate(&["run", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let o = moderate(&["check", "--config", "tests/fixtures/check/syntax.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn run_writes_o_split_and_queue_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.wxr.xml");
    let comments = [
        wxr_comment(1, "ann", "1", "A fine article, thank you."),
        wxr_comment(2, "bob", "1", "You are a disgrace to this town."),
        wxr_comment(3, "cid", "1", "Fuck you, you worthless idiot."),
        wxr_comment(4, "dan", "0", "I disagree with the minister."),
    ];
    std::fs::write(&export, wxr(&comments)).unwrap();
    let plain = moderate(&["run", "-q", export.to_str().unwrap()]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));

    let (out, split, queue) = (dir.path().join("verdicts.jsonl"), dir.path().join("out"), dir.path().join("review.db"));
    let o = moderate(&[
        "run",
        "-q",
        export.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--split",
        split.to_str().unwrap(),
        "--queue",
        queue.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "-o takes the records off stdout");
    assert_eq!(std::fs::read(&out).unwrap(), plain.stdout, "-o holds exactly what stdout would");

    // The split copy of NAME.wxr.xml is NAME.wxr.moderated.xml (the README's name).
    let names: Vec<String> =
        std::fs::read_dir(&split).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["export.wxr.moderated.xml"]);
    let again = moderate(&["run", "-q", split.join("export.wxr.moderated.xml").to_str().unwrap()]);
    assert_eq!(records(&again).len(), records(&plain).len(), "the split copy re-reads with the same count");

    // The queue holds the flagged comments, once however often the dump is queued.
    let verdicts: Vec<String> = records(&plain).iter().map(|r| r["verdict"].as_str().unwrap().to_string()).collect();
    assert_eq!(verdicts, ["allow", "flag", "block", "allow"]);
    let flagged = 1;
    let copy = std::fs::read_to_string(split.join("export.wxr.moderated.xml")).unwrap();
    let approved: Vec<&str> = copy.match_indices("<wp:comment_approved>").map(|(i, _)| &copy[i + 21..i + 22]).collect();
    assert_eq!(approved, ["1", "0", "s", "1"], "allow → 1, flag → 0, block → spam");
    let list = || {
        let l = moderate(&["review", "--db", queue.to_str().unwrap(), "list", "--json"]);
        assert_eq!(l.status.code(), Some(0), "{}", stderr(&l));
        stdout(&l).lines().filter(|l| !l.trim().is_empty()).count()
    };
    assert_eq!(list(), flagged);
    let o = moderate(&["run", "-q", export.to_str().unwrap(), "--queue", queue.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(list(), flagged, "running the same dump again adds nothing new");
}

// ---------------------------------------------------------------------------------------------
// check's warnings the other tests do not cover.

#[test]
fn check_warns_about_empty_lists_shadowed_terms_and_failing_examples() {
    let config = r#"
[[rule]]
id = "t.empty"
category = "profanity"
score = 1.0
message = "empty"
wordlist = "empty.txt"

[[rule]]
id = "t.shadow"
category = "profanity"
score = 1.0
message = "shadowed"
mode = "substring"
wordlist = "words.txt"
allowlist = "allow.txt"
examples = { match = ["a zork", "never here"], no_match = ["zorkmid", "a zork again"] }
"#;
    let p = Project::new(
        config,
        &[("empty.txt", "# nothing yet\n"), ("words.txt", "zork\nzorkmid\n"), ("allow.txt", "zorkmid\n")],
    );
    let o = moderate_in(p.dir.path(), &["check", "--config", "config.toml"], "");
    assert_eq!(o.status.code(), Some(0), "warnings do not fail check: {}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "rule `t.empty` has an empty wordlist",
        "term `zorkmid` is also on the allowlist",
        "rule `t.shadow` does not match its `match` example \"never here\"",
        "rule `t.shadow` matches its `no_match` example \"a zork again\"",
    ] {
        assert!(err.lines().any(|l| l.contains("warning") && l.contains(want)), "missing warning {want:?} in:\n{err}");
    }
    assert!(!err.contains("\"a zork\""), "a passing example is not reported:\n{err}");
    let strict = moderate_in(p.dir.path(), &["check", "--strict", "--config", "config.toml"], "");
    assert_eq!(strict.status.code(), Some(2), "--strict: warnings fail");
}

// ---------------------------------------------------------------------------------------------
// The decide and engine stages, called directly.

mod direct {
    use moderate::config::TextMode;
    use moderate::config::Thresholds;
    use moderate::decide::{decide, decision_for_score};
    use moderate::matcher::{Hit, Hits};
    use moderate::rule::{RuleKind, RuleMeta};
    use moderate::verdict::{Action, Decision};
    use moderate::Comment;

    fn rule(id: &str, action: Option<Action>, score: f64) -> RuleMeta {
        RuleMeta {
            id: id.into(),
            category: "attack".into(),
            action,
            score,
            message: format!("{id} hit"),
            explanation: None,
            kind: RuleKind::Regex,
            text: TextMode::Normalized,
            shadow: false,
        }
    }

    fn t() -> Thresholds {
        Thresholds { flag: 1.0, block: 3.0, censor: None }
    }

    #[test]
    fn thresholds_are_inclusive() {
        assert_eq!(decision_for_score(0.99, &t()), Decision::Allow);
        assert_eq!(decision_for_score(1.0, &t()), Decision::Flag);
        assert_eq!(decision_for_score(2.99, &t()), Decision::Flag);
        assert_eq!(decision_for_score(3.0, &t()), Decision::Block);
    }

    fn hits_of(list: Vec<Hit>) -> Hits {
        let mut hits = Hits::default();
        list.into_iter().for_each(|h| hits.push(h));
        hits
    }

    #[test]
    fn a_rule_counts_once_however_often_it_matches_and_actions_win_over_scores() {
        let rules = [rule("r.score", None, 1.5), rule("r.block", Some(Action::Block), 0.0)];
        let body = "aa bb aa cc";
        let mut hits = hits_of(vec![Hit { rule: 0, span: Some(6..8) }, Hit { rule: 0, span: Some(0..2) }]);
        let v = decide("x", body, &mut hits, &rules, &t());
        assert_eq!((v.verdict, v.score), (Decision::Flag, 1.5), "two matches, one score");
        assert_eq!(v.reasons.len(), 1);
        let texts: Vec<&str> = v.reasons[0].matches.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["aa", "aa"], "matches sorted, text = body[start..end]");
        let mut hits = hits_of(vec![Hit { rule: 1, span: Some(9..11) }]);
        let v = decide("y", body, &mut hits, &rules, &t());
        assert_eq!((v.verdict, v.score), (Decision::Block, 0.0), "a block action blocks at score 0");
        let v = decide("z", body, &mut Hits::default(), &rules, &t());
        assert_eq!((v.verdict, v.reasons.len()), (Decision::Allow, 0), "no hit, no reason");
    }

    #[test]
    fn the_engine_judges_purely_with_spans_on_the_original_text() {
        let loaded = moderate::config::load(Some(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/eval/config.toml"
        ))))
        .unwrap_or_else(|_| panic!("the eval fixture config loads"));
        let engine = loaded.engine;
        let c = Comment::new("c1", "what a B.A.D.W.O.R.D this is");
        let first = engine.judge(&c);
        assert_eq!(first, engine.judge(&c), "same comment, same verdict");
        assert_ne!(first.verdict, Decision::Allow, "{first:?}");
        let m = &first.reasons[0].matches[0];
        assert_eq!(&c.body[m.start..m.end], m.text);
        assert_eq!(m.text, "B.A.D.W.O.R.D", "the evasive form as written");
        assert_eq!(engine.judge(&Comment::new("c2", "a perfectly nice comment")).verdict, Decision::Allow);
    }
}

// ---------------------------------------------------------------------------------------------
// A newcomer's view: help texts and the shipped labeled sample.

#[test]
fn every_subcommand_help_ends_with_examples_and_exit_codes() {
    for sub in ["run", "check", "explain", "eval", "diff", "review"] {
        let o = moderate(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub}: {}", stderr(&o));
        let help = stdout(&o);
        let examples = help.find("\nExamples:\n").unwrap_or_else(|| panic!("{sub}: no examples in\n{help}"));
        let codes = help.find("\nExit codes:\n").unwrap_or_else(|| panic!("{sub}: no exit codes in\n{help}"));
        assert!(examples < codes, "{sub}: examples, then exit codes");
        let listed = help[examples..codes].lines().filter(|l| l.trim_start().starts_with("moderate ")).count()
            + help[examples..codes].lines().filter(|l| l.contains("| moderate ")).count();
        assert!((2..=3).contains(&listed), "{sub}: two or three examples, got {listed}");
        assert!(help[codes..].lines().any(|l| l.trim_start().starts_with("0 ")), "{sub}: exit code 0 explained");
        assert!(help[codes..].lines().any(|l| l.trim_start().starts_with("2 ")), "{sub}: exit code 2 explained");
    }
}

#[test]
fn the_shipped_labeled_sample_covers_every_label_and_evaluates() {
    let o = moderate(&["eval", "--json", "examples/labeled.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reports: Value = serde_json::from_str(&stdout(&o)).expect("eval --json is JSON");
    let report = &reports[0];
    assert_eq!(report["rows"], 336);
    for label in ["toxic", "profanity", "attack", "identity", "threat", "spam"] {
        let c = &report["deny"][label];
        let positives = c["tp"].as_u64().unwrap() + c["fn_"].as_u64().unwrap();
        assert!(positives >= 10, "{label}: the sample has positives ({c})");
        let negatives = c["fp"].as_u64().unwrap() + c["tn"].as_u64().unwrap();
        assert!(negatives >= 100, "{label}: and negatives ({c})");
        // The shipped pack finds most of each category in a sample written for it.
        assert!(c["tp"].as_u64().unwrap() * 10 >= positives * 8, "{label}: recall below 0.8 ({c})");
    }
}
