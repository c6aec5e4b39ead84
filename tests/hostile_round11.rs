//! Hostile input, round 11 (inputs and surfaces): a comment body nested deeper in a WordPress
//! or Disqus comment element, Akismet fields sent in the query string, and the `[authors]` list
//! files' errors located at their value. Real binary; every fixture is written here.

mod common;

use std::path::PathBuf;

use common::{moderate_in, records, stderr};

use super::serve_harness::Server;

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile11-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `id=verdict` per record.
fn verdicts(o: &std::process::Output) -> Vec<String> {
    records(o).iter().map(|r| format!("{}={}", r["id"].as_str().unwrap_or("?"), r["verdict"].as_str().unwrap())).collect()
}

/// A WordPress export whose comment holds a second `<wp:comment_content>` below its direct one
/// (inside a `<wp:commentmeta>`, or inside a `<wp:comment>` nested in it, at any depth).
/// WordPress's importers disagree on it: the SimpleXML parser keeps the direct child (`hello`),
/// the regex parser (`WXR_Parser_Regex::get_tag`, used where SimpleXML is missing) the first in
/// the text (the insult), the `xml_parser` one the last, and it files a nested `<wp:comment>` as
/// a comment of its own. This reader judged `hello`: allow, and the insult was published
/// unjudged by the other two. Now such a comment is an error record naming the nested body,
/// and the comments around it are judged as before.
#[test]
fn a_comment_body_nested_below_the_comment_is_ambiguous() {
    let dir = tmp("wxr-nested");
    let insult = "you are a fucking idiot";
    let comment = |id: &str, inner: &str| format!("<wp:comment><wp:comment_id>{id}</wp:comment_id>{inner}</wp:comment>\n");
    let body = |t: &str| format!("<wp:comment_content><![CDATA[{t}]]></wp:comment_content>");
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>\n{}{}{}{}{}</item></channel></rss>\n",
        comment("1", &body("hello there")),
        comment("2", &format!("<wp:commentmeta>{}</wp:commentmeta>{}", body(insult), body("hello"))),
        comment("3", &format!("{}<wp:comment><wp:comment_id>3b</wp:comment_id>{}</wp:comment>", body("hello"), body(insult))),
        comment("4", &format!("{}<a><b><c><d>{}</d></c></b></a>", body("hello"), body(insult))),
        comment("5", &body("have a nice day")),
    );
    std::fs::write(dir.join("export.xml"), doc).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "export.xml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = verdicts(&o);
    assert_eq!(v.len(), 5, "one record per comment: {v:?}");
    assert_eq!((v[0].as_str(), v[4].as_str()), ("1=allow", "5=allow"), "{v:?}");
    let recs = records(&o);
    for r in &recs[1..4] {
        assert_eq!(r["verdict"], "error", "{r}");
        let e = r["error"].as_str().unwrap();
        assert!(e.contains("<wp:comment_content>") && e.contains("ambiguous"), "{e}");
        assert!(r["source"].as_str().is_some_and(|s| s.starts_with("export.xml:")), "{r}");
    }
}

/// The same for Disqus: a `<message>` (or a `<post>`) inside a post below its direct
/// `<message>` is an error record, not a post judged on one of its two bodies.
#[test]
fn a_disqus_message_nested_below_the_post_is_ambiguous() {
    let dir = tmp("disqus-nested");
    let post = |id: &str, inner: &str| format!("<post dsq:id=\"{id}\">{inner}</post>\n");
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n{}{}{}</disqus>\n",
        post("p1", "<message><![CDATA[hello there]]></message><author><name>Ann</name></author>"),
        post("p2", "<author><name>Bob</name><message>you are a fucking idiot</message></author><message>hi</message>"),
        post("p3", "<message>hi</message><post dsq:id=\"p3b\"><message>you are a fucking idiot</message></post>"),
    );
    std::fs::write(dir.join("export.xml"), doc).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "export.xml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = verdicts(&o);
    assert_eq!(v, ["p1=allow", "p2=error", "p3=error"]);
}

/// Akismet's fields belong in the POST body. A client that put the comment in the query string
/// (`/1.1/comment-check?comment_content=...`) got `false` (publish) for an empty comment: the
/// query was never read and nothing said so. Now a comment field in the query string is a 400
/// naming it; a query with other parameters (a cache buster) is still ignored.
#[test]
fn akismet_fields_in_the_query_string_are_refused_naming_them() {
    let dir = tmp("akismet-query");
    let srv = Server::start(&dir, &[]);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    for (query, body, field) in [
        ("comment_content=you+are+a+fucking+idiot", "blog=x", "comment_content"),
        ("comment_content=you+are+a+fucking+idiot", "blog=x&comment_content=hello", "comment_content"),
        ("blog=x&comment.author=Bob", "comment_content=hello", "comment.author"),
        ("user_ip=1.2.3.4", "comment_content=hello", "user_ip"),
    ] {
        let r = srv.req("POST", &format!("/1.1/comment-check?{query}"), &form, body.as_bytes());
        assert_eq!(r.status, 400, "?{query}: {}", r.text());
        let v = r.json();
        assert_eq!(v["field"], field, "?{query}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| e.contains("query")), "{v}");
    }
    let r = srv.req("POST", "/1.1/comment-check?nocache=123", &form, b"comment_content=you+are+a+fucking+idiot");
    assert_eq!((r.status, r.text().as_str()), (200, "true"));
    let r = srv.req("POST", "/1.1/verify-key?key=abc", &form, b"blog=x");
    assert_eq!(r.status, 400, "{}", r.text());
}

/// `[authors] blocked` / `trusted` naming a file that cannot be used (missing, a directory, a
/// FIFO, outside the config's directory, not UTF-8) was an error at `config.toml:1:1`, the
/// start of the file, whatever line the key was on. Now it is at the key's value.
#[test]
fn author_list_file_errors_are_located_at_their_value() {
    let dir = tmp("authors-at");
    std::fs::create_dir_all(dir.join("rules/dir")).unwrap();
    std::fs::write(dir.join("rules/bad.txt"), b"bob\n\xff\xfe\n").unwrap();
    let base = "extends = \"none\"\n\n[thresholds]\nflag = 1.0\nblock = 3.0\n\n[[rule]]\nid = \"a.b\"\ncategory = \"profanity\"\npatterns = [\"fuck\"]\nscore = 1.0\n\n[authors]\nrepeat_blocks = 0\n";
    for (line, want) in [
        ("blocked = \"rules/missing.txt\"", "config.toml:15:11: ./rules/missing.txt: cannot read"),
        ("trusted = \"rules/dir\"", "config.toml:15:11: ./rules/dir: not a regular file"),
        ("blocked = \"/etc/passwd\"", "config.toml:15:11: /etc/passwd: outside the config file's directory"),
        ("trusted   =   \"rules/bad.txt\"", "config.toml:15:15: ./rules/bad.txt:2:1: not valid UTF-8"),
    ] {
        std::fs::write(dir.join("config.toml"), format!("{base}{line}\n")).unwrap();
        let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
        assert_eq!(o.status.code(), Some(2), "{line}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{line}: want {want:?} in:\n{}", stderr(&o));
    }
    // A plain list's note reads as one sentence (its words were parted by runs of spaces).
    std::fs::write(dir.join("rules/names.txt"), "Troll\n").unwrap();
    std::fs::write(dir.join("config.toml"), format!("{base}blocked = \"rules/names.txt\"\n")).unwrap();
    let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = format!("{}{}", common::stdout(&o), stderr(&o));
    assert!(out.contains("plain block list") && !out.contains("  ignored"), "{out}");
}

/// A queue database another program wrote a row into that the store cannot read (a body stored
/// as a BLOB of bytes that are not UTF-8): `review export -o FILE` failed naming FILE, the output
/// it was writing (`out.jsonl: review database: Invalid column type Blob ...`), so the user
/// looked at the wrong file. Now it names the database; `list` and `learn --from-decisions`
/// already did. Exit 1 in each, never a panic.
#[test]
fn a_queue_row_the_store_cannot_read_names_the_database() {
    let dir = tmp("queue-blob");
    std::fs::write(dir.join("in.jsonl"), "{\"id\":\"1\",\"body\":\"fuck this\",\"author\":\"ann\"}\n").unwrap();
    let o = moderate_in(&dir, &["run", "-q", "--queue", "q.db", "in.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = moderate_in(&dir, &["review", "--db", "q.db", "reject", "1"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let db = rusqlite::Connection::open(dir.join("q.db")).unwrap();
    db.execute("UPDATE items SET body = x'fffe6675636b'", []).unwrap();
    drop(db);
    for args in [
        &["review", "--db", "q.db", "export", "-o", "out.jsonl"][..],
        &["review", "--db", "q.db", "list", "--status", "all"][..],
        &["learn", "--from-decisions", "q.db", "-o", "m.bin"][..],
    ] {
        let o = moderate_in(&dir, args, "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("moderate: q.db: review database:") && !err.contains("out.jsonl:"), "{args:?}: {err}");
    }
}

/// A ledger line whose comment was changed after it was written (its `input_hash` is of
/// another text): `replay` judged the new text and reported a difference, `was` allow, `now`
/// block, as if the config had changed its mind about what was judged. Now such an entry is
/// not judged again; the summary counts it and names its line.
#[test]
fn replay_does_not_judge_a_ledger_comment_its_hash_does_not_match() {
    let dir = tmp("ledger-hash");
    std::fs::write(dir.join("in.jsonl"), "{\"id\":\"a\",\"body\":\"hello there\"}\n{\"id\":\"b\",\"body\":\"nice day\"}\n")
        .unwrap();
    let o = moderate_in(&dir, &["run", "-q", "--ledger", "l.jsonl", "in.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = moderate_in(&dir, &["replay", "l.jsonl"], "");
    assert!(stderr(&o).contains("2 entries, 2 judged again: 2 same, 0 differ"), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("l.jsonl")).unwrap();
    assert_eq!(text.matches("\"body\":\"nice day\"").count(), 1, "{text}");
    std::fs::write(dir.join("l.jsonl"), text.replace("\"body\":\"nice day\"", "\"body\":\"you are a fucking idiot\""))
        .unwrap();
    let o = moderate_in(&dir, &["replay", "l.jsonl"], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(common::stdout(&o), "", "no difference is blamed on the config: {err}");
    assert!(err.contains("2 entries, 1 judged again: 1 same, 0 differ"), "{err}");
    assert!(err.contains("1 entries not judged again") && err.contains("input_hash") && err.contains("lines 2"), "{err}");
}
