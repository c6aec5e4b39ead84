//! Hostile input, round 5: inputs whose format nothing tells (a silent "0 comments" before),
//! CR-only rule files, outputs destroyed by a refused run, concatenated CSV files, and the
//! labeled files of `eval`. docs/hostile.md lists each attack with what it did before. Every
//! fixture is written here, in a temporary directory.

mod common;

use std::path::{Path, PathBuf};

use common::{moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile5-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}

fn verdicts(recs: &[serde_json::Value]) -> Vec<&str> {
    recs.iter().map(|r| r["verdict"].as_str().unwrap_or("?")).collect()
}

/// A tab-separated file, or prose, named on the command line: before, sniffed as a thread page
/// with no entries, so the run said "0 comments" and exit 0 while every comment was skipped.
/// Now nothing tells its format, so the run refuses to start and names the file.
#[test]
fn an_input_of_no_known_format_is_refused_not_read_as_an_empty_page() {
    let d = tmp("unknown");
    write(&d, "c.tsv", "id\tbody\n1\tyou are an idiot\n2\tthanks for the article\n");
    write(&d, "notes", "you are an idiot\n");
    for name in ["c.tsv", "notes"] {
        let out = moderate_in(&d, &["run", "-q", name], "");
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains("cannot tell the input format"), "{name}: {err}");
        assert!(records(&out).is_empty());
    }
}

/// The same on stdin, where there is no file to refuse: before, `echo TEXT | moderate run` and a
/// stream whose first line is junk were read as a thread page (no record, exit 0). Now a head
/// with a JSON object line is JSON Lines, and prose falls back to JSON Lines too, so every line
/// is a record: the comment is judged, the junk is an error record naming its line.
#[test]
fn prose_or_junk_on_stdin_gives_one_record_per_line() {
    let d = tmp("stdin");
    let out = moderate_in(&d, &["run", "-q"], "a line of notes\n{\"id\":\"c1\",\"body\":\"you are an idiot\"}\n");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error", "block"], "{recs:?}");
    assert_eq!(recs[0]["source"], "-:1");
    assert_eq!(recs[1]["id"], "c1");
    let out = moderate_in(&d, &["run", "-q"], "you are an idiot\n");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error"], "{recs:?}");
}

/// A JSON array (the commonest "JSON export"), pretty-printed or on one line: before, sniffed
/// as a thread page (no record, exit 0) or as CSV (a header error). Now it is read as JSON
/// Lines: a line holding a whole object is judged, every other line is an error record whose
/// message says the file is an array and how to turn it into lines.
#[test]
fn a_json_array_gives_error_records_that_say_so() {
    let d = tmp("array");
    write(&d, "pretty.json", "[\n  {\"id\":\"a\",\"body\":\"you are an idiot\"},\n  {\"id\":\"b\",\"body\":\"hi\"}\n]\n");
    write(&d, "flat.json", "[{\"id\":\"a\",\"body\":\"you are an idiot\"},{\"id\":\"b\",\"body\":\"hi\"}]\n");
    let out = moderate_in(&d, &["run", "-q", "pretty.json"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error", "error", "allow", "error"], "{recs:?}");
    for r in [&recs[0], &recs[1], &recs[3]] {
        assert!(r["error"].as_str().unwrap().contains("a JSON array?"), "{r}");
    }
    let out = moderate_in(&d, &["run", "-q", "flat.json"], "");
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error"], "{recs:?}");
    assert!(recs[0]["error"].as_str().unwrap().contains("a JSON array?"), "{recs:?}");
    // The same on a pipe, which is sniffed from the stream's head.
    let out = moderate_in(&d, &["run", "-q"], "[\n  {\"id\":\"a\",\"body\":\"hi\"}\n]\n");
    assert_eq!(verdicts(&records(&out)), ["error", "allow", "error"]);
}

/// A word list saved with CR-only line ends (classic Mac, some spreadsheet exports): before, one
/// term `w1\rw2\rw3` that never hit, and `check` said the config was fine. Now a lone CR ends a
/// line in every config and rule file, so each word hits and diagnostics count lines right.
#[test]
fn a_cr_only_word_list_is_one_term_per_line() {
    let d = tmp("crlist");
    write(&d, "rules/site.txt", "grumblewort\rsnarkbeast\r\rsnarkbeast\r");
    write(
        &d,
        "config.toml",
        "extends = \"builtin\"\n\n[[rule]]\nid = \"site.words\"\nwordlist = \"rules/site.txt\"\ncategory = \"attack\"\n\
         action = \"block\"\nmessage = \"site word\"\n",
    );
    let check = moderate_in(&d, &["check"], "");
    let err = stderr(&check);
    assert!(err.contains("rules/site.txt:4:1: term `snarkbeast` is listed twice (first on line 2)"), "{err}");
    for word in ["grumblewort", "snarkbeast"] {
        let out = moderate_in(&d, &["run", "-q"], &format!("{{\"body\":\"what a {word}\"}}\n"));
        let recs = records(&out);
        assert_eq!(verdicts(&recs), ["block"], "{word}: {recs:?}");
        assert_eq!(recs[0]["reasons"][0]["rule"], "site.words", "{word}");
    }
    // A CR-only config.toml reads as its lines (before: "expected newline" at 1:20, the whole
    // file shown as one line); its errors name the right line.
    let e = tmp("crtoml");
    write(&e, "rules/site.txt", "grumblewort\n");
    write(&e, "config.toml", "extends = \"builtin\"\r[[rule]]\rid = \"site.words\"\rwordlst = \"rules/site.txt\"\r");
    let err = stderr(&moderate_in(&e, &["check"], ""));
    assert!(err.contains("config.toml:4:1: unknown field `wordlst`"), "{err}");
}

/// A run refused as a usage error (exit 2, "nothing was run") truncated `-o` first: an existing
/// verdict file was emptied by a typo in `--queue`. And an unwritable `--authors` was found only
/// after every comment had been judged. Now every other output is opened before `-o` is
/// created, and `--authors` before the run; the message names the flag.
#[test]
fn a_refused_run_leaves_the_verdict_file_alone() {
    let d = tmp("outputs");
    write(&d, "in.jsonl", "{\"id\":\"1\",\"body\":\"hello\"}\n");
    let keep = write(&d, "verdicts.jsonl", "kept\n");
    // A path below a regular file: no output can be created there.
    let missing = write(&d, "blocker", "");
    for (flag, file) in [("--queue", "q.db"), ("--ledger", "ledger.jsonl"), ("--split", "x"), ("--authors", "a.jsonl")] {
        let target = missing.join(file);
        let out = moderate_in(&d, &["run", "-q", "in.jsonl", "-o", "verdicts.jsonl", flag, target.to_str().unwrap()], "");
        assert_ne!(out.status.code(), Some(0), "{flag}");
        let err = stderr(&out);
        assert!(err.contains(flag), "{flag}: {err}");
        assert_eq!(std::fs::read_to_string(&keep).unwrap(), "kept\n", "{flag} emptied -o");
    }
}

/// `cat a.csv b.csv` leaves b's byte order mark at the start of a row: before, it became part
/// of the id (`"\u{feff}7"`). Skipped, as the JSONL reader skips one at the start of a line.
#[test]
fn a_byte_order_mark_inside_a_csv_is_not_part_of_the_id() {
    let d = tmp("csvbom");
    write(&d, "c.csv", "\u{feff}id,body\n6,hello\n\u{feff}7,you are an idiot\n");
    let recs = records(&moderate_in(&d, &["run", "-q", "c.csv"], ""));
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["6", "7"], "{recs:?}");
}

/// `eval` (and `learn`, `mine`, `suggest`) read labeled JSONL with a line reader of their own:
/// a CR-only file was one line, refused as "trailing characters", while `run` reads it; and a
/// scored label that is not a boolean (`"toxic": "yes"`) was dropped silently, so the row
/// counted as saying nothing about it. Now lines end as in `run`, and such a label is an error
/// naming the file, line and field (the run refuses, exit 2).
#[test]
fn labeled_files_read_lines_as_run_does_and_refuse_a_label_that_is_not_a_boolean() {
    let d = tmp("labeled");
    write(
        &d,
        "cr.jsonl",
        "{\"id\":\"a\",\"body\":\"you are an idiot\",\"labels\":{\"toxic\":true}}\r\
         {\"id\":\"b\",\"body\":\"thanks\",\"labels\":{\"toxic\":false,\"raw\":{\"votes\":3}}}\r",
    );
    let out = moderate_in(&d, &["eval", "--json", "cr.jsonl"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["rows"], 2, "{report}");
    assert_eq!(report[0]["deny"]["toxic"]["tp"], 1, "{report}");
    write(
        &d,
        "yes.jsonl",
        "{\"id\":\"a\",\"body\":\"hi\",\"labels\":{\"toxic\":false}}\n{\"id\":\"b\",\"body\":\"hi\",\"labels\":{\"toxic\":\"yes\"}}\n",
    );
    let out = moderate_in(&d, &["eval", "yes.jsonl"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("yes.jsonl:2: field \"labels.toxic\": expected true or false"), "{err}");
}

/// WXR: `<wp:comment/>` was skipped (no record: the counts no longer matched the export), and a
/// comment written under another prefix bound to the WordPress namespace (`<q:comment
/// xmlns:q="http://wordpress.org/export/1.2/">`, which WordPress's importer reads by namespace)
/// was skipped too, so it would be imported unjudged. Now the first is an error record for its
/// missing body, and such a binding stops the file with an error record naming it.
#[test]
fn wxr_comments_are_never_skipped_silently() {
    let d = tmp("wxr");
    write(
        &d,
        "e.wxr",
        "<?xml version=\"1.0\"?>\n<rss xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>\n\
         <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>fine words</wp:comment_content></wp:comment>\n\
         <wp:comment/>\n\
         <q:comment xmlns:q=\"http://wordpress.org/export/1.2/\"><q:comment_content>you are an idiot</q:comment_content>\
         </q:comment>\n</item></channel></rss>\n",
    );
    let recs = records(&moderate_in(&d, &["run", "-q", "e.wxr"], ""));
    assert_eq!(verdicts(&recs), ["allow", "error", "error"], "{recs:?}");
    assert_eq!(recs[1]["source"], "e.wxr:4");
    assert!(recs[1]["error"].as_str().unwrap().contains("no body field"), "{recs:?}");
    let msg = recs[2]["error"].as_str().unwrap();
    assert!(msg.starts_with("line 5: `xmlns:q` binds the WordPress export namespace"), "{msg}");
}

/// `--split` of a WordPress export left a comment that could not be judged (two
/// `wp:comment_content`, an entity no XML or HTML defines) with the export's own
/// `wp:comment_approved>1`: the "moderated" copy, ready to import back, published it unjudged
/// (and an importer may show the second body, an insult). Now such a comment is held (`0`).
#[test]
fn split_holds_a_wordpress_comment_that_could_not_be_judged() {
    let d = tmp("splitheld");
    let comment = |id: u32, content: &str| {
        format!(
            "<wp:comment><wp:comment_id>{id}</wp:comment_id>{content}<wp:comment_approved>1</wp:comment_approved>\
             </wp:comment>\n"
        )
    };
    let body = |t: &str| format!("<wp:comment_content>{t}</wp:comment_content>");
    let export = format!(
        "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>\n{}{}{}{}\
         </item></channel></rss>\n",
        comment(1, &body("you are an idiot")),
        comment(2, &(body("hello") + body("you are an idiot").as_str())),
        comment(3, &body("nice &madeup; point")),
        comment(4, &body("thanks for writing")),
    );
    write(&d, "site.wxr", &export);
    let out = moderate_in(&d, &["run", "-q", "site.wxr", "--split", "out"], "");
    assert_eq!(verdicts(&records(&out)), ["block", "error", "error", "allow"]);
    let copy = std::fs::read_to_string(d.join("out/site.moderated.xml")).unwrap();
    let approvals: Vec<&str> = copy
        .split("<wp:comment_approved>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(approvals, ["spam", "0", "0", "1"], "{copy}");
}

/// Out-of-range numbers on the command line: `run -j 18446744073709551615` panicked sizing the
/// pipeline's channels ("capacity overflow", exit 101), `serve --max-connections` of the same
/// panicked in tokio's semaphore and `serve --read-timeout 18446744073709551615` on the first
/// request. Now each is a usage error naming the flag and its range (exit 2), before anything
/// starts.
#[test]
fn out_of_range_numbers_are_usage_errors_not_panics() {
    let d = tmp("ranges");
    write(&d, "in.jsonl", "{\"body\":\"hello\"}\n");
    let huge = "18446744073709551615";
    for args in [
        vec!["run", "-q", "-j", huge, "in.jsonl"],
        vec!["run", "-q", "-j", "0", "in.jsonl"],
        vec!["serve", "-j", huge],
        vec!["serve", "--max-connections", huge],
        vec!["serve", "--read-timeout", huge],
        vec!["serve", "--request-timeout", huge],
    ] {
        let out = moderate_in(&d, &args, "");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is not in 1..="), "{args:?}: {err}");
    }
    let out = moderate_in(&d, &["run", "-q", "-j", "1024", "in.jsonl"], "");
    assert_eq!(verdicts(&records(&out)), ["allow"]);
}

#[test]
fn plain_text_on_a_pipe_is_an_error_record_that_shows_a_record_and_explain() {
    let d = tmp("plain");
    let out = moderate_in(&d, &["run", "-q"], "you are an idiot\n{\"id\":\"b\",\"body\":\"hi\"}\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(verdicts(&recs), ["error", "allow"], "{recs:?}");
    let msg = recs[0]["error"].as_str().unwrap();
    assert!(msg.contains("plain text?") && msg.contains("moderate explain"), "{msg}");
}
