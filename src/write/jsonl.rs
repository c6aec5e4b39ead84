//! The verdict JSONL writer: one record per input comment (docs/design.md §3), in input order.

use std::io::{self, Write};

use super::{Judged, Renderer, Sink};

/// Writes verdict records as JSON lines to any writer (stdout or `-o FILE`).
pub struct JsonlSink<W: Write> {
    out: W,
}

impl<W: Write> JsonlSink<W> {
    /// A sink writing to `out` (buffer it: this writes record by record).
    pub fn new(out: W) -> JsonlSink<W> {
        JsonlSink { out }
    }

    /// The writer back (tests compare what was written).
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// One verdict line, as [`JsonlSink`] writes it.
fn render(judged: &Judged, out: &mut Vec<u8>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &judged.verdict)?;
    out.push(b'\n');
    Ok(())
}

impl<W: Write> Sink for JsonlSink<W> {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &judged.verdict)?;
        self.out.write_all(b"\n")
    }

    fn renderer(&self) -> Option<Renderer> {
        Some(render)
    }

    fn write_rendered(&mut self, _: &Judged, rendered: &[u8]) -> io::Result<()> {
        self.out.write_all(rendered)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
