//! The memo of pattern checks (src/config/load/memo.rs): a second load skips the parse of the
//! patterns the first one checked, with the same verdicts and warnings; an invalid pattern is
//! reported, located, at every load whatever the memo holds; `check` never reads it; a forged
//! memo that calls an invalid pattern valid makes that pattern match nothing, without a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use moderate::matcher::cache::{digest, seal, HEADER};

const INPUT: &str = concat!(
    "{\"id\":\"1\",\"body\":\"go and quux yourself\"}\n",
    "{\"id\":\"2\",\"body\":\"they said go and quux yourself\"}\n",
    "{\"id\":\"3\",\"body\":\"a glorp of frobs\"}\n",
    "{\"id\":\"4\",\"body\":\"plain words, nothing to see\"}\n",
);

/// A pack in `dir` whose pattern rule is `pattern`, with an `unless_after` cue and a second
/// rule whose pattern can match the empty string (a warning).
fn pack(dir: &Path, pattern: &str) {
    let config = format!(
        "extends = \"none\"\n\
         [[rule]]\nid = \"x.pattern\"\ncategory = \"x\"\nscore = 1.0\npatterns = ['{pattern}']\n\
         unless_after = ['\\bthey said']\n\
         [[rule]]\nid = \"x.maybe\"\ncategory = \"x\"\nscore = 1.0\npatterns = ['(?:glorp)?']\n"
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::write(dir.join("input.jsonl"), INPUT).unwrap();
}

/// `moderate ARGS` in `dir` with the cache in `dir/cache`, at debug log level.
fn moderate(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("MODERATE_CACHE")
        .env("MODERATE_LOG", "debug")
        .env("NO_COLOR", "1")
        .output()
        .expect("run moderate");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    out
}

fn run(dir: &Path) -> Output {
    moderate(dir, &["run", "-j", "1", "-c", "config.toml", "--format", "jsonl", "input.jsonl"])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// How many checks the memo answered, from the debug log.
fn known(o: &Output) -> usize {
    let err = stderr(o);
    let line = err.lines().find(|l| l.contains("pattern checks:")).unwrap_or_else(|| panic!("no memo log in\n{err}"));
    let n = line.split("pattern checks: ").nth(1).and_then(|t| t.split(' ').next()).unwrap();
    n.parse().unwrap()
}

/// The memo file in `dir/cache/moderate`.
fn memo_file(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir.join("cache/moderate")).ok()?;
    entries.flatten().map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "checks"))
}

#[test]
fn a_second_load_skips_the_checks_and_judges_and_warns_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, r"\bquux (?:yourself|urself)\b");
    let cold = run(d);
    assert_eq!(cold.status.code(), Some(0), "{}", stderr(&cold));
    assert_eq!(known(&cold), 0, "nothing to read yet");
    assert!(memo_file(d).is_some(), "the checks were remembered");
    let out = String::from_utf8_lossy(&cold.stdout).into_owned();
    assert!(out.lines().next().unwrap().contains("x.pattern"), "the pattern hits: {out}");
    assert!(!out.lines().nth(1).unwrap().contains("x.pattern"), "the cue cancels it: {out}");

    let warm = run(d);
    assert_eq!(warm.status.code(), Some(0));
    assert_eq!(known(&warm), 4, "three patterns (one a cue) and the context: {}", stderr(&warm));
    assert_eq!(warm.stdout, cold.stdout, "the same verdicts without the parse");
    // The one warning, the empty match, is given from the memo's flag as from the parse.
    let warning = "1 config warning(s)";
    assert!(stderr(&cold).contains(warning) && stderr(&warm).contains(warning), "{}", stderr(&warm));

    let check = moderate(d, &["check", "-c", "config.toml"]);
    assert_eq!(known(&check), 0, "check runs every check: {}", stderr(&check));
    assert!(stderr(&check).contains("this pattern matches the empty string"), "{}", stderr(&check));
}

#[test]
fn an_invalid_pattern_is_reported_at_every_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, r"\bquux (?:yourself|urself)\b");
    assert_eq!(run(d).status.code(), Some(0));
    pack(d, r"\bquux (?:yourself|urself\b");
    for _ in 0..2 {
        let o = run(d);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("config.toml:6:"), "located: {}", stderr(&o));
        assert!(stderr(&o).contains("invalid regex: unclosed group"), "{}", stderr(&o));
    }
}

#[test]
fn a_forged_memo_makes_an_invalid_pattern_match_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, r"\bquux (?:yourself|urself)\b");
    assert_eq!(run(d).status.code(), Some(0));
    let path = memo_file(d).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // The invalid pattern and its unless_after context, called valid (kind 0: a pattern, 2: a
    // context), and the file resealed.
    let bad = r"\bquux (?:yourself|urself";
    let context = r"(?:(?:\bthey said))[^.!?\n]*$";
    for (kind, text) in [(0u8, bad), (0u8, r"\bthey said"), (2u8, context)] {
        bytes.extend_from_slice(&digest(&[&[kind], text.as_bytes()]));
        bytes.push(0);
    }
    let len = (bytes.len() - HEADER) as u64;
    bytes[HEADER - 16..HEADER - 8].copy_from_slice(&len.to_le_bytes());
    let sum = seal(&bytes[12..44], &bytes[HEADER..]);
    bytes[HEADER - 8..HEADER].copy_from_slice(&sum.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    pack(d, bad);
    let o = run(d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(known(&o) >= 2, "the forged entries were read: {}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("x.pattern"), "{}", String::from_utf8_lossy(&o.stdout));
    let check = moderate(d, &["check", "-c", "config.toml"]);
    assert_eq!(check.status.code(), Some(2), "check does not trust the memo");
}
