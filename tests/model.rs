//! The learned model (issue 22): `moderate learn` on a tiny planted dataset, the model rule in a
//! config, its explanation spans, determinism, the overwrite guard, hostile model files, the
//! moderators' loop (`--from-decisions`) and the shipped model's guarantees.

mod common;
use common::*;

use std::path::Path;

use moderate::comment::Comment;
use moderate::Decision;

/// The sentence frames the planted datasets fill: who is named, and what follows the phrase.
const SUBJECTS: [&str; 6] = ["you are", "honestly you are", "frankly he is", "she is", "they are", "my neighbour is"];
const TAILS: [&str; 6] = ["today", "again", "as usual", "and everyone knows it", "in every thread", "for sure"];

/// A labeled file where "zorblax grumfle" (a phrase no list holds) marks an attack. A phrase,
/// not one word: the model never flags on a single decisive word (docs/model.md).
fn planted(dir: &Path) -> std::path::PathBuf {
    let mut lines = Vec::new();
    for (i, s) in SUBJECTS.iter().enumerate() {
        for (j, t) in TAILS.iter().enumerate() {
            let n = i * 10 + j;
            let bad = format!("{s} such a zorblax grumfle {t}");
            let good = format!("{s} such a keen gardener {t}");
            lines.push(
                serde_json::json!({"id": format!("p{n}"), "body": bad, "labels": {"attack": true, "toxic": true}}),
            );
            lines.push(
                serde_json::json!({"id": format!("n{n}"), "body": good, "labels": {"attack": false, "toxic": false}}),
            );
        }
    }
    let path = dir.join("planted.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

fn config(dir: &Path, model: &str) {
    let toml = format!(
        "extends = \"builtin\"\n\n[[rule]]\nid = \"model.planted\"\ncategory = \"attack\"\nscore = 1.0\n\
         message = \"the planted model reads this as an attack\"\n\
         signal = {{ type = \"model\", path = \"{model}\", label = \"attack\", min = 0.7 }}\n"
    );
    std::fs::write(dir.join("site.toml"), toml).unwrap();
}

fn learn(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["learn", "--folds", "3", "--bits", "12"];
    all.extend_from_slice(args);
    moderate_in(dir, &all, "")
}

#[test]
fn a_model_trained_on_a_planted_dataset_flags_the_phrase_and_explains_it_with_its_span() {
    let dir = tempfile::tempdir().unwrap();
    planted(dir.path());
    let o = learn(dir.path(), &["planted.jsonl", "-o", "m.bin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(report.contains("| planted.jsonl | attack |"), "{report}");
    assert!(report.contains("rules alone") && report.contains("rules + model"), "{report}");
    config(dir.path(), "m.bin");

    // Written in leetspeak: the span is the original text, through the normalizer's offset map.
    let body = "Well you are a total Z0RBLAX grumfle";
    let o = moderate_in(dir.path(), &["explain", "--json", "--config", "site.toml", body], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let v = &out["verdict"];
    assert_eq!(v["verdict"], "flag", "{out:#}");
    let reason = v["reasons"].as_array().unwrap().iter().find(|r| r["rule"] == "model.planted").expect("model reason");
    assert_eq!(reason["category"], "attack");
    let matches = reason["matches"].as_array().unwrap();
    let m = matches.iter().find(|m| m["text"].as_str().unwrap().contains("Z0RBLAX")).expect("the planted word");
    let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
    assert_eq!(m["text"].as_str().unwrap(), &body[s..e]);
    assert!(body[s..e].ends_with("Z0RBLAX grumfle") && e - s <= "a Z0RBLAX grumfle".len(), "{m}");
    // The word that pushed most comes first, with its contribution.
    let msg = reason["message"].as_str().unwrap();
    let strongest = msg.split("words: ").nth(1).and_then(|w| w.split(", ").next()).unwrap_or("");
    assert!(strongest.contains("Z0RBLAX grumfle\" +"), "{msg}");

    // The human explanation prints the same words and their push.
    let o = moderate_in(dir.path(), &["explain", "--config", "site.toml", body], "");
    let text = stdout(&o);
    assert!(text.contains("model.planted") && text.contains("Z0RBLAX grumfle\""), "{text}");

    // The benign twin, and a sentence without the word, are left alone by the model.
    // One of the two words alone is not enough: the evidence must be spread over the sentence.
    for ok in ["Well you are a total gardener", "Press the button to continue please", "Well you are a total Z0RBLAX"] {
        let o = moderate_in(dir.path(), &["explain", "--json", "--config", "site.toml", ok], "");
        let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let hit = out["verdict"]["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r["rule"] == "model.planted"));
        assert!(!hit, "{ok}: {out:#}");
    }
}

#[test]
fn training_is_deterministic_and_a_better_model_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    planted(dir.path());
    assert_eq!(learn(dir.path(), &["planted.jsonl", "-o", "a.bin"]).status.code(), Some(0));
    assert_eq!(learn(dir.path(), &["planted.jsonl", "-o", "b.bin"]).status.code(), Some(0));
    let a = std::fs::read(dir.path().join("a.bin")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.bin")).unwrap(), "same files, same bytes");
    assert_eq!(&a[..8], b"MDRTMODL");

    // Labels that carry no signal measure worse: the better model stays unless --force. (Every
    // row's words are its own, so no feature has the support to weigh anything.)
    let noise: String = (0..40)
        .map(|i| {
            let y = i % 2 == 0;
            format!(
                "{{\"id\":\"r{i}\",\"body\":\"plain{i} words{i} number{i} here{i}\",\"labels\":{{\"attack\":{y}}}}}\n"
            )
        })
        .collect();
    std::fs::write(dir.path().join("noise.jsonl"), noise).unwrap();
    let o = learn(dir.path(), &["noise.jsonl", "-o", "a.bin"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not overwritten"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("a.bin")).unwrap(), a);
    let o = learn(dir.path(), &["noise.jsonl", "-o", "a.bin", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(std::fs::read(dir.path().join("a.bin")).unwrap(), a);
}

#[test]
fn a_corrupt_or_hostile_model_file_is_a_located_config_error() {
    let dir = tempfile::tempdir().unwrap();
    planted(dir.path());
    assert_eq!(learn(dir.path(), &["planted.jsonl", "-o", "m.bin"]).status.code(), Some(0));
    let good = std::fs::read(dir.path().join("m.bin")).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    let mut huge = good.clone();
    huge[10] = 60; // 2^60 buckets
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "bad magic"),
        ("text", b"not a model at all".to_vec(), "bad magic"),
        ("truncated", good[..good.len() - 40].to_vec(), "the header promises"),
        ("flipped", flipped, "checksum mismatch"),
        ("huge", huge, "2^60"),
    ];
    for (name, bytes, want) in cases {
        std::fs::write(dir.path().join("m.bin"), &bytes).unwrap();
        config(dir.path(), "m.bin");
        let o = moderate_in(dir.path(), &["check", "--config", "site.toml"], "");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("site.toml:") && err.contains("m.bin") && err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // A label the model does not have, and a nonsense `min`, are located errors too.
    std::fs::write(dir.path().join("m.bin"), &good).unwrap();
    let toml = "extends = \"builtin\"\n[[rule]]\nid = \"model.x\"\ncategory = \"spam\"\nscore = 1.0\n\
                signal = { type = \"model\", path = \"m.bin\", label = \"spam\", min = 1.5 }\n";
    std::fs::write(dir.path().join("site.toml"), toml).unwrap();
    let o = moderate_in(dir.path(), &["check", "--config", "site.toml"], "");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("has no label `spam`") && err.contains("must be in (0, 1]"), "{err}");
}

#[test]
fn learn_from_decisions_trains_on_the_moderators_approvals_and_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seeds = root().join("seeds");
    let o = moderate_in(d, &["run", "-q", "--queue", "review.db", seeds.to_str().unwrap(), "-o", "v.jsonl"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = moderate_in(d, &["review", "list", "--json"], "");
    let items = records(&o);
    assert!(items.len() >= 2, "{}", stdout(&o));
    for (i, item) in items.iter().enumerate() {
        let id = item["item"].to_string();
        let verb = if i % 2 == 0 { "reject" } else { "approve" };
        let o = moderate_in(d, &["review", verb, &id, "--reviewer", "ana"], "");
        assert_eq!(o.status.code(), Some(0), "{verb} {id}: {}", stderr(&o));
    }
    let o =
        moderate_in(d, &["learn", "--from-decisions", "review.db", "--folds", "2", "--bits", "12", "-o", "m.bin"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("| review.db | toxic |"), "{}", stdout(&o));
    let bytes = std::fs::read(d.join("m.bin")).unwrap();
    let model = moderate::model::Model::decode(&bytes).unwrap();
    assert!(model.meta.contains("review.db"), "{}", model.meta);
    assert_eq!(model.label("toxic"), Some(0));
}

/// The datasets count spam as toxic (youtube-spam maps spam to both labels). The `toxic` head
/// learns abuse: a row whose only positive label is spam is no evidence for it, so a planted
/// sales phrase labeled spam + toxic trains the spam head, never the toxic one.
#[test]
fn the_toxic_head_does_not_learn_spam_as_abuse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut lines = Vec::new();
    for (i, s) in SUBJECTS.iter().enumerate() {
        for (j, t) in TAILS.iter().enumerate() {
            let n = i * 10 + j;
            let row = |id: String, body: String, labels: serde_json::Value| {
                serde_json::json!({"id": id, "body": body, "labels": labels}).to_string() + "\n"
            };
            let abuse = serde_json::json!({"toxic": true, "attack": true, "spam": false});
            let spam = serde_json::json!({"toxic": true, "spam": true});
            let clean = serde_json::json!({"toxic": false, "spam": false});
            lines.push(row(format!("a{n}"), format!("{s} such a zorblax grumfle {t}"), abuse));
            lines.push(row(format!("s{n}"), format!("{s} buying quarbix tablets at vendomart {t}"), spam));
            lines.push(row(format!("c{n}"), format!("{s} such a keen gardener {t}"), clean));
        }
    }
    std::fs::write(d.join("mixed.jsonl"), lines.concat()).unwrap();
    let o = learn(d, &["mixed.jsonl", "-o", "m.bin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let model = moderate::model::Model::decode(&std::fs::read(d.join("m.bin")).unwrap()).unwrap();
    assert!(model.label("spam").is_some(), "spam has a head of its own");
    let toml = "extends = \"builtin\"\n\n[[rule]]\nid = \"model.mixed\"\ncategory = \"toxic\"\n\
                action = \"flag\"\nmessage = \"the mixed model reads this as abusive\"\n\
                signal = { type = \"model\", path = \"m.bin\", label = \"toxic\", min = 0.6 }\n";
    std::fs::write(d.join("site.toml"), toml).unwrap();
    let hit = |body: &str| {
        let o = moderate_in(d, &["explain", "--json", "--config", "site.toml", body], "");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        out["verdict"]["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r["rule"] == "model.mixed"))
    };
    assert!(hit("well you are a total zorblax grumfle"), "the abuse phrase is what the toxic head learned");
    assert!(!hit("well you are buying quarbix tablets at vendomart"), "spam is not abuse");
}

/// The built-in pack's model rules.
fn builtin() -> moderate::Engine {
    moderate::config::load_from(moderate::config::source::FileSource::Builtin, "config.toml")
        .expect("built-in pack")
        .engine
}

#[test]
fn the_shipped_model_is_small_and_loaded_by_the_pack() {
    let engine = builtin();
    assert!(!engine.models().is_empty(), "the pack has model rules");
    let size = std::fs::metadata(root().join("rules/model.bin")).unwrap().len();
    assert!(size <= 5 << 20, "rules/model.bin is {size} bytes");
}

fn model_reasons(v: &moderate::Verdict, engine: &moderate::Engine) -> Vec<String> {
    let ids: Vec<&str> = engine.models().rules.iter().map(|r| engine.rules()[r.rule].id.as_str()).collect();
    v.reasons.iter().filter(|r| ids.contains(&r.rule.as_str())).map(|r| r.rule.clone()).collect()
}

#[test]
fn the_shipped_model_flags_no_dictionary_word() {
    let dict = Path::new("/usr/share/dict/words");
    if !dict.exists() {
        note_skip(dict);
        return;
    }
    let engine = builtin();
    let text = std::fs::read_to_string(dict).unwrap();
    let mut flagged = Vec::new();
    for w in text.lines() {
        for body in [w.to_string(), format!("{w}!")] {
            let v = engine.judge(&Comment::new("w", body.clone()));
            if !model_reasons(&v, &engine).is_empty() {
                flagged.push(body);
            }
        }
    }
    assert!(
        flagged.is_empty(),
        "{} dictionary words flagged by the model: {:?}",
        flagged.len(),
        &flagged[..flagged.len().min(20)]
    );
}

#[test]
fn the_shipped_model_denies_no_innocent_evasion_row_and_never_blocks_alone() {
    let engine = builtin();
    let mut files = vec![root().join("tests/fixtures/evasions.jsonl"), root().join("examples/labeled.jsonl")];
    files.extend(shared("data/evasions.dev.jsonl"));
    for f in files {
        let rows = moderate::eval::read_labeled(&f).unwrap();
        for row in rows {
            let v = engine.judge(&row.comment);
            let by_model = model_reasons(&v, &engine);
            if by_model.is_empty() {
                continue;
            }
            let bare = engine.with_models(Default::default()).judge(&row.comment);
            if row.labels.get("toxic") == Some(&false) {
                assert!(
                    !bare.verdict.is_deny() || bare.verdict == v.verdict,
                    "{}: {:?} {:?}",
                    f.display(),
                    row.comment.body,
                    v
                );
                assert!(
                    !v.verdict.is_deny() || bare.verdict.is_deny(),
                    "model denied an innocent row {:?}: {:?}",
                    row.comment.body,
                    v
                );
            }
            if bare.verdict == Decision::Allow {
                assert_ne!(v.verdict, Decision::Block, "the model blocked alone: {:?}", row.comment.body);
            }
        }
    }
}

/// The model must add recall without holding ordinary text (issue 22): sentences a news site's
/// readers write about parties, religions, nationalities and the news of the day, written for
/// the tests (never trained on), keep the verdict the rules give them (a shadow rule may watch).
#[test]
fn the_shipped_model_holds_no_neutral_news_sentence() {
    let engine = builtin();
    let bare = engine.with_models(Default::default());
    let rows = moderate::eval::read_labeled(&root().join("tests/fixtures/neutral-news.jsonl")).unwrap();
    assert!(rows.len() >= 100, "the fixture has {} rows", rows.len());
    let held: Vec<(String, Vec<String>)> = rows
        .iter()
        .filter_map(|row| {
            let v = engine.judge(&row.comment);
            let changed = v.verdict != bare.judge(&row.comment).verdict;
            changed.then(|| (row.comment.body.clone(), model_reasons(&v, &engine)))
        })
        .collect();
    assert!(held.is_empty(), "{} neutral sentences held by the model: {held:?}", held.len());
}
