//! The review page on a big queue: fills a queue of N items (default 1,000,000; reused when the
//! file already has them) and times each kind of page through the real router, in-process.
//!
//! ```text
//! cargo run --release --example review_page -- [N] [DB]      # DB default target/review-bench.db
//! ```
//!
//! Prints one line per request: the median and the worst of 5 runs, and the response size.
//! docs/review.md has the numbers.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use moderate::comment::Comment;
use moderate::review::server::{router, AppState};
use moderate::review::store::{NewDecision, ReviewAction, Target};
use moderate::review::{QueueSink, Store};
use moderate::write::{Judged, Sink};
use moderate::verdict::{Action, Decision, Reason, Span, Verdict};
use tower::ServiceExt;

const TOKEN: &str = "bench-token";

/// Queues `n` items through the run's own sink (batched transactions), from number `from` on.
fn fill(path: &str, from: usize, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let cats = ["attack", "profanity", "spam", "threat", "identity"];
    let mut sink = QueueSink::open(path)?;
    for i in from..from + n {
        let author = format!("author{}", i % 50_000);
        let body = format!(
            "comment {i} by {author}: you idiot, this is a longer body of a flagged comment that \
             says something about post {} and goes on for a while to look like a real one",
            i % 2000
        );
        let cat = cats[i % cats.len()];
        let verdict = Verdict {
            id: format!("c{i}"),
            verdict: Decision::Flag,
            score: ((i * 7919) % 1000) as f64 / 100.0,
            reasons: vec![Reason {
                rule: format!("{cat}.rule{}", i % 7),
                category: cat.into(),
                action: Some(Action::Flag),
                score: 1.0,
                message: "matched".into(),
                matches: vec![Span { start: 0, end: 7, text: "comment".into() }],
                counted_by: None,
                match_count: None,
            }],
            error: None,
            source: None,
        };
        let comment = Comment {
            author: Some(author),
            author_email: Some(format!("user{}@example.com", i % 60_000)),
            ip: Some(format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)),
            post_id: Some(format!("post{}", i % 2000)),
            created_at: Some(format!("2024-{:02}-{:02}T{:02}:00:00Z", 1 + i % 12, 1 + i % 28, i % 24)),
            ..Comment::new(format!("c{i}"), body)
        };
        sink.write(&Judged { record: Ok(comment), verdict })?;
        if i % 50_000 == 49_999 {
            eprint!("\rqueued {}", i + 1);
        }
    }
    sink.finish()?;
    eprintln!();
    Ok(())
}

async fn time(app: &axum::Router, uri: &str) -> (Duration, Duration, usize, u16) {
    let mut times = Vec::new();
    let mut size = 0;
    let mut status = 0;
    for _ in 0..5 {
        let req = Request::builder()
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8787")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request");
        let t = Instant::now();
        let res = app.clone().oneshot(req).await.expect("response");
        status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 28).await.expect("body");
        times.push(t.elapsed());
        size = bytes.len();
    }
    times.sort();
    (times[2], times[4], size, status)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let path = args.next().unwrap_or_else(|| "target/review-bench.db".into());
    let store = Store::create(&path)?;
    let have = store.counts()?;
    let have = (have.pending + have.approved + have.rejected) as usize;
    if have < n {
        let t = Instant::now();
        fill(&path, have, n - have)?;
        eprintln!("filled {} items in {:.1} s", n - have, t.elapsed().as_secs_f64());
        let mut store = Store::open(&path)?;
        // Reject every tenth of the first 100,000 items, so statuses differ.
        let d = NewDecision::new(ReviewAction::Reject, "bench", "cli");
        let ids: Vec<Target> = (1..n.min(100_000) as i64).step_by(10).map(Target::new).collect();
        for chunk in ids.chunks(1000) {
            store.decide_many(chunk, &d)?;
        }
    }
    drop(store);
    let app = router(AppState::new(Store::open(&path)?, TOKEN, "bench"));
    // A cursor deep in the score order: walk 200 pages of 50 first (not timed).
    let mut after = String::new();
    for _ in 0..200 {
        let req = Request::builder()
            .uri(format!("/api/items?limit=50{after}"))
            .header(header::HOST, "127.0.0.1:8787")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())?;
        let res = app.clone().oneshot(req).await?;
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 28).await?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)?;
        match v["next_after"].as_i64() {
            Some(id) => after = format!("&after={id}"),
            None => break,
        }
    }
    let deep = after.trim_start_matches('&').to_string();
    let uris = [
        "/".to_string(),
        format!("/?{deep}"),
        "/?sort=newest".into(),
        "/?sort=oldest".into(),
        "/?status=all".into(),
        "/?status=rejected".into(),
        "/?limit=200".into(),
        "/?email=user4242%40example.com".into(),
        "/?ip=10.1.2.3".into(),
        "/?post=post17&sort=newest".into(),
        "/?from=2024-03-01&to=2024-03-10&sort=oldest".into(),
        "/?category=threat".into(),
        "/?q=comment+42424+".into(),
        "/?q=no-such-text-anywhere".into(),
        "/api/items?limit=50".into(),
        "/api/poll?since=999000".into(),
    ];
    println!("{:<48} {:>9} {:>9} {:>9}", format!("request (N = {n})"), "median", "worst", "bytes");
    for uri in &uris {
        let (median, worst, size, status) = time(&app, uri).await;
        println!(
            "{:<48} {:>7.1}ms {:>7.1}ms {:>9}{}",
            uri,
            median.as_secs_f64() * 1000.0,
            worst.as_secs_f64() * 1000.0,
            size,
            if status == 200 { String::new() } else { format!(" (HTTP {status})") }
        );
    }
    Ok(())
}
