//! Breadth of the shipped pack: the words and spellings of real abuse are denied, and the
//! innocent words that contain them are not.
//!
//! Every row here is written for this project (no probe or dataset rows): one table per evasion
//! family (mixed separators, symbols for letters, dropped vowels, doubled or swapped letters,
//! phonetic spellings, inflections, compounds), threats and calls to violence, and innocent
//! sentences (place names, surnames, animal breeds, ordinary words that contain a term). The
//! tests run the real binary with the shipped `config.toml`, so they measure what a user gets.
//! A last test audits the pack against an English dictionary when one is installed.

mod common;

use common::{moderate_in, root};
use serde_json::Value;

/// Verdicts (`allow` / `flag` / `block`) for `bodies`, judged one per line by `moderate run`.
fn verdicts(bodies: &[&str]) -> Vec<(String, Vec<String>)> {
    let input: String = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| serde_json::json!({"id": i.to_string(), "body": b}).to_string() + "\n")
        .collect();
    let out = moderate_in(&root(), &["run", "-q", "--format", "jsonl", "-"], &input);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("verdict JSON");
            let rules = v["reasons"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["rule"].as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            (v["verdict"].as_str().unwrap_or("").to_string(), rules)
        })
        .collect()
}

/// Asserts every body is denied (flag or block); with `block`, blocked.
fn all_denied(family: &str, bodies: &[&str], block: bool) {
    let got = verdicts(bodies);
    let bad: Vec<String> = bodies
        .iter()
        .zip(&got)
        .filter(|(_, (v, _))| if block { v != "block" } else { v != "flag" && v != "block" })
        .map(|(b, (v, r))| format!("{b:?} → {v} {r:?}"))
        .collect();
    assert!(bad.is_empty(), "{family}: not {}:\n{}", if block { "blocked" } else { "denied" }, bad.join("\n"));
}

/// Asserts every body is allowed.
fn all_allowed(family: &str, bodies: &[&str]) {
    let got = verdicts(bodies);
    let bad: Vec<String> = bodies
        .iter()
        .zip(&got)
        .filter(|(_, (v, _))| v != "allow")
        .map(|(b, (v, r))| format!("{b:?} → {v} {r:?}"))
        .collect();
    assert!(bad.is_empty(), "{family}: wrongly denied:\n{}", bad.join("\n"));
}

#[test]
fn mixed_separators_inside_one_word() {
    all_denied(
        "mixed separators",
        &["what a f.u-c_k mess", "F_u c_K this", "well s-h.i_t happens", "you b.i-t_c.h", "a total a_s-s.h-o_l.e"],
        false,
    );
}

#[test]
fn symbols_standing_for_letters() {
    all_denied("symbols", &["fu¢k this", "what a fu(k up", "b!tch please", "fμ¢κ it", "sh!t show", "€at sh!t"], false);
}

#[test]
fn letters_kept_apart_by_one_symbol_or_split_off() {
    all_denied(
        "interleaved symbols and split initials",
        &["f*u*c*k this", "what a s^h^i^t show", "you b!i!t!c!h", "w.ank off", "a total a_rse"],
        false,
    );
}

#[test]
fn symbols_beyond_leet_digits() {
    all_denied("more symbols", &["bi+ch please", "what a c()ck", "fu<king hell", "f>>k this"], false);
}

#[test]
fn letter_slipped_in_or_hidden_behind_x() {
    all_denied("slips", &["you bihtch", "fuhck this", "fxck this", "total shxt", "what a dxck"], false);
}

#[test]
fn starred_terms_have_whole_word_spellings() {
    // `fuck*` is starred; its short and vowel-swapped spellings count only as whole words.
    all_denied(
        "whole-word spellings of starred terms",
        &["facking hell", "ficking idiots", "fcking hell", "sht happens"],
        false,
    );
    all_allowed(
        "their look-alikes",
        &["I was faking it", "a shutter and a shatter", "the docking station", "fracking wells"],
    );
}

#[test]
fn aimed_obscenity_blocks_however_it_is_written() {
    all_denied("aimed", &["fuck you", "f u c k you", "f*ck off", "f.u.c.k you", "fcuk you", "phuck yourself"], true);
}

#[test]
fn vowels_dropped() {
    all_denied(
        "vowels dropped",
        &["fck this", "that is sht", "what a btch", "total bullsht", "such a dck move"],
        false,
    );
}

#[test]
fn letters_doubled_or_swapped() {
    all_denied("doubled or swapped", &["fuuk off", "fcuk it", "a real mohterfucker", "you are a bithc"], false);
}

#[test]
fn phonetic_spellings() {
    all_denied("phonetic", &["phuk this", "we are fooked", "fukk that", "what a kunt", "shyte", "a phaggot"], false);
}

#[test]
fn inflections_by_rule() {
    all_denied(
        "inflections",
        &["they gangbanged it", "stop whoring yourself", "a bunch of wankers", "spazzing out", "niggas"],
        false,
    );
}

#[test]
fn compounds_of_strong_terms() {
    all_denied(
        "compounds",
        &["cocksucked", "a dicksuck", "freakyfucker", "muthafucka", "what a cockmuncher", "punkass move"],
        false,
    );
}

#[test]
fn crude_sexual_terms() {
    all_denied("sexual", &["a gangbang", "bukkake", "his nutsack", "a schlong", "suck my", "swallow cum"], false);
}

#[test]
fn threats_and_calls_to_violence_block() {
    all_denied(
        "threats",
        &[
            "kill all muslims",
            "honestly, gas the jews.",
            "death to christians",
            "hope you all die",
            "i hope your whole family dies",
            "hang yourself.",
            "kil urself",
            "gonna shoot up the school tomorrow",
            "i will kill your family",
            "someone should mail a bomb to him",
        ],
        true,
    );
}

#[test]
fn innocent_places_names_breeds_and_words() {
    all_allowed(
        "innocent",
        &[
            "Niger is a country in West Africa",
            "Niamey is the capital of Niger.",
            "my Maine coon sleeps all day",
            "the Van Dyke show was on",
            "costard is an old apple",
            "please assess the damage",
            "I mishit the ball",
            "I get lost in these menus",
            "she graduated summa cum laude",
            "a kitchen-cum-diner",
            "a cocktail in Scunthorpe",
            "shiitake mushrooms",
            "mustard and custard",
            "a Cockapoo is a dog",
            "the war killed jews and muslims alike",
            "the school shooting was a tragedy",
            "he hopes you all do well",
            "King Cnut ruled England",
            "the skeet range",
        ],
    );
}

#[test]
fn slur_is_denied_without_in_group_exception() {
    all_denied("n-word", &["my nigga", "what up niggas"], false);
}

/// Dictionary audit: every word of the bundled English word list (`rules/lint/english.txt`,
/// SCOWL size 70, so it runs on every clone) goes through the pack; the words a wordlist rule
/// denies must be listed in `tests/fixtures/breadth/dictionary-hits.txt` (reviewed: real
/// obscenities, slurs and explicit terms that are dictionary words). Anything else is a
/// Scunthorpe false alarm to allowlist. The rare words of the much larger "insane" lists, where
/// the fuzzy pass works (it never bends a word of this list), are measured by
/// `scripts/pack-dictionary-audit.py` (docs/breadth.md has the count).
#[test]
fn dictionary_words_stay_innocent() {
    let text = std::fs::read_to_string(root().join("rules/lint/english.txt")).expect("bundled English list");
    let words: Vec<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_lowercase())
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(words.len() > 100_000, "the bundled list is SCOWL 70: {} words", words.len());
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let reviewed =
        std::fs::read_to_string(root().join("tests/fixtures/breadth/dictionary-hits.txt")).unwrap_or_default();
    let reviewed: std::collections::HashSet<&str> =
        reviewed.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect();
    let mut unexpected = Vec::new();
    for chunk in refs.chunks(100_000) {
        for (w, (v, rules)) in chunk.iter().zip(verdicts(chunk)) {
            let word_rule = rules.iter().any(|r| r.starts_with("profanity.") || r.starts_with("identity.slur"));
            if v != "allow" && word_rule && !reviewed.contains(w) {
                unexpected.push(format!("{w} {rules:?}"));
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} dictionary words denied that are not reviewed (allowlist them, or review them into the fixture):\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

/// Crafted bodies that used to make the normalizer rescan (an unclosed `<!--` searched to the
/// end for every opener, `a@a@...` looked ahead at every `@`, `1.1.1...` rescanned its run from
/// every digit) are judged in time linear in their size: 400 KB each, well under a second of
/// work when linear, minutes when quadratic.
#[test]
fn hostile_bodies_normalize_in_linear_time() {
    let n = 100_000;
    let bodies = ["<!--".repeat(n), "a@".repeat(2 * n), "1.".repeat(2 * n), "x.y-".repeat(n)];
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let start = std::time::Instant::now();
    let got = verdicts(&refs);
    assert_eq!(got.len(), bodies.len());
    let secs = start.elapsed().as_secs_f64();
    assert!(secs < 60.0, "4 crafted bodies of 400 KB took {secs:.1} s");
}
