//! Fuzz targets for `moderate`: each takes arbitrary bytes, drives one public entry point and
//! panics (a crash to the fuzzer) when an invariant of the product contract breaks.
//!
//! Targets share one input layout: byte 0 holds flags, the rest is the payload. For the
//! readers, flag bit 0 picks the mode:
//!
//! * **raw** (bit 0 clear): the payload is the input file as is. Checked: no panic, records in
//!   source order with lines inside the file, and for JSONL exactly one record per non-blank line
//!   (the same records whether read whole or as pipeline chunks).
//! * **structured** (bit 0 set): the payload is cut into records (`0xFF` between records, `0xFE`
//!   between body and author) that are written out in the format with correct quoting. Checked:
//!   one output record per input record, in order, with the exact body, id and author.
//!
//! Bit 1 asks readers to keep raw records; bit 2 writes CRLF line ends (JSONL, CSV) or a
//! minified one-line export (WXR, Disqus).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use moderate::config::source::FileSource;
use moderate::read::{self, Format, Input, ReadOptions, Record, Stream};
use moderate::Engine;

pub mod alloc;
pub mod model;
pub mod pipeline;
pub mod text;

/// A fuzz target: bytes in, panic on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target by name, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: [(&str, Target); 10] = [
    ("jsonl", jsonl),
    ("csv", csv),
    ("thread", thread),
    ("wxr", wxr),
    ("disqus", disqus),
    ("config", config),
    ("normalize", text::normalize),
    ("serve", serve),
    ("model", model::model),
    ("pipeline", pipeline::pipeline),
];

/// `serve`'s request bodies: `/v1/check` (JSON, NDJSON; flag bit 0 picks) and the Akismet
/// form decoder on raw bytes. Checked: no panic, and an accepted request holds at most the
/// batch limit of comments, each within the comment limit.
pub fn serve(data: &[u8]) {
    use moderate::serve::input::{parse_check, Fields, Limits};
    let (flags, payload) = data.split_first().map_or((0, data), |(f, p)| (*f, p));
    let limits = Limits { max_body: 1 << 16, max_comment: 256, max_batch: 8 };
    let fields = Fields::new(&moderate::read::FieldMap::default());
    let ct = if flags & 1 == 0 { "application/json" } else { "application/x-ndjson" };
    let mut n = 0;
    let mut next_id = || {
        n += 1;
        format!("live-{n}")
    };
    if let Ok((_, comments)) = parse_check(Some(ct), payload, &fields, limits, &mut next_id) {
        assert!(!comments.is_empty() && comments.len() <= limits.max_batch, "{} comments", comments.len());
        for c in &comments {
            assert!(c.body.len() <= limits.max_comment, "a {}-byte body passed", c.body.len());
        }
    }
    let _ = moderate::serve::akismet::parse_form(payload);
}

/// Does the one-time work of target `name` (compiling the built-in pack and its patterns) so
/// that it happens once, before the fuzzer forks, and not inside the first timed input.
pub fn prepare(name: &str) {
    if name == "normalize" || name == "pipeline" {
        let engine = builtin();
        let _ = engine.compile_all();
        text::check_judgement(engine, "warm up: you are an idiot, f.u.c.k &amp; <b>x</b> http://x.example");
    }
    let _ = scratch_dir();
}

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A scratch directory of this process (on tmpfs when there is one: a file is written per run).
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        let dir = base.join(format!("moderate-fuzz-{}", std::process::id()));
        fs::create_dir_all(dir.join("rules")).expect("scratch dir");
        dir
    })
}

/// The built-in pack, compiled once per process.
pub fn builtin() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        moderate::config::load_from(FileSource::Builtin, "config.toml")
            .map(|l| l.engine)
            .unwrap_or_else(|d| panic!("the built-in pack does not load:\n{}", d.short()))
    })
}

/// Flags and payload of a fuzz input.
struct In<'a> {
    structured: bool,
    keep_raw: bool,
    alt: bool,
    payload: &'a [u8],
}

fn split_input(data: &[u8]) -> In<'_> {
    let (flags, payload) = data.split_first().map_or((0, data), |(f, p)| (*f, p));
    In { structured: flags & 1 != 0, keep_raw: flags & 2 != 0, alt: flags & 4 != 0, payload }
}

/// One generated record: what was written, and so what must come back.
#[derive(Debug, Clone)]
pub struct Rec {
    /// The body as written.
    pub body: String,
    /// The author as written (may be empty).
    pub author: String,
}

/// Cuts a payload into at most 64 records (`0xFF` between records, `0xFE` before the author).
pub fn records(payload: &[u8]) -> Vec<Rec> {
    payload
        .split(|&b| b == 0xFF)
        .take(64)
        .map(|piece| {
            let mut parts = piece.splitn(2, |&b| b == 0xFE);
            let body = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            let author = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            Rec { body, author }
        })
        .collect()
}

/// Writes `bytes` to the scratch file `name` and reads it back as `format`.
fn read_back(name: &str, bytes: &[u8], format: Format, keep_raw: bool) -> (PathBuf, Vec<Record>) {
    let path = scratch_dir().join(name);
    fs::write(&path, bytes).expect("write scratch input");
    let input = Input { path: path.clone(), format };
    let opts = ReadOptions { keep_raw, ..ReadOptions::default() };
    let recs: Vec<Record> = read::open(&input, &opts).expect("open scratch input").collect();
    (path, recs)
}

/// The lines of `bytes` without their ends, where LF, CRLF and a lone CR each end a line (a
/// last line without an end is included).
fn universal_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            None => {
                out.push(rest);
                break;
            }
            Some(i) => {
                out.push(&rest[..i]);
                let crlf = rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n');
                rest = &rest[i + 1 + usize::from(crlf)..];
            }
        }
    }
    out
}

/// Records come in source order, each at a line of the file.
fn check_lines(bytes: &[u8], recs: &[Record]) {
    let lines = universal_lines(bytes).len() as u64 + 1;
    let mut last = 0;
    for r in recs {
        let line = match r {
            Ok(c) => c.source.as_ref().expect("a read comment knows its source").line,
            Err(e) => e.source.line,
        };
        assert!(line >= 1 && line <= lines, "record at line {line} of a {lines}-line input: {r:?}");
        assert!(line >= last, "records out of order: line {line} after line {last}");
        last = line;
        let id = match r {
            Ok(c) => &c.id,
            Err(e) => &e.id,
        };
        assert!(!id.is_empty(), "a record without an id: {r:?}");
    }
}

/// Structured mode: every generated record came back, in order, intact.
fn check_same(kind: &str, recs: &[Record], want: &[Rec], author_of: impl Fn(&str) -> Option<String>) {
    assert_eq!(recs.len(), want.len(), "{kind}: {} records written, {} read: {recs:#?}", want.len(), recs.len());
    for (i, (got, w)) in recs.iter().zip(want).enumerate() {
        let c = match got {
            Ok(c) => c,
            Err(e) => panic!("{kind}: record {i} (body {:?}) became an error: {e:?}", w.body),
        };
        assert_eq!(c.body, w.body, "{kind}: record {i}: body changed");
        assert_eq!(c.author, author_of(&w.author), "{kind}: record {i}: author changed");
    }
}

fn nonempty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn trimmed(s: &str) -> Option<String> {
    nonempty(s.trim())
}

/// JSONL reader.
pub fn jsonl(data: &[u8]) {
    let inp = split_input(data);
    if inp.structured {
        let want = records(inp.payload);
        let nl = if inp.alt { "\r\n" } else { "\n" };
        let mut file = String::new();
        for (i, r) in want.iter().enumerate() {
            let mut obj = serde_json::Map::new();
            obj.insert("id".into(), format!("c{i}").into());
            obj.insert("body".into(), r.body.clone().into());
            obj.insert("author".into(), r.author.clone().into());
            file.push_str(&serde_json::Value::Object(obj).to_string());
            file.push_str(nl);
        }
        let (_, recs) = read_back("in.jsonl", file.as_bytes(), Format::Jsonl, inp.keep_raw);
        check_same("jsonl", &recs, &want, nonempty);
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r.as_ref().map(|c| c.id.as_str()).ok(), Some(format!("c{i}").as_str()));
        }
        check_chunks("in.jsonl", &recs, inp.keep_raw);
        return;
    }
    let bytes = inp.payload;
    let (_, recs) = read_back("in.jsonl", bytes, Format::Jsonl, inp.keep_raw);
    check_lines(bytes, &recs);
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !maybe_wide(bytes) {
        // A byte order mark opening any line is skipped by the reader (concatenated files), so a
        // line of a mark and white space is blank too.
        let blank = |l: &[u8]| l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l).iter().all(u8::is_ascii_whitespace);
        let nonblank = universal_lines(body).into_iter().filter(|l| !blank(l)).count();
        assert_eq!(recs.len(), nonblank, "one record per non-blank line");
    }
    check_chunks("in.jsonl", &recs, inp.keep_raw);
    // Format sniffing on the same bytes must not panic either.
    let _ = read::resolve_inputs(&[scratch_dir().join("in.jsonl")], None);
}

/// Whether the reader may decode `bytes` as UTF-16 or UTF-32 (a byte order mark of theirs, or a
/// NUL among the first four bytes: docs/read.md): its lines are then not the raw bytes' lines.
fn maybe_wide(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.iter().take(4).any(|&b| b == 0)
}

/// The pipeline's chunked JSONL path yields exactly the records of the plain reader.
fn check_chunks(name: &str, want: &[Record], keep_raw: bool) {
    let input = Input { path: scratch_dir().join(name), format: Format::Jsonl };
    let opts = ReadOptions { keep_raw, ..ReadOptions::default() };
    let Ok(Stream::Jsonl(chunks)) = read::open_stream(&input, &opts) else {
        panic!("a JSONL input opens as chunks");
    };
    let mut got = Vec::new();
    for chunk in chunks {
        match chunk {
            Ok(c) => c.parse(&mut got),
            Err(e) => got.push(Err(e)),
        }
    }
    assert_eq!(got, want, "chunked and whole-file JSONL reading differ");
}

fn csv_cell(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// CSV reader.
pub fn csv(data: &[u8]) {
    let inp = split_input(data);
    if inp.structured {
        let want = records(inp.payload);
        let nl = if inp.alt { "\r\n" } else { "\n" };
        let mut file = format!("id,body,author{nl}");
        for (i, r) in want.iter().enumerate() {
            file.push_str(&format!("c{i},{},{}{nl}", csv_cell(&r.body), csv_cell(&r.author)));
        }
        let (_, recs) = read_back("in.csv", file.as_bytes(), Format::Csv, inp.keep_raw);
        check_same("csv", &recs, &want, trimmed);
        return;
    }
    let (_, recs) = read_back("in.csv", inp.payload, Format::Csv, inp.keep_raw);
    check_lines(inp.payload, &recs);
    let _ = read::resolve_inputs(&[scratch_dir().join("in.csv")], None);
}

/// A line of thread-page text: no line breaks, no surrounding whitespace.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ").trim().to_string()
}

/// Thread-page reader.
pub fn thread(data: &[u8]) {
    let inp = split_input(data);
    if inp.structured {
        let mut want = records(inp.payload);
        let mut file = String::from("An article.\n\nDiscussion Policy\n\n");
        for (i, r) in want.iter_mut().enumerate() {
            // The format cannot carry leading/trailing spaces, blank lines or a body that looks
            // like the page's policy marker: generate what it can carry.
            let lines: Vec<&str> = r.body.split('\n').map(|l| l.trim_matches(|c: char| c.is_whitespace())).collect();
            let lines: Vec<&str> = lines.into_iter().filter(|l| !l.is_empty() && *l != "Discussion Policy").collect();
            r.body = if lines.is_empty() { "x".to_string() } else { lines.join("\n") };
            let mut author = one_line(&r.author);
            if author.starts_with("Pingback:") || author.starts_with("Trackback:") {
                author.insert(0, 'x');
            }
            r.author = author;
            file.push_str(&format!("  {}. {} said:\n\n", i + 1, r.author));
            for l in r.body.lines() {
                file.push_str(&format!("    {l}\n"));
            }
            file.push('\n');
        }
        let (_, recs) = read_back("in.txt", file.as_bytes(), Format::Thread, inp.keep_raw);
        check_same("thread", &recs, &want, trimmed);
        return;
    }
    let (_, recs) = read_back("in.txt", inp.payload, Format::Thread, inp.keep_raw);
    check_lines(inp.payload, &recs);
    let _ = read::resolve_inputs(&[scratch_dir().join("in.txt")], None);
}

/// Text that XML 1.0 can carry in CDATA (no control characters but tab and newline), as the
/// expected value, and its CDATA form (a `]]>` inside is split across two sections).
fn xml_safe(s: &str) -> String {
    s.chars().filter(|&c| c == '\t' || c == '\n' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')).collect()
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn xml_records(payload: &[u8]) -> Vec<Rec> {
    records(payload).into_iter().map(|r| Rec { body: xml_safe(&r.body), author: xml_safe(&r.author) }).collect()
}

/// `s` with a space after each `<` that opens `wp:comment_content` in any case: the WXR reader
/// makes a comment holding that tag raw in a CDATA section an error record on purpose (WordPress's
/// regex importer would take the body from there; round 13), so generated text must not hold it.
fn defuse_body_tag(s: &str) -> String {
    let tag = b"wp:comment_content";
    let mut out = String::with_capacity(s.len());
    for (i, ch) in s.char_indices() {
        out.push(ch);
        let next = s.as_bytes().get(i + 1..i + 1 + tag.len());
        if ch == '<' && next.is_some_and(|n| n.eq_ignore_ascii_case(tag)) {
            out.push(' ');
        }
    }
    out
}

/// WordPress export reader.
pub fn wxr(data: &[u8]) {
    let inp = split_input(data);
    if inp.structured {
        let want: Vec<Rec> = xml_records(inp.payload)
            .into_iter()
            .map(|r| Rec { body: defuse_body_tag(&r.body), author: defuse_body_tag(&r.author) })
            .collect();
        let nl = if inp.alt { "" } else { "\n" };
        let mut file = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{nl}<rss version=\"2.0\" \
             xmlns:wp=\"http://wordpress.org/export/1.2/\">{nl}<channel>{nl}<item>{nl}<wp:post_id>7</wp:post_id>{nl}"
        );
        for (i, r) in want.iter().enumerate() {
            file.push_str(&format!(
                "<wp:comment>{nl}<wp:comment_id>c{i}</wp:comment_id>{nl}<wp:comment_author>{}</wp:comment_author>{nl}\
                 <wp:comment_content>{}</wp:comment_content>{nl}<wp:comment_approved>1</wp:comment_approved>{nl}\
                 </wp:comment>{nl}",
                cdata(&r.author),
                cdata(&r.body)
            ));
        }
        file.push_str(&format!("</item>{nl}</channel>{nl}</rss>{nl}"));
        let (_, recs) = read_back("in.wxr", file.as_bytes(), Format::Wxr, inp.keep_raw);
        check_same("wxr", &recs, &want, trimmed);
        return;
    }
    let (_, recs) = read_back("in.wxr", inp.payload, Format::Wxr, inp.keep_raw);
    check_lines(inp.payload, &recs);
    let _ = read::resolve_inputs(&[scratch_dir().join("in.wxr")], None);
}

/// Disqus export reader.
pub fn disqus(data: &[u8]) {
    let inp = split_input(data);
    if inp.structured {
        let want = xml_records(inp.payload);
        let nl = if inp.alt { "" } else { "\n" };
        let mut file = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>{nl}<disqus xmlns=\"http://disqus.com\" \
             xmlns:dsq=\"http://disqus.com/disqus-internals\">{nl}<thread dsq:id=\"t1\"><link>http://x/</link></thread>{nl}"
        );
        for (i, r) in want.iter().enumerate() {
            file.push_str(&format!(
                "<post dsq:id=\"c{i}\">{nl}<message>{}</message>{nl}<author><name>{}</name></author>{nl}\
                 <thread dsq:id=\"t1\"/>{nl}</post>{nl}",
                cdata(&r.body),
                cdata(&r.author)
            ));
        }
        file.push_str("</disqus>\n");
        let (_, recs) = read_back("in.xml", file.as_bytes(), Format::Disqus, inp.keep_raw);
        check_same("disqus", &recs, &want, trimmed);
        return;
    }
    let (_, recs) = read_back("in.xml", inp.payload, Format::Disqus, inp.keep_raw);
    check_lines(inp.payload, &recs);
    let _ = read::resolve_inputs(&[scratch_dir().join("in.xml")], None);
}

/// Config + rules loader: `config.toml`, `rules/a.txt` and `rules/b.txt` from the payload
/// (separated by NUL bytes; the config made valid UTF-8). Checked: no panic; every error names `file:line:col` and renders;
/// a config that loads judges its own terms and examples without a panic, spans exact.
pub fn config(data: &[u8]) {
    let mut parts = data.splitn(3, |&b| b == 0);
    let toml = parts.next().unwrap_or_default();
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or_default();
    let dir = scratch_dir();
    // The config is made UTF-8 (a non-UTF-8 config is one known error, found by an early run):
    // the fuzzer's time goes to TOML and rule semantics. Rule files stay raw bytes.
    let toml = String::from_utf8_lossy(toml);
    fs::write(dir.join("config.toml"), toml.as_bytes()).expect("write config");
    fs::write(dir.join("rules/a.txt"), a).expect("write list");
    fs::write(dir.join("rules/b.txt"), b).expect("write list");
    match moderate::config::load_checked(Some(&dir.join("config.toml"))) {
        Err(diags) => {
            assert!(diags.has_errors(), "a failed load says why");
            for d in &diags.items {
                if d.severity == moderate::config::diag::Severity::Error {
                    assert!(diags.location(d).is_some(), "an error without file:line:col: {}", d.message);
                }
            }
            let _ = diags.render(false);
        }
        Ok(loaded) => {
            let _ = loaded.diagnostics.render(false);
            let engine = loaded.engine;
            let _ = engine.compile_all();
            let mut bodies: Vec<String> = Vec::new();
            for part in [toml.as_bytes(), a, b] {
                let s = String::from_utf8_lossy(part);
                bodies.extend(s.lines().take(64).map(str::to_string));
                bodies.push(s.into_owned());
            }
            for r in &loaded.raw.rules {
                bodies.extend(r.examples.matches.iter().chain(&r.examples.no_match).cloned());
            }
            for body in bodies.iter().take(200) {
                text::check_judgement(&engine, body);
            }
        }
    }
}
