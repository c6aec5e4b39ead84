//! Helpers shared by the integration tests: run the real binary, read its output.
#![allow(dead_code)]

pub mod hostile;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the project, if present. When it is absent the calling test is recorded
/// as skipped (see [`note_skip`]); tests that need it only add coverage to the shipped fixtures.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("..").join("shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        note_skip(&p);
        None
    }
}

/// Where skipped tests leave a marker for `tests/zz_skipped.rs`, which cargo runs after the
/// other test binaries (they run in name order) and which prints the count in one line.
pub fn skip_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests")
}

/// Records that the running test skipped because `missing` is absent: one line straight to
/// stderr (the test harness does not capture it) and a marker file named after the test.
pub fn note_skip(missing: &Path) {
    let test = std::thread::current().name().unwrap_or("unknown").to_string();
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {} is absent", missing.display());
    let dir = skip_dir();
    let name: String = test.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), missing.to_string_lossy().as_bytes());
    }
}

/// CPU time used so far by the calling thread. Linear-time checks compare these rather than wall
/// times: on a loaded machine a thread waits for a core, and a wall time measures the load.
#[cfg(unix)]
pub fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant of the OS.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Wall time since the first call, where no per-thread CPU clock is at hand.
#[cfg(not(unix))]
pub fn thread_cpu_time() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Runs `moderate ARGS` in the project root with `stdin`.
pub fn moderate_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moderate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn moderate");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out
}

/// Runs `moderate ARGS` in the project root, empty stdin.
pub fn moderate(args: &[&str]) -> Output {
    moderate_in(&root(), args, "")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout parsed as JSON lines.
pub fn records(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The verdict of the shipped pack (`moderate run` from the project root) for each body, one
/// comment per body with its own author (so the author policy stays out of the way).
pub fn pack_verdicts(bodies: &[&str]) -> Vec<String> {
    pack_judgements(bodies).into_iter().map(|(verdict, _)| verdict).collect()
}

/// `(verdict, rules that hit)` of the shipped pack for each body, as [`pack_verdicts`] runs it.
pub fn pack_judgements(bodies: &[&str]) -> Vec<(String, Vec<String>)> {
    let input: String = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| serde_json::json!({"id": i.to_string(), "author": i.to_string(), "body": b}).to_string() + "\n")
        .collect();
    let out = moderate_in(&root(), &["run", "-q", "--format", "jsonl", "-"], &input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    records(&out)
        .iter()
        .map(|r| {
            let rules = r["reasons"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["rule"].as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            (r["verdict"].as_str().unwrap_or("").to_string(), rules)
        })
        .collect()
}

/// [`pack_judgements`], checked to give one record per body.
pub fn pack_judged(bodies: &[&str]) -> Vec<(String, Vec<String>)> {
    let judged = pack_judgements(bodies);
    assert_eq!(judged.len(), bodies.len(), "one record per comment");
    judged
}

/// Every body gets `verdict` from the shipped pack and is hit by `rule`.
pub fn pack_expect(verdict: &str, rule: &str, bodies: &[&str]) {
    for (b, (v, rules)) in bodies.iter().zip(pack_judged(bodies)) {
        assert_eq!(v, verdict, "{b:?}: {rules:?}");
        assert!(rules.iter().any(|r| r == rule), "{b:?} not hit by {rule}: {rules:?}");
    }
}

/// Every body is allowed by the shipped pack.
pub fn pack_innocent(bodies: &[&str]) {
    for (b, (v, rules)) in bodies.iter().zip(pack_judged(bodies)) {
        assert_eq!(v, "allow", "{b:?}: {rules:?}");
    }
}

/// A fresh, empty directory for one test: `{prefix}-{name}-{pid}` under cargo's test tmpdir.
pub fn fresh_dir(prefix: &str, name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `id=verdict` per record.
pub fn id_verdicts(o: &Output) -> Vec<String> {
    records(o)
        .iter()
        .map(|r| format!("{}={}", r["id"].as_str().unwrap_or("?"), r["verdict"].as_str().unwrap()))
        .collect()
}

/// JSON Lines of `(id, body)` rows.
pub fn jsonl_rows(rows: &[(&str, &str)]) -> String {
    rows.iter().map(|(id, body)| serde_json::json!({"id": id, "body": body}).to_string() + "\n").collect()
}

/// Writes three JSON Lines records to `path`: `c1` (innocent), a line of `head`, 65 MiB of `a`
/// and `tail` (over the 64 MiB a line may hold), and `c3` (an insult).
pub fn write_overlong_jsonl(path: &Path, head: &str, tail: &str) {
    let chunk = [b'a'; 1 << 16];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(b"{\"id\":\"c1\",\"body\":\"hello there\"}\n").unwrap();
    f.write_all(head.as_bytes()).unwrap();
    for _ in 0..(65 << 4) {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(tail.as_bytes()).unwrap();
    f.write_all(b"\n{\"id\":\"c3\",\"body\":\"you are a fucking idiot\"}\n").unwrap();
}

/// The engine of the built-in pack, loaded in-process.
pub fn builtin_engine() -> moderate::Engine {
    match moderate::config::load_from(moderate::config::source::FileSource::Builtin, "config.toml") {
        Ok(l) => l.engine,
        Err(d) => panic!("built-in pack: {}", d.short()),
    }
}

/// Asserts that `body` is allowed, with the reasons when it is not.
pub fn assert_allowed(e: &moderate::Engine, body: &str) {
    let v = judge_checked(e, body);
    assert_eq!(
        v.verdict,
        moderate::verdict::Decision::Allow,
        "{body:?}: {:?}",
        v.reasons.iter().map(|r| &r.rule).collect::<Vec<_>>()
    );
}

/// [`assert_allowed`] for each body.
pub fn assert_all_allowed(e: &moderate::Engine, bodies: &[&str]) {
    for body in bodies {
        assert_allowed(e, body);
    }
}

/// The rules that hit `body` (judged with [`judge_checked`]).
pub fn rules(e: &moderate::Engine, body: &str) -> Vec<String> {
    judge_checked(e, body).reasons.iter().map(|r| r.rule.clone()).collect()
}

/// Asserts that each `(evasive, plain)` pair is judged alike and that the plain one is denied.
pub fn assert_as_plain(e: &moderate::Engine, pairs: &[(&str, &str)]) {
    for &(body, plain) in pairs {
        let (v, p) = (judge_checked(e, body), judge_checked(e, plain));
        assert_ne!(p.verdict, moderate::verdict::Decision::Allow, "the plain {plain:?} is no evasion to test");
        assert_eq!(v.verdict, p.verdict, "{body:?} judged as {plain:?}: {:?}", rules(e, body));
    }
}

/// Judges `body` in-process, checking that every span's text is the body's bytes there.
pub fn judge_checked(e: &moderate::Engine, body: &str) -> moderate::verdict::Verdict {
    let v = e.judge(&moderate::comment::Comment::new("t", body));
    for r in &v.reasons {
        for m in &r.matches {
            assert_eq!(body.get(m.start..m.end), Some(m.text.as_str()), "{body:?}: span of {}", r.rule);
        }
    }
    v
}

/// Every (pattern, span) a rule set's gated scan reports on `h`, in the order it reports them.
pub fn scanned(rules: &moderate::matcher::regex::RegexRules, h: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut candidates = Vec::new();
    let mut out = Vec::new();
    rules.scan(h, &mut candidates, |rule, span| out.push((rule, span)));
    out
}

/// A gated rule set of `patterns`, pattern `i` numbered `i`, as the config load builds one.
pub fn gated_rules(patterns: &[&str]) -> moderate::matcher::regex::RegexRules {
    let parts = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.to_string(), regex_syntax::parse(p).expect("valid pattern")))
        .collect();
    moderate::matcher::regex::RegexRules::build(parts).expect("automaton")
}

/// One HTTP/1.1 request on its own connection to `127.0.0.1:port` (`Connection: close`, each
/// of `headers` a whole `Name: value` line): the status and the whole answer, head and body. A
/// read that fails or times out after `timeout` gives what arrived (status 0 if nothing did).
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
    timeout: std::time::Duration,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(timeout)).expect("read timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("write request");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, answer)
}

/// Judging a 2 MB body of each `unit` repeated costs about twice a 1 MB one (a ratio under 3.2;
/// a quadratic scan is 4), in this thread's CPU time, best of up to three attempts on a shared
/// machine. The built-in pack with `max_body_bytes` raised so the whole body is read.
pub fn assert_linear(units: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "extends = \"builtin\"\n[limits]\nmax_body_bytes = 100000000\n").unwrap();
    let e = match moderate::config::load(Some(&cfg)) {
        Ok(l) => l.engine,
        Err(d) => panic!("{}", d.render(false)),
    };
    // Fastest of three judgements of `body`.
    let judge_time = |body: &str| {
        (0..3)
            .map(|_| {
                let c = moderate::comment::Comment::new("big", body);
                let t = thread_cpu_time();
                let _ = e.judge(&c);
                thread_cpu_time().saturating_sub(t)
            })
            .min()
            .unwrap()
    };
    for unit in units {
        let one = unit.repeat(1_000_000 / unit.len());
        let two = unit.repeat(2_000_000 / unit.len());
        let mut tries = Vec::new();
        let mut best = f64::MAX;
        while tries.len() < 3 && best >= 3.2 {
            let (t1, t2) = (judge_time(&one), judge_time(&two));
            let ratio = t2.as_secs_f64() / t1.as_secs_f64().max(1e-6);
            best = best.min(ratio);
            tries.push(format!("{t1:?} -> {t2:?} (x{ratio:.2})"));
        }
        assert!(best < 3.2, "{unit:?}: 1 MB, then 2 MB: {tries:?}");
    }
}
