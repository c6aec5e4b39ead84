//! The start-up cache (src/matcher/cache.rs): a second start reads the compiled automaton back
//! and judges byte for byte as a fresh build; any change of an input misses; a corrupt,
//! truncated, foreign or forged cache file is rebuilt, with the same verdicts and no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use moderate::matcher::cache::{seal, HEADER};

const INPUT: &str = concat!(
    "{\"id\":\"1\",\"body\":\"you are a zorkface\"}\n",
    "{\"id\":\"2\",\"body\":\"a lovely day in zorkshire\"}\n",
    "{\"id\":\"3\",\"body\":\"z o r k f a c e, and a blimple\"}\n",
    "{\"id\":\"4\",\"body\":\"plain words, nothing to see\"}\n",
    "{\"id\":\"5\",\"body\":\"go and quux yourself\"}\n",
);

/// A small pack in `dir`: a wordlist rule with an allowlist and a gated pattern rule.
fn pack(dir: &Path, terms: &str, pattern: &str) {
    let config = format!(
        "extends = \"none\"\n\
         [[rule]]\nid = \"x.words\"\ncategory = \"x\"\nscore = 1.0\nwordlist = \"words.txt\"\nallowlist = \"allow.txt\"\n\
         [[rule]]\nid = \"x.pattern\"\ncategory = \"x\"\nscore = 1.0\npatterns = ['{pattern}']\n"
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::write(dir.join("words.txt"), terms).unwrap();
    std::fs::write(dir.join("allow.txt"), "zorkshire\n").unwrap();
    std::fs::write(dir.join("input.jsonl"), INPUT).unwrap();
}

/// `moderate run` on the pack in `dir` with the cache in `dir/cache`, at debug log level (the
/// cache says when it hits); `extra` args and env pairs.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_moderate"));
    cmd.args(["run", "-q", "-j", "1", "-c", "config.toml", "input.jsonl"])
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("MODERATE_CACHE")
        .env("MODERATE_LOG", "debug")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run moderate");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    out
}

fn hit(o: &Output) -> bool {
    String::from_utf8_lossy(&o.stderr).contains("start-up cache hit")
}

/// The cache files in `dir/cache/moderate`.
fn packs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("cache/moderate")) else { return Vec::new() };
    let mut v: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pack")).collect();
    v.sort();
    v
}

/// The verdicts of a build without the cache.
fn fresh(dir: &Path) -> Vec<u8> {
    let o = run(dir, &["--no-cache"], &[]);
    assert!(!hit(&o));
    o.stdout
}

#[test]
fn a_second_start_reads_the_cache_and_judges_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, "zork*\n*face\nblimple\n", r"\bquux (?:yourself|urself)\b");
    let want = fresh(d);
    assert!(packs(d).is_empty(), "--no-cache writes nothing");
    assert!(String::from_utf8_lossy(&want).contains("x.words"), "the pack finds its terms");
    assert!(String::from_utf8_lossy(&want).contains("x.pattern"), "the pattern's gate wakes it");

    let cold = run(d, &[], &[]);
    assert!(!hit(&cold), "nothing to read yet");
    assert_eq!(packs(d).len(), 1, "the build was stored");
    assert_eq!(cold.stdout, want);

    let warm = run(d, &[], &[]);
    assert!(hit(&warm), "{}", String::from_utf8_lossy(&warm.stderr));
    assert_eq!(warm.stdout, want, "the cached automaton judges as a fresh one");

    for off in ["off", "0"] {
        let o = run(d, &[], &[("MODERATE_CACHE", off)]);
        assert!(!hit(&o), "MODERATE_CACHE={off} does not read the cache");
        assert_eq!(o.stdout, want);
    }
}

#[test]
fn a_change_of_any_input_misses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, "blimple\n", r"\bquux (?:yourself|urself)\b");
    let first = run(d, &[], &[]);
    assert!(hit(&run(d, &[], &[])));

    // A new term: a miss, and the new term is found (not the old automaton's verdicts).
    pack(d, "blimple\nzork*\n", r"\bquux (?:yourself|urself)\b");
    let o = run(d, &[], &[]);
    assert!(!hit(&o), "a list edit must not read the old automaton");
    assert_eq!(o.stdout, fresh(d));
    assert_ne!(o.stdout, first.stdout, "the added term changes a verdict");
    assert!(hit(&run(d, &[], &[])));

    // A new pattern (its literals are in the automaton): a miss again.
    pack(d, "blimple\nzork*\n", r"\bquux (?:yourself|urself|off)\b");
    let o = run(d, &[], &[]);
    assert!(!hit(&o), "a pattern edit must not read the old automaton");
    assert_eq!(o.stdout, fresh(d));
    assert_eq!(packs(d).len(), 3, "one file per key");
}

/// A change to a cache file's bytes.
type Tamper = Box<dyn Fn(&mut Vec<u8>)>;

/// Rewrites the one cache file of `dir` with `f` applied to its bytes.
fn tamper(dir: &Path, f: impl Fn(&mut Vec<u8>)) {
    let files = packs(dir);
    assert_eq!(files.len(), 1);
    let mut bytes = std::fs::read(&files[0]).unwrap();
    f(&mut bytes);
    std::fs::write(&files[0], bytes).unwrap();
}

/// Sets the payload's length and checksum in the header to match the payload, as a forger
/// would.
fn reseal(bytes: &mut [u8]) {
    let len = (bytes.len() - HEADER) as u64;
    bytes[44..52].copy_from_slice(&len.to_le_bytes());
    let sum = seal(&bytes[12..44], &bytes[HEADER..]);
    bytes[52..60].copy_from_slice(&sum.to_le_bytes());
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// Where the pattern index of the first literal's first need is in a cache file (the payload:
/// the gate part's length, then pattern count, group bits, literal count, first literal, its
/// needs).
fn first_need(b: &[u8]) -> usize {
    let mut at = HEADER + 8;
    at += 4 + u32_at(b, at) as usize;
    assert!(u32_at(b, at) > 0, "the pattern has a literal");
    at += 4;
    at += 4 + u32_at(b, at) as usize;
    assert!(u32_at(b, at) > 0, "a pattern needs it");
    at + 4
}

#[test]
fn a_corrupt_truncated_foreign_or_forged_file_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, "zork*\n*face\nblimple\n", r"\bquux (?:yourself|urself)\b");
    let want = fresh(d);
    run(d, &[], &[]);
    let good = std::fs::read(&packs(d)[0]).unwrap();
    assert!(good.len() > HEADER + 100);

    // A foreign file: another pack's cache under this name.
    let other = tempfile::tempdir().unwrap();
    pack(other.path(), "blimple\n", r"\bquux\b");
    run(other.path(), &[], &[]);
    let foreign = std::fs::read(&packs(other.path())[0]).unwrap();

    let cases: Vec<(&str, Tamper)> = vec![
        ("a flipped payload byte", Box::new(|b: &mut Vec<u8>| {
                let at = HEADER + b.len() / 3;
                b[at] ^= 0x55
            })),
        ("truncated", Box::new(|b: &mut Vec<u8>| b.truncate(b.len() / 2))),
        ("shorter than a header", Box::new(|b: &mut Vec<u8>| b.truncate(20))),
        ("empty", Box::new(|b: &mut Vec<u8>| b.clear())),
        ("another format", Box::new(|b: &mut Vec<u8>| b[8] ^= 1)),
        ("foreign", Box::new(move |b: &mut Vec<u8>| b.clone_from(&foreign))),
        // Resealed payloads pass the checksum: the reader's own checks must catch them.
        ("a part length past the end, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                b[HEADER..HEADER + 8].copy_from_slice(&u64::MAX.to_le_bytes());
                reseal(b)
            })
        }),
        ("a huge pattern count, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                b[HEADER + 8..HEADER + 12].copy_from_slice(&u32::MAX.to_le_bytes());
                reseal(b)
            })
        }),
        ("a pattern index out of range, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                let at = first_need(b);
                b[at..at + 4].copy_from_slice(&7u32.to_le_bytes());
                reseal(b)
            })
        }),
        ("a list index out of range, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                let at = HEADER + 8 + u64_at(b, HEADER) as usize + 4;
                b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
                reseal(b)
            })
        }),
        ("the automaton cut short, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                b.truncate(b.len() - 7);
                reseal(b)
            })
        }),
        ("trailing bytes, resealed", {
            Box::new(|b: &mut Vec<u8>| {
                b.extend_from_slice(b"junk");
                reseal(b)
            })
        }),
    ];
    for (what, f) in cases {
        std::fs::write(&packs(d)[0], &good).unwrap();
        tamper(d, f);
        let o = run(d, &[], &[]);
        assert!(!hit(&o), "{what}: the file was used");
        assert_eq!(o.stdout, want, "{what}: verdicts differ from a fresh build");
        assert_eq!(std::fs::read(&packs(d)[0]).unwrap(), good, "{what}: the file was rebuilt and rewritten");
        assert!(hit(&run(d, &[], &[])), "{what}: the rewritten file is read");
    }
}

#[test]
fn an_unwritable_cache_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, "zork*\nblimple\n", r"\bquux\b");
    let want = fresh(d);
    // The cache "directory" is a file: nothing can be written under it.
    std::fs::write(d.join("cache"), "not a directory").unwrap();
    let o = run(d, &[], &[]);
    assert_eq!(o.stdout, want);
    assert!(!hit(&run(d, &[], &[])));
}

/// A start whose memo of checked patterns is warm but whose start-up cache file is gone (a
/// config edit elsewhere, a cleaned cache) analyses the patterns' gates from their spliced
/// parses (`matcher::regex::splice`): the verdicts are a fresh build's.
#[test]
fn a_gate_analysed_from_spliced_slots_judges_as_a_fresh_build() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pack(d, "blimple\n", r"\bquux (?:yourself|urself)\b");
    let config = "extends = \"none\"\n[lists]\nnames = \"names.txt\"\nwho = \"who.txt\"\n\
         [[rule]]\nid = \"x.aimed\"\ncategory = \"x\"\nscore = 1.0\n\
         patterns = ['\\b(?:you|u) (?:a |an )?{names}\\b', '\\b{who} (?:is|are) (?:a |an )?{names}s?\\b']\n";
    std::fs::write(d.join("config.toml"), config).unwrap();
    std::fs::write(d.join("names.txt"), "zorkface\nblimple\nquux head\n").unwrap();
    std::fs::write(d.join("who.txt"), "he\nshe\nthey\n").unwrap();
    std::fs::write(
        d.join("input.jsonl"),
        "{\"id\":\"1\",\"body\":\"you a zorkface\"}\n{\"id\":\"2\",\"body\":\"they are blimples\"}\n\
         {\"id\":\"3\",\"body\":\"u an quux head\"}\n{\"id\":\"4\",\"body\":\"she is a friend\"}\n",
    )
    .unwrap();
    let want = fresh(d);
    assert_eq!(String::from_utf8_lossy(&want).matches("\"rule\":\"x.aimed\"").count(), 3, "{}", String::from_utf8_lossy(&want));
    let cold = run(d, &[], &[]);
    assert_eq!(cold.stdout, want);
    for p in packs(d) {
        std::fs::remove_file(p).unwrap();
    }
    let memo_only = run(d, &[], &[]);
    assert!(!hit(&memo_only), "the cache file was removed");
    assert_eq!(memo_only.stdout, want, "gates from spliced parses judge as a fresh build");
    assert!(hit(&run(d, &[], &[])));
}
