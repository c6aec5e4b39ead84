//! The sentence-level breadth of the pack (issue 17): obscenity in other languages, explicit
//! material held for review, pornography's own vocabulary, threat frames, obscene gestures,
//! child abuse named as an act, hyphenated compounds, aimed abbreviations, and the innocent
//! look-alikes each of them must leave alone. Every sentence is written for this test.

mod common;

use common::{pack_expect as expect, pack_innocent as innocent, pack_judged as judge};


#[test]
fn obscenity_in_other_languages_is_profanity() {
    expect(
        "flag",
        "profanity.foreign",
        &["que cabrón eres", "vaffanculo a tutti", "quel connard, celui-la", "so eine scheisse", "que porra é essa"],
    );
    // English words one generated spelling away from a listed term (cabron/carbon, puta/putin).
    innocent(&[
        "the computer crashed",
        "a Putin speech on carbon tax",
        "the marines landed on the slopes",
        "salud amigos",
        "Punta Cana is lovely",
        "el punto es claro",
    ]);
}

#[test]
fn explicit_material_is_held_never_blocked_alone() {
    expect(
        "flag",
        "profanity.explicit",
        &["he sent porn to the whole office", "a pedo ring was exposed", "masturbating on the train", "what a sexbot"],
    );
    innocent(&[
        "sex education in schools",
        "sexual harassment claims",
        "a sextant and a compass",
        "the sexton rang the bell",
        "I have seen it before",
        "bandage the wound, the fees went up",
        "a hookah bar downtown",
    ]);
}

#[test]
fn pornography_vocabulary_is_sexual_and_its_look_alikes_are_not() {
    expect("flag", "profanity.sexual", &["lemon party pics lol", "what a blumpkin"]);
    innocent(&[
        "a country bumpkin",
        "the problem is snowballing",
        "a busy day at the skeet range",
        "riding bareback across the plains",
        "a jelly donut and a wet dream of a policy",
        "watch the dvd",
        "the cms is down",
    ]);
}

#[test]
fn threat_frames_without_a_determiner_block() {
    expect("block", "threat.call-to-violence", &["ima shoot school tomorrow", "gaz the jews"]);
    expect("flag", "threat.harm", &["my cousin was bringing a gun to school"]);
    innocent(&["a shooting school for hunters", "i'm going to school tomorrow", "i will attack the problem"]);
}

/// Bombing is lethal violence aimed at the reader as shooting is; bombing told as news, an exam
/// "bombed", a balloon or a phone "blown up" are not threats.
#[test]
fn bombing_threats_block_and_bombing_news_does_not() {
    expect(
        "block",
        "threat.violence",
        &["i will bomb your house", "i'll bomb you", "i'm going to firebomb your office", "we will blow you up", "i'll blow your car up"],
    );
    innocent(&[
        "they will bomb the bridge tomorrow, the army said",
        "I will bomb the exam if I don't study",
        "i'll bomb you with questions after the talk",
        "I will blow up the balloons for the party",
        "I will blow your phone up tonight",
        "i will blow you a kiss",
        "the company will axe 500 jobs",
    ]);
}

/// Lethal acts said as phrasal verbs or with verbs the list lacked block as "I will kill you"
/// does; their everyday senses (a ride to the station, a pest, a bug hunted down) do not.
#[test]
fn lethal_phrasal_threats_block_and_their_everyday_senses_do_not() {
    expect(
        "block",
        "threat.violence",
        &[
            "i will run you over",
            "i'll set you on fire",
            "i will hunt you down",
            "i will put you in the ground",
            "i'll put you in the hospital",
            "i will poison you",
            "i'll drown you",
            "someone should shoot that guy",
        ],
    );
    innocent(&[
        "I will run you down to the station after work",
        "I will set you up with my cousin",
        "I'll put you in the queue for a callback",
        "we will hunt down the bug tonight",
        "they will poison the well with that rumour",
        "someone should shoot those deer before they eat the garden",
        "i will put you in touch with him",
    ]);
}

#[test]
fn obscene_gestures_and_drawings_are_held() {
    expect("flag", "profanity.gesture", &["\u{1F595} you all", "look 8===D"]);
    innocent(&["if x == 3 then", "if b==d then"]);
}

#[test]
fn child_abuse_named_as_an_act_is_held_but_a_report_is_not() {
    expect("flag", "profanity.child-abuse", &["they touched kids"]);
    innocent(&["the priest raped children for years, the report says", "kids touched the statue"]);
}

#[test]
fn multi_word_terms_match_hyphenated() {
    expect("flag", "profanity.sexual", &["what a muff-diver"]);
    expect("flag", "profanity.explicit", &["kiddie-fiddler"]);
    innocent(&["a kitchen-cum-diner"]);
}

#[test]
fn aimed_abbreviations_and_f_word_spellings() {
    expect("flag", "attack.second-person-name", &["you mf", "u sucker"]);
    expect("block", "attack.obscene-dismissal", &["shut the f*** up", "fack u"]);
    innocent(&["MF DOOM released an album", "a sucker punch"]);
}

#[test]
fn goddamn_flags_and_buggery_the_legal_term_does_not() {
    expect("flag", "profanity.crude", &["goddamn it all"]);
    innocent(&["buggery laws were repealed"]);
}

/// The addressees named as a group ("you people", "you guys", "your kind") are still the
/// people in the conversation: an insult to them is a personal attack as "you are idiots" is,
/// and an animal word for them denies their humanity. A group condemned as an abomination is
/// dehumanized. Kind words in the same frame stay allowed. (Thirteenth session, written from the
/// policy; 6 rows of ../shared/data change, 5 of them labeled toxic.)
#[test]
fn the_addressees_as_a_group_are_attacked_like_one_addressee() {
    expect("block", "attack.second-person-insult", &["you people are idiots", "you guys are morons", "you lot are idiots"]);
    expect("flag", "attack.second-person-name", &["you people are clueless", "you guys are pathetic"]);
    expect("flag", "attack.dehumanizing", &["you people are animals", "your kind are animals"]);
    expect("block", "identity.dehumanizing", &["gays are an abomination", "muslims are abominations"]);
    innocent(&[
        "you people are great",
        "you people are welcome here",
        "you guys are amazing, thanks for the tips",
        "you all are right about the budget",
        "this tax law is an abomination",
        "you guys are the best",
    ]);
}

/// Death wishes beyond "kill yourself": bleach as a whole clause, someone else's violence
/// wished on the addressee, "you should be put down", "the world would be better off without
/// you". A question or a report about bleach, a pet put down and a team better off without a
/// player stay allowed. British name-calling aimed at someone ("you absolute muppet") is a name.
#[test]
fn death_wishes_in_other_words_block() {
    expect(
        "block",
        "attack.wish-death",
        &[
            "drink bleach",
            "Drink bleach, loser",
            "I hope someone stabs you",
            "you should be euthanized",
            "the world would be better off without you",
            "nobody would miss you if you died",
        ],
    );
    expect("flag", "attack.second-person-name", &["you absolute muppet", "you utter prat"]);
    innocent(&[
        "drink bleach to cure covid? that was a real claim",
        "he said we should drink bleach. Insane.",
        "our old dog had to be put down last year",
        "the team would be better off without him",
        "the muppet show was great",
    ]);
}

/// Put-downs with no insult word: the addressee told to shut a filthy mouth, to shove it, that
/// the writer has a brain unlike them, to come back after puberty, to crawl back under a rock;
/// a person's act put down to their group ("typical muslim, what do you expect"). Each is held
/// for review; "shove it up your ass" is obscene abuse and blocks, as "your mother should have
/// aborted you" does. The same words in plain sentences stay allowed.
#[test]
fn put_downs_without_an_insult_word_are_held() {
    expect(
        "flag",
        "attack.second-person-more",
        &[
            "You shut your filthy mouth",
            "take your opinion and shove it",
            "I have a brain, unlike you",
            "come back when you are out of puberty",
            "you have the IQ of a potato",
            "crawl back under your rock",
            "nobody cares what you think.",
            "you are the lowest form of life",
        ],
    );
    expect("flag", "identity.generalization", &["typical muslim, what do you expect", "typical muslim behaviour"]);
    expect("block", "attack.obscene-dismissal", &["shove it up your ass"]);
    expect("block", "attack.wish-death", &["your mother should have aborted you"]);
    innocent(&[
        "come back when you are older and we can talk about it",
        "take your time and stick it out",
        "I have a brain injury unlike you I guess",
        "nobody cares what you think about cats, it's fine",
        "the crab crawled back under the rock",
        "typical british weather today",
        "a typical jewish wedding has a lot of dancing",
    ]);
}

/// Sexist put-downs ("women belong in the kitchen", "make me a sandwich, woman") are sweeping
/// statements about a group, and a sexual taunt about the addressee's family ("I banged your mom
/// last night") is aimed at the addressee: both held. A favour for someone's mother, a shelf
/// nailed to a wall and a trip back to the kitchen for the oven stay allowed.
#[test]
fn sexist_put_downs_and_sexual_taunts_are_held() {
    expect(
        "flag",
        "identity.generalization",
        &["women belong in the kitchen", "get back in the kitchen, woman", "make me a sandwich woman"],
    );
    expect("flag", "attack.second-person-more", &["I'd bang your wife", "I banged your mom last night"]);
    innocent(&[
        "I'll do your mom a favour and drive her home",
        "go back to the kitchen and check the oven",
        "I nailed your sister's shelf to the wall",
        "the women in the kitchen made soup",
    ]);
}

/// Threats of bodily harm to a part of the addressee ("I'll break your legs"), a wish that their
/// house burns, "I'll make you regret this": held as possible threats. Idioms with the same verbs
/// ("I'll break your fall", "knock your socks off") and harmless objects stay allowed.
#[test]
fn bodily_harm_threats_are_held() {
    expect(
        "flag",
        "threat.harm",
        &["I'll break your legs", "I'm going to bash your head in", "I hope your house burns down", "I'll make you regret this"],
    );
    innocent(&[
        "I'll break your fall",
        "I'll cut your hair tomorrow",
        "I will make you a cake",
        "I'll knock your socks off with this recipe",
    ]);
}

/// Every body gets `verdict` (whatever rules decide it).
fn graded(verdict: &str, bodies: &[&str]) {
    for (b, (v, rules)) in bodies.iter().zip(judge(bodies)) {
        assert_eq!(v, verdict, "{b:?}: {rules:?}");
    }
}

#[test]
fn an_aimed_insult_grades_the_same_however_its_intensifier_is_spelled() {
    // Before rules/attack/intensifiers.txt the aimed patterns named `fucking` alone: the first
    // two blocked and the others only flagged.
    let forms = [
        "fucking", "fuckin", "fuckin'", "fukin", "fkn", "fking", "fcking", "f*cking", "f**king", "f***ing", "f-ing", "f'n",
        "friggin", "frigging", "goddamn", "flippin", "bloody", "effing",
    ];
    for form in forms {
        let bodies = [
            format!("you are a {form} idiot"),
            format!("you {form} moron"),
            format!("ur a {form} retard"),
            format!("shut up you {form} loser"),
        ];
        let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
        graded("block", &bodies);
    }
    // The intensifier list is read only inside aimed patterns: alone it is the profanity rules'
    // business, and a minced oath alone is allowed.
    innocent(&["that was a flipping good match", "a bloody good goal", "a frigging cold morning"]);
}

#[test]
fn a_lethal_threat_after_a_few_words_blocks() {
    expect(
        "block",
        "threat.violence",
        &[
            "I will find you and kill you",
            "we will hunt you down and shoot you",
            "im going to come to your house and stab you",
            "I will track you down and then kill you bitch",
            "ill kill u",
            "i will beat you to death",
            "I'll slit your throat",
        ],
    );
    expect("flag", "threat.harm", &["I will make you suffer", "you are going to die", "you're gonna die bitch"]);
    // The same verbs in everyday English: a message shot, a copy burned, a back stabbed (the
    // idiom), time killed, a game won.
    innocent(&[
        "I will shoot you an email tomorrow",
        "I will look into it and shoot you an email",
        "we will get together and burn you a mixtape",
        "I will come over and stab you in the back, figuratively",
        "I will go home and kill some time",
        "I will beat you at chess",
        "you will not die alone",
        "you are going to die laughing at this",
        "I am going to make you suffer through my vacation photos",
    ]);
}

#[test]
fn contempt_doxxing_and_self_harm_told_in_other_words() {
    graded(
        "flag",
        &[
            "you're trash",
            "you are garbage.",
            "nobody likes you",
            "everyone hates you",
            "you people should be deported",
            "I will dox you",
            "I know your address",
            "post your address and find out",
            "i will find where you live",
            "I'll find out where you live",
            "we're gonna find out where your kids go to school",
        ],
    );
    graded("block", &["gfy", "rope yourself", "jump off a bridge, loser", "go an hero"]);
    innocent(&[
        "you're trash at chess but I love playing you",
        "you are nothing like your brother",
        "nobody likes you more than your grandma does",
        "we have your address on file for the delivery",
        "I know your address is on the form already filled in",
        "I will find out where you live is on the map",
        "I'll find out where you live when I check the address book",
        "we jumped off a bridge into the river every summer",
        "the bridge you jump off is closed",
    ]);
}

#[test]
fn calling_oneself_a_name_is_not_name_calling() {
    let bodies = ["I'm such an idiot, I forgot my keys", "i am such a moron sometimes", "call me a fool, but I liked it"];
    for (b, (_, rules)) in bodies.iter().zip(judge(&bodies)) {
        assert!(!rules.iter().any(|r| r == "attack.name-calling"), "{b:?}: {rules:?}");
    }
    expect("flag", "attack.name-calling", &["he is such an idiot", "what a moron that guy is"]);
}

#[test]
fn exclusion_denial_and_stereotypes_about_a_group_are_held() {
    graded(
        "flag",
        &[
            "muslims should be banned",
            "muslims go home",
            "no muslims allowed",
            "we need to get rid of the jews",
            "the holocaust never happened",
            "hitler was right",
            "asians can't drive",
        ],
    );
    innocent(&[
        "guns should be banned",
        "no dogs allowed on the beach",
        "the jews go home for passover every year",
        "we need to get rid of the weeds",
        "many muslims cannot read arabic",
        "the holocaust museum is worth a visit",
    ]);
}

#[test]
fn dick_as_a_title_or_a_name_is_not_the_word() {
    innocent(&["Moby Dick is a classic novel", "a Philip K. Dick novel", "spotted dick with custard", "Tricky Dick resigned in 1974"]);
    expect("flag", "profanity.crude", &["don't be a dick", "what a dick move"]);
}

#[test]
fn idioms_that_hold_a_listed_word_are_innocent() {
    let idioms = [
        "the kitchen was spic and span",
        "there is a chink in his armor",
        "my uncle has a coon hound",
        "he has a spastic colon",
        "a honky-tonk piano",
        "the dyke held back the sea",
        "the cock crowed at dawn",
    ];
    for (b, (v, rules)) in idioms.iter().zip(judge(&idioms)) {
        // The model may still hold one on its own words; no word rule counts.
        assert!(v != "block", "{b:?}: {rules:?}");
        assert!(rules.iter().all(|r| r.starts_with("model.")), "{b:?}: {rules:?}");
    }
    expect("flag", "identity.slur", &["those chinks again", "a spic family moved in"]);
}

#[test]
fn party_names_bent_into_insults_are_insults_and_the_parties_are_not() {
    expect("flag", "attack.insult-word", &["typical demonrats", "the rethuglicans did it again", "dumbocrats"]);
    innocent(&[
        "Democrats and Republicans met today",
        "the republican senator spoke",
        "democrats won the house",
        "a demon rat lives in the attic",
    ]);
}

/// "Abso-fucking-lutely" is profanity (the infix), not "abos" (a loaded term the near-spelling
/// reader reached through "abso").
#[test]
fn an_infixed_swear_word_is_profanity_and_not_a_group_word() {
    let bodies = ["Abso-fucking-lutely. That was here already!", "abso-bloody-lutely right"];
    for (b, (_, rules)) in bodies.iter().zip(judge(&bodies)) {
        assert!(!rules.iter().any(|r| r.starts_with("identity.")), "{b:?}: {rules:?}");
    }
    expect("flag", "profanity.strong", &["Abso-fucking-lutely. That was here already!"]);
}

/// "negro" is held as a word often used as a slur, but not where it is Spanish for black or
/// part of a name.
#[test]
fn negro_as_spanish_for_black_or_in_a_name_is_not_held() {
    innocent(&[
        "el perro negro es bonito",
        "un café negro por favor",
        "the Rio Negro flows into the Amazon",
        "he played in the Negro Leagues",
        "the United Negro College Fund",
    ]);
    expect("flag", "identity.slur-contextual", &["a dirty negro", "los negros"]);
}

/// Words that are innocent in a set phrase or a name, whatever the word alone may be: the
/// phrase is read from the hit (`unless_phrase`) or the words before it (`unless_after`).
#[test]
fn set_phrases_and_names_around_a_listed_word_are_innocent() {
    innocent(&[
        "Dick Cheney was vice president",
        "Dick Van Dyke starred in the show",
        "a cock-and-bull story",
        "pussy willow blooms in spring",
        "rake and hoe the garden",
        "she bought a garden hoe",
        "a retarded spark in the engine",
        "chinks of light through the curtains",
        "a fag break at work, as the British say",
        "the gypsy moth caterpillar",
        "he faces child pornography charges",
        "Hitchcock's Psycho",
        "Cum laude graduate",
        "a bum bag for the trip",
    ]);
    expect("flag", "attack.name-calling", &["Trump's a liar", "Nixon's a crook", "he's psycho"]);
    expect("flag", "profanity.crude", &["don't be a dick, Cheney"]);
    expect("flag", "attack.insult-word", &["she is a hoe"]);
    expect("block", "identity.slur", &["filthy chinks"]);
}

/// Idioms and a common misspelling that share words with a threat are not threats.
#[test]
fn idioms_that_share_a_threats_words_are_innocent() {
    innocent(&[
        "you should be hung out to dry for that tweet",
        "he should be hung up on, not listened to",
        "you should die your hair red",
        "I'd kill for a coffee right now",
        "you're killing it, great job!",
    ]);
    graded("block", &["you should be hung", "you should die", "you should die, your hair is ugly"]);
}

/// An animal noun used as a verb or before the noun it names, and the "-proof" compounds, are not
/// names for the person addressed.
#[test]
fn nouns_used_as_verbs_or_modifiers_after_you_are_not_names() {
    innocent(&[
        "did you pig out at the buffet?",
        "you snake through traffic like a pro",
        "you clown around too much in class",
        "you rat out your friends? never",
        "you animal lovers will enjoy this",
        "you idiot-proofed the design nicely",
        "a fool-proof plan",
    ]);
    graded("flag", &["you pig", "you rat", "you animal"]);
    graded("block", &["you idiot, proof me wrong", "you pig everyone hates you"]);
}

/// "we'll" typed without its apostrophe, as "ill" for "I'll" already was, and with strokes for
/// its l's (round 12's second reading).
#[test]
fn we_will_without_its_apostrophe_is_still_a_threat() {
    graded("block", &["well kill you", "Well kill you and your family", "we11 kill you"]);
    innocent(&["oh well, kill the lights when you leave", "well kill the lights then", "we might as well kill time"]);
}

/// Ordinary comments of a news site (tests/fixtures/neutral-news.jsonl, written for the tests):
/// parties, religions and nationalities named, complaints, disagreement, and violent news told
/// as news ("Police said the victim was stabbed outside the bar"). The pack allows every one.
#[test]
fn ordinary_news_comments_are_allowed() {
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/neutral-news.jsonl")).unwrap();
    let bodies: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["body"].as_str().unwrap().to_string())
        .collect();
    assert!(bodies.len() >= 150, "{} rows", bodies.len());
    innocent(&bodies.iter().map(String::as_str).collect::<Vec<_>>());
}
