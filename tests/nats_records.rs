//! Verdict lines (fifth session): workers send each verdict as the line `collect` writes plus
//! the author fields, and the records only with `worker --records`. Without records, `collect`
//! still writes `run`'s verdicts and `--authors` report byte for byte (the author policy runs
//! on the fields), and refuses `--split` with a message naming `--records`; with records,
//! `collect --split` writes `run --split`'s files. The helpers are those of tests/nats.rs.
#![cfg(feature = "nats")]

use std::collections::BTreeMap;
use std::path::Path;

use crate::nats::{bin, generate, nats_server, run_ok, Server, Worker};

/// Every file under `dir` (name → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.insert(p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap());
    }
    out
}

#[test]
fn verdict_lines_without_records_give_runs_outputs_and_split_needs_records() {
    let Some(server_bin) = nats_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = Server::start(server_bin, d);
    let url = server.url();
    let input = d.join("comments.jsonl");
    generate(&input, 2_000);
    let (inp, p) = (input.to_str().unwrap(), |name: &str| d.join(name).to_string_lossy().into_owned());
    let expected = run_ok(&["run", inp, "-q", "--split", &p("run-split"), "--authors", &p("run-authors.jsonl")]).stdout;
    assert!(expected.len() > 100_000, "the run wrote its verdicts");

    // Workers without --records (the default): no record travels back.
    run_ok(&["publish", "-q", "--nats", &url, "--run", "lines", inp]);
    let worker = Worker::start(&url, &[]);
    let o = bin()
        .args(["collect", "--nats", &url, "-o", &p("x.jsonl"), "--idle", "60", "--split", &p("x-split")])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--records"), "{err}");
    run_ok(&["collect", "--nats", &url, "-o", &p("lines.jsonl"), "--idle", "60", "--authors", &p("lines-authors.jsonl")]);
    assert!(std::fs::read(p("lines.jsonl")).unwrap() == expected, "verdicts differ from `moderate run`'s");
    assert_eq!(std::fs::read(p("lines-authors.jsonl")).unwrap(), std::fs::read(p("run-authors.jsonl")).unwrap());
    worker.stop();

    // Workers with --records (and publish --raw, for byte-exact split files): collect --split
    // writes what run --split writes.
    run_ok(&["publish", "-q", "--nats", &url, "--run", "records", "--raw", inp]);
    let worker = Worker::start(&url, &["--records"]);
    run_ok(&["collect", "--nats", &url, "-o", &p("records.jsonl"), "--idle", "60", "--split", &p("records-split")]);
    assert!(std::fs::read(p("records.jsonl")).unwrap() == expected, "verdicts differ from `moderate run`'s");
    let (want, got) = (files(&d.join("run-split")), files(&d.join("records-split")));
    assert!(!want.is_empty());
    assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    for (name, bytes) in &want {
        assert!(&got[name] == bytes, "split file {name} differs");
    }
    worker.stop();
}
