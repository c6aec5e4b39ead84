//! The review queue's identity rules (what a block matches, IP ranges, the visible form of
//! look-alike names, the block-list lines) and the review page's highlighting, through their
//! public functions. (These were unit tests inside src/; they live here so `cargo test` does
//! not compile the library twice.)

use moderate::review::identity::{
    is_json_lines, parse_block_lines, visible, Block, BlockKind, BlockList, IpRange, Who,
};
use moderate::review::page::{highlight, url_component};
use moderate::verdict::{Decision, Reason, Span, Verdict};

#[test]
fn visible_marks_invisible_and_mixed_script() {
    assert_eq!(visible("Bob"), "Bob");
    assert_eq!(visible("B\u{200B}ob"), "B·ob [U+200B]");
    assert_eq!(visible("B\u{043E}b"), "B\u{043E}b [U+043E]");
    assert_eq!(visible("\u{202E}evil"), "·evil [U+202E]");
    assert_eq!(visible("Élodie"), "Élodie");
}

#[test]
fn ip_ranges() {
    let r = IpRange::parse("203.0.113.7/24").unwrap();
    assert_eq!(r.to_string(), "203.0.113.0/24");
    assert!(r.contains("203.0.113.200".parse().unwrap()));
    assert!(!r.contains("203.0.114.1".parse().unwrap()));
    assert!(!r.contains("::1".parse().unwrap()));
    let v6 = IpRange::parse("2001:db8::/32").unwrap();
    assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
    assert!(IpRange::parse("1.2.3.4/33").is_none());
    assert!(IpRange::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
}

#[test]
fn list_matches_by_identity_not_look_alikes() {
    let blocks = [
        Block::new(BlockKind::Name, "Bob").unwrap(),
        Block::new(BlockKind::Email, "Troll@Example.com").unwrap(),
        Block::new(BlockKind::Domain, "spam.example").unwrap(),
        Block::new(BlockKind::Ip, "198.51.100.0/24").unwrap(),
    ];
    let list = BlockList::new(&blocks);
    let who = |name, email, url, ip| Who { name, email, url, ip };
    assert!(list.matches(&who(Some("Bob"), None, None, None)).is_some());
    assert!(list.matches(&who(Some("B\u{200B}ob"), None, None, None)).is_none());
    assert!(list.matches(&who(Some("bob"), None, None, None)).is_none());
    assert!(list.matches(&who(None, Some("troll@example.COM"), None, None)).is_some());
    assert!(list.matches(&who(None, None, Some("http://www.Spam.example/x"), None)).is_some());
    assert!(list.matches(&who(None, None, Some("http://notspam.example/"), None)).is_none());
    assert_eq!(list.matches(&who(None, None, None, Some("198.51.100.9"))).map(|m| m.0), Some(BlockKind::Ip));
}

#[test]
fn block_lines_are_unambiguous() {
    let text = "{\"kind\":\"name\",\"value\":\"Troll#1\"}\n\n{\"kind\":\"ip\",\"value\":\"10.0.0.1\"}\n";
    assert!(is_json_lines(text));
    let blocks = parse_block_lines(text).unwrap();
    assert_eq!(blocks[0].1.value, "Troll#1");
    assert_eq!(blocks[1].0, 3);
    assert_eq!(Block::new(BlockKind::Name, "a\"b").unwrap().to_line(), r#"{"kind":"name","value":"a\"b"}"#);
    assert!(parse_block_lines("{\"kind\":\"shoe\",\"value\":\"x\"}").is_err());
    assert!(!is_json_lines("Troll#1\n"));
}

/// A flagged verdict with one reason matching `spans`.
fn verdict(spans: &[(usize, usize)]) -> Verdict {
    Verdict {
        id: "x".into(),
        verdict: Decision::Flag,
        score: 1.0,
        reasons: vec![Reason {
            rule: "r.one".into(),
            category: "attack".into(),
            action: None,
            score: 1.0,
            message: "m".into(),
            matches: spans.iter().map(|&(start, end)| Span { start, end, text: String::new() }).collect(),
            counted_by: None,
            match_count: None,
            shadow: None,
        }],
        censored: None,
        error: None,
        source: None,
    }
}

macro_rules! highlights {
    ($name:ident, $body:expr, $spans:expr, $want:expr) => {
        #[test]
        fn $name() {
            assert_eq!(highlight($body, &verdict(&$spans)), $want);
        }
    };
}

highlights!(highlight_plain, "you idiot", [(4, 9)], "you <mark title=\"r.one\">idiot</mark>");
highlights!(highlight_escaped, "<b>x</b>", [(3, 4)], "&lt;b&gt;<mark title=\"r.one\">x</mark>&lt;&#x2F;b&gt;");
highlights!(highlight_overlap_merged, "abcdef", [(0, 3), (2, 5)], "<mark title=\"r.one\">abcde</mark>f");
highlights!(highlight_out_of_range_clamped, "abc", [(1, 99)], "a<mark title=\"r.one\">bc</mark>");
highlights!(highlight_mid_char_snapped_out, "é!", [(1, 2)], "<mark title=\"r.one\">é</mark>!");
highlights!(highlight_empty_skipped, "abc", [(2, 2), (5, 9)], "abc");
highlights!(highlight_multibyte, "ça va, crétin", [(8, 15)], "ça va, <mark title=\"r.one\">crétin</mark>");

#[test]
fn url_component_encodes() {
    assert_eq!(url_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
}
