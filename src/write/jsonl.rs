//! The verdict JSONL writer: one record per input comment (docs/design.md §3), in input order.
//!
//! Verdict lines go to a terminal as often as to a file (`moderate run comments.jsonl`), and
//! they carry text an attacker wrote: the comment's id, the matched spans, an error's message.
//! JSON escapes the C0 controls, but serde_json writes C1 controls (U+0080..U+009F, of which
//! xterm reads U+009B as CSI and U+009D as OSC: `\u{9d}52;c;...\u{9c}` sets the clipboard), DEL,
//! bidi overrides and invisible characters as they are. [`SafeFormatter`] writes those as
//! `\uXXXX` escapes: the same JSON value to any reader, nothing a terminal acts on (round 14).

use std::io::{self, Write};

use serde::Serialize;

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
    to_writer(&mut *out, &judged.verdict)?;
    out.push(b'\n');
    Ok(())
}

/// `value` as JSON into `out`, with [`SafeFormatter`]'s escapes.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, SafeFormatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// serde_json's compact formatter, but every character a terminal could act on or that hides
/// ([`crate::term::is_hidden`], and U+2028/U+2029) is written as a `\uXXXX` escape (a pair for
/// one past U+FFFF), not as itself.
pub struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // Every such character but DEL is outside ASCII: most fragments are written at once.
        if fragment.bytes().all(|b| b < 0x7f) {
            return w.write_all(fragment.as_bytes());
        }
        let mut from = 0;
        for (i, c) in fragment.char_indices() {
            if crate::term::is_hidden(c) || matches!(c, '\u{2028}' | '\u{2029}') {
                w.write_all(&fragment.as_bytes()[from..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{:04x}", u)?;
                }
                from = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[from..])
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn write(&mut self, judged: &Judged) -> io::Result<()> {
        to_writer(&mut self.out, &judged.verdict)?;
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
