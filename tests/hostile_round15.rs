//! Hostile input, round 15 (inputs and surfaces): round 14's "Left" (the review page's cost per
//! author, `IdScan`), then namespace tricks inside WXR and Disqus records, a closed stdout with
//! other outputs open, and more. Real binary where it can be; every fixture is written here.

mod common;

use std::path::PathBuf;

use common::{id_verdicts as verdicts, moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    common::fresh_dir("hostile15", name)
}

/// A namespace declaration inside a record changes which elements are the body for an importer
/// that reads by namespace (WordPress's SimpleXML parser, any namespace-aware Disqus reader):
/// `<x:comment_content xmlns:x="http://wordpress.org/export/1.2/">insult</x:comment_content>`
/// before `<wp:comment_content>nice</wp:comment_content>` is the first WordPress body there,
/// while this reader matched names as written and judged `nice` (allow); the same with
/// `<x:message xmlns:x="http://disqus.com">`. Declared outside a record it already stopped the
/// file; inside one, now the record is an error record and the records around it are judged.
#[test]
fn a_namespace_declared_inside_a_record_makes_it_ambiguous() {
    let dir = tmp("xml-ns-inside");
    let insult = "you fucking idiot";
    let wp = "http://wordpress.org/export/1.2/";
    let comment = |id: u32, inner: &str| {
        format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>a</wp:comment_author>{inner}<wp:comment_approved>1</wp:comment_approved></wp:comment>")
    };
    for (name, spoiled) in [
        ("prefix", format!("<x:comment_content xmlns:x=\"{wp}\">{insult}</x:comment_content><wp:comment_content>nice</wp:comment_content>")),
        ("after", format!("<wp:comment_content>nice</wp:comment_content><x:comment_content xmlns:x=\"{wp}\">{insult}</x:comment_content>")),
        ("default", format!("<comment_content xmlns=\"{wp}\">{insult}</comment_content><wp:comment_content>nice</wp:comment_content>")),
        ("rebound", format!("<wp:comment_content xmlns:wp=\"http://other.example/\">nice</wp:comment_content><y:comment_content xmlns:y=\"{wp}\">{insult}</y:comment_content>")),
    ] {
        let items = [comment(1, "<wp:comment_content>hello</wp:comment_content>"), comment(2, &spoiled), comment(3, &format!("<wp:comment_content>{insult}</wp:comment_content>"))].concat();
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:wp=\"{wp}\"><channel><item><title>P</title><wp:post_id>1</wp:post_id>\n{items}\n</item></channel></rss>\n");
        std::fs::write(dir.join(format!("{name}.xml")), xml).unwrap();
        let o = moderate_in(&dir, &["run", "-q", &format!("{name}.xml")], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(verdicts(&o), ["1=allow", "2=error", "3=block"], "wxr {name}");
        let e = records(&o)[1]["error"].as_str().unwrap().to_string();
        assert!(e.contains("xmlns") && e.contains("ambiguous"), "{name}: {e}");
    }
    let post = |id: &str, inner: &str| {
        format!("<post dsq:id=\"{id}\">{inner}<author><name>x</name></author><thread dsq:id=\"t1\"/></post>\n")
    };
    for (name, spoiled) in [
        ("prefix", format!("<x:message xmlns:x=\"http://disqus.com\">{insult}</x:message><message>nice</message>")),
        ("after", format!("<message>nice</message><x:message xmlns:x=\"http://disqus.com\">{insult}</x:message>")),
        ("default", format!("<message xmlns=\"http://other.example/\">nice</message><d:message xmlns:d=\"http://disqus.com\">{insult}</d:message>")),
    ] {
        let posts = [post("p1", "<message>hello</message>"), post("p2", &spoiled), post("p3", &format!("<message>{insult}</message>"))].concat();
        let xml = format!("<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n<thread dsq:id=\"t1\"><id>a</id></thread>\n{posts}</disqus>\n");
        std::fs::write(dir.join(format!("{name}.disqus.xml")), xml).unwrap();
        let o = moderate_in(&dir, &["run", "-q", &format!("{name}.disqus.xml")], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(verdicts(&o), ["p1=allow", "p2=error", "p3=block"], "disqus {name}");
        let e = records(&o)[1]["error"].as_str().unwrap().to_string();
        assert!(e.contains("xmlns") && e.contains("ambiguous"), "{name}: {e}");
    }
    // The internals namespace (`dsq:`) on a field is the export's own: judged.
    let posts = post("p1", "<message>nice</message><dsq:note xmlns:dsq=\"http://disqus.com/disqus-internals\">x</dsq:note>");
    let xml = format!("<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n{posts}</disqus>\n");
    std::fs::write(dir.join("ok.disqus.xml"), xml).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "ok.disqus.xml"], "");
    assert_eq!(verdicts(&o), ["p1=allow"]);
}

/// `moderate run dump --split out/ --queue q.db | head -1`: the reader of stdout going away
/// stopped the whole run, quietly and with exit 0, so the split files held the first few
/// hundred of 5,000 comments, the queue none, and nothing said so. With other outputs open the
/// run now goes on to the end (stdout's writes dropped), every other output holds every comment,
/// and a warning names them. Without other outputs a closed pipe still ends the run quietly.
#[test]
fn a_closed_stdout_does_not_cut_the_other_outputs_short() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tmp("closed-stdout");
    let n = 5_000;
    let rows: String = (0..n)
        .map(|i| {
            let body = if i % 2 == 0 { "you are an idiot" } else { "you idiot, fuck off" };
            format!("{{\"id\":\"c{i}\",\"author\":\"a{i}\",\"body\":\"{body} number {i}\"}}\n")
        })
        .collect();
    std::fs::write(dir.join("dump.jsonl"), rows).unwrap();
    for jobs in ["1", "2"] {
        let out = dir.join(format!("out{jobs}"));
        let queue = dir.join(format!("q{jobs}.db"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
            .args(["run", "dump.jsonl", "-j", jobs, "--split"])
            .arg(&out)
            .arg("--queue")
            .arg(&queue)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(first.contains("\"c0\""), "{first}");
        // The reader is gone (dropped above).
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(err.contains("stdout was closed") && err.contains("--split") && err.contains("--queue"), "{err}");
        let lines = |name: &str| std::fs::read_to_string(out.join(name)).map_or(0, |s| s.lines().count());
        let split = lines("dump.allowed.jsonl") + lines("dump.flagged.jsonl") + lines("dump.blocked.jsonl");
        assert_eq!(split + lines("dump.errors.jsonl"), n, "-j {jobs}: {err}");
        assert!(err.contains(&format!("{n} comments")), "{err}");
    }
    // No other output: the closed pipe ends the run quietly, as before.
    let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["run", "dump.jsonl"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("stdout was closed"), "{}", stderr(&o));
}

/// Round 14's "Left": what the review page reads for each item's author grew with the author's
/// comment count. Each item of a page read its author's latest comments through the unique
/// `(author, comment_id)` index, which gives them in comment-id order, so every one of the
/// author's history rows was read and sorted to keep 5; and the author's record (up to 10,000
/// items) read each item's table row for its status. 50 authors with 10,000 comments each: 3.9 s
/// a page. Schema version 3 indexes the history by author alone (rowid order: the latest first,
/// no sort) and puts the status in the author indexes (counted from the index): 0.10 s. A
/// version-2 queue is still read as it is by read-only commands and upgraded by a write.
#[test]
fn a_review_page_reads_a_bounded_amount_per_author() {
    let dir = tmp("review-per-author");
    let rows: String = (0..40)
        .map(|i| format!("{{\"id\":\"c{i}\",\"author\":\"bob\",\"author_email\":\"Bob@Example.org\",\"body\":\"You are a disgrace {i}\"}}\n"))
        .collect();
    std::fs::write(dir.join("in.jsonl"), rows).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "in.jsonl", "-o", "v.jsonl", "--queue", "q.db"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let db = dir.join("q.db");
    let plan = |sql: &str| -> String {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    };
    // The page's two per-author reads (`Store::history`, `Store::author_record`).
    let history = "SELECT comment_id, verdict, rules, excerpt FROM history WHERE author = 'bob' AND comment_id <> 'c1' ORDER BY rowid DESC LIMIT 5";
    let record = "SELECT status, count(*) FROM (SELECT status FROM items WHERE author_email = 'bob@example.org' COLLATE NOCASE LIMIT 10000) GROUP BY status";
    let by_name = "SELECT status, count(*) FROM (SELECT status FROM items WHERE author = 'bob' LIMIT 10000) GROUP BY status";
    let h = plan(history);
    assert!(h.contains("history_author") && !h.contains("TEMP B-TREE"), "history: {h}");
    for sql in [record, by_name] {
        let p = plan(sql);
        assert!(p.contains("COVERING INDEX"), "record: {p}");
    }
    // The listing still answers the same (the author's record counts all 40).
    let o = moderate_in(&dir, &["review", "list", "--db", "q.db", "--limit", "3"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(common::stdout(&o).contains("3 of 40"), "{}", common::stdout(&o));

    // A version-2 queue (the indexes as version 2 made them): read as it is, upgraded by a write.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP INDEX history_author; DROP INDEX items_email; CREATE INDEX items_email ON items (author_email COLLATE NOCASE);
             DROP INDEX items_author; CREATE INDEX items_author ON items (author); PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let o = moderate_in(&dir, &["review", "list", "--db", "q.db", "--limit", "3"], "");
    assert_eq!(o.status.code(), Some(0), "a version-2 queue is read: {}", stderr(&o));
    let o = moderate_in(&dir, &["review", "approve", "--db", "q.db", "1"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 3);
    drop(conn);
    assert!(plan(history).contains("history_author"), "upgraded");
    assert!(plan(record).contains("COVERING INDEX"), "upgraded");
}

/// Generated lines comparing the over-long line's id scanner with the record reader (round
/// 14's "Left": `IdScan` had no fuzz coverage; `src/read/idscan_props.rs`) found the reader
/// itself naming a record by an id given twice: `{"id":"a","body":"x","body":"y","id":"b"}`
/// was an error record named `a` (only the first duplicated key, `body`, was looked at; a site
/// keeping the last copy knows the comment as `b`). An id name given twice anywhere now names
/// the record `<stem>#<line>`, as it did when the id was the first duplicate.
#[test]
fn an_id_given_twice_after_another_duplicate_names_no_record() {
    let dir = tmp("dup-id-late");
    std::fs::write(
        dir.join("in.jsonl"),
        "{\"id\":\"a\",\"body\":\"x\",\"body\":\"y\",\"id\":\"b\"}\n{\"id\":\"c\",\"body\":\"x\",\"body\":\"y\"}\n{\"id\":\"d\",\"id\":\"e\",\"body\":\"x\"}\n",
    )
    .unwrap();
    let o = moderate_in(&dir, &["run", "-q", "-j1", "in.jsonl"], "");
    assert_eq!(verdicts(&o), ["in#1=error", "c=error", "in#3=error"]);
}

/// SIGHUP (the terminal or the ssh session of a long `moderate run` closed) ended the process
/// at once, as its default does: the verdict file held 89,573 records and the split files
/// 89,527, no summary, exit 129. It now stops the run as SIGINT and SIGTERM do: every output
/// holds the same records, the summary says how many, exit 130.
#[cfg(unix)]
#[test]
fn a_hangup_stops_the_run_with_every_output_alike() {
    use std::process::{Command, Stdio};
    let dir = tmp("sighup");
    let n = 400_000;
    let rows: String = (0..n).map(|i| format!("{{\"id\":\"c{i}\",\"body\":\"you idiot number {i}\"}}\n")).collect();
    std::fs::write(dir.join("big.jsonl"), rows).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["run", "big.jsonl", "-j", "1", "-o", "v.jsonl", "--split", "out"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first verdicts are written, hang up.
    let start = std::time::Instant::now();
    while std::fs::metadata(dir.join("v.jsonl")).map_or(0, |m| m.len()) < 1 << 20 {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "no output");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    let lines = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap().lines().count();
    let verdicts = lines("v.jsonl");
    let split = lines("out/big.blocked.jsonl") + lines("out/big.flagged.jsonl") + lines("out/big.allowed.jsonl");
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(verdicts < n, "the run was stopped early: {verdicts}");
    assert_eq!(verdicts, split, "{err}");
    assert!(err.contains(&format!("interrupted after {verdicts} records")), "{err}");
}

/// A thread page's body line indented by a tab (8 columns on the page, deeper than the
/// header's 2 spaces) was measured in bytes: 1, shallower than the header, so it ended the
/// entry, and under the last entry it was taken for the page footer. `\tyou fucking idiot`
/// was never judged and Bob's comment was an empty `allow`. Indentation is now counted in the
/// columns a reader sees (tab stops of 8).
#[test]
fn a_thread_body_indented_by_a_tab_is_the_comments_text() {
    let dir = tmp("thread-tab");
    let page = "Title\n\nArticle.\n\nDiscussion Policy\n\nBe civil.\n\n  1. Ann said:\n\n    nice article\n\n  2. Bob said:\n\n\tyou fucking idiot\n\n  3. Cy said:\n\n\t\tagreed, ok\n\t\tand you fucking idiot too\n";
    std::fs::write(dir.join("page.txt"), page).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "page.txt"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o), ["page#1=allow", "page#2=block", "page#3=block"]);
    let r = records(&o);
    assert_eq!(r[1]["reasons"][0]["matches"][0]["text"], "fucking");
}

/// `<iframe srcdoc="...">` shows that HTML in its frame, as `<img alt>` shows its text; the
/// attribute was not read, so `<iframe srcdoc="you fucking idiot"></iframe>` was an `allow`
/// with nothing judged. Its text is now judged, mapped to the tag (tags written in it skipped,
/// inline ones joining the text around them).
#[test]
fn an_iframe_srcdoc_is_judged_as_the_text_it_shows() {
    let dir = tmp("srcdoc");
    let rows = [
        ("plain", "<iframe srcdoc=\"you fucking idiot\"></iframe>"),
        ("tags", "<iframe srcdoc='<p>you fu<b></b>cking idiot</p>'></iframe>"),
        ("entities", "<iframe srcdoc=\"you &#102;ucking idiot\"></iframe>"),
        ("innocent", "nice <iframe srcdoc=\"<p>hello</p><p>there</p>\"></iframe> day"),
    ];
    let text = common::jsonl_rows(&rows);
    std::fs::write(dir.join("in.jsonl"), text).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "in.jsonl"], "");
    assert_eq!(verdicts(&o), ["plain=block", "tags=block", "entities=block", "innocent=allow"]);
    let r = records(&o);
    let m = &r[0]["reasons"][0]["matches"][0];
    assert_eq!(m["text"], "<iframe srcdoc=\"you fucking idiot\">", "mapped to the tag");
}

/// `aria-label` is what a screen reader reads for an element instead of its text: `<a
/// aria-label="you fucking idiot">x</a>` read an insult aloud while the rules saw `x` (allow).
/// It is now judged out of line, as a `title` tooltip is (it does not split the sentence its
/// element sits in), beside the tooltip when both are there.
#[test]
fn an_aria_label_is_judged_as_a_tooltip_is() {
    let dir = tmp("aria-label");
    let rows = [
        ("alone", "<a href=\"#\" aria-label=\"you fucking idiot\">x</a>"),
        ("beside-title", "<a title=\"nice\" aria-label=\"fucking idiot\">x</a>"),
        ("innocent", "<button aria-label=\"close\">x</button> nice"),
    ];
    let text = common::jsonl_rows(&rows);
    std::fs::write(dir.join("in.jsonl"), text).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "in.jsonl"], "");
    let v = verdicts(&o);
    assert_eq!(v[0], "alone=block");
    assert_ne!(v[1], "beside-title=allow");
    assert_eq!(v[2], "innocent=allow");
}
