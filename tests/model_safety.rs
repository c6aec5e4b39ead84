//! The learned model is safe by mechanism, so the pack enforces it (issue 22): unknown words
//! weigh exactly 0, rare features are not kept, a group's name is never evidence, the intercept
//! alone never makes a hit, one decisive word never makes a hit, and the shipped model leaves
//! the project's innocent fixtures and ordinary sentences alone.

mod common;
use common::*;

use moderate::comment::Comment;
use moderate::model::features::{bigram_hash, features, word_hash, words, GROUP};
use moderate::model::format::{Head, Model};
use moderate::model::train::{train, Options, Sample};
use moderate::Decision;

fn sample(text: &str, y: bool) -> Sample {
    let mut ws = Vec::new();
    words(text, &mut ws);
    Sample::new(&ws, 12, vec![Some(y)], 0)
}

fn judge(m: &Model, text: &str) -> f64 {
    let mut ws = Vec::new();
    words(text, &mut ws);
    m.judge(&ws, 0, &mut Vec::new())
}

/// Positives say "vile grumfle" about muslims; negatives talk about gardens. "rarebad" is in
/// only two positive rows.
fn planted() -> Model {
    let mut samples = Vec::new();
    for i in 0..40 {
        samples.push(sample(&format!("those muslims are vile grumfle number{} today", i % 8), true));
        samples.push(sample(&format!("those gardens are lovely roses number{} today", i % 8), false));
    }
    samples.push(sample("rarebad rarebad muslims", true));
    samples.push(sample("rarebad muslims again", true));
    let rows: Vec<usize> = (0..samples.len()).collect();
    let opts = Options { bits: 12, ..Options::default() };
    train(&samples, &rows, &["attack".to_string()], &opts, String::new())
}

#[test]
fn a_planted_phrase_hits_but_group_names_rare_and_unknown_words_are_no_evidence() {
    let m = planted();
    let p = judge(&m, "those muslims are vile grumfle number3 today");
    assert!(p > 0.5, "the planted phrase: {p}");
    // The group's name co-occurred with every positive: still it weighs at most 0, alone
    // and in pairs.
    assert!(m.raw_weight(GROUP, 0) <= 0, "group unigram {}", m.raw_weight(GROUP, 0));
    let those = word_hash("those");
    assert!(m.raw_weight(bigram_hash(those, GROUP), 0) <= 0);
    assert!(m.raw_weight(bigram_hash(GROUP, word_hash("are")), 0) <= 0);
    assert_eq!(judge(&m, "the war killed jews and muslims alike"), 0.0);
    // Seen in 2 rows (< min_support 4): not in the model at all.
    assert_eq!(m.find(word_hash("rarebad")), None);
    assert!(m.find(word_hash("grumfle")).is_some());
    // Words the model never saw weigh exactly 0.
    assert_eq!(judge(&m, "a cockapoo is a dog"), 0.0);
}

#[test]
fn the_intercept_alone_and_one_decisive_word_never_hit() {
    let kw = word_hash("zorblax");
    let keys = {
        let mut k = vec![kw, word_hash("grumfle")];
        k.sort_unstable();
        k
    };
    let weights = keys.iter().map(|&k| if k == kw { 100 } else { 80 }).collect();
    // A huge intercept: every text would score ~1 if the intercept counted.
    let heads = vec![Head { name: "attack".into(), slope: 1.0, bias: 20.0, scale: 0.05 }];
    let m = Model::new(heads, keys, weights, String::new());
    assert_eq!(judge(&m, "press the button to continue"), 0.0, "no evidence: no hit");
    assert_eq!(judge(&m, "what a zorblax you are"), 0.0, "one word carries it all");
    assert!(judge(&m, "what a zorblax grumfle you are") > 0.99, "evidence spread over two words");
    // Feature flags: a group name and a function word alone are capped, a pair with a
    // function word is not.
    let mut ws = Vec::new();
    words("the muslims shut up", &mut ws);
    let mut fs = Vec::new();
    features(&ws, &mut fs);
    let capped: Vec<bool> = fs.iter().map(|f| f.1).collect();
    // the, muslims, the+muslims, shut, muslims+shut, up, shut+up ("up" is a function word)
    assert_eq!(capped, [true, true, true, false, true, true, false]);
}

/// The built-in pack.
fn builtin() -> moderate::Engine {
    moderate::config::load_from(moderate::config::source::FileSource::Builtin, "config.toml")
        .expect("built-in pack")
        .engine
}

#[test]
fn the_pack_enforces_its_model_rules_and_they_only_flag() {
    let engine = builtin();
    assert_eq!(engine.models().rules.len(), 3);
    for mr in &engine.models().rules {
        let meta = &engine.rules()[mr.rule];
        // The identity head is watched, not enforced (docs/model.md, sixteenth session).
        assert_eq!(meta.shadow, meta.id == "model.identity", "{}: shadow {}", meta.id, meta.shadow);
        assert_eq!(meta.score, 0.0, "{} adds no score: it never blocks", meta.id);
        assert_eq!(meta.action.map(|a| a.decision()), Some(Decision::Flag), "{}", meta.id);
    }
    let size = std::fs::metadata(root().join("rules/model.bin")).unwrap().len();
    assert!(size <= 2 << 20, "rules/model.bin is {size} bytes (the hook warns above 2 MB)");
}

fn model_hits(engine: &moderate::Engine, body: &str) -> Vec<String> {
    let ids: Vec<&str> = engine.models().rules.iter().map(|r| engine.rules()[r.rule].id.as_str()).collect();
    let v = engine.judge(&Comment::new("s", body.to_string()));
    v.reasons.iter().filter(|r| ids.contains(&r.rule.as_str())).map(|r| r.message.clone()).collect()
}

#[test]
fn the_shipped_model_leaves_ordinary_sentences_alone() {
    let engine = builtin();
    let ordinary = [
        "a Cockapoo is a dog",
        "the war killed jews and muslims alike",
        "Press the button to continue.",
        "they shut down the plant",
        "The council approved the new budget for the school district last night.",
        "My grandmother was a proud Irish Catholic and a wonderful cook.",
        "A gay couple opened a Mexican restaurant on our street and the food is great.",
        "Muslims and Christians in the village celebrated the harvest together.",
        "I think the oven is here somewhere, check the kitchen.",
        "The black cat slept on the white sofa all afternoon.",
        "Women in science deserve more funding and recognition.",
        "We drove through Scunthorpe on the way to the cocktail bar.",
        "Thanks for the detailed reporting, this is why I keep my subscription.",
        "Immigrants built this town and their grandchildren still run the bakery.",
        "I disagree with the mayor, but she has a point about parking.",
    ];
    for s in ordinary {
        assert!(model_hits(&engine, s).is_empty(), "{s:?}: {:?}", model_hits(&engine, s));
        assert_eq!(engine.judge(&Comment::new("s", s.to_string())).verdict, Decision::Allow, "{s:?}");
    }
}

#[test]
fn the_shipped_model_flags_no_framed_dictionary_word_or_name() {
    let engine = builtin();
    let mut flagged = Vec::new();
    let mut ws = Vec::new();
    let mut touch = Vec::new();
    for (list, frame) in
        [("rules/lint/english.txt", "i think the {} is here"), ("rules/lint/names.txt", "my friend {} came over yesterday")]
    {
        let text = std::fs::read_to_string(root().join(list)).unwrap();
        for w in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let body = frame.replace("{}", &w.to_lowercase());
            let norm = engine.normalize(&body);
            words(&norm.text, &mut ws);
            for mr in &engine.models().rules {
                if mr.model.judge(&ws, mr.label, &mut touch) >= mr.min {
                    flagged.push(body.clone());
                }
            }
        }
    }
    assert!(flagged.is_empty(), "{} framed words flagged by the model: {:?}", flagged.len(), &flagged[..flagged.len().min(20)]);
}

#[test]
fn the_shipped_model_adds_no_deny_to_innocent_fixture_rows() {
    let engine = builtin();
    let bare = engine.with_models(Default::default());
    let mut files = vec![root().join("examples/labeled.jsonl"), root().join("tests/fixtures/breadth/eval-recall.jsonl")];
    files.extend(shared("data/evasions.dev.jsonl"));
    let mut innocent = 0;
    for f in files {
        for row in moderate::eval::read_labeled(&f).unwrap() {
            if row.labels.get("toxic") != Some(&false) {
                continue;
            }
            innocent += 1;
            let (v, b) = (engine.judge(&row.comment), bare.judge(&row.comment));
            assert_eq!(v.verdict, b.verdict, "{}: the model changed {:?}", f.display(), row.comment.body);
        }
    }
    assert!(innocent >= 160, "{innocent} innocent rows");
    // The identity corpus (clean text, evasions, "Scunthorpe", group names in plain
    // sentences): the model never changes an allowed comment whose text is ordinary.
    let corpus = std::fs::read_to_string(root().join("tests/fixtures/identity/corpus.jsonl")).unwrap();
    for line in corpus.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let body = v["body"].as_str().unwrap_or_default();
        let c = Comment::new("c", body.to_string());
        let (a, b) = (engine.judge(&c), bare.judge(&c));
        if b.verdict == Decision::Allow && a.verdict != Decision::Allow {
            // The few the model adds (7 of 724) are abuse the lists miss or, at worst, an insult
            // word in an idiom ("a fool and his money"), held for review; no plain sentence.
            let known = ["r.a.c.e", "tells somebody", "p3ople", "ague", "7ells", "a fool and his money", "nothing like us"];
            assert!(
                known.iter().any(|k| body.contains(k)),
                "model flagged {body:?}"
            );
        }
        assert!(a.verdict != Decision::Block || b.verdict == Decision::Block, "the model blocked {body:?}");
    }
}
