//! The model's fast path (issue 22, speed): the one-pass word splitter, the packed lookup table
//! that gives every label's weight in one probe, `ModelRules::apply` computing the features
//! once for all rules, and the rule-hit features. Each is checked against a plain reference:
//! the character-by-character splitter the model used before, the feature-major weights of
//! the file, and `Model::judge_with` rule by rule.

use moderate::comment::Comment;
use moderate::model::features::{is_function_word, is_group_word, rule_hash, word_hash, words, Word, GROUP};
use moderate::model::format::{Head, Model};
use moderate::model::train::{train, Options, Sample};
use moderate::model::{ModelRules, Scratch};

/// The splitter as it was written first (chars, `is_alphanumeric`, an apostrophe inside a
/// word kept, the word lists compared as strings).
fn reference(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    let push = |s: usize, e: usize, out: &mut Vec<Word>| {
        let w = &text[s..e];
        let group = is_group_word(w);
        let hash = if group { GROUP } else { word_hash(w) };
        out.push(Word { hash, start: s as u32, end: e as u32, group, function: !group && is_function_word(w) });
    };
    while let Some((i, c)) = chars.next() {
        let inner = (c == '\'' || c == '’') && start.is_some() && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push(s, i, &mut out);
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out);
    }
    out
}

#[test]
fn the_one_pass_splitter_matches_the_reference_on_tricky_and_random_text() {
    let fixed = [
        "don't go, you 'idiot' 42x",
        "it’s ok ’tis o'' clock o'clock '",
        "jews and muslims alike; THE they",
        "café naïve straße 中文字 ١٢٣ x\u{301}y 🙂 a🙂b",
        "",
        "   ",
        "'''",
        "a'",
        "i'm im it's don't",
    ];
    let alphabet: Vec<char> = "ab zé'’.,-1中🙂\u{301}ßthe jews".chars().collect();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = Vec::new();
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..(x % 24) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        random.push(s);
    }
    let mut got = Vec::new();
    for t in fixed.iter().map(|s| s.to_string()).chain(random) {
        words(&t, &mut got);
        assert_eq!(got, reference(&t), "{t:?}");
    }
    words("jews and the", &mut got);
    assert!(got[0].group && got[0].hash == GROUP && got[1].function && got[2].function);
}

#[test]
fn the_packed_table_gives_every_label_of_every_feature_and_zero_for_unknown_ones() {
    // Ten labels need two packed words per slot; key 0 lives outside the probed table.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let heads: Vec<Head> =
        names.iter().map(|n| Head { name: n.to_string(), slope: 1.0, bias: 0.0, scale: 0.01 }).collect();
    let mut keys: Vec<u64> = (0..500u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
    keys.push(u64::MAX);
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys[0], 0);
    let weights: Vec<i8> = (0..keys.len() * names.len()).map(|i| (i as i8).wrapping_mul(29).wrapping_sub(7)).collect();
    let m = Model::new(heads, keys.clone(), weights.clone(), String::new());
    for (f, &k) in keys.iter().enumerate() {
        for l in 0..names.len() {
            assert_eq!(m.raw_weight(k, l), weights[f * names.len() + l], "feature {f} label {l}");
        }
    }
    for unknown in [1u64, 2, 0x1234_5678, u64::MAX - 1] {
        assert!(!keys.contains(&unknown));
        assert!((0..names.len()).all(|l| m.raw_weight(unknown, l) == 0));
    }
    assert_eq!(Model::decode(&m.encode()).unwrap(), m);
}

fn builtin() -> moderate::Engine {
    moderate::config::load_from(
        moderate::config::source::FileSource::Disk(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        "config.toml",
    )
    .map(|l| l.engine)
    .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// `apply` looks the features up once for all rules and runs the spread rule and the
/// explanation only for a rule that would hit; its hits are exactly those of `judge_with`
/// rule by rule, on the project's labeled fixtures and on sentences built to hit.
#[test]
fn apply_hits_exactly_where_judge_with_says_so() {
    let engine = builtin();
    let models = engine.models().clone();
    assert!(!models.is_empty());
    let bare = engine.with_models(ModelRules::default());
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/labeled.jsonl")).unwrap();
    let mut bodies: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["body"].as_str().map(str::to_string))
        .collect();
    bodies.extend(
        ["you are a pathetic worthless loser and everyone hates you", "go back to your country you filthy animals"]
            .map(String::from),
    );
    // Comments of more than 256 known features (apply sums the packed weights in 16-bit lanes
    // that spill every 256 features): many fixtures in one, and one insult said 60 times.
    let joined = bodies.iter().take(300).cloned().collect::<Vec<_>>().join(" ");
    bodies.push(joined);
    bodies.push("you are a pathetic worthless loser and everyone hates you, ".repeat(60));
    let (rules, t) = (engine.rules(), engine.thresholds());
    let mut scratch = Scratch::default();
    let (mut ws, mut touch, mut hits) = (Vec::new(), Vec::new(), 0);
    for (i, body) in bodies.iter().enumerate() {
        let c = Comment::new(format!("c{i}"), body.clone());
        let v0 = bare.judge(&c);
        let norm = engine.normalize(body);
        let mut v = v0.clone();
        models.apply(&norm, body, rules, t, &mut v, &mut scratch);
        let got: Vec<&str> =
            v.reasons.iter().map(|r| r.rule.as_str()).filter(|r| !v0.reasons.iter().any(|o| o.rule == *r)).collect();
        words(&norm.text, &mut ws);
        let hit: Vec<u64> = v0.reasons.iter().map(|r| rule_hash(&r.rule)).collect();
        let want: Vec<&str> = models
            .rules
            .iter()
            .filter(|mr| ws.len() >= 3 && {
                let p = mr.model.judge_with(&ws, &hit, mr.label, &mut touch);
                p > 0.0 && p >= mr.min
            })
            .map(|mr| rules[mr.rule].id.as_str())
            .collect();
        assert_eq!(got, want, "{body:?}");
        hits += want.len();
    }
    assert!(hits > 0, "no comment exercised a hit");
}

fn sample(text: &str, rules: &[u64], y: bool) -> Sample {
    let mut ws = Vec::new();
    words(text, &mut ws);
    Sample::with_rules(&ws, rules, vec![Some(y)], 0)
}

/// A rule hit is evidence the model can learn, but never makes a hit on its own: the words'
/// evidence must be positive and spread.
#[test]
fn a_rule_hit_adds_evidence_but_never_hits_alone() {
    let r = rule_hash("attack.mild");
    let mut samples = Vec::new();
    for i in 0..40 {
        let n = i % 8;
        samples.push(sample(&format!("you are such a zorblax and a grumfle number{n}"), &[], true));
        samples.push(sample(&format!("you are such a keen and a fine gardener number{n}"), &[], false));
        samples.push(sample(&format!("plain words here number{n}"), &[r], true));
        samples.push(sample(&format!("plain words here number{n}"), &[], false));
    }
    let rows: Vec<usize> = (0..samples.len()).collect();
    let m = train(&samples, &rows, &["attack".to_string()], &Options { bits: 12, ..Options::default() }, String::new());
    assert!(m.raw_weight(r, 0) > 0, "the rule hit was learned as evidence");
    let mut ws = Vec::new();
    let mut touch = Vec::new();
    words("plain words here number3", &mut ws);
    assert_eq!(m.judge_with(&ws, &[r], 0, &mut touch), 0.0, "a rule hit alone");
    words("honestly such a zorblax and a grumfle", &mut ws);
    let (with, without) = (m.judge_with(&ws, &[r], 0, &mut touch), m.judge(&ws, 0, &mut touch));
    assert!(without > 0.0 && with > without, "with {with} without {without}");
}
