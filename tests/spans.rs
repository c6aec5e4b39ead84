//! End-to-end checks of the normalize stage through `moderate run`: the evasion probes are caught,
//! the innocent probes are not, and every reported span is exactly the text of the original body.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use moderate::read::{read_all, ReadOptions};
use serde_json::Value;

/// Bodies by id, read with the project's own readers (what `run` judged).
fn bodies(path: &Path) -> HashMap<String, String> {
    read_all(path, None, &ReadOptions::default())
        .expect("readable input")
        .into_iter()
        .map(|r| {
            let c = r.expect("a well-formed record");
            (c.id, c.body)
        })
        .collect()
}

/// Asserts `text == body[start..end]` for every match of every reason; returns the number checked.
fn assert_spans_exact(records: &[Value], bodies: &HashMap<String, String>) -> usize {
    let mut checked = 0;
    for rec in records {
        let id = rec["id"].as_str().expect("id");
        let body = bodies.get(id).unwrap_or_else(|| panic!("no input body for {id}"));
        for reason in rec["reasons"].as_array().into_iter().flatten() {
            for m in reason["matches"].as_array().into_iter().flatten() {
                let (start, end) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
                let slice = body.get(start..end).unwrap_or_else(|| {
                    panic!("{id}: span {start}..{end} is not on char boundaries of a {}-byte body", body.len())
                });
                assert_eq!(m["text"].as_str(), Some(slice), "{id}: {}", reason["rule"]);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn every_span_of_the_seed_run_is_the_original_text() {
    let o = moderate(&["run", "seeds/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let checked = assert_spans_exact(&recs, &bodies(&root().join("seeds")));
    let expected: usize = recs
        .iter()
        .flat_map(|r| r["reasons"].as_array().into_iter().flatten())
        .map(|reason| reason["matches"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(checked, expected, "every match of every reason was checked");
    let denied: Vec<&Value> = recs.iter().filter(|r| r["verdict"] != "allow").collect();
    assert!(denied.len() >= 8, "tests/run.rs names eight denied seed comments: {}", denied.len());
    for r in denied {
        let spans = r["reasons"].as_array().into_iter().flatten().filter_map(|x| x["matches"].as_array()).flatten();
        assert!(spans.count() > 0, "a denied comment shows where: {r}");
    }
}

#[test]
fn evasive_spellings_in_a_small_probe_file_map_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("probe.jsonl");
    let probes = [
        ("1", "what the f.u.c.k is this", true),
        ("2", "Ｆｕｃｋ this nonsense", true),
        ("3", "f&#117;ck off, seriously", true),
        ("4", "you are an a s s h o l e", true),
        ("5", "s\u{200B}h\u{200B}i\u{200B}t happens", true),
        ("6", "fuuuuuck that", true),
        ("7", "Scunthorpe and Penistone are towns; the assassin took a class on Dickens", false),
        ("8", "a cocktail with the therapist, as soon as I s hit the ball", false),
        ("9", "ѕһіt, Cyrillic look-alikes", true),
    ];
    let lines: String =
        probes.iter().map(|(id, body, _)| serde_json::json!({"id": id, "body": body}).to_string() + "\n").collect();
    std::fs::write(&file, lines).unwrap();
    let o = moderate(&["run", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), probes.len());
    assert_spans_exact(&recs, &bodies(&file));
    for ((id, body, evasive), rec) in probes.iter().zip(&recs) {
        assert_eq!(rec["id"], *id);
        let denied = rec["verdict"] != "allow";
        assert_eq!(denied, *evasive, "{body}: {rec}");
    }
    // The reported text is the evasive form as written, not the folded word.
    let first = &recs[0]["reasons"][0]["matches"][0];
    assert_eq!(first["text"], "f.u.c.k");
    assert_eq!(recs[2]["reasons"][0]["matches"][0]["text"], "f&#117;ck");
}

/// The shipped evasion corpus through the CLI (the README's evasion claim rests on it).
#[test]
fn the_shipped_evasion_corpus_holds_through_run() {
    let (caught, pos, innocent) = evasion_probes_hold_through_run(&root().join("tests/fixtures/evasions.jsonl"));
    assert_eq!((caught, pos), (pos, 98), "every evasive row of the shipped corpus is denied");
    assert_eq!(innocent, 40);
}

/// The shared probe set adds coverage when present.
#[test]
fn the_shared_evasion_probes_hold_through_run() {
    let Some(file) = shared("data/evasions.dev.jsonl") else { return };
    evasion_probes_hold_through_run(&file);
}

/// A probe set through the CLI: ≥ 99 % of evasive and plain rows denied, no innocent row
/// denied, every span exact. Returns (denied positives, positives, innocent rows).
fn evasion_probes_hold_through_run(file: &Path) -> (usize, usize, usize) {
    let o = moderate(&["run", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let text = std::fs::read_to_string(file).unwrap();
    let rows: Vec<Value> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), rows.len(), "one record per probe");
    let mut bodies = HashMap::new();
    let (mut pos, mut caught, mut innocent_hit) = (0, 0, Vec::new());
    for (row, rec) in rows.iter().zip(&recs) {
        assert_eq!(row["id"], rec["id"], "input order");
        bodies.insert(row["id"].as_str().unwrap().to_string(), row["body"].as_str().unwrap().to_string());
        let denied = rec["verdict"] != "allow";
        let positive = row["labels"].as_object().is_some_and(|l| l.values().any(|v| v == true));
        if positive {
            pos += 1;
            caught += usize::from(denied);
        } else if denied {
            innocent_hit.push(row["body"].clone());
        }
    }
    assert_spans_exact(&recs, &bodies);
    eprintln!("evasions through run: {caught}/{pos} denied, {} innocent denied", innocent_hit.len());
    assert!(pos > 0 && caught * 100 >= pos * 99, "only {caught}/{pos} evasive or plain rows denied");
    assert!(innocent_hit.is_empty(), "innocent probes denied: {innocent_hit:#?}");
    (caught, pos, rows.len() - pos)
}
