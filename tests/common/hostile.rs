//! Helpers of the hostile-input tests (tests/hostile_io.rs, tests/hostile_outputs.rs): run the
//! binary under test (or another build, `MODERATE_TEST_BIN`), write fixtures, read verdicts.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::{records, root};
pub const INSULT: &str = "you are a fucking idiot";
pub const CLEAN: &str = "thanks for the thoughtful article";

/// The binary under test; `MODERATE_TEST_BIN` runs these tests against another build (e.g. the
/// one before a fix, to see them fail).
pub fn exe() -> String {
    std::env::var("MODERATE_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_moderate").to_string())
}

pub fn bin() -> Command {
    let mut c = Command::new(exe());
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// Runs `moderate ARGS` with empty stdin.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).stdin(Stdio::null()).output().expect("run moderate")
}

/// Runs `moderate ARGS` with `input` on stdin (through a pipe).
pub fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut w = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let t = std::thread::spawn(move || {
        let _ = w.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    t.join().expect("writer");
    out
}

pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write fixture");
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `id → verdict` of a run's records.
pub fn verdicts(o: &Output) -> BTreeMap<String, String> {
    records(o)
        .iter()
        .map(|r| {
            (r["id"].as_str().unwrap_or_default().to_string(), r["verdict"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// A JSONL dump of `n` comments, every 7th an insult, longer than any sniffing buffer.
pub fn big_jsonl(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let body = if i % 7 == 0 { INSULT } else { CLEAN };
        s.push_str(&format!("{{\"id\":\"c{i}\",\"body\":\"{body} number {i} with some padding text\"}}\n"));
    }
    s
}
