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

pub mod cli;
pub mod comment;
pub mod config;
pub mod decide;
pub mod diff;
pub mod engine;
pub mod error;
pub mod eval;
pub mod explain;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod review;
pub mod rule;
pub mod serve;
pub mod term;
pub mod verdict;
pub mod write;

pub use comment::{Comment, CommentKind};
pub use engine::Engine;
pub use verdict::{Decision, Verdict};
