//! A small HTTP load generator for `moderate serve` (used by `bench/serve-load.sh`).
//!
//! ```text
//! cargo run --release --features bench-tools --example serve_load -- --port PORT --input comments.jsonl \
//!     [--connections 16] [--seconds 10] [--batch 1] [--rate R]
//! ```
//!
//! `--rate R`: a steady R requests/s in all (each connection sends on a fixed schedule, and
//! skips the slots it missed when the server was slow, rather than bursting) instead of as fast
//! as it can.
//!
//! Each connection is an HTTP/1.1 keep-alive loop on its own tokio task: send one request
//! (one comment as a JSON object, or `--batch N` comments as NDJSON), read the whole answer,
//! record the latency, repeat until the time is up. Comments are taken from `--input` (JSONL,
//! one comment per line) round-robin. Prints one JSON line: requests, comments, errors (any
//! status but 200, or a broken connection), requests/s, comments/s, latency p50/p90/p99/max.
//! The run is bounded in time and only talks to 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Args {
    port: u16,
    input: String,
    connections: usize,
    seconds: f64,
    batch: usize,
    rate: f64,
}

fn args() -> Result<Args, String> {
    let mut a = Args { port: 0, input: String::new(), connections: 16, seconds: 10.0, batch: 1, rate: 0.0 };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
        let bad = format!("{k}: bad value {v:?}");
        match k.as_str() {
            "--port" => a.port = v.parse().map_err(|_| bad.clone())?,
            "--input" => a.input = v,
            "--connections" => a.connections = v.parse().map_err(|_| bad.clone())?,
            "--seconds" => a.seconds = v.parse().map_err(|_| bad.clone())?,
            "--batch" => a.batch = v.parse().map_err(|_| bad.clone())?,
            "--rate" => a.rate = v.parse().map_err(|_| bad.clone())?,
            _ => return Err(format!("unknown option {k}")),
        }
    }
    if a.port == 0 || a.input.is_empty() {
        return Err(
            "usage: serve_load --port PORT --input FILE.jsonl [--connections N] [--seconds S] [--batch N] [--rate R]"
                .into(),
        );
    }
    a.batch = a.batch.max(1);
    a.connections = a.connections.max(1);
    Ok(a)
}

/// Reads one response; returns its status.
async fn response(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, line: &mut String) -> std::io::Result<u16> {
    line.clear();
    r.read_line(line).await?;
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut len = 0usize;
    loop {
        line.clear();
        if r.read_line(line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).await?;
    Ok(status)
}

async fn connection(
    port: u16,
    bodies: Arc<Vec<Vec<u8>>>,
    next: Arc<AtomicUsize>,
    until: Instant,
    batch: usize,
    interval: Option<Duration>,
) -> (Vec<u32>, usize) {
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut due = Instant::now();
    'outer: while Instant::now() < until {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await else {
            errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (rd, mut wr) = stream.into_split();
        let mut rd = BufReader::new(rd);
        let mut line = String::new();
        let ct = if batch == 1 { "application/json" } else { "application/x-ndjson" };
        while Instant::now() < until {
            if let Some(every) = interval {
                due += every;
                let now = Instant::now();
                if due + every < now {
                    due = now; // more than one slot behind: skip the missed slots, no burst
                }
                if due >= until {
                    break 'outer;
                }
                tokio::time::sleep_until(due.into()).await;
            }
            let mut body = Vec::new();
            for _ in 0..batch {
                let i = next.fetch_add(1, Ordering::Relaxed) % bodies.len();
                body.extend_from_slice(&bodies[i]);
                body.push(b'\n');
            }
            let head = format!(
                "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let start = Instant::now();
            let sent = async {
                wr.write_all(head.as_bytes()).await?;
                wr.write_all(&body).await
            }
            .await;
            if sent.is_err() {
                errors += 1;
                continue 'outer;
            }
            match response(&mut rd, &mut line).await {
                Ok(200) => lat.push(start.elapsed().as_micros().min(u128::from(u32::MAX)) as u32),
                Ok(_) => errors += 1,
                Err(_) => {
                    errors += 1;
                    continue 'outer;
                }
            }
        }
    }
    (lat, errors)
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let text = match std::fs::read_to_string(&a.input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", a.input);
            std::process::exit(2);
        }
    };
    let bodies: Vec<Vec<u8>> = text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.as_bytes().to_vec()).collect();
    if bodies.is_empty() {
        eprintln!("{}: no comments", a.input);
        std::process::exit(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(a.seconds);
    let interval = (a.rate > 0.0).then(|| Duration::from_secs_f64(a.connections as f64 / a.rate));
    let results = rt.block_on(async {
        let tasks: Vec<_> = (0..a.connections)
            .map(|_| {
                let (b, n) = (Arc::clone(&bodies), Arc::clone(&next));
                tokio::spawn(connection(a.port, b, n, until, a.batch, interval))
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            if let Ok(r) = t.await {
                out.push(r);
            }
        }
        out
    });
    let secs = start.elapsed().as_secs_f64();
    let errors: usize = results.iter().map(|r| r.1).sum();
    let mut lat: Vec<u32> = results.into_iter().flat_map(|r| r.0).collect();
    lat.sort_unstable();
    let q = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        f64::from(lat[i]) / 1000.0
    };
    let ok = lat.len();
    println!(
        "{{\"connections\":{},\"batch\":{},\"seconds\":{secs:.2},\"requests\":{ok},\"errors\":{errors},\"requests_per_s\":{:.0},\"comments_per_s\":{:.0},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3}}}",
        a.connections,
        a.batch,
        ok as f64 / secs,
        (ok * a.batch) as f64 / secs,
        q(0.50),
        q(0.90),
        q(0.99),
        q(1.0),
    );
}
