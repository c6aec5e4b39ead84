//! Round 9 of evasion mechanisms (docs/hostile.md "round 9 (evasions)"): the grid of ways to
//! make a site show one text while the judge reads another, and the shapes of round 8's "left"
//! list a mechanism now reads. Each reading has innocent text of the same shape beside it.
//! Fixtures are invented sentences.

mod common;

use common::{builtin_engine, judge_checked};
use moderate::normalize::{NormalizeOptions, Normalizer};
use moderate::verdict::Decision;

fn text(body: &str) -> String {
    Normalizer::new(&NormalizeOptions::default()).normalize(body).text
}

/// Every way of writing `fuck off` that a browser shows as that word (tags, entities, hidden
/// and invisible characters, look-alike alphabets): each is judged as the reader sees it, and
/// every span lies on the characters typed (`judge_checked`).
#[test]
fn what_a_page_shows_is_what_is_judged() {
    let tag = |s: &str| s.chars().map(|c| char::from_u32(0xE0000 + c as u32).unwrap()).collect::<String>();
    let grid: Vec<String> = vec![
        "you f<b></b>uck off".into(),
        "you fu<i>ck</i> off".into(),
        "you f<!-- x -->uck off".into(),
        "you &#102;uck off".into(),
        "you &#x66;uck off".into(),
        "you f&shy;uck off".into(),
        "you fu<span style=\"display:none\">zz</span>ck off".into(),
        "you <del>fuck</del> off".into(),
        "you \u{202E}kcuf\u{202C} off".into(),
        "you fu\u{200B}ck off".into(),
        "you fu\u{200C}ck off".into(),
        "you fu\u{200D}ck off".into(),
        "you fu\u{2060}ck off".into(),
        "you fu\u{FEFF}ck off".into(),
        "you fu\u{180E}ck off".into(),
        "you fu\u{3164}ck off".into(),
        "you fu\u{115F}ck off".into(),
        format!("you fu{}ck off", tag("zz")),
        "you fu\u{FE0F}ck off".into(),
        "you f\u{300}\u{301}\u{302}u\u{304}\u{305}c\u{307}\u{308}k\u{30A} off".into(),
        "you fu\u{AD}ck off".into(),
        "you ｆｕｃｋ off".into(),
        "you 𝐟𝐮𝐜𝐤 off".into(),
        "you 𝔣𝔲𝔠𝔨 off".into(),
        "you ⓕⓤⓒⓚ off".into(),
        "you 🅵🆄🅲🅺 off".into(),
        "you 🇫🇺🇨🇰 off".into(),
        "you ꜰᴜᴄᴋ off".into(),
        "you ᶠᵘᶜᵏ off".into(),
        // Upside down: turned letters in reverse order.
        "ɟɟo ʞɔnɟ noʎ".into(),
    ];
    let e = builtin_engine();
    for body in &grid {
        let v = judge_checked(&e, body);
        assert!(v.verdict.is_deny(), "{body:?}: {:?}", v.verdict);
    }
    // A line break inside a word is still the word (the phrase around it is not asked for).
    for body in ["fu\nck", "fu\r\nck", "fu<br>ck"] {
        assert!(judge_checked(&e, body).verdict.is_deny(), "{body:?}");
    }
}

/// Text a page shows as something else is judged as that: an entity escaped twice shows its
/// own name (`&#102;`), not the letter; an isolate without an override shows `kcuf` as typed,
/// and `kcuf` is judged as the word written backwards it is (round 10), not as the bidi
/// reordering the normalizer makes of an override.
#[test]
fn what_a_page_does_not_show_is_not_read_into_it() {
    assert_eq!(text("you &amp;#102;uck off"), "you &#102;uck off");
    assert_eq!(text("you \u{2067}kcuf\u{2069} off"), "you kcuf off");
    let e = builtin_engine();
    assert_eq!(judge_checked(&e, "you &amp;#102;uck off").verdict, Decision::Allow);
    let v = judge_checked(&e, "you \u{2067}kcuf\u{2069} off");
    let m = &v.reasons.iter().find(|r| r.rule == "profanity.strong").expect("kcuf read backwards").matches[0];
    assert_eq!(m.text, "kcuf");
}

#[test]
fn upside_down_words_are_read_turned_back() {
    // A whole line turned; one word turned after upright ones; capitals.
    assert_eq!(text("ɟɟo ʞɔnɟ noʎ"), "you fuck off");
    assert_eq!(text("well ʇᴉɥs ʎɯ ʇɐǝ"), "well eat my shit");
    assert_eq!(text("ʇoᴉpᴉ uɐ ǝɹ,noʎ"), "you're an idiot");
    assert_eq!(text("∀ԀԀ"), "ppa");
    // A word of letters that read either way up joins only between turned words.
    assert_eq!(text("sn ʞɔnɟ"), "sn fuck");
    assert_eq!(text("ʞɔnɟ sn ʎɯ"), "my us fuck");
    // Line by line: a second line is its own run.
    assert_eq!(text("ʞɔnɟ\nɟɟo"), "fuck off");
    // Turned letters by reference, and a turned word with hidden text inside it.
    assert_eq!(text("&#x29E;&#x254;n&#x25F; off"), "fuck off");
    assert!(text("ʞɔ<span hidden>x</span>nɟ").contains("fuck"), "{}", text("ʞɔ<span hidden>x</span>nɟ"));
    let e = builtin_engine();
    let v = judge_checked(&e, "ʇᴉɥs ɟo ǝɔǝᴉd");
    assert!(v.verdict.is_deny(), "{:?}", v.verdict);
    // Upright words with an IPA letter, Turkish dotless i, a lone turned letter among upright
    // text: nothing turned that was not, nothing reversed.
    for body in ["the vowel ʌ as in cup", "sıkıcı bir gün", "ǝ is a schwa", "put ɔ for the open o", "bop ʌ sob"] {
        assert_eq!(judge_checked(&e, body).verdict, Decision::Allow, "{body:?}");
    }
    assert_eq!(text("the vowel ʌ as in cup"), "the vowel v as in cup");
}

/// A 1 MB body of nothing but turned words is read in linear time.
#[test]
fn many_turned_words_stay_linear() {
    let body = "ʞɔnɟ noʎ sn ".repeat(80_000);
    let n = Normalizer::new(&NormalizeOptions::default());
    let t = common::thread_cpu_time();
    let out = n.normalize(&body);
    let spent = common::thread_cpu_time() - t;
    assert!(out.text.contains("us you fuck"));
    assert!(spent.as_secs_f64() < 5.0, "{spent:?}");
}

/// `s hit`, `t wat`: a first letter split off by a space joins the word after it when the join
/// is a word of a list strong enough to read so (`fuzzy_split_letter`: profanity.strong); the
/// letter after an apostrophe, a digit, a dot or a one-letter word is part of the text before,
/// and so is a clitic that lost its apostrophe (`what s`, `don t`, `I m`).
#[test]
fn a_first_letter_split_off_a_strong_word_joins_it() {
    let e = builtin_engine();
    for body in ["s hit, what a film", "you absolute t wat", "you b itch", "you t wats", "c unt", "no! s hit!"] {
        let v = judge_checked(&e, body);
        assert!(v.verdict.is_deny(), "{body:?}: {:?}", v.verdict);
        assert!(v.reasons.iter().any(|r| r.rule == "profanity.strong"), "{body:?}");
    }
    // The span covers both pieces as typed.
    let v = judge_checked(&e, "s hit happens");
    let m = &v.reasons.iter().find(|r| r.rule == "profanity.strong").unwrap().matches[0];
    assert_eq!(m.text, "s hit");
    for body in [
        "he' s hit hard by the news",
        "it' s hitting home",
        "what s hit me was the noise",
        "we talked about s hit songs",
        "don t wait for me",
        "I m all ears",
        "I s hit the ball",
        "posted 2 d ago",
        "J. S hit back",
        "plan B itches to start",
        "grade c unit tests",
        "a hit and a miss",
        "vitamin d ago",
        "chin k",
    ] {
        assert_eq!(judge_checked(&e, body).verdict, Decision::Allow, "{body:?}");
    }
}
