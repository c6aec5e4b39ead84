//! Comment dumps through the CLI, as a site operator runs them: several exports in one run, one
//! record per comment in input order, malformed XML as an error record naming the line, and a
//! summary whose counts add up.

mod common;

use common::*;
use serde_json::Value;

/// Parses the summary's first line: `N comments: A allow, F flag, B block, E error`.
fn summary_counts(err: &str) -> [u64; 5] {
    let line = err.lines().find(|l| l.contains(" comments: ")).unwrap_or_else(|| panic!("no summary in {err}"));
    let nums: Vec<u64> =
        line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    nums[..5].try_into().unwrap()
}

fn verdicts(recs: &[Value]) -> Vec<&str> {
    recs.iter().map(|r| r["verdict"].as_str().unwrap()).collect()
}

#[test]
fn malformed_exports_give_error_records_naming_the_line_and_the_run_goes_on() {
    let o = moderate(&[
        "run",
        "tests/fixtures/read/small.wxr",
        "tests/fixtures/read/truncated.wxr",
        "tests/fixtures/read/small-disqus.xml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "small#30", "4", "5", "1", "truncated#10", "p1", "p2"]);
    assert_eq!(verdicts(&recs), ["allow", "block", "error", "error", "block", "allow", "error", "allow", "flag"]);
    assert_eq!(recs[2]["source"], "tests/fixtures/read/small.wxr:30");
    assert!(recs[2]["error"].as_str().unwrap().starts_with("line 32: malformed XML"), "{}", recs[2]);
    assert!(recs[3]["error"].as_str().unwrap().contains("wp:comment_content"), "names the field: {}", recs[3]);
    assert!(recs[6]["error"].as_str().unwrap().contains("the rest of the file is skipped"), "{}", recs[6]);
    assert_eq!(recs[1]["reasons"][0]["rule"], "spam.pingback", "a WXR pingback is judged by its kind");
    let [total, allow, flag, block, error] = summary_counts(&stderr(&o));
    assert_eq!((total, allow, flag, block, error), (9, 3, 1, 2, 3));
}

#[test]
fn the_shared_dumps_in_one_run() {
    let (Some(theme), Some(isso), Some(disqus)) = (
        shared("dumps/wordpress-themeunittestdata.wxr.xml"),
        shared("dumps/wordpress-isso-test.wxr.xml"),
        shared("dumps/disqus-isso-test.xml"),
    ) else {
        return;
    };
    let args = ["run", theme.to_str().unwrap(), isso.to_str().unwrap(), disqus.to_str().unwrap()];
    let o = moderate(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 33 + 8 + 6, "one record per comment of the three exports");
    assert!(verdicts(&recs).iter().all(|v| *v != "error"), "the real exports read cleanly");
    let pingbacks_blocked = recs
        .iter()
        .filter(|r| {
            r["verdict"] == "block" && r["reasons"].as_array().unwrap().iter().any(|x| x["rule"] == "spam.pingback")
        })
        .count();
    assert!(pingbacks_blocked >= 4, "the theme unit test data has pingbacks and trackbacks: {pingbacks_blocked}");
    let [total, allow, flag, block, error] = summary_counts(&stderr(&o));
    assert_eq!(total, 47);
    assert_eq!(allow + flag + block + error, total, "the summary adds up");
    let counted = |v: &str| verdicts(&recs).iter().filter(|x| **x == v).count() as u64;
    assert_eq!((allow, flag, block), (counted("allow"), counted("flag"), counted("block")));

    // Same bytes on one thread and on four.
    let one = moderate(&[&args[..], &["-j", "1"]].concat());
    let four = moderate(&[&args[..], &["-j", "4"]].concat());
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(one.stdout, o.stdout);
}
