//! Round 12 of evasion mechanisms (docs/hostile.md "round 12 (evasions)"): letters an evader
//! types that have two readings (`1`, `|`, `!` for `l`, `9` for `g`), phrases run together with
//! separators or spaced out letter by letter, a symbol split off by a space, `2` and `4` for
//! words, and emoji standing for words. Each reading is checked against the plain spelling (the
//! same grade, never more), with innocent text of the same shape beside it. Fixtures are
//! invented sentences.

mod common;

use common::{assert_allowed, assert_as_plain, builtin_engine, judge_checked, rules};

/// `1`, `|` and `!` drawn for an `l` (all of a token's strokes read as `l`, once), a `9` for a
/// `g`; a token whose strokes read as `i` make an English word is that word (`w1ll`, `s1lly`).
#[test]
fn strokes_and_digits_with_two_readings_are_read_both_ways() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("ki11 yourself", "kill yourself"),
            ("just kil1 urself", "just kill urself"),
            ("you s1ut", "you slut"),
            ("you s|ut", "you slut"),
            ("you 1oser", "you loser"),
            ("you are a |oser", "you are a loser"),
            ("go ki|| yourself", "go kill yourself"),
            ("you fa990t", "you faggot"),
        ],
    );
    for body in [
        "1ll be there at 9",
        "w1ll you come?",
        "that was s1lly of me",
        "k1ll the lights",
        "i got 1st place, 11am, in 2019",
        "covid19 and win10 on the A1 road",
        "x = a|b || c; y = !flag",
        "Bill, 9 years old, is well",
        "we11 done, 9ood job",
        "use mp3 or m4a, 5G is fine",
        "What a day!That was fun, all the best!Thanks",
    ] {
        assert_allowed(&e, body);
    }
}

/// A phrase written as one token (`gokillyourself`, `youareanidiot`), with its words joined by
/// one separator (`you_are_an_idiot`) or letter by letter with wider gaps between the words:
/// the patterns read its words, so it judges as the phrase written plainly.
#[test]
fn phrases_run_together_or_spaced_out_are_read_as_phrases() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("gokillyourself", "go kill yourself"),
            ("youareanidiot", "you are an idiot"),
            ("you_are_an_idiot", "you are an idiot"),
            ("you-are-an-idiot", "you are an idiot"),
            ("you.are.an.idiot", "you are an idiot"),
            ("go_kill_yourself", "go kill yourself"),
            ("k i l l  y o u r s e l f", "kill yourself"),
            ("Y O U  A R E  A N  I D I O T", "you are an idiot"),
        ],
    );
    for body in [
        "#youarethebest",
        "follow @killjoy_fan",
        "run kill_process then exit",
        "a great skill set",
        "state-of-the-art work, well-known and up-to-date",
        "the shop was shut-up all winter",
        "see example.com or node.js, e.g. this, U.S.A.",
        "the_end_of_the_road.mp4",
        "w e l l  d o n e",
        "a b c d e f g",
        "T H A N K  Y O U",
    ] {
        assert_allowed(&e, body);
    }
}

/// A symbol an evader types for a letter, split off from the word by one space.
#[test]
fn a_symbol_split_off_by_a_space_is_read_with_its_word() {
    let e = builtin_engine();
    assert_as_plain(&e, &[("what a < unt", "what a cunt"), ("fu <k this", "fuck this"), ("sh !t", "shit")]);
    for body in ["i <3 u", "if a < b then", "wow! that is great", "x = (a + b) < c", "love u <3 so much", "hi ! there"] {
        assert_allowed(&e, body);
    }
}

/// Txt-speak: `2` and `4` as whole words between words read as `to` and `for`; what was read
/// already (`u r`, `ur`, `stfu`, `kys`) judges as its plain spelling does.
#[test]
fn txt_speak_reads_as_the_plain_phrase() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("i want 2 kill u", "i want to kill u"),
            ("go 2 hell", "go to hell"),
            ("u r a idiot", "you are a idiot"),
            ("ur a loser", "you are a loser"),
            ("kill ur self", "kill yourself"),
            ("stfu", "shut the fuck up"),
            ("kys", "kill yourself"),
        ],
    );
    for body in ["i have 2 cats and 4 dogs", "see you at 2 tomorrow", "2 of 10 voted", "u r the best 4 sure"] {
        assert_allowed(&e, body);
    }
}

/// Emoji for words: a duck for the f-word glued to letters or before an object, a knife for
/// `stab` before an object (so `i will 🔪 you` is the threat `i will stab you` is, and `🔪 you`
/// alone is what `stab you` is), the middle finger a gesture (flagged), letters written with
/// regional indicators or enclosed letters folded; a duck named and country flags are innocent.
#[test]
fn emoji_standing_for_words_are_read_as_the_words() {
    let e = builtin_engine();
    assert_as_plain(&e, &[("f🦆 you", "fuck you"), ("🦆 off", "fuck off"), ("i will 🔪 you", "i will stab you")]);
    assert_eq!(judge_checked(&e, "f🦆").verdict, judge_checked(&e, "fuck").verdict);
    assert_eq!(judge_checked(&e, "🔪 you").verdict, judge_checked(&e, "stab you").verdict);
    assert!(rules(&e, "🖕").iter().any(|r| r == "profanity.gesture"));
    for body in ["🇫 🇺 🇨 🇰", "🅵🆄🅲🅺", "Ⓕⓤⓒⓚ"] {
        assert_eq!(judge_checked(&e, body).verdict, judge_checked(&e, "fuck").verdict, "{body:?}");
    }
    for body in [
        "look at the 🦆 in the pond",
        "feed the 🦆 it is hungry",
        "🦆🦆🦆 so cute",
        "🇫🇷 🇺🇸 🇩🇪 vive la France",
        "cut the bread with the 🔪 please",
        "my 🔪 is sharp",
    ] {
        assert_allowed(&e, body);
    }
}

/// Each new reading is linear in the body: 2 MB cost about twice 1 MB.
#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&[
        "ki11 yourself s|ut we11 ",
        "fu <k sh !t < unt ",
        "you_are_an_idiot go-kill-yourself ",
        "k i l l  y o u r s e l f ",
        "youareanidiot ",
        "i want 2 kill u ",
        "f🦆 you 🦆 off i will 🔪 you ",
        "1|!9",
    ]);
}
