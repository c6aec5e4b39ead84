//! The NATS wire format of a record (moved here from a unit test in src/scale/wire.rs, so
//! `cargo test` does not compile the library twice): a comment or an error record survives
//! framing and unframing byte for byte, raw input bytes included; garbage is an error.
#![cfg(feature = "nats")]

use std::sync::Arc;

use moderate::comment::{Comment, SourcePos};
use moderate::read::{Record, RecordError};
use moderate::scale::wire::{frame, unframe, Envelope};

#[test]
fn records_survive_the_round_trip_raw_bytes_included() {
    let mut c = Comment::new("c-1", "line one\nline \"two\"");
    c.author = Some("Ann".into());
    c.approved = Some(true);
    c.source = Some(SourcePos { file: Arc::from("in.jsonl"), line: 7 });
    c.raw = Some(b"{\"id\":\"c-1\"}\r\n\xff".to_vec());
    c.offset = Some(99);
    let record: Record = Ok(c.clone());
    let (env, raw) = Envelope::of(&record);
    let bytes = frame(&env, raw).unwrap();
    let (back, raw): (Envelope, _) = unframe(&bytes).unwrap();
    assert_eq!(back.into_record(raw), Ok(c));

    let err: Record = Err(RecordError {
        id: "in#3".into(),
        message: "line 3: not JSON".into(),
        source: SourcePos { file: Arc::from("in.jsonl"), line: 3 },
        raw: None,
    });
    let (env, raw) = Envelope::of(&err);
    let (back, raw): (Envelope, _) = unframe(&frame(&env, raw).unwrap()).unwrap();
    assert_eq!(back.into_record(raw), err);
    assert!(unframe::<Envelope>(b"\xff garbage").is_err());
}

/// A compact verdict item (the verdict, then the record frame as received) gives back the same
/// verdict and the same record, raw bytes (with newlines) included; items of a batch are sized,
/// so one holding newlines and invalid UTF-8 does not bleed into the next; truncations are errors.
#[test]
fn compact_verdict_items_round_trip_inside_a_batch() {
    use moderate::scale::wire::{batch_item, push_batch_item, read_verdict_item, verdict_item};
    let mut c = Comment::new("c-9", "first\nsecond");
    c.source = Some(SourcePos { file: Arc::from("in.jsonl"), line: 9 });
    c.raw = Some(b"raw\nbytes\n\xfe".to_vec());
    let record: Record = Ok(c.clone());
    let (env, raw) = Envelope::of(&record);
    let record_frame = frame(&env, raw).unwrap();
    let verdict = moderate::verdict::Verdict::error("c-9", "why", "in.jsonl:9");
    let item = verdict_item(&verdict, &record_frame).unwrap();

    let mut batch = Vec::new();
    push_batch_item(&mut batch, 41, &item);
    push_batch_item(&mut batch, 42, b"not a verdict");
    let (index, got, rest) = batch_item(&batch).unwrap().unwrap();
    assert_eq!((index, got), (41, item.as_slice()));
    let (v, env, raw) = read_verdict_item(got).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::to_value(&verdict).unwrap());
    assert_eq!(env.into_record(raw), Ok(c));
    let (index, got, rest) = batch_item(rest).unwrap().unwrap();
    assert_eq!(index, 42);
    assert!(read_verdict_item(got).is_err());
    assert!(batch_item(rest).unwrap().is_none());
    assert!(batch_item(&batch[..batch.len() - 1]).is_ok(), "the first item is whole");
    let cut = &batch[..20];
    assert!(batch_item(cut).is_err(), "an item cut short is an error, not a shorter item");
}
