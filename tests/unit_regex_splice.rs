//! A pattern's `{list}` slots are parsed once per list and put in place of a marker
//! (`matcher::regex::splice`): the result must be the parse of the expanded text, for every
//! pattern of the shipped pack and for the shapes a site's config may write around a slot, and
//! the short path must step aside wherever it could read a slot differently (flags, a slot in a
//! class, an escaped brace).

mod common;

use moderate::matcher::regex::RegexRules;
use moderate::verdict::Decision;
use moderate::{Comment, Engine};

/// Per pattern: whether the short path applied, after checking it gives the text's parse.
fn spliced_equal_parsed(rules: &RegexRules) -> Vec<bool> {
    (0..rules.len())
        .map(|i| {
            let text = rules.pattern_checked(i).expect("pattern");
            let spliced = rules.spliced_parse(i);
            if let Some(h) = &spliced {
                let parsed = regex_syntax::parse(text).expect("a loaded pattern parses");
                assert_eq!(h, &parsed, "pattern {i}: the spliced parse differs from the parse of {text:.200}");
            }
            spliced.is_some()
        })
        .collect()
}

#[test]
fn every_shipped_pattern_with_a_slot_parses_as_its_text() {
    let engine = common::builtin_engine();
    let [norm, raw] = engine.matcher().regex_rules();
    let norm_spliced = spliced_equal_parsed(norm);
    let raw_spliced = spliced_equal_parsed(raw);
    let spliced = norm_spliced.iter().chain(&raw_spliced).filter(|&&s| s).count();
    // The pack writes `{insult}`, `{group}`, ... in most of its aimed patterns: the short path
    // must be the one they take (else it saves nothing and this test checks nothing).
    assert!(spliced >= 60, "only {spliced} patterns took the short path");
    // A pattern that names a list takes it: its text is long with the list's terms.
    for (i, s) in norm_spliced.iter().enumerate() {
        let text = norm.pattern_checked(i).unwrap();
        if text.matches('|').count() > 100 {
            assert!(s, "pattern {i} holds a list but was parsed from its text: {text:.200}");
        }
    }
}

fn engine(patterns: &[&str], lists: &[(&str, &str)]) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from("[thresholds]\nflag = 1.0\nblock = 100.0\n\n[lists]\n");
    for (name, terms) in lists {
        std::fs::write(dir.path().join(format!("{name}.txt")), terms).unwrap();
        config.push_str(&format!("{name} = \"{name}.txt\"\n"));
    }
    for (k, p) in patterns.iter().enumerate() {
        config.push_str(&format!(
            "\n[[rule]]\nid = \"p.{k}\"\ncategory = \"attack\"\nscore = 1.0\npatterns = ['{p}']\n"
        ));
    }
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let loaded = moderate::config::load(Some(&dir.path().join("config.toml")))
        .unwrap_or_else(|d| panic!("config does not load: {}", d.short()));
    (dir, loaded.engine)
}

fn hits(e: &Engine, body: &str) -> Vec<(String, String)> {
    let v = e.judge(&Comment::new("c", body));
    let mut out: Vec<(String, String)> = v
        .reasons
        .iter()
        .flat_map(|r| r.matches.iter().map(move |m| (r.rule.clone(), m.text.clone())))
        .collect();
    out.sort();
    if out.is_empty() {
        assert_eq!(v.verdict, Decision::Allow, "{body:?}");
    }
    out
}

const LISTS: &[(&str, &str)] =
    &[("insult", "idiot\nfool\nclown\nmoron\nfool of a took\n"), ("one", "dolt\n"), ("chars", "x\ny\nz\n")];

#[test]
fn the_shapes_around_a_slot_parse_as_their_text() {
    let patterns = [
        r"\byou {insult}\b",
        r"\b(?:you|u) (?:a |an )?{insult}s?\b",
        r"\b{insult}\b",
        r"\b(?:{insult}|{one})\b",
        r"\b(?:you {insult}|you {one})\b",
        r"\b(?:big {insult}|big {insult} again)\b",
        r"\b{insult}(?: {insult}){1,3}\b",
        r"\b(?P<who>you) {one}\b",
        r"\bthe {chars} {one}\b",
        r"\b(?:{one}|y)\b",
        r"^{insult}$",
        r"\b{insult}{one}\b",
    ];
    let (_dir, e) = engine(&patterns, LISTS);
    let [norm, _] = e.matcher().regex_rules();
    let spliced = spliced_equal_parsed(norm);
    assert!(spliced.iter().all(|&s| s), "every shape above takes the short path: {spliced:?}");
    let you_idiot = hits(&e, "you idiot");
    for (rule, text) in [("p.0", "you idiot"), ("p.1", "you idiot"), ("p.2", "idiot"), ("p.3", "idiot"), ("p.4", "you idiot")] {
        assert!(you_idiot.contains(&(rule.into(), text.into())), "{rule} {text}: {you_idiot:?}");
    }
    assert!(hits(&e, "u a clowns").contains(&("p.1".into(), "u a clowns".into())));
    assert!(hits(&e, "you fool of a took").contains(&("p.0".into(), "you fool of a took".into())));
    // Leftmost-first: the first branch that matches wins, as in the parse of the text.
    assert!(hits(&e, "big clown again").contains(&("p.5".into(), "big clown".into())));
    assert!(hits(&e, "idiot fool moron").contains(&("p.6".into(), "idiot fool moron".into())));
    let the_y_dolt = hits(&e, "the y dolt");
    assert!(the_y_dolt.contains(&("p.8".into(), "the y dolt".into())), "{the_y_dolt:?}");
    assert!(the_y_dolt.contains(&("p.9".into(), "dolt".into())), "{the_y_dolt:?}");
    assert!(the_y_dolt.contains(&("p.9".into(), "y".into())), "{the_y_dolt:?}");
    assert!(hits(&e, "moron").contains(&("p.10".into(), "moron".into())));
    assert!(hits(&e, "clowndolt").contains(&("p.11".into(), "clowndolt".into())));
    assert_eq!(hits(&e, "a kind word"), []);
}

#[test]
fn flags_and_slots_in_classes_take_the_long_path() {
    // `(?i)` would fold the terms' case; the normalized text is lower case anyway, but the short
    // path must not guess. In a class, `{one}` is no group: its characters are class members.
    let patterns = [r"(?i)\byou {insult}\b", r"\byou (?i:{insult})\b", r"\bsee [{one}]+\b", r"(?x)\b {insult} \b"];
    let (_dir, e) = engine(&patterns, LISTS);
    let [norm, _] = e.matcher().regex_rules();
    let spliced = spliced_equal_parsed(norm);
    assert_eq!(spliced, [false, false, false, false]);
    assert!(hits(&e, "you moron").contains(&("p.0".into(), "you moron".into())));
    assert!(hits(&e, "you moron").contains(&("p.1".into(), "you moron".into())));
    assert!(hits(&e, "see told").contains(&("p.2".into(), "see told".into())));
    // In verbose mode the spaces of a term are dropped: `fool of a took` reads `foolofatook`.
    assert!(hits(&e, "foolofatook").contains(&("p.3".into(), "foolofatook".into())));
}

