//! A `{list}` name expands to every term of its list before the regex parser sees the pattern.
//! A config that names a huge list many times must be refused at once, with its location, not
//! after seconds of parsing and a gigabyte of memory (found by the second hostile round: 50,000
//! terms named eight times took 13.7 s of CPU and 1.3 GB before the size check refused it).

mod common;

use std::path::Path;

use common::{moderate_in, stderr, stdout, thread_cpu_time};

/// `n` distinct letter-only terms (`qaaaa`, `qaaab`, …), one per line.
fn letter_terms(n: usize) -> String {
    (0..n)
        .map(|i| {
            let mut word = String::from("q");
            let mut k = i;
            for _ in 0..4 {
                word.push((b'a' + (k % 26) as u8) as char);
                k /= 26;
            }
            word + "\n"
        })
        .collect()
}

fn config_with(dir: &Path, patterns: &[String]) {
    let quoted: Vec<String> = patterns.iter().map(|p| format!("'{p}'")).collect();
    let text = format!(
        "extends = \"none\"\n[lists]\nbig = \"big.txt\"\n[[rule]]\nid = \"x.big\"\ncategory = \"x\"\nscore = 1.0\npatterns = [{}]\n",
        quoted.join(", ")
    );
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

fn assert_refused(dir: &Path, wanted: &str) {
    let o = moderate_in(dir, &["run", "-"], "{\"id\":\"1\",\"body\":\"hello\"}\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing was judged: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("config.toml:8:") && err.contains(wanted), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_huge_list_named_many_times_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.txt"), letter_terms(50_000)).unwrap();
    config_with(dir.path(), &["\\b{big} {big} {big} {big} {big} {big} {big} {big}\\b".to_string()]);
    let before = thread_cpu_time();
    assert_refused(dir.path(), "this pattern would exceed 256 KiB");
    // The child's CPU is not ours; this only bounds the test's own work, the refusal above is
    // what would take seconds without the limit.
    assert!(thread_cpu_time() - before < std::time::Duration::from_secs(5));
}

#[test]
fn many_patterns_each_under_the_limit_are_refused_together() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 terms of 6 bytes: about 117 KiB per expansion, under the per-pattern limit;
    // 40 such patterns are about 4.6 MiB, over the total.
    std::fs::write(dir.path().join("big.txt"), letter_terms(20_000)).unwrap();
    let patterns: Vec<String> = (0..40).map(|i| format!("\\bx{i} {{big}}\\b")).collect();
    config_with(dir.path(), &patterns);
    assert_refused(dir.path(), "all patterns together would exceed 4096 KiB");
}

#[test]
fn a_list_of_ordinary_size_still_expands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.txt"), letter_terms(2_000)).unwrap();
    // Term 1405 (q, b, c, c, a): no letter three times in a row, which the normalizer would fold.
    config_with(dir.path(), &["\\bsay {big}\\b".to_string()]);
    let o = moderate_in(dir.path(), &["run", "-"], "{\"id\":\"1\",\"body\":\"say qbcca\"}\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"x.big\""), "{}", stdout(&o));
}
