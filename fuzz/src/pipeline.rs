//! The `pipeline` target: one whole comment through the engine with the shipped pack (every
//! pass: wordlists, the fuzzy pass with its decorated readings, the regex rules and their second
//! reading of shaped words, the model rules, censoring).
//!
//! Byte 0 holds flags: bits 0-1 the kind (comment, pingback, trackback, comment), bits 4-5
//! repeat the body `2^n` times (up to 16 KiB). The rest is `body 0xFE author 0xFE author_url`
//! (each part optional, lossy UTF-8).
//!
//! Checked: a verdict (allow, flag or block, never an error) with a finite score equal to the
//! sum of the reasons' scores; every match is `body[start..end]` on char boundaries; the same
//! verdict fresh, with a reused scratch and from `explain`; every raw hit `explain` keeps lies
//! on char boundaries inside the body; a censored text only on allow and flag.

use moderate::{Comment, CommentKind, Decision};

use crate::builtin;
use crate::text::{check_judgement, check_spans};

/// Largest body the target builds.
const MAX_BODY: usize = 16 * 1024;

/// The comment a fuzz input stands for.
pub fn comment_of(data: &[u8]) -> Comment {
    let (flags, payload) = data.split_first().map_or((0, data), |(f, p)| (*f, p));
    let mut parts = payload.splitn(3, |&b| b == 0xFE).map(|p| String::from_utf8_lossy(p).into_owned());
    let once = parts.next().unwrap_or_default();
    let mut body = once.repeat(1 << ((flags >> 4) & 3));
    if body.len() > MAX_BODY {
        let mut cut = MAX_BODY;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    let mut c = Comment::new("fuzz", body);
    c.kind = match flags & 3 {
        1 => CommentKind::Pingback,
        2 => CommentKind::Trackback,
        _ => CommentKind::Comment,
    };
    c.author = parts.next().filter(|a| !a.is_empty());
    c.author_url = parts.next().filter(|u| !u.is_empty());
    c
}

/// The `pipeline` target.
pub fn pipeline(data: &[u8]) {
    let c = comment_of(data);
    let engine = builtin();
    let v = engine.judge(&c);
    assert!(
        matches!(v.verdict, Decision::Allow | Decision::Flag | Decision::Block),
        "verdict {:?} for a readable comment",
        v.verdict
    );
    assert!(v.score.is_finite(), "score {}", v.score);
    let sum: f64 = v.reasons.iter().map(|r| r.score).sum();
    assert!((sum - v.score).abs() < 1e-9, "score {} is not the sum of the reasons' {sum}", v.score);
    check_spans(&c.body, &v);
    if v.censored.is_some() {
        assert_ne!(v.verdict, Decision::Block, "a censored text on a blocked comment");
    }
    check_judgement(engine, &c.body);
    let ex = engine.explain(&c);
    assert_eq!(ex.verdict, v, "explain's verdict differs from judge's");
    for h in ex.hits.iter().chain(&ex.reported) {
        if let Some(s) = &h.span {
            assert!(
                s.start <= s.end && c.body.get(s.clone()).is_some(),
                "rule {}: hit {s:?} is not a slice of the {}-byte body",
                h.rule,
                c.body.len()
            );
        }
    }
}
