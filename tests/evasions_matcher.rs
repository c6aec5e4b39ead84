//! Evasions the fuzzy pass reads from what was typed (`src/matcher/fuzzy/typed.rs`): a symbol
//! that hides a letter other than the one it looks like, a run of masks counted in the symbols
//! typed, a mask at one end of a word, a letter typed three times for a doubled one. Each shape
//! has innocent twins of the same form that must stay allowed. Sentences are written here.

mod common;

use common::{moderate_in, pack_judgements, records, root};

/// Judges `bodies` with the built-in pack and fails, naming each, unless every one of `evasive`
/// is not allowed with a rule of `family` among its reasons, and every one of `innocent` is
/// allowed.
fn check(family: &str, evasive: &[&str], innocent: &[&str]) {
    let bodies: Vec<&str> = evasive.iter().chain(innocent).copied().collect();
    let got = pack_judgements(&bodies);
    let mut wrong = Vec::new();
    for (body, (verdict, rules)) in bodies.iter().zip(&got) {
        let read = rules.iter().any(|r| r.starts_with(family));
        if evasive.contains(body) && (verdict == "allow" || !read) {
            wrong.push(format!("evasion not read: {body:?} -> {verdict} {rules:?}"));
        }
        if innocent.contains(body) && verdict != "allow" {
            wrong.push(format!("innocent text denied: {body:?} -> {verdict} {rules:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `$`, `~`, `.`, `+`, `:`, `(` typed between letters stand for any letter, not only the one
/// they look like: `f$ck` is not `fsck`, `ni++er` not `nitter`. Prices, company names,
/// languages, hearts, addresses and sentence punctuation keep their meaning.
#[test]
fn a_symbol_typed_inside_a_word_may_hide_any_letter() {
    check(
        "profanity.",
        &[
            "what a f$ck up this was",
            "that guy is a c~nt honestly",
            "stop acting like a wh.re",
            "what a d+ck move",
            "such a tw:t about it",
            "nice p$ssy pics lol",
        ],
        &[
            "It costs $5 at the corner shop.",
            "She works at AT&T now.",
            "I write C++ and C# at work.",
            "I <3 u so much",
            "Mail me at jo.smith@example.com please.",
            "Mr.Smith went to Washington.",
            "pick one and/or the other",
            "x = a*b + c*d",
            "Micro$oft makes Windows",
            "ca$h only at the door",
            "the k!ds are alright",
            "wh@t are you doing",
            "cl@ss is over",
            "H&M and M&Ms are shops",
            "I rate it 4/5 stars.",
        ],
    );
    check("identity.", &["get out of here ni++er"], &["The R&B charts and a Q&A session.", "F&G rangers closed the trail."]);
}

/// A run of masks hides one letter per symbol typed, though the normalizer writes the run once
/// (`***` → `*`): `f***ing` is `f` + three letters + `ing`. A rating, markdown and a word with
/// more hidden than shown stay as they are.
#[test]
fn a_run_of_masks_counts_each_symbol_typed() {
    check(
        "profanity.",
        &["you f***ing clown", "what the f###ing hell", "this f%%%ing weather"],
        &["Rated ****, would buy again.", "This is **bold** and *italic* text.", "the ****ing censor ate it"],
    );
    check("identity.", &["those ni***rs again"], &["He said... well... nothing at all."]);
}

/// A mask at one end of a word hides the start or the rest of a term (`mother******`, `sh**`,
/// `*sshole`), never at both ends (`**Note**`) and never a `*` that opens or closes an action
/// or emphasis (`*hits play* now`).
#[test]
fn a_mask_at_one_end_hides_the_rest_of_a_term() {
    check(
        "profanity.",
        &["you little mother******", "that is full of sh**", "what a bitc*", "you *sshole"],
        &[
            "**Note**: read this first",
            "*hits play* and here we go",
            "He got an A+ on the test.",
            "That's 100% true.",
            "Use g++ -O2 to build it.",
            "Call the desk #help",
        ],
    );
}

/// A letter typed three times or more is written once by the normalizer; read as the letter
/// twice it may be a term (`niggg`), and only a term that fits then counts: stretched English
/// stays innocent.
#[test]
fn a_letter_typed_three_times_may_stand_for_two() {
    check(
        "identity.",
        &["look at that niggg"],
        &[
            "Shhhh, be quiet.",
            "Sooooo good, yesss!",
            "The team scored a gooooal.",
            "that's a hugggge win",
            "the buzzzz around town",
            "a grassss field",
            "whaaaat are you doinggg",
        ],
    );
}

/// The hit's span is the word as typed, symbols and all, so a censor or a reviewer sees it.
#[test]
fn the_span_is_the_word_as_typed() {
    let input = "{\"id\":\"1\",\"body\":\"you little mother****** go home\"}\n";
    let out = moderate_in(&root(), &["run", "-q", "--format", "jsonl", "-"], input);
    let recs = records(&out);
    let texts: Vec<&str> = recs[0]["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["matches"].as_array().into_iter().flatten())
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(texts.contains(&"mother******"), "{texts:?}");
}

/// Hostile input: a long comment made only of candidate words (symbols between letters, masks
/// at both ends, `*` openers and closers, letter runs) is judged in linear time, without a
/// panic, and still read.
#[test]
fn many_masked_words_stay_linear() {
    let unit = "*sshole f$ck ni++er *x* sh** aaaa... c~nt&#36; ";
    let small = unit.repeat(200);
    let big = unit.repeat(8_000);
    let t = std::time::Instant::now();
    let got = pack_judgements(&[&small]);
    let small_time = t.elapsed();
    let t = std::time::Instant::now();
    let got_big = pack_judgements(&[&big]);
    let big_time = t.elapsed();
    assert_ne!(got[0].0, "allow", "{:?}", got[0]);
    assert_ne!(got_big[0].0, "allow", "{:?}", got_big[0]);
    // 40 times the text: well under 40 times the time plus start-up, never quadratic (1,600 x).
    assert!(big_time < small_time * 40 + std::time::Duration::from_secs(5), "{small_time:?} vs {big_time:?}");
}
