//! Round 14 of evasion mechanisms (docs/hostile.md "round 14 (evasions)"): listed words written
//! as they sound (`khunt`, `phelching`, `doochbag`, `corksucker`); a word split by a space with
//! the letter at the split typed twice (`sh hit`, `bi itch`) and `&` for an `a` (`&ss`);
//! letters and digits of scripts the normalizer did not read (Georgian and Ethiopic look-alikes
//! in a Latin word, Arabic-Indic and other decimal digits, braille) and `l3` drawn for a `b`.
//! Some pairs were read before this round and are kept as a guard (`boolshit`, `khike`, the
//! Cherokee small letters). Each evasive spelling is checked against the plain one (the same grade,
//! never more), with innocent text of the same shape beside it. Fixtures are invented sentences.

mod common;

use common::{assert_all_allowed, assert_as_plain, builtin_engine};

/// A listed word written as it sounds: `ph` for `f`, `kh` for `k`, `oo` for `ou`, `or` for `o`
/// before a consonant, `c` and `k` alike, doubled letters once, the silent `e` of `douche`.
/// Dictionary words, names, places and other languages' words that sound like a term (or are
/// spelled with those groups) stay innocent.
#[test]
fn spoken_spellings_of_listed_words_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("khunt", "cunt"),
            ("you khunt", "you cunt"),
            ("what a khunt", "what a cunt"),
            ("you doochbag", "you douchebag"),
            ("corksucker", "cocksucker"),
            ("you corksuckers", "you cocksuckers"),
            ("phelching", "felching"),
            ("boolshit", "bullshit"),
            ("you khike", "you kike"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "Khun Sa ruled the hills",
            "a cork in the bottle of wine",
            "Kunst und Kultur in Berlin",
            "peanut butter on toast",
            "Jeg vil have sukker i kaffen",
            "the sooks of the boat",
            "morphology of plants",
            "Khan Academy and the Khmer language",
            "Phuket beach, Ghent, Bhutan and Dhaka",
            "a phoenix rises over Khartoum",
            "creatine powder and a cooker hood",
            "Phoebe, Dhoni and Khadija called",
            "a rhubarb pie at the boutique on the corner",
            "poucy and bourd are old words",
            "khaki pants and a coocoo clock",
            "Phnom Penh and Kharkiv",
            "Ik hoor de koekoek in het bos",
            "Il pleut beaucoup, quelle horreur",
            "Quiero queso y un poco de pan",
        ],
    );
}

/// A word split by a space, the letter at the split typed on both sides (`sh hit`, `bi itch`),
/// and `&` for an `a` at the start of a word (`&ss`). Two words of three letters or more never
/// join so, an interjection does not, and `R&B` or `you & me` have no word after the `&`.
#[test]
fn splits_with_the_letter_repeated_and_an_ampersand_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("sh hit", "shit"),
            ("what a sh hit day", "what a shit day"),
            ("you bi itch", "you bitch"),
            ("cu unt", "cunt"),
            ("fu uck you", "fuck you"),
            ("the tw wat", "the twat"),
            ("&ss hole", "ass hole"),
            ("you &sshole", "you asshole"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "ah hole in one!",
            "Mrs Smith said the end dog is sad",
            "R&B and AT&T, you & me &c",
            "fish &chips and &amp; entities",
            "the entities &ampx and &notit; decode as a browser does",
            "he was a bi itchy after the hike",
            "the bass player is so good",
            "who ore miners were there",
        ],
    );
}

/// Letters and digits of other scripts: Georgian and Ethiopic look-alikes inside a Latin word,
/// Arabic-Indic, Persian and Devanagari digits glued to Latin letters, braille cells (Cherokee
/// small letters were read before); `l3` and `13` drawn for a `b`. Sentences of those scripts, numbers written in
/// them, Latin words with a Georgian ending, braille words and leet that makes an English word
/// stay innocent.
#[test]
fn letters_and_digits_of_other_scripts_are_read() {
    let e = builtin_engine();
    assert_as_plain(
        &e,
        &[
            ("\u{10D8}i\u{10E3}\u{10E3}er", "nigger"),
            ("\u{1260}\u{1290}\u{10D4}\u{10D4}\u{03B5}rs", "niggers"),
            ("sh\u{0661}t", "shit"),
            ("sh\u{06F1}t", "shit"),
            ("sh\u{0967}t", "shit"),
            ("b\u{0660}ll\u{0660}cks", "bollocks"),
            ("\u{280B}\u{2825}\u{2809}\u{2805} \u{283D}\u{2815}\u{2825}", "fuck you"),
            ("\u{ABAA}\u{AB8B}\u{AB75}\u{AB72}", "shit"),
            ("l3itch", "bitch"),
            ("you 13itch", "you bitch"),
        ],
    );
    assert_all_allowed(
        &e,
        &[
            "\u{10D2}\u{10D0}\u{10DB}\u{10D0}\u{10E0}\u{10EF}\u{10DD}\u{10D1}\u{10D0}, \u{10E0}\u{10DD}\u{10D2}\u{10DD}\u{10E0} \u{10EE}\u{10D0}\u{10E0}?",
            "\u{1230}\u{120B}\u{121D} \u{12A5}\u{1295}\u{12F4}\u{1275} \u{1290}\u{1205}",
            "iPhone\u{10D8}\u{10E1} \u{10E4}\u{10D0}\u{10E1}\u{10D8}",
            "Facebook\u{10D6}\u{10D4} \u{10D3}\u{10D0}\u{10D5}\u{10EC}\u{10D4}\u{10E0}\u{10D4}",
            "\u{0639}\u{0627}\u{0645} \u{0662}\u{0660}\u{0662}\u{0666}",
            "Windows \u{0661}\u{0661} is out",
            "COVID\u{0661}\u{0669} cases fell",
            "\u{092E}\u{0947}\u{0930}\u{0947} \u{092A}\u{093E}\u{0938} \u{0967}\u{0966} \u{0930}\u{0941}\u{092A}\u{092F}\u{0947} \u{0939}\u{0948}\u{0902}",
            "\u{2813}\u{2811}\u{2807}\u{2807}\u{2815} \u{283A}\u{2815}\u{2817}\u{2807}\u{2819}",
            "\u{13E3}\u{13B3}\u{13A9} \u{13A6}\u{13EC}\u{13C2}\u{13AF}\u{13CD}\u{13D7}",
            "l3ss is more, the 13th floor, 1337 h4x0r",
            "room 13b and l3 cache",
        ],
    );
}

/// Ordinary sentences with words each new reading could touch: spoken-alike words and names,
/// two-letter stubs before a word that repeats a letter, `&`, other scripts and digits, in
/// several languages.
#[test]
fn innocent_look_alikes_stay_allowed() {
    let e = builtin_engine();
    assert_all_allowed(
        &e,
        &[
            "The whiskey tasted of peat and smoke.",
            "Phil and Khloe went to the cinema.",
            "We visited Phuket and then Khao Lak.",
            "The Shih Tzu barked at the cockatoo.",
            "She cooked a quiche for the book club.",
            "Dhal and roti for dinner tonight.",
            "The ghoul in the story was scary.",
            "My cousin Bhavesh studies physics.",
            "The phonograph still works.",
            "Kookaburras laugh in the morning.",
            "The corkscrew is in the drawer.",
            "A bouquet of roses for the teacher.",
            "Rhoda and Rhys sang a duet.",
            "The Dhow boats sail at dawn.",
            "He spoke of Khomeini and the revolution.",
            "The Chekhov play opens on Friday.",
            "They played the oboe and the bassoon.",
            "Bourbon biscuits with tea.",
            "The coolant leaked from the engine.",
            "Phoenix Suns won last night.",
            "The cuckoo clock struck twelve.",
            "Corky the dog loves the park.",
            "Porky Pig is a cartoon.",
            "Der Buchhalter kommt morgen.",
            "Ich habe einen Schuh verloren.",
            "Le chouchou de la classe est malade.",
            "Vou ao cinema com o Khalil.",
            "Ho comprato un chilo di pesche.",
            "De koekjes zijn op.",
            "Ufuk ile Kuşadası'na gittik.",
            "Phở bò là món ngon.",
            "Shukran, habibi.",
            "Sh, the baby is sleeping.",
            "He said bi and it got weird.",
            "Is it cu or Cu in the table?",
            "The T-shirt has a logo.",
            "Ms Smith sent it.",
            "I think ok, keep going.",
            "Go on, no one minds.",
            "We met at the R&B concert.",
            "Procter & Gamble and Johnson & Johnson.",
            "Tom &Jerry is on TV.",
            "Meet at 3pm & bring snacks.",
            "Use &nbsp; in the HTML.",
            "Level 13 is hard, l33t players say.",
            "The 13 colonies declared independence.",
            "L3 support will call you.",
            "Il 13 maggio è il mio compleanno.",
            "\u{10E1}\u{10D0}\u{10E5}\u{10D0}\u{10E0}\u{10D7}\u{10D5}\u{10D4}\u{10DA}\u{10DD} is Georgia.",
            "Tbilisi \u{10D7}\u{10D1}\u{10D8}\u{10DA}\u{10D8}\u{10E1}\u{10D8}",
            "\u{12A2}\u{1275}\u{12EE}\u{1335}\u{12EB} Ethiopia",
            "\u{0627}\u{0644}\u{0633}\u{0639}\u{0631} \u{0665}\u{0660} \u{062F}\u{0631}\u{0647}\u{0645}",
            "Flight EK\u{0665}\u{0660}\u{0661} leaves at \u{0669}.",
            "\u{06F1}\u{06F4}\u{06F0}\u{06F3} \u{0633}\u{0627}\u{0644} Persian year",
            "Price: \u{0967}\u{0968}\u{0969} rupees",
            "\u{0E1E}.\u{0E28}. \u{0E52}\u{0E55}\u{0E56}\u{0E57}",
            "Braille: \u{2803}\u{2817}\u{2801}\u{280A}\u{2807}\u{2807}\u{2811}",
            "\u{2809}\u{2801}\u{283E} and \u{2819}\u{2815}\u{281B}",
            "\u{AB83}\u{AB8E}\u{AB7A} Cherokee small letters",
            "x = a & b; y = c && d",
            "the shh sound",
            "a bb gun",
        ],
    );
}

/// The new readings stay linear: 1 MB and 2 MB of each judged in about twice the time.
#[test]
fn new_readings_stay_linear() {
    common::assert_linear(&[
        "khunt ",
        "doochbag corksucker ",
        "sh hit ",
        "&ss ",
        "\u{10D8}i\u{10E3}\u{10E3}er ",
        "sh\u{0661}t ",
        "\u{280B}\u{2825}\u{2809}\u{2805} ",
        "\u{ABAA}\u{AB8B}\u{AB75}\u{AB72} ",
        "l3itch ",
        "\u{10D2}\u{10D0}\u{10DB}\u{10D0}",
    ]);
}
