//! The hand-written NATS client against a hostile or garbled server: the parser on split,
//! huge and malformed frames, and the connection against a fake server on 127.0.0.1 that
//! misbehaves. The client must fail cleanly (an error, no panic, no stall, bounded memory)
//! and work when the frames are merely split. No nats-server needed.
#![cfg(feature = "nats")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use moderate::scale::nats::jetstream::DeliveryInfo;
use moderate::scale::nats::proto::{self, Headers, ServerOp, MAX_LINE};
use moderate::scale::nats::Client;

const INFO: &str = "INFO {\"server_id\":\"fake\",\"version\":\"2.9.10\",\"max_payload\":1048576,\"headers\":true}\r\n";

fn msg_of(op: ServerOp) -> proto::Msg {
    match op {
        ServerOp::Msg(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn a_frame_split_at_every_byte_parses_the_same_as_whole() {
    let block = "NATS/1.0\r\nModerate-Run: r1\r\nModerate-Index: 9\r\n\r\n";
    let frame = format!("HMSG comments.in 7 $JS.ACK.IN.w.1.42.40.1700000000.3 {} {}\r\n{block}hello\r\n", block.len(), block.len() + 5);
    let frame = frame.as_bytes();
    let (whole, used) = proto::parse(frame, 1 << 20).unwrap().unwrap();
    assert_eq!(used, frame.len());
    let whole = msg_of(whole);
    assert_eq!(whole.subject, "comments.in");
    assert_eq!(whole.sid, 7);
    assert_eq!(whole.headers.get("moderate-index"), Some("9"));
    assert_eq!(whole.payload, b"hello");
    let info = DeliveryInfo::parse(whole.reply.as_deref().unwrap()).unwrap();
    assert_eq!((info.delivered, info.stream_seq, info.pending), (1, 42, 3));
    for cut in 0..frame.len() {
        assert!(proto::parse(&frame[..cut], 1 << 20).unwrap().is_none(), "a prefix of {cut} bytes is incomplete");
    }
    // Two frames back to back: the first is taken, the rest left.
    let mut two = frame.to_vec();
    two.extend_from_slice(b"PING\r\n");
    let (_, used) = proto::parse(&two, 1 << 20).unwrap().unwrap();
    assert!(matches!(proto::parse(&two[used..], 1 << 20).unwrap(), Some((ServerOp::Ping, 6))));
}

#[test]
fn garbled_and_oversized_frames_are_errors_not_allocations() {
    let bad: &[&[u8]] = &[
        b"HELLO there\r\n",
        b"MSG a 1\r\n",
        b"MSG a x 3\r\nabc\r\n",
        b"MSG a 1 -3\r\nabc\r\n",
        b"MSG a 1 3\r\nabcXY",
        b"HMSG a 1 10 5\r\n0123456789\r\n",
        b"HMSG a 1 5 7\r\nHTTP/\r\nab\r\n",
        b"INFO {not json\r\n",
        b"\xff\xfe\r\n",
        b"MSG a 1 b c d e f 3\r\nabc\r\n",
    ];
    for b in bad {
        assert!(proto::parse(b, 1 << 20).is_err(), "{:?} accepted", String::from_utf8_lossy(b));
    }
    // A size over the limit is refused from the control line alone, before any payload.
    let huge = b"MSG a 1 1000000000000\r\n";
    let e = proto::parse(huge, 1 << 20).unwrap_err();
    assert!(e.to_string().contains("over the limit"), "{e}");
    // A line that never ends is refused once it passes the limit; before, it is incomplete.
    let long = vec![b'A'; MAX_LINE];
    assert!(proto::parse(&long, 1 << 20).unwrap().is_none());
    let longer = vec![b'A'; MAX_LINE + 3];
    assert!(proto::parse(&longer, 1 << 20).is_err());
}

#[test]
fn random_bytes_never_panic_and_never_consume_more_than_given() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces: &[&[u8]] = &[b"MSG ", b"HMSG ", b"INFO ", b"PING", b"\r\n", b" 1 ", b"NATS/1.0", b"5", b": ", b"{}", b"x", b"\xff"];
    for _ in 0..20_000 {
        let mut buf = Vec::new();
        for _ in 0..(next() % 12) {
            buf.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
        }
        if let Ok(Some((_, used))) = proto::parse(&buf, 64) {
            assert!(used <= buf.len());
        }
    }
}

#[test]
fn header_values_cannot_break_the_frame() {
    let mut h = Headers::default();
    h.insert("Moderate-Reason", "line one\r\nPUB evil 3\r\nabc");
    let mut out = Vec::new();
    proto::encode_pub(&mut out, "comments.dead", None, &h, b"body");
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("\r\n").count(), 5, "{text:?}");
    assert!(text.contains("Moderate-Reason: line one  PUB evil 3  abc\r\n"), "{text:?}");
}

/// A fake server: accepts connections and hands each (after INFO, and after the client's
/// CONNECT + PING is answered with PONG, when `handshake`) to `serve`.
fn fake_server(info: &'static str, handshake: bool, serve: impl Fn(usize, TcpStream, Vec<u8>) + Send + 'static) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for (n, conn) in l.incoming().enumerate() {
            let Ok(mut s) = conn else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            let _ = s.write_all(info.as_bytes());
            let mut seen = Vec::new();
            if handshake {
                if !read_until(&mut s, &mut seen, b"PING\r\n") {
                    continue;
                }
                let _ = s.write_all(b"PONG\r\n");
                seen.clear();
            }
            serve(n, s, seen);
        }
    });
    format!("nats://{addr}")
}

/// Reads until `pat` has been seen; false when the connection ends first.
fn read_until(s: &mut TcpStream, seen: &mut Vec<u8>, pat: &[u8]) -> bool {
    let mut b = [0u8; 4096];
    while !seen.windows(pat.len()).any(|w| w == pat) {
        match s.read(&mut b) {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&b[..n]),
        }
    }
    true
}

/// The reply subject of the first PUB the client sent.
fn reply_of(s: &mut TcpStream, seen: &mut Vec<u8>) -> Option<String> {
    if !read_until(s, seen, b"PUB ") {
        return None;
    }
    let start = seen.windows(4).position(|w| w == b"PUB ")?;
    let mut line_end = None;
    while line_end.is_none() {
        line_end = seen[start..].windows(2).position(|w| w == b"\r\n");
        if line_end.is_none() && !read_until(s, seen, b"\r\n") {
            return None;
        }
    }
    let line = String::from_utf8_lossy(&seen[start..start + line_end?]).to_string();
    line.split(' ').nth(2).map(str::to_string)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn garbage_instead_of_info_fails_the_connect_with_a_reason() {
    let url = fake_server("HTTP/1.1 400 Bad Request\r\n\r\n", false, |_, _, _| {});
    let started = Instant::now();
    let e = rt().block_on(Client::connect(&url, Duration::from_secs(2))).unwrap_err();
    assert!(e.contains("protocol error") || e.contains("unknown operation"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_server_requiring_tls_is_refused_with_the_workaround() {
    let url = fake_server("INFO {\"server_id\":\"t\",\"tls_required\":true}\r\n", false, |_, _, _| {});
    let e = rt().block_on(Client::connect(&url, Duration::from_secs(5))).unwrap_err();
    assert!(e.contains("TLS") && e.contains("tunnel"), "{e}");
}

#[test]
fn a_reply_split_into_single_bytes_arrives_whole() {
    let url = fake_server(INFO, true, |_, mut s, mut seen| {
        let Some(reply) = reply_of(&mut s, &mut seen) else { return };
        let payload = "x".repeat(3000);
        let block = "NATS/1.0\r\nA: b c\r\n\r\n";
        let frame = format!("HMSG {reply} 1 {} {}\r\n{block}{payload}\r\n", block.len(), block.len() + payload.len());
        for b in frame.as_bytes() {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            let _ = s.flush();
        }
        std::thread::sleep(Duration::from_secs(2));
    });
    let rt = rt();
    let m = rt
        .block_on(async {
            let c = Client::connect(&url, Duration::from_secs(5)).await?;
            c.request("svc", &Headers::default(), b"q", Duration::from_secs(20)).await
        })
        .unwrap();
    assert_eq!(m.headers.get("a"), Some("b c"));
    assert_eq!(m.payload, "x".repeat(3000).into_bytes());
}

#[test]
fn hostile_frames_drop_the_connection_and_fail_the_request_cleanly() {
    let cases: &[&[u8]] = &[
        b"MSG _INBOX.x 1 99999999999\r\n",
        b"HMSG _INBOX.x 1 500 10\r\n",
        b"WHAT IS THIS\r\n",
        b"MSG _INBOX.x 1 3\r\nabcdef\r\n",
    ];
    for case in cases {
        let url = fake_server(INFO, true, move |n, mut s, mut seen| {
            if n > 0 {
                // The reconnect: accept, say nothing more.
                std::thread::sleep(Duration::from_secs(5));
                return;
            }
            let _ = reply_of(&mut s, &mut seen);
            let _ = s.write_all(case);
            std::thread::sleep(Duration::from_secs(5));
        });
        let started = Instant::now();
        let got = rt().block_on(async {
            let c = Client::connect(&url, Duration::from_secs(5)).await?;
            c.request("svc", &Headers::default(), b"q", Duration::from_secs(4)).await
        });
        let e = got.unwrap_err();
        assert!(e.contains("connection lost"), "{:?}: {e}", String::from_utf8_lossy(case));
        assert!(started.elapsed() < Duration::from_secs(4), "{:?} stalled", String::from_utf8_lossy(case));
    }
}

#[test]
fn an_endless_line_is_cut_off_at_the_limit() {
    let url = fake_server(INFO, true, |n, mut s, _| {
        if n > 0 {
            std::thread::sleep(Duration::from_secs(5));
            return;
        }
        // 64 MiB without a line end, as fast as the client reads it.
        let chunk = vec![b'A'; 1 << 16];
        for _ in 0..1024 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let got = rt().block_on(async {
        let c = Client::connect(&url, Duration::from_secs(5)).await?;
        c.request("svc", &Headers::default(), b"q", Duration::from_secs(10)).await
    });
    assert!(got.unwrap_err().contains("connection lost"));
}

#[test]
fn after_a_dropped_connection_the_client_reconnects_and_subscribes_again() {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let url = fake_server(INFO, true, move |n, mut s, mut seen| {
        if n == 0 {
            // Wait for the subscription, then hang up.
            read_until(&mut s, &mut seen, b"SUB work.items");
            return;
        }
        read_until(&mut s, &mut seen, b"SUB work.items");
        let _ = tx.lock().unwrap().send(String::from_utf8_lossy(&seen).to_string());
        let sid = String::from_utf8_lossy(&seen)
            .lines()
            .find(|l| l.starts_with("SUB work.items"))
            .and_then(|l| l.split(' ').nth(2).map(str::to_string))
            .unwrap();
        let _ = s.write_all(format!("MSG work.items {sid} 2\r\nhi\r\n").as_bytes());
        std::thread::sleep(Duration::from_secs(5));
    });
    let rt = rt();
    let got = rt.block_on(async {
        let c = Client::connect(&url, Duration::from_secs(5)).await.unwrap();
        let mut sub = c.subscribe("work.items", 16);
        let m = tokio::time::timeout(Duration::from_secs(10), sub.next()).await;
        (m, c.connections())
    });
    let second = rx.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(second.contains("SUB _INBOX."), "{second}");
    let (m, connections) = got;
    assert_eq!(m.unwrap().unwrap().payload, b"hi");
    assert_eq!(connections, 2);
}

#[test]
fn a_verdict_batch_reads_back_item_by_item_and_refuses_bad_lengths() {
    use moderate::scale::wire::{batch_item, push_batch_item};
    let mut payload = Vec::new();
    push_batch_item(&mut payload, 7, b"{\"a\":1}\n\xff\r\nraw");
    push_batch_item(&mut payload, 3, b"");
    push_batch_item(&mut payload, 12, b"x\ny");
    let mut got = Vec::new();
    let mut rest = payload.as_slice();
    while let Some((i, frame, tail)) = batch_item(rest).unwrap() {
        got.push((i, frame.to_vec()));
        rest = tail;
    }
    assert_eq!(got, vec![(7, b"{\"a\":1}\n\xff\r\nraw".to_vec()), (3, vec![]), (12, b"x\ny".to_vec())]);
    for bad in [&b"7 100\nshort"[..], b"seven 1\nx", b"7\nx", b"7 -1\nx", &[b'9'; 100]] {
        assert!(batch_item(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
}
