//! Hostile input, config files and XML exports: rule files that point outside the config's
//! directory, at a FIFO or at `/dev/zero`; WXR comments whose text relies on entities declared
//! in a DOCTYPE. Each runs the real binary under a time limit, so a hang fails instead of
//! stalling the suite. docs/fuzz.md ("Hostile cases") lists each with what it did before.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `moderate ARGS` in `dir`; kills it and fails after `secs` seconds.
fn run_within(dir: &Path, args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn moderate");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("moderate {args:?} in {} did not finish within {secs} s", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

const RULE: &str = "[[rule]]\nid = \"x.y\"\ncategory = \"profanity\"\naction = \"flag\"\nmessage = \"m\"\n";

/// A config directory whose one rule reads `wordlist = PATH`.
fn config_dir(path: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(d.path().join("rules")).expect("rules");
    std::fs::write(d.path().join("config.toml"), format!("{RULE}wordlist = \"{path}\"\n")).expect("config");
    d
}

/// `check` refuses with exit 2 and an error at the `wordlist` key's line and column that says
/// `why`.
fn refused(d: &Path, why: &str) {
    let o = run_within(d, &["check"], 30);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("config.toml:6:12:") && err.contains(why), "{err}");
}

#[test]
fn rule_files_outside_the_config_directory_are_refused() {
    let d = config_dir("../../../../../../../../etc/passwd");
    refused(d.path(), "outside the config file's directory");
    let d = config_dir("/etc/passwd");
    refused(d.path(), "outside the config file's directory");
    // A symlink out of the directory is the same.
    let d = config_dir("rules/a.txt");
    std::os::unix::fs::symlink("/etc/passwd", d.path().join("rules/a.txt")).expect("symlink");
    refused(d.path(), "outside the config file's directory");
    // Inside, through a symlink, is fine.
    let d = config_dir("rules/a.txt");
    std::fs::write(d.path().join("rules/real.txt"), "idiot\n").expect("list");
    std::os::unix::fs::symlink("real.txt", d.path().join("rules/a.txt")).expect("symlink");
    let o = run_within(d.path(), &["check"], 30);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
}

#[test]
fn rule_files_that_are_not_regular_files_are_refused_without_hanging() {
    let d = config_dir("rules/a.txt");
    let fifo = d.path().join("rules/a.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    if made {
        refused(d.path(), "not a regular file");
    }
    let d = config_dir("rules/a.txt");
    std::fs::create_dir(d.path().join("rules/a.txt")).expect("dir");
    refused(d.path(), "not a regular file");
    // A symlink loop names the file.
    let d = config_dir("rules/a.txt");
    std::os::unix::fs::symlink("b.txt", d.path().join("rules/a.txt")).expect("symlink");
    std::os::unix::fs::symlink("a.txt", d.path().join("rules/b.txt")).expect("symlink");
    refused(d.path(), "rules/a.txt: cannot read");
}

const WXR_HEAD: &str = "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item><wp:post_id>1</wp:post_id>\n";

/// A WXR export with a DOCTYPE declaring entities, and comments using them.
fn wxr_with_dtd() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n\
         <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n\
         <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n<!ENTITY bad \"fuck you\">\n]>\n",
    );
    s.push_str(WXR_HEAD);
    for (id, body) in [(1, "&lol2;"), (2, "&xxe;"), (3, "you &bad;"), (4, "caf&eacute; &amp; tea"), (5, "hello")] {
        s.push_str(&format!(
            "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_content>{body}</wp:comment_content></wp:comment>\n"
        ));
    }
    s.push_str("</item></channel></rss>\n");
    s
}

/// An entity declared in a DOCTYPE is not expanded, so the text judged would not be the text a
/// DTD-expanding importer shows (`&bad;` is "fuck you" there): such a comment is an error record
/// naming the line, the field and the entity, never an `allow`. HTML entities (which a site
/// shows decoded, and the normalizer decodes) and plain comments read as before, in order.
#[test]
fn wxr_entities_from_a_doctype_make_the_comment_an_error() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("dtd.wxr"), wxr_with_dtd()).expect("write");
    let o = run_within(d.path(), &["run", "-q", "dtd.wxr"], 30);
    let recs = common::records(&o);
    let got: Vec<(String, String)> = recs
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").to_string(), r["verdict"].as_str().unwrap_or("").to_string()))
        .collect();
    let want = [("1", "error"), ("2", "error"), ("3", "error"), ("4", "allow"), ("5", "allow")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())), "{}", common::stdout(&o));
    let err = recs[2]["error"].as_str().unwrap_or("");
    assert!(err.starts_with("line 11: field \"wp:comment_content\": entity &bad;"), "{err}");
    assert_eq!(recs[2]["source"], "dtd.wxr:11");
}
