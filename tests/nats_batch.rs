//! `publish --batch N` (several records per input message) against a real nats-server: a
//! re-publish after an interrupt makes the same batches and dedupes; a batch delivered again is
//! split into single records with `run:index` ids, and a repeated split dedupes. The helpers
//! (server, workers, generated comments) are those of tests/nats.rs.
#![cfg(feature = "nats")]

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use crate::nats::{bin, collect, generate, ids, nats_server, run_ok, wait_until, Server, Worker};
use moderate::scale::nats::{Client, Js, Puller};
use moderate::scale::setup::{self, ConsumerLimits};
use moderate::scale::{publish::record_headers, wire, Names};

#[test]
fn an_interrupted_batched_publish_run_again_makes_the_same_batches() {
    let Some(server_bin) = nats_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(server_bin, dir.path());
    let url = server.url();
    let input = dir.path().join("comments.jsonl");
    generate(&input, 20_000);
    let text = std::fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    // The first publish gets 10,002 records on stdin and is killed while waiting for more:
    // 2,500 batches of 4 are stored, the open batch of 2 is not sent.
    let mut first = bin()
        .args(["publish", "-q", "--nats", &url, "--batch", "4", "--run", "cut", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(format!("{}\n", lines[..10_002].join("\n")).as_bytes()).unwrap();
    stdin.flush().unwrap();
    wait_until("2,500 batches stored", Duration::from_secs(60), || server.messages("COMMENTS_IN") >= 2_500);
    std::thread::sleep(Duration::from_millis(300));
    first.kill().unwrap();
    first.wait().unwrap();
    drop(stdin);
    assert_eq!(server.messages("COMMENTS_IN"), 2_500, "a partial batch was sent");

    let again = run_ok(&["publish", "--nats", &url, "--batch", "4", "--run", "cut", input.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(log.contains("published 20000 records"), "{log}");
    assert!(log.contains("10000 already there"), "the first 2,500 batches were not deduplicated: {log}");
    assert_eq!(server.messages("COMMENTS_IN"), 5_000, "a batch was stored twice");

    let expected = run_ok(&["run", input.to_str().unwrap(), "-q"]).stdout;
    let worker = Worker::start(&url, &[]);
    let got = dir.path().join("collected.jsonl");
    let log = collect(&url, &got);
    let got = std::fs::read(&got).unwrap();
    assert_eq!(ids(&got).len(), 20_000, "{log}");
    // The unreadable line 6,667 was stored by the first publish, which read stdin: its error
    // names `-`, not the file; every other line is `run`'s.
    let (got, expected) = (String::from_utf8_lossy(&got), String::from_utf8_lossy(&expected));
    for (i, (g, e)) in got.lines().zip(expected.lines()).enumerate() {
        if i == 6_666 {
            assert!(g.contains("\"verdict\":\"error\"") && g.contains("-:6667"), "{g}");
        } else {
            assert_eq!(g, e, "line {i}; {log}");
        }
    }
    worker.stop();
}

#[test]
fn a_redelivered_batch_is_split_into_single_records_and_a_repeated_split_dedupes() {
    let Some(server_bin) = nats_server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(server_bin, dir.path());
    let url = server.url();
    let input = dir.path().join("comments.jsonl");
    generate(&input, 40);
    let expected = run_ok(&["run", input.to_str().unwrap(), "-q"]).stdout;
    run_ok(&["publish", "-q", "--nats", &url, "--batch", "8", "--run", "split", input.to_str().unwrap()]);
    assert_eq!(server.messages("COMMENTS_IN"), 5);

    // Take a batch as a worker would and die with it (never ack): it comes back after ack_wait.
    let names = Names::new("comments.in", "comments.verdicts", "comments.dead");
    let limits = ConsumerLimits { ack_wait: Duration::from_secs(5), max_deliver: 5, max_ack_pending: 4096 };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let held = rt.block_on(async {
        let js = Js::new(Client::connect(&url, Duration::from_secs(5)).await.unwrap());
        setup::work_consumer(&js, &names, "moderate", limits).await.unwrap();
        let mut puller = Puller::new(&js, &names.input_stream(), "moderate", 1, Duration::from_secs(5));
        let msgs = puller.next(1, Duration::from_secs(10)).await.unwrap();
        assert_eq!(msgs.len(), 1);
        msgs.into_iter().next().unwrap()
    });
    drop(rt);
    assert_eq!(held.msg.headers.get(wire::BATCH), Some("8"));
    let first: u64 = held.msg.headers.get(wire::INDEX).unwrap().parse().unwrap();
    assert_eq!(held.msg.headers.get(wire::MSG_ID), Some(format!("split:{first}-{}", first + 7).as_str()));

    let worker_log = dir.path().join("worker.log");
    let worker = Worker::start_logged(&url, &["--ack-wait", "5"], Some(&worker_log));
    let got = dir.path().join("collected.jsonl");
    let log = collect(&url, &got);
    assert!(std::fs::read(&got).unwrap() == expected, "verdicts differ from `moderate run`'s; {log}");
    let wlog = worker.stop();
    // Ours at least (a loaded machine can make a slow worker's own batches come back too).
    let counts: Vec<u64> = wlog
        .split(" retried, ")
        .nth(1)
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(counts.len() >= 2 && counts[0] >= 1 && counts[1] == 8 * counts[0], "{wlog}");

    // A second split of the same batch (a worker that died after splitting, before its ack)
    // stores nothing: every single-record id is already there.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let js = Js::new(Client::connect(&url, Duration::from_secs(5)).await.unwrap());
        let mut rest = held.msg.payload.as_slice();
        let mut n = 0;
        while let Some((index, frame, tail)) = wire::batch_item(rest).unwrap() {
            assert_eq!(index, first + n);
            let ack = js.publish(&names.input, &record_headers("split", index), frame).await.unwrap();
            assert!(ack.duplicate, "record {index} of the split batch was stored again");
            rest = tail;
            n += 1;
        }
        assert_eq!(n, 8);
    });
    assert_eq!(server.messages("COMMENTS_IN"), 0);
}
