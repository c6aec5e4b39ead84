//! The `moderate` binary: parse arguments, hand them to [`moderate::cli`], map the outcome to an
//! exit code (0 done, 1 runtime or input failure, 2 usage or config error).

/// mimalloc instead of glibc's malloc (docs/bench.md, "fifth session"). glibc gave the threads
/// of the parallel pack build and of the judges arenas of their own and kept what they freed
/// (-j2 peaked 13 MB over -j1); `MALLOC_ARENA_MAX=1` removed that but cost +40 % CPU at -j2 in
/// lock waits. With the two options set in [`main`], mimalloc cut CPU by ~13 % and peak RSS by
/// ~14 MB at -j1 and -j2 on the 24,564-comment corpus. The library keeps the system allocator;
/// only this binary chooses.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's `mi_option_set` (linked through the `mimalloc` crate; its Rust bindings name
// neither option below). Indexes of `mi_option_e` in the bundled mimalloc 2.x (and 3.x).
extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}
// The C library's `prctl` (no `libc` crate for one call).
#[cfg(target_os = "linux")]
extern "C" {
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}
// The C library's `_exit`: ends the process without running `atexit` handlers.
#[cfg(unix)]
extern "C" {
    fn _exit(status: std::ffi::c_int) -> !;
}
/// `PR_SET_THP_DISABLE` (linux/prctl.h): no transparent huge pages for this process. mimalloc
/// asks for them on its arenas (`MADV_HUGEPAGE`, before `main` runs, so its own
/// `allow_thp` option comes too late here); a 2 MiB huge page is resident whole once one byte
/// of it is touched, and a run's peak RSS was ~20 MB above the memory in use at -j1 and -j2
/// (docs/bench.md, ninth session).
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
/// `mi_option_arena_eager_commit`: 0 commits arena memory as it is used, not the whole arena.
const MI_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
/// `mi_option_purge_delay`: 0 returns freed pages at once (the default waits 10 ms, by which
/// time the pack build's garbage counted in the peak).
const MI_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> std::process::ExitCode {
    moderate::startup_trace::mark("main");
    // SAFETY: plain setters of mimalloc's option table, called before any thread is started;
    // they change when memory is committed and returned, never what an allocation returns.
    // Without them, mimalloc's defaults peaked 17-33 MB above glibc's (measured).
    unsafe {
        mi_option_set(MI_ARENA_EAGER_COMMIT, 0);
        mi_option_set(MI_PURGE_DELAY, 0);
    }
    // SAFETY: a plain process setting; it changes how the kernel backs memory, never its
    // contents. Failure (an old kernel) leaves the default.
    #[cfg(target_os = "linux")]
    unsafe {
        let (on, zero): (std::ffi::c_ulong, std::ffi::c_ulong) = (1, 0);
        prctl(PR_SET_THP_DISABLE, on, zero, zero, zero);
    }
    let code = moderate::cli::main_code();
    exit_now(code)
}

/// Ends the process with `code` once stdout and stderr are flushed, skipping the C library's
/// exit handlers: the one registered here is mimalloc's, which at exit collects every heap and
/// hands each free region back to the kernel (~50 `madvise` calls, ~3 ms of a 75 ms `run
/// seeds/` under strace, docs/bench.md tenth session) just before the kernel frees the whole
/// address space anyway. Every command has dropped (and so flushed and closed) its own files
/// and writers by the time [`moderate::cli::main_code`] returns; Rust's own exit would flush
/// only stdout, done here.
#[cfg(unix)]
fn exit_now(code: u8) -> std::process::ExitCode {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    moderate::startup_trace::mark("exit");
    // SAFETY: `_exit` takes any int and does not return; nothing in this process needs the
    // exit handlers it skips (see above).
    unsafe { _exit(std::ffi::c_int::from(code)) }
}

#[cfg(not(unix))]
fn exit_now(code: u8) -> std::process::ExitCode {
    std::process::ExitCode::from(code)
}
