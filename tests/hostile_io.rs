//! Hostile input, the reading half (issue 14): duplicated keys, pipes and FIFOs, `--split`
//! identity and bytes, directory walks, broken CSV, deep XML, Unicode indentation. The writing
//! half (outputs that are inputs, closed pipes and full disks, signals) is tests/hostile_outputs.rs.
//! Every test runs the real binary on inputs it makes itself (no `../shared`).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use common::hostile::{big_jsonl, exe, run, run_stdin, s, verdicts, write, CLEAN, INSULT};
use common::{records, stderr};

// ---- 1. duplicated keys, columns, elements ----

#[test]
fn jsonl_duplicated_key_is_an_error_naming_the_key() {
    let input = format!(
        "{{\"id\":1,\"body\":\"{CLEAN}\"}}\n{{\"id\":2,\"body\":\"first\",\"body\":\"{INSULT}\"}}\n{{\"id\":3,\"body\":\"first\",\"b\\u006fdy\":\"{INSULT}\"}}\n{{\"id\":4,\"author\":\"a\",\"author\":\"b\",\"body\":\"{CLEAN}\"}}\n{{\"id\":5,\"body\":\"{CLEAN} again\",\"extra\":1,\"extra\":2}}\n"
    );
    let o = run_stdin(&["run", "-q", "-"], input.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0]["verdict"], "allow");
    for (i, key) in [(1, "body"), (2, "body"), (3, "author")] {
        assert_eq!(recs[i]["verdict"], "error", "{}", recs[i]);
        let msg = recs[i]["error"].as_str().unwrap();
        assert!(msg.contains(&format!("line {}", i + 1)) && msg.contains(&format!("\"{key}\"")), "{msg}");
        assert_eq!(recs[i]["id"], (i + 1).to_string(), "the id is kept when it is not the duplicate");
    }
    assert_eq!(recs[4]["verdict"], "allow", "duplicates of keys that are not read do not matter");
}

/// Two body fields with different text (`body` and `content`): a site shows one of them, so
/// judging the other could pass a text readers see. The record is an error naming both, unless
/// they agree; `[input.fields] body` names the one to read.
#[test]
fn jsonl_two_body_fields_with_different_text_are_an_error_naming_both() {
    let input = format!(
        "{{\"id\":1,\"body\":\"{CLEAN}\",\"content\":\"{INSULT}\"}}\n{{\"id\":2,\"text\":\"{CLEAN}\",\"body\":\"{CLEAN}\"}}\n{{\"id\":3,\"body\":\"\",\"message\":\"{INSULT}\"}}\n{{\"id\":4,\"body\":null,\"content\":\"{INSULT}\"}}\n"
    );
    let o = run_stdin(&["run", "-q", "-"], input.as_bytes());
    let recs = records(&o);
    assert_eq!(recs.len(), 4, "{}", stderr(&o));
    for (i, (a, b)) in [(0, ("body", "content")), (2, ("body", "message"))] {
        assert_eq!(recs[i]["verdict"], "error", "{}", recs[i]);
        let msg = recs[i]["error"].as_str().unwrap();
        assert!(msg.contains(&format!("\"{a}\"")) && msg.contains(&format!("\"{b}\"")), "{msg}");
    }
    assert_eq!(recs[1]["verdict"], "allow", "the same text twice is not ambiguous");
    assert!(recs[3]["verdict"] == "block" || recs[3]["verdict"] == "flag", "a null body is no body: {}", recs[3]);
    // Naming the field the site shows settles it.
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config.toml");
    std::fs::write(&cfg, "extends = \"builtin\"\n[input.fields]\nbody = [\"content\"]\n").unwrap();
    let o = run_stdin(&["run", "-q", "--config", cfg.to_str().unwrap(), "-"], input.lines().next().unwrap().as_bytes());
    let recs = records(&o);
    assert_eq!(recs.len(), 1, "{}", stderr(&o));
    assert_ne!(recs[0]["verdict"], "error", "{}", recs[0]);
    assert_ne!(recs[0]["verdict"], "allow", "content is judged: {}", recs[0]);
}

#[test]
fn csv_duplicated_header_column_is_an_error_per_row() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "dup.csv", format!("id,body,Body\n1,{CLEAN},{INSULT}\n2,{CLEAN},{CLEAN}\n").as_bytes());
    let o = run(&["run", "-q", s(&p)]);
    let recs = records(&o);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r["verdict"], "error");
        assert!(r["error"].as_str().unwrap().contains("two \"body\" columns"), "{r}");
    }
}

fn wxr(comments: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><wp:post_id>10</wp:post_id>{comments}</item></channel></rss>\n"
    )
}

fn wxr_comment(id: u32, body: &str, approved: &str) -> String {
    format!(
        "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_content><![CDATA[{body}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved></wp:comment>"
    )
}

fn disqus(posts: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\"><thread dsq:id=\"t1\"><id>a</id></thread>{posts}</disqus>\n"
    )
}

fn disqus_post(id: &str, body: &str, spam: &str) -> String {
    format!(
        "<post dsq:id=\"{id}\"><message><![CDATA[{body}]]></message><isDeleted>false</isDeleted><isSpam>{spam}</isSpam><thread dsq:id=\"t1\"/></post>"
    )
}

#[test]
fn xml_duplicated_elements_are_errors() {
    let d = tempfile::tempdir().unwrap();
    let twice = format!(
        "<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_content>first</wp:comment_content><wp:comment_content><![CDATA[{INSULT}]]></wp:comment_content></wp:comment>"
    );
    let nested = "<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_content>hi <b>you idiot</b></wp:comment_content></wp:comment>";
    let p = write(d.path(), "dup.wxr", wxr(&format!("{}{twice}{nested}", wxr_comment(1, CLEAN, "1"))).as_bytes());
    let v = verdicts(&run(&["run", "-q", s(&p)]));
    assert_eq!(v.len(), 3, "{v:?}");
    assert_eq!((v["1"].as_str(), v["2"].as_str(), v["3"].as_str()), ("allow", "error", "error"));

    let post = format!(
        "<post dsq:id=\"p2\"><message>first</message><message>{INSULT}</message><thread dsq:id=\"t1\"/></post>"
    );
    let p = write(d.path(), "dup.xml", disqus(&format!("{}{post}", disqus_post("p1", CLEAN, "false"))).as_bytes());
    let o = run(&["run", "-q", s(&p)]);
    let recs = records(&o);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["verdict"], "error");
    assert!(recs[1]["error"].as_str().unwrap().contains("<message> appears twice"), "{}", recs[1]);
}

// ---- 2. pipes, process substitution, FIFOs ----

fn ids(o: &Output) -> Vec<String> {
    records(o).iter().map(|r| r["id"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn pipe_process_substitution_and_fifo_give_the_file_records() {
    let d = tempfile::tempdir().unwrap();
    let data = big_jsonl(3000); // ~230 KB: more than any pipe or sniffing buffer
    let file = write(d.path(), "big.jsonl", data.as_bytes());
    let want = ids(&run(&["run", "-q", s(&file)]));
    assert_eq!(want.len(), 3000);

    let piped = run_stdin(&["run", "-q", "-"], data.as_bytes());
    assert_eq!(ids(&piped), want, "cat f | moderate run -");

    let exe = exe();
    let o = Command::new("bash").arg("-c").arg(format!("'{exe}' run -q <(cat '{}')", s(&file))).output().expect("bash");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ids(&o), want, "moderate run <(cat f)");

    // A named FIFO without an extension: the format is sniffed from a head that is kept.
    for (name, content) in [("fifo", data.clone()), ("fifo.csv", format!("id,body\n1,{CLEAN}\n2,{INSULT}\n"))] {
        let fifo = d.path().join(name);
        let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(st.success());
        let (f2, c2) = (fifo.clone(), content.clone());
        let writer = std::thread::spawn(move || {
            let mut w = std::fs::OpenOptions::new().write(true).open(&f2).expect("open fifo");
            w.write_all(c2.as_bytes()).expect("write fifo");
        });
        let o = run(&["run", "-q", s(&fifo)]);
        writer.join().expect("writer");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let n = content.lines().count() - usize::from(name.ends_with(".csv"));
        assert_eq!(records(&o).len(), n, "{name}");
        if name == "fifo" {
            assert_eq!(ids(&o), want);
        }
    }
}

// ---- 3. --split writes back what came in, keyed by identity ----

/// `(id, approved value)` of every comment of a moderated WXR copy (a tiny scan, enough for
/// the one-line fixtures here).
fn field_per_record(xml: &str, record: &str, id_tag: &str, field: &str) -> Vec<(String, String)> {
    let open = format!("<{record}");
    xml.split(&open)
        .skip(1)
        .map(|part| {
            let grab = |tag: &str| {
                let a = format!("<{tag}>");
                let b = format!("</{tag}>");
                part.split_once(&a).and_then(|(_, r)| r.split_once(&b)).map(|(v, _)| v.to_string()).unwrap_or_default()
            };
            let id = if id_tag.is_empty() {
                part.split_once("dsq:id=\"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map(|(v, _)| v.to_string())
                    .unwrap_or_default()
            } else {
                grab(id_tag)
            };
            (id, grab(field))
        })
        .collect()
}

#[test]
fn split_minified_wxr_and_disqus_carry_each_comment_s_own_verdict() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    // One line, four comments: the site's earlier judgement is the opposite of ours.
    let all = [
        wxr_comment(1, CLEAN, "0"),
        wxr_comment(2, INSULT, "1"),
        wxr_comment(3, "a second, different kind remark", "0"),
        wxr_comment(4, "you stupid moron", "1"),
    ];
    let p = write(d.path(), "mini.wxr", wxr(&all.concat()).as_bytes());
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = verdicts(&o);
    assert_eq!(
        (v["1"].as_str(), v["2"].as_str(), v["3"].as_str(), v["4"].as_str()),
        ("allow", "block", "allow", "block")
    );
    let copy = std::fs::read_to_string(out.join("mini.moderated.xml")).unwrap();
    let got = field_per_record(&copy, "wp:comment>", "wp:comment_id", "wp:comment_approved");
    let want: Vec<(String, String)> = [("1", "1"), ("2", "spam"), ("3", "1"), ("4", "spam")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);

    let posts = [
        disqus_post("p1", INSULT, "false"),
        disqus_post("p2", CLEAN, "true"),
        disqus_post("p3", "you stupid moron", "false"),
    ];
    let p = write(d.path(), "mini.xml", disqus(&posts.concat()).as_bytes());
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let copy = std::fs::read_to_string(out.join("mini.moderated.xml")).unwrap();
    let got = field_per_record(&copy, "post ", "", "isSpam");
    // p2: the export had it as spam, which the copy keeps (it never publishes what the site
    // removed), though the rules allow it.
    let want: Vec<(String, String)> =
        [("p1", "true"), ("p2", "true"), ("p3", "true")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}

/// The records of every split file of `stem` in `dir`, as byte lines (header rows skipped).
fn split_lines(dir: &Path, stem: &str, ext: &str, header: bool) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for v in ["allowed", "flagged", "blocked", "errors"] {
        let data = std::fs::read(dir.join(format!("{stem}.{v}.{ext}"))).unwrap();
        let mut it = data.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec);
        if header {
            it.next();
        }
        lines.extend(it);
    }
    lines.sort();
    lines
}

#[test]
fn split_keeps_crlf_and_invalid_utf8_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let mut jsonl = Vec::new();
    jsonl.extend_from_slice(format!("{{\"id\":1,\"body\":\"{CLEAN}\"}}\r\n").as_bytes());
    jsonl.extend_from_slice(format!("{{\"id\":2,\"body\":\"{INSULT}\"}}\r\n").as_bytes());
    jsonl.extend_from_slice(b"{\"id\":3,\"body\":\"bad \xff\xfe bytes\"}\r\n");
    jsonl.extend_from_slice(format!("{{\"id\":4,\"body\":\"{CLEAN}\"}}\n").as_bytes());
    let p = write(d.path(), "crlf.jsonl", &jsonl);
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut want: Vec<Vec<u8>> = jsonl.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    want.sort();
    assert_eq!(split_lines(&out, "crlf", "jsonl", false), want);

    let mut csv = b"id,body,extra\r\n".to_vec();
    csv.extend_from_slice(format!("1,{CLEAN},x\r\n").as_bytes());
    csv.extend_from_slice(b"2,fine words here,\xff\xfe not read\r\n");
    csv.extend_from_slice(b"3,\"bad \xff body\",x\r\n");
    csv.extend_from_slice(format!("4,\"{INSULT}\r\nsecond line\",x\r\n").as_bytes());
    let p = write(d.path(), "crlf.csv", &csv);
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = verdicts(&o);
    assert_eq!((v["2"].as_str(), v["3"].as_str(), v["4"].as_str()), ("allow", "error", "block"));
    // Every split file starts with the header exactly as it came.
    assert!(std::fs::read(out.join("crlf.blocked.csv")).unwrap().starts_with(b"id,body,extra\r\n"));
    let rows: Vec<Vec<u8>> = split_lines(&out, "crlf", "csv", true);
    let mut want = vec![
        format!("1,{CLEAN},x\r\n").into_bytes(),
        b"2,fine words here,\xff\xfe not read\r\n".to_vec(),
        b"3,\"bad \xff body\",x\r\n".to_vec(),
        format!("4,\"{INSULT}\r\n").into_bytes(),
        b"second line\",x\r\n".to_vec(),
    ];
    want.sort();
    assert_eq!(rows, want);
}

// ---- 7. directory walks ----

#[cfg(unix)]
#[test]
fn symlink_loop_reads_each_file_once() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("dump");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write(&dir, "a.jsonl", format!("{{\"id\":\"a\",\"body\":\"{CLEAN}\"}}\n").as_bytes());
    write(&dir.join("sub"), "b.jsonl", format!("{{\"id\":\"b\",\"body\":\"{CLEAN}\"}}\n").as_bytes());
    std::os::unix::fs::symlink("..", dir.join("sub").join("up")).unwrap();
    std::os::unix::fs::symlink("../a.jsonl", dir.join("sub").join("a-again.jsonl")).unwrap();
    let o = run(&["run", "-q", s(&dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ids(&o), ["a", "b"]);
    assert_eq!(stderr(&o).matches("symlink loop").count(), 1, "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn unreadable_subdirectory_is_an_error_record() {
    use std::os::unix::fs::PermissionsExt;
    // Root reads every directory whatever its mode.
    let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if uid.is_ok_and(|u| u == "0") {
        eprintln!("SKIP: running as root, where permissions do not deny reading a directory");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("dump");
    std::fs::create_dir_all(dir.join("locked")).unwrap();
    write(&dir, "a.jsonl", format!("{{\"id\":\"a\",\"body\":\"{CLEAN}\"}}\n").as_bytes());
    write(&dir, "z.jsonl", format!("{{\"id\":\"z\",\"body\":\"{CLEAN}\"}}\n").as_bytes());
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let o = run(&["run", "-q", s(&dir)]);
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1]["verdict"], "error");
    assert!(recs[1]["error"].as_str().unwrap().contains("permission denied"), "{}", recs[1]);
}

// ---- 8. CSV without header, unclosed quote ----

#[test]
fn csv_without_header_and_with_an_unclosed_quote() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "nohead.csv", format!("1,{CLEAN}\n2,{INSULT}\n").as_bytes());
    let recs = records(&run(&["run", "-q", s(&p)]));
    assert_eq!(recs.len(), 2, "the first row is not eaten silently");
    assert_eq!(recs[0]["verdict"], "error");
    assert!(recs[0]["error"].as_str().unwrap().starts_with("line 1: the first row names no body column"));

    let p = write(d.path(), "quote.csv", format!("id,body\n1,\"oops {CLEAN}\n2,{INSULT}\n3,{CLEAN}\n").as_bytes());
    let recs = records(&run(&["run", "-q", s(&p)]));
    assert_eq!(recs.len(), 3, "{recs:?}");
    assert_eq!(recs[0]["verdict"], "error");
    assert!(recs[0]["error"].as_str().unwrap().contains("line 2: a quote opened on this line is never closed"));
    assert_eq!((recs[1]["id"].as_str(), recs[1]["verdict"].as_str()), (Some("2"), Some("block")));
    assert_eq!((recs[2]["id"].as_str(), recs[2]["verdict"].as_str()), (Some("3"), Some("allow")));
}

// ---- 9. deep XML, Unicode indentation ----

#[cfg(unix)]
#[test]
fn deeply_nested_xml_stays_within_a_memory_bound() {
    let d = tempfile::tempdir().unwrap();
    let depth = 150_000;
    let mut inner = String::with_capacity(depth * 9);
    for _ in 0..depth {
        inner.push_str("<abcdefg>");
    }
    for _ in 0..depth {
        inner.push_str("</abcdefg>");
    }
    let doc = wxr(&format!(
        "{}<wp:comment><wp:comment_id>2</wp:comment_id><wp:meta>{inner}</wp:meta><wp:comment_content>{CLEAN}</wp:comment_content></wp:comment>",
        wxr_comment(1, CLEAN, "1")
    ));
    let p = write(d.path(), "deep.wxr", doc.as_bytes());
    // 1 GB of address space: the old reader needed many GB for this (a path string per level).
    let exe = exe();
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -v 1000000; '{exe}' run -q -j1 '{}'", s(&p)))
        .output()
        .expect("bash");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ids(&o), ["1", "2"]);
}

#[test]
fn thread_with_mixed_unicode_indentation_does_not_panic() {
    let d = tempfile::tempdir().unwrap();
    let page = "Discussion Policy\n\n  1. Ann said:\n\n    first line\n\u{3000}\u{3000}second line\n\u{2003}third\n\n  2. Bob said:\n\n\t\u{3000}x\n\t  y\n";
    let p = write(d.path(), "page.txt", page.as_bytes());
    let o = run(&["run", "-q", s(&p)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ids(&o), ["page#1", "page#2"]);
}

#[test]
fn split_ignores_record_elements_nested_inside_a_record() {
    // A blocked comment hiding a nested <wp:comment> before its approval must still be `spam`.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let nested = format!(
        "<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_content><![CDATA[{INSULT}]]></wp:comment_content><wp:comment><wp:comment_approved>1</wp:comment_approved></wp:comment><wp:comment_approved>1</wp:comment_approved></wp:comment>"
    );
    let p = write(d.path(), "nested.wxr", wxr(&format!("{}{nested}", wxr_comment(1, CLEAN, "0"))).as_bytes());
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(verdicts(&o)["7"], "block");
    let copy = std::fs::read_to_string(out.join("nested.moderated.xml")).unwrap();
    assert!(
        copy.contains("<wp:comment><wp:comment_approved>1</wp:comment_approved></wp:comment><wp:comment_approved>spam</wp:comment_approved></wp:comment>"),
        "{copy}"
    );
    assert!(
        copy.contains("<wp:comment_approved>1</wp:comment_approved></wp:comment><wp:comment><wp:comment_id>7"),
        "{copy}"
    );
}

#[test]
fn split_rewrites_a_comment_the_reader_found_inside_a_broken_one() {
    // The outer comment is broken (a bad attribute), so the reader reads the inner one as a
    // comment and blocks it: its copy must say `spam`, not keep `1`.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let broken = format!(
        "<wp:comment><wp:comment_id>8</wp:comment_id><x a=\"1\" a=\"2\"/><wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_content><![CDATA[{INSULT}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment></wp:comment>"
    );
    let p = write(d.path(), "broken.wxr", wxr(&broken).as_bytes());
    let o = run(&["run", "-q", s(&p), "--split", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = verdicts(&o);
    assert_eq!(v.get("9").map(String::as_str), Some("block"), "{v:?}");
    let copy = std::fs::read_to_string(out.join("broken.moderated.xml")).unwrap();
    assert!(copy.contains("<wp:comment_approved>spam</wp:comment_approved>"), "{copy}");
    assert!(!copy.contains("<wp:comment_approved>1</wp:comment_approved>"), "{copy}");
}

/// Two body columns (`text` and `comment`) with different text in a row: a site shows one of
/// them, so the row is an error naming both (before: the first column was judged, and a row
/// whose `comment` cell held the insult was allowed). An empty cell is no text; the same text
/// twice is not ambiguous; `[input.fields] body` naming one column settles it.
#[test]
fn csv_two_body_columns_with_different_text_are_an_error_naming_both() {
    let d = tempfile::tempdir().unwrap();
    let csv = format!("id,text,comment\n1,{CLEAN},{INSULT}\n2,{CLEAN},{CLEAN}\n3,,{INSULT}\n4,{CLEAN} four,\n");
    let p = write(d.path(), "two.csv", csv.as_bytes());
    let o = run(&["run", "-q", s(&p)]);
    let recs = records(&o);
    assert_eq!(recs.len(), 4, "{}", stderr(&o));
    assert_eq!(recs[0]["verdict"], "error", "{}", recs[0]);
    let msg = recs[0]["error"].as_str().unwrap();
    assert!(msg.contains("line 2") && msg.contains("\"text\"") && msg.contains("\"comment\""), "{msg}");
    assert_eq!(recs[0]["id"], "1");
    assert_eq!(recs[1]["verdict"], "allow", "{}", recs[1]);
    assert_eq!(recs[2]["verdict"], "block", "the only text is judged: {}", recs[2]);
    assert_eq!(recs[3]["verdict"], "allow", "{}", recs[3]);
    let cfg = write(d.path(), "config.toml", b"extends = \"builtin\"\n[input.fields]\nbody = [\"comment\"]\n");
    let o = run(&["run", "-q", "--config", s(&cfg), s(&p)]);
    let v: Vec<String> = records(&o).iter().map(|r| r["verdict"].as_str().unwrap().to_string()).collect();
    assert_eq!(v, ["block", "allow", "block", "allow"], "{}", stderr(&o));
}

/// `eval`'s labeled reader: a key given twice in `labels`, or a record's `body` / `labels`
/// given twice, is an error naming the file, the line and the field (before: the last copy won
/// silently, so a row could be scored against a label its writer did not mean).
#[test]
fn eval_labels_with_a_duplicated_key_are_an_error_naming_line_and_field() {
    let d = tempfile::tempdir().unwrap();
    let good = format!("{{\"id\":1,\"body\":\"{CLEAN}\",\"labels\":{{\"toxic\":false}}}}\n");
    let cases = [
        (format!("{{\"id\":2,\"body\":\"{INSULT}\",\"labels\":{{\"toxic\":true,\"toxic\":false}}}}\n"), "labels.toxic"),
        (format!("{{\"id\":2,\"body\":\"{CLEAN}\",\"body\":\"{INSULT}\",\"labels\":{{\"toxic\":true}}}}\n"), "body"),
        (format!("{{\"id\":2,\"body\":\"{INSULT}\",\"labels\":{{\"toxic\":true}},\"labels\":{{}}}}\n"), "labels"),
    ];
    for (i, (line, field)) in cases.iter().enumerate() {
        let p = write(d.path(), &format!("l{i}.jsonl"), format!("{good}{line}").as_bytes());
        let o = run(&["eval", s(&p)]);
        assert_eq!(o.status.code(), Some(2), "{field}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("l{i}.jsonl:2")) && err.contains(field), "{field}: {err}");
    }
    let p = write(d.path(), "ok.jsonl", good.as_bytes());
    assert_eq!(run(&["eval", s(&p)]).status.code(), Some(0));
}
