//! Threats and aimed attacks written without the pack's usual words (seventeenth session): a
//! death with a deadline, killing said with a knife word or in slang, a weapon brought to the
//! reader, menace without a lethal act, contempt aimed at a thing. Each frame sits beside the
//! innocent sentences of the same shape that must stay allowed. Every sentence is written for
//! this test.

mod common;

use common::{pack_expect as expect, pack_innocent as innocent};


/// A death foretold with a deadline is a death threat; a deadline, "dead tired", "dead wrong"
/// and "dead by the time the line is built" are not. Without a deadline the same words are held.
#[test]
fn a_death_with_a_deadline_blocks_and_deadlines_do_not() {
    expect(
        "block",
        "threat.violence",
        &[
            "you will be dead by friday",
            "you'll be dead by morning",
            "ur gonna be dead by tomorrow",
            "u will be dead within a week",
            "youre dead by tomorrow",
        ],
    );
    expect(
        "flag",
        "threat.harm",
        &["you're a dead man", "you'll end up in a body bag", "you will be six feet under", "you're dead meat", "you are dead."],
    );
    innocent(&[
        "the deadline is friday",
        "you'll be dead tired by friday",
        "the battery will be dead by friday",
        "you'll be dead by the time they finish the rail line",
        "you're dead wrong about the tax",
        "you are dead right",
        "you are dead to me",
        "you are a dead ringer for your dad",
        "you'll be dead on your feet after that shift",
    ]);
}

/// Killing said with a knife word or in slang blocks as "I will kill you" does; the same verbs
/// with an object after "you" (a slice, a check, some slack, a question) or a particle ("cut you
/// off") are everyday English.
#[test]
fn killing_said_with_a_knife_word_or_in_slang_blocks() {
    expect(
        "block",
        "threat.violence",
        &[
            "i'll cut you",
            "bitch i will cut you",
            "i'll axe you",
            "ima shank u",
            "i'll gut you like a fish",
            "i'll murk you",
            "i'll end you",
            "if you post that again i will end you",
            "i will end your life",
            "i'll take your miserable life",
            "gonna kill you",
            "i will kil you",
            "i'll strangle you with my bare hands",
            "i'll hang you from a tree",
            "i'll burn you alive",
            "i'm going to cut your head off",
            "i'm going to snap your neck",
            "i'll rip your throat out",
            "imma stab you up",
            "ima cut u up",
            "i'll end u",
        ],
    );
    innocent(&[
        "i'll cut you a slice",
        "i'll cut you a check",
        "i'll cut you some slack",
        "i'll cut you in on the deal",
        "i'll cut you off if you keep talking over me",
        "i'll axe you a question",
        "the company will axe you if sales drop",
        "gonna kill you with kindness",
        "this heat is gonna kill you",
        "the stairs will kill you",
        "i will end your suspense: the butler did it",
        "i'll take your life story to the publisher",
        "i'll bite your head off if i'm hungry",
        "i'll cut you up in traffic",
    ]);
}

/// A gun named as the means of a threat blocks: a bullet promised, a weapon brought to the
/// reader, someone coming to kill them, the reader's house set alight, everyone shot.
#[test]
fn a_weapon_or_a_bullet_aimed_at_the_reader_blocks() {
    expect(
        "block",
        "threat.violence",
        &[
            "i'm coming for you with a gun",
            "im coming to your house with a knife",
            "i'm coming over there to kill you",
            "we're on our way to shoot you",
            "i'll put a bullet in you",
            "ill put one in your head",
            "i've got a bullet with your name on it",
            "you deserve a bullet",
            "i have a gun and i know where you live",
            "i'll stab you with a screwdriver",
            "i'll shoot you in the back of the head",
            "ill come with a knife and stab u",
            "i'll torch your car",
            "i'll set your house on fire",
            "i'll shoot everyone in this thread",
            "i'll shoot up the place",
            "i'm going to run you down with my car",
            "imma pop a cap in your ass",
            "i got a bullet for you",
            "we are coming to your house with guns",
            "you will die by my hand",
            "i will be the one to kill you",
            "i'll make sure you're dead",
        ],
    );
    innocent(&[
        "i'm coming for you at eight",
        "i'm coming for you at eight to drive you to the airport",
        "i'm coming to your house with a cake",
        "im coming for you with the car",
        "i'm coming over to kill some time",
        "put a bullet point in your essay",
        "i'll shoot you in the photo booth",
        "i'll shoot everyone a message",
        "i'll torch the weeds",
        "i will run you down to the station",
        "i'm bringing a cake for you",
        "i got a knife with your name on it for your birthday",
        "i have a bullet point for you",
        "we are coming to your house with gifts",
    ]);
}

/// Menace that names no lethal act is held for a person to read: a warning, a wish that the
/// reader never meets the writer, a limb, a family, an address. Advice and sport talk of the
/// same shape stay allowed.
#[test]
fn menace_without_a_lethal_act_is_held() {
    expect(
        "flag",
        "threat.veiled",
        &[
            "you'd better hope we never meet",
            "you better pray i never find you",
            "sleep with one eye open",
            "better sleep with one eye open.",
            "say that to my face and see what happens",
            "you won't live much longer",
            "you better watch yourself",
            "i know where you live",
            "i'm coming for you and your family",
            "your kids aren't safe",
            "people like you disappear",
            "it would be a shame if your car caught fire",
            "i'll be waiting outside your house",
            "your days are numbered",
            "you'll never see tomorrow",
            "you won't make it home tonight",
            "you better hope you never meet me",
        ],
    );
    expect(
        "flag",
        "threat.harm",
        &[
            "i'll make sure you never walk again",
            "i'll hurt you badly",
            "i'll tear you apart",
            "i'll break every bone in your body",
            "i want you dead",
            "i'll see you dead",
            "i'll get you for this",
            "i'll beat you half to death",
            "i'll throw acid in your face",
            "you'll pay with your life",
            "watch your back",
            "i'll be the last thing you see",
        ],
    );
    innocent(&[
        "you'd better hope it doesn't rain",
        "let's hope we never meet them in the final",
        "cats sleep with one eye open",
        "i sleep with one eye open when camping",
        "watch yourself on the ice",
        "watch your back when lifting",
        "i'll make sure you never miss an episode again",
        "i'll make sure you don't wake up the baby",
        "try the recipe and see what happens",
        "you won't live long enough to see the bridge finished",
        "I know where you live, I'll drop the book off",
        "your days are numbered on this project",
        "your days are numbered as coach",
        "i will beat you badly at chess",
        "i'll hurt you badly if i sing",
        "i want you dead serious about this",
        "it would be a shame if the weather ruined the game",
        "people like you disappear from politics fast",
        "your kids aren't safe in that car seat",
        "you won't make it home tonight if the trains are down",
        "you'll never make it to christmas on that budget",
    ]);
}

/// A threat told as news, with the words of the threat inside it, is not a threat.
#[test]
fn threats_told_as_news_are_not_threats() {
    innocent(&[
        "a man was arrested after saying he would bomb the school",
        "police said the man threatened to kill his neighbour",
        "he was charged with threatening to shoot his boss",
        "the jury heard he threatened to cut her",
        "she said i know where you live in a voicemail, police said",
        "the suspect told police he would kill the victim",
        "prosecutors said the defendant texted i'm coming for you with a gun",
        "the rapper's lyrics include i'll murk you and worse",
        "the note read: i know where you live",
        "sleep with one eye open is the title of her new novel",
        "you better watch your step on those stairs",
        "the surgeon will cut you open and remove the appendix",
        "i'm coming to your house with a bottle of wine",
    ]);
}

/// A contempt word whose target is a published work, an idea or a policy, or an object named
/// right after it (or as the subject the word describes: "this policy is stupid") is criticism
/// of the thing: allowed. With no target, aimed at people, or at
/// what the reader wrote ("a moronic response", "the dumbest thing"), it is still held.
#[test]
fn contempt_for_a_thing_named_after_it_is_criticism() {
    innocent(&[
        "What a stupid article.",
        "this is a dumb idea",
        "my dumb phone died again",
        "an idiotic policy, and the minister knows it",
        "the stupidest new law I have seen",
        "what a pathetic budget",
        "that was a dumb movie",
        "the cab system in this city is pathetic",
        "this new policy is so stupid",
    ]);
    expect(
        "flag",
        "attack.contempt-word",
        &[
            "this is stupid",
            "stupid people everywhere",
            "what a stupid article writer",
            "dumb voters",
            "what a moronic response",
            "the dumbest thing I've ever seen",
            "the author is stupid",
        ],
    );
    expect("block", "attack.second-person-insult", &["you wrote a stupid article, you idiot"]);
}

/// Put-downs with no insult word: the reader's intelligence, schooling, upbringing, sanity,
/// family and standing, held for review as the earlier put-downs are. Questions and advice of
/// the same shape (a brain scan, a school year, a lift, music lessons) are not put-downs.
#[test]
fn put_downs_of_the_readers_mind_schooling_and_family_are_held() {
    expect(
        "flag",
        "attack.second-person-more",
        &[
            "did your mother drop you on your head",
            "were you dropped on your head as a child",
            "your mom must have dropped you as a baby",
            "go back to kindergarten",
            "go back to school and learn to read",
            "learn to read, genius",
            "can you even read?",
            "did you even finish high school?",
            "ur iq is lower than room temperature",
            "your iq must be in single digits",
            "you must have an iq of 50",
            "do you even have a brain?",
            "is there anything between your ears?",
            "you have two brain cells",
            "your brain is the size of a pea",
            "you've got the brains of a goldfish",
            "come back when you've grown up",
            "were you born this way or did you practice",
            "go back to your mom's basement",
            "you belong in a mental institution",
            "have you taken your meds today",
            "put down the crack pipe",
            "what are you smoking?",
            "your parents must be ashamed of you",
            "you make me sick",
            "you are beneath me",
            "you're a sad little man",
            "you are a laughing stock",
            "everyone is laughing at you",
            "yo mama so fat",
        ],
    );
    expect("flag", "attack.dismissal", &["nobody asked for your opinion"]);
    innocent(&[
        "come back when you are older and we can talk",
        "the kids go back to school on monday",
        "i'd love to go back to school at forty",
        "i want to go back to school and get a degree",
        "nobody asked for your receipt",
        "your iq is higher than mine",
        "you have an iq of 130",
        "do you have a brain scan booked",
        "is there anything between your ears and the helmet",
        "did you finish high school in ontario or quebec",
        "did you go to high school with her",
        "learn to read music in ten weeks",
        "i dropped you off at the station",
        "did your mom drop you at school today",
        "what are you smoking on the grill tonight",
        "pass along whatever you are smoking",
        "i put down the pipe wrench",
        "your parents must be so proud of you",
        "you make me sick with worry",
        "the sad little girl in the story waited for her mother",
        "everyone is laughing at your joke",
        "your mom is so kind",
    ]);
}
