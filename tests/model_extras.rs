//! The model's optional extra features (issue 22, sixth session): character n-grams inside
//! words (`learn --char-ngrams`) and second-person / negation context (`learn --context`).
//! Neither is in the shipped model (they did not raise recall at precision 0.9 on held-back
//! folds, docs/model.md), but a site may train with them, so their guarantees are checked:
//! "cocktail" and "Scunthorpe" never carry the evidence of the listed word inside them.

mod common;
use common::*;

use std::path::Path;

use moderate::model::features::{context, grams, word_hash, words, Gram};
use moderate::model::format::Model;

fn grams_of(text: &str) -> Vec<Gram> {
    let mut ws = Vec::new();
    words(text, &mut ws);
    let mut out = Vec::new();
    grams(text, &ws, &mut out);
    out
}

#[test]
fn char_ngrams_stay_inside_one_word_and_skip_function_and_group_words() {
    let text = "the cocktail of jews";
    let mut ws = Vec::new();
    words(text, &mut ws);
    let g = grams_of(text);
    // Only "cocktail" (word 1) gives n-grams: "the", "of" are function words, "jews" a group.
    assert!(!g.is_empty());
    assert!(g.iter().all(|g| g.word == 1), "{g:?}");
    // ^cocktail$ is 10 bytes: 8 + 7 + 6 runs of 3, 4, 5 bytes, none of them the whole word.
    assert_eq!(g.len(), 8 + 7 + 6);
    assert!(g.iter().all(|g| g.letters != word_hash("cocktail")));
    // The n-gram "cock" inside "cocktail" has the letters of the word "cock" but is not its
    // feature (a unigram's hash is the word's hash): its own feature, marks included.
    let cock = word_hash("cock");
    let inside: Vec<&Gram> = g.iter().filter(|g| g.letters == cock).collect();
    assert_eq!(inside.len(), 2, "^cock and cock: {g:?}");
    assert!(inside.iter().all(|g| g.hash != cock));
    // A word of two letters gives its marked pieces only; a hostile long word is bounded.
    assert_eq!(grams_of("ab").len(), 2);
    let long = "x".repeat(100_000);
    assert!(grams_of(&long).len() <= 3 * moderate::model::features::GRAM_WORD_BYTES);
}

#[test]
fn context_features_follow_a_second_person_word_or_a_negation() {
    let mut ws = Vec::new();
    words("you are a clown and not stupid at all", &mut ws);
    let mut out = Vec::new();
    context(&ws, &mut out);
    let at: Vec<u32> = out.iter().map(|g| g.word).collect();
    // "clown" (3 words after "you") and "stupid" (after "not"); function words give none.
    assert_eq!(at, vec![3, 6], "{out:?}");
    assert!(out.iter().all(|g| g.letters == 0 && g.hash != ws[g.word as usize].hash));
    words("a clown and stupid", &mut ws);
    out.clear();
    context(&ws, &mut out);
    assert!(out.is_empty());
}

/// Rows where the listed words "cock" and "cunt" mark an attack and a benign twin does not.
fn planted(dir: &Path) {
    let subjects = ["you are", "honestly you are", "frankly he is", "she is", "they are", "my neighbour is"];
    let tails = ["today", "again", "as usual", "and everyone knows it", "in every thread", "for sure"];
    let mut text = String::new();
    for (i, s) in subjects.iter().enumerate() {
        for (j, t) in tails.iter().enumerate() {
            let bad = if (i + j) % 2 == 0 { "cock" } else { "cunt" };
            let rows = [
                serde_json::json!({"id": format!("p{i}{j}"), "body": format!("{s} such a {bad} {t}"),
                    "labels": {"attack": true, "toxic": true}}),
                serde_json::json!({"id": format!("n{i}{j}"), "body": format!("{s} such a keen gardener {t}"),
                    "labels": {"attack": false, "toxic": false}}),
            ];
            for r in rows {
                text.push_str(&format!("{r}\n"));
            }
        }
    }
    std::fs::write(dir.join("planted.jsonl"), text).unwrap();
}

#[test]
fn a_char_ngram_model_gives_no_weight_to_a_listed_word_inside_another_word() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    planted(d);
    let o = moderate_in(
        d,
        &["learn", "planted.jsonl", "--folds", "3", "--bits", "12", "--min-support", "2", "--char-ngrams", "--context"],
        "",
    );
    // (learn needs -o)
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = moderate_in(
        d,
        &[
            "learn",
            "planted.jsonl",
            "--folds",
            "3",
            "--bits",
            "12",
            "--min-support",
            "2",
            "--char-ngrams",
            "--context",
            "-o",
            "m.bin",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let m = Model::decode(&std::fs::read(d.join("m.bin")).unwrap()).unwrap();
    assert!(m.char_ngrams && m.context, "the options are recorded and read back");
    let attack = m.label("attack").unwrap();
    // The model learned the words themselves...
    assert!(m.raw_weight(word_hash("cock"), attack) > 0);
    assert!(m.raw_weight(word_hash("cunt"), attack) > 0);
    // ...and some n-grams of them (so the check below is not vacuous)...
    let learned = grams_of("cock cunt").iter().filter(|g| m.raw_weight(g.hash, attack) > 0).count();
    assert!(learned > 0, "no n-gram learned");
    // ...but no n-gram spelling a word of the training text inside "cocktail" or "Scunthorpe".
    for w in ["cocktail", "scunthorpe"] {
        for g in grams_of(w) {
            if g.letters == word_hash("cock") || g.letters == word_hash("cunt") {
                assert_eq!(m.raw_weight(g.hash, attack), 0, "{w}: {g:?}");
            }
        }
    }
    // And the model never flags them in a plain sentence.
    let toml = "extends = \"builtin\"\n\n[[rule]]\nid = \"model.planted\"\ncategory = \"attack\"\nscore = 0.0\n\
         message = \"the planted model reads this as an attack\"\n\
         signal = { type = \"model\", path = \"m.bin\", label = \"attack\", min = 0.5 }\n";
    std::fs::write(d.join("site.toml"), toml).unwrap();
    let by_model = |body: &str| {
        let o = moderate_in(d, &["explain", "--json", "--config", "site.toml", body], "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        out["verdict"]["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r["rule"] == "model.planted"))
    };
    assert!(!by_model("I think the cocktail is here"));
    assert!(!by_model("We drove to Scunthorpe at dinner last night"));
    assert!(by_model("honestly you are such a cock as usual"), "the planted phrase is found");
}

/// `learn --residual` trains only on the rows the rules alone allow (the only ones where a
/// flag-only model changes a verdict), and says so in the model's metadata; `--stack-report`
/// prints the second stage's held-back table (eighth session; measured, nothing ships).
#[test]
fn residual_training_leaves_out_the_rows_the_rules_deny() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    planted(d);
    let args = ["learn", "planted.jsonl", "--folds", "3", "--bits", "12", "--min-support", "2"];
    // The pack's rules deny "such a cunt": with every row, the word is learned...
    let o = moderate_in(d, &[&args[..], &["-o", "all.bin"]].concat(), "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = Model::decode(&std::fs::read(d.join("all.bin")).unwrap()).unwrap();
    let a = all.label("attack").unwrap();
    assert!(all.raw_weight(word_hash("cunt"), a) > 0);
    assert!(!all.meta.contains("residual"), "the default metadata is unchanged: {}", all.meta);
    // ...with --residual its rows are not trained on, so it weighs nothing.
    let o = moderate_in(d, &[&args[..], &["--residual", "--stack-report", "-o", "res.bin"]].concat(), "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let res = Model::decode(&std::fs::read(d.join("res.bin")).unwrap()).unwrap();
    assert_eq!(res.raw_weight(word_hash("cunt"), res.label("attack").unwrap()), 0);
    assert!(res.meta.contains("\"residual\":true"), "{}", res.meta);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("second stage") && out.contains("| attack | second stage |"), "{out}");
}
