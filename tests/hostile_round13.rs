//! Hostile input, round 13 (inputs and surfaces): round 12's known faults (a CSV row over
//! 64 MiB named by its id, config strings with control or bidi characters), then the live
//! surfaces (`serve`, the NATS worker, the review queue). Real binary; every fixture is written
//! here.

mod common;

use std::path::PathBuf;

use common::{id_verdicts as verdicts, write_overlong_jsonl, moderate_in, records, stderr};

fn tmp(name: &str) -> PathBuf {
    common::fresh_dir("hostile13", name)
}

/// A CSV row over 64 MiB was one error record named `<stem>#<line>` (round 12's "Left"): its
/// cells were dropped with its bytes, so the id a site knows it by was lost and the record could
/// not be matched to the comment. Now the row's id cell is kept (bounded: an id cell is kept
/// only while it is short) while the rest is read past, whether the id comes before the long
/// body, after it, or in quotes; only an id cell that is itself the long one falls back to
/// `<stem>#<line>`. The rows after it are judged as before.
#[test]
fn a_csv_row_too_long_to_hold_keeps_its_id() {
    use std::io::Write;
    let dir = tmp("csv-long-id");
    let chunk = [b'a'; 1 << 16];
    // (file, header, cells before the long cell, quoted long cell, cells after, the id wanted)
    // An id of 3,000 bytes after the long cell spans a read buffer's end; one of 5,000 is over
    // the bound kept for an id.
    let (id_3k, id_5k) = (format!(",{}", "k".repeat(3000)), format!(",{}", "k".repeat(5000)));
    let cases: [(&str, &str, &str, bool, &str, &str); 6] = [
        ("id-first.csv", "id,body", "c2,", false, "", "c2"),
        ("id-last.csv", "body,id", "", true, ",\"c,2\"", "c,2"),
        ("id-middle.csv", "author,id,body", "ann, c2 ,", true, "", "c2"),
        ("id-long.csv", "id,body", "", false, ",x", "id-long#3"),
        ("id-3k.csv", "body,id", "", false, &id_3k, &id_3k[1..]),
        ("id-5k.csv", "body,id", "", false, &id_5k, "id-5k#3"),
    ];
    for (name, header, before, quoted, after, want) in cases {
        let path = dir.join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let width = header.split(',').count();
        let pad = |cells: &[&str]| {
            let mut row: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
            row.resize(width, String::new());
            row
        };
        // Rows 2 and 4: id and body in the header's order.
        let row = |id: &str, body: &str| -> String {
            let cols: Vec<&str> = header.split(',').collect();
            let mut cells = pad(&[]);
            for (i, c) in cols.iter().enumerate() {
                cells[i] = match *c {
                    "id" => id.to_string(),
                    "body" => body.to_string(),
                    _ => "x".to_string(),
                };
            }
            cells.join(",")
        };
        writeln!(f, "{header}\n{}", row("c1", "hello there")).unwrap();
        f.write_all(before.as_bytes()).unwrap();
        if quoted {
            f.write_all(b"\"x \"\"quoted\"\", y").unwrap();
        }
        for _ in 0..(65 << 4) {
            f.write_all(&chunk[..chunk.len() - 1]).unwrap();
            f.write_all(if quoted { b"\n" } else { b"a" }).unwrap();
        }
        if quoted {
            f.write_all(b"\"").unwrap();
        }
        f.write_all(after.as_bytes()).unwrap();
        writeln!(f, "\n{}\n{}", row("c3", "you are a fucking idiot"), row("c4", "have a nice day")).unwrap();
        drop(f);
        let o = moderate_in(&dir, &["run", "-q", name], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let v = verdicts(&o);
        let want = [String::from("c1=allow"), format!("{want}=error"), "c3=block".into(), "c4=allow".into()];
        assert_eq!(v, want, "{name}");
        let e = records(&o)[1]["error"].as_str().unwrap().to_string();
        assert!(e.contains("line 3:") && e.contains("over the limit of 64 MiB"), "{name}: {e}");
    }
}

/// Round 12 refused a control, bidi or invisible character in a rule's id, category, message
/// and explanation, but every other string of the config was taken as written (round 12's
/// "Left"): a list name, a `[review]` reviewer, address, token or database path, an `[authors]`
/// file, a field name, a signal's kinds, a pattern, each printed later (by `check`, `review
/// serve`, a diagnostic, a record's error) or matched unseen. Now each is refused at its value's
/// `file:line:col` (a key at the key), and the run does not start. A rule's `examples` are
/// comment texts and may hold what an evader types.
#[test]
fn config_strings_with_control_or_bidi_characters_are_refused() {
    let dir = tmp("config-esc");
    std::fs::write(dir.join("words.txt"), "idiot\n").unwrap();
    let rule = "[[rule]]\nid = \"m.x\"\ncategory = \"attack\"\naction = \"flag\"\npatterns = [\"\\\\bidiot\\\\b\"]\n";
    let base = format!("extends = \"none\"\n\n[thresholds]\nflag = 1.0\nblock = 3.0\n\n{rule}");
    for (extra, want) in [
        ("[review]\nreviewer = \"mod\\u001b[2J\"\n", "config.toml:14:12: review.reviewer holds U+001B"),
        ("[review]\naddr = \"127.0.0.1:8787\\u202e\"\n", "config.toml:14:8: review.addr holds U+202E"),
        ("[review]\ntoken = \"abc\\u0007\"\n", "config.toml:14:9: review.token holds U+0007"),
        ("[review]\ndb = \"q\\u200b.db\"\n", "config.toml:14:6: review.db holds U+200B"),
        ("[lists]\nwords = \"words.txt\\u001b]8;;x\"\n", "config.toml:14:9: lists.words holds U+001B"),
        ("[lists]\n\"wo\\u202erds\" = \"words.txt\"\n", "config.toml:14:1: lists.wo"),
        ("[authors]\nblocked = \"words\\u009b.txt\"\n", "config.toml:14:11: authors.blocked holds U+009B"),
        ("[input.fields]\nbody = [\"body\", \"te\\u2066xt\"]\n", "config.toml:14:17: input.fields.body holds U+2066"),
        (
            "[[rule]]\nid = \"s.k\"\ncategory = \"spam\"\naction = \"flag\"\nsignal = { type = \"kind\", kinds = [\"ping\\u001bback\"] }\n",
            "config.toml:17:36: rule.signal.kinds holds U+001B",
        ),
        (
            "[[rule]]\nid = \"p.x\"\ncategory = \"attack\"\naction = \"flag\"\npatterns = [\"idi\\u200bot\"]\n",
            "config.toml:17:13: rule.patterns holds U+200B",
        ),
    ] {
        std::fs::write(dir.join("config.toml"), format!("{base}\n{extra}")).unwrap();
        for args in [&["check", "--config", "config.toml"][..], &["run", "-q", "--config", "config.toml", "-"]] {
            let o = moderate_in(&dir, args, "{\"id\":\"a\",\"body\":\"hello\"}\n");
            assert_eq!(o.status.code(), Some(2), "{extra}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains(want), "{extra}: want {want:?} in:\n{err}");
            assert!(!err.contains('\x1b') && !err.contains('\u{202e}') && !err.contains('\x07'), "{err:?}");
            assert!(common::stdout(&o).is_empty(), "{extra}: the run started");
        }
    }
    // A verbose pattern may span lines, with tabs; examples are comment texts: an evasion with
    // a zero-width space is one.
    let verbose = "[[rule]]\nid = \"p.v\"\ncategory = \"attack\"\naction = \"flag\"\npatterns = [\"\"\"(?x)\r\n\tmoron  # a comment\r\n\"\"\"]\n";
    std::fs::write(dir.join("config.toml"), format!("{base}\n{verbose}")).unwrap();
    let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ok = "[[rule]]\nid = \"p.x\"\ncategory = \"attack\"\naction = \"flag\"\npatterns = [\"\\\\bidiot\\\\b\"]\nexamples = { match = [\"you idiot\", \"you idi\\u200bot\"] }\n";
    std::fs::write(dir.join("config.toml"), format!("{base}\n{ok}")).unwrap();
    let o = moderate_in(&dir, &["check", "--config", "config.toml"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// WordPress's fallback importer (`WXR_Parser_Regex`, used where SimpleXML and the XML parser
/// are missing) takes a comment's body as the first match of `<wp:comment_content.*?>(.*?)
/// </wp:comment_content>`, case-insensitive, on the raw text. So an element whose name only
/// starts with it (`<wp:comment_content_x>`), the same name in other case
/// (`<WP:Comment_Content>`), or the tag written inside a CDATA section or an XML comment before
/// the real body, each opens the body there for that importer: it would publish the insult
/// while this reader judged `nice` (allow). Now such a comment is an error record, as round 11's
/// nested body is; the comments around it are judged.
#[test]
fn a_wxr_comment_body_look_alike_is_ambiguous() {
    let dir = tmp("wxr-lookalike");
    let insult = "you fucking idiot";
    let comment = |id: u32, inner: &str| {
        format!("<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>a</wp:comment_author>{inner}<wp:comment_approved>1</wp:comment_approved></wp:comment>")
    };
    for (name, spoiled) in [
        ("suffix", format!("<wp:comment_content_x>{insult}</wp:comment_content_x><wp:comment_content>nice</wp:comment_content>")),
        ("case", format!("<WP:Comment_Content>{insult}</WP:Comment_Content><wp:comment_content>nice</wp:comment_content>")),
        ("cdata", format!("<wp:comment_author_url><![CDATA[<wp:comment_content>{insult}</wp:comment_content>]]></wp:comment_author_url><wp:comment_content>nice</wp:comment_content>")),
        ("xml-comment", format!("<!-- <wp:comment_content>{insult}</wp:comment_content> --><wp:comment_content>nice</wp:comment_content>")),
    ] {
        let items = [comment(1, "<wp:comment_content>hello</wp:comment_content>"), comment(2, &spoiled), comment(3, &format!("<wp:comment_content>{insult}</wp:comment_content>"))].concat();
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><title>P</title><wp:post_id>1</wp:post_id>\n{items}\n</item></channel></rss>\n");
        std::fs::write(dir.join(format!("{name}.xml")), xml).unwrap();
        let o = moderate_in(&dir, &["run", "-q", &format!("{name}.xml")], "");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(verdicts(&o), ["1=allow", "2=error", "3=block"], "{name}");
        let e = records(&o)[1]["error"].as_str().unwrap().to_string();
        assert!(e.contains("wp:comment_content") && e.contains("ambiguous"), "{name}: {e}");
    }
    // A body that only mentions the tag as escaped text is no look-alike (the regex matches
    // raw `<`): judged.
    let ok = comment(1, "<wp:comment_content>use &lt;wp:comment_content&gt; tags</wp:comment_content>");
    let xml = format!("<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><wp:post_id>1</wp:post_id>{ok}</item></channel></rss>\n");
    std::fs::write(dir.join("ok.xml"), xml).unwrap();
    let o = moderate_in(&dir, &["run", "-q", "ok.xml"], "");
    assert_eq!(verdicts(&o), ["1=allow"]);
}

/// A JSON Lines line over 64 MiB was one error record named `<stem>#<line>` (round 12's "Left",
/// the same fault as the CSV row): the id was dropped with the line. Now the part of the line
/// kept before the limit is scanned for a top-level id (strings and nesting followed, an id key
/// inside a nested object ignored), with one thread and with two (the chunked reader). An id
/// given twice still gives `<stem>#<line>`; one after the cut is found since round 14
/// (`hostile_round14::a_jsonl_line_too_long_to_hold_keeps_its_id_after_the_limit`).
#[test]
fn a_jsonl_line_too_long_to_hold_keeps_its_id() {
    let dir = tmp("jsonl-long-id");
    for (name, head, tail, want) in [
        ("first.jsonl", "{\"meta\":{\"id\":\"x\"},\"id\":\"c2\",\"body\":\"", "\"}", "c2"),
        ("number.jsonl", "{\"id\":2,\"body\":\"", "\"}", "2"),
        ("after.jsonl", "{\"body\":\"", "\",\"id\":\"c2\"}", "c2"),
        ("twice.jsonl", "{\"id\":\"c2\",\"id\":\"c9\",\"body\":\"", "\"}", "twice#2"),
    ] {
        write_overlong_jsonl(&dir.join(name), head, tail);
        for jobs in ["1", "2"] {
            let o = moderate_in(&dir, &["run", "-q", "-j", jobs, name], "");
            assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
            let want = [String::from("c1=allow"), format!("{want}=error"), "c3=block".into()];
            assert_eq!(verdicts(&o), want, "{name} -j {jobs}");
        }
    }
}
