//! Round 10 of evasion mechanisms (docs/hostile.md "round 10 (evasions)"): words decorated to
//! break the match (`src/matcher/fuzzy/decorated.rs`), veiled threats (`threat.veiled`), and
//! the linear time of the masked and split words on a text of many hits. Each reading has
//! innocent text of the same shape beside it. Fixtures are invented sentences.

mod common;


use common::{assert_allowed, builtin_engine, judge_checked};
use moderate::verdict::Decision;
use moderate::Engine;

/// The text of the first match of `rule` in the verdict on `body` (None when it does not hit).
fn matched(e: &Engine, body: &str, rule: &str) -> Option<String> {
    let v = judge_checked(e, body);
    v.reasons.iter().find(|r| r.rule == rule).map(|r| r.matches.first().map(|m| m.text.clone()).unwrap_or_default())
}

/// `f🔥u🔥c🔥k`, `f**u**c**k`: a run of symbols or pictographs between every letter. The span
/// is the decorated word as typed.
#[test]
fn symbols_between_every_letter_are_read() {
    let e = builtin_engine();
    for (body, word) in [
        ("you f🔥u🔥c🔥k off", "f🔥u🔥c🔥k"),
        ("what a f💀u💀c💀k", "f💀u💀c💀k"),
        ("f★u★c★k this", "f★u★c★k"),
        ("you f**u**c**k off", "f**u**c**k"),
        ("s..h..i..t happens", "s..h..i..t"),
        ("what a s~~h~~i~~t show", "s~~h~~i~~t"),
        ("total f❤️u❤️c❤️k up", "f❤️u❤️c❤️k"),
    ] {
        assert_eq!(matched(&e, body, "profanity.strong").as_deref(), Some(word), "{body:?}");
    }
    for body in [
        "rate it a🔥b🔥c🔥d",
        "**bold** and __under__",
        "e.g. the U.S.A. team",
        "scores 1**2**3",
        "o..k then",
        "l💕o💕v💕e you all",
        "h~~e~~l~~l~~o there",
    ] {
        assert_allowed(&e, body);
    }
}

/// `f*uc*k`, `fu_ck_`, `f"uck"`, `fu'ck`, `fu🔥ck`: one emphasis mark, quote or pictograph
/// inside a word; English's apostrophes stay words (`don't`, `o'clock`, `rock'n'roll`,
/// `he'll`).
#[test]
fn emphasis_inside_a_word_is_read() {
    let e = builtin_engine();
    for (body, word) in [
        ("what a f*uc*k", "f*uc*k"),
        ("what a fu_ck_ up", "fu_ck_"),
        ("what a f\"uck\" up", "f\"uck\""),
        ("what a fu'ck up", "fu'ck"),
        ("what a fu🔥ck up", "fu🔥ck"),
        ("you b*it*ch", "b*it*ch"),
        ("such sh`it", "sh`it"),
    ] {
        assert_eq!(matched(&e, body, "profanity.strong").as_deref(), Some(word), "{body:?}");
    }
    for body in [
        "don't worry, it's five o'clock",
        "rock'n'roll never dies",
        "he'll be fine and she'll too",
        "y'all come back, ma'am",
        "my_var_name and __init__ and **bold** text",
        "she said \"hello\" twice",
        "the ~tilde~ and `code` marks",
        "fire🔥works tonight",
        "sun😎shine all day",
    ] {
        assert_allowed(&e, body);
    }
}

/// `fxuxcxk`: the same letter between every letter of a term.
#[test]
fn filler_letters_are_read() {
    let e = builtin_engine();
    assert_eq!(matched(&e, "what a fxuxcxk", "profanity.strong").as_deref(), Some("fxuxcxk"));
    assert_eq!(matched(&e, "total sxhxixt", "profanity.strong").as_deref(), Some("sxhxixt"));
    for body in ["alabama and banana", "abababa and mamamia", "lalalala la"] {
        assert_allowed(&e, body);
    }
}

/// `kcuf`, `reggin`, `tihs`: a term written backwards, only as a word that is not English
/// (`stressed`/`desserts`, `reknits`/`stinker`, `tips`/`spit`, `god`, `evil` stay words).
#[test]
fn backward_words_are_read() {
    let e = builtin_engine();
    for (body, rule, word) in [
        ("kcuf you", "profanity.strong", "kcuf"),
        ("what a tihs show", "profanity.strong", "tihs"),
        ("look at those reggin", "identity.slur", "reggin"),
        ("sreggin everywhere", "identity.slur", "sreggin"),
        ("you hctib", "profanity.strong", "hctib"),
    ] {
        assert_eq!(matched(&e, body, rule).as_deref(), Some(word), "{body:?}");
    }
    for body in [
        "stressed about desserts",
        "the reknits are done",
        "some tips on how to spit",
        "oh god, what evil",
        "stop the pots from boiling",
        "a regal lager",
        "draw the drawer",
        "my friend Kcuf is here",
    ] {
        assert_allowed(&e, body);
    }
}

/// No English word is read backwards: every single-word entry of the pack's lists, reversed,
/// is either not an English word or is judged as it is judged written forwards (a term itself).
#[test]
fn no_english_word_is_read_backwards() {
    let e = builtin_engine();
    let dict = moderate::matcher::fuzzy::dictionary();
    let mut checked = 0;
    for (path, text) in moderate::config::source::FileSource::builtin_files() {
        if !(path.starts_with("rules/profanity/") || path.starts_with("rules/identity/") || path.starts_with("rules/attack/"))
            || !path.ends_with(".txt")
        {
            continue;
        }
        for line in text.lines() {
            let w = line.split('#').next().unwrap_or("").trim().to_lowercase();
            if w.len() < 4 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            let rev: String = w.chars().rev().collect();
            if rev == w || !dict.contains_key(&rev) {
                continue;
            }
            checked += 1;
            // Reversed and dictionary: judged by what it is, never as the term it reverses.
            let v = judge_checked(&e, &format!("the {rev} here"));
            assert!(
                v.reasons.iter().all(|r| r.matches.iter().all(|m| m.text != rev) || dict.contains_key(&w)),
                "{rev:?} (reversed {w:?}): {:?}",
                v.reasons.iter().map(|r| &r.rule).collect::<Vec<_>>()
            );
        }
    }
    assert!(checked > 0, "no reversed term is a dictionary word: the check checks nothing");
}

/// `fkuc`: the first letter kept, the rest shuffled, behind an opening no English word has
/// (`fk`, `bt`); abbreviations and sounds of the same shape stay innocent.
#[test]
fn shuffled_words_behind_a_rare_opening_are_read() {
    let e = builtin_engine();
    assert_eq!(matched(&e, "what a fkuc", "profanity.strong").as_deref(), Some("fkuc"));
    assert!(judge_checked(&e, "you btich").verdict.is_deny());
    for body in ["lmfao nsfw", "bffs ftw, ktnx", "hmmm pfft mmkay", "tskk brrr"] {
        assert_allowed(&e, body);
    }
}

/// Veiled threats are flagged, never blocked on their own; innocent sentences of the same
/// words stay allowed.
#[test]
fn veiled_threats_are_flagged() {
    let e = builtin_engine();
    for body in [
        "it would be a shame if something happened to you",
        "nice car. shame if anything happened to your kids",
        "I'd hate for something to happen to you",
        "better watch your back",
        "we know where you work.",
        "I know where your kids go to school",
        "you better sleep with one eye open",
        "you won't see it coming",
        "your days are numbered",
    ] {
        let v = judge_checked(&e, body);
        assert!(v.reasons.iter().any(|r| r.rule == "threat.veiled"), "{body:?}");
        assert_eq!(v.verdict, Decision::Flag, "{body:?}: {:?}", v.reasons.iter().map(|r| &r.rule).collect::<Vec<_>>());
    }
    for body in [
        "it would be a shame if it rained on the parade",
        "we know where you live is a nice town",
        "I sleep with one eye open when camping",
        "I never saw it coming",
        "the days are numbered 1 to 31",
        "he said \"watch your back\" was the worst line of the film",
    ] {
        let v = judge_checked(&e, body);
        assert!(v.reasons.iter().all(|r| r.rule != "threat.veiled"), "{body:?}");
    }
}

#[test]
fn hostile_bodies_stay_linear() {
    common::assert_linear(&["fuck f*ck ", "fuck wa nker ", "fuck f🔥u🔥c🔥k fu'ck ", "f*", "a b ", "kcuf fxuxcxk fkuc "]);
}

/// A word the word lists or the fuzzy pass read by its shape (masked, letters spaced apart,
/// decorated, backwards) counts inside a phrase too: the patterns read the sentence again with
/// the term in its place (src/matcher/reread.rs), so `you're a m*ron` blocks as `you're a moron`
/// does, and the match spans the phrase as typed. A near spelling is not read into a phrase
/// (`u thort` is a typo for "thought", not "u thot"), and a mask that fits two lists' terms
/// (`f***ing`) is left as it is.
#[test]
fn a_word_read_by_its_shape_counts_inside_a_phrase() {
    let e = builtin_engine();
    for (body, rule, phrase) in [
        ("Hey, you're a m*ron.", "attack.second-person-insult", "you're a m*ron"),
        ("you are an i d i o t", "attack.second-person-insult", "you are an i d i o t"),
        ("you are a st*pid c*nt", "attack.second-person-insult", "you are a st*pid c*nt"),
        ("f🔥u🔥c🔥k off", "attack.obscene-dismissal", "f🔥u🔥c🔥k off"),
    ] {
        let v = judge_checked(&e, body);
        assert_eq!(v.verdict, Decision::Block, "{body:?}: {:?}", v.reasons.iter().map(|r| &r.rule).collect::<Vec<_>>());
        assert_eq!(matched(&e, body, rule).as_deref(), Some(phrase), "{body:?}");
    }
    // The plain phrase blocked before; the shapes now agree with it.
    assert_eq!(judge_checked(&e, "you're a moron").verdict, Decision::Block);
    // A near spelling stays a word-list hit only (held, not blocked as an aimed insult).
    let typo = judge_checked(&e, "Have u thort of writing for a greeting card company?");
    assert_ne!(typo.verdict, Decision::Block, "{:?}", typo.reasons.iter().map(|r| &r.rule).collect::<Vec<_>>());
    assert!(matched(&e, "Have u thort of writing for a greeting card company?", "attack.second-person-insult").is_none());
    assert_allowed(&e, "you are a star*");
}
