//! A wall-time timeline of start-up: with `MODERATE_TRACE_STARTUP=1`, [`mark`] prints each
//! phase's time since the first mark (and the wall clock, to line it up with an outside timer
//! or `strace -tt`), the process's page faults so far and its thread to stderr. Off, a mark is one atomic load. The start-up
//! target is wall time, and instruction counts did not predict it (docs/bench.md, ninth and
//! tenth sessions).

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The first mark's instant, when tracing is on.
static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Whether `MODERATE_TRACE_STARTUP` asks for the timeline (set, not empty, not `0`).
pub fn enabled() -> bool {
    start().is_some()
}

fn start() -> Option<Instant> {
    *START.get_or_init(|| {
        let on = std::env::var_os("MODERATE_TRACE_STARTUP").is_some_and(|v| !v.is_empty() && v != "0");
        on.then(Instant::now)
    })
}

/// Prints `phase` with the time since the first mark, when tracing is on.
pub fn mark(phase: &str) {
    let Some(t0) = start() else { return };
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let thread = std::thread::current();
    let name = thread.name().map_or_else(|| format!("{:?}", thread.id()), str::to_string);
    let faults = minor_faults().map_or_else(|| "?".to_string(), |n| n.to_string());
    eprintln!("startup {ms:9.3} ms  {wall}  faults {faults:>6}  [{name}] {phase}");
}

/// The process's minor page faults so far (`/proc/self/stat`, field 10): each first touch of a
/// fresh page is one, and on this VM they were half of a warm start's CPU time.
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(7)?.parse().ok()
}
