//! Shared machinery of the XML readers (WXR, Disqus) and of `--split`'s XML rewriter.
//!
//! Both exports are streamed with quick-xml's event reader over a [`LineCounter`], a `BufRead`
//! wrapper that counts the bytes and newlines quick-xml consumes. quick-xml consumes the bytes
//! of each event (plus, after text, the `<` of the next tag, which [`LineCounter::event_start`]
//! accounts for), so the counter read just before an event gives that event's byte offset and
//! 1-based line: records name the line where their element starts, and the rewriter can splice
//! new values into a byte-for-byte copy of the file. Text is never trimmed by the parser,
//! so whitespace is an event of its own and never shifts an element's position.
//!
//! A comment element is small, so its whole subtree is collected ([`collect`]) into a flat list
//! of [`Node`]s that the format readers interpret. Errors come in two kinds: [`Fail::Record`]
//! (an ill-formed end tag, a bad attribute, an undecodable value) spoils one record and reading
//! goes on with the next comment element, which resynchronizes naturally because the outer loops
//! only look for start tags; [`Fail::Fatal`] (a syntax error, an I/O error) ends the file with one
//! error record for the rest of it.
//!
//! quick-xml buffers each event whole, and a minified export is one line, so the readers bound
//! one event ([`MAX_EVENT`]) in the [`LineCounter`] and one record element in [`collect`]. A text
//! node over the bound is cut where it passes it, the rest of it read past unbuffered up to the
//! `<` that ends it (text cannot hold one), and its record, over the bound too, is one error;
//! reading goes on. Markup
//! over the bound (a tag, a comment, CDATA, a DOCTYPE) has no end that can be found without its
//! grammar, so it ends the file with one error record. A record element over the bound whose
//! events are each under it is one error record, and reading goes on after its end tag.

use std::io::{BufRead, Read};

use quick_xml::events::{BytesStart, Event};

/// The most bytes of one XML event (a text node, a tag, CDATA …) and of one record element the
/// readers hold, as JSON Lines bounds one line: 64 MiB is far past any real comment.
pub const MAX_EVENT: u64 = 64 << 20;

/// A `BufRead` that counts the bytes and newlines its consumer has consumed, and (when built
/// with [`LineCounter::bounded`]) bounds one event: see the module doc.
#[derive(Debug)]
pub struct LineCounter<R> {
    inner: R,
    newlines: u64,
    pos: u64,
    last: u8,
    /// The most bytes of one event, if bounded.
    limit: Option<u64>,
    /// Where the current event started, and whether it is text.
    mark: u64,
    text: bool,
}

impl<R: BufRead> LineCounter<R> {
    /// Wraps a reader; counting starts at byte 0, line 1.
    pub fn new(inner: R) -> LineCounter<R> {
        LineCounter { inner, newlines: 0, pos: 0, last: 0, limit: None, mark: 0, text: false }
    }

    /// The same, with events bounded to `limit` bytes once [`LineCounter::begin_event`] marks them.
    pub fn bounded(inner: R, limit: u64) -> LineCounter<R> {
        LineCounter { limit: Some(limit), ..LineCounter::new(inner) }
    }

    /// Marks the start of the next event: the bound counts from here. The event is text unless
    /// its `<` was consumed with the text before it or is the next byte.
    pub fn begin_event(&mut self) {
        self.mark = self.pos;
        self.text = self.last != b'<' && self.inner.fill_buf().is_ok_and(|b| b.first().is_some_and(|&c| c != b'<'));
    }

    /// The bound of one event, if any.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    fn count(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.newlines += line_ends(self.last, &buf[..amt]);
            self.pos += amt as u64;
            if amt > 0 {
                self.last = buf[amt - 1];
            }
            self.inner.consume(amt);
        }
    }

    /// Past the bound: text is read past up to its closing `<` (kept for the parser); markup
    /// is an error that ends the file.
    fn over_limit(&mut self, limit: u64) -> std::io::Result<()> {
        if !self.text {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a tag, comment, CDATA section or DOCTYPE longer than {} MiB (from byte {})",
                    limit >> 20,
                    self.mark
                ),
            ));
        }
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            match memchr::memchr(b'<', buf) {
                Some(0) => return Ok(()),
                Some(i) => self.count(i),
                None => {
                    let n = buf.len();
                    self.count(n);
                }
            }
        }
    }

    /// The 1-based line of the next unconsumed byte.
    pub fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// The byte offset of the next unconsumed byte.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The byte offset where the next event starts. quick-xml consumes the `<` that ends a
    /// text event together with the text, so when the last consumed byte is `<` the next
    /// event (a tag) started one byte earlier.
    pub fn event_start(&self) -> u64 {
        self.pos - u64::from(self.last == b'<')
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.newlines += line_ends(self.last, &out[..n]);
        self.pos += n as u64;
        if n > 0 {
            self.last = out[n - 1];
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if let Some(limit) = self.limit.filter(|&l| self.pos - self.mark > l) {
            self.over_limit(limit)?;
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.count(amt);
    }
}

/// Line ends in `bytes` (LF, CRLF, lone CR: XML reads all three as one line end), where `prev`
/// is the byte before them (a CR there and an LF first here are one CRLF, counted already).
fn line_ends(prev: u8, bytes: &[u8]) -> u64 {
    let cr = memchr::memchr_iter(b'\r', bytes).count();
    let lf_alone = memchr::memchr_iter(b'\n', bytes)
        .filter(|&i| if i == 0 { prev != b'\r' } else { bytes[i - 1] != b'\r' })
        .count();
    (cr + lf_alone) as u64
}

/// The event reader every XML reader uses.
pub type XmlReader<R> = quick_xml::Reader<LineCounter<R>>;

/// A quick-xml reader over `r` that reports whitespace as text and checks end tags. Its events
/// are not bounded: `--split`'s rewriter reads a file the readers have read already.
pub fn xml_reader<R: BufRead>(r: R) -> XmlReader<R> {
    configured(quick_xml::Reader::from_reader(LineCounter::new(r)))
}

/// The same, with every event read by [`read_event`] bounded to `limit` bytes: the readers'.
pub fn bounded_reader<R: BufRead>(r: R, limit: u64) -> XmlReader<R> {
    configured(quick_xml::Reader::from_reader(LineCounter::bounded(r, limit)))
}

/// The next event, its size bounded when the reader is (see the module doc).
pub fn read_event<'b, R: BufRead>(xml: &mut XmlReader<R>, buf: &'b mut Vec<u8>) -> quick_xml::Result<Event<'b>> {
    buf.clear();
    xml.get_mut().begin_event();
    xml.read_event_into(buf)
}

fn configured<R: BufRead>(mut xml: XmlReader<R>) -> XmlReader<R> {
    let cfg = xml.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.expand_empty_elements = false;
    xml
}

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum Fail {
    /// This record is spoiled (message without the `line N:` prefix); reading may go on.
    Record(String),
    /// The parser cannot go on: the rest of the file is lost.
    Fatal(String),
    /// End of file inside the element.
    Eof,
}

impl From<quick_xml::Error> for Fail {
    fn from(e: quick_xml::Error) -> Fail {
        match e {
            quick_xml::Error::IllFormed(_) | quick_xml::Error::InvalidAttr(_) | quick_xml::Error::EscapeError(_) => {
                Fail::Record(format!("malformed XML: {e}"))
            }
            quick_xml::Error::Io(e) => Fail::Fatal(format!("read error: {e}")),
            _ => Fail::Fatal(format!("malformed XML: {e}")),
        }
    }
}

/// One element below a record's root: its name, its parent (an index into the node list; the
/// root is node 0), its depth (root 0), its attributes, and its text (CDATA and unescaped text
/// concatenated; whitespace-only text around CDATA dropped), or why the text could not be decoded.
/// A node does not hold its whole path, so memory stays linear in the record's size however the
/// names and the nesting are made.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) parent: usize,
    pub(crate) depth: usize,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: Result<String, String>,
}

impl Node {
    /// The root of a record's node list (its element itself, whose start tag the caller read).
    pub(crate) fn root() -> Node {
        Node { name: String::new(), parent: 0, depth: 0, attrs: Vec::new(), text: Ok(String::new()) }
    }

    /// The value of attribute `key`.
    pub(crate) fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// How deep below a record's root elements are kept: the readers look at children and
/// grandchildren (`author/name`); deeper elements are read past with a counter, so memory does
/// not grow with the nesting depth.
pub(crate) const KEEP_DEPTH: usize = 2;

/// The attributes of a start tag, decoded.
pub(crate) fn attrs(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, Fail> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| Fail::Record(format!("malformed XML attribute: {e}")))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|e| Fail::Record(format!("attribute {key:?}: {e}")))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

struct Open {
    node: usize,
    pieces: Vec<(bool, String)>,
    err: Option<String>,
}

fn finish(nodes: &mut [Node], open: Open) {
    let has_cdata = open.pieces.iter().any(|(cdata, _)| *cdata);
    nodes[open.node].text = match open.err {
        Some(e) => Err(e),
        None => Ok(open
            .pieces
            .into_iter()
            .filter(|(cdata, s)| *cdata || !has_cdata || !s.trim().is_empty())
            .map(|(_, s)| s)
            .collect()),
    };
}

/// Reads the rest of the element whose start tag was just read (its subtree and its end tag)
/// into a flat list of nodes. The root itself is node 0 with name `""` and no attributes (the
/// caller has its start tag). Elements deeper than [`KEEP_DEPTH`] are skipped (their text
/// too); only a counter tracks them. On a bounded reader, an element longer than the bound is
/// read past to its end tag keeping nothing more; the root's text and every element open then
/// say why (the fields before it, its id among them, are kept to name the record).
pub(crate) fn collect<R: BufRead>(xml: &mut XmlReader<R>, buf: &mut Vec<u8>) -> Result<Vec<Node>, Fail> {
    collect_watching(xml, buf, &[], None)
}

/// Why an event spoils the record it is in (at a line), if it does.
pub(crate) type Spoils = fn(&Event<'_>, u64) -> Option<String>;

/// [`collect`], and an element named in `watch` anywhere below the root's direct children
/// (kept or read past) spoils the record: the root's text says where it is. A record's body
/// element written again deeper (`<wp:comment_content>` inside a `<wp:commentmeta>`, a
/// `<wp:comment>` inside a comment) is read by one importer and not by another, so which body a
/// site shows is not known. So does any event `spoils` names (the WXR reader's look-alikes of
/// its body tag, `super::wxr::look_alike`).
pub(crate) fn collect_watching<R: BufRead>(
    xml: &mut XmlReader<R>,
    buf: &mut Vec<u8>,
    watch: &[&str],
    spoils: Option<Spoils>,
) -> Result<Vec<Node>, Fail> {
    let start = xml.get_ref().position();
    let mut nested: Option<String> = None;
    let limit = xml.get_ref().limit();
    let mut nodes = vec![Node::root()];
    let mut stack = vec![Open { node: 0, pieces: Vec::new(), err: None }];
    // Open elements below the kept ones.
    let mut skipped = 0usize;
    loop {
        if let Some(limit) = limit.filter(|&l| xml.get_ref().position() - start > l) {
            let why = format!("the element is longer than {} MiB; read past and not judged", limit >> 20);
            let open = stack.len() + skipped;
            for o in stack.drain(..) {
                nodes[o.node].text = Err(why.clone());
            }
            skip_rest(xml, buf, open)?;
            return Ok(nodes);
        }
        let event = read_event(xml, buf)?;
        if let (None, Event::Start(e) | Event::Empty(e)) = (&nested, &event) {
            nested = nested_field(e, stack.len() + skipped, watch, xml.get_ref().line());
        }
        if let (None, Some(spoils)) = (&nested, spoils) {
            nested = spoils(&event, xml.get_ref().line());
        }
        match event {
            Event::Start(_) if skipped > 0 || stack.len() > KEEP_DEPTH => skipped += 1,
            Event::End(_) if skipped > 0 => skipped -= 1,
            Event::Empty(_) if stack.len() > KEEP_DEPTH => {}
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = attrs(&e)?;
                let parent = stack.last().map_or(0, |o| o.node);
                nodes.push(Node { name, parent, depth: stack.len(), attrs, text: Ok(String::new()) });
                stack.push(Open { node: nodes.len() - 1, pieces: Vec::new(), err: None });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attrs = attrs(&e)?;
                let parent = stack.last().map_or(0, |o| o.node);
                nodes.push(Node { name, parent, depth: stack.len(), attrs, text: Ok(String::new()) });
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else { return Err(Fail::Eof) };
                finish(&mut nodes, open);
                if stack.is_empty() {
                    if let (Some(why), Ok(_)) = (nested, &nodes[0].text) {
                        nodes[0].text = Err(why);
                    }
                    return Ok(nodes);
                }
            }
            Event::Text(_) | Event::CData(_) if skipped > 0 => {}
            Event::Text(t) => {
                let Some(top) = stack.last_mut() else { return Err(Fail::Eof) };
                match t.unescape() {
                    Ok(s) => top.pieces.push((false, s.into_owned())),
                    // Undefined entities (`&nbsp;` is common in exports): keep the text as is
                    // when it is an HTML entity (the body is HTML, decoded when judged). Any
                    // other name may be declared in a DOCTYPE (`<!ENTITY bad "...">`), which a
                    // DTD-expanding importer would show and we do not expand: ambiguous.
                    Err(quick_xml::Error::EscapeError(_)) => match std::str::from_utf8(&t) {
                        Ok(s) => match undefined_entity(s) {
                            Some(name) => {
                                top.err = Some(format!(
                                    "entity &{name}; is neither XML nor HTML (a DOCTYPE may declare it, and it \
                                     is not expanded); the text is ambiguous and is not judged"
                                ))
                            }
                            None => top.pieces.push((false, s.to_owned())),
                        },
                        Err(e) => top.err = Some(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)),
                    },
                    Err(e) => top.err = Some(e.to_string()),
                }
            }
            Event::CData(c) => {
                let Some(top) = stack.last_mut() else { return Err(Fail::Eof) };
                match std::str::from_utf8(&c) {
                    Ok(s) => top.pieces.push((true, s.to_owned())),
                    Err(e) => top.err = Some(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)),
                }
            }
            Event::Eof => return Err(Fail::Eof),
            _ => {}
        }
    }
}

/// Why element `e`, at `depth` below a record's root and named in `watch`, spoils its record.
fn nested_field(e: &BytesStart<'_>, depth: usize, watch: &[&str], line: u64) -> Option<String> {
    if depth < 2 || !watch.iter().any(|w| w.as_bytes() == e.name().as_ref()) {
        return None;
    }
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    Some(format!(
        "<{name}> at line {line} is nested below the element's own fields (importers differ on which body they \
         keep); the text is ambiguous and is not judged"
    ))
}

/// Reads past the rest of a record element too long to hold (`open` elements still open,
/// itself included), keeping nothing. An ill-formed end is its end too: the record is spoiled
/// already.
fn skip_rest<R: BufRead>(xml: &mut XmlReader<R>, buf: &mut Vec<u8>, mut open: usize) -> Result<(), Fail> {
    loop {
        match read_event(xml, buf) {
            Ok(Event::Start(_)) => open += 1,
            Ok(Event::End(_)) => {
                open -= 1;
                if open == 0 {
                    return Ok(());
                }
            }
            Ok(Event::Eof) => return Err(Fail::Eof),
            Ok(_) => {}
            Err(e) => {
                return match Fail::from(e) {
                    Fail::Record(_) => Ok(()),
                    f => Err(f),
                }
            }
        }
    }
}

/// The first `&name;` in `s` that is neither an XML nor an HTML named entity.
fn undefined_entity(s: &str) -> Option<&str> {
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        rest = &rest[p + 1..];
        let n = rest.bytes().take_while(|c| c.is_ascii_alphanumeric()).count();
        if n == 0 || rest.as_bytes().get(n) != Some(&b';') || rest.starts_with('#') {
            continue;
        }
        let name = &rest[..n];
        let reference = format!("&{name};");
        if html_escape::decode_html_entities(&reference) == reference {
            return Some(name);
        }
    }
    None
}

/// Whether node `i` sits at `path` (`a/b`, relative to the root; `""` is the root).
fn at_path(nodes: &[Node], i: usize, path: &str) -> bool {
    if path.is_empty() {
        return i == 0;
    }
    let mut i = i;
    let mut depth = nodes[i].depth;
    for seg in path.rsplit('/') {
        if i == 0 || nodes[i].name != seg || nodes[i].depth != depth {
            return false;
        }
        i = nodes[i].parent;
        depth -= 1;
    }
    i == 0
}

/// The indices of the nodes at `path`.
fn at<'a>(nodes: &'a [Node], path: &str) -> impl Iterator<Item = usize> + 'a {
    let path = path.to_string();
    (0..nodes.len()).filter(move |&i| at_path(nodes, i, &path))
}

/// The first of `paths` that has more than one element in the record: a record that names a
/// field twice is ambiguous (a site may show either), so readers refuse it.
pub(crate) fn duplicated<'p>(nodes: &[Node], paths: &[&'p str]) -> Option<&'p str> {
    paths.iter().copied().find(|p| at(nodes, p).nth(1).is_some())
}

/// Whether the element at `path` has child elements (text in them would not be in its text).
pub(crate) fn has_children(nodes: &[Node], path: &str) -> bool {
    nodes.iter().any(|n| n.depth > 0 && n.parent != 0 && at_path(nodes, n.parent, path))
        || (path.is_empty() && nodes.len() > 1)
}

/// The first node at `path`.
pub(crate) fn node<'a>(nodes: &'a [Node], path: &str) -> Option<&'a Node> {
    at(nodes, path).next().map(|i| &nodes[i])
}

/// The trimmed, non-empty text at `path`; `Err` names the field when it could not be decoded.
pub(crate) fn text(nodes: &[Node], path: &str) -> Result<Option<String>, String> {
    match node(nodes, path) {
        None => Ok(None),
        Some(n) => match &n.text {
            Ok(t) => {
                let t = t.trim();
                Ok((!t.is_empty()).then(|| t.to_string()))
            }
            Err(e) => Err(format!("field {path:?}: {e}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads to the first `<c>` start tag and collects it.
    fn first_record<R: BufRead>(xml: &mut XmlReader<R>, buf: &mut Vec<u8>) -> Option<Result<Vec<Node>, Fail>> {
        loop {
            match read_event(xml, buf) {
                Ok(Event::Start(e)) if e.name().as_ref() == b"c" => return Some(collect(xml, buf)),
                Ok(Event::Eof) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(Fail::from(e))),
            }
        }
    }

    fn body(nodes: &[Node]) -> Result<String, String> {
        node(nodes, "b").unwrap().text.clone()
    }

    #[test]
    fn a_text_over_the_bound_spoils_its_record_and_the_next_is_read() {
        let long = "x".repeat(1000);
        let doc = format!("<r><c><b>{long}&amp;{long}</b></c>\n<c><b>next</b></c></r>");
        let mut xml = bounded_reader(std::io::BufReader::with_capacity(8, doc.as_bytes()), 40);
        let mut buf = Vec::new();
        let first = first_record(&mut xml, &mut buf).unwrap().ok().unwrap();
        assert!(first[0].text.as_ref().unwrap_err().contains("longer than"), "{:?}", first[0].text);
        assert!(body(&first).is_err());
        // The text was cut at the bound, not held: the parser's buffer stayed near it.
        assert!(buf.capacity() < 200, "{}", buf.capacity());
        let second = first_record(&mut xml, &mut buf).unwrap().ok().unwrap();
        assert_eq!(body(&second).unwrap(), "next");
        assert_eq!(xml.get_ref().line(), 2);
        // Unbounded, the same text is read whole.
        let mut xml = xml_reader(doc.as_bytes());
        let first = first_record(&mut xml, &mut buf).unwrap().ok().unwrap();
        assert_eq!(body(&first).unwrap(), format!("{long}&{long}"));
    }

    #[test]
    fn markup_over_the_bound_ends_the_file() {
        for long in [
            format!("<c><b a=\"{}\">x</b></c>", "y".repeat(100)),
            format!("<c><b><![CDATA[{}]]></b></c>", "y<".repeat(100)),
            format!("<c><!--{}--><b>x</b></c>", "<".repeat(100)),
        ] {
            let doc = format!("<r>{long}<c><b>next</b></c></r>");
            let mut xml = bounded_reader(std::io::BufReader::with_capacity(8, doc.as_bytes()), 40);
            let mut buf = Vec::new();
            match first_record(&mut xml, &mut buf) {
                Some(Err(Fail::Fatal(m))) => assert!(m.contains("longer than"), "{m}"),
                other => panic!("{long}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_record_over_the_bound_is_read_past_and_the_next_is_read() {
        let many = "<b>short</b>".repeat(20);
        let doc = format!("<r><c>{many}<d><e>deep</e></d></c><c><b>next</b></c></r>");
        let mut xml = bounded_reader(std::io::BufReader::with_capacity(8, doc.as_bytes()), 60);
        let mut buf = Vec::new();
        let first = first_record(&mut xml, &mut buf).unwrap().ok().unwrap();
        assert!(first[0].text.as_ref().unwrap_err().contains("longer than"), "{:?}", first[0].text);
        assert_eq!(body(&first).unwrap(), "short");
        let second = first_record(&mut xml, &mut buf).unwrap().ok().unwrap();
        assert_eq!(body(&second).unwrap(), "next");
    }
}
