//! # moderate — a streaming comment moderation pipeline
//!
//! ```text
//!  read ──► normalize ──► match ──► decide ──► write
//!  (formats)  (text +     (one pass:   (score,     (JSONL, split files,
//!             offset map)  automata,    verdict,    summary, review queue)
//!                          prefilter,   author
//!                          structure)   state)
//! ```
//!
//! Each stage is one module and passes one named type to the next:
//! `Comment → Normalized → Vec<Hit> → Verdict → record`. No stage imports a later one. The
//! [`config`] loader is the only place that reads rule files; it compiles them into an
//! [`engine::Engine`], which is pure (`judge(&Comment) -> Verdict`) and shared across threads.
//! Only [`pipeline`] knows about threads and channels; only [`cli`] knows every stage.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// `eprintln!` for the whole crate, shadowing std's: std's panics when stderr cannot be
/// written (`2>/dev/full`, a closed pipe), which would turn a finished run into a crash and
/// lose its exit code. Messages to a broken stderr are dropped instead.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see `eprintln!` above).
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod comment;
pub mod config;
pub mod decide;
pub mod diff;
pub mod engine;
pub mod error;
pub mod eval;
pub mod explain;
pub mod localhttp;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod review;
pub mod rule;
#[cfg(feature = "nats")]
pub mod scale;
pub mod serve;
pub mod startup_trace;
pub mod term;
pub mod tune;
pub mod verdict;
pub mod write;

pub use comment::{Comment, CommentKind};
pub use engine::Engine;
pub use verdict::{Decision, Verdict};
