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

/// `collect` applies the author policy to a verdict's skeleton (decoded from the worker's line
/// without messages and matches, with the comment's author fields and body hash instead of the
/// comment) and decodes the whole verdict only when the policy changed it. Over comments that
/// trip every part of the policy (trust dropping score-only reasons, duplicates, floods,
/// repeat offenders, a block dropping the censored text), that gives byte for byte the line
/// `run`'s writer gives by applying the policy to the whole verdict and comment.
#[test]
fn the_author_policy_on_a_skeleton_gives_the_lines_of_run() {
    use moderate::config::{Flood, Thresholds};
    use moderate::decide::author::{AuthorPolicy, AuthorRules};
    use moderate::scale::wire::{merge_policy, push_author_fields, read_line_item, skeleton, AuthorFields};
    use moderate::verdict::{Action, Decision, Reason, Span, Verdict};

    let rules = || AuthorRules {
        repeat_blocks: 2,
        repeat_action: Some(Action::Block),
        trusted: ["ann".to_string()].into_iter().collect(),
        duplicate: Some(Action::Flag),
        flood: Some(Flood { max: 3, minutes: 10, action: Action::Block }),
        ..AuthorRules::default()
    };
    let (mut run, mut collect) =
        (AuthorPolicy::new(rules(), Thresholds::default()), AuthorPolicy::new(rules(), Thresholds::default()));
    let reason = |rule: &str, action: Option<Action>, score: f64, text: &str| Reason {
        rule: rule.into(),
        category: rule.split('.').next().unwrap().into(),
        action,
        score,
        message: format!("the message of {rule}, \"quoted\"\n"),
        matches: vec![Span { start: 0, end: text.len(), text: text.into() }],
        counted_by: None,
        match_count: Some(40),
        shadow: None,
    };
    let (mut changed, mut kept) = (0, 0);
    for i in 0..400usize {
        let author = ["ann", "bob", "eve", "mallory"][i % 4];
        // Every fifth body repeats (duplicates); eve posts in bursts (floods); only bob is
        // blocked (a repeat offender after two blocks); ann is trusted.
        let n = if i % 5 == 0 { i % 37 } else { 1000 + i };
        let mut c = Comment::new(format!("c-{i}"), format!("comment body number {n} by {author} with letters enough"));
        c.author = Some(author.into());
        let minute = if author == "eve" { i / 8 } else { i };
        c.created_at = Some(format!("2024-01-01T{:02}:{:02}:00", minute / 60, minute % 60));
        let mut reasons = vec![reason("profanity.mild", Some(Action::Censor), 0.0, "damn")];
        if i % 3 == 0 {
            reasons.push(reason("attack.insult", None, 1.5, "idiot"));
        }
        if i % 11 == 0 && author == "bob" {
            reasons.push(reason("threat.violent", Some(Action::Block), 0.0, "kill"));
        }
        let blocked = i % 11 == 0 && author == "bob";
        let verdict = Verdict {
            id: c.id.clone(),
            verdict: if blocked { Decision::Block } else { Decision::Allow },
            score: reasons.iter().map(|r| r.score).sum(),
            reasons,
            censored: (!blocked).then(|| "d*** it".to_string()),
            error: None,
            source: None,
        };
        // run: the policy on the whole verdict.
        let mut whole = verdict.clone();
        run.apply(&c, &mut whole);
        let expected = serde_json::to_string(&whole).unwrap() + "\n";

        // worker: the line and the author fields; collect: the skeleton.
        let mut item = serde_json::to_vec(&verdict).unwrap();
        item.push(b'\n');
        push_author_fields(&mut item, &AuthorFields::of(Ok(c.clone())), None).unwrap();
        let (line, fields, record) = read_line_item(&item).unwrap();
        assert!(record.is_none());
        assert_eq!(fields.body_len, c.body.len() as u64);
        let mut skel = skeleton(&line[..line.len() - 1]).unwrap();
        let hash = fields.hash;
        let lite = fields.into_comment(skel.id.clone());
        let got = if collect.apply_hashed(&lite, &mut skel, hash) {
            changed += 1;
            let mut full: Verdict = serde_json::from_slice(&line[..line.len() - 1]).unwrap();
            merge_policy(&mut full, skel);
            serde_json::to_string(&full).unwrap() + "\n"
        } else {
            kept += 1;
            String::from_utf8(line.to_vec()).unwrap()
        };
        assert_eq!(got, expected, "comment {i}");
    }
    assert!(changed > 20 && kept > 20, "both paths taken: {changed} changed, {kept} kept");
    assert_eq!(serde_json::to_string(&run.report()).unwrap(), serde_json::to_string(&collect.report()).unwrap());
}

/// A line item keeps the record frame (raw bytes with newlines) when the worker sends it;
/// items cut short or without their fields are errors, not records.
#[test]
fn line_items_carry_the_record_only_when_asked() {
    use moderate::scale::wire::{push_author_fields, read_line_item, AuthorFields};
    let mut c = Comment::new("c-2", "body");
    c.source = Some(SourcePos { file: Arc::from("in.jsonl"), line: 2 });
    c.raw = Some(b"raw\nbytes\n\xfe".to_vec());
    let record: Record = Ok(c.clone());
    let (env, raw) = Envelope::of(&record);
    let record_frame = frame(&env, raw).unwrap();
    let mut item = b"{\"id\":\"c-2\",\"verdict\":\"allow\",\"score\":0.0}\n".to_vec();
    push_author_fields(&mut item, &AuthorFields::of(Ok(c.clone())), Some(&record_frame)).unwrap();
    let (line, fields, record) = read_line_item(&item).unwrap();
    assert!(line.ends_with(b"}\n") && fields.body_len == 4);
    let (back, raw): (Envelope, _) = unframe(record.unwrap()).unwrap();
    assert_eq!(back.into_record(raw), Ok(c));
    let first_line = memchr_nl(&item);
    assert!(read_line_item(&item[..first_line + 1]).is_err(), "no fields");
    assert!(read_line_item(&item[..first_line + 5]).is_err(), "fields cut short");
}

fn memchr_nl(b: &[u8]) -> usize {
    b.iter().position(|&x| x == b'\n').unwrap()
}
