//! Runs last (cargo runs the test binaries in name order) and says, in one line, how many tests
//! skipped because data they read is absent (`../shared`, or a system file such as Debian's
//! word list, which `.ci/run` installs), and what each one missed. Tests that need it only add coverage: every claim the
//! README makes has a test on shipped files that never skips.

mod common;

use std::io::Write;

#[test]
fn report_tests_skipped_for_missing_shared_data() {
    let dir = common::skip_dir();
    let mut skipped: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let missing = std::fs::read_to_string(e.path()).ok()?;
                    Some((e.file_name().to_string_lossy().into_owned(), missing))
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    // A marker left by an earlier run counts only if the data is still absent.
    skipped.retain(|(_, missing)| !std::path::Path::new(missing).exists());
    skipped.sort();
    let mut err = std::io::stderr();
    if skipped.is_empty() {
        let _ = writeln!(err, "no test skipped for missing data");
    } else {
        let names: Vec<String> = skipped.iter().map(|(n, missing)| format!("{n} ({missing})")).collect();
        let _ = writeln!(err, "skipped {} tests needing absent data: {}", skipped.len(), names.join(", "));
    }
    assert!(!dir.exists(), "the markers are consumed, so the next run counts afresh");
}
