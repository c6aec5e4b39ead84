//! Round 11 of evasion mechanisms (docs/hostile.md "round 11 (evasions)"): look-alike letters
//! of other scripts and text really written in those scripts, txt-speak read into phrases (`h8`,
//! `fk`), and compounds whose joint letter was typed three times. Each reading has innocent text
//! of the same shape beside it. Fixtures are invented sentences.

mod common;


use common::{assert_allowed, builtin_engine, judge_checked, rules};
use moderate::verdict::Decision;

/// Latin letters with a hook, a dot above or below (`ƈ`, `ṇ`, `ġ`, `ụ`), Cyrillic and Greek
/// look-alikes mixed into a Latin word (`аѕѕhоӏе`, `ѕһіт`), and a letterlike `ℭ` are folded to
/// the letter a reader sees, as before; a word written wholly in Cyrillic or Greek in a comment
/// that is really written in that script (it has letters no Latin letter looks like: `ы`, `я`,
/// `л`, `λ`, `π`, accented Greek vowels) is read as the word of that language it is, so
/// `сосок` ("nipple") or `сосун` ("suckling") in a Russian sentence is not `cocok`.
#[test]
fn look_alike_letters_are_folded_but_real_cyrillic_and_greek_are_not() {
    let e = builtin_engine();
    for (body, rule) in [
        ("you ƈunt", "attack.second-person-insult"),
        ("you ṇiġġer", "identity.slur"),
        ("ƒụċk you", "attack.obscene-dismissal"),
        ("what an aѕѕhоӏе", "attack.insult-word"),
        ("such ѕһіт", "profanity.strong"),
        ("what a ℭunt", "profanity.strong"),
        // A mixed-script word inside a Russian sentence is still an evasion.
        ("ты аѕѕhоӏе", "attack.insult-word"),
        // Cyrillic letters no Russian word uses (ѕ, һ, ӏ) mark an evasion even in Russian text.
        ("ну ты и ѕһіт", "profanity.strong"),
        // Without a letter only Russian has, a Cyrillic word is read by its look.
        ("you are a сосk", "profanity.crude"),
    ] {
        let got = rules(&e, body);
        assert!(got.iter().any(|r| r == rule), "{body:?}: {got:?}");
    }
    for body in [
        "У меня болит сосок",
        "Ребёнок ещё сосун, ему два месяца",
        "ты сосок",
        "Кусок сыра и стакан сока",
        "Вау, какая тачка! Хор поёт",
        "Καλημέρα σας, πώς είστε;",
        "Αλεξ, πάμε για καφέ; Το κακό είναι ότι βρέχει",
        "Τι κάνεις; Ο Νίκος είναι στο σπίτι",
    ] {
        assert_allowed(&e, body);
    }
}

/// Txt-speak read into a phrase: a digit `8` standing for the sound `ate` in a word that is
/// then English (`h8` is hate, `h8ers` haters), and `fk`, the f-word's two-letter shorthand,
/// before what the f-word's phrases want. The phrase then judges as the plain one does, no
/// stronger: `i h8 jews` is held as `i hate jews` is, `i h8 u` allowed as `i hate u` is.
#[test]
fn txt_speak_is_read_into_phrases() {
    let e = builtin_engine();
    for (body, plain) in [
        ("i h8 jews", "i hate jews"),
        ("i h8 u", "i hate u"),
        ("go fk yourself", "go fuck yourself"),
        ("time to go fk everyone up", "time to go fuck everyone up"),
    ] {
        let (v, p) = (judge_checked(&e, body), judge_checked(&e, plain));
        assert_eq!(v.verdict, p.verdict, "{body:?} judged as {plain:?}: {:?}", rules(&e, body));
    }
    assert_ne!(judge_checked(&e, "i h8 jews").verdict, Decision::Allow);
    assert_eq!(judge_checked(&e, "go fk yourself").verdict, Decision::Block);
    for body in [
        "see u l8r at the sk8 park",
        "gr8 game m8",
        "the Audi A8 and the 8ball",
        "add an fk constraint from orders to users",
        "h8ers gonna h8",
        "the fk column is null",
    ] {
        assert_allowed(&e, body);
    }
}

/// A compound whose joint letter ends one part and starts the next, typed three times
/// (`ass` + `sucker` is `asssucker`; the normalizer writes a run of three once): the run is
/// read at its typed length too. `shag` is a vulgar stem before a closed head (`shagbucket`,
/// as `fuckbucket`). Stretched English (`sooo`, `yesss`) and real words stay innocent.
#[test]
fn compounds_with_a_tripled_joint_or_a_vulgar_stem_are_read() {
    let e = builtin_engine();
    for body in ["you asssucker", "what an asssucker", "shut up shagbucket", "you shagbuckets"] {
        assert_ne!(judge_checked(&e, body).verdict, Decision::Allow, "{body:?}");
    }
    for body in [
        "yesss we won",
        "sooooo good",
        "the seashore and ashore",
        "a shaggy dog by the bucket",
        "shag carpet and a shag haircut",
        "passsword reset",
        "classsic move",
        "mississippi",
    ] {
        assert_allowed(&e, body);
    }
}

#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&["ты сосок аѕѕhоӏе ", "сосок", "i h8 u go fk yourself ", "asssucker ", "h8h8"]);
}
