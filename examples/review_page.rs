//! The review page on a big queue: fills a queue of N items (default 1,000,000; reused when the
//! file already has them) and times each kind of page through the real router, in-process.
//!
//! ```text
//! cargo run --release --features bench-tools --example review_page -- [N] [DB]   # DB default target/review-bench.db
//! ```
//!
//! Prints one line per request: the median and the worst wall time of 5 runs, the median CPU
//! time (all threads; what the request costs without waiting for a busy core), and the size.
//! docs/review.md has the numbers.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use moderate::review::server::{router, AppState};
use moderate::review::store::{NewDecision, ReviewAction, Target};
use moderate::review::Store;
use tower::ServiceExt;

const TOKEN: &str = "bench-token";

/// Queues `n` items numbered from `from` in one SQL statement (a recursive CTE): the same rows
/// the run's sink writes, made fast enough for a million (a valid verdict record each, identity,
/// post, date, score, categories, rules; the triggers keep the cached counts).
fn fill(path: &str, from: usize, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    drop(Store::create(path)?); // the schema
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    let sql = format!(
        "WITH RECURSIVE seq(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM seq WHERE n < {last}), \
         rows AS (SELECT n, \
           CASE n % 5 WHEN 0 THEN 'attack' WHEN 1 THEN 'profanity' WHEN 2 THEN 'spam' WHEN 3 THEN 'threat' ELSE 'identity' END AS cat, \
           printf('2024-%02d-%02dT%02d:00:00Z', 1 + n % 12, 1 + n % 28, n % 24) AS created FROM seq) \
         INSERT INTO items (comment_id, body_sha256, body, author, kind, source, post_id, created_at, verdict, score, \
           categories, rules, record, queued_at, author_email, author_url, ip, parent, ctime) \
         SELECT 'c' || n, printf('%064d', n), \
           printf('comment %d by author%d: you idiot, this is a longer body of a flagged comment that says \
                   something about post %d and goes on for a while to look like a real one', n, n % 50000, n % 2000), \
           'author' || (n % 50000), 'comment', 'bench.jsonl:' || n, 'post' || (n % 2000), created, 'flag', \
           ((n * 7919) % 1000) / 100.0, json_array(cat), json_array(cat || '.rule' || (n % 7)), \
           json_object('id', 'c' || n, 'verdict', 'flag', 'score', ((n * 7919) % 1000) / 100.0, 'reasons', \
             json_array(json_object('rule', cat || '.rule' || (n % 7), 'category', cat, 'action', 'flag', 'score', 1.0, \
               'message', 'matched', 'matches', json_array(json_object('start', 0, 'end', 7, 'text', 'comment'))))), \
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), printf('user%d@example.com', n % 60000), NULL, \
           printf('10.%d.%d.%d', (n >> 16) & 255, (n >> 8) & 255, n & 255), NULL, created \
         FROM rows",
        last = from + n - 1
    );
    conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))?;
    conn.execute_batch(
        "INSERT OR IGNORE INTO facets SELECT 'category', value FROM json_each('[\"attack\",\"profanity\",\"spam\",\"threat\",\"identity\"]'); \
         INSERT OR IGNORE INTO facets SELECT DISTINCT 'rule', rules ->> 0 FROM (SELECT rules FROM items LIMIT 100);",
    )?;
    Ok(())
}

/// CPU time of the whole process so far (every thread, from /proc; zero elsewhere): on a loaded
/// machine the wall time includes waiting for a core, this does not.
fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

async fn time(app: &axum::Router, uri: &str) -> (Duration, Duration, Duration, usize, u16) {
    let mut times = Vec::new();
    let mut cpu = Vec::new();
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
        let c = cpu_ns();
        let res = app.clone().oneshot(req).await.expect("response");
        status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 28).await.expect("body");
        times.push(t.elapsed());
        cpu.push(Duration::from_nanos(cpu_ns().saturating_sub(c)));
        size = bytes.len();
    }
    times.sort();
    cpu.sort();
    (times[2], times[4], cpu[2], size, status)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let path = args.next().unwrap_or_else(|| "target/review-bench.db".into());
    let store = Store::create(&path)?;
    let have = store.counts()?;
    drop(store);
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
    println!("{:<48} {:>9} {:>9} {:>9} {:>9}", format!("request (N = {n})"), "median", "worst", "cpu", "bytes");
    for uri in &uris {
        let (median, worst, cpu, size, status) = time(&app, uri).await;
        println!(
            "{:<48} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>9}{}",
            uri,
            median.as_secs_f64() * 1000.0,
            worst.as_secs_f64() * 1000.0,
            cpu.as_secs_f64() * 1000.0,
            size,
            if status == 200 { String::new() } else { format!(" (HTTP {status})") }
        );
    }
    Ok(())
}
