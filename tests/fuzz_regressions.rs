//! Inputs the fuzz targets (fuzz/, docs/fuzz.md) or their triage found, minimized, each pinned
//! as a plain test of the invariant it broke. A test marked `#[ignore = "open: ..."]` is a
//! finding whose fix belongs to another part of the code: it fails today and is to be un-ignored
//! with the fix (`cargo test --release --test all -- fuzz_regressions:: --ignored` shows which
//! still fail).

mod common;

use std::path::Path;

use moderate::config::source::FileSource;

/// Writes `config.toml` (and `rules/a.txt`) into `dir`.
fn write_config(dir: &Path, toml: &str, list: &str) {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("config.toml"), toml).expect("write config");
    std::fs::write(dir.join("rules/a.txt"), list).expect("write list");
}

/// Found while triaging the `config` target: `flag = nan` (TOML allows `nan` and `inf`) was
/// accepted ("ok — thresholds flag NaN"), every comparison with it is false, and a rule with
/// `score = inf` wrote `"score": null` into the verdict records, which the README promises are
/// numbers. A threshold or score that is not a finite number must be a located config error.
#[test]

fn non_finite_thresholds_and_scores_are_config_errors() {
    for (what, toml) in [
        ("flag = nan", "[thresholds]\nflag = nan\n"),
        ("block = -inf", "[thresholds]\nblock = -inf\n"),
        ("score = inf", "[thresholds]\nflag = 1.0\n"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let score = if what.starts_with("score") { "inf" } else { "1.0" };
        let rule = format!(
            "\n[[rule]]\nid = \"attack.x\"\ncategory = \"attack\"\nscore = {score}\nmessage = \"m\"\nwordlist = \"rules/a.txt\"\n"
        );
        write_config(dir.path(), &format!("{toml}{rule}"), "idiot\n");
        match moderate::config::load_from(FileSource::Disk(dir.path().to_path_buf()), "config.toml") {
            Ok(_) => panic!("`{what}` was accepted"),
            Err(d) => {
                let short = d.short();
                assert!(short.contains("config.toml:"), "`{what}`: the error names no place: {short}");
            }
        }
    }
}

/// Found by the `config` target (5 crashes in its first minute): a config file that is not
/// UTF-8 is an error with no place (`config.toml: not valid UTF-8 (byte 27)`, from
/// `FileSource::read` through `Diagnostics::error_nowhere` in src/config/load.rs), while every
/// other config error names `file:line:col`. The byte is on a line like any other.
#[test]

fn a_config_that_is_not_utf8_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.toml"), b"[thresholds]\nflag = 1.0\n# caf\xe9\n").expect("write config");
    let err = match moderate::config::load_from(FileSource::Disk(dir.path().to_path_buf()), "config.toml") {
        Ok(_) => panic!("a config with a Latin-1 byte loaded"),
        Err(d) => d,
    };
    let short = err.short();
    assert!(short.contains("config.toml:3:"), "the error should point at line 3: {short}");
}

/// Found by the `config` target (second run): `[thresholds] flag` above `block` is refused
/// ("flag (5) is above block (3): nothing could be flagged") but with no place in the file,
/// unlike every other config error (`error_nowhere` in the config loader's compile step).
#[test]

fn flag_above_block_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = "[[rule]]\nid = \"attack.x\"\ncategory = \"attack\"\nscore = 2.0\nmessage = \"m\"\nwordlist = \"rules/a.txt\"\n";
    write_config(dir.path(), &format!("[thresholds]\nflag = 5.0\nblock = 3.0\n\n{rule}"), "idiot\n");
    let err = match moderate::config::load_from(FileSource::Disk(dir.path().to_path_buf()), "config.toml") {
        Ok(_) => panic!("flag above block was accepted"),
        Err(d) => d,
    };
    let short = err.short();
    assert!(short.contains("config.toml:2:") || short.contains("config.toml:3:"), "no place: {short}");
}

/// The built-in pack.
fn builtin() -> moderate::Engine {
    match moderate::config::load_from(FileSource::Builtin, "config.toml") {
        Ok(l) => l.engine,
        Err(d) => panic!("built-in pack: {}", d.short()),
    }
}

/// CPU seconds `f` takes on this thread, best of three (on a shared machine a wall time
/// measures the load).
fn secs(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = common::thread_cpu_time();
            f();
            common::thread_cpu_time().saturating_sub(t).as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// `body` repeated to `n` bytes (cut on a char boundary).
fn repeated(piece: &str, n: usize) -> String {
    let mut s = piece.repeat(n / piece.len() + 1);
    let mut cut = n;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

/// Found by a repetition probe of the `normalize` target: a body of unclosed `<!--` openers.
/// `html::tag` searches the rest of the body for `-->` from every `<!--` (src/normalize/html.rs,
/// `rest.find("-->")`), so normalizing is quadratic: 16 KB took 0.7 s and 64 KB 13.6 s in a debug
/// build (19x for 4x the bytes). It must stay within a small factor of a clean body's time.
#[test]

fn unclosed_html_comments_normalize_in_linear_time() {
    let e = builtin();
    let n = 256 * 1024;
    let clean = repeated("hello world ", n);
    let hostile = repeated("<!--", n);
    let t_clean = secs(|| drop(e.normalize(&clean)));
    let t_hostile = secs(|| drop(e.normalize(&hostile)));
    assert!(
        t_hostile < 20.0 * t_clean + 0.05,
        "256 KB of `<!--` took {:.1} ms to normalize, a clean body {:.1} ms",
        t_hostile * 1e3,
        t_clean * 1e3
    );
}

/// Timing probe used to split the superlinear cases between normalize and judge (run by hand:
/// `cargo test --release --test all -- --ignored --nocapture fuzz_regressions::probe`).
#[test]
#[ignore = "measurement, not a check"]
fn probe_superlinear_bodies() {
    let e = builtin();
    for piece in ["x", "<!--", "fuuu", "you idiot ", "k i l l ", "f.", "<a "] {
        for n in [16_000, 64_000] {
            let body = repeated(piece, n);
            let norm = secs(|| drop(e.normalize(&body)));
            let judge = secs(|| drop(e.judge(&moderate::Comment::new("p", body.as_str()))));
            println!("{piece:>12?} x {n:>6} bytes: normalize {:>8.1} ms, judge {:>8.1} ms", norm * 1e3, judge * 1e3);
        }
    }
}

/// Runs `moderate run -q FILE` on `bytes` saved as `name`; the records' (id, verdict) pairs.
fn run_file(name: &str, bytes: &[u8]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write input");
    let out = common::moderate(&["run", "-q", path.to_str().expect("utf-8 path")]);
    common::records(&out)
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").to_string(), r["verdict"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// Found by the `jsonl` target: a junk first line with NULs (`a\0b\0…`) matched the NUL pattern
/// of UTF-16LE, so a UTF-8 dump was decoded as UTF-16 and its three comments came out as one
/// error record. The plain UTF-8 after the first line end now wins (src/read/decode.rs): the
/// junk line is one error record and every comment after it is judged.
#[test]
fn a_junk_first_line_with_nuls_does_not_make_a_file_utf16_or_utf32() {
    let rows = "{\"id\":\"1\",\"body\":\"hello there friend\"}\n{\"id\":\"2\",\"body\":\"you idiot\"}\n\
                {\"id\":\"3\",\"body\":\"see you tomorrow\"}\n";
    for junk in [&b"a\0b\0c\0d\0"[..], b"\0a\0b\0c", b"a\0\0\0b\0\0\0", b"\0\0\0a\0\0\0b"] {
        let mut bytes = junk.to_vec();
        bytes.push(b'\n');
        bytes.extend_from_slice(rows.as_bytes());
        let got = run_file("junk.jsonl", &bytes);
        assert_eq!(got.len(), 4, "{junk:?}: every line is one record: {got:?}");
        assert_eq!(got[0].1, "error", "{junk:?}: {got:?}");
        let judged: Vec<&str> = got[1..].iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(judged, ["1", "2", "3"], "{junk:?}: {got:?}");
        assert_eq!(got[2].1, "block", "{junk:?}: {got:?}");
    }
    // A real UTF-16LE dump without a byte order mark still decodes.
    let utf16: Vec<u8> = rows.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let got = run_file("utf16.jsonl", &utf16);
    assert_eq!(got.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["1", "2", "3"], "{got:?}");
}

/// Found by the `disqus` target: `<post dsq:id="">` gave the post the id "", so every such post
/// shared one id (a blank thread or parent reference is no reference either). A blank id is no id:
/// the post falls back to `<id>`, else to `<stem>#<line>`, as a post without the attribute does.
#[test]
fn a_blank_id_is_no_id_in_every_format() {
    let xml = "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" \
               xmlns:dsq=\"http://disqus.com/disqus-internals\">\n\
               <post dsq:id=\"\"><message>first</message><thread dsq:id=\"t1\"/></post>\n\
               <post dsq:id=\" \"><id>own</id><message>second</message><parent dsq:id=\"\"/></post>\n\
               </disqus>\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("blank.xml");
    std::fs::write(&path, xml).expect("write input");
    let out = common::moderate(&["run", "-q", path.to_str().expect("utf-8 path")]);
    let recs = common::records(&out);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["blank#3", "own"], "{recs:?}");
    // The other readers agree: a blank id is no id (JSONL kept `" "` as the id).
    for (name, text, want) in [
        ("b.jsonl", "{\"id\":\" \",\"body\":\"a\"}\n{\"id\":\"\",\"body\":\"b\"}\n", ["b#1", "b#2"]),
        ("b.csv", "id,body\n\" \",a\n,b\n", ["b#2", "b#3"]),
    ] {
        let ids: Vec<String> = run_file(name, text.as_bytes()).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, want, "{name}");
    }
}
