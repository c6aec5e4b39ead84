//! Speed work that must not change a result (issue 16).
//!
//! The ASCII fast path of the normalizer: whenever it is taken, its text and offset map are
//! exactly what the full two-pass normalizer gives (text byte for byte, every normalized byte
//! mapped to the same original byte). Checked on arbitrary ASCII, on ASCII shaped like prose
//! (so the fast path is taken often), and on every body of the shipped fixtures; the dev data in
//! `../shared` adds coverage when present.

mod common;

use moderate::normalize::{NormalizeOptions, Normalized, Normalizer};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn normalizers() -> [Normalizer; 3] {
    [
        Normalizer::new(&NormalizeOptions::default()),
        Normalizer::new(&NormalizeOptions { leet: false, html: true }),
        Normalizer::new(&NormalizeOptions { leet: true, html: false }),
    ]
}

/// Compares the two paths on `body`; true when the fast path was taken.
fn check(body: &str) -> bool {
    if !Normalizer::takes_fast_path(body) {
        return false;
    }
    for n in normalizers() {
        let fast = n.normalize(body);
        let full = n.normalize_full(body);
        assert_eq!(fast.text, full.text, "text of {body:?}");
        // The body lowercased, with a mention's leading `@` read as the leet `a` it is (without
        // leet folding, such a body takes the full path) and a newline as a space.
        if n.options().leet || !body.contains('@') {
            assert_eq!(fast.text.len(), body.len(), "{body:?}");
            for (i, (f, b)) in fast.text.bytes().zip(body.bytes()).enumerate() {
                let want = match b {
                b'@' => b'a',
                b'\n' => b' ',
                _ => b.to_ascii_lowercase(),
            };
                assert_eq!(f, want, "byte {i} of {body:?}");
            }
        }
        same_map(&fast, &full, body);
    }
    true
}

fn same_map(fast: &Normalized, full: &Normalized, body: &str) {
    let (a, b) = (fast.offsets(), full.offsets());
    assert_eq!(a.len(), b.len(), "map length of {body:?}");
    for i in 0..a.len() {
        assert_eq!(a.source_of(i), b.source_of(i), "byte {i} of {body:?}");
    }
    for (s, e) in [(0, body.len()), (0, 0), (body.len(), body.len() + 3), (1, 2)] {
        assert_eq!(a.original_range(s, e), b.original_range(s, e), "range {s}..{e} of {body:?}");
    }
}

/// Words, single letters and the accepted punctuation, so that many cases take the fast path.
fn prose() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z]{2,7}",
        2 => "[a-zA-Z]",
        1 => "[aA]{1,3}",
        3 => Just(" ".to_string()),
        2 => "[ .,'\"?:;\\-]{1,3}",
        // Exclamations and line breaks, which the fast path takes when they are plain.
        1 => "[a-zA-Z]{1,5}!{1,3}",
        1 => Just("\n".to_string()),
        1 => "[!-/:-@\\[-`{-~]",
        // Mentions (`@user`): the `@` is leet for `a` at a word's start.
        1 => "@[a-zA-Z]{0,6}",
        1 => "@[aA]{1,3}[a-zA-Z]{0,3}",
        // Hashtags and numbers, which the fast path takes when they stand alone (`#tag`, `2`).
        1 => " #[a-zA-Z]{1,6}",
        1 => " [0-9]{1,4}",
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// [`prose`] with the near misses of hashtags and numbers (`a#b`, `##x`, `4get`, `h3llo`, `1.5`),
/// which the fast path must refuse or read exactly as the full path does.
fn numbers() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prose(),
        1 => "[a-zA-Z#]{0,3}[0-9]{1,2}[a-zA-Z#.,?!\\-]{0,3}",
        1 => "[ #]{0,2}[0-9]{1,3}[ \n,?]",
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_path_equals_full_with_numbers_and_hashtags(body in numbers()) {
        check(&body);
    }

    #[test]
    fn fast_path_equals_full_on_any_ascii(body in "[\\x00-\\x7f]{0,48}") {
        check(&body);
    }

    #[test]
    fn fast_path_equals_full_on_ascii_prose(body in prose()) {
        check(&body);
    }
}

/// The word pass's shortcut for plain words (emitted as they are) against the token pass it
/// skips: the same text and map whatever the body, so the shortcut never takes a token the pass
/// would change (`jevvs`, `fuuuck`, `ßitch`).
fn check_plain_words(body: &str) {
    for n in normalizers() {
        let short = n.normalize_full(body);
        let every = n.normalize_full_every_token(body);
        assert_eq!(short.text, every.text, "text of {body:?}");
        same_map(&short, &every, body);
    }
}

/// Words with the letters the token pass changes (doubled and tripled letters, `vv`, `ß`)
/// among capitals, digits, symbols, entities and other scripts.
fn wordy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z]{1,8}",
        3 => "[svzaeio]{1,6}",
        1 => Just("\u{df}".to_string()),
        1 => "[A-Z]{1,4}",
        3 => Just(" ".to_string()),
        2 => "[0-9!@$*#%()\\[\\]_<>+.&'-]{1,2}",
        1 => "[\\u{80}-\\u{2fff}]",
        1 => "&[a-z]{2,5};",
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn plain_word_shortcut_equals_the_token_pass(body in wordy()) {
        check_plain_words(&body);
    }

    #[test]
    fn plain_word_shortcut_equals_the_token_pass_on_any_text(body in "\\PC{0,40}") {
        check_plain_words(&body);
    }
}

#[test]
fn plain_word_shortcut_leaves_the_folded_words_to_the_token_pass() {
    let n = Normalizer::new(&NormalizeOptions::default());
    for (body, want) in [
        ("jevvs here", "jews here"),
        ("fuuuck you", "fuck you"),
        ("\u{df}itch", "bitch"),
        ("zzz savvy words", "zzz savvy words"),
        ("plain words stay", "plain words stay"),
    ] {
        check_plain_words(body);
        assert_eq!(n.normalize_full(body).text, want, "{body:?}");
    }
}

/// Text with the pieces of a URL (schemes, `www.` in any case, `://`) among words, so that the
/// URL pattern matches often.
fn linky() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "[a-zA-Z]{1,6}",
        2 => "(?i)(https?|ftp)?(://|:/)?(www)?\\.?",
        2 => "[ ./:\"'<>\n]",
        1 => "[\\u{80}-\\u{17f}]",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// The link signals skip the URL regex when `may_hold_url` is false: that must mean no match.
fn check_url_precheck(body: &str) -> bool {
    let found = moderate::matcher::structural::url_regex().is_match(body);
    assert!(!found || moderate::matcher::structural::may_hold_url(body), "{body:?}");
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn url_precheck_never_skips_a_link(body in linky()) {
        check_url_precheck(&body);
    }
}

#[test]
fn url_precheck_sees_every_link_of_the_fixtures() {
    let root = common::root();
    let mut found = 0;
    for path in ["tests/fixtures/evasions.jsonl", "examples/labeled.jsonl"] {
        for body in bodies(&root.join(path)) {
            found += usize::from(check_url_precheck(&body));
        }
    }
    for body in ["see http://x.example", "WWW.Example.com", "Www.x"] {
        assert!(check_url_precheck(body), "{body:?}");
    }
    check_url_precheck("httpſ://a long s, which (?i) may read as an s");
    assert!(!moderate::matcher::structural::may_hold_url("no link here. www is a word"));
    assert!(found > 0, "no fixture body has a link");
}

#[test]
fn prose_strategy_takes_the_fast_path_often() {
    // The property above is only as strong as the share of cases that reach the comparison.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prose();
    let (mut fast, n) = (0, 2000);
    for _ in 0..n {
        let body = strategy.new_tree(&mut runner).expect("strategy").current();
        fast += usize::from(check(&body));
    }
    assert!(fast * 4 >= n, "only {fast} of {n} generated bodies took the fast path");
}

/// Every `"body"` string of a JSONL file, and every line of a text file.
fn bodies(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if path.extension().is_some_and(|e| e == "jsonl") {
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
            .collect()
    } else {
        text.lines().map(str::to_string).collect()
    }
}

fn check_all(paths: &[std::path::PathBuf]) -> (usize, usize) {
    let (mut seen, mut fast) = (0, 0);
    for p in paths {
        for body in bodies(p) {
            seen += 1;
            fast += usize::from(check(&body));
            check_plain_words(&body);
            // Sentences and words of the body too: shorter shapes of the same text.
            for part in body.split(['.', '\n']) {
                check(part);
                check(part.trim());
            }
            check(&body.to_ascii_uppercase());
        }
    }
    (seen, fast)
}

#[test]
fn fast_path_equals_full_on_the_fixtures() {
    let root = common::root();
    let mut paths = vec![
        root.join("tests/fixtures/evasions.jsonl"),
        root.join("tests/fixtures/identity/corpus.jsonl"),
        root.join("examples/labeled.jsonl"),
    ];
    for dir in ["seeds", "rules/profanity", "rules/insult"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            paths.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    paths.sort();
    let (seen, fast) = check_all(&paths);
    assert!(seen > 1000, "read {seen} bodies");
    assert!(fast > 50, "only {fast} of {seen} fixture bodies took the fast path");
}

#[test]
fn fast_path_equals_full_on_the_dev_data() {
    let Some(dir) = common::shared("data") else { return };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    let (seen, fast) = check_all(&paths);
    eprintln!("fast path on {fast} of {seen} dev bodies");
    assert!(seen > 0 && fast > 0, "{fast} of {seen}");
}

#[test]
fn fast_path_refuses_what_the_full_path_changes() {
    for body in [
        "f.u.c.k",
        "a s s",
        "x y b.o.l.l.o.c.k.s",
        "F-U-C-K",
        "sh1t",
        "f@ck",
        "fuuuck",
        "two  spaces",
        "tab\there",
        "line\n\nbreak",
        "line \nbreak",
        "crlf\r\nbreak",
        "f&#117;ck",
        "<b>fu</b>ck",
        "you`re",
        "fu(k",
        "caf\u{e9}",
        "a: b",
        "x@abc",
        "@aab",
        "@ b c",
        "@@user",
        "@",
        "hi @",
        "@b@",
        "u!",
        "f!ck",
        "omg!!1",
        "!wow",
        "wow!x",
        "a! b! c!",
        "4get",
        "1st",
        "h3llo",
        "1.5",
        "2-face",
        "10!",
        "a#b",
        "##tag",
        "# tag",
        "#1",
        "tag#",
        "f 4 g",
        "i 2 u",
        "x1",
    ] {
        assert!(!Normalizer::takes_fast_path(body), "{body:?}");
    }
    for body in [
        "hello world, you idiot",
        "What a Mess.",
        "a, b",
        "I think so",
        "don't \"quote\" me?",
        "",
        "@user hello",
        "RT @Someone: x",
        "hi @bob, ok",
        "line\nbreak\n",
        "wow! no!!! what!?",
        "hi!, you.",
        "#tag here",
        "see #This and #that",
        "I have 2 dogs, 10 cats?",
        "100",
        "in 2026\nok",
    ] {
        assert!(Normalizer::takes_fast_path(body), "{body:?}");
        assert!(check(body));
    }
}

#[test]
fn profile_rules_prints_a_table_and_changes_no_verdict() {
    let input = concat!(
        "{\"id\":\"1\",\"body\":\"you are an idiot\"}\n",
        "{\"id\":\"2\",\"body\":\"hello there, nice weather\"}\n",
        "{\"id\":\"3\",\"body\":\"what a f.u.c.k.i.n.g mess, go to hell\"}\n",
    );
    let root = common::root();
    let args = ["run", "-q", "--format", "jsonl", "-j", "2", "-c", "tests/fixtures/identity/pack/config.toml", "-"];
    let plain = common::moderate_in(&root, &args, input);
    let mut with = args.to_vec();
    with.insert(1, "--profile-rules");
    let profiled = common::moderate_in(&root, &with, input);
    assert_eq!(plain.status.code(), Some(0), "{}", common::stderr(&plain));
    assert_eq!(profiled.status.code(), Some(0), "{}", common::stderr(&profiled));
    assert_eq!(plain.stdout, profiled.stdout, "the profile changes no verdict");
    assert!(!common::stderr(&plain).contains("rule profile"));
    let table = common::stderr(&profiled);
    assert!(table.starts_with("rule profile: 3 comments"), "{table}");
    for stage in ["normalize", "literal automaton", "regex patterns, normalized text", "decide"] {
        assert!(table.lines().any(|l| l.starts_with(stage)), "no {stage} row in {table}");
    }
    // Every rule that gave a reason has a row with at least one hit.
    let records = common::records(&plain);
    let hit_rules: Vec<String> = records
        .iter()
        .flat_map(|r| r["reasons"].as_array().cloned().unwrap_or_default())
        .filter_map(|reason| reason["rule"].as_str().map(str::to_string))
        .collect();
    assert!(!hit_rules.is_empty(), "the input hits rules");
    for rule in hit_rules {
        let row = table.lines().find(|l| l.split_whitespace().next() == Some(rule.as_str()));
        let row = row.unwrap_or_else(|| panic!("no row for {rule} in {table}"));
        let hits: u64 = row.split_whitespace().last().and_then(|h| h.parse().ok()).unwrap_or(0);
        assert!(hits >= 1, "{row}");
    }
}
