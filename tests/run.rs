//! `moderate run` end to end: the seed threads, bad input, order, threads, live input.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn by_id(recs: &[serde_json::Value], id: &str) -> serde_json::Value {
    recs.iter().find(|r| r["id"] == id).cloned().unwrap_or_else(|| panic!("no record {id}"))
}

fn rules_of(r: &serde_json::Value) -> Vec<String> {
    r["reasons"].as_array().map_or(vec![], |a| a.iter().map(|x| x["rule"].as_str().unwrap().to_string()).collect())
}

fn matched_texts(r: &serde_json::Value) -> Vec<String> {
    r["reasons"].as_array().map_or(vec![], |a| {
        a.iter()
            .flat_map(|x| x["matches"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_string()))
            .collect()
    })
}

#[test]
fn seeds_give_one_verdict_per_comment_with_reasons() {
    let o = moderate(&["run", "seeds/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 21, "10 comments on page 000, 11 on page 004, none on the others");
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = (1..=10)
        .map(|n| format!("000_e4d5ae6acc1e4796#{n}"))
        .chain((1..=11).map(|n| format!("004_5dbd66a7762d451d#{n}")))
        .collect();
    assert_eq!(ids, expected, "ids are <file stem>#<entry number>, in input order");
    let denied = |id: &str| {
        let r = by_id(&recs, id);
        assert!(["flag", "block"].contains(&r["verdict"].as_str().unwrap()), "{id} should be denied: {r}");
        r
    };
    // Pingbacks are spam.
    for id in ["000_e4d5ae6acc1e4796#4", "004_5dbd66a7762d451d#9", "004_5dbd66a7762d451d#11"] {
        let r = denied(id);
        assert!(r["reasons"].as_array().unwrap().iter().any(|x| x["category"] == "spam"), "{r}");
    }
    // Personal attacks, with spans on the offending words.
    let r = denied("004_5dbd66a7762d451d#10");
    assert!(matched_texts(&r).iter().any(|t| t == "You are a disgrace"), "{r}");
    let r = denied("000_e4d5ae6acc1e4796#8");
    assert!(matched_texts(&r).iter().any(|t| t.contains("fool")), "{r}");
    assert!(matched_texts(&r).iter().any(|t| t.contains("scum")), "{r}");
    let r = denied("000_e4d5ae6acc1e4796#6");
    assert!(matched_texts(&r).iter().any(|t| t.contains("barking")), "{r}");
    // Ethnic attacks.
    for (id, words) in [("004_5dbd66a7762d451d#7", "go back"), ("004_5dbd66a7762d451d#4", "leave")] {
        let r = denied(id);
        assert!(r["reasons"].as_array().unwrap().iter().any(|x| x["category"] == "identity"), "{r}");
        assert!(matched_texts(&r).iter().any(|t| t.contains(words)), "{r}");
    }
    // Political opinion and criticism of politicians are allowed.
    for id in [
        "000_e4d5ae6acc1e4796#1",
        "000_e4d5ae6acc1e4796#2",
        "000_e4d5ae6acc1e4796#3",
        "000_e4d5ae6acc1e4796#5",
        "000_e4d5ae6acc1e4796#7",
        "000_e4d5ae6acc1e4796#9",
        "000_e4d5ae6acc1e4796#10",
        "004_5dbd66a7762d451d#2",
        "004_5dbd66a7762d451d#3",
        "004_5dbd66a7762d451d#5",
        "004_5dbd66a7762d451d#8",
    ] {
        let r = by_id(&recs, id);
        assert_eq!(r["verdict"], "allow", "{id}: {r} (rules {:?})", rules_of(&r));
    }
}

#[test]
fn every_span_is_the_original_text_and_explain_agrees_with_run() {
    let o = moderate(&["run", "seeds/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let with_reasons: Vec<&serde_json::Value> = recs.iter().filter(|r| r["reasons"].is_array()).collect();
    assert!(!with_reasons.is_empty(), "the seeds have comments with reasons");
    // Cross-check spans against bodies read through explain --json, and explain's verdict
    // against run's: the two commands judge the same comment the same way.
    for r in with_reasons {
        let id = r["id"].as_str().unwrap();
        let ex = moderate(&["explain", "--json", "--id", id, "seeds/"]);
        assert_eq!(ex.status.code(), Some(0), "{}", stderr(&ex));
        let v: serde_json::Value = serde_json::from_str(&stdout(&ex)).unwrap();
        assert_eq!(v["verdict"]["verdict"], r["verdict"], "{id}: explain and run disagree");
        assert_eq!(v["verdict"]["reasons"], r["reasons"], "{id}: explain and run give different reasons");
        let body = v["body"].as_str().unwrap();
        for reason in r["reasons"].as_array().unwrap() {
            for m in reason["matches"].as_array().unwrap() {
                let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
                assert_eq!(&body[s..e], m["text"].as_str().unwrap(), "{id}");
            }
        }
    }
}

#[test]
fn bad_jsonl_lines_become_error_records_in_order_and_the_summary_adds_up() {
    let input = concat!(
        "\u{feff}{\"id\": \"a\", \"body\": \"hello there\"}\r\n",
        "{\"id\": \"b\", \"body\": \n",
        "\n",
        "{\"id\": \"c\", \"author\": \"x\"}\n",
        "{\"id\": 4, \"body\": \"fuck you, you are a worthless idiot\"}\n",
        "[1, 2]\n",
        "{\"id\": \"f\", \"text\": \"text field works too\"}\n",
    );
    let o = moderate_in(&root(), &["run", "--format", "jsonl", "-"], input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let got: Vec<(String, String)> = recs
        .iter()
        .map(|r| (r["id"].to_string().trim_matches('"').to_string(), r["verdict"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[0], ("a".into(), "allow".into()));
    assert_eq!(got[1].1, "error");
    assert_eq!(got[2], ("c".into(), "error".into()));
    assert_eq!(got[3], ("4".into(), "block".into()));
    assert_eq!(got[4].1, "error");
    assert_eq!(got[5], ("f".into(), "allow".into()));
    assert!(recs[1]["source"].as_str().unwrap().ends_with(":2"), "{}", recs[1]);
    assert!(recs[2]["error"].as_str().unwrap().contains("body"), "names the field: {}", recs[2]);
    let err = stderr(&o);
    assert!(err.contains("6 comments: 2 allow, 0 flag, 1 block, 3 error"), "{err}");
}

#[test]
fn invalid_utf8_and_empty_input_and_huge_comments() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    let mut bytes = b"{\"id\": \"ok\", \"body\": \"fine\"}\n{\"id\": \"bin\", \"body\": \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'x']);
    bytes.extend_from_slice(b"\"}\n{\"id\": \"after\", \"body\": \"still read\"}\n");
    std::fs::write(&bad, bytes).unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    let huge = format!("{{\"id\": \"huge\", \"body\": \"{}\"}}\n", "word ".repeat(400_000));
    std::fs::write(dir.path().join("huge.jsonl"), huge).unwrap();
    let o = moderate(&["run", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ids: Vec<String> = records(&o)
        .iter()
        .map(|r| format!("{}={}", r["id"].as_str().unwrap_or("?"), r["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_eq!(ids[0], "ok=allow");
    assert!(ids[1].ends_with("=error"), "{ids:?}");
    assert_eq!(ids[2], "after=allow");
    // Over `[limits] max_body_bytes` (1 MiB by default): judged on its start and flagged.
    assert_eq!(ids[3], "huge=flag");
}

/// A line past 64 MiB (an export written without line ends, `/dev/zero`) is one error record
/// naming its line (and named by its id), its bytes skipped rather than buffered, and the next
/// lines are judged.
#[test]
fn a_line_too_long_to_hold_is_one_error_record_and_the_rest_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "{{\"id\": \"before\", \"body\": \"a fine comment\"}}").unwrap();
    write!(f, "{{\"id\": \"long\", \"body\": \"").unwrap();
    let block = [b'a'; 1 << 16];
    for _ in 0..(65 << 4) {
        f.write_all(&block).unwrap();
    }
    writeln!(f, "\"}}").unwrap();
    writeln!(f, "{{\"id\": \"after\", \"body\": \"you are an idiot\"}}").unwrap();
    drop(f);
    let file = path.to_str().unwrap();
    for jobs in ["1", "2"] {
        let o = moderate(&["run", "-q", "-j", jobs, file]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let recs = records(&o);
        let got: Vec<String> =
            recs.iter().map(|r| format!("{}={}", r["id"].as_str().unwrap(), r["verdict"].as_str().unwrap())).collect();
        // Named by its id, found before the limit, since round 13 (`hostile_round13::
        // a_jsonl_line_too_long_to_hold_keeps_its_id`).
        assert_eq!(got, ["before=allow", "long=error", "after=block"], "-j{jobs}");
        let msg = recs[1]["error"].as_str().unwrap_or_default();
        assert!(msg.contains("line 2") && msg.contains("over the limit of 64 MiB"), "{}", recs[1]);
    }
}

/// A thread page is held whole, so a line past 64 MiB with no end ends the input in one error
/// record naming the file and line. A CSV row past 64 MiB is one error record too, but since
/// round 12 the rows after it are read (its bytes are read past, not held). The rows before it
/// are judged, and the part of the long row that was read is not judged as if it were the row.
#[test]
fn a_csv_or_page_line_too_long_to_hold_ends_the_input_in_one_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let block = [b'a'; 1 << 16];
    for (name, head, want) in [
        // Since round 12 a CSV row past the bound is one error record and the rows after it
        // are read (`hostile_round12::a_csv_row_too_long_to_hold_is_...`).
        ("long.csv", "id,body\n1,hello there\n", vec!["1=allow", "long#3=error", "2=allow"]),
        ("long.txt", "", vec!["long#1=error"]),
    ] {
        let path = dir.path().join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(head.as_bytes()).unwrap();
        for _ in 0..(65 << 4) {
            f.write_all(&block).unwrap();
        }
        f.write_all(b"\n2,after\n").unwrap();
        drop(f);
        let o = moderate(&["run", "-q", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let recs = records(&o);
        let got: Vec<String> =
            recs.iter().map(|r| format!("{}={}", r["id"].as_str().unwrap(), r["verdict"].as_str().unwrap())).collect();
        assert_eq!(got, want, "{name}");
        let msg = recs.iter().find(|r| r["verdict"] == "error").unwrap()["error"].as_str().unwrap_or_default();
        assert!(msg.contains("longer than 64 MiB") || msg.contains("over the limit of 64 MiB"), "{name}: {msg}");
    }
}

#[test]
fn a_missing_input_stops_the_run_before_it_starts() {
    let o = moderate(&["run", "no/such/file.jsonl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/file.jsonl"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn one_and_many_threads_give_the_same_bytes() {
    let mut input = String::new();
    for i in 0..3000 {
        let body = match i % 5 {
            0 => "you are an idiot".to_string(),
            1 => format!("a perfectly fine comment number {i}"),
            2 => "what the f.u.c.k is this".to_string(),
            3 => "check out my channel http://bit.ly/x".to_string(),
            _ => "Azeris and Turks can go back to Mongolia".to_string(),
        };
        input.push_str(&format!("{{\"id\": \"c{i}\", \"author\": \"a{}\", \"body\": \"{body}\"}}\n", i % 7));
    }
    let one = moderate_in(&root(), &["run", "-q", "-j", "1", "--format", "jsonl", "-"], &input);
    let many = moderate_in(&root(), &["run", "-q", "-j", "16", "--format", "jsonl", "-"], &input);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(records(&one).len(), 3000);
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn live_input_is_answered_line_by_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(["run", "-q", "--format", "jsonl", "-"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    // The first line also pays for start-up (compiling the pack); the ones after it show the
    // pipeline's own latency, which batching must not stretch.
    for i in 0..4 {
        let start = Instant::now();
        writeln!(stdin, "{{\"id\": \"live{i}\", \"body\": \"you are an idiot\"}}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let elapsed = start.elapsed();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], format!("live{i}"));
        let limit = if i == 0 { Duration::from_secs(60) } else { Duration::from_millis(500) };
        assert!(elapsed < limit, "verdict {i} took {elapsed:?} while the pipe stayed open");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
