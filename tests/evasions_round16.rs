//! Round 16 of evasion mechanisms (docs/hostile.md "round 16 (evasions)"): a forbidden phrase
//! run together through its one-letter and two-letter words (`dieinafire`, `iwillkillu`,
//! `gojumpoffabridge`), a hashtag that is itself such a phrase (`#killyourself`,
//! `#DieInAFire`), and one letter with three strokes (`k1||`). The first two count only where
//! a pattern of a blocking or threat rule reads the whole token, so political, joke and
//! ordinary tags and run-together words stay what they were. Each evasive spelling is checked
//! against the plain one (the same grade, never more), with innocent text of the same shape
//! beside it. Fixtures are invented sentences.

mod common;

use common::{assert_all_allowed, assert_as_plain, builtin_engine};

/// A phrase run together through `a`, `u`, `in`, `at`... that the splitter's strict reading
/// takes no part of (one-letter words are chance splits of rare words), or reads through a word
/// that is `a` + a word (`abridge`).
#[test]
fn phrases_run_together_through_short_words_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("dieinafire", "die in a fire"),
            ("just dieinafire already", "just die in a fire already"),
            ("iwillkillu", "i will kill u"),
            ("ihopeudie", "i hope u die"),
            ("gojumpoffabridge", "go jump off a bridge"),
            ("shutupcrybaby", "shut up crybaby"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "what a greatday at aparty with alotofpeople",
            "ilovethisplace and iwillbethere tomorrow",
            "ihopeyouwin the race, goodluck",
            "Dieantwoord played a set, then diehard fans sang along.",
            "run killall firefox or pkill -f ihatebugs.sh",
            "The function isAlive calls killProcess when the timer is up.",
            "Ik hou van jou: ikhouvanjou was his password.",
            "Akuakanpergi besok pagi, kata dia.",
            "mahalkita at ingatka lagi",
            "kaikkialla on lunta ja jäätä",
            "@dieinafire_band thanks for the show",
            "the path /srv/iwillbethere/ahead is mounted",
            "the afterlife, aforementioned and afire are words",
            "userid ihateu2 logged in at 10:42",
        ],
    );
}

/// A hashtag is read as the phrase it spells only when a blocking or threat pattern reads all of
/// it: round 15 found that reading every tag judged political and joke tags as sentences.
#[test]
fn hashtags_that_are_a_forbidden_phrase_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("#killyourself", "kill yourself"),
            ("you should #killyourself", "you should kill yourself"),
            ("#GoKillYourself", "go kill yourself"),
            ("#dieinafire", "die in a fire"),
            ("#DieInAFire lol", "die in a fire lol"),
            ("#iwillkillyou", "i will kill you"),
            ("#ihopeyoudie", "i hope you die"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "#SheIsALiar #GoHomeEarly",
            "#SendThemHome and #LockHerUp trended again",
            "#KillTheBill protest tomorrow at noon",
            "#StopTheSteal #BuildTheWall #DefundThePolice",
            "#BlackLivesMatter #MeToo #NeverForget",
            "#EatTheRich #BurnItDown",
            "#DieHard is a christmas movie #DieAnotherDay",
            "#KillingIt at work today #killitwithfire",
            "#ShootForTheStars #KillTheLights #TakeHimDown",
            "#IWillSurvive #ILoveYou #IHopeYouWin",
            "#YouShallNotPass #beatthebuzzer #crushthem",
            "#pussyhats #restingbitchface",
            "see issue #42, C# and F#, example.com/faq#killyourself",
        ],
    );
}

/// One letter and three strokes (`k1||`, `k|||`): read when the strokes mix into an English word
/// (round 13 wanted two letters, against code and serials). Code, serials and words that are
/// ordinary when read (`b1||` is `bill`) stay what they were.
#[test]
fn one_letter_and_three_strokes_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("k1|| yourself", "kill yourself"),
            ("go k||| yourself", "go kill yourself"),
            ("k!|| yourself", "kill yourself"),
            ("i will k1|| you", "i will kill you"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "the b1|| is due and w1|| you come? f1|| the form t1|| tomorrow",
            "if (a||b) or x||y then |||a, a ||| b",
            "serials x1|| x1| 1|| 1|1 ||1 and p!|| box",
            "k1|| the lights when you leave",
        ],
    );
}

/// The new readings cost time linear in the text.
#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&[
        "dieinafire ",
        "#dieinafire ",
        "iwillkillu ",
        "aiuaiuaiuaiuaiuaiuaiuaiuaiuai ",
        "#aaaaaaaaaaaaaaaaaaaaaaaaaaaaa ",
        "k1|| ",
    ]);
}
