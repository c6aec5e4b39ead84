//! The write stage: judged records go out through [`Sink`]s, in input order.
//!
//! One sink per output: verdict JSONL, split files, the summary, the review queue. Sinks know
//! records, not rules.

pub mod jsonl;
pub mod summary;

use std::io;

pub mod split;

use crate::comment::Comment;
use crate::read::RecordError;
use crate::verdict::Verdict;

/// One input record with its verdict: what every sink receives, in input order.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The comment as read, or why it could not be read.
    pub record: Result<Comment, RecordError>,
    /// The verdict record (an `error` verdict when `record` is an error).
    pub verdict: Verdict,
}

/// Renders one judged record into a buffer (see [`Sink::renderer`]).
pub type Renderer = fn(&Judged, &mut Vec<u8>) -> io::Result<()>;

/// A destination for judged records (push-style, like ripgrep's `Sink`).
pub trait Sink {
    /// Receives the next record, in input order.
    ///
    /// # Errors
    /// Writing failed.
    fn write(&mut self, judged: &Judged) -> io::Result<()>;

    /// A function that renders, for one record, exactly the bytes [`Sink::write`] would write,
    /// without touching the sink: when nothing changes verdicts after judging (no author
    /// policy), the pipeline calls it on the judge threads and hands the bytes to
    /// [`Sink::write_rendered`], so serialization scales with the threads. `None` (the
    /// default): the sink only gets [`Sink::write`].
    fn renderer(&self) -> Option<Renderer> {
        None
    }

    /// Receives the next record with the bytes the [`Sink::renderer`] function made for it.
    ///
    /// # Errors
    /// Writing failed.
    fn write_rendered(&mut self, judged: &Judged, rendered: &[u8]) -> io::Result<()> {
        let _ = rendered;
        self.write(judged)
    }

    /// Pushes buffered output out now (called when the input goes quiet, so live input is
    /// answered at once).
    ///
    /// # Errors
    /// Writing failed.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Called once after the last record: flush, close, write trailers.
    ///
    /// # Errors
    /// Writing failed.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// One line for the run's summary about what this sink did (`None`: nothing to say), so an
    /// output a user cannot see in the terminal, such as a database, still says what it got.
    fn report(&self) -> Option<String> {
        None
    }
}
