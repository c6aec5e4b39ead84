//! What every reader is given: UTF-8.
//!
//! An input saved as UTF-16 or UTF-32 (Windows tools, Excel's "Unicode text") read byte for byte
//! gives records of NULs and stray bytes: a reader that judged them would judge another text than
//! the one a site shows. The encoding is told from the first bytes, as RFC 4627 §3 and XML's
//! appendix F do: a byte order mark, else the pattern of NULs around the first (ASCII) character
//! (`{\0"\0` is UTF-16LE). Such an input is decoded to UTF-8 as it streams; an unpaired surrogate,
//! a code point past U+10FFFF or a truncated last unit becomes the byte 0xFF, which no UTF-8 text
//! holds, so the record around it is an error record naming its line rather than a guess.
//!
//! An XML export may also declare a legacy encoding (`<?xml … encoding="ISO-8859-1"?>`; old
//! WordPress blogs and Disqus exports in windows-1252). Its importer decodes the file as
//! declared, so the readers do too ([`declared_encoding`]), with the WHATWG label table and
//! decoders a browser uses (`ISO-8859-1` is windows-1252 there); a byte the declared encoding
//! does not hold becomes 0xFF as above. A byte order mark, or the NULs of UTF-16/32, win over a
//! declaration (XML appendix F).

use std::io::Read;

/// How the bytes of an input encode its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
    /// An ASCII-compatible legacy encoding an XML declaration names.
    Declared(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The name used in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf32Le => "UTF-32LE",
            Encoding::Utf32Be => "UTF-32BE",
            Encoding::Declared(e) => e.name(),
        }
    }

    /// Bytes per code unit.
    fn width(self) -> usize {
        match self {
            Encoding::Utf8 | Encoding::Declared(_) => 1,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            Encoding::Utf32Le | Encoding::Utf32Be => 4,
        }
    }
}

/// The encoding of an input from its first bytes, and the length of its byte order mark (0 if
/// none). Without a mark, the NULs around the first character tell UTF-16 and UTF-32 apart from
/// UTF-8, unless the head shows plain UTF-8 text after its first line end
/// ([`plain_utf8_after_first_line`]); fewer than four bytes without a mark read as UTF-8.
pub(crate) fn sniff_encoding(head: &[u8]) -> (Encoding, usize) {
    let (enc, bom) = sniff_units(head);
    if bom == 0 && enc != Encoding::Utf8 && plain_utf8_after_first_line(head) {
        return (Encoding::Utf8, 0);
    }
    (enc, bom)
}

/// Fewest bytes after the first line end that [`plain_utf8_after_first_line`] takes as evidence.
const UTF8_EVIDENCE: usize = 16;

/// Whether the head, past its first line end (LF or CR byte), is plain UTF-8 text: at least
/// [`UTF8_EVIDENCE`] bytes, no NUL, valid UTF-8 (a sequence cut by the head's end allowed).
/// UTF-16 and UTF-32 text cannot look so: its line ends and every ASCII character carry NULs,
/// and its other units are rarely valid UTF-8. Found by fuzzing: a junk first line with NULs (`a\0b\0…`) made a UTF-8 dump read as UTF-16, so
/// every comment after it was lost in one undecodable record.
fn plain_utf8_after_first_line(head: &[u8]) -> bool {
    let Some(end) = memchr::memchr2(b'\n', b'\r', head) else { return false };
    let rest = &head[end + 1..];
    let rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    if rest.len() < UTF8_EVIDENCE || memchr::memchr(0, rest).is_some() {
        return false;
    }
    match std::str::from_utf8(rest) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// The encoding told by a byte order mark or by the NULs around the first character alone.
fn sniff_units(head: &[u8]) -> (Encoding, usize) {
    match head {
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
        [0xFF, 0xFE, 0, 0, ..] => (Encoding::Utf32Le, 4),
        [0, 0, 0xFE, 0xFF, ..] => (Encoding::Utf32Be, 4),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
        [0, 0, 0, a, ..] if *a != 0 => (Encoding::Utf32Be, 0),
        [a, 0, 0, 0, ..] if *a != 0 => (Encoding::Utf32Le, 0),
        [0, a, 0, _, ..] if *a != 0 => (Encoding::Utf16Be, 0),
        [a, 0, _, 0, ..] if *a != 0 => (Encoding::Utf16Le, 0),
        _ => (Encoding::Utf8, 0),
    }
}

/// The legacy encoding an XML declaration at the start of `head` names, if the input is to be
/// decoded from it: a label the WHATWG table knows, other than UTF-8 and UTF-16 (told by the
/// bytes, not by a label) and the "replacement" labels (ISO-2022-KR and others, which decode to
/// one U+FFFD and so would hide every comment). An unknown label reads as UTF-8, as before.
pub(crate) fn declared_encoding(head: &[u8]) -> Option<Encoding> {
    let enc = encoding_rs::Encoding::for_label(declared_label(head)?)?;
    let told_by_bytes = [encoding_rs::UTF_8, encoding_rs::UTF_16LE, encoding_rs::UTF_16BE, encoding_rs::REPLACEMENT];
    (!told_by_bytes.contains(&enc)).then_some(Encoding::Declared(enc))
}

/// The `encoding="…"` label of an XML declaration at the start of `head`, as written. A
/// processing instruction such as `<?xml-stylesheet … encoding="…"?>` is no declaration.
pub(crate) fn declared_label(head: &[u8]) -> Option<&[u8]> {
    let decl = head.strip_prefix(b"<?xml").filter(|d| d.first().is_some_and(u8::is_ascii_whitespace))?;
    let decl = &decl[..memchr::memmem::find(decl, b"?>")?];
    let at = memchr::memmem::find(decl, b"encoding")?;
    let rest = decl[at + b"encoding".len()..].trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let (&quote, rest) = rest.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    Some(&rest[..memchr::memchr(quote, rest)?])
}

/// How many leading bytes are searched for an XML declaration's encoding (a declaration is short;
/// one padded with spaces past this is read as UTF-8).
pub(crate) const DECLARATION_HEAD: usize = 1024;

/// A whole input as UTF-8, as its reader sees it (byte order mark dropped, UTF-16/32 decoded),
/// with its encoding and its byte order mark as it was: `--split` rewrites an XML export at the
/// offsets its reader judged, then [`encode`]s the result back.
///
/// With `xml`, an XML declaration's legacy encoding is honoured too ([`declared_encoding`]).
pub(crate) fn read_utf8(mut raw: impl Read, xml: bool) -> std::io::Result<(Vec<u8>, Encoding, Vec<u8>)> {
    let mut head = Vec::with_capacity(DECLARATION_HEAD);
    (&mut raw).take(DECLARATION_HEAD as u64).read_to_end(&mut head)?;
    let (mut enc, bom) = sniff_encoding(&head);
    if xml && (enc, bom) == (Encoding::Utf8, 0) {
        enc = declared_encoding(&head).unwrap_or(enc);
    }
    let rest = std::io::Cursor::new(head[bom..].to_vec()).chain(raw);
    let mut text = Vec::new();
    if enc == Encoding::Utf8 {
        let mut rest = rest;
        rest.read_to_end(&mut text)?;
    } else {
        Transcode::new(rest, enc).read_to_end(&mut text)?;
    }
    Ok((text, enc, head[..bom].to_vec()))
}

/// `text` in `enc`, without a byte order mark (the inverse of the decoding above for every text
/// that decoded cleanly; a unit that did not, read as 0xFF, comes back as U+FFFD).
///
/// A declared legacy encoding writes a character it cannot hold (only U+FFFD, from a byte that
/// did not decode) as a character reference, which XML reads back as that character.
pub(crate) fn encode(text: &[u8], enc: Encoding) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = Vec::with_capacity(text.len() * enc.width());
    match enc {
        Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
        Encoding::Utf16Le => text.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
        Encoding::Utf16Be => text.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
        Encoding::Utf32Le => text.chars().for_each(|c| out.extend_from_slice(&(c as u32).to_le_bytes())),
        Encoding::Utf32Be => text.chars().for_each(|c| out.extend_from_slice(&(c as u32).to_be_bytes())),
        Encoding::Declared(e) => out.extend_from_slice(&e.encode(&text).0),
    }
    out
}

/// The first bytes of an input as UTF-8 (decoded when they are UTF-16/32), for format sniffing.
pub(crate) fn utf8_head(head: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let (enc, bom) = sniff_encoding(head);
    if enc == Encoding::Utf8 {
        return std::borrow::Cow::Borrowed(head);
    }
    let mut out = Vec::with_capacity(head.len());
    let mut t = Transcode::new(&head[bom..], enc);
    // A head cut inside a character leaves 0xFF at its end: harmless for sniffing.
    let _ = t.read_to_end(&mut out);
    std::borrow::Cow::Owned(out)
}

/// Streams UTF-16/UTF-32 input (byte order mark already consumed), or a declared legacy
/// encoding, as UTF-8.
pub(crate) struct Transcode<R> {
    inner: R,
    enc: Encoding,
    /// The decoder of a declared legacy encoding (it keeps a sequence cut by a read itself).
    legacy: Option<encoding_rs::Decoder>,
    /// Input bytes not yet decoded (a unit or a surrogate pair cut by a read).
    carry: Vec<u8>,
    /// Decoded UTF-8 not yet handed out, from `pos`.
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

/// What an undecodable unit becomes: a byte that is never valid UTF-8.
const INVALID: u8 = 0xFF;

impl<R: Read> Transcode<R> {
    pub(crate) fn new(inner: R, enc: Encoding) -> Transcode<R> {
        let legacy = match enc {
            Encoding::Declared(e) => Some(e.new_decoder_without_bom_handling()),
            _ => None,
        };
        Transcode { inner, enc, legacy, carry: Vec::new(), out: Vec::new(), pos: 0, eof: false }
    }

    /// Decodes all of `carry` with the legacy decoder; a malformed sequence becomes [`INVALID`].
    fn decode_legacy(&mut self) {
        let Some(dec) = self.legacy.as_mut() else { return };
        let mut src = &self.carry[..];
        loop {
            let room = dec.max_utf8_buffer_length_without_replacement(src.len()).unwrap_or(src.len() * 3 + 16);
            let start = self.out.len();
            self.out.resize(start + room, 0);
            let (res, read, written) = dec.decode_to_utf8_without_replacement(src, &mut self.out[start..], self.eof);
            self.out.truncate(start + written);
            src = &src[read..];
            match res {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(..) => self.out.push(INVALID),
            }
        }
        self.carry.clear();
    }

    fn unit(&self, i: usize) -> u32 {
        let c = &self.carry;
        match self.enc {
            Encoding::Utf16Le => u32::from(u16::from_le_bytes([c[i], c[i + 1]])),
            Encoding::Utf16Be => u32::from(u16::from_be_bytes([c[i], c[i + 1]])),
            Encoding::Utf32Le => u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]),
            Encoding::Utf32Be => u32::from_be_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]),
            Encoding::Utf8 | Encoding::Declared(_) => u32::from(c[i]),
        }
    }

    fn push(&mut self, c: Option<char>) {
        match c {
            Some(c) => self.out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            None => self.out.push(INVALID),
        }
    }

    /// Decodes the whole units in `carry` into `out`, keeping a high surrogate whose partner
    /// has not arrived yet (unless the input has ended).
    fn decode(&mut self) {
        if self.legacy.is_some() {
            return self.decode_legacy();
        }
        let w = self.enc.width();
        let mut i = 0;
        while i + w <= self.carry.len() {
            let u = self.unit(i);
            if w == 4 || !(0xD800..0xE000).contains(&u) {
                self.push(char::from_u32(u));
                i += w;
            } else if u >= 0xDC00 {
                self.push(None); // a low surrogate alone
                i += w;
            } else if i + 2 * w <= self.carry.len() {
                let lo = self.unit(i + w);
                if (0xDC00..0xE000).contains(&lo) {
                    self.push(char::from_u32(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)));
                    i += 2 * w;
                } else {
                    self.push(None); // a high surrogate alone; its neighbour is read again
                    i += w;
                }
            } else if self.eof {
                self.push(None);
                i += w;
            } else {
                break;
            }
        }
        self.carry.drain(..i);
        if self.eof && !self.carry.is_empty() {
            // A last unit cut short: the file was truncated.
            self.carry.clear();
            self.push(None);
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let from = self.carry.len();
            self.carry.resize(from + 64 * 1024, 0);
            let n = match self.inner.read(&mut self.carry[from..]) {
                Ok(n) => n,
                Err(e) => {
                    self.carry.truncate(from);
                    return Err(e);
                }
            };
            self.carry.truncate(from + n);
            self.eof = n == 0;
            self.decode();
        }
    }
}
