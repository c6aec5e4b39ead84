//! `moderate-fuzz TARGET [FILE|DIR ...]`.
//!
//! Built with `cargo afl build --features afl`, it is the fuzzed program: AFL feeds inputs to
//! TARGET in persistent mode. Built plainly, it replays files (a crash, a corpus) through the
//! same checks and says which fail: crash triage and "is it fixed?" without AFL.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        let names: Vec<&str> = moderate_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: moderate-fuzz TARGET [FILE|DIR ...]\ntargets: {}", names.join(" "));
        return ExitCode::from(2);
    };
    let Some(target) = moderate_fuzz::target(&name) else {
        eprintln!("moderate-fuzz: no target {name:?}");
        return ExitCode::from(2);
    };
    moderate_fuzz::prepare(&name);
    run(target, args.map(PathBuf::from).collect())
}

#[cfg(feature = "afl")]
fn run(target: moderate_fuzz::Target, _paths: Vec<PathBuf>) -> ExitCode {
    afl::fuzz!(|data: &[u8]| {
        target(data);
    });
    ExitCode::SUCCESS
}

#[cfg(not(feature = "afl"))]
fn run(target: moderate_fuzz::Target, paths: Vec<PathBuf>) -> ExitCode {
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files);
    }
    let mut failed = 0;
    for f in &files {
        let Ok(data) = std::fs::read(f) else {
            eprintln!("{}: unreadable", f.display());
            failed += 1;
            continue;
        };
        let t = std::time::Instant::now();
        let ok = std::panic::catch_unwind(|| target(&data)).is_ok();
        let ms = t.elapsed().as_millis();
        println!("{} {} ({} bytes, {ms} ms)", if ok { "ok  " } else { "FAIL" }, f.display(), data.len());
        failed += usize::from(!ok);
    }
    println!("{} inputs, {failed} failed", files.len());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(not(feature = "afl"))]
fn collect(p: &std::path::Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(p).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            if e.is_file() && !e.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                out.push(e);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}
