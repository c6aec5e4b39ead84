//! Eighteenth session of the pack: menace in a bare phrase, warnings after a condition about the
//! speaker, threats to property, conditional death threats, beatings promised with an obscenity,
//! contempt for a thing passed on to the reader; and identity alarms that the words around a
//! group name or a listed word make innocent (food, a surname, an animal, a music genre, a
//! go-back frame reported or a deportation policy in the news, a generalization named to deny
//! it). Each frame sits beside the innocent sentences of the same shape that must stay allowed.
//! Every sentence is written for this test.

mod common;

use common::{pack_expect as expect, pack_innocent as innocent, pack_judged as judge};


/// Every body is not hit by `rule` (other words in it may still be held).
fn not_hit(rule: &str, bodies: &[&str]) {
    for (b, (_, rules)) in bodies.iter().zip(judge(bodies)) {
        assert!(!rules.iter().any(|r| r == rule), "{b:?} hit by {rule}: {rules:?}");
    }
}

/// "you're next", "i'm watching you", "i'm coming to get you", "i'll take you out" are held when
/// the phrase ends there or a threat's words follow; a queue, a show, a lift and a date are not.
#[test]
fn menace_in_a_bare_phrase_is_held_and_its_everyday_senses_are_not() {
    expect(
        "flag",
        "threat.veiled",
        &[
            "you're next",
            "watch out, you're next.",
            "i'm watching you",
            "we'll be watching you, punk",
            "i'm coming to get you",
            "i'll take you out",
            "i'll take you out permanently",
        ],
    );
    innocent(&[
        "you're next in line",
        "ok you're next to speak",
        "i'm watching you play tonight",
        "i'm watching you on tv",
        "i'm coming to get you at six",
        "i'll take you out to dinner",
        "i'll take you out for a drink on friday",
    ]);
}

/// A warning of harm after a condition about the speaker is a threat; the same warning as advice
/// (a helmet, gloves, a ladder) is not.
#[test]
fn a_warning_after_a_condition_about_the_speaker_is_held_and_advice_is_not() {
    expect(
        "flag",
        "threat.harm",
        &[
            "mess with me and you will get hurt",
            "come near my family again and you'll get hurt",
            "touch my car again and you'll be sorry",
            "you're gonna get hurt, i promise you",
        ],
    );
    innocent(&[
        "don't climb on that, you will get hurt",
        "if you ski without a helmet you will get hurt",
        "wear gloves or you'll get hurt",
    ]);
}

/// Damage promised to someone's tires, windows, car or shop is held; a score, a record, an
/// argument and clean windows are not damage.
#[test]
fn threats_to_property_are_held_and_other_objects_are_not() {
    expect(
        "flag",
        "threat.harm",
        &["i'll slash your tires", "i'll smash your windows", "im gonna key your car", "i will vandalize your shop"],
    );
    innocent(&[
        "i'll smash your high score",
        "i'll break your record next season",
        "i'll trash your argument in the next post",
        "i'll clean your windows on saturday",
        "i will pop your tires back on the rims",
    ]);
}

/// "if i find you you're dead" is a death threat with its condition; "dead to me", "dead wrong"
/// and finding someone dead are not.
#[test]
fn a_conditional_death_threat_blocks() {
    expect(
        "block",
        "threat.violence",
        &["if i find you you're dead", "if i ever see you again you're dead meat", "you're dead if i catch you"],
    );
    innocent(&[
        "if i find you dead i'll call an ambulance",
        "if i see you again you're dead to me",
        "if i find you're dead wrong i'll say so",
        "if i see you at the game you're buying the beer",
    ]);
}

/// A beating promised with an obscenity is read as a threat, not only as a swear word; beating
/// someone at a game is not a threat (the swear word in it is still held).
#[test]
fn a_beating_promised_with_an_obscenity_is_a_threat() {
    expect(
        "flag",
        "threat.harm",
        &["i'll kick your ass", "i'm going to beat the shit out of you", "ima beat you up"],
    );
    not_hit("threat.harm", &["i'll kick your ass at chess", "i'll kick your butt at scrabble"]);
    innocent(&["i'll kick your butt at scrabble"]);
}

/// "the article is stupid and so are you": the thing's half is criticism, the reader's half is
/// aimed contempt. Praise passed on, or contempt passed on to a third party, is not aimed.
#[test]
fn contempt_for_a_thing_passed_on_to_the_reader_is_held() {
    expect(
        "flag",
        "attack.second-person-name",
        &["the article is stupid and so are you", "this plan is idiotic, just like you"],
    );
    innocent(&[
        "the article is great and so are you",
        "the article is stupid and so is the mayor",
        "the pie is delicious and so are you",
    ]);
}

/// Crackers to eat, Sonny Dykes, doo-wop and raccoons are not slurs; the same words aimed at
/// people are still held or blocked.
#[test]
fn food_a_surname_a_genre_and_an_animal_are_not_slurs() {
    innocent(&[
        "can someone get me cheese and crackers",
        "eating animal crackers in church",
        "graham cracker crust",
        "saltine crackers for dinner",
        "dinner at cracker barrel",
        "that match was a cracker of a game",
        "sonny dykes is the coach",
        "doo-wop music from the fifties",
        "a doo wop singer",
        "a fence keeps the coons from knocking over my hives",
        "hunters saw bears and coons",
        "an orange coon cat",
    ]);
    expect("flag", "identity.slur-contextual", &["white crackers are the worst"]);
    // The reclaimed words have their own rule since the nineteenth session (same grade).
    expect("flag", "identity.slur-reclaimed", &["those dykes are disgusting"]);
    expect("block", "identity.slur", &["shut up you coon"]);
}

/// The go-back frame reported or condemned, and deportation policy in the news, are not a
/// comment telling a group to leave; the frame said to a group still is.
#[test]
fn a_go_back_frame_reported_or_condemned_is_not_held() {
    innocent(&[
        "she was told to go back to where she came from",
        "trump should tell them to go back to where they come from",
        "go back to where you come from is a racist statement",
        "the justice department is considering making it easier to deport immigrants",
    ]);
    expect("flag", "identity.go-back", &["go back to where you came from", "we need to deport immigrants"]);
}

/// A generalization named to deny or reject it is not one; said outright it is held.
#[test]
fn a_generalization_named_to_deny_it_is_not_held() {
    innocent(&[
        "i do not think all white people are evil",
        "yall keep saying men are trash",
        "the myth that jews control the media",
    ]);
    expect(
        "flag",
        "identity.generalization",
        &["white people are evil", "jews control the media", "women are retarded"],
    );
}

/// "you are the worst", "you're a terrible person", "you are irrelevant" and their third-person
/// forms are names aimed at someone; the worst at a task, a terrible cook, a monster on the court
/// and a denied insult are not.
#[test]
fn contempt_without_an_insult_word_is_held_and_its_twins_are_not() {
    expect(
        "flag",
        "attack.second-person-name",
        &[
            "you are the worst",
            "you're the worst.",
            "you are a terrible person",
            "you are a monster",
            "go away you are irrelevant",
            "you are sick in the head",
        ],
    );
    expect("flag", "attack.name-calling", &["she is a terrible person", "she is a monster!"]);
    innocent(&[
        "you are the worst at parking",
        "you are a terrible cook",
        "you are a monster on the court",
        "she is not a terrible person",
        "he was a monster of a player",
        "the weather is the worst",
    ]);
    // A denied insult is not aimed (the contempt word alone is still held, as everywhere).
    not_hit("attack.second-person-name", &["you are not stupid", "you're not dumb, you just need practice"]);
}

/// A group named to condemn what is said of it ("calling immigrants vermin is disgusting", "the
/// dirty jew trope is antisemitic", "the claim that ... is false"), a view reported as someone
/// else's, and history are not an attack on the group; the same words said outright still are.
#[test]
fn a_group_named_to_condemn_a_slur_on_it_is_not_attacked() {
    innocent(&[
        "saying jews control the media is antisemitic",
        "the claim that muslims are terrorists is false",
        "the dirty jew trope is antisemitic",
        "i hate it when people say gays are sick",
        "the nazis wanted to get rid of the jews",
        "three armed home invaders were arrested",
        "i played space invaders",
        "CONUS is the continental us",
    ]);
    not_hit("identity.dehumanizing", &["calling immigrants vermin is disgusting"]);
    not_hit("identity.generalization", &["stop calling women bitches"]);
    expect("block", "identity.dehumanizing", &["immigrants are vermin", "filthy jews"]);
    expect(
        "flag",
        "identity.generalization",
        &["muslims are terrorists and that is a fact", "jews are racist tribal and violent", "we need to get rid of the jews"],
    );
    expect("flag", "identity.hate-phrase", &["the invaders must be stopped"]);
}

/// An insulting or contemptuous word denied of its subject ("you are not stupid", "immigrants
/// are not vermin") is not held; "not only stupid" and the word said outright still are.
#[test]
fn an_insult_denied_of_its_subject_is_not_held() {
    innocent(&[
        "you are not stupid",
        "you're not dumb, you just need practice",
        "women are not stupid",
        "immigrants are not vermin",
        "he is not an idiot",
        "it's not that stupid",
    ]);
    expect("flag", "attack.contempt-word", &["you are not only stupid but evil", "not stupid"]);
    expect("flag", "attack.insult-word", &["he's not stupid, he's a fucking idiot"]);
}

/// "send them out" (to canvass, onto the pitch, in public) is not a go-back frame; sending,
/// shipping or kicking a group back, home or out of the country still is.
#[test]
fn sending_people_out_is_not_telling_them_to_go_back() {
    innocent(&[
        "send them out to knock on doors",
        "the coach will send them out in the second half",
        "kick them out of the meeting for being late",
    ]);
    expect(
        "flag",
        "identity.go-back",
        &["send them back", "ship them all home", "kick them all out of the country", "send the immigrants out"],
    );
}
