//! The model reason's text is written without `format!` in the common cases (issue 22, cost of
//! apply): the two-decimal numbers and the quoted phrases must read exactly as `format!` wrote
//! them, so the verdict records stay byte-identical. Checked against `format!` itself over
//! values that include ties, carries, large and negative numbers, and phrases with quotes,
//! backslashes, control and non-ASCII characters.

use moderate::model::{push_fixed2, push_quoted, push_shortest, stack};

#[test]
fn two_decimals_read_as_format_writes_them() {
    let mut values: Vec<f64> = vec![
        0.0, -0.0, 0.004, 0.005, 0.0051, 0.015, 0.125, 0.375, 0.625, 0.995, 0.9951, 0.9949, 1.0, 1.005, 2.675, 9.995,
        99.995, 123.456, 1e15, -0.01, -1.234, f64::NAN, f64::INFINITY, 1e-300,
    ];
    // Every step of 1/1024 and 1/1000 up to 4 (exact binary ties and near-ties of decimal ones).
    values.extend((0..4096).map(|i| f64::from(i) / 1024.0));
    values.extend((0..4000).map(|i| f64::from(i) / 1000.0));
    values.extend((0..4000).map(|i| f64::from(i) / 800.0 + 1e-9));
    for &x in &values {
        for sign in [false, true] {
            let mut s = String::new();
            push_fixed2(&mut s, x, sign);
            let want = if sign { format!("{x:+.2}") } else { format!("{x:.2}") };
            assert_eq!(s, want, "{x:e} sign {sign}");
        }
        // The pushes of a reason are f32, written from their exact f64 value.
        let f = x as f32;
        let mut s = String::new();
        push_fixed2(&mut s, f64::from(f), true);
        assert_eq!(s, format!("{f:+.2}"), "{f:e} as f32");
    }
}

#[test]
fn a_min_reads_as_format_writes_it() {
    let mut values: Vec<f64> = (0..=100).map(|k| f64::from(k) / 100.0).collect();
    values.extend([0.815, 0.1 + 0.2, 1.5, 2.0, 100.0, -0.5, -0.0, 1e-7, f64::NAN, f64::INFINITY, 0.3333333333333333]);
    for x in values {
        let mut s = String::new();
        push_shortest(&mut s, x);
        assert_eq!(s, format!("{x}"), "{x:e}");
    }
}

#[test]
fn quoted_phrases_read_as_debug_writes_them() {
    for text in [
        "",
        "plain words",
        "say \"hi\"",
        "back\\slash",
        "\"\\\"",
        "don't",
        "tab\there",
        "new\nline",
        "caf\u{e9}",
        "zero\u{200b}width",
        "e\u{301}",
        "\u{7f}del",
        "emoji \u{1f600}",
    ] {
        let mut s = String::new();
        push_quoted(&mut s, text);
        assert_eq!(s, format!("{text:?}"), "{text:?}");
    }
}

#[test]
fn the_second_stage_learns_an_interaction_the_first_alone_misses() {
    // Rows the rules allow: label true exactly when a weak rule hit (category 1) and a middling
    // model score come together; the stage must rank those above either alone.
    let mut rows = Vec::new();
    for i in 0..400 {
        let hit = i % 2 == 0;
        let p = if i % 4 < 2 { 0.6 } else { 0.3 };
        let y = hit && p > 0.5;
        rows.push(stack::Row {
            fold: Some(i % 5),
            denied: false,
            blocked: false,
            rules: vec![if hit { 0.5 } else { 0.0 }, if hit { 1.0 } else { 0.0 }],
            p: vec![p],
            y: vec![Some(y)],
            raw: vec![p],
        });
    }
    let p = stack::second_stage(&rows, 0, 5);
    let score = |want: bool| {
        rows.iter().zip(&p).filter(move |(r, _)| r.y[0] == Some(want)).map(|(_, s)| s.expect("every row can be acted on"))
    };
    let lowest_true = score(true).fold(1.0, f64::min);
    let highest_false = score(false).fold(0.0, f64::max);
    assert!(lowest_true > highest_false, "every true row ({lowest_true}) must outrank every false row ({highest_false})");
    // The first stage alone cannot: a false row without a rule hit has the same score 0.6.
    assert!(rows.iter().any(|r| r.y[0] == Some(false) && r.p[0] == 0.6));
}
