//! Nineteenth session of the pack: words of other languages that a folded or listed spelling
//! took for abuse (Turkish `çok`, Tagalog `guro`, Dutch `moslim`), reclaimed words a speaker uses
//! of themselves, a generalization called racist after it, "someone will get hurt" after a
//! condition about the speaker, and put-downs of a person's schooling and character. Each frame
//! sits beside the sentences of the same shape that must keep their grade. Every sentence is
//! written for this test.

mod common;

use common::{pack_expect as expect, pack_innocent as innocent, pack_judged as judge};

/// Every body is not hit by `rule` (other words in it may still be held).
fn not_hit(rule: &str, bodies: &[&str]) {
    for (b, (_, rules)) in bodies.iter().zip(judge(bodies)) {
        assert!(!rules.iter().any(|r| r == rule), "{b:?} hit by {rule}: {rules:?}");
    }
}

/// Turkish `çok` ("very") is typed with ç, which the normalizer folds to c; the letter is
/// Turkish, so the word is not read as an evasion of "cock". Typed with a plain c it still is.
/// Tagalog `guro` ("teacher") next to a Tagalog article or possessive is not the genre's name.
/// Dutch `moslim` after a Dutch article is the Dutch word for a Muslim.
#[test]
fn words_of_other_languages_are_not_read_as_abuse_and_their_evasive_twins_are() {
    innocent(&[
        "çok güzel bir yazı",
        "bu haber çok önemli",
        "Çok teşekkürler",
        "ang guro ko ay mabait",
        "salamat po sa mga guro",
        "ang aking guro sa matematika",
        "een moslim mag dat zeggen",
        "elke moslim is welkom",
    ]);
    expect("flag", "profanity.crude", &["nice cok lol", "what a cok"]);
    expect("flag", "profanity.sexual", &["guro hentai"]);
    expect("flag", "identity.slur", &["that moslim is a terrorist"]);
}

/// A speaker naming themselves or their own group with a reclaimed word is not held; the same
/// word said of someone else is. The n-word gets no such exception under this policy.
#[test]
fn a_reclaimed_word_of_the_speaker_is_allowed_and_of_others_held() {
    innocent(&[
        "i'm a dyke and proud of it",
        "good evening, i am a dyke",
        "as a dyke i have opinions on this",
        "us queers are tired of this",
        "we dykes are not going anywhere",
        "i've been a proud dyke for twenty years",
        "the dyke held back the flood",
    ]);
    expect(
        "flag",
        "identity.slur-reclaimed",
        &[
            "she's a dyke",
            "you dyke",
            "those dykes",
            "look at that dyke",
            "being a dyke is a sin",
            "show me a dyke that is pretty",
            "he dressed as a dyke",
        ],
    );
    expect("flag", "identity.slur-contextual", &["i'm a nigga", "us niggas"]);
}

/// A generalization called racist, antisemitic, sexist or a lie right after it (same sentence
/// or the next) is named to condemn it; "and that's a fact", "and that's not racist" and a
/// question keep it held.
#[test]
fn a_generalization_called_racist_after_it_is_not_held_as_one() {
    for rule in ["identity.generalization", "identity.dehumanizing"] {
        not_hit(
            rule,
            &[
                "muslims are terrorists, and that's racist",
                "jews are vermin, which is an antisemitic trope",
                "women are stupid. that is a sexist lie",
            ],
        );
    }
    expect(
        "flag",
        "identity.generalization",
        &[
            "muslims are terrorists and that's a fact",
            "muslims are terrorists and that's not racist",
            "muslims are terrorists, and that's racist?",
        ],
    );
    expect("block", "identity.dehumanizing", &["jews are vermin and that's the truth"]);
}

/// "someone will get hurt" after a condition about the speaker is a threat; the same words as a
/// warning about a road, fireworks or stairs are not.
#[test]
fn someone_will_get_hurt_after_a_condition_about_the_speaker_is_held() {
    expect(
        "flag",
        "threat.harm",
        &[
            "mess with me and someone is going to get hurt",
            "keep pushing me and somebody will get hurt",
            "come near my family again and someone's gonna get hurt",
        ],
    );
    innocent(&[
        "someone is going to get hurt at that intersection",
        "keep driving like that and someone is going to get hurt",
        "don't play with fireworks, someone is going to get hurt",
        "if they don't fix the stairs somebody will get hurt",
    ]);
}

/// A person's schooling and character put down to their face ("you are illiterate", "you are
/// shameless") is held; the same words of a thing, of oneself or denied are not.
#[test]
fn schooling_and_character_put_downs_aimed_at_the_reader_are_held() {
    expect(
        "flag",
        "attack.second-person-name",
        &[
            "you are illiterate",
            "you are shameless",
            "you are totally disgraceful",
            "you are uneducated",
            "you are illiterate in economics",
        ],
    );
    innocent(&["the policy is hypocritical", "i was illiterate until i was ten", "you are not petty", "the bill is petty"]);
}
