//! Hostile input, the writing half (issue 14): an output that is also an input, closed pipes and
//! full disks for every command that writes, signals, the author policy's memory over a stream,
//! rendering on the judge threads. The reading half is tests/hostile_io.rs. Every test runs the
//! real binary on inputs it makes itself (no `../shared`).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::hostile::{big_jsonl, bin, run, s, write, CLEAN, INSULT};
use common::{root, stderr};

// ---- 4. an output that is also an input ----

#[cfg(unix)]
#[test]
fn output_that_is_an_input_is_refused_before_anything_runs() {
    let d = tempfile::tempdir().unwrap();
    let data = format!("{{\"id\":1,\"body\":\"{CLEAN}\"}}\n");
    let x = write(d.path(), "x.jsonl", data.as_bytes());
    std::os::unix::fs::symlink(&x, d.path().join("link.jsonl")).unwrap();
    std::fs::hard_link(&x, d.path().join("hard.jsonl")).unwrap();
    let split_in = d.path().join("out");
    std::fs::create_dir_all(&split_in).unwrap();
    let allowed = write(&split_in, "x.allowed.jsonl", data.as_bytes());
    let cases: Vec<Vec<String>> = vec![
        vec![s(&x).into(), "-o".into(), s(&x).into()],
        vec![s(&x).into(), "-o".into(), s(&d.path().join("link.jsonl")).into()],
        vec![s(&x).into(), "-o".into(), s(&d.path().join("hard.jsonl")).into()],
        vec![s(&x).into(), "--authors".into(), s(&x).into()],
        vec![s(d.path()).into(), "--authors".into(), s(&x).into()],
        vec![s(&allowed).into(), "--split".into(), s(&split_in).into()],
    ];
    for case in cases {
        let mut args = vec!["run", "-q"];
        args.extend(case.iter().map(String::as_str));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{case:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("is also an input"), "{case:?}: {}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&x).unwrap(), data, "{case:?}: the input is untouched");
        assert_eq!(std::fs::read_to_string(&allowed).unwrap(), data);
    }
    // `moderate run x.jsonl >> x.jsonl`: stdout is the input.
    let append = std::fs::OpenOptions::new().append(true).open(&x).unwrap();
    let o = bin().args(["run", "-q", s(&x)]).stdin(Stdio::null()).stdout(append).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&x).unwrap(), data);
}

// ---- 5. closed pipe and full disk for every command that writes ----

/// The commands that write to stdout, runnable from the project root; the review ones use a
/// queue made here.
fn writing_commands(dir: &Path) -> Vec<Vec<String>> {
    let dump = write(
        dir,
        "dump.jsonl",
        big_jsonl(1500)
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i < 3 {
                    format!("{{\"id\":\"q{i}\",\"body\":\"what the fuck is this, number {i}\"}}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect::<String>()
            .as_bytes(),
    );
    let db = dir.join("q.db");
    let o = run(&["run", "-q", "--queue", s(&db), s(&dump), "-o", s(&dir.join("v.jsonl"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["review", "approve", "--db", s(&db), "--by-comment-id", "q0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = |name: &str| root().join("tests/fixtures").join(name).to_string_lossy().into_owned();
    let v = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    vec![
        v(&["run", "-q", s(&dump)]),
        v(&["explain", INSULT]),
        v(&["explain", "--json", INSULT]),
        v(&["check"]),
        v(&["check", "--schema"]),
        v(&["eval", "--config", &f("eval/config.toml"), &f("eval/labeled.jsonl")]),
        v(&["eval", "--json", "--config", &f("eval/config.toml"), &f("eval/labeled.jsonl")]),
        v(&["diff", "--config", &f("diff/a.toml"), "--config", &f("diff/b.toml"), &f("eval/labeled.jsonl")]),
        v(&["review", "list", "--db", s(&db), "--status", "all"]),
        v(&["review", "export", "--db", s(&db), "-o", "-"]),
    ]
}

#[test]
fn every_writing_command_handles_a_closed_pipe_and_a_full_disk() {
    let d = tempfile::tempdir().unwrap();
    for args in writing_commands(d.path()) {
        // Closed pipe: the reader is gone before the command writes. Exit 0, quiet.
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{args:?} on a closed pipe: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));

        // Full disk. Exit 1, one message.
        if Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
            let o = bin().args(&args).stdin(Stdio::null()).stdout(full).output().expect("run");
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{args:?} on a full disk: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("moderate:")).collect();
            assert_eq!(lines.len(), 1, "{args:?}: {err}");
            assert!(lines[0].contains("No space left"), "{args:?}: {err}");
        } else {
            eprintln!("SKIP: /dev/full is absent; the full-disk half is not run");
        }
    }
}

/// A broken stderr (full, or a closed pipe) loses the messages, never the run: the exit code is
/// the one the command would give with a working stderr, and stdout is complete.
#[test]
fn a_full_or_closed_stderr_does_not_crash_a_command() {
    let d = tempfile::tempdir().unwrap();
    for args in writing_commands(d.path()) {
        let o = bin().args(&args).stdin(Stdio::null()).stderr(Stdio::null()).output().expect("run");
        let expected = o.status.code();
        if Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
            let broken = bin().args(&args).stdin(Stdio::null()).stderr(full).output().expect("run");
            assert_eq!(broken.status.code(), expected, "{args:?} with stderr on a full disk");
            assert_eq!(broken.stdout, o.stdout, "{args:?}: same output with a full stderr");
        }
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stderr.take());
        let closed = child.wait_with_output().expect("wait");
        assert_eq!(closed.status.code(), expected, "{args:?} with stderr closed");
    }
    // A run whose summary goes to a broken stderr still exits 0.
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let o =
            bin().args(["run", "seeds/", "-o", "/dev/null"]).current_dir(root()).stderr(full).output().expect("run");
        assert_eq!(o.status.code(), Some(0));
    }
}

// ---- 6. SIGINT/SIGTERM ----

fn count_lines(p: &Path) -> usize {
    std::fs::read(p).map(|d| d.iter().filter(|&&b| b == b'\n').count()).unwrap_or(0)
}

#[cfg(unix)]
#[test]
fn sigint_stops_with_every_output_at_the_same_record() {
    for signal in ["-INT", "-TERM"] {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("live.jsonl");
        assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
        let (out, split, authors) = (d.path().join("v.jsonl"), d.path().join("split"), d.path().join("a.jsonl"));
        let child = bin()
            .args(["run", "-j2", s(&fifo), "-o", s(&out), "--split", s(&split), "--authors", s(&authors)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The FIFO stays open for writing: the input never ends.
        let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).expect("open fifo");
        let mut data = String::new();
        for i in 0..500 {
            let body = if i % 5 == 0 { INSULT.to_string() } else { format!("{CLEAN} {i}") };
            data.push_str(&format!("{{\"id\":\"c{i}\",\"author\":\"a{}\",\"body\":\"{body}\"}}\n", i % 9));
        }
        w.write_all(data.as_bytes()).expect("write");
        w.flush().expect("flush");
        let t0 = std::time::Instant::now();
        while count_lines(&out) < 500 && t0.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(count_lines(&out), 500, "a live input is written as it comes");
        let st = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill");
        assert!(st.success());
        let o = child.wait_with_output().expect("wait");
        drop(w);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted after 500 records"), "{err}");
        assert!(err.contains("moderate: 500 comments"), "the summary is printed: {err}");
        let split_total: usize = ["allowed", "flagged", "blocked", "errors"]
            .iter()
            .map(|v| count_lines(&split.join(format!("live.{v}.jsonl"))))
            .sum();
        assert_eq!(split_total, 500);
        assert_eq!(count_lines(&authors), 9, "the authors file is written");
    }
}

// ---- 10. author policy memory over a stream ----

#[test]
fn author_policy_memory_is_bounded_over_any_number_of_authors() {
    use moderate::config::{Flood, Thresholds};
    use moderate::decide::author::{AuthorPolicy, AuthorRules, AUTHOR_WINDOW};
    use moderate::verdict::Action;
    use moderate::{Comment, Decision, Verdict};

    let rules = AuthorRules {
        repeat_blocks: 2,
        repeat_action: Some(Action::Block),
        trust_previously_approved: true,
        duplicate: Some(Action::Flag),
        flood: Some(Flood { max: 3, minutes: 10, action: Action::Flag }),
        ..AuthorRules::default()
    };
    let mut policy = AuthorPolicy::new(rules, Thresholds::default());
    let verdict = |id: &str, d: Decision| Verdict {
        id: id.into(),
        verdict: d,
        score: 0.0,
        reasons: vec![],
        censored: None,
        error: None,
        source: None,
    };
    let comment = |i: usize, author: String| Comment {
        author: Some(author),
        ip: Some(format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255)),
        created_at: Some("2024-01-01T10:00:00".into()),
        ..Comment::new(format!("c{i}"), format!("comment number {i} with enough letters to hash"))
    };
    // A repeat offender inside the window is still caught...
    for i in 0..2 {
        policy.apply(&comment(i, "mallory".into()), &mut verdict("x", Decision::Block));
    }
    let mut v = verdict("x", Decision::Allow);
    policy.apply(&comment(2, "mallory".into()), &mut v);
    assert!(v.reasons.iter().any(|r| r.rule == "author.repeat-offender"), "{v:?}");
    // ...and 2.5 windows of distinct authors later, memory is still one window.
    let n = AUTHOR_WINDOW * 5 / 2;
    for i in 3..n {
        policy.apply(&comment(i, format!("author-{i}")), &mut verdict("x", Decision::Allow));
        if i % 50_000 == 0 {
            assert!(policy.remembered() <= 2 * AUTHOR_WINDOW, "{} at {i}", policy.remembered());
        }
    }
    assert!(policy.remembered() <= 2 * AUTHOR_WINDOW);
    let report = policy.report();
    assert!(report.len() <= AUTHOR_WINDOW + 1, "{}", report.len());
    assert_eq!(report[0].author, "mallory", "a forgotten author with blocks stays in the report");
    assert_eq!(report[0].block, 3, "two blocks, then blocked as a repeat offender");
    assert!(policy.dropped_rows() > 0);
}

#[test]
fn author_policy_verdicts_are_the_same_on_1_and_16_threads() {
    let d = tempfile::tempdir().unwrap();
    let mut data = String::new();
    for i in 0..3000 {
        let body = match i % 10 {
            0 => INSULT.to_string(),
            1 => "this exact duplicated text is posted again and again".to_string(),
            _ => format!("{CLEAN} {i}"),
        };
        data.push_str(&format!(
            "{{\"id\":\"c{i}\",\"author\":\"a{}\",\"created_at\":\"2024-01-01T10:{:02}:00\",\"body\":\"{body}\"}}\n",
            i % 37,
            i % 60
        ));
    }
    let p = write(d.path(), "authors.jsonl", data.as_bytes());
    let a1 = d.path().join("a1.jsonl");
    let a16 = d.path().join("a16.jsonl");
    let o1 = run(&["run", "-q", "-j1", s(&p), "--authors", s(&a1)]);
    let o16 = run(&["run", "-q", "-j16", s(&p), "--authors", s(&a16)]);
    assert_eq!(o1.status.code(), Some(0), "{}", stderr(&o1));
    assert_eq!(o1.stdout, o16.stdout);
    assert!(String::from_utf8_lossy(&o1.stdout).contains("spam.duplicate"));
    assert_eq!(std::fs::read(&a1).unwrap(), std::fs::read(&a16).unwrap());
}

// ---- 11. rendering on the judge threads, re-rendering what the author policy changes ----

/// A verdict sink without a renderer: every record is serialized by `write` on the writer side,
/// as before rendering moved to the judge threads.
struct Unrendered(moderate::write::jsonl::JsonlSink<Vec<u8>>);

impl moderate::write::Sink for Unrendered {
    fn write(&mut self, judged: &moderate::write::Judged) -> std::io::Result<()> {
        self.0.write(judged)
    }
}

#[test]
fn verdicts_rendered_on_judge_threads_are_byte_identical() {
    use moderate::pipeline::{self, RunOptions};
    use moderate::read::{self, ReadOptions};
    use moderate::write::jsonl::JsonlSink;
    use moderate::write::Sink;

    let d = tempfile::tempdir().unwrap();
    let mut data = String::new();
    for i in 0..4000 {
        let body = match i % 9 {
            0 => INSULT.to_string(),
            1 => "the very same words posted over and over by many".to_string(),
            _ => format!("{CLEAN} {i}"),
        };
        data.push_str(&format!(
            "{{\"id\":\"c{i}\",\"author\":\"a{}\",\"created_at\":\"2024-01-01T10:{:02}:00\",\"body\":\"{body}\"}}\n",
            i % 23,
            (i / 100) % 60
        ));
    }
    let p = write(d.path(), "policy.jsonl", data.as_bytes());
    let loaded = moderate::config::load(Some(&root().join("config.toml"))).expect("config");
    let inputs = read::resolve_inputs(&[p], None).unwrap();
    let mut outs = Vec::new();
    for jobs in [1, 2, 4] {
        let opts = RunOptions { jobs, read: ReadOptions::default(), author_policy: true };
        let mut rendered = JsonlSink::new(Vec::new());
        let mut plain = Unrendered(JsonlSink::new(Vec::new()));
        {
            let mut sinks: Vec<&mut dyn Sink> = vec![&mut rendered, &mut plain];
            pipeline::run(&loaded.engine, inputs.clone(), &opts, &mut sinks, &mut ()).expect("run");
        }
        let (a, b) = (rendered.into_inner(), plain.0.into_inner());
        assert_eq!(a, b, "-j{jobs}: rendered on the judge threads == serialized by the writer");
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("spam.duplicate") && text.contains("spam.flood"), "the policy changed verdicts");
        outs.push(a);
    }
    assert!(outs.windows(2).all(|w| w[0] == w[1]), "same bytes on 1, 2 and 4 threads");
}
