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
