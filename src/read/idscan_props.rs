//! Generated lines for [`super::overlong::IdScan`] (round 14's "Left": no fuzz target reaches
//! it, as the `jsonl` harness never writes a line over 64 MiB). For every generated JSON object
//! (ids as strings, integers and floats, escaped and duplicated keys, nested ids, strings full of
//! quotes and backslashes, any whitespace), fed in pieces of any sizes, the scanner names the
//! line exactly as the record reader names it when the same line is short enough to read: an
//! over-long line never gets another comment's id. Arbitrary bytes: no panic, the same answer
//! however the input is cut.

use proptest::prelude::*;

use super::overlong::IdScan;
use super::pick::FieldTable;
use super::{FieldMap, Origin, ReadOptions};

/// The reader's id for `line` (record or error record), through the JSON Lines line parser.
fn reader_id(line: &str) -> String {
    let origin = Origin { file: std::sync::Arc::from("in.jsonl"), stem: "in".into(), decoded: None };
    let parser = super::jsonl::LineParser::for_tests(&origin, &ReadOptions::default());
    match parser.line(1, line.as_bytes()) {
        Some(Ok(c)) => c.id,
        Some(Err(e)) => e.id,
        None => "in#1".to_string(),
    }
}

/// The scanner's id for `line` fed in pieces cut at `cuts`, or the reader's fallback name.
fn scanned_id(line: &[u8], cuts: &[usize]) -> String {
    let table = FieldTable::new(&FieldMap::default());
    let mut s = IdScan::default();
    let mut at = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (line.len() + 1)).collect();
    cuts.sort_unstable();
    for c in cuts.into_iter().chain([line.len()]) {
        s.feed(&line[at..c.max(at)], &table);
        at = c.max(at);
    }
    s.finish().unwrap_or_else(|| "in#1".to_string())
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\t"), Just(" \r\n ")]
}

/// A JSON string literal (quotes included) of awkward characters, some escaped.
fn string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_string()),
        Just("c2".to_string()),
        Just("\\\"".to_string()),
        Just("\\\\".to_string()),
        Just("\\u0022".to_string()),
        Just("\\u0069d".to_string()),
        Just("}".to_string()),
        Just("{".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("é".to_string()),
        Just(" ".to_string()),
        Just("\\ud83d\\ude00".to_string()),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn value(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        string(),
        Just("42".to_string()),
        Just("-7".to_string()),
        Just("1.5".to_string()),
        Just("1e3".to_string()),
        Just("123456789012345678901234567890".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => object(depth - 1),
        1 => proptest::collection::vec(value(depth - 1), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
    ]
    .boxed()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("\"id\"".to_string()),
        2 => Just("\"comment_id\"".to_string()),
        2 => Just("\"\\u0069d\"".to_string()),
        1 => Just("\"i\\u0064\"".to_string()),
        1 => Just("\"Id\"".to_string()),
        4 => Just("\"body\"".to_string()),
        2 => Just("\"meta\"".to_string()),
        1 => Just("\"author\"".to_string()),
        1 => Just("\"x\\\"id\"".to_string()),
        1 => string(),
    ]
}

fn object(depth: u32) -> BoxedStrategy<String> {
    proptest::collection::vec((key(), value(depth), ws(), ws()), 0..6)
        .prop_map(|fields| {
            let inner: Vec<String> = fields.into_iter().map(|(k, v, a, b)| format!("{a}{k}{b}:{a}{v}{b}")).collect();
            format!("{{{}}}", inner.join(","))
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn the_scanner_names_a_line_as_the_reader_does(
        line in (ws(), object(2), ws(), any::<bool>()).prop_map(|(a, o, b, bom)| format!("{}{a}{o}{b}", if bom { "\u{feff}" } else { "" })),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        prop_assert_eq!(scanned_id(line.as_bytes(), &cuts), reader_id(&line), "{}", line);
    }

    #[test]
    fn any_bytes_give_the_same_answer_in_any_pieces(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        prop_assert_eq!(scanned_id(&bytes, &cuts), scanned_id(&bytes, &[]));
    }
}
