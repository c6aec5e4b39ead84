//! Per-stage benchmarks (criterion): `cargo bench --bench stages`, or one group with
//! `cargo bench --bench stages -- judge`.
//!
//! * `compile`   — `config::load_from` of the project's `config.toml` + `rules/` (read + compile).
//! * `normalize` — `Engine::normalize` alone, per comment kind and over the mix (bytes/s of body).
//! * `judge`     — `Engine::judge_with` (normalize + match + decide) with a reused `Scratch`.
//! * `read`      — the JSONL reader (`read::open`) over a temp file of about 4 MB (records built
//!   and dropped).
//! * `write`     — verdict JSONL serialization (`JsonlSink`) of the judged mix.
//! * `pipeline`  — `pipeline::run` over the same temp file on 1 and 2 threads into a null sink:
//!   read + judge + order + write in process, without the CLI.
//!
//! Throughput is in bytes of comment body per second (not JSON bytes), as in `bench/run.sh`.
//! The comments are synthetic and generated here (deterministic), so the bench runs anywhere:
//! plain sentences, profanity (plain and obfuscated), HTML with entities, links, non-ASCII text.
//! Set `MODERATE_BENCH_CORPUS=bench/out/corpus-20.jsonl` (any JSONL with `id` and `body`) to add
//! a `corpus` input of real comments (its first 20,000) to `normalize`, `judge` and `write`.
//! The end-to-end numbers (CLI, threads, RSS, against rg and peers) are `bench/run.sh`'s job.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use moderate::config::source::FileSource;
use moderate::engine::Scratch;
use moderate::{Comment, Engine};

/// Comments per generated kind.
const PER_KIND: usize = 400;

fn load() -> Engine {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match moderate::config::load_from(FileSource::Disk(dir), "config.toml") {
        Ok(loaded) => loaded.engine,
        Err(d) => panic!("config.toml does not load:\n{}", d.render(false)),
    }
}

/// A small deterministic PRNG (xorshift64*), so every run judges the same comments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "a",
    "this",
    "that",
    "article",
    "post",
    "author",
    "really",
    "think",
    "people",
    "government",
    "policy",
    "never",
    "always",
    "good",
    "point",
    "but",
    "and",
    "or",
    "because",
    "why",
    "would",
    "anyone",
    "believe",
    "data",
    "shows",
    "otherwise",
    "thanks",
    "for",
    "sharing",
    "I",
    "you",
    "we",
    "they",
    "agree",
    "disagree",
    "completely",
    "interesting",
    "read",
    "last",
    "week",
    "city",
    "council",
    "vote",
    "tax",
    "school",
    "game",
    "team",
    "season",
    "player",
    "coach",
    "video",
    "music",
    "song",
    "great",
    "terrible",
    "idea",
    "class",
    "assessment",
    "Scunthorpe",
    "cocktail",
    "passage",
    "analysis",
    "grape",
    "shiitake",
    "therapist",
    "document",
    "skills",
    "hello",
];
const PROFANE: &[&str] = &[
    "fuck", "fucking", "shit", "asshole", "bitch", "cunt", "damn", "crap", "sh1t", "f*ck", "a$$hole", "fuuuck",
    "s h i t", "FUCK", "B1TCH", "idiot", "moron", "stupid",
];
const HTML: &[&str] = &[
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<br/>",
    "&amp;",
    "&quot;",
    "&#39;",
    "&lt;3",
    "&nbsp;",
    "&#x66;&#x75;ck",
    "<a href=\"https://example.org/x\">link</a>",
    "<i>",
    "</i>",
];
const LINKS: &[&str] = &[
    "https://example.com/article/2024/11/some-long-slug?utm_source=feed&id=42",
    "http://bit.ly/3xYzAbC",
    "www.cheap-pills-online.biz",
    "check out my channel youtube.com/c/spammer",
    "https://t.co/AbCdEf123",
    "mailto:someone@example.net",
];
const NON_ASCII: &[&str] = &[
    "Très",
    "bien",
    "ça",
    "marche",
    "naïve",
    "façade",
    "Привет",
    "как",
    "дела",
    "日本語",
    "のコメント",
    "😀",
    "👍🏽",
    "ｆｕｃｋ",
    "𝐬𝐡𝐢𝐭",
    "fu\u{200b}ck",
    "shít",
    "Straße",
    "مرحبا",
    "ελληνικά",
    "€",
    "—",
    "“quoted”",
];

#[derive(Clone, Copy)]
enum Kind {
    Plain,
    Profanity,
    Html,
    Links,
    NonAscii,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Plain, Kind::Profanity, Kind::Html, Kind::Links, Kind::NonAscii];
    fn name(self) -> &'static str {
        match self {
            Kind::Plain => "plain",
            Kind::Profanity => "profanity",
            Kind::Html => "html",
            Kind::Links => "links",
            Kind::NonAscii => "non-ascii",
        }
    }
    /// Share of this kind in the `mix` (out of 20).
    fn weight(self) -> usize {
        match self {
            Kind::Plain => 10,
            Kind::Profanity => 3,
            Kind::Html => 2,
            Kind::Links => 2,
            Kind::NonAscii => 3,
        }
    }
}

/// One body of `kind`: 6..40 words (about 40..250 bytes; the dev data's mean is ~120 bytes).
fn body(rng: &mut Rng, kind: Kind) -> String {
    let n = 6 + rng.below(35);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let special = rng.below(8) == 0;
        let w = match kind {
            Kind::Profanity if special || i == n / 2 => rng.pick(PROFANE),
            Kind::Html if special || i == 0 => rng.pick(HTML),
            Kind::Links if i == n / 2 => rng.pick(LINKS),
            Kind::NonAscii if rng.below(3) == 0 => rng.pick(NON_ASCII),
            _ => rng.pick(WORDS),
        };
        s.push_str(w);
    }
    s.push(if rng.below(4) == 0 { '!' } else { '.' });
    s
}

fn comments(kind: Kind, n: usize, seed: u64) -> Vec<Comment> {
    let mut rng = Rng(seed | 1);
    (0..n).map(|i| Comment::new(format!("{}-{i}", kind.name()), body(&mut rng, kind))).collect()
}

/// The weighted mix of all kinds, interleaved.
fn mix() -> Vec<Comment> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let total: usize = Kind::ALL.iter().map(|k| k.weight()).sum();
    (0..PER_KIND * Kind::ALL.len())
        .map(|i| {
            let mut r = rng.below(total);
            let kind = *Kind::ALL
                .iter()
                .find(|k| {
                    if r < k.weight() {
                        true
                    } else {
                        r -= k.weight();
                        false
                    }
                })
                .unwrap();
            Comment::new(format!("mix-{i}"), body(&mut rng, kind))
        })
        .collect()
}

/// The first 20,000 comments of `$MODERATE_BENCH_CORPUS`, if set.
fn corpus() -> Option<Vec<Comment>> {
    use moderate::read::{self, Format, Input, ReadOptions};
    let path = std::env::var_os("MODERATE_BENCH_CORPUS")?;
    let input = Input { path: PathBuf::from(path), format: Format::Jsonl };
    let records = read::open(&input, &ReadOptions::default()).expect("MODERATE_BENCH_CORPUS: cannot open");
    Some(records.filter_map(Result::ok).take(20_000).collect())
}

fn sets() -> Vec<(&'static str, Vec<Comment>)> {
    let mut v: Vec<_> =
        Kind::ALL.iter().enumerate().map(|(i, &k)| (k.name(), comments(k, PER_KIND, 1000 + i as u64))).collect();
    v.push(("mix", mix()));
    if let Some(c) = corpus() {
        v.push(("corpus", c));
    }
    v
}

fn bytes(cs: &[Comment]) -> u64 {
    cs.iter().map(|c| c.body.len() as u64).sum()
}

fn bench_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    g.bench_function("config.toml", |b| b.iter(|| black_box(load())));
    g.finish();
}

fn bench_normalize(c: &mut Criterion) {
    let engine = load();
    let mut g = c.benchmark_group("normalize");
    for (name, cs) in sets() {
        g.throughput(Throughput::Bytes(bytes(&cs)));
        g.bench_with_input(BenchmarkId::from_parameter(name), &cs, |b, cs| {
            b.iter(|| {
                for c in cs {
                    black_box(engine.normalize(black_box(&c.body)));
                }
            })
        });
    }
    g.finish();
}

fn bench_judge(c: &mut Criterion) {
    let engine = load();
    let mut g = c.benchmark_group("judge");
    for (name, cs) in sets() {
        g.throughput(Throughput::Bytes(bytes(&cs)));
        g.bench_with_input(BenchmarkId::from_parameter(name), &cs, |b, cs| {
            let mut scratch = Scratch::default();
            b.iter(|| {
                for c in cs {
                    black_box(engine.judge_with(black_box(c), &mut scratch));
                }
            })
        });
    }
    g.finish();
}

/// Writes the mix as JSONL, repeated to about 4 MB, into a temp file; returns (file, rows, body bytes).
fn jsonl_file() -> (tempfile::NamedTempFile, u64, u64) {
    let cs = mix();
    let mut f = tempfile::Builder::new().suffix(".jsonl").tempfile().expect("temp file");
    let (mut rows, mut body, mut written) = (0u64, 0u64, 0usize);
    let mut copy = 0;
    while written < 4_000_000 {
        let mut buf = String::new();
        for c in &cs {
            let line = serde_json::json!({"id": format!("{copy}-{}", c.id), "body": c.body, "author": "bench", "kind": "comment"});
            buf.push_str(&line.to_string());
            buf.push('\n');
            rows += 1;
            body += c.body.len() as u64;
        }
        written += buf.len();
        f.write_all(buf.as_bytes()).expect("write temp file");
        copy += 1;
    }
    f.flush().expect("flush temp file");
    (f, rows, body)
}

fn bench_read(c: &mut Criterion) {
    use moderate::read::{self, Format, Input, ReadOptions};
    let (file, rows, body) = jsonl_file();
    let input = Input { path: file.path().to_path_buf(), format: Format::Jsonl };
    let opts = ReadOptions::default();
    let mut g = c.benchmark_group("read");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(body));
    g.bench_function("jsonl", |b| {
        b.iter(|| {
            let n = read::open(&input, &opts).expect("open").count() as u64;
            assert_eq!(n, rows);
            black_box(n)
        })
    });
    g.finish();
}

fn bench_write(c: &mut Criterion) {
    use moderate::write::jsonl::JsonlSink;
    use moderate::write::{Judged, Sink};
    let engine = load();
    let mut g = c.benchmark_group("write");
    for (name, cs) in sets().into_iter().filter(|(n, _)| matches!(*n, "mix" | "corpus")) {
        let judged: Vec<Judged> =
            cs.iter().map(|c| Judged { verdict: engine.judge(c), record: Ok(c.clone()) }).collect();
        g.throughput(Throughput::Bytes(bytes(&cs)));
        g.bench_with_input(BenchmarkId::new("jsonl", name), &judged, |b, judged| {
            let mut out = Vec::with_capacity(1 << 20);
            b.iter(|| {
                out.clear();
                let mut sink = JsonlSink::new(&mut out);
                for j in judged {
                    sink.write(j).expect("write to memory");
                }
                black_box(out.len())
            })
        });
    }
    g.finish();
}

/// Counts what reaches it (the pipeline needs a sink; this one does no I/O).
struct NullSink(u64);

impl moderate::write::Sink for NullSink {
    fn write(&mut self, _: &moderate::write::Judged) -> std::io::Result<()> {
        self.0 += 1;
        Ok(())
    }
}

fn bench_pipeline(c: &mut Criterion) {
    use moderate::pipeline::{self, RunOptions};
    use moderate::read::{Format, Input, ReadOptions};
    let engine = load();
    let (file, rows, body) = jsonl_file();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(body));
    for jobs in [1, 2] {
        g.bench_function(BenchmarkId::new("jsonl", format!("j{jobs}")), |b| {
            let opts = RunOptions { jobs, read: ReadOptions::default(), author_policy: false };
            b.iter(|| {
                let input = Input { path: file.path().to_path_buf(), format: Format::Jsonl };
                let mut sink = NullSink(0);
                let mut sinks: Vec<&mut dyn moderate::write::Sink> = vec![&mut sink];
                pipeline::run(&engine, vec![input], &opts, &mut sinks, &mut ()).expect("pipeline");
                drop(sinks);
                assert_eq!(sink.0, rows);
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = stages;
    config = config();
    targets = bench_compile, bench_normalize, bench_judge, bench_read, bench_write, bench_pipeline
}
criterion_main!(stages);
