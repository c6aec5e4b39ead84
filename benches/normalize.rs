//! Throughput of the normalizer (and the wordlist scan on its output) on a generated comment
//! mix: mostly plain English, some HTML, some evasions, some non-ASCII.
//!
//! Run with `cargo bench --bench normalize`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use moderate::matcher::wordlist::{parse_terms, ListSpec, WordMode, WordlistSet};
use moderate::normalize::{NormalizeOptions, Normalized, Normalizer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const PLAIN: &[&str] = &[
    "I read the whole article twice and I still think the author missed the main point.",
    "Thanks for posting this, it helped me fix the problem with my router last night.",
    "The council voted on the new budget yesterday, and the library hours will be cut again.",
    "My grandmother made this recipe every winter; we used more garlic and less salt.",
    "Does anyone know whether the 2019 model has the same battery as the older one?",
    "Great photos! The light on the harbour in the third picture is just beautiful.",
    "I disagree. The data in the second chart only covers 40% of the districts.",
    "We visited Scunthorpe and Penistone last summer, and the cocktail bar was lovely.",
    "You make a fair point, but the class sizes have grown every year since 2010.",
    "Check the documentation at https://example.com/docs/v2/setup before you ask again.",
];
const HTML: &[&str] = &[
    "<p>I think this is &quot;fine&quot; &amp; the rest is <b>not</b> my problem.</p>",
    "Loved it &mdash; especially the part about the caf&eacute; on Main St.<br />Cheers",
    "<a href=\"http://example.com\">link</a> to the <i>original</i> post &#8230;",
];
const EVASIVE: &[&str] = &[
    "what a f.u.c.k.i.n.g joke this thread is",
    "you absolute sh1theads, go read a b00k",
    "this is such bullsh!t, fuuuuuck off",
    "the mayor is a d0uchеb@g and a j@ck4ss",
    "<b>fu</b>ck this, s&#104;it happens",
    "stop being a b i t c h about it",
];
const UNICODE: &[&str] = &[
    "Das ist wirklich schön, danke für den Beitrag über Straßenbahnen in Köln.",
    "très bien écrit, merci ! 😀👍",
    "日本語のコメントもあります。とても良い記事でした。",
    "ｆｕｃｋ this and 𝐬𝐡𝐢𝐭 that, ѕһіt happens",
];

/// A deterministic mix: 80% plain, 8% HTML, 6% evasive, 6% non-ASCII; 1-4 sentences each.
fn corpus(n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(7);
    (0..n)
        .map(|_| {
            let k = rng.gen_range(1..=4);
            let mut body = String::new();
            for _ in 0..k {
                let roll = rng.gen_range(0..100);
                let pool = match roll {
                    0..=79 => PLAIN,
                    80..=87 => HTML,
                    88..=93 => EVASIVE,
                    _ => UNICODE,
                };
                if !body.is_empty() {
                    body.push(' ');
                }
                body.push_str(pool.choose(&mut rng).expect("non-empty pool"));
            }
            body
        })
        .collect()
}

fn lists(n: &Normalizer) -> WordlistSet {
    let spec = |terms: &str, allow: &str| ListSpec {
        terms: parse_terms(terms),
        mode: WordMode::Word,
        fuzzy: true,
        allow: parse_terms(allow),
    };
    let lists = [
        spec(include_str!("../rules/profanity/strong.txt"), include_str!("../rules/allow/strong.txt")),
        spec(include_str!("../rules/profanity/mild.txt"), include_str!("../rules/allow/mild.txt")),
    ];
    WordlistSet::build(&lists, n).expect("lists compile")
}

fn bench(c: &mut Criterion) {
    let comments = corpus(2_000);
    let bytes: usize = comments.iter().map(String::len).sum();
    let normalizer = Normalizer::new(&NormalizeOptions::default());
    let set = lists(&normalizer);

    let mut group = c.benchmark_group("normalize");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("mix", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            let mut total = 0;
            for body in &comments {
                normalizer.normalize_into(body, &mut out);
                total += out.text.len();
            }
            total
        })
    });
    group.bench_function("mix+wordlists", |b| {
        let mut out = Normalized::default();
        let mut hits = Vec::new();
        b.iter(|| {
            let mut total = 0;
            for body in &comments {
                normalizer.normalize_into(body, &mut out);
                hits.clear();
                set.find(&out.text, &mut hits);
                total += hits.len();
            }
            total
        })
    });
    let plain: Vec<&str> = PLAIN.iter().copied().cycle().take(2_000).collect();
    let plain_bytes: usize = plain.iter().map(|s| s.len()).sum();
    group.throughput(Throughput::Bytes(plain_bytes as u64));
    group.bench_function("plain-ascii", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            for body in &plain {
                normalizer.normalize_into(body, &mut out);
            }
            out.text.len()
        })
    });
    group.finish();

    c.bench_function("wordlists/build", |b| b.iter(|| lists(&normalizer).pattern_count()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
