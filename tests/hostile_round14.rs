//! Hostile input, round 14 (inputs and surfaces): the known faults (a JSON Lines id after the
//! first 64 MiB, an approval's edited text with hidden characters, `eval` over several files),
//! then the surfaces not attacked before (the start-up cache, the model file, output formats,
//! the review tools). Real binary where it can be; every fixture is written here.

mod common;

use std::path::PathBuf;

use common::{id_verdicts as verdicts, write_overlong_jsonl, moderate_in, records, stderr, stdout};

fn tmp(name: &str) -> PathBuf {
    common::fresh_dir("hostile14", name)
}

/// A JSON Lines line over 64 MiB whose id comes after the first 64 MiB (after a long body, as
/// an export that writes the body first has it) was named `<stem>#<line>` (round 13's "Left"):
/// only the part kept before the limit was scanned. Now the whole line is scanned as it is read
/// past, keeping only the key or id being read, with one thread and with two (the chunked
/// reader); an id inside a nested object is still not taken, one given twice still gives none.
#[test]
fn a_jsonl_line_too_long_to_hold_keeps_its_id_after_the_limit() {
    let dir = tmp("jsonl-id-after");
    for (name, head, tail, want) in [
        ("after.jsonl", "{\"body\":\"", "\",\"meta\":{\"id\":\"x\"},\"id\":\"c2\"}", "c2"),
        ("escaped.jsonl", "{\"body\":\"\\\"", "\\\\\",\"\\u0069d\":\"c\\u0032\"}", "c2"),
        ("twice.jsonl", "{\"id\":\"c2\",\"body\":\"", "\",\"id\":\"c9\"}", "twice#2"),
    ] {
        write_overlong_jsonl(&dir.join(name), head, tail);
        for jobs in ["1", "2"] {
            let o = moderate_in(&dir, &["run", "-q", "-j", jobs, name], "");
            assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
            let want = [String::from("c1=allow"), format!("{want}=error"), "c3=block".into()];
            assert_eq!(verdicts(&o), want, "{name} -j {jobs}");
        }
        let _ = std::fs::remove_file(dir.join(name));
    }
}

/// An approval's edited text (the text the site publishes instead of the comment) took control,
/// bidi and invisible characters as typed, while the reviewer's name and the categories beside
/// it are refused with them: `"you are \u{202e}toidi"` would be published reading otherwise
/// than it was reviewed, and an ESC reaches whoever prints the export. Now the decision is
/// refused (400 through the page's API) naming the character and where it is; line feeds and
/// tabs, and the joiners and variation selectors of emoji, are kept. The same for a note.
#[test]
fn an_edited_text_or_note_with_hidden_characters_is_refused() {
    use moderate::review::store::{NewDecision, ReviewAction};
    let dir = tmp("edited");
    let input = "{\"id\":\"a\",\"author\":\"x\",\"body\":\"you idiot\"}\n{\"id\":\"b\",\"author\":\"y\",\"body\":\"what an idiot\"}\n";
    let o = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "-"], input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut store = moderate::review::Store::open(dir.join("q.db")).unwrap();
    let d = |edited: &str, note: Option<&str>| NewDecision {
        action: ReviewAction::Approve,
        reviewer: "ana".into(),
        categories: None,
        expected_version: None,
        via: "cli",
        note: note.map(str::to_string),
        edited_body: Some(edited.to_string()),
        block_kind: None,
    };
    for (edited, note, want) in [
        ("you are \u{202e}toidi", None, "U+202E"),
        ("nice \u{1b}]52;c;aGk=\u{7}", None, "U+001B"),
        ("in\u{200b}visible", None, "U+200B"),
        ("a lone\rCR", None, "U+000D"),
        ("fine", Some("note \u{1b}[2J"), "U+001B"),
    ] {
        let e = store.decide(1, &d(edited, note)).unwrap_err();
        assert!(e.is_invalid(), "{edited:?}: {e}");
        assert!(e.to_string().contains(want), "{edited:?}: {e}");
    }
    // Paragraphs, tabs and emoji with a joiner or a variation selector are a moderator's text.
    store.decide(1, &d("first line\r\nsecond\tline \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{2764}\u{fe0f}", None)).unwrap();
}

/// `eval` over several labeled files gave another count for one of them than `eval` of that
/// file alone (impermium's blocked rows, 401 against 402, seen last session). Measured this
/// round: the two figures came from two packs (the bombing-threat rules of 2586c8e moved one
/// row), and `eval` judges each row by the rules alone, without the author policy, so nothing
/// carries from one file to the next. This pins it: a file's report is the same alone and after
/// another file holding the same texts by the same authors. `run` does apply the author policy
/// over the whole run, across its inputs (the README says so): a text posted again in the
/// second file is `spam.duplicate` there, and alone it is not.
#[test]
fn a_files_eval_does_not_depend_on_the_other_files_and_run_says_it_does() {
    let dir = tmp("eval-files");
    let row = |id: &str, author: &str, body: &str, toxic: bool| {
        format!("{{\"id\":\"{id}\",\"author\":\"{author}\",\"body\":\"{body}\",\"labels\":{{\"toxic\":{toxic}}}}}\n")
    };
    let bodies = [
        ("you are a fucking idiot and everyone knows it", true),
        ("I will kill you and your whole family tonight", true),
        ("thanks for the detailed write-up, very helpful indeed", false),
        ("visit my channel for free money http://bit.ly/x", false),
    ];
    let (mut a, mut b) = (String::new(), String::new());
    for (i, (body, toxic)) in bodies.iter().enumerate() {
        a.push_str(&row(&format!("a{i}"), "troll", body, *toxic));
        for k in 0..12 {
            b.push_str(&row(&format!("b{i}-{k}"), "troll", body, *toxic));
        }
    }
    std::fs::write(dir.join("a.jsonl"), &a).unwrap();
    std::fs::write(dir.join("b.jsonl"), &b).unwrap();
    let report = |files: &[&str]| {
        let mut args = vec!["eval", "--json", "--examples", "50"];
        args.extend_from_slice(files);
        let o = moderate_in(&dir, &args, "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let all: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
        all.into_iter().find(|r| r["name"] == "a.jsonl").unwrap()
    };
    assert_eq!(report(&["a.jsonl"]), report(&["b.jsonl", "a.jsonl"]));
    let dup = |files: &[&str]| {
        let mut args = vec!["run", "-q"];
        args.extend_from_slice(files);
        let o = moderate_in(&dir, &args, "");
        records(&o)
            .iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with('a'))
            .map(|r| r.to_string().contains("spam.duplicate"))
            .collect::<Vec<_>>()
    };
    assert_eq!(dup(&["a.jsonl"]), [false; 4]);
    assert_eq!(dup(&["b.jsonl", "a.jsonl"]), [true; 4]);
}

/// A small pack for the start-up cache tests: one wordlist rule.
fn cache_pack(dir: &std::path::Path, terms: &str) {
    let config = "extends = \"none\"\n[[rule]]\nid = \"x.words\"\ncategory = \"x\"\nscore = 1.0\nwordlist = \"words.txt\"\n";
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::write(dir.join("words.txt"), terms).unwrap();
    let input = "{\"id\":\"1\",\"body\":\"you are a zorkface\"}\n{\"id\":\"2\",\"body\":\"what a blimple\"}\n";
    std::fs::write(dir.join("input.jsonl"), input).unwrap();
}

/// `run` of the pack in `dir` with the cache under `cache` (`XDG_CACHE_HOME`): its verdicts and
/// whether the cache was read.
fn cached_run(dir: &std::path::Path, cache: &std::path::Path, extra: &[&str]) -> (Vec<u8>, bool) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["run", "-q", "-j", "1", "-c", "config.toml", "input.jsonl"])
        .args(extra)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("MODERATE_CACHE")
        .env("MODERATE_LOG", "debug")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    (o.stdout, err.contains("start-up cache hit"))
}

fn pack_file(cache: &std::path::Path) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache.join("moderate"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .collect();
    assert_eq!(v.len(), 1, "{v:?}");
    v.pop().unwrap()
}

/// The start-up cache's checksum covered the payload alone, and the file's place was trusted
/// as it was: another config's cache file with this key's 32 bytes written into its header
/// was read, and the run judged with the other config's word list (before: `zorkface` flagged
/// by a pack that lists only `blimple`). A cache directory writable by others, or one that is a
/// symlink, was read and written as any other. Now the checksum binds the key (format 2), and
/// the cache is read only from a directory and a file of this user's that no one else may
/// write, never through a symlink; the verdicts are a fresh build's in every case.
#[test]
fn a_cache_file_of_another_config_or_in_a_place_others_write_is_not_read() {
    use std::os::unix::fs::PermissionsExt;
    let root = tmp("cache");
    let (a, b) = (root.join("a"), root.join("b"));
    for (d, terms) in [(&a, "zorkface\n"), (&b, "blimple\n")] {
        std::fs::create_dir_all(d).unwrap();
        cache_pack(d, terms);
    }
    let want = cached_run(&b, &root.join("none"), &["--no-cache"]).0;
    assert!(!String::from_utf8_lossy(&want).contains("zorkface"));
    let (ca, cb) = (root.join("cache-a"), root.join("cache-b"));
    cached_run(&a, &ca, &[]);
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false));
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), true), "a good file is read");
    let good = std::fs::read(pack_file(&cb)).unwrap();

    // Another config's file with this key in its header.
    let mut swapped = std::fs::read(pack_file(&ca)).unwrap();
    swapped[12..44].copy_from_slice(&good[12..44]);
    std::fs::write(pack_file(&cb), &swapped).unwrap();
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false), "another config's file");
    assert_eq!(std::fs::read(pack_file(&cb)).unwrap(), good, "rebuilt and rewritten");

    // A directory anyone may write: not read; made private by the rebuild's store.
    let dir = cb.join("moderate");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false), "a directory others write");
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    // A file others may write.
    std::fs::set_permissions(pack_file(&cb), std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false), "a file others write");
    assert_eq!(std::fs::metadata(pack_file(&cb)).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), true));

    // The cache directory a symlink to a directory holding a good file: neither read nor
    // written through.
    let elsewhere = root.join("elsewhere");
    std::fs::rename(&dir, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    let before: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false), "a symlinked directory");
    let after: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(before.len(), after.len(), "nothing written through the symlink");
    // A file that is a symlink to a good file.
    std::fs::remove_file(&dir).unwrap();
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let name = pack_file_name(&elsewhere);
    std::os::unix::fs::symlink(elsewhere.join(&name), dir.join(&name)).unwrap();
    assert_eq!(cached_run(&b, &cb, &[]), (want.clone(), false), "a symlinked file");
}

fn pack_file_name(dir: &std::path::Path) -> std::ffi::OsString {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .find(|n| n.to_string_lossy().ends_with(".pack"))
        .unwrap()
}

/// Whether `bytes` hold a character a terminal acts on or that hides: a C0 control other than
/// a line feed, DEL, a C1 control, a bidi control, a zero-width character.
fn drives_a_terminal(bytes: &[u8]) -> Option<char> {
    String::from_utf8_lossy(bytes).chars().find(|&c| c != '\n' && moderate::term::is_hidden(c))
}

/// Verdict lines go to the terminal when `run` has no `-o`, and JSON escapes the C0 controls
/// only: an id or a matched span holding `\u{9d}52;c;aGk=\u{9c}` (OSC 52 in its 8-bit form:
/// xterm sets the clipboard), a CSI `\u{9b}2J`, DEL or a bidi override was written as it is.
/// Now each is a `\uXXXX` escape (the same JSON value); `eval`'s report printed a row's id as
/// it is (an ESC reached the terminal) and now shows it escaped, as it did the body.
#[test]
fn output_for_a_terminal_carries_no_control_or_bidi_character() {
    let dir = tmp("terminal");
    let id = "a\u{9d}52;c;aGk=\u{9c}\u{9b}2J\u{7f}\u{202e}\u{2028}\u{feff}";
    let rows = [
        serde_json::json!({"id": id, "body": "you are a fucking idiot"}),
        serde_json::json!({"id": "b", "body": "you are a fuck\u{9b}ing idiot \u{202e}gnikcuf \u{200b}"}),
    ];
    let input: String = rows.iter().map(|r| format!("{r}\n")).collect();
    for jobs in ["1", "2"] {
        let o = moderate_in(&dir, &["run", "-q", "-j", jobs, "-"], &input);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(drives_a_terminal(&o.stdout), None, "{}", stdout(&o));
        let recs = records(&o);
        assert_eq!(recs[0]["id"], id, "the same JSON value");
        assert!(stdout(&o).contains("\\u009d52;c;aGk=\\u009c"), "{}", stdout(&o));
        assert_eq!(recs[1]["verdict"], "block");
    }
    let labeled = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "x\u{1b}[31m\u{9d}0;t\u{9c}", "body": "you fucking idiot", "labels": {"toxic": false}}),
        serde_json::json!({"id": "y\u{1b}]52;c;aGk=\u{7}", "body": "have a nice day", "labels": {"toxic": true}}),
    );
    std::fs::write(dir.join("l\u{1b}[2J.jsonl"), labeled).unwrap();
    let o = moderate_in(&dir, &["eval", "l\u{1b}[2J.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(drives_a_terminal(&o.stdout), None, "{}", stdout(&o));
    assert!(stdout(&o).contains("y\\u{1b}]52;c;aGk=\\u{7}: have a nice day"), "{}", stdout(&o));
}

/// A queue database edited by hand or by another program (an item's stored verdict record that
/// is not one): `review list` and `review export` failed with `review database: bad JSON:
/// invalid type: integer 1, expected a string at line 1 column 7`, naming neither the item
/// nor the column. Now the message names both; the command still refuses (exit 1), and a
/// database that is not SQLite, or whose tables were dropped, is refused as before.
#[test]
fn a_damaged_queue_row_is_named_by_item_and_column() {
    let dir = tmp("queue-row");
    let input = "{\"id\":\"a\\u001b[2J\",\"author\":\"x\",\"body\":\"what an idiot indeed\"}\n\
                 {\"id\":\"a\\u001b[2J\",\"author\":\"y\",\"body\":\"what an idiot\"}\n";
    let o = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "-"], input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = moderate_in(&dir, &["review", "approve", "--reviewer", "ana", "--db", "q.db", "2"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conn = rusqlite::Connection::open(dir.join("q.db")).unwrap();
    conn.execute("UPDATE items SET record = '{\"id\":1}'", []).unwrap();
    drop(conn);
    for args in [&["review", "list", "--db", "q.db"][..], &["review", "export", "--db", "q.db", "-o", "out.jsonl"]] {
        let o = moderate_in(&dir, args, "");
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("(comment \"a\\\\u{1b}[2J\"), column \"record\": not a verdict record"), "{err}");
        assert!(err.contains("item #"), "{err}");
        assert_eq!(drives_a_terminal(err.as_bytes()), None, "{err}");
    }
}

/// A queue database handed to a moderator may carry code: a trigger runs inside every write.
/// One added to a queue (`AFTER INSERT ON decisions ... UPDATE items SET comment_id =
/// 'tampered' WHERE id <> NEW.item_id`) rewrote another item's comment id when `review
/// approve` approved item 1. Now a queue holding a trigger or a view this program did not
/// create, or one of its own triggers with another body, is not opened, by the writing and the
/// reading commands alike, and the message names it; nothing is written.
#[test]
fn a_queue_with_a_trigger_it_did_not_create_is_not_opened() {
    let dir = tmp("queue-trigger");
    let input = "{\"id\":\"a\",\"author\":\"x\",\"body\":\"what an idiot indeed\"}\n\
                 {\"id\":\"b\",\"author\":\"y\",\"body\":\"what an idiot\"}\n";
    let o = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "-"], input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::copy(dir.join("q.db"), dir.join("ours.db")).unwrap();
    for (name, sql) in [
        ("evil", "CREATE TRIGGER evil AFTER INSERT ON decisions BEGIN UPDATE items SET comment_id = 'tampered' WHERE id <> NEW.item_id; END"),
        ("v", "CREATE VIEW v AS SELECT 1"),
        ("items_count_insert", "DROP TRIGGER items_count_insert; CREATE TRIGGER items_count_insert AFTER INSERT ON items BEGIN DELETE FROM blocks; END"),
    ] {
        std::fs::copy(dir.join("ours.db"), dir.join("q.db")).unwrap();
        let conn = rusqlite::Connection::open(dir.join("q.db")).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        for args in [&["review", "approve", "--reviewer", "ana", "--db", "q.db", "1"][..], &["review", "list", "--db", "q.db"]] {
            let o = moderate_in(&dir, args, "");
            assert_eq!(o.status.code(), Some(1), "{name} {args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains(&format!("\"{name}\" that this program did not create, or changed")), "{err}");
        }
        let conn = rusqlite::Connection::open(dir.join("q.db")).unwrap();
        let ids: Vec<String> =
            conn.prepare("SELECT comment_id FROM items ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(ids, ["a", "b"], "{name}: nothing written");
    }
    // The queue as this program writes it opens as before.
    std::fs::copy(dir.join("ours.db"), dir.join("q.db")).unwrap();
    let o = moderate_in(&dir, &["review", "approve", "--reviewer", "ana", "--db", "q.db", "1"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
