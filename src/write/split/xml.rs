//! `--split`'s rewrite of an XML export (WXR, Disqus): the original file copied byte for byte,
//! with each comment's verdict spliced into its verdict element (see the parent module's docs).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use quick_xml::events::Event;

use crate::read::xml::xml_reader;
use crate::read::{declared_encoding, encode_text, read_utf8, sniff_encoding, Encoding, Format, DECLARATION_HEAD};
use crate::verdict::Decision;

/// Errors after which quick-xml reads on (an ill-formed end tag, a bad attribute or escape), as
/// the readers do.
fn recoverable(e: &quick_xml::Error) -> bool {
    matches!(e, quick_xml::Error::IllFormed(_) | quick_xml::Error::InvalidAttr(_) | quick_xml::Error::EscapeError(_))
}

/// The new value of the verdict element for a decision, or `None` to leave it as it is.
fn verdict_value(format: Format, d: Decision) -> Option<&'static str> {
    match (format, d) {
        (Format::Disqus, Decision::Error) => None,
        (_, Decision::Error) => Some("0"),
        (Format::Disqus, Decision::Allow) => Some("false"),
        (Format::Disqus, Decision::Block) => Some("true"),
        (Format::Disqus, _) => None,
        (_, Decision::Allow) => Some("1"),
        (_, Decision::Flag) => Some("0"),
        (_, Decision::Block) => Some("spam"),
    }
}

/// Whether the export's value of the verdict element says the site already took the comment
/// down (WordPress `spam`, `trash`, `post-trashed`; Disqus `isSpam` true). Such a comment keeps
/// that value whatever the verdict: the copy is imported back, and a word list that finds
/// nothing must not publish again what the site's own filter or moderators removed.
fn removed(format: Format, was: &[u8]) -> bool {
    let was = was.trim_ascii();
    if format == Format::Disqus {
        was.eq_ignore_ascii_case(b"true")
    } else {
        [&b"spam"[..], b"trash", b"post-trashed"].iter().any(|v| was.eq_ignore_ascii_case(v))
    }
}

/// Appends `text` to `was`, keeping at most 32 bytes: enough for any value [`removed`] knows,
/// and bounded whatever a hostile export puts in the element.
fn keep_head(was: &mut Vec<u8>, text: &[u8]) {
    let room = 32usize.saturating_sub(was.len());
    was.extend_from_slice(&text[..text.len().min(room)]);
}

/// Copies `src` to `dst` byte for byte, splicing each judged record's verdict into its
/// `wp:comment_approved` (WXR) or `isSpam` (Disqus) element. A parse error stops the splicing;
/// the rest of the file is copied unchanged. A UTF-8 export streams; one saved as UTF-16/32 is
/// or declaring a legacy encoding (`windows-1252`), is decoded whole as its reader decoded it
/// (the judged offsets point into that text), spliced, and encoded back with its byte order
/// mark, so its XML declaration stays true.
pub(super) fn rewrite_xml(
    src: &Path,
    dst: &Path,
    format: Format,
    decisions: &HashMap<u64, Decision>,
) -> io::Result<()> {
    let mut head = Vec::with_capacity(DECLARATION_HEAD);
    File::open(src)?.take(DECLARATION_HEAD as u64).read_to_end(&mut head)?;
    let (enc, bom) = sniff_encoding(&head);
    if enc == Encoding::Utf8 && (bom > 0 || declared_encoding(&head).is_none()) {
        let xml = BufReader::with_capacity(256 * 1024, File::open(src)?);
        let copy = BufReader::with_capacity(256 * 1024, File::open(src)?);
        let out = BufWriter::with_capacity(256 * 1024, File::create(dst)?);
        // The readers count offsets after a byte order mark; this copy counts from the file start.
        return splice_verdicts(xml, copy, out, bom as u64, format, decisions);
    }
    let (text, enc, mark) = read_utf8(File::open(src)?, true)?;
    let mut spliced = Vec::with_capacity(text.len() + 1024);
    splice_verdicts(&text[..], &text[..], &mut spliced, 0, format, decisions)?;
    let mut out = BufWriter::new(File::create(dst)?);
    out.write_all(&mark)?;
    out.write_all(&encode_text(&spliced, enc))?;
    out.flush()
}

/// The splicing of [`rewrite_xml`]: `xml` and `copy` read the same bytes (one parses, one is
/// copied), `bom` is how many leading bytes the readers' offsets do not count.
fn splice_verdicts<X: BufRead, C: Read, W: Write>(
    xml: X,
    mut copy: C,
    mut out: W,
    bom: u64,
    format: Format,
    decisions: &HashMap<u64, Decision>,
) -> io::Result<()> {
    let (record, elem): (&[u8], &str) =
        if format == Format::Disqus { (b"post", "isSpam") } else { (b"wp:comment", "wp:comment_approved") };
    let mut xml = xml_reader(xml);
    let mut copied = 0u64;
    let mut splice = |copy: &mut C, out: &mut W, a: u64, b: u64, text: &str| {
        io::copy(&mut copy.by_ref().take(a - copied), out)?;
        io::copy(&mut copy.by_ref().take(b - a), &mut io::sink())?;
        out.write_all(text.as_bytes())?;
        copied = b;
        io::Result::Ok(())
    };
    let full = |v: &str| format!("<{elem}>{v}</{elem}>");
    let mut buf = Vec::new();
    // Inside a judged record: (new value, whether the verdict element was seen).
    let mut cur: Option<(Option<&str>, bool)> = None;
    // A record is a start tag at an offset the readers judged (a comment they read whole and
    // well-formed), whatever this parse thinks of the structure around it: an element of the
    // record's name nested inside a record, or inside a broken one, is a record exactly when
    // the reader made it one. `depth` counts the elements open below the record: only its
    // direct children are its fields, as the readers see them.
    let mut depth = 0usize;
    // Whether `cur` is a comment the readers did not judge (held, see below).
    let mut held = false;
    loop {
        let before = xml.get_ref().event_start();
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e))
                if e.name().as_ref() == record && decisions.contains_key(&before.saturating_sub(bom)) =>
            {
                let key = before.saturating_sub(bom);
                cur = Some((decisions.get(&key).and_then(|&d| verdict_value(format, d)), false));
                depth = 0;
                held = false;
            }
            // A WordPress comment the readers did not judge (an error record: two bodies, an
            // undeclared entity, no body): held for a human (`0`), never left as the export had
            // it, which would import it approved unjudged.
            Ok(Event::Start(e)) if cur.is_none() && format == Format::Wxr && e.name().as_ref() == record => {
                cur = Some((verdict_value(format, Decision::Error), false));
                depth = 0;
                held = true;
            }
            Ok(Event::Start(e)) if cur.is_some() && depth == 0 && e.name().as_ref() == elem.as_bytes() => {
                let inner_start = xml.get_ref().position();
                let mut depth = 0u32;
                // The export's own value, as far as it can matter (its first bytes).
                let mut was = Vec::new();
                let inner_end = loop {
                    let at = xml.get_ref().event_start();
                    buf.clear();
                    match xml.read_event_into(&mut buf) {
                        Ok(Event::Text(t)) if depth == 0 => keep_head(&mut was, &t),
                        Ok(Event::CData(t)) if depth == 0 => keep_head(&mut was, &t),
                        Ok(Event::Start(_)) => depth += 1,
                        Ok(Event::End(_)) if depth == 0 => break Some(at),
                        Ok(Event::End(_)) => depth -= 1,
                        Err(e) if recoverable(&e) && xml.get_ref().position() > at => {}
                        Ok(Event::Eof) | Err(_) => break None,
                        Ok(_) => {}
                    }
                };
                let Some(inner_end) = inner_end else { break };
                if let Some((Some(v), seen)) = cur.as_mut() {
                    if !removed(format, &was) {
                        splice(&mut copy, &mut out, inner_start, inner_end, v)?;
                    }
                    *seen = true;
                }
            }
            Ok(Event::Start(_)) if cur.is_some() => depth += 1,
            Ok(Event::End(_)) if cur.is_some() && depth > 0 => depth -= 1,
            Ok(Event::Empty(e)) if cur.is_some() && depth == 0 && e.name().as_ref() == elem.as_bytes() => {
                if let Some((Some(v), seen)) = cur.as_mut() {
                    let after = xml.get_ref().position();
                    splice(&mut copy, &mut out, before, after, &full(v))?;
                    *seen = true;
                }
            }
            Ok(Event::End(_)) if cur.is_some() => {
                if let Some((Some(v), false)) = cur.take() {
                    splice(&mut copy, &mut out, before, before, &full(v))?;
                }
            }
            // An ill-formed comment (only an unjudged one can be): its structure is unknown, so
            // nothing more is spliced into it; the rest of it is copied as it is.
            Err(e) if recoverable(&e) && xml.get_ref().position() > before => {
                if held {
                    cur = None;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    io::copy(&mut copy, &mut out)?;
    out.flush()
}
