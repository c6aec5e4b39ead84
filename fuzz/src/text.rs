//! The `normalize` target: normalize + offset map + judge on arbitrary bodies.
//!
//! Byte 0 of the input repeats the body `2^(b & 7)` times (up to 64 KiB), so the fuzzer reaches
//! long, repetitive bodies (the shape of the superlinear cases) without long inputs.

use moderate::{Comment, Engine, Verdict};

use crate::builtin;

/// Largest body the target builds.
const MAX_BODY: usize = 64 * 1024;

/// Every reported match is exactly the original text at its offsets.
pub fn check_spans(body: &str, v: &Verdict) {
    for r in &v.reasons {
        for m in &r.matches {
            let slice = body.get(m.start..m.end);
            assert!(
                slice.is_some(),
                "{}: span {}..{} is not a slice of the {}-byte body",
                r.rule,
                m.start,
                m.end,
                body.len()
            );
            assert_eq!(slice, Some(m.text.as_str()), "{}: span text is not body[start..end]", r.rule);
        }
    }
}

/// Judges `body` fresh and with a scratch used for another comment first: same verdict, exact
/// spans.
pub fn check_judgement(engine: &Engine, body: &str) {
    let c = Comment::new("fuzz", body);
    let fresh = engine.judge(&c);
    check_spans(body, &fresh);
    let mut scratch = moderate::engine::Scratch::default();
    let _ = engine.judge_with(&Comment::new("other", "you are an idiot &amp; a <b>f.u.c.k</b>"), &mut scratch);
    let reused = engine.judge_with(&c, &mut scratch);
    assert_eq!(fresh, reused, "judging depends on what the scratch held before");
    let _ = engine.explain(&c);
}

/// Every normalized byte maps to a range of the body on char boundaries, in source order, and
/// any normalized span maps back to such a range.
pub fn check_offsets(engine: &Engine, body: &str) {
    let n = engine.normalize(body);
    let map = n.offsets();
    assert_eq!(map.len(), n.text.len(), "one map entry per normalized byte");
    let mut last = (0, 0);
    for i in 0..map.len() {
        let r = map.source_of(i);
        assert!(
            r.start <= r.end && r.end <= body.len(),
            "byte {i} maps to {r:?}, outside the {}-byte body",
            body.len()
        );
        assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end), "byte {i} maps inside a char: {r:?}");
        assert!(
            r.start >= last.0 && r.end >= last.1,
            "byte {i} maps to {r:?}, before byte {}'s {last:?}",
            i.max(1) - 1
        );
        last = (r.start, r.end);
    }
    // Spans starting and ending on char boundaries of the normalized text (a bounded sample).
    let bounds: Vec<usize> = n.text.char_indices().map(|(i, _)| i).chain([n.text.len()]).collect();
    for (k, &s) in bounds.iter().enumerate().step_by(bounds.len() / 64 + 1) {
        for &e in bounds[k..].iter().take(8) {
            let r = n.original_range(s, e);
            assert!(body.get(r.clone()).is_some(), "span {s}..{e} maps to {r:?}, not a slice of the body");
        }
    }
}

/// The `normalize` target.
pub fn normalize(data: &[u8]) {
    let (flags, payload) = data.split_first().map_or((0, data), |(f, p)| (*f, p));
    let once = String::from_utf8_lossy(payload);
    let mut body = once.repeat(1 << (flags & 7));
    if body.len() > MAX_BODY {
        let mut cut = MAX_BODY;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    let engine = builtin();
    check_offsets(engine, &body);
    check_judgement(engine, &body);
}
